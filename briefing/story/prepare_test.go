package story

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// TestPreparedSameStories: items prepared ahead (concurrently, in any
// order) get exactly the stories, places and events that items read in the
// writer get; a Prepared that no longer matches its item, or comes from
// another engine, is read again.
func TestPreparedSameStories(t *testing.T) {
	rows := loadEval(t)
	items := make([]briefing.Item, len(rows))
	for i, r := range rows {
		d := r.doc()
		items[i] = briefing.Item{ID: d.ID, Title: d.Title, Summary: d.Summary, URL: d.URL, Lang: d.Lang, Published: d.Published}
	}
	plain := newTestEngine(t)
	wantAs, wantMs := assignItemsBatches(plain, items, 50)

	e := newTestEngine(t)
	other := newTestEngine(t)
	prepared := slices.Clone(items)
	rng := rand.New(rand.NewPCG(3, 4))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(prepared); i += 4 {
				e.PrepareItem(&prepared[i])
			}
		}()
	}
	wg.Wait()
	for i := range prepared {
		switch rng.IntN(10) {
		case 0: // prepared by another engine
			other.PrepareItem(&prepared[i])
		case 1: // changed since it was prepared: the title is read again
			prepared[i].Prepared = e.Prepare(Doc{Title: "Something else entirely", Published: prepared[i].Published})
		}
	}
	gotAs, gotMs := assignItemsBatches(e, prepared, 50)
	if !reflect.DeepEqual(gotAs, wantAs) || !reflect.DeepEqual(gotMs, wantMs) {
		t.Fatal("prepared items were assigned differently")
	}
}

func assignItemsBatches(e *Engine, items []briefing.Item, batch int) ([]briefing.StoryAssignment, []briefing.StoryMerge) {
	var as []briefing.StoryAssignment
	var ms []briefing.StoryMerge
	for k := 0; k < len(items); k += batch {
		a, m, _ := e.AssignItems(items[k:min(k+batch, len(items))])
		as, ms = append(as, a...), append(ms, m...)
	}
	return as, ms
}
