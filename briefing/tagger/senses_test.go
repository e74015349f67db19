package tagger

import (
	"slices"
	"testing"
)

// Other senses of country names tag nothing; the country senses still do.
func TestTaggerSenses(t *testing.T) {
	g := DefaultGazetteer()
	tests := []struct {
		title, summary string
		want           []string // countries
	}{
		{"Chad Michael Murray calls new series 'fast and thrilling'", "", []string{}},
		{"Golden boy Chad shatters 200m fly Games record", "Chad le Clos has won gold for South Africa.", []string{}},
		{"Mali GPU 'patch gap' leaves Android users vulnerable", "Arm's Mali GPU driver remains unfixed.", []string{}},
		{"Mali, resident elephant at Manila Zoo, dies", "", []string{}},
		{"Au Nigeria, 27 élèves enlevés à Kagara", "Dans l'Etat du Niger, dans le nord-ouest.", []string{"nigeria"}},
		// The country senses stay.
		{"Chad Basin: Boko Haram attacks army post", "", []string{"chad"}},
		{"Chad President Déby visits troops", "", []string{"chad"}},
		{"Chad's army says 40 soldiers killed", "", []string{"chad"}},
		{"Mali: army says 20 jihadists killed near Gao", "", []string{"mali"}},
		{"Junta in Mali bans Android app used by jihadists", "", []string{"mali"}},
		{"Zoo animals die as heatwave hits Bamako, Mali", "", []string{"mali"}}, // Bamako names Mali anyway
	}
	for _, tt := range tests {
		got, _ := g.Tag(tt.title, tt.summary)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q / %q: countries %v, want %v", tt.title, tt.summary, got, tt.want)
		}
	}
}
