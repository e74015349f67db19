package story

import (
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// Doc is what the engine reads of a report.
type Doc struct {
	ID        int64 // the store's item id; stories are named after their smallest
	Title     string
	Summary   string
	URL       string // canonical link: two docs with one link are one story
	Lang      string
	Published time.Time
}

// features is what the engine keeps of a doc to compare it with others:
// computed once, when the doc is added.
type features struct {
	id  int64
	t   int64 // published, Unix seconds
	url string
	// loaded: a stored report given with its story (Load), which the
	// engine does not decide again and every report sees.
	loaded bool
	terms  []term // sorted by key
	norm   float32

	types      uint64 // event types named in the title (after weak and unless rules)
	classes    uint64 // their classes
	relational bool   // one of them is told by who does what to whom

	titlePlaces []int32  // places named in the title
	parts       []string // states and actors named in the title, but for where
	where       string   // country where the event happens, "" when unknown
	whereMask   uint64   // the countries it may happen in (the best and those nearly as likely), as bits (see countryBit); 0 when unknown
	nums        []int    // counts in the title (tolls, troops), not years
	days        days     // the days the report places its event on (title first, else summary)
	dated       bool     // whether it places it on any
	keys        []uint64 // its posting keys (see postingKeysOf)
}

// term is one weighted feature of a doc.
type term struct {
	key uint64
	w   float32
	// specific terms (words, places, actors, states, counts) can make a
	// story; a shared country, event type or concept alone cannot. Only
	// they are indexed to find candidates.
	specific bool
}

// Feature weights, set on the tuning half of testdata/eval.jsonl.
const (
	wTitleWord    = 1.0       // a title word
	wSummary      = 0.45      // factor for the summary's words
	wConcept      = 0.7       // a word of the EN↔FR concept list (soldiers, junta)
	wEvent        = 0.35      // an event word: the type is compared on its own
	wPlace        = 2.2       // a Sahel place
	wCountry      = 0.6       // a country named
	wActor        = 1.1       // an actor named (ECOWAS, JNIM, Goïta)
	wState        = 0.9       // another state named (Germany, India)
	wNumber       = 1.1       // a count
	bonusPlace    = 0.15      // the two titles name one place
	bonusCount    = 0.15      // the two titles, in one country, give about the same count
	bonusDay      = 0.2       // the two reports place their events on the same day
	countsFactor  = 3         // counts apart by this factor tell two events
	untypedMargin = 0.1       // more similarity needed when only one of two reports names an event
	timeDecay     = 0.2       // share of the similarity lost by reports a whole window apart
	partiesReach  = 20        // summary words read for the parties when the title names none
	wProper       = 1.5       // factor for a capitalized word inside a sentence
	longTitle     = 16        // title words past this count weigh as summary words
	bonusFull     = 18 * 3600 // seconds during which agreeing on the event counts fully
	summaryWords  = 45        // words of the summary read at most
)

// extract computes the features of d.
func (e *Engine) extract(d Doc) *features {
	f := &features{id: d.ID, t: d.Published.Unix(), url: strings.TrimSpace(d.URL)}
	if strings.TrimSpace(d.Title) == "" {
		// An untitled entry: its first sentence is its headline, as the
		// feed normalizer shows it.
		d.Title, d.Summary = firstSentence(d.Summary)
	}
	if n := e.dateline(d.Title); n > 0 {
		d.Title = d.Title[n:]
	}
	titleW := tagger.Words(d.Title)
	title := texts(titleW)
	summaryW := tagger.Words(d.Summary)
	summary := texts(summaryW)
	if len(summary) > summaryWords {
		summary, summaryW = summary[:summaryWords], summaryW[:summaryWords]
	}
	terms := map[uint64]term{}
	add := func(key string, w float32) {
		h := hashKey(key)
		if termNames != nil {
			termNames[h] = key
		}
		if w > terms[h].w {
			terms[h] = term{key: h, w: w, specific: specificKey(key)}
		}
	}
	titleM := e.gaz.Mentions(d.Title, d.Summary)
	summaryM := e.gaz.Mentions(d.Summary, d.Title)
	tPlaces := e.findPlaces(title, titleW, titleM, summaryM)
	sPlaces := e.findPlaces(summary, summaryW, summaryM, titleM)
	for _, p := range tPlaces {
		f.titlePlaces = append(f.titlePlaces, p.place)
	}
	f.days, f.dated = e.eventDays(title, d.Published)
	if !f.dated {
		dateW := summary
		if n := e.datedLead(d.Summary); n > 0 {
			dateW = texts(tagger.Words(d.Summary[n:]))
		}
		f.days, f.dated = e.eventDays(dateW, d.Published)
	}
	f.types, f.classes, f.relational = e.eventTypes(title)
	if f.types == 0 {
		// A title such as "Niger: what we know" says nothing of the event:
		// the summary's first words tell it instead.
		f.types, f.classes, f.relational = e.eventTypes(summary[:min(len(summary), 20)])
	}
	var wheres []string
	f.where, wheres = e.where(title, titleM, tPlaces, summaryM, sPlaces)
	for _, c := range wheres {
		f.whereMask |= e.countryBit(c)
	}
	e.readTerms(title, titleW, titleM, tPlaces, 1, add, f)
	e.readTerms(summary, summaryW, summaryM, sPlaces, wSummary, add, nil)
	if len(f.parts) == 0 {
		// The title names no party ("Evacuation flights leave Niamey"):
		// the summary's first words may ("ressortissants français").
		head := summary[:min(len(summary), partiesReach)]
		var hm []tagger.Mention
		for _, m := range summaryM {
			if m.End <= len(head) {
				hm = append(hm, m)
			}
		}
		f.parts = e.parties(head, hm, f.where)
	}
	f.terms = make([]term, 0, len(terms))
	var sq float32
	for _, t := range terms {
		f.terms = append(f.terms, t)
		sq += t.w * t.w
	}
	slices.SortFunc(f.terms, func(a, b term) int {
		if a.key < b.key {
			return -1
		}
		if a.key > b.key {
			return 1
		}
		return 0
	})
	f.norm = float32(math.Sqrt(float64(sq)))
	f.keys = e.postingKeysOf(f)
	return f
}

// texts returns the folded text of each word ("" for phrase breaks).
func texts(ws []tagger.Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// placeHit is a place named at words [start, end).
type placeHit struct {
	place      int32
	start, end int
}

// findPlaces lists the places named in words (cased: as written). An
// ambiguous name counts only when the text or its context names the
// place's country, and not when written in lower case in a text that has
// lower case letters: "authorities say" names no Say.
func (e *Engine) findPlaces(words []string, cased []tagger.Word, own, context []tagger.Mention) []placeHit {
	var out []placeHit
	lower := anyLower(cased)
	e.places.byName.find(words, func(start, end int, v int32) {
		pl := &e.places.list[v]
		if pl.Ambiguous && (lower && !properNoun(cased[start:end]) ||
			end == start+1 && e.lex.stop[words[start]] && (start == 0 || !placePrep[words[start-1]])) {
			// A place is a proper noun, and a name that is also a stop
			// word is one only after a preposition: "Authorities Say"
			// names no Say, "near Say" does.
			return
		}
		if pl.Ambiguous && !mentionsCountry(own, pl.Country) && !mentionsCountry(context, pl.Country) {
			return
		}
		out = append(out, placeHit{place: v, start: start, end: end})
	})
	return out
}

// placePrep are the words after which a name that is also a stop word is
// a place.
var placePrep = map[string]bool{"a": true, "de": true, "d": true, "du": true, "in": true, "at": true, "near": true,
	"pres": true, "from": true, "of": true, "around": true, "autour": true, "vers": true, "toward": true,
	"towards": true}

// properNoun reports whether one of the words is capitalized.
func properNoun(ws []tagger.Word) bool {
	for _, w := range ws {
		if w.Title || w.Upper {
			return true
		}
	}
	return false
}

func mentionsCountry(ms []tagger.Mention, id string) bool {
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	return false
}

// readTerms adds the weighted features of words: places, countries and
// actors, other states, event words, concepts, numbers, then every other
// word stemmed. With f set (the title), it also records the title's
// participants and counts.
func (e *Engine) readTerms(words []string, cased []tagger.Word, ms []tagger.Mention, ps []placeHit, factor float32,
	add func(string, float32), f *features) {
	used := make([]bool, len(words))
	mark := func(start, end int) {
		for k := start; k < end && k < len(used); k++ {
			used[k] = true
		}
	}
	for _, p := range ps {
		add("p:"+e.places.list[p.place].ID, wPlace*factor)
		if r := e.places.region[p.place]; r != p.place {
			add("p:"+e.places.list[r].ID, wPlace*factor*0.5)
		}
		mark(p.start, p.end)
	}
	for _, m := range ms {
		if m.Kind == tagger.KindCountry {
			add("k:"+m.ID, wCountry*factor)
		} else {
			add("g:"+m.ID, wActor*factor)
		}
		mark(m.Start, m.End)
	}
	e.lex.states.find(words, func(start, end int, v int32) {
		if used[start] {
			return
		}
		add("g:"+e.lex.stateIDs[v], wState*factor)
		mark(start, end)
	})
	e.lex.events.find(words, func(start, end int, v int32) {
		if used[start] {
			return
		}
		add("e:"+e.lex.types[v].name, wEvent*factor)
		mark(start, end)
	})
	e.lex.concepts.find(words, func(start, end int, v int32) {
		if used[start] {
			return
		}
		add("c:"+e.lex.concept[v], wConcept*factor)
		mark(start, end)
	})
	var nums []int
	lower := anyLower(cased)
	for i, w := range words {
		if used[i] || w == "" || e.lex.stop[w] {
			continue
		}
		// Words past the first sentence's worth say less of the event: a
		// long lead used as a title must not drown its first words.
		pos := float32(1)
		if i >= longTitle {
			pos = wSummary
		}
		if n, ok := e.number(w); ok {
			if (n < 1900 || n > 2100) && !e.dateNumber(words, i) {
				add("n:"+strconv.Itoa(n), wNumber*factor*pos)
				nums = append(nums, n)
			}
			continue
		}
		if len(w) < 2 {
			continue
		}
		wt := wTitleWord * factor * pos
		// A capitalized word inside a sentence names someone or something
		// (Pétronin, Damiba, Barrick): it tells events apart.
		if lower && i > 0 && words[i-1] != "" && (cased[i].Title || cased[i].Upper) {
			wt *= wProper
		}
		add("w:"+stem(w), wt)
	}
	if f != nil {
		f.parts = e.parties(words, ms, f.where)
		f.nums = nums
	}
}

// parties lists the states and actors words name (ms are their gazetteer
// mentions), but for the country where the event happens and the actors
// tied to it: who does what to whom, for relational events.
func (e *Engine) parties(words []string, ms []tagger.Mention, where string) []string {
	var ids []string
	used := make([]bool, len(words))
	for _, m := range ms {
		ids = append(ids, m.ID)
		for k := m.Start; k < m.End && k < len(used); k++ {
			used[k] = true
		}
	}
	e.lex.states.find(words, func(start, _ int, v int32) {
		if !used[start] {
			ids = append(ids, e.lex.stateIDs[v])
		}
	})
	var out []string
	for _, id := range ids {
		if id != where && !slices.Contains(out, id) && !e.impliesCountry(id, where) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// anyLower reports whether the text has lower case letters (not a title
// in capitals, where case says nothing).
func anyLower(ws []tagger.Word) bool {
	for _, w := range ws {
		if w.Text != "" && !w.Upper && !w.Title {
			return true
		}
	}
	return false
}

// dateNumber reports whether the number at words[i] is a day of a date
// ("2 avril", "August 2"), not a count.
func (e *Engine) dateNumber(words []string, i int) bool {
	return i+1 < len(words) && e.lex.months[words[i+1]] != 0 || i > 0 && e.lex.months[words[i-1]] != 0
}

// number reads a count written in digits ("1,500" is cut by the tokenizer
// into "1" and "500"; tolls rarely pass 999) or in words.
func (e *Engine) number(w string) (int, bool) {
	if n, ok := e.lex.numbers[w]; ok {
		return n, true
	}
	return digits(w)
}

// stem reduces a folded word so that inflections and many EN/FR cognates
// meet: plural and feminine endings go, and long words are cut.
func stem(w string) string {
	for _, suf := range []string{"ees", "ee", "es", "s", "e", "x"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	if len(w) > 7 {
		w = w[:7]
	}
	return w
}

// specificKey tells the specific terms by their prefix: not an event
// word (e:), a concept (c:) or a country (k:).
func specificKey(key string) bool {
	return !strings.HasPrefix(key, "e:") && !strings.HasPrefix(key, "c:") && !strings.HasPrefix(key, "k:")
}

func hashKey(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// eventTypes returns the event types named in words, their classes, and
// whether one of them is relational. Weak types count only alone; an
// unless rule turns a type into another.
func (e *Engine) eventTypes(words []string) (types, classes uint64, relational bool) {
	var strong, weak uint64
	e.lex.events.find(words, func(start, _ int, v int32) {
		if v == e.lex.none || e.background(words, start) {
			return
		}
		t := &e.lex.types[v]
		for _, u := range t.unless {
			if u.words.has(words) {
				t = &e.lex.types[u.to]
				v = int32(u.to)
				break
			}
		}
		if t.weak {
			weak |= 1 << v
		} else {
			strong |= 1 << v
		}
	})
	types = strong
	if types == 0 {
		types = weak
	}
	var superseded uint64 // classes another type named makes background
	for m := types; m != 0; m &= m - 1 {
		superseded |= e.lex.types[trailing(m)].supersedes
	}
	for m := types; m != 0 && superseded != 0; m &= m - 1 {
		if v := trailing(m); superseded&(1<<e.lex.types[v].class) != 0 {
			types &^= 1 << v
		}
	}
	for m := types; m != 0; m &= m - 1 {
		t := &e.lex.types[trailing(m)]
		classes |= 1 << t.class
		relational = relational || t.relational
	}
	return types, classes, relational
}

// background reports whether the event word at words[at] follows, within
// three words, a word that makes it context ("after the coup").
func (e *Engine) background(words []string, at int) bool {
	found := false
	e.lex.background.find(words[max(0, at-3):at], func(int, int, int32) { found = true })
	return found
}

func trailing(m uint64) int {
	n := 0
	for m&1 == 0 {
		m >>= 1
		n++
	}
	return n
}

// firstSentence cuts s after its first sentence (at most 160 bytes) and
// returns the sentence and the rest.
func firstSentence(s string) (string, string) {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s) && i < 160; i++ {
		// A dateline ("ROME, August 2. /TASS/.") is no sentence.
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && (i+1 == len(s) || s[i+1] == ' ') && i > 40 {
			return s[:i+1], strings.TrimSpace(s[i+1:])
		}
	}
	if len(s) <= 160 {
		return s, ""
	}
	cut := strings.LastIndexByte(s[:160], ' ')
	if cut < 0 {
		cut = 160
	}
	return s[:cut], strings.TrimSpace(s[cut:])
}

// typeNames lists the names of the event types in mask, for tests and
// explanations.
func (e *Engine) typeNames(mask uint64) []string {
	var out []string
	for ; mask != 0; mask &= mask - 1 {
		out = append(out, e.lex.types[trailing(mask)].name)
	}
	return out
}

// termNames, when set (by diagnostics, before extracting), records the
// name of every term key.
var termNames map[uint64]string
