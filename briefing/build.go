package briefing

import (
	"cmp"
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

// dgStory is a story while the digest is built: its items in date order.
type dgStory struct {
	id       int64
	items    []*Item
	inWindow int
	place    string
	parts    ScoreParts
	score    float64
	updated  time.Time
	outlets  int
	section  int
	headline bool
}

// BuildDigest makes a digest of items grouped by their stored stories
// (Item.Story; an item without one stands alone): it keeps the stories
// with an item in the window that match the filter, and ranks them. The
// top stories worth it (told by two outlets or more, or an event such as
// an attack or a coup in a watched country) become headlines; the others
// go to the section of the country where they happen, in the order Mali,
// Niger, Burkina Faso, then Region for the rest; a digest filtered by a
// country has that country's section only. No story appears twice. Counts
// give the stories per country (where they happen) over the whole window.
func BuildDigest(items []Item, opt DigestOptions) *Digest {
	if opt.MaxHeadlines == 0 {
		opt.MaxHeadlines = DefaultMaxHeadlines
	}
	if opt.MaxPerSection <= 0 {
		opt.MaxPerSection = DefaultMaxPerSection
	}
	d := &Digest{Since: opt.Since, Until: opt.Until, Filter: opt.Filter, Failed: slices.Clone(opt.Failed)}
	stories, latest := dgGroup(items, opt)
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
		return d
	}
	order := dgSectionOrder(opt.Filter.Country)
	for _, s := range stories {
		d.TotalItems += s.inWindow
		s.updated = s.items[len(s.items)-1].Published
		s.outlets = dgOutletCount(s.items)
		s.parts = rkScore(s.outlets, s.updated, s.place, s.items, now)
		s.score = s.parts.Total()
		s.section = dgSection(s, order, opt.Filter.Country)
	}
	slices.SortFunc(stories, func(a, b *dgStory) int {
		if c := rkCompare(a.score, b.score, a.updated, b.updated, "", ""); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	var heads []*dgStory
	for _, s := range stories {
		if len(heads) < opt.MaxHeadlines && (s.outlets >= 2 || s.parts.Watch > 0 && s.parts.Events > 0) {
			s.headline = true
			heads = append(heads, s)
		}
	}
	name := dgNamer(opt.Names)
	for _, s := range heads {
		d.Headlines = append(d.Headlines, dgBuild(s, opt.Lang, name))
	}
	sections := make([]Section, len(order))
	for k, id := range order {
		sections[k] = Section{ID: id, Name: dgSectionName(id, opt.Names, name)}
	}
	for _, s := range stories {
		if sec := &sections[s.section]; !s.headline && len(sec.Stories) < opt.MaxPerSection {
			sec.Stories = append(sec.Stories, dgBuild(s, opt.Lang, name))
		}
	}
	for _, sec := range sections {
		if len(sec.Stories) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	d.Counts = dgCounts(stories, name)
	return d
}

// dgGroup gathers items into their stories, keeping the stories with an
// item in the window that match the filter; it also returns the latest
// publication date among them.
func dgGroup(items []Item, opt DigestOptions) ([]*dgStory, time.Time) {
	byID := map[int64]*dgStory{}
	var all []*dgStory
	for i := range items {
		it := &items[i]
		id := it.Story
		if id == 0 {
			id = it.ID
		}
		s := byID[id]
		if s == nil {
			s = &dgStory{id: id}
			byID[id] = s
			all = append(all, s)
		}
		s.items = append(s.items, it)
		if dgInWindow(it, opt) {
			s.inWindow++
		}
	}
	var kept []*dgStory
	var latest time.Time
	for _, s := range all {
		if s.inWindow == 0 {
			continue
		}
		slices.SortStableFunc(s.items, func(a, b *Item) int {
			if c := a.Published.Compare(b.Published); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		// The place is decided once, on the items in date order, so the
		// filter and the section agree.
		s.place = StoryPlace(s.items)
		if !dgMatches(s, opt.Filter) {
			continue
		}
		latest = maxTime(latest, s.items[len(s.items)-1].Published)
		kept = append(kept, s)
	}
	return kept, latest
}

func dgInWindow(it *Item, opt DigestOptions) bool {
	return (opt.Since.IsZero() || !it.Published.Before(opt.Since)) &&
		(opt.Until.IsZero() || it.Published.Before(opt.Until))
}

// dgMatches applies the filter to a story: a country filter keeps the
// stories that happen in the country, and those placed nowhere or outside
// the watched countries that name it (an ECOWAS summit in Abuja about
// Mali); an actor filter keeps those naming the actor.
func dgMatches(s *dgStory, f Filter) bool {
	if c := strings.ToLower(f.Country); c != "" {
		ok := s.place == c
		if !ok && rkWatchIndex(s.place) < 0 {
			ok = slices.ContainsFunc(s.items, func(it *Item) bool { return dgHas(it.Countries, c) })
		}
		if !ok {
			return false
		}
	}
	if a := f.Actor; a != "" && !slices.ContainsFunc(s.items, func(it *Item) bool { return dgHas(it.Actors, a) }) {
		return false
	}
	return true
}

// StoryPlace is where a story happens: the place most of its items (in
// date order) give, the earliest breaking a tie, else "". One rule for
// sections, filters and the story engine's evaluation.
func StoryPlace(items []*Item) string {
	type vote struct {
		place string
		n     int
	}
	var votes []vote // few distinct places: a slice beats a map
	for _, it := range items {
		if it.Place == "" {
			continue
		}
		k := slices.IndexFunc(votes, func(v vote) bool { return v.place == it.Place })
		if k < 0 {
			votes = append(votes, vote{it.Place, 0})
			k = len(votes) - 1
		}
		votes[k].n++
	}
	best, bestN := "", 0
	for _, v := range votes {
		if v.n > bestN {
			best, bestN = v.place, v.n
		}
	}
	return best
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
func dgSection(s *dgStory, order []string, filterCountry string) int {
	if fc := strings.ToLower(filterCountry); fc != "" {
		return slices.Index(order, fc)
	}
	if w := rkWatchIndex(s.place); w >= 0 {
		return w
	}
	if s.place == "" {
		best := len(order) - 1
		for _, it := range s.items {
			for _, id := range it.Countries {
				if w := rkWatchIndex(id); w >= 0 && w < best {
					best = w
				}
			}
		}
		return best
	}
	return len(order) - 1
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
	st := Story{ID: dgID(s.id), Title: li.Title, URL: li.URL, Summary: li.Summary, Items: items,
		Published: s.items[0].Published, Updated: s.updated, Place: s.place,
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
		if s.place != "" {
			n[s.place]++
			continue
		}
		var seen []string
		for _, it := range s.items {
			for _, id := range it.Countries {
				if !slices.Contains(seen, id) {
					seen = append(seen, id)
					n[id]++
				}
			}
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

// dgOutletCount counts the distinct outlets of items.
func dgOutletCount(items []*Item) int {
	var seen []string
	for _, it := range items {
		if o := outletName(it); o != "" && !slices.Contains(seen, o) {
			seen = append(seen, o)
		}
	}
	return max(len(seen), 1)
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
	stories, _ := dgGroup(items, DigestOptions{})
	name := dgNamer(names)
	out := make([]Story, 0, len(stories))
	for _, s := range stories {
		s.updated = s.items[len(s.items)-1].Published
		out = append(out, dgBuild(s, lang, name))
	}
	slices.SortStableFunc(out, func(a, b Story) int { return b.Updated.Compare(a.Updated) })
	return out
}
