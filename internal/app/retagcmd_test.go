package app

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/store"
)

// vdpGazetteer is a config file's gazetteer extension adding an actor the
// built-in gazetteer does not know.
const vdpGazetteer = "gazetteer:\n  actors:\n    - id: vdp\n      name: VDP\n      aliases: [VDP]\n"

const djibo = "Burkina Faso: VDP volunteers killed near Djibo"

// storedActors reads each stored item's actors by title.
func storedActors(t *testing.T, db string) map[string][]string {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.ItemsSince(context.Background(), time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range items {
		out[it.Title] = it.Actors
	}
	return out
}

// deskWithItems fetches two items into a new database with the built-in
// gazetteer and returns the environment, with the config file extending
// the gazetteer from then on.
func deskWithItems(t *testing.T) (map[string]string, string) {
	desk := newNewsDesk(t)
	desk.add("desk", djibo, "Several volunteers died.")
	desk.add("desk", niamey, "Protesters gathered in the capital.")
	dir := t.TempDir()
	db := filepath.Join(dir, "sahelbrief.db")
	env := map[string]string{"SAHELBRIEF_CONFIG": deskConfig(t, dir, desk, "", "desk"), "SAHELBRIEF_DB": db,
		"SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0", "SAHELBRIEF_POLL_INTERVAL": "1s"}
	if r := runCLI(t, env, "fetch", "--all"); r.code != 0 {
		t.Fatalf("fetch: %v", r)
	}
	if got := storedActors(t, db)[djibo]; slices.Contains(got, "vdp") {
		t.Fatalf("the built-in gazetteer tagged vdp: %v", got)
	}
	deskConfig(t, dir, desk, vdpGazetteer, "desk")
	return env, db
}

// `retag` applies a config extension to the stored items, counts what
// changed, and has nothing to do the second time.
func TestRetagCommand(t *testing.T) {
	env, db := deskWithItems(t)
	r := runCLI(t, env, "retag")
	if r.code != 0 || !strings.Contains(r.stdout, "Retagged 2 items") || !strings.Contains(r.stdout, ": 1 items' tags changed") {
		t.Fatalf("retag: %v; want 2 items retagged, 1 changed", r)
	}
	actors := storedActors(t, db)
	if !slices.Contains(actors[djibo], "vdp") || slices.Contains(actors[niamey], "vdp") {
		t.Errorf("actors after retag: %v; want vdp on the Djibo item only", actors)
	}
	if r := runCLI(t, env, "retag"); r.code != 0 || !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("retag again: %v; want nothing to do", r)
	}
	if r := runCLI(t, env, "retag", "--batch", "0"); r.code != exitUsage {
		t.Errorf("retag --batch 0: %v; want exit 2", r)
	}
}

// `run` started with a changed gazetteer retags the stored items in the
// background while it polls, and logs it.
func TestRunRetagsInBackground(t *testing.T) {
	events := hookEvents(t)
	env, db := deskWithItems(t)
	stdout, stderr := newLineWriter(), newLineWriter()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"run"}, strings.NewReader(""), stdout, stderr,
			func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	waitLine(t, stderr.lines, "retagging them in the background", 10*time.Second)
	line := waitLine(t, stderr.lines, "retag: done", 10*time.Second)
	if !strings.Contains(line, `"items":2`) || !strings.Contains(line, `"changed":1`) {
		t.Errorf("retag log line %s; want 2 items, 1 changed", line)
	}
	waitEvent(t, events, "ingested", 10*time.Second) // polling went on
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("run exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
	if !slices.Contains(storedActors(t, db)[djibo], "vdp") {
		t.Error("run's background retag did not tag the stored item")
	}
	// Started again with the same gazetteer: nothing to retag.
	if r := runCLI(t, env, "retag"); !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("retag after run's: %v; want nothing to do", r)
	}
}

func TestRetagSummary(t *testing.T) {
	for _, tt := range []struct {
		res  store.RetagResult
		want string
	}{
		{store.RetagResult{UpToDate: true}, "follow the gazetteer already (abc): nothing to do"},
		{store.RetagResult{RetagProgress: store.RetagProgress{Checked: 7, Changed: 3}, Stories: 2},
			"Retagged 7 items with gazetteer abc in 1.5s: 3 items' tags changed, 2 stories' summaries updated."},
		{store.RetagResult{RetagProgress: store.RetagProgress{Checked: 7}, Resumed: true},
			"Continued the interrupted retag: 7 items"},
	} {
		if got := retagSummary(tt.res, "abc", 1500*time.Millisecond); !strings.Contains(got, tt.want) {
			t.Errorf("retagSummary(%+v) = %q; want %q in it", tt.res, got, tt.want)
		}
	}
}
