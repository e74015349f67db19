package store

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
)

// checkSummaries asserts that the stored summaries of a window are what
// briefing sums up from all the stored items: saves, merges and updates
// keep them exact.
func checkSummaries(t *testing.T, s *Store, since, until time.Time) []briefing.StorySummary {
	t.Helper()
	since, until = msUTC(since), msUTC(until) // the store keeps milliseconds
	got, err := s.StorySummaries(context.Background(), since, until)
	if err != nil {
		t.Fatal(err)
	}
	want := briefing.SummariesOf(allItems(t, s), since, until)
	byID := func(a, b briefing.StorySummary) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(got, byID)
	slices.SortFunc(want, byID)
	if g, w := canonical(got), canonical(want); !reflect.DeepEqual(g, w) {
		t.Errorf("summaries of [%s, %s) differ from the items':\n got %s\nwant %s", since.Format(time.TimeOnly),
			until.Format(time.TimeOnly), g, w)
	}
	return got
}

// canonical prints summaries with their sets sorted: the store keeps tags
// sorted, Summarize in the items' order.
func canonical(sums []briefing.StorySummary) []string {
	out := make([]string, len(sums))
	for k, s := range sums {
		s.First, s.Items = time.Time{}, 0 // not read
		for _, set := range [][]string{s.Countries, s.Actors, s.Events} {
			slices.Sort(set)
		}
		out[k] = fmt.Sprintf("%+v", s)
	}
	return out
}

// Summaries follow saves, a merge that moves a story's items, an update
// that corrects an item's date, and windows that hold part of a story.
func TestStorySummariesFollowSaves(t *testing.T) {
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	mk := func(source, key, title string, pub time.Time, countries ...string) briefing.Item {
		it := newsItem(source, key, "https://"+source+".example/"+key, title, "", pub)
		it.Countries = countries
		return it
	}
	save(t, s, fetched("rfi", base,
		mk("rfi", "1", "s1 Attaque à Ménaka", base, "mali"),
		mk("rfi", "2", "s2 Coup d'État à Niamey", base.Add(time.Hour), "niger")))
	save(t, s, fetched("bbc", base,
		mk("bbc", "3", "s1 Attack in Menaka", base.Add(2*time.Hour), "mali", "niger"),
		mk("bbc", "4", "s4 ECOWAS summit", base.Add(3*time.Hour))))
	sums := checkSummaries(t, s, base, base.Add(24*time.Hour))
	if len(sums) != 3 || sums[0].ID != 1 || sums[0].Outlets != 2 || sums[0].InWindow != 2 {
		t.Fatalf("summaries %+v; want story 1 with 2 items from 2 outlets", sums)
	}
	// A window holding only the second report of story 1 still sums up
	// the whole story, and counts the one report it holds.
	part := checkSummaries(t, s, base.Add(90*time.Minute), base.Add(150*time.Minute))
	if len(part) != 1 || part[0].ID != 1 || part[0].Outlets != 2 || part[0].InWindow != 1 {
		t.Errorf("window of the second report: %+v; want story 1 whole, 1 in the window", part)
	}

	// A bridge merges story 2 into story 1: story 2's summary goes.
	save(t, s, fetched("bbc", base, mk("bbc", "5", "s2+s1 bridge", base.Add(4*time.Hour), "mali")))
	sums = checkSummaries(t, s, time.Time{}, base.Add(24*time.Hour))
	if len(sums) != 2 || sums[0].ID != 1 || sums[0].Outlets != 2 || sums[0].Countries == nil {
		t.Errorf("after the merge: %+v; want story 1 with 4 items and story 4", sums)
	}
	if n := countRows(t, s, "stories"); n != 2 {
		t.Errorf("%d summary rows after the merge, want 2", n)
	}

	// A publisher re-tags and re-dates a known item (a first-seen date
	// replaced by the feed's): its story's summary follows.
	moved := mk("bbc", "4", "s4 ECOWAS summit in Abuja", base.Add(-48*time.Hour), "nigeria")
	save(t, s, fetched("bbc", base, moved))
	checkSummaries(t, s, time.Time{}, base.Add(24*time.Hour))
}

// The summaries migration fills the table from the stories already stored,
// and a window with items stored without a story still sums them up.
func TestStorySummariesRebuildAndUnassigned(t *testing.T) {
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	save(t, s, fetched("a", base,
		newsItem("a", "1", "", "s1 first", "", base),
		newsItem("a", "2", "", "s1 again", "", base.Add(time.Minute))))
	ctx := context.Background()
	want := checkSummaries(t, s, time.Time{}, base.Add(time.Hour))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM stories`); err != nil {
		t.Fatal(err)
	}
	if err := rebuildSummaries(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := checkSummaries(t, s, time.Time{}, base.Add(time.Hour)); len(got) != len(want) || countRows(t, s, "stories") != 1 {
		t.Errorf("rebuilt %d summaries (%d rows), want %d", len(got), countRows(t, s, "stories"), len(want))
	}

	bare := openMem(t) // no assigner: every item stands alone
	save(t, bare, fetched("a", base,
		newsItem("a", "1", "", "first", "", base),
		newsItem("a", "2", "", "second", "", base.Add(time.Minute))))
	if got := checkSummaries(t, bare, time.Time{}, base.Add(time.Hour)); len(got) != 2 {
		t.Errorf("unassigned items: %d summaries, want one each", len(got))
	}
}
