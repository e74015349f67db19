// Package synthnews generates realistic synthetic news items for scale
// tests and benchmarks: Sahel events of several kinds told by several
// outlets in English and French, and unrelated world news. Template
// sentences differ only by place, count or name, so the corpus is harsher
// on story clustering than real news; it measures speed, not quality.
package synthnews

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

type synthCountry struct {
	id, en, fr, au, capital string
	places                  []string
}

var synthCountries = []synthCountry{
	{"mali", "Mali", "Mali", "Au", "Bamako", []string{"Kidal", "Gao", "Tombouctou", "Ménaka", "Mopti", "Ségou", "Sévaré", "Tessalit", "Ansongo", "Bandiagara", "Douentza", "Niono", "Diafarabé", "Boni", "Hombori", "Léré", "Nara", "Kati", "Bourem", "Aguelhok", "Ber", "Anéfis", "Diré", "Ténenkou", "Youwarou"}},
	{"niger", "Niger", "Niger", "Au", "Niamey", []string{"Tillabéri", "Diffa", "Agadez", "Tahoua", "Maradi", "Zinder", "Ayorou", "Banibangou", "Téra", "Bankilaré", "Ouallam", "Torodi", "Makalondi", "Dosso", "Abala", "Tassia", "Inatès", "Filingué", "Bosso", "Gothèye"}},
	{"burkina-faso", "Burkina Faso", "Burkina Faso", "Au", "Ouagadougou", []string{"Djibo", "Dori", "Kaya", "Fada N'Gourma", "Ouahigouya", "Arbinda", "Gorom-Gorom", "Sebba", "Diapaga", "Barsalogho", "Kongoussi", "Titao", "Solenzo", "Tougan", "Nouna", "Gayéri", "Pama", "Mansila", "Tankoualou", "Sollé"}},
	{"chad", "Chad", "Tchad", "Au", "N'Djamena", []string{"Bol", "Baga Sola", "Ngouboua", "Abéché", "Mongo", "Faya", "Kaïga", "Liwa"}},
	{"nigeria", "Nigeria", "Nigeria", "Au", "Abuja", []string{"Maiduguri", "Bama", "Gwoza", "Monguno", "Damasak", "Konduga", "Dikwa", "Marte"}},
	{"benin", "Benin", "Bénin", "Au", "Cotonou", []string{"Karimama", "Malanville", "Tanguiéta", "Banikoara", "Kérou"}},
	{"togo", "Togo", "Togo", "Au", "Lomé", []string{"Dapaong", "Kpendjal", "Mandouri", "Cinkassé"}},
}

var synthDays = [][2]string{{"Monday", "lundi"}, {"Tuesday", "mardi"}, {"Wednesday", "mercredi"}, {"Thursday", "jeudi"}, {"Friday", "vendredi"}, {"Saturday", "samedi"}, {"Sunday", "dimanche"}}

type synthKind struct {
	events    []string
	actors    []string
	enTitles  []string
	frTitles  []string
	enSummary []string
	frSummary []string
}

// {C} country, {Cfr}, {Au} "Au"/"En", {P} place, {N} number, {D}/{Dfr} day,
// {X}/{Xfr} the decision of a political event, {K} capital.
var synthKinds = []synthKind{
	{[]string{"attack", "killing"}, []string{"jnim"},
		[]string{"{N} soldiers killed in attack near {P}, {C}", "Jihadists kill {N} troops in {C}'s {P} region", "{C}: gunmen attack army post in {P}, {N} dead", "Attack on army camp in {P} leaves {N} soldiers dead"},
		[]string{"{Cfr} : {N} soldats tués dans une attaque près de {P}", "Attaque jihadiste contre l'armée à {P} : {N} morts", "{Au} {Cfr}, au moins {N} militaires tués à {P}"},
		[]string{"At least {N} soldiers were killed on {D} when armed men stormed an army post near {P}, security sources said.", "Suspected jihadists attacked a military position in {P} on {D}, killing {N} soldiers, the army said."},
		[]string{"Au moins {N} soldats ont été tués {Dfr} dans l'attaque d'un poste militaire près de {P}, selon des sources sécuritaires.", "Des jihadistes présumés ont attaqué {Dfr} une position de l'armée à {P}, tuant {N} soldats, a indiqué l'armée."}},
	{[]string{"massacre"}, []string{"is-sahel"},
		[]string{"{N} civilians killed in raid on village near {P}", "{C}: gunmen kill {N} villagers in {P} area", "Massacre in {P}: {N} civilians dead, residents say"},
		[]string{"{Cfr} : {N} civils tués dans l'attaque d'un village près de {P}", "Massacre à {P} : {N} civils tués, selon des habitants", "{Au} {Cfr}, des hommes armés tuent {N} villageois à {P}"},
		[]string{"Gunmen on motorbikes killed {N} civilians on {D} in a village near {P}, local officials and residents said.", "Residents of {P} buried {N} people killed on {D} by suspected Islamic State fighters."},
		[]string{"Des hommes armés à moto ont tué {N} civils {Dfr} dans un village près de {P}, selon des élus locaux et des habitants.", "Les habitants de {P} ont enterré {N} personnes tuées {Dfr} par des combattants présumés de l'État islamique."}},
	{[]string{"strike"}, []string{"wagner"},
		[]string{"Drone strike on {P} market kills {N}, witnesses say", "Army drone strike in {P} kills {N} people at a wedding"},
		[]string{"Une frappe de drone sur le marché de {P} fait {N} morts", "{Cfr} : une frappe de drone de l'armée tue {N} personnes à {P}"},
		[]string{"A drone strike by the army hit the weekly market of {P} on {D}, killing at least {N} people, witnesses said."},
		[]string{"Une frappe de drone de l'armée a touché {Dfr} le marché hebdomadaire de {P}, tuant au moins {N} personnes, selon des témoins."}},
	{[]string{"kidnapping"}, nil,
		[]string{"{N} aid workers kidnapped near {P}", "Gunmen abduct {N} aid workers in {C}'s {P}"},
		[]string{"{N} humanitaires enlevés près de {P}", "{Cfr} : {N} travailleurs humanitaires enlevés à {P}"},
		[]string{"Armed men kidnapped {N} employees of an aid group on the road to {P} on {D}, the organisation said."},
		[]string{"Des hommes armés ont enlevé {Dfr} {N} employés d'une ONG sur la route de {P}, a indiqué l'organisation."}},
	{nil, nil,
		[]string{"{C} junta {X}", "{C}'s military government {X}", "{C}: military rulers {X}"},
		[]string{"{Cfr} : la junte {Xfr}", "{Au} {Cfr}, le gouvernement de transition {Xfr}"},
		[]string{"The military authorities in {K} said on {D} that the government {X}, in a statement read on state television."},
		[]string{"Les autorités militaires de {K} ont annoncé {Dfr} que le gouvernement {Xfr}, dans un communiqué lu à la télévision nationale."}},
	{[]string{"sanctions-lift"}, []string{"ecowas"},
		[]string{"ECOWAS lifts sanctions on {C}", "West African bloc ECOWAS eases {C} sanctions"},
		[]string{"La Cédéao lève les sanctions contre le {Cfr}", "{Cfr} : la CEDEAO allège ses sanctions"},
		[]string{"ECOWAS leaders meeting in Abuja on {D} lifted border and financial sanctions imposed on {C} after the coup."},
		[]string{"Réunis {Dfr} à Abuja, les chefs d'État de la Cédéao ont levé les sanctions frontalières et financières imposées au {Cfr} après le coup d'État."}},
}

// synthDecisions are political decisions; "%s" takes one of the names
// beside it, so that decisions rarely repeat.
var synthDecisions = []struct {
	en, fr string
	names  [][2]string
}{
	{"suspends broadcaster %s", "suspend la diffusion de %s", [][2]string{{"RFI", "RFI"}, {"France 24", "France 24"}, {"TV5Monde", "TV5Monde"}, {"LCI", "LCI"}, {"Jeune Afrique", "Jeune Afrique"}, {"BBC", "BBC"}, {"VOA", "VOA"}}},
	{"expels the %s ambassador", "expulse l'ambassadeur %s", [][2]string{{"Swedish", "suédois"}, {"German", "allemand"}, {"French", "français"}, {"Ivorian", "ivoirien"}, {"Algerian", "algérien"}, {"Danish", "danois"}, {"Ukrainian", "ukrainien"}, {"Beninese", "béninois"}}},
	{"nationalises the %s gold mine", "nationalise la mine d'or de %s", [][2]string{{"Sadiola", "Sadiola"}, {"Loulo", "Loulo"}, {"Yatela", "Yatela"}, {"Morila", "Morila"}, {"Essakane", "Essakane"}, {"Houndé", "Houndé"}, {"Samira Hill", "Samira Hill"}}},
	{"arrests former minister %s", "arrête l'ancien ministre %s", [][2]string{{"Moussa Mara", "Moussa Mara"}, {"Hama Amadou", "Hama Amadou"}, {"Zéphirin Diabré", "Zéphirin Diabré"}, {"Oumar Tatam Ly", "Oumar Tatam Ly"}, {"Ousmane Idi Ango", "Ousmane Idi Ango"}, {"Ablassé Ouédraogo", "Ablassé Ouédraogo"}}},
	{"dissolves the %s", "dissout %s", [][2]string{{"electoral commission", "la commission électorale"}, {"national assembly", "l'assemblée nationale"}, {"journalists' union", "le syndicat des journalistes"}, {"student association", "l'association des étudiants"}, {"bar association", "l'ordre des avocats"}}},
	{"raises %s prices", "augmente le prix %s", [][2]string{{"fuel", "du carburant"}, {"electricity", "de l'électricité"}, {"bread", "du pain"}, {"cement", "du ciment"}}},
	{"revokes the %s uranium permit", "retire le permis d'uranium %s", [][2]string{{"Orano", "d'Orano"}, {"GoviEx", "de GoviEx"}, {"Imouraren", "d'Imouraren"}}},
	{"closes the border with %s", "ferme la frontière avec %s", [][2]string{{"Benin", "le Bénin"}, {"Algeria", "l'Algérie"}, {"Mauritania", "la Mauritanie"}, {"Côte d'Ivoire", "la Côte d'Ivoire"}, {"Togo", "le Togo"}}},
}

var synthOutlets = map[string][]string{
	"en": {"Reuters", "AP", "AFP English", "BBC Africa", "Al Jazeera", "The Africa Report", "Premium Times", "Punch", "VOA", "Africanews", "Sahel Intelligence", "HumAngle"},
	"fr": {"RFI", "France 24", "Le Monde Afrique", "Jeune Afrique", "APA", "Studio Tamani", "Actu Niger", "Lefaso.net", "Maliweb", "Aïr Info", "Sahelien.com", "DW Afrique"},
}

// synthVillages makes plausible village names: real towns repeat, villages
// rarely do.
var synthVillages = func() []string {
	var out []string
	for _, a := range []string{"Tin", "Kou", "Ba", "Dia", "Sé", "Bou", "Ta", "Ga", "Ma", "Ni", "Do", "Fa", "Ké", "Zou", "In", "Am"} {
		for _, b := range []string{"ra", "ma", "ko", "ba", "lé", "ni", "go", "ssa", "nda", "rou", "ga", "té"} {
			for _, c := range []string{"ré", "ni", "bougou", "dji", "na", "sso", "kala", "dou", "ouane", "tenga"} {
				out = append(out, a+b+c)
			}
		}
	}
	return out
}()

var synthNoiseWords = strings.Fields(`markets shares bank election football cup final storm flood rates inflation
central bank tech startup phone chip climate summit talks ceasefire ministers festival film album tour
satellite launch vaccine hospital strike union teachers court ruling parliament bill budget tax ports
airline flights tourism harvest cocoa coffee oil prices gold copper solar wind grid railway bridge
museum prize novel author singer league coach transfer champion record drought heatwave wildfire`)

// Corpus builds n realistic items from start over span: events of several
// kinds in the Sahel, each told by 1–6 outlets in English or French, plus
// unrelated world news. It returns the items (in date order, IDs 1..n),
// each with the story, place and events the story engine would give it
// (its event's first item; the event's country), and each item's event
// label.
func Corpus(n int, seed uint64, start time.Time, span time.Duration) ([]briefing.Item, []string) {
	g := &corpusGen{
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e37)),
		n:        n,
		items:    make([]briefing.Item, 0, n),
		labels:   make([]string, 0, n),
		lastOnce: map[string]bool{},
	}
	event := 0
	for len(g.items) < n {
		event++
		label := fmt.Sprint("e", event)
		at := start.Add(time.Duration(g.rng.Int64N(int64(span))))
		if g.rng.IntN(100) < 35 { // unrelated world news
			g.add(g.worldNews(at), label)
			continue
		}
		ev, ok := g.sahelEvent(at)
		if !ok {
			event--
			continue
		}
		g.tell(ev, at, label)
	}
	items, labels := inDateOrder(g.items, g.labels)
	setStories(items, labels)
	return items, labels
}

// corpusGen is a corpus being generated. Its steps draw from rng in a
// fixed order, so that a seed always gives the same corpus.
type corpusGen struct {
	rng      *rand.Rand
	n        int             // items wanted
	items    []briefing.Item // in generation order
	labels   []string        // each item's event label
	lastOnce map[string]bool // once-only events already made
}

func (g *corpusGen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// lang is "en" or "fr", evenly.
func (g *corpusGen) lang() string {
	if g.rng.IntN(2) == 0 {
		return "fr"
	}
	return "en"
}

func (g *corpusGen) add(it briefing.Item, label string) {
	g.items = append(g.items, it)
	g.labels = append(g.labels, label)
}

// worldNews is an item of unrelated world news published at at.
func (g *corpusGen) worldNews(at time.Time) briefing.Item {
	words := make([]string, 6+g.rng.IntN(5))
	for i := range words {
		words[i] = g.pick(synthNoiseWords)
	}
	title := strings.ToUpper(words[0][:1]) + words[0][1:] + " " + strings.Join(words[1:5], " ") + fmt.Sprint(" ", g.rng.IntN(900)+10)
	lang := g.lang()
	outlet := g.pick(synthOutlets[lang])
	return briefing.Item{Title: title, Summary: strings.Join(words, " ") + ".", Outlet: outlet, Source: outlet, Lang: lang, Published: at}
}

// synthEvent is one Sahel event: its country, kind, and the replacer
// that fills its templates.
type synthEvent struct {
	country synthCountry
	kind    synthKind
	fill    *strings.Replacer
}

// sahelEvent draws a Sahel event happening at at, or reports false when
// it is a decision or sanctions already made in its country: the corpus
// should not hold two indistinguishable events.
func (g *corpusGen) sahelEvent(at time.Time) (synthEvent, bool) {
	ci := g.rng.IntN(len(synthCountries))
	if g.rng.IntN(100) < 60 {
		ci = g.rng.IntN(3) // mostly the watched three
	}
	c := synthCountries[ci]
	k := g.rng.IntN(len(synthKinds))
	place := g.pick(c.places)
	if g.rng.IntN(100) < 60 {
		place = g.pick(synthVillages)
	}
	num := fmt.Sprint(3 + g.rng.IntN(120))
	d := synthDecisions[g.rng.IntN(len(synthDecisions))]
	// Names of people and things mostly belong to one country.
	nm := d.names[(ci*2+g.rng.IntN(2))%len(d.names)]
	dec := [2]string{fmt.Sprintf(d.en, nm[0]), fmt.Sprintf(d.fr, nm[1])}
	day := synthDays[int(at.Weekday()+6)%7]
	// Decisions and sanctions happen once per country.
	once := fmt.Sprint(c.id, k, dec)
	if k == 5 {
		once = fmt.Sprint(c.id, k)
	}
	if k >= 4 {
		if g.lastOnce[once] {
			return synthEvent{}, false
		}
		g.lastOnce[once] = true
	}
	fill := strings.NewReplacer("{C}", c.en, "{Cfr}", c.fr, "{Au}", c.au, "{P}", place, "{N}", num,
		"{D}", day[0], "{Dfr}", day[1], "{X}", dec[0], "{Xfr}", dec[1], "{K}", c.capital)
	return synthEvent{country: c, kind: synthKinds[k], fill: fill}, true
}

// tell adds the reports of ev, which happened at at, by 1–6 outlets (a
// drawn outlet that already told it is skipped), stopping at n items.
func (g *corpusGen) tell(ev synthEvent, at time.Time, label string) {
	reports := 1
	for reports < 6 && g.rng.IntN(100) < 55 {
		reports++
	}
	used := map[string]bool{}
	for r := 0; r < reports; r++ {
		lang := g.lang()
		outlet := g.pick(synthOutlets[lang])
		if used[outlet] {
			continue
		}
		used[outlet] = true
		g.add(g.report(ev, at, lang, outlet), label)
		if len(g.items) == g.n {
			return
		}
	}
}

// report is outlet's report of ev, which happened at at, in lang.
func (g *corpusGen) report(ev synthEvent, at time.Time, lang, outlet string) briefing.Item {
	kind := ev.kind
	it := briefing.Item{Outlet: outlet, Source: outlet, Lang: lang, Countries: []string{ev.country.id}, Place: ev.country.id, Events: kind.events}
	if kind.actors != nil && g.rng.IntN(2) == 0 {
		it.Actors = kind.actors
	}
	if lang == "en" {
		it.Title, it.Summary = ev.fill.Replace(g.pick(kind.enTitles)), ev.fill.Replace(g.pick(kind.enSummary))
	} else {
		it.Title, it.Summary = ev.fill.Replace(g.pick(kind.frTitles)), ev.fill.Replace(g.pick(kind.frSummary))
	}
	if g.rng.IntN(100) < 15 {
		it.Summary = ""
	}
	it.Published = at.Add(time.Duration(g.rng.ExpFloat64() * float64(5*time.Hour)))
	return it
}

// inDateOrder sorts items (and their labels) by date, stably, and gives
// them IDs 1..n in that order, with keys, URLs and first-seen times.
func inDateOrder(items []briefing.Item, labels []string) ([]briefing.Item, []string) {
	n := len(items)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].Published.Compare(items[b].Published) })
	outItems := make([]briefing.Item, n)
	outLabels := make([]string, n)
	for k, i := range order {
		it := items[i]
		it.ID = int64(k + 1)
		it.Key = fmt.Sprint("k", k+1)
		it.URL = fmt.Sprintf("https://%s.example/a/%d", strings.ToLower(strings.ReplaceAll(it.Outlet, " ", "")), k+1)
		it.FirstSeen = it.Published
		outItems[k] = it
		outLabels[k] = labels[i]
	}
	return outItems, outLabels
}

// setStories gives each item the story of its event's first item.
func setStories(items []briefing.Item, labels []string) {
	first := map[string]int64{}
	for k := range items {
		if _, ok := first[labels[k]]; !ok {
			first[labels[k]] = items[k].ID
		}
		items[k].Story = first[labels[k]]
	}
}
