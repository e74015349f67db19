package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
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
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openMem(t)
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		time.Sleep(time.Until(now)) // the bubble's clock, which stamps rows, stands there
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
	})
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

func TestMigrationStartsCursorAtTheNewestItem(t *testing.T) {
	// A fresh database starts at 0; one upgraded with items would start
	// at its newest, so old news never alerts (checked by the SQL itself:
	// the INSERT reads max(id) from items).
	s := openMem(t)
	if c, err := s.AlertCursor(context.Background()); err != nil || c != 0 {
		t.Fatalf("AlertCursor = %d, %v", c, err)
	}
}

func pendingDelivery(t *testing.T, s *Store, key string) int64 {
	t.Helper()
	if _, err := s.EnqueueAlerts(context.Background(), 0, []briefing.Delivery{{Key: key, Channel: "slack:C1", Kind: "alert"}}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueDeliveries(context.Background(), "slack:", "", leaseT0.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.Key == key {
			return d.ID
		}
	}
	t.Fatalf("%s not due", key)
	return 0
}

func TestClaimHasOneWinnerAndExpiresForTheNext(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id := pendingDelivery(t, s, "alert:1")
	ttl := 15 * time.Second
	before, err := s.ClaimDelivery(ctx, id, "a", leaseT0, ttl)
	if err != nil || before != 0 {
		t.Fatalf("a's claim = %d, %v", before, err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "b", leaseT0.Add(time.Second), ttl); !errors.Is(err, ErrClaimed) {
		t.Fatalf("b's claim on a's live claim: %v; want ErrClaimed", err)
	}
	// A live claim of another owner hides the delivery from b, and says when it frees up.
	if due, _ := s.DueDeliveries(ctx, "slack:", "b", leaseT0.Add(time.Second), 10); len(due) != 0 {
		t.Fatalf("due for b under a's claim: %+v", due)
	}
	if next, ok, err := s.NextDue(ctx, "slack:", "b"); err != nil || !ok || !next.Equal(leaseT0.Add(ttl)) {
		t.Fatalf("NextDue for b = %v %v %v; want when a's claim expires", next, ok, err)
	}
	if due, _ := s.DueDeliveries(ctx, "slack:", "a", leaseT0.Add(time.Second), 10); len(due) != 1 {
		t.Fatalf("due for a, its owner: %d; want 1", len(due))
	}
	// a's lease heartbeat renews its claims.
	if _, err := s.AcquireLease(ctx, botLease("a", 1), leaseT0, ttl); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewLease(ctx, briefing.LeaseBot, "a", leaseT0.Add(10*time.Second), ttl); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "b", leaseT0.Add(20*time.Second), ttl); !errors.Is(err, ErrClaimed) {
		t.Fatalf("b's claim on a's renewed claim: %v; want ErrClaimed", err)
	}
	// a crashed: once its claim expired, b takes it and knows an attempt was made.
	before, err = s.ClaimDelivery(ctx, id, "b", leaseT0.Add(25*time.Second), ttl)
	if err != nil || before != 1 {
		t.Fatalf("b's claim after expiry = %d, %v; want 1 attempt before", before, err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "a", leaseT0.Add(26*time.Second), ttl); !errors.Is(err, ErrClaimed) {
		t.Fatalf("a's claim on b's: %v; want ErrClaimed", err)
	}
	// A retry frees the claim: anyone may take the next attempt.
	if err := s.MarkRetry(ctx, id, leaseT0.Add(30*time.Second), "http_503"); err != nil {
		t.Fatal(err)
	}
	if before, err := s.ClaimDelivery(ctx, id, "a", leaseT0.Add(31*time.Second), ttl); err != nil || before != 2 {
		t.Fatalf("a's claim after b's retry = %d, %v", before, err)
	}
	if err := s.MarkSent(ctx, id, "ts", leaseT0.Add(32*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "b", leaseT0.Add(time.Hour), ttl); !errors.Is(err, ErrNotFound) {
		t.Fatalf("claim of a sent delivery: %v; want ErrNotFound", err)
	}
}

// Two dispatchers on one file claim the same deliveries at once: each
// delivery is won by exactly one, and counted once.
func TestConcurrentClaimersNeverShareADelivery(t *testing.T) {
	s, path := openFile(t)
	other := openPath(t, path)
	var ids []int64
	for _, k := range []string{"alert:1", "alert:2", "alert:3", "alert:4", "alert:5", "alert:6"} {
		ids = append(ids, pendingDelivery(t, s, k))
	}
	won := map[string][]int64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for owner, st := range map[string]*Store{"a": s, "b": other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range ids {
				_, err := st.ClaimDelivery(context.Background(), id, owner, leaseT0, time.Minute)
				switch {
				case err == nil:
					mu.Lock()
					won[owner] = append(won[owner], id)
					mu.Unlock()
				case !errors.Is(err, ErrClaimed):
					t.Errorf("claim %d by %s: %v", id, owner, err)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(won["a"]) + len(won["b"]); n != len(ids) {
		t.Fatalf("claims won: %v; want each of %d deliveries won once", won, len(ids))
	}
	for _, id := range ids {
		d, err := s.DeliveryByID(context.Background(), id)
		if err != nil || d.Attempts != 1 {
			t.Errorf("delivery %d: attempts %d, %v; want 1", id, d.Attempts, err)
		}
	}
}

// An alert being attempted under another owner's live claim is not rolled
// into a summary (it would be posted twice: alone and in the summary).
func TestRollUpLeavesClaimedAlertsAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openMem(t)
		time.Sleep(time.Until(leaseT0)) // the bubble's clock, which stamps rows, stands there
		claimed := pendingDelivery(t, s, "alert:1")
		free := pendingDelivery(t, s, "alert:2")
		if _, err := s.ClaimDelivery(ctx, claimed, "other", leaseT0, time.Minute); err != nil {
			t.Fatal(err)
		}
		if id, err := s.RollUp(ctx, briefing.Delivery{Key: "sum1", Channel: "slack:C1", Kind: "summary"}, []int64{claimed}); err != nil || id != 0 {
			t.Fatalf("RollUp of a claimed alert = %d, %v; want nothing rolled", id, err)
		}
		if id, err := s.RollUp(ctx, briefing.Delivery{Key: "sum2", Channel: "slack:C1", Kind: "summary"}, []int64{claimed, free}); err != nil || id == 0 {
			t.Fatalf("RollUp = %d, %v", id, err)
		}
		for id, want := range map[int64]briefing.DeliveryStatus{claimed: briefing.DeliveryPending, free: briefing.DeliveryRolled} {
			if d, _ := s.DeliveryByID(ctx, id); d.Status != want {
				t.Errorf("delivery %s: %s; want %s", d.Key, d.Status, want)
			}
		}
	})
}
