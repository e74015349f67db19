package store

import (
	"context"
	"fmt"
	"time"
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
