package sources

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// hostTransport answers every request itself: requests to a slow host
// block until released; it records the most requests in flight overall
// and per host.
type hostTransport struct {
	slowHost string
	release  chan struct{}

	mu          sync.Mutex
	inFlight    map[string]int
	total       int
	maxPerHost  map[string]int
	maxTotal    int
	slowStarted chan struct{}
}

func (h *hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	host := r.URL.Hostname()
	h.mu.Lock()
	h.inFlight[host]++
	h.total++
	h.maxPerHost[host] = max(h.maxPerHost[host], h.inFlight[host])
	h.maxTotal = max(h.maxTotal, h.total)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.inFlight[host]--
		h.total--
		h.mu.Unlock()
	}()
	if host == h.slowHost {
		h.slowStarted <- struct{}{}
		select {
		case <-h.release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/rss+xml"}},
		Body:       io.NopCloser(strings.NewReader(goodFeed)),
		Request:    r,
	}, nil
}

// TestPollerLimitsAndSlowHost checks the global and per-host limits and
// that a host that hangs delays only its own feeds.
func TestPollerLimitsAndSlowHost(t *testing.T) {
	tr := &hostTransport{
		slowHost: "slow.test", release: make(chan struct{}),
		inFlight: map[string]int{}, maxPerHost: map[string]int{}, slowStarted: make(chan struct{}, 16),
	}
	p := &Poller{Fetcher: testFetcher(nil, Options{Transport: tr}), Concurrency: 4, PerHost: 2}
	var srcs []briefing.Source
	for i := 0; i < 6; i++ {
		srcs = append(srcs, briefing.Source{Name: "slow" + string(rune('a'+i)), URL: "http://slow.test/" + string(rune('a'+i))})
	}
	for i := 0; i < 8; i++ {
		host := []string{"a.test", "b.test", "c.test", "d.test"}[i%4]
		srcs = append(srcs, briefing.Source{Name: "fast" + string(rune('a'+i)), URL: "http://" + host + "/" + string(rune('a'+i))})
	}
	results := p.Poll(context.Background(), Due(srcs, nil, time.Now(), true))

	deadline := time.After(10 * time.Second) // a safety net against a hung test, not a wait
	fast := 0
	for fast < 8 {
		select {
		case r := <-results:
			if strings.HasPrefix(r.Source.Name, "slow") {
				t.Fatalf("slow feed %s finished before release", r.Source.Name)
			}
			if r.Status != briefing.StatusOK {
				t.Fatalf("%s: %v", r.Source.Name, r.Err)
			}
			fast++
		case <-deadline:
			t.Fatalf("only %d of 8 fast feeds finished while the slow host hung: it stalled the others", fast)
		}
	}
	// Both of the slow host's slots fill while it hangs (and no more).
	for i := 0; i < 2; i++ {
		select {
		case <-tr.slowStarted:
		case <-deadline:
			t.Fatalf("only %d requests reached the slow host", i)
		}
	}
	close(tr.release)
	slow := 0
	for r := range results {
		if r.Status != briefing.StatusOK {
			t.Errorf("%s: %v", r.Source.Name, r.Err)
		}
		slow++
	}
	if slow != 6 {
		t.Errorf("%d slow results, want 6", slow)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.maxTotal > 4 {
		t.Errorf("%d fetches in flight, limit 4", tr.maxTotal)
	}
	for host, n := range tr.maxPerHost {
		if n > 2 {
			t.Errorf("%d fetches in flight on %s, limit 2", n, host)
		}
	}
	if tr.maxPerHost["slow.test"] != 2 {
		t.Errorf("slow host reached %d in flight, want exactly its limit 2", tr.maxPerHost["slow.test"])
	}
}

func TestPollerCancel(t *testing.T) {
	tr := &hostTransport{slowHost: "slow.test", release: make(chan struct{}), inFlight: map[string]int{},
		maxPerHost: map[string]int{}, slowStarted: make(chan struct{}, 16)}
	p := &Poller{Fetcher: testFetcher(nil, Options{Transport: tr}), Concurrency: 2, PerHost: 2}
	ctx, cancel := context.WithCancel(context.Background())
	srcs := []briefing.Source{{Name: "a", URL: "http://slow.test/a"}, {Name: "b", URL: "http://slow.test/b"}, {Name: "c", URL: "http://slow.test/c"}}
	results := p.Poll(ctx, Due(srcs, nil, time.Now(), true))
	<-tr.slowStarted
	cancel()
	for range results {
		// drains and closes: every goroutine gave up
	}
}

func TestDue(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	srcs := []briefing.Source{{Name: "later", URL: "u1"}, {Name: "overdue", URL: "u2"}, {Name: "new", URL: "u3"}, {Name: "moved", URL: "u4-new"}}
	states := map[string]briefing.SourceState{
		"later":   {Name: "later", URL: "u1", NextCheck: now.Add(time.Minute)},
		"overdue": {Name: "overdue", URL: "u2", NextCheck: now.Add(-time.Hour), ETag: `"x"`},
		"moved":   {Name: "moved", URL: "u4-old", NextCheck: now.Add(time.Hour), ETag: `"old"`, LastModified: "yesterday"},
	}
	jobs := Due(srcs, states, now, false)
	var names []string
	for _, j := range jobs {
		names = append(names, j.Source.Name)
	}
	if got := strings.Join(names, ","); got != "new,moved,overdue" {
		t.Errorf("due = %s, want new,moved,overdue (never polled first, then most overdue)", got)
	}
	for _, j := range jobs {
		if j.Source.Name == "moved" && (j.State.ETag != "" || j.State.LastModified != "" || j.State.URL != "u4-new") {
			t.Errorf("a moved source kept the old address's validators: %+v", j.State)
		}
		if j.Source.Name == "overdue" && j.State.ETag != `"x"` {
			t.Errorf("validators lost: %+v", j.State)
		}
	}
	if all := Due(srcs, states, now, true); len(all) != 4 {
		t.Errorf("--all gave %d jobs", len(all))
	}
}

// fakeSink records what Ingest saves and can fail on demand.
type fakeSink struct {
	mu      sync.Mutex
	batches [][]briefing.Fetched
	fail    error
}

func (s *fakeSink) SaveFetched(_ context.Context, batch []briefing.Fetched) ([]briefing.Saved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	s.batches = append(s.batches, batch)
	out := make([]briefing.Saved, len(batch))
	for i, f := range batch {
		out[i] = briefing.Saved{Source: f.State.Name, New: f.Items}
	}
	return out, nil
}

func TestIngest(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, goodFeed)
	})
	srcs := []briefing.Source{{Name: "a", URL: srv.URL + "/a"}, {Name: "b", URL: srv.URL + "/b"}, {Name: "broken", URL: srv.URL + "/broken"}}
	p := &Poller{Fetcher: testFetcher(nil, Options{})}

	t.Run("every result saved and reported once; a broken feed fails alone", func(t *testing.T) {
		sink := &fakeSink{}
		reported := map[string]briefing.FetchStatus{}
		err := Ingest(context.Background(), p, Due(srcs, nil, time.Now(), true), sink, func(r Result, s briefing.Saved) {
			if s.Source != r.Source.Name {
				t.Errorf("report pairs %s with saved %s", r.Source.Name, s.Source)
			}
			reported[r.Source.Name] = r.Status
		})
		if err != nil {
			t.Fatal(err)
		}
		if reported["a"] != briefing.StatusOK || reported["b"] != briefing.StatusOK || reported["broken"] != briefing.StatusError {
			t.Errorf("reported %v", reported)
		}
		saved := 0
		for _, b := range sink.batches {
			for _, f := range b {
				saved++
				if f.State.Name == "broken" && (len(f.Items) != 0 || f.State.ConsecutiveFailures != 1) {
					t.Errorf("broken source saved as %+v", f)
				}
			}
		}
		if saved != 3 {
			t.Errorf("%d results saved, want 3 (the failure's state too)", saved)
		}
	})
	t.Run("a sink that prepares reads every item before it saves it", func(t *testing.T) {
		sink := &preparingSink{}
		if err := Ingest(context.Background(), p, Due(srcs, nil, time.Now(), true), sink, nil); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range sink.batches {
			for _, f := range b {
				for _, it := range f.Items {
					n++
					if it.Prepared != "read" {
						t.Errorf("%s/%s saved unprepared", f.State.Name, it.Key)
					}
				}
			}
		}
		if n == 0 {
			t.Error("no item saved")
		}
	})
	t.Run("a sink that defers is settled once, after every save", func(t *testing.T) {
		sink := &settlingSink{}
		if err := Ingest(context.Background(), p, Due(srcs, nil, time.Now(), true), sink, nil); err != nil {
			t.Fatal(err)
		}
		if sink.settled != 1 || sink.savesAtSettle != len(sink.batches) || len(sink.batches) == 0 {
			t.Errorf("settled %d times, after %d of %d saves; want once, after all", sink.settled, sink.savesAtSettle, len(sink.batches))
		}
		sink = &settlingSink{fail: errors.New("disk full")}
		err := Ingest(context.Background(), p, Due(srcs, nil, time.Now(), true), sink, nil)
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "stories") {
			t.Errorf("a failed settle: err = %v; want it returned, naming the stories", err)
		}
	})
	t.Run("storage failure is returned", func(t *testing.T) {
		sink := &fakeSink{fail: errors.New("disk full")}
		err := Ingest(context.Background(), p, Due(srcs, nil, time.Now(), true), sink, nil)
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("err = %v", err)
		}
	})
}

// preparingSink marks items in PrepareItems, as the store has its story
// engine read them.
type preparingSink struct{ fakeSink }

func (s *preparingSink) PrepareItems(items []briefing.Item) {
	for i := range items {
		items[i].Prepared = "read"
	}
}

// settlingSink counts AssignDeferred calls, as the store assigns the items
// it deferred.
type settlingSink struct {
	fakeSink
	settled, savesAtSettle int
	fail                   error
}

func (s *settlingSink) AssignDeferred(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settled++
	s.savesAtSettle = len(s.batches)
	return 0, s.fail
}
