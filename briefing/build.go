package briefing

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DigestOptions describes a digest: its window, filter and limits.
type DigestOptions struct {
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
	Filter Filter
	// Names gives display names for tag IDs; nil (or "") shows the ID.
	Names func(id string) string
	// Failed lists the sources that failed in the window; copied as is.
	Failed []SourceFailure
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

// Defaults of DigestOptions.
const (
	DefaultMaxHeadlines  = 5
	DefaultMaxPerSection = 8
)

// RegionSection is the ID of the section for stories about no watched
// country.
const RegionSection = "region"

var dgSectionNames = map[string]string{
	"mali": "Mali", "niger": "Niger", "burkina-faso": "Burkina Faso", RegionSection: "Region",
}

// dgStory is a story while the digest is built: its summary, rank and
// section, and its items in date order once it is known to be shown.
type dgStory struct {
	sum      *StorySummary
	items    []*Item
	parts    ScoreParts
	score    float64
	section  int
	headline bool
	shown    bool
}

// StoryLoader reads the items of the stories a digest shows, by story id.
type StoryLoader func(ids []int64) (map[int64][]*Item, error)

// BuildDigest makes a digest of items grouped by their stored stories
// (Item.Story; an item without one stands alone), as BuildStoryDigest does
// with the stories that have an item in the window.
func BuildDigest(items []Item, opt DigestOptions) *Digest {
	byStory := GroupByStory(items)
	sums := summariesOf(byStory, opt.Since, opt.Until)
	d, _ := BuildStoryDigest(sums, func([]int64) (map[int64][]*Item, error) { return byStory, nil }, opt)
	return d
}

// SummariesOf sums up the stories of items (an item without a story stands
// alone) that have an item published in [since, until) (a zero bound is
// open), as the store's StorySummaries does from its tables.
func SummariesOf(items []Item, since, until time.Time) []StorySummary {
	return summariesOf(GroupByStory(items), since, until)
}

func summariesOf(byStory map[int64][]*Item, since, until time.Time) []StorySummary {
	var sums []StorySummary
	for id, its := range byStory {
		in := 0
		for _, it := range its {
			if (since.IsZero() || !it.Published.Before(since)) && (until.IsZero() || it.Published.Before(until)) {
				in++
			}
		}
		if in > 0 { // only the window's stories are summed up
			sum := Summarize(id, its)
			sum.InWindow = in
			sums = append(sums, sum)
		}
	}
	return sums
}

// BuildStoryDigest makes a digest of the stories summed up in sums (those
// with an item in the window, InWindow set): it keeps those that match the
// filter and ranks them. The top stories worth it (told by two outlets or
// more, or an event such as an attack or a coup in a watched country)
// become headlines; the others go to the section of the country where
// they happen, in the order Mali, Niger, Burkina Faso, then Region for the
// rest; a digest filtered by a country has that country's section only. No
// story appears twice. Counts give the stories per country (where they
// happen) over the whole window. Only the stories shown are loaded.
func BuildStoryDigest(sums []StorySummary, load StoryLoader, opt DigestOptions) (*Digest, error) {
	if opt.MaxHeadlines == 0 {
		opt.MaxHeadlines = DefaultMaxHeadlines
	}
	if opt.MaxPerSection <= 0 {
		opt.MaxPerSection = DefaultMaxPerSection
	}
	d := &Digest{Since: opt.Since, Until: opt.Until, Filter: opt.Filter, Failed: slices.Clone(opt.Failed)}
	var stories []*dgStory
	var latest time.Time
	for k := range sums {
		if s := &sums[k]; s.InWindow > 0 && dgMatches(s, opt.Filter) {
			stories = append(stories, &dgStory{sum: s})
			latest = maxTime(latest, s.Last)
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
		d.Title = dgTitle(opt, now)
	}
	if len(stories) == 0 {
		return d, nil
	}
	order := dgSectionOrder(opt.Filter.Country)
	for _, s := range stories {
		d.TotalItems += s.sum.InWindow
		s.parts = rkScore(s.sum, now)
		s.score = s.parts.Total()
		s.section = dgSection(s.sum, order, opt.Filter.Country)
	}
	slices.SortFunc(stories, func(a, b *dgStory) int {
		if c := rkCompare(a.score, b.score, a.sum.Last, b.sum.Last, "", ""); c != 0 {
			return c
		}
		return cmp.Compare(a.sum.ID, b.sum.ID)
	})
	heads, perSection := dgPick(stories, len(order), opt)
	if err := dgLoad(stories, load); err != nil {
		return nil, err
	}
	name := dgNamer(opt.Names)
	for _, s := range heads {
		d.Headlines = append(d.Headlines, dgBuild(s, opt.Lang, name))
	}
	for k, id := range order {
		if len(perSection[k]) == 0 {
			continue
		}
		sec := Section{ID: id, Name: dgSectionName(id, opt.Names, name)}
		for _, s := range perSection[k] {
			sec.Stories = append(sec.Stories, dgBuild(s, opt.Lang, name))
		}
		d.Sections = append(d.Sections, sec)
	}
	d.Counts = dgCounts(stories, name)
	return d, nil
}

// dgPick chooses, from ranked stories, the headlines (the top ones worth
// it) and then the stories of each section, marking them shown.
func dgPick(stories []*dgStory, sections int, opt DigestOptions) (heads []*dgStory, perSection [][]*dgStory) {
	for _, s := range stories {
		if len(heads) < opt.MaxHeadlines && (s.sum.Outlets >= 2 || s.parts.Watch > 0 && s.parts.Events > 0) {
			s.headline, s.shown = true, true
			heads = append(heads, s)
		}
	}
	perSection = make([][]*dgStory, sections)
	for _, s := range stories {
		if sec := &perSection[s.section]; !s.headline && len(*sec) < opt.MaxPerSection {
			s.shown = true
			*sec = append(*sec, s)
		}
	}
	return heads, perSection
}

// dgLoad reads the items of the stories shown, in date order.
func dgLoad(stories []*dgStory, load StoryLoader) error {
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
			return fmt.Errorf("briefing: digest: story %d has no items", s.sum.ID)
		}
		sortByDate(s.items)
	}
	return nil
}

// GroupByStory gathers items by their stories (Item.StoryKey).
func GroupByStory(items []Item) map[int64][]*Item {
	byStory := map[int64][]*Item{}
	for i := range items {
		k := items[i].StoryKey()
		byStory[k] = append(byStory[k], &items[i])
	}
	return byStory
}

// dgMatches applies the filter to a story: a country filter keeps the
// stories that happen in the country, and those placed nowhere or outside
// the watched countries that name it (an ECOWAS summit in Abuja about
// Mali); an actor filter keeps those naming the actor.
func dgMatches(s *StorySummary, f Filter) bool {
	if c := strings.ToLower(f.Country); c != "" {
		if s.Place != c && (rkWatchIndex(s.Place) >= 0 || !dgHas(s.Countries, c)) {
			return false
		}
	}
	return f.Actor == "" || dgHas(s.Actors, f.Actor)
}

// StoryPlace is where a story happens: the place most of its items give,
// the earliest (by date, then id) breaking a tie, else "". One rule for
// sections, filters, the stored summaries and the story engine's
// evaluation.
func StoryPlace(items []*Item) string {
	var votes []PlaceVote // few distinct places: a slice beats a map
	for _, it := range items {
		if it.Place != "" {
			votes = addVote(votes, PlaceVote{Place: it.Place, N: 1, First: it.Published, FirstID: it.ID})
		}
	}
	return winner(votes)
}

// dgSectionOrder is the sections in order: the watched countries, the
// filter's own country when it is none of them, then Region.
func dgSectionOrder(filterCountry string) []string {
	order := append([]string(nil), rkWatch[:]...)
	if fc := strings.ToLower(filterCountry); fc != "" && rkWatchIndex(fc) < 0 {
		order = append(order, fc)
	}
	return append(order, RegionSection)
}

// dgSection is the index in order of a story's section: the filter's
// country in a filtered digest; else where it happens when watched; else,
// placed nowhere, the first watched country it names; else Region.
func dgSection(s *StorySummary, order []string, filterCountry string) int {
	if fc := strings.ToLower(filterCountry); fc != "" {
		return slices.Index(order, fc)
	}
	if w := rkWatchIndex(s.Place); w >= 0 {
		return w
	}
	best := len(order) - 1
	if s.Place == "" {
		for _, id := range s.Countries {
			if w := rkWatchIndex(id); w >= 0 && w < best {
				best = w
			}
		}
	}
	return best
}

// dgBuild makes the Story of s: the lead (see dgLead) first.
func dgBuild(s *dgStory, lang string, name func(string) string) Story {
	lead := dgLead(s.items, lang)
	items := make([]Item, 0, len(s.items))
	items = append(items, *s.items[lead])
	for k, it := range s.items {
		if k != lead {
			items = append(items, *it)
		}
	}
	li := &items[0]
	st := Story{ID: dgID(s.sum.ID), Title: li.Title, URL: li.URL, Summary: li.Summary, Items: items,
		Published: s.items[0].Published, Updated: s.items[len(s.items)-1].Published, Place: s.sum.Place,
		Score: s.score, ScoreParts: s.parts}
	for k := range items {
		it := &items[k]
		if o := outletName(it); o != "" && !slices.Contains(st.Outlets, o) {
			st.Outlets = append(st.Outlets, o)
		}
		for _, id := range it.Countries {
			if !slices.ContainsFunc(st.Countries, func(t Tag) bool { return t.ID == id }) {
				st.Countries = append(st.Countries, Tag{ID: id, Name: name(id)})
			}
		}
		for _, id := range it.Actors {
			if !slices.ContainsFunc(st.Actors, func(t Tag) bool { return t.ID == id }) {
				st.Actors = append(st.Actors, Tag{ID: id, Name: name(id)})
			}
		}
		st.Reports = append(st.Reports, StoryReport{ID: it.ID, Outlet: outletName(it), Title: it.Title, URL: it.URL,
			Lang: it.Lang, Published: it.Published})
	}
	return st
}

// dgLead picks a story's lead: the report most like the others (its
// centre, never an outlier), taken among the reports in lang when there is
// one; ties go to a report with a summary, then the earliest.
func dgLead(items []*Item, lang string) int {
	if len(items) == 1 {
		return 0
	}
	// Compare at most dgLeadPeers reports, the earliest: stories are small,
	// and the centre of a large one shows in its first reports.
	var cands []int
	inLang := lang != "" && slices.ContainsFunc(items, func(it *Item) bool { return it.Lang == lang })
	for k, it := range items {
		if len(cands) == dgLeadPeers {
			break
		}
		if !inLang || it.Lang == lang {
			cands = append(cands, k)
		}
	}
	peers := items[:min(len(items), dgLeadPeers)]
	words := make(map[int][]string, len(peers)+len(cands))
	wordsOf := func(k int) []string {
		w, ok := words[k]
		if !ok {
			w = dgTitleWords(items[k].Title)
			words[k] = w
		}
		return w
	}
	best, bestScore := -1, -1.0
	for _, k := range cands {
		score := 0.0
		for j := range peers {
			if j != k {
				score += dgJaccard(wordsOf(k), wordsOf(j))
			}
		}
		if len(items[k].Summary) >= dgLeadSummary {
			score += 1e-3 // a tie goes to a report that says more
		}
		if score > bestScore+1e-9 {
			best, bestScore = k, score
		}
	}
	return best
}

const (
	dgLeadPeers   = 40
	dgLeadSummary = 40 // a summary of this many bytes says something
)

// dgTitleWords is the distinct folded words of a title, but for short
// ones (articles, prepositions).
func dgTitleWords(title string) []string {
	var out []string
	for _, w := range Words(title) {
		if len(w.Text) > 3 && !slices.Contains(out, w.Text) {
			out = append(out, w.Text)
		}
	}
	return out
}

func dgJaccard(a, b []string) float64 {
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

// dgCounts counts the stories per country: where each happens, else the
// countries it names.
func dgCounts(stories []*dgStory, name func(string) string) []CountryCount {
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
	out := make([]CountryCount, 0, len(n))
	for id, c := range n {
		out = append(out, CountryCount{Tag: Tag{ID: id, Name: name(id)}, Stories: c})
	}
	slices.SortFunc(out, func(a, b CountryCount) int {
		if a.Stories != b.Stories {
			return b.Stories - a.Stories
		}
		wa, wb := rkWatchIndex(a.ID), rkWatchIndex(b.ID)
		if wa < 0 {
			wa = len(rkWatch)
		}
		if wb < 0 {
			wb = len(rkWatch)
		}
		if wa != wb {
			return wa - wb
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// outletName names who published an item: its outlet, else its source.
func outletName(it *Item) string {
	if it.Outlet != "" {
		return it.Outlet
	}
	return it.Source
}

func dgID(story int64) string { return "s" + strconv.FormatInt(story, 10) }

// dgNamer returns names, falling back to the id.
func dgNamer(names func(string) string) func(string) string {
	return func(id string) string {
		if names != nil {
			if n := names(id); n != "" {
				return n
			}
		}
		return id
	}
}

func dgSectionName(id string, names, name func(string) string) string {
	if n, ok := dgSectionNames[id]; ok && (names == nil || names(id) == "") {
		return n
	}
	return name(id)
}

func dgHas(ids []string, id string) bool {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// dgTitle is "Sahel brief — 27 Nov 2026", or "Sahel brief: Mali, Wagner — …"
// when filtered. The date is the digest's last instant (Until is excluded),
// else now.
func dgTitle(opt DigestOptions, now time.Time) string {
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
			if sn, ok := dgSectionNames[id]; ok && id != RegionSection {
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
func GroupStories(items []Item, lang string, names func(string) string) []Story {
	name := dgNamer(names)
	byStory := GroupByStory(items)
	out := make([]Story, 0, len(byStory))
	for id, its := range byStory {
		sum := Summarize(id, its)
		sortByDate(its)
		out = append(out, dgBuild(&dgStory{sum: &sum, items: its}, lang, name))
	}
	slices.SortFunc(out, func(a, b Story) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
