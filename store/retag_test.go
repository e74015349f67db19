package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/storytest"
)

// vdpExtension is a config file's gazetteer extension adding an actor the
// built-in gazetteer does not know.
const vdpExtension = `actors:
  - id: vdp
    name: Volunteers for the Defence of the Homeland
    aliases: [VDP, Volontaires pour la défense de la patrie]
`

// gazetteer builds the built-in gazetteer with an extension ("" none).
func gazetteer(t testing.TB, ext string) *tagger.Gazetteer {
	t.Helper()
	spec := tagger.BuiltinGazetteerSpec()
	if ext != "" {
		e, err := tagger.ParseGazetteer([]byte(ext))
		if err != nil {
			t.Fatal(err)
		}
		spec = spec.Merge(e)
	}
	g, err := tagger.NewGazetteer(spec)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// storeTagged stores items tagged by g, as the poller does, with stories
// named by their titles' first word (storytest.PrefixAssigner).
func storeTagged(t *testing.T, s *Store, g *tagger.Gazetteer, titles ...string) {
	t.Helper()
	var items []briefing.Item
	for k, title := range titles {
		it := newsItem("rfi", fmt.Sprint(k+1), fmt.Sprintf("https://rfi.example/%d", k+1), title, "",
			base.Add(time.Duration(k)*time.Minute))
		g.TagItem(&it)
		items = append(items, it)
	}
	save(t, s, fetched("rfi", base, items...))
}

func retagWith(t *testing.T, s *Store, g *tagger.Gazetteer, batch int) RetagResult {
	t.Helper()
	res, err := s.Retag(context.Background(), RetagOptions{Fingerprint: g.Fingerprint(), Tag: g.TagItem, Batch: batch})
	if err != nil {
		t.Fatalf("Retag: %v", err)
	}
	return res
}

func actorsOf(t *testing.T, s *Store) map[int64][]string {
	t.Helper()
	out := map[int64][]string{}
	for _, it := range allItems(t, s) {
		out[it.ID] = it.Actors
	}
	return out
}

// A config extension adding an actor reaches the stored items: retag tags
// the items that name it, leaves the others, counts them, and redoes the
// summaries of their stories; an unchanged gazetteer has nothing to do.
func TestRetagAppliesGazetteerExtension(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	builtin, extended := gazetteer(t, ""), gazetteer(t, vdpExtension)
	storeTagged(t, s, builtin,
		"s1 Burkina Faso : des VDP tués près de Djibo",
		"s2 Mali : la junte d'Assimi Goïta suspend les partis",
		"s1 Burkina Faso: VDP volunteers killed near Djibo",
		"s3 Niger : la CEDEAO lève les sanctions")
	before := actorsOf(t, s)
	fts := countRows(t, s, "items_fts")

	// A database from before retag_state knows not what tagged it: the
	// first retag checks every item and finds the built-in tags right.
	if need, err := s.RetagNeeded(ctx, builtin.Fingerprint()); err != nil || !need {
		t.Fatalf("RetagNeeded on a new database = %v, %v; want true", need, err)
	}
	if res := retagWith(t, s, builtin, 0); res.Checked != 4 || res.Changed != 0 || res.UpToDate {
		t.Errorf("retag with the gazetteer that tagged them: %+v; want 4 checked, 0 changed", res)
	}
	// Now it knows: nothing to do, without reading an item.
	if need, err := s.RetagNeeded(ctx, builtin.Fingerprint()); err != nil || need {
		t.Errorf("RetagNeeded after a retag = %v, %v; want false", need, err)
	}
	called := 0
	res, err := s.Retag(ctx, RetagOptions{Fingerprint: builtin.Fingerprint(),
		Tag: func(*briefing.Item) { called++ }})
	if err != nil || !res.UpToDate || res.Checked != 0 || called != 0 {
		t.Errorf("retag again: %+v, %v, %d items tagged; want up to date, none read", res, err, called)
	}

	res = retagWith(t, s, extended, 0)
	if res.Checked != 4 || res.Changed != 2 || res.Stories != 1 || res.UpToDate || res.Resumed {
		t.Errorf("retag with the extension: %+v; want 4 checked, 2 changed, 1 story", res)
	}
	after := actorsOf(t, s)
	for id, actors := range after {
		wantVDP := id == 1 || id == 3
		if slices.Contains(actors, "vdp") != wantVDP {
			t.Errorf("item %d actors %v; vdp wanted: %v", id, actors, wantVDP)
		}
		if !wantVDP && !slices.Equal(actors, before[id]) {
			t.Errorf("item %d actors %v changed from %v", id, actors, before[id])
		}
	}
	sums := checkSummaries(t, s, base, base.Add(time.Hour)) // the rows are what the items sum up to
	for _, sum := range sums {
		if sum.ID == 1 && !slices.Contains(sum.Actors, "vdp") {
			t.Errorf("story 1's summary actors %v lack vdp", sum.Actors)
		}
	}
	if n := countRows(t, s, "items_fts"); n != fts {
		t.Errorf("full-text index rows %d, were %d", n, fts)
	}
	if need, _ := s.RetagNeeded(ctx, extended.Fingerprint()); need {
		t.Error("RetagNeeded after the retag with the extension")
	}
}

// A retag stopped midway (a cancelled context: Ctrl-C, a stopping bot)
// continues from its cursor next time, without reading again what it
// did; a retag with another gazetteer starts over.
func TestRetagResumesFromCursor(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	builtin, extended := gazetteer(t, ""), gazetteer(t, vdpExtension)
	var titles []string
	for k := range 10 {
		titles = append(titles, fmt.Sprintf("s%d Burkina Faso : %d VDP tués", k%3+1, k+1))
	}
	storeTagged(t, s, builtin, titles...)

	stopped, stop := context.WithCancel(ctx)
	defer stop()
	res, err := s.Retag(stopped, RetagOptions{Fingerprint: extended.Fingerprint(), Tag: extended.TagItem, Batch: 3,
		Progress: func(RetagProgress) { stop() }})
	if !errors.Is(err, context.Canceled) || res.Checked != 3 || res.Changed != 3 || res.Total != 10 {
		t.Fatalf("interrupted retag: %+v, %v; want 3 of 10 checked and changed, context.Canceled", res, err)
	}
	if need, _ := s.RetagNeeded(ctx, extended.Fingerprint()); !need {
		t.Error("RetagNeeded after an interrupted retag = false")
	}
	checkRows(t, s) // each committed batch left the summaries exact

	var read []int64
	res, err = s.Retag(ctx, RetagOptions{Fingerprint: extended.Fingerprint(), Batch: 3,
		Tag: func(it *briefing.Item) { read = append(read, it.ID); extended.TagItem(it) }})
	if err != nil || !res.Resumed || res.Checked != 7 || res.Changed != 7 || res.Total != 7 {
		t.Errorf("resumed retag: %+v, %v; want resumed, 7 checked and changed", res, err)
	}
	if !slices.Equal(read, []int64{4, 5, 6, 7, 8, 9, 10}) {
		t.Errorf("resumed retag read items %v; want 4..10", read)
	}
	for id, actors := range actorsOf(t, s) {
		if !slices.Contains(actors, "vdp") {
			t.Errorf("item %d actors %v lack vdp", id, actors)
		}
	}
	checkRows(t, s)

	// Interrupted again, then asked for the built-in gazetteer: it starts
	// from the first item, and takes the tags back.
	stopped, stop = context.WithCancel(ctx)
	defer stop()
	s.Retag(stopped, RetagOptions{Fingerprint: "other", Tag: func(*briefing.Item) {}, Batch: 3,
		Progress: func(RetagProgress) { stop() }})
	res = retagWith(t, s, builtin, 3)
	if res.Resumed || res.Checked != 10 || res.Changed != 10 {
		t.Errorf("retag with another gazetteer after an interruption: %+v; want 10 checked and changed", res)
	}
	checkRows(t, s)
}

// A retag beside a writer (the bot's poller saving new items with the new
// gazetteer, and publishers correcting stored items) interleaves with its
// saves without losing either: at the end every item has the new tags and
// every story summary is exact.
func TestRetagBesideSaves(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	s.SetStoryAssigner(storytest.NewPrefixAssigner())
	builtin, extended := gazetteer(t, ""), gazetteer(t, vdpExtension)
	mk := func(g *tagger.Gazetteer, k int, title string) briefing.Item {
		it := newsItem("rfi", fmt.Sprint(k), fmt.Sprintf("https://rfi.example/%d", k), title, "",
			base.Add(time.Duration(k)*time.Minute))
		g.TagItem(&it)
		return it
	}
	var old []briefing.Item
	for k := range 60 {
		old = append(old, mk(builtin, k, fmt.Sprintf("s%d Burkina Faso : %d VDP tués", k%7, k)))
	}
	save(t, s, fetched("rfi", base, old...))

	saved := make(chan error, 1)
	batches := make(chan struct{}, 100)
	go func() {
		defer close(saved)
		for r := range 10 {
			<-batches // a save between two retag batches
			// A new item, and a correction of a stored one (its new text
			// tagged, as the poller tags it, with the new gazetteer).
			fresh := mk(extended, 100+r, fmt.Sprintf("s%d Niger : des VDP au front, %d", r%7, r))
			fixed := mk(extended, r*5, fmt.Sprintf("s%d Burkina Faso : %d VDP tués (bilan revu)", (r*5)%7, r*5))
			if _, err := s.SaveFetched(ctx, []briefing.Fetched{fetched("rfi", base, fresh, fixed)}); err != nil {
				saved <- err
				return
			}
		}
	}()
	res, err := s.Retag(ctx, RetagOptions{Fingerprint: extended.Fingerprint(), Tag: extended.TagItem, Batch: 4,
		Progress: func(RetagProgress) {
			select {
			case batches <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		batches <- struct{}{} // let the writer finish if the retag ended first
	}
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	if res.Checked < 60 {
		t.Errorf("retag checked %d items; want at least the 60 stored before", res.Checked)
	}
	for _, it := range allItems(t, s) {
		if !slices.Contains(it.Actors, "vdp") {
			t.Errorf("item %d %q actors %v lack vdp", it.ID, it.Title, it.Actors)
		}
	}
	checkRows(t, s)
}
