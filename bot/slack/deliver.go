package slack

import (
	stdctx "context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	slackgo "github.com/slack-go/slack"
)

// MetadataEventType is the Slack message metadata event type every
// delivered message carries, with the payload {"key": <delivery key>,
// "part": <index of the message in the delivery>}, so that a resumed
// delivery can find the parts already posted.
const MetadataEventType = "sahelbrief_delivery"

// Resume search bounds.
const (
	resumeWindow    = 7 * 24 * time.Hour // how far back a resume looks
	historyPageSize = 200
	maxHistoryPages = 5
)

// Deliverer posts bot deliveries to Slack channels ("slack:C0123"). It
// implements bot.Deliverer.
type Deliverer struct {
	Client *slackgo.Client
	// Poster posts the messages; nil means a Poster over Client with the
	// default retries. Its Client, when nil, is Client. Client (else the
	// Poster's) reads the history a resume searches.
	Poster *Poster
	// BotUserID, when set, restricts a resume's search to messages posted
	// by that user (the bot's own).
	BotUserID string
	Log       *slog.Logger // nil discards
	Observer  bot.Observer // told of rate limits; may be nil
}

var _ bot.Deliverer = (*Deliverer)(nil)

// Deliver renders m and posts it to m.Channel: a KindReply in the thread
// m.ThreadOf, anything else top-level, parts in order. It returns the ts of
// the first part. With resume it first reads the channel (or, for a reply,
// the thread) and posts only the parts whose metadata is not there.
func (d *Deliverer) Deliver(ctx stdctx.Context, m bot.Message, resume bool) (string, error) {
	ch, err := channelID(m.Channel)
	if err != nil {
		return "", bot.Permanent(err)
	}
	if m.Key == "" {
		return "", bot.Permanent(errors.New("slack: delivery without a key"))
	}
	var thread string
	if m.Kind == bot.KindReply {
		if m.ThreadOf == "" {
			return "", bot.Permanent(errors.New("slack: reply delivery without ThreadOf"))
		}
		thread = m.ThreadOf
	}
	msgs, err := Render(m)
	if err != nil {
		return "", bot.Permanent(err)
	}
	p := d.poster()
	if p.Client == nil {
		return "", bot.Permanent(errors.New("slack: deliverer has no client"))
	}
	log := d.logger().With("channel", ch, "key", m.Key, "kind", string(m.Kind))

	posted := map[int]string{}
	if resume {
		hc := d.Client
		if hc == nil {
			hc = p.Client
		}
		if posted, err = d.find(ctx, hc, ch, m, len(msgs)); err != nil {
			log.Warn("slack resume lookup failed", "error", err)
			return "", err
		}
		if len(posted) > 0 {
			log.Info("slack delivery resumed", "parts", len(msgs), "already_posted", len(posted))
		}
	}
	ref := posted[0]
	for i, msg := range msgs {
		if _, ok := posted[i]; ok {
			continue
		}
		ts, err := p.PostWithMetadata(ctx, ch, msg, thread, deliveryMetadata(m.Key, i))
		if err != nil {
			return ref, mapError(err)
		}
		if i == 0 {
			ref = ts
		}
	}
	log.Debug("slack delivered", "parts", len(msgs), "ref", ref)
	return ref, nil
}

// find returns the ts of each part of m already in the channel (or the
// thread, for a reply), by part index.
func (d *Deliverer) find(ctx stdctx.Context, c *slackgo.Client, ch string, m bot.Message, parts int) (map[int]string, error) {
	found := map[int]string{}
	oldest := strconv.FormatInt(time.Now().Add(-resumeWindow).Unix(), 10) + ".000000"
	cursor := ""
	for range maxHistoryPages {
		var (
			msgs []slackgo.Message
			more bool
			next string
			err  error
		)
		if m.Kind == bot.KindReply {
			msgs, more, next, err = c.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
				ChannelID: ch, Timestamp: m.ThreadOf, Cursor: cursor, Limit: historyPageSize,
				Oldest: oldest, IncludeAllMetadata: true,
			})
		} else {
			var resp *slackgo.GetConversationHistoryResponse
			resp, err = c.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
				ChannelID: ch, Cursor: cursor, Limit: historyPageSize,
				Oldest: oldest, IncludeAllMetadata: true,
			})
			if err == nil {
				msgs, more, next = resp.Messages, resp.HasMore, resp.ResponseMetaData.NextCursor
			}
		}
		if err != nil {
			code := classify(err)
			if cerr := ctx.Err(); cerr != nil {
				code, err = "cancelled", cerr
			}
			if code == "ratelimited" && d.Observer != nil {
				d.Observer.RateLimited("slack", askedWait(err))
			}
			return nil, mapError(&historyError{Channel: ch, Code: code, Err: err})
		}
		for _, msg := range msgs {
			part, ok := d.match(msg, m.Key, parts)
			if !ok {
				continue
			}
			if prev, dup := found[part]; !dup || tsLess(msg.Timestamp, prev) {
				found[part] = msg.Timestamp
			}
		}
		if len(found) == parts || !more || next == "" {
			return found, nil
		}
		cursor = next
	}
	d.logger().Warn("slack resume lookup stopped early", "channel", ch, "key", m.Key, "pages", maxHistoryPages, "found", len(found), "parts", parts)
	return found, nil
}

// match reports whether msg is part of the delivery key, and which.
func (d *Deliverer) match(msg slackgo.Message, key string, parts int) (int, bool) {
	md := msg.Metadata
	if md.EventType != MetadataEventType || msg.Timestamp == "" {
		return 0, false
	}
	if d.BotUserID != "" && msg.User != d.BotUserID {
		return 0, false
	}
	if k, _ := md.EventPayload["key"].(string); k != key {
		return 0, false
	}
	var part int
	switch v := md.EventPayload["part"].(type) {
	case float64:
		if v != float64(int(v)) {
			return 0, false
		}
		part = int(v)
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return 0, false
		}
		part = int(n)
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false
		}
		part = n
	default:
		return 0, false
	}
	return part, part >= 0 && part < parts
}

func deliveryMetadata(key string, part int) slackgo.SlackMetadata {
	return slackgo.SlackMetadata{
		EventType:    MetadataEventType,
		EventPayload: map[string]any{"key": key, "part": part},
	}
}

// channelID strips the "slack:" prefix from a bot channel and checks that
// what is left is a Slack conversation ID.
func channelID(channel string) (string, error) {
	id, ok := strings.CutPrefix(channel, "slack:")
	if !ok {
		return "", errors.New("slack: channel " + strconv.Quote(channel) + " is not a slack: channel")
	}
	if id == "" || len(id) > 64 {
		return "", errors.New("slack: channel " + strconv.Quote(channel) + " has no valid conversation ID")
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", errors.New("slack: channel " + strconv.Quote(channel) + " is not a conversation ID (such as C0123ABCD)")
		}
	}
	return id, nil
}

// permanentCodes are Slack error codes a retry cannot fix.
var permanentCodes = map[string]bool{
	"channel_not_found":                        true,
	"not_in_channel":                           true,
	"is_archived":                              true,
	"invalid_auth":                             true,
	"not_authed":                               true,
	"account_inactive":                         true,
	"token_revoked":                            true,
	"token_expired":                            true,
	"no_permission":                            true,
	"missing_scope":                            true,
	"restricted_action":                        true,
	"restricted_action_read_only_channel":      true,
	"restricted_action_thread_only_channel":    true,
	"restricted_action_non_threadable_channel": true,
	"team_access_not_granted":                  true,
	"ekm_access_denied":                        true,
	"org_login_required":                       true,
	"cannot_reply_to_message":                  true,
	"thread_not_found":                         true,
	"msg_too_long":                             true,
	"msg_blocks_too_long":                      true,
	"no_text":                                  true,
	"invalid_blocks":                           true,
	"invalid_blocks_format":                    true,
	"invalid_metadata_format":                  true,
	"invalid_metadata_schema":                  true,
	"metadata_too_large":                       true,
	"metadata_must_be_sent_from_app":           true,
	"invalid_arguments":                        true,
	"invalid_arg_name":                         true,
	"invalid_ts_latest":                        true,
	"invalid_ts_oldest":                        true,
	"invalid_cursor":                           true,
	"too_many_attachments":                     true,
	"as_user_not_supported":                    true,
	"not_allowed_token_type":                   true,
}

// apiCode is the token-free Slack code of a post or history error.
func apiCode(err error) string {
	var pe *PostError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var he *historyError
	if errors.As(err, &he) {
		return he.Code
	}
	return classify(err)
}

// mapError marks err Permanent when its Slack code says a retry cannot
// fix it, and gives a rate limit its wait.
func mapError(err error) error {
	code := apiCode(err)
	switch {
	case code == "ratelimited":
		return &rateLimitError{err: err, wait: askedWait(err)}
	case permanentCodes[code]:
		return bot.Permanent(err)
	case strings.HasPrefix(code, "http_4"):
		// 4xx other than timeouts and rate limits: a wrong URL or a
		// refused token, not a passing failure.
		if code != "http_408" && code != "http_429" {
			return bot.Permanent(err)
		}
	}
	return err
}

// askedWait is the wait a rate-limit error asks for (at least a second).
func askedWait(err error) time.Duration {
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		return rl.RetryAfter
	}
	return firstBackoff
}

// rateLimitError is a delivery Slack refused for its rate limit; bot's
// retry waits RetryAfter.
type rateLimitError struct {
	err  error
	wait time.Duration
}

func (e *rateLimitError) Error() string {
	return e.err.Error() + " (retry after " + e.wait.String() + ")"
}
func (e *rateLimitError) Unwrap() error             { return e.err }
func (e *rateLimitError) RetryAfter() time.Duration { return e.wait }

// historyError is a failed read of a channel's history or a thread. Its
// message names the channel and the Slack error code, never the token.
type historyError struct {
	Channel string
	Code    string
	Err     error
}

func (e *historyError) Error() string {
	return "slack: reading channel " + e.Channel + " to resume a delivery: " + e.Code
}

func (e *historyError) Unwrap() error { return e.Err }

// tsLess orders Slack timestamps ("1700000000.000100").
func tsLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func (d *Deliverer) poster() *Poster {
	var p Poster
	if d.Poster != nil {
		p = *d.Poster
	} else {
		p.Log = d.Log
	}
	if p.Client == nil {
		p.Client = d.Client
	}
	if obs := d.Observer; obs != nil {
		prev := p.OnRateLimit
		p.OnRateLimit = func(wait time.Duration) {
			if prev != nil {
				prev(wait)
			}
			obs.RateLimited("slack", wait)
		}
	}
	return &p
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}
