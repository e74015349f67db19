package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// base is a fixed instant with sub-millisecond digits, so tests notice
// when the store keeps more or less than millisecond precision.
var base = time.Date(2025, 6, 2, 8, 30, 15, 123_456_789, time.UTC)

// openFile opens a fresh file database in a temporary directory.
func openFile(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sahelbrief.db")
	return openPath(t, path), path
}

// openPath opens path and closes it when the test ends.
func openPath(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openMem(t testing.TB) *Store {
	t.Helper()
	return openPath(t, ":memory:")
}

// newsItem is a realistic normalized item.
func newsItem(source, key, url, title, summary string, pub time.Time) briefing.Item {
	return briefing.Item{
		Source:       source,
		Key:          key,
		URL:          url,
		Title:        title,
		Summary:      summary,
		Outlet:       source,
		Lang:         "fr",
		Published:    pub,
		FirstSeen:    pub.Add(7 * time.Minute),
		DateFromFeed: true,
	}
}

func okState(name, url string, at time.Time) briefing.SourceState {
	return briefing.SourceState{
		Name: name, URL: url,
		LastAttempt: at, LastSuccess: at, LastStatus: briefing.StatusOK,
		NextCheck: at.Add(15 * time.Minute),
	}
}

func fetched(name string, at time.Time, items ...briefing.Item) briefing.Fetched {
	return briefing.Fetched{State: okState(name, "https://feeds.example/"+name+".xml", at), Items: items}
}

func save(t testing.TB, s *Store, batch ...briefing.Fetched) []briefing.Saved {
	t.Helper()
	out, err := s.SaveFetched(context.Background(), batch)
	if err != nil {
		t.Fatalf("SaveFetched: %v", err)
	}
	if len(out) != len(batch) {
		t.Fatalf("SaveFetched returned %d results for %d sources", len(out), len(batch))
	}
	return out
}

func countNew(saved []briefing.Saved) (n, updated int) {
	for _, s := range saved {
		n += len(s.New)
		updated += s.Updated
	}
	return n, updated
}

func countRows(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// countTags is how many tag ids the stored items carry in all.
func countTags(t testing.TB, s *Store) int {
	t.Helper()
	rows, err := s.db.Query(`SELECT countries, actors FROM items`)
	if err != nil {
		t.Fatalf("count tags: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var c, a string
		if err := rows.Scan(&c, &a); err != nil {
			t.Fatalf("count tags: %v", err)
		}
		n += len(splitTags(c)) + len(splitTags(a))
	}
	return n
}

// checkIntegrity runs SQLite's integrity check and both FTS5 checks: the
// plain one (the index is internally consistent) and rank = 1, which for an
// external-content table also compares the index with the items rows.
func checkIntegrity(t testing.TB, s *Store) {
	t.Helper()
	var res string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v", res, err)
	}
	if _, err := s.db.Exec(`INSERT INTO items_fts(items_fts) VALUES('integrity-check')`); err != nil {
		t.Fatalf("FTS integrity-check: %v", err)
	}
	if _, err := s.db.Exec(`INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1)`); err != nil {
		t.Fatalf("FTS integrity-check against items: %v", err)
	}
}

func search(t testing.TB, s *Store, q string) []int64 {
	t.Helper()
	ids, err := s.SearchFTS(context.Background(), q, 1000)
	if err != nil {
		t.Fatalf("SearchFTS(%q): %v", q, err)
	}
	return ids
}

func allItems(t testing.TB, s *Store) []briefing.Item {
	t.Helper()
	items, err := s.ItemsSince(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatalf("ItemsSince: %v", err)
	}
	return items
}

func itemByID(t testing.TB, s *Store, id int64) briefing.Item {
	t.Helper()
	for _, it := range allItems(t, s) {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("item %d not found", id)
	return briefing.Item{}
}

// msUTC is t as the store gives it back: millisecond precision, UTC.
func msUTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Millisecond).UTC()
}

// asStored is it as ItemsSince returns it once stored with id.
func asStored(it briefing.Item, id int64) briefing.Item {
	it.ID = id
	it.Published, it.Updated, it.FirstSeen = msUTC(it.Published), msUTC(it.Updated), msUTC(it.FirstSeen)
	it.Countries = sortedOrNil(it.Countries)
	it.Actors = sortedOrNil(it.Actors)
	return it
}

func sortedOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func stateAsStored(st briefing.SourceState) briefing.SourceState {
	st.LastAttempt, st.LastSuccess = msUTC(st.LastAttempt), msUTC(st.LastSuccess)
	st.LastNewItem, st.NextCheck = msUTC(st.LastNewItem), msUTC(st.NextCheck)
	return st
}
