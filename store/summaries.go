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
		if err := deleteSummaries(ctx, tx, storyIDs[:n]); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+summaryColumns+` FROM items i
			WHERE i.story IN (SELECT value FROM json_each(?)) ORDER BY i.story`, int64sJSON(storyIDs[:n]))
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
		storyIDs = storyIDs[n:]
	}
	return nil
}

// addToSummaries brings the summaries up to date with a save's new
// assignments: each story's row, plus the rows of the stories merged into
// it, plus its new items. Only a story without a row that is older than
// the save (assigned before summaries existed) and the stories stored
// items moved between (moved) are read again whole.
func addToSummaries(ctx context.Context, tx *sql.Tx, items []briefing.Item, as []briefing.StoryAssignment,
	merges []briefing.StoryMerge, moved []int64) error {
	final := finalStory(merges)
	fresh := make(map[int64]bool, len(items)) // stories named after an item of this save
	byID := make(map[int64]*briefing.Item, len(items))
	for k := range items {
		byID[items[k].ID] = &items[k]
		fresh[items[k].ID] = true
	}
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.Story)
	}
	for _, m := range merges {
		ids = append(ids, m.From, m.Into)
	}
	old, err := readSummaries(ctx, tx, ids)
	if err != nil {
		return err
	}
	sums := map[int64]*briefing.StorySummary{}
	var whole []int64 // stories to read again from their items
	sumOf := func(root int64) *briefing.StorySummary {
		if s := sums[root]; s != nil {
			return s
		}
		s := &briefing.StorySummary{ID: root}
		if o, ok := old[root]; ok {
			*s = o
		} else if !fresh[root] {
			whole = append(whole, root)
		}
		sums[root] = s
		return s
	}
	for _, m := range merges {
		if f := final(m.From); f != m.From {
			o, ok := old[m.From]
			if !ok && !fresh[m.From] {
				whole = append(whole, f)
			}
			sumOf(f).Merge(o)
			delete(old, m.From) // counted once, even if named by several merges
		}
	}
	for _, a := range as {
		it := *byID[a.Item]
		it.Place, it.Events = a.Place, a.Events
		it.Published = fromMS(ms(it.Published)) // as stored
		sumOf(final(a.Story)).Add(&it)
	}
	whole = append(whole, moved...)
	var out []briefing.StorySummary
	for root, s := range sums {
		if !slices.Contains(whole, root) {
			out = append(out, *s)
		}
	}
	if err := deleteSummaries(ctx, tx, ids); err != nil {
		return err
	}
	if err := writeSummaries(ctx, tx, out); err != nil {
		return err
	}
	return refreshSummaries(ctx, tx, whole)
}

// readSummaries reads the stored rows of the given stories, whole.
func readSummaries(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]briefing.StorySummary, error) {
	out := make(map[int64]briefing.StorySummary, len(ids))
	rows, err := tx.QueryContext(ctx, `SELECT id, first_published, last_published, items, outlets, countries, actors,
		events, place, outlet_names, place_votes FROM stories WHERE id IN (SELECT value FROM json_each(?))`, int64sJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s briefing.StorySummary
		var first, last int64
		var countries, actors, events, names, votes string
		if err := rows.Scan(&s.ID, &first, &last, &s.Items, &s.Outlets, &countries, &actors, &events, &s.Place,
			&names, &votes); err != nil {
			return nil, fmt.Errorf("store: story summaries: %w", err)
		}
		s.First, s.Last = fromMS(first), fromMS(last)
		s.Countries, s.Actors, s.Events = splitTags(countries), splitTags(actors), strings.Fields(events)
		if err := json.Unmarshal([]byte(names), &s.OutletNames); err != nil {
			return nil, fmt.Errorf("store: story summaries: story %d: %w", s.ID, err)
		}
		if err := json.Unmarshal([]byte(votes), &s.Votes); err != nil {
			return nil, fmt.Errorf("store: story summaries: story %d: %w", s.ID, err)
		}
		out[s.ID] = s
	}
	return out, rows.Err()
}

func deleteSummaries(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM stories WHERE id IN (SELECT value FROM json_each(?))`,
		int64sJSON(ids)); err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
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
	rows := make([][11]any, len(sums))
	for k, s := range sums {
		names, err := json.Marshal(s.OutletNames)
		if err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		votes, err := json.Marshal(s.Votes)
		if err != nil {
			return fmt.Errorf("store: story summaries: %w", err)
		}
		rows[k] = [11]any{s.ID, ms(s.First), ms(s.Last), s.Items, s.Outlets, joinTags(s.Countries),
			joinTags(s.Actors), strings.Join(s.Events, " "), s.Place, string(names), string(votes)}
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stories (id, first_published, last_published, items, outlets,
			countries, actors, events, place, outlet_names, place_votes)
		SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
			j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10 FROM json_each(?) AS j`,
		string(batch)); err != nil {
		return fmt.Errorf("store: story summaries: %w", err)
	}
	return nil
}

// StorySummaries returns the summary of every story with an item
// published in [since, until), with how many of them the window holds
// (InWindow). An item stored without a story stands for itself. First and
// Items are not returned: digests do not use them.
//
// The stories come from their own rows by date (last report at or after
// since, first before until), not from grouping the window's items: a
// week's window holds ~10,000 items and half as many stories. A story
// wholly inside the window holds Items of it; one straddling an edge has
// its items in the window counted (and is left out if it has none there).
// With a country or actor in f, most stories that could not pass that
// filter are left out in the query (those whose place is not the country
// and whose countries do not include it, those whose actors do not
// include the actor); the digest still applies its exact filter.
func (s *Store) StorySummaries(ctx context.Context, since, until time.Time, f briefing.Filter) ([]briefing.StorySummary, error) {
	country, actor := strings.ToLower(f.Country), strings.ToLower(f.Actor)
	rows, err := s.db.QueryContext(ctx, `SELECT s.id,
			iif(s.first_published >= ?1 AND s.last_published < ?2, s.items,
				(SELECT count(*) FROM items i WHERE i.story = s.id AND i.published >= ?1 AND i.published < ?2)),
			s.last_published, s.outlets, s.countries || '|' || s.actors || '|' || s.events || '|' || s.place
		FROM stories s
		WHERE s.last_published >= ?1 AND s.first_published < ?2
			AND (?3 = '' OR s.place = ?3 OR instr(' ' || lower(s.countries) || ' ', ' ' || ?3 || ' ') > 0)
			AND (?4 = '' OR instr(' ' || lower(s.actors) || ' ', ' ' || ?4 || ' ') > 0)`,
		ms(since), ms(until), country, actor)
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	defer rows.Close()
	var out []briefing.StorySummary
	var fields tagFields
	for rows.Next() {
		var sum briefing.StorySummary
		var last int64
		var tags sql.RawBytes // one column: each column read costs more than splitting
		if err := rows.Scan(&sum.ID, &sum.InWindow, &last, &sum.Outlets, &tags); err != nil {
			return nil, fmt.Errorf("store: story summaries: %w", err)
		}
		if sum.InWindow == 0 { // straddles the window, with no report in it
			continue
		}
		sum.Last = fromMS(last)
		t := fields.parse(tags)
		sum.Countries, sum.Actors, sum.Events, sum.Place = t.countries, t.actors, t.events, t.place
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	rows.Close()
	return s.summariesOfUnassigned(ctx, out, since, until)
}

// tagFields parses the "countries|actors|events|place" column of
// StorySummaries, sharing one read-only result among the rows that hold
// the same text: a window of thousands of stories holds far fewer distinct
// ones, so most rows allocate nothing.
type tagFields map[string]*storyTags

type storyTags struct {
	countries, actors, events []string
	place                     string
}

func (f *tagFields) parse(b []byte) *storyTags {
	if t, ok := (*f)[string(b)]; ok {
		return t
	}
	if *f == nil {
		*f = tagFields{}
	}
	parts := strings.SplitN(string(b), "|", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	t := &storyTags{countries: splitTags(parts[0]), actors: splitTags(parts[1]), events: strings.Fields(parts[2]),
		place: parts[3]}
	(*f)[string(b)] = t
	return t
}

// summariesOfUnassigned adds the items of the window stored without a
// story (no story assigner: tests, tools), each its own story.
func (s *Store) summariesOfUnassigned(ctx context.Context, out []briefing.StorySummary, since, until time.Time) (
	[]briefing.StorySummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColumns+` FROM items i
		WHERE i.story = 0 AND i.published >= ? AND i.published < ? ORDER BY i.id`, ms(since), ms(until))
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	sums, err := scanSummaries(rows)
	if err != nil {
		return nil, fmt.Errorf("store: story summaries: %w", err)
	}
	for k := range sums {
		sums[k].InWindow = 1
	}
	return append(out, sums...), nil
}
