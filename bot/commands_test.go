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
	"unicode/utf8"

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

// windowStore records the earliest and latest times the bot asks the
// store about, to hold every answer's window within MaxWindow of now.
type windowStore struct {
	*fakeStore
	mu             sync.Mutex
	earliest, last time.Time
}

func (w *windowStore) saw(from, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.earliest.IsZero() || from.Before(w.earliest) {
		w.earliest = from
	}
	if until.After(w.last) {
		w.last = until
	}
}

func (w *windowStore) ItemsSince(ctx context.Context, since time.Time, limit int) ([]briefing.Item, error) {
	w.saw(since, since)
	return w.fakeStore.ItemsSince(ctx, since, limit)
}

func (w *windowStore) StorySummaries(ctx context.Context, since, until time.Time, f briefing.Filter) ([]briefing.StorySummary, error) {
	w.saw(since, until)
	return w.fakeStore.StorySummaries(ctx, since, until, f)
}

func (w *windowStore) ItemsStoredBetween(ctx context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error) {
	w.saw(publishedSince, until)
	return w.fakeStore.ItemsStoredBetween(ctx, from, until, publishedSince)
}

// FuzzHandle holds the command parser's promises for any text: it never
// panics, always answers something, and never reads a window longer than
// MaxWindow or reaching into the future. Its seed corpus (numbers that
// overflow among them) runs in every `go test`; fuzz with
// `go test ./bot -run XXX -fuzz FuzzHandle -fuzztime 1m`.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"brief", "brief 24h", "brief 99999999999h", "brief 9223372036854775807m", "brief -5h", "brief 0h", "brief 1h30m",
		"brief 30d", "brief 31d", "brief 5w", "brief 1e9h", "brief 720h1ns",
		"country mali 99999999999h", "country mali 3d", "country", "actor wagner 2w", "actor goïta 18446744073709551616d",
		"subscribe --backfill 99999999999h mali", "subscribe --backfill=-1h mali", "subscribe --backfill", "subscribe kidal OR",
		`subscribe "Tillabéri" attack OR attaque`, "subscribe actor:wagner country:mali",
		"unsubscribe 99999999999999999999", "unsubscribe -1", "unsubscribe #0", "unsubscribe #1", "unsubscribe",
		"subscriptions", "digest 0 7 * * * Africa/Bamako", "digest 99999999999 * * * *", "digest 0 7 * * * ../../etc/passwd",
		"digest @every 1ns", "digest show", "digest off", "search kidal", "search \"", "search " + strings.Repeat("a ", 300),
		"sources", "help", "help brief", "", "   ", "/sahel", "\x00", "brief \xff\xfe", "brief 24h --share",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b, st := newTestBot(t)
		ws := &windowStore{fakeStore: st}
		b.Store = ws
		resp := b.Handle(context.Background(), Request{Channel: "console", User: "U1", Text: text, CanManage: true})
		if strings.TrimSpace(resp.Text) == "" && resp.Digest == nil {
			t.Errorf("%q: empty answer", text)
		}
		if !utf8.ValidString(resp.Text) && utf8.ValidString(text) {
			t.Errorf("%q: answer is not UTF-8: %q", text, resp.Text)
		}
		if !ws.earliest.IsZero() && ws.earliest.Before(now.Add(-briefing.MaxWindow)) {
			t.Errorf("%q: read from %v, beyond %v back", text, ws.earliest, briefing.MaxWindow)
		}
		if ws.last.After(now) {
			t.Errorf("%q: read up to %v, in the future", text, ws.last)
		}
	})
}

// Numbers too large for their type get the answer a large number
// deserves, the same wherever a window is read.
func TestOverflowingNumbers(t *testing.T) {
	b, _ := newTestBot(t)
	const tooFar = "99999999999h is too far back: the longest window is 30d."
	for _, tt := range []struct{ text, want string }{
		{"brief 99999999999h", tooFar},
		{"country mali 99999999999h", tooFar},
		{"actor wagner 99999999999h", tooFar},
		{"subscribe --backfill 99999999999h mali", tooFar},
		{"unsubscribe 99999999999999999999", "This channel has no subscription #99999999999999999999."},
		{"unsubscribe #99999999999999999999", "This channel has no subscription #99999999999999999999."},
	} {
		r := ask(b, tt.text, true)
		if !r.Err || !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%q: %q, want it to start with %q", tt.text, r.Text, tt.want)
		}
	}
}
