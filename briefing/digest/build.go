// Package digest ranks stories and builds digests: summaries of a window's
// stories in, a *briefing.Digest out (headlines, sections per watched
// country, counts), each story's score explained in its score_parts.
package digest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// Options describes a digest: its window, filter and limits.
type Options struct {
	// Title overrides the default "Sahel brief — 27 Nov 2026" (with the
	// filter's names after "Sahel brief:" when filtered).
	Title string
	// Since and Until bound the items' Published date: [Since, Until). A
	// zero bound is open. A story is in the digest when one of its items
	// is in the window; it is shown whole (every item given of it).
	Since, Until time.Time
	// Filter keeps the stories about Filter.Country (that happen there, or
	// that happen nowhere known or outside the watched countries and name
	// it) and those naming Filter.Actor. Filter.Query is copied.
	Filter briefing.Filter
	// Names gives display names for tag IDs; nil (or "") shows the ID.
	Names func(id string) string
	// Failed lists the sources that failed in the window; copied as is.
	Failed []briefing.SourceFailure
	// MaxHeadlines caps the headline stories (default 5; negative: none).
	MaxHeadlines int
	// MaxPerSection caps the stories of each section (default 8).
	MaxPerSection int
	// Now is the clock for ranking recency; zero means Until, else the
	// latest item.
	Now time.Time
	// Lang is the language a story's lead is taken in when one of its
	// reports is in it ("en", "fr"; "" for no preference).
	Lang string
}

// Defaults of Options.
const (
	DefaultMaxHeadlines  = 5
	DefaultMaxPerSection = 8
)

// RegionSection is the ID of the section for stories about no watched
// country.
const RegionSection = "region"

var sectionNames = map[string]string{
	"mali": "Mali", "niger": "Niger", "burkina-faso": "Burkina Faso", RegionSection: "Region",
}

// story is a story while the digest is built: its summary, rank and
// sectionOf, and its items in date order once it is known to be shown.
type story struct {
	sum      *briefing.StorySummary
	items    []*briefing.Item
	parts    briefing.ScoreParts
	score    float64
	section  int
	headline bool
	shown    bool
}

// Loader reads the items of the stories a digest shows, by story id.
type Loader func(ids []int64) (map[int64][]*briefing.Item, error)

// BuildItems makes a digest of items grouped by their stored stories
// (Item.Story; an item without one stands alone), as Build does
// with the stories that have an item in the window.
func BuildItems(items []briefing.Item, opt Options) *briefing.Digest {
	byStory := briefing.GroupByStory(items)
	sums := briefing.WindowSummaries(byStory, opt.Since, opt.Until)
	d, _ := Build(sums, func([]int64) (map[int64][]*briefing.Item, error) { return byStory, nil }, opt)
	return d
}

// Build makes a digest of the stories summed up in sums (those
// with an item in the window, InWindow set): it keeps those that match the
// filter and ranks them. The top stories worth it (told by two outlets or
// more, or an event such as an attack or a coup in a watched country)
// become headlines; the others go to the section of the country where
// they happen, in the order Mali, Niger, Burkina Faso, then Region for the
// rest; a digest filtered by a country has that country's section only. No
// story appears twice. Counts give the stories per country (where they
// happen) over the whole window. Only the stories shown are loaded.
func Build(sums []briefing.StorySummary, load Loader, opt Options) (*briefing.Digest, error) {
	if opt.MaxHeadlines == 0 {
		opt.MaxHeadlines = DefaultMaxHeadlines
	}
	if opt.MaxPerSection <= 0 {
		opt.MaxPerSection = DefaultMaxPerSection
	}
	d := &briefing.Digest{Since: opt.Since, Until: opt.Until, Filter: opt.Filter, Failed: slices.Clone(opt.Failed)}
	var stories []*story
	var latest time.Time
	for k := range sums {
		if s := &sums[k]; s.InWindow > 0 && keeps(s, opt.Filter) {
			stories = append(stories, &story{sum: s})
			if s.Last.After(latest) {
				latest = s.Last
			}
		}
	}
	now := opt.Now
	if now.IsZero() {
		now = opt.Until
	}
	if now.IsZero() {
		now = latest
	}
	d.Title = opt.Title
	if d.Title == "" {
		d.Title = defaultTitle(opt, now)
	}
	if len(stories) == 0 {
		return d, nil
	}
	order := sectionOrder(opt.Filter.Country)
	for _, s := range stories {
		d.TotalItems += s.sum.InWindow
		s.parts = Score(s.sum, now)
		s.score = s.parts.Total()
		s.section = sectionOf(s.sum, order, opt.Filter.Country)
	}
	slices.SortFunc(stories, func(a, b *story) int {
		if c := compare(a.score, b.score, a.sum.Last, b.sum.Last, "", ""); c != 0 {
			return c
		}
		return cmp.Compare(a.sum.ID, b.sum.ID)
	})
	heads, perSection := pick(stories, len(order), opt)
	if err := loadShown(stories, load); err != nil {
		return nil, err
	}
	name := namer(opt.Names)
	for _, s := range heads {
		d.Headlines = append(d.Headlines, storyOf(s, opt.Lang, name))
	}
	for k, id := range order {
		if len(perSection[k]) == 0 {
			continue
		}
		sec := briefing.Section{ID: id, Name: sectionName(id, opt.Names, name)}
		for _, s := range perSection[k] {
			sec.Stories = append(sec.Stories, storyOf(s, opt.Lang, name))
		}
		d.Sections = append(d.Sections, sec)
	}
	d.Counts = countsOf(stories, name)
	return d, nil
}

// pick chooses, from ranked stories, the headlines (the top ones worth
// it) and then the stories of each section, marking them shown.
func pick(stories []*story, sections int, opt Options) (heads []*story, perSection [][]*story) {
	for _, s := range stories {
		if len(heads) < opt.MaxHeadlines && (s.sum.Outlets >= 2 || s.parts.Watch > 0 && s.parts.Events > 0) {
			s.headline, s.shown = true, true
			heads = append(heads, s)
		}
	}
	perSection = make([][]*story, sections)
	for _, s := range stories {
		if sec := &perSection[s.section]; !s.headline && len(*sec) < opt.MaxPerSection {
			s.shown = true
			*sec = append(*sec, s)
		}
	}
	return heads, perSection
}

// loadShown reads the items of the stories shown, in date order.
func loadShown(stories []*story, load Loader) error {
	var ids []int64
	for _, s := range stories {
		if s.shown {
			ids = append(ids, s.sum.ID)
		}
	}
	byStory, err := load(ids)
	if err != nil {
		return err
	}
	for _, s := range stories {
		if !s.shown {
			continue
		}
		s.items = byStory[s.sum.ID]
		if len(s.items) == 0 {
			return fmt.Errorf("digest: story %d has no items", s.sum.ID)
		}
		briefing.SortByDate(s.items)
	}
	return nil
}

// keeps applies the filter to a story: a country filter keeps the
// stories that happen in the country, and those placed nowhere or outside
// the watched countries that name it (an ECOWAS summit in Abuja about
// Mali); an actor filter keeps those naming the actor.
func keeps(s *briefing.StorySummary, f briefing.Filter) bool {
	if c := strings.ToLower(f.Country); c != "" {
		if s.Place != c && (watchIndex(s.Place) >= 0 || !hasID(s.Countries, c)) {
			return false
		}
	}
	return f.Actor == "" || hasID(s.Actors, f.Actor)
}

// sectionOrder is the sections in order: the watched countries, the
// filter's own country when it is none of them, then Region.
func sectionOrder(filterCountry string) []string {
	order := append([]string(nil), watchList[:]...)
	if fc := strings.ToLower(filterCountry); fc != "" && watchIndex(fc) < 0 {
		order = append(order, fc)
	}
	return append(order, RegionSection)
}

// sectionOf is the index in order of a story's section: the filter's
// country in a filtered digest; else where it happens when watched; else,
// placed nowhere, the first watched country it names; else Region.
func sectionOf(s *briefing.StorySummary, order []string, filterCountry string) int {
	if fc := strings.ToLower(filterCountry); fc != "" {
		return slices.Index(order, fc)
	}
	if w := watchIndex(s.Place); w >= 0 {
		return w
	}
	best := len(order) - 1
	if s.Place == "" {
		for _, id := range s.Countries {
			if w := watchIndex(id); w >= 0 && w < best {
				best = w
			}
		}
	}
	return best
}

// storyOf makes the Story of s: the lead (see leadOf) first.
func storyOf(s *story, lang string, name func(string) string) briefing.Story {
	lead := leadOf(s.items, lang)
	items := make([]briefing.Item, 0, len(s.items))
	items = append(items, *s.items[lead])
	for k, it := range s.items {
		if k != lead {
			items = append(items, *it)
		}
	}
	li := &items[0]
	st := briefing.Story{ID: storyID(s.sum.ID), Title: li.Title, URL: li.URL, Summary: li.Summary, Items: items,
		Published: s.items[0].Published, Updated: s.items[len(s.items)-1].Published, Place: s.sum.Place,
		Score: s.score, ScoreParts: s.parts}
	for k := range items {
		it := &items[k]
		if o := it.OutletName(); o != "" && !slices.Contains(st.Outlets, o) {
			st.Outlets = append(st.Outlets, o)
		}
		for _, id := range it.Countries {
			if !slices.ContainsFunc(st.Countries, func(t briefing.Tag) bool { return t.ID == id }) {
				st.Countries = append(st.Countries, briefing.Tag{ID: id, Name: name(id)})
			}
		}
		for _, id := range it.Actors {
			if !slices.ContainsFunc(st.Actors, func(t briefing.Tag) bool { return t.ID == id }) {
				st.Actors = append(st.Actors, briefing.Tag{ID: id, Name: name(id)})
			}
		}
		st.Reports = append(st.Reports, briefing.StoryReport{ID: it.ID, Outlet: it.OutletName(), Title: it.Title, URL: it.URL,
			Lang: it.Lang, Published: it.Published})
	}
	return st
}

// leadOf picks a story's lead: the report most like the others (its
// centre, never an outlier), taken among the reports in lang when there is
// one; ties go to a report with a summary, then the earliest.
func leadOf(items []*briefing.Item, lang string) int {
	if len(items) == 1 {
		return 0
	}
	// Compare at most leadPeers reports, the earliest: stories are small,
	// and the centre of a large one shows in its first reports.
	var cands []int
	inLang := lang != "" && slices.ContainsFunc(items, func(it *briefing.Item) bool { return it.Lang == lang })
	for k, it := range items {
		if len(cands) == leadPeers {
			break
		}
		if !inLang || it.Lang == lang {
			cands = append(cands, k)
		}
	}
	peers := items[:min(len(items), leadPeers)]
	words := make(map[int][]string, len(peers)+len(cands))
	wordsOf := func(k int) []string {
		w, ok := words[k]
		if !ok {
			w = titleWords(items[k].Title)
			words[k] = w
		}
		return w
	}
	best, bestScore := -1, -1.0
	for _, k := range cands {
		score := 0.0
		for j := range peers {
			if j != k {
				score += jaccard(wordsOf(k), wordsOf(j))
			}
		}
		if len(items[k].Summary) >= leadSummary {
			score += 1e-3 // a tie goes to a report that says more
		}
		if score > bestScore+1e-9 {
			best, bestScore = k, score
		}
	}
	return best
}

const (
	leadPeers   = 40
	leadSummary = 40 // a summary of this many bytes says something
)

// titleWords is the distinct folded words of a title, but for short
// ones (articles, prepositions).
func titleWords(title string) []string {
	var out []string
	for _, w := range tagger.Words(title) {
		if len(w.Text) > 3 && !slices.Contains(out, w.Text) {
			out = append(out, w.Text)
		}
	}
	return out
}

func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for _, w := range a {
		if slices.Contains(b, w) {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}

// countsOf counts the stories per country: where each happens, else the
// countries it names.
func countsOf(stories []*story, name func(string) string) []briefing.CountryCount {
	n := map[string]int{}
	for _, s := range stories {
		if s.sum.Place != "" {
			n[s.sum.Place]++
			continue
		}
		for _, id := range s.sum.Countries {
			n[id]++
		}
	}
	out := make([]briefing.CountryCount, 0, len(n))
	for id, c := range n {
		out = append(out, briefing.CountryCount{Tag: briefing.Tag{ID: id, Name: name(id)}, Stories: c})
	}
	slices.SortFunc(out, func(a, b briefing.CountryCount) int {
		if a.Stories != b.Stories {
			return b.Stories - a.Stories
		}
		wa, wb := watchIndex(a.ID), watchIndex(b.ID)
		if wa < 0 {
			wa = len(watchList)
		}
		if wb < 0 {
			wb = len(watchList)
		}
		if wa != wb {
			return wa - wb
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func storyID(story int64) string { return "s" + strconv.FormatInt(story, 10) }

// namer returns names, falling back to the id.
func namer(names func(string) string) func(string) string {
	return func(id string) string {
		if names != nil {
			if n := names(id); n != "" {
				return n
			}
		}
		return id
	}
}

func sectionName(id string, names, name func(string) string) string {
	if n, ok := sectionNames[id]; ok && (names == nil || names(id) == "") {
		return n
	}
	return name(id)
}

func hasID(ids []string, id string) bool {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// defaultTitle is "Sahel brief — 27 Nov 2026", or "Sahel brief: Mali, Wagner — …"
// when filtered. The date is the digest's last instant (Until is excluded),
// else now.
func defaultTitle(opt Options, now time.Time) string {
	day := now
	if !opt.Until.IsZero() {
		day = opt.Until.Add(-time.Nanosecond)
	}
	var parts []string
	for _, id := range []string{opt.Filter.Country, opt.Filter.Actor} {
		if id == "" {
			continue
		}
		n := ""
		if opt.Names != nil {
			n = opt.Names(id)
		}
		if n == "" {
			if sn, ok := sectionNames[id]; ok && id != RegionSection {
				n = sn
			} else {
				n = id
			}
		}
		parts = append(parts, n)
	}
	t := "Sahel brief"
	if len(parts) > 0 {
		t += ": " + strings.Join(parts, ", ")
	}
	if day.IsZero() {
		return t
	}
	return t + " — " + day.Format("2 Jan 2006")
}

// GroupStories groups items by their stored stories (an item without one
// stands alone) and builds each story whole, as digests show it (lead,
// outlets, place, reports), the most recently updated first. For answers
// that list stories without ranking them, such as search results.
func GroupStories(items []briefing.Item, lang string, names func(string) string) []briefing.Story {
	name := namer(names)
	byStory := briefing.GroupByStory(items)
	out := make([]briefing.Story, 0, len(byStory))
	for id, its := range byStory {
		sum := briefing.Summarize(id, its)
		briefing.SortByDate(its)
		out = append(out, storyOf(&story{sum: &sum, items: its}, lang, name))
	}
	slices.SortFunc(out, func(a, b briefing.Story) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
