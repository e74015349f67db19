// Package bot is sahelbrief's platform-neutral chat layer: the `/sahel`
// commands declared once as data (so help is generated from the same table
// and every platform shares one parser and one set of handlers), the
// interfaces the bot needs of the store, and the text helpers renderers
// share. Platform adapters (bot/slack, bot/discord, bot/console) turn their
// events into Requests and Responses into messages.
package bot

import (
	"context"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
)

// Request is one `/sahel …` invocation, whatever the platform.
type Request struct {
	Channel string // platform-qualified channel: "slack:C0123", "discord:987", "console"
	User    string // platform user id, for subscriptions and logs
	// Text is what follows the command name: "country mali 12h".
	Text string
	// CanManage says the platform judged the user allowed to change this
	// channel's subscriptions and schedule (Slack admins and owners or a
	// configured list; Discord Manage Channels; always in the console).
	CanManage bool
}

// Response is the bot's answer. Exactly one of Text and Digest is set.
type Response struct {
	Text   string           // a plain message (help, confirmations, errors)
	Digest *briefing.Digest // a digest or search results
	// Share asks for a message everyone in the channel sees; otherwise
	// platforms answer only the requester (ephemeral) where they can.
	Share bool
	// Err marks a refusal or a usage error (platforms may style it).
	Err bool
	// RenderKey, when set, names the Response's content exactly: two
	// Responses with the same key render the same, so a platform may keep
	// what it rendered (see Rendered). Empty: render anew.
	RenderKey string
}

// Store is what the bot needs of persistence; store.Store provides it.
type Store interface {
	ItemsSince(ctx context.Context, since time.Time, limit int) ([]briefing.Item, error)
	ItemsStoredBetween(ctx context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error)
	// StoryItems returns the items of the stories published before a time
	// (all when zero), so an answer shows a story whole whatever part of it
	// its window holds.
	StoryItems(ctx context.Context, storyIDs []int64, before time.Time) ([]briefing.Item, error)
	// StorySummaries sums up the stories with an item published in
	// [since, until): a digest ranks them and reads only those it shows. It
	// may leave out stories that cannot pass f (the digest filters exactly).
	StorySummaries(ctx context.Context, since, until time.Time, f briefing.Filter) ([]briefing.StorySummary, error)
	// Search returns the newest candidates for q, at most limit: a superset
	// of its matches (text and required tags), narrowed with q.Match.
	Search(ctx context.Context, q *query.Query, limit int) ([]briefing.Item, error)
	SourceStates(ctx context.Context) (map[string]briefing.SourceState, error)
	AddSubscription(ctx context.Context, sub briefing.Subscription, maxPerChannel int) (briefing.Subscription, error)
	RemoveSubscription(ctx context.Context, channel string, id int64) error
	Subscriptions(ctx context.Context, channel string) ([]briefing.Subscription, error)
	SetDigestSchedule(ctx context.Context, d briefing.DigestSchedule) error
	DigestSchedule(ctx context.Context, channel string) (briefing.DigestSchedule, error)
	DeleteDigestSchedule(ctx context.Context, channel string) error
}

// StorageProber is what a Store may also tell (store.Store does): why it
// cannot store new items now, or "" when it can. /sahel sources says it.
type StorageProber interface {
	StorageProblem() string
}

// Limits keep one channel from exhausting the bot.
type Limits struct {
	MaxSubscriptions int // per channel (default 50)
	MaxQuery         int // characters in a query (default 200; the query language's own cap)
	MaxText          int // characters in a whole command (default 1000)
	SearchResults    int // results a search shows (default 10)
}

func (l Limits) withDefaults() Limits {
	if l.MaxSubscriptions <= 0 {
		l.MaxSubscriptions = 50
	}
	if l.MaxQuery <= 0 {
		l.MaxQuery = 200
	}
	if l.MaxText <= 0 {
		l.MaxText = 1000
	}
	if l.SearchResults <= 0 {
		l.SearchResults = 10
	}
	return l
}
