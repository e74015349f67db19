package bot

import (
	"testing"
	"time"
)

// A date outside the year of now shows its year: a 2019 report never
// passes for this year's.
func TestStampAndDayShowOtherYears(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	old := time.Date(2019, 2, 24, 13, 5, 0, 0, time.FixedZone("WAT", 3600))
	recent := time.Date(2026, 2, 24, 13, 5, 0, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{Stamp(old, now), "Sun 24 Feb 2019 13:05 WAT"},
		{Stamp(old.UTC(), now), "Sun 24 Feb 2019 12:05 UTC"},
		{Stamp(recent, now), "Tue 24 Feb 13:05 UTC"},
		{Day(old, now), "24 Feb 2019"},
		{Day(recent, now), "24 Feb"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
