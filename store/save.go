package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// SaveFetched persists the outcome of polling several sources in one
// immediate transaction: each source's state, and its items, inserted when
// new and updated when known. An item is known when its (source, key) or
// its canonical URL is already stored, so a publisher rewriting the GUID,
// title or date of an article updates it instead of adding a duplicate.
func (s *Store) SaveFetched(ctx context.Context, batch []briefing.Fetched) ([]briefing.Saved, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: save: begin: %w", err)
	}
	defer tx.Rollback()
	w, err := prepareWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer w.close()

	out := make([]briefing.Saved, 0, len(batch))
	for _, f := range batch {
		saved := briefing.Saved{Source: f.State.Name}
		state := f.State
		for _, it := range f.Items {
			if it.Source == "" {
				it.Source = f.State.Name
			}
			id, isNew, changed, err := w.upsertItem(ctx, it)
			if err != nil {
				return nil, fmt.Errorf("store: save %s item %q: %w", f.State.Name, it.Key, err)
			}
			if isNew {
				it.ID = id
				saved.New = append(saved.New, it)
				if it.Published.After(state.LastNewItem) {
					state.LastNewItem = it.Published
				}
			} else if changed {
				saved.Updated++
			}
		}
		if err := w.saveState(ctx, state); err != nil {
			return nil, fmt.Errorf("store: save source %s: %w", f.State.Name, err)
		}
		out = append(out, saved)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: save: commit: %w", err)
	}
	return out, nil
}

// writer holds the statements one save transaction reuses for every item.
type writer struct {
	byKey, byURL, insert, update, tag, untag, state *sql.Stmt
}

func prepareWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byKey, `SELECT id, source, key, url, title, summary, published, updated, date_from_feed
			FROM items WHERE source = ? AND key = ?`},
		{&w.byURL, `SELECT id, source, key, url, title, summary, published, updated, date_from_feed
			FROM items WHERE url = ? ORDER BY source = ? DESC, id LIMIT 1`},
		{&w.insert, `INSERT INTO items (source, key, url, title, summary, outlet, lang, published, updated, first_seen, date_from_feed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.update, `UPDATE items SET key = ?, url = ?, title = ?, summary = ?, published = ?, updated = ?, date_from_feed = ?
			WHERE id = ?`},
		{&w.tag, `INSERT OR IGNORE INTO item_tags (item_id, kind, tag) VALUES (?, ?, ?)`},
		{&w.untag, `DELETE FROM item_tags WHERE item_id = ?`},
		{&w.state, `INSERT INTO sources (name, url, etag, last_modified, last_attempt, last_success, last_status,
				last_error, consecutive_failures, items_last_time, last_new_item, next_check)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET url = excluded.url, etag = excluded.etag,
				last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,
				last_success = excluded.last_success, last_status = excluded.last_status,
				last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
				items_last_time = excluded.items_last_time,
				last_new_item = max(sources.last_new_item, excluded.last_new_item),
				next_check = excluded.next_check`},
	}
	for _, st := range stmts {
		p, err := tx.PrepareContext(ctx, st.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		*st.dst = p
	}
	return w, nil
}

func (w *writer) close() {
	for _, s := range []*sql.Stmt{w.byKey, w.byURL, w.insert, w.update, w.tag, w.untag, w.state} {
		if s != nil {
			s.Close()
		}
	}
}

// stored is the part of an item row an upsert compares against.
type stored struct {
	id                 int64
	source, key, url   string
	title, summary     string
	published, updated int64
	dateFromFeed       bool
}

func scanStored(row *sql.Row) (stored, error) {
	var s stored
	err := row.Scan(&s.id, &s.source, &s.key, &s.url, &s.title, &s.summary, &s.published, &s.updated, &s.dateFromFeed)
	return s, err
}

// upsertItem inserts it, or updates the row it duplicates. It reports the
// row id, whether the item is new, and whether a known row changed.
func (w *writer) upsertItem(ctx context.Context, it briefing.Item) (id int64, isNew, changed bool, err error) {
	old, err := scanStored(w.byKey.QueryRowContext(ctx, it.Source, it.Key))
	byURL := false
	if errors.Is(err, sql.ErrNoRows) && it.URL != "" {
		old, err = scanStored(w.byURL.QueryRowContext(ctx, it.URL, it.Source))
		byURL = true
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := w.insert.ExecContext(ctx, it.Source, it.Key, it.URL, it.Title, it.Summary, it.Outlet, it.Lang,
			ms(it.Published), ms(it.Updated), ms(it.FirstSeen), it.DateFromFeed)
		if err != nil {
			return 0, false, false, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return 0, false, false, err
		}
		return id, true, false, w.writeTags(ctx, id, it, false)
	case err != nil:
		return 0, false, false, err
	}

	// A known article. Take the publisher's corrections of title, summary
	// and link, but keep the first publication date: a rewritten pubDate
	// must not make old news look new. A date replaces a first-seen guess.
	next := old
	if it.Title != "" {
		next.title = it.Title
	}
	if it.Summary != "" {
		next.summary = it.Summary
	}
	if it.URL != "" {
		next.url = it.URL
	}
	if byURL && old.source == it.Source {
		next.key = it.Key // the GUID was rewritten: follow it
	}
	if !old.dateFromFeed && it.DateFromFeed {
		next.published, next.dateFromFeed = ms(it.Published), true
	}
	if u := ms(it.Updated); u > next.updated {
		next.updated = u
	}
	if next == old {
		return old.id, false, false, nil
	}
	if _, err := w.update.ExecContext(ctx, next.key, next.url, next.title, next.summary, next.published, next.updated,
		next.dateFromFeed, old.id); err != nil {
		return 0, false, false, err
	}
	if len(it.Countries)+len(it.Actors) > 0 {
		if err := w.writeTags(ctx, old.id, it, true); err != nil {
			return 0, false, false, err
		}
	}
	return old.id, false, true, nil
}

func (w *writer) writeTags(ctx context.Context, id int64, it briefing.Item, replace bool) error {
	if replace {
		if _, err := w.untag.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	for _, c := range it.Countries {
		if _, err := w.tag.ExecContext(ctx, id, "country", c); err != nil {
			return err
		}
	}
	for _, a := range it.Actors {
		if _, err := w.tag.ExecContext(ctx, id, "actor", a); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) saveState(ctx context.Context, st briefing.SourceState) error {
	_, err := w.state.ExecContext(ctx, st.Name, st.URL, st.ETag, st.LastModified, ms(st.LastAttempt), ms(st.LastSuccess),
		string(st.LastStatus), st.LastError, st.ConsecutiveFailures, st.ItemsLastTime, ms(st.LastNewItem), ms(st.NextCheck))
	return err
}
