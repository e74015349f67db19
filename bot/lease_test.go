package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

func newLeaseEnv(t *testing.T, s LeaseStore, owner string) (*Lease, *fakeClock) {
	t.Helper()
	c := newFakeClock(t0)
	l := &Lease{Store: s, Name: briefing.LeaseBot, Owner: owner, TTL: 15 * time.Second, Clock: c}
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l, c
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
	st := memStore(t)
	l, c := newLeaseEnv(t, st, "a")
	done, cancel := hold(l)
	defer cancel()
	<-c.waiting
	c.Advance(5 * time.Second) // a renewal: the lease lives until t0+20s
	<-c.waiting
	if _, err := st.AcquireLease(context.Background(), briefing.Lease{Name: briefing.LeaseBot, Owner: "b"}, t0.Add(10*time.Second),
		time.Minute); err == nil {
		t.Fatal("b took a lease renewed 5s before")
	}
	// b's clock is a minute ahead: for it, a's lease has expired.
	if _, err := st.AcquireLease(context.Background(), briefing.Lease{Name: briefing.LeaseBot, Owner: "b"}, t0.Add(time.Minute),
		time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * time.Second)
	if err := <-done; !errors.Is(err, briefing.ErrLeaseLost) {
		t.Fatalf("Hold = %v; want ErrLeaseLost", err)
	}
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
	f := &failingRenewals{LeaseStore: memStore(t)}
	l, c := newLeaseEnv(t, f, "a")
	done, cancel := hold(l)
	defer cancel()
	for range 2 {
		<-c.waiting
		c.Advance(5 * time.Second)
	}
	<-c.waiting // two failures, the lease still has 5s: it keeps trying
	select {
	case err := <-done:
		t.Fatalf("Hold gave up before the lease ran out: %v", err)
	default:
	}
	c.Advance(5 * time.Second)
	if err := <-done; err == nil || errors.Is(err, briefing.ErrLeaseLost) {
		t.Fatalf("Hold = %v; want the lease ran out", err)
	}
	if f.tries != 3 {
		t.Errorf("renewals tried = %d; want 3", f.tries)
	}
}

func TestLeaseHoldEndsQuietlyWithItsContext(t *testing.T) {
	l, c := newLeaseEnv(t, memStore(t), "a")
	done, cancel := hold(l)
	<-c.waiting
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Hold after cancel = %v; want nil", err)
	}
}

// interloper is a DeliveryStore where another process claims every due
// delivery between the dispatcher's look-up and its claim.
type interloper struct {
	*store.Store
	claimed map[int64]bool // the dispatcher's successful claims
	mu      sync.Mutex
}

func (s *interloper) DueDeliveries(ctx context.Context, prefix, owner string, now time.Time, limit int) ([]briefing.Delivery, error) {
	due, err := s.Store.DueDeliveries(ctx, prefix, owner, now, limit)
	for _, d := range due {
		if _, err := s.Store.ClaimDelivery(ctx, d.ID, "other-process", now, time.Minute); err != nil {
			return nil, err
		}
	}
	return due, err
}

func (s *interloper) ClaimDelivery(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (int, error) {
	n, err := s.Store.ClaimDelivery(ctx, id, owner, now, ttl)
	if err == nil {
		s.mu.Lock()
		s.claimed[id] = true
		s.mu.Unlock()
	}
	return n, err
}

// The dispatcher attempts only the deliveries it claimed: when another
// process wins the claim, nothing is posted, and once that claim expires
// (the other crashed) the delivery is resumed.
func TestDispatcherNeverAttemptsAnUnclaimedDelivery(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali")
	e.clock.Advance(time.Second)
	e.add("Reuters", boulkessiReuters)
	e.process()
	il := &interloper{Store: e.st, claimed: map[int64]bool{}}
	e.disp.Store = il
	e.drain()
	wantPosts(t, e.out.kinds())
	if len(il.claimed) != 0 {
		t.Fatalf("the dispatcher claimed %v under another's live claim", il.claimed)
	}
	// The other process never finished: its claim expires and ours is
	// taken, as a resumed attempt (it may have posted).
	e.clock.Advance(time.Minute)
	e.disp.Store = claimOnly{il}
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
	if len(il.claimed) != 1 || e.out.resumes != 1 {
		t.Fatalf("claims %v, resumes %d; want one claim and a resumed attempt", il.claimed, e.out.resumes)
	}
}

// claimOnly records the dispatcher's claims without interfering.
type claimOnly struct{ *interloper }

func (s claimOnly) DueDeliveries(ctx context.Context, prefix, owner string, now time.Time, limit int) ([]briefing.Delivery, error) {
	return s.Store.DueDeliveries(ctx, prefix, owner, now, limit)
}

// gate is a Deliverer that holds its first post until released.
type gate struct {
	Deliverer
	entered, release chan struct{}
	once             sync.Once
}

func (g *gate) Deliver(ctx context.Context, m Message, resume bool) (string, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.Deliverer.Deliver(ctx, m, resume)
}

// Two dispatchers draining one outbox at once (two bots on one database,
// as the probe ran them) post each delivery once: while the first is
// posting a delivery, the second drains the outbox and leaves that one to
// the first's claim.
func TestTwoDispatchersPostEachDeliveryOnce(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali OR niger")
	e.clock.Advance(time.Second)
	e.add("Reuters", boulkessiReuters, niameyProtest)
	e.add("AFP", boulkessiAFP)
	if n := e.process(); n < 2 {
		t.Fatalf("queued %d alerts; want at least 2", n)
	}
	e.disp.AlertsPerMinute = 60
	other := &Dispatcher{Store: e.st, Clock: e.clock, Platforms: e.disp.Platforms, Digest: e.disp.Digest, AlertsPerMinute: 60}
	g := &gate{Deliverer: e.out, entered: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := e.disp.Drain(context.Background(), "console", g)
		done <- err
	}()
	<-g.entered // the first is posting (its claim taken)
	if _, err := other.Drain(context.Background(), "console", e.out); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, p := range e.out.posted {
		seen[p.msg.Key]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s posted %d times", k, n)
		}
	}
	if pending, _ := e.st.PendingCount(context.Background()); pending != 0 || len(seen) < 2 {
		t.Errorf("posted %v, %d still pending", seen, pending)
	}
}
