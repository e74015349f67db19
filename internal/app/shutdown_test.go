package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A shutdown while a poll is in flight is clean: the cancelled fetch and
// the health read after it are no errors, so nothing is logged at ERROR.
func TestRunCleanShutdownLogsNoError(t *testing.T) {
	arrived := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done() // answers only when the bot gives up
	}))
	defer slow.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sahelbrief.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  - name: slow\n    url: "+slow.URL+"/feed.xml\n    lang: en\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SAHELBRIEF_CONFIG": cfg, "SAHELBRIEF_DB": filepath.Join(dir, "s.db"),
		"SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0", "SLACK_SIGNING_SECRET": "s3cret"}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := newLineWriter()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"run"}, nil, io.Discard, stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	select {
	case <-arrived:
	case code := <-done:
		t.Fatalf("run ended with %d before polling:\n%s", code, stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, `"level":"ERROR"`) || strings.Contains(l, "level=ERROR") {
			t.Errorf("a clean shutdown logged an error: %s", l)
		}
	}
}

// serveUntilDone names the command it serves for in what it prints.
func TestServeMessagesNameTheCommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Serve fails at once
	for _, cmd := range []string{"run", "serve"} {
		var stderr strings.Builder
		code := serveUntilDone(t.Context(), ln, &chatEndpoints{mux: http.NewServeMux()}, &cliEnv{stdout: io.Discard, stderr: &stderr}, cmd)
		if code != exitFail || !strings.HasPrefix(stderr.String(), "sahelbrief "+cmd+": ") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr.String())
		}
	}
}

// The HTTP server closes idle connections and holds at most httpMaxConns
// open: one more waits until another closes.
func TestServeBoundsConnections(t *testing.T) {
	if srv := newHTTPServer(nil); srv.IdleTimeout <= 0 || srv.ReadHeaderTimeout <= 0 {
		t.Errorf("IdleTimeout %v, ReadHeaderTimeout %v; want both set", srv.IdleTimeout, srv.ReadHeaderTimeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := &chatEndpoints{mux: http.NewServeMux()}
	ep.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- serveUntilDone(ctx, ln, ep, &cliEnv{stdout: io.Discard, stderr: io.Discard}, "serve") }()
	defer func() { cancel(); <-done }()

	// Fill every slot with a keep-alive connection that has been served.
	conns := make([]net.Conn, httpMaxConns)
	for i := range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := get(t, c); got != "ok" {
			t.Fatalf("connection %d: %q", i, got)
		}
		conns[i] = c
	}
	extra, err := net.Dial("tcp", ln.Addr().String()) // the kernel accepts; the server does not
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprintf(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	extra.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := extra.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection beyond the cap was served")
	}
	conns[0].Close() // a slot frees: the waiting request is served
	extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(extra), nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after a slot freed: %v %v", res, err)
	}
	res.Body.Close()
}

// get sends GET /healthz on c and returns the trimmed body.
func get(t *testing.T, c net.Conn) string {
	t.Helper()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return strings.TrimSpace(string(b))
}

// Numbers given on the command line are checked before use: an overflow
// or a nonsense value is a usage error naming the flag.
func TestCommandLineNumbersChecked(t *testing.T) {
	env := map[string]string{"SAHELBRIEF_DB": filepath.Join(t.TempDir(), "n.db")}
	for _, args := range [][]string{
		{"doctor", "--no-sources", "--timeout", "-1s"},
		{"doctor", "--no-sources", "--timeout", "99999h"},
		{"doctor", "--no-sources", "--timeout", "9999999999999999999s"},
		{"search", "--limit", "99999999999999999999", "mali"},
		{"search", "--limit", "0", "mali"},
		{"brief", "--no-fetch", "--since", "99999999999h"},
	} {
		if r := runCLI(t, env, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s%s", args, r.code, exitUsage, r.stdout, r.stderr)
		}
	}
}
