// Package defaults holds the settings' defaults in one place: config
// documents and applies them (SAHELBRIEF_* variables left unset), and the
// packages that take a setting fall back on the same value when given
// none (sources' fetcher and poller, bot's dispatcher, scheduler and
// lease).
package defaults

import "time"

const (
	PollInterval    = 10 * time.Minute // SAHELBRIEF_POLL_INTERVAL
	FetchTimeout    = 30 * time.Second // SAHELBRIEF_FETCH_TIMEOUT
	MaxFeedBytes    = 10 << 20         // SAHELBRIEF_MAX_FEED_BYTES (10MiB)
	MaxFeedItems    = 1000             // SAHELBRIEF_MAX_FEED_ITEMS
	Concurrency     = 16               // SAHELBRIEF_CONCURRENCY
	PerHost         = 2                // SAHELBRIEF_PER_HOST
	MaxBackoff      = 6 * time.Hour    // SAHELBRIEF_MAX_BACKOFF
	AlertsPerMinute = 5                // SAHELBRIEF_ALERTS_PER_MINUTE
	DigestGrace     = 6 * time.Hour    // SAHELBRIEF_DIGEST_GRACE
	LeaseTTL        = 15 * time.Second // SAHELBRIEF_LEASE_TTL
)
