package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBriefFormats(t *testing.T) {
	_, cfg, db := standardSetup(t)
	// brief fetches first: the feeds' items are an hour old.
	r := runCLI(t, nil, "--config", cfg, "--db", db, "brief")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	// The two feeds tell the same two stories: each is one headline story
	// with both outlets.
	for _, want := range []string{"Sahel brief", "HEADLINES", "one: Bamako talks", "two: Niamey news", "Missing"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text digest lacks %q:\n%s", want, r.stdout)
		}
	}

	if !strings.Contains(r.stdout, "Alpha, Bravo") && !strings.Contains(r.stdout, "Bravo, Alpha") {
		t.Errorf("stories do not list both outlets:\n%s", r.stdout)
	}

	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--format", "json")
	var d struct {
		Sections []struct {
			ID      string `json:"id"`
			Stories []struct {
				Title     string `json:"title"`
				Countries []struct{ ID, Name string }
			} `json:"stories"`
		} `json:"sections"`
		Headlines []json.RawMessage              `json:"headlines"`
		Failed    []struct{ Name, Error string } `json:"failed_sources"`
		Total     int                            `json:"total_items"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("json digest: %v\n%s", err, r.stdout)
	}
	if d.Total != 4 || len(d.Failed) != 1 || d.Failed[0].Name != "Missing" {
		t.Errorf("digest: %d items, failed %+v", d.Total, d.Failed)
	}
	stories := 0
	for _, s := range d.Sections {
		stories += len(s.Stories)
	}
	if stories != 0 || len(d.Headlines) != 2 {
		t.Errorf("%d headlines and %d section stories, want the 4 items told as 2 headline stories", len(d.Headlines), stories)
	}

	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--format", "slack")
	var slackMsgs []struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &slackMsgs); err != nil || len(slackMsgs) == 0 || len(slackMsgs[0].Blocks) == 0 {
		t.Errorf("slack payloads: %v\n%s", err, r.stdout)
	}

	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--format", "discord")
	var discordMsgs []struct {
		Embeds          []json.RawMessage `json:"embeds"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &discordMsgs); err != nil || len(discordMsgs) == 0 {
		t.Fatalf("discord payloads: %v\n%s", err, r.stdout)
	}
	for _, m := range discordMsgs {
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("a Discord message without allowed_mentions.parse = []: %s", r.stdout)
		}
	}

	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--format", "markdown")
	if r.code != 0 || !strings.Contains(r.stdout, "# Sahel brief") {
		t.Errorf("markdown: %v", r)
	}
}

func TestBriefFilters(t *testing.T) {
	_, cfg, db := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch"); r.code != 0 {
		t.Fatalf("%v", r)
	}
	r := runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--country", "Nigérien", "--format", "json")
	if r.code != 0 || strings.Contains(r.stdout, "Bamako") || !strings.Contains(r.stdout, "Niamey") {
		t.Errorf("--country Nigérien: %v", r)
	}
	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--country", "Malli")
	if r.code != 2 || !strings.Contains(r.stderr, `--country: no country called "Malli"; did you mean Mali (mali)?`) {
		t.Errorf("unknown country: %v", r)
	}
	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--actor", "Goïta", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"actor": "assimi-goita"`) {
		t.Errorf("--actor Goïta: %v", r)
	}
	for _, bad := range [][]string{{"--format", "html"}, {"--since", "-1h"}, {"--since", "soon"}, {"--since", "45d"},
		{"--since", "99999999999h"}} {
		r = runCLI(t, nil, append([]string{"--config", cfg, "--db", db, "brief", "--no-fetch"}, bad...)...)
		if r.code != 2 {
			t.Errorf("%v: %v", bad, r)
		}
	}
}

// brief reads windows and names as chat does: 3d and 1w, acronyms in any
// case, surnames.
func TestBriefChatSyntax(t *testing.T) {
	_, cfg, db := standardSetup(t)
	for _, args := range [][]string{{"--since", "3d"}, {"--since", "1w"}, {"--since", "90m"}, {"--actor", "eigs"},
		{"--actor", "Traoré", "--since", "2d"}} {
		r := runCLI(t, nil, append([]string{"--config", cfg, "--db", db, "brief"}, args...)...)
		if r.code != 0 {
			t.Errorf("%v: %v", args, r)
		}
	}
	r := runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--tz", "Africa/Addis_Ababa")
	if r.code != 0 || !strings.Contains(r.stdout, " EAT") || strings.Contains(r.stdout, " UTC") {
		t.Errorf("--tz Africa/Addis_Ababa: times not in EAT: %v", r)
	}
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--tz", "Mars/Olympus"); r.code != exitUsage ||
		!strings.Contains(r.stderr, `--tz "Mars/Olympus" is not a time zone`) {
		t.Errorf("bad --tz: %v", r)
	}
	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--since", "45d")
	if r.code != exitUsage || !strings.Contains(r.stderr, "45d is too far back: the longest window is 30d") {
		t.Errorf("45d: %v", r)
	}
}

// Commands that only read work on a read-only database; a missing
// directory is named.
func TestReadOnlyDatabase(t *testing.T) {
	// (As root the file stays writable to the process; the commands still
	// open it read-only, which is what this tests then.)
	_, cfg, db := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch"); r.code != 0 {
		t.Fatalf("%v", r)
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(db, 0o644) })
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch"); r.code != 0 || !strings.Contains(r.stdout, "Bamako") {
		t.Errorf("brief --no-fetch on a read-only file: %v", r)
	}
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "search", "Niamey"); r.code != 0 || !strings.Contains(r.stdout, "Niamey") {
		t.Errorf("search on a read-only file: %v", r)
	}
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "s.db")
	if r := runCLI(t, nil, "--config", cfg, "--db", missing, "fetch"); r.code == 0 ||
		!strings.Contains(r.stderr, "directory "+filepath.Dir(missing)+" does not exist") {
		t.Errorf("missing directory: %v", r)
	}
}

func TestBriefQuietDay(t *testing.T) {
	_, cfg, db := standardSetup(t)
	// The sources answered (two of three), but nothing is about Chad.
	r := runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--country", "chad")
	if r.code != 0 || !strings.Contains(strings.ToLower(r.stdout), "quiet day") || strings.Contains(r.stdout, "BLIND") {
		t.Errorf("answering sources, nothing matched: want the quiet-day form, exit 0: %v", r)
	}
}

// With no source answering in the window, brief says it is blind (never
// "quiet"), in every format, and exits 1.
func TestBriefBlind(t *testing.T) {
	srv := newFeedServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "Gone", srv.URL+"/gone.xml", "Down", closed.URL+"/feed.xml")
	db := filepath.Join(dir, "b.db")
	r := runCLI(t, nil, "--config", cfg, "--db", db, "brief")
	if r.code != exitFail || !strings.Contains(r.stdout, "BLIND: none of 2 sources answered since") ||
		strings.Contains(r.stdout, "Quiet day") {
		t.Errorf("every source failing: want the blind form, exit 1: %v", r)
	}
	r = runCLI(t, nil, "--config", cfg, "--db", db, "brief", "--no-fetch", "--format", "json")
	var d struct {
		Coverage struct{ Sources, Answering, Failing int } `json:"coverage"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != exitFail {
		t.Fatalf("json: %v; %v", err, r)
	}
	if d.Coverage.Sources != 2 || d.Coverage.Answering != 0 || d.Coverage.Failing != 2 {
		t.Errorf("coverage %+v, want 2 sources, none answering, 2 failing", d.Coverage)
	}
	// No database yet: --no-fetch reads only, and says there is nothing.
	_, cfg2, db2 := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg2, "--db", db2, "brief", "--no-fetch"); r.code != exitFail ||
		!strings.Contains(r.stderr, "no database there yet (sahelbrief fetch creates it)") {
		t.Errorf("never fetched: %v", r)
	}
	// One of three failing: neither blind nor partly blind.
	_, cfg3, db3 := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg3, "--db", db3, "brief"); r.code != 0 || strings.Contains(r.stdout, "BLIND") {
		t.Errorf("two of three answering: %v", r)
	}
}
