package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// memSchedules is an in-memory ScheduleStore.
type memSchedules struct {
	mu        sync.Mutex
	schedules []briefing.DigestSchedule
	queued    []briefing.Delivery
	panicOnce bool
	// enqueue, when set, is called first by each EnqueueDigest (outside
	// the lock), to hold a write up.
	enqueue func()
}

func (m *memSchedules) DigestSchedules(context.Context) ([]briefing.DigestSchedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]briefing.DigestSchedule(nil), m.schedules...), nil
}

func (m *memSchedules) EnqueueDigest(_ context.Context, d briefing.Delivery, first time.Duration) (briefing.Delivery, bool, error) {
	if m.enqueue != nil {
		m.enqueue()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.panicOnce {
		m.panicOnce = false
		panic("store exploded")
	}
	for _, q := range m.queued {
		if q.Key == d.Key {
			return q, false, nil
		}
	}
	d.Since = d.Until.Add(-first)
	d.ID = int64(len(m.queued) + 1)
	m.queued = append(m.queued, d)
	return d, true, nil
}

func (m *memSchedules) slots(loc *time.Location) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, q := range m.queued {
		out = append(out, q.Scheduled.In(loc).Format("2006-01-02 15:04 MST"))
	}
	return out
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s: %v", name, err)
	}
	return loc
}

// stepThrough ticks the scheduler every step from start to end (in a
// bubble).
func stepThrough(t *testing.T, s *Scheduler, start, end time.Time, step time.Duration) {
	t.Helper()
	for at := start; !at.After(end); at = at.Add(step) {
		setClock(t, at)
		s.Tick(context.Background())
	}
}

func TestSchedulerFiresOnceADayAcrossDST(t *testing.T) {
	for _, tt := range []struct {
		name, tz   string
		day        [3]int // the DST change day
		wantOffset [3]string
	}{
		{"spring forward, Paris", "Europe/Paris", [3]int{2026, 3, 29}, [3]string{"CET", "CEST", "CEST"}},
		{"fall back, Paris", "Europe/Paris", [3]int{2026, 10, 25}, [3]string{"CEST", "CET", "CET"}},
		{"spring forward, New York", "America/New_York", [3]int{2026, 3, 8}, [3]string{"EST", "EDT", "EDT"}},
		{"fall back, New York", "America/New_York", [3]int{2026, 11, 1}, [3]string{"EDT", "EST", "EST"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				loc := mustLoc(t, tt.tz)
				day := time.Date(tt.day[0], time.Month(tt.day[1]), tt.day[2], 0, 0, 0, 0, loc)
				start := day.AddDate(0, 0, -1).Add(-2 * time.Hour) // 22:00 the day before the day before
				st := &memSchedules{schedules: []briefing.DigestSchedule{{Channel: "console", Cron: "0 7 * * *", TZ: tt.tz, UpdatedAt: start.Add(-time.Hour)}}}
				setClock(t, start)
				s := &Scheduler{Store: st}
				// Tick every 7 minutes for three days: slots are found however
				// the ticks fall, and exactly once each.
				stepThrough(t, s, start, day.AddDate(0, 0, 2), 7*time.Minute)
				got := st.slots(loc)
				want := []string{
					day.AddDate(0, 0, -1).Format("2006-01-02") + " 07:00 " + tt.wantOffset[0],
					day.Format("2006-01-02") + " 07:00 " + tt.wantOffset[1],
					day.AddDate(0, 0, 1).Format("2006-01-02") + " 07:00 " + tt.wantOffset[2],
				}
				if len(got) != len(want) {
					t.Fatalf("queued %v; want %v", got, want)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("slot %d = %s; want %s", i, got[i], want[i])
					}
				}
			})
		})
	}
}

func TestSchedulerNextWaitLandsOnTheSlot(t *testing.T) {
	// Run, left to its own waits (virtual in the bubble), wakes at each
	// 07:00, on the DST day too: the wait is computed in the channel's zone.
	synctest.Test(t, func(t *testing.T) {
		loc := mustLoc(t, "Europe/Paris")
		start := time.Date(2026, 3, 28, 8, 0, 0, 0, loc)
		st := &memSchedules{schedules: []briefing.DigestSchedule{{Channel: "slack:C1", Cron: "0 7 * * *", TZ: "Europe/Paris", UpdatedAt: start}}}
		setClock(t, start)
		queued := make(chan briefing.Delivery, 10)
		s := &Scheduler{Store: st, Queued: func(d briefing.Delivery, created bool) {
			if created {
				queued <- d
			}
		}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		for _, want := range []time.Time{time.Date(2026, 3, 29, 7, 0, 0, 0, loc), time.Date(2026, 3, 30, 7, 0, 0, 0, loc)} {
			d := <-queued
			if now := time.Now(); !now.Equal(want) {
				t.Errorf("queued at %v; want at the slot %v", now.In(loc), want)
			}
			if !d.Scheduled.Equal(want) || d.Key != DigestKey("slack:C1", want) {
				t.Fatalf("queued %v (%s); want %v", d.Scheduled.In(loc), d.Key, want)
			}
			if !d.Until.Equal(want) {
				t.Errorf("on-time digest window ends %v; want its slot", d.Until)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestSchedulerCatchUp(t *testing.T) {
	bamako := mustLoc(t, "Africa/Bamako")
	slot := time.Date(2026, 6, 1, 7, 0, 0, 0, bamako)
	for _, tt := range []struct {
		name    string
		now     time.Time
		updated time.Time
		want    bool
	}{
		{"down at 07:00, back at 09:30: caught up, late", slot.Add(150 * time.Minute), slot.Add(-48 * time.Hour), true},
		{"back after the grace: skipped", slot.Add(7 * time.Hour), slot.Add(-48 * time.Hour), false},
		{"schedule set after the slot: not owed", slot.Add(time.Hour), slot.Add(30 * time.Minute), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := &memSchedules{schedules: []briefing.DigestSchedule{{Channel: "console", Cron: "0 7 * * *", TZ: "Africa/Bamako", UpdatedAt: tt.updated}}}
				setClock(t, tt.now)
				s := &Scheduler{Store: st}
				s.Tick(context.Background())
				if got := len(st.queued) == 1; got != tt.want {
					t.Fatalf("queued %v; want one: %v", st.slots(bamako), tt.want)
				}
				if !tt.want {
					return
				}
				d := st.queued[0]
				if !d.Scheduled.Equal(slot) || !d.Until.Equal(tt.now) || !d.Since.Equal(tt.now.Add(-24*time.Hour)) {
					t.Errorf("caught-up digest = slot %v window %v–%v; want slot %v, window to now", d.Scheduled, d.Since, d.Until, slot)
				}
				// A restart (a new scheduler over the same store) does not
				// queue it again, nor does ticking on.
				s2 := &Scheduler{Store: st}
				s2.Tick(context.Background())
				time.Sleep(time.Minute)
				s2.Tick(context.Background())
				if len(st.queued) != 1 {
					t.Fatalf("after restart queued %v; want the one slot", st.slots(bamako))
				}
			})
		})
	}
}

func TestSchedulerRecoversFromAPanickingJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 6, 1, 6, 59, 0, 0, time.UTC)
		st := &memSchedules{panicOnce: true, schedules: []briefing.DigestSchedule{
			{Channel: "console", Cron: "0 7 * * *", TZ: "UTC", UpdatedAt: start.Add(-time.Hour)},
		}}
		setClock(t, start)
		s := &Scheduler{Store: st}
		stepThrough(t, s, start, start.Add(24*time.Hour+2*time.Minute), time.Minute)
		// The 07:00 job panicked (recovered); the next day's still runs.
		if got := st.slots(time.UTC); len(got) != 1 || got[0] != "2026-06-02 07:00 UTC" {
			t.Fatalf("queued %v; want only the next day's slot", got)
		}
	})
}

// A channel whose previous slot is still being queued (here, a store write
// held up) skips its next slot without waiting, and catches it up at the
// tick after; a panicking job is recovered and its guard released.
func TestSchedulerSkipsAJobStillRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)
		st := &memSchedules{schedules: []briefing.DigestSchedule{
			{Channel: "console", Cron: "* * * * *", TZ: "UTC", UpdatedAt: start.Add(-time.Hour)},
		}}
		entered, release := make(chan struct{}), make(chan struct{})
		st.enqueue = func() {
			entered <- struct{}{}
			<-release
		}
		setClock(t, start)
		s := &Scheduler{Store: st}
		first := make(chan struct{})
		go func() {
			defer close(first)
			s.Tick(context.Background()) // queues 07:00, held up in the store
		}()
		<-entered
		time.Sleep(time.Minute)
		st.mu.Lock()
		st.enqueue = nil
		st.mu.Unlock()
		if wait := s.Tick(context.Background()); wait != skippedRetry { // 07:01: skipped, not waited for
			t.Errorf("a skipped slot asks to wait %v; want %v (catch it up soon)", wait, skippedRetry)
		}
		if got := st.slots(time.UTC); len(got) != 0 {
			t.Fatalf("queued %v while the first write is held", got)
		}
		close(release)
		<-first
		s.Tick(context.Background()) // the skipped 07:01 is caught up
		want := []string{"2026-06-01 07:00 UTC", "2026-06-01 07:01 UTC"}
		if got := st.slots(time.UTC); !slices.Equal(got, want) {
			t.Fatalf("queued %v; want %v", got, want)
		}
		// A panic releases the guard: the next slot is queued.
		st.mu.Lock()
		st.panicOnce = true
		st.mu.Unlock()
		time.Sleep(time.Minute)
		s.Tick(context.Background()) // 07:02 panics, recovered
		time.Sleep(time.Minute)
		s.Tick(context.Background()) // 07:03
		want = append(want, "2026-06-01 07:03 UTC")
		if got := st.slots(time.UTC); !slices.Equal(got, want) {
			t.Fatalf("after a panic queued %v; want %v", got, want)
		}
	})
}

func TestSchedulerSkipsBadSchedulesAndFollowsChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC)
		st := &memSchedules{schedules: []briefing.DigestSchedule{
			{Channel: "slack:BAD", Cron: "61 * * * *", TZ: "UTC", UpdatedAt: start},
			{Channel: "slack:TZ", Cron: "0 7 * * *", TZ: "Mars/Olympus", UpdatedAt: start},
			{Channel: "console", Cron: "0 7 * * *", TZ: "UTC", UpdatedAt: start},
		}}
		setClock(t, start)
		s := &Scheduler{Store: st}
		stepThrough(t, s, start, start.Add(150*time.Minute), 10*time.Minute)
		// Changed to 06:30: the new schedule applies from the change on.
		st.mu.Lock()
		st.schedules[2].Cron = "30 6 * * *"
		st.mu.Unlock()
		stepThrough(t, s, start.Add(150*time.Minute), start.Add(26*time.Hour), 10*time.Minute)
		got := st.slots(time.UTC)
		want := []string{"2026-06-01 07:00 UTC", "2026-06-02 06:30 UTC"}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("queued %v; want %v", got, want)
		}
	})
}

func TestParseScheduleErrorsNameTheProblem(t *testing.T) {
	if _, _, err := ParseSchedule("0 7 * * *", "Africa/Atlantis"); err == nil || !strings.Contains(err.Error(), "Africa/Atlantis") {
		t.Errorf("unknown zone: %v", err)
	}
	if _, _, err := ParseSchedule("0 25 * * *", "UTC"); err == nil || !strings.Contains(err.Error(), "0 25 * * *") {
		t.Errorf("bad cron: %v", err)
	}
	if _, _, err := ParseSchedule("@daily", "Africa/Niamey"); err != nil {
		t.Errorf("@daily: %v", err)
	}
}

func TestSchedulerSkipsChannelsItCannotDeliverTo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
		st := &memSchedules{schedules: []briefing.DigestSchedule{
			{Channel: "discord:42", Cron: "0 7 * * *", TZ: "UTC", UpdatedAt: start},
			{Channel: "console", Cron: "0 7 * * *", TZ: "UTC", UpdatedAt: start},
		}}
		setClock(t, start)
		s := &Scheduler{Store: st, Deliverable: func(ch string) bool { return ch == "console" }}
		stepThrough(t, s, start, start.Add(2*time.Hour), 10*time.Minute)
		if len(st.queued) != 1 || st.queued[0].Channel != "console" {
			t.Fatalf("queued %+v; want only the console's digest", st.queued)
		}
	})
}

func TestScheduledDigestIsLateAfterAnOutageAndWindowsChain(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		ctx := context.Background()
		e.add("Reuters", boulkessiReuters)
		slot := time.Now().Add(time.Hour)
		if err := e.st.SetDigestSchedule(ctx, briefing.DigestSchedule{Channel: "slack:C9", Cron: "0 9 * * *", TZ: "Africa/Bamako", Country: "mali", UpdatedAt: t0.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		s := &Scheduler{Store: e.st}
		setClock(e.t, slot)
		s.Tick(ctx)
		e.out.fail = errors.New("slack is down")
		e.drain()
		time.Sleep(10 * time.Minute)
		e.out.fail = nil
		e.drain()
		got := e.out.posted
		if len(got) != 1 || got[0].msg.Kind != KindDigest || !got[0].msg.Late {
			t.Fatalf("posted %+v; want one late digest", e.out.kinds())
		}
		m := got[0].msg
		if m.Digest.Filter.Country != "mali" || m.Digest.TotalItems != 1 || m.Scheduled.Location().String() != "Africa/Bamako" {
			t.Errorf("digest filter %+v, %d items, scheduled in %v", m.Digest.Filter, m.Digest.TotalItems, m.Scheduled.Location())
		}
		if !m.Digest.Until.Equal(slot) || !m.Digest.Since.Equal(slot.Add(-24*time.Hour)) {
			t.Errorf("window %v–%v; want the 24h before the slot", m.Digest.Since, m.Digest.Until)
		}
		// A source back from an outage delivers a report published before
		// the first digest: it belongs in the next one, which shows what
		// arrived since.
		late := briefing.Item{Source: "Studio Tamani", Key: "late", URL: "https://tamani.example/late", Title: "Mali: Boulkessi toll rises, army says",
			Outlet: "Studio Tamani", Published: slot.Add(-2 * time.Hour), FirstSeen: slot.Add(3 * time.Hour), DateFromFeed: true, Countries: []string{"mali"}}
		setClock(e.t, slot.Add(3*time.Hour))
		if _, err := e.st.SaveFetched(ctx, []briefing.Fetched{{State: briefing.SourceState{Name: "Studio Tamani", URL: "https://tamani.example/feed"},
			Items: []briefing.Item{late}}}); err != nil {
			t.Fatal(err)
		}
		// The next day's digest starts where this one ended and is on time.
		setClock(e.t, slot.Add(24*time.Hour))
		s.Tick(ctx)
		e.drain()
		if len(e.out.posted) != 2 {
			t.Fatalf("posted %q", e.out.kinds())
		}
		next := e.out.posted[1].msg
		if next.Late || !next.Digest.Since.Equal(slot) {
			t.Errorf("next digest late=%v since %v; want on time from %v", next.Late, next.Digest.Since, slot)
		}
		if next.Digest.TotalItems != 1 || len(next.Digest.Headlines)+len(next.Digest.Sections) == 0 {
			t.Errorf("next digest holds %d items; want the late report", next.Digest.TotalItems)
		}
	})
}
