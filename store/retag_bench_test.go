package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

// armyExtension adds an actor named in many reports, so that a retag
// with it changes the tags of a good share of the corpus.
const armyExtension = `actors:
  - id: armed-forces
    name: Armed forces
    aliases: [army, armée, soldiers, soldats]
`

// BenchmarkRetag50k retags 50,000 stored items of a realistic corpus
// (synthnews, with stories), as `sahelbrief retag` does (2,000 items a
// transaction) and as `run` does in the background (250, pauses left
// out): "changed" switches between the built-in gazetteer and one with
// armyExtension, so every run rewrites the items that name the army and
// their stories' summaries; "unchanged" finds nothing to write (a
// gazetteer change that touches no stored item). items/s is reported.
func BenchmarkRetag50k(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	builtin, extended := gazetteer(b, ""), gazetteer(b, armyExtension)
	st, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	items, labels := synthnews.Corpus(n, 7, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 25*24*time.Hour)
	// Stories are the corpus's events (ids 1..n as stored in a new file).
	st.SetStoryAssigner(storytest.NewLabelAssigner(func(it briefing.Item) string { return labels[it.ID-1] }))
	for k := 0; k < n; k += 1000 {
		batch := briefing.Fetched{State: briefing.SourceState{Name: "desk", URL: "https://x/desk"}}
		for _, it := range items[k:min(k+1000, n)] {
			it.ID, it.Story, it.Source = 0, 0, "desk"
			builtin.TagItem(&it)
			batch.Items = append(batch.Items, it)
		}
		if _, err := st.SaveFetched(ctx, []briefing.Fetched{batch}); err != nil {
			b.Fatal(err)
		}
	}
	retag := func(b *testing.B, g *tagger.Gazetteer, fingerprint string, batch int) RetagResult {
		res, err := st.Retag(ctx, RetagOptions{Fingerprint: fingerprint, Tag: g.TagItem, Batch: batch})
		if err != nil || res.Checked != n {
			b.Fatalf("retag: %+v, %v", res, err)
		}
		return res
	}
	// reset brings the tags back to the built-in gazetteer's, whatever ran before.
	reset := func(b *testing.B) {
		if _, err := st.Retag(ctx, RetagOptions{Fingerprint: builtin.Fingerprint(), Tag: builtin.TagItem}); err != nil {
			b.Fatal(err)
		}
	}
	for _, batch := range []int{DefaultRetagBatch, 250} {
		b.Run(name("changed", batch), func(b *testing.B) {
			reset(b)
			var res RetagResult
			k := 0
			for b.Loop() {
				g := []*tagger.Gazetteer{extended, builtin}[k%2]
				res = retag(b, g, g.Fingerprint(), batch)
				k++
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(res.Changed), "changed")
			b.ReportMetric(float64(res.Stories), "stories")
		})
		b.Run(name("unchanged", batch), func(b *testing.B) {
			reset(b)
			k := 0
			for b.Loop() {
				// A new fingerprint each time, tags as stored: all read, none written.
				g := builtin
				retag(b, g, g.Fingerprint()+"-"+string(rune('a'+k%26))+time.Now().String(), batch)
				k++
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

func name(what string, batch int) string {
	return what + "-batch" + itoa(batch)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
