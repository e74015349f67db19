// Package loadtest measures the bot the way Slack uses it: a large stored
// corpus (Build), many concurrent, correctly signed slash commands sent to
// a running `sahelbrief serve` (Drive), and a table of latencies,
// throughput, late answers and errors (Table).
package loadtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
	"github.com/sahelbrief/sahelbrief/store"
)

// GeneratorVersion names what Build writes: change it whenever the corpus,
// its tagging or story assignment changes, so cached databases are rebuilt.
const GeneratorVersion = 1

// End is the fixed end of the corpus: the serve under test is given it as
// its clock, so that windows ("brief 7d") see the same items every run.
var End = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

// Span is how far back the corpus reaches from End: two years, at the
// ~1,400 items a day of the 1,000,000 items.
const Span = 2 * 365 * 24 * time.Hour

// itemsPerSave is how many items one SaveFetched call (one transaction)
// stores, as a poll of many sources would.
const itemsPerSave = 1000

// CachedDB returns the path of a database of n items under dir, building
// it first unless a database of this generator version already exists
// there. Building 1,000,000 items takes minutes; reading it takes none.
func CachedDB(ctx context.Context, dir string, n int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("load-v%d-%d.db", GeneratorVersion, n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("loadtest: cache directory: %w", err)
	}
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := Build(ctx, tmp, n); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("loadtest: %w", err)
	}
	return path, nil
}

// Build stores n synthnews items spread over Span before End in a new
// database at path, tagged by the default gazetteer as the bot tags them.
// Stories are the corpus's events (storytest.LabelAssigner), not the
// engine's: the engine is slow over a million items and chains the
// corpus's template sentences into huge stories, and it is the reading
// side that is measured here.
func Build(ctx context.Context, path string, n int) error {
	st, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("loadtest: build: %w", err)
	}
	defer st.Close()
	if err := Seed(ctx, st, n, End, Span); err != nil {
		return err
	}
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		return fmt.Errorf("loadtest: build: %w", err)
	}
	return nil
}

// Seed stores in st n synthnews items spread over span before end, tagged
// as the bot tags them, with the corpus's events as their stories (see
// Build). Benchmarks of what reads the store share it.
func Seed(ctx context.Context, st *store.Store, n int, end time.Time, span time.Duration) error {
	st.SetStoryAssigner(storytest.NewLabelAssigner(func(it briefing.Item) string {
		label, _, _ := strings.Cut(it.Key, "/")
		return label
	}))
	g := tagger.DefaultGazetteer()
	items, labels := synthnews.Corpus(n, 1, end.Add(-span), span)
	for start := 0; start < len(items); start += itemsPerSave {
		last := min(start+itemsPerSave, len(items))
		if _, err := st.SaveFetched(ctx, polls(g, items[start:last], labels[start:last])); err != nil {
			return fmt.Errorf("loadtest: seed: %w", err)
		}
	}
	return nil
}

// polls groups items by source, each tagged and keyed by its event label
// (the key's prefix, which the label assigner reads back).
func polls(g *tagger.Gazetteer, items []briefing.Item, labels []string) []briefing.Fetched {
	var out []briefing.Fetched
	bySource := map[string]int{}
	for k, it := range items {
		it.Story = 0 // assigned when stored
		it.Key = fmt.Sprint(labels[k], "/", it.ID)
		it.URL = "https://news.example/" + it.Key
		it.FirstSeen, it.DateFromFeed = it.Published, true
		g.TagItem(&it)
		p, ok := bySource[it.Source]
		if !ok {
			p = len(out)
			bySource[it.Source] = p
			out = append(out, briefing.Fetched{State: briefing.SourceState{Name: it.Source,
				URL: "https://feeds.example/" + it.Source, LastAttempt: it.Published, LastStatus: briefing.StatusOK}})
		}
		out[p].Items = append(out[p].Items, it)
	}
	return out
}
