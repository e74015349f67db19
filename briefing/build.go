package briefing

import (
	"bytes"
	"slices"
	"strings"
	"time"
)

// DigestOptions describes a digest: its window, filter and limits.
type DigestOptions struct {
	// Title overrides the default "Sahel brief — 27 Nov 2026" (with the
	// filter's names after "Sahel brief:" when filtered).
	Title string
	// Since and Until bound the items' Published date: [Since, Until). A
	// zero bound is open.
	Since, Until time.Time
	// Filter keeps the items tagged with Filter.Country and Filter.Actor
	// (canonical IDs). Filter.Query is not applied yet; it is copied.
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
	// Cluster tunes story clustering.
	Cluster ClusterOptions
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

// BuildDigest makes a digest of items: it keeps those in the window that
// match the filter, clusters them into stories and ranks them. The top
// stories worth it (told by two outlets or more, or an event such as an
// attack or a coup in a watched country or the AES) become headlines; the
// others go to one section each, in the order Mali, Niger, Burkina Faso,
// then Region for the rest (or the filter's country when it is none of the
// three). A story about two watched countries goes to the first; no story
// appears twice. Counts give the stories per country over the whole
// window, most first.
func BuildDigest(items []Item, opt DigestOptions) *Digest {
	if opt.MaxHeadlines == 0 {
		opt.MaxHeadlines = DefaultMaxHeadlines
	}
	if opt.MaxPerSection <= 0 {
		opt.MaxPerSection = DefaultMaxPerSection
	}
	d := &Digest{
		Since:  opt.Since,
		Until:  opt.Until,
		Filter: opt.Filter,
		Failed: slices.Clone(opt.Failed),
	}

	sel := make([]*Item, 0, len(items))
	var latest time.Time
	for i := range items {
		it := &items[i]
		if !opt.Since.IsZero() && it.Published.Before(opt.Since) {
			continue
		}
		if !opt.Until.IsZero() && !it.Published.Before(opt.Until) {
			continue
		}
		if opt.Filter.Country != "" && !dgHas(it.Countries, opt.Filter.Country) {
			continue
		}
		if opt.Filter.Actor != "" && !dgHas(it.Actors, opt.Filter.Actor) {
			continue
		}
		sel = append(sel, it)
		if it.Published.After(latest) {
			latest = it.Published
		}
	}
	d.TotalItems = len(sel)

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
	if len(sel) == 0 {
		return d
	}

	// Cluster, then rank the stories as Rank would, but from their parts:
	// only the stories shown are built in full.
	c := clusterItems(sel, opt.Cluster)
	defer c.release()
	ng := len(c.groups)
	type ranked struct {
		score    float64
		updated  time.Time
		lead     *Item
		outlets  int
		watch    float64
		events   uint32
		section  int // index in order
		headline bool
	}
	// Sections, in watch order, then the filter's own country, then Region;
	// a story goes to the first of its countries in that order.
	order := append([]string(nil), rkWatch[:]...)
	if fc := strings.ToLower(opt.Filter.Country); fc != "" && rkWatchIndex(fc) < 0 {
		order = append(order, fc)
	}
	order = append(order, RegionSection)

	rs := make([]ranked, ng)
	// Countries are few: count them in a slice, by their first index.
	var countryIDs []string
	var countryN []int
	var members []*Item
	var seen []int
	for k, g := range c.groups {
		r := &rs[k]
		members = members[:0]
		for _, i := range c.members[g.first : g.first+g.n] {
			members = append(members, c.it[i])
		}
		r.lead = c.it[g.lead]
		r.updated = members[len(members)-1].Published
		r.outlets = dgOutletCount(members)
		r.watch = rkWatchScoreItems(members)
		r.events = c.groupEvents(g) &^ rkKnown
		r.score = rkScoreOf(r.outlets, r.updated, r.watch, r.events, now)
		r.section = len(order) - 1
		seen = seen[:0]
		for _, it := range members {
			for _, id := range it.Countries {
				ci := slices.Index(countryIDs, id)
				if ci < 0 {
					ci = len(countryIDs)
					countryIDs = append(countryIDs, id)
					countryN = append(countryN, 0)
				}
				if slices.Contains(seen, ci) {
					continue
				}
				seen = append(seen, ci)
				countryN[ci]++
				if w := slices.Index(order[:len(order)-1], id); w >= 0 && w < r.section {
					r.section = w
				}
			}
		}
	}

	// Only the best few stories of each place are shown: select them
	// rather than sort every story.
	before := func(x, y int32) bool {
		a, b := &rs[x], &rs[y]
		if a.score != b.score {
			return a.score > b.score
		}
		if !a.updated.Equal(b.updated) {
			return a.updated.After(b.updated)
		}
		// A rare exact tie: story IDs decide, as in Rank.
		var ba, bb [24]byte
		if c := bytes.Compare(clAppendStoryID(ba[:0], a.lead), clAppendStoryID(bb[:0], b.lead)); c != 0 {
			return c < 0
		}
		return x < y
	}
	keep := func(top []int32, max int, x int32) []int32 {
		if max <= 0 || len(top) == max && !before(x, top[max-1]) {
			return top
		}
		if len(top) < max {
			top = append(top, x)
		} else {
			top[max-1] = x
		}
		for p := len(top) - 1; p > 0 && before(top[p], top[p-1]); p-- {
			top[p], top[p-1] = top[p-1], top[p]
		}
		return top
	}
	// Headlines: the top stories worth it.
	var heads []int32
	for k := range rs {
		if r := &rs[k]; r.outlets >= 2 || (r.watch > 0 && r.events != 0) {
			heads = keep(heads, opt.MaxHeadlines, int32(k))
		}
	}
	for _, k := range heads {
		rs[k].headline = true
	}
	secTop := make([][]int32, len(order))
	for k := range rs {
		if r := &rs[k]; !r.headline {
			secTop[r.section] = keep(secTop[r.section], opt.MaxPerSection, int32(k))
		}
	}
	shownOrder := slices.Clone(heads)
	for _, top := range secTop {
		shownOrder = append(shownOrder, top...)
	}

	// Build the stories shown.
	shown := make([]clGroup, len(shownOrder))
	for q, k := range shownOrder {
		shown[q] = c.groups[k]
	}
	stories := c.storiesOf(shown)
	name := func(id string) string {
		if opt.Names != nil {
			if n := opt.Names(id); n != "" {
				return n
			}
		}
		return id
	}
	sections := make([]Section, len(order))
	for k, id := range order {
		sections[k].ID = id
		if n, ok := dgSectionNames[id]; ok && (opt.Names == nil || opt.Names(id) == "") {
			sections[k].Name = n
		} else {
			sections[k].Name = name(id)
		}
	}
	for q := range stories {
		r := &rs[shownOrder[q]]
		s := &stories[q]
		s.Score = r.score
		dgNameTags(s.Countries, name)
		dgNameTags(s.Actors, name)
		if r.headline {
			d.Headlines = append(d.Headlines, *s)
		} else {
			sections[r.section].Stories = append(sections[r.section].Stories, *s)
		}
	}
	for _, sec := range sections {
		if len(sec.Stories) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}

	// Counts over every story of the window.
	for ci, id := range countryIDs {
		d.Counts = append(d.Counts, CountryCount{Tag: Tag{ID: id, Name: name(id)}, Stories: countryN[ci]})
	}
	slices.SortFunc(d.Counts, func(a, b CountryCount) int {
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
	return d
}

// dgOutletCount counts the distinct outlets of items.
func dgOutletCount(items []*Item) int {
	if len(items) == 1 {
		return 1
	}
	n := 0
	for k, it := range items {
		o := clOutlet(it)
		if o == "" {
			continue
		}
		dup := false
		for _, prev := range items[:k] {
			if clOutlet(prev) == o {
				dup = true
				break
			}
		}
		if !dup {
			n++
		}
	}
	return max(n, 1)
}

// dgNameTags fills the display names of tags (the stories' own copies).
func dgNameTags(tags []Tag, name func(string) string) {
	for i := range tags {
		tags[i].Name = name(tags[i].ID)
	}
}

func dgHas(ids []string, id string) bool {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
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
