package store

import (
	"context"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestCapNextChecksOnlyMovesLaterChecksEarlier(t *testing.T) {
	s := openMem(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	for name, next := range map[string]time.Time{"late": now.Add(time.Hour), "soon": now.Add(2 * time.Minute)} {
		st := okState(name, "https://"+name+".example/feed", now.Add(-time.Minute))
		st.NextCheck = next
		save(t, s, briefing.Fetched{State: st})
	}
	limit := now.Add(5 * time.Minute)
	n, err := s.CapNextChecks(ctx, map[string]time.Time{"late": limit, "soon": limit, "unknown": limit})
	if err != nil || n != 1 {
		t.Fatalf("CapNextChecks = %d, %v; want 1 moved", n, err)
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := states["late"].NextCheck; !got.Equal(limit) {
		t.Errorf("late source next check %v; want capped at %v", got, limit)
	}
	if got := states["soon"].NextCheck; !got.Equal(now.Add(2 * time.Minute)) {
		t.Errorf("soon source next check %v; want it unchanged", got)
	}
	if n, err := s.CapNextChecks(ctx, nil); n != 0 || err != nil {
		t.Errorf("no caps: %d, %v", n, err)
	}
}
