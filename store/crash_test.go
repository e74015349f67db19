package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// The crash test re-runs this test binary as a child that saves batches
// into a file database until it is killed with SIGKILL, then checks that
// the database holds exactly the batches committed, whole.

const (
	crashDBEnv    = "SAHELBRIEF_STORE_CRASH_DB"
	crashStartEnv = "SAHELBRIEF_STORE_CRASH_START"
	crashPauseEnv = "SAHELBRIEF_STORE_CRASH_PAUSE"

	crashSources   = 5
	crashPerSource = 40 / raceSlowdown
	// Each batch also rewrites the title of the first crashRewrites items
	// per source of the previous batch, so a batch is inserts, updates and
	// FTS deletes at once, and all-or-nothing covers all three.
	crashRewrites = 10 / raceSlowdown
)

var crashBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func crashPub(b int) time.Time { return crashBase.Add(time.Duration(b) * time.Minute) }

func crashSource(s int) string { return fmt.Sprintf("crash-feed-%d", s) }

func crashKey(b, s, i int) string { return fmt.Sprintf("b%06d-s%d-i%02d", b, s, i) }

// crashTitle is item i of source s in batch b, as first published or as
// rewritten by batch b+1.
func crashTitle(b, s, i int, rewritten bool) string {
	if rewritten {
		return fmt.Sprintf("Sahel dispatch revtok%d feed %d item %d", b+1, s, i)
	}
	return fmt.Sprintf("Sahel dispatch origtok%d feed %d item %d", b, s, i)
}

func crashItem(b, s, i int, rewritten bool) briefing.Item {
	key := crashKey(b, s, i)
	return briefing.Item{
		Source: crashSource(s), Key: key, URL: "https://news.example/" + key,
		Title:   crashTitle(b, s, i, rewritten),
		Summary: "Des affrontements ont eu lieu près de Ménaka et de Tillabéri, selon des sources locales.",
		Outlet:  crashSource(s), Lang: "fr",
		Published: crashPub(b), FirstSeen: crashPub(b), DateFromFeed: true,
		Countries: []string{"ML", "NE"}, Actors: []string{"jnim"},
	}
}

func crashBatch(b int) []briefing.Fetched {
	batch := make([]briefing.Fetched, crashSources)
	for s := range batch {
		st := okState(crashSource(s), "https://feeds.example/"+crashSource(s), crashPub(b))
		st.ETag = fmt.Sprintf("b%d", b)
		st.ItemsLastTime = b
		items := make([]briefing.Item, 0, crashPerSource+crashRewrites)
		for i := range crashPerSource {
			items = append(items, crashItem(b, s, i, false))
		}
		if b > 0 {
			for i := range crashRewrites {
				items = append(items, crashItem(b-1, s, i, true))
			}
		}
		batch[s] = briefing.Fetched{State: st, Items: items}
	}
	return batch
}

// TestCrashChild is the child process of TestCrashSafety; run directly it
// skips. It prints "begin N" before and "commit N" after each batch. With
// crashPauseEnv set to "insert:K" or "update:K" it prints "paused" from
// inside the first batch's transaction, at the K-th row inserted or
// updated, and waits there to be killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		t.Fatal(err)
	}
	fail := func(format string, args ...any) {
		fmt.Printf("error: "+format+"\n", args...)
		t.Fatalf(format, args...)
	}
	pauseEvent, pauseAt := "", 0
	if v := os.Getenv(crashPauseEnv); v != "" {
		ev, k, _ := strings.Cut(v, ":")
		if pauseAt, err = strconv.Atoi(k); err != nil {
			fail("bad %s %q", crashPauseEnv, v)
		}
		pauseEvent = ev
	}
	var rows atomic.Int64 // pause events seen in the current batch
	var pausing atomic.Bool
	// Called by the temporary triggers below, inside SaveFetched's
	// transaction and on its goroutine.
	if err := sqlite.RegisterScalarFunction("crash_progress", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if ev, _ := args[0].(string); pausing.Load() && ev == pauseEvent && rows.Add(1) == int64(pauseAt) {
			fmt.Println("paused")
			io.Copy(io.Discard, os.Stdin) // the parent never writes: wait for the kill (or its exit)
			os.Exit(3)
		}
		return nil, nil
	}); err != nil {
		fail("register: %v", err)
	}

	ctx := context.Background()
	fmt.Println("starting")
	s, err := Open(ctx, path)
	if err != nil {
		fail("open: %v", err)
	}
	if pauseEvent != "" {
		// One connection, so the temporary triggers are on the one
		// SaveFetched uses.
		s.db.SetMaxOpenConns(1)
		for _, q := range []string{
			`CREATE TEMP TRIGGER crash_insert AFTER INSERT ON main.items BEGIN SELECT crash_progress('insert'); END`,
			`CREATE TEMP TRIGGER crash_update AFTER UPDATE ON main.items BEGIN SELECT crash_progress('update'); END`,
		} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				fail("%s: %v", q, err)
			}
		}
	}
	fmt.Println("open")
	// Bounded, in case the parent is gone without killing us (a write to
	// its closed pipe ends us sooner).
	deadline := time.Now().Add(30 * time.Second)
	for b := start; time.Now().Before(deadline); b++ {
		rows.Store(0)
		pausing.Store(b == start)
		fmt.Printf("begin %d\n", b)
		saved, err := s.SaveFetched(ctx, crashBatch(b))
		if err != nil {
			fail("batch %d: %v", b, err)
		}
		n, upd := countNew(saved)
		wantUpd := crashSources * crashRewrites
		if b == 0 {
			wantUpd = 0
		}
		if n != crashSources*crashPerSource || upd != wantUpd {
			fail("batch %d: %d new, %d updated; want %d, %d", b, n, upd, crashSources*crashPerSource, wantUpd)
		}
		fmt.Printf("commit %d\n", b)
	}
	s.Close()
}

// crashKill says when to kill a child: right after it prints the n-th
// "commit" or "begin" line of its run, or "starting"; or, with pause set,
// after "paused", printed from inside its first batch's transaction.
type crashKill struct {
	line  string
	n     int
	pause string // crashPauseEnv: "insert:K" or "update:K"
}

func TestCrashSafety(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1", "ios", "android":
		t.Skipf("needs to re-execute the test binary and SIGKILL it; not on %s", runtime.GOOS)
	}
	const inserts, updates = crashSources * crashPerSource, crashSources * crashRewrites
	// Each child is killed right after it prints a line, without waiting:
	// the n-th "commit" (between batches), the n-th "begin" (as SaveFetched
	// starts), "starting" (on a new file: around the migrations), or
	// "paused", where the child waits inside its first batch's transaction
	// at a chosen row: the first insert, an insert in the middle of the
	// batch (sources before it done, after it not begun), an update, or the
	// last update (all rows written, index and commit to come).
	// In a sequence, kills follow one another on the same database: each
	// child resumes after a crash and the parent's recovery write.
	// Sequences run in parallel on databases of their own, which also
	// bounds the integrity checks, linear in the database size.
	sequences := []struct {
		name  string
		kills []crashKill
	}{
		{"restarts", []crashKill{
			{"starting", 0, ""},
			{"commit", 1, ""},
			{"begin", 1, ""},
			{"paused", 0, "insert:1"},
			{"paused", 0, fmt.Sprintf("insert:%d", inserts/2+1)},
			{"paused", 0, fmt.Sprintf("update:%d", updates)},
			{"commit", 3, ""},
		}},
		{"after 7", []crashKill{
			{"commit", 7, ""},
			{"paused", 0, fmt.Sprintf("update:%d", updates/2)},
		}},
		{"after 15", []crashKill{
			{"commit", 15, ""},
		}},
	}
	for _, seq := range sequences {
		t.Run(seq.name, func(t *testing.T) {
			t.Parallel()
			crashSequence(t, seq.kills)
		})
	}
}

func crashSequence(t *testing.T, kills []crashKill) {
	path := filepath.Join(t.TempDir(), "crash.db")
	next := 0 // first batch of the next child
	for round, k := range kills {
		target := k.line
		if k.n > 0 {
			target = fmt.Sprintf("%s %d", k.line, next+k.n-1)
		}
		lastCommit, stderr := runCrashChild(t, path, next, target, k.pause)

		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("round %d (killed after %q): reopen: %v\nchild stderr:\n%s", round, target, err, stderr)
		}
		m := verifyCrashDB(t, s, lastCommit, true)
		if k.pause != "" && m != next-1 {
			t.Fatalf("round %d: killed inside batch %d, yet batches 0..%d are present", round, next, m)
		}
		t.Logf("round %d: killed after %q %s; last reported commit %d, batches 0..%d present",
			round, target, k.pause, lastCommit, m)

		// The database takes more writes after the crash. The next round
		// reopens and checks it in full; check the last one in full here.
		saved := save(t, s, crashBatch(m+1)...)
		if n, _ := countNew(saved); n != crashSources*crashPerSource {
			t.Fatalf("round %d: batch %d after recovery: %d new", round, m+1, n)
		}
		if got := verifyCrashDB(t, s, m+1, round == len(kills)-1); got != m+1 {
			t.Fatalf("round %d: after writing batch %d the last batch present is %d", round, m+1, got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		next = m + 2
	}
}

// runCrashChild starts the child at batch start and SIGKILLs it as soon as
// it prints target. It returns the last batch the child reported committed
// (start-1 if none) and its stderr.
func runCrashChild(t *testing.T, path string, start int, target, pause string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashStartEnv+"="+strconv.Itoa(start), crashPauseEnv+"="+pause)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// A pipe the parent never writes to: a paused child blocks reading it.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lastCommit := start - 1
	reached := false
	var seen []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		if n, ok := strings.CutPrefix(line, "commit "); ok {
			b, err := strconv.Atoi(n)
			if err != nil || b != lastCommit+1 {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child printed %q after commit %d", line, lastCommit)
			}
			lastCommit = b
		}
		if line == target {
			reached = true
			break
		}
	}
	killErr := cmd.Process.Kill()
	waitErr := cmd.Wait()
	if !reached {
		t.Fatalf("child ended before printing %q (kill: %v, wait: %v)\nstdout:\n%s\nstderr:\n%s",
			target, killErr, waitErr, strings.Join(seen, "\n"), stderr.String())
	}
	if cmd.ProcessState.Exited() {
		t.Fatalf("child exited by itself (%v) instead of being killed\nstdout:\n%s\nstderr:\n%s",
			cmd.ProcessState, strings.Join(seen, "\n"), stderr.String())
	}
	for _, bad := range []string{"DATA RACE", "panic:", "error:"} {
		if strings.Contains(stderr.String(), bad) {
			t.Fatalf("child stderr reports %q:\n%s", bad, stderr.String())
		}
	}
	return lastCommit, stderr.String()
}

// verifyCrashDB checks that s holds batches 0..m whole and nothing else,
// with m >= minCommitted, consistent sources and a consistent index, and
// returns m (-1 when empty). With integrity it also runs SQLite's and
// FTS5's integrity checks.
func verifyCrashDB(t *testing.T, s *Store, minCommitted int, integrity bool) int {
	t.Helper()
	ctx := context.Background()
	if integrity {
		checkIntegrity(t, s)
	}
	if got, want := mustMigrations(t, s), embeddedMigrations(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("Migrations() = %q, want %q", got, want)
	}

	type row struct {
		s, i  int
		title string
	}
	byBatch := map[int][]row{}
	rows, err := s.db.QueryContext(ctx, `SELECT key, source, title FROM items`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, source, title string
		if err := rows.Scan(&key, &source, &title); err != nil {
			t.Fatal(err)
		}
		var b, si, i int
		if _, err := fmt.Sscanf(key, "b%06d-s%d-i%02d", &b, &si, &i); err != nil || crashKey(b, si, i) != key || source != crashSource(si) {
			t.Fatalf("unexpected row %q / %q", key, source)
		}
		byBatch[b] = append(byBatch[b], row{si, i, title})
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}

	m := -1
	for b := range byBatch {
		m = max(m, b)
	}
	if m < minCommitted {
		t.Fatalf("batches 0..%d present, but the child reported batch %d committed", m, minCommitted)
	}
	for b := 0; b <= m; b++ {
		got := byBatch[b]
		if len(got) != crashSources*crashPerSource {
			t.Fatalf("batch %d partially present: %d of %d items (last batch %d)", b, len(got), crashSources*crashPerSource, m)
		}
		for _, r := range got {
			rewritten := b < m && r.i < crashRewrites
			if want := crashTitle(b, r.s, r.i, rewritten); r.title != want {
				t.Fatalf("batch %d item %d/%d title %q, want %q (last batch %d): a batch's updates were not all-or-nothing",
					b, r.s, r.i, r.title, want, m)
			}
		}
	}
	if n := countTags(t, s); n != 3*(m+1)*crashSources*crashPerSource {
		t.Fatalf("%d tags, want %d", n, 3*(m+1)*crashSources*crashPerSource)
	}

	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m < 0 {
		if len(states) != 0 {
			t.Fatalf("no batch present but %d source states", len(states))
		}
		return m
	}
	if len(states) != crashSources {
		t.Fatalf("%d source states, want %d", len(states), crashSources)
	}
	for si := range crashSources {
		st := states[crashSource(si)]
		if st.ETag != fmt.Sprintf("b%d", m) || st.ItemsLastTime != m || !st.LastNewItem.Equal(crashPub(m)) ||
			!st.LastAttempt.Equal(crashPub(m)) {
			t.Fatalf("source %s state %+v disagrees with last batch %d", crashSource(si), st, m)
		}
	}

	hits := func(q string) int { return len(search(t, s, q)) }
	if n := hits(fmt.Sprintf("origtok%d", m)); n != crashSources*crashPerSource {
		t.Fatalf("search origtok%d: %d hits, want %d", m, n, crashSources*crashPerSource)
	}
	if m > 0 {
		if n := hits(fmt.Sprintf("revtok%d", m)); n != crashSources*crashRewrites {
			t.Fatalf("search revtok%d: %d hits, want %d", m, n, crashSources*crashRewrites)
		}
		if n := hits(fmt.Sprintf("origtok%d", m-1)); n != crashSources*(crashPerSource-crashRewrites) {
			t.Fatalf("search origtok%d: %d hits, want %d", m-1, n, crashSources*(crashPerSource-crashRewrites))
		}
	}
	if n := hits(fmt.Sprintf("origtok%d OR revtok%d", m+1, m+1)); n != 0 {
		t.Fatalf("index holds %d rows of uncommitted batch %d", n, m+1)
	}
	return m
}

func mustMigrations(t *testing.T, s *Store) []string {
	t.Helper()
	got, err := s.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}
