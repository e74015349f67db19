package sources

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// realFeedsDir finds shared/realfeeds beside the repository (CI puts a copy
// of shared/ next to the clone). Tests using it skip when it is absent.
func realFeedsDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, cand := range []string{filepath.Join(dir, "shared", "realfeeds"), filepath.Join(dir, "..", "shared", "realfeeds")} {
			if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
				return cand
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/realfeeds not found")
		}
		dir = parent
	}
}

// TestRealFeeds serves each real-world feed from a local server (with no
// charset in the Content-Type, as many publishers do) and checks the
// oddity it carries is handled.
func TestRealFeeds(t *testing.T) {
	dir := realFeedsDir(t)
	clock := newFetchClock()
	cases := []struct {
		file  string
		items int
		check func(t *testing.T, items []briefing.Item)
	}{
		{"uolnoticias_latin1_no-xml-declaration.rss", 15, func(t *testing.T, items []briefing.Item) {
			// Latin-1 bytes, no declaration, Portuguese day and month names.
			wantTitle(t, items, "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno")
			for _, it := range items {
				if !it.DateFromFeed {
					t.Errorf("%q: Portuguese pubDate not read", it.Title)
				}
			}
		}},
		{"jornaldenoticias_ultimas_iso-8859-1.rss", 40, nil},
		{"oreilly_rss092_sample_undated-items_iso-8859-1.rss", 2, func(t *testing.T, items []briefing.Item) {
			for _, it := range items {
				if it.DateFromFeed || !it.Published.Equal(clock.Now()) {
					t.Errorf("undated item %q: published %v", it.Title, it.Published)
				}
			}
		}},
		{"github_gulp_releases_relative-links.atom", 10, func(t *testing.T, items []briefing.Item) {
			for _, it := range items {
				if !strings.HasPrefix(it.URL, "http://127.0.0.1:") || !strings.Contains(it.URL, "/gulpjs/gulp/releases/tag/") {
					t.Errorf("relative link not resolved against the feed URL: %q", it.URL)
				}
			}
		}},
		{"biorxiv_rss1.0_rdf_no-xml-declaration.rdf", 30, func(t *testing.T, items []briefing.Item) {
			for _, it := range items {
				if !it.DateFromFeed || it.Published.Year() != 2019 {
					t.Errorf("RDF dc:date not read: %v", it.Published)
				}
			}
		}},
		{"scriptingnews_untitled-items.rss", 48, func(t *testing.T, items []briefing.Item) {
			// 50 entries, two of them repeats of an earlier GUID; 39 have no
			// title; all link to a daily page with a per-post anchor.
			wantTitle(t, items, "Good morning students and teachers!")
			urls := map[string]bool{}
			for _, it := range items {
				if !strings.Contains(it.URL, "#") {
					t.Errorf("anchor dropped from %q: it is what tells posts apart", it.URL)
				}
				urls[it.URL] = true
			}
			if len(urls) != len(items) {
				t.Errorf("%d distinct links for %d items", len(urls), len(items))
			}
		}},
		{"bbc_world_2019-02-24_mojibake.xml", 33, func(t *testing.T, items []briefing.Item) {
			wantTitle(t, items, "Venezuela crisis: Guaidó calls for support amid deadly border clashes")
		}},
		{"bbc_world_2017-01-20_trimmed.xml", 3, nil},
		{"guardian_us_2018-01-31.rss", 55, nil},
		{"lemonde_international_fr_2024-03-27.xml", 20, func(t *testing.T, items []briefing.Item) {
			for _, it := range items {
				if it.Lang != "fr" {
					t.Errorf("language %q, want fr from the feed", it.Lang)
				}
			}
			wantTitle(t, items, "Attentat près de Moscou : « La population russe semble condamnée à subir la chasse aux menaces imaginaires du Kremlin »")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Skipf("missing: %v", err)
			}
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/xml")
				w.Write(body)
			})
			res := testFetcher(clock, Options{}).Fetch(t.Context(), briefing.Source{Name: tc.file, URL: srv.URL + "/feeds/" + tc.file}, briefing.SourceState{}, Conditional)
			if res.Status != briefing.StatusOK {
				t.Fatalf("status %s: %v", res.Status, res.Err)
			}
			if len(res.Items) != tc.items {
				t.Errorf("%d items, want %d", len(res.Items), tc.items)
			}
			keys := map[string]bool{}
			for _, it := range res.Items {
				if it.Title == "" || strings.ContainsAny(it.Title, "\uFFFD<>") || it.Title != strings.TrimSpace(it.Title) {
					t.Errorf("bad title %q", it.Title)
				}
				if strings.Contains(it.Summary, "<p>") || strings.Contains(it.Summary, "\uFFFD") {
					t.Errorf("summary not plain text: %q", it.Summary)
				}
				if strings.Contains(it.Title+it.Summary, "Ã") {
					t.Errorf("mojibake left in %q", it.Title)
				}
				if keys[it.Key] {
					t.Errorf("duplicate key %q", it.Key)
				}
				keys[it.Key] = true
				if it.Published.After(clock.Now().Add(time.Minute)) {
					t.Errorf("published in the future: %v", it.Published)
				}
			}
			if tc.check != nil {
				tc.check(t, res.Items)
			}
		})
	}
}

func wantTitle(t *testing.T, items []briefing.Item, title string) {
	t.Helper()
	for _, it := range items {
		if it.Title == title {
			return
		}
	}
	var got []string
	for i, it := range items {
		if i < 5 {
			got = append(got, it.Title)
		}
	}
	t.Errorf("no item titled %q; first titles: %q", title, got)
}
