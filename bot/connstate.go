package bot

import (
	"sync"
	"sync/atomic"
)

// Slack Socket Mode and Discord's gateway both report their connection
// state with a ConnState, for /healthz and the adapter gauge.

// ConnState tracks whether a long-lived connection is up and reports the
// changes to a callback: in order, one call at a time, never with its lock
// held (a change made from inside the callback is queued and reported by
// the caller already reporting, after the callback returns).
type ConnState struct {
	up atomic.Bool // what Up reports

	mu      sync.Mutex
	run     uint64 // the current (or last) run
	active  bool   // run has begun and not ended
	last    bool   // the last state set: reported or queued
	pending []bool // changes not yet reported
	busy    bool   // a caller is reporting pending changes
}

// Begin starts a run (one connection attempt), whose changes Set
// accepts until End.
func (c *ConnState) Begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.run++
	c.active = true
	return c.run
}

// Set records the state v for run, reporting it to fn if it is a change.
// It does nothing once run has ended.
func (c *ConnState) Set(run uint64, v bool, fn func(bool)) { c.update(run, v, false, fn) }

// End records that run is over, hence the connection down.
func (c *ConnState) End(run uint64, fn func(bool)) { c.update(run, false, true, fn) }

func (c *ConnState) update(run uint64, v, end bool, fn func(bool)) {
	c.mu.Lock()
	if run != c.run || !c.active {
		c.mu.Unlock()
		return
	}
	if end {
		c.active = false
	}
	if v == c.last {
		c.mu.Unlock()
		return
	}
	c.last = v
	c.up.Store(v)
	if fn == nil {
		c.mu.Unlock()
		return
	}
	c.pending = append(c.pending, v)
	if c.busy {
		c.mu.Unlock()
		return
	}
	c.busy = true
	for len(c.pending) > 0 {
		next := c.pending[0]
		c.pending = c.pending[1:]
		c.mu.Unlock()
		fn(next)
		c.mu.Lock()
	}
	c.busy = false
	c.mu.Unlock()
}

// Up reports whether the connection is up: its current run has reported
// it connected and not since disconnected, nor ended.
func (c *ConnState) Up() bool { return c.up.Load() }
