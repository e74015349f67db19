package briefing

import (
	"math"
	"time"
)

// Tag is a canonical country or actor with its display name, as stories
// carry them for rendering.
type Tag struct {
	ID   string `json:"id"`   // canonical id: "mali", "wagner"
	Name string `json:"name"` // display name: "Mali", "Wagner / Africa Corps"
}

// Story is one event as one or more outlets told it: the items the story
// engine assigned to it when they were stored, the lead item first.
type Story struct {
	ID        string    `json:"id"`      // stable: "s" + the story id (its first item's store id)
	Title     string    `json:"title"`   // the lead item's title
	URL       string    `json:"url"`     // the lead item's link (may be empty)
	Summary   string    `json:"summary"` // the lead item's summary (may be empty)
	Outlets   []string  `json:"outlets"` // distinct outlets, the lead's first
	Items     []Item    `json:"-"`       // every item of the story, lead first
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"` // when the latest item of the story appeared
	Countries []Tag     `json:"countries"`
	Actors    []Tag     `json:"actors"`
	// Place is the country where the event happens ("" when unknown): the
	// story's section.
	Place      string     `json:"place"`
	Score      float64    `json:"score"` // rank: higher first
	ScoreParts ScoreParts `json:"score_parts"`
	// Reports lists every item of the story, lead first, then by date.
	Reports []StoryReport `json:"items"`
}

// StoryReport is one item of a story as the JSON digest lists it.
type StoryReport struct {
	ID        int64     `json:"id"`
	Outlet    string    `json:"outlet"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	Published time.Time `json:"published"`
}

// Section groups the stories about one country (or the region at large).
type Section struct {
	ID      string  `json:"id"`   // a country id, or "region" for the rest
	Name    string  `json:"name"` // "Mali", "Niger", "Burkina Faso", "Region"
	Stories []Story `json:"stories"`
}

// CountryCount is how many stories a digest holds about one country.
type CountryCount struct {
	Tag
	Stories int `json:"stories"`
}

// SourceFailure is a source that failed during a digest's window.
type SourceFailure struct {
	Name  string    `json:"name"`
	Error string    `json:"error"`
	Since time.Time `json:"since"` // last success, or zero if never
}

// Filter narrows a digest.
type Filter struct {
	Country string `json:"country,omitempty"` // country id
	Actor   string `json:"actor,omitempty"`   // actor id
	Query   string `json:"query,omitempty"`   // query-language text (part 3)
}

// Digest is a platform-neutral briefing for a time window: headline
// stories first, then sections per country, counts, and failed sources.
// Renderers (Slack, Discord, terminal) turn it into messages.
type Digest struct {
	Title     string          `json:"title"`
	Since     time.Time       `json:"since"`
	Until     time.Time       `json:"until"`
	Filter    Filter          `json:"filter"`
	Headlines []Story         `json:"headlines"`
	Sections  []Section       `json:"sections"`
	Counts    []CountryCount  `json:"counts"`
	Failed    []SourceFailure `json:"failed_sources"`
	// Coverage says how many sources answered in the window: nil when the
	// digest is not about a window of news (search results).
	Coverage *Coverage `json:"coverage,omitempty"`
	// NoResults, when set, is what an empty digest says instead of the
	// quiet-day sentence (an empty search is not a quiet day).
	NoResults  string `json:"no_results,omitempty"`
	TotalItems int    `json:"total_items"` // items in the window (a story shows whole, earlier items too)
	// Backlog, when set, is the publication date of the earliest report a
	// digest of stored arrivals holds from before its window (a first
	// poll's backlog, a feed that published late): its header says so.
	Backlog time.Time `json:"backlog_since,omitempty"`
	// Location is where the reader is: text renderers write times in it
	// (UTC when nil). Chat platforms show times in each reader's own zone.
	Location *time.Location `json:"-"`
}

// Quiet reports whether nothing matched the digest's window and filter
// (Blind tells whether that means anything).
func (d *Digest) Quiet() bool { return len(d.Headlines) == 0 && len(d.Sections) == 0 }

// Blind reports whether no source answered in the digest's window.
func (d *Digest) Blind() bool { return d.Coverage != nil && d.Coverage.Blind() }

// ScoreParts explains a story's score: the parts digest.Score gives it,
// under its JSON name score_parts.
type ScoreParts struct {
	Outlets float64 `json:"outlets"`
	Recency float64 `json:"recency"`
	Watch   float64 `json:"watch"`
	Events  float64 `json:"events"`
	Outside float64 `json:"outside"`
}

// Total is the score: the parts added, rounded so equal stories tie.
func (p ScoreParts) Total() float64 {
	return math.Round((p.Outlets+p.Recency+p.Watch+p.Events+p.Outside)*1e6) / 1e6
}
