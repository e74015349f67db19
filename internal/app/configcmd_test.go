package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/sources"
)

// writeYAML writes a config file into dir.
func writeYAML(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigRejectsWhatRunRejects checks `config` validates everything
// `run` does (digests' names against the gazetteer, gazetteer extensions,
// Slack tokens) and names every bad entry at once, one a line; and that
// `run` stops on the same errors with exit 2 before opening the store.
func TestConfigRejectsWhatRunRejects(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "never.db")
	path := writeYAML(t, dir, "bad.yaml", `sources:
  - name: A
    url: https://example.org/a
    lang: de
digests:
  - channel: console
    cron: "0 7 * * *"
    country: atlantis
  - channel: slack:C0123456789
    cron: "0 25 * * *"
    actor: wagnerr
`)
	env := map[string]string{"SAHELBRIEF_CONFIG": path, "SAHELBRIEF_DB": db, "SLACK_APP_TOKEN": "xapp-1-A1-abc"}
	want := []string{
		"sahelbrief: config: SLACK_APP_TOKEN: is set but SLACK_BOT_TOKEN is not: Socket Mode needs both",
		"sahelbrief: config: " + path + `: sources[0].lang: "de" is not en or fr`,
		"sahelbrief: config: " + path + `: digests[0].country: unknown country "atlantis" for console`,
		"sahelbrief: config: " + path + `: digests[1].cron: "0 25 * * *" for slack:C0123456789 is not a valid cron schedule: `,
		"sahelbrief: config: " + path + `: digests[1].actor: unknown actor "wagnerr" for slack:C0123456789 (did you mean wagner?)`,
	}
	for _, cmd := range []string{"config", "run", "shell", "sources"} {
		t.Run(cmd, func(t *testing.T) {
			r := runCLI(t, env, cmd)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", r.code, exitUsage, r)
			}
			got := lines(r.stderr)
			if len(got) != len(want) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(got), len(want), r)
			}
			for i := range want {
				if !strings.HasPrefix(got[i], want[i]) {
					t.Errorf("line %d = %q\nwant it to start with %q", i+1, got[i], want[i])
				}
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a configuration error created the database (%v)", err)
			}
		})
	}
	t.Run("gazetteer extension", func(t *testing.T) {
		path := writeYAML(t, dir, "gaz.yaml", "gazetteer:\n  actors:\n    - name: No id\n      aliases: [Nobody]\n")
		r := runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "config")
		if r.code != exitUsage || !strings.Contains(r.stderr, "sahelbrief: config: "+path+": gazetteer: ") {
			t.Errorf("want exit 2 naming %s: gazetteer\n%s", path, r)
		}
	})
	t.Run("good names become ids", func(t *testing.T) {
		path := writeYAML(t, dir, "good.yaml", "digests:\n  - channel: console\n    cron: '@daily'\n    country: Burkinabè\n    actor: Goïta\n")
		r := runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "config")
		if r.code != exitOK || !strings.Contains(r.stdout, `# digest: console "@daily" UTC country=burkina-faso actor=assimi-goita`) {
			t.Errorf("want the digest with ids\n%s", r)
		}
	})
}

func TestUnknownConfigKeyGetsDidYouMean(t *testing.T) {
	dir := t.TempDir()
	path := writeYAML(t, dir, "typo.yaml", "# feeds\n\n\nsourcs:\n  - name: A\n    url: https://example.org/a\ndigests:\n  - channel: console\n    cron: '@daily'\n    timezone: UTC\n")
	r := runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "config")
	want := "sahelbrief: config: " + path + `: line 4: unknown key "sourcs" in the top level; did you mean "sources"?` + "\n" +
		"sahelbrief: config: " + path + `: line 10: unknown key "timezone" in digests[0] (known keys: channel, cron, tz, country, actor)` + "\n"
	if r.code != exitUsage || r.stderr != want {
		t.Errorf("got\n%s\nwant stderr\n%s", r, want)
	}
}

// TestRelativeFeedPathsFollowTheConfigFile fetches a local feed named
// relatively in a config file from another working directory.
func TestRelativeFeedPathsFollowTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	pub := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	writeYAML(t, dir, "conf/feeds/local.xml", `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local</title><link>https://example.org/</link>
<item><title>Bamako: local talks</title><link>https://example.org/1</link><guid>l-1</guid><pubDate>`+pub+`</pubDate></item>
</channel></rss>`)
	path := writeYAML(t, dir, "conf/sahelbrief.yaml", "sources:\n  - name: Local\n    url: feeds/local.xml\n  - name: Local URL\n    url: file:feeds/local.xml\n")
	r := runCLI(t, nil, "--config", path, "--db", filepath.Join(dir, "l.db"), "fetch", "--json") // runCLI works in a fresh directory
	got := jsonLines(t, r.stdout, fetchKeys...)
	for _, name := range []string{"Local", "Local URL"} {
		// Both name the same file: its item is stored once, but each reads it.
		if l := got[name]; l == nil || l["status"] != "ok" || l["items"] != float64(1) {
			t.Errorf("%s: %v\n%s", name, l, r)
		}
	}
}

// TestShellSeesConfigDigests checks a digest set in the config file is
// there for `shell` (and refuses chat changes) before `run` ever ran,
// and that removing it from the file removes it for the next command.
func TestShellSeesConfigDigests(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	path := writeYAML(t, dir, "c.yaml", "digests:\n  - channel: console\n    cron: '0 7 * * 1-5'\n    tz: Africa/Bamako\n    country: mali\n")
	env := map[string]string{"SAHELBRIEF_CONFIG": path, "SAHELBRIEF_DB": db}
	r := runCLIWithInput(t, "/sahel digest show\n/sahel digest off\n", env, "shell")
	if r.code != exitOK || !strings.Contains(r.stdout, "`0 7 * * 1-5` (Africa/Bamako)") ||
		!strings.Contains(r.stdout, "(set in the config file)") || !strings.Contains(r.stdout, "change it there") {
		t.Errorf("shell does not see the config's digest:\n%s", r)
	}
	writeYAML(t, dir, "c.yaml", "digests: []\n")
	r = runCLIWithInput(t, "/sahel digest show\n", env, "shell")
	if r.code != exitOK || strings.Contains(r.stdout, "0 7 * * 1-5") {
		t.Errorf("the removed digest is still shown:\n%s", r)
	}
}

func TestSourcesBuiltinPrintsConfigYAML(t *testing.T) {
	r := runCLI(t, nil, "sources", "--builtin")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("%s", r)
	}
	got, err := config.ParseSources([]byte(r.stdout), "out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := config.ParseSources(sources.BuiltinYAML, "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 51 || !reflect.DeepEqual(got, want) {
		t.Errorf("printed %d sources, want the %d built-in ones as they are:\n%s", len(got), len(want), r.stdout)
	}
	// The output is a config file as it stands.
	path := writeYAML(t, t.TempDir(), "copy.yaml", r.stdout)
	if r := runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "config"); r.code != exitOK || !strings.Contains(r.stdout, "# sources: 51 from ") {
		t.Errorf("the printed list is not a valid config file:\n%s", r)
	}
	if r := runCLI(t, nil, "sources", "--builtin", "--json"); r.code != exitUsage {
		t.Errorf("--builtin --json: %s", r)
	}
}

func TestExtraSourcesAndDisableFromTheCLI(t *testing.T) {
	dir := t.TempDir()
	path := writeYAML(t, dir, "c.yaml", "disable: [RFI Afrique, bbc afrique]\nextra_sources:\n  - name: My desk\n    url: https://example.org/desk.xml\n    lang: en\n")
	r := runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "sources", "--json", "--db", filepath.Join(dir, "x.db"))
	if r.code != exitOK {
		t.Fatalf("%s", r)
	}
	got := jsonLines(t, r.stdout, "source")
	if len(got) != 50 || got["My desk"] == nil || got["RFI Afrique"] != nil || got["BBC Afrique"] != nil || got["France 24 Afrique"] == nil {
		t.Errorf("want 51 built-in - 2 + 1 sources, got %d:\n%s", len(got), r)
	}
	path = writeYAML(t, dir, "bad.yaml", "disable: [RFI Afriqe]\nextra_sources:\n  - name: BBC Afrique\n    url: https://example.org/b.xml\n")
	r = runCLI(t, map[string]string{"SAHELBRIEF_CONFIG": path}, "config")
	for _, want := range []string{
		path + `: disable[0]: "RFI Afriqe" is not a built-in source; did you mean "RFI Afrique"?`,
		path + `: extra_sources[0].name: "BBC Afrique" is already a built-in source`,
	} {
		if r.code != exitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("want exit 2 and %q\n%s", want, r)
		}
	}
}
