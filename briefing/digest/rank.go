package digest

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Rank weights. A story's Score is the sum of its ScoreParts:
//
//	outlets  outletWeight × log2(distinct outlets): 0 for one outlet, 12 for
//	         two, 19 for three, 24 for four — the strongest signal: a story
//	         several newsrooms carry matters;
//	recency  recencyWeight × 2^(−age/halfLife), age from the story's
//	         latest item to now: 10 fresh, 5 after 12 h, 2.5 after a day;
//	watch    watchCountry when the story happens in Mali, Niger or Burkina
//	         Faso (or, placed nowhere, names one), else watchAES when it
//	         names the AES, else 0;
//	events   the weight of the strongest kind of event its reports tell
//	         (coup 6; attack, kidnapping 5; sanctions, withdrawal 4; arrest
//	         3 …), plus eventExtra for each further kind, at most eventMax;
//	outside  minus half of the rest when the story happens outside the
//	         watched countries: a three-outlet story from Sudan does not
//	         outrank a single report of an attack in Niger.
const (
	outletWeight  = 12.0
	recencyWeight = 10.0
	halfLife      = 12 * time.Hour
	watchCountry  = 6.0
	watchAES      = 4.0
	eventExtra    = 1.5
	eventMax      = 9.0
	outsideShare  = 0.5
)

// eventWeights weigh the kinds of event the story engine reads.
var eventWeights = map[string]float64{
	"coup": 6, "coup-plot": 5, "attack": 5, "ambush": 5, "massacre": 5, "bombing": 5, "killing": 5,
	"strike": 5, "kidnapping": 5, "capture": 5, "sanctions": 4, "sanctions-lift": 4, "withdrawal": 4,
	"expulsion": 4, "evacuation": 4, "release": 4, "dissolution": 4, "nationalisation": 4, "blockade": 4,
	"arrest": 3, "summit": 3, "election": 3, "agreement": 3, "protest": 3, "media-ban": 3,
	"mobilisation": 3, "flood": 3, "trial": 2, "appointment": 2, "dismissal": 2, "visit": 1,
}

// watchList is the watch-list order of countries: sections, counts and the
// watch score follow it.
var watchList = [...]string{"mali", "niger", "burkina-faso"}

// Score is a story's rank in a digest, explained, from its summary:
// distinct outlets, latest report, place, tags and kinds of event. It is
// the one rule by which digests, and anything else that puts stories in
// order of importance, rank them.
func Score(s *briefing.StorySummary, now time.Time) briefing.ScoreParts {
	var p briefing.ScoreParts
	if s.Outlets > 1 {
		p.Outlets = outletWeight * math.Log2(float64(s.Outlets))
	}
	age := max(now.Sub(s.Last), 0)
	p.Recency = recencyWeight * math.Exp2(-float64(age)/float64(halfLife))
	p.Watch = watchScore(s)
	p.Events = eventScore(s.Events)
	if s.Place != "" && watchIndex(s.Place) < 0 && p.Watch < watchCountry {
		p.Outside = -outsideShare * (p.Outlets + p.Recency + p.Watch + p.Events)
	}
	return p
}

// watchScore is watchCountry for a story that happens in a watched
// country (or that has no place and names one), else watchAES when it
// names the AES, else 0.
func watchScore(s *briefing.StorySummary) float64 {
	if watchIndex(s.Place) >= 0 {
		return watchCountry
	}
	if s.Place == "" && slices.ContainsFunc(s.Countries, func(id string) bool { return watchIndex(id) >= 0 }) {
		return watchCountry
	}
	if slices.Contains(s.Countries, "aes") || slices.Contains(s.Actors, "aes") {
		return watchAES
	}
	return 0
}

// eventScore weighs the kinds of event a story's items tell (each
// once): the strongest, plus a little for each other kind.
func eventScore(events []string) float64 {
	best, n := 0.0, 0
	for _, ev := range events {
		if w, ok := eventWeights[ev]; ok {
			best = max(best, w)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return min(best+eventExtra*float64(n-1), eventMax)
}

// compare orders two ranked stories: higher score, then more recent,
// then smaller ID.
func compare(scoreA, scoreB float64, updA, updB time.Time, idA, idB string) int {
	if scoreA != scoreB {
		if scoreA > scoreB {
			return -1
		}
		return 1
	}
	if c := updB.Compare(updA); c != 0 {
		return c
	}
	return strings.Compare(idA, idB)
}

func watchIndex(id string) int {
	for i, w := range watchList {
		if w == id {
			return i
		}
	}
	return -1
}
