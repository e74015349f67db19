package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestDigestSchedules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openMem(t)
		time.Sleep(time.Until(base.Add(2 * time.Hour))) // the bubble's clock, which stamps rows, stands there

		if _, err := s.DigestSchedule(ctx, "slack:C1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DigestSchedule of none = %v, want ErrNotFound", err)
		}
		if err := s.DeleteDigestSchedule(ctx, "slack:C1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteDigestSchedule of none = %v, want ErrNotFound", err)
		}
		if got, err := s.DigestSchedules(ctx); err != nil || len(got) != 0 {
			t.Errorf("DigestSchedules of none = %+v, %v", got, err)
		}

		steps := []struct {
			name string
			set  briefing.DigestSchedule
			want briefing.DigestSchedule
		}{
			{
				name: "create",
				set:  briefing.DigestSchedule{Channel: "slack:C1", Cron: "0 7 * * *", TZ: "Africa/Bamako", Country: "ml", UpdatedBy: "U1", UpdatedAt: base},
				want: briefing.DigestSchedule{Channel: "slack:C1", Cron: "0 7 * * *", TZ: "Africa/Bamako", Country: "ml", UpdatedBy: "U1", UpdatedAt: msUTC(base)},
			},
			{
				name: "replace, clearing country, time from Now",
				set:  briefing.DigestSchedule{Channel: "slack:C1", Cron: "30 18 * * 1-5", TZ: "Africa/Niamey", Actor: "jnim", UpdatedBy: "U2"},
				want: briefing.DigestSchedule{Channel: "slack:C1", Cron: "30 18 * * 1-5", TZ: "Africa/Niamey", Actor: "jnim", UpdatedBy: "U2", UpdatedAt: msUTC(base.Add(2 * time.Hour))},
			},
			{
				name: "another channel",
				set:  briefing.DigestSchedule{Channel: "discord:7", Cron: "0 6 * * *", TZ: "UTC", UpdatedAt: base},
				want: briefing.DigestSchedule{Channel: "discord:7", Cron: "0 6 * * *", TZ: "UTC", UpdatedAt: msUTC(base)},
			},
		}
		for _, st := range steps {
			if err := s.SetDigestSchedule(ctx, st.set); err != nil {
				t.Fatalf("%s: SetDigestSchedule: %v", st.name, err)
			}
			if got, err := s.DigestSchedule(ctx, st.set.Channel); err != nil || got != st.want {
				t.Errorf("%s: DigestSchedule = %+v, %v; want %+v", st.name, got, err, st.want)
			}
		}
		got, err := s.DigestSchedules(ctx)
		if want := []briefing.DigestSchedule{steps[2].want, steps[1].want}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("DigestSchedules = %+v, %v; want %+v", got, err, want)
		}
		if err := s.DeleteDigestSchedule(ctx, "slack:C1"); err != nil {
			t.Fatalf("DeleteDigestSchedule: %v", err)
		}
		if _, err := s.DigestSchedule(ctx, "slack:C1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DigestSchedule after delete = %v, want ErrNotFound", err)
		}
		if err := s.DeleteDigestSchedule(ctx, "slack:C1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second DeleteDigestSchedule = %v, want ErrNotFound", err)
		}
		if got, err := s.DigestSchedules(ctx); err != nil || !reflect.DeepEqual(got, []briefing.DigestSchedule{steps[2].want}) {
			t.Errorf("DigestSchedules after delete = %+v, %v", got, err)
		}
	})
}
