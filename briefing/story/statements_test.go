package story

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// Two pairwise rules tried for issue 9 and not adopted, kept here as a
// diagnostic (STORY_EVAL_STATEMENTS=1) so that the next attempt starts
// from their figures:
//
//   - acting state: the state a title opens with by its name ("Niger cuts
//     ties with Ukraine"; not a demonym, a town or "au Burkina Faso") must
//     be named by the other report when it names any state;
//   - statement: a title that is a statement about an event (condemns,
//     rejects, denies, welcomes, backs, responds, "sans fondement", "to
//     appeal", "notifie officiellement"…) is not the event.
//
// Both as vetoes took the tuning half from P 0.950 R 0.739 to 0.976 / 0.739
// (EN–FR 0.918 → 0.955); the test half went from 0.838 / 0.824 to
// 0.839 / 0.806 (EN–EN 0.918 / 0.861, FR–FR 0.838 / 0.721, EN–FR
// 0.781 / 0.817, near-miss groups 0.826 / 0.805): 4 wrong pairs fewer for 16
// right ones, so the engine does without them. The tuning half's wrong
// links are a few chains these rules cut; the test half's are others.

// reactionWords are the statement words tried.
var reactionWords = []string{"condemn*", "denounce*", "fustig*", "reject*", "rejette*", "rejettent", "denies", "deny",
	"denied", "dement*", "welcome*", "salue*", "saluent", "hail*", "reacts", "react", "reaction*", "reagit",
	"reagissent", "backs", "backing", "soutient", "soutiennent", "responds", "respond", "repond*", "sans fondement",
	"unfounded", "baseless", "to appeal", "will appeal", "fera appel", "faire appel", "interjeter appel",
	"formally notif*", "officially notif*", "notifie officiellement", "notifient officiellement", "notification",
	"deplor*", "regrets", "regrette*", "condolence*", "condoleance*", "congratulat*", "felicit*", "refute*",
	"expresses concern"}

// statement is what the two rules read of a report.
type statement struct {
	subject  string   // the state the title opens with by its name
	named    []string // the states the title and the summary's head name, with where
	reaction bool
}

func (e *Engine) statementOf(t testing.TB, d Doc, f *features, reactions *matcher) statement {
	t.Helper()
	if strings.TrimSpace(d.Title) == "" {
		d.Title, d.Summary = firstSentence(d.Summary)
	}
	if n := e.dateline(d.Title); n > 0 {
		d.Title = d.Title[n:]
	}
	title := texts(tagger.Words(d.Title))
	summary := texts(tagger.Words(d.Summary))
	head := summary[:min(len(summary), partiesReach)]
	tm := e.gaz.Mentions(d.Title, d.Summary)
	sm := e.gaz.Mentions(d.Summary, d.Title)
	s := statement{reaction: reactions.has(title), subject: e.diagSubject(title, tm)}
	add := func(id string) {
		if id != "" && !slices.Contains(s.named, id) {
			s.named = append(s.named, id)
		}
	}
	add(f.where)
	for _, part := range []struct {
		words []string
		ms    []tagger.Mention
	}{{title, tm}, {head, sm}} {
		for _, m := range part.ms {
			if m.End > len(part.words) {
				continue
			}
			if m.Kind == tagger.KindCountry {
				add(m.ID)
			} else {
				for _, c := range e.gaz.Implies(m.ID) {
					add(c)
				}
			}
		}
		e.lex.states.find(part.words, func(_, _ int, v int32) { add(e.lex.stateIDs[v]) })
	}
	return s
}

func (e *Engine) diagSubject(words []string, ms []tagger.Mention) string {
	first, at, end := "", len(words), 0
	for _, m := range ms {
		if m.Kind == tagger.KindCountry && m.Start < at {
			first, at, end = m.ID, m.Start, m.End
		}
	}
	e.lex.states.find(words, func(start, stop int, v int32) {
		if start < at {
			first, at, end = e.lex.stateIDs[v], start, stop
		}
	})
	if first == "" || first == "un" || diagDemonym(words[end-1]) {
		return ""
	}
	town := false
	e.places.byName.find(words[at:end], func(start, stop int, _ int32) { town = town || start == 0 && stop == end-at })
	locative := map[string]bool{"in": true, "en": true, "au": true, "aux": true, "dans": true, "a": true, "at": true}
	if town || at > 0 && locative[words[at-1]] {
		return ""
	}
	n := 0
	for _, w := range words[:at] {
		if w != "" && !e.lex.stop[w] {
			n++
		}
	}
	if n > 3 {
		return ""
	}
	return first
}

func diagDemonym(w string) bool {
	switch w {
	case "russe", "russes", "suisse", "suisses", "turc", "turcs", "belge", "belges", "swiss", "dutch":
		return true
	}
	for _, suf := range []string{"ian", "ians", "ien", "iens", "ienne", "iennes", "yen", "yens", "yenne", "ais", "aise",
		"aises", "ois", "oise", "oises", "ese", "ish", "ain", "ains", "aine", "aines", "een", "eens", "eenne", "ench",
		"can", "cans", "ique", "iques", "abe", "abes"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+1 {
			return true
		}
	}
	return false
}

func (e *Engine) sameActorDiag(a, b statement, fa, fb *features) bool {
	names := func(s statement, f *features, id string) bool {
		return id == "" || len(s.named) == 0 || slices.Contains(s.named, id) || e.countryBit(id)&f.whereMask != 0
	}
	return names(b, fb, a.subject) && names(a, fa, b.subject)
}

// TestEvalStatements counts, on the tuning half, the direct links each rule
// would cut between reports of different events (wrong links) and of one
// event (right ones), and lists them.
func TestEvalStatements(t *testing.T) {
	e, rows, fs := tuneFeatures(t, "STORY_EVAL_STATEMENTS")
	reactions := newMatcher()
	if err := reactions.addAll(reactionWords, 0); err != nil {
		t.Fatal(err)
	}
	st := make([]statement, len(rows))
	for i, r := range rows {
		st[i] = e.statementOf(t, r.doc(), fs[i], reactions)
	}
	for _, same := range []bool{false, true} {
		cut := map[string]int{}
		eachPair(rows, same, func(i, j int) {
			if !e.linked(fs[i], fs[j]) {
				return
			}
			var why []string
			if st[i].reaction != st[j].reaction {
				why = append(why, "statement")
			}
			if !e.sameActorDiag(st[i], st[j], fs[i], fs[j]) {
				why = append(why, "actor")
			}
			for _, w := range why {
				cut[w]++
			}
			if len(why) > 0 {
				t.Logf("same event %v, cut by %v\n    %q %v %v | %s\n    %q %v %v | %s", same, why,
					st[i].subject, st[i].named, st[i].reaction, titleOf(rows[i]),
					st[j].subject, st[j].named, st[j].reaction, titleOf(rows[j]))
			}
		})
		t.Logf("direct links between reports of one event %v cut: %v", same, cut)
	}
}

// TestEvalShared lists, under STORY_EVAL_SHARED=1, the pairs of reports of
// different events in two languages (tuning half) that score from 0.12,
// with what they share and its share of the cosine: what an EN↔FR link
// between two events rests on.
func TestEvalShared(t *testing.T) {
	if os.Getenv("STORY_EVAL_SHARED") == "" {
		t.Skip("set STORY_EVAL_SHARED=1")
	}
	termNames = map[uint64]string{}
	defer func() { termNames = nil }()
	e, rows, fs := tuneFeatures(t, "STORY_EVAL_SHARED")
	eachPair(rows, false, func(i, j int) {
		a, b := fs[i], fs[j]
		if rows[i].Lang == rows[j].Lang {
			return
		}
		if s := e.similar(a, b); s >= 0.12 {
			c, _ := cosine(a, b)
			t.Logf("%.2f (cosine %.2f) linked %v\n    %s | %s\n    %s | %s\n    %s", s, c, e.linked(a, b),
				rows[i].Event, titleOf(rows[i]), rows[j].Event, titleOf(rows[j]), sharedTerms(a, b))
		}
	})
}

func sharedTerms(a, b *features) string {
	var out []string
	i, j := 0, 0
	for i < len(a.terms) && j < len(b.terms) {
		x, y := a.terms[i], b.terms[j]
		switch {
		case x.key < y.key:
			i++
		case x.key > y.key:
			j++
		default:
			out = append(out, fmt.Sprintf("%s=%.2f", termNames[x.key], x.w*y.w/(a.norm*b.norm)))
			i++
			j++
		}
	}
	return strings.Join(out, " ")
}
