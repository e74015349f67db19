package story

import "github.com/sahelbrief/sahelbrief/briefing"

// DocOf is what the engine reads of a stored item.
func DocOf(it *briefing.Item) Doc {
	return Doc{ID: it.ID, Title: it.Title, Summary: it.Summary, URL: it.URL, Lang: it.Lang, Published: it.Published}
}

// LoadItem gives the engine a stored item and its story, so that new items
// can join that story.
func (e *Engine) LoadItem(it briefing.Item) { e.Load(DocOf(&it), it.Story) }

// AssignItems assigns newly stored items (their ids set) to stories: the
// store's side of the engine. It also returns the stories merged and the
// items held that moved to another story (see Assign).
func (e *Engine) AssignItems(items []briefing.Item) ([]briefing.StoryAssignment, []briefing.StoryMerge, []briefing.StoryMove) {
	docs := make([]Doc, len(items))
	fs := make([]*features, len(items))
	for i := range items {
		docs[i] = DocOf(&items[i])
		p, _ := items[i].Prepared.(*Prepared)
		fs[i] = e.featuresOf(docs[i], p)
	}
	as, ms, mv := e.assign(docs, fs)
	out := make([]briefing.StoryAssignment, len(as))
	for i, a := range as {
		out[i] = briefing.StoryAssignment{Item: a.Doc, Story: a.Story, Place: a.Place, Events: a.Events}
	}
	merges := make([]briefing.StoryMerge, len(ms))
	for i, m := range ms {
		merges[i] = briefing.StoryMerge{From: m.From, Into: m.Into, By: m.By}
	}
	moves := make([]briefing.StoryMove, len(mv))
	for i, m := range mv {
		moves[i] = briefing.StoryMove{Item: m.Doc, From: m.From, To: m.To}
	}
	return out, merges, moves
}

// StoryTraces returns the traces of the items assigned, or assigned
// again, since the last call: the store keeps them with the items.
func (e *Engine) StoryTraces() []briefing.StoryTrace {
	ts := e.Traces()
	out := make([]briefing.StoryTrace, len(ts))
	for i, t := range ts {
		out[i] = briefing.StoryTrace{Item: t.Doc, Joined: t.Joined, Weighed: t.Weighed}
	}
	return out
}

// RestoreItems gives the engine stored items with their stories and the
// traces kept with them (traces[i] of items[i]): see Restore.
func (e *Engine) RestoreItems(items []briefing.Item, traces []briefing.StoryTrace) {
	rs := make([]Restored, len(items))
	for i := range items {
		t := traces[i]
		rs[i] = Restored{Doc: DocOf(&items[i]), Story: items[i].Story,
			Trace: Trace{Doc: items[i].ID, Joined: t.Joined, Weighed: t.Weighed}}
	}
	e.Restore(rs)
}

// TooLateItems reports whether new items came too late to assign as a
// batch (see TooLate): the store then keeps them without a story until
// its poll is done.
func (e *Engine) TooLateItems(items []briefing.Item) bool {
	docs := make([]Doc, len(items))
	for i := range items {
		docs[i] = Doc{ID: items[i].ID, Published: items[i].Published}
	}
	return e.TooLate(docs)
}
