package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sahelbrief/sahelbrief/internal/health"
)

// childAddr waits for the child to be running and returns where it
// serves /healthz (its "listening" log line, JSON since stderr is a pipe).
func childAddr(t *testing.T, c *child) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	addr := ""
	for {
		select {
		case l := <-c.stderr.lines:
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "listening" {
				addr = rec.Addr
			}
			if strings.Contains(l, "sahelbrief running") {
				if addr == "" {
					t.Fatalf("child runs but did not say where it listens\n%s", c.stderr.String())
				}
				return addr
			}
		case err := <-c.done:
			c.done <- err
			t.Fatalf("child ended before running: %v\n%s", err, c.stderr.String())
		case <-deadline:
			t.Fatalf("child not running after 30s\n%s", c.stderr.String())
		}
	}
}

// getHealth GETs /healthz.
func getHealth(t *testing.T, addr string) (int, health.Report) {
	t.Helper()
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer res.Body.Close()
	var h health.Report
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	return res.StatusCode, h
}

// waitDatabaseFailing polls /healthz until it answers 503 for the
// database (each poll is a real request to a real process, and a probe:
// there is no channel to wait on).
func waitDatabaseFailing(t *testing.T, addr string, timeout time.Duration) health.Report {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, h := getHealth(t, addr)
		if !h.Database.OK {
			if got != http.StatusServiceUnavailable {
				t.Errorf("/healthz answers %d with the database failing", got)
			}
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz answers %d %+v after %v: the database looks fine", got, h, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPolled waits for /healthz to say 200 with the first poll done,
// after which (with a long poll interval) the bot writes nothing unasked.
func waitPolled(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, h := getHealth(t, addr)
		if code == 200 && h.Database.OK && h.Sources.Healthy == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz %d %+v: not healthy after the first poll", code, h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitExit waits for the child to end on its own and returns its exit code.
func (c *child) waitExit(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-c.done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("child: %v", err)
		}
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("child still running after %v\nstderr:\n%s", timeout, c.stderr.String())
		return 0
	}
}

func healthEnv(t *testing.T, dir, dbPath, interval string) (map[string]string, *newsDesk) {
	desk := newNewsDesk(t)
	desk.add("desk", niamey, "Protesters gathered in the capital.")
	return map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":            dbPath,
		"SAHELBRIEF_POLL_INTERVAL": interval,
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
	}, desk
}

// The probe's silent total loss: the database file is deleted under the
// running bot. /healthz says so (503, the reason), the bot logs it at
// ERROR and stops with exit 1, and no new database appears at the path.
func TestRunStopsWhenDatabaseDeleted(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	env, _ := healthEnv(t, dir, dbPath, "1h")
	c := startChild(t, env, "")
	addr := childAddr(t, c)
	waitPolled(t, addr)
	if err := os.Remove(dbPath); err != nil {
		t.Fatal(err)
	}
	code, h := getHealth(t, addr)
	if code != http.StatusServiceUnavailable || h.Database.OK || h.Database.Kind != "gone" ||
		!strings.Contains(h.Reason, "deleted") {
		t.Errorf("after rm: /healthz %d %+v, want 503 naming the deletion", code, h)
	}
	if exit := c.waitExit(t, 30*time.Second); exit != exitLost {
		t.Errorf("exit code %d, want %d\n%s", exit, exitLost, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), `"level":"ERROR","msg":"database file lost`) {
		t.Errorf("no ERROR line:\n%s", c.stderr.String())
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a database was created again at %s: %v", dbPath, err)
	}
}

// The file replaced by another under the running bot (a restore done by
// a rename): the same, and the new file is left as it was.
func TestRunStopsWhenDatabaseReplaced(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	env, _ := healthEnv(t, dir, dbPath, "1h")
	c := startChild(t, env, "")
	addr := childAddr(t, c)
	waitPolled(t, addr)
	other := filepath.Join(dir, "restored.db")
	if err := os.WriteFile(other, []byte("someone else's file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, dbPath); err != nil {
		t.Fatal(err)
	}
	if code, h := getHealth(t, addr); code != http.StatusServiceUnavailable || !strings.Contains(h.Reason, "another file") {
		t.Errorf("after the swap: /healthz %d %+v", code, h)
	}
	if exit := c.waitExit(t, 30*time.Second); exit != exitLost {
		t.Errorf("exit code %d, want %d\n%s", exit, exitLost, c.stderr.String())
	}
	if b, _ := os.ReadFile(dbPath); string(b) != "someone else's file" {
		t.Errorf("the new file was written: %q", b)
	}
}

// The file overwritten in place (same inode) under the running bot: its
// queries and commits fail ("file is not a database", "malformed"), and
// after a few in a row /healthz says so (503, the reason), the log says
// it once at ERROR, and the metric counts them.
func TestRunHealthDatabaseOverwritten(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	env, desk := healthEnv(t, dir, dbPath, "1s")
	c := startChild(t, env, "")
	addr := childAddr(t, c)
	waitPolled(t, addr)
	// What the bot wrote goes from the WAL into the file, as SQLite does
	// on its own every thousand pages, so the overwrite hits stored data.
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(dbPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := []byte(strings.Repeat("this is no longer a database ", 4096))
	if _, err := f.WriteAt(garbage, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	desk.add("desk", boulkessi, "Dozens of soldiers were killed on Tuesday.")
	h := waitDatabaseFailing(t, addr, 30*time.Second)
	if h.Database.OK || h.Database.Kind != "corrupt" || !strings.Contains(h.Reason, "database") {
		t.Errorf("/healthz %+v, want the damaged database as the reason", h)
	}
	waitLine(t, c.stderr.lines, `"level":"ERROR","msg":"database failing"`, 10*time.Second)
	if n := strings.Count(c.stderr.String(), `"level":"ERROR","msg":"database failing"`); n != 1 {
		t.Errorf("%d ERROR lines for the episode, want 1:\n%s", n, c.stderr.String())
	}
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !regexp.MustCompile(`sahelbrief_store_errors_total\{kind="corrupt"\} [1-9]`).Match(body) {
		t.Errorf("metrics lack the corrupt errors:\n%s", body)
	}
	c.cmd.Process.Signal(os.Interrupt)
	c.waitExit(t, 30*time.Second)
}

// A full disk under the running bot, on a real small filesystem (a tmpfs,
// which needs root to mount; skipped otherwise, and the store's own test
// covers SQLITE_FULL through max_page_count): /healthz says "database or
// disk is full" (503), the source whose poll could not be stored shows as
// failing, and `sahelbrief sources` says the database cannot store new items.
func TestRunHealthDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	dbPath := filepath.Join(mnt, "sahelbrief.db")
	env, desk := healthEnv(t, dir, dbPath, "1s")
	c := startChild(t, env, "")
	addr := childAddr(t, c)
	waitPolled(t, addr)
	fillDisk(t, filepath.Join(mnt, "filler"))
	for i := range 100 {
		desk.add("desk", fmt.Sprintf("%s (%d)", boulkessi, i), strings.Repeat("Dozens of soldiers were killed on Tuesday. ", 60))
	}
	h := waitDatabaseFailing(t, addr, 60*time.Second)
	if h.Database.Kind != "full" || !strings.Contains(h.Reason, "database or disk is full") {
		t.Errorf("/healthz %+v, want database or disk is full", h)
	}
	if len(h.Sources.Failing) != 1 || h.Sources.Healthy != 0 {
		t.Errorf("/healthz sources %+v: the source polled while full must not look healthy", h.Sources)
	}
	stdout, stderr := newLineWriter(), newLineWriter()
	code := Run(t.Context(), []string{"sources"}, strings.NewReader(""), stdout, stderr,
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code != exitOK || !strings.Contains(stdout.String(), "The database cannot store new items: database or disk is full") {
		t.Errorf("sources: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	c.cmd.Process.Signal(os.Interrupt)
	c.waitExit(t, 30*time.Second)
}

// fillDisk writes path until the filesystem has no room left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			return
		}
	}
}
