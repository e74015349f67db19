package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Header names of Discord's interaction signing scheme.
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

const (
	// DefaultMaxSkew is the largest accepted distance between a request's
	// timestamp and the verifier's clock when MaxSkew is zero.
	DefaultMaxSkew = 5 * time.Minute
	// DefaultMaxBody is the body limit Middleware uses when given maxBody <= 0.
	DefaultMaxBody = bot.DefaultMaxBody
)

// Errors returned by Verify; their messages are safe to log.
var (
	ErrNotConfigured  = errors.New("discord: verifier has no valid public key")
	ErrMissingHeaders = errors.New("discord: missing signature headers")
	ErrBadTimestamp   = errors.New("discord: malformed request timestamp")
	ErrStale          = errors.New("discord: request timestamp outside the allowed window")
	ErrBadSignature   = errors.New("discord: bad request signature")
)

// Verifier checks Discord's interaction signatures: an Ed25519 signature,
// hex in X-Signature-Ed25519, over X-Signature-Timestamp followed by the raw
// body, made with the application's key. It is safe for concurrent use.
type Verifier struct {
	// PublicKey is the application's public key (see ParsePublicKey).
	PublicKey ed25519.PublicKey
	// MaxSkew is the largest accepted |now - timestamp|; zero means
	// DefaultMaxSkew.
	MaxSkew time.Duration
}

// ParsePublicKey decodes the hex public key shown in Discord's developer
// portal.
func ParsePublicKey(hexKey string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil {
		return nil, fmt.Errorf("discord: public key is not hex: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key is %d bytes, want %d (%d hex characters)", len(b), ed25519.PublicKeySize, 2*ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func (v *Verifier) skew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// Verify checks the request's signature headers against body, which must be
// the raw, unparsed request body.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	if len(v.PublicKey) != ed25519.PublicKeySize {
		return ErrNotConfigured // ed25519.Verify would panic
	}
	sig, ts := header.Get(HeaderSignature), header.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return ErrMissingHeaders
	}
	signed, ok := bot.RequestTime(ts)
	if !ok {
		return ErrBadTimestamp
	}
	if bot.Stale(signed, time.Now(), v.skew()) {
		return ErrStale
	}
	raw, err := hex.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed", ErrBadSignature)
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(v.PublicKey, msg, raw) {
		return ErrBadSignature
	}
	return nil
}

// Middleware reads at most maxBody bytes of the request body (DefaultMaxBody
// if maxBody <= 0), answers 413 if it is larger, verifies the request before
// anything parses it and answers 401 if that fails. Verified requests reach
// next with r.Body restored to the bytes read.
func (v *Verifier) Middleware(maxBody int64, next http.Handler) http.Handler {
	return bot.VerifiedRequests(maxBody, "invalid request signature", func(r *http.Request, body []byte) error {
		return v.Verify(r.Header, body)
	})(next)
}

// interactionPing is the type of Discord's PING interaction, and
// responsePong the type of the PONG answering it.
const (
	interactionPing = 1
	responsePong    = 1
)

// IsPing reports whether body is a (verified) PING interaction.
func IsPing(body []byte) bool {
	var in struct {
		Type *int `json:"type"`
	}
	return json.Unmarshal(body, &in) == nil && in.Type != nil && *in.Type == interactionPing
}

// WritePong answers a PING with the PONG response {"type":1}.
func WritePong(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, `{"type":%d}`, responsePong)
}
