package query

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query/querytest"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

func TestParseQueryErrors(t *testing.T) {
	g := tagger.DefaultGazetteer()
	tests := []struct {
		name, q string
		want    []string // substrings of the message
	}{
		{"empty", "", []string{"empty"}},
		{"blank", "   \t ", []string{"empty"}},
		{"only negations", "-wagner -country:mali", []string{"only excludes", "-wagner"}},
		{"no letters", "*** ;;", []string{"no letters"}},
		{"unclosed quote", `coup "d'état`, []string{"never closed", `"d'état`}},
		{"unclosed field quote", `country:"Burkina`, []string{"never closed"}},
		{"OR at start", "OR putsch", []string{"OR at the start"}},
		{"OR at end", "putsch OR", []string{"OR at the end"}},
		{"double OR", "putsch OR OR coup", []string{"OR OR"}},
		{"lone dash", "coup - wagner", []string{`lone "-"`}},
		{"lone dash at end", "coup -", []string{`lone "-"`}},
		{"negation in OR", "coup OR -wagner", []string{"-wagner", "OR group"}},
		{"negation before OR", "-wagner OR coup", []string{"-wagner", "OR group"}},
		{"unknown country", "country:Malli", []string{`unknown country "Malli"`, "did you mean", "country:mali"}},
		{"unknown actor", "actor:wagnr", []string{`unknown actor "wagnr"`, "actor:wagner"}},
		{"country as actor", "actor:Mali", []string{`unknown actor "Mali"`, "country:mali"}},
		{"empty field", "country:", []string{"country: needs a value"}},
		{"unknown field", "source:rfi", []string{`unknown field "source:"`, "country: and actor:"}},
		{"too long", strings.Repeat("a", 201), []string{"201 characters", "200"}},
		{"too many terms", strings.Repeat("junta ", 21), []string{"21 terms", "20"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.q, g)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.q, q)
			}
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %T is not *Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(qe.Message, w) {
					t.Errorf("message %q lacks %q", qe.Message, w)
				}
			}
		})
	}
	// The limits themselves are fine.
	for _, q := range []string{strings.Repeat("a", 200), strings.TrimSpace(strings.Repeat("junta ", 20)), strings.Repeat("é", 200)} {
		if _, err := Parse(q, g); err != nil {
			t.Errorf("Parse(%.20q...) = %v", q, err)
		}
	}
}

func TestQueryStringAndTags(t *testing.T) {
	g := tagger.DefaultGazetteer()
	tests := []struct {
		q, str            string
		countries, actors []string
	}{
		{`"coup d'État" OR Putsch Country:Mali -Wagner`, `"coup d etat" OR putsch country:mali -wagner`, []string{"mali"}, []string{}},
		{`country:"Burkina Faso" actor:Goïta actor:CEDEAO`, `country:burkina-faso actor:assimi-goita actor:ecowas`, []string{"burkina-faso"}, []string{"assimi-goita", "ecowas"}},
		{`country:Burkinabè`, `country:burkina-faso`, []string{"burkina-faso"}, []string{}},
		{`country:mali OR country:niger junte`, `country:mali OR country:niger junte`, []string{}, []string{}},
		{`“coup d’état”  l'armée`, `"coup d etat" "l armee"`, []string{}, []string{}},
		{`junta OR junta OR junte`, `junta OR junte`, []string{}, []string{}},
		{`-actor:wagner mali`, `-actor:wagner mali`, []string{}, []string{}},
		{`'; DROP TABLE items;--`, `drop table items`, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := Parse(tt.q, g)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := q.Countries(); !slices.Equal(got, tt.countries) {
				t.Errorf("Countries() = %q, want %q", got, tt.countries)
			}
			if got := q.Actors(); !slices.Equal(got, tt.actors) {
				t.Errorf("Actors() = %q, want %q", got, tt.actors)
			}
			q2, err := Parse(q.String(), g)
			if err != nil || q2.String() != q.String() {
				t.Errorf("String() does not parse back: %v, %v", q2, err)
			}
		})
	}
}

func TestQueryMatch(t *testing.T) {
	g := tagger.DefaultGazetteer()
	tests := []struct {
		q    string
		want []int // indexes into queryItems
	}{
		{"junta", []int{1}},
		{"juntas", []int{4}},
		{"JUNTE", []int{0}},
		{"goita", []int{0}},
		{"Goïta", []int{0}},
		{"etat", []int{0, 3}},
		{`"coup d'état"`, []int{0, 3}},
		{`"coup d etat"`, []int{0, 3}},
		{`coup-d'état`, []int{0, 3}},
		{`"d'état coup"`, nil},
		{`"the july coup"`, []int{1}},
		{`"expels french troops"`, []int{1}},
		{`"troops niamey"`, nil},     // title and summary do not join
		{`"memoires les"`, []int{0}}, // a phrase crosses a full stop, as a full-text index phrase does
		{"niger", []int{1, 4}},
		{"nigeria", []int{2}},
		{"coup junta", []int{1}},
		{"putsch OR junta", []int{1, 3}},
		{"putsch OR junta OR junte", []int{0, 1, 3}},
		{"putsch OR junta sanctions", nil},
		{"juntas OR junta sanctions", []int{4}},
		{"coup -wagner", []int{1, 3}},
		{`coup -"coup d'etat"`, []int{1}},
		{"country:mali", []int{0, 4}},
		{"country:mali -country:niger", []int{0}},
		{"country:niger", []int{1, 4}},
		{"country:nigeria", []int{2, 4}},
		{"actor:wagner", []int{0}},
		{"actor:CEDEAO sanctions", []int{4}},
		{"country:mali OR actor:boko-haram", []int{0, 2, 4}},
		{"attack OR putsch -country:nigeria", []int{3}},
		{"*** junta", []int{1}},
		{"12", []int{2}},
		{"kill", nil},
	}
	prepared := make([]*MatchText, len(querytest.Items))
	for i := range querytest.Items {
		prepared[i] = NewMatchText(&querytest.Items[i])
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := Parse(tt.q, g)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i := range querytest.Items {
				m := q.Match(&querytest.Items[i])
				if m != q.MatchPrepared(prepared[i]) {
					t.Errorf("item %d: Match and MatchPrepared disagree", i)
				}
				if m {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s matches items %v, want %v", q, got, tt.want)
			}
		})
	}
}

// TestQueryTextClauses: the words and phrases a full-text index narrows
// by, as typed; clauses with a tag are left out.
func TestQueryTextClauses(t *testing.T) {
	g := tagger.DefaultGazetteer()
	q, err := Parse(`"coup d'État" OR Putsch country:mali OR junte junta -Wagner -actor:wagner`, g)
	if err != nil {
		t.Fatal(err)
	}
	want := []TextClause{
		{Alternatives: [][]string{{"coup", "d", "etat"}, {"putsch"}}},
		{Alternatives: [][]string{{"junta"}}},
		{Alternatives: [][]string{{"wagner"}}, Exclude: true},
	}
	if got := q.TextClauses(); !reflect.DeepEqual(got, want) {
		t.Errorf("TextClauses() = %v, want %v", got, want)
	}
	q, err = Parse(`country:mali -actor:wagner`, g)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.TextClauses(); len(got) != 0 {
		t.Errorf("tags only: TextClauses() = %v, want none", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "junta", `"coup d'état" OR putsch country:mali -wagner`, `country:"Burkina Faso"`,
		"actor:Goïta", "actor:CEDEAO", `"unclosed`, "OR", "a OR OR b", "-", "- a", "source:x",
		`NEAR("a" "b", 2)`, `a* ^b c:d`, `'; DROP TABLE items;--`, `"a""b"`, "«Niger» “Mali”",
		"cœur Straße U.S.", "a\x00b", "\xff\xfe", "-\"\"", "x:\"\"", "a OR -b", strings.Repeat("é ", 21),
	} {
		f.Add(s)
	}
	g := tagger.DefaultGazetteer()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s, g)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) || qe.Message == "" {
				t.Fatalf("Parse(%q): %v is not a *Error with a message", s, err)
			}
			return
		}
		if canon := q.String(); len([]rune(canon)) <= MaxLen {
			q2, err := Parse(canon, g)
			if err != nil || q2.String() != canon {
				t.Fatalf("String() %q does not parse back: %v", canon, err)
			}
		}
		for i := range querytest.Items {
			q.Match(&querytest.Items[i])
		}
	})
}

func BenchmarkMatch10kSubscriptions(b *testing.B) {
	g := tagger.DefaultGazetteer()
	words := []string{"junta", "putsch", "coup", "election", "sanctions", "wagner", "attack", "drone",
		"referendum", "transition", "jihadistes", "enlèvement", "manifestation", "uranium", "or", "mine"}
	phrases := []string{`"coup d'état"`, `"état d'urgence"`, `"africa corps"`, `"security forces"`, `"armée malienne"`}
	countries := []string{"mali", "niger", "burkina-faso", "chad", "guinea", "nigeria"}
	actors := []string{"wagner", "jnim", "ecowas", "aes", "is-sahel"}
	queries := make([]*Query, 0, 10000)
	for i := 0; len(queries) < 10000; i++ {
		var text string
		switch i % 5 {
		case 0:
			text = words[i%len(words)] + " country:" + countries[i%len(countries)]
		case 1:
			text = phrases[i%len(phrases)] + " OR " + words[(i/5)%len(words)]
		case 2:
			text = "actor:" + actors[i%len(actors)] + " -" + words[(i/3)%len(words)]
		case 3:
			text = words[i%len(words)] + " " + words[(i/7)%len(words)]
		default:
			text = "country:" + countries[i%len(countries)] + " " + phrases[(i/5)%len(phrases)]
		}
		q, err := Parse(text, g)
		if err != nil {
			b.Fatal(text, err)
		}
		queries = append(queries, q)
	}
	it := &briefing.Item{
		Title:     "Burkina Faso : l'armée annonce avoir repoussé une attaque près de Djibo",
		Summary:   "Selon un communiqué lu à la télévision nationale, les forces de défense ont neutralisé des dizaines de terroristes. Le capitaine Ibrahim Traoré a salué les soldats.",
		Countries: []string{"burkina-faso"}, Actors: []string{"ibrahim-traore"},
	}
	m := NewMatchText(it)
	matched := 0
	for b.Loop() {
		matched = 0
		for _, q := range queries {
			if q.MatchPrepared(m) {
				matched++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(queries)), "ns/query")
	_ = fmt.Sprint(matched)
}
