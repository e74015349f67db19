package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupCopiesTheDatabaseOnline(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	save(t, s, fetched("RFI", base, newsItem("RFI", "k1", "https://rfi.example/1", "Mali: attaque près de Gao", "", base)))
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// The source stays writable while and after it is copied.
	save(t, s, fetched("RFI", base, newsItem("RFI", "k2", "https://rfi.example/2", "Niger: sommet à Niamey", "", base)))

	c := openPath(t, dest)
	if got := countRows(t, c, "items"); got != 1 {
		t.Errorf("backup holds %d items, want 1 (the state when it was taken)", got)
	}
	checkIntegrity(t, c)
	if err := c.Check(ctx); err != nil {
		t.Errorf("backup is not a ready database: %v", err)
	}
	if err := s.Backup(ctx, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("Backup over an existing file: %v, want a refusal", err)
	}
	if err := s.Backup(ctx, ""); err == nil {
		t.Error("Backup to an empty path: no error")
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	t.Run("ready", func(t *testing.T) {
		if err := openMem(t).Check(ctx); err != nil {
			t.Errorf("Check on a fresh database: %v", err)
		}
	})
	t.Run("write rolled back", func(t *testing.T) {
		s := openMem(t)
		before := countRows(t, s, "schema_migrations")
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		if after := countRows(t, s, "schema_migrations"); after != before {
			t.Errorf("Check left %d rows in schema_migrations, want %d", after, before)
		}
	})
	t.Run("migration missing", func(t *testing.T) {
		s := openMem(t)
		if _, err := s.db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE name = 'migrations/0003_deliveries.sql'`); err != nil {
			t.Fatal(err)
		}
		if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "0003_deliveries.sql not applied") {
			t.Errorf("Check = %v, want the missing migration named", err)
		}
	})
	t.Run("read only", func(t *testing.T) {
		s := openMem(t) // one connection: the pragma holds for every query
		if _, err := s.db.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
			t.Fatal(err)
		}
		if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "cannot write") {
			t.Errorf("Check = %v, want a write failure", err)
		}
	})
}
