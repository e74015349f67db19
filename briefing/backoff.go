package briefing

import "time"

// Backoff is the wait before retry n (0-based) of a doubling backoff: first,
// then twice as long each time, never more than limit. It is the one
// backoff rule of the project; each caller owns its retries (and records
// them) and picks its first wait and limit: sources from their poll
// interval up to SAHELBRIEF_MAX_BACKOFF, chat platforms 5 s up to 5 min
// (bot.Backoff), a single Slack post 1 s up to 30 s.
func Backoff(first, limit time.Duration, n int) time.Duration {
	if first <= 0 {
		return 0
	}
	d := first
	for i := 0; i < n && d < limit; i++ {
		if d > limit/2 {
			return limit // doubling would pass the limit (or overflow)
		}
		d *= 2
	}
	return min(d, limit)
}
