package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func addSub(t testing.TB, s *Store, channel, query string, at time.Time) briefing.Subscription {
	t.Helper()
	got, err := s.AddSubscription(context.Background(), briefing.Subscription{
		Channel: channel, Query: query, CreatedBy: "U" + channel, CreatedAt: at,
	}, 0)
	if err != nil {
		t.Fatalf("AddSubscription(%q, %q): %v", channel, query, err)
	}
	return got
}

func subs(t testing.TB, s *Store, channel string) []briefing.Subscription {
	t.Helper()
	got, err := s.Subscriptions(context.Background(), channel)
	if err != nil {
		t.Fatalf("Subscriptions(%q): %v", channel, err)
	}
	return got
}

func TestMigrationsIncludeSubscriptions(t *testing.T) {
	s := openMem(t)
	got, err := s.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, embeddedMigrations(t)) || len(got) < 2 || got[1] != "migrations/0002_subscriptions.sql" {
		t.Fatalf("Migrations() = %q", got)
	}
	for _, table := range []string{"subscriptions", "digest_schedules", "subscriptions_channel"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: count %d, %v", table, n, err)
		}
	}
}

func TestSubscriptionRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openMem(t)
		time.Sleep(time.Until(base.Add(time.Hour))) // the bubble's clock, which stamps rows, stands there

		a := addSub(t, s, "slack:C1", "mali AND coup", base)
		b := addSub(t, s, "slack:C1", "niger", time.Time{}) // CreatedAt from time.Now
		c := addSub(t, s, "discord:9", "mali AND coup", base.In(time.FixedZone("WAT", 3600)))

		want := []briefing.Subscription{
			{ID: a.ID, Channel: "slack:C1", Query: "mali AND coup", CreatedBy: "Uslack:C1", CreatedAt: msUTC(base)},
			{ID: b.ID, Channel: "slack:C1", Query: "niger", CreatedBy: "Uslack:C1", CreatedAt: msUTC(base.Add(time.Hour))},
		}
		if a.ID == 0 || b.ID <= a.ID || c.ID <= b.ID {
			t.Fatalf("ids %d, %d, %d", a.ID, b.ID, c.ID)
		}
		if !reflect.DeepEqual([]briefing.Subscription{a, b}, want) {
			t.Errorf("AddSubscription returned %+v, want %+v", []briefing.Subscription{a, b}, want)
		}
		if got := subs(t, s, "slack:C1"); !reflect.DeepEqual(got, want) {
			t.Errorf("Subscriptions = %+v, want %+v", got, want)
		}
		if got := subs(t, s, "slack:none"); len(got) != 0 {
			t.Errorf("Subscriptions of unknown channel = %+v", got)
		}
		all, err := s.AllSubscriptions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantAll := []briefing.Subscription{
			{ID: c.ID, Channel: "discord:9", Query: "mali AND coup", CreatedBy: "Udiscord:9", CreatedAt: msUTC(base)},
			want[0], want[1],
		}
		if !reflect.DeepEqual(all, wantAll) {
			t.Errorf("AllSubscriptions = %+v, want %+v", all, wantAll)
		}

		if err := s.RemoveSubscription(ctx, "slack:C1", a.ID); err != nil {
			t.Fatalf("RemoveSubscription: %v", err)
		}
		if err := s.RemoveSubscription(ctx, "slack:C1", a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second RemoveSubscription = %v, want ErrNotFound", err)
		}
		if got := subs(t, s, "slack:C1"); !reflect.DeepEqual(got, want[1:]) {
			t.Errorf("after remove Subscriptions = %+v, want %+v", got, want[1:])
		}
	})
}

func TestAddSubscriptionDuplicate(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	first := addSub(t, s, "slack:C1", "burkina", base)
	for _, limit := range []int{0, 1, 5} {
		got, err := s.AddSubscription(ctx, briefing.Subscription{Channel: "slack:C1", Query: "burkina", CreatedBy: "other", CreatedAt: base.Add(time.Hour)}, limit)
		if !errors.Is(err, ErrDuplicate) {
			t.Fatalf("limit %d: duplicate add err = %v, want ErrDuplicate", limit, err)
		}
		if got != first {
			t.Errorf("limit %d: duplicate add returned %+v, want existing %+v", limit, got, first)
		}
	}
	if n := countRows(t, s, "subscriptions"); n != 1 {
		t.Errorf("%d rows after duplicates, want 1", n)
	}
}

func TestAddSubscriptionLimit(t *testing.T) {
	tests := []struct {
		limit, adds, want int
	}{
		{limit: 0, adds: 7, want: 7}, // no limit
		{limit: -1, adds: 3, want: 3},
		{limit: 1, adds: 3, want: 1},
		{limit: 5, adds: 5, want: 5},
		{limit: 5, adds: 8, want: 5},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("limit=%d,adds=%d", tc.limit, tc.adds), func(t *testing.T) {
			ctx := context.Background()
			s := openMem(t)
			addSub(t, s, "slack:other", "x", base) // another channel's do not count
			for i := range tc.adds {
				_, err := s.AddSubscription(ctx, briefing.Subscription{Channel: "slack:C1", Query: fmt.Sprint("q", i)}, tc.limit)
				if wantErr := i >= tc.want; wantErr != errors.Is(err, ErrLimit) || (!wantErr && err != nil) {
					t.Fatalf("add %d: err = %v", i, err)
				}
			}
			if got := len(subs(t, s, "slack:C1")); got != tc.want {
				t.Errorf("%d subscriptions, want %d", got, tc.want)
			}
		})
	}
}

func TestAddSubscriptionConcurrentLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t) // a file database: several connections, real contention
	const limit, writers = 5, 10
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			_, errs[i] = s.AddSubscription(ctx, briefing.Subscription{Channel: "slack:C1", Query: fmt.Sprint("q", i)}, limit)
		})
	}
	wg.Wait()
	ok, limited := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrLimit):
			limited++
		default:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if ok != limit || limited != writers-limit {
		t.Errorf("%d added, %d limited; want %d, %d", ok, limited, limit, writers-limit)
	}
	if n := len(subs(t, s, "slack:C1")); n != limit {
		t.Errorf("%d stored, want %d", n, limit)
	}
}

func TestRemoveSubscriptionOtherChannel(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	theirs := addSub(t, s, "slack:C1", "mali", base)
	for _, tc := range []struct {
		channel string
		id      int64
	}{
		{"slack:C2", theirs.ID},
		{"discord:C1", theirs.ID},
		{"", theirs.ID},
		{"slack:C1", theirs.ID + 1},
		{"slack:C1", 0},
		{"slack:C1", -1},
	} {
		if err := s.RemoveSubscription(ctx, tc.channel, tc.id); !errors.Is(err, ErrNotFound) {
			t.Errorf("RemoveSubscription(%q, %d) = %v, want ErrNotFound", tc.channel, tc.id, err)
		}
	}
	if got := subs(t, s, "slack:C1"); !reflect.DeepEqual(got, []briefing.Subscription{theirs}) {
		t.Errorf("after foreign removes: %+v, want %+v", got, theirs)
	}
}

func TestSubscriptionsHostileStrings(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	strs := append([]string{`'); DROP TABLE subscriptions;--`, `'); DROP TABLE digest_schedules;--`}, hostile...)
	var want []briefing.Subscription
	for i, h := range strs {
		ch := fmt.Sprintf("slack:%s%d", h, i)
		want = append(want, addSub(t, s, ch, h, base))
		d := briefing.DigestSchedule{Channel: ch, Cron: h, TZ: h, Country: h, Actor: h, UpdatedBy: h, UpdatedAt: base}
		if err := s.SetDigestSchedule(ctx, d); err != nil {
			t.Fatalf("SetDigestSchedule(%q): %v", h, err)
		}
		got, err := s.DigestSchedule(ctx, ch)
		d.UpdatedAt = msUTC(base)
		if err != nil || got != d {
			t.Errorf("DigestSchedule(%q) = %+v, %v; want %+v", ch, got, err, d)
		}
		if got := subs(t, s, ch); len(got) != 1 || got[0].Query != h || got[0].Channel != ch || got[0].CreatedBy != "U"+ch {
			t.Errorf("Subscriptions(%q) = %+v", ch, got)
		}
	}
	all, err := s.AllSubscriptions(ctx)
	if err != nil || len(all) != len(want) {
		t.Fatalf("AllSubscriptions: %d, %v; want %d", len(all), err, len(want))
	}
	for _, table := range []string{"subscriptions", "digest_schedules"} {
		if n := countRows(t, s, table); n != len(strs) {
			t.Errorf("%s: %d rows, want %d", table, n, len(strs))
		}
	}
}

func TestSubscriptionsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	a := addSub(t, s, "slack:C1", "mali", base)
	b := addSub(t, s, "console", "niger OR tchad", base.Add(time.Minute))
	d := briefing.DigestSchedule{Channel: "console", Cron: "0 7 * * *", TZ: "Africa/Ndjamena", UpdatedBy: "me", UpdatedAt: base}
	if err := s.SetDigestSchedule(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openPath(t, path)
	all, err := s2.AllSubscriptions(ctx)
	if err != nil || !reflect.DeepEqual(all, []briefing.Subscription{b, a}) {
		t.Errorf("after reopen AllSubscriptions = %+v, %v; want %+v", all, err, []briefing.Subscription{b, a})
	}
	d.UpdatedAt = msUTC(base)
	if got, err := s2.DigestSchedules(ctx); err != nil || !reflect.DeepEqual(got, []briefing.DigestSchedule{d}) {
		t.Errorf("after reopen DigestSchedules = %+v, %v; want %+v", got, err, d)
	}
	// The ids keep counting after a reopen; a new add is not a duplicate of old rows.
	c := addSub(t, s2, "slack:C1", "burkina", base)
	if c.ID <= b.ID {
		t.Errorf("new id %d after reopen, want > %d", c.ID, b.ID)
	}
}

func TestSubscriptionsStartAfterTheNewestItem(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	save(t, s, fetched("a", at, newsItem("a", "k1", "https://x/1", "One", "", at), newsItem("a", "k2", "https://x/2", "Two", "", at)))
	sub, err := s.AddSubscription(ctx, briefing.Subscription{Channel: "console", Query: "mali"}, 0)
	if err != nil || sub.AfterItem != 2 {
		t.Fatalf("AfterItem = %d, %v; want 2", sub.AfterItem, err)
	}
	items, err := s.ItemsAfter(ctx, 1, 10)
	if err != nil || len(items) != 1 || items[0].ID != 2 {
		t.Fatalf("ItemsAfter(1) = %+v, %v", items, err)
	}
	subs, _ := s.AllSubscriptions(ctx)
	if len(subs) != 1 || subs[0].AfterItem != 2 {
		t.Fatalf("AllSubscriptions = %+v", subs)
	}
}
