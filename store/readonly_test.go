package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

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
