package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// AddSubscription stores sub for its channel in one immediate transaction.
// When the channel already has the same query it returns the existing row
// and ErrDuplicate (checked first, so re-subscribing is idempotent even at
// the limit); when the channel already has maxPerChannel subscriptions
// (maxPerChannel > 0) it returns ErrLimit. Otherwise it returns sub as
// stored: with its ID, and CreatedAt (time.Now() when zero) at millisecond
// precision in UTC.
func (s *Store) AddSubscription(ctx context.Context, sub briefing.Subscription, maxPerChannel int) (briefing.Subscription, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: begin: %w", err)
	}
	defer tx.Rollback()

	existing, err := scanSubscription(tx.QueryRowContext(ctx, `SELECT id, channel, query, created_by, created_at, after_item
		FROM subscriptions WHERE channel = ? AND query = ?`, sub.Channel, sub.Query))
	switch {
	case err == nil:
		return existing, fmt.Errorf("store: add subscription %q in %s: %w", sub.Query, sub.Channel, ErrDuplicate)
	case !errors.Is(err, sql.ErrNoRows):
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: %w", err)
	}
	if maxPerChannel > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE channel = ?`, sub.Channel).Scan(&n); err != nil {
			return briefing.Subscription{}, fmt.Errorf("store: add subscription: %w", err)
		}
		if n >= maxPerChannel {
			return briefing.Subscription{}, fmt.Errorf("store: add subscription in %s (%d of %d): %w", sub.Channel, n, maxPerChannel, ErrLimit)
		}
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = time.Now()
	}
	sub.CreatedAt = fromMS(ms(sub.CreatedAt))
	// The subscription alerts on items stored from now on.
	if sub.AfterItem, err = lastItemID(ctx, tx); err != nil {
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (channel, query, created_by, created_at, after_item) VALUES (?, ?, ?, ?, ?)`,
		sub.Channel, sub.Query, sub.CreatedBy, ms(sub.CreatedAt), sub.AfterItem)
	if err != nil {
		if isConstraint(err) {
			err = ErrDuplicate
		}
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: %w", err)
	}
	if sub.ID, err = res.LastInsertId(); err != nil {
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return briefing.Subscription{}, fmt.Errorf("store: add subscription: commit: %w", err)
	}
	return sub, nil
}

// RemoveSubscription deletes subscription id of channel. It returns
// ErrNotFound when there is none, or when id belongs to another channel
// (which it leaves alone).
func (s *Store) RemoveSubscription(ctx context.Context, channel string, id int64) error {
	return s.deleteOne(ctx, fmt.Sprintf("remove subscription %d in %s", id, channel),
		`DELETE FROM subscriptions WHERE id = ? AND channel = ?`, id, channel)
}

// Subscriptions returns channel's subscriptions, by id.
func (s *Store) Subscriptions(ctx context.Context, channel string) ([]briefing.Subscription, error) {
	return s.querySubscriptions(ctx, "subscriptions", `SELECT id, channel, query, created_by, created_at, after_item
		FROM subscriptions WHERE channel = ? ORDER BY id`, channel)
}

// AllSubscriptions returns every channel's subscriptions, by channel then id.
func (s *Store) AllSubscriptions(ctx context.Context) ([]briefing.Subscription, error) {
	return s.querySubscriptions(ctx, "all subscriptions", `SELECT id, channel, query, created_by, created_at, after_item
		FROM subscriptions ORDER BY channel, id`)
}

func (s *Store) querySubscriptions(ctx context.Context, what, query string, args ...any) ([]briefing.Subscription, error) {
	return queryAll(ctx, s.db, what, scanSubscription, query, args...)
}

func scanSubscription(r scanner) (briefing.Subscription, error) {
	var sub briefing.Subscription
	var at int64
	if err := r.Scan(&sub.ID, &sub.Channel, &sub.Query, &sub.CreatedBy, &at, &sub.AfterItem); err != nil {
		return briefing.Subscription{}, err
	}
	sub.CreatedAt = fromMS(at)
	return sub, nil
}
