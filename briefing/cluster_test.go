package briefing

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// storyRow is one line of testdata/stories.jsonl: a real headline and
// summary, where it was read (cite) and the event it reports.
type storyRow struct {
	ID        int64    `json:"id"`
	Event     string   `json:"event"`
	Lang      string   `json:"lang"`
	Published string   `json:"published"`
	Outlet    string   `json:"outlet"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	URL       string   `json:"url"`
	Cite      string   `json:"cite"`
	Countries []string `json:"countries"`
	Actors    []string `json:"actors"`
}

// loadStories reads the labelled real reports as items and their events.
func loadStories(t testing.TB) ([]Item, []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/stories.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var items []Item
	var events []string
	for n, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r storyRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("stories.jsonl:%d: %v", n+1, err)
		}
		p, err := time.Parse(time.RFC3339, r.Published)
		if err != nil {
			t.Fatalf("stories.jsonl:%d: %v", n+1, err)
		}
		if r.Title == "" || r.Cite == "" || r.Event == "" || r.Outlet == "" {
			t.Fatalf("stories.jsonl:%d: title, cite, event and outlet are required", n+1)
		}
		items = append(items, Item{
			ID: r.ID, Source: r.Outlet, Key: r.URL, URL: r.URL, Title: r.Title, Summary: r.Summary,
			Outlet: r.Outlet, Lang: r.Lang, Published: p, FirstSeen: p, DateFromFeed: true,
			Countries: r.Countries, Actors: r.Actors,
		})
		events = append(events, r.Event)
	}
	return items, events
}

// pairScores compares a clustering with the true events over all pairs of
// items: precision is the share of pairs put together that belong
// together, recall the share of pairs that belong together put together.
func pairScores(stories []Story, ids []int64, events []string) (precision, recall float64, wrong, missed []string) {
	story := map[int64]int{}
	for k, s := range stories {
		for _, it := range s.Items {
			story[it.ID] = k
		}
	}
	pairs := func(n int) int { return n * (n - 1) / 2 }
	type cell struct {
		story int
		event string
	}
	cells, byStory, byEvent := map[cell]int{}, map[int]int{}, map[string]int{}
	for i, id := range ids {
		cells[cell{story[id], events[i]}]++
		byStory[story[id]]++
		byEvent[events[i]]++
	}
	tp, together, same := 0, 0, 0
	for _, n := range cells {
		tp += pairs(n)
	}
	for _, n := range byStory {
		together += pairs(n)
	}
	for _, n := range byEvent {
		same += pairs(n)
	}
	precision, recall = 1, 1
	if together > 0 {
		precision = float64(tp) / float64(together)
	}
	if same > 0 {
		recall = float64(tp) / float64(same)
	}
	if len(ids) <= 500 { // name the faulty pairs of small sets
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				t, e := story[ids[i]] == story[ids[j]], events[i] == events[j]
				if t && !e {
					wrong = append(wrong, fmt.Sprintf("%d~%d (%s / %s)", ids[i], ids[j], events[i], events[j]))
				} else if e && !t {
					missed = append(missed, fmt.Sprintf("%d~%d (%s)", ids[i], ids[j], events[i]))
				}
			}
		}
	}
	return precision, recall, wrong, missed
}

func TestClusterRealEvents(t *testing.T) {
	items, events := loadStories(t)
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	multi := map[string]int{}
	for _, e := range events {
		multi[e]++
	}
	nEvents := 0
	for _, n := range multi {
		if n >= 2 {
			nEvents++
		}
	}
	if nEvents < 6 {
		t.Fatalf("stories.jsonl holds %d events with two reports or more, want ≥ 6", nEvents)
	}
	stories := Cluster(items, ClusterOptions{})
	p, r, wrong, missed := pairScores(stories, ids, events)
	t.Logf("%d items, %d events reported twice or more, %d stories: pairwise precision %.3f recall %.3f", len(items), nEvents, len(stories), p, r)
	if p < 0.9 || r < 0.9 {
		t.Errorf("pairwise precision %.3f recall %.3f, want both ≥ 0.9\nwrongly joined: %v\nmissed: %v", p, r, wrong, missed)
	}
	// The same in any input order.
	shuffled := slices.Clone(items)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	again := Cluster(shuffled, ClusterOptions{})
	if storyKey(again) != storyKey(stories) {
		t.Errorf("clustering depends on the input order:\n%s\n---\n%s", storyKey(stories), storyKey(again))
	}
}

// storyKey renders stories as "ID:item,item;" sorted, to compare runs.
func storyKey(stories []Story) string {
	var parts []string
	for _, s := range stories {
		var ids []string
		for _, it := range s.Items {
			ids = append(ids, fmt.Sprint(it.ID))
		}
		parts = append(parts, s.ID+":"+strings.Join(ids, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\n")
}

// byTitle finds a real item by a piece of its title.
func byTitle(t *testing.T, items []Item, part string) Item {
	t.Helper()
	for _, it := range items {
		if strings.Contains(it.Title, part) {
			return it
		}
	}
	t.Fatalf("no item titled like %q", part)
	return Item{}
}

// TestClusterCrossLingual checks that single English and French reports of
// the same event meet on their own (a batch of the pair plus unrelated news
// of the same days).
func TestClusterCrossLingual(t *testing.T) {
	items, _ := loadStories(t)
	noise := []Item{
		byTitle(t, items, "Putin hosts African leaders"),
		byTitle(t, items, "Venezuela's opposition cries foul"),
		byTitle(t, items, "In Abidjan, Ivorians want"),
		byTitle(t, items, "French foreign intelligence agents detained"),
	}
	tests := []struct{ en, fr string }{
		{"Niger soldiers declare coup on national TV", "Niger : Le président Bazoum a été destitué"},
		{"Mali junta dissolves all political parties", "Mali : la junte dissout les partis politiques"},
		{"Dozens of Russian Wagner fighters killed in Mali ambush", "Mali : près de 50 mercenaires de Wagner tués"},
		{"Macron says France to withdraw ambassador, troops from Niger", "Niger : Macron annonce le prochain retour en France"},
		{"Mali junta says it has 'seized' rebel stronghold of Kidal", "Au Mali, Kidal, bastion de la rébellion, reconquis"},
		{"Burkina Faso, Mali, Niger sign 'confederation' treaty", "Trois pays africains signent le traité de la Confédération"},
		{"Mali, Burkina Faso, and Niger announce withdrawal from ECOWAS", "Mali, Burkina Faso et Niger quittent la CEDEAO"},
		{"Al-Qaeda affiliate JNIM strikes Mali's capital", "Mali : le Jnim revendique la double attaque de Bamako"},
		{"Sahel alliance recalls ambassadors from Algiers", "L’AES rappelle tous ses ambassadeurs"},
	}
	for _, tt := range tests {
		t.Run(tt.en, func(t *testing.T) {
			en, fr := byTitle(t, items, tt.en), byTitle(t, items, tt.fr)
			fr.Published = en.Published.Add(3 * time.Hour)
			batch := append([]Item{en, fr}, noise...)
			for i := range batch[2:] {
				batch[2+i].Published = en.Published.Add(time.Duration(i+1) * time.Hour)
			}
			stories := Cluster(batch, ClusterOptions{})
			if len(stories) != len(batch)-1 {
				t.Fatalf("got %d stories, want %d (the pair joined, the rest alone): %s", len(stories), len(batch)-1, storyKey(stories))
			}
			for _, s := range stories {
				if len(s.Items) == 2 && !(s.Items[0].ID == en.ID && s.Items[1].ID == fr.ID || s.Items[0].ID == fr.ID && s.Items[1].ID == en.ID) {
					t.Fatalf("joined the wrong pair: %s", storyKey(stories))
				}
			}
		})
	}
}

// TestClusterTwoEventsSameCountry: distinct events in one country on one
// day stay apart. The headlines are real; their dates are moved onto one day.
func TestClusterTwoEventsSameCountry(t *testing.T) {
	items, _ := loadStories(t)
	day := time.Date(2025, 5, 13, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b []string // titles of the reports of each event
	}{
		{"Kidal taken vs parties dissolved (Mali)",
			[]string{"Mali's army claims capture of rebel stronghold of Kidal", "Au Mali, Kidal, bastion de la rébellion"},
			[]string{"Mali military rulers formally dissolve political parties", "Mali : la junte dissout les partis politiques"}},
		{"Bamako attack vs AES passport (Mali)",
			[]string{"Mali : le Jnim revendique la double attaque de Bamako", "Al-Qaeda affiliate JNIM strikes Mali's capital"},
			[]string{"Le Mali, le Burkina Faso et le Niger lancent de nouveaux passeports", "Assimi Goïta annonce le lancement imminent"}},
		{"Wagner ambush vs opponents abducted (Mali)",
			[]string{"Dozens of Russian Wagner fighters killed in Mali ambush", "La SMP Wagner reconnaît de lourdes pertes"},
			[]string{"Mali: Two opponents missing since Thursday", "Critics of Mali's military government abducted"}},
		{"France leaves Niger vs AU suspends Niger",
			[]string{"Macron says France to withdraw ambassador", "Niger : Emmanuel Macron annonce le retour"},
			[]string{"Niger Suspended from the African Union", "African Union suspends Niger"}},
		{"ECOWAS exit vs AES ambassadors recalled (AES)",
			[]string{"Burkina Faso, Mali and Niger to leave ECOWAS bloc", "Mali, Burkina Faso et Niger quittent la CEDEAO"},
			[]string{"Sahel alliance recalls ambassadors from Algiers", "Les États membres de l'AES rappellent leurs ambassadeurs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var batch []Item
			var events []string
			for k, titles := range [][]string{tt.a, tt.b} {
				for _, title := range titles {
					it := byTitle(t, items, title)
					it.Published = day.Add(time.Duration(len(batch)) * 90 * time.Minute)
					batch = append(batch, it)
					events = append(events, fmt.Sprint(k))
				}
			}
			ids := make([]int64, len(batch))
			for i := range batch {
				ids[i] = batch[i].ID
			}
			stories := Cluster(batch, ClusterOptions{})
			p, r, wrong, missed := pairScores(stories, ids, events)
			if p < 1 {
				t.Errorf("two events joined: %v", wrong)
			}
			if r < 1 {
				t.Logf("reports of one event not joined (allowed here): %v", missed)
			}
		})
	}
}

func TestClusterURLMerge(t *testing.T) {
	base := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	items := []Item{
		{ID: 1, Source: "RFI", Outlet: "RFI", URL: "https://www.rfi.fr/fr/afrique/20261126-mali-x", Title: "Mali : un titre", Published: base},
		// The same article through an aggregator, with another title, days later.
		{ID: 2, Source: "Google News", Outlet: "RFI", URL: "https://www.rfi.fr/fr/afrique/20261126-mali-x", Title: "Tout autre chose", Published: base.Add(5 * 24 * time.Hour)},
		{ID: 3, Source: "RFI", Outlet: "RFI", URL: "https://www.rfi.fr/fr/afrique/20261126-niger-y", Title: "Niger : un autre titre", Published: base},
		{ID: 4, Source: "X", Outlet: "X", URL: "", Title: "Sans lien", Published: base},
		{ID: 5, Source: "Y", Outlet: "Y", URL: "", Title: "Sans lien non plus", Published: base},
	}
	stories := Cluster(items, ClusterOptions{})
	if got, want := storyKey(stories), "s1:1,2\ns3:3\ns4:4\ns5:5"; got != want {
		t.Errorf("stories:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range stories {
		if s.ID == "s1" && !slices.Equal(s.Outlets, []string{"RFI"}) {
			t.Errorf("outlets %v, want [RFI] once", s.Outlets)
		}
	}
}

func TestClusterWindow(t *testing.T) {
	items, _ := loadStories(t)
	en := byTitle(t, items, "Mali junta dissolves all political parties")
	fr := byTitle(t, items, "Mali : la junte dissout les partis politiques")
	for _, tt := range []struct {
		name   string
		gap    time.Duration
		window time.Duration
		joined bool
	}{
		{"6h apart, default 48h window", 6 * time.Hour, 0, true},
		{"47h apart, default window", 47 * time.Hour, 0, true},
		{"49h apart, default window", 49 * time.Hour, 0, false},
		{"6h apart, 4h window", 6 * time.Hour, 4 * time.Hour, false},
		{"6 days apart, 7-day window", 6 * 24 * time.Hour, 7 * 24 * time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := en, fr
			a.Published = time.Date(2025, 5, 13, 20, 0, 0, 0, time.UTC)
			b.Published = a.Published.Add(tt.gap)
			// Order must not matter.
			for _, batch := range [][]Item{{a, b}, {b, a}} {
				stories := Cluster(batch, ClusterOptions{Window: tt.window})
				if joined := len(stories) == 1; joined != tt.joined {
					t.Errorf("joined = %v, want %v", joined, tt.joined)
				}
			}
		})
	}
}

// TestClusterUndated: items without a date (zero Published) may join each
// other, never a dated item far from them.
func TestClusterUndated(t *testing.T) {
	items, _ := loadStories(t)
	a := byTitle(t, items, "Mali junta dissolves all political parties")
	b := byTitle(t, items, "Mali : la junte dissout les partis politiques")
	c := byTitle(t, items, "Mali military rulers formally dissolve political parties")
	a.Published, b.Published = time.Time{}, time.Time{}
	stories := Cluster([]Item{a, b, c}, ClusterOptions{})
	// Equal (zero) dates: the smaller ID leads.
	lo, hi := min(a.ID, b.ID), max(a.ID, b.ID)
	if got, want := storyKey(stories), fmt.Sprintf("s%d:%d,%d\ns%d:%d", lo, lo, hi, c.ID, c.ID); got != want {
		t.Errorf("stories:\n%s\nwant:\n%s", got, want)
	}
}

func TestClusterStoryFields(t *testing.T) {
	base := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	sum := "Mali's military junta has dissolved all political parties in the country amid a growing crackdown on dissent."
	items := []Item{
		{ID: 30, Source: "BBC", Outlet: "BBC", URL: "https://bbc/x", Title: "Mali junta dissolves all political parties", Summary: sum, Published: base.Add(2 * time.Hour), Countries: []string{"mali"}, Actors: []string{"assimi-goita"}},
		{ID: 10, Source: "Google News", Outlet: "Dakaractu", URL: "https://dakar/x", Title: "Mali : la junte dissout les partis politiques", Summary: "", Published: base, Countries: []string{"mali"}},
		{ID: 20, Source: "Google News", Outlet: "BBC", URL: "https://bbc/y", Title: "Mali junta dissolves political parties", Summary: "Short.", Published: base.Add(time.Hour), Countries: []string{"mali", "niger"}, Actors: []string{"aes", "assimi-goita"}},
		{ID: 40, Source: "RFI", Outlet: "", URL: "https://rfi/x", Title: "Au Mali, la junte dissout les partis politiques", Summary: sum, Published: base.Add(5 * time.Hour), Countries: []string{"mali"}},
	}
	stories := Cluster(items, ClusterOptions{})
	if len(stories) != 1 {
		t.Fatalf("got %d stories, want 1: %s", len(stories), storyKey(stories))
	}
	s := stories[0]
	// Lead: the earliest item with a real summary (ID 30), then the others by date.
	var order []int64
	for _, it := range s.Items {
		order = append(order, it.ID)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", s.ID, "s30"},
		{"items", order, []int64{30, 10, 20, 40}},
		{"title", s.Title, items[0].Title},
		{"summary", s.Summary, sum},
		{"url", s.URL, "https://bbc/x"},
		{"outlets", s.Outlets, []string{"BBC", "Dakaractu", "RFI"}},
		{"published", s.Published, base},
		{"updated", s.Updated, base.Add(5 * time.Hour)},
		{"countries", s.Countries, []Tag{{ID: "mali"}, {ID: "niger"}}},
		{"actors", s.Actors, []Tag{{ID: "assimi-goita"}, {ID: "aes"}}},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Appending to one story's slices must not write into another's.
	two := Cluster([]Item{items[0], {ID: 99, Title: "Chad votes", Published: base, Outlet: "A", Countries: []string{"chad"}}}, ClusterOptions{})
	_ = append(two[0].Outlets, "zzz")
	_ = append(two[0].Countries, Tag{ID: "zzz"})
	if fmt.Sprint(two[1].Outlets, two[1].Countries) == fmt.Sprint([]string{"zzz"}) {
		t.Errorf("stories share backing arrays")
	}

	// Unstored items: a stable hash ID from source and key.
	a := Item{Source: "RFI", Key: "guid-1", Title: "Niger : un titre", Published: base}
	id1 := Cluster([]Item{a}, ClusterOptions{})[0].ID
	id2 := Cluster([]Item{a}, ClusterOptions{})[0].ID
	a.Key = "guid-2"
	id3 := Cluster([]Item{a}, ClusterOptions{})[0].ID
	if id1 != id2 || id1 == id3 || !strings.HasPrefix(id1, "sh") || len(id1) != 18 {
		t.Errorf("hash IDs %q %q %q: want stable, distinct per key, \"sh\"+16 hex", id1, id2, id3)
	}
	if Cluster(nil, ClusterOptions{}) != nil {
		t.Errorf("Cluster(nil) is not nil")
	}
}

// TestFeatures checks the text features: cognates and translations meet,
// stop words vanish, numbers keep thousands.
func TestFeatures(t *testing.T) {
	same := [][2]string{
		{"junta", "junte"}, {"political", "politique"}, {"attack", "attaque"}, {"attacks", "attaques"},
		{"military", "militaire"}, {"parties", "partis"}, {"killed", "tués"}, {"soldiers", "soldats"},
		{"soldiers", "militaires"}, {"ECOWAS", "Cédéao"}, {"president", "Président"}, {"army", "armée"},
		{"ambush", "embuscade"}, {"kidnapped", "enlevés"}, {"withdrawal", "retrait"}, {"Tuesday", "mardi"},
		{"confederation", "confédération"}, {"ambassador", "ambassadeurs"}, {"mercenaries", "mercenaires"},
		{"Malian", "maliens"}, {"Nigerien", "nigérienne"}, {"fifty", "50"}, {"1,500", "1 500"},
		{"1,500", "1500"}, {"coup", "putsch"}, {"treaty", "traité"}, {"stronghold", "bastion"},
		{"GOÏTA", "goita"}, {"Tinzaouatène", "tinzaouatene"}, {"œuvre", "oeuvre"}, {"aid", "humanitaires"}, {"aid workers", "travailleurs humanitaires"},
	}
	for _, p := range same {
		a, b := textFeatures(p[0], p[1])
		slices.Sort(a)
		slices.Sort(b)
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%q → %v, %q → %v: want equal features", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{{"armée", "armes"}, {"military", "militants"}, {"Niger", "Nigeria"}, {"attack", "ambush"}, {"1500", "500"}}
	for _, p := range differ {
		if a, b := textFeatures(p[0], p[1]); slices.Equal(a, b) {
			t.Errorf("%q and %q share features %v", p[0], p[1], a)
		}
	}
	for _, s := range []string{"the", "of the", "l'", "de la", "d’un", "said,"} {
		if f, _ := textFeatures(s, ""); len(f) > 0 {
			t.Errorf("%q gives features %v, want none", s, f)
		}
	}
	if f, _ := textFeatures("Au Mali, l'armée a repris Kidal", ""); len(f) != 4 { // mali armee repris kidal
		t.Errorf("got %d features, want 4", len(f))
	}
}

// textFeatures returns the feature ids of two texts (titles of one batch).
func textFeatures(a, b string) ([]int32, []int32) {
	items := []Item{{Title: a}, {Title: b}}
	c := extractOnly(items)
	ids := make([][]int32, 2)
	for i := range items {
		for _, f := range c.feats[c.start[i]:c.start[i+1]] {
			ids[i] = append(ids[i], f.id)
		}
	}
	return ids[0], ids[1]
}

// TestLexiconClean: no word is listed twice (the first meaning would
// silently win) and every listed word folds to letters only.
func TestLexiconClean(t *testing.T) {
	seen := map[string]string{}
	check := func(word, where string) {
		f := clFoldString(word)
		if prev, dup := seen[f]; dup && prev != where {
			t.Errorf("%q is listed in %s and %s", word, prev, where)
		}
		seen[f] = where
		for _, r := range f {
			if !(r >= 'a' && r <= 'z') && r != '\'' {
				t.Errorf("%q folds to %q with %q", word, f, r)
			}
		}
	}
	for _, g := range clGroups {
		for _, w := range strings.Fields(g.words) {
			check(w, g.concept)
		}
	}
	for _, n := range clNumberWords {
		for _, w := range strings.Fields(n.words) {
			check(w, "#"+n.digits)
		}
	}
	for _, w := range strings.Fields(clStopWords) {
		check(w, "stop words")
	}
}

// ---- Synthetic corpus for scale tests and benchmarks ----

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
	actors    []string
	enTitles  []string
	frTitles  []string
	enSummary []string
	frSummary []string
}

// {C} country, {Cfr}, {Au} "Au"/"En", {P} place, {N} number, {D}/{Dfr} day,
// {X}/{Xfr} the decision of a political event, {K} capital.
var synthKinds = []synthKind{
	{[]string{"jnim"},
		[]string{"{N} soldiers killed in attack near {P}, {C}", "Jihadists kill {N} troops in {C}'s {P} region", "{C}: gunmen attack army post in {P}, {N} dead", "Attack on army camp in {P} leaves {N} soldiers dead"},
		[]string{"{Cfr} : {N} soldats tués dans une attaque près de {P}", "Attaque jihadiste contre l'armée à {P} : {N} morts", "{Au} {Cfr}, au moins {N} militaires tués à {P}"},
		[]string{"At least {N} soldiers were killed on {D} when armed men stormed an army post near {P}, security sources said.", "Suspected jihadists attacked a military position in {P} on {D}, killing {N} soldiers, the army said."},
		[]string{"Au moins {N} soldats ont été tués {Dfr} dans l'attaque d'un poste militaire près de {P}, selon des sources sécuritaires.", "Des jihadistes présumés ont attaqué {Dfr} une position de l'armée à {P}, tuant {N} soldats, a indiqué l'armée."}},
	{[]string{"is-sahel"},
		[]string{"{N} civilians killed in raid on village near {P}", "{C}: gunmen kill {N} villagers in {P} area", "Massacre in {P}: {N} civilians dead, residents say"},
		[]string{"{Cfr} : {N} civils tués dans l'attaque d'un village près de {P}", "Massacre à {P} : {N} civils tués, selon des habitants", "{Au} {Cfr}, des hommes armés tuent {N} villageois à {P}"},
		[]string{"Gunmen on motorbikes killed {N} civilians on {D} in a village near {P}, local officials and residents said.", "Residents of {P} buried {N} people killed on {D} by suspected Islamic State fighters."},
		[]string{"Des hommes armés à moto ont tué {N} civils {Dfr} dans un village près de {P}, selon des élus locaux et des habitants.", "Les habitants de {P} ont enterré {N} personnes tuées {Dfr} par des combattants présumés de l'État islamique."}},
	{[]string{"wagner"},
		[]string{"Drone strike on {P} market kills {N}, witnesses say", "Army drone strike in {P} kills {N} people at a wedding"},
		[]string{"Une frappe de drone sur le marché de {P} fait {N} morts", "{Cfr} : une frappe de drone de l'armée tue {N} personnes à {P}"},
		[]string{"A drone strike by the army hit the weekly market of {P} on {D}, killing at least {N} people, witnesses said."},
		[]string{"Une frappe de drone de l'armée a touché {Dfr} le marché hebdomadaire de {P}, tuant au moins {N} personnes, selon des témoins."}},
	{nil,
		[]string{"{N} aid workers kidnapped near {P}", "Gunmen abduct {N} aid workers in {C}'s {P}"},
		[]string{"{N} humanitaires enlevés près de {P}", "{Cfr} : {N} travailleurs humanitaires enlevés à {P}"},
		[]string{"Armed men kidnapped {N} employees of an aid group on the road to {P} on {D}, the organisation said."},
		[]string{"Des hommes armés ont enlevé {Dfr} {N} employés d'une ONG sur la route de {P}, a indiqué l'organisation."}},
	{nil,
		[]string{"{C} junta {X}", "{C}'s military government {X}", "{C}: military rulers {X}"},
		[]string{"{Cfr} : la junte {Xfr}", "{Au} {Cfr}, le gouvernement de transition {Xfr}"},
		[]string{"The military authorities in {K} said on {D} that the government {X}, in a statement read on state television."},
		[]string{"Les autorités militaires de {K} ont annoncé {Dfr} que le gouvernement {Xfr}, dans un communiqué lu à la télévision nationale."}},
	{[]string{"ecowas"},
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

// synthCorpus builds n realistic items over 60 days: events of several
// kinds in the Sahel, each told by 1–6 outlets in English or French, plus
// unrelated world news. It returns the items (in date order, IDs 1..n)
// and each item's event label.
func synthCorpus(n int, seed uint64) ([]Item, []string) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e37))
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	span := 60 * 24 * time.Hour
	items := make([]Item, 0, n)
	labels := make([]string, 0, n)
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	lastOnce := map[string]bool{}
	event := 0
	for len(items) < n {
		event++
		label := fmt.Sprint("e", event)
		at := start.Add(time.Duration(rng.Int64N(int64(span))))
		if rng.IntN(100) < 35 { // unrelated world news
			words := make([]string, 6+rng.IntN(5))
			for i := range words {
				words[i] = pick(synthNoiseWords)
			}
			title := strings.ToUpper(words[0][:1]) + words[0][1:] + " " + strings.Join(words[1:5], " ") + fmt.Sprint(" ", rng.IntN(900)+10)
			lang := "en"
			if rng.IntN(2) == 0 {
				lang = "fr"
			}
			outlet := pick(synthOutlets[lang])
			items = append(items, Item{Title: title, Summary: strings.Join(words, " ") + ".", Outlet: outlet, Source: outlet, Lang: lang, Published: at})
			labels = append(labels, label)
			continue
		}
		ci := rng.IntN(len(synthCountries))
		if rng.IntN(100) < 60 {
			ci = rng.IntN(3) // mostly the watched three
		}
		c := synthCountries[ci]
		k := rng.IntN(len(synthKinds))
		kind := synthKinds[k]
		place := pick(c.places)
		if rng.IntN(100) < 60 {
			place = pick(synthVillages)
		}
		num := fmt.Sprint(3 + rng.IntN(120))
		d := synthDecisions[rng.IntN(len(synthDecisions))]
		// Names of people and things mostly belong to one country.
		nm := d.names[(ci*2+rng.IntN(2))%len(d.names)]
		dec := [2]string{fmt.Sprintf(d.en, nm[0]), fmt.Sprintf(d.fr, nm[1])}
		day := synthDays[int(at.Weekday()+6)%7]
		// Decisions and sanctions happen once per country: the corpus should
		// not hold two indistinguishable events.
		once := fmt.Sprint(c.id, k, dec)
		if k == 5 {
			once = fmt.Sprint(c.id, k)
		}
		if k >= 4 {
			if lastOnce[once] {
				event--
				continue
			}
			lastOnce[once] = true
		}
		fill := func(s string) string {
			return strings.NewReplacer("{C}", c.en, "{Cfr}", c.fr, "{Au}", c.au, "{P}", place, "{N}", num,
				"{D}", day[0], "{Dfr}", day[1], "{X}", dec[0], "{Xfr}", dec[1], "{K}", c.capital).Replace(s)
		}
		reports := 1
		for reports < 6 && rng.IntN(100) < 55 {
			reports++
		}
		used := map[string]bool{}
		for r := 0; r < reports; r++ {
			lang := "en"
			if rng.IntN(2) == 0 {
				lang = "fr"
			}
			outlet := pick(synthOutlets[lang])
			if used[outlet] {
				continue
			}
			used[outlet] = true
			it := Item{Outlet: outlet, Source: outlet, Lang: lang, Countries: []string{c.id}}
			if kind.actors != nil && rng.IntN(2) == 0 {
				it.Actors = kind.actors
			}
			if lang == "en" {
				it.Title, it.Summary = fill(pick(kind.enTitles)), fill(pick(kind.enSummary))
			} else {
				it.Title, it.Summary = fill(pick(kind.frTitles)), fill(pick(kind.frSummary))
			}
			if rng.IntN(100) < 15 {
				it.Summary = ""
			}
			it.Published = at.Add(time.Duration(rng.ExpFloat64() * float64(5*time.Hour)))
			items = append(items, it)
			labels = append(labels, label)
			if len(items) == n {
				break
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].Published.Compare(items[b].Published) })
	outItems := make([]Item, n)
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

// TestClusterSynthetic measures the clustering on a large synthetic corpus:
// many same-country events a day, in both languages. The corpus is harsher
// than real news: reports of different events of one kind share the same
// template sentences and differ only by a place, a count or a name, so its
// precision stays below the real set's; the bounds guard against regressions.
func TestClusterSynthetic(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 1000
	}
	items, labels := synthCorpus(n, 7)
	ids := make([]int64, n)
	for i := range items {
		ids[i] = items[i].ID
	}
	stories := Cluster(items, ClusterOptions{})
	p, r, _, _ := pairScores(stories, ids, labels)
	t.Logf("%d synthetic items, %d stories: pairwise precision %.3f recall %.3f", n, len(stories), p, r)
	if p < 0.7 || r < 0.95 {
		t.Errorf("synthetic pairwise precision %.3f recall %.3f, want ≥ 0.7 and ≥ 0.95", p, r)
	}
}

func BenchmarkCluster20k(b *testing.B) {
	items, labels := synthCorpus(20000, 1)
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	var stories []Story
	for b.Loop() {
		stories = Cluster(items, ClusterOptions{})
	}
	b.StopTimer()
	p, r, _, _ := pairScores(stories, ids, labels)
	b.ReportMetric(float64(len(stories)), "stories")
	b.ReportMetric(p, "precision")
	b.ReportMetric(r, "recall")
}

// extractOnly reads the items' features, as Cluster does first.
func extractOnly(items []Item) *clusterer {
	sel := make([]*Item, len(items))
	for i := range items {
		sel[i] = &items[i]
	}
	c := newClusterer(sel)
	for i := range sel {
		c.addItem(i, sel[i])
	}
	return c
}
