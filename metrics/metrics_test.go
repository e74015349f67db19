package metrics

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
)

// scrape GETs the handler and returns the exposition text.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	res := rec.Result()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	have := make(map[string]bool)
	for _, l := range strings.Split(body, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("exposition lacks line %q", l)
		}
	}
}

func wantAbsent(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("exposition contains %q, want it absent", s)
		}
	}
}

func TestExposition(t *testing.T) {
	m := New()

	m.Fetch("RFI Afrique", "ok", "", 3, 200*time.Millisecond)
	m.Fetch("Le Monde Afrique", "ok", "", 2, 300*time.Millisecond)
	m.Fetch("Jeune Afrique", "not_modified", "", 0, 50*time.Millisecond)
	m.Fetch("Broken", "error", "timeout", 0, 30*time.Second)
	m.Fetch("Odd", "error", "", 0, time.Second)
	m.Fetch("Weird", "bogus", "", 0, -time.Second)

	m.CommandServed("slack", "brief", 40*time.Millisecond)
	m.CommandServed("slack", "brief", 60*time.Millisecond)
	m.CommandServed("discord", "Search", 2*time.Second)
	m.CommandServed("discord", "rm -rf /", time.Millisecond)
	m.CommandServed("discord", "", time.Millisecond)

	m.Delivered("slack", bot.KindDigest, nil)
	m.Delivered("slack", bot.KindAlert, nil)
	m.Delivered("slack", bot.KindAlert, errors.New("channel_not_found"))
	m.Delivered("discord", bot.KindReply, nil)
	m.Delivered("discord", bot.Kind("nonsense"), nil)

	m.RateLimited("discord", 1500*time.Millisecond)
	m.RateLimited("discord", 500*time.Millisecond)
	m.RateLimited("slack", -time.Second)

	m.SetPending(7)
	m.SetSourcesHealthy(41, 52)
	m.SetAdapterConnected("slack", true)
	m.SetAdapterConnected("discord", false)

	body := scrape(t, m.Handler())

	wantLines(t, body,
		`sahelbrief_fetches_total{status="ok"} 2`,
		`sahelbrief_fetches_total{status="not_modified"} 1`,
		`sahelbrief_fetches_total{status="error"} 2`,
		`sahelbrief_fetches_total{status="other"} 1`,
		`sahelbrief_fetch_failures_total{kind="timeout"} 1`,
		`sahelbrief_fetch_failures_total{kind="other"} 1`,
		`sahelbrief_fetch_duration_seconds_count 6`,
		`sahelbrief_fetch_duration_seconds_sum 31.55`,
		`sahelbrief_fetch_duration_seconds_bucket{le="0.05"} 2`, // 50ms and the clamped -1s
		`sahelbrief_fetch_duration_seconds_bucket{le="+Inf"} 6`,
		`sahelbrief_items_stored_total 5`,

		`sahelbrief_command_duration_seconds_count{command="brief",platform="slack"} 2`,
		`sahelbrief_command_duration_seconds_sum{command="brief",platform="slack"} 0.1`,
		`sahelbrief_command_duration_seconds_bucket{command="brief",platform="slack",le="0.05"} 1`,
		`sahelbrief_command_duration_seconds_bucket{command="brief",platform="slack",le="0.1"} 2`,
		`sahelbrief_command_duration_seconds_bucket{command="brief",platform="slack",le="0.005"} 0`,
		`sahelbrief_command_duration_seconds_bucket{command="brief",platform="slack",le="10"} 2`,
		`sahelbrief_command_duration_seconds_count{command="search",platform="discord"} 1`,
		`sahelbrief_command_duration_seconds_count{command="other",platform="discord"} 2`,

		`sahelbrief_posts_total{kind="digest",platform="slack",result="ok"} 1`,
		`sahelbrief_posts_total{kind="alert",platform="slack",result="ok"} 1`,
		`sahelbrief_posts_total{kind="alert",platform="slack",result="error"} 1`,
		`sahelbrief_posts_total{kind="reply",platform="discord",result="ok"} 1`,
		`sahelbrief_posts_total{kind="other",platform="discord",result="ok"} 1`,

		`sahelbrief_rate_limit_waits_total{platform="discord"} 2`,
		`sahelbrief_rate_limit_wait_seconds_total{platform="discord"} 2`,
		`sahelbrief_rate_limit_waits_total{platform="slack"} 1`,
		`sahelbrief_rate_limit_wait_seconds_total{platform="slack"} 0`,

		`sahelbrief_deliveries_pending 7`,
		`sahelbrief_sources_healthy 41`,
		`sahelbrief_sources 52`,
		`sahelbrief_adapter_connected{platform="slack"} 1`,
		`sahelbrief_adapter_connected{platform="discord"} 0`,

		`# TYPE sahelbrief_fetches_total counter`,
		`# TYPE sahelbrief_fetch_duration_seconds histogram`,
		`# TYPE sahelbrief_command_duration_seconds histogram`,
		`# TYPE sahelbrief_deliveries_pending gauge`,
	)
	// Sources are never a label; unknown commands never reach the output.
	wantAbsent(t, body, "source=", "RFI Afrique", "Broken", `command="rm`, `command="Search"`, `command=""`, "bogus", "nonsense")

	// Go runtime and process collectors are registered.
	if !strings.Contains(body, "\ngo_goroutines ") {
		t.Error("exposition lacks go_goroutines")
	}
	if !strings.Contains(body, "go_memstats_alloc_bytes") {
		t.Error("exposition lacks go_memstats_alloc_bytes")
	}
}

func TestFreshRegistry(t *testing.T) {
	body := scrape(t, New().Handler())
	// Fetch outcomes start at zero; nothing else has series yet.
	wantLines(t, body,
		`sahelbrief_fetches_total{status="ok"} 0`,
		`sahelbrief_fetches_total{status="not_modified"} 0`,
		`sahelbrief_fetches_total{status="error"} 0`,
		`sahelbrief_items_stored_total 0`,
		`sahelbrief_deliveries_pending 0`,
	)
	wantAbsent(t, body, "sahelbrief_posts_total{")
}

func TestOwnRegistry(t *testing.T) {
	// Two instances must not collide (each has its own registry, and New
	// would panic on a duplicate registration in a shared one).
	a, b := New(), New()
	a.SetPending(3)
	b.SetPending(9)
	wantLines(t, scrape(t, a.Handler()), `sahelbrief_deliveries_pending 3`)
	wantLines(t, scrape(t, b.Handler()), `sahelbrief_deliveries_pending 9`)
}

func TestCommandLabel(t *testing.T) {
	for in, want := range map[string]string{
		"brief": "brief", "country": "country", "actor": "actor", "search": "search",
		"subscribe": "subscribe", "unsubscribe": "unsubscribe", "subscriptions": "subscriptions",
		"digest": "digest", "sources": "sources", "help": "help",
		"HELP": "help", " Brief ": "brief",
		"": "other", "breif": "other", "brief 12h": "other", "DROP TABLE": "other",
	} {
		if got := commandLabel(in); got != want {
			t.Errorf("commandLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNilReceiver(t *testing.T) {
	var m *Metrics
	var o bot.Observer = m // a typed nil is a valid Observer too
	m.Fetch("x", "error", "dns", 3, time.Second)
	o.CommandServed("slack", "brief", time.Second)
	o.Delivered("slack", bot.KindAlert, errors.New("x"))
	o.RateLimited("slack", time.Second)
	m.SetPending(1)
	m.SetSourcesHealthy(1, 2)
	m.SetAdapterConnected("slack", true)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Handler: status %d, want 404", rec.Code)
	}
}

func TestConcurrent(t *testing.T) {
	m := New()
	const workers, each = 8, 100
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m.Delivered("slack", bot.KindAlert, nil)
				m.CommandServed("discord", "brief", time.Millisecond)
				m.Fetch("s", "ok", "", 1, time.Millisecond)
				m.RateLimited("slack", time.Millisecond)
				m.SetPending(w*each + i)
				m.SetAdapterConnected("slack", i%2 == 0)
			}
		}()
		// Scrape while writers run.
		_ = scrape(t, m.Handler())
	}
	wg.Wait()
	wantLines(t, scrape(t, m.Handler()),
		`sahelbrief_posts_total{kind="alert",platform="slack",result="ok"} 800`,
		`sahelbrief_command_duration_seconds_count{command="brief",platform="discord"} 800`,
		`sahelbrief_fetches_total{status="ok"} 800`,
		`sahelbrief_items_stored_total 800`,
		`sahelbrief_rate_limit_waits_total{platform="slack"} 800`,
	)
}

func BenchmarkDelivered(b *testing.B) {
	m := New()
	err := errors.New("boom")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Delivered("slack", bot.KindAlert, nil)
		} else {
			m.Delivered("discord", bot.KindDigest, err)
		}
	}
}

// The store's error kinds are counted apart, start at zero, and an
// unknown kind cannot grow the series.
func TestStoreErrors(t *testing.T) {
	m := New()
	m.StoreError("full")
	m.StoreError("full")
	m.StoreError("gone")
	m.StoreError("something new")
	wantLines(t, scrape(t, m.Handler()),
		`sahelbrief_store_errors_total{kind="full"} 2`,
		`sahelbrief_store_errors_total{kind="gone"} 1`,
		`sahelbrief_store_errors_total{kind="corrupt"} 0`,
		`sahelbrief_store_errors_total{kind="other"} 1`,
	)
	var nilM *Metrics
	nilM.StoreError("full") // no panic
}
