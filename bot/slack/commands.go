package slack

import (
	"bytes"
	stdctx "context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/internal/backoff"
	slackgo "github.com/slack-go/slack"
)

// DefaultCommand is the slash command CommandHandler answers when its
// Command field is empty.
const DefaultCommand = "/sahel"

const (
	defaultAck         = 2500 * time.Millisecond
	defaultTimeout     = 2 * time.Minute // one command, including delivery
	maxRetryAfter      = 30 * time.Second
	postTries          = 3
	maxResponseURLUses = 5 // Slack accepts up to 5 posts to one response_url
	responseTypeShare  = "in_channel"
	responseTypePriv   = "ephemeral"
	workingText        = "Working on it…"
)

// CommandHandler answers Slack slash commands over HTTP. Serve it through
// Handler, so that every request is verified before anything parses it.
//
// A command that answers within Ack is answered in the HTTP response; a
// slower one gets an immediate ephemeral "Working on it…" and its answer is
// posted to the command's response_url when ready. A digest that needs
// several messages sends the others to the response_url too.
type CommandHandler struct {
	Bot      *bot.Bot
	Verifier *Verifier
	// Client posts to response_url; nil means http.DefaultClient.
	Client *http.Client
	// Managers decides who may manage channels (subscribe, digest); nil
	// means only Admins can.
	Managers *Managers
	// Admins are Slack user ids allowed to manage channels when Managers is
	// nil (kept for compatibility; prefer Managers.Listed).
	Admins map[string]bool
	// Ack is how long to wait for an answer before acknowledging; zero means
	// 2.5s (Slack allows 3s).
	Ack time.Duration
	// Log is the logger; nil means slog.Default(). Neither the response_url's
	// path (a secret token) nor the signing secret is ever logged.
	Log *slog.Logger

	// Command is the slash command answered; empty means DefaultCommand.
	Command string
	// Timeout bounds one command, from receipt to the last delivery; zero
	// means 2 minutes.
	Timeout time.Duration
	// ResponseURLAllowed says whether answers may be posted to u (whose
	// scheme is already known to be http or https); nil allows only
	// https://hooks.slack.com.
	ResponseURLAllowed func(u *url.URL) bool

	wg       sync.WaitGroup
	rendered bot.Rendered[encodedReplies] // replies kept for a burst of the same answer
}

// Handler returns h behind h.Verifier's middleware, reading at most maxBody
// bytes (DefaultMaxBody if maxBody <= 0).
func (h *CommandHandler) Handler(maxBody int64) http.Handler {
	return h.Verifier.Middleware(maxBody, h)
}

// Wait blocks until every background answer has been delivered or given up.
func (h *CommandHandler) Wait() { h.wg.Wait() }

// reply is a slash command response: the HTTP response body or a
// response_url post.
type reply struct {
	ResponseType string          `json:"response_type"`
	Text         string          `json:"text"`
	Blocks       []slackgo.Block `json:"blocks,omitempty"`
	UnfurlLinks  *bool           `json:"unfurl_links,omitempty"`
	UnfurlMedia  *bool           `json:"unfurl_media,omitempty"`
}

// ServeHTTP answers one verified slash command request.
func (h *CommandHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	log := h.log().With("channel", "slack:"+f.Get("channel_id"), "user", f.Get("user_id"), "team", f.Get("team_id"))
	if cmd := strings.TrimSpace(f.Get("command")); !strings.EqualFold(cmd, h.command()) {
		log.Warn("slack: unexpected slash command", "command", clip(cmd, 40))
		writeReply(w, textReply(fmt.Sprintf("This app answers `%s`. Try `%s help`.", h.command(), h.command()), false))
		return
	}
	req := bot.Request{
		Channel: "slack:" + f.Get("channel_id"),
		User:    f.Get("user_id"),
		Text:    f.Get("text"),
	}
	ru, err := h.responseURL(f.Get("response_url"))
	if err != nil {
		log.Warn("slack: response_url refused", "error", err)
	}

	ctx, cancel := stdctx.WithTimeout(stdctx.WithoutCancel(r.Context()), h.timeout())
	done := make(chan bot.Response, 1)
	h.wg.Add(1)
	timer := time.NewTimer(h.ack())
	go func() {
		defer h.wg.Done()
		// The permission lookup (users.info) runs inside the ack window.
		req.CanManage = h.canManage(ctx, req.User)
		done <- h.handle(ctx, req, log)
	}()
	defer timer.Stop()

	select {
	case resp := <-done:
		limit := 1
		if ru != nil {
			limit += maxResponseURLUses
		}
		replies, first := h.replies(resp, limit)
		writeJSON(w, first)
		if len(replies) == 1 {
			cancel()
			return
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			defer cancel()
			h.deliver(ctx, ru, replies[1:], log)
		}()
	case <-timer.C:
		writeReply(w, textReply(workingText, false))
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			defer cancel()
			var resp bot.Response
			select {
			case resp = <-done:
			case <-ctx.Done():
				log.Error("slack: command timed out", "error", ctx.Err())
				return
			}
			if ru == nil {
				log.Error("slack: answer not delivered: no usable response_url")
				return
			}
			replies, _ := h.replies(resp, maxResponseURLUses)
			h.deliver(ctx, ru, replies, log)
		}()
	}
}

// canManage asks Managers if set, else Admins.
func (h *CommandHandler) canManage(ctx stdctx.Context, userID string) bool {
	if h.Managers != nil {
		return h.Managers.CanManage(ctx, userID)
	}
	return h.Admins[userID]
}

// handle runs the bot, turning a panic into an apology.
func (h *CommandHandler) handle(ctx stdctx.Context, req bot.Request, log *slog.Logger) (resp bot.Response) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("slack: command panicked", "panic", fmt.Sprint(p))
			resp = bot.Response{Text: "Sorry, something went wrong. The error was logged.", Err: true}
		}
	}()
	return h.Bot.Handle(ctx, req)
}

// replies are resp's replies and the first one encoded, rendered once
// for a burst of the same answer (bot.Response.RenderKey). They are
// shared: not to be changed.
func (h *CommandHandler) replies(resp bot.Response, limit int) ([]reply, []byte) {
	render := func() encodedReplies {
		rs := replies(resp, limit)
		return encodedReplies{rs, encodeReply(rs[0])}
	}
	if resp.RenderKey == "" {
		r := render()
		return r.all, r.first
	}
	r := h.rendered.Get(fmt.Sprintf("%s|%t|%d", resp.RenderKey, resp.Share, limit), render)
	return r.all, r.first
}

// encodedReplies are a response's replies, the first encoded for the
// HTTP answer.
type encodedReplies struct {
	all   []reply
	first []byte
}

// replies renders resp as at most limit replies (limit >= 1). A digest
// too long for the limit keeps its first parts and, when there is room,
// ends with a note saying how many were left out.
func replies(resp bot.Response, limit int) []reply {
	if resp.Digest == nil {
		return []reply{textReply(resp.Text, resp.Share)}
	}
	msgs := RenderDigest(resp.Digest)
	rt := responseType(resp.Share)
	var out []reply
	for _, m := range msgs {
		out = append(out, reply{ResponseType: rt, Text: m.Text, Blocks: m.Blocks, UnfurlLinks: &m.UnfurlLinks, UnfurlMedia: &m.UnfurlMedia})
	}
	if len(out) > limit {
		if limit == 1 {
			return out[:1]
		}
		left := len(out) - (limit - 1)
		out = append(out[:limit-1], reply{ResponseType: rt,
			Text: fmt.Sprintf("…and %d more parts not shown. Try a shorter window or a narrower query.", left)})
	}
	return out
}

// textReply escapes text: user input quoted back can never mention or link.
func textReply(text string, share bool) reply {
	if strings.TrimSpace(text) == "" {
		text = "(no answer)"
	}
	return reply{ResponseType: responseType(share), Text: escape(text)}
}

func responseType(share bool) string {
	if share {
		return responseTypeShare
	}
	return responseTypePriv
}

// writeReply answers with r, encoded.
func writeReply(w http.ResponseWriter, r reply) { writeJSON(w, encodeReply(r)) }

// encodeReply is r as JSON, or nil when it cannot be encoded (it cannot:
// blocks come from slack-go types).
func encodeReply(r reply) []byte {
	body, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	return body
}

// writeJSON answers with body, a reply encoded by encodeReply.
func writeJSON(w http.ResponseWriter, body []byte) {
	if body == nil {
		http.Error(w, "cannot encode reply", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// responseURL parses and checks a response_url. Its errors name the host
// at most, never the path.
func (h *CommandHandler) responseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("slack: no response_url")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("slack: malformed response_url")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("slack: response_url scheme %q not allowed", clip(u.Scheme, 20))
	}
	allowed := h.ResponseURLAllowed
	if allowed == nil {
		allowed = defaultResponseURLAllowed
	}
	if u.User != nil || !allowed(u) {
		return nil, fmt.Errorf("slack: response_url host %q not allowed", clip(u.Host, 100))
	}
	return u, nil
}

func defaultResponseURLAllowed(u *url.URL) bool {
	return u.Scheme == "https" && u.Host == "hooks.slack.com"
}

// deliver posts the replies in order, stopping at the first failure.
func (h *CommandHandler) deliver(ctx stdctx.Context, u *url.URL, rs []reply, log *slog.Logger) {
	for i, r := range rs {
		if err := h.post(ctx, u, r); err != nil {
			log.Error("slack: response_url post failed", "host", u.Host, "part", i+1, "parts", len(rs), "error", err)
			return
		}
	}
}

// post sends one reply, retrying 429 (after Retry-After, capped at 30s),
// 5xx and transport errors (with backoff), postTries times in all.
func (h *CommandHandler) post(ctx stdctx.Context, u *url.URL, r reply) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("slack: encode reply: %w", err)
	}
	var last error
	for try := 1; try <= postTries; try++ {
		wait := backoff.Policy{First: time.Second, Max: maxRetryAfter}.Wait(try - 1)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err != nil {
			return errors.New("slack: cannot build response_url request")
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := h.client().Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("slack: response_url post: %w", ctx.Err())
			}
			// *url.Error would quote the URL, token and all: keep only the cause.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			last = fmt.Errorf("slack: response_url post: %v", err)
		} else {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			switch {
			case resp.StatusCode < 300:
				return nil
			case resp.StatusCode == http.StatusTooManyRequests:
				last = errors.New("slack: response_url post: rate limited (429)")
				if ra := backoff.RetryAfter(resp.Header.Get("Retry-After"), time.Now(), maxRetryAfter); ra > 0 {
					wait = ra
				}
			case resp.StatusCode >= 500:
				last = fmt.Errorf("slack: response_url post: status %d", resp.StatusCode)
			default:
				return fmt.Errorf("slack: response_url post: status %d", resp.StatusCode)
			}
		}
		if try == postTries {
			break
		}
		if err := backoff.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("slack: response_url post: %w (after: %v)", err, last)
		}
	}
	return last
}

func (h *CommandHandler) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return http.DefaultClient
}

func (h *CommandHandler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *CommandHandler) ack() time.Duration {
	if h.Ack > 0 {
		return h.Ack
	}
	return defaultAck
}

func (h *CommandHandler) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return defaultTimeout
}

func (h *CommandHandler) command() string {
	if h.Command != "" {
		return h.Command
	}
	return DefaultCommand
}

// clip shortens untrusted text for logs and messages.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
