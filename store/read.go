package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// SourceStates returns the remembered state of every source, by name.
func (s *Store) SourceStates(ctx context.Context) (map[string]briefing.SourceState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, url, etag, last_modified, last_attempt, last_success,
		last_status, last_error, consecutive_failures, items_last_time, last_new_item, next_check FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("store: source states: %w", err)
	}
	defer rows.Close()
	out := map[string]briefing.SourceState{}
	for rows.Next() {
		var (
			st                              briefing.SourceState
			attempt, success, newItem, next int64
			status                          string
		)
		if err := rows.Scan(&st.Name, &st.URL, &st.ETag, &st.LastModified, &attempt, &success, &status,
			&st.LastError, &st.ConsecutiveFailures, &st.ItemsLastTime, &newItem, &next); err != nil {
			return nil, fmt.Errorf("store: source states: %w", err)
		}
		st.LastAttempt, st.LastSuccess = fromMS(attempt), fromMS(success)
		st.LastNewItem, st.NextCheck = fromMS(newItem), fromMS(next)
		st.LastStatus = briefing.FetchStatus(status)
		out[st.Name] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: source states: %w", err)
	}
	s.track.overlay(out)
	return out, nil
}

// ItemCounts returns how many items each source has stored.
func (s *Store) ItemCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, count(*) FROM items GROUP BY source`)
	if err != nil {
		return nil, fmt.Errorf("store: item counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("store: item counts: %w", err)
		}
		out[name] = n
	}
	return out, rows.Err()
}

// itemColumns are the columns scanItems reads, in its order.
const itemColumns = `i.id, i.source, i.key, i.url, i.title, i.summary, i.outlet, i.lang, i.published,
	i.updated, i.first_seen, i.date_from_feed, i.countries, i.actors, i.story, i.place, i.events`

// ItemsSince returns items published at or after since, newest first, at
// most limit of them (all when limit <= 0), with their tags.
func (s *Store) ItemsSince(ctx context.Context, since time.Time, limit int) ([]briefing.Item, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.published >= ?
		ORDER BY i.published DESC, i.id DESC LIMIT ?`, ms(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: items since: %w", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("store: items since: %w", err)
	}
	return items, nil
}

// ItemsStoredBetween returns the items first stored in [from, until) and
// published at or after publishedSince, newest first, with their tags.
func (s *Store) ItemsStoredBetween(ctx context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.first_seen >= ? AND i.first_seen < ?
		AND i.published >= ? ORDER BY i.published DESC, i.id DESC`, ms(from), ms(until), ms(publishedSince))
	if err != nil {
		return nil, fmt.Errorf("store: items stored between: %w", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("store: items stored between: %w", err)
	}
	return items, nil
}

// Search returns the newest items (at most limit) whose title or summary
// match ftsQuery, an FTS5 expression ("" for no text condition), and that
// carry every one of countries and actors. The expression and the ids are
// bound parameters: callers build ftsQuery with briefing's query language,
// which quotes all user text.
func (s *Store) Search(ctx context.Context, ftsQuery string, countries, actors []string, limit int) ([]briefing.Item, error) {
	if limit <= 0 {
		limit = 20
	}
	var (
		where []string
		args  []any
	)
	from := `items i`
	if ftsQuery != "" {
		from = `items_fts f JOIN items i ON i.id = f.rowid`
		where = append(where, `items_fts MATCH ?`)
		args = append(args, ftsQuery)
	}
	for _, c := range countries {
		where = append(where, `instr(' ' || i.countries || ' ', ?) > 0`)
		args = append(args, " "+c+" ")
	}
	for _, a := range actors {
		where = append(where, `instr(' ' || i.actors || ' ', ?) > 0`)
		args = append(args, " "+a+" ")
	}
	q := `SELECT ` + itemColumns + ` FROM ` + from
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY i.published DESC, i.id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return items, nil
}

// scanItems reads itemColumns rows and closes them.
func scanItems(rows *sql.Rows) ([]briefing.Item, error) {
	defer rows.Close()
	var items []briefing.Item
	for rows.Next() {
		var it briefing.Item
		var pub, upd, seen int64
		var countries, actors, events string
		if err := rows.Scan(&it.ID, &it.Source, &it.Key, &it.URL, &it.Title, &it.Summary, &it.Outlet, &it.Lang,
			&pub, &upd, &seen, &it.DateFromFeed, &countries, &actors, &it.Story, &it.Place, &events); err != nil {
			return nil, err
		}
		it.Published, it.Updated, it.FirstSeen = fromMS(pub), fromMS(upd), fromMS(seen)
		it.Countries, it.Actors = splitTags(countries), splitTags(actors)
		if events != "" {
			it.Events = strings.Fields(events)
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// SearchFTS finds items whose title or summary match an FTS5 query,
// newest first. The query is passed as a bound parameter; callers turn
// user text into FTS5 syntax (part 3's query language) before calling.
func (s *Store) SearchFTS(ctx context.Context, ftsQuery string, limit int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.id FROM items_fts f JOIN items i ON i.id = f.rowid
		WHERE items_fts MATCH ? ORDER BY i.published DESC LIMIT ?`, ftsQuery, limit)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
