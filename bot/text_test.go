package bot

import (
	"strings"
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

// Text is never cut between a character and what joins it, nor after an
// escaping backslash.
func TestCutPoints(t *testing.T) {
	s := "e\u0301 a\\*b\\\\c 👍\ufe0f x\u200dy"
	for _, tt := range []struct {
		i          int
		joins, esc bool
	}{
		{0, false, false},
		{1, true, false},   // the combining acute
		{4, false, false},  // "a"
		{6, false, true},   // the "*" after one backslash
		{9, false, true},   // the second backslash, after the first
		{10, false, false}, // "c" after two: the first escapes the second
		{len("e\u0301 a\\*b\\\\c 👍"), true, false}, // the variation selector
		{len(s) - 4, true, false},                  // the zero-width joiner
		{len(s), false, false},
	} {
		if got := JoinsAt(s, tt.i); got != tt.joins {
			t.Errorf("JoinsAt(%d) = %v, want %v", tt.i, got, tt.joins)
		}
		if got := Escaped(s, tt.i); got != tt.esc {
			t.Errorf("Escaped(%d) = %v, want %v", tt.i, got, tt.esc)
		}
	}
}

// Every '@' is followed by a zero-width space: @everyone and @here cannot
// ping.
func TestUnping(t *testing.T) {
	if got, want := Unping("@everyone and @here, mail@x"), "@\u200beveryone and @\u200bhere, mail@\u200bx"; got != want {
		t.Errorf("Unping = %q, want %q", got, want)
	}
	if got := Unping(Clean("@\u200beveryone")); got != "@"+NoPing+"everyone" {
		t.Errorf("a zero-width space in feed text is cleaned before: %q", got)
	}
}

// A link target is a plain http(s) URL escaped for the platform, within
// its length after escaping.
func TestLinkTarget(t *testing.T) {
	esc := strings.NewReplacer(" ", "%20", "|", "%7C")
	amp := strings.NewReplacer("&", "&amp;")
	long := "https://x.example/" + strings.Repeat("a", 30)
	for _, tt := range []struct {
		raw      string
		entities *strings.Replacer
		want     string
	}{
		{"https://x.example/a b|c", nil, "https://x.example/a%20b%7Cc"},
		{" http://x.example/?a=1&b=2 ", amp, "http://x.example/?a=1&amp;b=2"},
		{"javascript:alert(1)", nil, ""},
		{"https://user:pw@x.example/", nil, ""},
		{"https://x.example/\u200b", nil, ""},
		{long, nil, long},
		{long + "&", amp, ""},  // within max before the entity, not after
		{long + "|", nil, ""},  // nor after encoding
		{long + "aa", nil, ""}, // too long as given
	} {
		if got := LinkTarget(tt.raw, len(long)+1, esc, tt.entities); got != tt.want {
			t.Errorf("LinkTarget(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
