package tagger

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/editdist"
)

// Resolve finds the country or actor (as kind says) a person means by
// text: an id ("burkina-faso"), a name or any alias in either language
// and any case ("Burkinabè", "Goïta", "cedeao", "eigs", "Traoré"). When
// nothing matches it returns up to three suggestions, closest first, for a
// "did you mean" answer; when the text names several (a surname two
// people share), it returns them all (see ResolveName).
func (g *Gazetteer) Resolve(kind Kind, text string) (tag briefing.Tag, ok bool, suggestions []briefing.Tag) {
	text = strings.TrimSpace(text)
	if text == "" {
		return briefing.Tag{}, false, nil
	}
	if t, ok := g.ResolveExact(kind, text); ok {
		return t, true, nil
	}
	if named := g.named(kind, text); len(named) > 1 { // a question, not a guess
		for _, i := range named {
			suggestions = append(suggestions, g.tag(kind, i))
		}
		return briefing.Tag{}, false, suggestions
	}
	// Direct names only: asked for a country, "Goïta" should not quietly
	// mean Mali.
	cMask, aMask := g.scan(text, "", false)
	mask := aMask
	if kind == KindCountry {
		mask = cMask
	}
	if mask != 0 && mask&(mask-1) == 0 { // exactly one
		return g.tag(kind, bits.TrailingZeros64(mask)), true, nil
	}
	return briefing.Tag{}, false, g.suggest(kind, text)
}

// ResolveExact finds the country or actor text is exactly the id, name or
// alias of, as a person types it: any case ("eigs" for the case-sensitive
// EIGS), and the aliases the tagger reads only in context (a surname:
// "Traoré"). A name several share resolves to none.
func (g *Gazetteer) ResolveExact(kind Kind, text string) (briefing.Tag, bool) {
	text = strings.TrimSpace(text)
	if k, found := g.kinds[strings.ToLower(text)]; found && k == kind {
		return g.tag(kind, g.index[strings.ToLower(text)]), true
	}
	if named := g.named(kind, text); len(named) == 1 {
		return g.tag(kind, named[0]), true
	}
	return briefing.Tag{}, false
}

// named lists the ids of kind that one of their aliases names exactly as
// text, whatever the alias's case rule or context condition.
func (g *Gazetteer) named(kind Kind, text string) []int {
	toks := tokenize(text, nil)
	var n *trieNode
	words := 0
	for i, sp := range toks.spans {
		if sp.start == sp.end {
			continue
		}
		w := toks.word(i)
		switch {
		case words == 0:
			n = g.root[w]
		case n.next != nil:
			n = n.next[w]
		default:
			n = nil
		}
		words++
		if n == nil {
			return nil
		}
	}
	if n == nil {
		return nil
	}
	var out []int
	for _, h := range n.hits {
		if h.kind == kind && !slices.Contains(out, h.idx) {
			out = append(out, h.idx)
		}
	}
	return out
}

// NameError says why a name resolves to no tag: unknown (with
// suggestions) or shared by several (Ambiguous: the suggestions are all
// those it names).
type NameError struct {
	Kind        Kind
	Text        string
	Suggestions []briefing.Tag
	Ambiguous   bool
}

func (e *NameError) Error() string {
	names := make([]string, len(e.Suggestions))
	for i, t := range e.Suggestions {
		names[i] = fmt.Sprintf("%s (%s)", t.Name, t.ID)
	}
	if e.Ambiguous {
		return fmt.Sprintf("%q could be %s: which one?", e.Text, strings.Join(names, " or "))
	}
	msg := fmt.Sprintf("no %s called %q", e.Kind, e.Text)
	if len(names) > 0 {
		msg += "; did you mean " + strings.Join(names, ", ") + "?"
	}
	return msg
}

// ResolveName is Resolve for answers to people: a *NameError tells what
// went wrong.
func (g *Gazetteer) ResolveName(kind Kind, text string) (briefing.Tag, error) {
	t, ok, sugg := g.Resolve(kind, text)
	if ok {
		return t, nil
	}
	return briefing.Tag{}, &NameError{Kind: kind, Text: strings.TrimSpace(text), Suggestions: sugg,
		Ambiguous: len(g.named(kind, text)) > 1}
}

func (g *Gazetteer) tag(kind Kind, i int) briefing.Tag {
	if kind == KindCountry {
		return g.countries[i]
	}
	return g.actors[i]
}

// suggest ranks ids and names by edit distance to text (folded).
func (g *Gazetteer) suggest(kind Kind, text string) []briefing.Tag {
	list := g.actors
	if kind == KindCountry {
		list = g.countries
	}
	want := Fold(text)
	type scored struct {
		t briefing.Tag
		d int
	}
	var cands []scored
	for _, t := range list {
		d := min(editdist.Distance(want, Fold(t.ID)), editdist.Distance(want, Fold(t.Name)))
		for _, w := range strings.Fields(Fold(t.Name)) {
			if len(w) > 3 && (strings.HasPrefix(w, want) || strings.HasPrefix(want, w)) {
				d = min(d, 1)
			}
			if len(w) > 4 {
				d = min(d, editdist.Distance(want, w))
			}
		}
		if d <= max(2, len(want)/3) {
			cands = append(cands, scored{t, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	out := make([]briefing.Tag, 0, 3)
	for i := 0; i < len(cands) && i < 3; i++ {
		out = append(out, cands[i].t)
	}
	return out
}
