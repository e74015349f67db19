package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Retagging applies a changed gazetteer to the items stored before the
// change. Only tags change: an item's text, hence the full-text index,
// stays as it is, and so do stories. The story engine reads the gazetteer
// too, so a new gazetteer might have grouped some reports otherwise, but
// re-assigning stored items would rename stories that alert threads and
// digests already refer to; stories stay as assigned, and the summaries
// of the stories whose items' tags changed are redone.

// DefaultRetagBatch is how many items one retag transaction handles.
const DefaultRetagBatch = 2000

// RetagOptions say what to retag with and how.
type RetagOptions struct {
	// Fingerprint identifies the gazetteer Tag applies
	// (tagger.Gazetteer.Fingerprint).
	Fingerprint string
	// Tag sets an item's countries and actors from its title and summary:
	// tagger.Gazetteer.TagItem, the one tagging rule.
	Tag func(*briefing.Item)
	// Batch is how many items a transaction retags (DefaultRetagBatch
	// when 0). The cursor moves with each committed batch.
	Batch int
	// Pause is waited between batches, so that a retag in the background
	// leaves the database to the bot's own writes.
	Pause time.Duration
	// Progress, when set, is called after each committed batch.
	Progress func(RetagProgress)
}

// RetagProgress is how far a retag has got in this run.
type RetagProgress struct {
	Checked int // items read and retagged so far
	Total   int // items there were to check when this run started
	Changed int // items whose tags changed so far
}

// RetagResult is what a retag did.
type RetagResult struct {
	RetagProgress
	UpToDate bool // the tags already followed this gazetteer: nothing done
	Resumed  bool // it continued a retag for this gazetteer that had stopped
	Stories  int  // stories whose summaries were redone
}

// retagState is the retag_state row.
type retagState struct {
	taggedWith, target string
	lastID             int64
}

func (s *Store) retagState(ctx context.Context, q querier) (retagState, error) {
	var st retagState
	err := q.QueryRowContext(ctx, `SELECT tagged_with, target, last_id FROM retag_state WHERE id = 1`).
		Scan(&st.taggedWith, &st.target, &st.lastID)
	if err != nil {
		return st, fmt.Errorf("store: retag state: %w", err)
	}
	return st, nil
}

// RetagNeeded reports whether stored tags may differ from what the
// gazetteer with this fingerprint gives: they were made with another one
// (or an unknown one), or a retag with it has not finished.
func (s *Store) RetagNeeded(ctx context.Context, fingerprint string) (bool, error) {
	st, err := s.retagState(ctx, s.db)
	if err != nil {
		return false, err
	}
	return st.taggedWith != fingerprint || st.target != "", nil
}

// Retag re-applies a gazetteer to every stored item, a batch per
// transaction, writing only the items whose tags change and redoing their
// stories' summaries in the same transaction. It is resumable: a cursor
// row (retag_state) moves with each batch, so after a crash or a cancelled
// context the next Retag with the same fingerprint continues where this
// one stopped; one with another fingerprint starts over. When it stops
// early it returns what it did with the error.
func (s *Store) Retag(ctx context.Context, opt RetagOptions) (RetagResult, error) {
	var res RetagResult
	if opt.Tag == nil || opt.Fingerprint == "" {
		return res, errors.New("store: retag: no gazetteer")
	}
	if opt.Batch <= 0 {
		opt.Batch = DefaultRetagBatch
	}
	cursor, resumed, upToDate, err := s.startRetag(ctx, opt.Fingerprint)
	if err != nil || upToDate {
		res.UpToDate = upToDate
		return res, err
	}
	res.Resumed = resumed
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE id > ?`, cursor).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("store: retag: %w", err)
	}
	stories := map[int64]bool{}
	for first := true; ; first = false {
		if !first && opt.Pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(opt.Pause):
			}
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("store: retag: %w", err)
		}
		n, changed, err := s.retagBatch(ctx, opt, stories)
		res.Checked += n
		res.Changed += changed
		res.Stories = len(stories)
		if err != nil {
			return res, fmt.Errorf("store: retag: %w", err)
		}
		if n == 0 {
			return res, nil
		}
		if opt.Progress != nil {
			opt.Progress(res.RetagProgress)
		}
	}
}

// startRetag reads the cursor and, unless the tags follow fingerprint
// already or a retag for it is under way, starts one from the first item.
func (s *Store) startRetag(ctx context.Context, fingerprint string) (cursor int64, resumed, upToDate bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, false, fmt.Errorf("store: retag: %w", err)
	}
	defer tx.Rollback()
	st, err := s.retagState(ctx, tx)
	if err != nil {
		return 0, false, false, err
	}
	switch {
	case st.taggedWith == fingerprint && st.target == "":
		return 0, false, true, nil
	case st.target == fingerprint:
		return st.lastID, st.lastID > 0, false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE retag_state SET target = ?, last_id = 0 WHERE id = 1`, fingerprint); err != nil {
		return 0, false, false, fmt.Errorf("store: retag: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, false, fmt.Errorf("store: retag: %w", err)
	}
	return 0, false, false, nil
}

// retagBatch retags the next batch of items after the cursor in one
// transaction, adding the stories it changed to stories. With no items
// left, it records that the tags follow the gazetteer and returns 0.
// Items are read and written in the same immediate transaction, so a save
// meanwhile cannot slip new text under tags computed from the old.
func (s *Store) retagBatch(ctx context.Context, opt RetagOptions, stories map[int64]bool) (n, changed int, err error) {
	// The store's writer lock first, as a save takes it: in-process writers
	// then queue in order rather than polling SQLite's busy handler.
	s.stories.mu.Lock()
	defer s.stories.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	st, err := s.retagState(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	if st.target != opt.Fingerprint {
		return 0, 0, fmt.Errorf("another retag (gazetteer %q) took over", st.target)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, title, summary, countries, actors, story FROM items
		WHERE id > ? ORDER BY id LIMIT ?`, st.lastID, opt.Batch)
	if err != nil {
		return 0, 0, err
	}
	updates, touched, last, n, err := retagRows(rows, opt.Tag)
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE retag_state SET tagged_with = target, target = '', last_id = 0
			WHERE id = 1`); err != nil {
			return 0, 0, err
		}
		return 0, 0, tx.Commit()
	}
	if err := writeTags(ctx, tx, updates); err != nil {
		return 0, 0, err
	}
	for _, id := range touched { // before refreshSummaries, which compacts touched in place
		stories[id] = true
	}
	if err := refreshSummaries(ctx, tx, touched); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE retag_state SET last_id = ? WHERE id = 1`, last); err != nil {
		return 0, 0, err
	}
	if len(updates) > 0 {
		if err := bumpContentVersion(ctx, tx); err != nil {
			return 0, 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	return n, len(updates), nil
}

// retagRows tags the rows read by retagBatch and returns the new tags of
// those that changed ([id, countries, actors]), their stories, the last
// id read and how many rows there were; it closes rows.
func retagRows(rows *sql.Rows, tag func(*briefing.Item)) (updates [][3]any, touched []int64, last int64, n int, err error) {
	defer rows.Close()
	for rows.Next() {
		var it briefing.Item
		var countries, actors string
		var story int64
		if err := rows.Scan(&it.ID, &it.Title, &it.Summary, &countries, &actors, &story); err != nil {
			return nil, nil, 0, 0, err
		}
		n++
		last = it.ID
		tag(&it)
		c, a := joinTags(it.Countries), joinTags(it.Actors)
		if c == countries && a == actors {
			continue
		}
		updates = append(updates, [3]any{it.ID, c, a})
		if story != 0 {
			touched = append(touched, story)
		}
	}
	return updates, touched, last, n, rows.Err()
}

// writeTags writes new tags in one statement.
func writeTags(ctx context.Context, tx *sql.Tx, updates [][3]any) error {
	if len(updates) == 0 {
		return nil
	}
	batch, err := json.Marshal(updates)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE items SET countries = j.value ->> 1, actors = j.value ->> 2
		FROM json_each(?) AS j WHERE items.id = j.value ->> 0`, string(batch))
	return err
}
