package sources

import (
	"io"
	"net/http"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// A Google News search feed names the real publisher in <source> and
// appends it to every title.
const googleNewsFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>"Mali junta" - Google News</title><link>https://news.google.com/search?q=mali+junta</link><language>en-US</language>
<item>
  <title>Mali junta dissolves political parties - Reuters</title>
  <link>https://news.google.com/rss/articles/CBMiWkFVX3lxTE1?oc=5</link>
  <guid isPermaLink="false">CBMiWkFVX3lxTE1</guid>
  <pubDate>Tue, 13 May 2025 14:02:00 GMT</pubDate>
  <description>&lt;a href="https://news.google.com/rss/articles/CBMiWkFVX3lxTE1?oc=5" target="_blank"&gt;Mali junta dissolves political parties&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color="#6f6f6f"&gt;Reuters&lt;/font&gt;</description>
  <source url="https://www.reuters.com">Reuters</source>
</item>
<item>
  <title>Untagged aggregator entry</title>
  <link>https://news.google.com/rss/articles/OTHER</link>
</item>
</channel></rss>`

func TestGoogleNewsOutlet(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		io.WriteString(w, googleNewsFeed)
	})
	res := testFetcher(newFetchClock(), Options{}).Fetch(t.Context(),
		briefing.Source{Name: "Google News: Mali junta", URL: srv.URL}, briefing.SourceState{}, Conditional)
	if res.Status != briefing.StatusOK || len(res.Items) != 2 {
		t.Fatalf("status %s, %d items: %v", res.Status, len(res.Items), res.Err)
	}
	it := res.Items[0]
	if it.Outlet != "Reuters" {
		t.Errorf("outlet %q, want Reuters from <source>", it.Outlet)
	}
	if it.Title != "Mali junta dissolves political parties" {
		t.Errorf("title %q: the outlet suffix should go", it.Title)
	}
	if it.URL != "https://news.google.com/rss/articles/CBMiWkFVX3lxTE1" {
		t.Errorf("url %q: Google's oc= parameter should go", it.URL)
	}
	if it.Summary != "" {
		t.Errorf("summary %q only repeats the title and outlet", it.Summary)
	}
	if it.Lang != "en" {
		t.Errorf("lang %q from the feed's en-US", it.Lang)
	}
	if res.Items[1].Outlet != "Google News: Mali junta" {
		t.Errorf("an entry without <source> takes the source name, got %q", res.Items[1].Outlet)
	}
}
