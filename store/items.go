package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

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
	out, err := s.saveFetched(ctx, batch)
	if err != nil {
		s.track.noteUnsaved(batch, err)
		return nil, err
	}
	s.track.saved(batch)
	return out, nil
}

func (s *Store) saveFetched(ctx context.Context, batch []briefing.Fetched) ([]briefing.Saved, error) {
	// The story assigner's memory follows the database: one writer at a
	// time, taken before the transaction (AssignStories takes them in the
	// same order).
	s.stories.mu.Lock()
	defer s.stories.mu.Unlock()
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

	if err := w.begin(ctx, tx); err != nil {
		return nil, err
	}
	out := make([]briefing.Saved, 0, len(batch))
	for _, f := range batch {
		saved, err := w.saveFeed(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, saved)
	}
	// Stories are assigned in the transaction that stores the items, before
	// their rows are written, so each row is written once, with its story:
	// an item is never stored without its story, nor a story without its
	// item.
	if err := s.assignSaved(ctx, tx, out, w); err != nil {
		s.stories.failed()
		return nil, fmt.Errorf("store: save: %w", err)
	}
	if err := w.indexText(ctx, tx); err != nil {
		s.stories.failed()
		return nil, fmt.Errorf("store: save: full-text index: %w", err)
	}
	if err := resummarize(ctx, tx, w.changed); err != nil {
		s.stories.failed()
		return nil, fmt.Errorf("store: save: %w", err)
	}
	if w.wroteItems(out) {
		if err := bumpContentVersion(ctx, tx); err != nil {
			s.stories.failed()
			return nil, fmt.Errorf("store: save: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		s.stories.failed()
		return nil, fmt.Errorf("store: save: commit: %w", err)
	}
	s.stories.trim()
	return out, nil
}

// saveFeed stores one feed's items and its source's state within the
// save's transaction, and tells which items were new.
func (w *writer) saveFeed(ctx context.Context, f briefing.Fetched) (briefing.Saved, error) {
	saved := briefing.Saved{Source: f.State.Name}
	state := f.State
	known, err := w.lookup(ctx, f.State.Name, f.Items)
	if err != nil {
		return saved, fmt.Errorf("store: save %s: %w", f.State.Name, err)
	}
	for i, it := range f.Items {
		if it.Source == "" {
			it.Source = f.State.Name
		}
		id, isNew, changed, err := w.upsertItem(ctx, it, known)
		if err != nil {
			return saved, fmt.Errorf("store: save %s item %q: %w", f.State.Name, it.Key, err)
		}
		if isNew {
			it.ID = id
			if saved.New == nil {
				saved.New = make([]briefing.Item, 0, len(f.Items)-i)
			}
			saved.New = append(saved.New, it)
			if it.Published.After(state.LastNewItem) {
				state.LastNewItem = it.Published
			}
		} else if changed {
			saved.Updated++
		}
	}
	if err := w.saveState(ctx, state); err != nil {
		return saved, fmt.Errorf("store: save source %s: %w", f.State.Name, err)
	}
	return saved, nil
}

// assignSaved assigns the new items of a save to stories, notes each
// one's story, place and events in out and in its pending row, writes the
// pending rows, and brings the stories' summaries up to date.
func (s *Store) assignSaved(ctx context.Context, tx *sql.Tx, out []briefing.Saved, w *writer) error {
	if s.stories.assigner == nil || len(w.pending) == 0 {
		return w.insertPending(ctx)
	}
	fresh := make([]briefing.Item, 0, len(w.pending))
	for k, sv := range out {
		fresh = append(fresh, sv.New...)
		for i := range sv.New {
			out[k].New[i].Prepared = nil // the assigner's alone (fresh has it): not kept with the saved item
		}
	}
	if s.stories.tooLate(fresh) {
		return w.insertPending(ctx) // without stories, until AssignDeferred
	}
	b, err := s.assignItems(ctx, tx, fresh)
	if err != nil {
		return fmt.Errorf("stories: %w", err)
	}
	// An assigner may name a story that a later item of the batch merged
	// away: the row takes the story it ended in.
	final := finalStory(b.merges)
	got := make(map[int64]briefing.StoryAssignment, len(b.as))
	for _, a := range b.as {
		got[a.Item] = a
		if p := w.pendingRow(a.Item); p != nil {
			p.story, p.place, p.events, p.trace = final(a.Story), a.Place, strings.Join(a.Events, " "), b.traces[a.Item]
		}
	}
	for k := range out {
		for i := range out[k].New {
			it := &out[k].New[i]
			if a, ok := got[it.ID]; ok {
				it.Story, it.Place, it.Events = a.Story, a.Place, a.Events
			}
		}
	}
	if err := w.insertPending(ctx); err != nil {
		return err
	}
	if err := addToSummaries(ctx, tx, fresh, b.as, b.merges, b.moved); err != nil {
		return fmt.Errorf("stories: %w", err)
	}
	return nil
}

// writer holds the statements one save transaction reuses for every item.
type writer struct {
	byKey, byURL, insert, update, retag, state *sql.Stmt
	tx                                         *sql.Tx

	// New rows are written at the end of the transaction, with their
	// stories, ids given in order from maxIDBefore+1 (what SQLite would
	// give them: no other writer runs meanwhile). Until then lookups find
	// them here as they would in the table.
	pending    []*pendingRow             // by id: pending[id-maxIDBefore-1]
	pendingKey map[[2]string]*pendingRow // (source, key) → row
	pendingURL map[string][]*pendingRow  // url → rows that had it (check url: it may have changed)

	// Full-text index work, done once at the end of the transaction.
	maxIDBefore int64    // rows with a larger id were inserted by this transaction
	reindexed   []stored // rows whose title or summary changed: their indexed text
	isReindexed map[int64]bool

	changed []int64 // known items this transaction updated: their stories' summaries are redone
}

// wroteItems says whether the save added or changed an item (a poll that
// only updated source states leaves answers built before it valid).
func (w *writer) wroteItems(out []briefing.Saved) bool {
	for _, sv := range out {
		if len(sv.New) > 0 || sv.Updated > 0 {
			return true
		}
	}
	return len(w.changed) > 0
}

// begin notes where this transaction's new rows start. Immediate
// transactions mean no other writer can insert meanwhile.
func (w *writer) begin(ctx context.Context, tx *sql.Tx) error {
	var err error
	if w.maxIDBefore, err = lastItemID(ctx, tx); err != nil {
		return fmt.Errorf("store: save: %w", err)
	}
	w.tx = tx
	return nil
}

// pendingRow is a new item row not written yet.
type pendingRow struct {
	stored
	outlet, lang      string
	firstSeen         int64
	countries, actors string
	story             int64
	place, events     string
	trace             string // the story trace, "" for none (NULL)
}

// pendingRow returns the pending row of id, nil if id is not one.
func (w *writer) pendingRow(id int64) *pendingRow {
	if i := id - w.maxIDBefore - 1; i >= 0 && i < int64(len(w.pending)) {
		return w.pending[i]
	}
	return nil
}

// addPending makes a new row of it, to be written by insertPending.
func (w *writer) addPending(it briefing.Item) int64 {
	if w.pendingKey == nil {
		w.pendingKey, w.pendingURL = map[[2]string]*pendingRow{}, map[string][]*pendingRow{}
	}
	p := &pendingRow{stored: stored{id: w.maxIDBefore + 1 + int64(len(w.pending)), source: it.Source, key: it.Key,
		url: it.URL, title: it.Title, summary: it.Summary, published: ms(it.Published), updated: ms(it.Updated),
		dateFromFeed: it.DateFromFeed},
		outlet: it.Outlet, lang: it.Lang, firstSeen: ms(it.FirstSeen),
		countries: joinTags(it.Countries), actors: joinTags(it.Actors)}
	w.pending = append(w.pending, p)
	w.pendingKey[[2]string{p.source, p.key}] = p
	if p.url != "" {
		w.pendingURL[p.url] = append(w.pendingURL[p.url], p)
	}
	return p.id
}

// updatePending applies an update to a pending row, as the UPDATE
// statements do to a written one.
func (w *writer) updatePending(p *pendingRow, next stored, it briefing.Item) {
	if next.key != p.key {
		if w.pendingKey[[2]string{p.source, p.key}] == p {
			delete(w.pendingKey, [2]string{p.source, p.key})
		}
		w.pendingKey[[2]string{p.source, next.key}] = p
	}
	if next.url != p.url && next.url != "" {
		w.pendingURL[next.url] = append(w.pendingURL[next.url], p)
	}
	p.stored = next
	if it.Countries != nil || it.Actors != nil {
		p.countries, p.actors = joinTags(it.Countries), joinTags(it.Actors)
	}
}

// lookupPending adds to k the pending rows items may duplicate: the
// table's rows come first for a URL (their ids are smaller).
func (w *writer) lookupPending(k knownRows, source string, items []briefing.Item) {
	if len(w.pending) == 0 {
		return
	}
	for _, it := range items {
		if _, ok := k.byKey[it.Key]; !ok {
			if p := w.pendingKey[[2]string{source, it.Key}]; p != nil && p.key == it.Key {
				k.byKey[it.Key] = p.stored
			}
		}
		if it.URL == "" {
			continue
		}
		if _, ok := k.byURL[it.URL]; ok {
			continue
		}
		var first *pendingRow
		for _, p := range w.pendingURL[it.URL] {
			if p.url == it.URL && (first == nil || p.id < first.id) {
				first = p
			}
		}
		if first != nil {
			k.byURL[it.URL] = first.stored
		}
	}
}

// insertCheck is how many rows insertPending writes between two looks at
// its context.
const insertCheck = 256

// insertPending writes the pending rows, in id order. One row a
// statement: a statement that writes several rows needs a statement
// journal (the pages it changes copied out first, in case it fails
// half-way), which cost more than the statements it saved.
func (w *writer) insertPending(ctx context.Context) error {
	if len(w.pending) > 0 && w.insert == nil {
		var err error
		if w.insert, err = w.tx.PrepareContext(ctx, `INSERT INTO items (id, source, key, url, title, summary, outlet, lang,
			published, updated, first_seen, date_from_feed, countries, actors, story, place, events, story_trace)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''))`); err != nil {
			return fmt.Errorf("insert items: %w", err)
		}
	}
	// The driver watches a cancellable context with a goroutine for each
	// statement, which cost more than binding the row: ctx is checked
	// every insertCheck rows instead.
	nc := context.WithoutCancel(ctx)
	for i, p := range w.pending {
		if i%insertCheck == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := w.insert.ExecContext(nc, p.id, p.source, p.key, p.url, p.title, p.summary, p.outlet, p.lang,
			p.published, p.updated, p.firstSeen, p.dateFromFeed, p.countries, p.actors, p.story, p.place,
			p.events, p.trace); err != nil {
			return fmt.Errorf("insert item %q: %w", p.key, err)
		}
	}
	w.pending, w.pendingKey, w.pendingURL = nil, nil, nil
	return nil
}

// lastItemID returns the largest item id (0 with no items): items stored
// later have larger ids.
func lastItemID(ctx context.Context, q querier) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM items`).Scan(&id)
	return id, err
}

func prepareWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{isReindexed: map[int64]bool{}}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byKey, `SELECT id, source, key, url, title, summary, published, updated, date_from_feed
			FROM items WHERE source = ? AND key IN (SELECT value FROM json_each(?))`},
		{&w.byURL, `SELECT id, source, key, url, title, summary, published, updated, date_from_feed
			FROM items WHERE url IN (SELECT value FROM json_each(?)) ORDER BY id`},
		{&w.update, `UPDATE items SET key = ?, url = ?, title = ?, summary = ?, published = ?, updated = ?, date_from_feed = ?
			WHERE id = ?`},
		{&w.retag, `UPDATE items SET countries = ?, actors = ? WHERE id = ?`},
		{&w.state, saveSourceState},
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
	for _, s := range []*sql.Stmt{w.byKey, w.byURL, w.insert, w.update, w.retag, w.state} {
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

// knownRows are the stored rows one feed's items may duplicate, found
// with two queries per feed instead of two per item.
type knownRows struct {
	byKey map[string]stored
	byURL map[string]stored
}

// lookup loads the rows that share a key (within the source) or a
// canonical URL (in any source) with items.
func (w *writer) lookup(ctx context.Context, source string, items []briefing.Item) (knownRows, error) {
	k := knownRows{byKey: map[string]stored{}, byURL: map[string]stored{}}
	if len(items) == 0 {
		return k, nil
	}
	keys := make([]string, 0, len(items))
	urls := make([]string, 0, len(items))
	for _, it := range items {
		keys = append(keys, it.Key)
		if it.URL != "" {
			urls = append(urls, it.URL)
		}
	}
	if err := w.scanInto(ctx, w.byKey, k.byKey, func(s stored) string { return s.key }, source, keys); err != nil {
		return k, err
	}
	if len(urls) == 0 {
		w.lookupPending(k, source, items)
		return k, nil
	}
	// Rows come in id order: the oldest row per URL wins.
	if err := w.scanInto(ctx, w.byURL, k.byURL, nil, "", urls); err != nil {
		return k, err
	}
	w.lookupPending(k, source, items)
	return k, nil
}

// scanInto runs a lookup statement with a JSON array of values and stores
// rows in m. With keyOf nil, rows are keyed by URL, keeping the first row
// per URL.
func (w *writer) scanInto(ctx context.Context, stmt *sql.Stmt, m map[string]stored, keyOf func(stored) string, source string, values []string) error {
	arr, err := json.Marshal(values)
	if err != nil {
		return err
	}
	var rows *sql.Rows
	if keyOf != nil {
		rows, err = stmt.QueryContext(ctx, source, string(arr))
	} else {
		rows, err = stmt.QueryContext(ctx, string(arr))
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.id, &s.source, &s.key, &s.url, &s.title, &s.summary, &s.published, &s.updated, &s.dateFromFeed); err != nil {
			return err
		}
		if keyOf != nil {
			m[keyOf(s)] = s
			continue
		}
		if _, seen := m[s.url]; !seen {
			m[s.url] = s
		}
	}
	return rows.Err()
}

// upsertItem inserts it, or updates the row it duplicates. It reports the
// row id, whether the item is new, and whether a known row changed.
func (w *writer) upsertItem(ctx context.Context, it briefing.Item, known knownRows) (id int64, isNew, changed bool, err error) {
	old, found := known.byKey[it.Key]
	byURL := false
	if !found && it.URL != "" {
		old, found = known.byURL[it.URL]
		byURL = true
	}
	switch {
	case !found:
		return w.addPending(it), true, false, nil
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
	// Keep the text the index holds (the first version this transaction
	// saw) so it can be deleted from the index exactly.
	if (next.title != old.title || next.summary != old.summary) && old.id <= w.maxIDBefore && !w.isReindexed[old.id] {
		w.reindexed = append(w.reindexed, old)
		w.isReindexed[old.id] = true
	}
	if p := w.pendingRow(old.id); p != nil {
		w.updatePending(p, next, it)
		w.changed = append(w.changed, old.id)
		return old.id, false, true, nil
	}
	if _, err := w.update.ExecContext(ctx, next.key, next.url, next.title, next.summary, next.published, next.updated,
		next.dateFromFeed, old.id); err != nil {
		return 0, false, false, err
	}
	if it.Countries != nil || it.Actors != nil { // tagged: its tags replace the old ones
		if _, err := w.retag.ExecContext(ctx, joinTags(it.Countries), joinTags(it.Actors), old.id); err != nil {
			return 0, false, false, err
		}
	}
	w.changed = append(w.changed, old.id)
	return old.id, false, true, nil
}

// joinTags stores tag ids sorted and space-separated.
func joinTags(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	return strings.Join(slices.Compact(sorted), " ")
}

// splitTags reads what joinTags stored (nil for none).
func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
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

// Item reads. Every read of whole items is here and goes through
// selectItems: the same columns, the same scanner.

// itemColumns are the columns scanItems reads, in its order.
const itemColumns = `i.id, i.source, i.key, i.url, i.title, i.summary, i.outlet, i.lang, i.published,
	i.updated, i.first_seen, i.date_from_feed, i.countries, i.actors, i.story, i.place, i.events`

// selectItems runs SELECT itemColumns FROM from (items as i, maybe joined,
// with its conditions) on q, the database or a transaction, and reads the
// items.
func selectItems(ctx context.Context, q querier, from string, args ...any) ([]briefing.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+itemColumns+` FROM `+from, args...)
	if err != nil {
		return nil, err
	}
	return scanItems(rows)
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

// ItemsSince returns items published at or after since, newest first, at
// most limit of them (all when limit <= 0), with their tags.
func (s *Store) ItemsSince(ctx context.Context, since time.Time, limit int) ([]briefing.Item, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	items, err := selectItems(ctx, s.db, `items i WHERE i.published >= ?
		ORDER BY i.published DESC, i.id DESC LIMIT ?`, ms(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: items since: %w", err)
	}
	return items, nil
}

// ItemsStoredBetween returns the items first stored in [from, until) and
// published at or after publishedSince, newest first, with their tags.
func (s *Store) ItemsStoredBetween(ctx context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error) {
	items, err := selectItems(ctx, s.db, `items i WHERE i.first_seen >= ? AND i.first_seen < ?
		AND i.published >= ? ORDER BY i.published DESC, i.id DESC`, ms(from), ms(until), ms(publishedSince))
	if err != nil {
		return nil, fmt.Errorf("store: items stored between: %w", err)
	}
	return items, nil
}

// ItemsAfter returns up to limit items with an id greater than id, in id
// (storage) order, with their tags; while items a save deferred wait for
// their stories (AssignDeferred), it stops before the first of them, so
// alerts on them follow their stories' threads.
func (s *Store) ItemsAfter(ctx context.Context, id int64, limit int) ([]briefing.Item, error) {
	until := int64(math.MaxInt64)
	if s.stories.deferred.Load() {
		// Items stored without a story until their poll is done: alerts
		// wait for their stories, and for the items after them.
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(min(id), ?) FROM items WHERE story = 0`, until).Scan(&until); err != nil {
			return nil, fmt.Errorf("store: items after %d: %w", id, err)
		}
	}
	items, err := selectItems(ctx, s.db, `items i WHERE i.id > ? AND i.id < ? ORDER BY i.id LIMIT ?`, id, until, limit)
	if err != nil {
		return nil, fmt.Errorf("store: items after %d: %w", id, err)
	}
	return items, nil
}

// StoryItems returns the items of the given stories published before a
// time (all of them when it is zero), oldest first (an item stored without
// a story is the story of its own id): a digest shows a
// story whole, whatever part of it its window holds, and reads only the
// part before the window it has not read already.
func (s *Store) StoryItems(ctx context.Context, storyIDs []int64, before time.Time) ([]briefing.Item, error) {
	if len(storyIDs) == 0 {
		return nil, nil
	}
	until := int64(math.MaxInt64)
	if !before.IsZero() {
		until = ms(before)
	}
	items, err := selectItems(ctx, s.db, `items i
		WHERE (i.story IN (SELECT value FROM json_each(?1)) OR (i.story = 0 AND i.id IN (SELECT value FROM json_each(?1))))
		AND i.published < ?2 ORDER BY i.published, i.id`,
		int64sJSON(storyIDs), until)
	if err != nil {
		return nil, fmt.Errorf("store: story items: %w", err)
	}
	return items, nil
}

// assignedItems returns, within tx, the items assigned to a story and
// published in [from, until): what the story assigner is loaded with.
func assignedItems(ctx context.Context, tx *sql.Tx, from, until time.Time) ([]briefing.Item, error) {
	return selectItems(ctx, tx, `items i
		WHERE i.story != 0 AND i.published >= ? AND i.published < ?`, ms(from), ms(until))
}

// unassignedItems returns, within tx, up to limit items stored without a
// story, in order of publication.
func unassignedItems(ctx context.Context, tx *sql.Tx, limit int) ([]briefing.Item, error) {
	return selectItems(ctx, tx, `items i WHERE i.story = 0
		ORDER BY i.published, i.id LIMIT ?`, limit)
}
