package bot

import (
	"fmt"
	"testing"
)

// TestConnStateReentrant changes the state from inside OnState: no
// deadlock, and the change is reported after the call that made it.
func TestConnStateReentrant(t *testing.T) {
	var c ConnState
	run := c.Begin()
	var got []bool
	var fn func(bool)
	fn = func(v bool) {
		got = append(got, v)
		if v {
			c.Set(run, false, fn)
			if len(got) != 1 {
				t.Error("reentrant change reported inside the callback")
			}
		}
	}
	c.Set(run, true, fn)
	c.Set(run, false, fn) // no change
	c.End(run, fn)
	c.Set(run, true, fn) // ended: ignored
	if want := "[true false]"; fmt.Sprint(got) != want || c.Up() {
		t.Fatalf("reports %v, up %v; want %s, false", got, c.Up(), want)
	}
}
