package story

import (
	"cmp"
	"maps"
	"slices"
)

// A report delivered late (published before reports already assigned)
// must end where it would have in order. The engine rewinds: it undoes
// what the reports after it did and assigns them again after it, in
// order. Most of them read stories the late report leaves as they were,
// and only redo what they did; the others decide again.
//
// A report's decision reads only the stories it weighed: those holding a
// doc it links to or shares its link with (its reps), each one's docs
// near it in time, and its own. So it decides as before unless the late
// report (or a report that decided otherwise) links to it, or one of
// those stories changed. A story changed (touched) when a report that
// decided again joined it, left it, or made it, and stays changed when
// it merges with another: every link of the first assignment is either
// redone within one story or marked at both ends, so a change anywhere in
// a story reaches each doc of it. The cost of a late report is thus what
// it disturbs, plus a pass over the reports after it and over the stories
// that hold them. A batch that disturbs nearly every story (a feed's
// backlog in a first poll of hundreds, each feed's over the same days)
// still has every report after it decide again: replaying each such batch
// against the ones before costs the square of the poll, so TooLate tells
// the caller to gather such batches and assign them once.

// replay is what a rewind keeps to assign the reports after a late one
// again.
type replay struct {
	again  []*features     // the reports after the first late one, in order
	before map[int64]int64 // every report of a story holding one of again → its story before the rewind
	// rebuilt are the roots of the stories rebuilt without again: those
	// of before, split. Every other story stays whole.
	rebuilt map[int64]bool
	logs    map[int64][]int64 // what each of again joined the first time (a node of each story)
	// fresh files the new reports under their posting keys by day, and
	// links by their link: a report of again that one of them links to has
	// a candidate it did not have.
	fresh     map[uint64][]*features
	freshURLs map[string]bool
}

// later returns the reports to assign again (none without a replay).
func (rp *replay) later() []*features {
	if rp == nil {
		return nil
	}
	return rp.again
}

// undisturbed reports whether f, assigned again, would decide what it did
// the first time: no late report links to it, and every story it weighed
// is as it was (see the comment above).
func (rp *replay) undisturbed(e *Engine, f *features) bool {
	for _, id := range e.reps[f.id] {
		if _, held := e.docs[id]; !held || e.touched[e.find(id)] {
			return false
		}
	}
	return !rp.linksFresh(e, f)
}

// redo makes again the unions f made the first time.
func (rp *replay) redo(e *Engine, f *features) {
	log := rp.logs[f.id]
	for _, x := range log {
		if fr, r := e.find(f.id), e.find(x); r != fr {
			e.union(fr, r)
		}
	}
	if len(log) > 0 {
		e.logs[f.id] = log
	}
}

// joined returns the stories f joined the first time, as they are now
// (nil for a new report).
func (rp *replay) joined(e *Engine, f *features) []int64 {
	if rp == nil {
		return nil
	}
	var out []int64
	for _, x := range rp.logs[f.id] {
		out = append(out, e.find(x))
	}
	slices.Sort(out)
	return out
}

// touch marks as changed, after f decided, the story it is in and those
// it joined the first time (before: as joined returned them before f
// decided), unless it was assigned before (replayed) and joined the same
// stories again: then its story is changed only if one of those was
// (union carries the mark).
func (rp *replay) touch(e *Engine, f *features, before []int64, replayed bool) {
	if rp == nil {
		return
	}
	now := slices.Clone(e.logs[f.id])
	slices.Sort(now)
	if replayed && slices.Equal(now, before) {
		return
	}
	e.touched[e.find(f.id)] = true
	for _, x := range rp.logs[f.id] {
		e.touched[e.find(x)] = true
	}
}

// rewind undoes what the reports assigned after the first of order (new
// reports, in order of publication, then id) did, so that they are
// assigned again after it as if it had come in order. Stories are rebuilt
// from base and the logs of the reports before it; the reports after it
// are unfiled, and filed again when assigned again. It returns nil when
// no report held comes after.
func (e *Engine) rewind(order []*features, isNew map[int64]bool) *replay {
	again := e.after(order[0].at(), isNew, -1)
	if len(again) == 0 {
		return nil
	}
	slices.SortFunc(again, func(a, b *features) int { return a.at().cmp(b.at()) })
	rp := &replay{again: again, before: map[int64]int64{}, logs: make(map[int64][]int64, len(again))}
	rp.file(e, order)
	// Only the stories holding a report of again change: the others are
	// built from the same unions, and keep their root and their docs.
	affected := map[int64]bool{}
	for _, f := range again {
		affected[e.find(f.id)] = true
	}
	for r := range affected {
		for _, m := range e.members[r] {
			rp.before[m.id] = r
		}
		delete(e.members, r)
	}
	for _, f := range again {
		if log, ok := e.logs[f.id]; ok {
			rp.logs[f.id] = log
			delete(e.logs, f.id)
		}
	}
	e.unfile(again)
	e.parent = maps.Clone(e.base)
	for id, log := range e.logs {
		for _, x := range log {
			linkIn(e.parent, id, x)
		}
	}
	rp.rebuilt = map[int64]bool{}
	for id := range rp.before {
		if f, held := e.docs[id]; held {
			r := e.find(id)
			e.members[r] = append(e.members[r], f.at())
			rp.rebuilt[r] = true
		}
	}
	for r := range rp.rebuilt {
		slices.SortFunc(e.members[r], member.cmp)
	}
	e.unions++
	e.splits++
	e.touched, e.absorbed = map[int64]bool{}, nil
	return rp
}

// after lists the reports held, assigned (not loaded) and not new, that
// come after at: all of them, or with limit ≥ 0, at most limit+1.
func (e *Engine) after(at member, isNew map[int64]bool, limit int) []*features {
	var out []*features
	for id, f := range e.docs {
		if !isNew[id] && !f.loaded && f.at().cmp(at) > 0 {
			if out = append(out, f); limit >= 0 && len(out) > limit {
				break
			}
		}
	}
	return out
}

// TooLate reports whether assigning docs would assign again more reports
// held (those published after the first of them) than Options.MaxReplay.
// Assign gives the stories of one run in order however late reports come,
// but batch after batch of such reports (the backlogs of a first poll of
// hundreds of feeds, each over the same days) would each replay all the
// ones before, the square of the poll: a caller gathers them and assigns
// them together, once (the store keeps them without a story until the
// poll ends).
func (e *Engine) TooLate(docs []Doc) bool {
	if len(docs) == 0 {
		return false
	}
	first := member{t: docs[0].Published.Unix(), id: docs[0].ID}
	isNew := make(map[int64]bool, len(docs))
	for _, d := range docs {
		if m := (member{t: d.Published.Unix(), id: d.ID}); m.cmp(first) < 0 {
			first = m
		}
		isNew[d.ID] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.latest.cmp(first) <= 0 {
		return false
	}
	return len(e.after(first, isNew, e.replayBound)) > e.replayBound
}

// unfile removes docs (held) from the postings, the links and the docs
// held, reading each posting bucket they are in once; their stories'
// lists are the caller's to cut (remove, Forget, rewind).
func (e *Engine) unfile(docs []*features) {
	gone := make(map[int64]bool, len(docs))
	buckets := map[uint64]bool{}
	for _, f := range docs {
		gone[f.id] = true
		for _, k := range f.keys {
			buckets[bucket(k, dayOf(f.t))] = true
		}
		if f.url != "" {
			if list := slices.DeleteFunc(e.urls[f.url], func(id int64) bool { return gone[id] }); len(list) == 0 {
				delete(e.urls, f.url)
			} else {
				e.urls[f.url] = list
			}
		}
	}
	for b := range buckets {
		p := e.post[b]
		if p == nil {
			continue
		}
		for r, list := range p.groups {
			if list = slices.DeleteFunc(list, func(id int64) bool { return gone[id] }); len(list) == 0 {
				delete(p.groups, r)
			} else {
				p.groups[r] = list
			}
		}
		if len(p.groups) == 0 {
			delete(e.post, b)
		}
	}
	for _, f := range docs {
		delete(e.docs, f.id)
	}
}

// file indexes the new reports (order) for linksFresh.
func (rp *replay) file(e *Engine, order []*features) {
	rp.fresh, rp.freshURLs = map[uint64][]*features{}, map[string]bool{}
	for _, n := range order {
		for _, k := range n.keys {
			b := bucket(k, dayOf(n.t))
			rp.fresh[b] = append(rp.fresh[b], n)
		}
		if n.url != "" {
			rp.freshURLs[n.url] = true
		}
	}
}

// linksFresh reports whether a new report published before f links to it
// or shares its link.
func (rp *replay) linksFresh(e *Engine, f *features) bool {
	if f.url != "" && rp.freshURLs[f.url] {
		return true
	}
	for _, k := range f.keys {
		for d := dayOf(f.t - e.window); d <= dayOf(f.t); d++ {
			for _, n := range rp.fresh[bucket(k, d)] {
				if e.visible(n, f) && f.t-n.t <= e.window && e.linked(n, f) {
					return true
				}
			}
		}
	}
	return false
}

// changes tells the store what a rewind changed for the reports held
// before it: each story now part of another is a merge (its reports the
// engine no longer holds follow it), and each report not where its
// story's merge puts it is a move. Only the stories rebuilt (before) can
// have reports move; the others can only have merged, when a report
// assigned again absorbed them (absorbed).
func (e *Engine) changes(rp *replay, isNew map[int64]bool, by int64) ([]Merge, []Move) {
	var merges []Merge
	var moves []Move
	seen := map[int64]bool{}
	for id, s := range rp.before {
		if isNew[id] {
			continue
		}
		want := e.find(s)
		if !seen[s] {
			seen[s] = true
			if want != s {
				merges = append(merges, Merge{From: s, Into: want, By: by})
			}
		}
		if got := e.find(id); got != want {
			moves = append(moves, Move{Doc: id, From: want, To: got})
		}
	}
	for _, r := range e.absorbed {
		// A new report was a story of its own, and the reports of a
		// rebuilt story (again's among them) are accounted for above.
		if _, told := rp.before[r]; !told && !seen[r] && !isNew[r] && !rp.rebuilt[r] {
			seen[r] = true
			merges = append(merges, Merge{From: r, Into: e.find(r), By: by})
		}
	}
	slices.SortFunc(merges, func(a, b Merge) int { return cmp.Compare(a.From, b.From) })
	slices.SortFunc(moves, func(a, b Move) int { return cmp.Compare(a.Doc, b.Doc) })
	return merges, moves
}

// mergeByTime merges two lists of reports, each in order of publication.
func mergeByTime(a, b []*features) []*features {
	if len(a) == 0 {
		return b
	}
	out := make([]*features, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.SortStableFunc(out, func(x, y *features) int { return x.at().cmp(y.at()) })
	return out
}
