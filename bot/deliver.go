package bot

import (
	"context"
	"errors"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Kind says what a delivery carries.
type Kind string

// Delivery kinds.
const (
	KindDigest  Kind = "digest"  // a scheduled digest
	KindAlert   Kind = "alert"   // a new story matching a subscription
	KindReply   Kind = "reply"   // a later outlet's report of an alerted story, in the alert's thread
	KindSummary Kind = "summary" // alerts over the channel's rate limit, rolled into one message
)

// Alert is one matched item as it is posted: the item, what it is about,
// and the subscriptions of the channel that matched it.
type Alert struct {
	Item      briefing.Item  `json:"item"`
	Countries []briefing.Tag `json:"countries,omitempty"` // display names, from the item's tags
	Actors    []briefing.Tag `json:"actors,omitempty"`
	Queries   []string       `json:"queries"` // the matching subscriptions' queries, canonical text
	// Outlets is every outlet that has reported the story so far, the
	// alerted item's first (a reply lists the story's outlets to date).
	Outlets []string `json:"outlets,omitempty"`
}

// OutletNames are the outlets an alert shows: the story's outlets so far,
// else who published the item (its outlet, else its source).
func (a Alert) OutletNames() []string {
	if len(a.Outlets) > 0 {
		return a.Outlets
	}
	if o := outletOf(&a.Item); o != "" {
		return []string{o}
	}
	return nil
}

// SummaryQueries are the distinct queries that matched a summary's
// alerts, in order of first appearance.
func SummaryQueries(alerts []Alert) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range alerts {
		for _, q := range a.Queries {
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	return out
}

// Message is one delivery to one channel, platform-neutral. Platforms
// render and post it.
type Message struct {
	// Key identifies the delivery for idempotency: the same Key is the
	// same message. Platforms use it for their own deduplication (Discord
	// nonce, Slack message metadata, a marker to find it again).
	Key     string
	Channel string // platform-qualified: "slack:C0123", "discord:987", "console"
	Kind    Kind

	// Digest is set for KindDigest. When Late is set the digest went out
	// after its time (the bot was down or the platform was): renderers
	// say so, with the time it was scheduled for (Scheduled, in Location).
	Digest    *briefing.Digest
	Late      bool
	Scheduled time.Time

	// Alerts: one for KindAlert and KindReply, several for KindSummary.
	Alerts []Alert

	// ThreadOf is the platform reference (Slack ts, Discord message id) of
	// the message a KindReply answers; empty otherwise.
	ThreadOf string
}

// Deliverer posts messages to one platform's channels. The app routes each
// channel to its platform's Deliverer by the channel's prefix.
type Deliverer interface {
	// Deliver posts m to m.Channel and returns the platform reference of
	// its first (or only) message, which later replies thread under.
	//
	// resume is set when an earlier attempt at m may have posted some or
	// all of it before it was interrupted (a crash, a timeout): the
	// deliverer must then not post a part twice. It uses the platform's
	// own idempotency where there is one (Discord's nonce with
	// enforce_nonce) and otherwise looks in the channel for the parts
	// already there before posting the rest (Slack message metadata).
	//
	// Errors a retry cannot fix (unknown channel, bot not in channel,
	// revoked token) are wrapped with Permanent; others are retried
	// with backoff. An error with a RetryAfter() time.Duration method
	// asks to wait at least that long.
	Deliver(ctx context.Context, m Message, resume bool) (ref string, err error)
}

// permanentError marks an error that retrying will not fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one a retry cannot fix.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err (or an error it wraps) was marked
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// RetryAfter returns the wait an error asks for (a platform's rate limit),
// or zero.
func RetryAfter(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// Observer is told what the bot does, for metrics. Every method must be
// safe for concurrent use and fast; a nil Observer is allowed where one is
// taken.
type Observer interface {
	// CommandServed: one /sahel command answered, how long it took.
	CommandServed(platform, command string, took time.Duration)
	// Delivered: one delivery attempt of kind to platform; err is nil on success.
	Delivered(platform string, kind Kind, err error)
	// RateLimited: a platform asked us to wait.
	RateLimited(platform string, wait time.Duration)
}
