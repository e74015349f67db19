// Package tagger reads which countries and actors a text names, with the
// gazetteer (embedded gazetteer.yaml, extended by the config file): tagging
// items when they are stored, resolving the names people type in commands
// ("country mali", "actor Goïta"), and the project's one accent folder and
// tokenizer (Fold, FoldWords, Words), which the story engine, the query
// language and digests read text with.
package tagger

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sahelbrief/sahelbrief/briefing"
	"go.yaml.in/yaml/v3"
)

// The gazetteer knows the countries and actors sahelbrief tags, the words
// that name them in English and French, and the phrases that look like
// them but are not (the Niger River, Equatorial Guinea, France 24).

//go:embed gazetteer.yaml
var builtinGazetteer []byte

// GazetteerSpec is the YAML shape of the gazetteer, built in or supplied
// by users under `gazetteer:` in the config file to add aliases or actors.
type GazetteerSpec struct {
	Countries []EntitySpec `yaml:"countries"`
	Actors    []EntitySpec `yaml:"actors"`
	// StateNouns, in English ("government", "troops"), combine with a
	// state's adjectives: "French troops" names the French state acting.
	StateNouns []string `yaml:"state_nouns"`
	// StateNounsFR come before the adjective: "troupes françaises".
	StateNounsFR []string `yaml:"state_nouns_fr"`
	// Ignore lists phrases that name no entity although they contain an
	// alias: "Niger River", "Equatorial Guinea", "France 24".
	Ignore []string `yaml:"ignore"`
	// Senses are other senses of names: Chad the swimmer, the Mali GPU.
	Senses []SenseSpec `yaml:"senses"`
}

// EntitySpec is one country or actor.
type EntitySpec struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
	// StateAdjectives ("french", "français*") make "French army" and
	// "armée française" name the state without "a French journalist" doing so.
	StateAdjectives []string `yaml:"state_adjectives"`
	// Implies lists countries an actor stands for (a junta leader for his
	// country).
	Implies []string `yaml:"implies"`
	// Conditional aliases count only when the text also names one of When
	// and none of Unless (country ids): "Traoré" is Burkina's leader only
	// in a Burkina story.
	Conditional []ConditionalSpec `yaml:"conditional"`
}

// ConditionalSpec is a group of aliases that need context.
type ConditionalSpec struct {
	Aliases []string `yaml:"aliases"`
	When    []string `yaml:"when"`
	Unless  []string `yaml:"unless"`
}

// Alias syntax, shared by every list above:
//
//	Goïta        case- and accent-insensitive, on word boundaries
//	=US          case-sensitive: "US" but not "us" (=Turkey: capitalized)
//	malien*      with inflections: malien, maliens, malienne, maliennes
//
// Multi-word aliases match whole phrases; punctuation breaks a phrase; the
// longest phrase at a position wins, so "Niger Delta" beats "Niger".

// ParseGazetteer reads a GazetteerSpec from YAML, rejecting unknown keys.
func ParseGazetteer(data []byte) (GazetteerSpec, error) {
	var spec GazetteerSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		return spec, fmt.Errorf("tagger: gazetteer: %w", err)
	}
	return spec, nil
}

// BuiltinGazetteerSpec returns the embedded gazetteer.
func BuiltinGazetteerSpec() GazetteerSpec {
	spec, err := ParseGazetteer(builtinGazetteer)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return spec
}

// Merge adds ext to spec: aliases (and conditional aliases, adjectives,
// implications) of existing ids are appended, new ids are added.
func (spec GazetteerSpec) Merge(ext GazetteerSpec) GazetteerSpec {
	merge := func(base, add []EntitySpec) []EntitySpec {
		out := append([]EntitySpec(nil), base...)
		for _, a := range add {
			found := false
			for i := range out {
				if out[i].ID == a.ID {
					out[i].Aliases = append(append([]string(nil), out[i].Aliases...), a.Aliases...)
					out[i].StateAdjectives = append(append([]string(nil), out[i].StateAdjectives...), a.StateAdjectives...)
					out[i].Implies = append(append([]string(nil), out[i].Implies...), a.Implies...)
					out[i].Conditional = append(append([]ConditionalSpec(nil), out[i].Conditional...), a.Conditional...)
					if a.Name != "" {
						out[i].Name = a.Name
					}
					found = true
					break
				}
			}
			if !found {
				out = append(out, a)
			}
		}
		return out
	}
	spec.Countries = merge(spec.Countries, ext.Countries)
	spec.Actors = merge(spec.Actors, ext.Actors)
	spec.StateNouns = append(append([]string(nil), spec.StateNouns...), ext.StateNouns...)
	spec.StateNounsFR = append(append([]string(nil), spec.StateNounsFR...), ext.StateNounsFR...)
	spec.Ignore = append(append([]string(nil), spec.Ignore...), ext.Ignore...)
	spec.Senses = append(append([]SenseSpec(nil), spec.Senses...), ext.Senses...)
	return spec
}

// Kind tells countries from actors.
type Kind uint8

const (
	KindCountry Kind = iota + 1
	KindActor
	kindIgnore // a phrase that names nothing
)

// maxEntities bounds countries and actors each, so a set of them fits a
// 64-bit mask (fast tagging without allocation).
const maxEntities = 64

// Gazetteer is the compiled, read-only gazetteer; safe for concurrent use.
type Gazetteer struct {
	countries []briefing.Tag
	actors    []briefing.Tag
	index     map[string]int // id -> position in countries or actors
	kinds     map[string]Kind
	implies   []uint64 // per actor: mask of countries
	root      map[string]*trieNode
	// countryOrder and actorOrder give ids sorted alphabetically, for
	// stable output.
	countryOrder, actorOrder []int
	senses                   []sense
	fingerprint              string // of the spec it was compiled from
}

type trieNode struct {
	next map[string]*trieNode
	hits []hit
}

// hit is what a complete alias phrase means.
type hit struct {
	kind  Kind
	idx   int
	cased []caseRule // per token, for case-sensitive aliases; nil otherwise
	when  uint64     // countries of which one must be present (0: none needed)
	not   uint64     // countries that must be absent
}

type caseRule uint8

const (
	anyCase caseRule = iota
	allUpper
	initialUpper
)

// NewGazetteer compiles spec, checking ids, names and references.
func NewGazetteer(spec GazetteerSpec) (*Gazetteer, error) {
	g := &Gazetteer{index: map[string]int{}, kinds: map[string]Kind{}, root: map[string]*trieNode{},
		fingerprint: specFingerprint(spec)}
	if len(spec.Countries) > maxEntities || len(spec.Actors) > maxEntities {
		return nil, fmt.Errorf("tagger: gazetteer: at most %d countries and %d actors", maxEntities, maxEntities)
	}
	for kind, list := range map[Kind][]EntitySpec{KindCountry: spec.Countries, KindActor: spec.Actors} {
		for i, e := range list {
			if e.ID == "" || strings.ToLower(e.ID) != e.ID || strings.ContainsAny(e.ID, " \t") {
				return nil, fmt.Errorf("tagger: gazetteer: %s #%d: id %q must be lower case without spaces", kind, i+1, e.ID)
			}
			if _, dup := g.kinds[e.ID]; dup {
				return nil, fmt.Errorf("tagger: gazetteer: id %q is defined twice", e.ID)
			}
			if e.Name == "" {
				return nil, fmt.Errorf("tagger: gazetteer: %s has no name", e.ID)
			}
			g.kinds[e.ID] = kind
			g.index[e.ID] = i
		}
	}
	for _, e := range spec.Countries {
		g.countries = append(g.countries, briefing.Tag{ID: e.ID, Name: e.Name})
	}
	for _, e := range spec.Actors {
		g.actors = append(g.actors, briefing.Tag{ID: e.ID, Name: e.Name})
	}
	g.implies = make([]uint64, len(spec.Actors))
	for kind, list := range map[Kind][]EntitySpec{KindCountry: spec.Countries, KindActor: spec.Actors} {
		for i, e := range list {
			if err := g.addEntity(spec, kind, i, e); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range spec.Ignore {
		if err := g.add(a, hit{kind: kindIgnore}); err != nil {
			return nil, fmt.Errorf("tagger: gazetteer: ignore: %w", err)
		}
	}
	senses, err := compileSenses(spec.Senses)
	if err != nil {
		return nil, err
	}
	g.senses = senses
	g.countryOrder = sortedOrder(g.countries)
	g.actorOrder = sortedOrder(g.actors)
	return g, nil
}

// addEntity indexes the aliases of entity e (the i-th of its kind): its
// own, its state adjectives with the state nouns, its conditional ones.
func (g *Gazetteer) addEntity(spec GazetteerSpec, kind Kind, i int, e EntitySpec) error {
	if kind == KindActor {
		m, err := g.countryMask(e.Implies, e.ID+" implies")
		if err != nil {
			return err
		}
		g.implies[i] = m
	} else if len(e.Implies) > 0 {
		return fmt.Errorf("tagger: gazetteer: country %s cannot imply countries", e.ID)
	}
	for _, a := range e.Aliases {
		if err := g.add(a, hit{kind: kind, idx: i}); err != nil {
			return fmt.Errorf("tagger: gazetteer: %s: %w", e.ID, err)
		}
	}
	for _, adj := range e.StateAdjectives {
		for _, n := range spec.StateNouns {
			if err := g.add(adj+" "+n, hit{kind: kind, idx: i}); err != nil {
				return fmt.Errorf("tagger: gazetteer: %s: %w", e.ID, err)
			}
		}
		for _, n := range spec.StateNounsFR {
			if err := g.add(n+" "+adj, hit{kind: kind, idx: i}); err != nil {
				return fmt.Errorf("tagger: gazetteer: %s: %w", e.ID, err)
			}
		}
	}
	for _, c := range e.Conditional {
		when, err := g.countryMask(c.When, e.ID+" conditional when")
		if err != nil {
			return err
		}
		not, err := g.countryMask(c.Unless, e.ID+" conditional unless")
		if err != nil {
			return err
		}
		for _, a := range c.Aliases {
			if err := g.add(a, hit{kind: kind, idx: i, when: when, not: not}); err != nil {
				return fmt.Errorf("tagger: gazetteer: %s: %w", e.ID, err)
			}
		}
	}
	return nil
}

// countryMask is the mask of the country ids; what names the list in an
// error.
func (g *Gazetteer) countryMask(ids []string, what string) (uint64, error) {
	var m uint64
	for _, id := range ids {
		if g.kinds[id] != KindCountry {
			return 0, fmt.Errorf("tagger: gazetteer: %s: %q is not a country id", what, id)
		}
		m |= 1 << g.index[id]
	}
	return m, nil
}

func sortedOrder(tags []briefing.Tag) []int {
	order := make([]int, len(tags))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return tags[order[a]].ID < tags[order[b]].ID })
	return order
}

// inflections are the endings "word*" stands for: French gender and
// number, English plural.
var inflections = []string{"", "s", "e", "es", "ne", "nes"}

// add indexes one alias (with its expansions) under h.
func (g *Gazetteer) add(alias string, h hit) error {
	alias = strings.TrimSpace(alias)
	cased := strings.HasPrefix(alias, "=")
	alias = strings.TrimPrefix(alias, "=")
	if alias == "" {
		return errors.New("empty alias")
	}
	words := strings.Fields(alias)
	star := strings.HasSuffix(words[len(words)-1], "*")
	if star {
		words[len(words)-1] = strings.TrimSuffix(words[len(words)-1], "*")
	}
	endings := []string{""}
	if star {
		endings = inflections
	}
	base := strings.Join(words, " ")
	for _, end := range endings {
		toks := tokenize(base+end, &tokens{exactCase: true})
		if len(toks.spans) == 0 {
			return fmt.Errorf("alias %q has no words", alias)
		}
		hh := h
		if cased {
			hh.cased = make([]caseRule, len(toks.spans))
			for i, s := range toks.spans {
				switch {
				case s.upper:
					hh.cased[i] = allUpper
				case s.title:
					hh.cased[i] = initialUpper
				}
			}
		}
		n := g.root[toks.word(0)]
		if n == nil {
			n = &trieNode{}
			g.root[toks.word(0)] = n
		}
		for i := 1; i < len(toks.spans); i++ {
			if n.next == nil {
				n.next = map[string]*trieNode{}
			}
			child := n.next[toks.word(i)]
			if child == nil {
				child = &trieNode{}
				n.next[toks.word(i)] = child
			}
			n = child
		}
		n.hits = append(n.hits, hh)
	}
	return nil
}

// Countries lists the known countries in gazetteer order.
func (g *Gazetteer) Countries() []briefing.Tag { return append([]briefing.Tag(nil), g.countries...) }

// Actors lists the known actors in gazetteer order.
func (g *Gazetteer) Actors() []briefing.Tag { return append([]briefing.Tag(nil), g.actors...) }

// Name returns the display name of a country or actor id ("" if unknown).
func (g *Gazetteer) Name(id string) string {
	i, ok := g.index[id]
	switch {
	case !ok:
		return ""
	case g.kinds[id] == KindCountry:
		return g.countries[i].Name
	default:
		return g.actors[i].Name
	}
}

// KindOf says whether id is a country or an actor (0 if unknown).
func (g *Gazetteer) KindOf(id string) Kind { return g.kinds[id] }

func (k Kind) String() string {
	switch k {
	case KindCountry:
		return "country"
	case KindActor:
		return "actor"
	}
	return "ignore"
}

var (
	defaultGazetteer     *Gazetteer
	defaultGazetteerOnce sync.Once
)

// DefaultGazetteer returns the compiled built-in gazetteer.
func DefaultGazetteer() *Gazetteer {
	defaultGazetteerOnce.Do(func() {
		g, err := NewGazetteer(BuiltinGazetteerSpec())
		if err != nil {
			panic(err) // the embedded file is tested
		}
		defaultGazetteer = g
	})
	return defaultGazetteer
}
