// Package querytest holds the items the query language's tests and the
// store's search tests share.
package querytest

import "github.com/sahelbrief/sahelbrief/briefing"

// Items are realistic items, tagged by hand so that tests of queries (the
// query language, the store's full-text search) do not depend on the
// tagger.
var Items = []briefing.Item{
	{ // 0
		Title:     "Mali : la junte d'Assimi Goïta dissout les partis politiques",
		Summary:   "À Bamako, le coup d'État de 2021 reste dans les mémoires. Les mercenaires russes de Wagner sont toujours présents.",
		Countries: []string{"mali", "russia"}, Actors: []string{"assimi-goita", "wagner"},
	},
	{ // 1
		Title:     "Niger junta expels French troops",
		Summary:   "Niamey's military rulers, in power since the July coup, ordered the soldiers out. Junta leader Abdourahamane Tiani spoke on TV.",
		Countries: []string{"france", "niger"}, Actors: []string{"abdourahamane-tiani"},
	},
	{ // 2
		Title:     "Nigeria: Boko Haram attack kills 12 in Borno",
		Summary:   "Gunmen attacked a village near Maiduguri, officials said.",
		Countries: []string{"nigeria"}, Actors: []string{"boko-haram"},
	},
	{ // 3
		Title:     "Burkina Faso : un putsch manqué à Ouagadougou",
		Summary:   "Le capitaine Ibrahim Traoré affirme avoir déjoué une tentative de coup d'Etat.",
		Countries: []string{"burkina-faso"}, Actors: []string{"ibrahim-traore"},
	},
	{ // 4
		Title:     "ECOWAS summit: leaders weigh sanctions on Sahel juntas",
		Summary:   "The bloc's heads of state met in Abuja. Mali, Niger and Burkina Faso have left the organisation.",
		Countries: []string{"burkina-faso", "mali", "niger", "nigeria"}, Actors: []string{"ecowas"},
	},
}
