package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// summaryColumns are the columns of an item a story summary is made of.
const summaryColumns = `i.id, i.story, i.published, i.outlet, i.source, i.countries, i.actors, i.events, i.place`

// summaryBatch bounds the stories written by one statement.
const summaryBatch = 500

// refreshSummaries rewrites the summaries of the given stories from their
// items, within a save: a story that no longer has items (merged into
// another) loses its row.
func refreshSummaries(ctx context.Context, tx *sql.Tx, storyIDs []int64) error {
	slices.Sort(storyIDs)
	storyIDs = slices.Compact(storyIDs)
	for len(storyIDs) > 0 {
		n := min(len(storyIDs), summaryBatch)
		ids := int64sJSON(storyIDs[:n])
		storyIDs = storyIDs[n:]
		if _, err := tx.ExecContext(ctx, `DELETE FROM stories WHERE id IN (SELECT value FROM json_each(?))`, ids); err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+summaryColumns+` FROM items i
			WHERE i.story IN (SELECT value FROM json_each(?)) ORDER BY i.story`, ids)
		if err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		sums, err := scanSummaries(rows)
		if err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		if err := writeSummaries(ctx, tx, sums); err != nil {
			return err
		}
	}
	return nil
}

// resummarize redoes the summaries of the stories of items a save updated
// (a corrected date or new tags change what their story sums up to).
func resummarize(ctx context.Context, tx *sql.Tx, itemIDs []int64) error {
	if len(itemIDs) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT story FROM items
		WHERE id IN (SELECT value FROM json_each(?)) AND story != 0`, int64sJSON(itemIDs))
	if err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	rows.Close()
	return refreshSummaries(ctx, tx, ids)
}

// rebuildSummaries writes the summary of every assigned story: when the
// summaries migration is applied to a database that has stories.
func rebuildSummaries(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+summaryColumns+` FROM items i WHERE i.story != 0 ORDER BY i.story`)
	if err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	sums, err := scanSummaries(rows)
	if err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	for len(sums) > 0 {
		n := min(len(sums), summaryBatch)
		if err := writeSummaries(ctx, tx, sums[:n]); err != nil {
			return err
		}
		sums = sums[n:]
	}
	return nil
}

// scanSummaries sums up summaryColumns rows ordered by story (an item
// without a story stands for itself) and closes them.
func scanSummaries(rows *sql.Rows) ([]briefing.StorySummary, error) {
	defer rows.Close()
	var (
		out   []briefing.StorySummary
		group []*briefing.Item
		cur   int64
	)
	flush := func() {
		if len(group) > 0 {
			out = append(out, briefing.Summarize(cur, group))
			group = nil
		}
	}
	for rows.Next() {
		it := new(briefing.Item)
		var pub int64
		var countries, actors, events string
		if err := rows.Scan(&it.ID, &it.Story, &pub, &it.Outlet, &it.Source, &countries, &actors, &events, &it.Place); err != nil {
			return nil, err
		}
		it.Published = fromMS(pub)
		it.Countries, it.Actors, it.Events = splitTags(countries), splitTags(actors), strings.Fields(events)
		if id := it.StoryKey(); id != cur {
			flush()
			cur = it.StoryKey()
		}
		group = append(group, it)
	}
	flush()
	return out, rows.Err()
}

// writeSummaries inserts summaries in one statement.
func writeSummaries(ctx context.Context, tx *sql.Tx, sums []briefing.StorySummary) error {
	if len(sums) == 0 {
		return nil
	}
	rows := make([][9]any, len(sums))
	for k, s := range sums {
		rows[k] = [9]any{s.ID, ms(s.First), ms(s.Last), s.Items, s.Outlets, joinTags(s.Countries),
			joinTags(s.Actors), strings.Join(s.Events, " "), s.Place}
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stories (id, first_published, last_published, items, outlets,
			countries, actors, events, place)
		SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
			j.value ->> 6, j.value ->> 7, j.value ->> 8 FROM json_each(?) AS j`, string(batch)); err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	return nil
}

// StorySummaries returns the summary of every story with an item
// published in [since, until), with how many of them the window holds
// (InWindow). An item stored without a story stands for itself. First and
// Items are not read: digests do not use them.
func (s *Store) StorySummaries(ctx context.Context, since, until time.Time) ([]briefing.StorySummary, error) {
	rows, err := s.db.QueryContext(ctx, `WITH w (story, n) AS (
			SELECT iif(story = 0, id, story), count(*) FROM items WHERE published >= ? AND published < ?
			GROUP BY 1)
		SELECT w.story, w.n, s.last_published, coalesce(s.outlets, 0), s.countries, s.actors, s.events, s.place
		FROM w LEFT JOIN stories s ON s.id = w.story`, ms(since), ms(until))
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	defer rows.Close()
	var out []briefing.StorySummary
	missing := map[int64]int{}
	var fields tagFields
	for rows.Next() {
		var sum briefing.StorySummary
		var last sql.NullInt64
		var countries, actors, events, place sql.RawBytes
		if err := rows.Scan(&sum.ID, &sum.InWindow, &last, &sum.Outlets, &countries, &actors, &events,
			&place); err != nil {
			return nil, fmt.Errorf("store: story summaries: %w", err)
		}
		if !last.Valid { // not summed up (stored without a story): read below
			missing[sum.ID] = sum.InWindow
			continue
		}
		sum.Last = fromMS(last.Int64)
		sum.Countries, sum.Actors, sum.Events = fields.split(countries), fields.split(actors), fields.split(events)
		sum.Place = fields.one(place)
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	rows.Close()
	return s.summariesOfMissing(ctx, out, missing)
}

// tagFields splits space-separated id lists, sharing one read-only slice
// among the rows that hold the same list: a window of thousands of stories
// holds a few hundred distinct lists, so most rows allocate nothing.
type tagFields struct {
	lists map[string][]string
	ids   map[string]string
}

func (f *tagFields) split(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	if l, ok := f.lists[string(b)]; ok {
		return l
	}
	if f.lists == nil {
		f.lists = map[string][]string{}
	}
	l := strings.Fields(string(b))
	f.lists[string(b)] = l
	return l
}

func (f *tagFields) one(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if id, ok := f.ids[string(b)]; ok {
		return id
	}
	if f.ids == nil {
		f.ids = map[string]string{}
	}
	id := string(b)
	f.ids[id] = id
	return id
}

// summariesOfMissing sums up, from their items, the stories a window holds
// that have no stored summary (items stored without a story assigner),
// with the window's count of each.
func (s *Store) summariesOfMissing(ctx context.Context, out []briefing.StorySummary, missing map[int64]int) (
	[]briefing.StorySummary, error) {
	if len(missing) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM items i
		WHERE i.story IN (SELECT value FROM json_each(?1)) OR (i.story = 0 AND i.id IN (SELECT value FROM json_each(?1)))
		ORDER BY iif(i.story = 0, i.id, i.story)`, int64sJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	sums, err := scanSummaries(rows)
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	for k := range sums {
		sums[k].InWindow = missing[sums[k].ID]
	}
	return append(out, sums...), nil
}
