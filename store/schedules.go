package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// SetDigestSchedule creates or replaces d.Channel's digest schedule.
// UpdatedAt is time.Now() when zero.
func (s *Store) SetDigestSchedule(ctx context.Context, d briefing.DigestSchedule) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO digest_schedules (channel, cron, tz, country, actor, updated_by, updated_at, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel) DO UPDATE SET cron = excluded.cron, tz = excluded.tz, country = excluded.country,
			actor = excluded.actor, updated_by = excluded.updated_by, updated_at = excluded.updated_at, origin = excluded.origin`,
		d.Channel, d.Cron, d.TZ, d.Country, d.Actor, d.UpdatedBy, ms(d.UpdatedAt), d.Origin)
	if err != nil {
		return fmt.Errorf("store: set digest schedule %s: %w", d.Channel, err)
	}
	return nil
}

// DigestSchedule returns channel's digest schedule, or ErrNotFound.
func (s *Store) DigestSchedule(ctx context.Context, channel string) (briefing.DigestSchedule, error) {
	d, err := scanDigestSchedule(s.db.QueryRowContext(ctx, `SELECT channel, cron, tz, country, actor, updated_by, updated_at, origin
		FROM digest_schedules WHERE channel = ?`, channel))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return briefing.DigestSchedule{}, fmt.Errorf("store: digest schedule %s: %w", channel, err)
	}
	return d, nil
}

// DeleteDigestSchedule removes channel's digest schedule, or returns
// ErrNotFound when it has none.
func (s *Store) DeleteDigestSchedule(ctx context.Context, channel string) error {
	return s.deleteOne(ctx, "delete digest schedule "+channel, `DELETE FROM digest_schedules WHERE channel = ?`, channel)
}

// DigestSchedules returns every channel's digest schedule, by channel.
func (s *Store) DigestSchedules(ctx context.Context) ([]briefing.DigestSchedule, error) {
	return queryAll(ctx, s.db, "digest schedules", scanDigestSchedule,
		`SELECT channel, cron, tz, country, actor, updated_by, updated_at, origin FROM digest_schedules ORDER BY channel`)
}

func scanDigestSchedule(r scanner) (briefing.DigestSchedule, error) {
	var d briefing.DigestSchedule
	var at int64
	if err := r.Scan(&d.Channel, &d.Cron, &d.TZ, &d.Country, &d.Actor, &d.UpdatedBy, &at, &d.Origin); err != nil {
		return briefing.DigestSchedule{}, err
	}
	d.UpdatedAt = fromMS(at)
	return d, nil
}
