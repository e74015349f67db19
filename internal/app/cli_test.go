package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/config"
)

// run is Run without a standard input: tests call it with buffers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) (string, bool)) int {
	return Run(ctx, args, nil, stdout, stderr, getenv)
}

// cliResult is what one run of the CLI produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the CLI with env as its whole environment. The working
// directory is a fresh temporary one, so a developer's .env or
// sahelbrief.db never leaks in.
func runCLI(t *testing.T, env map[string]string, args ...string) cliResult {
	t.Helper()
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	getenv := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	code := run(t.Context(), args, &stdout, &stderr, getenv)
	return cliResult{code, stdout.String(), stderr.String()}
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// feedServer serves two small RSS feeds and a 404 on loopback. /a.xml
// honours If-None-Match; /b.xml sends no validators and always answers 200.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	hits        map[string]int
	ifNoneMatch map[string][]string
}

const etagA = `"a-v1"`

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	fs := &feedServer{hits: map[string]int{}, ifNoneMatch: map[string][]string{}}
	pub := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	feed := func(name string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>` + name + `</title><link>https://example.org/` + name + `</link>
<item><title>` + name + ` one: Bamako talks</title><link>https://example.org/` + name + `/1</link><guid>` + name + `-1</guid><pubDate>` + pub + `</pubDate><description>First.</description></item>
<item><title>` + name + ` two: Niamey news</title><link>https://example.org/` + name + `/2</link><guid>` + name + `-2</guid><pubDate>` + pub + `</pubDate><description>Second.</description></item>
</channel></rss>`
	}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits[r.URL.Path]++
		fs.ifNoneMatch[r.URL.Path] = append(fs.ifNoneMatch[r.URL.Path], r.Header.Get("If-None-Match"))
		fs.mu.Unlock()
		switch r.URL.Path {
		case "/a.xml":
			w.Header().Set("ETag", etagA)
			if r.Header.Get("If-None-Match") == etagA {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, feed("alpha"))
		case "/b.xml":
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			fmt.Fprint(w, feed("bravo"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) seen(path string) (hits int, ifNoneMatch []string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path], append([]string(nil), fs.ifNoneMatch[path]...)
}

// writeConfig writes a YAML config listing the given name/url pairs.
func writeConfig(t *testing.T, dir string, nameURL ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n")
	for i := 0; i+1 < len(nameURL); i += 2 {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s\n    lang: en\n", nameURL[i], nameURL[i+1])
	}
	p := filepath.Join(dir, "sahelbrief.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// standardSetup is the feed server, a config with Alpha, Bravo and
// Missing (404), and a database path that does not exist yet.
func standardSetup(t *testing.T) (srv *feedServer, cfg, db string) {
	t.Helper()
	srv = newFeedServer(t)
	dir := t.TempDir()
	cfg = writeConfig(t, dir,
		"Alpha", srv.URL+"/a.xml",
		"Bravo", srv.URL+"/b.xml",
		"Missing", srv.URL+"/missing.xml")
	return srv, cfg, filepath.Join(dir, "test.db")
}

// jsonLines decodes one JSON object per line, by their "source" key.
func jsonLines(t *testing.T, out string, keys ...string) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("line %q lacks key %q", sc.Text(), k)
			}
		}
		name, _ := m["source"].(string)
		got[name] = m
	}
	return got
}

var fetchKeys = []string{"source", "url", "status", "new_items", "duration_ms", "error"}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring; "" means stdout must be empty
		wantStderr string // substring
	}{
		{"help", []string{"help"}, exitOK, "Usage: sahelbrief", ""},
		{"-h", []string{"-h"}, exitOK, "", "Usage: sahelbrief"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown global flag", []string{"--nope", "fetch"}, exitUsage, "", "not defined: -nope"},
		{"fetch -h", []string{"fetch", "-h"}, exitOK, "", "Usage: sahelbrief fetch"},
		{"sources --help", []string{"sources", "--help"}, exitOK, "", "Usage: sahelbrief sources"},
		{"config -h", []string{"config", "-h"}, exitOK, "", "Usage: sahelbrief config"},
		{"fetch positional", []string{"fetch", "extra"}, exitUsage, "", `unexpected argument "extra"`},
		{"sources positional", []string{"sources", "--json", "x"}, exitUsage, "", `unexpected argument "x"`},
		{"config positional", []string{"config", "x"}, exitUsage, "", `unexpected argument "x"`},
		{"unknown fetch flag", []string{"fetch", "--everything"}, exitUsage, "", "-everything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			if tt.wantStdout == "" && r.stdout != "" {
				t.Errorf("stdout should be empty\n%s", r)
			}
			if !strings.Contains(r.stdout, tt.wantStdout) || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("want stdout ~ %q, stderr ~ %q\n%s", tt.wantStdout, tt.wantStderr, r)
			}
		})
	}
	t.Run("help lists every command", func(t *testing.T) {
		r := runCLI(t, nil, "help")
		for _, c := range commands {
			if !strings.Contains(r.stdout, c.name) {
				t.Errorf("help does not list %q\n%s", c.name, r)
			}
		}
	})
}

func TestRunBadConfig(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("sources:\n  - name: A\n    url: https://example.org/a\n  - name: B\n    url: ftp://example.org/b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "never.db")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // stderr must name this
	}{
		{"poll interval, fetch", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "nope"}, []string{"fetch"}, "SAHELBRIEF_POLL_INTERVAL"},
		{"poll interval, sources", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "nope"}, []string{"sources"}, "SAHELBRIEF_POLL_INTERVAL"},
		{"poll interval, sources --check", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "nope"}, []string{"sources", "--check"}, "SAHELBRIEF_POLL_INTERVAL"},
		{"poll interval, config", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "nope"}, []string{"config"}, "SAHELBRIEF_POLL_INTERVAL"},
		{"poll interval, no command (run)", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "500ms"}, nil, "SAHELBRIEF_POLL_INTERVAL"},
		{"poll interval, run", map[string]string{"SAHELBRIEF_POLL_INTERVAL": "nope"}, []string{"run"}, "SAHELBRIEF_POLL_INTERVAL"},
		{"concurrency", map[string]string{"SAHELBRIEF_CONCURRENCY": "0"}, []string{"fetch"}, "SAHELBRIEF_CONCURRENCY"},
		{"empty db", nil, []string{"fetch", "--db", ""}, "SAHELBRIEF_DB"},
		{"bad YAML entry", nil, []string{"fetch", "--config", badYAML}, badYAML + ": sources[1].url"},
		{"bad YAML entry, sources", map[string]string{"SAHELBRIEF_CONFIG": badYAML}, []string{"sources"}, "sources[1].url"},
		{"missing YAML", nil, []string{"--config", filepath.Join(dir, "absent.yaml"), "fetch"}, "SAHELBRIEF_CONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--db", db}, tt.args...)
			r := runCLI(t, tt.env, args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", r.code, exitUsage, r)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not name %q\n%s", tt.want, r)
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a configuration error created the database (%v)", err)
			}
		})
	}
}

func TestFlagsBeforeOrAfterCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	cfg := writeConfig(t, dir, "A", "https://example.org/a")
	tests := []struct {
		name string
		args []string
	}{
		{"before", []string{"--db", db, "--config", cfg, "config"}},
		{"after", []string{"config", "--db", db, "--config", cfg}},
		{"mixed", []string{"--db=" + db, "config", "-config", cfg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, map[string]string{"SAHELBRIEF_DB": "env.db"}, tt.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r)
			}
			for _, want := range []string{"SAHELBRIEF_DB=" + db + "  # flag", "SAHELBRIEF_CONFIG=" + cfg + "  # flag"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("want %q\n%s", want, r)
				}
			}
		})
	}
}

func TestConfigCommand(t *testing.T) {
	r := runCLI(t, map[string]string{"SAHELBRIEF_CONCURRENCY": "3"}, "config")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	for _, v := range config.Variables() {
		if !strings.Contains(r.stdout, v.Key+"=") {
			t.Errorf("config does not print %s\n%s", v.Key, r)
		}
	}
	if !strings.Contains(r.stdout, "SAHELBRIEF_CONCURRENCY=3  # environment") {
		t.Errorf("config does not say where a value came from\n%s", r)
	}
}

func TestFetchFirstRun(t *testing.T) {
	tests := []struct {
		name string
		json bool
	}{{"text", false}, {"json", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg, db := standardSetup(t)
			args := []string{"fetch", "--config", cfg, "--db", db}
			if tt.json {
				args = append(args, "--json")
			}
			r := runCLI(t, nil, args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, want 0 (two sources answered)\n%s", r.code, r)
			}
			if !tt.json {
				ls := lines(r.stdout)
				if len(ls) != 4 {
					t.Fatalf("want 3 source lines and a total, got %d\n%s", len(ls), r)
				}
				for _, name := range []string{"Alpha", "Bravo", "Missing"} {
					if !strings.Contains(r.stdout, name) {
						t.Errorf("no line for %s\n%s", name, r)
					}
				}
				if want := "3 sources: 2 ok, 0 not modified, 1 failed; 4 new items"; !strings.HasPrefix(ls[3], want) {
					t.Errorf("total line %q, want it to start %q", ls[3], want)
				}
				return
			}
			got := jsonLines(t, r.stdout, fetchKeys...)
			if len(got) != 3 || len(lines(r.stdout)) != 3 {
				t.Fatalf("want one JSON line per source\n%s", r)
			}
			want := map[string]struct {
				status string
				items  float64
			}{"Alpha": {"ok", 2}, "Bravo": {"ok", 2}, "Missing": {"error", 0}}
			for name, w := range want {
				l := got[name]
				if l["status"] != w.status || l["new_items"] != w.items {
					t.Errorf("%s: status %v new_items %v, want %s %v", name, l["status"], l["new_items"], w.status, w.items)
				}
			}
			if e, _ := got["Missing"]["error"].(string); !strings.Contains(e, "404") {
				t.Errorf("Missing: error %q does not say 404", e)
			}
			if e := got["Alpha"]["error"]; e != "" {
				t.Errorf("Alpha: error = %v, want empty", e)
			}
		})
	}
}

// TestFetchThenSources walks a database through its life: first fetch,
// a forced conditional refetch, a fetch with nothing due, then the health
// listing.
func TestFetchThenSources(t *testing.T) {
	srv, cfg, db := standardSetup(t)

	t.Run("sources before any fetch", func(t *testing.T) {
		r := runCLI(t, nil, "sources", "--json", "--config", cfg, "--db", filepath.Join(t.TempDir(), "fresh.db"))
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		got := jsonLines(t, r.stdout)
		if len(got) != 3 {
			t.Fatalf("want 3 sources\n%s", r)
		}
		for name, l := range got {
			if l["health"] != "new" || l["status"] != "never" {
				t.Errorf("%s: health %v status %v, want new never", name, l["health"], l["status"])
			}
		}
	})

	if r := runCLI(t, nil, "fetch", "--config", cfg, "--db", db); r.code != exitOK {
		t.Fatalf("first fetch: exit %d\n%s", r.code, r)
	}

	t.Run("fetch --all honours ETag", func(t *testing.T) {
		r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch", "--all", "--json")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		got := jsonLines(t, r.stdout, fetchKeys...)
		want := map[string]string{"Alpha": "not_modified", "Bravo": "ok", "Missing": "error"}
		for name, status := range want {
			if got[name]["status"] != status {
				t.Errorf("%s: status %v, want %s", name, got[name]["status"], status)
			}
			if n := got[name]["new_items"]; n != 0.0 {
				t.Errorf("%s: new_items %v, want 0", name, n)
			}
		}
		if _, inm := srv.seen("/a.xml"); len(inm) != 2 || inm[0] != "" || inm[1] != etagA {
			t.Errorf("If-None-Match sent to /a.xml: %q, want [\"\" %q]", inm, etagA)
		}
	})

	t.Run("fetch with nothing due", func(t *testing.T) {
		before, _ := srv.seen("/b.xml")
		r := runCLI(t, nil, "fetch", "--config", cfg, "--db", db)
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		if r.stdout != "" || !strings.Contains(r.stderr, "Nothing is due") {
			t.Errorf("want only a 'Nothing is due' note\n%s", r)
		}
		if after, _ := srv.seen("/b.xml"); after != before {
			t.Errorf("a source that is not due was fetched")
		}
	})

	t.Run("sources", func(t *testing.T) {
		r := runCLI(t, nil, "sources", "--config", cfg, "--db", db)
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		want := map[string]string{"Alpha": "healthy", "Bravo": "healthy", "Missing": "failing"}
		ls := lines(r.stdout)
		if len(ls) != len(want) {
			t.Fatalf("want one line per source\n%s", r)
		}
		for _, l := range ls {
			f := strings.Fields(l)
			if len(f) < 2 || want[f[0]] != f[1] {
				t.Errorf("line %q, want health %v", l, want)
			}
		}
	})

	t.Run("sources --json", func(t *testing.T) {
		r := runCLI(t, nil, "sources", "--json", "--config", cfg, "--db", db)
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		got := jsonLines(t, r.stdout, "source", "url", "status", "health", "consecutive_failures", "error", "stored_items")
		want := map[string]struct {
			status, health string
			failures       float64
			stored         float64
		}{
			"Alpha":   {"not_modified", "healthy", 0, 2},
			"Bravo":   {"ok", "healthy", 0, 2},
			"Missing": {"error", "failing", 2, 0},
		}
		if len(got) != len(want) {
			t.Fatalf("want %d sources\n%s", len(want), r)
		}
		for name, w := range want {
			l := got[name]
			if l["status"] != w.status || l["health"] != w.health || l["consecutive_failures"] != w.failures || l["stored_items"] != w.stored {
				t.Errorf("%s: got %v, want %+v", name, l, w)
			}
			if l["url"] != srv.URL+map[string]string{"Alpha": "/a.xml", "Bravo": "/b.xml", "Missing": "/missing.xml"}[name] {
				t.Errorf("%s: url %v", name, l["url"])
			}
		}
		if e, _ := got["Missing"]["error"].(string); !strings.Contains(e, "404") {
			t.Errorf("Missing: error %q does not say 404", e)
		}
	})
}

func TestFetchAllFailing(t *testing.T) {
	srv := newFeedServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "Gone", srv.URL+"/gone.xml", "Down", closed.URL+"/feed.xml")
	r := runCLI(t, nil, "fetch", "--config", cfg, "--db", filepath.Join(dir, "f.db"))
	if r.code != exitFail {
		t.Errorf("exit %d, want %d\n%s", r.code, exitFail, r)
	}
	if !strings.Contains(r.stdout, "2 sources: 0 ok, 0 not modified, 2 failed") {
		t.Errorf("total line missing\n%s", r)
	}
}

func TestSourcesCheck(t *testing.T) {
	srv := newFeedServer(t)
	tests := []struct {
		name     string
		sources  []string
		wantCode int
		want     map[string]string
	}{
		{"one failing", []string{"Alpha", srv.URL + "/a.xml", "Bravo", srv.URL + "/b.xml", "Missing", srv.URL + "/missing.xml"},
			exitFail, map[string]string{"Alpha": "ok", "Bravo": "ok", "Missing": "error"}},
		{"all good", []string{"Alpha", srv.URL + "/a.xml", "Bravo", srv.URL + "/b.xml"},
			exitOK, map[string]string{"Alpha": "ok", "Bravo": "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeConfig(t, dir, tt.sources...)
			db := filepath.Join(dir, "check.db")
			r := runCLI(t, nil, "sources", "--check", "--json", "--config", cfg, "--db", db)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			got := jsonLines(t, r.stdout, fetchKeys...)
			if len(got) != len(tt.want) {
				t.Fatalf("want %d lines\n%s", len(tt.want), r)
			}
			for name, status := range tt.want {
				if got[name]["status"] != status {
					t.Errorf("%s: status %v, want %s", name, got[name]["status"], status)
				}
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("sources --check touched the database (%v)", err)
			}

			text := runCLI(t, nil, "sources", "--check", "--config", cfg, "--db", db)
			failed := len(tt.want) - 2
			if want := fmt.Sprintf("%d sources checked: 2 reachable, %d failed", len(tt.want), failed); !strings.Contains(text.stdout, want) {
				t.Errorf("want %q\n%s", want, text)
			}
		})
	}
	// --check wants the real document: it never sends validators.
	if _, inm := srv.seen("/a.xml"); len(inm) == 0 || strings.Join(inm, "") != "" {
		t.Errorf("sources --check sent If-None-Match %q", inm)
	}
}

func TestSourcesBuiltinList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	r := runCLI(t, nil, "sources", "--json", "--db", db)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	got := jsonLines(t, r.stdout, "source", "url", "health")
	if len(got) < 2 {
		t.Fatalf("the built-in list has %d sources\n%s", len(got), r)
	}
	for name, l := range got {
		if l["health"] != "new" || l["url"] == "" {
			t.Errorf("%s: %v", name, l)
		}
	}
}

// TestEveryFlagSetHasHelp: each subcommand's flag set finds its usage in
// help.txt, and help.txt holds no help of a command that is gone.
func TestEveryFlagSetHasHelp(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`newFlagSet\(env, "([^"]+)"\)`)
	used := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
			if h, ok := helps[m[1]]; !ok || h.summary == "" {
				t.Errorf("%s: newFlagSet %q has no help in help.txt", f, m[1])
			}
		}
	}
	if len(used) < 15 {
		t.Fatalf("found %d flag sets; the pattern no longer matches the calls", len(used))
	}
	for name := range helps {
		if !used[name] {
			t.Errorf("help.txt has help for %q, which no command uses", name)
		}
	}
}
