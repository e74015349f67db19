package sources

import (
	"errors"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/internal/redact"
)

// ErrorKind says what went wrong with a fetch, so health reports and
// scripts can tell a dead host from a broken feed.
type ErrorKind string

const (
	KindDNS          ErrorKind = "dns"           // the host name does not resolve
	KindUnreachable  ErrorKind = "unreachable"   // connection refused or reset, no route
	KindTimeout      ErrorKind = "timeout"       // dial or whole-fetch deadline passed
	KindRedirectLoop ErrorKind = "redirect_loop" // too many redirects
	KindHTTPStatus   ErrorKind = "http_status"   // an unexpected status such as 404 or 500
	KindRateLimited  ErrorKind = "rate_limited"  // 429 or 503, often with Retry-After
	KindTooLarge     ErrorKind = "too_large"     // body over the configured cap
	KindNotAFeed     ErrorKind = "not_a_feed"    // an HTML page or other non-feed document
	KindMalformed    ErrorKind = "malformed"     // a feed the parser could not read (truncated XML…)
	KindFile         ErrorKind = "file"          // a local source file could not be read
	KindOther        ErrorKind = "other"
)

// FetchError is the one error type a fetch returns. Message is written for
// people (it lands in `sahelbrief sources` and in chat); Err keeps the cause.
type FetchError struct {
	Kind       ErrorKind
	Message    string
	StatusCode int           // for KindHTTPStatus and KindRateLimited
	RetryAfter time.Duration // for KindRateLimited, when the server said
	Err        error
}

// Error never shows a URL's credentials: transport errors quote the URL
// (Go masks only the password), and the message is stored and shown.
func (e *FetchError) Error() string {
	if e.Err != nil {
		return redact.URLs(fmt.Sprintf("%s: %v", e.Message, e.Err))
	}
	return redact.URLs(e.Message)
}

func (e *FetchError) Unwrap() error { return e.Err }

// KindOf returns the kind of a fetch error, or KindOther.
func KindOf(err error) ErrorKind {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return KindOther
}
