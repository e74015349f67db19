package cronspec

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, spec := range []string{"0 7 * * *", "@daily", "30 6 * * 1-5", "CRON_TZ=Africa/Bamako 0 7 * * *"} {
		if _, err := Parse(spec); err != nil {
			t.Errorf("Parse(%q): %v", spec, err)
		}
	}
	for _, spec := range []string{"", "61 * * * *", "0 7 * *", "* * * * * *", "@fortnightly"} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) accepted", spec)
		}
	}
}

func TestParseInNamesTheProblem(t *testing.T) {
	if _, _, err := ParseIn("0 7 * * *", "Africa/Atlantis"); err == nil || !strings.Contains(err.Error(), "Africa/Atlantis") {
		t.Errorf("unknown zone: %v", err)
	}
	if _, _, err := ParseIn("0 25 * * *", "UTC"); err == nil || !strings.Contains(err.Error(), "0 25 * * *") {
		t.Errorf("bad cron: %v", err)
	}
	s, loc, err := ParseIn("0 7 * * *", "Africa/Niamey")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if got, want := s.Next(from), time.Date(2026, 6, 1, 7, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("next = %v; want %v", got, want)
	}
}
