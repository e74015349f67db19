package story

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Evidence weights for where an event happens, set on the tuning half of
// testdata/eval.jsonl.
const (
	whereTitlePlace   = 3.0  // a Sahel place in the title
	whereTitleCountry = 2.0  // a country named in the title
	whereLocative     = 1.0  // ... after "in", "au", "from"
	whereLeading      = 1.5  // ... opening the title ("Mali: ...")
	whereSubject      = 1.0  // ... as the first thing the title names (its subject)
	whereBorder       = -2.5 // ... as a border ("near the Malian border")
	whereImplied      = 0.8  // a leader or force tied to one country
	whereSummaryPlace = 1.2  // a place in the summary
	whereSummaryCtry  = 0.5  // a country in the summary
	whereCandidate    = 0.5  // share of the best score that makes a country a candidate
)

// locatives are the words before a country that say the event is there.
var locatives = map[string]bool{"in": true, "inside": true, "from": true, "au": true, "en": true,
	"dans": true, "du": true, "northern": true, "southern": true, "eastern": true, "western": true,
	"central": true, "nord": true, "sud": true, "est": true, "ouest": true, "centre": true}

// borderWords before a country say the event is next to it, not in it.
var borderWords = map[string]bool{"border": true, "borders": true, "frontiere": true, "frontieres": true,
	"frontalier": true, "frontaliere": true, "frontaliers": true, "near": true, "pres": true,
	"limitrophe": true, "toward": true, "towards": true, "vers": true, "bordering": true}

// where decides the country where the event of a report happens: its
// places first (Tillabéri is in Niger whatever else the title says), then
// the countries its title names as a place (not as a border or a
// nationality of a visitor), then its summary.
func (e *Engine) where(title []string, titleM []briefing.Mention, tPlaces []placeHit,
	summaryM []briefing.Mention, sPlaces []placeHit) (string, []string) {
	// Each kind of evidence counts once per country, at its strongest: a
	// title naming Mali three times in passing does not outweigh the
	// country it opens with.
	type kindOf struct {
		id   string
		kind int
	}
	best := map[kindOf]float64{}
	first := map[string]int{}
	note := func(id string, s float64, pos, kind int) {
		if !e.isCountry(id) {
			return
		}
		k := kindOf{id, kind}
		if v, ok := best[k]; !ok || s > v {
			best[k] = s
		}
		if p, ok := first[id]; !ok || pos < p {
			first[id] = pos
		}
	}
	for k, p := range tPlaces {
		bonus := 0.0
		if k == 0 {
			bonus = 0.5
		}
		note(e.places.list[p.place].Country, whereTitlePlace+bonus, p.start, 0)
	}
	firstCountry := true
	for _, m := range titleM {
		if m.Kind != briefing.KindCountry {
			for _, c := range e.gaz.Implies(m.ID) {
				note(c, whereImplied, m.Start+1000, 1)
			}
			continue
		}
		s := whereTitleCountry
		if m.Start > 0 && locatives[title[m.Start-1]] {
			s += whereLocative
		}
		if m.Start == 0 && m.End < len(title) && title[m.End] == "" {
			s += whereLeading
		}
		if firstCountry && m.Start <= 3 {
			s += whereSubject
		}
		firstCountry = false
		for k := max(0, m.Start-3); k < m.Start; k++ {
			if borderWords[title[k]] {
				s += whereBorder
				break
			}
		}
		note(m.ID, s, m.Start, 2)
	}
	for k, p := range sPlaces {
		if k < 3 {
			note(e.places.list[p.place].Country, whereSummaryPlace/float64(k+1), 2000+p.start, 3)
		}
	}
	for k, m := range summaryM {
		if m.Kind == briefing.KindCountry && k < 4 {
			note(m.ID, whereSummaryCtry/float64(k+1), 3000+m.Start, 4)
		}
	}
	score := map[string]float64{}
	for k, v := range best {
		score[k.id] += v
	}
	top, bestScore := "", 0.0
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := score[id]
		if s > bestScore || s == bestScore && top != "" && first[id] < first[top] {
			top, bestScore = id, s
		}
	}
	// Candidates: every country nearly as well supported as the best (a
	// summit in Accra about Mali is in both, for telling events apart).
	var cands []string
	for _, id := range ids {
		if s := score[id]; s > 0 && s >= whereCandidate*bestScore {
			cands = append(cands, id)
		}
	}
	return top, cands
}

// dateline returns the length of the dateline that opens a title or lead
// ("DAKAR, Senegal —", "Bamako, 15 août 2025 —", "NIAMEY -"), 0 if none:
// a place followed by a comma or a dash names where the report was filed,
// not where the event happened. "Tillabéri : 12 soldats tués" has no
// dateline: a colon makes the place the subject.
func (e *Engine) dateline(s string) int {
	cut := strings.IndexAny(s, ",:—–(")
	if dash := strings.Index(s, " - "); dash >= 0 && (cut < 0 || dash < cut) {
		cut = dash
	}
	if cut <= 0 || cut > 40 || s[cut] == ':' {
		return 0
	}
	hw := briefing.Words(s[:cut])
	head := texts(hw)
	isPlace := false
	e.places.byName.find(head, func(start, end int, _ int32) {
		isPlace = isPlace || start == 0 && end == len(head)
	})
	// A city in capitals ("ROME,", "HARARE,") opens a dateline too.
	capitals := len(hw) > 0 && len(hw) <= 3
	for _, w := range hw {
		capitals = capitals && w.Upper && len(w.Text) >= 3
	}
	if !isPlace && !capitals {
		return 0
	}
	// Skip the rest of the dateline: ", Country", a date, "(Agency)", up to
	// the dash or colon that ends it, if it comes soon.
	rest := s[cut:]
	if end := strings.IndexAny(rest, "—–:"); end >= 0 && end < 50 {
		_, size := utf8.DecodeRuneInString(rest[end:])
		return cut + end + size
	}
	if end := strings.Index(rest, " - "); end >= 0 && end < 50 {
		return cut + end + 3
	}
	return cut + 1
}

// isCountry reports whether id is a country of the gazetteer or of the
// place gazetteer.
func (e *Engine) isCountry(id string) bool {
	return e.gaz.KindOf(id) == briefing.KindCountry || e.places.country[id]
}

// impliesCountry reports whether actor id is tied to country c (Goïta to
// Mali), so that naming him is not naming another party.
func (e *Engine) impliesCountry(id, c string) bool {
	return c != "" && slices.Contains(e.gaz.Implies(id), c)
}
