package app

import (
	"encoding/json"
	"strings"
	"testing"
)

// search answers from the terminal as /sahel search does: stories, the
// query language with exclusions, flags anywhere, JSON, a clear usage error.
func TestSearchCommand(t *testing.T) {
	_, cfg, db := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch"); r.code != 0 {
		t.Fatalf("%v", r)
	}
	r := runCLI(t, nil, "--config", cfg, "--db", db, "search", "Niamey")
	if r.code != 0 || !strings.Contains(r.stdout, "two: Niamey news") || strings.Contains(r.stdout, "Bamako") {
		t.Errorf("search Niamey: %v", r)
	}
	r = runCLI(t, nil, "search", "alpha", "-Niamey", "--json", "--config", cfg, "--db", db)
	var d struct {
		Sections []struct {
			Stories []struct {
				Title   string   `json:"title"`
				Outlets []string `json:"outlets"`
			} `json:"stories"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
		t.Fatalf("search --json: %v; %v", err, r)
	}
	var titles []string
	for _, sec := range d.Sections {
		for _, s := range sec.Stories {
			titles = append(titles, s.Title)
		}
	}
	if len(titles) != 1 || strings.Contains(titles[0], "Niamey") {
		t.Errorf("search alpha -Niamey: %q, want the one story without Niamey", titles)
	}
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "search", "zzzunmatched"); r.code != 0 ||
		!strings.Contains(r.stdout, "No stored news matches this search.") {
		t.Errorf("empty search: %v", r)
	}
	for _, bad := range [][]string{{}, {`"unclosed`}, {"--limit", "0", "coup"}, {"--format", "html", "coup"}} {
		if r := runCLI(t, nil, append([]string{"--config", cfg, "--db", db, "search"}, bad...)...); r.code != exitUsage {
			t.Errorf("%q: %v", bad, r)
		}
	}
}
