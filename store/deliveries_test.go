package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestEnqueueDigestWindowsAreContiguousAndIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	t0 := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	first, created, err := s.EnqueueDigest(ctx, briefing.Delivery{Key: "digest:console:1", Channel: "console", Kind: "digest",
		Scheduled: t0, Until: t0}, 24*time.Hour)
	if err != nil || !created {
		t.Fatalf("first digest: created=%v err=%v", created, err)
	}
	if !first.Since.Equal(t0.Add(-24*time.Hour)) || !first.Until.Equal(t0) || first.Status != briefing.DeliveryPending {
		t.Fatalf("first digest = %+v; want window 24h before %v, pending", first, t0)
	}
	again, created, err := s.EnqueueDigest(ctx, briefing.Delivery{Key: "digest:console:1", Channel: "console", Kind: "digest",
		Scheduled: t0, Until: t0.Add(time.Hour)}, 24*time.Hour)
	if err != nil || created || again.ID != first.ID || !again.Until.Equal(t0) {
		t.Fatalf("same slot again: created=%v id=%d (want %d) until=%v err=%v", created, again.ID, first.ID, again.Until, err)
	}
	t1 := t0.Add(24 * time.Hour)
	second, _, err := s.EnqueueDigest(ctx, briefing.Delivery{Key: "digest:console:2", Channel: "console", Kind: "digest",
		Scheduled: t1, Until: t1}, 24*time.Hour)
	if err != nil || !second.Since.Equal(t0) {
		t.Fatalf("second digest since = %v, %v; want the first's end %v", second.Since, err, t0)
	}
	other, _, err := s.EnqueueDigest(ctx, briefing.Delivery{Key: "digest:slack:C1:2", Channel: "slack:C1", Kind: "digest",
		Scheduled: t1, Until: t1}, 12*time.Hour)
	if err != nil || !other.Since.Equal(t1.Add(-12*time.Hour)) {
		t.Fatalf("another channel's first digest since = %v, %v", other.Since, err)
	}
	if last, err := s.LastDigestSlot(ctx, "console"); err != nil || !last.Equal(t1) {
		t.Fatalf("LastDigestSlot = %v, %v; want %v", last, err, t1)
	}
}

func TestDeliveryLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	alert := briefing.Delivery{Key: "alert:console:1", Channel: "console", Kind: "alert", ItemID: 1, Payload: []byte(`{"a":1}`)}
	reply := briefing.Delivery{Key: "reply:console:2", Channel: "console", Kind: "reply", ItemID: 2, ParentKey: alert.Key}
	if n, err := s.EnqueueAlerts(ctx, 7, []briefing.Delivery{alert, reply}); err != nil || n != 2 {
		t.Fatalf("EnqueueAlerts = %d, %v", n, err)
	}
	if n, err := s.EnqueueAlerts(ctx, 5, []briefing.Delivery{alert}); err != nil || n != 0 {
		t.Fatalf("EnqueueAlerts again = %d, %v; want 0 (key exists)", n, err)
	}
	if c, err := s.AlertCursor(ctx); err != nil || c != 7 {
		t.Fatalf("AlertCursor = %d, %v; want 7 (never moves back)", c, err)
	}
	due, err := s.DueDeliveries(ctx, "console", "me", now, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("DueDeliveries = %d, %v", len(due), err)
	}
	if string(due[0].Payload) != `{"a":1}` || due[1].ParentID != due[0].ID || due[1].ThreadRef != "" || due[1].ParentStatus != briefing.DeliveryPending {
		t.Fatalf("due = %+v", due)
	}
	if got, _ := s.DueDeliveries(ctx, "slack:", "me", now, 10); len(got) != 0 {
		t.Fatalf("slack: prefix got %d deliveries", len(got))
	}
	before, err := s.ClaimDelivery(ctx, due[0].ID, "me", now, time.Minute)
	if err != nil || before != 0 {
		t.Fatalf("ClaimDelivery = %d, %v", before, err)
	}
	if before, _ = s.ClaimDelivery(ctx, due[0].ID, "me", now, time.Minute); before != 1 {
		t.Fatalf("second ClaimDelivery by its owner = %d; want 1", before)
	}
	if err := s.MarkSent(ctx, due[0].ID, "ts-1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, due[0].ID, "me", now, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ClaimDelivery on a sent delivery: %v; want ErrNotFound", err)
	}
	r, err := s.DeliveryByID(ctx, due[1].ID)
	if err != nil || r.ThreadRef != "ts-1" || r.ParentStatus != briefing.DeliverySent {
		t.Fatalf("reply after parent sent = %+v, %v", r, err)
	}
	if err := s.MarkRetry(ctx, r.ID, now.Add(time.Minute), "http_503"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DueDeliveries(ctx, "", "me", now, 10); len(got) != 0 {
		t.Fatalf("retry not yet due, got %d", len(got))
	}
	if next, ok, err := s.NextDue(ctx, "", "me"); err != nil || !ok || !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("NextDue = %v %v %v", next, ok, err)
	}
	if err := s.MarkFailed(ctx, r.ID, "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingCount(ctx); n != 0 {
		t.Fatalf("pending = %d", n)
	}
	if n, oldest, err := s.SentSince(ctx, "console", now.Add(-time.Minute)); err != nil || n != 1 || !oldest.Equal(now) {
		t.Fatalf("SentSince = %d %v %v", n, oldest, err)
	}
	if recent, err := s.RecentAlerts(ctx, "console", now.Add(-time.Hour)); err != nil || len(recent) != 1 || recent[0].Ref != "ts-1" {
		t.Fatalf("RecentAlerts = %+v, %v", recent, err)
	}
}

func TestRollUpThreadsRepliesUnderTheSummary(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var ds []briefing.Delivery
	for _, k := range []string{"a1", "a2", "a3"} {
		ds = append(ds, briefing.Delivery{Key: k, Channel: "discord:9", Kind: "alert"})
	}
	ds = append(ds, briefing.Delivery{Key: "r3", Channel: "discord:9", Kind: "reply", ParentKey: "a3"})
	if _, err := s.EnqueueAlerts(ctx, 0, ds); err != nil {
		t.Fatal(err)
	}
	due, _ := s.DueDeliveries(ctx, "discord:", "me", now, 10)
	if err := s.MarkSent(ctx, due[0].ID, "m1", now); err != nil {
		t.Fatal(err)
	}
	// a1 is already sent: only a2 and a3 roll up.
	id, err := s.RollUp(ctx, briefing.Delivery{Key: "sum1", Channel: "discord:9", Kind: "summary"}, []int64{due[0].ID, due[1].ID, due[2].ID})
	if err != nil || id == 0 {
		t.Fatalf("RollUp = %d, %v", id, err)
	}
	due, _ = s.DueDeliveries(ctx, "discord:", "me", now, 10)
	if len(due) != 2 || due[0].Kind != "reply" || due[1].Key != "sum1" {
		t.Fatalf("due after roll-up = %+v", due)
	}
	if err := s.MarkSent(ctx, id, "m-sum", now); err != nil {
		t.Fatal(err)
	}
	r, _ := s.DeliveryByID(ctx, due[0].ID)
	if r.ParentStatus != briefing.DeliveryRolled || r.ThreadRef != "m-sum" {
		t.Fatalf("reply to a rolled alert: status %q thread %q; want rolled, m-sum", r.ParentStatus, r.ThreadRef)
	}
	if id, err := s.RollUp(ctx, briefing.Delivery{Key: "sum2", Channel: "discord:9", Kind: "summary"}, []int64{due[1].ID}); err != nil || id != 0 {
		t.Fatalf("RollUp of nothing pending = %d, %v; want 0", id, err)
	}
	if _, err := s.DeliveryByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeliveryByID(999): %v", err)
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

func TestMigrationStartsCursorAtTheNewestItem(t *testing.T) {
	// A fresh database starts at 0; one upgraded with items would start
	// at its newest, so old news never alerts (checked by the SQL itself:
	// the INSERT reads max(id) from items).
	s := openMem(t)
	if c, err := s.AlertCursor(context.Background()); err != nil || c != 0 {
		t.Fatalf("AlertCursor = %d, %v", c, err)
	}
}

func TestItemsStoredBetween(t *testing.T) {
	s := openMem(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	late := newsItem("a", "late", "https://x/late", "Published before, stored in the window", "", at.Add(-30*time.Hour))
	late.FirstSeen = at.Add(time.Hour)
	before := newsItem("a", "before", "https://x/before", "Stored before the window", "", at.Add(-2*time.Hour))
	before.FirstSeen = at.Add(-time.Hour)
	ancient := newsItem("a", "ancient", "https://x/ancient", "Too old to be news", "", at.Add(-30*24*time.Hour))
	ancient.FirstSeen = at.Add(time.Hour)
	save(t, s, fetched("a", at, late, before, ancient))
	got, err := s.ItemsStoredBetween(context.Background(), at, at.Add(24*time.Hour), at.Add(-7*24*time.Hour))
	if err != nil || len(got) != 1 || got[0].Key != "late" {
		t.Fatalf("ItemsStoredBetween = %+v, %v; want only the late-stored item", got, err)
	}
}
