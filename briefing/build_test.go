package briefing

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNames = map[string]string{
	"mali": "Mali", "niger": "Niger", "burkina-faso": "Burkina Faso", "chad": "Chad",
	"algeria": "Algeria", "aes": "Alliance of Sahel States", "wagner": "Wagner / Africa Corps",
}

func testName(id string) string { return testNames[id] }

// digestItems is a day of real reports (their dates moved onto one day):
// a Mali story from three outlets, a Niger story from two, single reports
// from Burkina Faso and Chad, one about Niger and Mali, one about the AES.
func digestItems(t *testing.T) ([]Item, time.Time) {
	t.Helper()
	all, _ := loadStories(t)
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	pick := []struct {
		title string
		at    time.Duration
	}{
		{"Mali : la junte dissout les partis politiques (décret)", 6 * time.Hour},
		{"Mali military rulers formally dissolve political parties", 7 * time.Hour},
		{"Mali junta dissolves all political parties", 9 * time.Hour},
		{"Niger soldiers declare coup on national TV", 10 * time.Hour},
		{"Niger : Le président Bazoum a été destitué", 11 * time.Hour},
		{"Une attaque jihadiste au nord du Burkina Faso", 12 * time.Hour},
		{"Sahel alliance recalls ambassadors from Algiers", 13 * time.Hour},
		{"Burkina Faso, Mali, Niger sign 'confederation' treaty", 14 * time.Hour},
		{"French foreign intelligence agents detained in Burkina Faso", 15 * time.Hour},
		{"Macron ultimately orders military exit from Niger", 16 * time.Hour},
	}
	var items []Item
	for _, p := range pick {
		it := byTitle(t, all, p.title)
		it.Published = day.Add(p.at)
		items = append(items, it)
	}
	// A Chad report, made up for this test (not in stories.jsonl).
	items = append(items, Item{ID: 900, Source: "Test", Outlet: "Test", Title: "Tchad : le gouvernement annonce un nouveau calendrier électoral",
		Published: day.Add(17 * time.Hour), Countries: []string{"chad"}})
	// One a day before the window.
	old := byTitle(t, all, "Mali's army claims capture of rebel stronghold of Kidal")
	old.Published = day.Add(-3 * time.Hour)
	items = append(items, old)
	return items, day
}

func storyTitles(ss []Story) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return out
}

func TestBuildDigest(t *testing.T) {
	items, day := digestItems(t)
	failed := []SourceFailure{{Name: "RFI", Error: "timeout", Since: day.Add(-48 * time.Hour)}}
	d := BuildDigest(items, DigestOptions{Since: day, Until: day.Add(24 * time.Hour), Names: testName, Failed: failed})

	if d.Quiet() {
		t.Fatal("digest is quiet")
	}
	if d.Title != "Sahel brief — 26 Nov 2026" {
		t.Errorf("title %q", d.Title)
	}
	if d.TotalItems != len(items)-1 {
		t.Errorf("TotalItems %d, want %d (the old item is out)", d.TotalItems, len(items)-1)
	}
	if !slices.Equal(d.Failed, failed) {
		t.Errorf("failed %v", d.Failed)
	}

	// Headlines: the multi-outlet stories first, then single reports of a
	// watched event (the Burkina attack, the AES treaty...).
	if len(d.Headlines) == 0 || len(d.Headlines[0].Outlets) < 2 {
		t.Fatalf("headlines %v", storyTitles(d.Headlines))
	}
	if !strings.Contains(d.Headlines[0].Title, "partis politiques") {
		t.Errorf("first headline %q, want the Mali parties story (3 outlets)", d.Headlines[0].Title)
	}
	for _, h := range d.Headlines {
		if len(h.Outlets) < 2 && rkEvents(&h) == 0 {
			t.Errorf("headline %q has one outlet and no event", h.Title)
		}
		if h.Score == 0 {
			t.Errorf("headline %q has no score", h.Title)
		}
	}

	// Every story once; sections in order; Names filled.
	seen := map[string]bool{}
	for _, s := range append(slices.Clone(d.Headlines), sectionStories(d)...) {
		if seen[s.ID] {
			t.Errorf("story %s (%q) appears twice", s.ID, s.Title)
		}
		seen[s.ID] = true
		for _, c := range s.Countries {
			if c.Name == "" {
				t.Errorf("story %q: country %s has no name", s.Title, c.ID)
			}
		}
	}
	var secIDs []string
	for _, sec := range d.Sections {
		secIDs = append(secIDs, sec.ID)
		for i := 1; i < len(sec.Stories); i++ {
			if sec.Stories[i].Score > sec.Stories[i-1].Score {
				t.Errorf("section %s not in rank order", sec.ID)
			}
		}
	}
	order := []string{"mali", "niger", "burkina-faso", "region"}
	if !slices.IsSortedFunc(secIDs, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) }) {
		t.Errorf("sections %v out of order", secIDs)
	}
	for _, sec := range d.Sections {
		for _, s := range sec.Stories {
			want := "region"
			for _, w := range order[:3] {
				if clHasTag(s.Countries, w) {
					want = w
					break
				}
			}
			if sec.ID != want {
				t.Errorf("story %q in section %s, want %s", s.Title, sec.ID, want)
			}
		}
		if sec.ID == "region" && sec.Name != "Region" || sec.ID == "burkina-faso" && sec.Name != "Burkina Faso" {
			t.Errorf("section %s named %q", sec.ID, sec.Name)
		}
	}
	if len(seen) != 8 {
		t.Errorf("%d stories in the digest, want 8: %v", len(seen), seen)
	}

	// Counts: stories per country, most first, watch order on ties.
	var counts []string
	for _, c := range d.Counts {
		counts = append(counts, fmt.Sprintf("%s:%d", c.ID, c.Stories))
		if c.Name == "" {
			t.Errorf("count %s has no name", c.ID)
		}
	}
	if got, want := strings.Join(counts, " "), "niger:4 burkina-faso:4 mali:3 algeria:1 chad:1"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}

	// The digest ranks as Rank does.
	stories := Cluster(items[:len(items)-1], ClusterOptions{})
	Rank(stories, day.Add(24*time.Hour))
	var ranked []string
	for _, s := range stories {
		ranked = append(ranked, s.ID)
	}
	pos := -1
	for _, s := range d.Headlines {
		p := slices.Index(ranked, s.ID)
		if p < pos {
			t.Errorf("headline %s out of Rank's order", s.ID)
		}
		pos = p
	}
}

func sectionStories(d *Digest) []Story {
	var out []Story
	for _, sec := range d.Sections {
		out = append(out, sec.Stories...)
	}
	return out
}

func TestBuildDigestFilters(t *testing.T) {
	items, day := digestItems(t)
	win := func(o DigestOptions) DigestOptions {
		o.Since, o.Until, o.Names = day, day.Add(24*time.Hour), testName
		return o
	}
	tests := []struct {
		name     string
		opt      DigestOptions
		total    int
		sections []string
		title    string
	}{
		{"country niger", win(DigestOptions{Filter: Filter{Country: "niger"}}), 5, nil, "Sahel brief: Niger — 26 Nov 2026"},
		{"country chad gets its own section", win(DigestOptions{Filter: Filter{Country: "chad"}}), 1, []string{"chad"}, "Sahel brief: Chad — 26 Nov 2026"},
		{"actor aes", win(DigestOptions{Filter: Filter{Actor: "aes"}}), 2, nil, "Sahel brief: Alliance of Sahel States — 26 Nov 2026"},
		{"country and actor", win(DigestOptions{Filter: Filter{Country: "mali", Actor: "aes"}}), 2, nil, "Sahel brief: Mali, Alliance of Sahel States — 26 Nov 2026"},
		{"query is ignored", win(DigestOptions{Filter: Filter{Query: "wagner AND mali"}}), 11, nil, "Sahel brief — 26 Nov 2026"},
		{"custom title", win(DigestOptions{Title: "Morning brief"}), 11, nil, "Morning brief"},
		{"no headlines", win(DigestOptions{MaxHeadlines: -1, MaxPerSection: 1}), 11, []string{"mali", "niger", "burkina-faso", "region"}, "Sahel brief — 26 Nov 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := BuildDigest(items, tt.opt)
			if d.TotalItems != tt.total {
				t.Errorf("TotalItems %d, want %d", d.TotalItems, tt.total)
			}
			if d.Title != tt.title {
				t.Errorf("title %q, want %q", d.Title, tt.title)
			}
			if d.Filter != tt.opt.Filter {
				t.Errorf("filter %v not copied", d.Filter)
			}
			for _, s := range append(slices.Clone(d.Headlines), sectionStories(d)...) {
				for _, it := range s.Items {
					if c := tt.opt.Filter.Country; c != "" && !slices.Contains(it.Countries, c) {
						t.Errorf("item %q lacks country %s", it.Title, c)
					}
					if a := tt.opt.Filter.Actor; a != "" && !slices.Contains(it.Actors, a) {
						t.Errorf("item %q lacks actor %s", it.Title, a)
					}
				}
			}
			if tt.sections != nil {
				var got []string
				for _, sec := range d.Sections {
					got = append(got, sec.ID)
					if len(sec.Stories) > tt.opt.MaxPerSection && tt.opt.MaxPerSection > 0 {
						t.Errorf("section %s has %d stories, max %d", sec.ID, len(sec.Stories), tt.opt.MaxPerSection)
					}
				}
				if !slices.Equal(got, tt.sections) {
					t.Errorf("sections %v, want %v", got, tt.sections)
				}
			}
			if tt.opt.MaxHeadlines < 0 && len(d.Headlines) > 0 {
				t.Errorf("%d headlines, want none", len(d.Headlines))
			}
		})
	}
}

func TestBuildDigestQuiet(t *testing.T) {
	items, day := digestItems(t)
	failed := []SourceFailure{{Name: "Studio Tamani", Error: "HTTP 503"}}
	for _, tt := range []struct {
		name  string
		items []Item
		opt   DigestOptions
	}{
		{"no items", nil, DigestOptions{Until: day}},
		{"window before everything", items, DigestOptions{Since: day.Add(-72 * time.Hour), Until: day.Add(-48 * time.Hour)}},
		{"unknown country", items, DigestOptions{Filter: Filter{Country: "senegal"}, Until: day.Add(24 * time.Hour)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Failed = failed
			d := BuildDigest(tt.items, tt.opt)
			if !d.Quiet() || d.TotalItems != 0 || len(d.Counts) != 0 {
				t.Errorf("want a quiet digest, got %d headlines, %d sections, %d items", len(d.Headlines), len(d.Sections), d.TotalItems)
			}
			if !slices.Equal(d.Failed, failed) || !strings.HasPrefix(d.Title, "Sahel brief") {
				t.Errorf("failed %v, title %q", d.Failed, d.Title)
			}
		})
	}
	// Until is excluded: a digest ending at midnight is titled the day before.
	d := BuildDigest(items, DigestOptions{Since: day, Until: day.Add(24 * time.Hour)})
	if d.Title != "Sahel brief — 26 Nov 2026" {
		t.Errorf("title %q", d.Title)
	}
	// Without Names, tags show their IDs and sections their usual names.
	for _, s := range append(slices.Clone(d.Headlines), sectionStories(d)...) {
		for _, c := range s.Countries {
			if c.Name != c.ID {
				t.Errorf("tag %s named %q without Names", c.ID, c.Name)
			}
		}
	}
	for _, sec := range d.Sections {
		if sec.ID == "burkina-faso" && sec.Name != "Burkina Faso" {
			t.Errorf("section name %q", sec.Name)
		}
	}
}

// TestBuildDigestOnce: a story about two watched countries goes to the
// first in watch order, and a headline is not repeated in a section.
func TestBuildDigestOnce(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	items := []Item{
		{ID: 1, Outlet: "A", Title: "Niger et Mali : réunion des ministres de la défense à Niamey", Published: day.Add(time.Hour), Countries: []string{"niger", "mali"}},
		{ID: 2, Outlet: "B", Title: "Burkina Faso : nouveau gouverneur à Dori", Published: day.Add(2 * time.Hour), Countries: []string{"burkina-faso", "niger"}},
		{ID: 3, Outlet: "C", Title: "Tchad : un marché rouvre à Bol", Published: day.Add(3 * time.Hour), Countries: []string{"chad"}},
		{ID: 4, Outlet: "D", Title: "Au Mali, une embuscade fait dix morts près de Gao", Published: day.Add(4 * time.Hour), Countries: []string{"mali"}},
	}
	d := BuildDigest(items, DigestOptions{Since: day, Until: day.Add(24 * time.Hour)})
	got := map[string]string{}
	for _, s := range d.Headlines {
		got[s.ID] = "headline"
	}
	for _, sec := range d.Sections {
		for _, s := range sec.Stories {
			if _, dup := got[s.ID]; dup {
				t.Errorf("%s twice", s.ID)
			}
			got[s.ID] = sec.ID
		}
	}
	want := map[string]string{"s4": "headline", "s1": "mali", "s2": "niger", "s3": "region"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("placement %v, want %v", got, want)
	}
}

// BenchmarkBuildDigest20k builds a digest of 20,000 synthetic items (the
// 60 days of synthCorpus, all in the window).
func BenchmarkBuildDigest20k(b *testing.B) {
	items, _ := synthCorpus(20000, 1)
	opt := DigestOptions{Names: testName, Now: items[len(items)-1].Published}
	b.ReportAllocs()
	b.ResetTimer()
	var d *Digest
	for b.Loop() {
		d = BuildDigest(items, opt)
	}
	b.StopTimer()
	if d.Quiet() || d.TotalItems != len(items) {
		b.Fatalf("digest: %d items, quiet %v", d.TotalItems, d.Quiet())
	}
}
