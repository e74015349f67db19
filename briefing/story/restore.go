package story

import (
	"cmp"
	"slices"
)

// A restarted engine must go on as the one before it would have: a report
// delivered late after a restart is to undo and replay the reports stored
// after it, as it does in memory (see replay). Load cannot give it that:
// a loaded report keeps its story whatever comes, and every report sees
// it. So each assignment leaves a trace (what the report joined and what
// it weighed), the store keeps it with the item, and Restore gives the
// stored reports back as if the engine had assigned them itself.
//
// One thing is not restored: the stories of reports the store does not
// load (older than it reads back), as they were before the restored
// reports merged them. Such a report is given the story it has now, so a
// replay can move a restored report out of an old story but cannot split
// two old stories a restored report merged.

// Trace is what assigning a report read and did: a node of each story it
// joined (as that story was then) and a doc of each story it weighed. A
// replay redoes the first and decides again when one of the second
// changed.
type Trace struct {
	Doc     int64
	Joined  []int64
	Weighed []int64
}

// Restored is a stored report given back with its story and trace.
type Restored struct {
	Doc   Doc
	Story int64
	Trace Trace
}

// Traces returns the traces of the reports assigned, or assigned again,
// since the last call (in order of doc id), for the store to keep.
func (e *Engine) Traces() []Trace {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Trace, 0, len(e.traced))
	for id := range e.traced {
		out = append(out, Trace{Doc: id, Joined: e.logs[id], Weighed: e.reps[id]})
	}
	clear(e.traced)
	slices.SortFunc(out, func(a, b Trace) int { return cmp.Compare(a.Doc, b.Doc) })
	return out
}

// Restore gives the engine stored reports with their stories and traces:
// unlike loaded ones, a report delivered late can assign them again.
// Reports the engine holds already are left as they are.
func (e *Engine) Restore(rs []Restored) {
	fs := make([]*features, len(rs))
	for i, r := range rs {
		fs[i] = e.extract(r.Doc)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var fresh []int
	for i, r := range rs {
		if _, held := e.docs[r.Doc.ID]; held {
			continue
		}
		fresh = append(fresh, i)
		id := r.Doc.ID
		if _, known := e.parent[id]; !known {
			e.parent[id], e.base[id] = id, id
		}
	}
	// A node of a story joined that the engine does not hold stands for the
	// story it is part of now (see the comment above).
	for _, i := range fresh {
		r := rs[i]
		for _, x := range r.Trace.Joined {
			if _, known := e.parent[x]; !known {
				linkIn(e.base, x, r.Story)
				linkIn(e.parent, x, r.Story)
			}
		}
	}
	for _, i := range fresh {
		r, f := rs[i], fs[i]
		if len(r.Trace.Joined) > 0 {
			e.logs[f.id] = slices.Clone(r.Trace.Joined)
		}
		if len(r.Trace.Weighed) > 0 {
			e.reps[f.id] = slices.Clone(r.Trace.Weighed)
		}
		e.insert(f)
		for _, x := range r.Trace.Joined {
			e.unite(f.id, x)
		}
		if f.at().cmp(e.latest) > 0 {
			e.latest = f.at()
		}
	}
	// A report whose trace does not lead to its story was put there by a
	// report the engine does not hold: that union is taken as it is.
	for _, i := range fresh {
		if r := rs[i]; e.find(r.Doc.ID) != r.Story {
			linkIn(e.base, r.Doc.ID, r.Story)
			e.unite(r.Doc.ID, r.Story)
		}
	}
}

// unite joins the stories of nodes a and b, if apart.
func (e *Engine) unite(a, b int64) {
	if ra, rb := e.find(a), e.find(b); ra != rb {
		e.union(ra, rb)
	}
}
