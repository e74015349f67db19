package editdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "mali", 4},
		{"mali", "", 4},
		{"mali", "mali", 0},
		{"mail", "mali", 2},
		{"niger", "nigeria", 2},
		{"kitten", "sitting", 3},
		{"SAHELBRIEF_DB", "SAHELBRIEF_BD", 2},
		{"Ménaka", "Menaka", 1}, // runes, not bytes
		{"goïta", "goita", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}
