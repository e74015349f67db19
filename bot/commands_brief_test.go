package bot

import (
	"strings"
	"testing"
)

func TestDigestCommands(t *testing.T) {
	b, _ := newTestBot(t)
	cases := []struct {
		text string
		want []string // substrings of the titles expected, in sorted title order
	}{
		{"brief", []string{"Mali", "Niger", "Wagner"}},
		{"brief 48h", []string{"Burkina", "Mali", "Niger", "Wagner"}},
		{"BRIEF 2d", []string{"Burkina", "Mali", "Niger", "Wagner"}},
		{"country mali", []string{"Mali", "Wagner"}},
		{"country Burkinabè 3d", []string{"Burkina"}},
		{"country burkina faso 3d", []string{"Burkina"}},
		{"country Nigérien", []string{"Niger"}},
		{"actor wagner", []string{"Wagner"}},
		{"actor Africa Corps", []string{"Wagner"}},
		{"actor Goïta", []string{"Mali"}},
		{"actor france", []string{"Niger"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			r := ask(b, tc.text, false)
			if r.Err || r.Digest == nil {
				t.Fatalf("got %+v", r)
			}
			got := stories(r.Digest)
			if len(got) != len(tc.want) {
				t.Fatalf("stories %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("story %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}
