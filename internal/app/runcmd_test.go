package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/internal/health"
)

// newsDesk is a local news site: one RSS feed per outlet, whose items a
// test can add while the bot runs. Feeds answer 304 to a matching ETag.
type newsDesk struct {
	*httptest.Server
	mu    sync.Mutex
	items map[string][]deskItem // outlet → items, oldest first
	hits  map[string]int
}

type deskItem struct{ guid, title, summary string }

func newNewsDesk(t testing.TB) *newsDesk {
	d := &newsDesk{items: map[string][]deskItem{}, hits: map[string]int{}}
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	return d
}

func (d *newsDesk) add(outlet, title, summary string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.items[outlet]) + 1
	d.items[outlet] = append(d.items[outlet], deskItem{guid: fmt.Sprintf("%s-%d", outlet, n), title: title, summary: summary})
}

// polled reports whether every outlet's feed was fetched at least n times.
func (d *newsDesk) polled(outlets []string, n int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range outlets {
		if d.hits[o] < n {
			return false
		}
	}
	return true
}

func (d *newsDesk) serve(w http.ResponseWriter, r *http.Request) {
	outlet := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
	d.mu.Lock()
	items := append([]deskItem(nil), d.items[outlet]...)
	d.hits[outlet]++
	d.mu.Unlock()
	etag := fmt.Sprintf(`"%s-%d"`, outlet, len(items))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s/</link>`, outlet, d.URL)
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		pub := time.Now().Add(-time.Duration(len(items)-i) * time.Minute).UTC().Format(time.RFC1123Z)
		fmt.Fprintf(&b, `<item><guid>%s</guid><title>%s</title><link>%s/%s/%s</link><pubDate>%s</pubDate><description>%s</description></item>`,
			it.guid, html.EscapeString(it.title), d.URL, outlet, it.guid, pub, html.EscapeString(it.summary))
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, b.String())
}

// deskConfig writes a config file naming the desk's outlets as sources.
func deskConfig(t testing.TB, dir string, d *newsDesk, extra string, outlets ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n")
	for _, o := range outlets {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s/%s.xml\n    lang: en\n", o, d.URL, o)
	}
	b.WriteString(extra)
	path := filepath.Join(dir, "sahelbrief.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// lineWriter sends each complete line written to it on a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
	all   strings.Builder
}

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 10000)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// waitLine waits for a line containing want, failing after timeout.
func waitLine(t *testing.T, lines <-chan string, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("no line with %q within %v", want, timeout)
			return ""
		}
	}
}

// hookEvents installs testHook for the test and returns its events.
func hookEvents(t *testing.T) <-chan string {
	events := make(chan string, 10000)
	testHook = func(p string) {
		select {
		case events <- p:
		default:
		}
	}
	t.Cleanup(func() { testHook = nil })
	return events
}

func waitEvent(t *testing.T, events <-chan string, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-events:
			if strings.HasPrefix(e, prefix) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", prefix, timeout)
			return ""
		}
	}
}

const (
	boulkessi = "Jihadists attack army camp in Boulkessi, Mali, killing dozens of soldiers"
	niamey    = "Thousands rally in Niamey against ECOWAS sanctions on Niger"
)

// TestRunEndToEndConsole is the product as a user meets it: `sahelbrief`
// with no chat settings polls the sources, opens the console, and alerts
// it once when news matching its subscription arrives.
func TestRunEndToEndConsole(t *testing.T) {
	events := hookEvents(t)
	desk := newNewsDesk(t)
	desk.add("desk", niamey, "Protesters gathered in the capital.")
	dir := t.TempDir()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":            filepath.Join(dir, "sahelbrief.db"),
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
	}
	stdinR, stdinW := io.Pipe()
	stdout, stderr := newLineWriter(), newLineWriter()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, nil, stdinR, stdout, stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	addr := strings.TrimPrefix(waitEvent(t, events, "listening:", 10*time.Second), "listening:")
	waitEvent(t, events, "ingested", 10*time.Second)

	fmt.Fprintln(stdinW, "/sahel subscribe boulkessi OR kidal")
	waitLine(t, stdout.lines, "Subscribed (#1)", 10*time.Second)
	desk.add("desk", boulkessi, "Dozens of soldiers were killed on Tuesday.")
	alert := waitLine(t, stdout.lines, "ALERT", 10*time.Second)
	if !strings.Contains(alert, boulkessi) {
		t.Errorf("alert line = %q", alert)
	}
	// Two more polls: still exactly one alert, and none for the older
	// Niamey item.
	for range 2 {
		waitEvent(t, events, "ingested", 10*time.Second)
	}
	fmt.Fprintln(stdinW, "/sahel subscriptions")
	waitLine(t, stdout.lines, "#1 boulkessi OR kidal", 10*time.Second)
	if n := strings.Count(stdout.String(), "ALERT"); n != 1 {
		t.Errorf("%d alerts; want exactly 1:\n%s", n, stdout.String())
	}

	// Health and metrics.
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h health.Report
	json.NewDecoder(res.Body).Decode(&h)
	res.Body.Close()
	if res.StatusCode != 200 || !h.Ready || h.Sources.Total != 1 || h.Sources.Healthy != 1 || !h.Adapters["console"] {
		t.Errorf("healthz = %d %+v", res.StatusCode, h)
	}
	res, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`sahelbrief_posts_total{kind="alert",platform="console",result="ok"} 1`,
		`sahelbrief_fetches_total{status="ok"}`, `sahelbrief_command_duration_seconds_count{command="subscribe",platform="console"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// The input ends (not a terminal): the bot keeps running until it is
	// stopped, then exits 0.
	stdinW.Close()
	select {
	case code := <-done:
		t.Fatalf("run ended with %d when its input closed", code)
	case <-events:
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunQuitEndsTheConsole(t *testing.T) {
	desk := newNewsDesk(t)
	dir := t.TempDir()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":    deskConfig(t, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":        filepath.Join(dir, "x.db"),
		"SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0",
	}
	r := runCLIWithInput(t, "/sahel help\nquit\n", env, "run")
	if r.code != 0 || !strings.Contains(r.stdout, "/sahel brief [since]") {
		t.Errorf("run without chat settings should open the shell: %v", r)
	}
	// With chat settings the address must be served: a bad one fails.
	env["SLACK_SIGNING_SECRET"] = "s3cret"
	r = runCLIWithInput(t, "", env, "run", "--addr", "256.0.0.1:1")
	if r.code != 1 || !strings.Contains(r.stderr, "sahelbrief run:") {
		t.Errorf("run with chat settings and a bad address: %v", r)
	}
}

func TestRunRejectsBadDigestConfig(t *testing.T) {
	desk := newNewsDesk(t)
	dir := t.TempDir()
	for _, tt := range []struct{ extra, want string }{
		{"digests:\n  - channel: console\n    cron: \"0 7 * * *\"\n    country: atlantis\n", "digests[0].country"},
		{"digests:\n  - channel: slack:C0123456\n    cron: \"0 25 * * *\"\n", "digests[0].cron"},
		{"digests:\n  - channel: console\n    cron: \"0 7 * * *\"\n    tz: Africa/Atlantis\n", "digests[0].tz"},
	} {
		env := map[string]string{"SAHELBRIEF_CONFIG": deskConfig(t, dir, desk, tt.extra, "desk"), "SAHELBRIEF_DB": filepath.Join(dir, "y.db")}
		r := runCLIWithInput(t, "", env, "run")
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: %v; want exit 2 naming %s", tt.extra, r, tt.want)
		}
	}
}

// readLines feeds a reader's lines to a channel.
func readLines(r io.Reader) <-chan string {
	out := make(chan string, 10000)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out <- sc.Text()
		}
		close(out)
	}()
	return out
}

func TestRunStopsWhenTheTokenIsRejected(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
	}))
	defer api.Close()
	desk := newNewsDesk(t)
	dir := t.TempDir()
	env := map[string]string{"SLACK_APP_TOKEN": "xapp-1-A1-abc", "SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_API_URL": api.URL + "/",
		"SAHELBRIEF_CONFIG": deskConfig(t, dir, desk, "", "desk"), "SAHELBRIEF_DB": filepath.Join(dir, "z.db"), "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0"}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second) // a safety net: run must stop on its own
	defer cancel()
	stderr := newLineWriter()
	code := Run(ctx, []string{"run"}, nil, io.Discard, stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code != 1 || ctx.Err() != nil || !strings.Contains(stderr.String(), "invalid_auth") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "xoxb-1-abc") || strings.Contains(stderr.String(), "xapp-1-A1-abc") {
		t.Errorf("a token was printed")
	}
}

// With chat tokens and the platforms unreachable, each failed connection
// is a warning at the default log level, with its reason and the wait.
func TestRunWarnsWhenChatConnectionsFail(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	desk := newNewsDesk(t)
	dir := t.TempDir()
	env := map[string]string{"SLACK_APP_TOKEN": "xapp-1-A1-abc", "SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_API_URL": down.URL + "/",
		"DISCORD_BOT_TOKEN": "discord-s3cr3t", "DISCORD_API_URL": down.URL + "/api/v10/",
		"SAHELBRIEF_CONFIG": deskConfig(t, dir, desk, "", "desk"), "SAHELBRIEF_DB": filepath.Join(dir, "z.db"), "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0"}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	stderr := newLineWriter()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"run"}, nil, io.Discard, stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	first := map[string]string{} // connection: its first warning
	for len(first) < 2 {
		l := waitLine(t, stderr.lines, "chat connection failed", 30*time.Second)
		var rec struct{ Level, Connection, Error, Retry_in string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if _, seen := first[rec.Connection]; !seen {
			first[rec.Connection] = l
			if rec.Level != "WARN" || rec.Retry_in != "5s" || !strings.Contains(rec.Error, "503") {
				t.Errorf("%s: logged %s", rec.Connection, l)
			}
		}
	}
	if first["Slack Socket Mode"] == "" || first["Discord gateway"] == "" {
		t.Errorf("warnings %q", first)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	for _, secret := range []string{"xoxb-1-abc", "xapp-1-A1-abc", "discord-s3cr3t"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("%s logged:\n%s", secret, stderr.String())
		}
	}
}
