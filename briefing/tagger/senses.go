package tagger

import (
	"fmt"
	"strings"
)

// SenseSpec is another sense of a name the gazetteer uses: "Chad" the
// swimmer, "Mali" the GPU or the elephant. In a text that shows the other
// sense, the name tags nothing, wherever it appears in the text.
type SenseSpec struct {
	// Names are the words concerned, as aliases write them ("Chad").
	Names []string `yaml:"names"`
	// GivenName: followed by a capitalized word ("Chad Johnson") or a
	// particle and one ("Chad le Clos"), the name is a person's, unless
	// that word is in KeepBefore ("Chad Basin").
	GivenName  bool     `yaml:"given_name"`
	KeepBefore []string `yaml:"keep_before"`
	// Cues are words or phrases that, within cueReach words of the name,
	// show the other sense ("Mali GPU", "Arm Mali", "Mali, the elephant");
	// "=Arm" is case-sensitive.
	Cues []string `yaml:"cues"`
}

// sense is a compiled SenseSpec.
type sense struct {
	names      map[string]bool
	givenName  bool
	keepBefore map[string]bool
	cues       []cue
}

type cue struct {
	words []string
	title bool // every word must start with a capital
}

// particles join a given name to a surname: "Chad le Clos".
var particles = map[string]bool{"le": true, "la": true, "de": true, "du": true, "van": true, "von": true, "da": true, "di": true}

func compileSenses(specs []SenseSpec) ([]sense, error) {
	var out []sense
	for i, sp := range specs {
		s := sense{names: map[string]bool{}, givenName: sp.GivenName, keepBefore: map[string]bool{}}
		for _, n := range sp.Names {
			f := Fold(n)
			if f == "" || strings.Contains(f, " ") {
				return nil, fmt.Errorf("tagger: gazetteer: senses #%d: name %q must be one word", i+1, n)
			}
			s.names[f] = true
		}
		if len(s.names) == 0 {
			return nil, fmt.Errorf("tagger: gazetteer: senses #%d has no names", i+1)
		}
		for _, k := range sp.KeepBefore {
			s.keepBefore[Fold(k)] = true
		}
		for _, c := range sp.Cues {
			title := strings.HasPrefix(c, "=")
			words := strings.Fields(Fold(strings.TrimPrefix(c, "=")))
			if len(words) == 0 {
				return nil, fmt.Errorf("tagger: gazetteer: senses #%d: empty cue", i+1)
			}
			s.cues = append(s.cues, cue{words: words, title: title})
		}
		out = append(out, s)
	}
	return out, nil
}

// offSenses returns the folded names that name nothing in t, because t
// shows their other sense; nil when none.
func (g *Gazetteer) offSenses(t *tokens) map[string]bool {
	var off map[string]bool
	for si := range g.senses {
		s := &g.senses[si]
		if s.shown(t) {
			if off == nil {
				off = map[string]bool{}
			}
			for n := range s.names {
				off[n] = true
			}
		}
	}
	return off
}

// cueReach is how near a name a cue must be, in words.
const cueReach = 4

// shown reports whether t shows the other sense of s's names somewhere: a
// name is a given name, or a cue is near one.
func (s *sense) shown(t *tokens) bool {
	for i, sp := range t.spans {
		if sp.start == sp.end || !s.names[string(t.bytesOf(i))] {
			continue
		}
		if s.givenName && sp.title && s.beforeSurname(t, i+1) {
			return true
		}
		for _, c := range s.cues {
			if t.hasPhrase(c, max(0, i-cueReach-len(c.words)+1), min(len(t.spans), i+1+cueReach)) {
				return true
			}
		}
	}
	return false
}

// beforeSurname reports whether a surname starts at word i: a capitalized
// word (not one of keepBefore), or a particle and a capitalized word.
func (s *sense) beforeSurname(t *tokens, i int) bool {
	if i >= len(t.spans) || t.spans[i].start == t.spans[i].end {
		return false
	}
	w := string(t.bytesOf(i))
	if particles[w] && i+1 < len(t.spans) && t.spans[i+1].title && !t.spans[i+1].upper {
		return true
	}
	return t.spans[i].title && !t.spans[i].upper && !s.keepBefore[w]
}

// hasPhrase reports whether t holds the cue's words in a row within words
// [from, to).
func (t *tokens) hasPhrase(c cue, from, to int) bool {
	for i := from; i+len(c.words) <= to; i++ {
		ok := true
		for k, w := range c.words {
			sp := t.spans[i+k]
			if sp.start == sp.end || string(t.buf[sp.start:sp.end]) != w || c.title && !sp.title {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
