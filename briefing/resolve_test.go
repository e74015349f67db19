package briefing

import "testing"

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
