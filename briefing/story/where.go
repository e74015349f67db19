package story

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
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

// Kinds of evidence for where an event happens: each counts once per
// country, at its strongest, so a title naming Mali three times in passing
// does not outweigh the country it opens with.
const (
	evTitlePlace = iota
	evImplied
	evTitleCountry
	evSummaryPlace
	evSummaryCountry
)

// whereVotes gathers the evidence for where an event happens.
type whereVotes struct {
	e     *Engine
	best  map[evidence]float64 // strongest evidence of each kind per country
	first map[string]int       // country → earliest position named (ties)
}

type evidence struct {
	country string
	kind    int
}

func (v *whereVotes) note(id string, s float64, pos, kind int) {
	if !v.e.isCountry(id) {
		return
	}
	k := evidence{id, kind}
	if old, ok := v.best[k]; !ok || s > old {
		v.best[k] = s
	}
	if p, ok := v.first[id]; !ok || pos < p {
		v.first[id] = pos
	}
}

// where decides the country where the event of a report happens: its
// places first (Tillabéri is in Niger whatever else the title says), then
// the countries its title names as a place (not as a border or a
// nationality of a visitor), then its summary. It also returns the
// candidates: every country nearly as well supported as the best (a
// summit in Accra about Mali is in both, for telling events apart).
func (e *Engine) where(title []string, titleM []tagger.Mention, tPlaces []placeHit,
	summaryM []tagger.Mention, sPlaces []placeHit) (string, []string) {
	v := &whereVotes{e: e, best: map[evidence]float64{}, first: map[string]int{}}
	for k, p := range tPlaces {
		bonus := 0.0
		if k == 0 {
			bonus = 0.5
		}
		v.note(e.places.list[p.place].Country, whereTitlePlace+bonus, p.start, evTitlePlace)
	}
	e.titleCountries(v, title, titleM)
	for k, p := range sPlaces {
		if k < 3 {
			v.note(e.places.list[p.place].Country, whereSummaryPlace/float64(k+1), 2000+p.start, evSummaryPlace)
		}
	}
	for k, m := range summaryM {
		if m.Kind == tagger.KindCountry && k < 4 {
			v.note(m.ID, whereSummaryCtry/float64(k+1), 3000+m.Start, evSummaryCountry)
		}
	}
	return v.decide()
}

// titleCountries weighs the countries a title names: as a place ("in
// Mali"), as its subject or opening ("Mali: …"), not as a border; and the
// countries of the actors it names (a junta leader's).
func (e *Engine) titleCountries(v *whereVotes, title []string, titleM []tagger.Mention) {
	firstCountry := true
	for _, m := range titleM {
		if m.Kind != tagger.KindCountry {
			for _, c := range e.gaz.Implies(m.ID) {
				v.note(c, whereImplied, m.Start+1000, evImplied)
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
		v.note(m.ID, s, m.Start, evTitleCountry)
	}
}

// decide adds up each country's evidence and returns the best supported
// (the earliest named on a tie) and the candidates.
func (v *whereVotes) decide() (string, []string) {
	score := map[string]float64{}
	for k, s := range v.best {
		score[k.country] += s
	}
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	top, bestScore := "", 0.0
	for _, id := range ids {
		s := score[id]
		if s > bestScore || s == bestScore && top != "" && v.first[id] < v.first[top] {
			top, bestScore = id, s
		}
	}
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
	hw := tagger.Words(s[:cut])
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
	return e.gaz.KindOf(id) == tagger.KindCountry || e.places.country[id]
}

// impliesCountry reports whether actor id is tied to country c (Goïta to
// Mali), so that naming him is not naming another party.
func (e *Engine) impliesCountry(id, c string) bool {
	return c != "" && slices.Contains(e.gaz.Implies(id), c)
}
