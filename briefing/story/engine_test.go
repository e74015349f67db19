package story

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestStoryStopsAChain: reports of a Sunday attack and of a Tuesday attack
// near the same town, told in the same words, are two stories even when
// an undated report links to both; linking alone would make them one.
func TestStoryStopsAChain(t *testing.T) {
	mon := time.Date(2024, 8, 5, 0, 0, 0, 0, time.UTC) // a Monday
	sunday := []Doc{
		{ID: 1, Title: "Burkina Faso: gunmen kill soldiers near Djibo on Sunday", Published: mon.Add(8 * time.Hour)},
		{ID: 2, Title: "Gunmen kill Burkinabe soldiers near Djibo on Sunday", Published: mon.Add(9 * time.Hour)},
		{ID: 3, Title: "Burkina: des hommes armés tuent des soldats près de Djibo dimanche", Published: mon.Add(10 * time.Hour)},
	}
	bridge := Doc{ID: 4, Title: "Burkina Faso: gunmen kill soldiers near Djibo", Published: mon.Add(20 * time.Hour)}
	tuesday := []Doc{
		{ID: 5, Title: "Burkina Faso: gunmen kill soldiers near Djibo on Tuesday", Published: mon.Add(33 * time.Hour)},
		{ID: 6, Title: "Gunmen kill Burkinabe soldiers near Djibo on Tuesday", Published: mon.Add(34 * time.Hour)},
	}
	e := newTestEngine(t)
	// Every report links to the bridge, and each day's reports to each other.
	fs := map[int64]*features{}
	for _, d := range append(append(append([]Doc{}, sunday...), bridge), tuesday...) {
		fs[d.ID] = e.extract(d)
	}
	for _, id := range []int64{1, 2, 3, 5, 6} {
		if id != 1 && id < 4 && !e.linked(fs[1], fs[id]) || id > 4 && !e.linked(fs[5], fs[id]) {
			t.Fatalf("report %d does not link to its day's first report: the test's reports need rewording", id)
		}
	}
	if !e.linked(fs[4], fs[1]) || !e.linked(fs[4], fs[5]) || e.linked(fs[1], fs[5]) {
		t.Fatal("the bridge must link both days' reports, which must not link each other")
	}
	for _, batch := range [][]Doc{append(append(append([]Doc{}, sunday...), bridge), tuesday...), nil} {
		if batch == nil {
			// The same, a report at a time as polls would bring them.
			e = newTestEngine(t)
			for _, d := range append(append(append([]Doc{}, sunday...), bridge), tuesday...) {
				e.Assign([]Doc{d})
			}
		} else {
			e = newTestEngine(t)
			e.Assign(batch)
		}
		for _, id := range []int64{2, 3, 4} {
			if got := e.StoryOf(id); got != 1 {
				t.Errorf("report %d: story %d, want the Sunday attack's (1)", id, got)
			}
		}
		if got := e.StoryOf(6); got != 5 || e.StoryOf(5) != 5 {
			t.Errorf("the Tuesday reports: stories %d and %d, want their own (5)", e.StoryOf(5), got)
		}
	}
}

// TestStoryMergeRecorded: a report that links two stored stories that
// agree merges them, and the merge is reported so the store can record it.
func TestStoryMergeRecorded(t *testing.T) {
	at := time.Date(2023, 8, 25, 8, 0, 0, 0, time.UTC)
	e := newTestEngine(t)
	// Stored as two stories (as when they came before the engine linked
	// them, or from feeds polled apart).
	e.Load(Doc{ID: 1, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at}, 1)
	e.Load(Doc{ID: 2, Title: "Le gouvernement nigérien donne 48 heures à l'ambassadeur de France pour partir",
		Published: at.Add(time.Hour)}, 2)
	got, merges, _ := e.Assign([]Doc{{ID: 3, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté sous 48 heures",
		Published: at.Add(2 * time.Hour)}})
	if got[0].Story != 1 || e.StoryOf(2) != 1 {
		t.Fatalf("after the bridge: report 3 in story %d, report 2 in %d; want all in 1", got[0].Story, e.StoryOf(2))
	}
	if len(merges) != 1 || merges[0] != (Merge{From: 2, Into: 1, By: 3}) {
		t.Errorf("merges %+v, want story 2 into 1 by report 3", merges)
	}
}

// TestStoryLateReport: a report delivered late sees the stored reports
// loaded after it (after a restart, the engine does not decide them again)
// and, among reports it assigned, only those published before it; the
// reports after it are assigned again, so the stories are those of one
// batch in order (moves, when stories change, are tested with the
// evaluation set and in the store).
func TestStoryLateReport(t *testing.T) {
	at := time.Date(2023, 8, 25, 8, 0, 0, 0, time.UTC)
	e := newTestEngine(t)
	e.Load(Doc{ID: 1, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at.Add(3 * time.Hour)}, 1)
	got, _, moves := e.Assign([]Doc{{ID: 2, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté",
		Published: at}})
	if got[0].Story != 1 || len(moves) != 0 {
		t.Fatalf("late report after a loaded one: story %d, moves %+v; want story 1, none", got[0].Story, moves)
	}
	// Two reports assigned in order, in two stories; a late one names both
	// and comes first: in order, the two would have joined it.
	e = newTestEngine(t)
	e.Assign([]Doc{{ID: 10, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at.Add(2 * time.Hour)}})
	e.Assign([]Doc{{ID: 11, Title: "Burkina Faso: 50 civilians killed in Djibo attack", Published: at.Add(3 * time.Hour)}})
	want := newTestEngine(t)
	inOrder, _, _ := want.Assign([]Doc{
		{ID: 12, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté", Published: at},
		{ID: 10, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at.Add(2 * time.Hour)},
		{ID: 11, Title: "Burkina Faso: 50 civilians killed in Djibo attack", Published: at.Add(3 * time.Hour)},
	})
	got, _, moves = e.Assign([]Doc{{ID: 12, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté", Published: at}})
	if got[0].Story != inOrder[0].Story || e.StoryOf(10) != inOrder[1].Story || e.StoryOf(11) != inOrder[2].Story {
		t.Fatalf("late report: stories %d, %d, %d; in order %d, %d, %d", got[0].Story, e.StoryOf(10), e.StoryOf(11),
			inOrder[0].Story, inOrder[1].Story, inOrder[2].Story)
	}
	// Report 10 keeps its story's name (the smallest id): nothing moved.
	if len(moves) != 0 {
		t.Errorf("moves %+v, want none", moves)
	}
}

// TestStoryVeryLate: a report more than 600 reports late (a feed's
// backlog after others' over the same hours) still ends where it would in
// order. In order, the report (12 diplomats expelled) comes first, the
// next one (no count) joins it, and the five after (48 hours to leave)
// join them, as they link to more of the story than they contradict;
// joining those six as they stand, it links to one and contradicts five,
// and stays apart, as it does when the reports held are taken as they are.
func TestStoryVeryLate(t *testing.T) {
	at := time.Date(2023, 8, 25, 8, 0, 0, 0, time.UTC)
	var docs []Doc
	for i := 1; i <= 600; i++ {
		docs = append(docs, Doc{ID: int64(i), Title: fmt.Sprintf("Bulletin météo numéro %d", i), Published: at.Add(time.Duration(i) * time.Minute)})
	}
	docs = append(docs, Doc{ID: 9000, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at.Add(11 * time.Hour)})
	for k := 1; k <= 5; k++ {
		docs = append(docs, Doc{ID: int64(9000 + k), Title: "Niger junta gives French ambassador Sylvain Itte 48 hours to leave",
			Published: at.Add(time.Duration(11+k) * time.Hour)})
	}
	late := Doc{ID: 8000, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté et 12 diplomates", Published: at}
	want := newTestEngine(t)
	inOrder, _, _ := want.Assign(append([]Doc{late}, docs...))
	if inOrder[0].Story != 8000 || want.StoryOf(9005) != 8000 {
		t.Fatalf("in order: the late report in story %d, the last in %d; want both in 8000", inOrder[0].Story, want.StoryOf(9005))
	}
	e := newTestEngine(t)
	e.Assign(docs)
	got, merges, moves := e.Assign([]Doc{late})
	for _, d := range append(docs, late) {
		if e.StoryOf(d.ID) != want.StoryOf(d.ID) {
			t.Errorf("report %d: story %d, in order %d", d.ID, e.StoryOf(d.ID), want.StoryOf(d.ID))
		}
	}
	// Story 9000 is now named after the late report: a merge, no move.
	if got[0].Story != 8000 || len(merges) != 1 || merges[0] != (Merge{From: 9000, Into: 8000, By: 8000}) || len(moves) != 0 {
		t.Errorf("late report in story %d, merges %+v, moves %+v; want 8000, story 9000 into 8000, none", got[0].Story, merges, moves)
	}
	// Without the replay (the reports held taken as they are, as Load
	// gives them), the late report stays apart.
	first := newTestEngine(t)
	first.Assign(docs)
	e = newTestEngine(t)
	for _, d := range docs {
		e.Load(d, first.StoryOf(d.ID))
	}
	if got, _, _ := e.Assign([]Doc{late}); got[0].Story != 8000 || e.StoryOf(9000) != 9000 {
		t.Errorf("without replay: late report in story %d, report 9000 in %d; want them apart (the test no longer shows the replay)",
			got[0].Story, e.StoryOf(9000))
	}
}

// TestStoryForget: reports forgotten leave their stories, and a story left
// with none is gone.
func TestStoryForget(t *testing.T) {
	at := time.Date(2023, 8, 25, 8, 0, 0, 0, time.UTC)
	e := newTestEngine(t)
	e.Assign([]Doc{
		{ID: 1, Title: "Niger junta expels French ambassador Sylvain Itte", Published: at},
		{ID: 2, Title: "Niger : la junte expulse l'ambassadeur de France Sylvain Itté", Published: at.Add(20 * time.Hour)},
	})
	e.Forget(at.Add(time.Hour))
	if _, held := e.docs[1]; held || len(e.members) != 1 || len(e.members[1]) != 1 || e.members[1][0].id != 2 {
		t.Fatalf("after Forget: stories held %v; want only report 2, in story 1", e.members)
	}
	got, _, _ := e.Assign([]Doc{{ID: 3, Title: "Niger expels French ambassador Sylvain Itte", Published: at.Add(21 * time.Hour)}})
	if got[0].Story != 1 {
		t.Errorf("a new report of the story went to %d, want 1", got[0].Story)
	}
}

// TestStorySample: the docs of a story the rule reads are the nearest in
// time within reach, however the story's docs came together.
func TestStorySample(t *testing.T) {
	e := newTestEngine(t)
	const h = int64(3600)
	var a, b []member
	for i := int64(0); i < 10; i++ {
		m := member{t: i * 10 * h, id: 100 + i}
		e.docs[m.id] = &features{id: m.id, t: m.t, loaded: true}
		if i%2 == 0 {
			a = append(a, m)
		} else {
			b = append(b, m)
		}
	}
	e.members[100] = mergeMembers(a, b)
	if !slices.IsSortedFunc(e.members[100], member.cmp) || len(e.members[100]) != 10 {
		t.Fatalf("merged members %v: want the ten in order of time", e.members[100])
	}
	// From t = 45h: 40h and 50h first (the earlier first), then 30h and 60h.
	at := func(t int64) *features { return &features{id: 1, t: t} }
	if got := e.sample(100, at(45*h), 4); !slices.Equal(got, []int64{104, 105, 103, 106}) {
		t.Errorf("sample of 4 around 45h: %v", got)
	}
	// Reach: nothing more than two days away.
	if got := e.sample(100, at(120*h), 10); !slices.Equal(got, []int64{109, 108}) {
		t.Errorf("sample within reach of 120h: %v", got)
	}
	// Reports assigned (not loaded) after the one sampled for were not
	// there yet when it came, in order of publication.
	for _, f := range e.docs {
		f.loaded = false
	}
	if got := e.sample(100, at(45*h), 4); !slices.Equal(got, []int64{104, 103, 102, 101}) {
		t.Errorf("sample of 4 around 45h, later reports unseen: %v", got)
	}
}

// TestStoryForgetAfterMerge: once the report a merged story was named
// after is forgotten, the story's later reports still lead new reports to
// the story they were merged into.
func TestStoryForgetAfterMerge(t *testing.T) {
	at := time.Date(2023, 8, 25, 8, 0, 0, 0, time.UTC)
	title := "Niger junta expels French ambassador Sylvain Itte"
	e := newTestEngine(t)
	e.Load(Doc{ID: 1, Title: title, Published: at}, 1)
	e.Load(Doc{ID: 3, Title: title, Published: at.Add(2 * time.Hour)}, 3)
	e.Load(Doc{ID: 6, Title: title, Published: at.Add(30 * time.Hour)}, 3)
	if _, merges, _ := e.Assign([]Doc{{ID: 4, Title: title, Published: at.Add(3 * time.Hour)}}); len(merges) != 1 || e.StoryOf(6) != 1 {
		t.Fatalf("the bridge: merges %+v, story of 6 = %d; want story 3 merged into 1", merges, e.StoryOf(6))
	}
	e.Forget(at.Add(4 * time.Hour)) // reports 1, 3 and 4 go; 6 stays, in story 1
	got, _, _ := e.Assign([]Doc{{ID: 7, Title: title, Published: at.Add(40 * time.Hour)}})
	if got[0].Story != 1 {
		t.Errorf("a new report of the story went to %d, want 1", got[0].Story)
	}
}
