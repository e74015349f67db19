package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/store"
)

// benchTemplates are headline shapes of the Sahel news in both languages;
// places, numbers and outlets vary so that stories form as in real feeds.
var benchTemplates = []struct{ title, summary string }{
	{"Mali: %d soldiers killed in attack near %s", "The army said jihadists attacked a post near %s on %s. JNIM claimed it."},
	{"Burkina Faso : au moins %d civils tués à %s", "Des hommes armés ont attaqué %s, dans le nord du pays, selon des sources locales (%s)."},
	{"Niger junta suspends %d NGOs in %s", "The military authorities in Niamey accuse the groups in %s of breaking rules, %s."},
	{"AES : les ministres réunis à %s annoncent %d mesures", "La Confédération des États du Sahel veut renforcer sa force unifiée, a-t-on appris à %s (%s)."},
	{"ECOWAS summit in %s weighs %d options on the Sahel", "Leaders of the West African bloc met in %s to discuss the juntas, %s."},
	{"Wagner fighters accused over %d deaths near %s", "Russian mercenaries and Malian troops were seen in %s, witnesses told reporters on %s."},
	{"Tchad : %d militaires tués près de %s", "L'armée tchadienne a été attaquée près de %s par Boko Haram, selon un communiqué (%s)."},
	{"Floods in %s leave %d dead as the Niger River rises", "Heavy rain around %s has displaced thousands, the UN said on %s."},
}

var benchPlaces = []string{"Gao", "Kidal", "Ménaka", "Djibo", "Tillabéri", "Agadez", "Ouahigouya", "Mopti",
	"Ségou", "Dori", "Kaya", "Diffa", "Tahoua", "Bamako", "Niamey", "Ouagadougou", "Abuja", "Lomé", "Accra", "Dakar"}

// seedStore stores n tagged items spread over the last 24 hours.
func seedStore(b *testing.B, n int) (*store.Store, *briefing.Gazetteer, time.Time) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	g := briefing.DefaultGazetteer()
	engine, err := story.New(g, story.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st.SetStoryAssigner(engine) // stored as the bot stores them: with their stories
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	const perFeed = 50
	for f := 0; f*perFeed < n; f++ {
		name := fmt.Sprintf("Outlet %d", f)
		batch := briefing.Fetched{State: briefing.SourceState{Name: name, URL: "https://feeds.example/" + name, LastAttempt: now, LastStatus: briefing.StatusOK}}
		for i := 0; i < perFeed && f*perFeed+i < n; i++ {
			t := benchTemplates[rng.IntN(len(benchTemplates))]
			place := benchPlaces[rng.IntN(len(benchPlaces))]
			num := 3 + rng.IntN(60)
			pub := now.Add(-time.Duration(rng.Int64N(int64(24 * time.Hour))))
			title := fmt.Sprintf(t.title, num, place)
			if t.title[0] == 'E' || t.title[0] == 'F' {
				title = fmt.Sprintf(t.title, place, num)
			}
			it := briefing.Item{
				Source: name, Key: fmt.Sprintf("%d-%d", f, i), URL: fmt.Sprintf("https://news.example/%d/%d", f, i),
				Title: title, Summary: fmt.Sprintf(t.summary, place, pub.Weekday()), Outlet: name, Lang: "en",
				Published: pub, FirstSeen: pub, DateFromFeed: true,
			}
			g.TagItem(&it)
			batch.Items = append(batch.Items, it)
		}
		if _, err := st.SaveFetched(ctx, []briefing.Fetched{batch}); err != nil {
			b.Fatal(err)
		}
	}
	return st, g, now
}

// BenchmarkBrief20k measures what `brief --no-fetch` does with 20,000
// stored items in the window: read them (with tags and stories) from
// SQLite, build the digest (group by stored story, rank, sections), and
// render it; read is also reported on its own.
func BenchmarkBrief20k(b *testing.B) {
	st, g, now := seedStore(b, 20000)
	ctx := context.Background()
	since := now.Add(-24 * time.Hour)
	items, err := st.ItemsSince(ctx, since, 0)
	if err != nil || len(items) != 20000 {
		b.Fatalf("seeded %d items: %v", len(items), err)
	}
	opts := briefing.DigestOptions{Since: since, Until: now, Names: g.Name, Now: now}
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.ItemsSince(ctx, since, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			briefing.BuildDigest(items, opts)
		}
	})
	d := briefing.BuildDigest(items, opts)
	b.Logf("20000 items -> %d headlines, %d sections", len(d.Headlines), len(d.Sections))
	for _, format := range []string{"text", "slack", "discord"} {
		b.Run("build+render-"+format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := briefing.BuildDigest(items, opts)
				switch format {
				case "slack":
					slack.RenderDigest(d)
				case "discord":
					discord.RenderDigest(d)
				default:
					renderDigest(io.Discard, d, "text")
				}
			}
		})
	}
	b.Run("read+build+render-slack", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := buildDigest(ctx, st, g, since, now, briefing.Filter{}, "")
			if err != nil {
				b.Fatal(err)
			}
			slack.RenderDigest(d)
		}
	})
}
