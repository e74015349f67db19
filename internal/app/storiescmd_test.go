package app

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// storiesIn is four real reports of two events (a coup told in English and
// French, an attack) and a line with no id.
const storiesIn = `{"id":11,"title":"Niger soldiers declare coup on national TV, detain president","summary":"Soldiers in Niger have announced on national television the removal of President Mohamed Bazoum.","source":"newsbytes","lang":"en","published":"2023-07-27T02:30:00Z"}
{"id":7,"title":"Niger : Le président Bazoum a été destitué, les frontières fermées","summary":"Le président du Niger, Mohamed Bazoum, a été destitué, a annoncé un groupe de soldats à la télévision.","source":"boursier","lang":"fr","published":"2023-07-27T00:15:00Z","keep":"me"}
{"id":30,"title":"Burkina Faso : au moins 50 civils tués dans une attaque à Djibo","summary":"Une attaque jihadiste a fait au moins 50 morts à Djibo.","source":"rfi","lang":"fr","published":"2023-11-26"}
{"title":"Jihadists kill 50 civilians in attack on Djibo, Burkina Faso","summary":"At least 50 civilians were killed in Djibo.","source":"ap","lang":"en","published":"2023-11-26T15:00:00Z"}
`

type storyOut struct {
	ID     int64    `json:"id"`
	Story  int64    `json:"story"`
	Place  string   `json:"place"`
	Events []string `json:"events"`
	Keep   string   `json:"keep"`
}

func readStoryOut(t *testing.T, out string) map[int64]storyOut {
	t.Helper()
	got := map[int64]storyOut{}
	for _, l := range lines(out) {
		var o storyOut
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		got[o.ID] = o
	}
	return got
}

func TestStoriesCommand(t *testing.T) {
	r := runCLIWithInput(t, storiesIn, nil, "stories")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	got := readStoryOut(t, r.stdout)
	if len(got) != 4 || got[4].Story != 4 { // the line without an id takes its line number, 4
		t.Fatalf("ids out: %v, want 7, 11, 30 and 4 (the line number), Djibo's story named 4", got)
	}
	if got[11].Story != 7 || got[7].Story != 7 {
		t.Errorf("coup reports: stories %d and %d, want 7 (the smallest id)", got[11].Story, got[7].Story)
	}
	if got[30].Story == 7 || got[30].Place != "burkina-faso" || !slices.Contains(got[30].Events, "attack") {
		t.Errorf("Djibo attack: %+v", got[30])
	}
	if got[7].Keep != "me" || got[7].Place != "niger" {
		t.Errorf("coup report: %+v, want other fields kept and place niger", got[7])
	}
	// The same stories in any order: the assignment is the bot's. (The
	// line without an id is left out: its id is its line number.)
	in := lines(storiesIn)[:3]
	slices.Reverse(in)
	rev := readStoryOut(t, runCLIWithInput(t, strings.Join(in, "\n")+"\n", nil, "stories").stdout)
	for id, o := range got {
		if id != 4 && o.Story != 4 && rev[id].Story != o.Story {
			t.Errorf("id %d: story %d reversed, %d in order", id, rev[id].Story, o.Story)
		}
	}
}

func TestStoriesCommandBadLines(t *testing.T) {
	r := runCLIWithInput(t, `{"id":1,"title":"Mali","published":"2025-01-01"}
not json
{"id":"x","title":"Niger","published":"2025-01-01"}
{"id":2,"title":"Niger"}
{"id":3,"title":"Niger","published":"yesterday"}
{"id":1,"title":"Again","published":"2025-01-01"}
`, nil, "stories")
	if r.code != 1 {
		t.Errorf("exit %d, want 1 when lines were skipped", r.code)
	}
	if n := len(lines(r.stdout)); n != 1 {
		t.Errorf("%d lines out, want the good one:\n%s", n, r.stdout)
	}
	for _, want := range []string{"line 2: not a JSON object", `line 3: "id" must be a positive integer`,
		`line 4: "published" is required`, `line 5: "published" "yesterday"`, "line 6: id 1 is also on line 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// With "event" labels, the command scores its stories against them.
func TestStoriesCommandScoresLabels(t *testing.T) {
	in := strings.NewReplacer(`"id":11,`, `"id":11,"event":"coup",`, `"id":7,`, `"id":7,"event":"coup",`,
		`"id":30,`, `"id":30,"event":"djibo",`).Replace(storiesIn)
	r := runCLIWithInput(t, in, nil, "stories")
	if r.code != 0 || !strings.Contains(r.stderr, "pairwise precision 1.000, recall 1.000 over 3 labelled reports") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
