package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/cronspec"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// ScheduleStore is what the scheduler needs of persistence.
type ScheduleStore interface {
	DigestSchedules(ctx context.Context) ([]briefing.DigestSchedule, error)
	// EnqueueDigest records the digest of a slot as pending unless its key
	// exists (created is then false); the store sets the window.
	EnqueueDigest(ctx context.Context, d briefing.Delivery, firstWindow time.Duration) (briefing.Delivery, bool, error)
}

// Scheduler defaults.
const (
	DefaultGrace       = defaults.DigestGrace
	DefaultFirstWindow = 24 * time.Hour
	// scheduleRefresh is how often schedules are re-read even when no
	// slot is due, so a change made with /sahel digest (or by another
	// process) is picked up.
	scheduleRefresh = time.Minute
	// skippedRetry is how soon a slot skipped because its channel was
	// still being queued is looked at again.
	skippedRetry = time.Second
)

// Scheduler queues each channel's digest at the times its cron schedule
// names, in the channel's time zone. It parses schedules with cronspec
// (robfig/cron, CRON_TZ) but keeps time itself (time.Now, time.After;
// virtual in its tests' synctest bubbles), because cron's runner keeps no
// state: the digests missed while the bot was down are ours to catch up.
// A slot is queued as a pending delivery keyed by channel and slot, so it
// is queued once however often the bot restarts; the Dispatcher sends it.
//
// Each queueing runs outside the scheduler's lock under its own guard: a
// channel whose previous queueing is still running (a store held by
// another writer, a Tick called while Run's is busy) skips the slot for
// now and catches it up at the next tick, and a queueing that panics is
// recovered and logged, the slot counted as handled, the next one queued
// as usual.
type Scheduler struct {
	Store ScheduleStore
	// Grace is how late a missed slot may still be caught up (default 6h):
	// on start, each channel's latest slot within Grace that has no
	// delivery is queued (marked late when it goes out).
	Grace time.Duration
	// FirstWindow is the window of a channel's first digest (default 24h);
	// later ones start where the previous ended.
	FirstWindow time.Duration
	// Queued is called after a slot is queued (created) or found queued
	// already; the app (internal/app) wakes the dispatcher with it.
	Queued func(d briefing.Delivery, created bool)
	// Deliverable, when set, says whether a channel's platform is
	// configured; other channels' schedules are skipped (logged once), so
	// digests do not pile up for a platform the bot cannot reach.
	Deliverable func(channel string) bool
	Log         *slog.Logger

	mu      sync.Mutex
	checked map[string]time.Time // channel → slots up to this time were handled
	jobs    map[string]*scheduledJob
	skipped map[string]bool // channels whose platform is not configured, logged
	reload  chan struct{}
}

// scheduledJob is one channel's parsed schedule and the guard of its
// queueing.
type scheduledJob struct {
	spec     string // cron + tz, to notice changes
	schedule cron.Schedule
	loc      *time.Location
	running  atomic.Bool // a queueing of this channel is in progress
}

// digestJob is what queueing one slot needs: the channel's schedule as it
// was read and its zone. It is a value, handed to queue with the slot.
type digestJob struct {
	sched briefing.DigestSchedule
	loc   *time.Location
}

// dueSlot is a slot Tick found due, to be queued outside the lock.
type dueSlot struct {
	guard *scheduledJob
	job   digestJob
	slot  time.Time
}

// ParseSchedule parses a five-field cron expression (or a descriptor such
// as @daily) in the IANA time zone tz: cronspec.ParseIn, the project's one
// cron parser.
func ParseSchedule(spec, tz string) (cron.Schedule, *time.Location, error) {
	return cronspec.ParseIn(spec, tz)
}

// DigestKey is the delivery key of channel's digest for slot.
func DigestKey(channel string, slot time.Time) string {
	return fmt.Sprintf("digest:%s:%d", channel, slot.Unix())
}

// digestPayload is what a digest delivery carries besides its window.
type digestPayload struct {
	Country string `json:"country,omitempty"`
	Actor   string `json:"actor,omitempty"`
	TZ      string `json:"tz"`
}

// Reload asks the scheduler to re-read schedules now (after /sahel digest).
func (s *Scheduler) Reload() {
	s.init()
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

func (s *Scheduler) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reload == nil {
		s.reload = make(chan struct{}, 1)
		s.checked = map[string]time.Time{}
		s.jobs = map[string]*scheduledJob{}
		s.skipped = map[string]bool{}
	}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run queues digests until ctx ends. A store error is logged and retried
// at the next refresh; it never stops the scheduler.
func (s *Scheduler) Run(ctx context.Context) error {
	s.init()
	for {
		wait := s.Tick(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-s.reload:
		case <-time.After(wait):
		}
	}
}

// Tick queues every slot due at the clock's now and returns how long to
// wait for the next one (at most scheduleRefresh).
func (s *Scheduler) Tick(ctx context.Context) time.Duration {
	s.init()
	now := time.Now()
	grace := s.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	scheds, err := s.Store.DigestSchedules(ctx)
	if err != nil {
		if ctx.Err() == nil { // cut short by shutdown: no error
			s.log().Error("digest schedules", "error", err)
		}
		return scheduleRefresh
	}
	due, wait := s.dueSlots(scheds, now, grace)
	for _, d := range due {
		if !s.run(ctx, d) {
			// Still queueing an earlier slot: leave this one to the next
			// tick (the channel's slots are handled only up to before it).
			s.mu.Lock()
			if s.jobs[d.job.sched.Channel] == d.guard {
				s.checked[d.job.sched.Channel] = d.slot.Add(-time.Nanosecond)
			}
			s.mu.Unlock()
			wait = min(wait, skippedRetry)
		}
	}
	return wait
}

// dueSlots returns, under the lock, the slot each channel owes at now (if
// any) and how long to wait for the next one, and marks the channels'
// slots up to now handled.
func (s *Scheduler) dueSlots(scheds []briefing.DigestSchedule, now time.Time, grace time.Duration) ([]dueSlot, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []dueSlot
	seen := map[string]bool{}
	wait := scheduleRefresh
	for _, d := range scheds {
		if s.Deliverable != nil && !s.Deliverable(d.Channel) {
			if !s.skipped[d.Channel] {
				s.skipped[d.Channel] = true
				s.log().Warn("digest schedule skipped: its platform is not configured", "channel", d.Channel)
			}
			continue
		}
		seen[d.Channel] = true
		j := s.job(d)
		if j == nil {
			continue
		}
		// Slots up to `from` were handled (by this run, or before a
		// restart: their keys exist); catch up the latest since then,
		// within grace and not before the schedule was set.
		from, ok := s.checked[d.Channel]
		if !ok {
			from = now.Add(-grace)
			if d.UpdatedAt.After(from) {
				from = d.UpdatedAt
			}
		}
		if slot := latestSlot(j.schedule, from, now); !slot.IsZero() && !slot.Before(now.Add(-grace)) {
			due = append(due, dueSlot{guard: j, job: digestJob{sched: d, loc: j.loc}, slot: slot})
		}
		s.checked[d.Channel] = now
		if next := j.schedule.Next(now); next.Sub(now) < wait {
			wait = next.Sub(now)
		}
	}
	for ch := range s.jobs {
		if !seen[ch] {
			delete(s.jobs, ch)
			delete(s.checked, ch)
		}
	}
	return due, max(wait, 0)
}

// run queues d's slot unless its channel's previous queueing is still
// running (it then returns false). A panic in the queueing is recovered
// and logged; the slot counts as handled.
func (s *Scheduler) run(ctx context.Context, d dueSlot) (ran bool) {
	if !d.guard.running.CompareAndSwap(false, true) {
		s.log().Warn("digest slot skipped for now: the previous one is still being queued",
			"channel", d.job.sched.Channel, "slot", d.slot)
		return false
	}
	defer d.guard.running.Store(false)
	defer func() {
		if v := recover(); v != nil {
			s.log().Error("queue digest panicked", "channel", d.job.sched.Channel, "slot", d.slot,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	ran = true // a panic below still counts as a run
	s.queue(ctx, d.job, d.slot)
	return ran
}

// job returns the parsed schedule of d, parsed anew when it changed; nil
// when the schedule does not parse (logged). s.mu is held.
func (s *Scheduler) job(d briefing.DigestSchedule) *scheduledJob {
	spec := d.TZ + " " + d.Cron
	if j, ok := s.jobs[d.Channel]; ok && j.spec == spec {
		return j
	}
	sched, loc, err := ParseSchedule(d.Cron, d.TZ)
	if err != nil {
		s.log().Error("digest schedule skipped", "channel", d.Channel, "error", err)
		return nil
	}
	j := &scheduledJob{spec: spec, schedule: sched, loc: loc}
	if _, ok := s.jobs[d.Channel]; ok {
		// The schedule changed: slots of the old one are not caught up.
		s.checked[d.Channel] = time.Now()
	}
	s.jobs[d.Channel] = j
	return j
}

// queue records job's slot as a pending digest. The write is bounded but
// not detached: shutdown cuts it short, and the slot is caught up at the
// next start (within the grace).
func (s *Scheduler) queue(ctx context.Context, job digestJob, slot time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	now := time.Now()
	until := slot
	if now.Sub(slot) > lateAfter {
		until = now // a caught-up digest covers the news up to now
	}
	first := s.FirstWindow
	if first <= 0 {
		first = DefaultFirstWindow
	}
	ch := job.sched.Channel
	payload, _ := json.Marshal(digestPayload{Country: job.sched.Country, Actor: job.sched.Actor, TZ: job.sched.TZ})
	d, created, err := s.Store.EnqueueDigest(ctx, briefing.Delivery{Key: DigestKey(ch, slot),
		Channel: ch, Kind: string(KindDigest), Scheduled: slot, Until: until, Payload: payload, NextAttempt: now}, first)
	if err != nil {
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.log().Error("queue digest", "channel", ch, "slot", slot, "error", err)
		}
		return
	}
	if created {
		s.log().Info("digest queued", "channel", ch, "slot", slot.In(job.loc).Format(time.RFC3339),
			"late", now.Sub(slot) > lateAfter)
	}
	if s.Queued != nil {
		s.Queued(d, created)
	}
}

// latestSlot is the latest activation of sched in (from, to], or zero.
func latestSlot(sched cron.Schedule, from, to time.Time) time.Time {
	var last time.Time
	for t := sched.Next(from); !t.IsZero() && !t.After(to); t = sched.Next(t) {
		last = t
	}
	return last
}

// lateAfter is how far past its slot a digest counts as late.
const lateAfter = 2 * time.Minute
