package app

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/loadtest"
	"github.com/sahelbrief/sahelbrief/store"
)

// seedStore stores n tagged items of a realistic corpus (synthnews: Sahel
// events told by 1–6 outlets in English and French, and world news) spread
// over the 24 hours before the returned time, with the corpus's events as
// their stories: its template sentences, which differ only by place and
// count, are harsher on the engine than real news (BenchmarkSaveWithStories
// measures the engine at work).
func seedStore(b *testing.B, n int) (*store.Store, *tagger.Gazetteer, time.Time) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	if err := loadtest.Seed(ctx, st, n, now, 24*time.Hour); err != nil {
		b.Fatal(err)
	}
	return st, tagger.DefaultGazetteer(), now
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
	opts := digest.Options{Since: since, Until: now, Names: g.Name, Now: now}
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
			digest.BuildItems(items, opts)
		}
	})
	d := digest.BuildItems(items, opts)
	sums, err := st.StorySummaries(ctx, since, now, briefing.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("20000 items, %d stories -> %d headlines, %d sections", len(sums), len(d.Headlines), len(d.Sections))
	b.Run("summaries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.StorySummaries(ctx, since, now, briefing.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, format := range []string{"text", "slack", "discord"} {
		b.Run("build+render-"+format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d := digest.BuildItems(items, opts)
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
			d, err := buildDigest(ctx, st, g, nil, since, now, briefing.Filter{}, "")
			if err != nil {
				b.Fatal(err)
			}
			slack.RenderDigest(d)
		}
	})
}
