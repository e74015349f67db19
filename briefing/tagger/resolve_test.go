package tagger

import (
	"errors"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	g := DefaultGazetteer()
	cases := []struct {
		kind    Kind
		text    string
		want    string // id, or "" for no match
		suggest string // first suggestion when no match
	}{
		{KindCountry, "mali", "mali", ""},
		{KindCountry, "Burkinabè", "burkina-faso", ""},
		{KindCountry, "burkina-faso", "burkina-faso", ""},
		{KindCountry, "Niger", "niger", ""},
		{KindCountry, "Nigérien", "niger", ""},
		{KindCountry, "Tchad", "chad", ""},
		{KindCountry, "Goïta", "", ""},
		{KindCountry, "Malli", "", "mali"},
		{KindCountry, "burkino", "", "burkina-faso"},
		{KindActor, "wagner", "wagner", ""},
		{KindActor, "Goïta", "assimi-goita", ""},
		{KindActor, "JNIM", "jnim", ""},
		{KindActor, "CEDEAO", "ecowas", ""},
		{KindActor, "Africa Corps", "wagner", ""},
		{KindActor, "wagnr", "", "wagner"},
		{KindActor, "EIGS", "is-sahel", ""}, // a case-sensitive alias, as typed
		{KindActor, "eigs", "is-sahel", ""},
		{KindActor, "issp", "is-sahel", ""},
		{KindActor, "Traoré", "ibrahim-traore", ""}, // a surname the tagger reads only in context
		{KindActor, "traore", "ibrahim-traore", ""},
		{KindActor, "ecowa", "", "ecowas"},
	}
	for _, tc := range cases {
		tag, ok, sugg := g.Resolve(tc.kind, tc.text)
		switch {
		case tc.want != "" && (!ok || tag.ID != tc.want):
			t.Errorf("Resolve(%s, %q) = %v %v, want %s", tc.kind, tc.text, tag, ok, tc.want)
		case tc.want == "" && ok:
			t.Errorf("Resolve(%s, %q) matched %s, want no match", tc.kind, tc.text, tag.ID)
		case tc.suggest != "" && (len(sugg) == 0 || sugg[0].ID != tc.suggest):
			t.Errorf("Resolve(%s, %q) suggests %v, want %s first", tc.kind, tc.text, sugg, tc.suggest)
		}
	}
}

// A surname two people share is a question, not a guess.
func TestResolveAmbiguousSurname(t *testing.T) {
	ext, err := ParseGazetteer([]byte(`actors:
  - id: amadou-traore
    name: Amadou Traoré
    aliases: [Amadou Traoré]
    conditional:
      - aliases: [Traoré]
        when: [mali]
`))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGazetteer(BuiltinGazetteerSpec().Merge(ext))
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.ResolveName(KindActor, "Traoré")
	var ne *NameError
	if !errors.As(err, &ne) || !ne.Ambiguous || len(ne.Suggestions) != 2 {
		t.Fatalf("ResolveName(Traoré) = %v, want a question between the two", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "Ibrahim Traoré (ibrahim-traore)") || !strings.Contains(msg, "Amadou Traoré (amadou-traore)") ||
		!strings.Contains(msg, "which one?") {
		t.Errorf("message %q", msg)
	}
	if tag, err := g.ResolveName(KindActor, "Amadou Traoré"); err != nil || tag.ID != "amadou-traore" {
		t.Errorf("the full name: %v %v", tag, err)
	}
	_, err = g.ResolveName(KindActor, "wagnr")
	if !errors.As(err, &ne) || ne.Ambiguous || !strings.Contains(err.Error(), `no actor called "wagnr"; did you mean Wagner`) {
		t.Errorf("unknown: %v", err)
	}
}
