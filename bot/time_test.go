package bot

import (
	"testing"
	"testing/synctest"
	"time"
)

// Time in tests: what is scheduled or waits (the Scheduler, the
// Dispatcher's retries and rate-limit waits, the Lease's heartbeat, the
// Alerter's windows) reads the real clock (time.Now, time.After), and its
// tests run inside a testing/synctest bubble, where that clock is virtual:
// it moves only when every goroutine of the bubble is durably blocked, so
// a wait of hours returns at once. inBubble starts the bubble's clock at a
// fixed date; a test moves it on with time.Sleep (or setClock) and waits
// for the bubble's goroutines to block with synctest.Wait. Bot.Now stays
// injectable only for command answers at a fixed date outside a bubble
// and for the test binary's child processes (internal/app's
// SAHELBRIEF_TEST_NOW).

// inBubble runs f in a synctest bubble whose clock starts at at (the
// bubble's own start is 2000-01-01 UTC; at must come after it).
func inBubble(t *testing.T, at time.Time, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		setClock(t, at)
		f(t)
	})
}

// setClock moves the bubble's clock forward to at: the timers due on the
// way fire at their own times.
func setClock(t *testing.T, at time.Time) {
	t.Helper()
	d := time.Until(at)
	if d < 0 {
		t.Fatalf("setClock(%v): the clock is at %v already", at, time.Now())
	}
	time.Sleep(d)
}

// The bubble's clock starts where inBubble puts it and moves with sleeps
// and timers, not with the wall clock.
func TestInBubbleClock(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		if !time.Now().Equal(t0) {
			t.Fatalf("clock starts at %v; want %v", time.Now(), t0)
		}
		at := <-time.After(time.Hour)
		if !at.Equal(t0.Add(time.Hour)) || !time.Now().Equal(at) {
			t.Errorf("After(1h) fired at %v (now %v); want %v", at, time.Now(), t0.Add(time.Hour))
		}
	})
}
