package store

import (
	"reflect"
	"testing"
	"time"
)

func TestSearchFTSAccentInsensitive(t *testing.T) {
	s := openMem(t)
	saved := save(t, s,
		fetched("rfi-afrique", base,
			newsItem("rfi-afrique", "rfi-goita", "https://www.rfi.fr/goita",
				"Assimi Goïta à Ménaka", "Le chef de la junte malienne s’est rendu dans le nord-est.", base),
		),
		fetched("actuniger", base,
			newsItem("actuniger", "an-tillaberi", "https://www.actuniger.com/tillaberi",
				"Niger : situation sécuritaire", "Nouvelles attaques dans la région de Tillabéri, près de Téra.", base.Add(-time.Hour)),
			newsItem("actuniger", "an-niamey", "https://www.actuniger.com/niamey",
				"Niamey : hausse du prix du riz", "Les commerçants de la capitale s’inquiètent.", base.Add(-2*time.Hour)),
		),
	)
	goita, tillaberi := saved[0].New[0].ID, saved[1].New[0].ID
	tests := []struct {
		query string
		want  []int64
	}{
		{"goita", []int64{goita}},
		{"GOITA", []int64{goita}},
		{"Goïta", []int64{goita}},
		{"menaka", []int64{goita}},
		{"Ménaka", []int64{goita}},
		{"assimi AND menaka", []int64{goita}},
		{`"goita a menaka"`, []int64{goita}}, // the phrase, "à" folded to "a"
		{"tillaberi", []int64{tillaberi}},
		{"TILLABÉRI", []int64{tillaberi}},
		{"tillab*", []int64{tillaberi}},
		{"tera", []int64{tillaberi}},
		{"securitaire", []int64{tillaberi}},
		{"summary:tillaberi", []int64{tillaberi}},
		{"title:tillaberi", nil},
		{"goita OR tillaberi", []int64{goita, tillaberi}}, // newest first
		{"bamako", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := search(t, s, tt.query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SearchFTS(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	if got, err := s.SearchFTS(t.Context(), "goita OR tillaberi", 1); err != nil || !reflect.DeepEqual(got, []int64{goita}) {
		t.Errorf("SearchFTS limit 1 = %v, %v; want [%d]", got, err, goita)
	}
}
