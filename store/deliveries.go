package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// deliveryColumns are the columns scanDelivery reads, in its order; p is
// the parent delivery and g the parent's parent (the summary of a rolled
// alert), for the thread a reply goes under.
const deliveryColumns = `d.id, d.key, d.channel, d.kind, d.status, coalesce(d.parent_id, 0), d.item_id, d.payload,
	d.scheduled_at, d.window_since, d.window_until, d.attempts, d.next_attempt, d.last_error, d.ref,
	d.created_at, d.sent_at, coalesce(p.status, ''),
	CASE WHEN p.status = 'rolled' THEN coalesce(g.ref, '') ELSE coalesce(p.ref, '') END`

const deliveryFrom = ` FROM deliveries d LEFT JOIN deliveries p ON p.id = d.parent_id LEFT JOIN deliveries g ON g.id = p.parent_id `

func scanDelivery(r scanner) (briefing.Delivery, error) {
	var d briefing.Delivery
	var payload, status, parentStatus string
	var sched, since, until, next, created, sent int64
	if err := r.Scan(&d.ID, &d.Key, &d.Channel, &d.Kind, &status, &d.ParentID, &d.ItemID, &payload,
		&sched, &since, &until, &d.Attempts, &next, &d.LastError, &d.Ref, &created, &sent, &parentStatus, &d.ThreadRef); err != nil {
		return briefing.Delivery{}, err
	}
	d.Status, d.ParentStatus = briefing.DeliveryStatus(status), briefing.DeliveryStatus(parentStatus)
	if payload != "" {
		d.Payload = []byte(payload)
	}
	d.Scheduled, d.Since, d.Until = fromMS(sched), fromMS(since), fromMS(until)
	d.NextAttempt, d.Created, d.Sent = fromMS(next), fromMS(created), fromMS(sent)
	return d, nil
}

func (s *Store) queryDeliveries(ctx context.Context, what, where string, args ...any) ([]briefing.Delivery, error) {
	return queryAll(ctx, s.db, what, scanDelivery, `SELECT `+deliveryColumns+deliveryFrom+where, args...)
}

// insertDelivery inserts d as pending unless its key exists; it returns
// the id and whether it was inserted. ParentKey, when set, is resolved to
// ParentID (the parent must already be in the table).
func (s *Store) insertDelivery(ctx context.Context, tx *sql.Tx, d briefing.Delivery, now time.Time) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM deliveries WHERE key = ?`, d.Key).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	if d.ParentKey != "" {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM deliveries WHERE key = ?`, d.ParentKey).Scan(&d.ParentID); err != nil {
			return 0, false, fmt.Errorf("parent %q of %q: %w", d.ParentKey, d.Key, err)
		}
	}
	var parent any
	if d.ParentID != 0 {
		parent = d.ParentID
	}
	if d.Scheduled.IsZero() {
		d.Scheduled = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO deliveries (key, channel, kind, status, parent_id, item_id, payload,
		scheduled_at, window_since, window_until, next_attempt, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Key, d.Channel, d.Kind, parent, d.ItemID, string(d.Payload), ms(d.Scheduled), ms(d.Since), ms(d.Until),
		ms(d.NextAttempt), ms(now))
	if err != nil {
		return 0, false, err
	}
	id, err = res.LastInsertId()
	return id, true, err
}

// EnqueueDigest records a digest for d.Channel's slot d.Scheduled as
// pending, unless a delivery with d.Key exists already (the slot was
// handled: it returns that one and false). The window runs from the end
// of the channel's previous digest, so digests neither overlap nor leave
// gaps, or, for a channel's first digest, from d.Until - firstWindow.
func (s *Store) EnqueueDigest(ctx context.Context, d briefing.Delivery, firstWindow time.Duration) (briefing.Delivery, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return briefing.Delivery{}, false, fmt.Errorf("store: enqueue digest %s: %w", d.Key, err)
	}
	defer tx.Rollback()
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(window_until), 0) FROM deliveries
		WHERE channel = ? AND kind = 'digest' AND status != 'failed' AND key != ?`, d.Channel, d.Key).Scan(&last); err != nil {
		return briefing.Delivery{}, false, fmt.Errorf("store: enqueue digest %s: %w", d.Key, err)
	}
	d.Since = d.Until.Add(-firstWindow)
	if last != 0 && fromMS(last).Before(d.Until) {
		d.Since = fromMS(last)
	}
	id, created, err := s.insertDelivery(ctx, tx, d, time.Now())
	if err != nil {
		return briefing.Delivery{}, false, fmt.Errorf("store: enqueue digest %s: %w", d.Key, err)
	}
	if err := tx.Commit(); err != nil {
		return briefing.Delivery{}, false, fmt.Errorf("store: enqueue digest %s: commit: %w", d.Key, err)
	}
	got, err := s.DeliveryByID(ctx, id)
	return got, created, err
}

// LastDigestSlot returns the latest slot recorded for channel's digests
// (any status), or the zero time.
func (s *Store) LastDigestSlot(ctx context.Context, channel string) (time.Time, error) {
	var at int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(scheduled_at), 0) FROM deliveries
		WHERE channel = ? AND kind = 'digest'`, channel).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("store: last digest of %s: %w", channel, err)
	}
	return fromMS(at), nil
}

// AlertCursor returns the id of the last item alert matching has read.
func (s *Store) AlertCursor(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT item_id FROM alert_cursor WHERE id = 1`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: alert cursor: %w", err)
	}
	return id, nil
}

// EnqueueAlerts records alert and reply deliveries and moves the alert
// cursor to cursor, in one transaction: items up to cursor have then been
// matched exactly once, whatever happens next. Deliveries whose key exists
// are skipped; a ParentKey may name a delivery earlier in ds. The cursor
// never moves back.
func (s *Store) EnqueueAlerts(ctx context.Context, cursor int64, ds []briefing.Delivery) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue alerts: %w", err)
	}
	defer tx.Rollback()
	now := time.Now()
	n := 0
	for _, d := range ds {
		_, created, err := s.insertDelivery(ctx, tx, d, now)
		if err != nil {
			return 0, fmt.Errorf("store: enqueue alert %s: %w", d.Key, err)
		}
		if created {
			n++
		}
	}
	if cursor > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE alert_cursor SET item_id = max(item_id, ?) WHERE id = 1`, cursor); err != nil {
			return 0, fmt.Errorf("store: enqueue alerts: cursor: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: enqueue alerts: commit: %w", err)
	}
	return n, nil
}

// RecentAlerts returns channel's alert and reply deliveries (any status
// but failed) queued at or after since, oldest first: the stories the
// channel was alerted to and the outlets already shown, which later
// reports of the same story reply to.
func (s *Store) RecentAlerts(ctx context.Context, channel string, since time.Time) ([]briefing.Delivery, error) {
	return s.queryDeliveries(ctx, "recent alerts", `WHERE d.channel = ? AND d.kind IN ('alert', 'reply') AND d.status != 'failed'
		AND d.created_at >= ? ORDER BY d.id`, channel, ms(since))
}

// DueDeliveries returns up to limit pending deliveries whose next attempt
// is due at now and that owner may claim (unclaimed, claim expired, or
// owner's own), oldest first, for channels starting with prefix ("slack:",
// "discord:", "console"; "" for all).
func (s *Store) DueDeliveries(ctx context.Context, prefix, owner string, now time.Time, limit int) ([]briefing.Delivery, error) {
	return s.queryDeliveries(ctx, "due deliveries", `WHERE d.status = 'pending' AND d.next_attempt <= ?
		AND (d.claim_owner IN ('', ?) OR d.claim_until <= ?)
		AND substr(d.channel, 1, ?) = ? ORDER BY d.id LIMIT ?`, ms(now), owner, ms(now), len(prefix), prefix, limit)
}

// NextDue returns when owner may next attempt a pending delivery for
// channels starting with prefix (its next attempt, or when another
// owner's claim on it expires), and false when none is pending.
func (s *Store) NextDue(ctx context.Context, prefix, owner string) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT min(CASE WHEN claim_owner IN ('', ?) THEN next_attempt
		ELSE max(next_attempt, claim_until) END) FROM deliveries WHERE status = 'pending'
		AND substr(channel, 1, ?) = ?`, owner, len(prefix), prefix).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// PendingCount returns how many deliveries are pending.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: pending count: %w", err)
	}
	return n, nil
}

// DeliveryByID returns one delivery, or ErrNotFound.
func (s *Store) DeliveryByID(ctx context.Context, id int64) (briefing.Delivery, error) {
	ds, err := s.queryDeliveries(ctx, "delivery", `WHERE d.id = ?`, id)
	if err != nil {
		return briefing.Delivery{}, err
	}
	if len(ds) == 0 {
		return briefing.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, ErrNotFound)
	}
	return ds[0], nil
}

// Deliveries returns channel's deliveries ("" for all), oldest first.
func (s *Store) Deliveries(ctx context.Context, channel string) ([]briefing.Delivery, error) {
	if channel == "" {
		return s.queryDeliveries(ctx, "deliveries", `ORDER BY d.id`)
	}
	return s.queryDeliveries(ctx, "deliveries", `WHERE d.channel = ? ORDER BY d.id`, channel)
}

// ClaimDelivery claims pending delivery id for owner until now+ttl and
// counts an attempt, before the attempt is made: after a crash the next
// attempt then knows a message may be out already. The claim is one
// conditional update, taken only when the delivery is unclaimed, its
// claim expired or already owner's, so of two dispatchers only one
// attempts a delivery; a crashed owner's claim expires and is taken over.
// It returns the attempts made before this one, ErrNotFound when the
// delivery is no longer pending and ErrClaimed when another owner's claim
// is live.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (int, error) {
	if owner == "" {
		return 0, fmt.Errorf("store: claim delivery %d: no owner", id)
	}
	var before int
	err := s.db.QueryRowContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, claim_owner = ?, claim_until = ?
		WHERE id = ? AND status = 'pending' AND (claim_owner IN ('', ?) OR claim_until <= ?)
		RETURNING attempts - 1`, owner, ms(now.Add(ttl)), id, owner, ms(now)).Scan(&before)
	if errors.Is(err, sql.ErrNoRows) {
		var status string
		if err := s.db.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE id = ?`, id).Scan(&status); err == nil && status == "pending" {
			return 0, fmt.Errorf("store: claim delivery %d: %w", id, ErrClaimed)
		}
		return 0, fmt.Errorf("store: claim delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: claim delivery %d: %w", id, err)
	}
	return before, nil
}

// MarkSent records delivery id as sent, with the platform's reference,
// and frees its claim (as MarkRetry and MarkFailed do).
func (s *Store) MarkSent(ctx context.Context, id int64, ref string, at time.Time) error {
	return s.updateDelivery(ctx, "mark sent", id, `UPDATE deliveries SET status = 'sent', ref = ?, sent_at = ?, last_error = '',
		claim_owner = '', claim_until = 0 WHERE id = ?`, ref, ms(at), id)
}

// MarkRetry leaves delivery id pending, to be tried again at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, lastError string) error {
	return s.updateDelivery(ctx, "mark retry", id, `UPDATE deliveries SET next_attempt = ?, last_error = ?,
		claim_owner = '', claim_until = 0 WHERE id = ? AND status = 'pending'`, ms(next), lastError, id)
}

// MarkFailed gives up on delivery id (a permanent error).
func (s *Store) MarkFailed(ctx context.Context, id int64, lastError string) error {
	return s.updateDelivery(ctx, "mark failed", id, `UPDATE deliveries SET status = 'failed', last_error = ?,
		claim_owner = '', claim_until = 0 WHERE id = ? AND status = 'pending'`, lastError, id)
}

// Postpone moves pending deliveries' next attempt to at without counting
// an attempt (a channel's rate limit, a parent not yet sent).
func (s *Store) Postpone(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{ms(at)}
	for _, id := range ids {
		args = append(args, id)
	}
	q := `UPDATE deliveries SET next_attempt = ? WHERE status = 'pending' AND id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: postpone %d deliveries: %w", len(ids), err)
	}
	return nil
}

func (s *Store) updateDelivery(ctx context.Context, what string, id int64, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("store: %s %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// RollUp queues summary as pending and marks the pending alerts ids as
// rolled into it, in one transaction. Alerts no longer pending (sent by
// an earlier run) or under another owner's live claim (being attempted)
// are left alone and not counted; when none is left the
// summary is not queued and RollUp returns 0.
func (s *Store) RollUp(ctx context.Context, summary briefing.Delivery, ids []int64) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: roll up: %w", err)
	}
	defer tx.Rollback()
	now := time.Now()
	id, _, err := s.insertDelivery(ctx, tx, summary, now)
	if err != nil {
		return 0, fmt.Errorf("store: roll up %s: %w", summary.Key, err)
	}
	rolled := int64(0)
	for _, a := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'rolled', parent_id = ? WHERE id = ? AND status = 'pending'
			AND (claim_owner = '' OR claim_until <= ?)`, id, a, ms(now))
		if err != nil {
			return 0, fmt.Errorf("store: roll up %s: %w", summary.Key, err)
		}
		n, _ := res.RowsAffected()
		rolled += n
	}
	if rolled == 0 {
		return 0, nil // rollback: nothing to summarize
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: roll up %s: commit: %w", summary.Key, err)
	}
	return id, nil
}

// SentSince counts channel's top-level alerts and summaries sent at or
// after since: what its rate limit has used.
func (s *Store) SentSince(ctx context.Context, channel string, since time.Time) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), min(sent_at) FROM deliveries WHERE channel = ? AND sent_at >= ?
		AND kind IN ('alert', 'summary') AND status = 'sent'`, channel, ms(since)).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("store: sent since: %w", err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	return n, fromMS(oldest.Int64), nil
}

// extendClaims extends owner's claims on pending deliveries to until (in
// ms), within a lease's renewal: claims live as long as their lease.
func extendClaims(ctx context.Context, tx *sql.Tx, owner string, until int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET claim_until = ? WHERE claim_owner = ? AND status = 'pending'`,
		until, owner)
	return err
}

// releaseClaims frees owner's claims, within a lease's release.
func releaseClaims(ctx context.Context, tx *sql.Tx, owner string) error {
	// claim_owner != '' lets the partial index deliveries_claim serve it.
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET claim_owner = '', claim_until = 0
		WHERE claim_owner = ? AND claim_owner != ''`, owner)
	return err
}
