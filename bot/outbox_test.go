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
	"github.com/sahelbrief/sahelbrief/internal/storytest"
	"github.com/sahelbrief/sahelbrief/store"
)

// The alert and outbox tests run over the real store (in memory): the
// exactly-once guarantees live in its transactions.

var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

type outboxEnv struct {
	t     *testing.T
	st    *store.Store
	clock *fakeClock
	al    *Alerter
	disp  *Dispatcher
	out   *recorder
	n     int
}

func newOutboxEnv(t *testing.T) *outboxEnv {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := newFakeClock(t0)
	st.Now = c.Now
	g := tagger.DefaultGazetteer()
	engine, err := story.New(g, story.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.SetStoryAssigner(engine)
	rec := &recorder{}
	e := &outboxEnv{t: t, st: st, clock: c, out: rec,
		al: &Alerter{Store: st, Gazetteer: g, Clock: c}}
	b := New(st, g, nil, Limits{})
	b.Now = c.Now
	e.disp = &Dispatcher{Store: st, Clock: c, Platforms: map[string]Deliverer{"console": rec, "slack:": rec}, Digest: b.ScheduledDigest, AlertsPerMinute: 3}
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
			Title: title, Outlet: outlet, Lang: "en", Published: e.clock.Now(), FirstSeen: e.clock.Now(), DateFromFeed: true}
		g.TagItem(&it)
		items = append(items, it)
	}
	saved, err := e.st.SaveFetched(context.Background(), []briefing.Fetched{{
		State: briefing.SourceState{Name: outlet, URL: "https://" + outlet + ".example/feed", LastAttempt: e.clock.Now(),
			LastSuccess: e.clock.Now(), LastStatus: briefing.StatusOK}, Items: items}})
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
	wait := next.Sub(e.clock.Now())
	e.clock.Set(next)
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

func TestAlertsOncePerStoryWithLaterOutletsInTheThread(t *testing.T) {
	e := newOutboxEnv(t)
	e.add("Old", "Jihadists attack army camp in Mali before anyone subscribed")
	e.subscribe("console", "country:mali attack")
	e.subscribe("console", "soldiers")
	e.subscribe("slack:C1", "country:niger")
	if n := e.process(); n != 0 {
		t.Fatalf("items from before the subscriptions queued %d alerts", n)
	}
	e.clock.Advance(time.Minute)
	e.add("Reuters", boulkessiReuters, niameyProtest)
	e.process()
	e.drain()
	wantPosts(t, e.out.kinds(),
		"alert console: "+boulkessiReuters,
		"alert slack:C1: "+niameyProtest,
	)
	first := e.out.posted[0].msg.Alerts[0]
	if len(first.Queries) != 2 || first.Queries[0] != "country:mali attack" {
		t.Errorf("alert queries = %q; want both matching subscriptions", first.Queries)
	}
	if len(first.Countries) == 0 || first.Countries[0].Name != "Mali" {
		t.Errorf("alert countries = %+v", first.Countries)
	}
	// Two more outlets report it, one twice: one reply per new outlet,
	// in the alert's thread; nothing new at top level.
	e.clock.Advance(10 * time.Minute)
	e.add("AFP", boulkessiAFP)
	e.add("Reuters", "Update: jihadists attack Boulkessi army camp in Mali, dozens of soldiers killed")
	e.process()
	e.drain()
	e.clock.Advance(10 * time.Minute)
	e.add("RFI", boulkessiRFI)
	e.process()
	e.drain()
	got := e.out.kinds()
	wantPosts(t, got[2:],
		"reply console: "+boulkessiAFP+" (in ref1)",
		"reply console: "+boulkessiRFI+" (in ref1)",
	)
	last := e.out.posted[3].msg.Alerts[0]
	if fmt.Sprint(last.Outlets) != "[Reuters AFP RFI]" {
		t.Errorf("reply outlets = %v; want the thread's outlets so far", last.Outlets)
	}
	if n := e.process(); n != 0 {
		t.Errorf("a second pass queued %d deliveries; items are matched once", n)
	}
}

func TestBackfillAlertsOnRecentItems(t *testing.T) {
	e := newOutboxEnv(t)
	items := e.add("Reuters", boulkessiReuters, niameyProtest)
	sub := e.subscribe("console", "boulkessi")
	if n := e.process(); n != 0 {
		t.Fatalf("live path queued %d for items before the subscription", n)
	}
	n, err := e.al.Backfill(context.Background(), sub, items)
	if err != nil || n != 1 {
		t.Fatalf("Backfill = %d, %v; want 1", n, err)
	}
	if n, _ := e.al.Backfill(context.Background(), sub, items); n != 0 {
		t.Fatalf("second Backfill queued %d; want 0", n)
	}
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
}

// A backfill posts one alert per story, with every outlet that told it
// (no thread of replies for past news), the most important story first,
// and counts stories.
func TestBackfillPostsStoriesMostImportantFirst(t *testing.T) {
	e := newOutboxEnv(t)
	var items []briefing.Item
	items = append(items, e.add("Reuters", niameyProtest)...)
	e.clock.Advance(10 * time.Minute)
	items = append(items, e.add("Reuters", boulkessiReuters)...)
	items = append(items, e.add("AFP", boulkessiAFP)...)
	items = append(items, e.add("RFI", boulkessiRFI)...)
	sub := e.subscribe("console", "mali OR niger")
	n, err := e.al.Backfill(context.Background(), sub, items)
	if err != nil || n != 2 {
		t.Fatalf("Backfill = %d, %v; want 2 stories", n, err)
	}
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters, "alert console: "+niameyProtest)
	if got := fmt.Sprint(e.out.posted[0].msg.Alerts[0].Outlets); got != "[Reuters AFP RFI]" {
		t.Errorf("backfilled alert outlets %s, want every outlet of the story", got)
	}
}

// A report of a story whose alert is rolled into the summary is folded
// in too: its outlet joins the story's line, and it is not posted on its
// own in the summary's thread.
func TestSummaryFoldsRepliesOfRolledAlerts(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali OR niger")
	e.clock.Advance(time.Second)
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
	e.clock.Advance(2 * time.Minute)
	e.drain()
	if n := len(e.out.kinds()); n != 3 {
		t.Errorf("posted %d, want the folded reply never posted: %v", n, e.out.kinds())
	}
}

func TestChannelRateLimitRollsTheRestIntoASummary(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "niger")
	e.clock.Advance(time.Second)
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
	e.clock.Advance(61 * time.Second)
	e.drain()
	wantPosts(t, e.out.kinds()[3:], "alert console: Niger junta names new prime minister in Niamey")
}

func TestOutageRetriesWithBackoffAndLosesNothing(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali")
	e.clock.Advance(time.Second)
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
	e := newOutboxEnv(t)
	obs := &rateObserver{}
	e.disp.Observer = obs
	e.subscribe("console", "mali")
	e.clock.Advance(time.Second)
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
}

func TestPermanentErrorsGiveUpAndRepliesFollowTheirAlert(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali")
	e.clock.Advance(time.Second)
	e.add("Reuters", boulkessiReuters)
	e.add("AFP", boulkessiAFP)
	e.process()
	e.out.fail = Permanent(errors.New("channel_not_found"))
	e.drain() // the alert fails for good; its reply waits for it
	e.clock.Advance(6 * time.Second)
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
}

func TestResumeAfterACrashDoesNotPostTwice(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "mali")
	e.clock.Advance(time.Second)
	e.add("Reuters", boulkessiReuters)
	e.process()
	ctx := context.Background()
	due, _ := e.st.DueDeliveries(ctx, "console", "crashed", e.clock.Now(), 10)
	// A crash after the post but before it was recorded: the attempt was
	// counted and claimed by the crashed process, the message is out, the
	// row still pending.
	if _, err := e.st.ClaimDelivery(ctx, due[0].ID, "crashed", e.clock.Now(), time.Minute); err != nil {
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
	e.clock.Advance(time.Minute)
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
	if e.out.resumes != 1 {
		t.Errorf("resumes = %d; want 1", e.out.resumes)
	}
	d, _ := e.st.DeliveryByID(ctx, due[0].ID)
	if d.Status != briefing.DeliverySent || d.Ref != "ref1" {
		t.Errorf("after resume: %+v", d)
	}
}

func TestScheduledDigestIsLateAfterAnOutageAndWindowsChain(t *testing.T) {
	e := newOutboxEnv(t)
	ctx := context.Background()
	e.add("Reuters", boulkessiReuters)
	slot := e.clock.Now().Add(time.Hour)
	if err := e.st.SetDigestSchedule(ctx, briefing.DigestSchedule{Channel: "slack:C9", Cron: "0 9 * * *", TZ: "Africa/Bamako", Country: "mali", UpdatedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s := &Scheduler{Store: e.st, Clock: e.clock}
	e.clock.Set(slot)
	s.Tick(ctx)
	e.out.fail = errors.New("slack is down")
	e.drain()
	e.clock.Advance(10 * time.Minute)
	e.out.fail = nil
	e.drain()
	got := e.out.posted
	if len(got) != 1 || got[0].msg.Kind != KindDigest || !got[0].msg.Late {
		t.Fatalf("posted %+v; want one late digest", e.out.kinds())
	}
	m := got[0].msg
	if m.Digest.Filter.Country != "mali" || m.Digest.TotalItems != 1 || m.Scheduled.Location().String() != "Africa/Bamako" {
		t.Errorf("digest filter %+v, %d items, scheduled in %v", m.Digest.Filter, m.Digest.TotalItems, m.Scheduled.Location())
	}
	if !m.Digest.Until.Equal(slot) || !m.Digest.Since.Equal(slot.Add(-24*time.Hour)) {
		t.Errorf("window %v–%v; want the 24h before the slot", m.Digest.Since, m.Digest.Until)
	}
	// A source back from an outage delivers a report published before
	// the first digest: it belongs in the next one, which shows what
	// arrived since.
	late := briefing.Item{Source: "Studio Tamani", Key: "late", URL: "https://tamani.example/late", Title: "Mali: Boulkessi toll rises, army says",
		Outlet: "Studio Tamani", Published: slot.Add(-2 * time.Hour), FirstSeen: slot.Add(3 * time.Hour), DateFromFeed: true, Countries: []string{"mali"}}
	e.clock.Set(slot.Add(3 * time.Hour))
	if _, err := e.st.SaveFetched(ctx, []briefing.Fetched{{State: briefing.SourceState{Name: "Studio Tamani", URL: "https://tamani.example/feed"},
		Items: []briefing.Item{late}}}); err != nil {
		t.Fatal(err)
	}
	// The next day's digest starts where this one ended and is on time.
	e.clock.Set(slot.Add(24 * time.Hour))
	s.Tick(ctx)
	e.drain()
	if len(e.out.posted) != 2 {
		t.Fatalf("posted %q", e.out.kinds())
	}
	next := e.out.posted[1].msg
	if next.Late || !next.Digest.Since.Equal(slot) {
		t.Errorf("next digest late=%v since %v; want on time from %v", next.Late, next.Digest.Since, slot)
	}
	if next.Digest.TotalItems != 1 || len(next.Digest.Headlines)+len(next.Digest.Sections) == 0 {
		t.Errorf("next digest holds %d items; want the late report", next.Digest.TotalItems)
	}
}

func TestSubscribeBackfillCommand(t *testing.T) {
	e := newOutboxEnv(t)
	e.add("Reuters", boulkessiReuters, niameyProtest)
	e.clock.Advance(time.Hour)
	b := New(e.st, tagger.DefaultGazetteer(), nil, Limits{})
	b.Now, b.Alerter = e.clock.Now, e.al
	changed := 0
	b.Changed = func() { changed++ }
	for _, tt := range []struct {
		text, want string
		err        bool
	}{
		{"subscribe --backfill 24h boulkessi", "Posting 1 story from the last 1d, the most important first.", false},
		{"subscribe --backfill=3h country:niger", "Posting 1 story from the last 3h", false},
		{"subscribe --backfill 30m mali", "Nothing in the last 30m matches it yet.", false},
		{"subscribe ecowas", "new stories matching `ecowas` will be posted here.", false},
		{"subscribe --backfill 99x kidal", `"99x" is not a time window`, true},
		{"subscribe kidal --backfill", "--backfill needs a window", true},
	} {
		resp := b.Handle(context.Background(), Request{Channel: "console", Text: tt.text, CanManage: true})
		if resp.Err != tt.err || !strings.Contains(resp.Text, tt.want) {
			t.Errorf("%q → %q (err %v); want %q", tt.text, resp.Text, resp.Err, tt.want)
		}
	}
	if changed != 4 {
		t.Errorf("Changed called %d times; want 4", changed)
	}
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters, "alert console: "+niameyProtest)
	// The live path does not alert them again.
	if n := e.process(); n != 0 {
		t.Errorf("live pass after backfill queued %d", n)
	}
}

func TestOldNewsAndUnreachableChannelsAreNotAlerted(t *testing.T) {
	e := newOutboxEnv(t)
	e.subscribe("console", "boulkessi OR niamey")
	e.subscribe("discord:42", "boulkessi")
	e.al.Deliverable = func(ch string) bool { return ch == "console" }
	e.clock.Advance(time.Second)
	// A new source's backlog: published three days before it was stored.
	g := tagger.DefaultGazetteer()
	old := briefing.Item{Source: "Archive", Key: "old", URL: "https://archive.example/1", Title: niameyProtest, Outlet: "Archive",
		Published: e.clock.Now().Add(-72 * time.Hour), FirstSeen: e.clock.Now(), DateFromFeed: true}
	g.TagItem(&old)
	if _, err := e.st.SaveFetched(context.Background(), []briefing.Fetched{{State: briefing.SourceState{Name: "Archive", URL: "https://archive.example/feed"},
		Items: []briefing.Item{old}}}); err != nil {
		t.Fatal(err)
	}
	e.add("Reuters", boulkessiReuters)
	e.process()
	e.drain()
	wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
	if ds, _ := e.st.Deliveries(context.Background(), "discord:42"); len(ds) != 0 {
		t.Errorf("queued %d deliveries for a platform that is not configured", len(ds))
	}
}

// When a report links two stories that were alerted apart, it and later
// reports reply in the thread of the earlier alert, whichever story
// survives the merge: threads follow merges.
func TestAlertThreadsFollowMerges(t *testing.T) {
	e := newOutboxEnv(t)
	e.st.SetStoryAssigner(storytest.NewPrefixAssigner())
	e.subscribe("console", "mali")
	e.clock.Advance(time.Minute)
	e.add("Reuters", "s1 Niger: an opening report nobody subscribed to") // story 1, no alert
	e.add("AFP", "s2 Mali: soldiers killed in the north")                // story 2, alert ref1
	e.process()
	e.drain()
	e.clock.Advance(time.Minute)
	e.add("AP", "s1 Mali: attack on Boulkessi camp") // story 1, its first alert: ref2
	e.process()
	e.drain()
	e.clock.Advance(time.Minute)
	// Links story 2 to story 1: story 2 merges into story 1, and the
	// report goes to the thread of the story's earliest alert (ref1).
	e.add("RFI", "s2+s1 Mali: the Boulkessi attack killed dozens of soldiers")
	e.process()
	e.drain()
	wantPosts(t, e.out.kinds(),
		"alert console: s2 Mali: soldiers killed in the north",
		"alert console: s1 Mali: attack on Boulkessi camp",
		"reply console: s2+s1 Mali: the Boulkessi attack killed dozens of soldiers (in ref1)",
	)
}
