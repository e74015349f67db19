package bot

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
)

// versionedStore is the fake store telling a content version, counting the
// digests and searches it is asked to build, and able to hold them (gate)
// until a test lets them go.
type versionedStore struct {
	*fakeStore
	version  atomic.Int64
	builds   atomic.Int64
	searched atomic.Int64
	gate     chan struct{} // when set, StorySummaries waits on it
	started  chan struct{} // when set, StorySummaries says it started
	failNext atomic.Bool
}

func (v *versionedStore) ContentVersion(context.Context) (int64, error) { return v.version.Load(), nil }

func (v *versionedStore) StorySummaries(ctx context.Context, since, until time.Time, f briefing.Filter) ([]briefing.StorySummary, error) {
	v.builds.Add(1)
	if v.started != nil {
		v.started <- struct{}{}
	}
	if v.gate != nil {
		select {
		case <-v.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if v.failNext.Swap(false) {
		return nil, errors.New("disk I/O error")
	}
	return v.fakeStore.StorySummaries(ctx, since, until, f)
}

func (v *versionedStore) Search(ctx context.Context, q *query.Query, limit int) ([]briefing.Item, error) {
	v.searched.Add(1)
	return v.fakeStore.Search(ctx, q, limit)
}

func newCachingBot(t *testing.T) (*Bot, *versionedStore, *time.Time) {
	t.Helper()
	b, fs := newTestBot(t)
	vs := &versionedStore{fakeStore: fs}
	b.Store = vs
	clock := now
	b.Now = func() time.Time { return clock }
	return b, vs, &clock
}

func TestAnswersReusedUntilTheStoreChanges(t *testing.T) {
	b, st, clock := newCachingBot(t)
	first := ask(b, "brief", false)
	if first.Digest == nil || first.Err {
		t.Fatalf("brief: %+v", first)
	}
	ask(b, "brief", false)
	if n := st.builds.Load(); n != 1 {
		t.Fatalf("two identical briefs built %d digests, want 1", n)
	}
	// Another window or filter is another answer.
	ask(b, "brief 48h", false)
	ask(b, "country mali", false)
	ask(b, "actor wagner", false)
	if n := st.builds.Load(); n != 4 {
		t.Errorf("after three other commands: %d builds, want 4", n)
	}
	// New items: the next brief is built anew and shows them.
	st.items = append(st.items, briefing.Item{ID: 9, Source: "desk", Outlet: "Desk", Key: "9", URL: "https://news.example/9",
		Title: "Tchad : Mahamat Déby remanie le gouvernement", Published: now.Add(-time.Hour), Countries: []string{"chad"}})
	st.version.Add(1)
	if got := stories(ask(b, "brief", false).Digest); !containsTitle(got, "Tchad") {
		t.Errorf("brief after new items %v lacks the new story", got)
	}
	if n := st.builds.Load(); n != 5 {
		t.Errorf("after the store changed: %d builds, want 5", n)
	}
	// A minute later, the window has moved: built anew.
	*clock = clock.Add(DefaultAnswerTTL)
	ask(b, "brief", false)
	if n := st.builds.Load(); n != 6 {
		t.Errorf("a minute later: %d builds, want 6", n)
	}
	// Source health is read every time, never cached.
	st.states = map[string]briefing.SourceState{"Desk": {Name: "Desk", LastStatus: briefing.StatusError,
		LastAttempt: clock.Add(-time.Minute), LastError: "HTTP 503"}}
	if d := ask(b, "brief", false).Digest; len(d.Failed) != 1 || d.Failed[0].Name != "Desk" {
		t.Errorf("cached brief's failed sources %+v, want Desk", d.Failed)
	}
	if n := st.builds.Load(); n != 6 {
		t.Errorf("a source's failure rebuilt the stories: %d builds, want 6", n)
	}
}

func TestAnswerTTLZeroBuildsEveryAnswer(t *testing.T) {
	b, st, _ := newCachingBot(t)
	b.AnswerTTL = 0
	ask(b, "brief", false)
	ask(b, "brief", false)
	ask(b, "search coup", false)
	ask(b, "search coup", false)
	if n, s := st.builds.Load(), st.searched.Load(); n != 2 || s != 2 {
		t.Errorf("with AnswerTTL 0: %d digests and %d searches built for two of each, want 2 and 2", n, s)
	}
}

func containsTitle(titles []string, sub string) bool {
	return slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, sub) })
}

func TestSearchAnswersReused(t *testing.T) {
	b, st, _ := newCachingBot(t)
	for range 3 {
		if r := ask(b, "search junta", false); r.Digest == nil || r.Err {
			t.Fatalf("search: %+v", r)
		}
	}
	ask(b, "search Wagner", false)
	if n := st.searched.Load(); n != 2 {
		t.Errorf("3 identical searches and another: %d searches, want 2", n)
	}
	st.version.Add(1)
	ask(b, "search junta", false)
	if n := st.searched.Load(); n != 3 {
		t.Errorf("after the store changed: %d searches, want 3", n)
	}
}

// TestConcurrentRequestsShareOneBuild: a burst of the same command waits
// for one build instead of running it once each.
func TestConcurrentRequestsShareOneBuild(t *testing.T) {
	b, st, _ := newCachingBot(t)
	st.gate, st.started = make(chan struct{}), make(chan struct{}, 1)
	const n = 20
	var wg sync.WaitGroup
	results := make([]Response, n)
	wg.Add(1)
	go func() { defer wg.Done(); results[0] = ask(b, "country niger", false) }()
	<-st.started // the first request is building
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = ask(b, "country niger", false) }()
	}
	// Let the build finish only once all the others wait for it.
	for b.answers.joined.Load() < n-1 {
		runtime.Gosched()
	}
	close(st.gate)
	wg.Wait()
	if got := st.builds.Load(); got != 1 {
		t.Errorf("%d concurrent identical requests built %d digests, want 1", n, got)
	}
	for i, r := range results {
		if r.Digest == nil || r.Err || !containsTitle(stories(r.Digest), "Niger") {
			t.Errorf("request %d: %+v", i, r)
		}
	}
	// Each got its own copy: setting a field on one touches no other.
	results[0].Digest.Title = "changed"
	if results[1].Digest.Title == "changed" {
		t.Error("answers share one Digest value")
	}
}

func TestFailedBuildNotKept(t *testing.T) {
	b, st, _ := newCachingBot(t)
	st.failNext.Store(true)
	if r := ask(b, "brief", false); !r.Err {
		t.Fatalf("brief with a failing store: %+v, want an error", r)
	}
	if r := ask(b, "brief", false); r.Err || r.Digest == nil {
		t.Fatalf("brief after the failure: %+v, want a digest", r)
	}
	if n := st.builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2 (the failure is not reused)", n)
	}
}

// TestAbandonedBuildRetried: when the request building an answer goes
// away, one still waiting for it builds it.
func TestAbandonedBuildRetried(t *testing.T) {
	b, st, _ := newCachingBot(t)
	st.gate, st.started = make(chan struct{}), make(chan struct{}, 2)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan Response, 1)
	go func() { first <- b.Handle(ctx, Request{Channel: "console", Text: "brief"}) }()
	<-st.started
	second := make(chan Response, 1)
	go func() { second <- ask(b, "brief", false) }()
	for b.answers.joined.Load() < 1 { // the second waits for the first's build
		runtime.Gosched()
	}
	cancel() // the first request's build gives up
	<-first
	<-st.started // the second builds it again
	close(st.gate)
	if r := <-second; r.Err || r.Digest == nil {
		t.Errorf("the request still waiting got %+v, want a digest", r)
	}
}

func TestAnswersBounded(t *testing.T) {
	a := newAnswers()
	build := func(context.Context) (*briefing.Digest, error) { return &briefing.Digest{}, nil }
	for i := range maxAnswers + 10 {
		if _, err := a.get(context.Background(), string(rune('a'+i%26))+time.Duration(i).String(), 1, now, DefaultAnswerTTL, build); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.entries); n > maxAnswers {
		t.Errorf("%d answers kept, want at most %d", n, maxAnswers)
	}
}
