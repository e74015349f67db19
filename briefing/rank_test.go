package briefing

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestRankEventClasses(t *testing.T) {
	tests := []struct {
		text string
		want uint32
	}{
		{"Several Mali soldiers killed in 'jihadist' attack", rkKilled | rkAttack},
		{"Au Burkina Faso, au moins quarante civils tués dans une attaque de djihadistes", rkKilled | rkAttack},
		{"Niger soldiers declare coup on national TV", rkCoup},
		{"NIGER : Mohamed Bazoum renversé par le général Abdourahamane Tiani", rkCoup},
		{"Coup d'Etat au Niger : le général Tchiani s'autoproclame président", rkCoup},
		{"Mali : près de 50 mercenaires de Wagner tués dans une embuscade", rkKilled | rkAmbush},
		{"Gunmen kidnap students in Nigeria's Niger state", rkKidnap},
		{"Golfe de Guinée : enlèvement de dix-sept marins", rkKidnap},
		{"Mali, Burkina Faso, and Niger announce withdrawal from ECOWAS", rkWithdraw},
		{"Opération Barkhane : les troupes françaises se retirent du Mali", rkWithdraw},
		{"ECOWAS lifts sanctions on Niger", rkSanctions},
		{"Mali junta dissolves all political parties", 0},
		{"Tony Parker inducted into the NBA Hall of Fame", 0},
	}
	for _, tt := range tests {
		s := Story{Title: tt.text}
		if got := rkEvents(&s); got != tt.want {
			t.Errorf("%q: classes %b, want %b", tt.text, got, tt.want)
		}
	}
}

func TestRankScore(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    Story
		want float64
	}{
		{"fresh single report, nothing else", Story{Outlets: []string{"A"}, Updated: now, Title: "Festival opens in Ségou"}, 10},
		{"two outlets", Story{Outlets: []string{"A", "B"}, Updated: now, Title: "Festival opens"}, 12 + 10},
		{"four outlets, 12 h old", Story{Outlets: []string{"A", "B", "C", "D"}, Updated: now.Add(-12 * time.Hour), Title: "x"}, 24 + 5},
		{"Mali attack", Story{Outlets: []string{"A"}, Updated: now, Title: "Attack in Mali", Countries: []Tag{{ID: "mali"}}}, 10 + 6 + 5},
		{"AES, no country", Story{Outlets: []string{"A"}, Updated: now, Title: "Summit", Actors: []Tag{{ID: "aes"}}}, 10 + 4},
		{"Chad coup", Story{Outlets: []string{"A"}, Updated: now, Title: "Coup in Chad", Countries: []Tag{{ID: "chad"}}}, 10 + 6},
		{"killed in ambush: 5 + 1.5", Story{Outlets: []string{"A"}, Updated: now, Title: "Ten soldiers killed in ambush"}, 10 + 6.5},
		{"future date counts as fresh", Story{Outlets: []string{"A"}, Updated: now.Add(time.Hour), Title: "x"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rkScore(&tt.s, now); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("score %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRankOrder(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	mk := func(id string, outlets int, age time.Duration, title string, countries ...string) Story {
		s := Story{ID: id, Title: title, Updated: now.Add(-age), Published: now.Add(-age)}
		for i := 0; i < outlets; i++ {
			s.Outlets = append(s.Outlets, string(rune('A'+i)))
		}
		for _, c := range countries {
			s.Countries = append(s.Countries, Tag{ID: c})
		}
		return s
	}
	stories := []Story{
		mk("s1", 1, 2*time.Hour, "Festival in Bamako", "mali"),
		mk("s2", 3, 20*time.Hour, "Mali junta dissolves political parties", "mali"),
		mk("s3", 1, time.Hour, "Jihadists kill 12 soldiers in attack near Djibo", "burkina-faso"),
		mk("s4", 1, time.Hour, "Jihadists kill 12 soldiers in attack near Diffa", "chad"),
		mk("s5", 2, 30*time.Hour, "Niger coup: junta names government", "niger"),
		mk("s6", 1, time.Hour, "Jihadists kill 12 soldiers in attack near Dori", "burkina-faso"), // ties s3
		mk("s7", 1, 72*time.Hour, "Old news", "guinea"),
	}
	want := []string{"s2", "s5", "s3", "s6", "s4", "s1", "s7"}
	for run := 0; run < 5; run++ {
		in := slices.Clone(stories)
		rng := rand.New(rand.NewPCG(uint64(run), 9))
		rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		Rank(in, now)
		var got []string
		for _, s := range in {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, want) {
			for _, s := range in {
				t.Logf("%s %.3f %s", s.ID, s.Score, s.Title)
			}
			t.Fatalf("order %v, want %v", got, want)
		}
		for i := 1; i < len(in); i++ {
			if in[i].Score > in[i-1].Score {
				t.Fatalf("scores not descending: %v", in)
			}
		}
	}
	// A zero now means the latest update: the freshest story gets the full
	// recency weight.
	in := slices.Clone(stories)
	Rank(in, time.Time{})
	for _, s := range in {
		if s.ID == "s3" && math.Abs(s.Score-(10+6+6.5)) > 1e-6 {
			t.Errorf("s3 score %v with a zero now", s.Score)
		}
	}
	Rank(nil, now) // no panic
}

// TestRankClusteredEvents: Rank uses the event classes Cluster found in the
// whole story, also in a later item's title.
func TestRankClusteredEvents(t *testing.T) {
	base := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	items := []Item{
		{ID: 1, Outlet: "A", Title: "Mali : la situation à Boni", Summary: "Des hommes armés ont encerclé la ville de Boni dans la nuit de lundi.", Published: base, Countries: []string{"mali"}},
		{ID: 2, Outlet: "B", Title: "Mali : embuscade meurtrière près de Boni", Summary: "Des hommes armés ont encerclé la ville de Boni lundi.", Published: base.Add(time.Hour), Countries: []string{"mali"}},
	}
	stories := Cluster(items, ClusterOptions{})
	if len(stories) != 1 {
		t.Fatalf("%d stories, want 1", len(stories))
	}
	if ev := rkEvents(&stories[0]); ev&rkAmbush == 0 {
		t.Errorf("events %b lack the ambush of the second item", ev)
	}
}
