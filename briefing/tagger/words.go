package tagger

import (
	"slices"
	"strings"
)

// Word is one word of text as the tagger reads it: folded to lower case
// with accents stripped ("Tillabéri" → "tillaberi"), with the case it was
// written in. A Word with an empty Text is a phrase break: sentence
// punctuation, a colon, a quote mark, which no phrase crosses.
type Word struct {
	Text  string
	Upper bool // every letter was upper case ("US", "JNIM")
	Title bool // the first letter was upper case ("Niger")
}

// Words cuts s into folded words and phrase breaks exactly as the tagger
// does, so every engine that reads text (tagging, stories, queries) agrees
// on what a word is: one accent folder, one tokenizer.
func Words(s string) []Word {
	tp := tokensPool.Get().(*tokens)
	t := tokenize(s, tp)
	out := make([]Word, len(t.spans))
	for i, sp := range t.spans {
		out[i] = Word{Upper: sp.upper, Title: sp.title}
		if sp.start != sp.end {
			out[i].Text = string(t.buf[sp.start:sp.end])
		}
	}
	tp.buf, tp.spans = t.buf, t.spans
	tokensPool.Put(tp)
	return out
}

// Fold returns s folded as the tagger reads it: words in lower case without
// accents, separated by single spaces, punctuation dropped. It is the
// project's one accent folder ("Tillabéri" and "TILLABERI" both read
// "tillaberi").
func Fold(s string) string { return strings.Join(FoldWords(s), " ") }

// FoldWords returns the folded words of s, as the tagger cuts them,
// without the phrase breaks of Words.
func FoldWords(s string) []string {
	tp := tokensPool.Get().(*tokens)
	t := tokenize(s, tp)
	out := make([]string, 0, len(t.spans))
	buf := string(t.buf) // one string for all the words
	for _, sp := range t.spans {
		if sp.start != sp.end {
			out = append(out, buf[sp.start:sp.end])
		}
	}
	tp.buf, tp.spans = t.buf, t.spans
	tokensPool.Put(tp)
	return out
}

// Mention is one country or actor named in a text: its id and kind, and
// the words [Start, End) of Words(text) that name it.
type Mention struct {
	ID         string
	Kind       Kind
	Start, End int
}

// Mentions lists the countries and actors named in text, in the order
// they appear, with the tagger's rules (longest phrase, case rules,
// ignored phrases). Conditional aliases ("Traoré" for Burkina's leader)
// count when context or text names a country that satisfies them; context
// (a summary, say) is read for that and for nothing else. Implied
// countries (a leader's country) are not mentions.
func (g *Gazetteer) Mentions(text, context string) []Mention {
	var out []Mention
	var condCountries uint64
	type cond struct {
		m         Mention
		when, not uint64
	}
	var conds []cond
	tp := tokensPool.Get().(*tokens)
	var off map[string]bool
	if len(g.senses) > 0 {
		// The other sense of a name may show in the context only ("Chad
		// shatters record" above "Chad le Clos won gold").
		all := tokenize(text, tp)
		all.spans = append(all.spans, span{start: int32(len(all.buf)), end: int32(len(all.buf))})
		all = all.appendText(context)
		off = g.offSenses(&all)
		tp.buf, tp.spans = all.buf, all.spans
	}
	t := tokenize(text, tp)
	g.walkOff(&t, off, func(start, end int, h hit) {
		m := Mention{Kind: h.kind, Start: start, End: end}
		if h.kind == KindCountry {
			m.ID = g.countries[h.idx].ID
		} else {
			m.ID = g.actors[h.idx].ID
		}
		if h.when != 0 || h.not != 0 {
			conds = append(conds, cond{m, h.when, h.not})
			return
		}
		if h.kind == KindCountry {
			condCountries |= 1 << h.idx
		}
		out = append(out, m)
	})
	tp.buf, tp.spans = t.buf, t.spans
	tokensPool.Put(tp)
	if len(conds) == 0 {
		return out
	}
	if context != "" {
		c, _ := g.scan(context, "", true)
		condCountries |= c
	}
	for _, c := range conds {
		if (c.when == 0 || condCountries&c.when != 0) && condCountries&c.not == 0 {
			out = append(out, c.m)
		}
	}
	slices.SortStableFunc(out, func(a, b Mention) int { return a.Start - b.Start })
	return out
}

// Implies returns the countries an actor implies (a leader his country,
// MINUSMA Mali), nil for a country or an unknown id.
func (g *Gazetteer) Implies(id string) []string {
	if g.kinds[id] != KindActor {
		return nil
	}
	return g.ids(g.implies[g.index[id]], g.countries, g.countryOrder)
}
