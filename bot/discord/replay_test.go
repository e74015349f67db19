package discord

import (
	"strconv"
	"testing"
	"time"
)

func TestSeenIDsExpireAndStayBounded(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	const window = 10 * time.Minute
	s := &seenIDs{limit: 3}
	if !s.first("a", t0, window) || s.first("a", t0.Add(window-time.Second), window) {
		t.Fatal("a repeat within the window was not refused")
	}
	if !s.first("a", t0.Add(window), window) {
		t.Fatal("an id was not forgotten after the window")
	}
	for i := range 100 {
		s.first(strconv.Itoa(i), t0.Add(window), window)
	}
	if len(s.at) > 3 || len(s.order)-s.head > 3 || cap(s.order) > 16 {
		t.Errorf("%d ids, queue %d (cap %d); want at most 3", len(s.at), len(s.order)-s.head, cap(s.order))
	}
	if !s.first("", t0, window) || !s.first("", t0, window) {
		t.Error("an empty id was refused")
	}
}
