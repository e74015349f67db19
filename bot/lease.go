package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// LeaseStore is what holding a lease needs of persistence.
type LeaseStore interface {
	AcquireLease(ctx context.Context, l briefing.Lease, now time.Time, ttl time.Duration) (briefing.Lease, error)
	RenewLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) error
	ReleaseLease(ctx context.Context, name, owner string) error
}

// DefaultLeaseTTL is how long the bot's lease (and its delivery claims)
// outlive the last heartbeat: how long a crashed bot keeps the next one
// from starting.
const DefaultLeaseTTL = defaults.LeaseTTL

// NewOwner returns an owner id unique to this process and call:
// host:pid:random (the random part tells apart a reused pid, or two
// containers with the same host name and pid).
func NewOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Lease holds a named lease for the life of a process: Acquire at start,
// Hold (the heartbeat) beside the work, Release at a clean stop. The bot's
// lease makes it the one process delivering and scheduling on its
// database; its claims on deliveries are renewed with it.
type Lease struct {
	Store LeaseStore
	Name  string
	// Owner is this process's owner id (NewOwner); the Dispatcher claims
	// deliveries under the same id.
	Owner string
	// TTL is how long the lease outlives a heartbeat (DefaultLeaseTTL);
	// heartbeats come every TTL/3, so two can fail before it runs out.
	TTL time.Duration
	Log *slog.Logger
}

func (l *Lease) ttl() time.Duration {
	if l.TTL <= 0 {
		return DefaultLeaseTTL
	}
	return l.TTL
}

func (l *Lease) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Acquire takes the lease, or fails with a *briefing.LeaseHeldError naming
// the live holder. Taking over a holder's expired lease (it crashed, or
// was killed) is logged with who it was.
func (l *Lease) Acquire(ctx context.Context) error {
	host, _ := os.Hostname()
	now := time.Now()
	prev, err := l.Store.AcquireLease(ctx, briefing.Lease{Name: l.Name, Owner: l.Owner, Host: host, PID: os.Getpid()}, now, l.ttl())
	if err != nil {
		return err
	}
	if prev.Owner != "" {
		l.log().Warn("took over the lease of a bot that stopped without releasing it", "lease", l.Name,
			"previous_pid", prev.PID, "previous_host", prev.Host, "previous_since", prev.Acquired,
			"expired_ago", now.Sub(prev.Expires).Round(time.Millisecond).String())
	}
	return nil
}

// Hold renews the lease every TTL/3 until ctx ends (nil), and returns an
// error when the lease is lost: another process holds it, or no renewal
// succeeded before it ran out (whoever took it over may be delivering).
// The caller must then stop delivering at once.
func (l *Lease) Hold(ctx context.Context) error {
	ttl := l.ttl()
	every := ttl / 3
	expires := time.Now().Add(ttl)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
		now := time.Now()
		err := l.Store.RenewLease(ctx, l.Name, l.Owner, now, ttl)
		switch {
		case err == nil:
			expires = now.Add(ttl)
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, briefing.ErrLeaseLost):
			return err
		case !now.Before(expires):
			return fmt.Errorf("bot: lease %s ran out (could not renew it for %s): %w", l.Name, ttl, err)
		default:
			l.log().Warn("lease renewal failed; will retry", "lease", l.Name, "error", err, "expires_in", expires.Sub(now).String())
		}
	}
}

// Release gives the lease up (and the claims under its owner), so the
// next start need not wait for it to expire.
func (l *Lease) Release(ctx context.Context) error {
	return l.Store.ReleaseLease(ctx, l.Name, l.Owner)
}
