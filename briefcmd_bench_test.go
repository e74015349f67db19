package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
	"github.com/sahelbrief/sahelbrief/store"
)

// seedStore stores n tagged items of a realistic corpus (synthnews: Sahel
// events told by 1–6 outlets in English and French, and world news) spread
// over the 24 hours before the returned time, as the bot stores them: with
// their stories, in polls of 50 items per source.
func seedStore(b *testing.B, n int) (*store.Store, *briefing.Gazetteer, time.Time) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	g := briefing.DefaultGazetteer()
	// Stories are the corpus's events: its template sentences, which differ
	// only by place and count, are harsher on the engine than real news
	// (BenchmarkSaveWithStories measures the engine at work).
	st.SetStoryAssigner(storytest.NewLabelAssigner(func(it briefing.Item) string {
		label, _, _ := strings.Cut(it.Key, "/")
		return label
	}))
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	items, labels := synthnews.Corpus(n, 1, now.Add(-24*time.Hour), 24*time.Hour)
	const perPoll = 50
	for start := 0; start < len(items); start += perPoll {
		var polls []briefing.Fetched
		bySource := map[string]int{}
		for k := start; k < min(start+perPoll, len(items)); k++ {
			it := items[k]
			it.Story = 0 // assigned when stored
			it.Key = fmt.Sprint(labels[k], "/", it.ID)
			it.URL = "https://news.example/" + it.Key
			it.FirstSeen, it.DateFromFeed = it.Published, true
			g.TagItem(&it)
			p, ok := bySource[it.Source]
			if !ok {
				p = len(polls)
				bySource[it.Source] = p
				polls = append(polls, briefing.Fetched{State: briefing.SourceState{Name: it.Source,
					URL: "https://feeds.example/" + it.Source, LastAttempt: now, LastStatus: briefing.StatusOK}})
			}
			polls[p].Items = append(polls[p].Items, it)
		}
		if _, err := st.SaveFetched(ctx, polls); err != nil {
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
	sums, err := st.StorySummaries(ctx, since, now)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("20000 items, %d stories -> %d headlines, %d sections", len(sums), len(d.Headlines), len(d.Sections))
	b.Run("summaries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.StorySummaries(ctx, since, now); err != nil {
				b.Fatal(err)
			}
		}
	})
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
			d, err := buildDigest(ctx, st, g, nil, since, now, briefing.Filter{}, "")
			if err != nil {
				b.Fatal(err)
			}
			slack.RenderDigest(d)
		}
	})
}
