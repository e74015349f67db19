package briefing

import (
	"errors"
	"fmt"
	"time"
)

// Lease is a named right held by one process until it expires: the bot
// (the delivery loop, the scheduler and the chat connections) holds the
// lease LeaseBot on its database, so that one database has one bot. It is
// an owner and an expiry, renewed by its holder, so a crashed holder's
// lease runs out and a shared database server can carry it as well.
type Lease struct {
	Name  string
	Owner string // unique to one process: host:pid:random
	Host  string
	PID   int
	// Acquired is when Owner took it; Renewed its last heartbeat; past
	// Expires anyone may take it over.
	Acquired, Renewed, Expires time.Time
}

// LeaseBot is the lease of the process that delivers and schedules.
const LeaseBot = "bot"

// Expired reports whether the lease has run out at now.
func (l Lease) Expired(now time.Time) bool { return !now.Before(l.Expires) }

// Holder describes who holds the lease, for messages: "pid 123 on host
// h, since 02 Dec 17:05:03 UTC".
func (l Lease) Holder() string {
	return fmt.Sprintf("pid %d on host %s, since %s", l.PID, l.Host, l.Acquired.UTC().Format("02 Jan 2006 15:04:05 UTC"))
}

// LeaseHeldError is returned when a live lease is held by another owner.
type LeaseHeldError struct {
	Holder Lease
	Now    time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("lease %q is held by %s (last renewed %s ago, expires in %s unless renewed)", e.Holder.Name,
		e.Holder.Holder(), roundSecond(e.Now.Sub(e.Holder.Renewed)), roundSecond(e.Holder.Expires.Sub(e.Now)))
}

func roundSecond(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// Errors of leases and delivery claims.
var (
	// ErrLeaseLost: the lease is no longer ours (another process took it
	// over, or the database was restored).
	ErrLeaseLost = errors.New("lease lost")
	// ErrClaimed: another owner's live claim holds the delivery.
	ErrClaimed = errors.New("claimed by another process")
)
