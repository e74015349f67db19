package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/internal/backoff"
)

// channelPrefix qualifies Discord channel ids in bot.Message.Channel.
const channelPrefix = "discord:"

// historyLimit is how many recent messages a resumed delivery looks
// through for parts already posted (Discord's maximum per request).
const historyLimit = 100

// Deliverer posts bot messages to Discord channels over the REST API.
// It implements bot.Deliverer.
//
// Idempotency has two layers. Every part i of a message is sent with a
// nonce derived from the message's Key and i, and enforce_nonce, so
// Discord itself answers a repeated send within its few-minute window
// with the message it already created. Past that window, a resumed
// delivery reads the channel's last 100 messages and skips the parts it
// finds there: each part carries a short visible marker, "ref
// <8 hex of sha256(Key)>·<i>", in the footer of its last embed (footers
// are small grey text that render neither markdown nor mentions) or, when
// the part has no embed or its embeds are full, as a subtext line "-# ref …"
// at the end of its content. Only messages written by this bot (the
// session's user when known, else any bot) are trusted.
type Deliverer struct {
	Session  *discordgo.Session
	Log      *slog.Logger
	Observer bot.Observer // told about rate limits; may be nil

	mu   sync.Mutex
	self string // the bot's user id, once asked of GET /users/@me
}

var _ bot.Deliverer = (*Deliverer)(nil)

// Deliver posts m to its channel and returns the id of its first part's
// message, found or posted. See bot.Deliverer.
func (d *Deliverer) Deliver(ctx context.Context, m bot.Message, resume bool) (string, error) {
	channel, err := channelID(m.Channel)
	if err != nil {
		return "", bot.Permanent(err)
	}
	if d.Session == nil {
		return "", bot.Permanent(errors.New("discord: deliverer has no session"))
	}
	if m.Key == "" {
		return "", bot.Permanent(errors.New("discord: message has no key"))
	}
	msgs, err := RenderMessage(m)
	if err != nil {
		return "", bot.Permanent(err)
	}
	sum := keyHash(m.Key)
	for i, ms := range msgs {
		if ms.Reference != nil {
			ms.Reference.ChannelID = channel
		}
		mark(ms, refMarker(sum, i))
	}

	ids := make([]string, len(msgs))
	found := 0
	if resume {
		if found, err = d.posted(ctx, channel, sum, ids); err != nil {
			return "", err
		}
	}
	for i, ms := range msgs {
		if ids[i] != "" {
			continue
		}
		id, err := d.send(ctx, channel, ms, nonce(m.Key, i))
		if err != nil {
			return "", fmt.Errorf("discord: post %s part %d of %d to channel %s: %w", m.Kind, i+1, len(msgs), channel, err)
		}
		ids[i] = id
	}
	d.log().LogAttrs(ctx, slog.LevelDebug, "discord: delivered",
		slog.String("channel", m.Channel), slog.String("kind", string(m.Kind)), slog.String("key", m.Key),
		slog.Int("parts", len(msgs)), slog.Int("found", found), slog.String("ref", ids[0]))
	return ids[0], nil
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// channelID returns the Discord channel id of a "discord:<id>" channel.
func channelID(channel string) (string, error) {
	id, ok := strings.CutPrefix(channel, channelPrefix)
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Errorf("discord: %q is not a Discord channel (want discord:<channel id>)", channel)
	}
	return id, nil
}

// keyHash is the hex SHA-256 of a delivery key.
func keyHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// nonce is the nonce of part i of the delivery with key: 20 hex digits of
// the key's SHA-256, a dot and i in base 36; at most 25 characters (for
// i below 36⁴), as Discord requires.
func nonce(key string, i int) string {
	return keyHash(key)[:20] + "." + strconv.FormatInt(int64(i), 36)
}

// refMarker is the visible marker of part i ("ref 3f9a2c1b·0").
func refMarker(sum string, i int) string { return "ref " + sum[:8] + "·" + strconv.Itoa(i) }

var markerPattern = regexp.MustCompile(`\bref ([0-9a-f]{8})·([0-9]+)`)

// mark puts the part's marker in the footer of its last embed when it
// fits there, else on a subtext line at the end of its content.
func mark(ms *discordgo.MessageSend, mk string) {
	if n := len(ms.Embeds); n > 0 {
		e := ms.Embeds[n-1]
		text, old := mk, ""
		if e.Footer != nil && e.Footer.Text != "" {
			old = e.Footer.Text
			text = old + " · " + mk
		}
		if units(text) <= MaxFooter && embedTotal(ms)-units(old)+units(text) <= MaxEmbedTotal {
			if e.Footer == nil {
				e.Footer = &discordgo.MessageEmbedFooter{}
			}
			e.Footer.Text = text
			return
		}
	}
	line := "-# " + mk
	if strings.TrimSpace(ms.Content) == "" {
		ms.Content = line
		return
	}
	ms.Content = cut(ms.Content, MaxContent-units(line)-1) + "\n" + line
}

// embedTotal counts a message's embed characters as Discord does towards
// MaxEmbedTotal.
func embedTotal(ms *discordgo.MessageSend) int {
	n := 0
	for _, e := range ms.Embeds {
		n += units(e.Title) + units(e.Description)
		for _, f := range e.Fields {
			n += units(f.Name) + units(f.Value)
		}
		if e.Footer != nil {
			n += units(e.Footer.Text)
		}
		if e.Author != nil {
			n += units(e.Author.Name)
		}
	}
	return n
}

// partsMarked returns the part indexes a message's markers name for sum.
func partsMarked(msg *discordgo.Message, sum string) []int {
	texts := []string{msg.Content}
	for _, e := range msg.Embeds {
		if e != nil && e.Footer != nil {
			texts = append(texts, e.Footer.Text)
		}
	}
	var parts []int
	for _, t := range texts {
		for _, m := range markerPattern.FindAllStringSubmatch(t, -1) {
			if m[1] != sum[:8] {
				continue
			}
			if i, err := strconv.Atoi(m[2]); err == nil {
				parts = append(parts, i)
			}
		}
	}
	return parts
}

// posted fills ids with the message ids of parts this bot already posted
// in the channel's recent history (the oldest when a part is there twice)
// and returns how many it found.
func (d *Deliverer) posted(ctx context.Context, channel, sum string, ids []string) (int, error) {
	uri := discordgo.EndpointChannelMessages(channel) + "?limit=" + strconv.Itoa(historyLimit)
	body, err := d.call(ctx, http.MethodGet, uri, discordgo.EndpointChannelMessages(channel), nil)
	if err != nil {
		return 0, fmt.Errorf("discord: read channel %s to resume: %w", channel, err)
	}
	var history []*discordgo.Message
	if err := json.Unmarshal(body, &history); err != nil {
		return 0, fmt.Errorf("discord: read channel %s to resume: %w", channel, err)
	}
	self := d.selfID(ctx)
	found := 0
	for j := len(history) - 1; j >= 0; j-- { // newest first: walk oldest first
		msg := history[j]
		if msg == nil || msg.Author == nil || msg.ID == "" {
			continue
		}
		if (self != "" && msg.Author.ID != self) || (self == "" && !msg.Author.Bot) {
			continue
		}
		for _, i := range partsMarked(msg, sum) {
			if i < len(ids) && ids[i] == "" {
				ids[i] = msg.ID
				found++
			}
		}
	}
	return found, nil
}

// selfID is the bot's user id: from the session's state when a gateway
// filled it, else asked once of GET /users/@me, so a resume trusts only
// the bot's own messages. It is "" when neither is available (a resume
// then trusts any bot's messages carrying the marker).
func (d *Deliverer) selfID(ctx context.Context) string {
	if st := d.Session.State; st != nil {
		st.RLock()
		u := st.User
		st.RUnlock()
		if u != nil && u.ID != "" {
			return u.ID
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.self != "" {
		return d.self
	}
	body, err := d.call(ctx, http.MethodGet, discordgo.EndpointUser("@me"), discordgo.EndpointUser("@me"), nil)
	var u discordgo.User
	if err != nil || json.Unmarshal(body, &u) != nil || u.ID == "" {
		d.log().Warn("discord: could not learn the bot's user id; resuming trusts any bot's marked messages", "error", err)
		return ""
	}
	d.self = u.ID
	return d.self
}

// createMessage is a create-message body with the nonce fields discordgo's
// MessageSend lacks.
type createMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// send posts one part and returns its message id.
func (d *Deliverer) send(ctx context.Context, channel string, ms *discordgo.MessageSend, nonce string) (string, error) {
	for _, e := range ms.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich
		}
	}
	endpoint := discordgo.EndpointChannelMessages(channel)
	body, err := d.call(ctx, http.MethodPost, endpoint, endpoint, createMessage{MessageSend: ms, Nonce: nonce, EnforceNonce: true})
	if err != nil {
		return "", err
	}
	var got discordgo.Message
	if err := json.Unmarshal(body, &got); err != nil {
		return "", fmt.Errorf("discord: create message answer: %w", err)
	}
	if got.ID == "" {
		return "", errors.New("discord: create message answer has no id")
	}
	return got.ID, nil
}

// call makes one REST request through discordgo (its per-route rate
// limiter) in a single attempt: neither its in-process wait on a 429 nor
// its retries of a 502. The dispatcher owns the retries: a rate limit
// comes back as an error with RetryAfter, anything else as an error its
// backoff retries. Errors are classified as Permanent, rate-limited or
// retryable.
func (d *Deliverer) call(ctx context.Context, method, uri, bucket string, data any) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lr := &lastResponse{}
	client := &http.Client{}
	if d.Session.Client != nil {
		*client = *d.Session.Client
	}
	lr.base = client.Transport
	if lr.base == nil {
		lr.base = http.DefaultTransport
	}
	client.Transport = lr
	body, err := d.Session.RequestWithBucketID(method, uri, data, bucket,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0),
		discordgo.WithClient(client))
	if err != nil {
		return nil, d.classify(err, lr)
	}
	return body, nil
}

// lastResponse remembers the status and Retry-After header of the last
// response, which discordgo's errors do not carry (a 429 whose body is not
// Discord's JSON comes back as a bare decoding error).
type lastResponse struct {
	base       http.RoundTripper
	mu         sync.Mutex
	status     int
	retryAfter string
}

func (l *lastResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err == nil {
		l.mu.Lock()
		l.status, l.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
		l.mu.Unlock()
	}
	return resp, err
}

func (l *lastResponse) get() (int, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status, l.retryAfter
}

// maxRetryAfter caps the wait a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// permanentCodes are Discord JSON error codes a retry cannot fix.
var permanentCodes = map[int]bool{
	10003: true, // Unknown Channel
	10004: true, // Unknown Guild
	50001: true, // Missing Access
	50013: true, // Missing Permissions
	50035: true, // Invalid Form Body
	40001: true, // Unauthorized
	50008: true, // Cannot send messages in a non-text channel
	50083: true, // Operation on an archived thread
}

// classify maps a discordgo error: 429 to a rateLimitError (and tells
// the Observer), 400/401/403/404 and the codes above to bot.Permanent,
// anything else (5xx, network, context) stays retryable. discordgo's
// errors carry the response body but never the request's token.
func (d *Deliverer) classify(err error, lr *lastResponse) error {
	status, header := lr.get()
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) || status == http.StatusTooManyRequests {
		var wait time.Duration
		if rl != nil && rl.RateLimit != nil && rl.TooManyRequests != nil {
			wait = rl.TooManyRequests.RetryAfter
		}
		wait = max(wait, backoff.RetryAfter(header, time.Now(), maxRetryAfter))
		if d.Observer != nil {
			d.Observer.RateLimited("discord", wait)
		}
		return &rateLimitError{wait: wait, err: err}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		code := 0
		if re.Message != nil {
			code = re.Message.Code
		}
		s := 0
		if re.Response != nil {
			s = re.Response.StatusCode
		}
		switch {
		case permanentCodes[code], s == http.StatusBadRequest, s == http.StatusUnauthorized,
			s == http.StatusForbidden, s == http.StatusNotFound:
			return bot.Permanent(err)
		}
	}
	return err
}

// rateLimitError is a 429: retry after RetryAfter.
type rateLimitError struct {
	wait time.Duration
	err  error
}

func (e *rateLimitError) Error() string {
	return "discord: rate limited, retry after " + e.wait.String() + ": " + e.err.Error()
}
func (e *rateLimitError) Unwrap() error             { return e.err }
func (e *rateLimitError) RetryAfter() time.Duration { return e.wait }
