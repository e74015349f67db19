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
}

// Summarize sums up the items of one story; their order does not matter.
func Summarize(id int64, items []*Item) StorySummary {
	sorted := slices.Clone(items)
	sortByDate(sorted)
	s := StorySummary{ID: id, Items: len(sorted), Place: StoryPlace(sorted)}
	var outlets []string
	for k, it := range sorted {
		if k == 0 {
			s.First = it.Published
		}
		s.Last = maxTime(s.Last, it.Published)
		outlets = addNew(outlets, outletName(it))
		for _, c := range it.Countries {
			s.Countries = addNew(s.Countries, c)
		}
		for _, a := range it.Actors {
			s.Actors = addNew(s.Actors, a)
		}
		for _, e := range it.Events {
			s.Events = addNew(s.Events, e)
		}
	}
	s.Outlets = len(outlets)
	return s
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

// addNew appends v to set unless it is empty or there already.
func addNew(set []string, v string) []string {
	if v == "" || slices.Contains(set, v) {
		return set
	}
	return append(set, v)
}
