package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestDigestSchedule(t *testing.T) {
	b, st := newTestBot(t)
	cases := []struct {
		text   string
		manage bool
		err    bool
		want   string
	}{
		{"digest show", false, false, "no scheduled digest"},
		{"digest 0 7 * * 1-5 Africa/Bamako", false, true, "only people who manage"},
		{"digest 0 7 * * 1-5 Africa/Bamako", true, false, "`0 7 * * 1-5` (Africa/Bamako)"},
		{"digest show", false, false, "`0 7 * * 1-5` (Africa/Bamako)"},
		{"digest 0 7 * *", true, true, "five cron fields"},
		{"digest 0 25 * * * UTC", true, true, "not a valid schedule"},
		{"digest 0 7 * * * Mars/Olympus", true, true, "not a time zone"},
		{"digest @daily", true, false, "`@daily` (UTC)"},
		{"digest off", true, false, "turned off"},
		{"digest off", true, false, "had no scheduled digest"},
	}
	for _, tc := range cases {
		r := ask(b, tc.text, tc.manage)
		if r.Err != tc.err || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%q: %+v, want err=%v and %q", tc.text, r, tc.err, tc.want)
		}
	}
	if len(st.schedules) != 0 {
		t.Errorf("schedules left: %v", st.schedules)
	}
}

// A schedule more frequent than hourly is taken, with a warning.
func TestDigestEveryMinuteWarns(t *testing.T) {
	b, _ := newTestBot(t)
	if r := ask(b, "digest * * * * *", true); r.Err || !strings.Contains(r.Text, "Note: that is a digest every 1m (1440 a day)") {
		t.Errorf("every minute: %+v", r)
	}
	if r := ask(b, "digest 0 7 * * * Africa/Bamako", true); strings.Contains(r.Text, "Note:") {
		t.Errorf("daily: %+v", r)
	}
}

func TestConfigOwnedDigestIsNotChangedFromChat(t *testing.T) {
	b, st := newTestBot(t)
	st.schedules["console"] = briefing.DigestSchedule{Channel: "console", Cron: "0 7 * * 1-5", TZ: "Africa/Bamako", Origin: briefing.OriginConfig}
	for _, text := range []string{"digest off", "digest 0 8 * * * UTC"} {
		resp := ask(b, text, true)
		if !resp.Err || !strings.Contains(resp.Text, "set in the config file") {
			t.Errorf("%q → %q; want a refusal pointing to the config file", text, resp.Text)
		}
	}
	if got := st.schedules["console"]; got.Cron != "0 7 * * 1-5" {
		t.Errorf("schedule changed to %+v", got)
	}
	b.Now = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) } // a Friday
	resp := ask(b, "digest show", false)
	for _, want := range []string{"`0 7 * * 1-5` (Africa/Bamako)", "next at Mon 30 Nov 07:00 GMT", "(set in the config file)"} {
		if !strings.Contains(resp.Text, want) {
			t.Errorf("digest show = %q; want %q", resp.Text, want)
		}
	}
}
