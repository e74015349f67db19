package briefing

import (
	"math"
	"testing"
	"time"
)

func TestBackoffDoublesUpToTheLimit(t *testing.T) {
	for _, tc := range []struct {
		first, limit time.Duration
		n            int
		want         time.Duration
	}{
		{5 * time.Second, 5 * time.Minute, 0, 5 * time.Second},
		{5 * time.Second, 5 * time.Minute, 3, 40 * time.Second},
		{5 * time.Second, 5 * time.Minute, 6, 5 * time.Minute},
		{5 * time.Second, 5 * time.Minute, 1000, 5 * time.Minute}, // no overflow
		{10 * time.Minute, 6 * time.Hour, -1, 10 * time.Minute},
		{10 * time.Minute, time.Minute, 2, time.Minute}, // the limit wins
		{0, time.Minute, 3, 0},
		{time.Hour, time.Duration(math.MaxInt64), 100, time.Duration(math.MaxInt64)}, // a huge limit: no wrap
	} {
		if got := Backoff(tc.first, tc.limit, tc.n); got != tc.want {
			t.Errorf("Backoff(%v, %v, %d) = %v; want %v", tc.first, tc.limit, tc.n, got, tc.want)
		}
	}
}
