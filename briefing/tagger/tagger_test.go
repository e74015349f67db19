package tagger

import (
	"reflect"
	"strings"
	"testing"
)

// TestTaggerRules checks each rule users expect, one phrase at a time.
// These are rule probes, not headlines: the evaluation uses real ones.
func TestTaggerRules(t *testing.T) {
	g := DefaultGazetteer()
	cases := []struct {
		name              string
		text              string
		countries, actors []string
	}{
		{"accents optional", "Assimi Goita et Goïta à Ménaka, Menaka", []string{"mali"}, []string{"assimi-goita"}},
		{"case-insensitive", "BAMAKO ET NIAMEY", []string{"mali", "niger"}, nil},
		{"Tiani and Tchiani", "General Tchiani met Tiani's ministers", []string{"niger"}, []string{"abdourahamane-tiani"}},
		{"Burkinabè spellings", "les Burkinabè, burkinabé, Burkinabe", []string{"burkina-faso"}, nil},
		{"Nigérien", "les soldats nigériens", []string{"niger"}, nil},
		{"CEDEAO", "la Cedeao et la CEDEAO", nil, []string{"ecowas"}},
		{"GSIM and EIGS", "le GSIM et l'EIGS", nil, []string{"is-sahel", "jnim"}},
		{"ONU", "l'ONU au Sahel", nil, []string{"un"}},
		{"demonyms and capitals", "tchadien, N'Djamena, Conakry, Ouagadougou, Djibo, Kidal, Tombouctou, Timbuktu",
			[]string{"burkina-faso", "chad", "guinea", "mali"}, nil},
		{"Niger is not Nigeria", "Niger and Nigeria", []string{"niger", "nigeria"}, nil},
		{"Nigerien is not Nigerian", "a Nigerian official", []string{"nigeria"}, nil},
		{"Niger State is Nigeria", "bandits in Niger State", []string{"nigeria"}, nil},
		{"Niger Delta is Nigeria", "oil spills in the Niger Delta", []string{"nigeria"}, nil},
		{"Niger state TV is Niger", "Niger state television said", []string{"niger"}, nil},
		{"the Niger River is no country", "floods along the Niger River", nil, nil},
		{"le fleuve Niger", "la crue du fleuve Niger", nil, nil},
		{"Somalia is not Mali", "Somalia and Somaliland", nil, nil},
		{"Guinea-Bissau with hyphen", "Guinea-Bissau votes", []string{"guinea-bissau"}, nil},
		{"Guinea Bissau without hyphen", "Guinea Bissau votes", []string{"guinea-bissau"}, nil},
		{"Equatorial Guinea", "Equatorial Guinea and Papua New Guinea", nil, nil},
		{"Gulf of Guinea", "piracy in the Gulf of Guinea", nil, nil},
		{"guinea pigs", "guinea pigs escaped", nil, nil},
		{"Guinea is Guinea", "Guinea's junta in Conakry", []string{"guinea"}, nil},
		{"South Sudan is not Sudan", "South Sudan's president", nil, nil},
		{"French nationality is not France", "a French journalist was freed", nil, nil},
		{"French troops are France", "French troops leave Niger", []string{"niger"}, []string{"france"}},
		{"armée française", "le départ de l'armée française", nil, []string{"france"}},
		{"France 24 is a medium", "France 24 reported, citing RFI and AFP", nil, nil},
		{"French language", "speaks French and Bambara", nil, nil},
		{"Turkish-made drones", "Turkish-made drones for Mali", []string{"mali"}, nil},
		{"Turkey the state", "Turkey signs a defence pact", nil, []string{"turkey"}},
		{"turkey the bird", "turkey dinner", nil, nil},
		{"Russian mercenaries are Wagner", "Russian mercenaries in Mali", []string{"mali"}, []string{"wagner"}},
		{"Africa Corps is Wagner", "Africa Corps arrives in Niamey", []string{"niger"}, []string{"wagner"}},
		{"Russia the state", "Russia and Mali sign", []string{"mali"}, []string{"russia"}},
		{"RT is a medium", "Russia Today reported", nil, nil},
		{"AQIM is not JNIM", "AQIM claimed the attack", nil, nil},
		{"JNIM", "JNIM claimed the attack", nil, []string{"jnim"}},
		{"IS in the Sahel", "Islamic State fighters attacked in Ménaka", []string{"mali"}, []string{"is-sahel"}},
		{"IS in Nigeria is ISWAP", "Islamic State fighters attacked in Borno", []string{"nigeria"}, []string{"iswap"}},
		{"IS in Syria is neither", "Islamic State fighters in Syria", nil, nil},
		{"ISWAP", "ISWAP and Boko Haram clash", nil, []string{"boko-haram", "iswap"}},
		{"US acronym", "US troops leave Agadez", []string{"niger"}, []string{"united-states"}},
		{"us pronoun", "tell us more", nil, nil},
		{"U.S. dotted", "the U.S. embassy", nil, []string{"united-states"}},
		{"UN acronym vs French article", "un soldat de l'UN", nil, []string{"un"}},
		{"shouting headline", "LE MALI A UN NOUVEAU PRÉSIDENT", []string{"mali"}, nil},
		{"AES", "the AES confederation", nil, []string{"aes"}},
		{"Alliance des États du Sahel", "l'Alliance des Etats du Sahel", nil, []string{"aes"}},
		{"Traoré needs Burkina", "Moussa Traoré, former Malian president", []string{"mali"}, nil},
		{"Traoré in Burkina", "Captain Traoré in Ouagadougou; Traoré said", []string{"burkina-faso"}, []string{"ibrahim-traore"}},
		{"Idriss Déby is not Mahamat", "Idriss Déby died in 2021", nil, nil},
		{"Mahamat Déby", "Mahamat Idriss Déby Itno", []string{"chad"}, []string{"mahamat-deby"}},
		{"MINUSMA implies Mali", "MINUSMA leaves", []string{"mali"}, []string{"minusma"}},
		{"peacekeepers in Mali", "peacekeepers left Mali", []string{"mali"}, []string{"minusma"}},
		{"peacekeepers elsewhere", "peacekeepers in Lebanon", nil, nil},
		{"rebels in Mali", "the rebels took Kidal", []string{"mali"}, []string{"tuareg-rebels"}},
		{"rebels elsewhere", "rebels in Sudan", []string{"sudan"}, nil},
		{"punctuation breaks phrases", "Niger. State officials", []string{"niger"}, nil},
		{"France as a place", "a fire in southern France", nil, nil},
		{"zero-width and apostrophes", "l’armée\u200b malienne", []string{"mali"}, nil},
		{"empty", "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, a := g.Tag(tc.text, "")
			if !reflect.DeepEqual(c, orEmpty(tc.countries)) || !reflect.DeepEqual(a, orEmpty(tc.actors)) {
				t.Errorf("Tag(%q) = %v %v, want %v %v", tc.text, c, a, orEmpty(tc.countries), orEmpty(tc.actors))
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestTagTitleAndSummaryDoNotJoin(t *testing.T) {
	// "Niger" ends the title, "State" starts the summary: no "Niger State".
	c, _ := DefaultGazetteer().Tag("Coup in Niger", "State media said")
	if !reflect.DeepEqual(c, []string{"niger"}) {
		t.Errorf("got %v", c)
	}
}

func TestGazetteerExtend(t *testing.T) {
	ext, err := ParseGazetteer([]byte(`
countries:
  - id: mali
    aliases: [Hombori, Sévaré]
actors:
  - id: fama
    name: Malian Armed Forces
    aliases: [=FAMa, Forces armées maliennes]
    implies: [mali]
`))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGazetteer(BuiltinGazetteerSpec().Merge(ext))
	if err != nil {
		t.Fatal(err)
	}
	c, a := g.Tag("Les FAMa à Sévaré", "")
	if !reflect.DeepEqual(c, []string{"mali"}) || !reflect.DeepEqual(a, []string{"fama"}) {
		t.Errorf("got %v %v", c, a)
	}
	if g.Name("fama") != "Malian Armed Forces" || g.KindOf("fama") != KindActor {
		t.Errorf("new actor not registered")
	}
}

func TestGazetteerErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"actors:\n  - id: Bad Id\n    name: x\n    aliases: [x]\n", "must be lower case"},
		{"actors:\n  - id: mali\n    name: x\n    aliases: [x]\n", "defined twice"},
		{"actors:\n  - id: x\n    aliases: [x]\n", "has no name"},
		{"actors:\n  - id: x\n    name: X\n    aliases: [x]\n    implies: [wagner]\n", "not a country id"},
		{"actors:\n  - id: x\n    name: X\n    aliases: [\"\"]\n", "empty alias"},
		{"actorz: []\n", "field actorz not found"},
	}
	for _, tc := range cases {
		ext, err := ParseGazetteer([]byte(tc.yaml))
		if err == nil {
			_, err = NewGazetteer(BuiltinGazetteerSpec().Merge(ext))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want it to contain %q", tc.yaml, err, tc.want)
		}
	}
}

func TestDefaultGazetteerCoversTheIssueIDs(t *testing.T) {
	g := DefaultGazetteer()
	for _, id := range strings.Fields(`mali niger burkina-faso chad guinea guinea-bissau nigeria mauritania senegal
		algeria benin togo cote-divoire ghana libya sudan gabon cameroon central-african-republic gambia`) {
		if g.KindOf(id) != KindCountry || g.Name(id) == "" {
			t.Errorf("country %s missing", id)
		}
	}
	for _, id := range strings.Fields(`aes ecowas african-union un minusma eu france russia wagner united-states turkey
		china jnim is-sahel iswap boko-haram tuareg-rebels assimi-goita abdourahamane-tiani ibrahim-traore
		mohamed-bazoum mahamat-deby mamadi-doumbouya bola-tinubu g5-sahel`) {
		if g.KindOf(id) != KindActor || g.Name(id) == "" {
			t.Errorf("actor %s missing", id)
		}
	}
}
