package sources

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// fetchClock is a settable clock for fetches: LastAttempt, NextCheck and
// durations come from it, so schedules are asserted exactly.
type fetchClock struct{ t atomic.Int64 }

func newFetchClock() *fetchClock {
	c := &fetchClock{}
	c.t.Store(time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fetchClock) Now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *fetchClock) Advance(d time.Duration) { c.t.Add(int64(d)) }

// rssFeed wraps item XML in a minimal RSS 2.0 document.
func rssFeed(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title>` +
		`<link>https://desk.example/</link>` + strings.Join(items, "") + `</channel></rss>`
}

func rssItem(guid, title, link, date, desc string) string {
	var b strings.Builder
	b.WriteString("<item>")
	if guid != "" {
		fmt.Fprintf(&b, "<guid>%s</guid>", guid)
	}
	if title != "" {
		fmt.Fprintf(&b, "<title>%s</title>", title)
	}
	if link != "" {
		fmt.Fprintf(&b, "<link>%s</link>", link)
	}
	if date != "" {
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>", date)
	}
	if desc != "" {
		fmt.Fprintf(&b, "<description>%s</description>", desc)
	}
	b.WriteString("</item>")
	return b.String()
}

const goodFeed = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title>
<item><guid>a1</guid><title>Mali : la junte prolonge la transition</title><link>https://desk.example/a1?utm_source=rss</link>
<pubDate>Thu, 26 Nov 2026 06:00:00 +0000</pubDate><description>&lt;p&gt;Bamako, jeudi.&lt;/p&gt;</description></item>
</channel></rss>`

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func testFetcher(clock *fetchClock, o Options) *Fetcher {
	if clock != nil {
		o.Now = clock.Now
	}
	if o.DefaultInterval == 0 {
		o.DefaultInterval = 10 * time.Minute
	}
	return NewFetcher(o)
}

func fetchURL(t *testing.T, f *Fetcher, url string) Result {
	t.Helper()
	return f.Fetch(context.Background(), briefing.Source{Name: "test", URL: url}, briefing.SourceState{}, Conditional)
}

// TestFetchBadInput runs every failure the issue lists against a local
// server and checks each yields a clear, typed per-source error.
func TestFetchBadInput(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    Options
		kind    ErrorKind
		message string // a substring the error must contain
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			Options{}, KindHTTPStatus, "HTTP 404 Not Found"},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
			Options{}, KindHTTPStatus, "HTTP 500"},
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, Options{}, KindRateLimited, "retry after 2m0s"},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
			Options{}, KindRateLimited, "HTTP 503"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/a" {
				http.Redirect(w, r, "/b", http.StatusFound)
				return
			}
			http.Redirect(w, r, "/a", http.StatusFound)
		}, Options{}, KindRedirectLoop, "redirect loop"},
		{"endless redirects", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}, Options{}, KindRedirectLoop, "more than 5 redirects"},
		{"HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!DOCTYPE html><html><head><title>Accueil</title></head><body>Bienvenue</body></html>")
		}, Options{}, KindNotAFeed, "HTML page"},
		{"HTML without content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, "<!doctype html><html><body>x</body></html>")
		}, Options{}, KindNotAFeed, "HTML page"},
		{"JSON that is not a feed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"error":"gone"}`)
		}, Options{}, KindNotAFeed, "not a feed"},
		{"empty body", func(w http.ResponseWriter, r *http.Request) {}, Options{}, KindNotAFeed, "empty response body"},
		{"truncated XML", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, goodFeed[:len(goodFeed)/2])
		}, Options{}, KindMalformed, "cannot parse feed"},
		{"1 GiB body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			chunk := bytes.Repeat([]byte("<item><title>x</title></item>"), 2048)
			for sent := 0; sent < 1<<30; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return // the client stopped reading: what we want
				}
			}
		}, Options{MaxBody: 1 << 20}, KindTooLarge, "larger than the 1 MiB limit"},
		{"declared Content-Length over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2000000")
			w.Write(make([]byte, 2000000))
		}, Options{MaxBody: 1 << 20}, KindTooLarge, "1 MiB"},
		{"gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb(t))
		}, Options{MaxBody: 1 << 20}, KindTooLarge, "1 MiB"},
		{"corrupt gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("\x1f\x8b\x08\x00garbage-not-deflate"))
		}, Options{}, KindMalformed, "corrupt compressed body"},
		{"timeout before headers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, Options{Timeout: 150 * time.Millisecond}, KindTimeout, "timed out"},
		{"timeout mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, goodFeed[:40])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, Options{Timeout: 150 * time.Millisecond}, KindTimeout, "timed out"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, tc.handler)
			url := srv.URL
			if tc.kind == KindRedirectLoop {
				url += "/a"
			}
			res := fetchURL(t, testFetcher(nil, tc.opts), url)
			if res.Status != briefing.StatusError {
				t.Fatalf("status = %s, want error (items %d)", res.Status, len(res.Items))
			}
			if got := KindOf(res.Err); got != tc.kind {
				t.Errorf("kind = %s, want %s (error %v)", got, tc.kind, res.Err)
			}
			if !strings.Contains(res.Err.Error(), tc.message) {
				t.Errorf("error %q does not mention %q", res.Err, tc.message)
			}
			if res.State.ConsecutiveFailures != 1 || res.State.LastError == "" || res.State.LastStatus != briefing.StatusError {
				t.Errorf("state not marked failing: %+v", res.State)
			}
		})
	}
}

// gzipBomb is 16 MiB of zeros compressed to a few KiB: sixteen times the
// 1 MiB cap the test sets, which is what matters, not the absolute size.
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 16; i++ {
		zw.Write(zeros)
	}
	zw.Close()
	if buf.Len() > 4<<20 {
		t.Fatalf("bomb compressed to %d bytes", buf.Len())
	}
	return buf.Bytes()
}

func TestFetchDNSFailure(t *testing.T) {
	// No test may resolve real names: the transport fails the lookup itself.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "news.invalid", IsNotFound: true}}
	}}
	res := fetchURL(t, testFetcher(nil, Options{Transport: tr}), "http://news.invalid/rss")
	if KindOf(res.Err) != KindDNS || !strings.Contains(res.Err.Error(), `cannot resolve host "news.invalid"`) {
		t.Fatalf("got %s %v, want a DNS error naming the host", KindOf(res.Err), res.Err)
	}
}

func TestFetchUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	res := fetchURL(t, testFetcher(nil, Options{}), "http://"+addr+"/rss")
	if KindOf(res.Err) != KindUnreachable || !strings.Contains(res.Err.Error(), "cannot connect") {
		t.Fatalf("got %s %v, want unreachable", KindOf(res.Err), res.Err)
	}
}

func TestFetchBodyReadingStopsAtCap(t *testing.T) {
	var sent atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for sent.Load() < 1<<30 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	res := fetchURL(t, testFetcher(nil, Options{MaxBody: 1 << 20}), srv.URL)
	if KindOf(res.Err) != KindTooLarge {
		t.Fatalf("got %v, want too_large", res.Err)
	}
	srv.Close() // waits for the handler to return
	// The client stops after the cap; the server only gets ahead by what
	// socket buffers hold, nowhere near the gigabyte it offered.
	if s := sent.Load(); s > 64<<20 {
		t.Errorf("server sent %d bytes before the client gave up", s)
	}
}

func TestFetchSaneItemsFromOddFeeds(t *testing.T) {
	clock := newFetchClock()
	now := clock.Now()
	future := now.Add(72 * time.Hour).Format(time.RFC1123Z)
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, items []briefing.Item)
	}{
		{"empty feed", rssFeed(), func(t *testing.T, items []briefing.Item) {
			if len(items) != 0 {
				t.Errorf("got %d items", len(items))
			}
		}},
		{"item without a date is kept with first-seen time", rssFeed(rssItem("g1", "Niamey", "https://d.example/1", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if len(items) != 1 || !items[0].Published.Equal(now) || items[0].DateFromFeed {
					t.Errorf("got %+v", items)
				}
			}},
		{"date in the future becomes now", rssFeed(rssItem("g1", "Gao", "https://d.example/1", future, "")),
			func(t *testing.T, items []briefing.Item) {
				if len(items) != 1 || !items[0].Published.Equal(now) {
					t.Errorf("published %v, want %v", items[0].Published, now)
				}
			}},
		{"French date", rssFeed(rssItem("g1", "Kidal", "https://d.example/1", "mer., 25 nov. 2026 18:30:00 +0100", "")),
			func(t *testing.T, items []briefing.Item) {
				want := time.Date(2026, 11, 25, 17, 30, 0, 0, time.UTC)
				if !items[0].Published.Equal(want) || !items[0].DateFromFeed {
					t.Errorf("published %v, want %v", items[0].Published, want)
				}
			}},
		{"item without a link keys on its GUID", rssFeed(rssItem("urn:x:1", "Djibo", "", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if items[0].Key != "urn:x:1" || items[0].URL != "" {
					t.Errorf("got key %q url %q", items[0].Key, items[0].URL)
				}
			}},
		{"item with neither GUID nor link keys on a hash", rssFeed(rssItem("", "Agadez", "", "", "Texte")),
			func(t *testing.T, items []briefing.Item) {
				if !strings.HasPrefix(items[0].Key, "sha256:") {
					t.Errorf("key %q", items[0].Key)
				}
			}},
		{"untitled item takes its first sentence", rssFeed(rssItem("g", "", "https://d.example/u", "",
			"Des hommes armés ont attaqué un poste à Djibo. Le bilan est lourd.")),
			func(t *testing.T, items []briefing.Item) {
				if items[0].Title != "Des hommes armés ont attaqué un poste à Djibo." {
					t.Errorf("title %q", items[0].Title)
				}
			}},
		{"item with no text at all is skipped", rssFeed(rssItem("g", "", "https://d.example/u", "", ""), rssItem("h", "Ok", "", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if len(items) != 1 || items[0].Title != "Ok" {
					t.Errorf("got %+v", items)
				}
			}},
		{"duplicate GUIDs keep the first", rssFeed(rssItem("dup", "First", "https://d.example/1", "", ""),
			rssItem("dup", "Second", "https://d.example/2", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if len(items) != 1 || items[0].Title != "First" {
					t.Errorf("got %+v", items)
				}
			}},
		{"invalid UTF-8 bytes are repaired, not fatal", rssFeed(rssItem("g", "Ouagadougou \xff: état d’urgence à Djibo", "https://d.example/1", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if !strings.Contains(items[0].Title, "état d’urgence à Djibo") {
					t.Errorf("title %q", items[0].Title)
				}
			}},
		{"relative link resolves against the feed URL", rssFeed(rssItem("g", "T", "/afrique/1.html", "", "")),
			func(t *testing.T, items []briefing.Item) {
				if !strings.HasPrefix(items[0].URL, "http://127.0.0.1:") || !strings.HasSuffix(items[0].URL, "/afrique/1.html") {
					t.Errorf("url %q", items[0].URL)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/rss+xml")
				io.WriteString(w, tc.body)
			})
			res := fetchURL(t, testFetcher(clock, Options{}), srv.URL+"/feed")
			if res.Status != briefing.StatusOK {
				t.Fatalf("status %s: %v", res.Status, res.Err)
			}
			for _, it := range res.Items {
				if it.Title == "" || it.Key == "" || it.Source != "test" || it.FirstSeen.IsZero() {
					t.Errorf("incomplete item %+v", it)
				}
			}
			tc.check(t, res.Items)
		})
	}
}

// TestConditionalGet checks validators are stored, sent, and honoured.
func TestConditionalGet(t *testing.T) {
	var gotINM, gotIMS atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotINM.Store(r.Header.Get("If-None-Match"))
		gotIMS.Store(r.Header.Get("If-Modified-Since"))
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "sahelbrief/") {
			t.Errorf("User-Agent %q does not name the project", ua)
		}
		if !strings.Contains(r.Header.Get("Accept"), "application/rss+xml") {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Thu, 26 Nov 2026 06:00:00 GMT")
		io.WriteString(w, goodFeed)
	})
	clock := newFetchClock()
	f := testFetcher(clock, Options{})
	src := briefing.Source{Name: "desk", URL: srv.URL}

	first := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
	if first.Status != briefing.StatusOK || len(first.Items) != 1 {
		t.Fatalf("first fetch: %s %v", first.Status, first.Err)
	}
	if first.State.ETag != `"v1"` || first.State.LastModified != "Thu, 26 Nov 2026 06:00:00 GMT" {
		t.Fatalf("validators not kept: %+v", first.State)
	}
	if gotINM.Load() != "" {
		t.Errorf("first request sent If-None-Match %q", gotINM.Load())
	}

	clock.Advance(10 * time.Minute)
	second := f.Fetch(context.Background(), src, first.State, Conditional)
	if second.Status != briefing.StatusNotModified || len(second.Items) != 0 {
		t.Fatalf("second fetch: %s %v", second.Status, second.Err)
	}
	if gotINM.Load() != `"v1"` || gotIMS.Load() != "Thu, 26 Nov 2026 06:00:00 GMT" {
		t.Errorf("validators not sent: %q %q", gotINM.Load(), gotIMS.Load())
	}
	if second.State.ETag != `"v1"` || !second.State.LastSuccess.Equal(clock.Now()) || second.State.ItemsLastTime != 1 {
		t.Errorf("state after 304: %+v", second.State)
	}

	fresh := f.Fetch(context.Background(), src, first.State, Fresh)
	if fresh.Status != briefing.StatusOK || gotINM.Load() != "" {
		t.Errorf("Fresh mode sent validators or got %s", fresh.Status)
	}
}

func TestSchedule(t *testing.T) {
	clock := newFetchClock()
	status := atomic.Int32{}
	header := atomic.Value{}
	header.Store([2]string{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		h := header.Load().([2]string)
		if h[0] != "" {
			w.Header().Set(h[0], h[1])
		}
		if s := int(status.Load()); s != 0 {
			w.WriteHeader(s)
			return
		}
		io.WriteString(w, goodFeed)
	})
	f := testFetcher(clock, Options{DefaultInterval: 10 * time.Minute, MaxBackoff: time.Hour})
	src := briefing.Source{Name: "desk", URL: srv.URL}
	now := clock.Now()

	t.Run("interval", func(t *testing.T) {
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(10 * time.Minute); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
		own := f.Fetch(context.Background(), briefing.Source{Name: "desk", URL: srv.URL, Interval: 15 * time.Minute}, briefing.SourceState{}, Conditional)
		if want := now.Add(15 * time.Minute); !own.State.NextCheck.Equal(want) {
			t.Errorf("source interval: next %v, want %v", own.State.NextCheck, want)
		}
	})
	t.Run("Cache-Control max-age longer than the interval", func(t *testing.T) {
		header.Store([2]string{"Cache-Control", "public, max-age=3600"})
		defer header.Store([2]string{})
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(time.Hour); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
	})
	t.Run("Expires", func(t *testing.T) {
		header.Store([2]string{"Expires", now.Add(30 * time.Minute).Format(http.TimeFormat)})
		defer header.Store([2]string{})
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(30 * time.Minute); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
	})
	t.Run("exponential backoff, capped, reset by success", func(t *testing.T) {
		status.Store(500)
		st := briefing.SourceState{}
		for i, want := range []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour} {
			res := f.Fetch(context.Background(), src, st, Conditional)
			st = res.State
			if st.ConsecutiveFailures != i+1 || !st.NextCheck.Equal(now.Add(want)) {
				t.Errorf("failure %d: failures %d next in %v, want %v", i+1, st.ConsecutiveFailures, st.NextCheck.Sub(now), want)
			}
		}
		status.Store(0)
		res := f.Fetch(context.Background(), src, st, Conditional)
		if res.State.ConsecutiveFailures != 0 || res.State.LastError != "" || !res.State.NextCheck.Equal(now.Add(10*time.Minute)) {
			t.Errorf("after success: %+v", res.State)
		}
	})
	t.Run("Retry-After beyond the backoff wins", func(t *testing.T) {
		status.Store(429)
		header.Store([2]string{"Retry-After", "7200"})
		defer func() { status.Store(0); header.Store([2]string{}) }()
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(2 * time.Hour); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
	})
	t.Run("Retry-After as an HTTP date", func(t *testing.T) {
		status.Store(503)
		header.Store([2]string{"Retry-After", now.Add(3 * time.Hour).Format(http.TimeFormat)})
		defer func() { status.Store(0); header.Store([2]string{}) }()
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(3 * time.Hour); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
	})
	t.Run("absurd Retry-After is capped at a day", func(t *testing.T) {
		status.Store(429)
		header.Store([2]string{"Retry-After", "99999999"})
		defer func() { status.Store(0); header.Store([2]string{}) }()
		res := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
		if want := now.Add(24 * time.Hour); !res.State.NextCheck.Equal(want) {
			t.Errorf("next %v, want %v", res.State.NextCheck, want)
		}
	})
}

func TestFetchGzip(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("client did not ask for gzip")
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, goodFeed)
		zw.Close()
	})
	res := fetchURL(t, testFetcher(nil, Options{}), srv.URL)
	if res.Status != briefing.StatusOK || len(res.Items) != 1 {
		t.Fatalf("gzip feed: %s %v", res.Status, res.Err)
	}
}

func TestFetchLocalFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/feed.xml"
	if err := writeFile(path, goodFeed); err != nil {
		t.Fatal(err)
	}
	f := testFetcher(newFetchClock(), Options{})
	src := briefing.Source{Name: "local", URL: path}
	first := f.Fetch(context.Background(), src, briefing.SourceState{}, Conditional)
	if first.Status != briefing.StatusOK || len(first.Items) != 1 {
		t.Fatalf("first: %s %v", first.Status, first.Err)
	}
	second := f.Fetch(context.Background(), src, first.State, Conditional)
	if second.Status != briefing.StatusNotModified {
		t.Errorf("unchanged file: %s", second.Status)
	}
	missing := f.Fetch(context.Background(), briefing.Source{Name: "gone", URL: dir + "/nope.xml"}, briefing.SourceState{}, Conditional)
	if KindOf(missing.Err) != KindFile || !strings.Contains(missing.Err.Error(), "nope.xml") {
		t.Errorf("missing file: %v", missing.Err)
	}
}

func TestKindOf(t *testing.T) {
	if KindOf(errors.New("x")) != KindOther {
		t.Error("plain error should be other")
	}
	wrapped := fmt.Errorf("ctx: %w", &FetchError{Kind: KindTimeout, Message: "timed out"})
	if KindOf(wrapped) != KindTimeout {
		t.Error("wrapped FetchError kind lost")
	}
}
