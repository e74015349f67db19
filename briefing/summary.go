package briefing

import (
	"cmp"
	"slices"
	"time"
)

// StorySummary is what a digest needs to know of a whole story to select,
// filter, rank and place it without reading its reports: the store keeps
// one per story, up to date with every save, so a digest of a busy window
// reads a row per story and the reports of the few stories it shows.
type StorySummary struct {
	ID          int64     // the story id (Item.Story)
	First, Last time.Time // publication of its earliest and latest item
	Items       int       // how many items it has
	Outlets     int       // distinct outlets (an item's source when it names none)
	Countries   []string  // every country an item of it names
	Actors      []string  // every actor an item of it names
	Events      []string  // every kind of event its items report
	Place       string    // where it happens (StoryPlace), "" when unknown
	// InWindow is how many of its items a digest's window holds: set by
	// whoever reads summaries for a window, not stored.
	InWindow int

	// What keeps a summary exact as reports join (Add) and stories merge
	// (Merge) without reading the story again: the outlets' names and the
	// places its items give.
	OutletNames []string
	Votes       []PlaceVote
}

// PlaceVote is how many items of a story give a place, and the first of
// them (in date order): StoryPlace's majority, ties to the earliest.
type PlaceVote struct {
	Place   string    `json:"place"`
	N       int       `json:"n"`
	First   time.Time `json:"first"`
	FirstID int64     `json:"first_id"`
}

// Summarize sums up the items of one story; their order does not matter.
func Summarize(id int64, items []*Item) StorySummary {
	s := StorySummary{ID: id}
	for _, it := range items {
		s.Add(it)
	}
	return s
}

// SummariesOf sums up the stories of items (an item without a story stands
// alone) that have an item published in [since, until) (a zero bound is
// open), as the store's StorySummaries does from its tables.
func SummariesOf(items []Item, since, until time.Time) []StorySummary {
	return WindowSummaries(GroupByStory(items), since, until)
}

// WindowSummaries is SummariesOf for items already grouped by story
// (GroupByStory).
func WindowSummaries(byStory map[int64][]*Item, since, until time.Time) []StorySummary {
	var sums []StorySummary
	for id, its := range byStory {
		in := 0
		for _, it := range its {
			if (since.IsZero() || !it.Published.Before(since)) && (until.IsZero() || it.Published.Before(until)) {
				in++
			}
		}
		if in > 0 { // only the window's stories are summed up
			sum := Summarize(id, its)
			sum.InWindow = in
			sums = append(sums, sum)
		}
	}
	return sums
}

// GroupByStory gathers items by their stories (Item.StoryKey).
func GroupByStory(items []Item) map[int64][]*Item {
	byStory := map[int64][]*Item{}
	for i := range items {
		k := items[i].StoryKey()
		byStory[k] = append(byStory[k], &items[i])
	}
	return byStory
}

// StoryPlace is where a story happens: the place most of its items give,
// the earliest (by date, then id) breaking a tie, else "". One rule for
// sections, filters, the stored summaries and the story engine's
// evaluation.
func StoryPlace(items []*Item) string {
	var votes []PlaceVote // few distinct places: a slice beats a map
	for _, it := range items {
		if it.Place != "" {
			votes = addVote(votes, PlaceVote{Place: it.Place, N: 1, First: it.Published, FirstID: it.ID})
		}
	}
	return winner(votes)
}

// Add counts one more item of the story.
func (s *StorySummary) Add(it *Item) {
	if s.Items == 0 || it.Published.Before(s.First) {
		s.First = it.Published
	}
	s.Last = maxTime(s.Last, it.Published)
	s.Items++
	s.OutletNames = addNew(s.OutletNames, it.OutletName())
	s.Outlets = len(s.OutletNames)
	s.Countries, s.Actors, s.Events = union(s.Countries, it.Countries), union(s.Actors, it.Actors), union(s.Events, it.Events)
	if it.Place != "" {
		s.Votes = addVote(s.Votes, PlaceVote{Place: it.Place, N: 1, First: it.Published, FirstID: it.ID})
		s.Place = winner(s.Votes)
	}
}

// Merge adds another story's summary to s: the story it merged into s.
func (s *StorySummary) Merge(o StorySummary) {
	if o.Items == 0 {
		return
	}
	if s.Items == 0 || o.First.Before(s.First) {
		s.First = o.First
	}
	s.Last = maxTime(s.Last, o.Last)
	s.Items += o.Items
	s.OutletNames = union(s.OutletNames, o.OutletNames)
	s.Outlets = len(s.OutletNames)
	s.Countries, s.Actors, s.Events = union(s.Countries, o.Countries), union(s.Actors, o.Actors), union(s.Events, o.Events)
	for _, v := range o.Votes {
		s.Votes = addVote(s.Votes, v)
	}
	s.Place = winner(s.Votes)
}

// addVote counts v's items for its place, keeping the earliest first item.
func addVote(votes []PlaceVote, v PlaceVote) []PlaceVote {
	k := slices.IndexFunc(votes, func(x PlaceVote) bool { return x.Place == v.Place })
	if k < 0 {
		return append(votes, v)
	}
	votes[k].N += v.N
	if c := v.First.Compare(votes[k].First); c < 0 || c == 0 && v.FirstID < votes[k].FirstID {
		votes[k].First, votes[k].FirstID = v.First, v.FirstID
	}
	return votes
}

// winner is the place most items give, the one given first breaking a tie.
func winner(votes []PlaceVote) string {
	var best *PlaceVote
	for k := range votes {
		v := &votes[k]
		if best == nil || v.N > best.N || v.N == best.N && (v.First.Before(best.First) ||
			v.First.Equal(best.First) && v.FirstID < best.FirstID) {
			best = v
		}
	}
	if best == nil {
		return ""
	}
	return best.Place
}

// SortByDate orders a story's items by publication, then id: the order
// StoryPlace breaks ties in and reports are listed in.
func SortByDate(items []*Item) {
	slices.SortStableFunc(items, func(a, b *Item) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// union appends to set the values of more it lacks (never empty ones).
func union(set, more []string) []string {
	for _, v := range more {
		set = addNew(set, v)
	}
	return set
}

// addNew appends v to set unless it is empty or there already.
func addNew(set []string, v string) []string {
	if v == "" || slices.Contains(set, v) {
		return set
	}
	return append(set, v)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
