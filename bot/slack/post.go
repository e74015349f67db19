package slack

import (
	stdctx "context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	slackgo "github.com/slack-go/slack"
)

// firstBackoff is the wait a rate limit without a Retry-After asks for.
const firstBackoff = time.Second

// NewClient returns a Slack Web API client for token. apiURL, when not
// empty, replaces Slack's (SLACK_API_URL; it must end with "/"), and
// httpClient, when not nil, replaces http.DefaultClient.
func NewClient(token, apiURL string, httpClient *http.Client) *slackgo.Client {
	var opts []slackgo.Option
	if apiURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(apiURL))
	}
	if httpClient != nil {
		opts = append(opts, slackgo.OptionHTTPClient(httpClient))
	}
	return slackgo.New(token, opts...)
}

// NewSocketClient is NewClient with the app-level (xapp-) token Socket
// Mode connects with.
func NewSocketClient(botToken, appToken, apiURL string) *slackgo.Client {
	opts := []slackgo.Option{slackgo.OptionAppLevelToken(appToken)}
	if apiURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(apiURL))
	}
	return slackgo.New(botToken, opts...)
}

// Poster posts rendered messages with chat.postMessage, one attempt per
// message: it never retries. A failure comes back as a *PostError with
// Slack's code and, for a rate limit, how long Slack asked to wait; the
// caller that owns the retries (bot's dispatcher) waits and
// tries again.
type Poster struct {
	Client *slackgo.Client
	Log    *slog.Logger // nil discards
	// OnRateLimit, when not nil, is called with the wait Slack asked for
	// each time it answers a post with a rate limit.
	OnRateLimit func(wait time.Duration)
}

// PostError is a failed post. Its message names the channel and the Slack
// error code, never the token. Which codes a retry may fix is the
// Deliverer's call (mapError).
type PostError struct {
	Channel string
	Code    string // Slack error code ("channel_not_found"), "http_503", "ratelimited", "network_error"…
	// Wait is how long a rate limit asked to wait before the next attempt
	// (at least a second); zero for any other failure.
	Wait time.Duration
	Err  error // the underlying error, for errors.Is/As
}

func (e *PostError) Error() string {
	return "slack: posting to channel " + e.Channel + ": " + e.Code
}

func (e *PostError) Unwrap() error { return e.Err }

// RetryAfter is the wait a rate limit asked for (bot.RetryAfter reads it).
func (e *PostError) RetryAfter() time.Duration { return e.Wait }

// PostDigest renders d and posts it as top-level messages in channel,
// returning the ts of the first.
func (p *Poster) PostDigest(ctx stdctx.Context, channel string, d *briefing.Digest) (string, error) {
	return p.Post(ctx, channel, RenderDigest(d), "")
}

// Post posts msgs in order to channel, in the thread threadTS when it is
// not empty, and returns the ts of the first message. Messages are posted
// one at a time; if one fails, the ts of the first (if it was posted) is
// returned with the error and the rest are not posted.
func (p *Poster) Post(ctx stdctx.Context, channel string, msgs []Message, threadTS string) (firstTS string, err error) {
	if p.Client == nil {
		return "", errors.New("slack: poster has no client")
	}
	for i, m := range msgs {
		ts, err := p.postOne(ctx, channel, m, threadTS)
		if err != nil {
			return firstTS, err
		}
		if i == 0 {
			firstTS = ts
		}
	}
	return firstTS, nil
}

// PostWithMetadata posts m to channel (in the thread threadTS when it is
// not empty) carrying Slack message metadata, and returns its ts, in one
// attempt as for Post.
func (p *Poster) PostWithMetadata(ctx stdctx.Context, channel string, m Message, threadTS string, meta slackgo.SlackMetadata) (string, error) {
	if p.Client == nil {
		return "", errors.New("slack: poster has no client")
	}
	return p.postOne(ctx, channel, m, threadTS, slackgo.MsgOptionMetadata(meta))
}

func (p *Poster) postOne(ctx stdctx.Context, channel string, m Message, threadTS string, extra ...slackgo.MsgOption) (string, error) {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slackgo.MsgOptionBlocks(m.Blocks...))
	}
	if m.UnfurlLinks {
		opts = append(opts, slackgo.MsgOptionEnableLinkUnfurl())
	} else {
		opts = append(opts, slackgo.MsgOptionDisableLinkUnfurl())
	}
	if !m.UnfurlMedia {
		opts = append(opts, slackgo.MsgOptionDisableMediaUnfurl())
	}
	if threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(threadTS))
	}
	opts = append(opts, extra...)
	if err := ctx.Err(); err != nil {
		return "", &PostError{Channel: channel, Code: "cancelled", Err: err}
	}
	_, ts, err := p.Client.PostMessageContext(ctx, channel, opts...)
	if err == nil {
		return ts, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return "", &PostError{Channel: channel, Code: "cancelled", Err: cerr}
	}
	code := classify(err)
	pe := &PostError{Channel: channel, Code: code, Err: err}
	if code == "ratelimited" {
		pe.Wait = askedWait(err)
		if p.OnRateLimit != nil {
			p.OnRateLimit(pe.Wait)
		}
	}
	p.logger().Warn("slack post failed", "channel", channel, "code", code, "retry_after", pe.Wait.String())
	return "", pe
}

// classify returns a token-free code for err.
func classify(err error) string {
	var rl *slackgo.RateLimitedError
	var sc slackgo.StatusCodeError
	var se slackgo.SlackErrorResponse
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		return "ratelimited"
	case errors.As(err, &sc):
		return "http_" + strconv.Itoa(sc.Code)
	case errors.As(err, &se):
		if se.Err == "" {
			return "unknown_error"
		}
		return se.Err
	case errors.As(err, &ne), errors.As(err, &ue):
		return "network_error"
	default:
		return fmt.Sprintf("error (%T)", err)
	}
}

func (p *Poster) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}
