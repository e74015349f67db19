package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/query/querytest"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
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
			got, err := s.search(t.Context(), tc.fts, tc.countries, tc.actors, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(keys(got), tc.want) {
				t.Errorf("got %v, want %v", keys(got), tc.want)
			}
		})
	}
	if _, err := s.search(t.Context(), `"unclosed`, nil, nil, 5); err == nil {
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
			got, err := s.search(t.Context(), `"coup"`, countries, nil, limit)
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

// SearchFTS finds items whose title or summary match an FTS5 query,
// newest first: the tests' probe of the full-text index (Search is the
// store's search; it builds its expression with ftsMatch).
func (s *Store) SearchFTS(ctx context.Context, ftsQuery string, limit int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.id FROM items_fts f JOIN items i ON i.id = f.rowid
		WHERE items_fts MATCH ? ORDER BY i.published DESC LIMIT ?`, ftsQuery, limit)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func TestQueryFTS(t *testing.T) {
	g := tagger.DefaultGazetteer()
	tests := []struct{ q, want string }{
		{"junta", `"junta"`},
		{"Goïta Junte", `"goita" AND "junte"`},
		{`"coup d'État"`, `"coup d etat"`},
		{"putsch OR coup junte", `("putsch" OR "coup") AND "junte"`},
		{"coup -wagner -\"africa corps\"", `("coup") NOT ("wagner" OR "africa corps")`},
		{"country:mali", ``},
		{"country:mali -wagner", ``},
		{"country:mali junta", `"junta"`},
		{"country:mali OR putsch junta", `"junta"`},
		{`junta*`, `"junta"`},
		{`^junta`, `"junta"`},
		{`NEAR(a b)`, `"near a" AND "b"`},
		{`a AND b NOT c`, `"a" AND "and" AND "b" AND "not" AND "c"`},
		{`(junta) {col}`, `"junta" AND "col"`},
		{`title:junta`, ``}, // an error, see below
		{`12:30`, `"12 30"`},
		{`'; DROP TABLE items;--`, `"drop" AND "table" AND "items"`},
		{`"a ""b"" c"`, `"a" AND "b" AND "c"`},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := query.Parse(tt.q, g)
			if tt.q == "title:junta" {
				if err == nil {
					t.Fatal("title: should be an unknown field")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ftsMatch(q); got != tt.want {
				t.Errorf("ftsMatch() = %s, want %s", got, tt.want)
			}
		})
	}
}

// ftsDB is one in-memory FTS5 table holding queryItems (rowid = index+1).
var (
	ftsOnce sync.Once
	ftsDB   *sql.DB
	ftsErr  error
)

func testFTSDB(tb testing.TB) *sql.DB {
	tb.Helper()
	ftsOnce.Do(func() {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			ftsErr = err
			return
		}
		db.SetMaxOpenConns(1) // one connection: one in-memory database
		if _, err = db.Exec(`CREATE VIRTUAL TABLE t USING fts5(title, summary, tokenize='unicode61 remove_diacritics 2')`); err != nil {
			ftsErr = err
			return
		}
		for i, it := range querytest.Items {
			if _, err = db.Exec(`INSERT INTO t(rowid, title, summary) VALUES (?, ?, ?)`, i+1, it.Title, it.Summary); err != nil {
				ftsErr = err
				return
			}
		}
		ftsDB = db
	})
	if ftsErr != nil {
		tb.Fatal(ftsErr)
	}
	return ftsDB
}

func ftsRows(db *sql.DB, expr string) ([]int, error) {
	rows, err := db.Query(`SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid`, expr)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id-1)
	}
	return out, rows.Err()
}

// TestQueryFTSAgainstSQLite runs ftsMatch through a real FTS5 table: it must
// never be a syntax error, must return every item Match accepts, and
// exactly those for text-only queries.
func TestQueryFTSAgainstSQLite(t *testing.T) {
	g := tagger.DefaultGazetteer()
	db := testFTSDB(t)
	queries := []string{
		"junta", "juntas", "JUNTE", "Goïta", "etat", `"coup d'état"`, `"d'état coup"`,
		`"the july coup"`, `"troops niamey"`, `"memoires les"`, "niger", "nigeria", "coup junta",
		"putsch OR junta", "putsch OR junta OR junte", "juntas OR junta sanctions",
		"coup -wagner", `coup -"coup d'etat"`, "12", "kill", "mali -niger",
		`junta*`, `^junta`, `NEAR(coup etat)`, `coup AND etat`, `coup NOT etat`, `(coup OR) putsch`,
		`title:junta`, `"title:" junta`, `'; DROP TABLE items;--`, `"a ""b"" c"`, `x"y"z`,
		`coup + etat`, `{title summary}: coup`, `coup -"" -"*"`,
		// with tags: FTS is a superset
		"country:mali junte", "country:mali OR putsch coup", "coup -country:niger", "actor:wagner -junta",
	}
	for _, text := range queries {
		t.Run(text, func(t *testing.T) {
			q, err := query.Parse(text, g)
			if err != nil {
				var qe *query.Error
				if !errors.As(err, &qe) {
					t.Fatal(err)
				}
				return
			}
			var want []int
			for i := range querytest.Items {
				if q.Match(&querytest.Items[i]) {
					want = append(want, i)
				}
			}
			expr := ftsMatch(q)
			if expr == "" {
				return
			}
			got, err := ftsRows(db, expr)
			if err != nil {
				t.Fatalf("FTS5 rejects %s: %v", expr, err)
			}
			textOnly := len(q.Countries()) == 0 && len(q.Actors()) == 0 && !strings.Contains(q.String(), ":")
			if textOnly && !slices.Equal(got, want) {
				t.Errorf("FTS %s returns %v, Match %v", expr, got, want)
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("FTS %s misses item %d that Match accepts", expr, w)
				}
			}
		})
	}
}

// FuzzQueryFTS: whatever a user types, ftsMatch of the parsed query is
// never an FTS5 syntax error.
func FuzzQueryFTS(f *testing.F) {
	for _, s := range []string{
		"", "junta", `"coup d'état" OR putsch country:mali -wagner`, `country:"Burkina Faso"`,
		"actor:Goïta", "actor:CEDEAO", `"unclosed`, "OR", "a OR OR b", "-", "- a", "source:x",
		`NEAR("a" "b", 2)`, `a* ^b c:d`, `'; DROP TABLE items;--`, `"a""b"`, "«Niger» “Mali”",
		"cœur Straße U.S.", "a\x00b", "\xff\xfe", "-\"\"", "x:\"\"", "a OR -b", strings.Repeat("é ", 21),
	} {
		f.Add(s)
	}
	g := tagger.DefaultGazetteer()
	db := testFTSDB(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := query.Parse(s, g)
		if err != nil {
			var qe *query.Error
			if !errors.As(err, &qe) || qe.Message == "" {
				t.Fatalf("query.Parse(%q): %v is not a *query.Error with a message", s, err)
			}
			return
		}
		if expr := ftsMatch(q); expr != "" {
			if _, err := ftsRows(db, expr); err != nil {
				t.Fatalf("ftsMatch(query.Parse(%q)) = %s: FTS5: %v", s, expr, err)
			}
		}
	})
}

// The integrity check must be able to fail: an index out of step with the
// table is reported.
func TestIntegrityCheckDetectsStaleIndex(t *testing.T) {
	s := openMem(t)
	save(t, s, fetched("aib", base, newsItem("aib", "k", "https://aib/k", "Kaya alpha", "bravo.", base)))
	if _, err := s.db.Exec(`UPDATE items SET title = 'Kaya charlie'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1)`); err == nil {
		t.Fatal("FTS integrity-check passed although the index no longer matches items")
	}
}

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

// Several updates of one row inside a single SaveFetched must leave the
// external-content FTS index exactly in step with the table.
func TestSaveFetchedRepeatedUpdatesInOneBatch(t *testing.T) {
	const src = "rfi-afrique"
	orig := newsItem(src, "rfi-1", "https://www.rfi.fr/1", "Sénégal : alpha bravo", "charlie delta.", base)
	v := func(key, title, summary string) briefing.Item {
		it := orig
		it.Key, it.Title, it.Summary = key, title, summary
		return it
	}
	tests := []struct {
		name     string
		pre      []briefing.Item // saved before, in their own transaction
		batch    []briefing.Fetched
		present  []string
		absent   []string
		wantRows int
	}{
		{
			name: "two polls of the same source",
			pre:  []briefing.Item{orig},
			batch: []briefing.Fetched{
				fetched(src, base, v("rfi-1", "Sénégal : echo foxtrot", "golf hotel.")),
				fetched(src, base, v("rfi-1", "Sénégal : india juliett", "kilo lima.")),
			},
			present: []string{"india", "juliett", "kilo", "lima", "senegal"},
			absent:  []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"},
		},
		{
			name: "three versions, back to the first",
			pre:  []briefing.Item{orig},
			batch: []briefing.Fetched{
				fetched(src, base, v("rfi-1", "Sénégal : echo", "golf.")),
				fetched(src, base, v("rfi-1", "Sénégal : india", "kilo.")),
				fetched(src, base, orig),
			},
			present: []string{"alpha", "bravo", "charlie", "delta"},
			absent:  []string{"echo", "golf", "india", "kilo"},
		},
		{
			name: "by key then by URL after a GUID rewrite",
			pre:  []briefing.Item{orig},
			batch: []briefing.Fetched{
				fetched(src, base, v("rfi-1", "Sénégal : echo", "golf.")),
				fetched(src, base, v("rfi-1-new", "Sénégal : india", "kilo.")),
			},
			present: []string{"india", "kilo"},
			absent:  []string{"alpha", "charlie", "echo", "golf"},
		},
		{
			name: "updated from another source by URL",
			pre:  []briefing.Item{orig},
			batch: []briefing.Fetched{
				fetched(src, base, v("rfi-1", "Sénégal : echo", "golf.")),
				fetched("google-news", base, func() briefing.Item {
					it := v("gn-1", "Sénégal : india", "kilo.")
					it.Source = "google-news"
					return it
				}()),
			},
			present: []string{"india", "kilo"},
			absent:  []string{"alpha", "charlie", "echo", "golf"},
		},
		{
			name: "inserted then updated in the same batch",
			batch: []briefing.Fetched{
				fetched(src, base, orig),
				fetched(src, base, v("rfi-1", "Sénégal : echo", "golf.")),
				fetched(src, base, v("rfi-1", "Sénégal : india", "kilo.")),
			},
			present: []string{"india", "kilo"},
			absent:  []string{"alpha", "charlie", "echo", "golf"},
		},
		{
			name: "twice in one feed",
			pre:  []briefing.Item{orig},
			batch: []briefing.Fetched{
				fetched(src, base, v("rfi-1", "Sénégal : echo", "golf."), v("rfi-1", "Sénégal : india", "kilo.")),
			},
			present: []string{"india", "kilo"},
			absent:  []string{"alpha", "charlie", "echo", "golf"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openFile(t)
			// Unrelated rows before and after, so rowids around the
			// updated one are in play.
			save(t, s, fetched("aib", base, newsItem("aib", "aib-0", "https://aib/0", "Niamey zulu", "zulu.", base)))
			if len(tt.pre) > 0 {
				save(t, s, fetched(src, base, tt.pre...))
			}
			save(t, s, tt.batch...)
			save(t, s, fetched("aib", base, newsItem("aib", "aib-1", "https://aib/1", "Bamako yankee", "yankee.", base)))
			checkIntegrity(t, s)
			if n := countRows(t, s, "items"); n != 3 {
				t.Errorf("%d rows, want 3", n)
			}
			for _, w := range tt.present {
				if got := search(t, s, w); len(got) != 1 {
					t.Errorf("search %q = %v, want 1 hit", w, got)
				}
			}
			for _, w := range tt.absent {
				if got := search(t, s, w); len(got) != 0 {
					t.Errorf("search %q = %v, want none (stale index)", w, got)
				}
			}
			if got := search(t, s, "zulu OR yankee"); len(got) != 2 {
				t.Errorf("unrelated rows: search = %v", got)
			}
		})
	}
}
