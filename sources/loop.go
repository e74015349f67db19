package sources

import (
	"context"
	"log/slog"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// LoopStore is what the polling loop needs of persistence: the sources'
// states, to know which are due, and a sink for results.
type LoopStore interface {
	Sink
	SourceStates(ctx context.Context) (map[string]briefing.SourceState, error)
	// CapNextChecks moves the named sources' next checks to the given
	// times where those are earlier, and says how many moved.
	CapNextChecks(ctx context.Context, caps map[string]time.Time) (int, error)
}

// minLoopWait keeps a loop whose sources are all overdue (or failing with
// a past next check) from spinning.
const minLoopWait = time.Second

// Loop polls sources for as long as the bot runs: each round it polls the
// sources that are due (their next check, set by the fetcher from the
// poll interval, the feed's caching headers and failure backoff, has
// come) and sleeps until the earliest next check.
type Loop struct {
	Poller  *Poller
	Store   LoopStore
	Sources []briefing.Source
	// Interval bounds the sleep between rounds (the default poll
	// interval), so a source added meanwhile waits no longer than that.
	Interval time.Duration
	// Report is called once per polled source after its result is
	// committed, from one goroutine; the app feeds new items to alerting.
	Report func(Result, briefing.Saved)
	// AfterRound, when set, is called after each round (the bot holds
	// back its start-up digest catch-up until the first is done, so a
	// late digest carries the news that arrived while it was down).
	AfterRound func()
	Log        *slog.Logger
}

// Run polls until ctx ends. A storage error ends the round, is logged and
// the next round retries; it never stops the loop.
func (l *Loop) Run(ctx context.Context) error {
	l.capNextChecks(ctx)
	for {
		wait := l.Round(ctx)
		if l.AfterRound != nil && ctx.Err() == nil {
			l.AfterRound()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// Round polls what is due once and returns how long to wait for the next.
func (l *Loop) Round(ctx context.Context) time.Duration {
	interval := l.Interval
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	states, err := l.Store.SourceStates(ctx)
	if err != nil {
		l.logUnlessStopping(ctx, "poll: source states", err)
		return min(interval, time.Minute)
	}
	if jobs := Due(l.Sources, states, time.Now(), false); len(jobs) > 0 {
		l.log().Debug("poll round", "due", len(jobs), "sources", len(l.Sources))
		if err := Ingest(ctx, l.Poller, jobs, l.Store, l.Report); err != nil && ctx.Err() == nil {
			l.log().Error("poll: ingest", "error", err)
			return min(interval, time.Minute)
		}
		if states, err = l.Store.SourceStates(ctx); err != nil {
			l.logUnlessStopping(ctx, "poll: source states", err)
			return min(interval, time.Minute)
		}
	}
	return nextWait(l.Sources, states, time.Now(), interval)
}

// logUnlessStopping logs err at ERROR unless ctx ended: a read cut short
// by shutdown is how a clean stop looks, not a failure.
func (l *Loop) logUnlessStopping(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		l.log().Error(msg, "error", err)
	}
}

// capNextChecks brings the stored next checks within what the current
// settings give (Fetcher.NextCheckCap), once, at start: a source scheduled
// under a longer poll interval would otherwise wait out the old one. A
// failure here only delays that: it is logged and polling goes on.
func (l *Loop) capNextChecks(ctx context.Context) {
	states, err := l.Store.SourceStates(ctx)
	if err != nil {
		l.logUnlessStopping(ctx, "poll: cap next checks", err)
		return
	}
	now := time.Now()
	caps := map[string]time.Time{}
	for _, s := range l.Sources {
		st, ok := states[s.Name]
		if !ok || st.URL != s.URL {
			continue // due at once anyway
		}
		if c := l.Poller.Fetcher.NextCheckCap(s, st, now); st.NextCheck.After(c) {
			caps[s.Name] = c
		}
	}
	n, err := l.Store.CapNextChecks(ctx, caps)
	if err != nil {
		l.logUnlessStopping(ctx, "poll: cap next checks", err)
		return
	}
	if n > 0 {
		l.log().Info("poll: next checks brought within the poll interval", "sources", n)
	}
}

// nextWait is the time until the earliest next check, within
// [minLoopWait, interval].
func nextWait(srcs []briefing.Source, states map[string]briefing.SourceState, now time.Time, interval time.Duration) time.Duration {
	wait := interval
	for _, s := range srcs {
		st, ok := states[s.Name]
		if !ok || st.URL != s.URL {
			return minLoopWait // never polled, or moved: soon
		}
		wait = min(wait, st.NextCheck.Sub(now))
	}
	return max(wait, minLoopWait)
}

func (l *Loop) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.New(slog.DiscardHandler)
}
