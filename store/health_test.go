package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// fillUp caps the database at its current size, as a full disk would:
// SQLite's max_page_count is per connection, so the pool is cut to one.
func fillUp(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	s.db.SetMaxOpenConns(1)
	var pages int
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
}

// bigBatch is a poll whose items need new pages.
func bigBatch(name string, round int, at time.Time) briefing.Fetched {
	var items []briefing.Item
	for i := range 40 {
		items = append(items, newsItem(name, fmt.Sprintf("k%d-%d", round, i), fmt.Sprintf("https://x.example/%d/%d", round, i),
			fmt.Sprintf("Attaque à Ménaka numéro %d-%d", round, i), strings.Repeat("Un long résumé. ", 40), at))
	}
	return fetched(name, at, items...)
}

// A database that cannot grow fails its saves with SQLITE_FULL: after a
// few in a row the store says so (once in the log, every time in the
// metric), the source polled meanwhile shows the storage failure instead
// of its last stored (healthy) state, and one save that goes through
// again clears it all.
func TestHealthDiskFull(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	var logBuf bytes.Buffer
	kinds := map[string]int{}
	s.SetLog(slog.New(slog.NewTextHandler(&logBuf, nil)), func(k string) { kinds[k]++ })
	save(t, s, fetched("RFI", base, newsItem("RFI", "a", "https://x.example/a", "Coup d'État au Niger", "Résumé.", base)))
	if h := s.Health(); !h.OK {
		t.Fatalf("fresh store: %+v", h)
	}
	fillUp(t, s)
	for round := range failuresBeforeUnhealthy {
		at := base.Add(time.Duration(round+1) * time.Minute)
		_, err := s.SaveFetched(ctx, []briefing.Fetched{bigBatch("RFI", round, at)})
		if err == nil || !strings.Contains(err.Error(), "database or disk is full") {
			t.Fatalf("save %d: err = %v, want database or disk is full", round, err)
		}
		if h := s.Health(); h.OK != (round+1 < failuresBeforeUnhealthy) {
			t.Fatalf("after %d failed saves: health %+v", round+1, h)
		}
	}
	h := s.Health()
	if !h.Full() || !strings.Contains(h.Reason, "database or disk is full") || h.Since.IsZero() {
		t.Errorf("health = %+v, want full with its reason and start", h)
	}
	if p := s.StorageProblem(); !strings.Contains(p, "database or disk is full") {
		t.Errorf("StorageProblem() = %q", p)
	}
	if kinds[KindFull] < failuresBeforeUnhealthy {
		t.Errorf("metric kinds = %v, want full counted per error", kinds)
	}
	if n := strings.Count(logBuf.String(), "database failing"); n != 1 {
		t.Errorf("ERROR lines = %d, want 1 per episode:\n%s", n, logBuf.String())
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := states["RFI"]
	if st.Health(base.Add(time.Hour)) != briefing.HealthFailing || !strings.Contains(st.LastError, "database or disk is full") ||
		st.ConsecutiveFailures != failuresBeforeUnhealthy {
		t.Errorf("source polled while full: %+v, want failing with the storage error", st)
	}
	if !st.LastSuccess.Equal(msUTC(base)) {
		t.Errorf("LastSuccess = %v, want the stored one (%v): validators and success come from what was stored", st.LastSuccess, base)
	}

	if _, err := s.db.ExecContext(ctx, `PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	save(t, s, bigBatch("RFI", 99, base.Add(time.Hour)))
	if h := s.Health(); !h.OK || s.StorageProblem() != "" {
		t.Errorf("after a save went through: %+v", h)
	}
	states, _ = s.SourceStates(ctx)
	if st := states["RFI"]; st.Health(base.Add(time.Hour)) != briefing.HealthHealthy {
		t.Errorf("after a save went through, source = %+v", st)
	}
	if !strings.Contains(logBuf.String(), "database working again") {
		t.Errorf("no recovery line:\n%s", logBuf.String())
	}
}

// Successful reads do not hide failing writes: a full disk still reads.
func TestHealthReadsDoNotResetWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	fillUp(t, s)
	for round := range failuresBeforeUnhealthy {
		s.SaveFetched(ctx, []briefing.Fetched{bigBatch("RFI", round, base)})
		if _, err := s.SourceStates(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if h := s.Health(); !h.Full() {
		t.Errorf("health = %+v, want full", h)
	}
}

// Errors that say nothing of the database (a duplicate, a cancelled
// context) are not storage failures.
func TestHealthIgnoresOtherErrors(t *testing.T) {
	s := openMem(t)
	for range 2 * failuresBeforeUnhealthy {
		s.track.observe(opWrite, context.Canceled)
		s.track.observe(opRead, errors.New("no such table"))
	}
	if h := s.Health(); !h.OK || h.Failures != 0 {
		t.Errorf("health = %+v", h)
	}
}

// A deleted database file is noticed: CheckFile, every write
// transaction and every new connection refuse, Gone is closed, and no
// new database appears at the path.
func TestHealthFileDeleted(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	var logBuf bytes.Buffer
	kinds := map[string]int{}
	s.SetLog(slog.New(slog.NewTextHandler(&logBuf, nil)), func(k string) { kinds[k]++ })
	if err := s.CheckFile(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err := s.SaveFetched(ctx, []briefing.Fetched{bigBatch("RFI", 1, base)})
	if !errors.Is(err, ErrGone) {
		t.Fatalf("save after delete: %v, want ErrGone", err)
	}
	select {
	case <-s.Gone():
	default:
		t.Fatal("Gone not closed")
	}
	h := s.Health()
	if h.OK || h.Kind != KindGone || !strings.Contains(h.Reason, "deleted") {
		t.Errorf("health = %+v", h)
	}
	// New connections are refused too (the pool would open one to
	// serve several queries at once): none creates the file again.
	s.db.SetMaxIdleConns(0)
	for range 3 {
		s.SourceStates(ctx)
		s.Check(ctx)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a database was created at %s again (stat: %v)", path, err)
	}
	if kinds[KindGone] != 1 || strings.Count(logBuf.String(), "database file lost") != 1 {
		t.Errorf("kinds %v, log:\n%s", kinds, logBuf.String())
	}
}

// A file replaced at the path (restored by a rename, say) is not the one
// open: the store says so rather than write to the old one.
func TestHealthFileReplaced(t *testing.T) {
	s, path := openFile(t)
	other := filepath.Join(filepath.Dir(path), "other.db")
	if err := os.WriteFile(other, []byte("not this one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	err := s.CheckFile()
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "another file") {
		t.Fatalf("CheckFile: %v", err)
	}
	if err := s.Check(context.Background()); !errors.Is(err, ErrGone) {
		t.Errorf("write check: %v, want ErrGone", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not this one" {
		t.Errorf("the file at the path was written: %q", b)
	}
}

// A file overwritten in place (same inode) after a checkpoint: the pool's
// cached pages still read, but Probe's fresh connection reads the file and
// fails, and three failed probes make the store unhealthy whatever the
// cached reads between them say.
func TestHealthProbeOverwritten(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	save(t, s, bigBatch("RFI", 1, base))
	if err := s.Probe(ctx); err != nil {
		t.Fatalf("probe of a working database: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte(strings.Repeat("this is no longer a database ", 4096)), 0)
	f.Close()
	for range failuresBeforeUnhealthy {
		if err := s.Probe(ctx); err == nil {
			t.Fatal("probe of an overwritten file succeeded")
		}
		s.SourceStates(ctx) // the pool's cached pages
	}
	h := s.Health()
	if h.OK || h.Kind != KindCorrupt || !strings.Contains(h.Reason, "not a database") {
		t.Errorf("health = %+v, want corrupt", h)
	}
}
