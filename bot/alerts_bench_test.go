package bot

import (
	"fmt"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// BenchmarkMatchItem10kSubscriptions matches one new item against 10,000
// subscriptions spread over 2,000 channels, as the alerter does for each
// stored item (target: under 1 ms).
func BenchmarkMatchItem10kSubscriptions(b *testing.B) {
	g := tagger.DefaultGazetteer()
	words := []string{"attack", "attaque", "coup", "junta", "drone", "convoy", "uranium", "gold", "election", "sanctions",
		"ecowas", "wagner", "kidal", "menaka", "tillaberi", "ouagadougou", "bamako", "niamey", "hostage", "ambush"}
	tags := []string{"country:mali", "country:niger", "country:burkina-faso", "actor:jnim", "actor:wagner", "actor:ecowas", "", ""}
	subs := make([]compiledSub, 0, 10000)
	for i := range 10000 {
		text := fmt.Sprintf("%s %s", words[i%len(words)], tags[(i/len(words))%len(tags)])
		switch i % 5 {
		case 1:
			text = fmt.Sprintf("%s OR %s", words[i%len(words)], words[(i*7)%len(words)])
		case 2:
			text = fmt.Sprintf(`"%s %s" -%s`, words[i%len(words)], words[(i+1)%len(words)], words[(i+3)%len(words)])
		}
		q, err := query.Parse(text, g)
		if err != nil {
			b.Fatalf("%q: %v", text, err)
		}
		subs = append(subs, compiledSub{sub: briefing.Subscription{ID: int64(i), Channel: fmt.Sprintf("slack:C%05d", i/5)}, q: q})
	}
	it := briefing.Item{ID: 1, Title: "Mali: jihadists attack army convoy near Kidal, dozens killed",
		Summary: "The JNIM claimed the ambush on the road between Kidal and Gao, where Wagner's successor Africa Corps escorts convoys.", Outlet: "Reuters"}
	g.TagItem(&it)
	items := []briefing.Item{it}
	index := newSubIndex(subs)
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for range b.N {
		matched = len(matchItems(items, index, false))
	}
	b.ReportMetric(float64(matched), "matches")
}

// TestSubIndexFindsEveryMatch checks the index against trying every
// query, over queries of every shape (words, phrases, OR, exclusions,
// tags, exclusions only) and real headlines.
func TestSubIndexFindsEveryMatch(t *testing.T) {
	g := tagger.DefaultGazetteer()
	texts := []string{"attack", "attaque OR attack", `"army camp"`, "country:mali", "actor:jnim OR actor:wagner", "mali -niger",
		"coup country:niger", `"jihadists attack" country:mali -ambush`, "boulkessi OR kidal OR menaka", "actor:ecowas sanctions",
		"soldiers killed", "convoy", "junte OR junta", "country:burkina-faso OR country:mali attack", "rally niamey", "ecowas"}
	var subs []compiledSub
	for i, text := range texts {
		q, err := query.Parse(text, g)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		subs = append(subs, compiledSub{sub: briefing.Subscription{ID: int64(i), Channel: "c", Query: text}, q: q})
	}
	titles := []string{boulkessiReuters, boulkessiAFP, boulkessiRFI, niameyProtest,
		"Burkina Faso: la junte annonce une attaque repoussée à Djibo", "ECOWAS lifts sanctions on Niger after coup talks",
		"Wagner convoy ambushed near Kidal", "Nothing to see here"}
	var items []briefing.Item
	for i, title := range titles {
		it := briefing.Item{ID: int64(i + 1), Title: title}
		g.TagItem(&it)
		items = append(items, it)
	}
	got := matchItems(items, newSubIndex(subs), false)
	var want []hit
	for i := range items {
		mt := query.NewMatchText(&items[i])
		for j := range subs {
			if subs[j].q.MatchPrepared(mt) {
				want = append(want, hit{item: int32(i), sub: int32(j)})
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("indexed matches %v\nwant %v", got, want)
	}
	if len(want) < 10 {
		t.Fatalf("only %d matches: the test does not exercise the index", len(want))
	}
}
