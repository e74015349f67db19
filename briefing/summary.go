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

// Add counts one more item of the story.
func (s *StorySummary) Add(it *Item) {
	if s.Items == 0 || it.Published.Before(s.First) {
		s.First = it.Published
	}
	s.Last = maxTime(s.Last, it.Published)
	s.Items++
	s.OutletNames = addNew(s.OutletNames, outletName(it))
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

// sortByDate orders a story's items by publication, then id: the order
// StoryPlace breaks ties in and reports are listed in.
func sortByDate(items []*Item) {
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
