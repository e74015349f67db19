package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/store"
)

// heldLease is the bot's lease on its database, held by `run` and `serve`
// for the life of the process: one bot per database, so that digests and
// alerts are posted by one delivery loop and commands answered by one set
// of chat connections. `fetch`, `brief`, `shell` and the read-only
// commands do not take it: they run beside the bot (the store takes
// several writers of items; only delivering and scheduling must be
// unique).
type heldLease struct {
	*bot.Lease
	// lost receives the error when the heartbeat loses the lease; the
	// command must then stop delivering and exit 1.
	lost chan error
	stop context.CancelFunc
	done chan struct{}
}

const tenth = 100 * time.Millisecond

// holdBotLease takes the bot's lease for cmd and starts its heartbeat, or
// reports on stderr who holds it (exit 1).
func holdBotLease(ctx context.Context, env *cliEnv, cmd string, cfg *config.Config, st *store.Store) (*heldLease, bool) {
	l := &bot.Lease{Store: st, Name: briefing.LeaseBot, Owner: bot.NewOwner(), TTL: cfg.LeaseTTL, Log: slog.Default()}
	if err := l.Acquire(ctx); err != nil {
		var held *briefing.LeaseHeldError
		if errors.As(err, &held) {
			fmt.Fprintf(env.stderr, "sahelbrief %s: the database %s is in use by another sahelbrief run or serve: %s "+
				"(last heartbeat %s ago). One bot per database: stop that one first; if it crashed, its lease expires within %s.\n",
				cmd, cfg.DBPath, held.Holder.Holder(), held.Now.Sub(held.Holder.Renewed).Round(tenth), held.Holder.Expires.Sub(held.Now).Round(tenth))
		} else {
			fmt.Fprintf(env.stderr, "sahelbrief %s: %v\n", cmd, err)
		}
		return nil, false
	}
	// The heartbeat outlives the shutdown signal: the posts finishing
	// then keep their claims until close.
	hctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	h := &heldLease{Lease: l, lost: make(chan error, 1), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		if err := l.Hold(hctx); err != nil {
			h.lost <- err
		}
	}()
	return h, true
}

// reportLost says loudly that the lease was lost and the bot stops.
func (h *heldLease) reportLost(env *cliEnv, cmd string, err error) {
	slog.Error("lease lost: another process took over this database; stopping delivery and exiting", "lease", h.Name, "error", err)
	fmt.Fprintf(env.stderr, "sahelbrief %s: lost the database's bot lease (%v): another sahelbrief may be running on it; stopped\n", cmd, err)
}

// close stops the heartbeat and releases the lease (and any claims left
// under it) unless it was lost, so the next start need not wait.
func (h *heldLease) close() {
	h.stop()
	<-h.done
	select {
	case err := <-h.lost:
		h.lost <- err // lost: nothing of ours to release
		return
	default:
	}
	if err := h.Release(context.Background()); err != nil {
		slog.Warn("could not release the bot lease; the next start waits for it to expire", "error", err)
	}
}
