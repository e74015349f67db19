package sources

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// A feed with more entries than MaxItems yields the newest MaxItems (by
// their own dates, whatever the document order), and counts the rest.
func TestFeedCappedToNewestItems(t *testing.T) {
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	order := []int{4, 9, 0, 7, 2, 8, 1, 6, 3, 5} // hours after base, in document order
	rss := func() string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://news.example/</link>`)
		for _, h := range order {
			fmt.Fprintf(&b, "<item><title>Story %d</title><link>https://news.example/%d</link><pubDate>%s</pubDate><description><![CDATA[<p>item %d</p><item>not one</item>]]></description></item>\n",
				h, h, base.Add(time.Duration(h)*time.Hour).Format(time.RFC1123Z), h)
		}
		b.WriteString(`<item><title>Undated</title><link>https://news.example/u</link></item></channel></rss>`)
		return b.String()
	}()
	atom := func() string {
		var b strings.Builder
		b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>`)
		for _, h := range order {
			fmt.Fprintf(&b, `<entry><title>Story %d</title><id>urn:%d</id><link href="https://news.example/%d"/><updated>%s</updated><published>%s</published></entry>`,
				h, h, h, base.Add(100*time.Hour).Format(time.RFC3339), base.Add(time.Duration(h)*time.Hour).Format(time.RFC3339))
		}
		b.WriteString(`</feed>`)
		return b.String()
	}()
	jsonFeed := func() string {
		var parts []string
		for _, h := range order {
			parts = append(parts, fmt.Sprintf(`{"id":"%d","url":"https://news.example/%d","title":"Story %d","date_published":"%s"}`,
				h, h, h, base.Add(time.Duration(h)*time.Hour).Format(time.RFC3339)))
		}
		return `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` + strings.Join(parts, ",") + `]}`
	}()
	for _, tt := range []struct {
		name, body string
		total      int
	}{{"rss", rss, 11}, {"atom", atom, 10}, {"json", jsonFeed, 10}} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "feed")
			if err := writeFile(path, tt.body); err != nil {
				t.Fatal(err)
			}
			f := NewFetcher(Options{MaxItems: 3, Now: func() time.Time { return base.Add(200 * time.Hour) }})
			res := f.Fetch(t.Context(), briefing.Source{Name: "s", URL: path}, briefing.SourceState{}, Fresh)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []string
			for _, it := range res.Items {
				got = append(got, it.Title)
			}
			sort.Strings(got)
			if want := []string{"Story 7", "Story 8", "Story 9"}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("kept %v, want %v", got, want)
			}
			if res.Skipped != tt.total-3 || res.State.ItemsLastTime != tt.total {
				t.Errorf("skipped %d, items last time %d; want %d, %d", res.Skipped, res.State.ItemsLastTime, tt.total-3, tt.total)
			}
		})
	}
}

// Under the cap the body is not even scanned.
func TestCapXMLItemsLeavesSmallFeeds(t *testing.T) {
	body := []byte(`<rss><channel><item><title>a</title></item><item><title>b</title></item></channel></rss>`)
	if out, n := capXMLItems(body, 2); n != 0 || &out[0] != &body[0] {
		t.Errorf("a feed at the cap was rewritten (%d dropped)", n)
	}
	if _, n := capXMLItems([]byte(`<rss><channel><item><title>a</item></channel>`), 0); n != 0 {
		t.Errorf("cap 0 dropped %d", n)
	}
}

// BenchmarkCapXMLItems100k cuts a 100,000-entry feed (dated entries) to
// the newest 1,000 before parsing: the scan's cost and allocations.
//
//	go test ./sources -run XXX -bench CapXMLItems -benchtime 5x
func BenchmarkCapXMLItems100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<rss version="2.0"><channel><title>T</title>`)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		fmt.Fprintf(&sb, "<item><title>Report %d</title><link>/%d</link><pubDate>%s</pubDate></item>\n",
			i, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC1123Z))
	}
	sb.WriteString(`</channel></rss>`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, n := capXMLItems(body, DefaultMaxItems); n != 99_000 {
			b.Fatalf("dropped %d", n)
		}
	}
}

// Server-given seconds are capped before multiplying: a huge max-age or
// Retry-After must not wrap around into a negative or tiny wait.
func TestHugeServerSecondsDoNotWrap(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	for _, v := range []string{"99999999999", "9223372036854775807", "18446744073"} {
		h := http.Header{"Cache-Control": {"max-age=" + v}}
		if got := freshness(h, now); got != maxHonoured {
			t.Errorf("max-age=%s: %v, want %v", v, got, maxHonoured)
		}
		if got := retryAfter(v, now); got != maxHonoured {
			t.Errorf("Retry-After: %s: %v, want %v", v, got, maxHonoured)
		}
	}
}
