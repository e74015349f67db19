package digest

import (
	"math"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestRankScore(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	it := func(countries, actors, events []string) *briefing.Item {
		return &briefing.Item{Countries: countries, Actors: actors, Events: events, Outlet: "Outlet A"}
	}
	tests := []struct {
		name    string
		outlets int
		updated time.Time
		place   string
		items   []*briefing.Item
		want    float64
	}{
		{"fresh single report, nothing else", 1, now, "", []*briefing.Item{it(nil, nil, nil)}, 10},
		{"two outlets", 2, now, "", []*briefing.Item{it(nil, nil, nil)}, 12 + 10},
		{"four outlets, 12 h old", 4, now.Add(-12 * time.Hour), "", []*briefing.Item{it(nil, nil, nil)}, 24 + 5},
		{"attack in Mali", 1, now, "mali", []*briefing.Item{it([]string{"mali"}, nil, []string{"attack"})}, 10 + 6 + 5},
		{"placed nowhere, names Niger", 1, now, "", []*briefing.Item{it([]string{"niger"}, nil, nil)}, 10 + 6},
		{"AES, no country", 1, now, "", []*briefing.Item{it(nil, []string{"aes"}, nil)}, 10 + 4},
		{"coup in Chad: outside, halved", 1, now, "chad", []*briefing.Item{it([]string{"chad"}, nil, []string{"coup"})}, (10 + 6) / 2},
		{"Chad naming Mali is still outside", 1, now, "chad", []*briefing.Item{it([]string{"chad", "mali"}, nil, nil)}, 10 / 2},
		{"ambush and killing: 5 + 1.5", 1, now, "", []*briefing.Item{it(nil, nil, []string{"ambush"}), it(nil, nil, []string{"killing", "ambush"})}, 10 + 6.5},
		{"future date counts as fresh", 1, now.Add(time.Hour), "", []*briefing.Item{it(nil, nil, nil)}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k := range tt.items {
				tt.items[k].ID = int64(k + 1)
				tt.items[k].Published = tt.updated
			}
			sum := briefing.Summarize(1, tt.items)
			sum.Outlets = tt.outlets
			sum.Place = tt.place
			p := Score(&sum, now)
			if got := p.Total(); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("score %v (%+v), want %v", got, p, tt.want)
			}
		})
	}
}

func TestRankCompare(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	if compare(2, 1, now, now, "s1", "s2") >= 0 || compare(1, 1, now, now.Add(-time.Hour), "s9", "s1") >= 0 ||
		compare(1, 1, now, now, "s1", "s2") >= 0 {
		t.Error("higher score, then more recent, then smaller id must come first")
	}
}
