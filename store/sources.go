package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// CapNextChecks moves sources' next checks earlier: each named source's
// next check becomes the given time if it is later than that. A next check
// already earlier (a poll committed meanwhile, say) is left alone, so the
// cap never delays a source. It returns how many sources moved.
func (s *Store) CapNextChecks(ctx context.Context, caps map[string]time.Time) (int, error) {
	if len(caps) == 0 {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: cap next checks: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE sources SET next_check = ? WHERE name = ? AND next_check > ?`)
	if err != nil {
		return 0, fmt.Errorf("store: cap next checks: %w", err)
	}
	defer stmt.Close()
	moved := 0
	for name, at := range caps {
		res, err := stmt.ExecContext(ctx, ms(at), name, ms(at))
		if err != nil {
			return 0, fmt.Errorf("store: cap next check of %s: %w", name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: cap next check of %s: %w", name, err)
		}
		moved += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: cap next checks: %w", err)
	}
	return moved, nil
}

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

// saveSourceState is the statement saveState runs: a poll's state
// replaces the stored one, except that the newest item never moves back.
const saveSourceState = `INSERT INTO sources (name, url, etag, last_modified, last_attempt, last_success, last_status,
		last_error, consecutive_failures, items_last_time, last_new_item, next_check)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (name) DO UPDATE SET url = excluded.url, etag = excluded.etag,
		last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,
		last_success = excluded.last_success, last_status = excluded.last_status,
		last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
		items_last_time = excluded.items_last_time,
		last_new_item = max(sources.last_new_item, excluded.last_new_item),
		next_check = excluded.next_check`

// saveState writes a source's state with the save transaction's
// prepared saveSourceState.
func (w *writer) saveState(ctx context.Context, st briefing.SourceState) error {
	_, err := w.state.ExecContext(ctx, st.Name, st.URL, st.ETag, st.LastModified, ms(st.LastAttempt), ms(st.LastSuccess),
		string(st.LastStatus), st.LastError, st.ConsecutiveFailures, st.ItemsLastTime, ms(st.LastNewItem), ms(st.NextCheck))
	return err
}

// noteUnsaved remembers the states of sources polled while their save
// failed, with the storage error as theirs: SourceStates shows them
// failing (briefing's one health rule then says so) rather than healthy
// from their last stored state.
func (t *tracker) noteUnsaved(batch []briefing.Fetched, err error) {
	if errorKind(err) == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unsaved == nil {
		t.unsaved = map[string]briefing.SourceState{}
	}
	for _, f := range batch {
		st := f.State
		prev := t.unsaved[st.Name] // zero when the last save went through
		st.LastStatus = briefing.StatusError
		st.LastError = "not stored: " + err.Error()
		st.ConsecutiveFailures = max(st.ConsecutiveFailures, prev.ConsecutiveFailures+1)
		t.unsaved[st.Name] = st
	}
}

// saved forgets the unsaved states of sources whose save went through.
func (t *tracker) saved(batch []briefing.Fetched) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range batch {
		delete(t.unsaved, f.State.Name)
	}
}

// overlay replaces stored states by the newer unsaved ones. What the
// next poll builds on is kept from the stored state (validators, last
// success, newest item): a conditional GET must not skip the items that
// were fetched but never stored.
func (t *tracker) overlay(states map[string]briefing.SourceState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, st := range t.unsaved {
		cur, ok := states[name]
		if ok && st.LastAttempt.Before(cur.LastAttempt) {
			continue
		}
		st.ETag, st.LastModified = cur.ETag, cur.LastModified
		st.LastSuccess, st.LastNewItem, st.ItemsLastTime = cur.LastSuccess, cur.LastNewItem, cur.ItemsLastTime
		states[name] = st
	}
}
