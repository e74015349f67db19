// Package story groups news reports into stories: one story per real
// event, whatever the outlet, the language or the order of the reports in
// a poll.
//
// Two reports are linked when nothing they say of the event contradicts
// the other (see contradict) and enough of it is shared:
//   - within Window of each other (or one canonical link);
//   - happening in the same country (places first: a Tillabéri attack is in
//     Niger even when the title names "the Malian border");
//   - naming events of a common class (an attack is not a kidnapping, a coup
//     is not a coup plot), in English or French;
//   - naming no two different towns, and no counts far apart (51 soldiers
//     killed is not 15);
//   - placing their events on no two different days, when both place them
//     on one;
//   - for events told by who does what to whom (evacuations, expulsions,
//     sanctions, visits), naming the same parties (France evacuating is not
//     the US evacuating);
//   - sharing a specific feature (a word, a place, a count, an actor) and
//     enough weighted features overall (cosine over static weights, with an
//     EN↔FR concept list, so no batch statistic can change a decision), plus
//     what agreeing on the event adds (a rare kind of event in one country
//     the same day, one town, one toll, one day the two place their event
//     on), less a little for hours apart.
//
// A story is built one report at a time, in order of publication (then
// id): a report joins the story it is most similar to among those it
// links to, if it links to a fifth of that story's reports within the
// window and the story's reports that contradict it (another kind of
// event, another day, another town, counts far apart, other parties) are
// not three times as many as those it links to. Other stories it links to
// are merged in when the reports of the two, compared pairwise, link more
// than a third as often as they contradict; the merge is reported so it
// can be recorded. A chain of next-day developments told in the same
// words thus stops where the reports start to contradict each other,
// which linking alone cannot see.
//
// The outcome depends on the set of reports, not on the order in which
// they arrive: a report only sees those published before it, and one
// delivered late, published before reports already assigned, has the
// engine undo what those reports did and assign them again after it (see
// rewind), reporting the stored reports that changed story; those whose
// candidate stories the late one left as they were only redo what they
// did (see replay). Stored reports given back with their traces
// (Restore, after a restart) are assigned again the same way; only those
// loaded without (Load) are taken as they are. A caller with batch after
// batch of reports too late (TooLate) gathers them and assigns them once.
// A story is named after its smallest doc id.
package story

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// DefaultWindow is the largest time between two linked reports.
const DefaultWindow = 24 * time.Hour

// DefaultThreshold is the similarity from which two reports that agree on
// everything are linked: the value of 0.10–0.60 that gives the best F0.5
// (precision counted twice) on the tuning half of testdata/eval.jsonl
// (TestEvalSweep).
const DefaultThreshold = 0.25

// The story rule, set on the tuning half of testdata/eval.jsonl (both
// folds, TestEvalFolds).
const (
	// storyShare is the share of a story's reports within the window a
	// report must link to to join it: a report linked to one of twenty
	// shares a word, not the event.
	storyShare = 0.2
	// contradictionOdds is how many times more of a story's reports must
	// contradict a report (or another story) than link to it to keep them
	// apart: the readings of a report's kind of event or day are wrong
	// often enough that one contradiction must not outweigh a link.
	contradictionOdds = 3.0
	// storyReach is how far in time a story's reports are compared with a
	// report, and storySample how many at most (the nearest in time), so
	// that a story of thousands of reports costs what one of dozens does (on
	// the tuning half, 64 and 24 gave the same stories; 16 and 8 did not).
	storyReach  = int64(2 * 24 * 3600)
	storySample = 32
	pairSample  = 12 // of each of two stories compared pairwise
	// maxReplay is how many reports a batch may have assigned again
	// before TooLate says it came too late: the backlogs of a first poll
	// of hundreds of feeds, each over the same days, would each be
	// replayed against all the ones before (see replay).
	maxReplay = 5000
)

// Options tunes an Engine; the zero value uses the defaults.
type Options struct {
	Window    time.Duration
	Threshold float64
	// MaxReplay is how many reports held a batch may have assigned again
	// before TooLate says it came too late (maxReplay when 0).
	MaxReplay int
}

// Engine assigns reports to stories. It keeps the features of the reports
// it was given (Load for stored ones, Assign for new ones) until Forget.
// It is safe for concurrent use.
type Engine struct {
	gaz    *tagger.Gazetteer
	lex    *lexicon
	places *places
	window int64 // seconds
	thr    float32

	// countryBits numbers the countries (of the gazetteer and the place
	// gazetteer) for sets of them in a uint64; built once, read-only.
	countryBits map[string]uint64

	mu      sync.Mutex
	docs    map[int64]*features
	parent  map[int64]int64    // union-find over doc ids; a root is a story id
	members map[int64][]member // a story (root) → its docs held, by time
	// post files each doc under its posting keys, by day of publication
	// and by story (as of when it was filed; see canonical): a new report
	// reads one story at a time and stops at the story's first doc it
	// links to, so a burst of reports of one story costs what one does.
	post map[uint64]*postings
	// unions counts the merges of stories, so that a bucket filed since
	// the last one needs no canonical pass; splits counts the rewinds,
	// after which a bucket's docs are filed again one by one.
	unions, splits uint64
	urls           map[string][]int64 // canonical link → docs

	// base is the union-find of the stories as loaded and as the
	// forgotten reports left them, without the unions of the reports held;
	// logs holds those, per report assigned: a node of each story it
	// joined, as that story was then. A rewind rebuilds parent from them.
	base map[int64]int64
	logs map[int64][]int64
	// reps holds, per report assigned, a doc of each story it weighed (one
	// it links to or shares its link with): the stories its decision
	// read. A replay decides a report again only when one of them changed.
	reps map[int64][]int64
	// traced are the reports assigned since Traces last read them.
	traced map[int64]bool
	latest member // the last report assigned, in order of publication
	// touched are the stories (roots) a replay changed, while one runs,
	// and absorbed those its unions merged away.
	touched  map[int64]bool
	absorbed []int64
	// replayBound is how many reports a batch may have assigned again
	// before TooLate says so (Options.MaxReplay).
	replayBound int
}

var (
	builtinOnce   sync.Once
	builtinLex    *lexicon
	builtinPlaces *places
	builtinErr    error
)

// New returns an engine over the built-in lexicon and place gazetteer,
// reading countries and actors with g.
func New(g *tagger.Gazetteer, opt Options) (*Engine, error) {
	builtinOnce.Do(func() {
		builtinLex, builtinErr = loadLexicon(lexiconYAML)
		if builtinErr == nil {
			builtinPlaces, builtinErr = loadPlaces(placesYAML)
		}
	})
	if builtinErr != nil {
		return nil, builtinErr
	}
	if g == nil {
		return nil, fmt.Errorf("story: no gazetteer")
	}
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultThreshold
	}
	bits := map[string]uint64{}
	for _, c := range g.Countries() {
		bits[c.ID] = 0
	}
	for c := range builtinPlaces.country {
		bits[c] = 0
	}
	ids := make([]string, 0, len(bits))
	for id := range bits {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, id := range ids {
		bits[id] = 1 << (i % 64) // past 64 countries, two may share a bit: a missed veto, never a wrong one
	}
	return &Engine{gaz: g, lex: builtinLex, places: builtinPlaces, countryBits: bits,
		window: int64(opt.Window / time.Second), thr: float32(opt.Threshold),
		docs: map[int64]*features{}, parent: map[int64]int64{}, members: map[int64][]member{},
		post: map[uint64]*postings{}, urls: map[string][]int64{}, base: map[int64]int64{}, logs: map[int64][]int64{},
		reps: map[int64][]int64{}, traced: map[int64]bool{}, replayBound: cmp.Or(opt.MaxReplay, maxReplay)}, nil
}

// Load gives the engine a stored report and the story it belongs to, so
// that new reports can join it. Loading a doc twice replaces it.
func (e *Engine) Load(d Doc, story int64) {
	f := e.extract(d)
	f.loaded = true
	e.mu.Lock()
	defer e.mu.Unlock()
	e.remove(d.ID)
	delete(e.logs, d.ID)
	delete(e.reps, d.ID)
	delete(e.traced, d.ID)
	if story == 0 {
		story = d.ID
	}
	for _, uf := range []map[int64]int64{e.parent, e.base} {
		if _, ok := uf[story]; !ok {
			uf[story] = story
		}
		if story != d.ID {
			uf[d.ID] = story
		}
	}
	if story != d.ID {
		e.unions++ // d.ID may have been a story's root
	}
	e.insert(f)
}

// Forget drops the reports published before t (and stories left empty),
// keeping memory bounded; reports of an older date must be Loaded again
// before assigning reports near them.
func (e *Engine) Forget(before time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cut := before.Unix()
	var old []*features
	for id, f := range e.docs {
		if f.t < cut {
			// What the report did stays in base: no report left can be
			// published before it, so no rewind can undo it.
			for _, x := range e.logs[id] {
				linkIn(e.base, id, x)
			}
			delete(e.logs, id)
			delete(e.reps, id)
			delete(e.traced, id)
			old = append(old, f)
		}
	}
	e.unfile(old) // their stories' lists are cut below
	e.pruneBase()
	// File every posting under its story's root before the links of
	// merged-away stories are dropped: a posting filed under a story no
	// longer known would be read as a story of its own.
	for _, p := range e.post {
		e.canonical(p)
	}
	// Keep only roots still in use and every doc's link to its root.
	live := map[int64]bool{}
	for id := range e.docs {
		r := e.find(id)
		e.parent[id] = r
		live[r] = true
	}
	for id := range e.parent {
		if _, ok := e.docs[id]; !ok && !live[id] {
			delete(e.parent, id)
		}
	}
	gone := func(id int64) bool { _, ok := e.docs[id]; return !ok }
	for r, list := range e.members {
		if list = slices.DeleteFunc(list, func(m member) bool { return gone(m.id) }); len(list) == 0 {
			delete(e.members, r)
		} else {
			e.members[r] = list
		}
	}
}

// Assignment is the story a report was assigned to, with what the engine
// read of it: the country where its event happens and the kinds of event.
type Assignment struct {
	Doc    int64
	Story  int64
	Place  string
	Events []string
}

// Merge records that story From became part of story Into, because of the
// report By that links them.
type Merge struct {
	From, Into int64
	By         int64
}

// Move records that a report already assigned left story From for story
// To, because a report delivered late was published before it.
type Move struct {
	Doc, From, To int64
}

// Assign adds new reports and returns the story of each (in the order of
// docs), the stories merged because of them, and the reports held that
// changed story otherwise (when a report comes late). The outcome depends
// on the set of reports only, not on the order in which they come: they
// are processed in order of publication, then id.
func (e *Engine) Assign(docs []Doc) ([]Assignment, []Merge, []Move) {
	fs := make([]*features, len(docs))
	for i, d := range docs {
		fs[i] = e.extract(d)
	}
	return e.assign(docs, fs)
}

// assign is Assign with the docs' features already read (fs[i] of docs[i]).
func (e *Engine) assign(docs []Doc, fs []*features) ([]Assignment, []Merge, []Move) {
	e.mu.Lock()
	defer e.mu.Unlock()
	isNew := make(map[int64]bool, len(docs))
	for _, d := range docs {
		isNew[d.ID] = true
	}
	order := make([]*features, len(fs))
	copy(order, fs)
	slices.SortFunc(order, func(a, b *features) int { return a.at().cmp(b.at()) })
	var rp *replay
	if len(order) > 0 && e.latest.cmp(order[0].at()) > 0 {
		rp = e.rewind(order, isNew)
		defer func() { e.touched, e.absorbed = nil, nil }()
	}
	absorbedBy := map[int64]int64{} // an existing story → the report that merged it away
	for _, f := range mergeByTime(rp.later(), order) {
		// Each report is filed just before it is assigned: those after it
		// are not there yet, as in order.
		if isNew[f.id] {
			e.remove(f.id)
			if e.find(f.id) == f.id {
				e.parent[f.id] = f.id
			}
			if _, ok := e.base[f.id]; !ok {
				e.base[f.id] = f.id
			}
		}
		e.insert(f)
		if rp != nil && !isNew[f.id] && rp.undisturbed(e, f) {
			rp.redo(e, f)
		} else {
			joined := rp.joined(e, f)
			e.join(f, func(from int64) {
				if !isNew[from] {
					absorbedBy[from] = f.id
				}
			})
			rp.touch(e, f, joined, !isNew[f.id])
		}
		if f.at().cmp(e.latest) > 0 {
			e.latest = f.at()
		}
	}
	out := make([]Assignment, len(docs))
	for i, d := range docs {
		out[i] = Assignment{Doc: d.ID, Story: e.find(d.ID), Place: fs[i].where, Events: e.typeNames(fs[i].types)}
	}
	if rp != nil {
		merges, moves := e.changes(rp, isNew, order[0].id)
		return out, merges, moves
	}
	merges := make([]Merge, 0, len(absorbedBy))
	for from, by := range absorbedBy {
		merges = append(merges, Merge{From: from, Into: e.find(from), By: by})
	}
	slices.SortFunc(merges, func(a, b Merge) int { return cmp.Compare(a.From, b.From) })
	return out, merges, nil
}

// pruneBase keeps in base only what the held reports and logs need: every
// such node points straight at its story. It waits until base holds twice
// what they need, so that its cost spreads over many calls of Forget.
func (e *Engine) pruneBase() {
	if len(e.base) <= 2*(len(e.docs)+len(e.logs))+1024 {
		return
	}
	keep := map[int64]int64{}
	need := func(n int64) {
		if _, ok := keep[n]; !ok {
			keep[n] = findIn(e.base, n)
		}
	}
	for id := range e.docs {
		need(id)
	}
	for _, log := range e.logs {
		for _, x := range log {
			need(x)
		}
	}
	base := make(map[int64]int64, len(keep))
	for n, r := range keep {
		base[n], base[r] = r, r
	}
	e.base = base
}

// Reset forgets every report, as after a failed save whose assignments
// never reached the store.
func (e *Engine) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.docs = map[int64]*features{}
	e.parent = map[int64]int64{}
	e.members = map[int64][]member{}
	e.post = map[uint64]*postings{}
	e.urls = map[string][]int64{}
	e.base = map[int64]int64{}
	e.logs = map[int64][]int64{}
	e.reps = map[int64][]int64{}
	e.traced = map[int64]bool{}
	e.latest = member{}
}

// Reach is how far in time from a report assigning it reads others: the
// window, and the docs of a story it weighs (storyReach).
func (e *Engine) Reach() time.Duration {
	return time.Duration(max(e.window, storyReach)) * time.Second
}

// StoryOf returns the story of a doc the engine holds, 0 if none.
func (e *Engine) StoryOf(id int64) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.parent[id]; !ok {
		return 0
	}
	return e.find(id)
}

func (e *Engine) insert(f *features) {
	e.docs[f.id] = f
	day := dayOf(f.t)
	root := e.find(f.id)
	for _, k := range f.keys {
		b := bucket(k, day)
		p := e.post[b]
		if p == nil {
			p = &postings{groups: map[int64][]int64{}, epoch: e.unions, splits: e.splits}
			e.post[b] = p
		}
		p.groups[root] = append(p.groups[root], f.id)
	}
	if f.url != "" {
		e.urls[f.url] = append(e.urls[f.url], f.id)
	}
	list := e.members[root]
	m := member{t: f.t, id: f.id}
	at, _ := slices.BinarySearchFunc(list, m, member.cmp)
	e.members[root] = slices.Insert(list, at, m)
}

// member is a doc of a story, kept in order of time.
type member struct{ t, id int64 }

func (m member) cmp(o member) int { return cmp.Or(cmp.Compare(m.t, o.t), cmp.Compare(m.id, o.id)) }

// at is where f stands in order of publication, then id.
func (f *features) at() member { return member{t: f.t, id: f.id} }

// visible reports whether f sees g: g was there when f was assigned in
// order (published before it, or loaded from the store).
func (e *Engine) visible(g, f *features) bool {
	return g.loaded || g.t < f.t || g.t == f.t && g.id < f.id
}

// mergeMembers merges two stories' docs, each in order of time: a small
// story goes into the larger one's list, so a report joining a story of
// thousands costs one insertion.
func mergeMembers(a, b []member) []member {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(b) > 64 {
		// Two large stories: one pass into a new list.
		out := make([]member, 0, len(a)+len(b))
		out = append(append(out, a...), b...)
		slices.SortFunc(out, member.cmp)
		return out
	}
	for _, m := range b {
		at, _ := slices.BinarySearchFunc(a, m, member.cmp)
		a = slices.Insert(a, at, m)
	}
	return a
}

func (e *Engine) remove(id int64) {
	f, ok := e.docs[id]
	if !ok {
		return
	}
	root := e.find(id)
	list := e.members[root]
	if at, ok := slices.BinarySearchFunc(list, member{t: f.t, id: id}, member.cmp); ok {
		list = slices.Delete(list, at, at+1)
	}
	if len(list) == 0 {
		delete(e.members, root)
	} else {
		e.members[root] = list
	}
	e.unfile([]*features{f})
}

// Postings are kept per key and per day of publication, so finding the
// candidates of a report reads only the days its window touches, however
// many weeks the engine holds.
func dayOf(t int64) int64 {
	if t < 0 {
		return (t - 86399) / 86400
	}
	return t / 86400
}

func bucket(key uint64, day int64) uint64 {
	return key ^ (uint64(day)+1)*0x9E3779B97F4A7C15
}

// postingKeysOf are the keys f is found under: every specific term, and its
// country with each class of event that can make a story alone. Any two
// docs that similar can link share one of them (or their link), so the
// candidates are exhaustive and the outcome cannot depend on the order.
// extract reads them once (f.keys): a doc is filed and unfiled often.
func (e *Engine) postingKeysOf(f *features) []uint64 {
	keys := make([]uint64, 0, len(f.terms)+2)
	for _, t := range f.terms {
		if t.specific {
			keys = append(keys, t.key)
		}
	}
	if f.where != "" {
		for m := f.classes; m != 0; m &= m - 1 {
			c := trailing(m)
			if e.lex.bonus[c] > 0 {
				keys = append(keys, hashKey("wc:"+f.where+":"+e.lex.classes[c]))
			}
		}
	}
	return keys
}

// join puts f (held already) in the story it belongs to by the story
// rule (see the package comment) and merges into it the other stories the
// rule allows; joined is told of each story absorbed. The candidates are
// the stories holding a doc that shares a posting key with f, lies within
// the window and links to it, or that has f's link.
func (e *Engine) join(f *features, joined func(absorbed int64)) {
	own := e.find(f.id)
	cands := map[int64]float32{} // story → its best similarity to f, when the rule lets f join it
	seen := map[int64]bool{own: true}
	var reps []int64
	consider := func(r, via int64) {
		if seen[r] {
			return
		}
		seen[r] = true
		reps = append(reps, via)
		if best, ok := e.weigh(f, r); ok {
			cands[r] = best
		}
	}
	from, to := dayOf(f.t-e.window), dayOf(f.t+e.window)
	for _, k := range f.keys {
		for d := from; d <= to; d++ {
			p := e.post[bucket(k, d)]
			if p == nil {
				continue
			}
			e.canonical(p)
			for r, docs := range p.groups {
				if seen[r] {
					continue
				}
				// A story is weighed once one of its docs links to f.
				for _, id := range docs {
					if g := e.docs[id]; id != f.id && absInt(g.t-f.t) <= e.window && e.visible(g, f) && e.linked(f, g) {
						consider(r, id)
						break
					}
				}
			}
		}
	}
	if f.url != "" {
		for _, id := range e.urls[f.url] {
			if r := e.find(id); id != f.id && e.visible(e.docs[id], f) && r != own {
				cands[r] = math.MaxFloat32 // one link, one story
				reps = append(reps, id)
			}
		}
	}
	e.traced[f.id] = true
	if len(reps) > 0 {
		e.reps[f.id] = reps
	} else {
		delete(e.reps, f.id)
	}
	order := make([]int64, 0, len(cands))
	for r := range cands {
		order = append(order, r)
	}
	slices.SortFunc(order, func(a, b int64) int { return cmp.Or(cmp.Compare(cands[b], cands[a]), cmp.Compare(a, b)) })
	for i, r := range order {
		fr := e.find(f.id)
		if r = e.find(r); r == fr {
			continue
		}
		// The best story takes f; the others must agree with it as a whole.
		if i == 0 && len(e.members[fr]) == 1 || cands[order[i]] == math.MaxFloat32 || e.storiesAgree(fr, r, f) {
			e.logs[f.id] = append(e.logs[f.id], r)
			joined(e.union(fr, r))
		}
	}
}

// weigh reports whether f may join story r by the story rule, and f's
// best similarity to r's docs.
func (e *Engine) weigh(f *features, r int64) (float32, bool) {
	var best float32
	linked, near, contra := 0, 0, 0
	for _, id := range e.sample(r, f, storySample) {
		g := e.docs[id]
		c := e.contradict(f, g)
		if c {
			contra++
		}
		if absInt(g.t-f.t) > e.window {
			continue
		}
		near++
		if s, ok := e.score(f, g, c); ok {
			linked++
			best = max(best, s)
		}
	}
	return best, linked > 0 && float64(linked) >= storyShare*float64(near) && contradictionOdds*float64(linked) > float64(contra)
}

// storiesAgree reports whether stories a and b, compared pairwise around
// f's time, link more than a contradictionOdds-th as often as they
// contradict.
func (e *Engine) storiesAgree(a, b int64, f *features) bool {
	sa, sb := e.sample(a, f, pairSample), e.sample(b, f, pairSample)
	linked, contra, rest := 0, 0, len(sa)*len(sb)
	for _, x := range sa {
		fx := e.docs[x]
		for _, y := range sb {
			fy := e.docs[y]
			if e.contradict(fx, fy) {
				contra++
			} else if _, ok := e.score(fx, fy, false); ok {
				linked++
			}
			// Stop once the pairs left cannot change the answer.
			switch rest--; {
			case linked > 0 && contradictionOdds*float64(linked) > float64(contra+rest):
				return true
			case contradictionOdds*float64(linked+rest) <= float64(contra):
				return false
			}
		}
	}
	return linked > 0 && contradictionOdds*float64(linked) > float64(contra)
}

// sample lists story r's docs within storyReach of f that f sees (f
// itself included): the n nearest in time (the earlier first on a tie), so
// the rule's cost does not grow with the story.
func (e *Engine) sample(r int64, f *features, n int) []int64 {
	list := e.members[r]
	t := f.t
	at, _ := slices.BinarySearchFunc(list, t, func(m member, t int64) int { return cmp.Compare(m.t, t) })
	out := make([]int64, 0, min(n, len(list)))
	lo, hi := at-1, at // the next candidates before and after t
	for len(out) < n {
		// Reports after f are not there yet when f is assigned in order.
		for hi < len(list) && list[hi].cmp(f.at()) > 0 && !e.visible(e.docs[list[hi].id], f) {
			hi++
		}
		before := lo >= 0 && t-list[lo].t <= storyReach
		after := hi < len(list) && list[hi].t-t <= storyReach
		switch {
		case before && (!after || t-list[lo].t <= list[hi].t-t):
			out = append(out, list[lo].id)
			lo--
		case after:
			out = append(out, list[hi].id)
			hi++
		default:
			return out
		}
	}
	return out
}

// postings are the docs filed under one key on one day, by story.
type postings struct {
	groups map[int64][]int64
	epoch  uint64 // the engine's unions when the groups were last canonical
	splits uint64 // and its rewinds
}

// canonical files the docs of stories merged into others under the
// surviving story, unless no stories merged since it last did.
func (e *Engine) canonical(p *postings) {
	if p.splits != e.splits {
		// A rewind may have split stories: file each doc again.
		groups := make(map[int64][]int64, len(p.groups))
		for _, docs := range p.groups {
			for _, id := range docs {
				r := e.find(id)
				groups[r] = append(groups[r], id)
			}
		}
		p.groups, p.epoch, p.splits = groups, e.unions, e.splits
		return
	}
	if p.epoch == e.unions {
		return
	}
	for r, docs := range p.groups {
		if cr := e.find(r); cr != r {
			p.groups[cr] = append(p.groups[cr], docs...)
			delete(p.groups, r)
		}
	}
	p.epoch = e.unions
}

func absInt(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (e *Engine) find(id int64) int64 { return findIn(e.parent, id) }

// findIn is the root of id in the union-find uf (id itself when uf does
// not hold it), shortening the path on the way.
func findIn(uf map[int64]int64, id int64) int64 {
	root := id
	for {
		p, ok := uf[root]
		if !ok || p == root {
			break
		}
		root = p
	}
	for id != root {
		next := uf[id]
		uf[id] = root
		id = next
	}
	return root
}

// linkIn joins the sets of a and b in uf under the smaller root: a story
// is named after its smallest id.
func linkIn(uf map[int64]int64, a, b int64) {
	ra, rb := findIn(uf, a), findIn(uf, b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	uf[ra] = ra
	uf[rb] = ra
}

// union joins two stories (roots) under the smaller id and returns the
// other, which is no longer a story.
func (e *Engine) union(ra, rb int64) int64 {
	if rb < ra {
		ra, rb = rb, ra
	}
	e.parent[rb] = ra
	if e.touched != nil {
		e.touched[ra] = e.touched[ra] || e.touched[rb]
		e.absorbed = append(e.absorbed, rb)
	}
	e.unions++
	e.members[ra] = mergeMembers(e.members[ra], e.members[rb])
	delete(e.members, rb)
	return rb
}

// linked reports whether a and b are linked: symmetric, and reading the
// two reports only.
func (e *Engine) linked(a, b *features) bool {
	_, ok := e.score(a, b, e.contradict(a, b))
	return ok
}

// score is the similarity of a and b and whether it links them, once
// whether they contradict each other is known.
func (e *Engine) score(a, b *features, contradict bool) (float32, bool) {
	if a.url != "" && a.url == b.url {
		return 1, true
	}
	if contradict || absInt(a.t-b.t) > e.window {
		return 0, false
	}
	thr := e.thr
	if (a.classes == 0) != (b.classes == 0) {
		// One tells an event, the other names none ("the new junta targets
		// France"): a commentary or a later development unless the words
		// say otherwise.
		thr += untypedMargin
	}
	s := e.agreement(a, b)
	return s, s >= thr
}

// contradict reports whether something a and b say of their events
// disagrees: another country, kinds of event of no common class, other
// towns, other parties to a relational event, counts far apart, other
// days.
func (e *Engine) contradict(a, b *features) bool {
	switch {
	case a.whereMask != 0 && b.whereMask != 0 && a.whereMask&b.whereMask == 0:
	case a.classes != 0 && b.classes != 0 && !e.lex.compatible(a.classes, b.classes):
	case len(a.titlePlaces) > 0 && len(b.titlePlaces) > 0 && !e.anyNear(a.titlePlaces, b.titlePlaces):
	case (a.relational || b.relational) && len(a.parts) > 0 && len(b.parts) > 0 && !intersects(a.parts, b.parts):
	case countsApart(a.nums, b.nums):
	case a.dated && b.dated && a.days.apart(b.days):
	default:
		return false
	}
	return true
}

// similar is the weighted cosine of a and b, or 0 when they are more than
// the window apart or contradict each other (see the package comment).
func (e *Engine) similar(a, b *features) float32 {
	if absInt(a.t-b.t) > e.window || e.contradict(a, b) {
		return 0
	}
	return e.agreement(a, b)
}

// agreement is similar for two reports within the window that do not
// contradict each other.
func (e *Engine) agreement(a, b *features) float32 {
	cos, specific := cosine(a, b)
	// Agreement on the event itself: the same country and a rare class of
	// event (a coup, a summit, an expulsion) within the window says more
	// than words; a common class (violence) says little.
	agree := float32(0)
	if a.where != "" && a.where == b.where {
		shared := a.classes & b.classes
		agree = e.lex.classBonus(shared) * e.fresh(absInt(a.t-b.t))
		if agree > 0 {
			specific = true
		}
	}
	if e.anyNear(a.titlePlaces, b.titlePlaces) {
		agree += bonusPlace
	}
	if a.where != "" && a.where == b.where && closeCounts(a.nums, b.nums) {
		agree += bonusCount
		specific = true
	}
	if a.dated && b.dated {
		agree += bonusDay // not apart, or they would contradict
	}
	if !specific {
		return 0
	}
	// Reports hours apart tell one event more surely than a day apart,
	// when the next day's developments come.
	return (cos + agree) * (1 - timeDecay*float32(absInt(a.t-b.t))/float32(e.window))
}

// fresh is how much agreeing on the kind of event counts after dt seconds:
// fully within bonusFull, then less and less to nothing at the window, so
// that the next days' developments (the coup leader named, the army
// rallying) do not join the coup on that ground alone.
func (e *Engine) fresh(dt int64) float32 {
	if dt <= bonusFull {
		return 1
	}
	if dt >= e.window {
		return 0
	}
	return float32(e.window-dt) / float32(e.window-bonusFull)
}

// closeCounts reports whether two titles give counts of about the same
// size (within a quarter: tolls are revised), ten or more.
func closeCounts(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x >= 10 && y >= 10 && 4*absInt(int64(x-y)) <= int64(max(x, y)) {
				return true
			}
		}
	}
	return false
}

// countsApart reports whether two titles both give counts of ten or more
// and none of them within a factor of countsFactor of the other: 51 soldiers
// killed on Friday and 15 on Monday are two attacks, while a toll revised
// from 100 to 130 (or a dozen to 24) is one.
func countsApart(a, b []int) bool {
	seen := false
	for _, x := range a {
		for _, y := range b {
			if x < 10 || y < 10 {
				continue
			}
			if max(x, y) < countsFactor*min(x, y) {
				return false
			}
			seen = true
		}
	}
	return seen
}

// countryBit is a country's bit in a set of countries (0 for none known).
func (e *Engine) countryBit(id string) uint64 { return e.countryBits[id] }

func (e *Engine) anyNear(a, b []int32) bool {
	for _, x := range a {
		for _, y := range b {
			if e.places.near(x, y) {
				return true
			}
		}
	}
	return false
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// cosine of the two term vectors, and whether they share a specific term.
func cosine(a, b *features) (float32, bool) {
	if a.norm == 0 || b.norm == 0 {
		return 0, false
	}
	var dot float32
	specific := false
	i, j := 0, 0
	for i < len(a.terms) && j < len(b.terms) {
		x, y := a.terms[i], b.terms[j]
		switch {
		case x.key < y.key:
			i++
		case x.key > y.key:
			j++
		default:
			dot += x.w * y.w
			specific = specific || x.specific
			i++
			j++
		}
	}
	return float32(math.Min(1, float64(dot/(a.norm*b.norm)))), specific
}
