package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestSourcesAndShare(t *testing.T) {
	b, st := newTestBot(t)
	st.states["Desk"] = briefing.SourceState{Name: "Desk", LastAttempt: now, LastSuccess: now, LastNewItem: now}
	st.states["Broken"] = briefing.SourceState{Name: "Broken", LastAttempt: now, ConsecutiveFailures: 3, LastError: "HTTP 404 Not Found",
		LastStatus: briefing.StatusError, NextCheck: now.Add(40 * time.Minute)}
	r := ask(b, "sources --share", false)
	wantNext := "Broken (3 failures: HTTP 404 Not Found) — next check in 40m (" + now.Add(40*time.Minute).UTC().Format("2 Jan 15:04") + " UTC)"
	if !r.Share || !strings.Contains(r.Text, "3 sources: 1 healthy, 1 failing, 0 silent, 1 not polled yet") ||
		!strings.Contains(r.Text, wantNext) {
		t.Errorf("%+v; want %q", r, wantNext)
	}
	if r := ask(b, "brief", false); r.Share {
		t.Error("answers are private unless --share")
	}
	d := ask(b, "brief", false).Digest
	if len(d.Failed) != 1 || d.Failed[0].Name != "Broken" {
		t.Errorf("digest failed sources: %+v", d.Failed)
	}
}

// /sahel sources says first that the database cannot store new items,
// and nothing of the kind when it can.
func TestSourcesStorageProblem(t *testing.T) {
	b, st := newTestBot(t)
	if r := ask(b, "sources", false); strings.Contains(r.Text, "cannot store") {
		t.Errorf("a working database: %q", r.Text)
	}
	st.storage = "database or disk is full"
	r := ask(b, "sources", false)
	if !strings.HasPrefix(r.Text, "⚠ The database cannot store new items: database or disk is full.") {
		t.Errorf("full database: %q", r.Text)
	}
}
