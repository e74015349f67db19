package briefing

import (
	"testing"
	"time"
)

func TestNextCheckText(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 3, 0, 0, time.UTC)
	polled := now.Add(-2 * time.Minute)
	for _, tc := range []struct {
		name string
		st   SourceState
		want string
	}{
		{"never polled", SourceState{}, "never polled: checked at the next poll round"},
		{"in minutes", SourceState{LastAttempt: polled, NextCheck: now.Add(12*time.Minute + 30*time.Second)},
			"next check in 12m (27 Nov 07:15 UTC)"},
		{"in hours, another day", SourceState{LastAttempt: polled, NextCheck: now.Add(20 * time.Hour)},
			"next check in 20h (28 Nov 03:03 UTC)"},
		{"in seconds", SourceState{LastAttempt: polled, NextCheck: now.Add(45 * time.Second)},
			"next check in 45s (27 Nov 07:03 UTC)"},
		{"passed", SourceState{LastAttempt: polled, NextCheck: now.Add(-time.Minute)},
			"next check due now (27 Nov 07:02 UTC)"},
		{"another zone", SourceState{LastAttempt: polled, NextCheck: now.Add(5 * time.Minute).In(time.FixedZone("WAT", 3600))},
			"next check in 5m (27 Nov 07:08 UTC)"},
	} {
		if got := NextCheckText(tc.st, now); got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestRoughly(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second: "45s", 12*time.Minute + 59*time.Second: "12m", 5 * time.Hour: "5h",
		47 * time.Hour: "47h", 72 * time.Hour: "3d",
	} {
		if got := Roughly(d); got != want {
			t.Errorf("Roughly(%v) = %q; want %q", d, got, want)
		}
	}
}
