package briefing

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Story clustering groups the items that tell the same event, across
// outlets and across English and French.
//
// The similarity of two items is the cosine of their weighted feature
// vectors. Features come from the title, the start of the summary and the
// tags:
//
//   - words folded to lower-case ASCII (accents stripped), EN+FR stop
//     words dropped, then a light cognate stemmer (qu/ck/hard c → k, y → i,
//     doubled letters merged, final s and e dropped, cut to six letters)
//     so that attack/attaque, politique/political, militaire/military meet;
//   - a small EN↔FR lexicon of frequent non-cognate news words (killed/tués,
//     soldiers/soldats, junta/junte, withdrawal/retrait, ECOWAS/CEDEAO,
//     Tuesday/mardi …) mapped to shared concepts;
//   - numbers (death tolls, "1,500 troops"; number words too), years
//     weighed down;
//   - country and actor tags.
//
// Each feature weighs a field boost times its inverse document frequency in
// the batch (with clPriorDocs pseudo-documents, so that in a small batch a
// shared word does not look common). Contrary evidence lowers the cosine:
// both items tagged but no country in common, both naming events of
// different classes (attack vs kidnapping), both titles giving counts but
// none in common, both naming places or people (capitalized words inside
// sentences) but none in common. Two items must share two words at least.
//
// Cost: every item is tokenized once (8 bytes at a time through letters),
// tokens and features are interned in open-addressing tables; candidates
// come from an inverted index over each item's rarest features, walked in
// time order and cut at the window, so nothing is compared with everything.
// Pairs above the threshold are joined with union-find (single linkage),
// guarded against drift: an item must also be somewhat like the first item
// of the story it joins. Items with the same canonical URL are the same
// story whatever their dates.

// DefaultClusterWindow is the largest gap between two items of one story.
const DefaultClusterWindow = 48 * time.Hour

// DefaultClusterThreshold is the cosine similarity above which two items
// are the same story. It was set on testdata/stories.jsonl, real EN and FR
// reports of 14 events (see TestClusterRealEvents).
const DefaultClusterThreshold = 0.18

// ClusterOptions tunes Cluster. The zero value uses the defaults.
type ClusterOptions struct {
	// Window is the largest time between two items joined directly; a story
	// may span more through a chain of items. 0 means DefaultClusterWindow.
	Window time.Duration
	// Threshold is the similarity (0..1) from which two items are joined.
	// 0 means DefaultClusterThreshold.
	Threshold float64
}

// Tuning constants, set on testdata/stories.jsonl (real reports) and the
// synthetic corpus of the tests.
const (
	clPriorDocs     = 20   // pseudo-documents added to the batch for IDF
	clSummaryTokens = 4    // features read from a summary at most
	clTitleBoost    = 1.0  // field boosts: title words
	clSummaryBoost  = 0.4  // summary words
	clProperBoost   = 1.3  // a capitalized word inside a summary sentence
	clCountryBoost  = 0.4  // country tags (country names are words too)
	clActorBoost    = 1.0  // actor tags
	clPlaceBoost    = 0.6  // country names and demonyms as words
	clNumberBoost   = 1.4  // numbers ≥ 10 (death tolls, troop counts)
	clSmallNumBoost = 0.5  // 0..9
	clYearBoost     = 0.25 // 1900..2100

	clCrossCountry = 0.35 // factor when both are tagged with no country in common
	clCrossEvent   = 0.6  // factor when both name events, of different classes
	clCrossCount   = 0.75 // factor when both titles give counts, none in common
	clCrossAnchor  = 0.8  // factor when both name places or people, none in common
	clGuard        = 0.6  // share of the threshold an item needs with a story's first item

	clBlockFeatures = 5    // rarest features of an item used to find candidates
	clPostingScan   = 32   // posting entries walked for each of the two rarest; a quarter for the others
	clPartial       = 0.85 // share of the threshold the rare features must reach before a full comparison
	clAnchors       = 4    // proper nouns kept per item
	clLeadSummary   = 40   // a lead needs a summary of at least this many bytes
)

// Cluster groups items into stories: the same canonical URL, or similar
// titles and summaries within opt.Window of each other. Stories come back in
// order of their first item; use Rank to order them by importance.
//
// The lead item is the earliest item that has a summary of some length
// (first to report, and it gives the reader context), else the earliest
// item; Items list the lead first, then the others by date. Outlets are
// distinct, the lead's first. Published is the earliest item's date,
// Updated the latest. Countries and Actors are the union of the items' tags
// (IDs only; BuildDigest fills the names). The ID is "s" + the lead's store
// ID, or "sh" + a hash of its source and key when it has none.
func Cluster(items []Item, opt ClusterOptions) []Story {
	if len(items) == 0 {
		return nil
	}
	sel := make([]*Item, len(items))
	for i := range items {
		sel[i] = &items[i]
	}
	c := clusterItems(sel, opt)
	defer c.release()
	return c.stories()
}

// clusterItems clusters the selected items; the result's groups hold the
// stories as indices into sel.
func clusterItems(sel []*Item, opt ClusterOptions) *clusterer {
	if opt.Window <= 0 {
		opt.Window = DefaultClusterWindow
	}
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultClusterThreshold
	}
	c := newClusterer(sel)
	for i := range sel {
		c.addItem(i, sel[i])
	}
	c.weigh()
	c.order = clTimeOrder(c.order, sel)
	n := len(sel)
	c.uf = clReuse(c.uf, n)
	c.rep = clReuse(c.rep, n)
	c.rank = clReuse(c.rank, n)
	for k, i := range c.order {
		c.uf[i] = i
		c.rep[i] = i
		c.rank[i] = int32(k)
	}
	c.joinURLs()
	c.link(opt)
	c.group()
	return c
}

// clPosting is an entry of the inverted index: an item holding a feature.
type clPosting struct {
	t    int32 // the item's date in seconds from the first, so walking stays in the list
	item int32
	w    float32
}

// clGroup is one story of a clustering.
type clGroup struct {
	first, n int32
	lead     int32 // the lead item
}

// clFeatStat is what the clusterer knows of a feature while extracting.
type clFeatStat struct {
	df   int32 // items holding it
	mark int32 // last item that added it, +1
	pos  int32 // its index in feats for that item
	tag  bool  // a country or actor tag
	num  bool  // a number
}

// clMeta is what the similarity of an item reads besides its features, in
// one cache line.
type clMeta struct {
	cmask   uint64           // a 64-bit set of its countries (hashed)
	norm    float32          // the length of its feature vector
	ev      uint32           // event classes named in its text
	nums    [4]uint32        // up to four counts (≥ 10, not years) in its title (hashes)
	anchors [clAnchors]int32 // proper nouns of its title and summary (feature id+1)
}

// clNotWord marks, in a clFeat id, a tag or number feature (mask it off
// with clIDMask to index by id).
const (
	clNotWord int32 = 1 << 30
	clIDMask  int32 = clNotWord - 1
)

// clFeat is one feature of one item: its dense id and weight (the field
// boost while extracting, boost×IDF after weigh).
type clFeat struct {
	id int32
	w  float32
}

type clusterer struct {
	it    []*Item      // the items clustered
	ids   clTable      // feature hash → dense id
	fs    []clFeatStat // per dense id
	feats []clFeat     // every item's features, item after item
	start []int32      // item i's features are feats[start[i]:start[i+1]]
	meta  []clMeta     // per item, what the similarity reads besides features
	uf    []int32
	rep   []int32 // per root: the story's first item (in time order)
	order []int32 // items by date
	rank  []int32 // per item: its place in order

	// Buffers kept for the next run.
	idf, acc, scatter               []float32
	offs, fill, times, count, fill2 []int32
	post                            []clPosting
	urls                            clTable

	// The stories: members[g.first:g.first+g.n] are group g's items, in
	// time order; groups are in order of their first item.
	members []int32
	groups  []clGroup

	// While extracting.
	item     int32
	scan     clScanner
	hot      [1 << clHotBits]clHot // recent tokens
	words    clTable               // token hash → index in wordInfo
	wordInfo []clWord
}

// clPool keeps clusterers between runs: a digest built every hour reuses
// its buffers instead of allocating (and zeroing) megabytes again.
var clPool = sync.Pool{New: func() any { return new(clusterer) }}

func newClusterer(sel []*Item) *clusterer {
	n := len(sel)
	c := clPool.Get().(*clusterer)
	c.it = sel
	c.feats = clReuse(c.feats, n*12)[:0]
	c.start = clReuse(c.start, n+1)
	c.ids.reset(min(n, 4096))
	c.words.reset(min(n, 4096))
	c.scan = clScanner{c: c}
	c.fs = clReuse(c.fs, min(n, 4096))[:0]
	c.meta = clReuse(c.meta, n)
	c.wordInfo = c.wordInfo[:0]
	clear(c.hot[:])
	c.members, c.groups = nil, c.groups[:0]
	return c
}

// release returns c to the pool; nothing of c may be used afterwards.
func (c *clusterer) release() {
	c.it = nil
	clPool.Put(c)
}

// clReuse returns buf resliced to n zeroed elements, reallocated when too
// small.
func clReuse[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n, n+n/4)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// addItem extracts item i's features.
func (c *clusterer) addItem(i int, it *Item) {
	c.item = int32(i)
	c.start[i] = int32(len(c.feats))
	sc := &c.scan
	sc.limit, sc.title, sc.nAnchors, sc.words, sc.caps = 1<<30, true, 0, 0, 0
	sc.scan(it.Title, clTitleBoost, false)
	if sc.caps*2 > sc.words { // Title Case: capitals say nothing
		sc.nAnchors = 0
	}
	sc.emitted, sc.limit, sc.title = 0, clSummaryTokens, false
	sc.scan(it.Summary, clSummaryBoost, true)
	an := &c.meta[i].anchors
	for k := 0; k < sc.nAnchors; k++ {
		an[k] = sc.anchors[k] + 1
	}
	for _, id := range it.Countries {
		h := clHashString(clSeedCountry, id)
		c.add(c.tagID(h), clCountryBoost)
		c.meta[i].cmask |= 1 << (h >> 58)
	}
	for _, id := range it.Actors {
		c.add(c.tagID(clHashString(clSeedActor, id)), clActorBoost)
	}
	c.start[i+1] = int32(len(c.feats))
}

// intern returns the dense id of feature hash h.
func (c *clusterer) intern(h uint64, tag bool) int32 {
	id, ok := c.ids.get(h)
	if !ok {
		id = int32(len(c.fs))
		c.ids.put(h, id)
		c.fs = append(c.fs, clFeatStat{tag: tag})
	}
	return id
}

// tagID is the dense id of a tag feature, through the token cache.
func (c *clusterer) tagID(h uint64) int32 {
	hot := &c.hot[h>>(64-clHotBits)]
	if hot.key != h {
		hot.key, hot.w = h, clWord{id: c.intern(h, true)}
	}
	return hot.w.id
}

// internNumber returns the dense id of a number feature.
func (c *clusterer) internNumber(h uint64) int32 {
	id := c.intern(h, false)
	c.fs[id].num = true
	return id
}

// add gives the current item feature id (once; the largest boost wins).
func (c *clusterer) add(id int32, boost float32) {
	st := &c.fs[id]
	if st.mark == c.item+1 {
		if p := st.pos; boost > c.feats[p].w {
			c.feats[p].w = boost
		}
		return
	}
	st.mark = c.item + 1
	st.pos = int32(len(c.feats))
	st.df++
	fid := id
	if st.tag || st.num {
		fid |= clNotWord
	}
	c.feats = append(c.feats, clFeat{id: fid, w: boost})
}

// word resolves a folded word or number (hash h) to its cached feature:
// each distinct token is looked up and stemmed once per run.
func (c *clusterer) word(h uint64, w []byte, number bool) *clWord {
	return &c.wordInfo[c.wordIndex(h, w, number)]
}

// wordIndex is word's index in wordInfo.
func (c *clusterer) wordIndex(h uint64, w []byte, number bool) int32 {
	if k, ok := c.words.get(h); ok {
		return k
	}
	var cw clWord
	switch {
	case number:
		cw.boost = clNumberWeight(w)
		if cw.boost == clNumberBoost {
			cw.count = true
		}
		cw.id = c.internNumber(h)
	default:
		e, ok := clLex.get(h)
		switch {
		case ok && e.kind == clStop:
			cw.id = -1
		case ok && e.events&clCount != 0: // a number word
			cw.id, cw.boost, cw.count, cw.lex = c.internNumber(e.feature), e.boost, true, true
		case ok:
			cw.id, cw.boost, cw.events, cw.lex = c.intern(e.feature, false), e.boost, e.events, true
		default:
			var st [8]byte
			k := clStem(w, &st)
			cw.id, cw.boost = c.intern(clHashBytes(clSeedWord, st[:k]), false), 1
		}
	}
	k := int32(len(c.wordInfo))
	c.words.put(h, k)
	c.wordInfo = append(c.wordInfo, cw)
	return k
}

// clHotBits sizes the token cache: 1024 entries of 24 bytes stay in cache.
const clHotBits = 10

type clHot struct {
	key uint64
	w   clWord
}

// clWord is a distinct token of a run: its feature (-1 for a stop word),
// weight factor, event classes, and whether it is a count.
type clWord struct {
	id     int32
	boost  float32
	events uint32
	count  bool
	lex    bool // from the lexicon (a concept, not a name)
}

// weigh turns boosts into boost×IDF weights and computes the norms.
func (c *clusterer) weigh() {
	n := len(c.start) - 1
	c.idf = clReuse(c.idf, len(c.fs))
	idf := c.idf
	total := float64(n + clPriorDocs + 1)
	for id := range c.fs {
		idf[id] = float32(math.Log(total / (float64(c.fs[id].df) + 0.5)))
	}
	for i := 0; i < n; i++ {
		var s float32
		fs := c.feats[c.start[i]:c.start[i+1]]
		for k := range fs {
			w := fs[k].w * idf[fs[k].id&clIDMask]
			fs[k].w = w
			s += w * w
		}
		c.meta[i].norm = float32(math.Sqrt(float64(s)))
	}
}

func (c *clusterer) find(i int32) int32 {
	for c.uf[i] != i {
		c.uf[i] = c.uf[c.uf[i]]
		i = c.uf[i]
	}
	return i
}

func (c *clusterer) union(a, b int32) {
	ra, rb := c.find(a), c.find(b)
	if ra == rb {
		return
	}
	// The representative is whichever first item came first (callers join
	// in time order, so that is the one already older).
	rep := c.rep[rb]
	if c.rank[c.rep[ra]] < c.rank[rep] {
		rep = c.rep[ra]
	}
	if ra < rb {
		c.uf[rb] = ra
		c.rep[ra] = rep
	} else {
		c.uf[ra] = rb
		c.rep[rb] = rep
	}
}

// joinURLs joins the items that share a canonical URL.
func (c *clusterer) joinURLs() {
	seen := &c.urls
	seen.reset(len(c.it))
	for i, it := range c.it {
		u := strings.TrimSpace(it.URL)
		if u == "" {
			continue
		}
		h := clHashString(clSeedURL, u)
		for {
			j, ok := seen.get(h)
			if !ok {
				seen.put(h, int32(i))
				break
			}
			if strings.TrimSpace(c.it[j].URL) == u {
				c.union(j, int32(i))
				break
			}
			h++ // a hash collision between two URLs: probe the next key
		}
	}
}

// link finds candidate pairs through an inverted index of rare features,
// walked in time order, and joins those similar enough.
func (c *clusterer) link(opt ClusterOptions) {
	n := len(c.it)
	nf := len(c.fs)
	// Features that can block: seen at least twice, and in at most 1/64 of
	// the items (common ones still count in the similarity). Each item looks
	// up its rarest ones, walking a few recent entries of each.
	maxDF := int32(max(64, n/64))
	c.offs = clReuse(c.offs, nf+1)
	offs := c.offs
	for id := range c.fs {
		if df := c.fs[id].df; df >= 2 && df <= maxDF {
			offs[id+1] = df
		}
	}
	for id := 0; id < nf; id++ {
		offs[id+1] += offs[id]
	}
	c.post = clReuse(c.post, int(offs[nf]))
	c.fill = clReuse(c.fill, nf)
	c.acc = clReuse(c.acc, n)
	c.scatter = clReuse(c.scatter, nf)
	post, fill, acc, scatter := c.post, c.fill, c.acc, c.scatter
	touched := make([]int32, 0, 256)
	// Dates in seconds from the earliest dated item, kept within ±34 years
	// so that differences fit in an int32; undated items sort first.
	c.times = clReuse(c.times, n)
	times := c.times
	var t0 time.Time
	for _, i := range c.order {
		if t := c.it[i].Published; !t.IsZero() {
			t0 = t
			break
		}
	}
	const lim = math.MaxInt32 / 2
	for i, it := range c.it {
		if it.Published.IsZero() {
			times[i] = -lim
			continue
		}
		times[i] = int32(max(-lim, min(it.Published.Sub(t0)/time.Second, lim)))
	}
	window := int32(min(opt.Window/time.Second, math.MaxInt32))
	thr := float32(opt.Threshold)
	var block [clBlockFeatures]clFeat

	for _, i := range c.order {
		fs := c.feats[c.start[i]:c.start[i+1]]
		// The item's rarest blocking features (highest weight first).
		nb := 0
		for _, f := range fs {
			f.id &= clIDMask
			if offs[f.id+1] == offs[f.id] {
				continue
			}
			if nb < clBlockFeatures {
				block[nb] = f
				nb++
			} else if f.w > block[nb-1].w {
				block[nb-1] = f
			} else {
				continue
			}
			for k := nb - 1; k > 0 && block[k].w > block[k-1].w; k-- {
				block[k], block[k-1] = block[k-1], block[k]
			}
		}
		ti := times[i]
		for b, f := range block[:nb] {
			list := post[offs[f.id] : offs[f.id]+fill[f.id]]
			scan := clPostingScan
			if b >= 2 { // the rarest two matter most; the others are a fallback
				scan = clPostingScan / 4
			}
			for k, walked := len(list)-1, 0; k >= 0 && walked < scan; k, walked = k-1, walked+1 {
				p := list[k]
				if ti-p.t > window {
					break
				}
				if acc[p.item] == 0 {
					touched = append(touched, p.item)
				}
				acc[p.item] += f.w * p.w
			}
		}
		if len(touched) > 0 {
			ni := c.meta[i].norm
			for _, f := range fs {
				scatter[f.id&clIDMask] = f.w
			}
			for _, j := range touched {
				partial := acc[j]
				acc[j] = 0
				nn := ni * c.meta[j].norm
				if nn == 0 || partial < clPartial*thr*nn {
					continue
				}
				if c.find(i) == c.find(j) {
					continue
				}
				// Contrary evidence first: it is cheap, and often enough.
				pen := c.penalty(i, j)
				if partial*pen < clPartial*thr*nn || c.cosine(scatter, nn, j)*pen < thr {
					continue
				}
				// Guard against chains drifting from the event: i must also
				// be somewhat like the first item of j's story.
				if r := c.rep[c.find(j)]; r != j {
					if nr := ni * c.meta[r].norm; nr == 0 || c.similarity(scatter, nr, i, r) < clGuard*thr {
						continue
					}
				}
				c.union(i, j)
			}
			for _, f := range fs {
				scatter[f.id&clIDMask] = 0
			}
			touched = touched[:0]
		}
		// Index the item under every blocking feature it holds.
		for _, f := range fs {
			id := f.id & clIDMask
			if o := offs[id]; offs[id+1] > o {
				post[o+fill[id]] = clPosting{t: ti, item: i, w: f.w}
				fill[id]++
			}
		}
	}
}

// similarity is the cosine of items i (scattered) and j, lowered by
// contrary evidence: both tagged with countries but none in common, both
// naming events but of different classes (an attack is not a kidnapping),
// both giving counts in their titles but none in common. Two items must also
// share two words at least: one word (a place) and a number are no story.
func (c *clusterer) similarity(scatter []float32, nn float32, i, j int32) float32 {
	return c.cosine(scatter, nn, j) * c.penalty(i, j)
}

// cosine is the cosine of the scattered item and item j, 0 when they share
// fewer than two words.
func (c *clusterer) cosine(scatter []float32, nn float32, j int32) float32 {
	var dot float32
	shared := 0
	for _, f := range c.feats[c.start[j]:c.start[j+1]] {
		if w := scatter[f.id&clIDMask]; w != 0 {
			dot += w * f.w
			if f.id&clNotWord == 0 {
				shared++
			}
		}
	}
	if shared < 2 {
		return 0
	}
	return dot / nn
}

// penalty is the product of the factors of contrary evidence between i and
// j (1 when there is none).
func (c *clusterer) penalty(i, j int32) float32 {
	p := float32(1)
	mi, mj := &c.meta[i], &c.meta[j]
	if a, b := mi.cmask, mj.cmask; a != 0 && b != 0 && a&b == 0 {
		p *= clCrossCountry
	}
	if ei, ej := mi.ev, mj.ev; ei != 0 && ej != 0 && ei&ej == 0 {
		p *= clCrossEvent
	}
	if ni, nj := &mi.nums, &mj.nums; ni[0] != 0 && nj[0] != 0 && !clShareCount(ni, nj) {
		p *= clCrossCount
	}
	if ai, aj := &mi.anchors, &mj.anchors; ai[0] != 0 && aj[0] != 0 && !clShareAnchor(ai, aj) {
		p *= clCrossAnchor
	}
	return p
}

func clShareAnchor(a, b *[clAnchors]int32) bool {
	for _, x := range a {
		if x == 0 {
			break
		}
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func clShareCount(a, b *[4]uint32) bool {
	for _, x := range a {
		if x == 0 {
			break
		}
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// clTimeOrder returns item indices by date, then store ID, source and key,
// so the result does not depend on the input order.
func clTimeOrder(order []int32, sel []*Item) []int32 {
	order = clReuse(order, len(sel))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return clItemCmp(sel[a], sel[b], a, b) })
	return order
}

func clItemCmp(x, y *Item, a, b int32) int {
	if c := x.Published.Compare(y.Published); c != 0 {
		return c
	}
	if x.ID != y.ID {
		if x.ID < y.ID {
			return -1
		}
		return 1
	}
	if c := strings.Compare(x.Source, y.Source); c != 0 {
		return c
	}
	if c := strings.Compare(x.Key, y.Key); c != 0 {
		return c
	}
	return int(a - b)
}

// group gathers the union-find sets into groups, each in time order, and
// picks each lead.
func (c *clusterer) group() {
	n := len(c.it)
	c.count = clReuse(c.count, n+1)
	count := c.count
	for i := 0; i < n; i++ {
		count[c.find(int32(i))+1]++
	}
	for i := 0; i < n; i++ {
		count[i+1] += count[i]
	}
	c.members = clReuse(c.members, n)
	c.fill2 = clReuse(c.fill2, n)
	fill := c.fill2
	for _, i := range c.order {
		r := c.find(i)
		c.members[count[r]+fill[r]] = i
		fill[r]++
	}
	for _, i := range c.order {
		r := c.find(i)
		if c.members[count[r]] != i {
			continue
		}
		g := clGroup{first: count[r], n: fill[r], lead: i}
		for _, m := range c.members[g.first : g.first+g.n] {
			if len(c.it[m].Summary) >= clLeadSummary {
				g.lead = m
				break
			}
		}
		c.groups = append(c.groups, g)
	}
}

// stories builds every group's story.
func (c *clusterer) stories() []Story { return c.storiesOf(c.groups) }

// storiesOf builds the stories of groups, sharing a few large arrays
// between them (with capacities clipped so that an append on one story
// never writes into another).
func (c *clusterer) storiesOf(groups []clGroup) []Story {
	total := 0
	for _, g := range groups {
		total += int(g.n)
	}
	out := make([]Story, len(groups))
	allItems := make([]Item, total)
	fix := make([]clFixup, len(groups))
	outlets := make([]string, 0, total)
	tags := make([]Tag, 0, total*2)
	ids := make([]byte, 0, len(groups)*8) // every story ID, cut from one string
	next := 0
	for k, g := range groups {
		group := c.members[g.first : g.first+g.n]
		s := &out[k]
		its := allItems[next : next+len(group) : next+len(group)]
		next += len(group)
		its[0] = *c.it[g.lead]
		p := 1
		for _, i := range group {
			if i != g.lead {
				its[p] = *c.it[i]
				p++
			}
		}
		s.Items = its
		li := &its[0]
		fix[k].id0 = len(ids)
		ids = clAppendStoryID(ids, li)
		fix[k].id1 = len(ids)
		s.Title, s.URL, s.Summary = li.Title, li.URL, li.Summary
		s.Published = c.it[group[0]].Published
		s.Updated = c.it[group[len(group)-1]].Published
		s.events = c.groupEvents(g)

		f := &fix[k]
		f.o0 = len(outlets)
		for q := range its {
			name := clOutlet(&its[q])
			if name != "" && !slices.Contains(outlets[f.o0:], name) {
				outlets = append(outlets, name)
			}
		}
		f.o1, f.t0 = len(outlets), len(tags)
		for q := range its {
			for _, id := range its[q].Countries {
				if !clHasTag(tags[f.t0:], id) {
					tags = append(tags, Tag{ID: id})
				}
			}
		}
		f.t1 = len(tags)
		for q := range its {
			for _, id := range its[q].Actors {
				if !clHasTag(tags[f.t1:], id) {
					tags = append(tags, Tag{ID: id})
				}
			}
		}
		f.t2 = len(tags)
	}
	all := string(ids)
	for k := range out {
		f := fix[k]
		out[k].ID = all[f.id0:f.id1]
		out[k].Outlets = clNilIfEmpty(outlets[f.o0:f.o1:f.o1])
		out[k].Countries = clNilIfEmptyTags(tags[f.t0:f.t1:f.t1])
		out[k].Actors = clNilIfEmptyTags(tags[f.t1:f.t2:f.t2])
	}
	return out
}

// groupEvents is the event classes named in group g's items, marked known.
func (c *clusterer) groupEvents(g clGroup) uint32 {
	ev := rkKnown
	for _, i := range c.members[g.first : g.first+g.n] {
		ev |= c.meta[i].ev
	}
	return ev
}

type clFixup struct{ o0, o1, t0, t1, t2, id0, id1 int }

func clNilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func clNilIfEmptyTags(s []Tag) []Tag {
	if len(s) == 0 {
		return nil
	}
	return s
}

func clHasTag(tags []Tag, id string) bool {
	for _, t := range tags {
		if t.ID == id {
			return true
		}
	}
	return false
}

// clOutlet is who published the item: its outlet, else its source.
func clOutlet(it *Item) string {
	if o := strings.TrimSpace(it.Outlet); o != "" {
		return o
	}
	return strings.TrimSpace(it.Source)
}

// clAppendStoryID appends "s" + the lead's store ID, or "sh" + 16 hex
// digits of a hash of its source and key when it was never stored.
func clAppendStoryID(b []byte, lead *Item) []byte {
	if lead.ID != 0 {
		return strconv.AppendInt(append(b, 's'), lead.ID, 10)
	}
	h := clHashString(clSeedURL, lead.Source)
	h = clHashString(h^0xff, lead.Key)
	const hexd = "0123456789abcdef"
	b = append(b, 's', 'h')
	for k := 15; k >= 0; k-- {
		b = append(b, hexd[(h>>(4*k))&15])
	}
	return b
}

// ---- Text features ----

// Seeds keep the hash namespaces apart (words, concepts, numbers, tags, URLs).
const (
	clFNVOffset uint64 = 14695981039346656037

	clSeedWord    = clFNVOffset
	clSeedConcept = clFNVOffset ^ 0x5bd1e9955bd1e995
	clSeedNumber  = clFNVOffset ^ 0x2545f4914f6cdd1d
	clSeedCountry = clFNVOffset ^ 0x9e3779b97f4a7c15
	clSeedActor   = clFNVOffset ^ 0xc2b2ae3d27d4eb4f
	clSeedURL     = clFNVOffset ^ 0x165667b19e3779f9
)

// clHashBytes hashes a token eight bytes at a time, little-endian, the
// last chunk padded with zeros (a byte-wise multiply chain costs several
// times more on long texts).
func clHashBytes(seed uint64, b []byte) uint64 {
	h := seed ^ uint64(len(b))*0x9E3779B97F4A7C15
	for len(b) >= 8 {
		h = clMix(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	return clFinish(h, v)
}

// clHashBuf is clHashBytes of buf[:n] without a loop over the last bytes:
// buf holds at least eight bytes past n.
func clHashBuf(seed uint64, buf []byte, n int) uint64 {
	h := seed ^ uint64(n)*0x9E3779B97F4A7C15
	k := 0
	for ; k+8 <= n; k += 8 {
		h = clMix(h, binary.LittleEndian.Uint64(buf[k:]))
	}
	v := binary.LittleEndian.Uint64(buf[k:]) & (1<<(8*uint(n-k)) - 1)
	return clFinish(h, v)
}

func clMix(h, v uint64) uint64 {
	h = (h ^ v) * 0xbf58476d1ce4e5b9
	return h ^ h>>31
}

func clFinish(h, v uint64) uint64 {
	h = (h ^ v) * 0x94d049bb133111eb
	return h ^ h>>29
}

// clHashString hashes a string eight bytes at a time (tags, URLs).
func clHashString(seed uint64, s string) uint64 {
	h := seed ^ uint64(len(s))*0x9E3779B97F4A7C15
	for len(s) >= 8 {
		b := s[:8]
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		h = clMix(h, v)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return clFinish(h, v)
}

// clMaxWord bounds a word; longer ones are cut (and still hashed alike).
const clMaxWord = 40

// clCount marks a count in the lexicon (a number word ≥ 10).
const clCount uint32 = 1 << 31

// clScanner tokenizes text: runs of letters (folded to lower-case ASCII
// where Latin) and runs of digits (with thousands separators). Apostrophes,
// hyphens and punctuation split words, so "l'armée" gives "armee" and
// "couvre-feu" gives "couvre", "feu". With a clusterer it adds the features
// of the clusterer's current item; without, it only collects the event
// classes named (for Rank).
type clScanner struct {
	c       *clusterer
	ev      uint32
	emitted int
	limit   int
	title   bool
	buf     [clMaxWord + 8]byte
	// Proper nouns met (feature ids), and the words of four letters or
	// more inside sentences, capitalized or not, to tell Title Case.
	anchors     [clAnchors]int32
	nAnchors    int
	words, caps int
}

func (sc *clScanner) scan(s string, boost float32, properNouns bool) {
	// Token state lives in locals (kept in registers in the byte loops);
	// each token ends in exactly one place, where it is flushed.
	n := 0
	num, capital, sentence := false, false, true
	for i := 0; i < len(s); {
		kind := clChars[s[i]]
		switch kind {
		case clLower, clUpper:
			if num {
				if !sc.flush(n, true, false, false, boost, false) {
					return
				}
				n, num = 0, false
			}
			if n == 0 {
				capital = kind == clUpper
			}
			// A run of ASCII letters, eight bytes at a time.
			for i+8 <= len(s) {
				b := s[i : i+8] // one bounds check; the loads merge into one
				v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
					uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
				k := clLetterRun(v)
				if n < clMaxWord {
					// Lower-case all eight; only the first k count.
					binary.LittleEndian.PutUint64(sc.buf[n:], v|0x2020202020202020)
					n = min(n+k, clMaxWord)
				}
				i += k
				if k < 8 {
					break
				}
			}
			for i < len(s) {
				c := s[i]
				if k := clChars[c]; k != clLower && k != clUpper {
					break
				}
				if n < clMaxWord {
					sc.buf[n] = c | 0x20
					n++
				}
				i++
			}
			// The word ends here, unless an accented letter follows.
			if i == len(s) || s[i] < utf8.RuneSelf {
				if !sc.flush(n, false, capital, sentence, boost, properNouns) {
					return
				}
				n, sentence = 0, false
				if i < len(s) && s[i] == ' ' { // the usual space: skip it here
					i++
				}
			}
		case clDigit:
			if n > 0 && !num {
				if !sc.flush(n, false, capital, sentence, boost, properNouns) {
					return
				}
				n, sentence = 0, false
			}
			num = true
			if n < clMaxWord {
				sc.buf[n] = s[i]
				n++
			}
			i++
		case clNumSep, clEnd:
			// "1,500", "1.500", "1 500": a separator followed by exactly
			// three digits continues the number.
			if num && s[i] != ';' && clThreeDigits(s, i+1) {
				i++
				continue
			}
			if n > 0 {
				if !sc.flush(n, num, capital, sentence, boost, properNouns) {
					return
				}
				if !num {
					sentence = false
				}
				n, num = 0, false
			}
			if kind == clEnd {
				sentence = true
			}
			i++
		case clHigh:
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if r == 0xA0 || r == 0x202F || r == 0x2009 { // no-break and thin spaces
				if num && clThreeDigits(s, i) {
					continue
				}
			} else if unicode.IsLetter(r) {
				if num {
					if !sc.flush(n, true, false, false, boost, false) {
						return
					}
					n, num = 0, false
				}
				if n == 0 {
					capital = unicode.IsUpper(r)
				}
				if r >= 0xC0 && r <= 0x17F && clFold[r-0xC0] != 0 {
					if n < clMaxWord {
						sc.buf[n] = clFold[r-0xC0]
						n++
					}
					if f2 := clFold2(r); f2 != 0 && n < clMaxWord {
						sc.buf[n] = f2
						n++
					}
				} else if r = unicode.ToLower(r); n+utf8.RuneLen(r) <= clMaxWord {
					n += utf8.EncodeRune(sc.buf[n:], r)
				}
				if i == len(s) || clChars[s[i]] != clLower && clChars[s[i]] != clUpper && clChars[s[i]] != clHigh {
					if !sc.flush(n, false, capital, sentence, boost, properNouns) {
						return
					}
					n, sentence = 0, false
				}
				continue
			}
			if n > 0 {
				if !sc.flush(n, num, capital, sentence, boost, properNouns) {
					return
				}
				if !num {
					sentence = false
				}
				n, num = 0, false
			}
		default: // clSep
			if n > 0 {
				if !sc.flush(n, num, capital, sentence, boost, properNouns) {
					return
				}
				if !num {
					sentence = false
				}
				n, num = 0, false
			}
			i++
		}
	}
	if n > 0 {
		sc.flush(n, num, capital, sentence, boost, properNouns)
	}
}

// flush ends a token of n bytes in sc.buf: a number, or a word
// (capitalized or not, at the start of a sentence or not). It returns false
// when the scan should stop.
func (sc *clScanner) flush(n int, num, capital, sentence bool, boost float32, properNouns bool) bool {
	var h uint64
	proper := false
	if num {
		w := sc.buf[:n]
		for len(w) > 1 && w[0] == '0' {
			w = w[1:]
		}
		h = clHashBytes(clSeedNumber, w)
	} else {
		if n < 2 {
			return true
		}
		// A capitalized word inside a sentence: a proper noun, unless the
		// text is in Title Case (the caller checks words and caps).
		proper = capital && !sentence
		if proper && properNouns {
			boost *= clProperBoost
		}
		if n >= 4 && !sentence {
			sc.words++
			if capital {
				sc.caps++
			}
		}
		if n < 8 { // most words: one masked load, one multiply
			v := binary.LittleEndian.Uint64(sc.buf[:8]) & (1<<(8*uint(n)) - 1)
			h = clFinish(clSeedWord^uint64(n)*0x9E3779B97F4A7C15, v)
		} else {
			h = clHashBuf(clSeedWord, sc.buf[:], n)
		}
	}
	c := sc.c
	if c == nil { // events only
		if !num {
			if e, ok := clLex.get(h); ok {
				sc.ev |= e.events &^ clCount
			}
		}
		return true
	}
	if sc.emitted >= sc.limit {
		return false
	}
	// Frequent tokens hit a small direct-mapped cache first.
	hot := &c.hot[h>>(64-clHotBits)]
	if hot.key != h {
		hot.key, hot.w = h, *c.word(h, sc.buf[:n], num)
	}
	cw := &hot.w
	if cw.id < 0 {
		return true
	}
	sc.emitted++
	if cw.count && sc.title {
		ns := &c.meta[c.item].nums
		h32 := uint32(h) | 1
		for k := range ns {
			if ns[k] == h32 {
				break
			}
			if ns[k] == 0 {
				ns[k] = h32
				break
			}
		}
	}
	if proper && !cw.lex && sc.nAnchors < len(sc.anchors) {
		sc.anchors[sc.nAnchors] = cw.id
		sc.nAnchors++
	}
	c.meta[c.item].ev |= cw.events
	c.add(cw.id, boost*cw.boost)
	return true
}

// clLetterRun counts the ASCII letters at the start of the eight bytes of
// v (little-endian), without a branch per byte.
func clLetterRun(v uint64) int {
	const lo7, hi = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	t := (v | 0x2020202020202020) & lo7 // fold case; clear the top bit
	ge := t + 0x1f1f1f1f1f1f1f1f        // top bit set where t ≥ 'a'
	gt := t + 0x0505050505050505        // top bit set where t > 'z'
	letters := ge &^ gt &^ v & hi       // and the byte was ASCII
	return bits.TrailingZeros64(^letters&hi) >> 3
}

// Character classes of bytes.
const (
	clSep    uint8 = iota // splits words
	clLower               // a–z
	clUpper               // A–Z
	clDigit               // 0–9
	clNumSep              // , and space: may sit inside a number
	clEnd                 // . ! ? : ; end a sentence (the dot may sit inside a number)
	clHigh                // the first byte of a multi-byte character
)

var clChars = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clLower
		t[c-'a'+'A'] = clUpper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	t[','], t[' '] = clNumSep, clNumSep
	for _, c := range ".!?:;" {
		t[c] = clEnd
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = clHigh
	}
	return t
}()

// emit handles one token of n bytes in sc.buf.
func clThreeDigits(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for k := i; k < i+3; k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return i+3 == len(s) || s[i+3] < '0' || s[i+3] > '9'
}

// clNumberWeight: years and small numbers weigh less than the counts that
// identify an event (84 killed, 1,500 troops).
func clNumberWeight(w []byte) float32 {
	switch {
	case len(w) == 1:
		return clSmallNumBoost
	case len(w) == 4 && (w[0] == '1' && w[1] == '9' || w[0] == '2' && w[1] == '0' || string(w) == "2100"):
		return clYearBoost
	}
	return clNumberBoost
}

// clStem is a light cognate stemmer for folded EN and FR words: "qu", "ck"
// and a hard "c" become "k", "ph" "f", "y" "i"; doubled letters merge; a
// final "s" then a final "e" go; the rest is cut to six bytes. So
// attack/attaque → "atak", political/politique → "politi",
// military/militaires → "milita", parties/partis → "parti".
func clStem(w []byte, out *[8]byte) int {
	if len(w) <= 3 {
		return copy(out[:], w)
	}
	var tmp [clMaxWord]byte
	k := 0
	var prev byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch c {
		case 'q':
			if next == 'u' {
				i++
			}
			c = 'k'
		case 'c':
			switch next {
			case 'k':
				i++
				c = 'k'
			case 'a', 'o', 'u', 'l', 'r', 't', 0:
				c = 'k'
			}
		case 'p':
			if next == 'h' {
				i++
				c = 'f'
			}
		case 'y':
			c = 'i'
		}
		if c == prev {
			continue
		}
		tmp[k] = c
		k++
		prev = c
	}
	if k > 3 && tmp[k-1] == 's' {
		k--
	}
	if k > 3 && tmp[k-1] == 'e' {
		k--
	}
	if k > 6 {
		k = 6
	}
	return copy(out[:], tmp[:k])
}

// clFold maps U+00C0..U+017F to a lower-case ASCII base letter (0: none).
// œ, æ and ß also get a second letter from clFold2.
var clFold = func() (t [0x180 - 0xC0]byte) {
	const latin1 = "aaaaaaaceeeeiiiidnooooo\x00ouuuuyts" + "aaaaaaaceeeeiiiidnooooo\x00ouuuuyty"
	copy(t[:], latin1)
	ranges := []struct {
		from, to rune
		base     byte
	}{
		{0x100, 0x105, 'a'}, {0x106, 0x10D, 'c'}, {0x10E, 0x111, 'd'}, {0x112, 0x11B, 'e'},
		{0x11C, 0x123, 'g'}, {0x124, 0x127, 'h'}, {0x128, 0x131, 'i'}, {0x132, 0x133, 'i'},
		{0x134, 0x135, 'j'}, {0x136, 0x138, 'k'}, {0x139, 0x142, 'l'}, {0x143, 0x14B, 'n'},
		{0x14C, 0x151, 'o'}, {0x152, 0x153, 'o'}, {0x154, 0x159, 'r'}, {0x15A, 0x161, 's'},
		{0x162, 0x167, 't'}, {0x168, 0x173, 'u'}, {0x174, 0x175, 'w'}, {0x176, 0x178, 'y'},
		{0x179, 0x17E, 'z'}, {0x17F, 0x17F, 's'},
	}
	for _, r := range ranges {
		for x := r.from; x <= r.to; x++ {
			t[x-0xC0] = r.base
		}
	}
	t['Æ'-0xC0], t['æ'-0xC0], t['ß'-0xC0] = 'a', 'a', 's'
	return t
}()

// clFold2 is the second letter of œ, æ and ß (0 for other runes).
func clFold2(r rune) byte {
	switch r {
	case 'œ', 'Œ', 'æ', 'Æ':
		return 'e'
	case 'ß':
		return 's'
	}
	return 0
}

// clFoldString folds a lexicon word the way clScanner folds text.
func clFoldString(s string) string {
	var b []byte
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
		case r >= 0xC0 && r <= 0x17F && clFold[r-0xC0] != 0:
			b = append(b, clFold[r-0xC0])
			if f := clFold2(r); f != 0 {
				b = append(b, f)
			}
		default:
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return string(b)
}

// ---- Open-addressing table ----

// clTable maps 64-bit hashes to int32 values with linear probing, key and
// value side by side (one cache line per probe). The key 0 is stored as 1
// (hashes are never meant to be 0; a clash costs a merge).
type clTable struct {
	slots []clSlot
	n     int
	bits  uint
}

type clSlot struct {
	key uint64
	val int32
}

func (t *clTable) init(hint int) {
	bits := uint(4)
	for 1<<bits < hint*2 {
		bits++
	}
	t.bits = bits
	t.slots = make([]clSlot, 1<<bits)
	t.n = 0
}

// reset empties t, keeping its slots when they are enough for hint keys.
func (t *clTable) reset(hint int) {
	if len(t.slots) >= hint*2 && len(t.slots) <= max(hint*8, 1<<12) {
		clear(t.slots)
		t.n = 0
		return
	}
	t.init(hint)
}

func (t *clTable) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - t.bits) }

func (t *clTable) get(k uint64) (int32, bool) {
	if k == 0 {
		k = 1
	}
	mask := uint64(len(t.slots) - 1)
	for s := t.slot(k); ; s = (s + 1) & mask {
		switch sl := &t.slots[s]; sl.key {
		case k:
			return sl.val, true
		case 0:
			return 0, false
		}
	}
}

func (t *clTable) put(k uint64, v int32) {
	if k == 0 {
		k = 1
	}
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for s := t.slot(k); ; s = (s + 1) & mask {
		sl := &t.slots[s]
		if sl.key == k || sl.key == 0 {
			if sl.key == 0 {
				t.n++
			}
			sl.key, sl.val = k, v
			return
		}
	}
}

func (t *clTable) grow() {
	old := t.slots
	t.bits++
	t.slots = make([]clSlot, 1<<t.bits)
	t.n = 0
	for _, sl := range old {
		if sl.key != 0 {
			t.put(sl.key, sl.val)
		}
	}
}

// ---- Lexicon ----

// clLexEntry says what a folded word is: a stop word, or a concept shared
// by its EN and FR forms (with a weight factor and event classes).
type clLexEntry struct {
	kind    uint8
	feature uint64
	boost   float32
	events  uint32
}

const (
	clStop uint8 = iota + 1
	clConcept
)

type clLexicon struct {
	t clTable
	e []clLexEntry
}

func (l *clLexicon) get(h uint64) (clLexEntry, bool) {
	i, ok := l.t.get(h)
	if !ok {
		return clLexEntry{}, false
	}
	return l.e[i], true
}

func (l *clLexicon) add(word string, e clLexEntry) {
	h := clHashBytes(clSeedWord, []byte(clFoldString(word)))
	if _, dup := l.t.get(h); dup {
		return // first meaning wins (TestLexiconNoDuplicates keeps the lists clean)
	}
	l.t.put(h, int32(len(l.e)))
	l.e = append(l.e, e)
}

// clStopWords are EN and FR function words and news boilerplate, folded.
const clStopWords = `
a an the and or but nor of to in on at by for with from as is are was were be been being am
has have had having it its this that these those he she they them his her hers their theirs
we our you your i me my not no yes will would can could may might must should shall do does did
after before over under into onto about above below than then there here who whom whose which
what when where why how all any some more most other others also just only up out off
said says say told tells according amid while during since until against between among within
without new now s per via so if ever very much many such own same too each both few again
mr mrs ms year years day days week weeks month months time times today yesterday tomorrow
announce announces announced announcing announcement report reports reported reportedly
statement statements declare declares declared declaring official officially
news latest live update updates breaking video watch read
le la les l un une des du de d et ou mais donc or ni car en au aux à a ce cet cette ces ci ça
se sa son ses leur leurs lui eux qui que qu quoi dont où il ils elle elles on nous vous je
ne n pas plus par pour sur sous dans avec sans entre contre vers chez après avant depuis
pendant selon ainsi alors aussi comme lors été est sont était étaient ont avait avoir être
fait faire font y tout tous toute toutes très même mêmes autre autres dit dire affirme affirmé
indique indiqué rapporte annonce annoncé annoncée annoncés annoncées annoncent annoncer
déclare déclaré déclarée déclarent communiqué officiel officielle nouveau nouvelle nouveaux
nouvelles an ans année années jour jours semaine semaines mois aujourd hui hier demain
faso al el afp reuters ap ortm dernière minute dernier derniers dernières
country countries country's pays state states état états etat etats nation nations
member members membre membres group groups groupe groupes region regional région régional
known connu connue près pres environ about around autour nearly almost presque least moins
last latest recent recently récent récente récemment récents late tard early tôt
community communauté people peuple population populations personnes persons
part parts partie several plusieurs some certains certaines certain many nombreux nombreuses
made make makes took take takes taken prend prendre pris came come comes vient venir
went go goes going gone allé aller va vont
`

// clGroups are concepts whose EN and FR words are not cognates (or whose
// stems would clash): every listed word maps to the concept's feature.
// Words are written naturally; they are folded at start-up.
var clGroups = []struct {
	concept string
	events  uint32
	boost   float32
	words   string
}{
	// Events (also read by Rank).
	{"attack", rkAttack, 1, "attack attacks attacked attacking attacker attackers assault assaults raid raids attaque attaques attaqué attaquée attaqués attaquées attaquent attaquer assaut assauts assaillant assaillants attentat attentats offensive offensives strike strikes airstrike airstrikes frappe frappes"},
	{"kill", rkKilled, 1, "kill kills killed killing killings dead death deaths died die dies fatalities toll tue tué tués tuée tuées tuer tuent tuant mort morts morte mortes décès bilan massacre massacres massacred massacré massacrés"},
	{"coup", rkCoup, 1, "coup coups putsch putschs putschist putschists putschiste putschistes overthrow overthrown overthrew ousted oust ousts deposed depose renversé renversés renverse renverser destitué destituée destitution mutiny mutinerie"},
	{"sanction", rkSanctions, 1, "sanction sanctions sanctioned sanctionné sanctionnés"},
	{"ambush", rkAmbush, 1, "ambush ambushed ambushes embuscade embuscades"},
	{"kidnap", rkKidnap, 1, "kidnap kidnaps kidnapped kidnapping kidnappings kidnapper kidnappers abduct abducted abduction abductions enlevé enlevés enlevée enlevées enlèvement enlèvements enlever rapt hostage hostages otage otages"},
	{"withdraw", rkWithdraw, 1, "withdraw withdraws withdrew withdrawn withdrawing withdrawal withdrawals pullout exit exits quit quits quitting retrait retraits retire retirent retirer retiré retirée retirés quitte quittent quitter quitté départ sortie"},
	{"arrest", rkArrest, 1, "arrest arrests arrested arresting arrestation arrestations arrêté arrêtés arrêtée interpellé interpellés"},
	// People and forces.
	{"soldier", 0, 1, "soldier soldiers soldat soldats troops troop troupes troupe servicemen militaires gendarme gendarmes"},
	{"fighter", 0, 1, "fighter fighters combattant combattants"},
	{"militant", 0, 1, "militant militants militante militantes"},
	{"army", 0, 1, "army armies armée armées fama"},
	{"weapon", 0, 1, "weapon weapons arms arme armes"},
	{"junta", 0, 1, "junta juntas junte juntes"},
	{"government", 0, 1, "government governments govt gouvernement gouvernements"},
	{"leader", 0, 1, "leader leaders chief chiefs chef chefs dirigeant dirigeants dirigeante ruler rulers"},
	{"jihadist", 0, 1, "jihadist jihadists jihadi jihadis djihadiste djihadistes jihadiste jihadistes islamist islamists islamiste islamistes"},
	{"rebel", 0, 1, "rebel rebels rebelle rebelles rebellion rébellion insurgent insurgents insurgé insurgés separatist separatists séparatiste séparatistes tuareg tuaregs touareg touaregs"},
	{"civilian", 0, 1, "civilian civilians civil civils villager villagers villageois"},
	{"aid", 0, 1, "aid humanitarian humanitarians humanitaire humanitaires ngo ngos ong"},
	{"staff", 0, 1, "worker workers travailleur travailleurs employee employees employé employés staff"},
	{"resident", 0, 1, "resident residents habitant habitants"},
	{"witness", 0, 1, "witness witnesses témoin témoins"},
	{"market", 0, 1, "market markets marché marchés"},
	{"road", 0, 1, "road roads route routes"},
	{"guard", 0, 1, "guard guards garde gardes"},
	{"opponent", 0, 1, "opponent opponents opposant opposants"},
	// Acts and things.
	{"claim", 0, 1, "claim claims claimed claiming revendique revendiqué revendiquée revendiquent revendication revendications responsibility"},
	{"seize", 0, 1, "seize seized seizes seizing capture captured captures capturing retaken recapture recaptured reconquis reconquise reconquête reprise repris"},
	{"detain", 0, 1, "detain detained detains detention détenu détenue détenus détention retenu retenue séquestré séquestrée"},
	{"release", 0, 1, "release released releases freed libéré libérés libérée libération libère"},
	{"dissolve", 0, 1, "dissolve dissolves dissolved dissolving dissolution disband disbands disbanded dissout dissous dissoute dissoutes dissoudre dissolvent"},
	{"decree", 0, 1, "decree decrees décret décrets"},
	{"ban", 0, 1, "ban bans banned banning interdit interdits interdite interdiction interdire"},
	{"sign", 0, 1, "sign signs signed signing signe signé signée signés signent signature"},
	{"treaty", 0, 1, "treaty treaties traité traités"},
	{"summit", 0, 1, "summit summits sommet sommets"},
	{"loss", 0, 1, "loss losses lost perte pertes"},
	{"heavy", 0, 1, "heavy lourd lourde lourds lourdes"},
	{"border", 0, 1, "border borders frontier frontière frontières"},
	{"close", 0, 1, "closed closes closure fermé fermée fermées fermés fermeture"},
	{"curfew", 0, 1, "curfew couvre"},
	{"television", 0, 1, "television televised tv télévision télévisé télévisée télé"},
	{"airport", 0, 1, "airport airports aéroport aéroports"},
	{"school", 0, 1, "school schools école écoles"},
	{"stronghold", 0, 1, "stronghold strongholds bastion bastions fief fiefs"},
	{"embassy", 0, 1, "embassy embassies ambassade ambassades"},
	{"recall", 0, 1, "recall recalls recalled rappel rappelle rappellent rappelé rappeler"},
	{"passport", 0, 1, "passport passports passeport passeports"},
	{"protest", 0, 1, "protest protests protester protesters demonstration demonstrations demonstrators manifestation manifestations manifestant manifestants"},
	{"fuel", 0, 1, "fuel fuels carburant carburants"},
	{"blockade", 0, 1, "blockade blockades blocus"},
	{"return", 0, 1, "return returns returned retour"},
	{"end", 0, 0.7, "end ends ended fin"},
	{"first", 0, 0.7, "first premier première premiers"},
	{"north", 0, 0.8, "north northern nord"},
	{"south", 0, 0.8, "south southern sud"},
	{"west", 0, 0.8, "west western ouest"},
	{"east", 0, 0.8, "east eastern"},
	{"dozens", 0, 1, "dozens dozen dizaines dizaine"},
	{"hundreds", 0, 1, "hundreds centaines"},
	{"hour", 0, 0.7, "hour hours heure heures"},
	{"night", 0, 0.7, "night overnight nuit"},
	{"morning", 0, 0.7, "morning matin"},
	{"evening", 0, 0.7, "evening soir soirée"},
	// Days and months: reports of one event often name the same day.
	{"monday", 0, 0.7, "monday lundi"},
	{"tuesday", 0, 0.7, "tuesday mardi"},
	{"wednesday", 0, 0.7, "wednesday mercredi"},
	{"thursday", 0, 0.7, "thursday jeudi"},
	{"friday", 0, 0.7, "friday vendredi"},
	{"saturday", 0, 0.7, "saturday samedi"},
	{"sunday", 0, 0.7, "sunday dimanche"},
	{"january", 0, 0.5, "january janvier"},
	{"february", 0, 0.5, "february février"},
	{"march", 0, 0.5, "march mars"},
	{"april", 0, 0.5, "april avril"},
	{"may", 0, 0.5, "mai"},
	{"june", 0, 0.5, "june juin"},
	{"july", 0, 0.5, "july juillet"},
	{"august", 0, 0.5, "august août"},
	{"september", 0, 0.5, "september septembre"},
	{"october", 0, 0.5, "october octobre"},
	{"november", 0, 0.5, "november novembre"},
	{"december", 0, 0.5, "december décembre"},
	// Places and bodies, with their demonyms.
	{"mali", 0, clPlace, "mali malian malians malien malienne maliens maliennes"},
	{"niger", 0, clPlace, "niger nigerien nigeriens nigérien nigérienne nigériens nigériennes"},
	{"burkina", 0, clPlace, "burkina burkinabe burkinabè burkinabé burkinabès"},
	{"algeria", 0, clPlace, "algeria algerian algerians algérie algérien algérienne algériens algiers alger"},
	{"chad", 0, clPlace, "chad chadian chadians tchad tchadien tchadienne tchadiens"},
	{"guinea", 0, clPlace, "guinea guinean guinée guinéen guinéenne"},
	{"france", 0, 1, "france french français française françaises paris"},
	{"russia", 0, 1, "russia russian russians russie russe russes moscow moscou kremlin"},
	{"ecowas", 0, 1, "ecowas cedeao cédéao"},
	{"alqaeda", 0, 1, "qaeda qaida qaïda aqmi aqim"},
	{"jnim", 0, 1, "jnim gsim"},
	{"is-sahel", 0, 1, "eigs isgs issp"},
	{"un", 0, 1, "onu minusma"},
	{"au", 0, 1, "ua"},
}

// clNumberWords map EN and FR number words to number features.
var clNumberWords = []struct{ words, digits string }{
	{"two deux", "2"}, {"three trois", "3"}, {"four quatre", "4"}, {"five cinq", "5"},
	{"six", "6"}, {"seven sept", "7"}, {"eight huit", "8"}, {"nine neuf", "9"},
	{"ten dix", "10"}, {"eleven onze", "11"}, {"twelve douze", "12"}, {"fifteen quinze", "15"},
	{"twenty vingt vingtaine", "20"}, {"thirty trente trentaine", "30"}, {"forty quarante quarantaine", "40"},
	{"fifty cinquante cinquantaine", "50"}, {"sixty soixante", "60"}, {"hundred cent centaine", "100"},
}

// clPlace marks country names in the lexicon: the tags already carry them.
const clPlace float32 = -1

var clLex = func() *clLexicon {
	l := &clLexicon{}
	l.t.init(1024)
	for _, g := range clGroups {
		e := clLexEntry{kind: clConcept, feature: clHashString(clSeedConcept, g.concept), boost: g.boost, events: g.events}
		if g.boost == clPlace {
			e.boost = clPlaceBoost
		}
		for _, w := range strings.Fields(g.words) {
			l.add(w, e)
		}
	}
	for _, nw := range clNumberWords {
		e := clLexEntry{kind: clConcept, feature: clHashBytes(clSeedNumber, []byte(nw.digits)), boost: clNumberWeight([]byte(nw.digits))}
		if e.boost == clNumberBoost {
			e.events = clCount
		}
		for _, w := range strings.Fields(nw.words) {
			l.add(w, e)
		}
	}
	for _, w := range strings.Fields(clStopWords) {
		l.add(w, clLexEntry{kind: clStop})
	}
	return l
}()
