package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sahelbrief/sahelbrief/internal/backoff"
	"github.com/sahelbrief/sahelbrief/internal/redact"
)

// ErrAuthRejected means a platform refused the bot's token (Slack's
// invalid_auth and kin, HTTP 401, Discord's close code 4004): no retry
// fixes it. Adapters wrap such failures with AuthRejected; callers test
// for it with errors.Is.
var ErrAuthRejected = errors.New("the platform rejected the token")

// AuthRejected marks err as a rejected token: errors.Is(err,
// ErrAuthRejected) holds, and err's text and chain are kept (nil stays
// nil).
func AuthRejected(err error) error {
	if err == nil {
		return nil
	}
	return authRejected{err}
}

type authRejected struct{ err error }

func (e authRejected) Error() string   { return e.err.Error() }
func (e authRejected) Unwrap() []error { return []error{e.err, ErrAuthRejected} }

// stableConnection is how long a chat connection must have run for its
// end to start a fresh outage: the next wait is the first one again.
const stableConnection = 5 * time.Minute

// KeepConnected runs a long-lived connection (Socket Mode, the Discord
// gateway) again whenever it ends or fails to connect, waiting as Backoff
// says (5 s doubling to 5 min, as for deliveries). Each failed attempt is
// logged once, at WARN, with its reason and the wait, so an outage is
// visible at the default level. It returns the error only when the
// platform rejected the token (ErrAuthRejected), which no retry fixes.
func KeepConnected(name string, run func(context.Context) error, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		failures := 0
		for {
			start := time.Now()
			err := run(ctx)
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("connection ended")
			}
			if errors.Is(err, ErrAuthRejected) {
				return err
			}
			if time.Since(start) > stableConnection {
				failures = 0 // it had been up a while: a fresh outage
			}
			wait := backoff.Platform.Wait(failures)
			failures++
			// No token in the reason: tokens travel in headers, which no
			// error quotes, and the Slack adapter cuts the query (a ticket)
			// of the URLs it quotes.
			log.Warn("chat connection failed; retrying", "connection", name, "attempt", failures,
				"error", redact.URLs(err.Error()), "retry_in", wait.String())
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
	}
}
