package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/loadtest"
)

// loadSettings say how big TestLoad is. By default it is tiny (a smoke
// test of the harness that every `go test` runs); issue 12's measurement
// is
//
//	SAHELBRIEF_LOAD_ITEMS=1000000 go test . -run '^TestLoad$' -v -timeout 2h
//
// with SAHELBRIEF_LOAD_CLIENTS (50), _RUNS (3), _REQUESTS (per kind and
// run, 100), _KINDS (a regexp of kind names) and _CACHE (where the built
// database is kept between runs; default the user cache directory).
type loadSettings struct {
	items, clients, runs, requests int
	kinds                          *regexp.Regexp
	cache                          string
	full                           bool
}

func loadSettingsFromEnv(t *testing.T) loadSettings {
	s := loadSettings{items: 2000, clients: 4, runs: 1, requests: 4, kinds: regexp.MustCompile("")}
	num := func(key string, dst *int) {
		if v := os.Getenv(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				t.Fatalf("%s=%q: want a positive number", key, v)
			}
			*dst = n
		}
	}
	if os.Getenv("SAHELBRIEF_LOAD_ITEMS") != "" {
		s.full, s.clients, s.runs, s.requests = true, 50, 3, 100
	}
	num("SAHELBRIEF_LOAD_ITEMS", &s.items)
	num("SAHELBRIEF_LOAD_CLIENTS", &s.clients)
	num("SAHELBRIEF_LOAD_RUNS", &s.runs)
	num("SAHELBRIEF_LOAD_REQUESTS", &s.requests)
	if v := os.Getenv("SAHELBRIEF_LOAD_KINDS"); v != "" {
		s.kinds = regexp.MustCompile(v)
	}
	s.cache = os.Getenv("SAHELBRIEF_LOAD_CACHE")
	if s.cache == "" && s.full {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Fatalf("no cache directory (set SAHELBRIEF_LOAD_CACHE): %v", err)
		}
		s.cache = filepath.Join(dir, "sahelbrief-load")
	}
	if s.cache == "" {
		s.cache = t.TempDir()
	}
	return s
}

// loadSecret is the Slack signing secret of the load test's serve.
const loadSecret = "load-test-signing-secret"

// TestLoad drives a real `serve` (this test binary re-executed as the bot,
// its clock at the corpus's end) with concurrent signed slash commands,
// then times `brief --no-fetch` processes, and logs the tables. It runs
// serve twice: as deployed (answers reused for SAHELBRIEF_ANSWER_TTL's
// default while no news arrives), then with every answer built afresh
// (SAHELBRIEF_ANSWER_TTL=0), the cost of the first request of a burst.
func TestLoad(t *testing.T) {
	s := loadSettingsFromEnv(t)
	ctx := context.Background()
	t0 := time.Now()
	db, err := loadtest.CachedDB(ctx, s.cache, s.items)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("database of %d items: %s (ready in %v)", s.items, db, time.Since(t0).Round(time.Millisecond))

	var kinds []loadtest.Kind
	for _, k := range loadtest.DefaultKinds() {
		if s.kinds.MatchString(k.Name) {
			kinds = append(kinds, k)
		}
	}
	var out strings.Builder
	for _, phase := range []struct{ name, env string }{
		{"answers reused (SAHELBRIEF_ANSWER_TTL=1m, the default)", ""},
		{"every answer built (SAHELBRIEF_ANSWER_TTL=0)", "SAHELBRIEF_ANSWER_TTL=0"},
	} {
		many, one, rss := driveLoad(t, s, db, kinds, phase.env)
		fmt.Fprintf(&out, "\n%s: %d items, %d runs (medians), serve peak RSS (VmHWM) %.0f MB\n\n", phase.name, s.items, s.runs, float64(rss)/1024)
		loadtest.WriteTable(&out, many)
		out.WriteString("\n")
		loadtest.WriteTable(&out, one)
		for _, run := range append(many, one...) {
			for _, r := range run {
				if r.Errors > 0 {
					t.Errorf("%s, %s: %d errors of %d requests, first: %s", phase.name, r.Kind, r.Errors, r.Requests, r.FirstError)
				}
				if len(r.Latencies) == 0 && r.Errors == 0 {
					t.Errorf("%s, %s: no request answered", phase.name, r.Kind)
				}
			}
		}
	}
	out.WriteString("\n")
	writeBriefProcesses(t, &out, db, s.runs)
	t.Log(out.String())
}

// driveLoad starts serve on db (with env added to its environment), warms
// it with two requests a kind, then runs each kind with s.clients clients
// and the search kinds with one, s.runs times; it returns the results and
// serve's peak RSS in KiB.
func driveLoad(t *testing.T, s loadSettings, db string, kinds []loadtest.Kind, env string) (many, one [][]loadtest.Result, rss int) {
	t.Helper()
	ctx := context.Background()
	var single []loadtest.Kind // search alone: its one-client target
	for _, k := range kinds {
		if strings.HasPrefix(k.Name, "search") {
			single = append(single, k)
		}
	}
	srv := startLoadServe(t, db, loadSecret, env)
	cfg := loadtest.Config{URL: "http://" + srv.addr + "/slack/commands", Secret: loadSecret, Requests: s.requests, MaxTime: 30 * time.Second}
	warm := cfg
	warm.Clients, warm.Requests = 1, 2
	for _, k := range kinds { // fill the page cache: measure the warm server
		loadtest.Drive(ctx, warm, k)
	}
	for run := 0; run < s.runs; run++ {
		var rs, r1 []loadtest.Result
		for _, k := range kinds {
			c := cfg
			c.Clients = s.clients
			srv.waitIdle(t, s.full)
			rs = append(rs, loadtest.Drive(ctx, c, k))
		}
		for _, k := range single {
			c := cfg
			c.Clients, c.Requests = 1, max(s.requests/5, 4)
			srv.waitIdle(t, s.full)
			r1 = append(r1, loadtest.Drive(ctx, c, k))
		}
		many, one = append(many, rs), append(one, r1)
	}
	return many, one, srv.stop(t)
}

// loadServe is a running `serve` child.
type loadServe struct {
	cmd  *exec.Cmd
	addr string
	done chan error
	log  *strings.Builder
}

// loadChildEnv is the environment of a bot child reading db, its clock at
// the corpus's end.
func loadChildEnv(db string, args ...string) []string {
	return []string{childEnv + "=" + strings.Join(args, " "), "HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH"),
		"SAHELBRIEF_DB=" + db, nowEnv + "=" + loadtest.End.Format(time.RFC3339), "SAHELBRIEF_LOG_LEVEL=error"}
}

// startLoadServe starts serve on db; env, when not empty, is one more
// NAME=value of its environment.
func startLoadServe(t *testing.T, db, secret, env string) *loadServe {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(loadChildEnv(db, "serve", "--addr", "127.0.0.1:0"), "SLACK_SIGNING_SECRET="+secret)
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &loadServe{cmd: cmd, done: make(chan error, 1), log: &strings.Builder{}}
	addr := make(chan string, 1)
	logged := make(chan struct{})
	go func() { // reads every line, so the child never blocks on its log
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			l := sc.Text()
			if a, ok := strings.CutPrefix(l, "sahelbrief: listening on "); ok {
				addr <- strings.Fields(a)[0]
			} else if s.log.Len() < 64<<10 {
				s.log.WriteString(l + "\n")
			}
		}
	}()
	go func() { <-logged; s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.addr = <-addr:
	case err := <-s.done:
		t.Fatalf("serve ended before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve not listening after 60s")
	}
	return s
}

// waitIdle waits until serve has finished the answers still running in
// the background (acknowledged late, answered later), so that one kind's
// backlog is not charged to the next: until it used under 5% of a core
// for a second, for at most 150 s (a command's own limit is 2 minutes).
func (s *loadServe) waitIdle(t *testing.T, full bool) {
	t.Helper()
	if !full { // the smoke test's commands take milliseconds
		return
	}
	deadline := time.Now().Add(150 * time.Second)
	last := cpuTicks(s.cmd.Process.Pid)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := cpuTicks(s.cmd.Process.Pid)
		if now-last < 5 { // clock ticks are 1/100 s
			return
		}
		last = now
	}
	t.Logf("serve still busy after 150 s")
}

// cpuTicks is a process's user + system time in clock ticks.
func cpuTicks(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (in parentheses, which may hold spaces).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	sys, _ := strconv.Atoi(f[12])
	return u + sys
}

// stop reads serve's peak resident memory (kB), then stops it with
// SIGTERM, as systemd would.
func (s *loadServe) stop(t *testing.T) int {
	t.Helper()
	rss := vmHWM(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve exit after SIGTERM: %v\n%s", err, s.log)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("serve did not stop on SIGTERM")
	}
	if s.log.Len() > 0 {
		t.Logf("serve's log (errors):\n%.4000s", s.log)
	}
	return rss
}

// writeBriefProcesses times `brief --no-fetch --format slack` as a
// process over three windows: wall time and peak RSS, median of runs.
func writeBriefProcesses(t *testing.T, w io.Writer, db string, runs int) {
	fmt.Fprintln(w, "| `brief --no-fetch --format slack` | wall (median) | peak RSS (median) | wall of each run |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, since := range []string{"24h", "7d", "30d"} {
		var walls []time.Duration
		var rss []int64
		for range runs {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(loadChildEnv(db, "brief", "--no-fetch", "--format", "slack", "--since", since), rssEnv+"=1")
			var stderr strings.Builder
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			t0 := time.Now()
			// The corpus's outlets are not the configured sources, so the
			// digest, printed whole, ends with "blind" and exit status 1.
			if err := cmd.Run(); err != nil && !strings.Contains(stderr.String(), "brief: blind:") {
				t.Errorf("brief --since %s: %v\n%s", since, err, stderr.String())
				return
			}
			walls = append(walls, time.Since(t0))
			// Not the rusage's maxrss: after exec it still counts this
			// test process's memory. The child reports its own VmHWM.
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lastLine(stderr.String(), rssReport), rssReport)))
			rss = append(rss, int64(kb))
		}
		ws := append([]time.Duration(nil), walls...)
		slices.Sort(ws)
		rs := append([]int64(nil), rss...)
		slices.Sort(rs)
		fmt.Fprintf(w, "| --since %s | %v | %.0f MB | %v |\n", since, ws[len(ws)/2].Round(time.Millisecond),
			float64(rs[len(rs)/2])/1024, roundAll(walls))
	}
}

// lastLine returns the last line of out starting with prefix.
func lastLine(out, prefix string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// BenchmarkLoadCommand answers one command (SAHELBRIEF_LOAD_TEXT, e.g.
// "brief 7d") from a load-test database (SAHELBRIEF_LOAD_DB) in process,
// one after another, for profiles (-cpuprofile) of what TestLoad measures
// (SAHELBRIEF_ANSWER_TTL=0 to build every answer).
// Skipped without SAHELBRIEF_LOAD_DB.
func BenchmarkLoadCommand(b *testing.B) {
	_, bt, text := openLoadBot(b)
	ctx := context.Background()
	for b.Loop() {
		if resp := bt.Handle(ctx, bot.Request{Channel: "slack:CLOAD", User: "ULOAD", Text: text}); resp.Err {
			b.Fatal(resp.Text)
		}
	}
}

// BenchmarkLoadEndpoint serves the Slack command endpoint in process over
// a load-test database (SAHELBRIEF_LOAD_DB) and drives SAHELBRIEF_LOAD_TEXT
// through it with 50 signed clients, b.N requests: for profiles of the
// whole request (verification, answer, rendering, HTTP) under load. It
// reports the p99 latency. Skipped without SAHELBRIEF_LOAD_DB.
func BenchmarkLoadEndpoint(b *testing.B) {
	cfg, bt, text := openLoadBot(b)
	bt.Log = slog.New(slog.DiscardHandler)
	e, err := newChatEndpoints(cfg, bt, bt.Log)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	b.ResetTimer()
	r := loadtest.Drive(context.Background(), loadtest.Config{URL: srv.URL + "/slack/commands", Secret: loadSecret,
		Clients: 50, Requests: b.N}, loadtest.Kind{Name: text, Texts: []string{text}})
	b.StopTimer()
	if r.Errors > 0 {
		b.Fatalf("%d errors, first: %s", r.Errors, r.FirstError)
	}
	b.ReportMetric(float64(r.Quantile(0.99).Microseconds())/1000, "p99_ms")
}

// openLoadBot opens the bot of the load-test database SAHELBRIEF_LOAD_DB
// read-only, its clock at the corpus's end, as serve would (signing
// secret loadSecret; SAHELBRIEF_ANSWER_TTL from the environment, 0 to
// profile the build rather than the kept answer), with the command
// SAHELBRIEF_LOAD_TEXT. It skips b without them.
func openLoadBot(b *testing.B) (*config.Config, *bot.Bot, string) {
	b.Helper()
	db, text := os.Getenv("SAHELBRIEF_LOAD_DB"), os.Getenv("SAHELBRIEF_LOAD_TEXT")
	if db == "" || text == "" {
		b.Skip("set SAHELBRIEF_LOAD_DB and SAHELBRIEF_LOAD_TEXT")
	}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, overrides: map[string]string{},
		getenv: func(k string) (string, bool) {
			switch k {
			case "SAHELBRIEF_DB":
				return db, true
			case "SLACK_SIGNING_SECRET":
				return loadSecret, true
			case "SAHELBRIEF_ANSWER_TTL":
				return os.LookupEnv(k)
			}
			return "", false
		}}
	cfg, bt, st, code := openBot(context.Background(), env, readOnly)
	if bt == nil {
		b.Fatalf("openBot: exit %d", code)
	}
	b.Cleanup(func() { st.Close() })
	bt.Now = func() time.Time { return loadtest.End }
	return cfg, bt, text
}
