package app

import (
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Each line of `sources` says when the source is checked next, relative
// and absolute; a source that never ran says so.
func TestSourcesLineShowsTheNextCheck(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 3, 0, 0, time.UTC)
	src := briefing.Source{Name: "Desk", URL: "https://desk.example/feed", Lang: "en"}
	for _, tc := range []struct {
		name string
		st   briefing.SourceState
		want string
	}{
		{"never polled", briefing.SourceState{}, "new      en   every 10m    never polled: checked at the next poll round"},
		{"healthy", briefing.SourceState{LastAttempt: now.Add(-3 * time.Minute), LastSuccess: now.Add(-3 * time.Minute),
			LastStatus: briefing.StatusOK, NextCheck: now.Add(7 * time.Minute)},
			"healthy  en   every 10m    ok 3m ago, 4 items stored; next check in 7m (27 Nov 07:10 UTC)"},
		{"failing", briefing.SourceState{LastAttempt: now.Add(-time.Minute), ConsecutiveFailures: 2, LastError: "HTTP 502",
			LastStatus: briefing.StatusError, NextCheck: now.Add(19 * time.Minute)},
			"failing  en   every 10m    2 failures in a row: HTTP 502; next check in 19m (27 Nov 07:22 UTC)"},
		{"one failure", briefing.SourceState{LastAttempt: now.Add(-time.Minute), ConsecutiveFailures: 1, LastError: "HTTP 502",
			LastStatus: briefing.StatusError, NextCheck: now.Add(4 * time.Minute)},
			"failing  en   every 10m    1 failure in a row: HTTP 502; next check in 4m (27 Nov 07:07 UTC)"},
	} {
		var b strings.Builder
		printHealth(&b, healthLineOf(src, tc.st, 4, 10*time.Minute, now), false, now)
		if got := strings.TrimSpace(strings.TrimPrefix(b.String(), "Desk")); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
