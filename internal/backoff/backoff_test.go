package backoff

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestWaitDoublesUpToTheLimit(t *testing.T) {
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
		if got := (Policy{tc.first, tc.limit}).Wait(tc.n); got != tc.want {
			t.Errorf("Policy{%v, %v}.Wait(%d) = %v; want %v", tc.first, tc.limit, tc.n, got, tc.want)
		}
	}
}

func TestPlatform(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 5 * time.Second, 1: 10 * time.Second, 6: 5 * time.Minute, 60: 5 * time.Minute} {
		if got := Platform.Wait(n); got != want {
			t.Errorf("Platform.Wait(%d) = %v; want %v", n, got, want)
		}
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"  7 ", 7 * time.Second},
		{"0.25", 250 * time.Millisecond},
		{"-3", 0},
		{"0", 0},
		{"soon", 0},
		{"NaN", 0},
		{now.Add(3 * time.Hour).Format(http.TimeFormat), 3 * time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), day},
		// Huge counts are capped, never wrapped into a tiny or negative wait.
		{"99999999999", day},
		{"9223372036854775807", day},
		{"18446744073", day},
		{"1e300", day},
	} {
		if got := RetryAfter(tc.v, now, day); got != tc.want {
			t.Errorf("RetryAfter(%q) = %v; want %v", tc.v, got, tc.want)
		}
	}
}
