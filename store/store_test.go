package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func embeddedMigrations(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	sort.Strings(names)
	return names
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	want := embeddedMigrations(t)
	path := filepath.Join(t.TempDir(), "brief.db")

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Migrations() = %q, want %q", got, want)
	}
	for _, table := range []string{"sources", "items", "items_fts"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, %v", table, n, err)
		}
	}
	appliedAt := map[string]int64{}
	rows, err := s.db.Query(`SELECT name, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var at int64
		if err := rows.Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		if at <= 0 {
			t.Errorf("migration %s applied_at = %d", name, at)
		}
		appliedAt[name] = at
	}
	rows.Close()
	save(t, s, fetched("rfi-afrique", base, newsItem("rfi-afrique", "guid-1", "https://www.rfi.fr/fr/afrique/1",
		"Mali : la junte prolonge la transition", "Les autorités de transition ont annoncé jeudi.", base)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening must apply nothing again: a second CREATE TABLE would fail,
	// and the records must be untouched.
	for i := 0; i < 2; i++ {
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		got, err := s2.Migrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after reopen Migrations() = %q, want %q", got, want)
		}
		for name, at := range appliedAt {
			var again int64
			if err := s2.db.QueryRow(`SELECT applied_at FROM schema_migrations WHERE name = ?`, name).Scan(&again); err != nil || again != at {
				t.Errorf("reopen: %s applied_at = %d (%v), want %d", name, again, err, at)
			}
		}
		if n := countRows(t, s2, "items"); n != 1 {
			t.Errorf("reopen: %d items, want the 1 saved before", n)
		}
		checkIntegrity(t, s2)
		s2.Close()
	}
}

// Several processes' worth of Opens racing on a fresh file must all succeed
// and apply each migration exactly once.
func TestOpenConcurrentFirstOpen(t *testing.T) {
	for round := range 5 { // the race is narrow: try a few fresh files
		t.Run(fmt.Sprint(round), testOpenConcurrentFirstOpen)
	}
}

func testOpenConcurrentFirstOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "brief.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	got, err := stores[0].Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := embeddedMigrations(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("Migrations() = %q, want %q", got, want)
	}
}

// Turning a new file to WAL needs a lock SQLite does not wait for through
// the busy handler: while another connection writes (as a second process
// applying the migrations would), Open must wait, not fail at once.
func TestOpenWaitsForLockOnNewFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "brief.db")
	// Rollback journal, as a new file is; a busy timeout so that its COMMIT
	// waits out the shared lock of a retrying Open instead of failing.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE other (x)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if s, err := Open(short, path); err == nil {
		s.Close()
		t.Fatal("Open succeeded while another connection holds the write lock of a non-WAL file")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Open gave up at once instead of waiting for the lock: %v", err)
	}

	opened := make(chan error, 1)
	go func() {
		s, err := Open(ctx, path)
		if err == nil {
			err = s.Close()
		}
		opened <- err
	}()
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err != nil {
		t.Fatalf("Open after the lock was released: %v", err)
	}
	var mode string
	if err := openPath(t, path).db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestOpenPragmas(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		path        func(t *testing.T) string
		journalMode string
	}{
		{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "brief.db") }, "wal"},
		{"memory", func(*testing.T) string { return ":memory:" }, "memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openPath(t, tt.path(t))
			// Hold several pool connections at once so each one's
			// settings are checked, not just the first's.
			n := 3
			if tt.name == "memory" {
				n = 1
			}
			for i := range n {
				c, err := s.db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var mode string
				var fk, busy int
				if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
					t.Fatal(err)
				}
				if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
					t.Fatal(err)
				}
				if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
					t.Fatal(err)
				}
				if mode != tt.journalMode || fk != 1 || busy < 1000 {
					t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d; want %s, 1, >= 1000",
						i, mode, fk, busy, tt.journalMode)
				}
			}
		})
	}
}

func TestOpenMemory(t *testing.T) {
	for _, path := range []string{":memory:", ""} {
		t.Run("path="+path, func(t *testing.T) {
			a, b := openPath(t, path), openPath(t, path)
			save(t, a, fetched("rfi-afrique", base, newsItem("rfi-afrique", "g1", "https://www.rfi.fr/a/1",
				"Niger : le général Tiani reçoit une délégation", "Une délégation a été reçue à Niamey.", base)))
			if n := countRows(t, a, "items"); n != 1 {
				t.Errorf("memory store holds %d items, want 1", n)
			}
			if n := countRows(t, b, "items"); n != 0 {
				t.Errorf("a second memory store sees %d items of the first; each must be private", n)
			}
			if got := search(t, a, "niamey"); len(got) != 1 {
				t.Errorf("search in memory store = %v", got)
			}
			checkIntegrity(t, a)
		})
	}
}

// A path with characters that mean something in a URI must name exactly
// that file, not a truncated or decoded one.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir #1 ?x=%41&y")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "brief é.db")
	s := openPath(t, path)
	save(t, s, fetched("aniamey", base, newsItem("aniamey", "k", "https://www.aniamey.com/1",
		"Tillabéri : retour des déplacés", "Les déplacés regagnent leurs villages.", base)))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %q: %v", path, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch e.Name() {
		case "brief é.db", "brief é.db-wal", "brief é.db-shm":
		default:
			t.Errorf("unexpected file %q in %s", e.Name(), dir)
		}
	}
	s.Close()
	s2 := openPath(t, path)
	if n := countRows(t, s2, "items"); n != 1 {
		t.Fatalf("reopened odd path holds %d items, want 1", n)
	}
}

// Foreign keys are on: deleting an item removes its tags, and the delete
// trigger keeps the full-text index in step.
func TestDeleteCascadesTagsAndIndex(t *testing.T) {
	s := openMem(t)
	it := newsItem("lefaso", "df-1", "https://lefaso.net/1", "Burkina Faso : attaque à Djibo",
		"Des hommes armés ont attaqué Djibo.", base)
	it.Countries, it.Actors = []string{"BF"}, []string{"jnim"}
	saved := save(t, s, fetched("lefaso", base, it))
	id := saved[0].New[0].ID
	if n := countTags(t, s); n != 2 {
		t.Fatalf("%d tags, want 2", n)
	}
	if _, err := s.db.Exec(`DELETE FROM items WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if n := countTags(t, s); n != 0 {
		t.Errorf("%d tags left after deleting their item; foreign keys off?", n)
	}
	if got := search(t, s, "djibo"); len(got) != 0 {
		t.Errorf("search finds deleted item: %v", got)
	}
	checkIntegrity(t, s)
}

// A read-only store reads what a writer stored, refuses to change
// anything, and refuses a database that is missing or not migrated.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	save(t, s, fetched("rfi", base, newsItem("rfi", "1", "https://rfi.example/1", "Attaque à Ménaka", "", base)))
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() false")
	}
	if items, err := ro.ItemsSince(ctx, time.Time{}, 0); err != nil || len(items) != 1 {
		t.Errorf("read: %d items, %v", len(items), err)
	}
	if _, err := ro.AddSubscription(ctx, briefing.Subscription{Channel: "c", Query: "mali", CreatedAt: base}, 10); err == nil {
		t.Error("a read-only store accepted a write")
	}
	if _, err := OpenReadOnly(ctx, filepath.Join(t.TempDir(), "none.db")); err == nil || !strings.Contains(err.Error(), "no database there yet") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE name LIKE '%0006%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, path); err == nil || !strings.Contains(err.Error(), "lacks migration 0006_story_summaries.sql") {
		t.Errorf("unmigrated: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "no", "dir", "x.db")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
}
