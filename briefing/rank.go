package briefing

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Rank weights. A story's Score is the sum of its ScoreParts:
//
//	outlets  rkOutletWeight × log2(distinct outlets): 0 for one outlet, 12 for
//	         two, 19 for three, 24 for four — the strongest signal: a story
//	         several newsrooms carry matters;
//	recency  rkRecencyWeight × 2^(−age/rkHalfLife), age from the story's
//	         latest item to now: 10 fresh, 5 after 12 h, 2.5 after a day;
//	watch    rkWatchCountry when the story happens in Mali, Niger or Burkina
//	         Faso (or, placed nowhere, names one), else rkWatchAES when it
//	         names the AES, else 0;
//	events   the weight of the strongest kind of event its reports tell
//	         (coup 6; attack, kidnapping 5; sanctions, withdrawal 4; arrest
//	         3 …), plus rkEventExtra for each further kind, at most rkEventMax;
//	outside  minus half of the rest when the story happens outside the
//	         watched countries: a three-outlet story from Sudan does not
//	         outrank a single report of an attack in Niger.
const (
	rkOutletWeight  = 12.0
	rkRecencyWeight = 10.0
	rkHalfLife      = 12 * time.Hour
	rkWatchCountry  = 6.0
	rkWatchAES      = 4.0
	rkEventExtra    = 1.5
	rkEventMax      = 9.0
	rkOutsideShare  = 0.5
)

// rkEventWeights weigh the kinds of event the story engine reads.
var rkEventWeights = map[string]float64{
	"coup": 6, "coup-plot": 5, "attack": 5, "ambush": 5, "massacre": 5, "bombing": 5, "killing": 5,
	"strike": 5, "kidnapping": 5, "capture": 5, "sanctions": 4, "sanctions-lift": 4, "withdrawal": 4,
	"expulsion": 4, "evacuation": 4, "release": 4, "dissolution": 4, "nationalisation": 4, "blockade": 4,
	"arrest": 3, "summit": 3, "election": 3, "agreement": 3, "protest": 3, "media-ban": 3,
	"mobilisation": 3, "flood": 3, "trial": 2, "appointment": 2, "dismissal": 2, "visit": 1,
}

// rkWatch is the watch-list order of countries: sections, counts and the
// watch score follow it.
var rkWatch = [...]string{"mali", "niger", "burkina-faso"}

// ScoreParts explains a story's score (see the rank weights).
type ScoreParts struct {
	Outlets float64 `json:"outlets"`
	Recency float64 `json:"recency"`
	Watch   float64 `json:"watch"`
	Events  float64 `json:"events"`
	Outside float64 `json:"outside"`
}

// Total is the score: the parts added, rounded so equal stories tie.
func (p ScoreParts) Total() float64 {
	return math.Round((p.Outlets+p.Recency+p.Watch+p.Events+p.Outside)*1e6) / 1e6
}

// Score is a story's rank in a digest, explained: the one rule by which
// digests, and anything else that puts stories in order of importance,
// rank them.
func Score(s *StorySummary, now time.Time) ScoreParts { return rkScore(s, now) }

// rkScore scores a story from its summary: distinct outlets, latest
// report, place, tags and kinds of event.
func rkScore(s *StorySummary, now time.Time) ScoreParts {
	var p ScoreParts
	if s.Outlets > 1 {
		p.Outlets = rkOutletWeight * math.Log2(float64(s.Outlets))
	}
	age := max(now.Sub(s.Last), 0)
	p.Recency = rkRecencyWeight * math.Exp2(-float64(age)/float64(rkHalfLife))
	p.Watch = rkWatchScore(s)
	p.Events = rkEventScore(s.Events)
	if s.Place != "" && rkWatchIndex(s.Place) < 0 && p.Watch < rkWatchCountry {
		p.Outside = -rkOutsideShare * (p.Outlets + p.Recency + p.Watch + p.Events)
	}
	return p
}

// rkWatchScore is rkWatchCountry for a story that happens in a watched
// country (or that has no place and names one), else rkWatchAES when it
// names the AES, else 0.
func rkWatchScore(s *StorySummary) float64 {
	if rkWatchIndex(s.Place) >= 0 {
		return rkWatchCountry
	}
	if s.Place == "" && slices.ContainsFunc(s.Countries, func(id string) bool { return rkWatchIndex(id) >= 0 }) {
		return rkWatchCountry
	}
	if slices.Contains(s.Countries, "aes") || slices.Contains(s.Actors, "aes") {
		return rkWatchAES
	}
	return 0
}

// rkEventScore weighs the kinds of event a story's items tell (each
// once): the strongest, plus a little for each other kind.
func rkEventScore(events []string) float64 {
	best, n := 0.0, 0
	for _, ev := range events {
		if w, ok := rkEventWeights[ev]; ok {
			best = max(best, w)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return min(best+rkEventExtra*float64(n-1), rkEventMax)
}

// rkCompare orders two ranked stories: higher score, then more recent,
// then smaller ID.
func rkCompare(scoreA, scoreB float64, updA, updB time.Time, idA, idB string) int {
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

func rkWatchIndex(id string) int {
	for i, w := range rkWatch {
		if w == id {
			return i
		}
	}
	return -1
}
