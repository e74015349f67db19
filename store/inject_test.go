package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// hostile are strings that break naive SQL, JSON or FTS quoting, and
// unusual (valid, NUL-free) Unicode.
var hostile = []string{
	`'); DROP TABLE items; --`,
	`"; DROP TABLE sources; --`,
	`Robert'); DELETE FROM sources; DROP TABLE items_fts;--`,
	`O'Brien "quoted" \backslash\ ` + "`tick`",
	`' OR '1'='1`,
	`%_ LIKE wildcards %%`,
	`json ["array", {"k": "v"}] \u0000 \n`,
	`?1 ?2 :name @name $name`,
	"tab\tnewline\ncarriage\rreturn",
	"\u2028line sep\u2029para sep",
	"zero\u200bwidth\u200djoiner\ufeffbom",
	"e\u0301 combining and é precomposed",
	"مالي — النيجر — بوركينا فاسو",
	"ⵜⴰⵎⴰⵣⵉⵖⵜ Tifinagh",
	"emoji 🇲🇱🇳🇪🇧🇫 👩🏾‍🌾",
	"\U0010FFFD last plane \uFFFF noncharacter",
	"<script>alert('x')</script> & &amp;",
	"   leading and trailing spaces   ",
}

func TestHostileStringsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	var batch []briefing.Fetched
	var want []briefing.Item
	for i, h := range hostile {
		src := fmt.Sprintf("src %d %s", i, h)
		it := briefing.Item{
			Source:  src,
			Key:     h,
			URL:     "https://example.org/" + h,
			Title:   fmt.Sprintf("title %d %s", i, h),
			Summary: h + " summary",
			Outlet:  h, Lang: h,
			Published: base.Add(-time.Duration(i) * time.Minute), FirstSeen: base, DateFromFeed: true,
			// Tag ids are canonical (no white space, see briefing.Item);
			// everything else about them may be hostile.
			Countries: []string{hostileID(h)}, Actors: []string{hostileID(h) + "actor"},
		}
		st := okState(src, "https://feeds.example/"+h, base)
		st.ETag, st.LastModified, st.LastError = h, h, h
		batch = append(batch, briefing.Fetched{State: st, Items: []briefing.Item{it}})
	}
	saved := save(t, s, batch...)
	for i, sv := range saved {
		if sv.Source != batch[i].State.Name || len(sv.New) != 1 {
			t.Fatalf("saved[%d] = %+v", i, sv)
		}
		want = append(want, asStored(batch[i].Items[0], sv.New[0].ID))
	}

	for _, table := range []string{"items", "sources", "items_fts", "schema_migrations"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Fatalf("table %s missing after hostile input (%d, %v)", table, n, err)
		}
	}
	if got := allItems(t, s); !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("item %d:\n got %#v\nwant %#v", i, got[i], want[i])
			}
		}
		t.Fatalf("read %d items, want %d", len(got), len(want))
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range batch {
		wantSt := stateAsStored(f.State)
		wantSt.LastNewItem = msUTC(f.Items[0].Published)
		if got := states[f.State.Name]; !reflect.DeepEqual(got, wantSt) {
			t.Errorf("state %q:\n got %#v\nwant %#v", f.State.Name, got, wantSt)
		}
	}
	counts, err := s.ItemCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range batch {
		if counts[f.State.Name] != 1 {
			t.Errorf("ItemCounts[%q] = %d, want 1", f.State.Name, counts[f.State.Name])
		}
	}

	// Keys and URLs are matched exactly on the next poll: nothing new,
	// nothing changed.
	if n, upd := countNew(save(t, s, batch...)); n != 0 || upd != 0 {
		t.Errorf("re-save of hostile items: %d new, %d updated; want 0, 0", n, upd)
	}
	// A rewrite of hostile text is indexed and de-indexed exactly.
	for i := range batch {
		batch[i].Items[0].Title = fmt.Sprintf("rewritten %d %s", i, hostile[len(hostile)-1-i])
	}
	if n, upd := countNew(save(t, s, batch...)); n != 0 || upd != len(batch) {
		t.Errorf("rewrite of hostile items: %d new, %d updated; want 0, %d", n, upd, len(batch))
	}
	checkIntegrity(t, s)

	// Hostile text as a search query is a bound parameter: at worst an FTS
	// syntax error, never executed SQL.
	for _, h := range hostile {
		_, _ = s.SearchFTS(ctx, h, 10)
	}
	var wantHits []int64
	for _, it := range allItems(t, s) { // newest first, as SearchFTS
		if strings.Contains(it.Title+" "+it.Summary, "DROP TABLE items") {
			wantHits = append(wantHits, it.ID)
		}
	}
	if got := search(t, s, `"DROP TABLE items"`); len(wantHits) < 2 || !reflect.DeepEqual(got, wantHits) {
		t.Errorf(`search "DROP TABLE items" = %v, want %v`, got, wantHits)
	}
	if n := countRows(t, s, "items"); n != len(hostile) {
		t.Errorf("%d items after hostile searches, want %d", n, len(hostile))
	}
	checkIntegrity(t, s)
}

// hostileID turns a hostile string into a tag id: white space is the one
// thing ids cannot hold, since the store separates them with it.
func hostileID(h string) string {
	id := strings.Join(strings.Fields(h), "_")
	if id == "" {
		id = "blank"
	}
	return id
}
