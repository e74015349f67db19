// Package store persists sources and items in SQLite (pure Go, no cgo):
// WAL journal, busy timeout, foreign keys, embedded migrations, and an FTS5
// index for search. Every write runs in an immediate transaction, so a
// crash at any moment leaves either the whole batch or none of it.
//
// One file per entity, each with its SQL: items.go (saving a poll, every
// read of whole items, tags), sources.go (source states), search.go (the
// full-text index and the query language's FTS5 form), stories.go,
// summaries.go, subscriptions.go, schedules.go, deliveries.go (the outbox
// and its claims), leases.go, retag.go; store.go opens and migrates,
// driver.go and health.go watch storage errors.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"modernc.org/sqlite" // registers the "sqlite" driver; its Error carries result codes
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is sahelbrief's database. It is safe for concurrent use.
type Store struct {
	db *sql.DB

	stories  stories
	readOnly bool
	track    *tracker
	file     *fileIdentity // nil for :memory: and read-only stores
	probeDSN string        // a connection that cannot create the file
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations. path ":memory:" gives a private in-memory database.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := checkDir(path); err != nil {
		return nil, err
	}
	dsn, memory := dataSourceName(path)
	s := &Store{track: newTracker()}
	s.probeDSN = dsn + "&mode=rw"
	db := sql.OpenDB(&connector{dsn: dsn, dsnNoCreate: s.probeDSN, s: s})
	s.db = db
	if memory {
		// Every connection to :memory: is a different database.
		db.SetMaxOpenConns(1)
	} else {
		db.SetMaxOpenConns(4)
	}
	if err := ping(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if !memory {
		// From here on the file must stay the one just opened.
		f, err := identify(path)
		if err != nil {
			db.Close()
			return nil, err
		}
		s.file = f
	}
	return s, nil
}

// checkDir names a missing directory: SQLite only says "unable to open".
func checkDir(path string) error {
	if path == "" || path == ":memory:" {
		return nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("store: open %s: directory %s does not exist (create it, or set SAHELBRIEF_DB)", path, dir)
	}
	return nil
}

// ErrReadOnly means the database was opened read-only (OpenReadOnly) and
// asked to change.
var ErrReadOnly = errors.New("the database is open read-only")

// OpenReadOnly opens an existing database for reading only, for commands
// that only read: it works on a read-only file or directory (a copy, a
// backup, a file owned by the bot's user) and never migrates. A database
// made by an older sahelbrief must be opened writable once.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("store: open %s read-only: an in-memory database is never read-only", path)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if derr := checkDir(path); derr != nil {
				return nil, derr
			}
			return nil, fmt.Errorf("store: open %s: no database there yet (sahelbrief fetch creates it)", path)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s, err := openRO(ctx, path, false)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY {
		// A WAL database needs its shared-memory file beside it, which a
		// read-only directory cannot hold: read the file as it is on disk
		// (what the bot has not checkpointed yet is not seen).
		s, err = openRO(ctx, path, true)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s read-only: %w", path, err)
	}
	return s, nil
}

// openRO opens path read-only, immutable (no locks, no WAL) when asked.
func openRO(ctx context.Context, path string, immutable bool) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, readOnly: true, track: newTracker()}
	if err := s.checkMigrated(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkMigrated fails unless every embedded migration was applied.
func (s *Store) checkMigrated(ctx context.Context) error {
	applied, err := s.Migrations(ctx)
	if err != nil {
		return err
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.Contains(applied, n) {
			return fmt.Errorf("it lacks migration %s: open it writable once (sahelbrief fetch) to migrate it", path.Base(n))
		}
	}
	return nil
}

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// busyTimeout is how long a connection waits for another's lock.
const busyTimeout = 10 * time.Second

// ping opens the first connection. Turning a new database file to WAL
// needs an exclusive lock that SQLite does not wait for through the busy
// handler, so when two processes open a new file at once one of them gets
// SQLITE_BUSY: retry it for as long as the busy timeout. Once the file is
// in WAL mode (it stays so), later connections do not hit this.
func ping(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// dataSourceName builds the driver DSN: WAL so readers never block the
// writer, a busy timeout so writers queue instead of failing, immediate
// transactions so two writers never deadlock upgrading read locks, and
// synchronous=NORMAL, which in WAL mode is durable against process crashes.
func dataSourceName(path string) (string, bool) {
	memory := path == ":memory:" || path == ""
	pragmas := []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "foreign_keys(1)"}
	if !memory {
		pragmas = append(pragmas, "journal_mode(WAL)", "synchronous(NORMAL)")
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	if memory {
		return "file::memory:?" + q.Encode(), true
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode(), false
}

// Close closes the database, checkpointing the WAL.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// migrationFills compute, in Go and in the migration's transaction, what
// a migration's new tables hold for the data already stored.
var migrationFills = map[string]func(context.Context, *sql.Tx) error{
	"migrations/0006_story_summaries.sql": rebuildSummaries,
}

// migrate applies embedded migrations in name order, each in its own
// transaction together with its record in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	body, err := migrationFiles.ReadFile(name)
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if fill := migrationFills[name]; fill != nil {
		if err := fill(ctx, tx); err != nil {
			return fmt.Errorf("store: migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	return nil
}

// Migrations lists the migrations applied, in order.
func (s *Store) Migrations(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.db, "migrations", func(r scanner) (n string, err error) { return n, r.Scan(&n) },
		`SELECT name FROM schema_migrations ORDER BY name`)
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func int64sJSON(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte(']')
	return b.String()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Sentinel errors; the store wraps them with context, so test with errors.Is.
// The errors are briefing's, so the bot can tell them apart without
// importing the store.
var (
	// ErrNotFound: the row asked for does not exist (or is not the channel's).
	ErrNotFound = briefing.ErrNotFound
	// ErrDuplicate: the channel already has that subscription.
	ErrDuplicate = briefing.ErrDuplicate
	// ErrLimit: the channel has as many subscriptions as it may.
	ErrLimit = briefing.ErrLimit
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// querier is the database or a transaction (*sql.DB, *sql.Tx), for reads
// that run in either.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queryAll runs query and scans every row with scan; what names the read
// in errors ("store: <what>: …").
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// deleteOne runs a DELETE that must remove a row: ErrNotFound when it
// removed none. what names it in errors ("store: <what>: …").
func (s *Store) deleteOne(ctx context.Context, what, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

// isConstraint reports whether err is an SQLite constraint violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
