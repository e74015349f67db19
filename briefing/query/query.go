// Package query is the query language of searches and subscriptions:
// parsing (country: and actor: resolved with the tagger), matching items
// on the tagger's folded words, and the text clauses the store translates
// for its full-text index.
package query

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// The query language of `/sahel search` and `/sahel subscribe`:
//
//	junta election          words are ANDed
//	"coup d'état"           an exact phrase (consecutive words)
//	putsch OR coup          OR (upper case) between terms makes a group,
//	                        binding tighter than AND: a OR b c = (a OR b) AND c
//	-wagner, -"a b"         exclude a word, a phrase or a tag
//	country:mali            an item tagged with the country (id, name or
//	actor:Goïta             alias, English or French; country:"Burkina Faso")
//
// Words and phrases are matched on the tagger's folded tokens: case and
// accents are ignored and only whole words match ("Niger" never matches
// "Nigeria"). Punctuation other than the quotes is ignored inside terms.

// Query limits.
const (
	MaxLen   = 200 // characters
	MaxTerms = 20
)

// Error is a query the user must fix; Message is meant for them.
type Error struct {
	Message string // user-facing, names the offending token
	Token   string // the offending token, "" when it is the whole query
}

func (e *Error) Error() string { return "query: " + e.Message }

func queryErr(token, format string, args ...any) *Error {
	return &Error{Token: token, Message: fmt.Sprintf(format, args...)}
}

type atomKind uint8

const (
	atomWord atomKind = iota + 1 // one folded token
	atomPhrase
	atomCountry
	atomActor
)

// atom is one term without its sign.
type atom struct {
	kind  atomKind
	words []string // folded tokens, for words and phrases
	id    string   // tag id, for countries and actors
}

// clause is an OR group of atoms (often just one); neg negates it (only
// single-atom clauses are negated).
type clause struct {
	atoms []atom
	neg   bool
}

// Query is a parsed query; it is read-only and safe for concurrent use.
type Query struct {
	clauses []clause // as typed, for String and TextClauses
	eval    []clause // the same, cheapest and most selective first, for Match
}

// lexeme is one term as typed.
type lexeme struct {
	raw    string // as typed, for messages
	or     bool   // the OR keyword
	neg    bool
	field  string // "country", "actor" or "" for text
	value  string
	quoted bool
}

func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«', '»':
		return true
	}
	return false
}

// lex cuts text into lexemes.
func lex(text string) ([]lexeme, error) {
	var out []lexeme
	i := 0
	// quoted reads a quoted string starting at the quote at i.
	quoted := func(start int) (string, int, error) {
		_, size := utf8.DecodeRuneInString(text[i:])
		j := i + size
		for j < len(text) {
			r, sz := utf8.DecodeRuneInString(text[j:])
			if isQuote(r) {
				return text[i+size : j], j + sz, nil
			}
			j += sz
		}
		return "", 0, queryErr(text[start:], "the quote in %s is never closed: add a closing \"", text[start:])
	}
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start := i
		var lx lexeme
		if r == '-' {
			lx.neg = true
			i++
			if i >= len(text) {
				return nil, queryErr("-", "a lone \"-\" excludes nothing: write -word, -\"a phrase\" or -country:name")
			}
			if r2, _ := utf8.DecodeRuneInString(text[i:]); unicode.IsSpace(r2) {
				return nil, queryErr("-", "a lone \"-\" excludes nothing: write -word, -\"a phrase\" or -country:name, without a space after the -")
			}
		}
		// A field prefix: letters then a colon.
		j := i
		for j < len(text) && (('a' <= text[j] && text[j] <= 'z') || ('A' <= text[j] && text[j] <= 'Z')) {
			j++
		}
		if j > i && j < len(text) && text[j] == ':' {
			lx.field = strings.ToLower(text[i:j])
			i = j + 1
		}
		if r, _ := utf8.DecodeRuneInString(text[i:]); i < len(text) && isQuote(r) {
			v, next, err := quoted(start)
			if err != nil {
				return nil, err
			}
			lx.value, lx.quoted = v, true
			i = next
		} else {
			j := i
			for j < len(text) {
				r, sz := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) || isQuote(r) {
					break
				}
				j += sz
			}
			lx.value = text[i:j]
			i = j
		}
		lx.raw = text[start:i]
		if !lx.neg && lx.field == "" && !lx.quoted && lx.value == "OR" {
			lx.or = true
		}
		out = append(out, lx)
	}
	return out, nil
}

// Parse parses text. Errors are *Error with a message for the
// user. g resolves country: and actor: values.
func Parse(text string, g *tagger.Gazetteer) (*Query, error) {
	if n := utf8.RuneCountInString(text); n > MaxLen {
		return nil, queryErr("", "the query is %d characters long; the limit is %d", n, MaxLen)
	}
	if strings.TrimSpace(text) == "" {
		return nil, queryErr("", "the query is empty: type words to look for, e.g. junta election country:mali")
	}
	lxs, err := lex(text)
	if err != nil {
		return nil, err
	}
	terms := 0
	for _, lx := range lxs {
		if !lx.or {
			terms++
		}
	}
	if terms > MaxTerms {
		return nil, queryErr("", "the query has %d terms; the limit is %d", terms, MaxTerms)
	}
	groups, err := group(lxs, g)
	if err != nil {
		return nil, err
	}

	q := &Query{}
	positive := false
	for _, grp := range groups {
		var c clause
		for _, s := range grp {
			if s.a == nil {
				continue
			}
			c.neg = s.neg
			if !slices.ContainsFunc(c.atoms, func(x atom) bool { return x.equal(*s.a) }) {
				c.atoms = append(c.atoms, *s.a)
			}
		}
		if len(c.atoms) == 0 {
			continue
		}
		if !c.neg {
			positive = true
		}
		q.clauses = append(q.clauses, c)
	}
	if !positive {
		if len(q.clauses) > 0 {
			return nil, queryErr("", "the query only excludes: add something to look for, e.g. junta %s", q.String())
		}
		return nil, queryErr("", "the query has no letters or digits to look for")
	}
	q.eval = slices.Clone(q.clauses)
	slices.SortStableFunc(q.eval, func(a, b clause) int { return a.cost() - b.cost() })
	return q, nil
}

// slot is one term of an OR group while a query is parsed.
type slot struct {
	a   *atom // nil when the term has nothing to search for
	neg bool
	raw string
}

// group parses the terms of lxs and gathers them into OR groups, refusing
// a misplaced OR and an exclusion inside a group.
func group(lxs []lexeme, g *tagger.Gazetteer) ([][]slot, error) {
	var groups [][]slot
	pendingOR := false
	for k, lx := range lxs {
		if lx.or {
			switch {
			case k == 0:
				return nil, queryErr("OR", "OR at the start of the query has nothing on its left: write a OR b")
			case pendingOR:
				return nil, queryErr("OR", "OR OR: put a term between the two ORs")
			case k == len(lxs)-1:
				return nil, queryErr("OR", "OR at the end of the query has nothing on its right: write a OR b")
			}
			prev := groups[len(groups)-1]
			if last := prev[len(prev)-1]; last.neg {
				return nil, queryErr(last.raw, "%s cannot be part of an OR group: exclusions apply to the whole query", last.raw)
			}
			pendingOR = true
			continue
		}
		a, err := parseAtom(lx, g)
		if err != nil {
			return nil, err
		}
		s := slot{a: a, neg: lx.neg, raw: lx.raw}
		if pendingOR {
			if lx.neg {
				return nil, queryErr(lx.raw, "%s cannot be part of an OR group: exclusions apply to the whole query", lx.raw)
			}
			groups[len(groups)-1] = append(groups[len(groups)-1], s)
			pendingOR = false
		} else {
			groups = append(groups, []slot{s})
		}
	}
	return groups, nil
}

// cost orders clauses for Match: single positive words first (one map
// look-up, most likely to fail), exclusions last.
func (c clause) cost() int {
	n := 0
	if c.neg {
		n += 100
	}
	n += 10 * (len(c.atoms) - 1)
	switch c.atoms[0].kind {
	case atomPhrase:
		n += 2
	case atomCountry, atomActor:
		n += 1
	}
	return n
}

func (a atom) equal(b atom) bool {
	return a.kind == b.kind && a.id == b.id && slices.Equal(a.words, b.words)
}

// parseAtom turns a lexeme into an atom; nil when a text term has no
// letters or digits (such as "*" or ";").
func parseAtom(lx lexeme, g *tagger.Gazetteer) (*atom, error) {
	switch lx.field {
	case "":
		words := tagger.FoldWords(lx.value)
		switch len(words) {
		case 0:
			return nil, nil
		case 1:
			return &atom{kind: atomWord, words: words}, nil
		default:
			return &atom{kind: atomPhrase, words: words}, nil
		}
	case "country", "actor":
		kind, other, name, otherName := tagger.KindCountry, tagger.KindActor, "country", "actor"
		if lx.field == "actor" {
			kind, other, name, otherName = tagger.KindActor, tagger.KindCountry, "actor", "country"
		}
		if strings.TrimSpace(lx.value) == "" {
			return nil, queryErr(lx.raw, "%s needs a value, e.g. %s:%s", lx.raw, name, map[string]string{"country": "mali", "actor": "wagner"}[name])
		}
		if g == nil {
			return nil, queryErr(lx.raw, "%s: tags are not available", lx.raw)
		}
		t, ok, sugg := g.Resolve(kind, lx.value)
		if ok {
			k := atomCountry
			if kind == tagger.KindActor {
				k = atomActor
			}
			return &atom{kind: k, id: t.ID}, nil
		}
		msg := fmt.Sprintf("unknown %s %q in %s", name, lx.value, lx.raw)
		if len(sugg) > 0 {
			ids := make([]string, len(sugg))
			for i, s := range sugg {
				ids[i] = name + ":" + s.ID
			}
			msg += "; did you mean " + strings.Join(ids, ", ") + "?"
		} else if t, ok, _ := g.Resolve(other, lx.value); ok {
			msg += fmt.Sprintf("; %q is a tag of another kind: use %s:%s", lx.value, otherName, t.ID)
		}
		return nil, queryErr(lx.raw, "%s", msg)
	default:
		return nil, queryErr(lx.raw, "unknown field %q in %s: the fields are country: and actor: (quote the term to search for it as text)", lx.field+":", lx.raw)
	}
}

// String returns the query in canonical form: words and phrases folded,
// tags as ids, e.g. `"coup d etat" OR putsch country:mali -wagner`.
// Parsing it again gives the same query.
func (q *Query) String() string {
	var b strings.Builder
	for i, c := range q.clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		for j, a := range c.atoms {
			if j > 0 {
				b.WriteString(" OR ")
			}
			if c.neg {
				b.WriteByte('-')
			}
			switch a.kind {
			case atomWord:
				b.WriteString(a.words[0])
			case atomPhrase:
				b.WriteString(`"` + strings.Join(a.words, " ") + `"`)
			case atomCountry:
				b.WriteString("country:" + a.id)
			case atomActor:
				b.WriteString("actor:" + a.id)
			}
		}
	}
	return b.String()
}

// Countries returns the country ids every matching item carries (from
// positive country: terms outside OR groups), for the store to prefilter with.
func (q *Query) Countries() []string { return q.required(atomCountry) }

// Actors returns the actor ids every matching item carries.
func (q *Query) Actors() []string { return q.required(atomActor) }

func (q *Query) required(k atomKind) []string {
	out := []string{}
	for _, c := range q.clauses {
		if !c.neg && len(c.atoms) == 1 && c.atoms[0].kind == k && !slices.Contains(out, c.atoms[0].id) {
			out = append(out, c.atoms[0].id)
		}
	}
	return out
}

// TextClause is one clause of a query made of words and phrases only:
// its alternatives (more than one for an OR group), each the folded words
// of a word (one) or of a phrase (several, consecutive), and whether the
// clause excludes.
type TextClause struct {
	Alternatives [][]string
	Exclude      bool
}

// TextClauses returns the query's clauses made of words and phrases only,
// as typed, for a full-text index to narrow the candidates with: the
// clauses all hold (AND), the excluding ones never. Tags, excluded tags
// and OR groups holding a tag are left out (they only widen the result),
// so what an index returns from them is a superset of the matches, to be
// narrowed with Match. It returns no positive clause for a query of tags
// only: the caller then filters by Countries/Actors and Match.
func (q *Query) TextClauses() []TextClause {
	var out []TextClause
	for _, c := range q.clauses {
		tc := TextClause{Exclude: c.neg}
		for _, a := range c.atoms {
			if a.kind != atomWord && a.kind != atomPhrase {
				tc.Alternatives = nil
				break
			}
			tc.Alternatives = append(tc.Alternatives, slices.Clone(a.words))
		}
		if len(tc.Alternatives) > 0 {
			out = append(out, tc)
		}
	}
	return out
}

// MatchText is an item's text and tags prepared for many queries: build it
// once per item with NewMatchText.
type MatchText struct {
	words     []string         // title words, "", summary words
	pos       map[string][]int // word -> positions in words
	countries []string
	actors    []string
}

// NewMatchText prepares it for MatchPrepared.
func NewMatchText(it *briefing.Item) *MatchText {
	title, summary := tagger.FoldWords(it.Title), tagger.FoldWords(it.Summary)
	m := &MatchText{
		words:     make([]string, 0, len(title)+1+len(summary)),
		pos:       make(map[string][]int, len(title)+len(summary)),
		countries: it.Countries,
		actors:    it.Actors,
	}
	add := func(w string) {
		m.pos[w] = append(m.pos[w], len(m.words))
		m.words = append(m.words, w)
	}
	for _, w := range title {
		add(w)
	}
	if len(m.words) > 0 && len(summary) > 0 {
		m.words = append(m.words, "") // no phrase crosses title and summary
	}
	for _, w := range summary {
		add(w)
	}
	return m
}

// Match reports whether it matches the query. To test many queries against
// one item, prepare it once with NewMatchText and use MatchPrepared.
func (q *Query) Match(it *briefing.Item) bool { return q.MatchPrepared(NewMatchText(it)) }

// MatchPrepared reports whether the prepared item matches the query.
func (q *Query) MatchPrepared(m *MatchText) bool {
	for i := range q.eval {
		c := &q.eval[i]
		hit := false
		for j := range c.atoms {
			if m.has(&c.atoms[j]) {
				hit = true
				break
			}
		}
		if hit == c.neg {
			return false
		}
	}
	return true
}

func (m *MatchText) has(a *atom) bool {
	switch a.kind {
	case atomWord:
		_, ok := m.pos[a.words[0]]
		return ok
	case atomPhrase:
	next:
		for _, p := range m.pos[a.words[0]] {
			if p+len(a.words) > len(m.words) {
				return false
			}
			for k := 1; k < len(a.words); k++ {
				if m.words[p+k] != a.words[k] {
					continue next
				}
			}
			return true
		}
		return false
	case atomCountry:
		return slices.Contains(m.countries, a.id)
	case atomActor:
		return slices.Contains(m.actors, a.id)
	}
	return false
}

// Anchors returns index keys of the query for a matcher that holds many
// queries: an item can match only if it has at least one of them (see
// MatchText.Keys). They come from the query's positive clause with the
// fewest alternatives: a word, a phrase's first word, or "country:<id>" /
// "actor:<id>". ok is false when the query has no positive clause, and
// must then be tried against every item.
func (q *Query) Anchors() (keys []string, ok bool) {
	best := -1
	for i := range q.eval {
		c := &q.eval[i]
		if c.neg {
			continue
		}
		if best < 0 || len(c.atoms) < len(q.eval[best].atoms) {
			best = i
		}
	}
	if best < 0 {
		return nil, false
	}
	for _, a := range q.eval[best].atoms {
		switch a.kind {
		case atomWord, atomPhrase:
			keys = append(keys, a.words[0])
		case atomCountry:
			keys = append(keys, "country:"+a.id)
		case atomActor:
			keys = append(keys, "actor:"+a.id)
		}
	}
	return keys, true
}

// Keys calls fn with each index key the item has: its distinct words and
// "country:<id>" / "actor:<id>" for its tags. A query whose Anchors hold
// none of them cannot match it.
func (m *MatchText) Keys(fn func(key string)) {
	for w := range m.pos {
		fn(w)
	}
	for _, c := range m.countries {
		fn("country:" + c)
	}
	for _, a := range m.actors {
		fn("actor:" + a)
	}
}
