package store

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestSearch(t *testing.T) {
	s, _ := openFile(t)
	base := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	item := func(key, title string, minutes int, countries, actors []string) briefing.Item {
		return briefing.Item{Key: key, URL: "https://news.example/" + key, Title: title, Published: base.Add(time.Duration(minutes) * time.Minute),
			FirstSeen: base, DateFromFeed: true, Countries: countries, Actors: actors}
	}
	save(t, s, fetched("desk", base,
		item("a", "Attaque à Djibo : l'armée burkinabè riposte", 1, []string{"burkina-faso"}, nil),
		item("b", "Wagner quitte le Mali, Africa Corps reste", 2, []string{"mali"}, []string{"wagner"}),
		item("c", "Mali junta meets Wagner envoys in Bamako", 3, []string{"mali"}, []string{"russia", "wagner"}),
		item("d", "Floods in Niamey", 4, []string{"niger"}, nil),
		item("e", "Nigeria: attack in Niger State", 5, []string{"nigeria"}, nil),
	))
	keys := func(items []briefing.Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Key)
		}
		return out
	}
	cases := []struct {
		name              string
		fts               string
		countries, actors []string
		limit             int
		want              []string
	}{
		{"text, newest first, accents folded", `"attaque"`, nil, nil, 0, []string{"a"}},
		{"tag only", "", []string{"mali"}, nil, 0, []string{"c", "b"}},
		{"text and tag", `"wagner"`, nil, []string{"russia"}, 0, []string{"c"}},
		{"two tags", "", []string{"mali"}, []string{"wagner", "russia"}, 0, []string{"c"}},
		{"a tag id is matched whole", "", []string{"niger"}, nil, 0, []string{"d"}},
		{"limit", "", nil, nil, 2, []string{"e", "d"}},
		{"nothing", `"coup"`, nil, nil, 0, nil},
		{"hostile tag value is data", "", []string{"mali' OR 1=1 --"}, nil, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Search(t.Context(), tc.fts, tc.countries, tc.actors, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(keys(got), tc.want) {
				t.Errorf("got %v, want %v", keys(got), tc.want)
			}
		})
	}
	if _, err := s.Search(t.Context(), `"unclosed`, nil, nil, 5); err == nil {
		t.Error("a malformed FTS expression should be an error, not a crash")
	}
}

// TestSearchStoredOutOfOrder: a text search reads the newest rowids first,
// yet answers by publication date, so articles stored late (old news
// backfilled, dates that moved) must still rank where their dates put them.
func TestSearchStoredOutOfOrder(t *testing.T) {
	s, _ := openFile(t)
	base := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	// Rowid order is storing order; published hours are a permutation of it.
	hours := []int{5, 30, 2, 29, 17, 0, 11, 23, 8, 26, 14, 20, 1, 28, 9, 3, 27, 12, 6, 25, 19, 4, 22, 15, 7, 24, 10, 18, 13, 21}
	var all []briefing.Item
	for k, h := range hours {
		it := briefing.Item{Key: fmt.Sprint("k", k), URL: fmt.Sprint("https://news.example/", k), Title: fmt.Sprintf("Coup rumour %d", k),
			Published: base.Add(time.Duration(h) * time.Hour), FirstSeen: base.Add(time.Duration(k) * time.Hour), DateFromFeed: true}
		if k%3 == 0 {
			it.Countries = []string{"mali"}
		}
		all = append(all, it)
		save(t, s, fetched("desk", base, it)) // one at a time: rowids in this order
	}
	want := func(countries []string, limit int) []string {
		var out []briefing.Item
		for _, it := range all {
			if len(countries) == 0 || len(it.Countries) > 0 {
				out = append(out, it)
			}
		}
		slices.SortFunc(out, func(a, b briefing.Item) int { return b.Published.Compare(a.Published) })
		var keys []string
		for _, it := range out[:min(limit, len(out))] {
			keys = append(keys, it.Key)
		}
		return keys
	}
	for _, countries := range [][]string{nil, {"mali"}} {
		for limit := 1; limit <= 32; limit += 3 {
			got, err := s.Search(t.Context(), `"coup"`, countries, nil, limit)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, it := range got {
				keys = append(keys, it.Key)
			}
			if w := want(countries, limit); !reflect.DeepEqual(keys, w) {
				t.Errorf("countries %v, limit %d: got %v, want %v", countries, limit, keys, w)
			}
		}
	}
}
