package story

import (
	"cmp"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// evalRow is one line of testdata/eval.jsonl: a real report as its feed or
// page published it, where it was read, and the event it tells.
type evalRow struct {
	ID        int64  `json:"id"`
	Event     string `json:"event"`
	EventDate string `json:"event_date"`
	Where     string `json:"where"`
	About     string `json:"about"`
	Group     string `json:"group"`
	Kind      string `json:"kind"` // report or distractor
	Split     string `json:"split"`
	Lang      string `json:"lang"`
	Published string `json:"published"`
	Outlet    string `json:"outlet"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	URL       string `json:"url"`
	Cite      string `json:"cite"`
}

func (r evalRow) doc() Doc {
	return Doc{ID: r.ID, Title: r.Title, Summary: r.Summary, URL: r.URL, Lang: r.Lang, Published: parseDate(r.Published)}
}

func parseDate(s string) time.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(12 * time.Hour) // a day without a time: noon
	}
	return time.Time{}
}

func loadEval(t testing.TB) []evalRow { return loadRows(t, "testdata/eval.jsonl") }

// loadRows reads a JSONL file of labelled reports.
func loadRows(t testing.TB, path string) []evalRow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []evalRow
	for n, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r evalRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s:%d: %v", path, n+1, err)
		}
		rows = append(rows, r)
	}
	return rows
}

func evalSplit(rows []evalRow, split string) []evalRow {
	var out []evalRow
	for _, r := range rows {
		if r.Split == split {
			out = append(out, r)
		}
	}
	return out
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(tagger.DefaultGazetteer(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// assign gives rows to a fresh engine in the given order, a batch at a
// time, and returns each row's story.
func assign(t testing.TB, rows []evalRow, batch int) map[int64]int64 {
	e := newTestEngine(t)
	for k := 0; k < len(rows); k += batch {
		var docs []Doc
		for _, r := range rows[k:min(k+batch, len(rows))] {
			docs = append(docs, r.doc())
		}
		e.Assign(docs)
	}
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.ID] = e.StoryOf(r.ID)
	}
	return out
}

// scores is pairwise precision and recall of a clustering against the
// labelled events.
type scores struct {
	tp, fp, fn int
}

func (s scores) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s scores) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// f05 is the F-measure counting precision twice, by which the threshold
// is chosen.
func (s scores) f05() float64 {
	p, r := s.precision(), s.recall()
	if p+r == 0 {
		return 0
	}
	return 1.25 * p * r / (0.25*p + r)
}

func (s scores) add(o scores) scores { return scores{s.tp + o.tp, s.fp + o.fp, s.fn + o.fn} }

func (s scores) String() string {
	return fmt.Sprintf("P %.3f R %.3f (pairs: %d right, %d wrong, %d missed)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// pairScores counts every pair of rows that keep returns true for.
func pairScores(rows []evalRow, story map[int64]int64, keep func(a, b evalRow) bool) scores {
	var s scores
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			a, b := rows[i], rows[j]
			if keep != nil && !keep(a, b) {
				continue
			}
			same, together := a.Event == b.Event, story[a.ID] == story[b.ID]
			switch {
			case same && together:
				s.tp++
			case together:
				s.fp++
			case same:
				s.fn++
			}
		}
	}
	return s
}

// evalReport is the figures of one half of the evaluation set.
type evalReport struct {
	all, en, fr, cross, nearMiss scores
	whereRight, whereTotal       int
	wrong, missed                []string
}

func evaluate(t testing.TB, rows []evalRow) evalReport {
	story := assign(t, rows, len(rows))
	var r evalReport
	r.all = pairScores(rows, story, nil)
	r.en = pairScores(rows, story, func(a, b evalRow) bool { return a.Lang == "en" && b.Lang == "en" })
	r.fr = pairScores(rows, story, func(a, b evalRow) bool { return a.Lang == "fr" && b.Lang == "fr" })
	r.cross = pairScores(rows, story, func(a, b evalRow) bool { return a.Lang != b.Lang })
	r.nearMiss = pairScores(rows, story, func(a, b evalRow) bool { return a.Group != "" && a.Group == b.Group })
	eachPair(rows, false, func(i, j int) {
		if a, b := rows[i], rows[j]; story[a.ID] == story[b.ID] {
			r.wrong = append(r.wrong, fmt.Sprintf("%s | %s\n    %s | %s", a.Event, a.Title, b.Event, b.Title))
		}
	})
	// Missed: events split into several stories.
	byEvent := map[string][]evalRow{}
	for _, row := range rows {
		byEvent[row.Event] = append(byEvent[row.Event], row)
	}
	events := make([]string, 0, len(byEvent))
	for ev := range byEvent {
		events = append(events, ev)
	}
	sort.Strings(events)
	e := newTestEngine(t)
	for _, ev := range events {
		stories := map[int64][]string{}
		for _, row := range byEvent[ev] {
			stories[story[row.ID]] = append(stories[story[row.ID]], row.Lang+": "+row.Title)
		}
		if len(stories) > 1 {
			var parts []string
			for _, titles := range stories {
				parts = append(parts, strings.Join(titles, " // "))
			}
			sort.Strings(parts)
			r.missed = append(r.missed, ev+"\n    "+strings.Join(parts, "\n    "))
		}
		// Where: the story's country is the event's.
		if row := byEvent[ev][0]; row.Kind == "report" && row.Where != "" {
			var items []*briefing.Item
			for _, x := range byEvent[ev] {
				items = append(items, &briefing.Item{ID: x.ID, Published: parseDate(x.Published), Place: e.extract(x.doc()).where})
			}
			got := briefing.StoryPlace(items)
			r.whereTotal++
			if got == row.Where || row.About != "" && got == row.About {
				r.whereRight++
			} else if testing.Verbose() {
				t.Logf("where %s: got %q, want %q", ev, got, row.Where)
			}
		}
	}
	return r
}

func (r evalReport) log(t testing.TB, name string) {
	t.Logf("%s: all %v", name, r.all)
	t.Logf("%s: en-en %v", name, r.en)
	t.Logf("%s: fr-fr %v", name, r.fr)
	t.Logf("%s: en-fr %v", name, r.cross)
	t.Logf("%s: near-miss groups %v", name, r.nearMiss)
	t.Logf("%s: where %d/%d", name, r.whereRight, r.whereTotal)
}

// TestEvalTune reports the tuning half, with every wrong and missed pair
// under -v: the half the weights were set on.
func TestEvalTune(t *testing.T) {
	r := evaluate(t, evalSplit(loadEval(t), "tune"))
	r.log(t, "tune")
	if testing.Verbose() && os.Getenv("STORY_EVAL_DETAIL") != "" {
		for _, w := range r.wrong {
			t.Logf("wrong: %s", w)
		}
		for _, m := range r.missed {
			t.Logf("missed: %s", m)
		}
	}
}

// TestEvalHeldOut reports the test half, which no weight was set on. The
// goal is pairwise precision ≥ 0.95 and recall ≥ 0.80; the engine reaches
// neither (README: Stories). The bounds below are the figures reached, less
// a little: they catch regressions.
func TestEvalHeldOut(t *testing.T) {
	r := evaluate(t, evalSplit(loadEval(t), "test"))
	r.log(t, "test")
	if p := r.all.precision(); p < 0.90 {
		t.Errorf("held-out precision %.3f fell below 0.90 (reached: 0.926; goal 0.95)", p)
	}
	if rc := r.all.recall(); rc < 0.67 {
		t.Errorf("held-out recall %.3f fell below 0.67 (reached: 0.692; goal 0.80)", rc)
	}
	if w := float64(r.whereRight) / float64(r.whereTotal); w < 0.90 {
		t.Errorf("held-out where %d/%d, want ≥ 90%%", r.whereRight, r.whereTotal)
	}
}

// TestStoriesJSONL reports the earlier set of 68 real reports of 14 events
// (testdata/stories.jsonl, which the first clustering engine was tuned on).
func TestStoriesJSONL(t *testing.T) {
	rows := loadRows(t, "testdata/stories.jsonl")
	s := pairScores(rows, assign(t, rows, len(rows)), nil)
	t.Logf("stories.jsonl: %v", s)
	if s.precision() < 0.9 || s.recall() < 0.8 {
		t.Errorf("stories.jsonl: %v, want P ≥ 0.9 and R ≥ 0.8", s)
	}
}

// TestEvalSetShape holds the evaluation set to what it must be: at least
// 500 real reports of 150 events over three years, 30% French, each cited
// once (no id or link twice), split by event and near-miss group.
// straddlingGroups are the near-miss groups the first split left in both
// halves (an event in one, its follow-up in the other: the Niamey airport
// attack and its claim). The test half stays as it was split; no other
// group may straddle.
var straddlingGroups = map[string]bool{"mali-2022-05-g5-coup": true, "niger-2024-03-us-teguey": true,
	"niger-niamey-airport-attack-2026": true}

func TestEvalSetShape(t *testing.T) {
	rows := loadEval(t)
	events := map[string]string{}
	groups := map[string]string{}
	ids, urls := map[int64]bool{}, map[string]bool{}
	years := map[string]bool{}
	fr := 0
	for _, r := range rows {
		if ids[r.ID] || urls[r.URL] {
			t.Errorf("row %d: its id or link is another row's", r.ID)
		}
		ids[r.ID], urls[r.URL] = true, true
		if s, ok := groups[r.Group]; ok && r.Group != "" && s != r.Split && !straddlingGroups[r.Group] {
			t.Errorf("near-miss group %s is in both halves (row %d)", r.Group, r.ID)
		}
		groups[r.Group] = r.Split
		if r.Cite == "" || r.URL == "" || r.Outlet == "" || r.Published == "" || parseDate(r.Published).IsZero() {
			t.Errorf("row %d lacks a citation, link, outlet or date", r.ID)
		}
		if r.Title == "" && r.Summary == "" {
			t.Errorf("row %d has no text", r.ID)
		}
		if r.Split != "tune" && r.Split != "test" {
			t.Errorf("row %d: split %q", r.ID, r.Split)
		}
		if s, ok := events[r.Event]; ok && s != r.Split {
			t.Errorf("event %s is in both halves", r.Event)
		}
		events[r.Event] = r.Split
		years[r.Published[:4]] = true
		if r.Lang == "fr" {
			fr++
		}
	}
	if len(rows) < 500 || len(events) < 150 || len(years) < 3 || 10*fr < 3*len(rows) {
		t.Errorf("%d reports, %d events, %d years, %d French: want ≥ 500, ≥ 150, ≥ 3, ≥ 30%%", len(rows), len(events), len(years), fr)
	}
	t.Logf("%d reports, %d events, %d distinct years, %.0f%% French", len(rows), len(events), len(years), 100*float64(fr)/float64(len(rows)))
}

// TestAssignOrderIndependent: the same reports give the same stories in
// any order within a batch, and cut into batches in order of publication
// (as polls bring them), whatever the order inside each batch.
func TestAssignOrderIndependent(t *testing.T) {
	rows := loadEval(t)
	want := canonical(rows, assign(t, rows, len(rows)))
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(rows)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := canonical(rows, assign(t, shuffled, len(rows))); !slices.Equal(got, want) {
		t.Error("one batch in another order: stories differ from the sorted run")
	}
	byTime := slices.Clone(rows)
	slices.SortStableFunc(byTime, func(a, b evalRow) int {
		return cmp.Or(parseDate(a.Published).Compare(parseDate(b.Published)), cmp.Compare(a.ID, b.ID))
	})
	for _, batch := range []int{1, 7, 100} {
		cut := slices.Clone(byTime)
		for k := 0; k < len(cut); k += batch {
			part := cut[k:min(k+batch, len(cut))]
			rng.Shuffle(len(part), func(i, j int) { part[i], part[j] = part[j], part[i] })
		}
		if got := canonical(rows, assign(t, cut, batch)); !slices.Equal(got, want) {
			t.Errorf("batches of %d in order of publication: stories differ from one batch", batch)
		}
	}
}

// TestAssignArrivalDelays: reports delivered late give the stories they
// would have in order. Each report of the tuning half arrives a random
// delay after its publication (up to 2 hours, then up to 3 days) and is
// assigned with its poll; or the reports of 40 feeds (their outlets) come
// feed by feed, as a first poll's backlogs do (each years late). The
// engine assigns the reports after a late one again, so the stories equal
// those of one batch.
func TestAssignArrivalDelays(t *testing.T) {
	rows := evalSplit(loadEval(t), "tune")
	want := canonical(rows, assign(t, rows, len(rows)))
	for _, c := range []struct {
		name    string
		arrival []int64
		keep    time.Duration
	}{
		{"delays up to 2h, 15-minute polls", delayed(rows, 2*time.Hour, 15*time.Minute), 0},
		{"delays up to 3 days, hourly polls", delayed(rows, 72*time.Hour, time.Hour), 0},
		// As the store keeps a week: Forget after each poll.
		{"delays up to 3 days, hourly polls, a week kept", delayed(rows, 72*time.Hour, time.Hour), 6 * 24 * time.Hour},
		{"40 feeds' backlogs, one after another", feedBacklogs(rows), 0},
	} {
		got := canonical(rows, assignArriving(t, rows, arrivals{arrival: c.arrival, keep: c.keep}))
		if differ := countDiffer(got, want); differ > 0 {
			t.Errorf("%s: %d of %d reports in another story than in order", c.name, differ, len(rows))
		}
	}
}

// TestAssignAcrossRestarts: an engine that takes over from another (a
// restart), given the reports assigned before with their traces
// (Restore) as the store gives them (those within reach of each poll),
// goes on as the first would have: reports delivered late after the
// restart give the stories they would have in order. Given them as they
// are (Load) instead, it does not.
func TestAssignAcrossRestarts(t *testing.T) {
	rows := evalSplit(loadEval(t), "tune")
	want := canonical(rows, assign(t, rows, len(rows)))
	late := delayed(rows, 72*time.Hour, time.Hour)
	for _, c := range []struct {
		name string
		a    arrivals
	}{
		{"restarted every 5 polls, a week kept", arrivals{arrival: late, restartEvery: 5, keep: 6 * 24 * time.Hour}},
		{"restarted every 24 polls, a week kept", arrivals{arrival: late, restartEvery: 24, keep: 6 * 24 * time.Hour}},
		{"40 feeds' backlogs, restarted after every 4", arrivals{arrival: feedBacklogs(rows), restartEvery: 4}},
	} {
		got := canonical(rows, assignArriving(t, rows, c.a))
		if differ := countDiffer(got, want); differ > 0 {
			t.Errorf("%s: %d of %d reports in another story than in order", c.name, differ, len(rows))
		}
		c.a.fixed = true
		if got := canonical(rows, assignArriving(t, rows, c.a)); slices.Equal(got, want) {
			t.Errorf("%s: loaded as they are, the reports still group as in order: the test shows nothing", c.name)
		}
	}
}

// countDiffer counts the rows in another story in got than in want
// (both canonical).
func countDiffer(got, want []int64) int {
	n := 0
	for i := range got {
		if got[i] != want[i] {
			n++
		}
	}
	return n
}

// TestAssignTooLate: with the replay bound lowered (to 300 reports), the
// 40 feeds' backlogs come too late, batch after batch (TooLate); kept
// aside and assigned together once the poll is done, as the store does,
// they give the stories of one run in order. A batch in order is never
// too late.
func TestAssignTooLate(t *testing.T) {
	rows := evalSplit(loadEval(t), "tune")
	want := canonical(rows, assign(t, rows, len(rows)))
	var deferred int
	got := canonical(rows, assignArriving(t, rows, arrivals{arrival: feedBacklogs(rows), deferred: &deferred,
		setup: func(e *Engine) { e.replayBound = 300 }}))
	if deferred == 0 {
		t.Fatal("no batch too late: the test shows nothing")
	}
	if differ := countDiffer(got, want); differ > 0 {
		t.Errorf("%d of %d reports in another story than in order (%d reports kept aside)", differ, len(rows), deferred)
	}
	e := newTestEngine(t)
	e.replayBound = 0
	var docs []Doc
	for _, r := range rows {
		docs = append(docs, r.doc())
	}
	slices.SortFunc(docs, func(a, b Doc) int { return a.Published.Compare(b.Published) })
	e.Assign(docs[:len(docs)/2])
	if late, next := e.TooLate(docs[:1]), e.TooLate(docs[len(docs)-1:]); late == next {
		t.Errorf("TooLate: %v for a report published before those held, %v for the newest; want true, false", late, next)
	}
}

// feedBacklogs returns, per row, the poll it arrives with in a first poll
// of 40 feeds, its outlet dealt to one by name: each feed's backlog comes
// at once, one feed after another.
func feedBacklogs(rows []evalRow) []int64 {
	arrival := make([]int64, len(rows))
	for i, r := range rows {
		sum := md5.Sum([]byte(r.Outlet))
		arrival[i] = int64(sum[0]) % 40
	}
	return arrival
}

// delayed returns, per row, the poll it arrives with: each arrives a random
// delay (up to maxDelay, seeded) after its publication, and polls are
// numbered by their start.
func delayed(rows []evalRow, maxDelay, poll time.Duration) []int64 {
	rng := rand.New(rand.NewPCG(3, 4))
	arrival := make([]int64, len(rows))
	for i, r := range rows {
		delay := time.Duration(rng.Int64N(int64(maxDelay) + 1))
		arrival[i] = parseDate(r.Published).Add(delay).UnixNano() / int64(poll)
	}
	return arrival
}

// arrivals says how rows arrive (see assignArriving): arrival[i] is the
// poll of row i; with keep set, the engine forgets after each poll the
// reports published more than keep before the newest; with restartEvery
// set, a new engine takes over every so many polls, given the reports
// assigned before as the store gives them (those within its reach of each
// poll, see storedReports.give) by Restore (with their traces) or, with
// fixed, by Load;
// setup, when set, sets up each engine; with deferred set, polls that
// come too late (TooLate) are kept aside and assigned together at the
// end, as the store does, and deferred counts their reports.
type arrivals struct {
	arrival      []int64
	keep         time.Duration
	restartEvery int
	fixed        bool
	setup        func(*Engine)
	deferred     *int
}

// assignArriving assigns rows in polls (rows of one poll come together,
// polls in order) and returns each row's story, read as the store does:
// from the assignments, merges and moves. It reports no move when it
// replays nothing.
func assignArriving(t testing.TB, rows []evalRow, a arrivals) map[int64]int64 {
	order := make([]int, len(rows))
	for i := range rows {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(a.arrival[x], a.arrival[y]) })
	start := func() *Engine {
		e := newTestEngine(t)
		if a.setup != nil {
			a.setup(e)
		}
		return e
	}
	e := start()
	out := make(map[int64]int64, len(rows))
	st := &storedReports{held: map[int64]Doc{}, traces: map[int64]Trace{}, fixed: a.fixed}
	var newest time.Time
	var aside []Doc
	for k, polls := 0, 0; k < len(order); polls++ {
		if a.restartEvery > 0 && polls > 0 && polls%a.restartEvery == 0 {
			e = start()
			st.restarted()
		}
		var docs []Doc
		at := a.arrival[order[k]]
		for ; k < len(order) && a.arrival[order[k]] == at; k++ {
			docs = append(docs, rows[order[k]].doc())
		}
		st.give(t, e, docs, out)
		if a.deferred != nil && e.TooLate(docs) {
			aside = append(aside, docs...)
			continue
		}
		as, merges, moves := e.Assign(docs)
		applyOutcome(t, out, as, merges, moves)
		for _, tr := range e.Traces() {
			st.traces[tr.Doc] = tr
		}
		for _, d := range docs {
			st.held[d.ID] = d
			if d.Published.After(newest) {
				newest = d.Published
			}
		}
		if a.keep > 0 {
			e.Forget(newest.Add(-a.keep))
			st.forget(newest.Add(-a.keep))
		}
	}
	if len(aside) > 0 {
		*a.deferred = len(aside)
		as, merges, moves := e.Assign(aside)
		applyOutcome(t, out, as, merges, moves)
	}
	return out
}

// storedReports stands for the store in assignArriving: the reports
// assigned so far, with their traces, and which of them a restarted
// engine was given back.
type storedReports struct {
	held   map[int64]Doc
	traces map[int64]Trace
	fixed  bool           // give them back as they are (Load), not restored
	given  map[int64]bool // since the last restart; nil: no restart yet
}

func (st *storedReports) restarted() { st.given = map[int64]bool{} }

func (st *storedReports) forget(before time.Time) {
	for id, d := range st.held {
		if d.Published.Before(before) {
			delete(st.held, id)
		}
	}
}

// give gives a restarted engine, before it assigns docs, the stored
// reports it lacks within its reach of them, as the store does: with
// their traces (Restore), or as they are (Load).
func (st *storedReports) give(t testing.TB, e *Engine, docs []Doc, story map[int64]int64) {
	t.Helper()
	if st.given == nil {
		return
	}
	from := docs[0].Published
	for _, d := range docs {
		if d.Published.Before(from) {
			from = d.Published
		}
	}
	var rs []Restored
	for id, d := range st.held {
		if !st.given[id] && !d.Published.Before(from.Add(-e.Reach())) {
			st.given[id] = true
			if st.fixed {
				e.Load(d, story[id])
			} else {
				rs = append(rs, Restored{Doc: d, Story: story[id], Trace: st.traces[id]})
			}
		}
	}
	e.Restore(rs)
	for _, r := range rs {
		if got := e.StoryOf(r.Doc.ID); got != r.Story {
			t.Fatalf("restored report %d: story %d, stored in %d", r.Doc.ID, got, r.Story)
		}
	}
}

// applyOutcome files an Assign's outcome in story, as the store does:
// merges move whole stories, moves single reports.
func applyOutcome(t testing.TB, story map[int64]int64, as []Assignment, merges []Merge, moves []Move) {
	t.Helper()
	for _, m := range merges {
		for id, s := range story {
			if s == m.From {
				story[id] = m.Into
			}
		}
	}
	for _, m := range moves {
		if story[m.Doc] != m.From {
			t.Fatalf("move of %d from %d: it is in %d", m.Doc, m.From, story[m.Doc])
		}
		story[m.Doc] = m.To
	}
	for _, a := range as {
		story[a.Doc] = a.Story
	}
}

// canonical turns a clustering into a comparable form: per row, the
// smallest row id of its story.
func canonical(rows []evalRow, story map[int64]int64) []int64 {
	first := map[int64]int64{}
	for _, r := range rows {
		s := story[r.ID]
		if f, ok := first[s]; !ok || r.ID < f {
			first[s] = r.ID
		}
	}
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = first[story[r.ID]]
	}
	return out
}

// tuneFeatures gives the diagnostic tests below the tuning half with each
// report's features; they run only when their environment variable is set.
func tuneFeatures(t *testing.T, env string) (*Engine, []evalRow, []*features) {
	t.Helper()
	if os.Getenv(env) == "" {
		t.Skip("set " + env + "=1")
	}
	rows := evalSplit(loadEval(t), "tune")
	e := newTestEngine(t)
	fs := make([]*features, len(rows))
	for i, r := range rows {
		fs[i] = e.extract(r.doc())
	}
	return e, rows, fs
}

// eachPair calls fn for every pair of rows of one event (same) or of two.
func eachPair(rows []evalRow, same bool, fn func(i, j int)) {
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if (rows[i].Event == rows[j].Event) == same {
				fn(i, j)
			}
		}
	}
}

// TestEvalEdges lists, under STORY_EVAL_EDGES=1, every direct link between
// reports of different events in the tuning half, with what decided it:
// the root causes of wrong merges.
func TestEvalEdges(t *testing.T) {
	e, rows, fs := tuneFeatures(t, "STORY_EVAL_EDGES")
	eachPair(rows, false, func(i, j int) {
		if s := e.similar(fs[i], fs[j]); e.linked(fs[i], fs[j]) {
			t.Logf("%.2f [%s %s %x %v]\n    %s | %s\n    %s | %s", s,
				fs[i].where, fs[j].where, fs[i].classes&fs[j].classes, fs[i].parts,
				rows[i].Event, titleOf(rows[i]), rows[j].Event, titleOf(rows[j]))
		}
	})
}

func titleOf(r evalRow) string {
	if r.Title != "" {
		return r.Title
	}
	s, _ := firstSentence(r.Summary)
	return "(lead) " + s
}

// TestEvalFolds prints, under STORY_EVAL_FOLDS=1, the figures of the
// tuning half's two folds (its near-miss groups, or events, split by the
// first byte of the MD5 of their name) and of the whole half, with F0.5,
// each also with its events cut to the test half's sizes: a rule is kept
// when it helps the half and hurts neither fold (README: Stories).
func TestEvalFolds(t *testing.T) {
	if os.Getenv("STORY_EVAL_FOLDS") == "" {
		t.Skip("set STORY_EVAL_FOLDS=1")
	}
	var folds [2][]evalRow
	all := evalSplit(loadEval(t), "tune")
	for _, r := range all {
		key := r.Group
		if key == "" {
			key = r.Event
		}
		sum := md5.Sum([]byte(key))
		folds[sum[0]%2] = append(folds[sum[0]%2], r)
	}
	sizes := eventSizes(evalSplit(loadEval(t), "test"))
	for i, rows := range [][]evalRow{folds[0], folds[1], all} {
		name := []string{"fold 0", "fold 1", "tuning half"}[i]
		s := pairScores(rows, assign(t, rows, len(rows)), nil)
		t.Logf("%s: %v F0.5 %.3f", name, s, s.f05())
		// The same events cut to the test half's sizes: its events are
		// smaller (3.3 reports against 5.4), so each missed link costs a
		// larger share of an event's pairs there.
		var thin scores
		for seed := uint64(1); seed <= 4; seed++ {
			rows := thinned(rows, sizes, seed)
			thin = thin.add(pairScores(rows, assign(t, rows, len(rows)), nil))
		}
		t.Logf("%s at the test half's event sizes (4 draws): %v F0.5 %.3f", name, thin, thin.f05())
	}
}

// eventSizes lists the number of reports of each event of rows.
func eventSizes(rows []evalRow) []int {
	n := map[string]int{}
	for _, r := range rows {
		if r.Kind == "report" {
			n[r.Event]++
		}
	}
	out := make([]int, 0, len(n))
	for _, k := range n {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// thinned keeps of each event of rows as many reports as a size drawn
// from sizes (all of them when it has fewer), chosen at random with seed;
// distractors stay.
func thinned(rows []evalRow, sizes []int, seed uint64) []evalRow {
	rng := rand.New(rand.NewPCG(seed, 0x5a4e))
	byEvent := map[string][]int{}
	var events []string
	for i, r := range rows {
		if r.Kind != "report" {
			continue
		}
		if _, ok := byEvent[r.Event]; !ok {
			events = append(events, r.Event)
		}
		byEvent[r.Event] = append(byEvent[r.Event], i)
	}
	keep := make([]bool, len(rows))
	for _, ev := range events {
		idx := byEvent[ev]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:min(len(idx), sizes[rng.IntN(len(sizes))])] {
			keep[i] = true
		}
	}
	var out []evalRow
	for i, r := range rows {
		if keep[i] || r.Kind != "report" {
			out = append(out, r)
		}
	}
	return out
}

// TestEvalSweep prints the tuning half's figures over a range of
// thresholds, under STORY_EVAL_SWEEP=1.
func TestEvalSweep(t *testing.T) {
	if os.Getenv("STORY_EVAL_SWEEP") == "" {
		t.Skip("set STORY_EVAL_SWEEP=1")
	}
	rows := evalSplit(loadEval(t), "tune")
	for _, thr := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6} {
		e, err := New(tagger.DefaultGazetteer(), Options{Threshold: thr})
		if err != nil {
			t.Fatal(err)
		}
		var docs []Doc
		for _, r := range rows {
			docs = append(docs, r.doc())
		}
		e.Assign(docs)
		story := map[int64]int64{}
		for _, r := range rows {
			story[r.ID] = e.StoryOf(r.ID)
		}
		t.Logf("threshold %.2f: %v", thr, pairScores(rows, story, nil))
	}
}

// TestEvalReasons counts, under STORY_EVAL_REASONS=1, why pairs of one event
// in the tuning half are not linked directly.
func TestEvalReasons(t *testing.T) {
	e, rows, fs := tuneFeatures(t, "STORY_EVAL_REASONS")
	show := os.Getenv("STORY_EVAL_REASONS")
	count := map[string]int{}
	eachPair(rows, true, func(i, j int) {
		a, b := fs[i], fs[j]
		why := "linked"
		switch {
		case absInt(a.t-b.t) > e.window:
			why = "window"
		case a.whereMask != 0 && b.whereMask != 0 && a.whereMask&b.whereMask == 0:
			why = "where"
			if show == "where" {
				t.Logf("%s %s | %s\n    %s | %s", a.where, titleOf(rows[i]), b.where, titleOf(rows[j]), rows[i].Event)
			}
		case a.classes != 0 && b.classes != 0 && !e.lex.compatible(a.classes, b.classes):
			why = "class"
			if show == "class" {
				t.Logf("%s | %s\n    %s | %s", e.typeNames(a.types), titleOf(rows[i]), e.typeNames(b.types), titleOf(rows[j]))
			}
		case len(a.titlePlaces) > 0 && len(b.titlePlaces) > 0 && !e.anyNear(a.titlePlaces, b.titlePlaces):
			why = "place"
		case (a.relational || b.relational) && len(a.parts) > 0 && len(b.parts) > 0 && !intersects(a.parts, b.parts):
			why = "parts"
			if show == "parts" {
				t.Logf("%v | %s\n    %v | %s", a.parts, titleOf(rows[i]), b.parts, titleOf(rows[j]))
			}
		case e.similar(a, b) < e.thr:
			why = fmt.Sprintf("score<%.1f", float64(int(e.similar(a, b)*10))/10)
			if show == "score" {
				t.Logf("%.2f %s %s\n    %s\n    %s", e.similar(a, b), a.where, b.where, titleOf(rows[i]), titleOf(rows[j]))
			}
		}
		count[why]++
	})
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-10s %d", k, count[k])
	}
}

// TestEvalNearMisses prints, under STORY_EVAL_NEAR=1, same-event pairs of
// the tuning half scoring just under the threshold, with their shared
// features' weights.
func TestEvalNearMisses(t *testing.T) {
	e, rows, fs := tuneFeatures(t, "STORY_EVAL_NEAR")
	eachPair(rows, true, func(i, j int) {
		if s := e.similar(fs[i], fs[j]); s > 0.15 && s < e.thr {
			t.Logf("%.2f %v/%v\n    %s\n    %s", s, e.typeNames(fs[i].types), e.typeNames(fs[j].types), titleOf(rows[i]), titleOf(rows[j]))
		}
	})
}

// TestEvalDistractors measures the tagger on the evaluation set's
// off-topic senses: ARM Mali GPUs, people named Chad or Traoré, Mali the
// elephant must not be tagged with those countries; Niger State and the
// Niger Delta are Nigeria, not Niger.
func TestEvalDistractors(t *testing.T) {
	g := tagger.DefaultGazetteer()
	var n, wrong int
	for _, r := range loadEval(t) {
		countries, _ := g.Tag(r.Title, r.Summary)
		var bad []string
		switch {
		case r.Kind == "distractor":
			for _, c := range countries {
				if c == "mali" || c == "chad" || c == "niger" || c == "burkina-faso" {
					bad = append(bad, c)
				}
			}
		case r.Group == "niger-state-sense":
			if slices.Contains(countries, "niger") {
				bad = append(bad, "niger")
			}
		default:
			continue
		}
		n++
		if len(bad) > 0 {
			wrong++
			t.Logf("tagged %v: %s | %s", bad, r.Title, r.Summary)
		}
	}
	t.Logf("distractors: %d of %d tagged with an off-topic country", wrong, n)
	if n < 40 {
		t.Fatalf("only %d distractors in the evaluation set", n)
	}
	if float64(wrong) > 0.05*float64(n) {
		t.Errorf("%d of %d distractors tagged with an off-topic country, want at most 5%%", wrong, n)
	}
}
