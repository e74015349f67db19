package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// firstPoll is one realistic poll of three sources.
func firstPoll() []briefing.Fetched {
	wat := time.FixedZone("WAT", 3600)
	rfi := briefing.Fetched{
		State: briefing.SourceState{
			Name: "rfi-afrique", URL: "https://www.rfi.fr/fr/afrique/rss",
			ETag: `W/"5f3c-18c9a2b"`, LastModified: "Mon, 02 Jun 2025 08:29:41 GMT",
			LastAttempt: base.In(wat), LastSuccess: base.In(wat), LastStatus: briefing.StatusOK,
			ItemsLastTime: 3, NextCheck: base.Add(15*time.Minute + 7*time.Microsecond).In(wat),
		},
		Items: []briefing.Item{
			{
				Source: "rfi-afrique", Key: "https://www.rfi.fr/fr/afrique/20250602-mali-tessit",
				URL:     "https://www.rfi.fr/fr/afrique/20250602-mali-tessit",
				Title:   "Mali : l’armée affirme avoir repris le contrôle de Tessit",
				Summary: "Les Forces armées maliennes (FAMa) ont affirmé lundi avoir repris le camp de Tessit, dans la région de Gao.",
				Outlet:  "RFI", Lang: "fr",
				Published:    base.Add(-2 * time.Hour),
				Updated:      base.Add(-90*time.Minute + 999*time.Microsecond),
				FirstSeen:    base,
				DateFromFeed: true,
				Countries:    []string{"ML"}, Actors: []string{"fama"},
			},
			{
				Source: "rfi-afrique", Key: "https://www.rfi.fr/fr/afrique/20250602-niger-bbc",
				URL:     "https://www.rfi.fr/fr/afrique/20250602-niger-bbc",
				Title:   "Niger : la junte suspend la BBC pour trois mois",
				Summary: "Le régime militaire de Niamey reproche à la radio britannique des informations « fausses ».",
				Outlet:  "RFI", Lang: "fr",
				Published: base.Add(-30 * time.Minute), FirstSeen: base, DateFromFeed: true,
				Countries: []string{"NE", "GB"}, Actors: []string{"cnsp"},
			},
			{
				// Source left empty: SaveFetched fills it from the state.
				Key: "tag:rfi.fr,2025:burkina-djibo", URL: "https://www.rfi.fr/fr/afrique/20250601-burkina-djibo",
				Title:  "Burkina Faso : nouvelle attaque contre l’armée à Djibo",
				Outlet: "RFI", Lang: "fr",
				Published: base.Add(-26 * time.Hour), FirstSeen: base, DateFromFeed: true,
			},
		},
	}
	reuters := briefing.Fetched{
		State: okState("reuters-africa", "https://www.reuters.com/world/africa/rss", base),
		Items: []briefing.Item{{
			Source: "reuters-africa", Key: "reuters-2025-06-02-sahel-ecowas",
			URL:   "https://www.reuters.com/world/africa/sahel-states-ecowas-2025-06-02/",
			Title: "Sahel juntas say exit from ECOWAS is irreversible", Outlet: "Reuters", Lang: "en",
			Summary:   "Mali, Burkina Faso and Niger said on Monday their withdrawal from the regional bloc was final.",
			Published: base.Add(-10 * time.Minute), FirstSeen: base, DateFromFeed: true,
			Countries: []string{"ML", "BF", "NE"}, Actors: []string{"ecowas", "aes"},
		}},
	}
	failing := briefing.Fetched{State: briefing.SourceState{
		Name: "actuniger", URL: "https://www.actuniger.com/feed",
		LastAttempt: base, LastStatus: briefing.StatusError,
		LastError:           "sources: fetch actuniger: 503 Service Unavailable",
		ConsecutiveFailures: 4, LastNewItem: base.Add(-100 * time.Hour),
		NextCheck: base.Add(4 * time.Hour),
	}}
	return []briefing.Fetched{rfi, reuters, failing}
}

func TestSaveFetchedFirstSave(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	batch := firstPoll()
	saved := save(t, s, batch...)

	var prev int64
	for i, f := range batch {
		got := saved[i]
		if got.Source != f.State.Name {
			t.Errorf("saved[%d].Source = %q, want %q (order of the batch)", i, got.Source, f.State.Name)
		}
		if got.Updated != 0 {
			t.Errorf("%s: Updated = %d on first save", got.Source, got.Updated)
		}
		if len(got.New) != len(f.Items) {
			t.Fatalf("%s: %d new, want %d", got.Source, len(got.New), len(f.Items))
		}
		for j, it := range got.New {
			if it.ID <= prev {
				t.Errorf("%s new[%d].ID = %d, want > %d", got.Source, j, it.ID, prev)
			}
			prev = it.ID
			want := f.Items[j]
			want.ID = it.ID
			if want.Source == "" {
				want.Source = f.State.Name
			}
			if !reflect.DeepEqual(it, want) {
				t.Errorf("%s new[%d] =\n%+v\nwant\n%+v", got.Source, j, it, want)
			}
		}
	}

	// Read back: every field, times at millisecond precision in UTC.
	var want []briefing.Item
	for _, sv := range saved {
		for _, it := range sv.New {
			want = append(want, asStored(it, it.ID))
		}
	}
	slices.SortFunc(want, func(a, b briefing.Item) int { return b.Published.Compare(a.Published) })
	if got := allItems(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("ItemsSince =\n%+v\nwant\n%+v", got, want)
	}

	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != len(batch) {
		t.Fatalf("%d source states, want %d", len(states), len(batch))
	}
	for _, f := range batch {
		wantSt := stateAsStored(f.State)
		for _, it := range f.Items {
			if msUTC(it.Published).After(wantSt.LastNewItem) {
				wantSt.LastNewItem = msUTC(it.Published)
			}
		}
		if got := states[f.State.Name]; !reflect.DeepEqual(got, wantSt) {
			t.Errorf("SourceStates[%s] =\n%+v\nwant\n%+v", f.State.Name, got, wantSt)
		}
	}

	// The next poll's state replaces the stored one field by field.
	next := briefing.SourceState{
		Name: "actuniger", URL: "https://www.actuniger.com/rss",
		ETag: `"abc"`, LastModified: "Tue, 03 Jun 2025 00:00:00 GMT",
		LastAttempt: base.Add(time.Hour + time.Nanosecond), LastSuccess: base.Add(time.Hour),
		LastStatus: briefing.StatusNotModified, ItemsLastTime: 0,
		NextCheck: base.Add(2*time.Hour + 1500*time.Microsecond),
	}
	save(t, s, briefing.Fetched{State: next})
	states, err = s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantSt := stateAsStored(next)
	wantSt.LastNewItem = msUTC(base.Add(-100 * time.Hour)) // kept: never moves backwards
	if got := states["actuniger"]; !reflect.DeepEqual(got, wantSt) {
		t.Errorf("after second poll SourceStates[actuniger] =\n%+v\nwant\n%+v", got, wantSt)
	}

	counts, err := s.ItemCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"rfi-afrique": 3, "reuters-africa": 1}; !reflect.DeepEqual(counts, want) {
		t.Errorf("ItemCounts = %v, want %v", counts, want)
	}
	checkIntegrity(t, s)
}

func TestSaveFetchedEmpty(t *testing.T) {
	s := openMem(t)
	out, err := s.SaveFetched(context.Background(), nil)
	if err != nil || out != nil {
		t.Fatalf("SaveFetched(nil) = %v, %v", out, err)
	}
	// A source with no items still has its state saved.
	save(t, s, fetched("lefaso", base))
	if n := countRows(t, s, "sources"); n != 1 {
		t.Errorf("%d sources, want 1", n)
	}
}

func TestSaveFetchedResaveIsNoop(t *testing.T) {
	s, _ := openFile(t)
	save(t, s, firstPoll()...)
	items, tags := countRows(t, s, "items"), countTags(t, s)
	before := allItems(t, s)
	for round := 0; round < 2; round++ {
		n, upd := countNew(save(t, s, firstPoll()...))
		if n != 0 || upd != 0 {
			t.Fatalf("round %d: re-save gave %d new, %d updated; want 0, 0", round, n, upd)
		}
	}
	if got := countRows(t, s, "items"); got != items {
		t.Errorf("items %d -> %d after re-save", items, got)
	}
	if got := countTags(t, s); got != tags {
		t.Errorf("tags %d -> %d after re-save", tags, got)
	}
	if after := allItems(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("re-save changed items:\n%+v\n->\n%+v", before, after)
	}
	if got := search(t, s, "tessit"); len(got) != 1 {
		t.Errorf("search tessit = %v, want one hit", got)
	}
	checkIntegrity(t, s)
}

func TestSaveFetchedGUIDRewrite(t *testing.T) {
	s := openMem(t)
	const url = "https://www.jeuneafrique.com/1690000/politique/mali-assimi-goita/"
	it := newsItem("jeuneafrique", "https://www.jeuneafrique.com/?p=1690000", url,
		"Mali : Assimi Goïta obtient un mandat de cinq ans", "Le général a été investi sans élection.", base)
	id := save(t, s, fetched("jeuneafrique", base, it))[0].New[0].ID

	it.Key = "jeuneafrique-1690000-v2" // the publisher changed its GUID scheme
	saved := save(t, s, fetched("jeuneafrique", base, it))
	if len(saved[0].New) != 0 || saved[0].Updated != 1 {
		t.Fatalf("GUID rewrite: %d new, %d updated; want 0 new, 1 updated", len(saved[0].New), saved[0].Updated)
	}
	if n := countRows(t, s, "items"); n != 1 {
		t.Fatalf("%d rows after GUID rewrite, want 1", n)
	}
	if got := itemByID(t, s, id); got.Key != it.Key || got.URL != url {
		t.Errorf("row key/url = %q, %q; want %q, %q", got.Key, got.URL, it.Key, url)
	}
	// The row now answers to the new GUID: saving it again changes nothing.
	saved = save(t, s, fetched("jeuneafrique", base, it))
	if len(saved[0].New) != 0 || saved[0].Updated != 0 {
		t.Errorf("save with new key: %d new, %d updated; want 0, 0", len(saved[0].New), saved[0].Updated)
	}
	// Known by the new key even when the URL disappears from the feed.
	noURL := it
	noURL.URL = ""
	saved = save(t, s, fetched("jeuneafrique", base, noURL))
	if len(saved[0].New) != 0 {
		t.Errorf("item known by its rewritten key stored again: %+v", saved[0].New)
	}
	if got := itemByID(t, s, id); got.URL != url {
		t.Errorf("an empty URL erased the stored one: %q", got.URL)
	}
	checkIntegrity(t, s)
}

func TestSaveFetchedTextRewrite(t *testing.T) {
	s, _ := openFile(t)
	it := newsItem("studio-tamani", "tamani-4521", "https://www.studiotamani.org/4521",
		"Attaque contre un convoi près de Tessit", "Un convoi de ravitaillement a été visé dimanche près de Tessit.", base)
	other := newsItem("studio-tamani", "tamani-4522", "https://www.studiotamani.org/4522",
		"Convoi humanitaire attendu à Ménaka", "Le convoi doit arriver mardi.", base.Add(time.Minute))
	saved := save(t, s, fetched("studio-tamani", base, it, other))
	id, otherID := saved[0].New[0].ID, saved[0].New[1].ID
	if got := search(t, s, "ravitaillement"); !reflect.DeepEqual(got, []int64{id}) {
		t.Fatalf("before rewrite: search ravitaillement = %v, want [%d]", got, id)
	}

	it.Title = "Attaque contre un poste militaire à Tessit"
	it.Summary = "Un poste de l’armée a été visé dimanche près de Tessit, selon des sources locales."
	saved = save(t, s, fetched("studio-tamani", base, it, other))
	if len(saved[0].New) != 0 || saved[0].Updated != 1 {
		t.Fatalf("rewrite: %d new, %d updated; want 0, 1", len(saved[0].New), saved[0].Updated)
	}
	got := itemByID(t, s, id)
	if got.Title != it.Title || got.Summary != it.Summary {
		t.Errorf("row text = %q / %q, want the rewrite", got.Title, got.Summary)
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"poste", []int64{id}},
		{"militaire", []int64{id}},
		{"locales", []int64{id}},
		{"ravitaillement", nil},        // only in the old summary
		{"convoi", []int64{otherID}},   // gone from the rewritten item, still in the other
		{"tessit", []int64{id}},        // in both versions
		{"title:attaque", []int64{id}}, // column filter
		{"summary:convoi", []int64{otherID}},
	}
	for _, tt := range tests {
		if got := search(t, s, tt.query); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.query, got, tt.want)
		}
	}
	checkIntegrity(t, s)

	// An empty title or summary in a later poll keeps the stored text.
	blank := it
	blank.Summary = ""
	save(t, s, fetched("studio-tamani", base, blank))
	if got := itemByID(t, s, id); got.Summary != it.Summary {
		t.Errorf("empty summary erased the stored one: %q", got.Summary)
	}
}

func TestSaveFetchedDates(t *testing.T) {
	first := base.Add(-3 * time.Hour)
	later := base.Add(5 * time.Hour) // a rewritten, newer pubDate
	tests := []struct {
		name             string
		firstFromFeed    bool
		firstPub         time.Time
		next             time.Time
		nextFromFeed     bool
		wantPub          time.Time
		wantFromFeed     bool
		wantUpdatedCount int
	}{
		{"feed date kept when pubDate rewritten", true, first, later, true, first, true, 0},
		{"feed date kept when date disappears", true, first, later, false, first, true, 0},
		{"first-seen guess kept without a feed date", false, first, later, false, first, false, 0},
		{"first-seen guess replaced by a feed date", false, base, first, true, first, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openMem(t)
			it := newsItem("aib", "aib-77", "https://www.aib.media/77", "Ouagadougou : conseil des ministres",
				"Le conseil des ministres s’est tenu mercredi.", tt.firstPub)
			it.DateFromFeed = tt.firstFromFeed
			id := save(t, s, fetched("aib", base, it))[0].New[0].ID

			it.Published, it.DateFromFeed = tt.next, tt.nextFromFeed
			saved := save(t, s, fetched("aib", base, it))
			if saved[0].Updated != tt.wantUpdatedCount || len(saved[0].New) != 0 {
				t.Errorf("%d new, %d updated; want 0, %d", len(saved[0].New), saved[0].Updated, tt.wantUpdatedCount)
			}
			got := itemByID(t, s, id)
			if !got.Published.Equal(msUTC(tt.wantPub)) || got.DateFromFeed != tt.wantFromFeed {
				t.Errorf("Published = %v (from feed %v), want %v (%v)", got.Published, got.DateFromFeed,
					msUTC(tt.wantPub), tt.wantFromFeed)
			}
			if !tt.wantFromFeed {
				return
			}
			// Once a feed date is stored, a further rewrite does not move it.
			it.Published, it.DateFromFeed = later.Add(time.Hour), true
			save(t, s, fetched("aib", base, it))
			if got := itemByID(t, s, id); !got.Published.Equal(msUTC(tt.wantPub)) {
				t.Errorf("after another rewrite Published = %v, want %v", got.Published, msUTC(tt.wantPub))
			}
		})
	}
}

func TestSaveFetchedUpdatedDate(t *testing.T) {
	s := openMem(t)
	it := newsItem("aib", "aib-78", "https://www.aib.media/78", "Titre", "Résumé.", base)
	id := save(t, s, fetched("aib", base, it))[0].New[0].ID
	it.Updated = base.Add(time.Hour)
	if saved := save(t, s, fetched("aib", base, it)); saved[0].Updated != 1 {
		t.Errorf("newer <updated>: Updated = %d, want 1", saved[0].Updated)
	}
	it.Updated = base.Add(time.Minute) // older than stored: ignored
	if saved := save(t, s, fetched("aib", base, it)); saved[0].Updated != 0 {
		t.Errorf("older <updated>: Updated = %d, want 0", saved[0].Updated)
	}
	if got := itemByID(t, s, id); !got.Updated.Equal(msUTC(base.Add(time.Hour))) {
		t.Errorf("Updated = %v, want %v", got.Updated, msUTC(base.Add(time.Hour)))
	}
}

func TestSaveFetchedSameURLOtherSource(t *testing.T) {
	const url = "https://www.lemonde.fr/afrique/article/2025/06/02/niger-uranium_123.html"
	lemonde := newsItem("lemonde-afrique", "lm-123", url, "Niger : l’uranium au cœur du bras de fer avec Orano",
		"La junte a retiré son permis d’exploitation au groupe français.", base)
	gnews := newsItem("google-news-sahel", "CBMiZmh0dHBzOi8vd3d3LmxlbW9uZGUuZnI", url,
		"Niger : l’uranium au cœur du bras de fer avec Orano", "", base.Add(time.Minute))
	gnews.Outlet = "Le Monde"

	t.Run("separate polls", func(t *testing.T) {
		s := openMem(t)
		id := save(t, s, fetched("lemonde-afrique", base, lemonde))[0].New[0].ID
		saved := save(t, s, fetched("google-news-sahel", base, gnews))
		if len(saved[0].New) != 0 {
			t.Fatalf("same URL from another source stored again: %+v", saved[0].New)
		}
		got := itemByID(t, s, id)
		if got.Source != "lemonde-afrique" || got.Key != "lm-123" {
			t.Errorf("row now %s/%s; the first source keeps it", got.Source, got.Key)
		}
		counts, err := s.ItemCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"lemonde-afrique": 1}; !reflect.DeepEqual(counts, want) {
			t.Errorf("ItemCounts = %v, want %v", counts, want)
		}
		checkIntegrity(t, s)
	})
	t.Run("same batch", func(t *testing.T) {
		s := openMem(t)
		saved := save(t, s, fetched("lemonde-afrique", base, lemonde), fetched("google-news-sahel", base, gnews))
		if n, _ := countNew(saved); n != 1 {
			t.Errorf("%d new, want 1", n)
		}
		if n := countRows(t, s, "items"); n != 1 {
			t.Errorf("%d rows, want 1", n)
		}
		checkIntegrity(t, s)
	})
	t.Run("items without URL are told apart by key", func(t *testing.T) {
		s := openMem(t)
		a := newsItem("lefaso", "hash-a", "", "Communiqué du gouvernement", "", base)
		b := newsItem("lefaso", "hash-b", "", "Communiqué du gouvernement n°2", "", base)
		c := newsItem("aib", "hash-a", "", "Communiqué du gouvernement", "", base)
		if n, _ := countNew(save(t, s, fetched("lefaso", base, a, b), fetched("aib", base, c))); n != 3 {
			t.Errorf("%d new, want 3", n)
		}
		if n, upd := countNew(save(t, s, fetched("lefaso", base, a, b), fetched("aib", base, c))); n != 0 || upd != 0 {
			t.Errorf("re-save: %d new, %d updated", n, upd)
		}
	})
}

func TestSaveFetchedTags(t *testing.T) {
	s := openMem(t)
	it := newsItem("reuters-africa", "r-1", "https://reuters/1", "Sahel juntas meet in Niamey", "Leaders met.", base)
	it.Countries = []string{"NE", "ML", "BF", "ML"}
	it.Actors = []string{"aes", "tiani"}
	bare := newsItem("reuters-africa", "r-2", "https://reuters/2", "Gold prices rise", "Markets.", base.Add(-time.Hour))
	saved := save(t, s, fetched("reuters-africa", base, it, bare))
	id := saved[0].New[0].ID

	got := itemByID(t, s, id)
	if want := []string{"BF", "ML", "NE"}; !reflect.DeepEqual(got.Countries, want) {
		t.Errorf("Countries = %q, want %q", got.Countries, want)
	}
	if want := []string{"aes", "tiani"}; !reflect.DeepEqual(got.Actors, want) {
		t.Errorf("Actors = %q, want %q", got.Actors, want)
	}
	if got := itemByID(t, s, saved[0].New[1].ID); got.Countries != nil || got.Actors != nil {
		t.Errorf("untagged item has tags %q %q", got.Countries, got.Actors)
	}

	// A changed item re-tagged: its tags are replaced, not added to.
	it.Title = "Sahel juntas meet in Niamey, agree on joint force"
	it.Countries, it.Actors = []string{"NE"}, []string{"aes"}
	save(t, s, fetched("reuters-africa", base, it))
	got = itemByID(t, s, id)
	if !reflect.DeepEqual(got.Countries, []string{"NE"}) || !reflect.DeepEqual(got.Actors, []string{"aes"}) {
		t.Errorf("after retag: %q %q", got.Countries, got.Actors)
	}
	// Tags of items outside the window or the limit do not leak in.
	items, err := s.ItemsSince(context.Background(), base.Add(-30*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != id || len(items[0].Countries) != 1 {
		t.Errorf("ItemsSince(window) = %+v", items)
	}
}

func TestItemsSinceOrderAndLimit(t *testing.T) {
	s := openMem(t)
	pubs := []time.Duration{-5 * time.Hour, 0, -1 * time.Hour, -3 * time.Hour, 0, -2 * time.Hour}
	var items []briefing.Item
	for i, d := range pubs {
		items = append(items, newsItem("aps", "aps-"+string(rune('a'+i)), "https://aps.sn/"+string(rune('a'+i)),
			"Dakar : dépêche", "Texte.", base.Add(d)))
	}
	saved := save(t, s, fetched("aps", base, items...))
	ids := make([]int64, len(pubs))
	for i, it := range saved[0].New {
		ids[i] = it.ID
	}
	// Newest first; equal dates newest row first.
	all := []int64{ids[4], ids[1], ids[2], ids[5], ids[3], ids[0]}
	tests := []struct {
		name  string
		since time.Time
		limit int
		want  []int64
	}{
		{"all", time.Time{}, 0, all},
		{"negative limit is no limit", time.Time{}, -1, all},
		{"limit", time.Time{}, 3, all[:3]},
		{"limit larger than rows", time.Time{}, 100, all},
		{"since is inclusive", base.Add(-2 * time.Hour), 0, all[:4]},
		{"since and limit", base.Add(-2 * time.Hour), 2, all[:2]},
		{"since in the future", base.Add(time.Hour), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ItemsSince(context.Background(), tt.since, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for i, it := range got {
				gotIDs = append(gotIDs, it.ID)
				if i > 0 && it.Published.After(got[i-1].Published) {
					t.Errorf("not newest first at %d", i)
				}
			}
			if !reflect.DeepEqual(gotIDs, tt.want) {
				t.Errorf("ids = %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

func TestItemCounts(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	if c, err := s.ItemCounts(ctx); err != nil || len(c) != 0 {
		t.Fatalf("empty store ItemCounts = %v, %v", c, err)
	}
	var a, b []briefing.Item
	for i := range 5 {
		a = append(a, newsItem("a", "a"+string(rune('0'+i)), "https://a/"+string(rune('0'+i)), "Titre", "", base))
	}
	for i := range 2 {
		b = append(b, newsItem("b", "b"+string(rune('0'+i)), "https://b/"+string(rune('0'+i)), "Titre", "", base))
	}
	save(t, s, fetched("a", base, a...), fetched("b", base, b...), fetched("c", base))
	c, err := s.ItemCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"a": 5, "b": 2}; !reflect.DeepEqual(c, want) {
		t.Errorf("ItemCounts = %v, want %v", c, want)
	}
}

// A failure anywhere in a batch leaves nothing of it behind: no items, no
// state, no index entries.
func TestSaveFetchedAtomic(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	save(t, s, fetched("aib", base, newsItem("aib", "k0", "https://aib/0", "Kaya alpha", "bravo.", base)))
	if _, err := s.db.Exec(`CREATE TRIGGER boom BEFORE INSERT ON items WHEN new.source = 'boom'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	rewrite := newsItem("aib", "k0", "https://aib/0", "Kaya charlie", "delta.", base)
	batch := []briefing.Fetched{
		fetched("aib", base.Add(time.Hour), rewrite, newsItem("aib", "k1", "https://aib/1", "Kaya echo", "", base)),
		fetched("lefaso", base, newsItem("lefaso", "l1", "https://lefaso/1", "Ouaga foxtrot", "", base)),
		fetched("boom", base, newsItem("boom", "x", "https://boom/x", "Boom golf", "", base)),
	}
	if _, err := s.SaveFetched(ctx, batch); err == nil {
		t.Fatal("SaveFetched succeeded despite the failing insert")
	}
	if n := countRows(t, s, "items"); n != 1 {
		t.Errorf("%d items after failed batch, want 1", n)
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || !states["aib"].LastAttempt.Equal(msUTC(base)) {
		t.Errorf("source states after failed batch: %+v", states)
	}
	for q, want := range map[string]int{"alpha": 1, "charlie": 0, "echo": 0, "foxtrot": 0} {
		if got := search(t, s, q); len(got) != want {
			t.Errorf("search %q = %v, want %d hits", q, got, want)
		}
	}
	checkIntegrity(t, s)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.SaveFetched(cctx, batch[:2]); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
	if n := countRows(t, s, "items"); n != 1 {
		t.Errorf("%d items after cancelled save, want 1", n)
	}
	// The store still works.
	if n, upd := countNew(save(t, s, batch[:2]...)); n != 2 || upd != 1 {
		t.Errorf("after failures: %d new, %d updated; want 2, 1", n, upd)
	}
	checkIntegrity(t, s)
}

func TestItemsStoredBetween(t *testing.T) {
	s := openMem(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	late := newsItem("a", "late", "https://x/late", "Published before, stored in the window", "", at.Add(-30*time.Hour))
	late.FirstSeen = at.Add(time.Hour)
	before := newsItem("a", "before", "https://x/before", "Stored before the window", "", at.Add(-2*time.Hour))
	before.FirstSeen = at.Add(-time.Hour)
	ancient := newsItem("a", "ancient", "https://x/ancient", "Too old to be news", "", at.Add(-30*24*time.Hour))
	ancient.FirstSeen = at.Add(time.Hour)
	save(t, s, fetched("a", at, late, before, ancient))
	got, err := s.ItemsStoredBetween(context.Background(), at, at.Add(24*time.Hour), at.Add(-7*24*time.Hour))
	if err != nil || len(got) != 1 || got[0].Key != "late" {
		t.Fatalf("ItemsStoredBetween = %+v, %v; want only the late-stored item", got, err)
	}
}
