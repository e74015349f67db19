package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
)

func TestAlertsOncePerStoryWithLaterOutletsInTheThread(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.add("Old", "Jihadists attack army camp in Mali before anyone subscribed")
		e.subscribe("console", "country:mali attack")
		e.subscribe("console", "soldiers")
		e.subscribe("slack:C1", "country:niger")
		if n := e.process(); n != 0 {
			t.Fatalf("items from before the subscriptions queued %d alerts", n)
		}
		time.Sleep(time.Minute)
		e.add("Reuters", boulkessiReuters, niameyProtest)
		e.process()
		e.drain()
		wantPosts(t, e.out.kinds(),
			"alert console: "+boulkessiReuters,
			"alert slack:C1: "+niameyProtest,
		)
		first := e.out.posted[0].msg.Alerts[0]
		if len(first.Queries) != 2 || first.Queries[0] != "country:mali attack" {
			t.Errorf("alert queries = %q; want both matching subscriptions", first.Queries)
		}
		if len(first.Countries) == 0 || first.Countries[0].Name != "Mali" {
			t.Errorf("alert countries = %+v", first.Countries)
		}
		// Two more outlets report it, one twice: one reply per new outlet,
		// in the alert's thread; nothing new at top level.
		time.Sleep(10 * time.Minute)
		e.add("AFP", boulkessiAFP)
		e.add("Reuters", "Update: jihadists attack Boulkessi army camp in Mali, dozens of soldiers killed")
		e.process()
		e.drain()
		time.Sleep(10 * time.Minute)
		e.add("RFI", boulkessiRFI)
		e.process()
		e.drain()
		got := e.out.kinds()
		wantPosts(t, got[2:],
			"reply console: "+boulkessiAFP+" (in ref1)",
			"reply console: "+boulkessiRFI+" (in ref1)",
		)
		last := e.out.posted[3].msg.Alerts[0]
		if fmt.Sprint(last.Outlets) != "[Reuters AFP RFI]" {
			t.Errorf("reply outlets = %v; want the thread's outlets so far", last.Outlets)
		}
		if n := e.process(); n != 0 {
			t.Errorf("a second pass queued %d deliveries; items are matched once", n)
		}
	})
}

func TestBackfillAlertsOnRecentItems(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		items := e.add("Reuters", boulkessiReuters, niameyProtest)
		sub := e.subscribe("console", "boulkessi")
		if n := e.process(); n != 0 {
			t.Fatalf("live path queued %d for items before the subscription", n)
		}
		n, err := e.al.Backfill(context.Background(), sub, items)
		if err != nil || n != 1 {
			t.Fatalf("Backfill = %d, %v; want 1", n, err)
		}
		if n, _ := e.al.Backfill(context.Background(), sub, items); n != 0 {
			t.Fatalf("second Backfill queued %d; want 0", n)
		}
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
	})
}

// A backfill posts one alert per story, with every outlet that told it
// (no thread of replies for past news), the most important story first,
// and counts stories.
func TestBackfillPostsStoriesMostImportantFirst(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		var items []briefing.Item
		items = append(items, e.add("Reuters", niameyProtest)...)
		time.Sleep(10 * time.Minute)
		items = append(items, e.add("Reuters", boulkessiReuters)...)
		items = append(items, e.add("AFP", boulkessiAFP)...)
		items = append(items, e.add("RFI", boulkessiRFI)...)
		sub := e.subscribe("console", "mali OR niger")
		n, err := e.al.Backfill(context.Background(), sub, items)
		if err != nil || n != 2 {
			t.Fatalf("Backfill = %d, %v; want 2 stories", n, err)
		}
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters, "alert console: "+niameyProtest)
		if got := fmt.Sprint(e.out.posted[0].msg.Alerts[0].Outlets); got != "[Reuters AFP RFI]" {
			t.Errorf("backfilled alert outlets %s, want every outlet of the story", got)
		}
	})
}

func TestOldNewsAndUnreachableChannelsAreNotAlerted(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.subscribe("console", "boulkessi OR niamey")
		e.subscribe("discord:42", "boulkessi")
		e.al.Deliverable = func(ch string) bool { return ch == "console" }
		time.Sleep(time.Second)
		// A new source's backlog: published three days before it was stored.
		g := tagger.DefaultGazetteer()
		old := briefing.Item{Source: "Archive", Key: "old", URL: "https://archive.example/1", Title: niameyProtest, Outlet: "Archive",
			Published: time.Now().Add(-72 * time.Hour), FirstSeen: time.Now(), DateFromFeed: true}
		g.TagItem(&old)
		if _, err := e.st.SaveFetched(context.Background(), []briefing.Fetched{{State: briefing.SourceState{Name: "Archive", URL: "https://archive.example/feed"},
			Items: []briefing.Item{old}}}); err != nil {
			t.Fatal(err)
		}
		e.add("Reuters", boulkessiReuters)
		e.process()
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters)
		if ds, _ := e.st.Deliveries(context.Background(), "discord:42"); len(ds) != 0 {
			t.Errorf("queued %d deliveries for a platform that is not configured", len(ds))
		}
	})
}

// When a report links two stories that were alerted apart, it and later
// reports reply in the thread of the earlier alert, whichever story
// survives the merge: threads follow merges.
func TestAlertThreadsFollowMerges(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.st.SetStoryAssigner(storytest.NewPrefixAssigner())
		e.subscribe("console", "mali")
		time.Sleep(time.Minute)
		e.add("Reuters", "s1 Niger: an opening report nobody subscribed to") // story 1, no alert
		e.add("AFP", "s2 Mali: soldiers killed in the north")                // story 2, alert ref1
		e.process()
		e.drain()
		time.Sleep(time.Minute)
		e.add("AP", "s1 Mali: attack on Boulkessi camp") // story 1, its first alert: ref2
		e.process()
		e.drain()
		time.Sleep(time.Minute)
		// Links story 2 to story 1: story 2 merges into story 1, and the
		// report goes to the thread of the story's earliest alert (ref1).
		e.add("RFI", "s2+s1 Mali: the Boulkessi attack killed dozens of soldiers")
		e.process()
		e.drain()
		wantPosts(t, e.out.kinds(),
			"alert console: s2 Mali: soldiers killed in the north",
			"alert console: s1 Mali: attack on Boulkessi camp",
			"reply console: s2+s1 Mali: the Boulkessi attack killed dozens of soldiers (in ref1)",
		)
	})
}

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
