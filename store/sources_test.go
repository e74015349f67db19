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

func TestLastNewItemNeverMovesBackwards(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	const src = "sahel-intelligence"
	item := func(key string, pub time.Time) briefing.Item {
		return newsItem(src, key, "https://sahel-intelligence.com/"+key, "Sahel : analyse "+key, "Texte.", pub)
	}
	lastNew := func() time.Time {
		t.Helper()
		st, err := s.SourceStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st[src].LastNewItem
	}
	steps := []struct {
		name  string
		state time.Time // LastNewItem the caller passes in
		items []briefing.Item
		want  time.Time
	}{
		{"newest of the new items", time.Time{}, []briefing.Item{item("a", base.Add(-3*time.Hour)), item("b", base.Add(-time.Hour)), item("c", base.Add(-2*time.Hour))}, base.Add(-time.Hour)},
		{"no new items keeps it", time.Time{}, []briefing.Item{item("a", base.Add(-3*time.Hour))}, base.Add(-time.Hour)},
		{"an old article found late keeps it", time.Time{}, []briefing.Item{item("d", base.Add(-48*time.Hour))}, base.Add(-time.Hour)},
		{"known item with a newer rewritten date keeps it", time.Time{}, []briefing.Item{item("b", base.Add(time.Hour))}, base.Add(-time.Hour)},
		{"caller's older value keeps it", base.Add(-10 * time.Hour), nil, base.Add(-time.Hour)},
		{"a newer new item moves it", base.Add(-10 * time.Hour), []briefing.Item{item("e", base.Add(30*time.Minute))}, base.Add(30 * time.Minute)},
		{"caller's newer value moves it", base.Add(2 * time.Hour), nil, base.Add(2 * time.Hour)},
	}
	for _, st := range steps {
		f := fetched(src, base, st.items...)
		f.State.LastNewItem = st.state
		save(t, s, f)
		if got := lastNew(); !got.Equal(msUTC(st.want)) {
			t.Fatalf("%s: LastNewItem = %v, want %v", st.name, got, msUTC(st.want))
		}
	}
}
