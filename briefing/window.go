package briefing

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxWindow is the longest window a digest, search backfill or command
// looks back over: what a person can read in one answer.
const MaxWindow = 30 * 24 * time.Hour

// ParseWindow reads a window as people write it in chat and on the command
// line: a whole number and a unit, m, h, d or w ("90m", "12h", "3d",
// "1w"), up to MaxWindow. Go durations ("1h30m") are accepted too. Its
// errors name the text at fault.
func ParseWindow(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty window: use a number and m, h, d or w, like 12h or 3d")
	}
	units := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	unit, ok := units[s[len(s)-1]]
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if !ok || err != nil {
		d, gerr := time.ParseDuration(s)
		if gerr != nil {
			return 0, fmt.Errorf("%q is not a time window: use a number and m, h, d or w, like 12h or 3d", clipText(s, 20))
		}
		return checkWindow(s, d)
	}
	if n <= 0 {
		return 0, fmt.Errorf("%q is not a time window: it must be positive", clipText(s, 20))
	}
	if n > int64(MaxWindow/unit) { // before multiplying: a huge count must not overflow
		return 0, fmt.Errorf("%s is too far back: the longest window is %s", clipText(s, 20), FormatWindow(MaxWindow))
	}
	return checkWindow(s, time.Duration(n)*unit)
}

func checkWindow(s string, d time.Duration) (time.Duration, error) {
	switch {
	case d <= 0:
		return 0, fmt.Errorf("%q is not a time window: it must be positive", clipText(s, 20))
	case d > MaxWindow:
		return 0, fmt.Errorf("%s is too far back: the longest window is %s", clipText(s, 20), FormatWindow(MaxWindow))
	}
	return d, nil
}

// LooksLikeWindow reports whether a command's word is meant as a window
// (it starts with a digit), so that a bad one is refused rather than read
// as a name.
func LooksLikeWindow(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// FormatWindow writes a window as ParseWindow reads it: 3d, 12h, 90m.
func FormatWindow(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// clipText cuts s to n runes for an error message.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
