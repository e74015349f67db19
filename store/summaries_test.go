package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
)

// checkSummaries asserts that the stored summaries of a window are what
// briefing sums up from all the stored items: saves, merges and updates
// keep them exact.
func checkSummaries(t *testing.T, s *Store, since, until time.Time) []briefing.StorySummary {
	t.Helper()
	since, until = msUTC(since), msUTC(until) // the store keeps milliseconds
	got, err := s.StorySummaries(context.Background(), since, until, briefing.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := briefing.SummariesOf(allItems(t, s), since, until)
	byID := func(a, b briefing.StorySummary) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(got, byID)
	slices.SortFunc(want, byID)
	if g, w := canonical(got, false), canonical(want, false); !reflect.DeepEqual(g, w) {
		t.Errorf("summaries of [%s, %s) differ from the items':\n got %s\nwant %s", since.Format(time.TimeOnly),
			until.Format(time.TimeOnly), g, w)
	}
	checkRows(t, s)
	return got
}

// checkRows asserts that every stored row, whole, is what briefing sums
// up from the story's items.
func checkRows(t *testing.T, s *Store) {
	t.Helper()
	var want []briefing.StorySummary
	var ids []int64
	for id, its := range briefing.GroupByStory(allItems(t, s)) {
		if its[0].Story != 0 {
			want = append(want, briefing.Summarize(id, its))
			ids = append(ids, id)
		}
	}
	if n := countRows(t, s, "stories"); n != len(want) {
		t.Errorf("%d summary rows, want one per story: %d", n, len(want))
	}
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := readSummaries(context.Background(), tx, ids)
	if err != nil {
		t.Fatal(err)
	}
	var got []briefing.StorySummary
	for _, r := range rows {
		got = append(got, r)
	}
	byID := func(a, b briefing.StorySummary) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(got, byID)
	slices.SortFunc(want, byID)
	if g, w := canonical(got, true), canonical(want, true); !reflect.DeepEqual(g, w) {
		t.Errorf("stored summaries differ from the items':\n got %s\nwant %s", g, w)
	}
}

// canonical prints summaries with their sets sorted (the store keeps tags
// sorted, Summarize in the items' order), whole or as a window reads them.
func canonical(sums []briefing.StorySummary, whole bool) []string {
	out := make([]string, len(sums))
	for k, s := range sums {
		if !whole {
			s.First, s.Items, s.OutletNames, s.Votes = time.Time{}, 0, nil, nil
		}
		for _, set := range [][]string{s.Countries, s.Actors, s.Events, s.OutletNames} {
			slices.Sort(set)
		}
		slices.SortFunc(s.Votes, func(a, b briefing.PlaceVote) int { return strings.Compare(a.Place, b.Place) })
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

// Random saves (new stories, reports joining them, bridges merging two or
// three stories within a save and across saves, corrected and re-tagged
// reports) keep every stored summary equal to its story's items, and a
// window's summaries equal to what its items sum up to.
func TestStorySummariesRandomSaves(t *testing.T) {
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	rng := rand.New(rand.NewPCG(7, 9))
	places := []string{"mali", "niger", "burkina-faso", "chad"}
	countries := []string{"mali", "niger", "burkina-faso", "aes", "france"}
	outlets := []string{"rfi", "bbc", "aljazeera", "lemonde"}
	var keys []string
	updated := 0
	for round := range 25 {
		var batch []briefing.Fetched
		for _, o := range outlets[:1+rng.IntN(len(outlets))] {
			f := fetched(o, base)
			for range 1 + rng.IntN(6) {
				name := fmt.Sprintf("s%d", rng.IntN(12))
				if rng.IntN(5) == 0 {
					name += fmt.Sprintf("+s%d", rng.IntN(12))
				}
				key := fmt.Sprintf("%d-%d", round, len(keys))
				it := newsItem(o, key, "", name+" report", "", base.Add(time.Duration(rng.IntN(600))*time.Minute))
				it.Countries = []string{countries[rng.IntN(len(countries))]}
				it.Place = places[rng.IntN(len(places))]
				f.Items = append(f.Items, it)
				keys = append(keys, o+"/"+key)
			}
			if round > 0 && rng.IntN(2) == 0 { // a known report of this outlet, re-tagged
				src, key, _ := strings.Cut(keys[rng.IntN(len(keys))], "/")
				if src != o || strings.HasPrefix(key, fmt.Sprint(round, "-")) { // once per fetch, as normalized
					batch = append(batch, f)
					continue
				}
				it := newsItem(o, key, "", "s0 corrected", "", base)
				it.Countries = []string{fmt.Sprint("country-", round)} // a tag no other report has
				f.Items = append(f.Items, it)
			}
			batch = append(batch, f)
		}
		for _, sv := range save(t, s, batch...) {
			updated += sv.Updated
		}
		// A window that cuts stories (reports span 10 hours): straddling
		// stories count only their reports inside it.
		from := base.Add(time.Duration(rng.IntN(600)) * time.Minute)
		checkSummaries(t, s, from, from.Add(time.Duration(1+rng.IntN(300))*time.Minute))
		if t.Failed() {
			t.Fatalf("round %d", round)
		}
	}
	merges, err := s.StoryMerges(context.Background())
	if err != nil || len(merges) < 5 || updated < 5 {
		t.Fatalf("%d merges (%v), %d updates: the test must exercise both", len(merges), err, updated)
	}
}

// TestStorySummariesAbout: leaving stories out in the query must not
// change any filtered digest: the same headlines, sections and counts as
// the digest filtering every story of the window.
func TestStorySummariesAbout(t *testing.T) {
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	rng := rand.New(rand.NewPCG(3, 5))
	places := []string{"mali", "niger", "burkina-faso", "chad", ""}
	countries := []string{"mali", "niger", "burkina-faso", "chad", "france"}
	actors := []string{"jnim", "wagner", "ecowas"}
	for round := range 10 {
		f := fetched("desk", base)
		for k := range 20 {
			it := newsItem("desk", fmt.Sprint(round, "-", k), "", fmt.Sprintf("s%d report", rng.IntN(40)), "",
				base.Add(time.Duration(rng.IntN(600))*time.Minute))
			it.Countries = []string{countries[rng.IntN(len(countries))], countries[rng.IntN(len(countries))]}
			it.Actors = []string{actors[rng.IntN(len(actors))]}
			it.Place = places[rng.IntN(len(places))]
			f.Items = append(f.Items, it)
		}
		save(t, s, f)
	}
	ctx := context.Background()
	since, until := base, base.Add(11*time.Hour)
	all, err := s.StorySummaries(ctx, since, until, briefing.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	load := func(ids []int64) (map[int64][]*briefing.Item, error) {
		items, err := s.StoryItems(ctx, ids, time.Time{})
		return briefing.GroupByStory(items), err
	}
	for _, c := range append(countries, "", "MALI") {
		for _, a := range append(actors, "") {
			about, err := s.StorySummaries(ctx, since, until, briefing.Filter{Country: c, Actor: a})
			if err != nil {
				t.Fatal(err)
			}
			opt := digest.Options{Since: since, Until: until, Filter: briefing.Filter{Country: c, Actor: a}}
			want, err := digest.Build(slices.Clone(all), load, opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := digest.Build(about, load, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("country %q, actor %q: %d of %d summaries give a different digest", c, a, len(about), len(all))
			}
			if (c != "" || a != "") && len(about) >= len(all) {
				t.Errorf("country %q, actor %q: no story left out", c, a)
			}
		}
	}
}
