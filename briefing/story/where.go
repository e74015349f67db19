package story

import (
	"slices"

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
	summaryM []briefing.Mention, sPlaces []placeHit) string {
	score := map[string]float64{}
	first := map[string]int{}
	note := func(id string, s float64, pos int) {
		if !e.isCountry(id) {
			return
		}
		score[id] += s
		if p, ok := first[id]; !ok || pos < p {
			first[id] = pos
		}
	}
	for k, p := range tPlaces {
		bonus := 0.0
		if k == 0 {
			bonus = 0.5
		}
		note(e.places.list[p.place].Country, whereTitlePlace+bonus, p.start)
	}
	firstCountry := true
	for _, m := range titleM {
		if m.Kind != briefing.KindCountry {
			for _, c := range e.gaz.Implies(m.ID) {
				note(c, whereImplied, m.Start+1000)
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
		note(m.ID, s, m.Start)
	}
	for k, p := range sPlaces {
		if k < 3 {
			note(e.places.list[p.place].Country, whereSummaryPlace/float64(k+1), 2000+p.start)
		}
	}
	for k, m := range summaryM {
		if m.Kind == briefing.KindCountry && k < 4 {
			note(m.ID, whereSummaryCtry/float64(k+1), 3000+m.Start)
		}
	}
	best, bestScore := "", 0.0
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := score[id]
		if s > bestScore || s == bestScore && best != "" && first[id] < first[best] {
			best, bestScore = id, s
		}
	}
	return best
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
