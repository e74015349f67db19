package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/store"
)

func runCLIWithInput(t *testing.T, stdin string, env map[string]string, args ...string) cliResult {
	t.Helper()
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := Run(t.Context(), args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	return cliResult{code, stdout.String(), stderr.String()}
}

func TestTagCommand(t *testing.T) {
	in := `{"id":"a","title":"Goïta reçoit la CEDEAO à Bamako","summary":"","source":"x"}
{"title":"Floods along the Niger River","summary":"Nothing else."}

{"title":"Coup in Niamey","summary":"Tiani","countries":["stale"],"extra":{"k":1}}
`
	r := runCLIWithInput(t, in, nil, "tag")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	want := []string{
		`{"id":"a","title":"Goïta reçoit la CEDEAO à Bamako","summary":"","source":"x","countries":["mali"],"actors":["assimi-goita","ecowas"]}`,
		`{"title":"Floods along the Niger River","summary":"Nothing else.","countries":[],"actors":[]}`,
		`{"actors":["abdourahamane-tiani"],"countries":["niger"],"extra":{"k":1},"summary":"Tiani","title":"Coup in Niamey"}`,
	}
	if got := lines(r.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTagCommandBadLines(t *testing.T) {
	r := runCLIWithInput(t, "{\"title\":\"Mali\"}\nnot json\n[1,2]\n{\"title\":3}\n{\"title\":\"Niger\"}\n", nil, "tag")
	if r.code != 1 {
		t.Errorf("exit %d, want 1 when lines were skipped", r.code)
	}
	if n := len(lines(r.stdout)); n != 2 {
		t.Errorf("%d lines out, want the 2 good ones:\n%s", n, r.stdout)
	}
	for _, want := range []string{"line 2:", "line 3:", `line 4: "title" must be a string`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestTagCommandUsesGazetteerExtension(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("gazetteer:\n  actors:\n    - id: fama\n      name: FAMa\n      aliases: [=FAMa]\n      implies: [mali]\n"), 0o600)
	r := runCLIWithInput(t, `{"title":"Les FAMa avancent"}`+"\n", nil, "--config", cfg, "tag")
	if r.code != 0 || !strings.Contains(r.stdout, `"countries":["mali"],"actors":["fama"]`) {
		t.Errorf("%v", r)
	}
	os.WriteFile(cfg, []byte("gazetteer:\n  actors:\n    - id: fama\n      aliases: [x]\n"), 0o600)
	r = runCLIWithInput(t, "", nil, "--config", cfg, "tag")
	if r.code != 2 || !strings.Contains(r.stderr, "gazetteer") || !strings.Contains(r.stderr, "fama has no name") {
		t.Errorf("bad extension: %v", r)
	}
}

// TestFetchStoresTags checks items are tagged once, when stored.
func TestFetchStoresTags(t *testing.T) {
	_, cfg, db := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch"); r.code != 0 {
		t.Fatalf("%v", r)
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.ItemsSince(t.Context(), time0, 0)
	if err != nil {
		t.Fatal(err)
	}
	tagged := map[string]string{}
	for _, it := range items {
		tagged[it.Title] = strings.Join(it.Countries, ",")
	}
	if tagged["alpha one: Bamako talks"] != "mali" || tagged["bravo two: Niamey news"] != "niger" {
		t.Errorf("stored tags: %v", tagged)
	}
}

// time0 is a time before any test item.
var time0 = time.Unix(0, 0)
