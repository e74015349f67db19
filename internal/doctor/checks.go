package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/sources"
	"github.com/sahelbrief/sahelbrief/store"
)

// checkDatabase opens the database as the bot does (creating it and
// applying migrations if needed), then checks every migration is recorded
// and a write transaction goes through (rolled back).
func checkDatabase(ctx context.Context, path string) Line {
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	st, err := store.Open(ctx, path)
	if err != nil {
		return Line{Fail, "database", fmt.Sprintf("%v: make SAHELBRIEF_DB a path in a directory the service user can write (systemd: StateDirectory=)", err)}
	}
	defer st.Close()
	if err := st.Check(ctx); err != nil {
		return Line{Fail, "database", fmt.Sprintf("%v: give the service user write access to %s and its directory", err, path)}
	}
	names, err := st.Migrations(ctx)
	if err != nil {
		return Line{Fail, "database", err.Error()}
	}
	detail := fmt.Sprintf("%s: %d migrations applied, writable", path, len(names))
	if created {
		detail += " (created now)"
	}
	return Line{OK, "database", detail}
}

// checkSources fetches every source once, storing nothing, and sums up.
// It fails only when no source answers: a few unreachable feeds are the
// normal state of the web, and `sources --check` lists them.
func checkSources(ctx context.Context, o Options) Line {
	if o.Poller == nil {
		return Line{Skip, "sources", "--no-sources"}
	}
	if len(o.Sources) == 0 {
		return Line{Fail, "sources", "no sources configured: list some under sources: in the config file, or remove the empty list"}
	}
	jobs := sources.Due(o.Sources, nil, time.Now(), true)
	var failed []string
	for r := range o.Poller.Poll(ctx, jobs) {
		if r.Status == briefing.StatusError {
			failed = append(failed, fmt.Sprintf("%s (%s)", r.Source.Name, sources.KindOf(r.Err)))
		}
	}
	if err := ctx.Err(); err != nil {
		return Line{Fail, "sources", "interrupted: " + err.Error()}
	}
	answered := len(jobs) - len(failed)
	detail := fmt.Sprintf("%d of %d answered", answered, len(jobs))
	if len(failed) > 0 {
		detail += "; not answering: " + strings.Join(failed, ", ") + " (sahelbrief sources --check for details)"
	}
	if answered == 0 {
		return Line{Fail, "sources", detail + ": check the machine's DNS, outbound HTTPS and proxy settings"}
	}
	return Line{OK, "sources", detail}
}

// checkListen tries to listen on the HTTP address, and closes at once.
// When the address is taken by a running sahelbrief (its /healthz
// answers), that is the deployment working, not a fault.
func checkListen(ctx context.Context, addr string) Line {
	l, err := net.Listen("tcp", addr)
	if err == nil {
		l.Close()
		return Line{OK, "http address", addr + " is free"}
	}
	if runningBot(ctx, addr) {
		return Line{OK, "http address", addr + " is held by a running sahelbrief (GET /healthz answers)"}
	}
	return Line{Fail, "http address", fmt.Sprintf("cannot listen on %s: %v: stop what holds it or set SAHELBRIEF_HTTP_ADDR", addr, err)}
}

// runningBot reports whether addr serves sahelbrief's /healthz: "ok" from
// `serve`, a JSON report from `run`.
func runningBot(ctx context.Context, addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if strings.TrimSpace(string(body)) == "ok" {
		return true
	}
	var report map[string]json.RawMessage
	if json.Unmarshal(body, &report) != nil {
		return false
	}
	_, ok := report["pending_deliveries"]
	return ok
}
