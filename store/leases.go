package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// ErrLeaseLost and ErrClaimed are briefing's, so the bot can tell them
// apart without importing the store.
var (
	ErrLeaseLost = briefing.ErrLeaseLost
	ErrClaimed   = briefing.ErrClaimed
)

func (s *Store) leaseByName(ctx context.Context, q querier, name string) (briefing.Lease, error) {
	l := briefing.Lease{Name: name}
	var acq, ren, exp int64
	err := q.QueryRowContext(ctx, `SELECT owner, host, pid, acquired_at, renewed_at, expires_at FROM leases WHERE name = ?`, name).
		Scan(&l.Owner, &l.Host, &l.PID, &acq, &ren, &exp)
	if err != nil {
		return briefing.Lease{Name: name}, err
	}
	l.Acquired, l.Renewed, l.Expires = fromMS(acq), fromMS(ren), fromMS(exp)
	return l, nil
}

// Lease returns the lease name as recorded, or ErrNotFound.
func (s *Store) Lease(ctx context.Context, name string) (briefing.Lease, error) {
	l, err := s.leaseByName(ctx, s.db, name)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("store: lease %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("store: lease %s: %w", name, err)
	}
	return l, nil
}

// AcquireLease takes lease l.Name for l.Owner until now+ttl, when it is
// free, expired or already l.Owner's. It returns the previous holder when
// it took over another owner's expired lease (zero otherwise), and a
// *briefing.LeaseHeldError when another owner's lease is live. The check
// and the take are one (immediate) transaction, so two starting processes
// cannot both win.
func (s *Store) AcquireLease(ctx context.Context, l briefing.Lease, now time.Time, ttl time.Duration) (briefing.Lease, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return briefing.Lease{}, fmt.Errorf("store: acquire lease %s: %w", l.Name, err)
	}
	defer tx.Rollback()
	prev, err := s.leaseByName(ctx, tx, l.Name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prev = briefing.Lease{}
	case err != nil:
		return briefing.Lease{}, fmt.Errorf("store: acquire lease %s: %w", l.Name, err)
	case prev.Owner == l.Owner:
		prev = briefing.Lease{}
	case !prev.Expired(now):
		return briefing.Lease{}, fmt.Errorf("store: acquire lease %s: %w", l.Name, &briefing.LeaseHeldError{Holder: prev, Now: now})
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO leases (name, owner, host, pid, acquired_at, renewed_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, host = excluded.host,
		pid = excluded.pid, acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
		renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
		l.Name, l.Owner, l.Host, l.PID, ms(now), ms(now), ms(now.Add(ttl))); err != nil {
		return briefing.Lease{}, fmt.Errorf("store: acquire lease %s: %w", l.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return briefing.Lease{}, fmt.Errorf("store: acquire lease %s: commit: %w", l.Name, err)
	}
	return prev, nil
}

// RenewLease extends owner's lease name to now+ttl, and with it owner's
// claims on pending deliveries: a holder's claims live as long as its
// lease, so a post slower than the ttl keeps its claim and a crashed
// holder's claims expire with its lease. It fails with ErrLeaseLost,
// naming the holder, when the lease is no longer owner's (taken over after
// it expired, or the database restored from a copy). An expired lease
// nobody took over is still owner's: renewing it is safe.
func (s *Store) RenewLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: renew lease %s: %w", name, err)
	}
	defer tx.Rollback()
	until := ms(now.Add(ttl))
	res, err := tx.ExecContext(ctx, `UPDATE leases SET renewed_at = ?, expires_at = ? WHERE name = ? AND owner = ?`,
		ms(now), until, name, owner)
	if err != nil {
		return fmt.Errorf("store: renew lease %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: renew lease %s: %w", name, err)
	} else if n == 0 {
		holder := "nobody"
		if l, err := s.leaseByName(ctx, tx, name); err == nil {
			holder = l.Holder()
		}
		return fmt.Errorf("store: renew lease %s: %w: now held by %s", name, ErrLeaseLost, holder)
	}
	if err := extendClaims(ctx, tx, owner, until); err != nil {
		return fmt.Errorf("store: renew lease %s: claims: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: renew lease %s: commit: %w", name, err)
	}
	return nil
}

// ReleaseLease gives up owner's lease name and its delivery claims (a
// clean shutdown), so the next start need not wait for them to expire.
// Releasing a lease owner no longer holds changes nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	if err := releaseClaims(ctx, tx, owner); err != nil {
		return fmt.Errorf("store: release lease %s: claims: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: release lease %s: commit: %w", name, err)
	}
	return nil
}
