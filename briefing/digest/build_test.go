package digest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

var testNames = map[string]string{
	"mali": "Mali", "niger": "Niger", "burkina-faso": "Burkina Faso", "chad": "Chad", "sudan": "Sudan",
	"algeria": "Algeria", "aes": "Alliance of Sahel States", "wagner": "Wagner / Africa Corps",
}

func testName(id string) string { return testNames[id] }

// report is a test item: a real headline with the story, place and events
// the story engine gives it when it is stored.
func report(id, story int64, outlet, lang, title string, at time.Time, place string, countries, actors, events []string) briefing.Item {
	return briefing.Item{ID: id, Source: outlet, Outlet: outlet, Lang: lang, Title: title, Published: at, FirstSeen: at,
		Story: story, Place: place, Countries: countries, Actors: actors, Events: events}
}

// digestItems is a day of real reports (their dates moved onto one day):
// a Mali story from three outlets, a Niger story from two, single reports
// from Burkina Faso, Niger and Chad, one about the AES placed nowhere, and
// one the day before.
func digestItems(t *testing.T) ([]briefing.Item, time.Time) {
	t.Helper()
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return day.Add(time.Duration(n) * time.Hour) }
	ss := func(s ...string) []string { return s }
	return []briefing.Item{
		report(35, 35, "dakaractu.com", "fr", "Mali : la junte dissout les partis politiques (décret)", h(6), "mali", ss("mali"), nil, ss("dissolution")),
		report(36, 35, "web.sabc.co.za", "en", "Mali military rulers formally dissolve political parties", h(7), "mali", ss("mali"), ss("assimi-goita"), ss("dissolution")),
		report(37, 35, "bbc.com", "en", "Mali junta dissolves all political parties in latest opposition crackdown", h(9), "mali", ss("mali"), nil, ss("dissolution")),
		report(2, 1, "newsbytesapp.com", "en", "Niger soldiers declare coup on national TV, detain president", h(10), "niger", ss("niger"), ss("mohamed-bazoum"), ss("coup", "arrest")),
		report(1, 1, "boursier.com", "fr", "Niger : Le président Bazoum a été destitué, les frontières fermées", h(11), "niger", ss("niger"), ss("mohamed-bazoum"), ss("coup")),
		report(42, 42, "lekaloum.com", "fr", "Une attaque jihadiste au nord du Burkina Faso fait plusieurs dizaines de morts", h(12), "burkina-faso", ss("burkina-faso"), nil, ss("attack")),
		report(62, 62, "newspolite.com", "en", "Sahel alliance recalls ambassadors from Algiers over downed drone", h(13), "", ss("algeria", "burkina-faso", "mali", "niger"), ss("aes"), nil),
		report(12, 12, "spacewar.com", "en", "Burkina Faso, Mali, Niger sign 'confederation' treaty", h(14), "niger", ss("burkina-faso", "mali", "niger"), ss("aes"), ss("agreement")),
		report(54, 54, "lemonde.fr", "en", "French foreign intelligence agents detained in Burkina Faso", h(15), "burkina-faso", ss("burkina-faso"), ss("france"), ss("arrest")),
		report(50, 50, "lemonde.fr", "en", "Macron ultimately orders military exit from Niger", h(16), "niger", ss("niger"), ss("france"), ss("withdrawal")),
		report(900, 900, "Test", "fr", "Tchad : le gouvernement annonce un nouveau calendrier électoral", h(17), "chad", ss("chad"), nil, ss("election")),
		report(56, 56, "nasdaq.com", "en", "Mali's army claims capture of rebel stronghold of Kidal", h(-3), "mali", ss("mali"), nil, ss("capture")),
	}, day
}

func storyTitles(ss []briefing.Story) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return out
}

func sectionStories(d *briefing.Digest) []briefing.Story {
	var out []briefing.Story
	for _, sec := range d.Sections {
		out = append(out, sec.Stories...)
	}
	return out
}

func TestBuildDigest(t *testing.T) {
	items, day := digestItems(t)
	failed := []briefing.SourceFailure{{Name: "RFI", Error: "timeout", Since: day.Add(-48 * time.Hour)}}
	d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour), Names: testName, Failed: failed})
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
	// Headlines: the multi-outlet stories first, then single reports of an
	// event in a watched country.
	if len(d.Headlines) != DefaultMaxHeadlines || !strings.Contains(d.Headlines[0].Title, "partis politiques") &&
		!strings.Contains(d.Headlines[0].Title, "political parties") {
		t.Fatalf("headlines %v, want 5 led by the Mali parties story (3 outlets)", storyTitles(d.Headlines))
	}
	for _, h := range d.Headlines {
		if len(h.Outlets) < 2 && (h.ScoreParts.Watch == 0 || h.ScoreParts.Events == 0) {
			t.Errorf("headline %q has one outlet and no watched event", h.Title)
		}
		if h.Score == 0 || h.Score != h.ScoreParts.Total() {
			t.Errorf("headline %q: score %v, parts %+v", h.Title, h.Score, h.ScoreParts)
		}
	}
	// Every story once; each in the section of the country where it
	// happens (Region for elsewhere); Names filled.
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
	if len(seen) != 8 {
		t.Errorf("%d stories in the digest, want 8: %v", len(seen), seen)
	}
	order := []string{"mali", "niger", "burkina-faso", "region"}
	for _, sec := range d.Sections {
		for _, s := range sec.Stories {
			want := s.Place
			if watchIndex(want) < 0 {
				want = "region"
				if s.Place == "" {
					want = "mali" // placed nowhere: the first watched country it names
				}
			}
			if sec.ID != want {
				t.Errorf("story %q (place %q) in section %s, want %s", s.Title, s.Place, sec.ID, want)
			}
		}
		if !slices.Contains(order, sec.ID) {
			t.Errorf("section %s", sec.ID)
		}
	}
	// Counts: stories per country where they happen (a story placed
	// nowhere counts for each country it names), most first.
	var counts []string
	for _, c := range d.Counts {
		counts = append(counts, fmt.Sprintf("%s:%d", c.ID, c.Stories))
	}
	if got, want := strings.Join(counts, " "), "niger:4 burkina-faso:3 mali:2 algeria:1 chad:1"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
}

func TestBuildDigestFilters(t *testing.T) {
	items, day := digestItems(t)
	win := func(o Options) Options {
		o.Since, o.Until, o.Names = day, day.Add(24*time.Hour), testName
		return o
	}
	tests := []struct {
		name     string
		opt      Options
		total    int
		sections []string
		title    string
	}{
		// Niger: the coup, the treaty, the exit; and the AES recall, placed
		// nowhere, which names Niger.
		{"country niger", win(Options{Filter: briefing.Filter{Country: "niger"}, MaxHeadlines: -1}), 5, []string{"niger"}, "Sahel brief: Niger — 26 Nov 2026"},
		{"country chad gets its own section", win(Options{Filter: briefing.Filter{Country: "chad"}, MaxHeadlines: -1}), 1, []string{"chad"}, "Sahel brief: Chad — 26 Nov 2026"},
		{"actor aes", win(Options{Filter: briefing.Filter{Actor: "aes"}}), 2, nil, "Sahel brief: Alliance of Sahel States — 26 Nov 2026"},
		// Mali and the AES: the recall only (the treaty happens in Niger).
		{"country and actor", win(Options{Filter: briefing.Filter{Country: "mali", Actor: "aes"}}), 1, nil, "Sahel brief: Mali, Alliance of Sahel States — 26 Nov 2026"},
		{"query is ignored", win(Options{Filter: briefing.Filter{Query: "wagner AND mali"}}), 11, nil, "Sahel brief — 26 Nov 2026"},
		{"custom title", win(Options{Title: "Morning brief"}), 11, nil, "Morning brief"},
		{"no headlines", win(Options{MaxHeadlines: -1, MaxPerSection: 1}), 11, []string{"mali", "niger", "burkina-faso", "region"}, "Sahel brief — 26 Nov 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := BuildItems(items, tt.opt)
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
				if c := tt.opt.Filter.Country; c != "" && s.Place != c && !slices.ContainsFunc(s.Countries, func(t briefing.Tag) bool { return t.ID == c }) {
					t.Errorf("story %q is not about %s", s.Title, c)
				}
				if a := tt.opt.Filter.Actor; a != "" && !slices.ContainsFunc(s.Actors, func(t briefing.Tag) bool { return t.ID == a }) {
					t.Errorf("story %q lacks actor %s", s.Title, a)
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

// A story is filed under the country where it happens, not the first
// watched country it names: the Tillabéri attack near the Malian border is
// Niger's, in a Niger digest and out of a Mali one.
func TestBuildDigestPlace(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	items := []briefing.Item{
		report(1, 1, "RFI", "fr", "Tillabéri: 12 soldats nigériens tués près de la frontière malienne", day.Add(time.Hour), "niger",
			[]string{"mali", "niger"}, nil, []string{"attack"}),
	}
	all := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour), MaxHeadlines: -1})
	if len(all.Sections) != 1 || all.Sections[0].ID != "niger" {
		t.Errorf("sections %+v, want the story under Niger", all.Sections)
	}
	if d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour), Filter: briefing.Filter{Country: "mali"}}); !d.Quiet() {
		t.Errorf("a Mali digest shows the Tillabéri attack: %v", storyTitles(sectionStories(d)))
	}
	if d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour), Filter: briefing.Filter{Country: "niger"}}); d.Quiet() {
		t.Error("a Niger digest misses the Tillabéri attack")
	}
}

// A story that happens outside the watched countries does not outrank an
// attack in one, however many outlets tell it.
func TestBuildDigestOutside(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	at := day.Add(6 * time.Hour)
	items := []briefing.Item{
		report(1, 1, "Reuters", "en", "Sudan's RSF assault on El-Fasher kills dozens", at, "sudan", []string{"sudan"}, nil, []string{"attack"}),
		report(2, 1, "AP", "en", "RSF attack on El-Fasher camp kills dozens, Sudan says", at, "sudan", []string{"sudan"}, nil, []string{"attack"}),
		report(3, 1, "AFP", "en", "Dozens killed as RSF storm El-Fasher", at, "sudan", []string{"sudan"}, nil, []string{"attack"}),
		report(4, 4, "ActuNiger", "fr", "Attaque contre un poste militaire à Banibangou", at, "niger", []string{"niger"}, nil, []string{"attack"}),
	}
	d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour)})
	if len(d.Headlines) == 0 || d.Headlines[0].ID != "s4" {
		t.Fatalf("headlines %v, want the Niger attack first", storyTitles(d.Headlines))
	}
	for _, h := range d.Headlines {
		if h.Place == "sudan" && h.ScoreParts.Outside >= 0 {
			t.Errorf("the Sudan story's parts %+v carry no outside share", h.ScoreParts)
		}
	}
}

// The lead is the report most like the others, never an outlier, in the
// preferred language when a report exists in it; every report is listed.
func TestBuildDigestLead(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	items := []briefing.Item{
		report(1, 1, "A", "en", "Timeline: a history of coups in West Africa", day.Add(time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
		report(2, 1, "B", "en", "Niger soldiers declare coup on national television", day.Add(2*time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
		report(3, 1, "C", "en", "Soldiers declare coup in Niger on national television", day.Add(3*time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
		report(4, 1, "D", "fr", "Niger : des militaires annoncent un coup d'État à la télévision", day.Add(4*time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
	}
	win := Options{Since: day, Until: day.Add(24 * time.Hour)}
	d := BuildItems(items, win)
	if len(d.Headlines) != 1 {
		t.Fatalf("headlines %v", storyTitles(d.Headlines))
	}
	h := d.Headlines[0]
	if h.Title == items[0].Title || !strings.Contains(h.Title, "declare coup") {
		t.Errorf("lead %q, want a report like the others (not the timeline)", h.Title)
	}
	if len(h.Reports) != 4 || h.Reports[0].Title != h.Title {
		t.Errorf("reports %+v, want all four, lead first", h.Reports)
	}
	win.Lang = "fr"
	if fr := BuildItems(items, win).Headlines[0]; fr.Title != items[3].Title {
		t.Errorf("lead in French %q, want %q", fr.Title, items[3].Title)
	}
	b, err := json.Marshal(h)
	if err != nil || !strings.Contains(string(b), `"score_parts":{"outlets":`) || !strings.Contains(string(b), `"items":[{"id":`) {
		t.Errorf("JSON story %s (%v) lacks score_parts or items", b, err)
	}
}

// A window selects stories; it never cuts them: a story with a report in
// the window is shown with its earlier reports too.
func TestBuildDigestWholeStories(t *testing.T) {
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	items := []briefing.Item{
		report(1, 1, "A", "en", "Niger soldiers declare coup on national television", day.Add(-5*time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
		report(2, 1, "B", "fr", "Niger : des militaires annoncent un coup d'État", day.Add(2*time.Hour), "niger", []string{"niger"}, nil, []string{"coup"}),
	}
	d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour)})
	all := append(slices.Clone(d.Headlines), sectionStories(d)...)
	if len(all) != 1 || len(all[0].Items) != 2 || d.TotalItems != 1 {
		t.Fatalf("stories %v (items in window %d), want one story of both reports", storyTitles(all), d.TotalItems)
	}
}

func TestBuildDigestQuiet(t *testing.T) {
	items, day := digestItems(t)
	failed := []briefing.SourceFailure{{Name: "Studio Tamani", Error: "HTTP 503"}}
	for _, tt := range []struct {
		name  string
		items []briefing.Item
		opt   Options
	}{
		{"no items", nil, Options{Until: day}},
		{"window before everything", items, Options{Since: day.Add(-72 * time.Hour), Until: day.Add(-48 * time.Hour)}},
		{"unknown country", items, Options{Filter: briefing.Filter{Country: "senegal"}, Until: day.Add(24 * time.Hour)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Failed = failed
			d := BuildItems(tt.items, tt.opt)
			if !d.Quiet() || d.TotalItems != 0 || len(d.Counts) != 0 {
				t.Errorf("want a quiet digest, got %d headlines, %d sections, %d items", len(d.Headlines), len(d.Sections), d.TotalItems)
			}
			if !slices.Equal(d.Failed, failed) || !strings.HasPrefix(d.Title, "Sahel brief") {
				t.Errorf("failed %v, title %q", d.Failed, d.Title)
			}
		})
	}
	// Until is excluded: a digest ending at midnight is titled the day before.
	d := BuildItems(items, Options{Since: day, Until: day.Add(24 * time.Hour)})
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
