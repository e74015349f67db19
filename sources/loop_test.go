package sources

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// The loop's tests run in a testing/synctest bubble: its waits are real
// (time.After) but virtual there, so hours pass at once. Their feeds are
// answered in-process (hostHandlers), as loopback network reads inside a
// bubble never count as blocked. The Fetcher's own tests stay on real
// loopback servers and its injected Now (fetch_test.go).

// loopEpoch is where the loop tests' bubbles start their clock: the day
// after the test feeds' items.
var loopEpoch = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

// inLoopBubble runs f in a synctest bubble whose clock starts at loopEpoch.
func inLoopBubble(t *testing.T, f func(t *testing.T)) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(loopEpoch))
		f(t)
	})
}

// hostHandlers is an http.RoundTripper that answers each request with its
// host's handler, in-process.
type hostHandlers map[string]http.HandlerFunc

func (h hostHandlers) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if f, ok := h[r.URL.Host]; ok {
		f(rec, r)
	} else {
		http.NotFound(rec, r)
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}

// memLoopStore keeps states and items in memory.
type memLoopStore struct {
	mu     sync.Mutex
	states map[string]briefing.SourceState
	keys   map[string]bool
}

func (m *memLoopStore) SourceStates(context.Context) (map[string]briefing.SourceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]briefing.SourceState{}
	for k, v := range m.states {
		out[k] = v
	}
	return out, nil
}

func (m *memLoopStore) SaveFetched(_ context.Context, batch []briefing.Fetched) ([]briefing.Saved, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]briefing.Saved, len(batch))
	for i, f := range batch {
		m.states[f.State.Name] = f.State
		out[i].Source = f.State.Name
		for _, it := range f.Items {
			if k := it.Source + "/" + it.Key; !m.keys[k] {
				m.keys[k] = true
				out[i].New = append(out[i].New, it)
			}
		}
	}
	return out, nil
}

func (m *memLoopStore) CapNextChecks(_ context.Context, caps map[string]time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for name, at := range caps {
		if st, ok := m.states[name]; ok && st.NextCheck.After(at) {
			st.NextCheck = at
			m.states[name] = st
			n++
		}
	}
	return n, nil
}

// A shorter poll interval takes effect at start: next checks stored under
// a longer one are capped at one (current) interval from now, or a failing
// source's backoff from it; earlier ones stay.
func TestLoopCapsStoredNextChecksAtStart(t *testing.T) {
	inLoopBubble(t, func(t *testing.T) {
		now := time.Now()
		var hits atomic.Int32
		feed := struct{ URL string }{"http://desk.test"}
		tr := hostHandlers{"desk.test": func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Write([]byte(rssFeed(rssItem("a1", "Mali: first", "https://desk.example/1", "Thu, 26 Nov 2026 06:00:00 +0000", ""))))
		}}
		srcs := []briefing.Source{{Name: "hourly", URL: feed.URL}, {Name: "failing", URL: feed.URL + "/f"},
			{Name: "soon", URL: feed.URL + "/s"}, {Name: "own", URL: feed.URL + "/o", Interval: 2 * time.Hour}}
		st := &memLoopStore{keys: map[string]bool{}, states: map[string]briefing.SourceState{
			// Polled a minute ago under a 1 h interval.
			"hourly": {Name: "hourly", URL: feed.URL, LastAttempt: now.Add(-time.Minute), NextCheck: now.Add(59 * time.Minute)},
			// Three failures in a row under the old interval: 4 h.
			"failing": {Name: "failing", URL: feed.URL + "/f", ConsecutiveFailures: 3, NextCheck: now.Add(4 * time.Hour)},
			"soon":    {Name: "soon", URL: feed.URL + "/s", NextCheck: now.Add(2 * time.Minute)},
			// Its own interval is longer than the default: it keeps it.
			"own": {Name: "own", URL: feed.URL + "/o", NextCheck: now.Add(90 * time.Minute)},
		}}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The waits Run sleeps are the times between its rounds; the fourth
		// round ends the test.
		var waits []time.Duration
		last := now
		l := &Loop{
			Poller: &Poller{Fetcher: testFetcher(nil, Options{DefaultInterval: 5 * time.Minute, Transport: tr})},
			Store:  st, Interval: 5 * time.Minute, Sources: srcs,
			AfterRound: func() {
				if at := time.Now(); at.After(now) {
					waits = append(waits, at.Sub(last))
					last = at
				}
				if len(waits) == 3 {
					cancel()
				}
			},
		}
		if err := l.Run(ctx); err != nil {
			t.Fatal(err)
		}
		// Round 1 (now): nothing due. Round 2 (+2 min): "soon". Round 3
		// (+5 min): "hourly", capped at now + 5 min instead of waiting 59 min.
		// Then "soon" again at +7 min.
		if fmt.Sprint(waits) != "[2m0s 3m0s 2m0s]" {
			t.Errorf("waits %v; want [2m0s 3m0s 2m0s]", waits)
		}
		states, _ := st.SourceStates(ctx)
		for name, want := range map[string]time.Time{
			"failing": now.Add(20 * time.Minute), // backoff from 5 min: 5, 10, 20
			"own":     now.Add(90 * time.Minute),
		} {
			if got := states[name].NextCheck; !got.Equal(want) {
				t.Errorf("%s: next check %v; want %v", name, got.Sub(now), want.Sub(now))
			}
		}
		if got := states["hourly"].LastAttempt; !got.Equal(now.Add(5 * time.Minute)) {
			t.Errorf("hourly polled at %v; want at +5m", got.Sub(now))
		}
	})
}

func TestLoopPollsWhatIsDueAndSleepsUntilTheNextCheck(t *testing.T) {
	inLoopBubble(t, func(t *testing.T) {
		var body atomic.Value
		body.Store(rssFeed(rssItem("a1", "Mali: first", "https://desk.example/1", "Thu, 26 Nov 2026 06:00:00 +0000", "")))
		var hits atomic.Int32
		good, bad := struct{ URL string }{"http://good.test"}, struct{ URL string }{"http://bad.test"}
		tr := hostHandlers{
			"good.test": func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Write([]byte(body.Load().(string)))
			},
			"bad.test": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) },
		}
		st := &memLoopStore{states: map[string]briefing.SourceState{}, keys: map[string]bool{}}
		var mu sync.Mutex
		newItems := map[string]int{}
		l := &Loop{
			Poller: &Poller{Fetcher: testFetcher(nil, Options{DefaultInterval: 5 * time.Minute, Transport: tr})},
			Store:  st, Interval: 5 * time.Minute,
			Sources: []briefing.Source{{Name: "good", URL: good.URL}, {Name: "bad", URL: bad.URL}},
			Report: func(r Result, s briefing.Saved) {
				mu.Lock()
				newItems[r.Source.Name] += len(s.New)
				mu.Unlock()
			},
		}
		ctx := context.Background()
		if wait := l.Round(ctx); wait <= 0 || wait > 5*time.Minute {
			t.Fatalf("first round wait = %v", wait)
		}
		if newItems["good"] != 1 || hits.Load() != 1 {
			t.Fatalf("first round: new %v, hits %d", newItems, hits.Load())
		}
		// Nothing is due a second later: no request.
		time.Sleep(time.Second)
		wait := l.Round(ctx)
		if hits.Load() != 1 {
			t.Fatalf("a source was polled before its next check")
		}
		states, _ := st.SourceStates(ctx)
		if states["bad"].ConsecutiveFailures != 1 {
			t.Errorf("bad source state = %+v", states["bad"])
		}
		// The wait is the earliest next check: the failing source's backoff,
		// shorter than the interval.
		if want := states["bad"].NextCheck.Sub(time.Now()); wait != max(want, minLoopWait) {
			t.Errorf("wait = %v; want the failing source's retry in %v", wait, want)
		}
		body.Store(rssFeed(rssItem("a1", "Mali: first", "https://desk.example/1", "Thu, 26 Nov 2026 06:00:00 +0000", ""),
			rssItem("a2", "Niger: second", "https://desk.example/2", "Thu, 26 Nov 2026 07:00:00 +0000", "")))
		time.Sleep(5 * time.Minute)
		l.Round(ctx)
		if newItems["good"] != 2 || hits.Load() != 2 {
			t.Fatalf("after the interval: new %v, hits %d", newItems, hits.Load())
		}
	})
}

func TestNextWaitBounds(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srcs := []briefing.Source{{Name: "a", URL: "u"}}
	for _, tt := range []struct {
		name   string
		states map[string]briefing.SourceState
		want   time.Duration
	}{
		{"never polled", nil, minLoopWait},
		{"overdue", map[string]briefing.SourceState{"a": {URL: "u", NextCheck: now.Add(-time.Hour)}}, minLoopWait},
		{"soon", map[string]briefing.SourceState{"a": {URL: "u", NextCheck: now.Add(3 * time.Minute)}}, 3 * time.Minute},
		{"later than the interval", map[string]briefing.SourceState{"a": {URL: "u", NextCheck: now.Add(time.Hour)}}, 10 * time.Minute},
		{"moved", map[string]briefing.SourceState{"a": {URL: "old", NextCheck: now.Add(time.Hour)}}, minLoopWait},
	} {
		if got := nextWait(srcs, tt.states, now, 10*time.Minute); got != tt.want {
			t.Errorf("%s: wait %v; want %v", tt.name, got, tt.want)
		}
	}
}
