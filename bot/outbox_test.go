package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/store"
)

// The alert and outbox tests run over the real store (in memory): the
// exactly-once guarantees live in its transactions.

var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

type outboxEnv struct {
	t    *testing.T
	st   *store.Store
	al   *Alerter
	disp *Dispatcher
	out  *recorder
	n    int
}

func newOutboxEnv(t *testing.T) *outboxEnv {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := tagger.DefaultGazetteer()
	engine, err := story.New(g, story.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.SetStoryAssigner(engine)
	rec := &recorder{}
	e := &outboxEnv{t: t, st: st, out: rec,
		al: &Alerter{Store: st, Gazetteer: g}}
	b := New(st, g, nil, Limits{})
	e.disp = &Dispatcher{Store: st, Platforms: map[string]Deliverer{"console": rec, "slack:": rec}, Digest: b.ScheduledDigest, AlertsPerMinute: 3}
	return e
}

// add stores items from one outlet, tagged, and returns them with ids.
func (e *outboxEnv) add(outlet string, titles ...string) []briefing.Item {
	e.t.Helper()
	g := tagger.DefaultGazetteer()
	var items []briefing.Item
	for _, title := range titles {
		e.n++
		it := briefing.Item{Source: outlet, Key: fmt.Sprintf("k%d", e.n), URL: fmt.Sprintf("https://%s.example/%d", outlet, e.n),
			Title: title, Outlet: outlet, Lang: "en", Published: time.Now(), FirstSeen: time.Now(), DateFromFeed: true}
		g.TagItem(&it)
		items = append(items, it)
	}
	saved, err := e.st.SaveFetched(context.Background(), []briefing.Fetched{{
		State: briefing.SourceState{Name: outlet, URL: "https://" + outlet + ".example/feed", LastAttempt: time.Now(),
			LastSuccess: time.Now(), LastStatus: briefing.StatusOK}, Items: items}})
	if err != nil {
		e.t.Fatal(err)
	}
	return saved[0].New
}

func (e *outboxEnv) subscribe(channel, query string) briefing.Subscription {
	e.t.Helper()
	sub, err := e.st.AddSubscription(context.Background(), briefing.Subscription{Channel: channel, Query: query}, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func (e *outboxEnv) process() int {
	e.t.Helper()
	n, err := e.al.Process(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// drain sends everything due on every platform.
func (e *outboxEnv) drain() {
	e.t.Helper()
	// In a fixed order (console first), so refs are predictable.
	for _, prefix := range []string{"console", "slack:"} {
		if _, err := e.disp.Drain(context.Background(), prefix, e.disp.Platforms[prefix]); err != nil {
			e.t.Fatal(err)
		}
	}
}

// drainAndWait drains the outbox, expecting the console delivery to stay
// pending, and moves the clock to its next attempt, returning the wait.
func (e *outboxEnv) drainAndWait(when string) time.Duration {
	e.t.Helper()
	e.drain()
	next, ok, err := e.st.NextDue(context.Background(), "console", e.disp.Owner)
	if err != nil || !ok {
		e.t.Fatalf("nothing pending %s: %v", when, err)
	}
	wait := time.Until(next)
	setClock(e.t, next)
	return wait
}

// recorder is a Deliverer that records what it is asked to post and can
// be made to fail.
type recorder struct {
	mu      sync.Mutex
	posted  []posted
	fail    error // returned while set
	resumes int
}

type posted struct {
	msg Message
	ref string
}

func (r *recorder) Deliver(_ context.Context, m Message, resume bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if resume {
		r.resumes++
		for _, p := range r.posted {
			if p.msg.Key == m.Key {
				return p.ref, nil // already there: found, not posted again
			}
		}
	}
	if r.fail != nil {
		return "", r.fail
	}
	ref := fmt.Sprintf("ref%d", len(r.posted)+1)
	r.posted = append(r.posted, posted{msg: m, ref: ref})
	return ref, nil
}

func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, p := range r.posted {
		s := string(p.msg.Kind) + " " + p.msg.Channel
		switch p.msg.Kind {
		case KindAlert, KindReply:
			s += ": " + p.msg.Alerts[0].Item.Title
		case KindSummary:
			s += fmt.Sprintf(": %d alerts", len(p.msg.Alerts))
		}
		if p.msg.ThreadOf != "" {
			s += " (in " + p.msg.ThreadOf + ")"
		}
		out = append(out, s)
	}
	return out
}

func wantPosts(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("posted %d messages:\n%q\nwant %d:\n%q", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d = %q; want %q", i, got[i], want[i])
		}
	}
}

const (
	boulkessiReuters = "Jihadists attack army camp in Boulkessi, Mali, killing dozens of soldiers"
	boulkessiAFP     = "Dozens of soldiers killed as jihadists attack Boulkessi army camp in Mali"
	boulkessiRFI     = "Mali: jihadists attack the Boulkessi army camp, dozens of soldiers killed"
	niameyProtest    = "Thousands rally in Niamey against ECOWAS sanctions on Niger"
)

// A report of a story whose alert is rolled into the summary is folded
// in too: its outlet joins the story's line, and it is not posted on its
// own in the summary's thread.
func TestSummaryFoldsRepliesOfRolledAlerts(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali OR niger")
		time.Sleep(time.Second)
		e.add("Reuters", "Niger junta suspends uranium exports from Arlit mine",
			"Orano loses control of its Somair subsidiary in Niger",
			"Flooding displaces thousands in the Agadez region of Niger",
			boulkessiReuters)
		e.add("AFP", boulkessiAFP)
		e.process()
		e.drain()
		got := e.out.kinds()
		wantPosts(t, got, "alert console: Niger junta suspends uranium exports from Arlit mine",
			"alert console: Orano loses control of its Somair subsidiary in Niger", "summary console: 2 alerts")
		sum := e.out.posted[2].msg.Alerts
		if last := sum[len(sum)-1]; last.Item.Title != boulkessiReuters || fmt.Sprint(last.Outlets) != "[Reuters AFP]" {
			t.Errorf("summary's Boulkessi line: %s %v, want both outlets", last.Item.Title, last.Outlets)
		}
		time.Sleep(2 * time.Minute)
		e.drain()
		if n := len(e.out.kinds()); n != 3 {
			t.Errorf("posted %d, want the folded reply never posted: %v", n, e.out.kinds())
		}
	})
}

func TestChannelRateLimitRollsTheRestIntoASummary(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "niger")
		time.Sleep(time.Second)
		titles := []string{
			"Niger junta suspends uranium exports from Arlit mine",
			"Orano loses control of its Somair subsidiary in Niger",
			"Oil pipeline from Niger to Benin shut after attack near border",
			"Tillaberi, Niger: gunmen kill villagers at a weekly market",
			"Niger and Mali sign electricity supply deal in Niamey",
			"Flooding displaces thousands in the Agadez region of Niger",
			"Diffa refugees return to Niger after Boko Haram lull",
			"Niger expels European Union ambassador",
		}
		e.add("ActuNiger", titles...)
		e.process()
		e.drain()
		// Budget 3 a minute: two alerts and one summary of the other six.
		got := e.out.kinds()
		wantPosts(t, got, "alert console: "+titles[0], "alert console: "+titles[1], "summary console: 6 alerts")
		// More news in the same minute waits for the minute to free up.
		e.add("ActuNiger", "Niger junta names new prime minister in Niamey")
		e.process()
		e.drain()
		if n := len(e.out.kinds()); n != 3 {
			t.Fatalf("posted %d within the minute; want 3", n)
		}
		time.Sleep(61 * time.Second)
		e.drain()
		wantPosts(t, e.out.kinds()[3:], "alert console: Niger junta names new prime minister in Niamey")
	})
}

func TestOutageRetriesWithBackoffAndLosesNothing(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali")
		time.Sleep(time.Second)
		e.add("Reuters", boulkessiReuters)
		e.process()
		var logs bytes.Buffer
		e.disp.Log = slog.New(slog.NewJSONHandler(&logs, nil))
		e.out.fail = errors.New("connection refused")
		var waits []time.Duration
		for range 5 {
			waits = append(waits, e.drainAndWait("during the outage"))
		}
		if fmt.Sprint(waits) != "[5s 10s 20s 40s 1m20s]" {
			t.Errorf("backoff = %v", waits)
		}
		// The waits are logged as durations, not nanoseconds.
		var logged []string
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec struct{ Msg, Retry_in string }
			if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "delivery failed; will retry" {
				logged = append(logged, rec.Retry_in)
			}
		}
		if fmt.Sprint(logged) != "[5s 10s 20s 40s 1m20s]" {
			t.Errorf("logged retry_in %q", logged)
		}
		e.out.fail = nil
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
		if e.out.resumes != 5 {
			t.Errorf("resumed %d times; want 5 (every attempt after the first looks before posting)", e.out.resumes)
		}
		ds, _ := e.st.Deliveries(context.Background(), "console")
		if len(ds) != 1 || ds[0].Status != briefing.DeliverySent || ds[0].Attempts != 6 {
			t.Fatalf("delivery = %+v", ds)
		}
	})
}

// rateLimited is a platform's rate limit asking to wait.
type rateLimited time.Duration

func (r rateLimited) Error() string             { return "rate limited" }
func (r rateLimited) RetryAfter() time.Duration { return time.Duration(r) }

// rateObserver records the rate limits the dispatcher reports.
type rateObserver struct{ waits []time.Duration }

func (o *rateObserver) CommandServed(string, string, time.Duration) {}
func (o *rateObserver) Delivered(string, Kind, error)               {}
func (o *rateObserver) RateLimited(_ string, wait time.Duration)    { o.waits = append(o.waits, wait) }

// The dispatcher owns the retries: a platform's rate limit that asks for
// longer than the backoff is waited out in full (and reported), a shorter
// one leaves the backoff as it is.
func TestRateLimitWaitIsHonoured(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		obs := &rateObserver{}
		e.disp.Observer = obs
		e.subscribe("console", "mali")
		time.Sleep(time.Second)
		e.add("Reuters", boulkessiReuters)
		e.process()
		var waits []time.Duration
		for _, fail := range []error{rateLimited(2 * time.Minute), rateLimited(time.Second), fmt.Errorf("slack: %w", rateLimited(7*time.Second))} {
			e.out.fail = fail
			waits = append(waits, e.drainAndWait("after a rate limit"))
		}
		if fmt.Sprint(waits) != "[2m0s 10s 20s]" {
			t.Errorf("waits = %v; want [2m0s 10s 20s] (the asked 2 min, then the backoff)", waits)
		}
		if fmt.Sprint(obs.waits) != "[2m0s]" {
			t.Errorf("reported rate limits %v; want the one that set the wait", obs.waits)
		}
		e.out.fail = nil
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
	})
}

func TestPermanentErrorsGiveUpAndRepliesFollowTheirAlert(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali")
		time.Sleep(time.Second)
		e.add("Reuters", boulkessiReuters)
		e.add("AFP", boulkessiAFP)
		e.process()
		e.out.fail = Permanent(errors.New("channel_not_found"))
		e.drain() // the alert fails for good; its reply waits for it
		time.Sleep(6 * time.Second)
		e.drain() // and then gives up too
		if got := e.out.kinds(); len(got) != 0 {
			t.Fatalf("posted %q; want nothing (the channel is gone)", got)
		}
		ds, _ := e.st.Deliveries(context.Background(), "console")
		if len(ds) != 2 {
			t.Fatalf("deliveries = %+v; want an alert and its reply", ds)
		}
		for _, d := range ds {
			if d.Status != briefing.DeliveryFailed {
				t.Errorf("%s %s: %s; want failed", d.Kind, d.Key, d.Status)
			}
		}
	})
}

func TestResumeAfterACrashDoesNotPostTwice(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali")
		time.Sleep(time.Second)
		e.add("Reuters", boulkessiReuters)
		e.process()
		ctx := context.Background()
		due, _ := e.st.DueDeliveries(ctx, "console", "crashed", time.Now(), 10)
		// A crash after the post but before it was recorded: the attempt was
		// counted and claimed by the crashed process, the message is out, the
		// row still pending.
		if _, err := e.st.ClaimDelivery(ctx, due[0].ID, "crashed", time.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		msg, _ := e.disp.message(ctx, due[0])
		if _, err := e.out.Deliver(ctx, msg, false); err != nil {
			t.Fatal(err)
		}
		// Its claim holds the delivery until it expires; then it is resumed.
		e.drain()
		if e.out.resumes != 0 || len(e.out.kinds()) != 1 {
			t.Fatalf("attempted under the crashed process's live claim: %v", e.out.kinds())
		}
		time.Sleep(time.Minute)
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
		if e.out.resumes != 1 {
			t.Errorf("resumes = %d; want 1", e.out.resumes)
		}
		d, _ := e.st.DeliveryByID(ctx, due[0].ID)
		if d.Status != briefing.DeliverySent || d.Ref != "ref1" {
			t.Errorf("after resume: %+v", d)
		}
	})
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
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali")
		time.Sleep(time.Second)
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
		time.Sleep(time.Minute)
		e.disp.Store = claimOnly{il}
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
		if len(il.claimed) != 1 || e.out.resumes != 1 {
			t.Fatalf("claims %v, resumes %d; want one claim and a resumed attempt", il.claimed, e.out.resumes)
		}
	})
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
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "mali OR niger")
		time.Sleep(time.Second)
		e.add("Reuters", boulkessiReuters, niameyProtest)
		e.add("AFP", boulkessiAFP)
		if n := e.process(); n < 2 {
			t.Fatalf("queued %d alerts; want at least 2", n)
		}
		e.disp.AlertsPerMinute = 60
		other := &Dispatcher{Store: e.st, Platforms: e.disp.Platforms, Digest: e.disp.Digest, AlertsPerMinute: 60}
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
	})
}
