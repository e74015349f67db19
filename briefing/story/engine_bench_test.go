package story

import (
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

// BenchmarkAssignOne60k assigns one new report to a story with 30 days ×
// 2,000 reports a day already held (the store keeps only the last week in
// the engine; this is the harder case). Each iteration assigns a fresh
// report of the last day.
func BenchmarkAssignOne60k(b *testing.B) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	items, _ := synthnews.Corpus(62000, 7, start, 31*24*time.Hour)
	held, fresh := items[:60000], items[60000:]
	e, err := New(tagger.DefaultGazetteer(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range held {
		e.LoadItem(held[i])
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		if k == len(fresh) {
			// Reusing a report would make it one published before those
			// assigned: a late report, which BenchmarkAssignLate measures.
			b.Fatal("fresh reports exhausted: lower -benchtime")
		}
		it := fresh[k]
		it.ID = int64(1_000_000 + k)
		e.Assign([]Doc{DocOf(&it)})
		k++
	}
}

// BenchmarkExtract measures reading one report's features.
func BenchmarkExtract(b *testing.B) {
	items, _ := synthnews.Corpus(1000, 3, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 24*time.Hour)
	e, err := New(tagger.DefaultGazetteer(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		e.extract(DocOf(&items[k%len(items)]))
		k++
	}
}

// BenchmarkAssignBurst assigns 1,000-report polls of near-identical
// reports of one story (a feed republishing a template): the worst case
// for the candidates, which the story-grouped postings keep linear.
func BenchmarkAssignBurst(b *testing.B) {
	e, err := New(tagger.DefaultGazetteer(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	id := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		docs := make([]Doc, 1000)
		for i := range docs {
			id++
			docs[i] = Doc{ID: id, Title: "Mali : la junte d’Assimi Goïta annonce une mesure à Bamako",
				Summary:   "Les autorités de transition du Mali ont annoncé jeudi de nouvelles mesures à Bamako.",
				Published: at.Add(time.Duration(id) * time.Minute / 100)}
		}
		e.Assign(docs)
	}
}

// BenchmarkAssignLate assigns 20-report polls to an engine holding a week
// of 2,000 reports a day: in order of publication, and with one report of
// each poll published three hours before the newest, so that the engine
// assigns the reports after it again (ns/op is one poll).
func BenchmarkAssignLate(b *testing.B) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	items, _ := synthnews.Corpus(34000, 9, start, 17*24*time.Hour)
	for _, late := range []bool{false, true} {
		name := "in-order"
		if late {
			name = "one-late"
		}
		b.Run(name, func(b *testing.B) {
			e, err := New(tagger.DefaultGazetteer(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			for k := 0; k < 14000; k += 100 {
				e.Assign(docsOf(items[k : k+100]))
			}
			next := 14000
			b.ReportAllocs()
			for b.Loop() {
				if next+20 > len(items) {
					b.Fatal("corpus exhausted: lower -benchtime")
				}
				docs := docsOf(items[next : next+20])
				if late {
					docs[0].Published = items[next-1].Published.Add(-3 * time.Hour)
				}
				e.Assign(docs)
				next += 20
				if next%2000 == 0 {
					e.Forget(items[next-1].Published.Add(-7 * 24 * time.Hour))
				}
			}
		})
	}
}

// BenchmarkAssignBacklogs assigns a first poll of 1,000 feeds, each a
// backlog of 20 reports over the same two days (a synthetic news corpus
// dealt to the feeds), arriving 64 feeds at a time as Ingest saves them:
// each batch is published before most of the reports of the batches
// before it, which the engine assigns again after it, until the batches
// come too late (TooLate) and are kept aside, to be assigned together at
// the end, as the store does. in-order assigns the same reports in one
// batch: the floor (ns/op is the whole poll).
func BenchmarkAssignBacklogs(b *testing.B) {
	const feeds, perFeed, perBatch = 1000, 20, 64
	items, _ := synthnews.Corpus(feeds*perFeed, 11, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), 48*time.Hour)
	for _, name := range []string{"in-order", "feed-batches"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := New(tagger.DefaultGazetteer(), Options{})
				if err != nil {
					b.Fatal(err)
				}
				if name == "in-order" {
					e.Assign(docsOf(items))
					continue
				}
				// As the store does: batches too late to replay are kept
				// aside and assigned together at the end of the poll.
				var aside []Doc
				for f := 0; f < feeds; f += perBatch {
					var docs []Doc
					for i := range items {
						if feed := i % feeds; feed >= f && feed < f+perBatch {
							docs = append(docs, DocOf(&items[i]))
						}
					}
					if e.TooLate(docs) {
						aside = append(aside, docs...)
					} else {
						e.Assign(docs)
					}
				}
				e.Assign(aside)
			}
		})
	}
}

// docsOf returns the docs of items.
func docsOf(items []briefing.Item) []Doc {
	docs := make([]Doc, len(items))
	for i := range items {
		docs[i] = DocOf(&items[i])
	}
	return docs
}

// BenchmarkForget forgets the oldest hour of a week of 2,000 reports a day
// held, as the store does hourly (ns/op is one Forget; building the week
// is not timed).
func BenchmarkForget(b *testing.B) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	items, _ := synthnews.Corpus(14000, 9, start, 7*24*time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		e, err := New(tagger.DefaultGazetteer(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for k := 0; k < len(items); k += 100 {
			e.Assign(docsOf(items[k : k+100]))
		}
		b.StartTimer()
		e.Forget(start.Add(time.Hour))
	}
}
