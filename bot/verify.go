package bot

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request verification shared by the platforms that receive webhooks
// (Slack's HMAC, Discord's Ed25519): the body is read within a limit,
// checked before anything parses it and handed on unchanged. Each
// platform keeps only its signature check.

// DefaultMaxBody is the body limit VerifiedRequests uses when given
// maxBody <= 0.
const DefaultMaxBody = 1 << 20

// ErrAcknowledge, returned (or wrapped) by a check given to
// VerifiedRequests, answers the request 200 without running the handler:
// a platform's retry of a request that is already being answered.
var ErrAcknowledge = errors.New("bot: request acknowledged without running it")

// VerifiedRequests returns middleware that reads at most maxBody bytes of
// a request's body (DefaultMaxBody if maxBody <= 0; 413 when larger, 400
// when unreadable), checks the request with verify before anything parses
// it, and answers 401 with the text reject when verify fails (200 and
// nothing else for ErrAcknowledge). Verified requests reach the handler
// with r.Body restored to the bytes read.
func VerifiedRequests(maxBody int64, reject string, verify func(r *http.Request, body []byte) error) func(http.Handler) http.Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := ReadBody(w, r, maxBody)
			if !ok {
				return
			}
			if err := verify(r, body); err != nil {
				if errors.Is(err, ErrAcknowledge) {
					w.WriteHeader(http.StatusOK)
					return
				}
				http.Error(w, reject, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ReadBody reads at most max bytes of r's body for a signature check,
// answering 413 when it is larger and 400 when it cannot be read (ok is
// then false and the response is written). It leaves r.Body readable
// again, holding the same bytes, for the handler after the check.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, ok bool) {
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return nil, false
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return nil, false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return body, true
}

// RequestTime reads a signed request's timestamp header, in Unix seconds:
// at most 18 digits and nothing else; ok is false when it is malformed.
func RequestTime(ts string) (t time.Time, ok bool) {
	if len(ts) > 18 || strings.Trim(ts, "0123456789") != "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// Stale reports whether a request signed at t is more than skew away from
// now, either way (a replay, or a clock far off).
func Stale(t, now time.Time, skew time.Duration) bool {
	d := now.Sub(t)
	return d > skew || d < -skew
}
