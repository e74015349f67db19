package sources

import (
	"testing"
	"time"
)

func TestParseLocalizedDate(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"mer., 27 mars 2024 10:00:00 +0100", time.Date(2024, 3, 27, 9, 0, 0, 0, time.UTC), true},
		{"Seg, 24 Set 2018 19:42:40 -0300", time.Date(2018, 9, 24, 22, 42, 40, 0, time.UTC), true},
		{"jeudi 26 novembre 2026 08h30", time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC), true},
		{"26 août 2026 12:00 GMT", time.Date(2026, 8, 26, 12, 0, 0, 0, time.UTC), true},
		{"5 févr. 2026", time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC), true},
		{"03 Apr 02 1500 GMT", time.Time{}, false}, // no clock separator: not guessed
		{"hier", time.Time{}, false},
		{"32 mars 2024", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range cases {
		got, ok := parseLocalizedDate(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseLocalizedDate(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
