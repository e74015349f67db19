package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// failuresBeforeUnhealthy is how many storage errors in a row (reads or
// writes, counted apart) make the store unhealthy: one can be a passing
// lock timeout, three in a row is a database that does not work.
const failuresBeforeUnhealthy = 3

// Error kinds, as Health.Kind and the store-error metric's label.
const (
	KindFull     = "full"     // SQLITE_FULL: disk full or page limit reached
	KindCorrupt  = "corrupt"  // SQLITE_CORRUPT, SQLITE_NOTADB: the file is damaged or overwritten
	KindIO       = "io"       // SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PROTOCOL
	KindReadOnly = "readonly" // SQLITE_READONLY
	KindBusy     = "busy"     // SQLITE_BUSY, SQLITE_LOCKED after the busy timeout
	KindGone     = "gone"     // the file at the path is no longer the one open
)

// ErrGone means the database file was deleted or replaced under the
// running process: nothing written now would be kept, so the store
// refuses to write (and to open new connections, which would create an
// empty database at the path).
var ErrGone = errors.New("the database file was deleted or replaced")

// Health is the store's own view of whether it works, from the errors of
// its recent queries and commits and the check of its file.
type Health struct {
	OK        bool
	Kind      string    // one of the Kind constants when not OK
	Reason    string    // for people: what is wrong, in one line
	Failures  int       // storage errors in a row
	LastError string    // the last storage error's text
	Since     time.Time // when the episode began
}

// Full reports whether the database cannot store new items.
func (h Health) Full() bool { return !h.OK && h.Kind == KindFull }

// errorKind classifies err as a storage failure, or "" for errors that
// say nothing about the database's health (a cancelled context, a
// constraint the caller turns into "already exists", a bad query).
func errorKind(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, ErrGone) {
		return KindGone
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return KindFull
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return KindCorrupt
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL:
		return KindIO
	case sqlite3.SQLITE_READONLY:
		return KindReadOnly
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return KindBusy
	}
	return ""
}

// op is what a tracked call was: the classes are counted apart.
type op int

const (
	opRead  op = iota
	opWrite    // a statement outside a transaction, or a commit
	opProbe    // Probe's fresh connection, which reads the file itself
	nOps
)

// tracker counts the store's storage errors. Reads, writes and probes are
// counted apart: with a full disk reads still work, and with a file
// overwritten the pool's cached pages still read, and their success must
// not hide that nothing can be written or read from the file.
type tracker struct {
	mu       sync.Mutex
	failures [nOps]int
	kind     string
	lastErr  string
	since    time.Time
	reported bool // the episode's ERROR line is out
	gone     error
	goneCh   chan struct{}
	log      *slog.Logger
	onError  func(kind string)
	unsaved  map[string]briefing.SourceState // sources whose poll could not be saved
	now      func() time.Time
}

func newTracker() *tracker {
	return &tracker{goneCh: make(chan struct{}), now: time.Now}
}

// observe records the outcome of one call of class o. Errors that are not
// storage failures change nothing.
func (t *tracker) observe(o op, err error) {
	if err == nil {
		t.succeeded(o)
		return
	}
	kind := errorKind(err)
	if kind == "" {
		return
	}
	t.mu.Lock()
	if t.worst() == 0 {
		t.since = t.now()
	}
	counter := &t.failures[o]
	*counter++
	t.kind, t.lastErr = kind, err.Error()
	report := !t.reported && *counter >= failuresBeforeUnhealthy
	if report {
		t.reported = true
	}
	onError, log, n, since := t.onError, t.log, *counter, t.since
	t.mu.Unlock()
	if onError != nil {
		onError(kind)
	}
	if report && log != nil {
		// Once per episode: the store keeps failing until it recovers,
		// and /healthz carries the state meanwhile.
		log.Error("database failing", "kind", kind, "failures", n, "since", since.UTC().Format(time.RFC3339), "error", err.Error())
	}
}

// worst is the longest run of failures of any class; t.mu is held.
func (t *tracker) worst() int {
	n := 0
	for _, f := range t.failures {
		n = max(n, f)
	}
	return n
}

func (t *tracker) succeeded(o op) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[o] = 0
	if t.worst() > 0 || t.kind == "" {
		return
	}
	if t.reported && t.log != nil {
		t.log.Info("database working again", "kind", t.kind, "since", t.since.UTC().Format(time.RFC3339))
	}
	t.kind, t.lastErr, t.reported, t.since = "", "", false, time.Time{}
}

// markGone records, once, that the file is no longer the one open.
func (t *tracker) markGone(err error) {
	t.mu.Lock()
	if t.gone != nil {
		t.mu.Unlock()
		return
	}
	t.gone = err
	t.since = t.now()
	close(t.goneCh)
	onError, log := t.onError, t.log
	t.mu.Unlock()
	if onError != nil {
		onError(KindGone)
	}
	if log != nil {
		log.Error("database file lost: stopping", "error", err.Error())
	}
}

func (t *tracker) health() Health {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gone != nil {
		return Health{Kind: KindGone, Reason: t.gone.Error(), LastError: t.gone.Error(), Since: t.since, Failures: t.worst()}
	}
	n := t.worst()
	if n < failuresBeforeUnhealthy {
		return Health{OK: true, Failures: n, LastError: t.lastErr}
	}
	return Health{Kind: t.kind, Reason: reasonOf(t.kind, t.lastErr), Failures: n, LastError: t.lastErr, Since: t.since}
}

// reasonOf says what a kind of failure means for the bot.
func reasonOf(kind, lastErr string) string {
	switch kind {
	case KindFull:
		return "database or disk is full"
	case KindCorrupt:
		return "database file damaged or overwritten: " + lastErr
	case KindReadOnly:
		return "database cannot be written: " + lastErr
	case KindBusy:
		return "database locked by another process: " + lastErr
	}
	return "database failing: " + lastErr
}

// Health reports whether the store works: not after repeated storage
// errors (until a query or commit succeeds again), nor once its file was
// found deleted or replaced (for good).
func (s *Store) Health() Health { return s.track.health() }

// Gone is closed when the database file is found deleted or replaced.
func (s *Store) Gone() <-chan struct{} { return s.track.goneCh }

// SetLog makes the store log, at ERROR, the start of each episode of
// failures (once, not per query) and the loss of its file; onError, when
// not nil, is told the kind of every storage error (the metric). Call it
// before the store is shared between goroutines.
func (s *Store) SetLog(log *slog.Logger, onError func(kind string)) {
	s.track.mu.Lock()
	defer s.track.mu.Unlock()
	s.track.log, s.track.onError = log, onError
}

// CheckFile checks that the file at the store's path is still the one it
// opened. A deleted or replaced file is recorded for good (Health, Gone),
// and from then on the store neither writes nor opens connections.
func (s *Store) CheckFile() error {
	s.track.mu.Lock()
	gone := s.track.gone
	s.track.mu.Unlock()
	if gone != nil || s.file == nil {
		return gone
	}
	if err := s.file.check(); err != nil {
		s.track.markGone(err)
		return err
	}
	return nil
}

// fileIdentity is the database file as opened: its path and identity.
type fileIdentity struct {
	path string
	id   fileID
}

func identify(path string) (*fileIdentity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &fileIdentity{path: path, id: idOf(fi)}, nil
}

// check compares the file now at the path with the one opened.
func (f *fileIdentity) check() error {
	fi, err := os.Stat(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("store: %s: %w (it was deleted)", f.path, ErrGone)
	case err != nil:
		return fmt.Errorf("store: %s: cannot check the database file: %w", f.path, err)
	case !sameID(f.id, idOf(fi)):
		return fmt.Errorf("store: %s: %w (another file is at its path now)", f.path, ErrGone)
	}
	return nil
}

// minFreeBytes is the least room a working database needs to commit a
// poll: below it the next commit fails with "database or disk is full".
const minFreeBytes = 64 << 10

// StorageProblem says why the database cannot store new items now, or ""
// when it can: this process saw writes fail (full, damaged, gone), or the
// filesystem holding it has no room left (asked of the filesystem, so a
// process that has not written yet, `sahelbrief sources`, sees it too).
func (s *Store) StorageProblem() string {
	if h := s.Health(); !h.OK {
		return h.Reason
	}
	if s.file == nil || s.readOnly {
		return ""
	}
	if free, ok := freeBytes(filepath.Dir(s.file.path)); ok && free < minFreeBytes {
		return fmt.Sprintf("database or disk is full (%d bytes free beside %s)", free, s.file.path)
	}
	return ""
}

// Probe checks that the database still works from its file: the file at
// the path is the one opened (CheckFile), and a fresh connection, which
// has no cached pages, reads its schema. The pool's connections keep
// pages in memory and the WAL holds recent writes, so a file overwritten
// in place is otherwise noticed only when an uncached page is read. Its
// failures are counted apart (a cached read's success does not end them).
func (s *Store) Probe(ctx context.Context) error {
	if err := s.CheckFile(); err != nil || s.file == nil {
		return err
	}
	err := probeConn(ctx, s.probeDSN)
	s.track.observe(opProbe, err)
	if err != nil {
		return fmt.Errorf("store: probe %s: %w", s.file.path, err)
	}
	return nil
}

func probeConn(ctx context.Context, dsn string) error {
	conn, err := sqliteDriver.Open(dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.(driver.QueryerContext).QueryContext(ctx, `SELECT count(*) FROM sqlite_master`, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	return rows.Next(make([]driver.Value, 1))
}
