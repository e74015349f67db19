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

// Retry policy.
const (
	DefaultMaxRetries = 4
	maxRateLimitWait  = 60 * time.Second
	firstBackoff      = time.Second
	maxBackoff        = 30 * time.Second
)

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

// Poster posts rendered messages with chat.postMessage, retrying rate
// limits and transient failures.
type Poster struct {
	Client     *slackgo.Client
	MaxRetries int // retries per message (rate limits included); 0 means DefaultMaxRetries
	// Sleep waits d or until ctx is done; nil waits on a timer.
	Sleep func(ctx stdctx.Context, d time.Duration) error
	Log   *slog.Logger // nil discards
	// OnRateLimit, when not nil, is called with the wait Slack asked for
	// each time it answers a post with a rate limit (retried or not).
	OnRateLimit func(wait time.Duration)
}

// PostError is a failed post. Its message names the channel and the Slack
// error code, never the token.
type PostError struct {
	Channel string
	Code    string // Slack error code ("channel_not_found"), "http_503", "ratelimited", "network_error"…
	Err     error  // the underlying error, for errors.Is/As
}

func (e *PostError) Error() string {
	return "slack: posting to channel " + e.Channel + ": " + e.Code
}

func (e *PostError) Unwrap() error { return e.Err }

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
// not empty) carrying Slack message metadata, and returns its ts. Retries
// are as for Post.
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
	maxRetries := p.MaxRetries
	if maxRetries <= 0 {
		maxRetries = DefaultMaxRetries
	}
	backoffs := 0 // waits taken from the backoff (not asked for by a rate limit)
	for attempt := 0; ; attempt++ {
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
		code, wait, retry := classify(err)
		if code == "ratelimited" && p.OnRateLimit != nil {
			p.OnRateLimit(askedWait(err))
		}
		if retry && wait == 0 {
			wait = briefing.Backoff(firstBackoff, maxBackoff, backoffs)
			backoffs++
		}
		if !retry || attempt >= maxRetries {
			p.logger().Warn("slack post failed", "channel", channel, "code", code, "attempts", attempt+1)
			return "", &PostError{Channel: channel, Code: code, Err: err}
		}
		p.logger().Info("slack post retry", "channel", channel, "code", code, "attempt", attempt+1, "retry_in", wait.String())
		if serr := p.sleep(ctx, wait); serr != nil {
			return "", &PostError{Channel: channel, Code: "cancelled", Err: serr}
		}
	}
}

// classify returns a token-free code for err, whether to retry, and the
// wait a rate limit asks for (0: use the backoff).
func classify(err error) (code string, wait time.Duration, retry bool) {
	var rl *slackgo.RateLimitedError
	var sc slackgo.StatusCodeError
	var se slackgo.SlackErrorResponse
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		wait = min(rl.RetryAfter, maxRateLimitWait)
		if wait <= 0 {
			wait = firstBackoff
		}
		return "ratelimited", wait, true
	case errors.As(err, &sc):
		return "http_" + strconv.Itoa(sc.Code), 0, sc.Code >= 500
	case errors.As(err, &se):
		if se.Err == "" {
			return "unknown_error", 0, false
		}
		return se.Err, 0, false
	case errors.As(err, &ne), errors.As(err, &ue):
		return "network_error", 0, true
	default:
		return fmt.Sprintf("error (%T)", err), 0, false
	}
}

func (p *Poster) sleep(ctx stdctx.Context, d time.Duration) error { return sleepWith(p.Sleep, ctx, d) }

// sleepWith waits d with fn, or on a timer when fn is nil, returning early
// with ctx's error when it ends.
func sleepWith(fn func(stdctx.Context, time.Duration) error, ctx stdctx.Context, d time.Duration) error {
	if fn != nil {
		return fn(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Poster) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}
