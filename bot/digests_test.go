package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// A digest knows how many sources answered in its window: none makes it
// blind whatever it holds, one of three partly blind.
func TestDigestCoverage(t *testing.T) {
	b, st := newTestBot(t)
	d := ask(b, "brief", false).Digest
	if d.Coverage == nil || !d.Blind() || d.Coverage.Sources != 3 {
		t.Fatalf("no source polled: coverage %+v, want blind over 3 sources", d.Coverage)
	}
	st.states["Desk"] = briefing.SourceState{Name: "Desk", LastAttempt: now, LastSuccess: now, LastNewItem: now}
	st.states["Broken"] = briefing.SourceState{Name: "Broken", LastAttempt: now, ConsecutiveFailures: 3, LastStatus: briefing.StatusError}
	d = ask(b, "country chad", false).Digest
	if d.Blind() || !d.Coverage.PartlyBlind() || d.Coverage.Answering != 1 || d.Coverage.Failing != 1 {
		t.Errorf("one of three answering: coverage %+v, want partly blind", d.Coverage)
	}
	st.states["New"] = briefing.SourceState{Name: "New", LastAttempt: now, LastSuccess: now.Add(-25 * time.Hour)}
	if d := ask(b, "brief", false).Digest; !d.Coverage.PartlyBlind() {
		t.Errorf("an answer before the window does not count: %+v", d.Coverage)
	}
	st.states["New"] = briefing.SourceState{Name: "New", LastAttempt: now, LastSuccess: now}
	if d := ask(b, "brief", false).Digest; d.Coverage.PartlyBlind() || d.Blind() {
		t.Errorf("two of three answering: %+v", d.Coverage)
	}
}

// A scheduled digest holds what was stored in its window; when that
// includes reports published before it (a first poll's backlog), its
// header says since when.
func TestScheduledDigestBacklog(t *testing.T) {
	b, st := newTestBot(t)
	for k := range st.items {
		st.items[k].FirstSeen = now.Add(-30 * time.Minute) // all stored by the first poll
	}
	d, err := b.ScheduledDigest(context.Background(), now.Add(-time.Hour), now, briefing.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-30 * time.Hour); !d.Backlog.Equal(want) {
		t.Errorf("backlog %v, want the oldest report's date %v", d.Backlog, want)
	}
	if facts := DigestFacts("window", 4, d, func(s string, _ int) string { return s }); !strings.Contains(facts,
		"includes reports published since 26 Nov, first stored in this window") {
		t.Errorf("header: %q", facts)
	}
	for k := range st.items {
		st.items[k].Published = now.Add(-10 * time.Minute)
	}
	if d, _ := b.ScheduledDigest(context.Background(), now.Add(-time.Hour), now, briefing.Filter{}); !d.Backlog.IsZero() {
		t.Errorf("nothing from before the window: backlog %v", d.Backlog)
	}
}
