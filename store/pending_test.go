package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

// TestSaveBatchSameAsOneByOne: new rows wait in the writer until the end
// of the transaction, and later feeds of the same batch find them there.
// Saving feeds in batches (the same URL or key in several feeds of a
// batch, a source twice in a batch, GUIDs and text rewritten, re-tagged)
// must leave exactly the rows, full-text index, stories and answers that
// saving each feed in its own transaction leaves.
func TestSaveBatchSameAsOneByOne(t *testing.T) {
	for _, withStories := range []bool{false, true} {
		t.Run(fmt.Sprint("stories=", withStories), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, 12))
			var batches [][]briefing.Fetched
			for round := range 30 {
				var batch []briefing.Fetched
				for range 1 + rng.IntN(5) {
					src := fmt.Sprint("s", rng.IntN(3))
					f := fetched(src, base)
					seen := map[string]bool{}
					for range rng.IntN(6) {
						key := fmt.Sprint("k", rng.IntN(8))
						if seen[key] { // keys are unique within a feed, as normalized
							continue
						}
						seen[key] = true
						url := ""
						if rng.IntN(4) > 0 {
							url = fmt.Sprint("https://news.example/a", rng.IntN(8))
						}
						title := fmt.Sprintf("s%d report%d word%d", rng.IntN(4), rng.IntN(3), round)
						if rng.IntN(3) == 0 {
							title = fmt.Sprintf("s%d+s%d bridge", rng.IntN(4), rng.IntN(4))
						}
						it := newsItem(src, key, url, title, fmt.Sprint("summary", rng.IntN(3)),
							base.Add(time.Duration(rng.IntN(300))*time.Minute))
						it.DateFromFeed = rng.IntN(4) > 0
						it.Updated = base.Add(time.Duration(rng.IntN(400)) * time.Minute)
						if rng.IntN(2) == 0 {
							it.Countries = []string{fmt.Sprint("c", rng.IntN(3))}
						}
						f.Items = append(f.Items, it)
					}
					batch = append(batch, f)
				}
				batches = append(batches, batch)
			}
			open := func() *Store {
				s := openMem(t)
				if withStories {
					s.SetStoryAssigner(storytest.NewPrefixAssigner())
				}
				return s
			}
			batched, single := open(), open()
			var gotSaved, wantSaved []briefing.Saved
			for _, b := range batches {
				gotSaved = append(gotSaved, save(t, batched, b...)...)
				for _, f := range b {
					wantSaved = append(wantSaved, save(t, single, f)...)
				}
			}
			if !reflect.DeepEqual(gotSaved, wantSaved) {
				t.Errorf("saves differ:\n got %+v\nwant %+v", gotSaved, wantSaved)
			}
			for _, q := range []string{
				`SELECT * FROM items ORDER BY id`,
				`SELECT rowid, title, summary FROM items_fts WHERE items_fts MATCH 'report1 OR summary2 OR bridge OR word7' ORDER BY rowid`,
				`SELECT * FROM stories ORDER BY id`,
				`SELECT from_story, into_story, by_item FROM story_merges ORDER BY from_story`,
			} {
				if got, want := dump(t, batched, q), dump(t, single, q); !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got %v\nwant %v", q, got, want)
				}
			}
			if n := len(dump(t, batched, `SELECT id FROM items`)); n < 20 {
				t.Errorf("only %d items stored: the test must store more", n)
			}
		})
	}
}

// dump reads every row of a query as strings.
func dump(t *testing.T, s *Store, q string) [][]string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out
}

// TestPrepareItems: items the story engine read ahead (PrepareItems, as
// Ingest calls it) are stored in the stories of items read in the save,
// and come back without what was prepared.
func TestPrepareItems(t *testing.T) {
	items, _ := synthnews.Corpus(600, 5, base, 3*24*time.Hour)
	run := func(prepare bool) []briefing.Saved {
		s := openMem(t)
		e, err := story.New(tagger.DefaultGazetteer(), story.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.SetStoryAssigner(e)
		var out []briefing.Saved
		for k := 0; k < len(items); k += 100 {
			f := fetched("desk", base)
			for _, it := range items[k:min(k+100, len(items))] {
				it.ID, it.Story, it.Place, it.Events, it.Source = 0, 0, "", nil, "desk"
				f.Items = append(f.Items, it)
			}
			if prepare {
				s.PrepareItems(f.Items)
				if f.Items[0].Prepared == nil {
					t.Fatal("PrepareItems prepared nothing")
				}
			}
			out = append(out, save(t, s, f)...)
		}
		return out
	}
	got, want := run(true), run(false)
	for _, sv := range got {
		for _, it := range sv.New {
			if it.Prepared != nil {
				t.Fatalf("item %d came back with what was prepared", it.ID)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("prepared items were stored differently")
	}
}
