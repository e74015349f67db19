package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

func newLeaseEnv(t *testing.T, s LeaseStore, owner string) *Lease {
	t.Helper()
	l := &Lease{Store: s, Name: briefing.LeaseBot, Owner: owner, TTL: 15 * time.Second}
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

// hold runs l.Hold until it returns, reporting its error.
func hold(l *Lease) (<-chan error, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Hold(ctx) }()
	return done, cancel
}

func memStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A heartbeat that finds the lease held by another (its clock jumped, the
// database was restored) returns ErrLeaseLost, for the bot to stop.
func TestLeaseHoldStopsWhenAnotherTookTheLease(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		st := memStore(t)
		l := newLeaseEnv(t, st, "a")
		done, cancel := hold(l)
		defer cancel()
		synctest.Wait()
		time.Sleep(5 * time.Second) // a renewal: the lease lives until t0+20s
		synctest.Wait()
		if _, err := st.AcquireLease(context.Background(), briefing.Lease{Name: briefing.LeaseBot, Owner: "b"}, t0.Add(10*time.Second),
			time.Minute); err == nil {
			t.Fatal("b took a lease renewed 5s before")
		}
		// b's clock is a minute ahead: for it, a's lease has expired.
		if _, err := st.AcquireLease(context.Background(), briefing.Lease{Name: briefing.LeaseBot, Owner: "b"}, t0.Add(time.Minute),
			time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		if err := <-done; !errors.Is(err, briefing.ErrLeaseLost) {
			t.Fatalf("Hold = %v; want ErrLeaseLost", err)
		}
	})
}

// failingRenewals is a LeaseStore whose renewals fail (the database is
// unreachable).
type failingRenewals struct {
	LeaseStore
	mu    sync.Mutex
	tries int
}

func (f *failingRenewals) RenewLease(context.Context, string, string, time.Time, time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	return errors.New("database is locked")
}

// Renewals that fail until the lease has run out stop the holder: someone
// may have taken the lease over meanwhile.
func TestLeaseHoldStopsWhenRenewalsFailUntilExpiry(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		f := &failingRenewals{LeaseStore: memStore(t)}
		l := newLeaseEnv(t, f, "a")
		done, cancel := hold(l)
		defer cancel()
		for range 2 {
			synctest.Wait()
			time.Sleep(5 * time.Second)
		}
		synctest.Wait() // two failures, the lease still has 5s: it keeps trying
		select {
		case err := <-done:
			t.Fatalf("Hold gave up before the lease ran out: %v", err)
		default:
		}
		time.Sleep(5 * time.Second)
		if err := <-done; err == nil || errors.Is(err, briefing.ErrLeaseLost) {
			t.Fatalf("Hold = %v; want the lease ran out", err)
		}
		if f.tries != 3 {
			t.Errorf("renewals tried = %d; want 3", f.tries)
		}
	})
}

func TestLeaseHoldEndsQuietlyWithItsContext(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		l := newLeaseEnv(t, memStore(t), "a")
		done, cancel := hold(l)
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Hold after cancel = %v; want nil", err)
		}
	})
}
