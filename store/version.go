package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ContentVersion is a number that changes whenever stored items, their tags
// or their stories change (source states aside): an answer built from the
// store at one version holds until the next.
func (s *Store) ContentVersion(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM content_version WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: content version: %w", err)
	}
	return n, nil
}

// bumpContentVersion marks, inside a write transaction, that what digests
// read has changed.
func bumpContentVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE content_version SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("content version: %w", err)
	}
	return nil
}
