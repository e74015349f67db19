package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
)

// Search returns the newest candidates for q (at most limit), newest
// published first: the items whose title or summary match q's words and
// phrases in the full-text index, and that carry every country and actor
// q requires. They are a superset of q's matches (see ftsMatch): the
// caller narrows them with q.Match.
func (s *Store) Search(ctx context.Context, q *query.Query, limit int) ([]briefing.Item, error) {
	return s.search(ctx, ftsMatch(q), q.Countries(), q.Actors(), limit)
}

// search returns the newest items (at most limit) whose title or summary
// match ftsQuery, an FTS5 expression ("" for no text condition), and that
// carry every one of countries and actors, newest published first. The
// expression and the ids are bound parameters: Search builds ftsQuery with
// ftsMatch, which quotes all user text.
func (s *Store) search(ctx context.Context, ftsQuery string, countries, actors []string, limit int) ([]briefing.Item, error) {
	if limit <= 0 {
		limit = 20
	}
	conds, args := tagConditions(countries, actors)
	var (
		items []briefing.Item
		err   error
	)
	if ftsQuery == "" {
		items, err = s.searchByDate(ctx, conds, args, limit)
	} else {
		items, err = s.searchText(ctx, ftsQuery, conds, args, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return items, nil
}

// ftsMatch returns an FTS5 MATCH expression for q's text clauses, for the
// items_fts table (tokenized with `unicode61 remove_diacritics 2`). Every
// term is an FTS5 string literal (double quotes, inner quotes doubled) of
// folded words, so no user text is ever read as FTS5 syntax; clauses are
// combined as `(a AND (b OR c)) NOT (d OR e)`.
//
// It returns "" when no positive text term can be expressed (tags only):
// Search then filters by q's countries and actors alone.
//
// What it finds relative to q.Match: a superset, to be narrowed with
// Match. Tags, negated tags and OR groups containing a tag are left out
// (they only widen the result). Words and phrases match the same items,
// since both tokenizers fold case and accents, split on punctuation, and
// Match lets a phrase cross punctuation but not the title/summary border,
// like an FTS5 phrase within one column. The exceptions are the
// tokenizers' differences: dotted acronyms ("U.S." is "us" for Match,
// "u s" for FTS5), and ligatures that Match expands (œ → oe, æ → ae,
// ß → ss) and unicode61 keeps; on text or queries with those, the index
// may miss an item Match accepts, or not exclude one Match excludes.
func ftsMatch(q *query.Query) string {
	var pos, neg []string
	for _, c := range q.TextClauses() {
		alts := make([]string, len(c.Alternatives))
		for i, words := range c.Alternatives {
			alts[i] = ftsString(strings.Join(words, " "))
		}
		if c.Exclude {
			neg = append(neg, alts...)
			continue
		}
		if len(alts) == 1 {
			pos = append(pos, alts[0])
		} else {
			pos = append(pos, "("+strings.Join(alts, " OR ")+")")
		}
	}
	if len(pos) == 0 {
		return ""
	}
	out := strings.Join(pos, " AND ")
	if len(neg) > 0 {
		out = "(" + out + ") NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return out
}

// ftsString quotes s as an FTS5 string literal.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// tagConditions are the WHERE terms (on items i) requiring every one of
// countries and actors, with their arguments.
func tagConditions(countries, actors []string) (conds []string, args []any) {
	for _, c := range countries {
		conds = append(conds, `instr(' ' || i.countries || ' ', ?) > 0`)
		args = append(args, " "+c+" ")
	}
	for _, a := range actors {
		conds = append(conds, `instr(' ' || i.actors || ' ', ?) > 0`)
		args = append(args, " "+a+" ")
	}
	return conds, args
}

// searchByDate walks the items by publication date (an index) and stops at
// limit.
func (s *Store) searchByDate(ctx context.Context, conds []string, args []any, limit int) ([]briefing.Item, error) {
	from := `items i`
	if len(conds) > 0 {
		from += ` WHERE ` + strings.Join(conds, ` AND `)
	}
	from += ` ORDER BY i.published DESC, i.id DESC LIMIT ?`
	return selectItems(ctx, s.db, from, append(args, limit)...)
}

// searchText finds the newest limit matches of a text query without
// reading every match: a common word matches a twentieth of all items, and
// reading and sorting them all took seconds on a million items.
//
// Items are stored in the order they are seen, so the newest rowids are
// nearly the newest items. First, the full-text index's doclist is walked
// from its highest rowid down (FTS5 gives rowid order for free) until limit
// items also carry the tags. Those are the newest matches among rowids
// down to the last one read (the cursor); an older rowid can only rank
// among them if it was published at or after the oldest of them (the
// floor): an old article stored late, or one whose date moved forward on
// update. The second step finds those few through the publication-date
// index and keeps the ones that match. The result is exactly what sorting
// every match would give.
func (s *Store) searchText(ctx context.Context, ftsQuery string, conds []string, args []any, limit int) ([]briefing.Item, error) {
	where := ``
	if len(conds) > 0 {
		where = ` AND ` + strings.Join(conds, ` AND `)
	}
	items, err := selectItems(ctx, s.db, `items_fts f JOIN items i ON i.id = f.rowid
		WHERE items_fts MATCH ?`+where+` ORDER BY f.rowid DESC LIMIT ?`, append(append([]any{ftsQuery}, args...), limit)...)
	if err != nil || len(items) < limit { // every match read
		sortNewestFirst(items)
		return items, err
	}
	cursor, floor := items[len(items)-1].ID, items[0].Published
	for _, it := range items {
		floor = minTime(floor, it.Published)
	}
	low, err := s.lowestStoredSince(ctx, floor, cursor)
	if err != nil || low == 0 {
		sortNewestFirst(items)
		return items, err
	}
	// The full-text index seeks to a rowid range cheaply (one seek per
	// term, not per row); normally the range is a poll or two wide.
	more, err := selectItems(ctx, s.db, `items_fts f JOIN items i ON i.id = f.rowid
		WHERE items_fts MATCH ? AND f.rowid >= ? AND f.rowid < ? AND i.published >= ?`+where,
		append([]any{ftsQuery, low, cursor, ms(floor)}, args...)...)
	if err != nil {
		return nil, err
	}
	items = append(items, more...)
	sortNewestFirst(items)
	return items[:min(len(items), limit)], nil
}

// lowestStoredSince returns the lowest rowid below cursor of the items
// published at or after floor (0 if none), from the publication-date index
// alone: the unary + and id + 0 keep SQLite from walking the rowids
// instead, nearly all of them.
func (s *Store) lowestStoredSince(ctx context.Context, floor time.Time, cursor int64) (int64, error) {
	var low sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(id + 0) FROM items WHERE published >= ? AND +id < ?`, ms(floor), cursor).Scan(&low)
	return low.Int64, err
}

// sortNewestFirst orders items as every listing does: published, then id,
// both descending.
func sortNewestFirst(items []briefing.Item) {
	slices.SortFunc(items, func(a, b briefing.Item) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

// indexText brings the FTS5 index up to date with this transaction's
// writes in three statements, whatever the number of rows: FTS5 flushes
// its buffer at each statement, so per-row writes would fragment it.
func (w *writer) indexText(ctx context.Context, tx *sql.Tx) error {
	if len(w.reindexed) > 0 {
		old := make([][3]any, len(w.reindexed))
		ids := make([]int64, len(w.reindexed))
		for i, r := range w.reindexed {
			old[i] = [3]any{r.id, r.title, r.summary}
			ids[i] = r.id
		}
		oldJSON, err := json.Marshal(old)
		if err != nil {
			return err
		}
		idsJSON, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (items_fts, rowid, title, summary)
			SELECT 'delete', value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`, string(oldJSON)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (rowid, title, summary)
			SELECT id, title, summary FROM items WHERE id IN (SELECT value FROM json_each(?))`, string(idsJSON)); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO items_fts (rowid, title, summary)
		SELECT id, title, summary FROM items WHERE id > ?`, w.maxIDBefore)
	return err
}
