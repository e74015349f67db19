package bot

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeClock is a Clock that moves only when a test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	// waiting receives a value whenever someone starts waiting, so tests
	// can wait for a goroutine to block on the clock instead of sleeping.
	waiting chan struct{}
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock {
	return &fakeClock{now: t, waiting: make(chan struct{}, 1024)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return ch
}

// Set moves the clock to t, firing the waiters whose time has come.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// Advance moves the clock by d.
func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// RealClock is the wall clock: Now is time.Now and After waits the time
// given (in a synctest bubble, where time moves only when all wait).
func TestRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Clock = RealClock{}
		start := c.Now()
		if !start.Equal(time.Now()) {
			t.Fatalf("Now %v, time.Now %v", start, time.Now())
		}
		at := <-c.After(time.Hour)
		if got := at.Sub(start); got != time.Hour || !c.Now().Equal(at) {
			t.Errorf("After(1h) fired %v after the start, at %v (now %v)", got, at, c.Now())
		}
	})
}

// The fake clock tests use fires a waiter once its time is reached, not
// before, and tells the test that someone waits.
func TestFakeClockFiresWaitersOnTime(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	c := newFakeClock(t0)
	ch := c.After(time.Minute)
	<-c.waiting
	c.Advance(59 * time.Second)
	select {
	case <-ch:
		t.Fatal("fired before its time")
	default:
	}
	c.Advance(time.Second)
	if at := <-ch; !at.Equal(t0.Add(time.Minute)) {
		t.Errorf("fired at %v, want %v", at, t0.Add(time.Minute))
	}
}
