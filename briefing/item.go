// Package briefing is sahelbrief's vocabulary: news items, their tags,
// source health, stories and their summaries, digests, windows, leases and
// deliveries, with the small pure rules on them. It depends on nothing of
// ours, so every other package can share its types. The engines that need
// data or do heavy work live in packages of their own beside it: the
// tagger (briefing/tagger), the story engine (briefing/story), ranking and
// digest building (briefing/digest) and the query language
// (briefing/query); they import briefing, never the reverse.
package briefing

import "time"

// Item is one news article as sahelbrief keeps it: normalized from a feed
// entry, stored once, and read by digests, commands and alerts.
type Item struct {
	ID     int64  // store row id; 0 until stored
	Source string // name of the source (feed) that delivered it
	// Key identifies the item within its source: the entry's GUID, else its
	// canonical link, else a hash of title and date. Stable across polls.
	Key     string
	URL     string // canonical link: absolute, tracking parameters removed; may be empty
	Title   string // plain text, never empty once normalized
	Summary string // plain text, HTML stripped, cut at a sentence end
	// Outlet is who published the article: the feed's <source> element for
	// aggregators such as Google News, else the source name.
	Outlet string
	Lang   string // "en", "fr" or "" when unknown
	// Published is when the article appeared: the entry's published date,
	// else its updated date, else FirstSeen. Never in the future.
	Published time.Time
	Updated   time.Time // entry's updated date; zero when the feed gives none
	FirstSeen time.Time // when sahelbrief first fetched it
	// DateFromFeed is false when the feed gave no usable date and Published
	// was taken from FirstSeen.
	DateFromFeed bool

	// Canonical country and actor ids ("mali", "wagner"): lower case, never
	// white space. Tagged once, when the item is stored; nil when untagged.
	Countries []string
	Actors    []string

	// Story is the story the item was assigned to when it was stored: the
	// smallest item id of the story (0 until assigned). Digests, commands
	// and alerts group by it; they never regroup items themselves.
	Story int64
	// Place is the country where the event the item reports happens, as
	// the story engine read it ("" when it cannot tell).
	Place string
	// Events are the kinds of event the item reports ("attack", "coup"),
	// as the story engine read them when it was stored.
	Events []string

	// Prepared is what the story engine read of the item ahead of storing
	// it (briefing/story's *Prepared), so that the single writer does not
	// read it again; nil when not prepared. Never stored: the store clears
	// it once the item is assigned, and an assigner ignores a Prepared
	// that is not its own or no longer matches the item.
	Prepared any `json:"-"`
}

// StoryKey is the story an item belongs to: its Story, or, not assigned,
// its own id (a story id is its first item's id, so the two never clash).
func (it *Item) StoryKey() int64 {
	if it.Story != 0 {
		return it.Story
	}
	return it.ID
}

// OutletName names who published the item: its outlet, else its source.
func (it *Item) OutletName() string {
	if it.Outlet != "" {
		return it.Outlet
	}
	return it.Source
}

// StoryAssignment is the story (and place and events) the story engine
// gave a newly stored item.
type StoryAssignment struct {
	Item   int64
	Story  int64
	Place  string
	Events []string
}

// StoryMerge records that story From became part of story Into when item
// By linked them: a later digest or alert thread follows Into.
type StoryMerge struct {
	From, Into, By int64
}

// StoryMove records that stored item Item left story From for story To:
// an item delivered late, published before it, changed how the items
// after it group (stories depend on the items, not on when they come).
type StoryMove struct {
	Item, From, To int64
}

// StoryTrace is what assigning item Item to a story read and did, as the
// story engine tells it: an item of each story it joined, and of each it
// weighed. The store keeps it so that after a restart an item delivered
// late can have the items after it assigned again, as in one run.
type StoryTrace struct {
	Item    int64
	Joined  []int64
	Weighed []int64
}
