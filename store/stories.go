package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// StoryAssigner groups items into stories as they are stored: the story
// engine (briefing/story's Engine) satisfies it. The store keeps it fed
// with the stored items near the ones it assigns.
type StoryAssigner interface {
	// LoadItem gives it a stored item with its story.
	LoadItem(it briefing.Item)
	// AssignItems assigns new items (their ids set): a story for each, in
	// order, the stories they merged, and the stored items that moved to
	// another story (an item delivered late changes how those after it
	// group).
	AssignItems(items []briefing.Item) ([]briefing.StoryAssignment, []briefing.StoryMerge, []briefing.StoryMove)
	// Forget drops the items published before a time.
	Forget(before time.Time)
	// Reset drops everything (after a save that did not commit).
	Reset()
	// Reach is how far in time from an item assigning it reads others:
	// the store loads that much around the items it assigns.
	Reach() time.Duration
}

// storyDeferrer is an assigner that tells when new items come too late to
// assign batch after batch (the story engine: replaying every later item
// for each batch of a first poll's backlogs would cost the square of the
// poll). The store then stores them without a story, and AssignDeferred
// assigns them together once the poll is done.
type storyDeferrer interface {
	TooLateItems(items []briefing.Item) bool
}

// storyRestorer is an assigner that traces its assignments (the story
// engine): the store keeps each item's trace, and gives the items back
// with their traces after a restart, so that an item delivered late can
// have the items stored after it assigned again, as in one run. Without
// traces, loaded items keep their stories.
type storyRestorer interface {
	// StoryTraces returns the traces of the items assigned or assigned
	// again since the last call.
	StoryTraces() []briefing.StoryTrace
	// RestoreItems gives it stored items with their stories and traces
	// (traces[i] of items[i]).
	RestoreItems(items []briefing.Item, traces []briefing.StoryTrace)
}

// storyRetain is how far back of the newest item the assigner keeps items
// in memory; older ones are read back when a late item needs them.
const storyRetain = 7 * 24 * time.Hour

// forgetEvery is how far the assigner's oldest item may fall behind
// storyRetain before it forgets.
const forgetEvery = time.Hour

// storyPreparer is an assigner that can read an item ahead of its save,
// out of the single writer (the story engine: PrepareItem sets the item's
// Prepared, which AssignItems then uses).
type storyPreparer interface {
	PrepareItem(it *briefing.Item)
}

// PrepareItems has the story assigner read items before they are saved,
// where the caller has cores to spare (sources' fetch workers): the save's
// transaction then only links them. It does nothing without an assigner
// that prepares. Safe to call from many goroutines, also during a save.
func (s *Store) PrepareItems(items []briefing.Item) {
	p, _ := s.stories.preparer.Load().(*preparerBox)
	if p == nil || p.p == nil {
		return
	}
	for i := range items {
		p.p.PrepareItem(&items[i])
	}
}

// preparerBox holds the assigner's storyPreparer side (nil when it has
// none) for an atomic.Value, which needs one concrete type.
type preparerBox struct{ p storyPreparer }

// stories is the store's side of story assignment.
type stories struct {
	// preparer is the assigner's preparing side, read without mu: saves
	// hold mu for their whole transaction.
	preparer atomic.Value // *preparerBox

	mu       sync.Mutex // held by the writer while it assigns
	assigner StoryAssigner
	// floor: every assigned item published at or after it is loaded in
	// the assigner (zero: nothing loaded yet).
	floor  time.Time
	newest time.Time
	// lastID is the largest id of an assigned item the assigner knows:
	// a larger one in the database was assigned by another process.
	lastID int64
	// deferred: items came too late to assign with their batch and were
	// stored without a story, for AssignDeferred (read without mu by
	// ItemsAfter); prepared keeps what the assigner read of them (by id),
	// so it need not read them again.
	deferred atomic.Bool
	prepared map[int64]any
}

// tooLate reports whether items came too late to assign with their batch
// (see storyDeferrer), and notes that they are deferred.
func (st *stories) tooLate(items []briefing.Item) bool {
	d, ok := st.assigner.(storyDeferrer)
	if !ok || !d.TooLateItems(items) {
		return false
	}
	st.deferred.Store(true)
	if st.prepared == nil {
		st.prepared = map[int64]any{}
	}
	for _, it := range items {
		if it.Prepared != nil {
			st.prepared[it.ID] = it.Prepared
		}
	}
	return true
}

// SetStoryAssigner makes the store assign every new item to a story in the
// transaction that stores it. Call it once, before the first save; then
// AssignStories for items stored before (or without) an assigner.
func (s *Store) SetStoryAssigner(a StoryAssigner) {
	s.stories.mu.Lock()
	defer s.stories.mu.Unlock()
	s.stories.assigner = a
	p, _ := a.(storyPreparer)
	s.stories.preparer.Store(&preparerBox{p: p})
	s.stories.floor, s.stories.newest, s.stories.lastID = time.Time{}, time.Time{}, 0
	s.stories.prepared = nil // read by another assigner
}

// assignNew assigns items stored without a story, within tx, and
// returns their assignments.
func (s *Store) assignNew(ctx context.Context, tx *sql.Tx, items []briefing.Item) ([]briefing.StoryAssignment, error) {
	b, err := s.assignItems(ctx, tx, items)
	if err != nil || len(b.as) == 0 {
		return nil, err
	}
	// One statement for the batch, traces with stories: a statement per
	// item cost more than the assignment itself.
	rows := make([][5]any, len(b.as))
	for i, a := range b.as {
		var trace any
		if t, ok := b.traces[a.Item]; ok {
			trace = t
		}
		rows[i] = [5]any{a.Item, a.Story, a.Place, strings.Join(a.Events, " "), trace}
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET story = j.value ->> 1, place = j.value ->> 2, events = j.value ->> 3,
		story_trace = j.value ->> 4 FROM json_each(?) AS j WHERE items.id = j.value ->> 0`, string(batch)); err != nil {
		return nil, err
	}
	if err := addToSummaries(ctx, tx, items, b.as, b.merges, b.moved); err != nil {
		return nil, err
	}
	return b.as, nil
}

// finalStory returns where a story ended after merges: the story it was
// merged into, followed along the chain (one merge's Into may be merged
// away by a later one).
func finalStory(merges []briefing.StoryMerge) func(int64) int64 {
	into := make(map[int64]int64, len(merges))
	for _, m := range merges {
		into[m.From] = m.Into
	}
	return func(id int64) int64 {
		for n := 0; n <= len(merges); n++ { // a chain is at most as long as the merges
			next, ok := into[id]
			if !ok {
				break
			}
			id = next
		}
		return id
	}
}

// assigned is what assigning a batch of items leaves to the caller: each
// item's story, the stories merged and those stored items moved between
// (for addToSummaries), and the batch's own traces by item, to write with
// their rows.
type assigned struct {
	as     []briefing.StoryAssignment
	merges []briefing.StoryMerge
	moved  []int64
	traces map[int64]string
}

// assignItems has the assigner assign items (their ids set; stored or
// about to be, in tx) and records the merges of stored stories they
// caused, the stored items they moved and the traces of the stored items
// assigned again. The items' own rows are the caller's to write, before
// addToSummaries.
func (s *Store) assignItems(ctx context.Context, tx *sql.Tx, items []briefing.Item) (assigned, error) {
	st := &s.stories
	if st.assigner == nil || len(items) == 0 {
		return assigned{}, nil
	}
	from, to := items[0].Published, items[0].Published
	for _, it := range items {
		from, to = minTime(from, it.Published), maxTime(to, it.Published)
	}
	if err := st.catchUp(ctx, tx); err != nil {
		return assigned{}, err
	}
	if err := st.load(ctx, tx, from.Add(-st.assigner.Reach()), to.Add(st.assigner.Reach())); err != nil {
		return assigned{}, err
	}
	as, merges, moves := st.assigner.AssignItems(items)
	for _, it := range items {
		st.lastID = max(st.lastID, it.ID)
	}
	if err := recordMerges(ctx, tx, merges); err != nil {
		return assigned{}, err
	}
	moved, err := recordMoves(ctx, tx, moves)
	if err != nil {
		return assigned{}, err
	}
	traces, err := st.recordTraces(ctx, tx, items)
	if err != nil {
		return assigned{}, err
	}
	st.newest = maxTime(st.newest, to)
	return assigned{as: as, merges: merges, moved: moved, traces: traces}, nil
}

// recordMerges files the items of each merged story under the story it
// became part of, and records the merge so that alert threads follow it.
func recordMerges(ctx context.Context, tx *sql.Tx, merges []briefing.StoryMerge) error {
	now := ms(time.Now())
	for _, m := range merges {
		if _, err := tx.ExecContext(ctx, `UPDATE items SET story = ? WHERE story = ?`, m.Into, m.From); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE story_merges SET into_story = ? WHERE into_story = ?`, m.Into, m.From); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO story_merges (from_story, into_story, by_item, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (from_story) DO UPDATE SET into_story = excluded.into_story`, m.From, m.Into, m.By, now); err != nil {
			return err
		}
	}
	return nil
}

// recordMoves files each moved item under its new story; a story an item
// moved to is a story again, so a merge that had absorbed it is dropped.
// It returns the stories items left or joined, whose summaries must be
// read again.
func recordMoves(ctx context.Context, tx *sql.Tx, moves []briefing.StoryMove) ([]int64, error) {
	if len(moves) == 0 {
		return nil, nil
	}
	rows := make([][2]int64, len(moves))
	var stories, live []int64
	for i, m := range moves {
		rows[i] = [2]int64{m.Item, m.To}
		stories = append(stories, m.From, m.To)
		live = append(live, m.To)
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET story = j.value ->> 1
		FROM json_each(?) AS j WHERE items.id = j.value ->> 0`, string(batch)); err != nil {
		return nil, fmt.Errorf("store: move items between stories: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM story_merges WHERE from_story IN (SELECT value FROM json_each(?))`,
		int64sJSON(live)); err != nil {
		return nil, fmt.Errorf("store: move items between stories: %w", err)
	}
	return stories, nil
}

// recordTraces writes the traces the assigner gives of the stored items
// it assigned again, and returns those of items (the batch), for the
// caller to write with their rows.
func (st *stories) recordTraces(ctx context.Context, tx *sql.Tx, items []briefing.Item) (map[int64]string, error) {
	r, ok := st.assigner.(storyRestorer)
	if !ok {
		return nil, nil
	}
	own := make(map[int64]string, len(items))
	for _, it := range items {
		own[it.ID] = ""
	}
	var rows [][2]any
	for _, t := range r.StoryTraces() {
		enc, err := encodeTrace(t)
		if err != nil {
			return nil, err
		}
		if _, ok := own[t.Item]; ok {
			own[t.Item] = enc
		} else {
			rows = append(rows, [2]any{t.Item, enc})
		}
	}
	for id, enc := range own {
		if enc == "" {
			delete(own, id)
		}
	}
	if len(rows) == 0 {
		return own, nil
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET story_trace = j.value ->> 1
		FROM json_each(?) AS j WHERE items.id = j.value ->> 0`, string(batch)); err != nil {
		return nil, fmt.Errorf("store: record story traces: %w", err)
	}
	return own, nil
}

// encodeTrace writes a trace as the story_trace column holds it:
// [[joined…], [weighed…]].
func encodeTrace(t briefing.StoryTrace) (string, error) {
	b, err := json.Marshal([2][]int64{orEmpty(t.Joined), orEmpty(t.Weighed)})
	return string(b), err
}

// decodeTrace reads a story_trace column for item id.
func decodeTrace(id int64, s string) (briefing.StoryTrace, error) {
	var v [2][]int64
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return briefing.StoryTrace{}, fmt.Errorf("store: item %d: story trace %q: %w", id, s, err)
	}
	return briefing.StoryTrace{Item: id, Joined: v[0], Weighed: v[1]}, nil
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// catchUp starts the assigner afresh when another process (a `fetch`
// beside `run`) assigned items since it last looked: their stories, and the
// merges they made, are read back from the database rather than guessed.
func (st *stories) catchUp(ctx context.Context, tx *sql.Tx) error {
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM items WHERE story != 0`).Scan(&maxID); err != nil {
		return err
	}
	if maxID > st.lastID && !st.floor.IsZero() {
		st.assigner.Reset()
		st.floor, st.newest = time.Time{}, time.Time{}
	}
	st.lastID = max(st.lastID, maxID)
	return nil
}

// load makes sure the assigner holds every assigned item published in
// [from, to): those after the floor are there already.
func (st *stories) load(ctx context.Context, tx *sql.Tx, from, to time.Time) error {
	if !st.floor.IsZero() && !from.Before(st.floor) {
		return nil
	}
	until := st.floor
	if until.IsZero() {
		until = time.Unix(1<<40, 0) // everything after from
	}
	items, err := assignedItems(ctx, tx, from, until)
	if err != nil {
		return err
	}
	var traces map[int64]briefing.StoryTrace
	r, restores := st.assigner.(storyRestorer)
	if restores {
		if traces, err = storyTraces(ctx, tx, from, until); err != nil {
			return err
		}
	}
	var restored []briefing.Item
	var theirs []briefing.StoryTrace
	for _, it := range items {
		if t, ok := traces[it.ID]; ok {
			restored, theirs = append(restored, it), append(theirs, t)
		} else {
			st.assigner.LoadItem(it)
		}
		st.newest = maxTime(st.newest, it.Published)
	}
	if len(restored) > 0 {
		r.RestoreItems(restored, theirs)
	}
	st.floor = from
	return nil
}

// storyTraces reads, within tx, the traces of the assigned items published
// in [from, until).
func storyTraces(ctx context.Context, tx *sql.Tx, from, until time.Time) (map[int64]briefing.StoryTrace, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, story_trace FROM items
		WHERE story != 0 AND published >= ? AND published < ? AND story_trace IS NOT NULL`, ms(from), ms(until))
	if err != nil {
		return nil, fmt.Errorf("store: story traces: %w", err)
	}
	defer rows.Close()
	out := map[int64]briefing.StoryTrace{}
	for rows.Next() {
		var id int64
		var enc string
		if err := rows.Scan(&id, &enc); err != nil {
			return nil, fmt.Errorf("store: story traces: %w", err)
		}
		t, err := decodeTrace(id, enc)
		if err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// trim keeps the assigner's memory to storyRetain behind the newest item,
// give or take forgetEvery: forgetting reads every item held, so it is not
// done for every save.
func (st *stories) trim() {
	if st.assigner == nil || st.newest.IsZero() {
		return
	}
	cut := st.newest.Add(-storyRetain)
	if st.floor.Before(cut.Add(-forgetEvery)) {
		st.assigner.Forget(cut)
		st.floor = cut
	}
}

// failed forgets what the assigner learnt in a save that did not commit.
func (st *stories) failed() {
	if st.assigner != nil {
		st.assigner.Reset()
		st.floor, st.newest, st.lastID = time.Time{}, time.Time{}, 0
	}
	st.prepared = nil // ids of a save that did not commit are given again
}

// AssignStories assigns the items stored without a story (before the
// stories migration, without an assigner, or deferred by a save) in order
// of publication, a batch per transaction. It returns how many it
// assigned.
func (s *Store) AssignStories(ctx context.Context) (int, error) {
	s.stories.mu.Lock()
	defer s.stories.mu.Unlock()
	if s.stories.assigner == nil {
		return 0, fmt.Errorf("store: assign stories: no story assigner")
	}
	return s.assignUnassigned(ctx, backfillBatch)
}

// AssignDeferred assigns the items saves stored without a story because
// they came too late to assign with their batch (the backlogs of a first
// poll of many feeds): all of them at once, in order of publication, so
// their stories are those of one run in order. Callers run it when a poll
// is done; it does nothing when no item was deferred.
func (s *Store) AssignDeferred(ctx context.Context) (int, error) {
	s.stories.mu.Lock()
	defer s.stories.mu.Unlock()
	if s.stories.assigner == nil || !s.stories.deferred.Load() {
		return 0, nil
	}
	n, err := s.assignUnassigned(ctx, deferredBatch)
	if err == nil {
		s.stories.deferred.Store(false)
		s.stories.prepared = nil
	}
	return n, err
}

// Items stored without a story are assigned backfillBatch to a
// transaction; deferredBatch when they were deferred: a poll's deferred
// items are published among the items assigned after them, so each batch
// has those assigned again, and one batch for a poll's backlogs does it
// once (20,000 items take about 100 MB while assigned).
const (
	backfillBatch = 2000
	deferredBatch = 25000
)

// assignUnassigned is AssignStories, its lock held, limit items to a
// transaction.
func (s *Store) assignUnassigned(ctx context.Context, limit int) (int, error) {
	total := 0
	for {
		n, err := s.assignBatch(ctx, limit)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: assign stories: %w", err)
		}
		if n == 0 {
			return total, nil
		}
	}
}

func (s *Store) assignBatch(ctx context.Context, limit int) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	items, err := unassignedItems(ctx, tx, limit)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	for i := range items {
		// The assigner checks that what it read is of the same report.
		items[i].Prepared = s.stories.prepared[items[i].ID]
	}
	if _, err := s.assignNew(ctx, tx, items); err != nil {
		s.stories.failed()
		return 0, err
	}
	if err := bumpContentVersion(ctx, tx); err != nil {
		s.stories.failed()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		s.stories.failed()
		return 0, err
	}
	s.stories.trim()
	return len(items), nil
}

// StoriesOf returns the current story of each item id (following merges).
func (s *Store) StoriesOf(ctx context.Context, itemIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(itemIDs))
	if len(itemIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, story FROM items WHERE id IN (SELECT value FROM json_each(?))`,
		int64sJSON(itemIDs))
	if err != nil {
		return nil, fmt.Errorf("store: stories of items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, story int64
		if err := rows.Scan(&id, &story); err != nil {
			return nil, fmt.Errorf("store: stories of items: %w", err)
		}
		out[id] = story
	}
	return out, rows.Err()
}

// StoryMerges returns the recorded merges, oldest first.
func (s *Store) StoryMerges(ctx context.Context) ([]briefing.StoryMerge, error) {
	return queryAll(ctx, s.db, "story merges", func(r scanner) (m briefing.StoryMerge, err error) {
		return m, r.Scan(&m.From, &m.Into, &m.By)
	}, `SELECT from_story, into_story, by_item FROM story_merges ORDER BY at, from_story`)
}
