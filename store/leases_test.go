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
