package bot

import (
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// The retry policy of everything that waits for a chat platform to come
// back: deliveries waiting in the outbox and the long-lived connections
// (Slack Socket Mode, Discord's gateway). The README documents it as
// "5 s doubling to 5 min".
const (
	firstRetry = 5 * time.Second
	maxRetry   = 5 * time.Minute
)

// Backoff is the wait after the n-th failed attempt in a row (0-based):
// 5 s, doubling, at most 5 min, so an outage of hours costs a dozen tries
// an hour and the first try after it is at most 5 min late. It is the
// policy for platform outages (deliveries and connections alike) over
// the project's one backoff rule, briefing.Backoff.
func Backoff(n int) time.Duration { return briefing.Backoff(firstRetry, maxRetry, n) }
