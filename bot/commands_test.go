package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// fakeStore is an in-memory Store.
type fakeStore struct {
	mu        sync.Mutex
	items     []briefing.Item
	states    map[string]briefing.SourceState
	subs      []briefing.Subscription
	nextID    int64
	schedules map[string]briefing.DigestSchedule
	searches  []string // queries received, in canonical form
	fail      error
	storage   string // StorageProblem's answer
}

func (f *fakeStore) StorageProblem() string { return f.storage }

func (f *fakeStore) ItemsSince(_ context.Context, since time.Time, _ int) ([]briefing.Item, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	var out []briefing.Item
	for _, it := range f.items {
		if !it.Published.Before(since) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (f *fakeStore) StoryItems(_ context.Context, ids []int64, before time.Time) ([]briefing.Item, error) {
	return digesttest.StoryItems(f.items, ids, before), nil
}

func (f *fakeStore) StorySummaries(_ context.Context, since, until time.Time, _ briefing.Filter) ([]briefing.StorySummary, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	return briefing.SummariesOf(f.items, since, until), nil
}

func (f *fakeStore) ItemsStoredBetween(_ context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error) {
	var out []briefing.Item
	for _, it := range f.items {
		if !it.FirstSeen.Before(from) && it.FirstSeen.Before(until) && !it.Published.Before(publishedSince) {
			out = append(out, it)
		}
	}
	return out, f.fail
}

func (f *fakeStore) Search(_ context.Context, q *query.Query, limit int) ([]briefing.Item, error) {
	f.mu.Lock()
	f.searches = append(f.searches, q.String())
	f.mu.Unlock()
	out := append([]briefing.Item(nil), f.items...)
	sort.Slice(out, func(i, j int) bool { return out[i].Published.After(out[j].Published) })
	return out, nil // Match does the filtering in these tests
}

func (f *fakeStore) SourceStates(context.Context) (map[string]briefing.SourceState, error) {
	return f.states, f.fail
}

func (f *fakeStore) AddSubscription(_ context.Context, s briefing.Subscription, max int) (briefing.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, e := range f.subs {
		if e.Channel == s.Channel {
			n++
			if e.Query == s.Query {
				return e, briefing.ErrDuplicate
			}
		}
	}
	if n >= max {
		return s, briefing.ErrLimit
	}
	f.nextID++
	s.ID = f.nextID
	f.subs = append(f.subs, s)
	return s, nil
}

func (f *fakeStore) RemoveSubscription(_ context.Context, channel string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, e := range f.subs {
		if e.ID == id && e.Channel == channel {
			f.subs = append(f.subs[:i], f.subs[i+1:]...)
			return nil
		}
	}
	return briefing.ErrNotFound
}

func (f *fakeStore) Subscriptions(_ context.Context, channel string) ([]briefing.Subscription, error) {
	var out []briefing.Subscription
	for _, e := range f.subs {
		if e.Channel == channel {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) SetDigestSchedule(_ context.Context, d briefing.DigestSchedule) error {
	f.schedules[d.Channel] = d
	return nil
}

func (f *fakeStore) DigestSchedule(_ context.Context, channel string) (briefing.DigestSchedule, error) {
	d, ok := f.schedules[channel]
	if !ok {
		return d, briefing.ErrNotFound
	}
	return d, nil
}

func (f *fakeStore) DeleteDigestSchedule(_ context.Context, channel string) error {
	if _, ok := f.schedules[channel]; !ok {
		return briefing.ErrNotFound
	}
	delete(f.schedules, channel)
	return nil
}

var now = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

func newTestBot(t *testing.T) (*Bot, *fakeStore) {
	t.Helper()
	g := tagger.DefaultGazetteer()
	st := &fakeStore{states: map[string]briefing.SourceState{}, schedules: map[string]briefing.DigestSchedule{}}
	add := func(id int64, title string, ago time.Duration) {
		it := briefing.Item{ID: id, Source: "desk", Outlet: "Desk", Key: fmt.Sprint(id), URL: fmt.Sprintf("https://news.example/%d", id),
			Title: title, Published: now.Add(-ago)}
		g.TagItem(&it)
		st.items = append(st.items, it)
	}
	add(1, "Mali : la junte d'Assimi Goïta suspend les partis politiques", 2*time.Hour)
	add(2, "Niger: junta expels French ambassador from Niamey", 5*time.Hour)
	add(3, "Burkina Faso : attaque contre un convoi près de Djibo", 30*time.Hour)
	add(4, "Wagner fighters leave Kidal as Africa Corps takes over", 3*time.Hour)
	b := New(st, g, []briefing.Source{{Name: "Desk"}, {Name: "Broken"}, {Name: "New"}}, Limits{MaxSubscriptions: 3})
	b.Now = func() time.Time { return now }
	return b, st
}

func ask(b *Bot, text string, manage bool) Response {
	return b.Handle(context.Background(), Request{Channel: "console", User: "U1", Text: text, CanManage: manage})
}

func stories(d *briefing.Digest) []string {
	var out []string
	for _, s := range d.Headlines {
		out = append(out, s.Title)
	}
	for _, sec := range d.Sections {
		for _, s := range sec.Stories {
			out = append(out, s.Title)
		}
	}
	sort.Strings(out)
	return out
}

func TestDigestCommands(t *testing.T) {
	b, _ := newTestBot(t)
	cases := []struct {
		text string
		want []string // substrings of the titles expected, in sorted title order
	}{
		{"brief", []string{"Mali", "Niger", "Wagner"}},
		{"brief 48h", []string{"Burkina", "Mali", "Niger", "Wagner"}},
		{"BRIEF 2d", []string{"Burkina", "Mali", "Niger", "Wagner"}},
		{"country mali", []string{"Mali", "Wagner"}},
		{"country Burkinabè 3d", []string{"Burkina"}},
		{"country burkina faso 3d", []string{"Burkina"}},
		{"country Nigérien", []string{"Niger"}},
		{"actor wagner", []string{"Wagner"}},
		{"actor Africa Corps", []string{"Wagner"}},
		{"actor Goïta", []string{"Mali"}},
		{"actor france", []string{"Niger"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			r := ask(b, tc.text, false)
			if r.Err || r.Digest == nil {
				t.Fatalf("got %+v", r)
			}
			got := stories(r.Digest)
			if len(got) != len(tc.want) {
				t.Fatalf("stories %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("story %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	b, _ := newTestBot(t)
	cases := []struct{ text, want string }{
		{"", "Commands:"},
		{"brif", "Did you mean `brief`?"},
		{"subscriptionz", "Did you mean `subscriptions`?"},
		{"xyzzy", "Unknown command `xyzzy`"},
		{"brief soon", `"soon" is not a time window`},
		{"brief 400d", "the longest window is 30d"},
		{"brief 12h extra", `Unexpected "extra"`},
		{"brief 99999999999h", "too far back"}, // overflows before the check unless counted first
		{"country niger 45d", "45d is too far back: the longest window is 30d"},
		{"country niger foo", `Unexpected "foo" after Niger`},
		{"actor wagner 45d", "45d is too far back"},
		{"actor wagner 3x", `"3x" is not a time window`},
		{"country burkina faso 0d", "it must be positive"},
		{"subscribe --backfill 99999999999h mali", "too far back"},
		{"country", "Which country?"},
		{"country Malli", "Did you mean `mali` (Mali)?"},
		{"actor wagnr", "Did you mean `wagner`"},
		{"search", "What should I look for?"},
		{`search "unclosed`, "couldn't read that query"},
		{"search " + strings.Repeat("a", 201), "the limit is 200"},
		{strings.Repeat("x", 10000), "the limit is 1000"},
		{"unsubscribe abc", "Give the number"},
		{"help nope", "There is no command `nope`"},
	}
	for _, tc := range cases {
		t.Run(clip(tc.text, 30), func(t *testing.T) {
			r := ask(b, tc.text, true)
			if tc.text != "" && !r.Err {
				t.Errorf("not marked as an error: %+v", r)
			}
			if !strings.Contains(r.Text, tc.want) {
				t.Errorf("answer %q does not contain %q", r.Text, tc.want)
			}
		})
	}
}

// Names resolve as a person means them: acronyms in any case, a surname
// only one person has; windows after a multi-word name are read.
func TestCommandNames(t *testing.T) {
	b, _ := newTestBot(t)
	for _, tc := range []struct{ text, title string }{
		{"actor EIGS", "Sahel brief: Islamic State Sahel"},
		{"actor eigs 3d", "Sahel brief: Islamic State Sahel"},
		{"actor issp", "Sahel brief: Islamic State Sahel"},
		{"actor Traoré", "Sahel brief: Ibrahim Traoré"},
		{"country burkina faso 3d", "Sahel brief: Burkina Faso"},
	} {
		r := ask(b, tc.text, false)
		if r.Err || r.Digest == nil || !strings.HasPrefix(r.Digest.Title, tc.title) {
			t.Errorf("%s: %+v", tc.text, r)
		}
	}
	if r := ask(b, "country burkina faso 3d", false); r.Digest == nil || !r.Digest.Since.Equal(now.Add(-72*time.Hour)) {
		t.Errorf("window after a two-word name: %+v", r.Digest)
	}
}

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

func TestSubscriptions(t *testing.T) {
	b, st := newTestBot(t)
	if r := ask(b, "subscribe actor:wagner", false); !r.Err || !strings.Contains(r.Text, "only people who manage") {
		t.Errorf("non-manager subscribed: %+v", r)
	}
	r := ask(b, "subscribe actor:Wagner Kidal", true)
	if r.Err || !strings.Contains(r.Text, "#1") {
		t.Fatalf("%+v", r)
	}
	if r := ask(b, "subscribe actor:WAGNER kidal", true); !strings.Contains(r.Text, "already subscribed") {
		t.Errorf("same query again: %+v", r)
	}
	ask(b, "subscribe coup", true)
	ask(b, "subscribe attaque", true)
	if r := ask(b, "subscribe sanctions", true); !r.Err || !strings.Contains(r.Text, "limit") {
		t.Errorf("limit of 3 not enforced: %+v", r)
	}
	r = ask(b, "subscriptions", false)
	if !strings.Contains(r.Text, "(3 of 3)") || !strings.Contains(r.Text, "#1") {
		t.Errorf("list: %q", r.Text)
	}
	// Another channel cannot remove this channel's subscription.
	other := b.Handle(context.Background(), Request{Channel: "discord:9", Text: "unsubscribe 1", CanManage: true})
	if !other.Err || len(st.subs) != 3 {
		t.Errorf("cross-channel unsubscribe: %+v", other)
	}
	if r := ask(b, "unsubscribe #1", true); r.Err {
		t.Errorf("%+v", r)
	}
	if r := ask(b, "unsubscribe 1", true); !r.Err || !strings.Contains(r.Text, "no subscription #1") {
		t.Errorf("second removal: %+v", r)
	}
}

func TestDigestSchedule(t *testing.T) {
	b, st := newTestBot(t)
	cases := []struct {
		text   string
		manage bool
		err    bool
		want   string
	}{
		{"digest show", false, false, "no scheduled digest"},
		{"digest 0 7 * * 1-5 Africa/Bamako", false, true, "only people who manage"},
		{"digest 0 7 * * 1-5 Africa/Bamako", true, false, "`0 7 * * 1-5` (Africa/Bamako)"},
		{"digest show", false, false, "`0 7 * * 1-5` (Africa/Bamako)"},
		{"digest 0 7 * *", true, true, "five cron fields"},
		{"digest 0 25 * * * UTC", true, true, "not a valid schedule"},
		{"digest 0 7 * * * Mars/Olympus", true, true, "not a time zone"},
		{"digest @daily", true, false, "`@daily` (UTC)"},
		{"digest off", true, false, "turned off"},
		{"digest off", true, false, "had no scheduled digest"},
	}
	for _, tc := range cases {
		r := ask(b, tc.text, tc.manage)
		if r.Err != tc.err || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%q: %+v, want err=%v and %q", tc.text, r, tc.err, tc.want)
		}
	}
	if len(st.schedules) != 0 {
		t.Errorf("schedules left: %v", st.schedules)
	}
}

func TestSourcesAndShare(t *testing.T) {
	b, st := newTestBot(t)
	st.states["Desk"] = briefing.SourceState{Name: "Desk", LastAttempt: now, LastSuccess: now, LastNewItem: now}
	st.states["Broken"] = briefing.SourceState{Name: "Broken", LastAttempt: now, ConsecutiveFailures: 3, LastError: "HTTP 404 Not Found",
		LastStatus: briefing.StatusError, NextCheck: now.Add(40 * time.Minute)}
	r := ask(b, "sources --share", false)
	wantNext := "Broken (3 failures: HTTP 404 Not Found) — next check in 40m (" + now.Add(40*time.Minute).UTC().Format("2 Jan 15:04") + " UTC)"
	if !r.Share || !strings.Contains(r.Text, "3 sources: 1 healthy, 1 failing, 0 silent, 1 not polled yet") ||
		!strings.Contains(r.Text, wantNext) {
		t.Errorf("%+v; want %q", r, wantNext)
	}
	if r := ask(b, "brief", false); r.Share {
		t.Error("answers are private unless --share")
	}
	d := ask(b, "brief", false).Digest
	if len(d.Failed) != 1 || d.Failed[0].Name != "Broken" {
		t.Errorf("digest failed sources: %+v", d.Failed)
	}
}

// /sahel sources says first that the database cannot store new items,
// and nothing of the kind when it can.
func TestSourcesStorageProblem(t *testing.T) {
	b, st := newTestBot(t)
	if r := ask(b, "sources", false); strings.Contains(r.Text, "cannot store") {
		t.Errorf("a working database: %q", r.Text)
	}
	st.storage = "database or disk is full"
	r := ask(b, "sources", false)
	if !strings.HasPrefix(r.Text, "⚠ The database cannot store new items: database or disk is full.") {
		t.Errorf("full database: %q", r.Text)
	}
}

// A digest knows how many sources answered in its window: none makes it
// blind whatever it holds, one of three partly blind.
func TestDigestCoverage(t *testing.T) {
	b, st := newTestBot(t)
	d := ask(b, "brief", false).Digest
	if d.Coverage == nil || !d.Blind() || d.Coverage.Sources != 3 {
		t.Fatalf("no source polled: coverage %+v, want blind over 3 sources", d.Coverage)
	}
	st.states["Desk"] = briefing.SourceState{Name: "Desk", LastAttempt: now, LastSuccess: now, LastNewItem: now}
	st.states["Broken"] = briefing.SourceState{Name: "Broken", LastAttempt: now, ConsecutiveFailures: 3, LastStatus: briefing.StatusError}
	d = ask(b, "country chad", false).Digest
	if d.Blind() || !d.Coverage.PartlyBlind() || d.Coverage.Answering != 1 || d.Coverage.Failing != 1 {
		t.Errorf("one of three answering: coverage %+v, want partly blind", d.Coverage)
	}
	st.states["New"] = briefing.SourceState{Name: "New", LastAttempt: now, LastSuccess: now.Add(-25 * time.Hour)}
	if d := ask(b, "brief", false).Digest; !d.Coverage.PartlyBlind() {
		t.Errorf("an answer before the window does not count: %+v", d.Coverage)
	}
	st.states["New"] = briefing.SourceState{Name: "New", LastAttempt: now, LastSuccess: now}
	if d := ask(b, "brief", false).Digest; d.Coverage.PartlyBlind() || d.Blind() {
		t.Errorf("two of three answering: %+v", d.Coverage)
	}
}

// A scheduled digest holds what was stored in its window; when that
// includes reports published before it (a first poll's backlog), its
// header says since when.
func TestScheduledDigestBacklog(t *testing.T) {
	b, st := newTestBot(t)
	for k := range st.items {
		st.items[k].FirstSeen = now.Add(-30 * time.Minute) // all stored by the first poll
	}
	d, err := b.ScheduledDigest(context.Background(), now.Add(-time.Hour), now, briefing.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-30 * time.Hour); !d.Backlog.Equal(want) {
		t.Errorf("backlog %v, want the oldest report's date %v", d.Backlog, want)
	}
	if facts := DigestFacts("window", 4, d, func(s string, _ int) string { return s }); !strings.Contains(facts,
		"includes reports published since 26 Nov, first stored in this window") {
		t.Errorf("header: %q", facts)
	}
	for k := range st.items {
		st.items[k].Published = now.Add(-10 * time.Minute)
	}
	if d, _ := b.ScheduledDigest(context.Background(), now.Add(-time.Hour), now, briefing.Filter{}); !d.Backlog.IsZero() {
		t.Errorf("nothing from before the window: backlog %v", d.Backlog)
	}
}

// A schedule more frequent than hourly is taken, with a warning.
func TestDigestEveryMinuteWarns(t *testing.T) {
	b, _ := newTestBot(t)
	if r := ask(b, "digest * * * * *", true); r.Err || !strings.Contains(r.Text, "Note: that is a digest every 1m (1440 a day)") {
		t.Errorf("every minute: %+v", r)
	}
	if r := ask(b, "digest 0 7 * * * Africa/Bamako", true); strings.Contains(r.Text, "Note:") {
		t.Errorf("daily: %+v", r)
	}
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	b, st := newTestBot(t)
	var logged strings.Builder
	b.Log = slog.New(slog.NewTextHandler(&logged, nil))
	st.fail = errors.New("disk I/O error at /var/secret/path")
	r := ask(b, "brief", false)
	if !r.Err || strings.Contains(r.Text, "/var/secret") || !strings.Contains(r.Text, "was logged") {
		t.Errorf("%+v", r)
	}
	if !strings.Contains(logged.String(), "/var/secret/path") || !strings.Contains(logged.String(), "channel=console") {
		t.Errorf("detail not logged: %s", logged.String())
	}
}

func TestHelpIsGeneratedFromTheTable(t *testing.T) {
	b, _ := newTestBot(t)
	help := ask(b, "help", false).Text
	for _, c := range b.Commands() {
		if !strings.Contains(help, "/sahel "+c.Name) {
			t.Errorf("help lacks %s", c.Name)
		}
		one := ask(b, "help "+c.Name, false).Text
		for _, e := range c.Examples {
			if !strings.Contains(one, e) {
				t.Errorf("help %s lacks example %q", c.Name, e)
			}
		}
	}
}

func TestConfigOwnedDigestIsNotChangedFromChat(t *testing.T) {
	b, st := newTestBot(t)
	st.schedules["console"] = briefing.DigestSchedule{Channel: "console", Cron: "0 7 * * 1-5", TZ: "Africa/Bamako", Origin: briefing.OriginConfig}
	for _, text := range []string{"digest off", "digest 0 8 * * * UTC"} {
		resp := ask(b, text, true)
		if !resp.Err || !strings.Contains(resp.Text, "set in the config file") {
			t.Errorf("%q → %q; want a refusal pointing to the config file", text, resp.Text)
		}
	}
	if got := st.schedules["console"]; got.Cron != "0 7 * * 1-5" {
		t.Errorf("schedule changed to %+v", got)
	}
	b.Now = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) } // a Friday
	resp := ask(b, "digest show", false)
	for _, want := range []string{"`0 7 * * 1-5` (Africa/Bamako)", "next at Mon 30 Nov 07:00 GMT", "(set in the config file)"} {
		if !strings.Contains(resp.Text, want) {
			t.Errorf("digest show = %q; want %q", resp.Text, want)
		}
	}
}
