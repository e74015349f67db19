package bot

import (
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// An empty search has its own answer, and help search tells how OR binds.
func TestSearchEmptyAndHelp(t *testing.T) {
	b, _ := newTestBot(t)
	if d := ask(b, "search zzzunmatched", false).Digest; d == nil || d.NoResults == "" {
		t.Errorf("empty search: %+v", d)
	}
	if r := ask(b, "help search", false); !strings.Contains(r.Text, "`a b OR c` means a AND (b OR c)") {
		t.Errorf("help search: %q", r.Text)
	}
}

func TestSearch(t *testing.T) {
	b, st := newTestBot(t)
	r := ask(b, `search junte OR junta -expels`, false)
	if r.Err || r.Digest == nil {
		t.Fatalf("%+v", r)
	}
	got := stories(r.Digest)
	if len(got) != 1 || !strings.Contains(got[0], "suspend les partis") {
		t.Errorf("results %q", got)
	}
	r = ask(b, `search country:niger`, false)
	if got := stories(r.Digest); len(got) != 1 || !strings.Contains(got[0], "Niamey") {
		t.Errorf("country:niger results %q", got)
	}
	r = ask(b, `search "'; DROP TABLE items;--" NEAR(x) *`, false)
	if r.Err {
		t.Fatalf("%+v", r)
	}
	last := st.searches[len(st.searches)-1]
	if strings.Contains(last, "DROP TABLE items;") || strings.Contains(last, "NEAR(") {
		t.Errorf("user syntax reached the store unparsed: %s", last)
	}
	r = ask(b, `search coup`, false)
	if r.Err || r.Digest == nil || !r.Digest.Quiet() {
		t.Errorf("no results should be an empty, quiet digest: %+v", r)
	}
}

// Search answers in stories: two reports of one stored story are one
// result, with both outlets.
func TestSearchAnswersInStories(t *testing.T) {
	b, st := newTestBot(t)
	it := st.items[0]
	it.ID, it.Key, it.Outlet, it.URL = 9, "9", "Other desk", "https://other.example/9"
	it.Title = "Mali junta suspends political parties"
	st.items[0].Story, it.Story = 1, 1
	st.items = append(st.items, it)
	got := ask(b, `search junte OR junta -expels`, false)
	var all []briefing.Story
	for _, sec := range got.Digest.Sections {
		all = append(all, sec.Stories...)
	}
	if len(all) != 1 || len(all[0].Outlets) != 2 || len(all[0].Reports) != 2 {
		t.Fatalf("results %v, want one story of two outlets", stories(got.Digest))
	}
}
