package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the database to the new file path
// with VACUUM INTO: an online backup that runs inside one read
// transaction, so writers carry on (WAL) and the copy is compact and
// self-contained (no -wal file to carry along). path must not exist: a
// backup never overwrites.
func (s *Store) Backup(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("store: backup: no destination path")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s already exists", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

// Check tells whether the database is ready for the bot: every embedded
// migration recorded as applied, and a write transaction possible (it is
// rolled back, so nothing changes).
func (s *Store) Check(ctx context.Context) error {
	applied, err := s.Migrations(ctx)
	if err != nil {
		return err
	}
	want, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	have := make(map[string]bool, len(applied))
	for _, n := range applied {
		have[n] = true
	}
	for _, n := range want {
		if !have[n] {
			return fmt.Errorf("store: check: migration %s not applied", n)
		}
	}
	return s.checkWrite(ctx)
}

// checkWrite takes the write lock (immediate transaction) and writes a
// row, then rolls back: a read-only file, directory or mount fails here.
func (s *Store) checkWrite(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: check: cannot write (begin a transaction): %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('doctor-write-check', 0)`); err != nil {
		return fmt.Errorf("store: check: cannot write: %w", err)
	}
	return nil
}
