package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

func newEngine(t testing.TB) *story.Engine {
	t.Helper()
	e, err := story.New(tagger.DefaultGazetteer(), story.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Reports of two events from two outlets: each item is stored with its
// story, the same for the reports of one event whatever their outlet and
// language, and with the place where the event happens.
func TestSaveAssignsStories(t *testing.T) {
	s := openMem(t)
	s.SetStoryAssigner(newEngine(t))
	at := base
	saved := save(t, s,
		fetched("rfi", at,
			newsItem("rfi", "a1", "https://rfi.example/a1", "Niger : le président Bazoum retenu par la garde présidentielle",
				"Des militaires de la garde présidentielle retiennent le président Mohamed Bazoum à Niamey.", at),
			newsItem("rfi", "b1", "https://rfi.example/b1", "Burkina Faso : au moins 50 civils tués dans une attaque à Djibo",
				"Une attaque jihadiste a fait au moins 50 morts à Djibo, dans le nord du Burkina Faso.", at.Add(time.Hour))),
		fetched("aljazeera", at,
			newsItem("aljazeera", "a2", "https://aj.example/a2", "Niger presidential guard detains President Bazoum in apparent coup",
				"Members of Niger's presidential guard have detained President Mohamed Bazoum in Niamey.", at.Add(2*time.Hour))),
	)
	items := allItems(t, s)
	byKey := map[string]briefing.Item{}
	for _, it := range items {
		byKey[it.Key] = it
	}
	a1, a2, b1 := byKey["a1"], byKey["a2"], byKey["b1"]
	if a1.Story == 0 || a1.Story != a2.Story {
		t.Errorf("the two coup reports: stories %d and %d, want one", a1.Story, a2.Story)
	}
	if b1.Story == a1.Story || b1.Story != b1.ID {
		t.Errorf("the Djibo attack: story %d (coup %d), want its own, named after itself", b1.Story, a1.Story)
	}
	if a1.Story != min(a1.ID, a2.ID) {
		t.Errorf("story %d, want the smallest item id %d", a1.Story, min(a1.ID, a2.ID))
	}
	if a1.Place != "niger" || b1.Place != "burkina-faso" {
		t.Errorf("places %q, %q; want niger, burkina-faso", a1.Place, b1.Place)
	}
	if !strings.Contains(strings.Join(b1.Events, " "), "attack") {
		t.Errorf("Djibo events %v, want an attack", b1.Events)
	}
	for _, sv := range saved {
		for _, it := range sv.New {
			if want := byKey[it.Key]; it.Story != want.Story || it.Place != want.Place {
				t.Errorf("saved item %s: story %d place %q, stored %d %q", it.Key, it.Story, it.Place, want.Story, want.Place)
			}
		}
	}
	got, err := s.StoryItems(context.Background(), []int64{a1.Story}, time.Time{})
	if err != nil || len(got) != 2 {
		t.Fatalf("StoryItems: %d items, %v", len(got), err)
	}
	if got, err := s.StoryItems(context.Background(), []int64{a1.Story}, at.Add(time.Hour)); err != nil || len(got) != 1 {
		t.Errorf("StoryItems before the second report: %d items, %v; want the first only", len(got), err)
	}
}

// A report that links two stories merges them in the store: every item of
// the later story moves to the earlier, and the merge is recorded.
func TestSaveRecordsMerges(t *testing.T) {
	s := openMem(t)
	f := storytest.NewPrefixAssigner()
	s.SetStoryAssigner(f)
	save(t, s, fetched("a", base,
		newsItem("a", "1", "", "s1 first", "", base),
		newsItem("a", "2", "", "s2 second", "", base.Add(time.Minute))))
	save(t, s, fetched("a", base, newsItem("a", "3", "", "s2+s1 bridge", "", base.Add(2*time.Minute))))
	for _, it := range allItems(t, s) {
		if it.Story != 1 {
			t.Errorf("item %d (%s): story %d, want 1 after the merge", it.ID, it.Title, it.Story)
		}
	}
	merges, err := s.StoryMerges(context.Background())
	if err != nil || len(merges) != 1 || merges[0] != (briefing.StoryMerge{From: 2, Into: 1, By: 3}) {
		t.Errorf("merges %+v, %v; want 2 into 1 by 3", merges, err)
	}
	cur, err := s.StoriesOf(context.Background(), []int64{1, 2, 3})
	if err != nil || cur[2] != 1 {
		t.Errorf("StoriesOf: %v, %v", cur, err)
	}
}

// Items stored before stories existed (or without an assigner) are
// assigned by AssignStories, in order of publication.
func TestAssignStoriesBackfill(t *testing.T) {
	s := openMem(t)
	save(t, s, fetched("a", base,
		newsItem("a", "1", "", "s1 first", "", base),
		newsItem("a", "2", "", "s1 again", "", base.Add(time.Minute)),
		newsItem("a", "3", "", "s3 other", "", base.Add(2*time.Minute))))
	for _, it := range allItems(t, s) {
		if it.Story != 0 {
			t.Fatalf("item %d has story %d before any assigner", it.ID, it.Story)
		}
	}
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	n, err := s.AssignStories(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("AssignStories: %d, %v", n, err)
	}
	want := map[int64]int64{1: 1, 2: 1, 3: 3}
	for _, it := range allItems(t, s) {
		if it.Story != want[it.ID] {
			t.Errorf("item %d: story %d, want %d", it.ID, it.Story, want[it.ID])
		}
	}
	if n, err := s.AssignStories(context.Background()); err != nil || n != 0 {
		t.Errorf("second AssignStories: %d, %v; want nothing left", n, err)
	}
}

// A save that fails after assigning resets the assigner, so its memory
// never holds stories the database does not.
func TestSaveFailureResetsAssigner(t *testing.T) {
	s := openMem(t)
	f := storytest.NewPrefixAssigner()
	s.SetStoryAssigner(f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SaveFetched(ctx, []briefing.Fetched{fetched("a", base, newsItem("a", "1", "", "s1 x", "", base))}); err == nil {
		t.Fatal("save with a cancelled context succeeded")
	}
	save(t, s, fetched("a", base, newsItem("a", "1", "", "s1 x", "", base)))
	if it := allItems(t, s)[0]; it.Story != it.ID {
		t.Errorf("story %d, want %d", it.Story, it.ID)
	}
}

// Two processes storing into one database (a `fetch` beside `run`): each
// one's engine reads back what the other assigned before assigning more,
// so a report stored by one joins the story the other stored.
func TestStoriesAcrossWriters(t *testing.T) {
	_, path := openFile(t)
	a := openPath(t, path)
	b := openPath(t, path)
	a.SetStoryAssigner(newEngine(t))
	b.SetStoryAssigner(newEngine(t))
	at := base
	save(t, a, fetched("rfi", at, newsItem("rfi", "x0", "https://rfi.example/x0", "Burkina Faso : attaque contre un convoi à Djibo",
		"Des hommes armés ont attaqué un convoi à Djibo.", at.Add(-time.Hour))))
	save(t, b, fetched("rfi", at, newsItem("rfi", "a1", "https://rfi.example/a1", "Niger : le président Bazoum retenu par la garde présidentielle",
		"Des militaires de la garde présidentielle retiennent le président Mohamed Bazoum à Niamey.", at)))
	save(t, a, fetched("aljazeera", at, newsItem("aljazeera", "a2", "https://aj.example/a2", "Niger presidential guard detains President Bazoum in apparent coup",
		"Members of Niger's presidential guard have detained President Mohamed Bazoum in Niamey.", at.Add(time.Hour))))
	byKey := map[string]briefing.Item{}
	for _, it := range allItems(t, a) {
		byKey[it.Key] = it
	}
	if byKey["a1"].Story == 0 || byKey["a1"].Story != byKey["a2"].Story {
		t.Errorf("reports stored by two processes: stories %d and %d, want one", byKey["a1"].Story, byKey["a2"].Story)
	}
}

// movesCounter is the story engine, counting the moves it returns.
type movesCounter struct {
	*story.Engine
	moves int
}

func (m *movesCounter) AssignItems(items []briefing.Item) ([]briefing.StoryAssignment, []briefing.StoryMerge, []briefing.StoryMove) {
	as, merges, moves := m.Engine.AssignItems(items)
	m.moves += len(moves)
	return as, merges, moves
}

// Items delivered late (up to six hours after publication, or a day,
// in polls of half an hour) are stored in the stories one batch in order of
// publication gives the same items: the engine assigns the items after a
// late one again, and the store moves those that change story, keeping
// every summary exact and no merge recorded for a story that is one again.
// It holds across restarts (the database closed and opened again with a
// new engine every few polls): the store keeps each item's story trace
// and gives the items back with them. Without traces (an assigner that
// keeps none), the stored items keep their stories and the late ones
// group otherwise.
func TestSaveLateItemsGroupAsInOrder(t *testing.T) {
	for _, c := range []struct {
		name         string
		late         time.Duration
		restartEvery int
		untraced     bool
	}{
		{"one run", 6 * time.Hour, 0, false},
		{"restarted every 5 polls", 6 * time.Hour, 5, false},
		{"up to a day late, restarted every 4 polls", 24 * time.Hour, 4, false},
		{"restarted every 20 polls, untraced", 6 * time.Hour, 20, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, differ := saveLateItems(t, c.late, c.restartEvery, c.untraced)
			if c.untraced {
				if differ == 0 {
					t.Error("without traces, the items still group as in order: the test shows nothing")
				}
				return
			}
			if differ > 0 {
				t.Errorf("%d items stored in another story than in order", differ)
			}
			checkSummaries(t, s, base.Add(-time.Hour), base.Add(48*time.Hour))
			var stale int
			if err := s.db.QueryRow(`SELECT count(*) FROM story_merges WHERE from_story IN (SELECT story FROM items)`).Scan(&stale); err != nil || stale != 0 {
				t.Errorf("%d merges recorded for stories that have items (%v)", stale, err)
			}
		})
	}
}

// A first poll's backlogs, 30 feeds over the same 36 hours saved 5 feeds
// at a time: once a batch would have too many items stored after it
// assigned again (here more than 100), the store stores it without
// stories, and AssignDeferred (which Ingest calls when the poll is done)
// assigns them all at once: the stories are those of one batch in order,
// and every summary is exact.
func TestSaveDefersBatchesTooLate(t *testing.T) {
	s := openMem(t)
	engine, err := story.New(tagger.DefaultGazetteer(), story.Options{MaxReplay: 100})
	if err != nil {
		t.Fatal(err)
	}
	s.SetStoryAssigner(engine)
	const feeds, perSave = 30, 5
	items, _ := synthnews.Corpus(900, 11, base, 36*time.Hour)
	for f := 0; f < feeds; f += perSave {
		var batch []briefing.Fetched
		for feed := f; feed < f+perSave; feed++ {
			var its []briefing.Item
			for i := feed; i < len(items); i += feeds {
				it := items[i]
				it.ID, it.Story, it.Source = 0, 0, fmt.Sprintf("feed%d", feed)
				its = append(its, it)
			}
			batch = append(batch, fetched(fmt.Sprintf("feed%d", feed), base.Add(48*time.Hour), its...))
		}
		save(t, s, batch...)
	}
	unassigned := 0
	for _, it := range allItems(t, s) {
		if it.Story == 0 {
			unassigned++
		}
	}
	if unassigned == 0 || unassigned == len(items) {
		t.Fatalf("%d of %d items stored without a story; want some deferred, not all", unassigned, len(items))
	}
	// Alerts read no further than the first item without a story.
	firstDeferred := int64(0)
	for _, it := range allItems(t, s) {
		if it.Story == 0 && (firstDeferred == 0 || it.ID < firstDeferred) {
			firstDeferred = it.ID
		}
	}
	if after, err := s.ItemsAfter(context.Background(), 0, len(items)); err != nil || len(after) != int(firstDeferred-1) {
		t.Errorf("before AssignDeferred, ItemsAfter gives %d items (%v); want the %d before the first deferred", len(after), err, firstDeferred-1)
	}
	n, err := s.AssignDeferred(context.Background())
	if err != nil || n != unassigned {
		t.Fatalf("AssignDeferred: %d, %v; want the %d deferred", n, err, unassigned)
	}
	if after, err := s.ItemsAfter(context.Background(), 0, len(items)); err != nil || len(after) != len(items) {
		t.Errorf("after AssignDeferred, ItemsAfter gives %d items (%v); want all %d", len(after), err, len(items))
	}
	if differ := storedOutOfOrder(t, s, true); differ > 0 {
		t.Errorf("%d of %d items in another story than in order", differ, len(items))
	}
	checkSummaries(t, s, base.Add(-time.Hour), base.Add(48*time.Hour))
	if n, err := s.AssignDeferred(context.Background()); n != 0 || err != nil {
		t.Errorf("AssignDeferred again: %d, %v; want nothing to do", n, err)
	}
}

// untracedAssigner is a story assigner that keeps no traces.
type untracedAssigner struct{ StoryAssigner }

// saveLateItems stores a synthetic corpus in half-hourly polls, each item
// up to late after its publication, closing and opening the database with a new engine
// every restartEvery polls (never with 0), and returns the store and how
// many items it holds in another story than one batch in order gives.
func saveLateItems(t *testing.T, late time.Duration, restartEvery int, untraced bool) (*Store, int) {
	s, path := openFile(t)
	start := func() *movesCounter {
		engine := &movesCounter{Engine: newEngine(t)}
		if untraced {
			s.SetStoryAssigner(untracedAssigner{engine})
		} else {
			s.SetStoryAssigner(engine)
		}
		return engine
	}
	engine := start()
	moves := 0
	items, _ := synthnews.Corpus(1500, 11, base, 36*time.Hour)
	rng := rand.New(rand.NewPCG(5, 6))
	polls := map[int64][]briefing.Item{}
	var slots []int64
	for _, it := range items {
		it.ID, it.Story, it.Source = 0, 0, "desk"
		slot := it.Published.Add(time.Duration(rng.Int64N(int64(late)))).Unix() / 1800
		if _, ok := polls[slot]; !ok {
			slots = append(slots, slot)
		}
		polls[slot] = append(polls[slot], it)
	}
	slices.Sort(slots)
	for i, slot := range slots {
		if restartEvery > 0 && i > 0 && i%restartEvery == 0 {
			moves += engine.moves
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openPath(t, path)
			engine = start()
		}
		save(t, s, fetched("desk", time.Unix(slot*1800, 0), polls[slot]...))
	}
	if moves += engine.moves; moves == 0 && !untraced {
		t.Fatal("no item moved: the test must exercise late items")
	}
	return s, storedOutOfOrder(t, s, !untraced)
}

// storedOutOfOrder counts the items s holds in another story than one
// batch in order gives them, logging the first few when show is set.
func storedOutOfOrder(t *testing.T, s *Store, show bool) int {
	stored := allItems(t, s)
	docs := make([]story.Doc, len(stored))
	for i := range stored {
		docs[i] = story.DocOf(&stored[i])
	}
	want, _, _ := newEngine(t).Assign(docs)
	differ := 0
	for i, it := range stored {
		if it.Story != want[i].Story {
			if differ++; differ <= 5 && show {
				t.Logf("item %d (%q): stored in story %d, in order it is in %d", it.ID, it.Title, it.Story, want[i].Story)
			}
		}
	}
	return differ
}
