package story

import "github.com/sahelbrief/sahelbrief/briefing"

// Prepared is what an engine read of a report before it was given an id:
// its features, computed where there are cores to spare (the fetch
// workers) rather than in the store's single writer. Assigning a prepared
// report gives exactly what assigning the report itself gives: features
// depend on the report's text, link and date only.
type Prepared struct {
	e   *Engine
	doc Doc // as read, ID aside
	f   *features
}

// Prepare reads d's features ahead of its assignment (d.ID is not read).
// It is safe to call from many goroutines at once, also while the engine
// assigns.
func (e *Engine) Prepare(d Doc) *Prepared {
	d.ID = 0
	return &Prepared{e: e, doc: d, f: e.extract(d)}
}

// PrepareItem sets it.Prepared to what Prepare reads of it, for
// AssignItems to use.
func (e *Engine) PrepareItem(it *briefing.Item) {
	it.Prepared = e.Prepare(DocOf(it))
}

// featuresOf returns d's features: the prepared ones when p was prepared
// by e from the same report, else read now.
func (e *Engine) featuresOf(d Doc, p *Prepared) *features {
	if p == nil || p.e != e || !sameReport(p.doc, d) {
		return e.extract(d)
	}
	f := *p.f
	f.id = d.ID
	return &f
}

func sameReport(a, b Doc) bool {
	return a.Title == b.Title && a.Summary == b.Summary && a.URL == b.URL && a.Lang == b.Lang &&
		a.Published.Equal(b.Published)
}
