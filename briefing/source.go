package briefing

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Source is one feed sahelbrief polls.
type Source struct {
	Name     string        // unique, shown in chat and logs
	URL      string        // http(s) URL or a local file path
	Lang     string        // "en", "fr" or "" (unknown)
	Interval time.Duration // poll interval; 0 means the configured default
}

// FetchStatus is the outcome of one poll of a source.
type FetchStatus string

const (
	StatusOK          FetchStatus = "ok"
	StatusNotModified FetchStatus = "not_modified"
	StatusError       FetchStatus = "error"
)

// SourceState is what sahelbrief remembers about a source between polls:
// the validators for conditional GET, when to poll next, and its health.
type SourceState struct {
	Name string
	URL  string

	// Conditional GET validators from the last successful response.
	ETag         string
	LastModified string

	LastAttempt time.Time
	LastSuccess time.Time // last ok or not_modified answer
	LastStatus  FetchStatus
	LastError   string // empty after a success
	// ConsecutiveFailures counts errors since the last success; it drives
	// the exponential backoff.
	ConsecutiveFailures int
	// ItemsLastTime is how many entries the feed held at the last 200 answer.
	ItemsLastTime int
	// LastNewItem is the publication time of the newest item the source
	// ever delivered (never moves backwards). A feed whose newest article is
	// old is silent, even on its first poll.
	LastNewItem time.Time
	// NextCheck is the earliest time the source is due again.
	NextCheck time.Time
}

// NextCheckText tells people when a source is checked next, relative and
// absolute: "next check in 12m (27 Nov 07:15 UTC)", "next check due now
// (27 Nov 07:15 UTC)" once that time has passed (the poller gets to it at
// its next round), and "never polled: checked at the next poll round" for
// a source that never ran. The command line and chat say it alike.
func NextCheckText(st SourceState, now time.Time) string {
	if st.LastAttempt.IsZero() || st.NextCheck.IsZero() {
		return "never polled: checked at the next poll round"
	}
	at := st.NextCheck.UTC().Format("2 Jan 15:04 UTC")
	if !st.NextCheck.After(now) {
		return "next check due now (" + at + ")"
	}
	return "next check in " + Roughly(st.NextCheck.Sub(now)) + " (" + at + ")"
}

// Roughly renders a duration the way people say it, in its largest unit,
// cut down: 45s, 12m, 5h, 3d (hours up to two days).
func Roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

// SilentAfter is how long a working source may publish nothing new before
// it counts as silent. Busy news desks publish daily; three quiet days on a
// feed that still answers usually means it moved or froze.
const SilentAfter = 72 * time.Hour

// SilentSince reports when a working source went quiet: the time of its last
// new item, if that is older than SilentAfter while the source still answers.
// It returns the zero time when the source is not silent.
func (s SourceState) SilentSince(now time.Time) time.Time {
	if s.LastSuccess.IsZero() || s.ConsecutiveFailures > 0 || s.LastNewItem.IsZero() {
		return time.Time{}
	}
	if now.Sub(s.LastNewItem) < SilentAfter {
		return time.Time{}
	}
	return s.LastNewItem
}

// Health is how a source is doing, as every answer tells it.
type Health string

const (
	HealthNew     Health = "new"     // never polled
	HealthHealthy Health = "healthy" // answers and publishes
	HealthFailing Health = "failing" // its last attempt failed
	HealthSilent  Health = "silent"  // answers but has published nothing new for SilentAfter
)

// Health classifies the source now: the one rule behind `sources`,
// `/sahel sources`, `/healthz` and the metrics.
func (s SourceState) Health(now time.Time) Health {
	switch {
	case s.LastAttempt.IsZero():
		return HealthNew
	case s.Failing():
		return HealthFailing
	case !s.SilentSince(now).IsZero():
		return HealthSilent
	}
	return HealthHealthy
}

// Failing reports whether the source's last attempt failed: the one
// failed-source rule behind Health, a digest's failed sources and its
// coverage.
func (s SourceState) Failing() bool {
	return s.LastStatus == StatusError || s.ConsecutiveFailures > 0
}

// FailedSince reports whether the source's last attempt was at or after
// since and failed.
func (s SourceState) FailedSince(since time.Time) bool {
	return s.Failing() && !s.LastAttempt.Before(since)
}

// FailuresSince lists, by name, the sources of states whose last attempt
// was at or after since and failed: a digest's failed sources.
func FailuresSince(states map[string]SourceState, since time.Time) []SourceFailure {
	var out []SourceFailure
	for _, s := range states {
		if s.FailedSince(since) {
			out = append(out, SourceFailure{Name: s.Name, Error: s.LastError, Since: s.LastSuccess})
		}
	}
	slices.SortFunc(out, func(a, b SourceFailure) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// StorageLine is what the sources listings (`sahelbrief sources`, /sahel
// sources) say above the sources when the database cannot store new items
// (problem is the store's reason, such as "database or disk is full").
func StorageLine(problem string) string {
	return "The database cannot store new items: " + problem + ". Sources polled meanwhile show it as their error."
}

// Coverage is how many of the configured sources a digest's window heard
// from. A digest without stories is a quiet day only when sources
// answered; with none answering it is blind, and says so.
type Coverage struct {
	Sources   int       `json:"sources"`   // configured
	Answering int       `json:"answering"` // answered (new items or not) at or after Since
	Failing   int       `json:"failing"`   // did not answer since Since: their last attempt failed
	Since     time.Time `json:"since"`
}

// CoverageOf counts, of srcs, those that answered at or after since and
// those that did not because they fail; the rest were not polled since.
func CoverageOf(srcs []Source, states map[string]SourceState, since time.Time) Coverage {
	c := Coverage{Sources: len(srcs), Since: since}
	for _, src := range srcs {
		st := states[src.Name]
		switch {
		case !st.LastSuccess.IsZero() && !st.LastSuccess.Before(since):
			c.Answering++
		case st.FailedSince(since):
			c.Failing++
		}
	}
	return c
}

// Blind reports whether no source answered in the window: an empty digest
// then says nothing about the news.
func (c Coverage) Blind() bool { return c.Sources > 0 && c.Answering == 0 }

// PartlyBlind reports whether half or more of the sources did not answer
// in the window (and some did): stories may be missing.
func (c Coverage) PartlyBlind() bool {
	return !c.Blind() && 2*(c.Sources-c.Answering) >= c.Sources && c.Sources > 0
}

// Fetched is one poll's outcome to persist: the source's new state and the
// items its feed held.
type Fetched struct {
	State SourceState
	Items []Item
}

// Saved says what persisting a Fetched changed.
type Saved struct {
	Source  string
	New     []Item // items never seen before, with their store IDs
	Updated int    // known items whose title, summary, link or date changed
}

// Subscription is a channel's standing keyword query: new items that match
// it are posted to the channel as alerts.
type Subscription struct {
	ID        int64
	Channel   string // platform-qualified: "slack:C0123", "discord:1234", "console"
	Query     string // the query-language text, as canonicalized by Query.String
	CreatedBy string // user who subscribed (platform user id)
	CreatedAt time.Time
	// AfterItem: the subscription alerts on items with a greater store id,
	// that is items stored after it was made (set by the store).
	AfterItem int64
}

// DigestSchedule is when a channel receives its digest.
type DigestSchedule struct {
	Channel   string
	Cron      string // five-field cron expression, in TZ
	TZ        string // IANA time zone, e.g. Africa/Bamako
	Country   string // optional narrowing (country id)
	Actor     string // optional narrowing (actor id)
	UpdatedBy string
	UpdatedAt time.Time
	// Origin is where the schedule came from: "" for /sahel digest, or
	// OriginConfig for the config file's digests:, which owns it.
	Origin string
}

// OriginConfig marks a digest schedule that the config file owns.
const OriginConfig = "config"

// Errors the store returns for subscriptions and schedules, shared here
// so the bot can tell them apart without importing the store.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	ErrLimit     = errors.New("limit reached")
)
