package bot

import (
	"context"
	"fmt"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// ConfigDigestStore is what SyncConfigDigests needs of persistence.
type ConfigDigestStore interface {
	DigestSchedules(ctx context.Context) ([]briefing.DigestSchedule, error)
	SetDigestSchedule(ctx context.Context, d briefing.DigestSchedule) error
	DeleteDigestSchedule(ctx context.Context, channel string) error
}

// SyncConfigDigests makes the stored config-owned schedules those of the
// config file (digests, with Origin briefing.OriginConfig): new or changed
// ones are written (a changed one owes no slot from before the change),
// removed ones deleted. Schedules set with /sahel digest are left alone
// unless the file now names their channel. It writes only what changed.
func SyncConfigDigests(ctx context.Context, st ConfigDigestStore, digests []briefing.DigestSchedule) error {
	current, err := st.DigestSchedules(ctx)
	if err != nil {
		return fmt.Errorf("config digests: %w", err)
	}
	have := map[string]briefing.DigestSchedule{}
	for _, d := range current {
		have[d.Channel] = d
	}
	want := map[string]bool{}
	for _, d := range digests {
		want[d.Channel] = true
		if old, ok := have[d.Channel]; ok && old.Origin == briefing.OriginConfig && old.Cron == d.Cron && old.TZ == d.TZ &&
			old.Country == d.Country && old.Actor == d.Actor {
			continue // unchanged: keep its time, so slots since are still owed
		}
		d.UpdatedBy = "config"
		if err := st.SetDigestSchedule(ctx, d); err != nil {
			return fmt.Errorf("config digests: %s: %w", d.Channel, err)
		}
	}
	for _, d := range current {
		if d.Origin == briefing.OriginConfig && !want[d.Channel] {
			if err := st.DeleteDigestSchedule(ctx, d.Channel); err != nil {
				return fmt.Errorf("config digests: %s: %w", d.Channel, err)
			}
		}
	}
	return nil
}
