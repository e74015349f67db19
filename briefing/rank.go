package briefing

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Event classes, found in titles and summaries through the lexicon of
// cluster.go (EN and FR forms: attack/attaque, killed/tués, coup/putsch,
// ambush/embuscade, kidnapped/enlevé, withdrawal/retrait …).
const (
	rkAttack uint32 = 1 << iota
	rkKilled
	rkCoup
	rkSanctions
	rkAmbush
	rkKidnap
	rkWithdraw
	rkArrest

	rkKnown uint32 = 1 << 30 // Story.events holds the classes found by Cluster
)

// Rank weights. A story's Score is the sum of:
//
//	outlets  rkOutletWeight × log2(distinct outlets): 0 for one outlet, 12 for
//	         two, 19 for three, 24 for four — the strongest signal: a story
//	         several newsrooms carry matters;
//	recency  rkRecencyWeight × 2^(−age/rkHalfLife), age from the story's
//	         latest item to now: 10 fresh, 5 after 12 h, 2.5 after a day;
//	watch    rkWatchCountry when tagged Mali, Niger or Burkina Faso, else
//	         rkWatchAES when tagged with the AES, else 0;
//	events   the weight of the strongest event class named (coup 6; attack,
//	         killed, ambush, kidnapping 5; sanctions, withdrawal 4; arrest
//	         3), plus rkEventExtra for each further class, at most
//	         rkEventMax. Classes come from the titles and summary starts
//	         Cluster read, or from the titles and the lead's summary of a
//	         story built elsewhere.
//
// A second outlet (12) weighs more than a watched country (6) or an event
// (5–9) alone; among single reports of the same age, an attack in Mali
// comes before an attack in Chad, which comes before a festival in Mali.
const (
	rkOutletWeight  = 12.0
	rkRecencyWeight = 10.0
	rkHalfLife      = 12 * time.Hour
	rkWatchCountry  = 6.0
	rkWatchAES      = 4.0
	rkEventExtra    = 1.5
	rkEventMax      = 9.0
)

var rkEventWeights = [...]struct {
	class  uint32
	weight float64
}{
	{rkCoup, 6}, {rkAttack, 5}, {rkKilled, 5}, {rkAmbush, 5}, {rkKidnap, 5},
	{rkSanctions, 4}, {rkWithdraw, 4}, {rkArrest, 3},
}

// rkWatch is the watch-list order of countries: sections, counts and the
// watch score follow it.
var rkWatch = [...]string{"mali", "niger", "burkina-faso"}

// Rank sets each story's Score and sorts the stories, highest first; ties
// go to the most recently updated story, then to the smaller ID, so the
// order never depends on the input order. A zero now means the latest
// update among the stories.
func Rank(stories []Story, now time.Time) {
	if now.IsZero() {
		for i := range stories {
			if stories[i].Updated.After(now) {
				now = stories[i].Updated
			}
		}
	}
	for i := range stories {
		s := &stories[i]
		s.Score = rkScore(s, now)
	}
	// Sort indices, then move each story once: stories are large values.
	idx := make([]int32, len(stories))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(x, y int32) int {
		a, b := &stories[x], &stories[y]
		if c := rkCompare(a.Score, b.Score, a.Updated, b.Updated, a.ID, b.ID); c != 0 {
			return c
		}
		return int(x - y)
	})
	sorted := make([]Story, len(stories))
	for k, i := range idx {
		sorted[k] = stories[i]
	}
	copy(stories, sorted)
}

func rkScore(s *Story, now time.Time) float64 {
	return rkScoreOf(len(s.Outlets), s.Updated, rkWatchScore(s.Countries, s.Actors), rkEvents(s), now)
}

// rkScoreOf is a story's score from its parts (see the weights above).
func rkScoreOf(outlets int, updated time.Time, watch float64, events uint32, now time.Time) float64 {
	score := 0.0
	if outlets > 1 {
		score += rkOutletWeight * math.Log2(float64(outlets))
	}
	age := now.Sub(updated)
	if age < 0 {
		age = 0
	}
	score += rkRecencyWeight * math.Exp2(-float64(age)/float64(rkHalfLife))
	score += watch
	score += rkEventScore(events)
	// Round away float noise so equal stories tie exactly.
	return math.Round(score*1e6) / 1e6
}

// rkWatchScore is rkWatchCountry for a story tagged with a watched country,
// else rkWatchAES when tagged with the AES, else 0.
func rkWatchScore(countries, actors []Tag) float64 {
	for _, t := range countries {
		if rkWatchIndex(t.ID) >= 0 {
			return rkWatchCountry
		}
	}
	if clHasTag(actors, "aes") || clHasTag(countries, "aes") {
		return rkWatchAES
	}
	return 0
}

// rkWatchScoreItems is rkWatchScore over the tags of items.
func rkWatchScoreItems(items []*Item) float64 {
	aes := false
	for _, it := range items {
		for _, id := range it.Countries {
			if rkWatchIndex(id) >= 0 {
				return rkWatchCountry
			}
			aes = aes || id == "aes"
		}
		for _, id := range it.Actors {
			aes = aes || id == "aes"
		}
	}
	if aes {
		return rkWatchAES
	}
	return 0
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

func rkEventScore(ev uint32) float64 {
	if ev == 0 {
		return 0
	}
	best, n := 0.0, 0
	for _, e := range rkEventWeights {
		if ev&e.class != 0 {
			n++
			best = max(best, e.weight)
		}
	}
	return min(best+rkEventExtra*float64(n-1), rkEventMax)
}

// rkEvents returns the event classes named in a story: those Cluster
// found in its items' titles and summaries, else those named in its titles
// and its lead's summary.
func rkEvents(s *Story) uint32 {
	if s.events&rkKnown != 0 {
		return s.events &^ rkKnown
	}
	var sc clScanner
	if len(s.Items) == 0 {
		sc.scan(s.Title, 1, false)
		sc.scan(s.Summary, 1, false)
		return sc.ev
	}
	for i := range s.Items {
		sc.scan(s.Items[i].Title, 1, false)
	}
	sc.scan(s.Items[0].Summary, 1, false)
	return sc.ev
}
