package story

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"go.yaml.in/yaml/v3"
)

//go:embed lexicon.yaml
var lexiconYAML []byte

// lexiconSpec is lexicon.yaml as written.
type lexiconSpec struct {
	Events []struct {
		Type       string              `yaml:"type"`
		Class      string              `yaml:"class"`
		Weak       bool                `yaml:"weak"`
		Bonus      float32             `yaml:"bonus"`
		Compatible []string            `yaml:"compatible"`
		Relational bool                `yaml:"relational"`
		Words      []string            `yaml:"words"`
		Unless     map[string][]string `yaml:"unless"`
		Supersedes []string            `yaml:"supersedes"`
	} `yaml:"events"`
	States         map[string][]string `yaml:"states"`
	Concepts       [][]string          `yaml:"concepts"`
	Numbers        map[string]int      `yaml:"numbers"`
	Background     []string            `yaml:"background"`
	Months         map[string]int      `yaml:"months"`
	Weekdays       map[string]int      `yaml:"weekdays"`
	Yesterday      []string            `yaml:"yesterday"`
	Reporting      []string            `yaml:"reporting"`
	Night          []string            `yaml:"night"`
	DayBefore      []string            `yaml:"day_before"`
	DateBackground []string            `yaml:"date_background"`
	Stop           []string            `yaml:"stop"`
}

// eventType is one kind of happening the engine tells apart.
type eventType struct {
	name       string
	class      int // index in lexicon.classes
	weak       bool
	relational bool
	unless     []unlessRule
	// supersedes are the classes whose types are background when this
	// type is named too: the attack a mourning title recalls.
	supersedes uint64
}

// unlessRule turns a match of one type into another when one of words is
// in the same title.
type unlessRule struct {
	to    int // event type index
	words *matcher
}

// lexicon is the compiled lexicon.yaml.
type lexicon struct {
	types    []eventType
	classes  []string
	bonus    []float32 // per class: what agreeing on it adds to the cosine
	compat   []uint64  // per class: the classes one event may be told as (itself included)
	events   *matcher  // value: event type index
	states   *matcher  // value: index in stateIDs
	stateIDs []string
	concepts *matcher // value: index in conceptIDs
	concept  []string
	numbers  map[string]int
	stop     map[string]bool
	months   map[string]time.Month
	calendar calendar
	// background words before an event word make it context, not news.
	background *matcher
	none       int32 // the event type that names people, not events
}

// compatible reports whether two sets of classes may tell one event: some
// class of a is compatible with some class of b (a coup is told as an
// arrest of the president; an ambassador given 72 hours "to leave" is
// expelled).
func (lx *lexicon) compatible(a, b uint64) bool {
	for m := a; m != 0; m &= m - 1 {
		if lx.compat[trailing(m)]&b != 0 {
			return true
		}
	}
	return false
}

// classBonus is the largest bonus of the classes in mask.
func (lx *lexicon) classBonus(mask uint64) float32 {
	b := float32(0)
	for ; mask != 0; mask &= mask - 1 {
		b = max(b, lx.bonus[trailing(mask)])
	}
	return b
}

// maxTypes bounds event types so that a set of them fits a uint64.
const maxTypes = 64

func loadLexicon(data []byte) (*lexicon, error) {
	var spec lexiconSpec
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("story: lexicon: %w", err)
	}
	lx := &lexicon{events: newMatcher(), states: newMatcher(), concepts: newMatcher(),
		numbers: spec.Numbers, stop: map[string]bool{}, months: map[string]time.Month{}, background: newMatcher(), none: -1}
	if err := lx.loadEvents(spec); err != nil {
		return nil, err
	}
	if err := lx.loadWords(spec); err != nil {
		return nil, err
	}
	return lx, nil
}

// loadEvents compiles the event types, their classes, unless rules and
// compatibilities.
func (lx *lexicon) loadEvents(spec lexiconSpec) error {
	if len(spec.Events) > maxTypes {
		return fmt.Errorf("story: lexicon: at most %d event types", maxTypes)
	}
	typeIndex := map[string]int{}
	for i, e := range spec.Events {
		if _, dup := typeIndex[e.Type]; dup || e.Type == "" {
			return fmt.Errorf("story: lexicon: event type %q is empty or defined twice", e.Type)
		}
		typeIndex[e.Type] = i
	}
	classIndex := map[string]int{}
	for i, e := range spec.Events {
		c, ok := classIndex[e.Class]
		if !ok {
			c = len(lx.classes)
			classIndex[e.Class] = c
			lx.classes = append(lx.classes, e.Class)
			lx.bonus = append(lx.bonus, 0)
		}
		lx.bonus[c] = max(lx.bonus[c], e.Bonus)
		t := eventType{name: e.Type, class: c, weak: e.Weak, relational: e.Relational}
		if e.Type == "none" {
			lx.none = int32(i)
		}
		for to, words := range e.Unless {
			k, ok := typeIndex[to]
			if !ok {
				return fmt.Errorf("story: lexicon: event %s: unless names unknown type %q", e.Type, to)
			}
			m := newMatcher()
			if err := m.addAll(words, 0); err != nil {
				return fmt.Errorf("story: lexicon: event %s: unless: %w", e.Type, err)
			}
			t.unless = append(t.unless, unlessRule{to: k, words: m})
		}
		lx.types = append(lx.types, t)
		if err := lx.events.addAll(e.Words, int32(i)); err != nil {
			return fmt.Errorf("story: lexicon: event %s: %w", e.Type, err)
		}
	}
	lx.compat = make([]uint64, len(lx.classes))
	for c := range lx.compat {
		lx.compat[c] |= 1 << c
	}
	for i, e := range spec.Events {
		for _, other := range e.Supersedes {
			if other == "*" { // every class but its own
				lx.types[i].supersedes |= ^(uint64(1) << classIndex[e.Class])
				continue
			}
			k, ok := classIndex[other]
			if !ok {
				return fmt.Errorf("story: lexicon: event %s: supersedes names unknown class %q", e.Type, other)
			}
			lx.types[i].supersedes |= 1 << k
		}
	}
	for _, e := range spec.Events {
		c := classIndex[e.Class]
		for _, other := range e.Compatible {
			k, ok := classIndex[other]
			if !ok {
				return fmt.Errorf("story: lexicon: event %s: compatible names unknown class %q", e.Type, other)
			}
			lx.compat[c] |= 1 << k
			lx.compat[k] |= 1 << c
		}
	}
	return nil
}

// loadWords compiles the states, concepts, background, months and stop
// words.
func (lx *lexicon) loadWords(spec lexiconSpec) error {
	if err := lx.background.addAll(spec.Background, 0); err != nil {
		return fmt.Errorf("story: lexicon: background: %w", err)
	}
	ids := make([]string, 0, len(spec.States))
	for id := range spec.States {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a stable order: the same lexicon whatever the map's
	for _, id := range ids {
		k := int32(len(lx.stateIDs))
		lx.stateIDs = append(lx.stateIDs, id)
		if err := lx.states.addAll(spec.States[id], k); err != nil {
			return fmt.Errorf("story: lexicon: state %s: %w", id, err)
		}
	}
	for _, words := range spec.Concepts {
		if len(words) == 0 {
			continue
		}
		k := int32(len(lx.concept))
		lx.concept = append(lx.concept, tagger.Fold(words[0]))
		if err := lx.concepts.addAll(words, k); err != nil {
			return fmt.Errorf("story: lexicon: concept %s: %w", words[0], err)
		}
	}
	for w, n := range spec.Months {
		if n < 1 || n > 12 {
			return fmt.Errorf("story: lexicon: month %s: %d is no month", w, n)
		}
		lx.months[tagger.Fold(w)] = time.Month(n)
	}
	if err := lx.calendar.load(spec); err != nil {
		return fmt.Errorf("story: lexicon: %w", err)
	}
	for _, w := range spec.Stop {
		lx.stop[strings.TrimSuffix(tagger.Fold(w), "*")] = true
	}
	return nil
}

// matcher finds phrases in folded words: each phrase is a run of word
// patterns, a pattern either a whole word or a prefix ("attack*"). At each
// position the longest phrase wins, and matches do not overlap.
type matcher struct {
	// byHead indexes phrases by the first three letters of their first
	// pattern (or the whole pattern when shorter).
	byHead map[string][]phrase
}

type phrase struct {
	words  []string
	prefix []bool
	value  int32
}

func newMatcher() *matcher { return &matcher{byHead: map[string][]phrase{}} }

// add indexes a phrase written as in lexicon.yaml ("coup d'état",
// "attack*"); its words are folded like the text they will meet.
func (m *matcher) add(pattern string, value int32) error {
	var p phrase
	for _, f := range strings.Fields(pattern) {
		star := strings.HasSuffix(f, "*")
		for _, w := range tagger.Words(strings.TrimSuffix(f, "*")) {
			if w.Text == "" {
				continue
			}
			p.words = append(p.words, w.Text)
			p.prefix = append(p.prefix, false)
		}
		if star && len(p.prefix) > 0 {
			if len(p.words[len(p.words)-1]) < 3 {
				return fmt.Errorf("prefix %q is shorter than three letters", f)
			}
			p.prefix[len(p.prefix)-1] = true
		}
	}
	if len(p.words) == 0 {
		return fmt.Errorf("pattern %q has no words", pattern)
	}
	p.value = value
	h := head(p.words[0])
	m.byHead[h] = append(m.byHead[h], p)
	return nil
}

// addAll adds every pattern with one value.
func (m *matcher) addAll(patterns []string, value int32) error {
	for _, p := range patterns {
		if err := m.add(p, value); err != nil {
			return err
		}
	}
	return nil
}

func head(w string) string {
	if len(w) > 3 {
		return w[:3]
	}
	return w
}

// find calls fn for every phrase found in words (folded; "" is a phrase
// break), longest first at each position.
func (m *matcher) find(words []string, fn func(start, end int, value int32)) {
	for i := 0; i < len(words); {
		best, bestEnd := int32(-1), 0
		if words[i] != "" {
			for _, p := range m.byHead[head(words[i])] {
				if end := p.match(words, i); end > bestEnd {
					best, bestEnd = p.value, end
				}
			}
		}
		if bestEnd == 0 {
			i++
			continue
		}
		fn(i, bestEnd, best)
		i = bestEnd
	}
}

// has reports whether any phrase of m is in words.
func (m *matcher) has(words []string) bool {
	found := false
	m.find(words, func(int, int, int32) { found = true })
	return found
}

// match returns the end of the phrase matched at words[i:], or 0.
func (p *phrase) match(words []string, i int) int {
	for k, w := range p.words {
		j := i + k
		if j >= len(words) || words[j] == "" {
			return 0
		}
		if p.prefix[k] {
			if !strings.HasPrefix(words[j], w) {
				return 0
			}
		} else if words[j] != w {
			return 0
		}
	}
	return i + len(p.words)
}
