package slack

import (
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Header names of Slack's request signing scheme.
const (
	HeaderTimestamp = "X-Slack-Request-Timestamp"
	HeaderSignature = "X-Slack-Signature"
)

const (
	// DefaultMaxSkew is the largest accepted distance between a request's
	// timestamp and the verifier's clock when MaxSkew is zero.
	DefaultMaxSkew = 5 * time.Minute
	// DefaultMaxReplayEntries bounds the replay cache when MaxReplayEntries
	// is zero.
	DefaultMaxReplayEntries = 100_000
	// DefaultMaxBody is the body limit Middleware uses when given maxBody <= 0.
	DefaultMaxBody = bot.DefaultMaxBody

	signaturePrefix = "v0="
)

// Errors returned by Verify. Their messages never contain the signing secret
// or header values, so they are safe to log.
var (
	ErrNotConfigured  = errors.New("slack: verifier has no signing secret")
	ErrMissingHeaders = errors.New("slack: missing signature headers")
	ErrBadTimestamp   = errors.New("slack: malformed request timestamp")
	ErrStale          = errors.New("slack: request timestamp outside the allowed window")
	ErrBadSignature   = errors.New("slack: bad request signature")
	ErrReplay         = errors.New("slack: request signature already used")
)

// Verifier checks Slack's v0 request signatures (HMAC-SHA256 over
// "v0:{timestamp}:{body}" keyed with the app's signing secret) and rejects
// replays of signatures it has already accepted. The zero value of every
// field but Secret is usable; a Verifier is safe for concurrent use and must
// not be copied after first use.
type Verifier struct {
	// Secret is the app's signing secret.
	Secret []byte
	// MaxSkew is the largest accepted |now - timestamp|; zero means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// MaxReplayEntries caps the replay cache (oldest evicted first); zero
	// means DefaultMaxReplayEntries.
	MaxReplayEntries int

	mu    sync.Mutex
	seen  map[string]*list.Element // MAC -> element of order
	order *list.List               // of *seenEntry, oldest first
}

type seenEntry struct {
	mac     string
	expires time.Time
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

func (v *Verifier) maxEntries() int {
	if v.MaxReplayEntries > 0 {
		return v.MaxReplayEntries
	}
	return DefaultMaxReplayEntries
}

// Verify checks the request's signature headers against body, which must be
// the raw, unparsed request body. On success the signature is remembered and
// any later request carrying it fails with ErrReplay.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	if len(v.Secret) == 0 {
		return ErrNotConfigured
	}
	ts, sig := header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return ErrMissingHeaders
	}
	signed, ok := bot.RequestTime(ts)
	if !ok {
		return ErrBadTimestamp
	}
	now := time.Now()
	skew := v.maxSkew()
	if bot.Stale(signed, now, skew) {
		return ErrStale
	}
	hexSig, ok := strings.CutPrefix(sig, signaturePrefix)
	if !ok {
		return fmt.Errorf("%w: unsupported version", ErrBadSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: malformed", ErrBadSignature)
	}
	mac := hmac.New(sha256.New, v.Secret)
	mac.Write([]byte("v0:"))
	mac.Write([]byte(ts))
	mac.Write([]byte(":"))
	mac.Write(body)
	want := mac.Sum(nil)
	if !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return v.remember(string(want), now, 2*skew)
}

// remember records mac as used until now+ttl, or reports ErrReplay if it is
// already recorded and unexpired.
func (v *Verifier) remember(mac string, now time.Time, ttl time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = make(map[string]*list.Element)
		v.order = list.New()
	}
	// Drop expired entries from the front. Entries are appended in
	// acceptance order, so with a monotonic clock the front expires first.
	for e := v.order.Front(); e != nil; e = v.order.Front() {
		se := e.Value.(*seenEntry)
		if now.Before(se.expires) {
			break
		}
		v.order.Remove(e)
		delete(v.seen, se.mac)
	}
	if e, ok := v.seen[mac]; ok {
		if now.Before(e.Value.(*seenEntry).expires) {
			return ErrReplay
		}
		v.order.Remove(e)
		delete(v.seen, mac)
	}
	for limit := v.maxEntries(); v.order.Len() >= limit; {
		e := v.order.Front()
		v.order.Remove(e)
		delete(v.seen, e.Value.(*seenEntry).mac)
	}
	v.seen[mac] = v.order.PushBack(&seenEntry{mac: mac, expires: now.Add(ttl)})
	return nil
}

// Middleware reads at most maxBody bytes of the request body (DefaultMaxBody
// if maxBody <= 0), answers 413 if it is larger, verifies the request before
// anything parses it and answers 401 if that fails. Verified requests reach
// next with r.Body restored to the bytes read.
func (v *Verifier) Middleware(maxBody int64, next http.Handler) http.Handler {
	return bot.VerifiedRequests(maxBody, "unauthorized", v.check)(next)
}

// check verifies a request for Middleware. Slack re-sends a request it
// thinks timed out, with the same signature and X-Slack-Retry-Num. The
// first copy is being answered: the retry is acknowledged without running
// it twice.
func (v *Verifier) check(r *http.Request, body []byte) error {
	err := v.Verify(r.Header, body)
	if errors.Is(err, ErrReplay) && r.Header.Get("X-Slack-Retry-Num") != "" {
		return fmt.Errorf("%w: %w", bot.ErrAcknowledge, err)
	}
	return err
}
