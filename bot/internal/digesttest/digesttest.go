// Package digesttest holds the digest fixtures the renderer packages'
// tests share: typical, quiet and split digests, hostile feed text, and
// random digests for property tests.
package digesttest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

var (
	tMali     = briefing.Tag{ID: "mali", Name: "Mali"}
	tNiger    = briefing.Tag{ID: "niger", Name: "Niger"}
	tBurkina  = briefing.Tag{ID: "burkina-faso", Name: "Burkina Faso"}
	tWagner   = briefing.Tag{ID: "wagner", Name: "Wagner / Africa Corps"}
	tECOWAS   = briefing.Tag{ID: "ecowas", Name: "ECOWAS"}
	tMINUSMA  = briefing.Tag{ID: "minusma", Name: "MINUSMA"}
	tBazoum   = briefing.Tag{ID: "mohamed-bazoum", Name: "Mohamed Bazoum"}
	tTraore   = briefing.Tag{ID: "ibrahim-traore", Name: "Ibrahim Traoré"}
	WindowEnd = time.Date(2026, 3, 14, 6, 0, 0, 0, time.UTC)
)

func At(h, m int) time.Time { return time.Date(2026, 3, 13, h, m, 0, 0, time.UTC) }

// Typical has headlines, several sections, counts, a failed source,
// French and English titles with accents, and some awkward feed text.
func Typical() *briefing.Digest {
	kidal := briefing.Story{
		ID: "s101", Title: "Au Mali, Kidal, bastion de la rébellion, reconquis par l’armée",
		URL:     "https://www.lemonde.fr/afrique/article/2026/03/13/au-mali-kidal-reconquis_6091949_3212.html",
		Summary: "Épaulés par les paramilitaires du groupe Wagner, les soldats maliens sont entrés dans ce qui était jusque-là le fief des rebelles du nord du pays. La victoire est symboliquement forte, mais les insurgés affirment que leur « lutte continue ».",
		Outlets: []string{"Le Monde", "RFI", "Jeune Afrique"}, Published: At(7, 45), Updated: At(11, 2),
		Countries: []briefing.Tag{tMali}, Actors: []briefing.Tag{tWagner}, Score: 9.5,
	}
	niger := briefing.Story{
		ID: "s102", Title: "Niger: junta leader 'open to explore diplomacy' with ECOWAS",
		URL:     "https://www.lemonde.fr/en/international/article/2026/03/13/niger-junta-leader-open-to-explore-diplomacy_6091846_4.html",
		Summary: "The prospect of a military intervention to reinstate former president Bazoum has been dividing ECOWAS members & drawn warnings from foreign powers − including Russia and Algeria.",
		Outlets: []string{"Le Monde"}, Published: At(9, 30),
		Countries: []briefing.Tag{tNiger}, Actors: []briefing.Tag{tECOWAS, tBazoum}, Score: 8.1,
	}
	return &briefing.Digest{
		Title:     "Sahel brief — 14 mars 2026",
		Since:     WindowEnd.Add(-24 * time.Hour),
		Until:     WindowEnd,
		Headlines: []briefing.Story{kidal, niger},
		Sections: []briefing.Section{
			{ID: "mali", Name: "Mali", Stories: []briefing.Story{
				kidal, // also a headline: rendered once
				{
					ID: "s103", Title: "UN force in Mali quits base early over insecurity",
					URL:     "https://www.reuters.com/world/africa/un-force-mali-quits-base-early-2026-03-13/",
					Summary: "The UN mission, which has 11,600 troops and 1,500 police officers in the country, left a base in the north which was immediately occupied by the Malian army.",
					Outlets: []string{"Reuters", "Al Jazeera"}, Published: At(13, 5),
					Countries: []briefing.Tag{tMali}, Actors: []briefing.Tag{tMINUSMA}, Score: 6,
				},
			}},
			{ID: "burkina-faso", Name: "Burkina Faso", Stories: []briefing.Story{
				{
					ID: "s104", Title: "Burkina Faso : le capitaine Traoré se rêve en nouveau Sankara",
					URL:     "https://www.jeuneafrique.com/1234567/politique/burkina-faso-traore-sankara/",
					Summary: "Le militaire de 34 ans s’efforce de consolider son assise populaire pour faire face aux divisions au sein de l’armée.",
					Outlets: []string{"Jeune Afrique"}, Published: At(16, 20),
					Countries: []briefing.Tag{tBurkina}, Actors: []briefing.Tag{tTraore}, Score: 5,
				},
				{
					ID: "s105", Title: "Ouagadougou: AES <finance> ministers meet *today* @here",
					Summary: "No link for this one; its feed text carries markup: <!channel> [x](http://evil) `code`.",
					Outlets: []string{"APA News"}, Published: At(18, 0),
					Countries: []briefing.Tag{tBurkina}, Score: 3,
				},
			}},
			{ID: "region", Name: "Region", Stories: []briefing.Story{
				{
					ID: "s106", Title: "Sahel: Alliance of Sahel States launches joint force",
					URL:     "https://www.aljazeera.com/news/2026/3/13/sahel-states-joint-force",
					Outlets: []string{"Al Jazeera"}, Published: At(20, 15),
					Countries: []briefing.Tag{tMali, tNiger, tBurkina}, Score: 4,
				},
			}},
		},
		Counts: []briefing.CountryCount{
			{Tag: tMali, Stories: 3}, {Tag: tBurkina, Stories: 3}, {Tag: tNiger, Stories: 2},
		},
		Failed: []briefing.SourceFailure{
			{Name: "Studio Tamani", Error: "fetch: GET https://www.studiotamani.org/feed: 503 Service Unavailable", Since: At(2, 0)},
		},
		TotalItems: 17,
	}
}

// Quiet matched nothing, and a source failed.
func Quiet() *briefing.Digest {
	return &briefing.Digest{
		Title:  "Sahel brief — 15 mars 2026",
		Since:  WindowEnd,
		Until:  WindowEnd.Add(24 * time.Hour),
		Filter: briefing.Filter{Country: "niger"},
		Failed: []briefing.SourceFailure{
			{Name: "ActuNiger", Error: "parse: XML syntax error on line 1", Since: time.Time{}},
			{Name: "RFI Afrique", Error: "fetch: timeout after 30s", Since: At(23, 10)},
		},
	}
}

// Blind matched nothing while none of the 51 sources answered in its
// window: it must not read as a quiet day.
func Blind() *briefing.Digest {
	d := Quiet()
	d.Filter = briefing.Filter{}
	d.Coverage = &briefing.Coverage{Sources: 51, Answering: 0, Failing: 51, Since: d.Since}
	return d
}

// PartlyBlind is Typical with 30 of its 51 sources silent in the window.
func PartlyBlind() *briefing.Digest {
	d := Typical()
	d.Coverage = &briefing.Coverage{Sources: 51, Answering: 21, Failing: 30, Since: d.Since}
	return d
}

// NoResults is an empty search: not a quiet day.
func NoResults() *briefing.Digest {
	return &briefing.Digest{Title: "Search: junta", Until: WindowEnd, NoResults: "No stored news matches this search."}
}

// Split needs more than one message on every platform: many stories
// with long summaries in one section.
func Split() *briefing.Digest {
	d := &briefing.Digest{
		Title: "Sahel brief — weekly", Since: WindowEnd.Add(-7 * 24 * time.Hour), Until: WindowEnd,
		Counts: []briefing.CountryCount{{Tag: tMali, Stories: 30}},
		Failed: []briefing.SourceFailure{{Name: "Malijet", Error: "fetch: 404 Not Found", Since: At(1, 0)}},
	}
	sec := briefing.Section{ID: "mali", Name: "Mali"}
	for i := range 30 {
		sec.Stories = append(sec.Stories, briefing.Story{
			ID:        fmt.Sprintf("s%03d", 200+i),
			Title:     fmt.Sprintf("Story %d: Bamako’s transition council debates the charter, clause %d", i+1, i+1),
			URL:       fmt.Sprintf("https://example.org/mali/%d", i+1),
			Summary:   strings.Repeat(fmt.Sprintf("Sentence %d of a long summary about the transition. ", i+1), 12),
			Outlets:   []string{"Malijet", "Studio Tamani"},
			Published: At(i%24, i),
			Countries: []briefing.Tag{tMali},
		})
	}
	d.Sections = []briefing.Section{sec}
	return d
}

// Hostile material for the property and fuzz tests.
var Nasty = []string{
	"", " ", "<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C0123|general>", "@everyone", "@here",
	"<@123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>", "[x](http://evil)",
	"*bold*", "_it_", "~strike~", "`code`", "```block```", "||spoiler||", "> quote", "# heading",
	"- item", "1. item", "\\", "&amp;", "&lt;!channel&gt;", "a\u200bb", "\u200d\u200c\ufeff", "\u202eRTL",
	"é", "e\u0301", "👍🏽", "👨‍👩‍👧", "🇲🇱", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359", "\x1b[31mred",
	"line\nbreak", "tab\there", "<http://evil|click>", "<https://evil.example>", "<t:0:R>", "https://evil.example/x",
	"x|y>z", "\xff\xfe", "Ouagadougou", "la « lutte »", "中文标题", "    ", "\u2028",
}

var BadURLs = []string{
	"", "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,x",
	"http://evil|<!channel>", "https://x.example/a>b", "https://x.example/a b", "http://", "ftp://x.example/",
	"https://user:pw@x.example/", "https://x.example/(paren)", "https://x.example/\u200b", "//x.example/a",
	"https://x.example/?a=1&b=<2>", "http://x.example/" + strings.Repeat("a", 3000),
}

// RandText returns text of 0–max runes mixing words, hostile snippets,
// emoji and combining characters. It never contains "ZQ", the Marker the
// tests put into titles.
func RandText(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	var b strings.Builder
	for units := 0; units < n; {
		var s string
		switch r.IntN(6) {
		case 0:
			s = Nasty[r.IntN(len(Nasty))]
		case 1:
			s = strings.Repeat("x", r.IntN(40))
		case 2:
			s = string(rune(0x1f600 + r.IntN(80)))
		case 3:
			s = "e\u0301"
		default:
			s = []string{"Bamako", "Niamey", "junta", "Assimi Goïta", "AES", "&", "<", ">", "|", "*"}[r.IntN(10)]
		}
		b.WriteString(s)
		b.WriteByte(' ')
		units += len(s) + 1
	}
	return b.String()
}

// RandDigest builds a digest of n stories, each titled with a unique Marker
// "ZQ<i>QZ" so tests can find every story in the output.
func RandDigest(r *rand.Rand, n, maxLen int) *briefing.Digest {
	d := &briefing.Digest{
		Title: RandText(r, 200), Since: WindowEnd.Add(-24 * time.Hour), Until: WindowEnd,
		TotalItems: n * 2,
		Filter:     briefing.Filter{Query: RandText(r, 50)},
	}
	for i := range r.IntN(12) {
		d.Counts = append(d.Counts, briefing.CountryCount{Tag: briefing.Tag{ID: fmt.Sprint(i), Name: RandText(r, 30)}, Stories: i})
	}
	for range r.IntN(4) {
		d.Failed = append(d.Failed, briefing.SourceFailure{Name: RandText(r, 40), Error: RandText(r, 600), Since: At(r.IntN(24), 0)})
	}
	secs := 1 + r.IntN(6)
	d.Sections = make([]briefing.Section, secs)
	for i := range d.Sections {
		d.Sections[i].Name = RandText(r, 200)
	}
	for i := range n {
		s := RandStory(r, i, maxLen)
		if r.IntN(5) == 0 {
			d.Headlines = append(d.Headlines, s)
		} else {
			k := r.IntN(secs)
			d.Sections[k].Stories = append(d.Sections[k].Stories, s)
		}
	}
	if len(d.Headlines) > 0 && r.IntN(3) == 0 {
		d.Sections[0].Stories = append(d.Sections[0].Stories, d.Headlines[0]) // rendered once
	}
	return d
}

func RandStory(r *rand.Rand, i, maxLen int) briefing.Story {
	u := fmt.Sprintf("https://example.org/story/%d?a=1&b=%s", i, []string{"x", "y|z", "<w>", "a b"}[r.IntN(4)])
	if r.IntN(4) == 0 {
		u = BadURLs[r.IntN(len(BadURLs))]
	}
	s := briefing.Story{
		ID:        fmt.Sprintf("s%d", i),
		Title:     Marker(i) + " " + RandText(r, r.IntN(maxLen+1)),
		URL:       u,
		Summary:   RandText(r, r.IntN(maxLen+1)),
		Published: At(r.IntN(24), r.IntN(60)),
	}
	for range r.IntN(8) {
		s.Outlets = append(s.Outlets, RandText(r, 60))
	}
	for range r.IntN(6) {
		s.Countries = append(s.Countries, briefing.Tag{ID: "c", Name: RandText(r, 40)})
	}
	for range r.IntN(6) {
		s.Actors = append(s.Actors, briefing.Tag{ID: "a", Name: RandText(r, 40)})
	}
	return s
}

func Marker(i int) string { return fmt.Sprintf("ZQ%dQZ", i) }

// ManyOutlets is a digest of one story told by n outlets, each report with
// a long link, for the renderers' outlet links and their limits.
func ManyOutlets(n int) *briefing.Digest {
	s := briefing.Story{ID: "s1", Title: "Mali: jihadists attack army camp in Boulkessi", URL: "https://o0.example/report",
		Summary: "Dozens of soldiers were killed.", Published: At(6, 0), Updated: At(9, 0),
		Countries: []briefing.Tag{{ID: "mali", Name: "Mali"}}}
	for i := 0; i < n; i++ {
		outlet := fmt.Sprintf("Outlet %d", i)
		url := fmt.Sprintf("https://o%d.example/%s/report", i, strings.Repeat("x", 150))
		if i == 0 {
			url = s.URL
		}
		s.Outlets = append(s.Outlets, outlet)
		s.Items = append(s.Items, briefing.Item{ID: int64(i + 1), Outlet: outlet, Source: outlet, URL: url,
			Title: s.Title, Published: At(6, i%50)})
	}
	return &briefing.Digest{Title: "Sahel brief — 13 Mar 2026", Since: At(0, 0), Until: At(12, 0), TotalItems: n,
		Headlines: []briefing.Story{s}}
}

// StoryItems is what a store's StoryItems returns from items: those of the
// given stories (an item without a story is the story of its own id),
// published before a time when it is not zero, oldest first.
func StoryItems(items []briefing.Item, storyIDs []int64, before time.Time) []briefing.Item {
	var out []briefing.Item
	for _, it := range items {
		if slices.Contains(storyIDs, it.StoryKey()) && (before.IsZero() || it.Published.Before(before)) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b briefing.Item) int { return a.Published.Compare(b.Published) })
	return out
}

// Large is a digest of 2,000 stories of 10 items each (20,000 items'
// worth) across 5 sections: what the renderers' benchmarks render.
func Large() *briefing.Digest {
	d := Typical()
	d.Headlines, d.Sections = nil, make([]briefing.Section, 5)
	base := Typical().Sections[0].Stories[0]
	for i := range 2000 {
		s := base
		s.ID = Marker(i)
		s.Items = make([]briefing.Item, 10)
		d.Sections[i%5].Name = []string{"Mali", "Niger", "Burkina Faso", "Tchad", "Région"}[i%5]
		d.Sections[i%5].Stories = append(d.Sections[i%5].Stories, s)
	}
	d.TotalItems = 20000
	return d
}

// AddFuzzSeeds gives a fuzz test of the form
// func(t, title, summary, url, outlet string, n uint8) its seeds: hostile
// texts and links, and long ones.
func AddFuzzSeeds(f *testing.F) {
	for i, s := range Nasty {
		f.Add(s, Nasty[(i+7)%len(Nasty)], BadURLs[i%len(BadURLs)], Nasty[(i+3)%len(Nasty)], uint8(i))
	}
	f.Add(strings.Repeat("long title ", 1000), strings.Repeat("é", 10000), "https://example.org/x", "Le Monde", uint8(60))
	f.Add(strings.Repeat("x", 10000), strings.Repeat("👍🏽", 3000), "http://evil|<!channel>", "@everyone", uint8(3))
}

// FuzzDigest is the digest a fuzz test renders: n%80+1 stories carrying
// the fuzzed texts (a third of them headlines), with markers in their
// titles, and the outlet as a failed source. Any "Q" in the texts becomes
// "q", so that only the markers hold one.
func FuzzDigest(title, summary, url, outlet string, n uint8) *briefing.Digest {
	noQ := func(s string) string { return strings.ReplaceAll(s, "Q", "q") }
	title, summary, outlet = noQ(title), noQ(summary), noQ(outlet)
	d := &briefing.Digest{Title: title, Since: WindowEnd, Until: WindowEnd, Counts: []briefing.CountryCount{{Tag: briefing.Tag{Name: outlet}}}}
	d.Failed = []briefing.SourceFailure{{Name: outlet, Error: summary}}
	sec := briefing.Section{Name: title}
	for i := range int(n%80) + 1 {
		s := briefing.Story{ID: Marker(i), Title: Marker(i) + title, URL: url, Summary: summary, Outlets: []string{outlet, outlet},
			Published: WindowEnd, Countries: []briefing.Tag{{Name: outlet}}}
		if i%3 == 0 {
			d.Headlines = append(d.Headlines, s)
		} else {
			sec.Stories = append(sec.Stories, s)
		}
	}
	d.Sections = []briefing.Section{sec}
	return d
}
