package bot

import (
	"time"

	"github.com/sahelbrief/sahelbrief/internal/backoff"
)

// Backoff is the wait after the n-th failed attempt in a row (0-based) at
// a chat platform: backoff.Platform (5 s doubling to 5 min), the policy of
// deliveries and of the long-lived connections alike. It is a thin alias
// kept for the connection loops; new code uses backoff.Platform.
func Backoff(n int) time.Duration { return backoff.Platform.Wait(n) }
