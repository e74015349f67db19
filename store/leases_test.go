package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

var leaseT0 = time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)

func botLease(owner string, pid int) briefing.Lease {
	return briefing.Lease{Name: briefing.LeaseBot, Owner: owner, Host: "h1", PID: pid}
}

func TestLeaseIsRefusedWhileLiveAndTakenOverOnceExpired(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	ttl := 15 * time.Second
	if prev, err := s.AcquireLease(ctx, botLease("a", 1), leaseT0, ttl); err != nil || prev.Owner != "" {
		t.Fatalf("first acquire = %+v, %v", prev, err)
	}
	// Its own owner may take it again (a retry).
	if _, err := s.AcquireLease(ctx, botLease("a", 1), leaseT0.Add(time.Second), ttl); err != nil {
		t.Fatalf("acquire again by its owner: %v", err)
	}
	_, err := s.AcquireLease(ctx, botLease("b", 2), leaseT0.Add(10*time.Second), ttl)
	var held *briefing.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.Owner != "a" || held.Holder.PID != 1 || held.Holder.Host != "h1" ||
		!held.Holder.Acquired.Equal(leaseT0) {
		t.Fatalf("acquire of a live lease: %v (%+v); want held by a, pid 1 on h1 since t0", err, held)
	}
	// A renewal keeps it alive past the first expiry.
	if err := s.RenewLease(ctx, briefing.LeaseBot, "a", leaseT0.Add(10*time.Second), ttl); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, botLease("b", 2), leaseT0.Add(20*time.Second), ttl); !errors.As(err, &held) {
		t.Fatalf("acquire after a renewal: %v; want refused", err)
	}
	// a stops renewing (killed): once expired, b takes it over and learns from whom.
	prev, err := s.AcquireLease(ctx, botLease("b", 2), leaseT0.Add(25*time.Second), ttl)
	if err != nil || prev.Owner != "a" || prev.PID != 1 {
		t.Fatalf("takeover = %+v, %v; want the previous holder a", prev, err)
	}
	// a wakes up: its renewal fails, naming the new holder.
	err = s.RenewLease(ctx, briefing.LeaseBot, "a", leaseT0.Add(26*time.Second), ttl)
	if !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("renewal of a lost lease: %v; want ErrLeaseLost", err)
	}
	// Releasing a lease one no longer holds changes nothing.
	if err := s.ReleaseLease(ctx, briefing.LeaseBot, "a"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Lease(ctx, briefing.LeaseBot); err != nil || l.Owner != "b" {
		t.Fatalf("lease after a's release = %+v, %v; want still b's", l, err)
	}
	if err := s.ReleaseLease(ctx, briefing.LeaseBot, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, botLease("c", 3), leaseT0.Add(27*time.Second), ttl); err != nil {
		t.Fatalf("acquire after a release: %v", err)
	}
}

// Two processes starting at once on one file: exactly one gets the lease.
func TestLeaseHasOneWinnerAmongConcurrentStarts(t *testing.T) {
	_, path := openFile(t)
	const n = 4
	var wg sync.WaitGroup
	wins := make(chan string, n)
	for i := range n {
		s := openPath(t, path)
		owner := string(rune('a' + i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AcquireLease(context.Background(), botLease(owner, i), leaseT0, time.Minute); err == nil {
				wins <- owner
			} else if !errors.As(err, new(*briefing.LeaseHeldError)) {
				t.Errorf("acquire %s: %v", owner, err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	if got := len(wins); got != 1 {
		t.Fatalf("%d processes got the lease; want 1", got)
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

func TestReleaseFreesTheOwnersClaims(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id := pendingDelivery(t, s, "alert:1")
	if _, err := s.AcquireLease(ctx, botLease("a", 1), leaseT0, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "a", leaseT0, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseLease(ctx, briefing.LeaseBot, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, id, "b", leaseT0.Add(time.Second), time.Minute); err != nil {
		t.Fatalf("claim after the holder released: %v", err)
	}
}

// An alert being attempted under another owner's live claim is not rolled
// into a summary (it would be posted twice: alone and in the summary).
func TestRollUpLeavesClaimedAlertsAlone(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	s.Now = func() time.Time { return leaseT0 }
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
}
