package briefing

import (
	"slices"
	"testing"
	"time"
)

func TestSourceHealth(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   SourceState
		want Health
	}{
		{"never polled", SourceState{}, HealthNew},
		{"failing", SourceState{LastAttempt: now, LastSuccess: now.Add(-time.Hour), ConsecutiveFailures: 2}, HealthFailing},
		{"answers, nothing new for 4 days", SourceState{LastAttempt: now, LastSuccess: now, LastNewItem: now.Add(-96 * time.Hour)}, HealthSilent},
		{"healthy", SourceState{LastAttempt: now, LastSuccess: now, LastNewItem: now.Add(-time.Hour)}, HealthHealthy},
	}
	for _, tt := range tests {
		if got := tt.st.Health(now); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	since := now.Add(-24 * time.Hour)
	srcs := []Source{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
	states := map[string]SourceState{
		"a": {LastAttempt: now, LastSuccess: now},                                            // answering
		"b": {LastAttempt: now, LastSuccess: since.Add(-time.Hour), ConsecutiveFailures: 4},  // failing
		"c": {LastAttempt: since.Add(-time.Hour), LastSuccess: since.Add(-2 * time.Hour)},    // not polled since
		"d": {LastAttempt: now, LastSuccess: since.Add(time.Minute), ConsecutiveFailures: 1}, // answered, then failed
	}
	c := CoverageOf(srcs, states, since)
	if c.Sources != 4 || c.Answering != 2 || c.Failing != 1 || c.Blind() || !c.PartlyBlind() {
		t.Errorf("coverage %+v: want 2 of 4 answering (partly blind), 1 failing", c)
	}
	if c := CoverageOf(srcs, nil, since); !c.Blind() || c.PartlyBlind() {
		t.Errorf("nothing polled: %+v, want blind", c)
	}
	if c := CoverageOf(nil, states, since); c.Blind() || c.PartlyBlind() {
		t.Errorf("no sources known: %+v claims nothing", c)
	}
	delete(states, "c")
	states["c"] = SourceState{LastAttempt: now, LastSuccess: now}
	if c := CoverageOf(srcs, states, since); c.PartlyBlind() {
		t.Errorf("3 of 4 answering: %+v is not partly blind", c)
	}
}

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

func TestFailuresSince(t *testing.T) {
	since := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	ok := since.Add(-time.Hour)
	states := map[string]SourceState{
		"Zeta":   {Name: "Zeta", LastAttempt: since.Add(time.Minute), LastStatus: StatusError, ConsecutiveFailures: 2, LastError: "HTTP 503", LastSuccess: ok},
		"Alpha":  {Name: "Alpha", LastAttempt: since, LastStatus: StatusError, LastError: "timeout"},
		"Old":    {Name: "Old", LastAttempt: since.Add(-time.Minute), LastStatus: StatusError, ConsecutiveFailures: 1},
		"Fine":   {Name: "Fine", LastAttempt: since.Add(time.Minute), LastStatus: StatusOK, LastSuccess: since.Add(time.Minute)},
		"Failed": {Name: "Failed", LastAttempt: since.Add(time.Minute), ConsecutiveFailures: 1},
	}
	got := FailuresSince(states, since)
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if want := []string{"Alpha", "Failed", "Zeta"}; !slices.Equal(names, want) {
		t.Fatalf("failed sources %v; want %v", names, want)
	}
	if got[2].Error != "HTTP 503" || !got[2].Since.Equal(ok) {
		t.Errorf("Zeta = %+v", got[2])
	}
	for name, st := range states {
		if failing := st.Health(since) == HealthFailing; failing != st.Failing() {
			t.Errorf("%s: Health %s but Failing %v: one rule", name, st.Health(since), st.Failing())
		}
	}
}
