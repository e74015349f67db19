// Package backoff is the project's one retry rule: a doubling wait with a
// limit, a sleep that ends with its context, and one reader of an HTTP
// Retry-After header. The caller owns its retries (and records them); this
// package only says how long to wait.
package backoff

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy is a doubling backoff: First before the first retry, then twice
// as long each time, never more than Max.
type Policy struct {
	First, Max time.Duration
}

// Platform is the policy of everything that waits for a chat platform to
// come back: deliveries waiting in the outbox and the long-lived
// connections (Slack Socket Mode, Discord's gateway). The README documents
// it as "5 s doubling to 5 min": an outage of hours costs a dozen tries an
// hour and the first try after it is at most 5 min late.
var Platform = Policy{First: 5 * time.Second, Max: 5 * time.Minute}

// Wait is the wait before retry n (0-based; a negative n is 0): First, then
// twice as long each time, never more than Max. A Policy without a First
// never waits.
func (p Policy) Wait(n int) time.Duration {
	if p.First <= 0 {
		return 0
	}
	d := p.First
	for i := 0; i < n && d < p.Max; i++ {
		if d > p.Max/2 {
			return p.Max // doubling would pass the limit (or overflow)
		}
		d *= 2
	}
	return min(d, p.Max)
}

// Sleep waits d, or less when ctx ends first, in which case it returns
// ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
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

// RetryAfter reads an HTTP Retry-After value at now: seconds (possibly
// fractional) or an HTTP date. It returns 0 when v is empty, unreadable,
// negative or in the past, and never more than limit (a huge count of
// seconds is capped before it is multiplied, so it cannot wrap around).
func RetryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case s <= 0 || s != s: // negative, zero or NaN
			return 0
		case s >= limit.Seconds():
			return limit
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), limit)
	}
	return 0
}
