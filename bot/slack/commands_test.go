package slack

import (
	"bytes"
	stdctx "context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// fakeStore is the minimal bot.Store the command tests need. When gate is
// set, reads block until it is closed.
type fakeStore struct {
	items []briefing.Item
	gate  chan struct{}
	calls atomic.Int32
}

func (f *fakeStore) wait() {
	f.calls.Add(1)
	if f.gate != nil {
		<-f.gate
	}
}

func (f *fakeStore) StoryItems(_ stdctx.Context, ids []int64, before time.Time) ([]briefing.Item, error) {
	return digesttest.StoryItems(f.items, ids, before), nil
}

func (f *fakeStore) StorySummaries(_ stdctx.Context, since, until time.Time, _ briefing.Filter) ([]briefing.StorySummary, error) {
	f.wait()
	return briefing.SummariesOf(f.items, since, until), nil
}

func (f *fakeStore) ItemsStoredBetween(stdctx.Context, time.Time, time.Time, time.Time) ([]briefing.Item, error) {
	return f.items, nil
}

func (f *fakeStore) ItemsSince(stdctx.Context, time.Time, int) ([]briefing.Item, error) {
	f.wait()
	return f.items, nil
}
func (f *fakeStore) Search(stdctx.Context, *query.Query, int) ([]briefing.Item, error) {
	f.wait()
	return f.items, nil
}
func (f *fakeStore) SourceStates(stdctx.Context) (map[string]briefing.SourceState, error) {
	return nil, nil
}
func (f *fakeStore) AddSubscription(_ stdctx.Context, s briefing.Subscription, _ int) (briefing.Subscription, error) {
	return s, nil
}
func (f *fakeStore) RemoveSubscription(stdctx.Context, string, int64) error { return nil }
func (f *fakeStore) Subscriptions(stdctx.Context, string) ([]briefing.Subscription, error) {
	return nil, nil
}
func (f *fakeStore) SetDigestSchedule(stdctx.Context, briefing.DigestSchedule) error { return nil }
func (f *fakeStore) DigestSchedule(stdctx.Context, string) (briefing.DigestSchedule, error) {
	return briefing.DigestSchedule{}, nil
}
func (f *fakeStore) DeleteDigestSchedule(stdctx.Context, string) error { return nil }

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// gotReply is a reply as decoded by a peer.
type gotReply struct {
	ResponseType string            `json:"response_type"`
	Text         string            `json:"text"`
	Blocks       []json.RawMessage `json:"blocks"`
}

// hook is a fake response_url endpoint answering with the given statuses
// in turn (then 200) and recording the bodies and when they came. It
// answers in-process (as the env's client's transport), so a test can run
// in a synctest bubble; serve puts it behind a loopback server for
// clients the test does not configure (Socket Mode's).
type hook struct {
	url      string // where it answers
	srv      *httptest.Server
	t        *testing.T
	mu       sync.Mutex
	bodies   []gotReply
	at       []time.Time
	statuses []int
	retry    string
}

var hooks atomic.Int32

func newHook(t *testing.T, statuses ...int) *hook {
	return &hook{t: t, statuses: statuses, url: fmt.Sprintf("http://hook%d.test", hooks.Add(1))}
}

// serve starts a loopback server for the hook.
func (h *hook) serve(t *testing.T) *hook {
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	h.url = h.srv.URL
	return h
}

// RoundTrip answers r in-process.
func (h *hook) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rp gotReply
	if err := json.NewDecoder(r.Body).Decode(&rp); err != nil {
		h.t.Errorf("hook: %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies = append(h.bodies, rp)
	h.at = append(h.at, time.Now())
	if len(h.statuses) > 0 {
		st := h.statuses[0]
		h.statuses = h.statuses[1:]
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", h.retry)
		}
		w.WriteHeader(st)
		return
	}
	w.Write([]byte("ok"))
}

// waits is the time between each post and the next.
func (h *hook) waits() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	var d []time.Duration
	for i := 1; i < len(h.at); i++ {
		d = append(d, h.at[i].Sub(h.at[i-1]))
	}
	return d
}

func (h *hook) got() []gotReply {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.bodies)
}

// secretPath stands for the token in a real response_url's path.
const secretPath = "/commands/T1/123/s3cr3tT0ken"

type env struct {
	h     *CommandHandler
	store *fakeStore
	log   *syncBuffer
	hook  *hook
	now   time.Time
}

func newEnv(t *testing.T, st *fakeStore, hk *hook) *env {
	e := &env{store: st, log: &syncBuffer{}, hook: hk, now: time.Now()} // the verifier's clock, virtual in a bubble
	b := bot.New(st, tagger.DefaultGazetteer(), nil, bot.Limits{SearchResults: 40})
	hookHost, client := "", http.DefaultClient
	if hk != nil {
		hookHost, client = strings.TrimPrefix(hk.url, "http://"), &http.Client{Transport: hk}
	}
	e.h = &CommandHandler{
		Bot:      b,
		Verifier: newVerifier(),
		Client:   client,
		Admins:   map[string]bool{"UADMIN": true},
		Ack:      time.Minute,
		Log:      slog.New(slog.NewTextHandler(e.log, nil)),
		ResponseURLAllowed: func(u *url.URL) bool {
			return u.Host == hookHost
		},
	}
	return e
}

// do sends a signed slash command and decodes the HTTP reply.
func (e *env) do(t *testing.T, command, text, responseURL string) (*httptest.ResponseRecorder, gotReply) {
	t.Helper()
	form := url.Values{"command": {command}, "text": {text}, "channel_id": {"C1"}, "user_id": {"U1"},
		"team_id": {"T1"}, "response_url": {responseURL}}
	body := form.Encode()
	ts := strconv.FormatInt(e.now.Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sign(exampleSecret, ts, body))
	rec := httptest.NewRecorder()
	e.h.Handler(0).ServeHTTP(rec, req)
	var rp gotReply
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &rp); err != nil {
			t.Fatalf("reply %q: %v", rec.Body, err)
		}
	}
	return rec, rp
}

func (e *env) hookURL() string { return e.hook.url + secretPath }

func TestCommandDirectAnswer(t *testing.T) {
	e := newEnv(t, &fakeStore{}, newHook(t))
	rec, rp := e.do(t, "/sahel", "help", e.hookURL())
	e.h.Wait()
	if rec.Code != http.StatusOK || rp.ResponseType != "ephemeral" || !strings.Contains(rp.Text, "brief") {
		t.Fatalf("got %d %+v", rec.Code, rp)
	}
	if strings.Contains(rp.Text, "<") {
		t.Errorf("unescaped text: %q", rp.Text)
	}
	if n := len(e.hook.got()); n != 0 {
		t.Errorf("%d response_url posts for a direct answer", n)
	}
}

func TestCommandRejectsUnsigned(t *testing.T) {
	e := newEnv(t, &fakeStore{}, newHook(t))
	body := url.Values{"command": {"/sahel"}, "text": {"brief"}, "response_url": {e.hookURL()}}.Encode()
	ts := strconv.FormatInt(e.now.Unix(), 10)
	for name, hdr := range map[string]http.Header{
		"unsigned": {},
		"forged":   headers(ts, sign("not the secret", ts, body)),
		"stale":    headers("1000", sign(exampleSecret, "1000", body)),
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header = hdr
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.h.Handler(0).ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, rec.Code)
		}
	}
	e.h.Wait()
	if n := e.store.calls.Load(); n != 0 {
		t.Errorf("store called %d times", n)
	}
}

func TestCommandWrongCommand(t *testing.T) {
	e := newEnv(t, &fakeStore{}, newHook(t))
	rec, rp := e.do(t, "/other", "brief", e.hookURL())
	e.h.Wait()
	if rec.Code != http.StatusOK || !strings.Contains(rp.Text, "/sahel") {
		t.Errorf("got %d %+v", rec.Code, rp)
	}
	if n := e.store.calls.Load(); n != 0 {
		t.Errorf("store called %d times", n)
	}
}

func TestCommandSlowAnswerGoesToResponseURL(t *testing.T) {
	st := &fakeStore{gate: make(chan struct{})}
	e := newEnv(t, st, newHook(t))
	e.h.Ack = time.Nanosecond
	_, rp := e.do(t, "/sahel", "brief", e.hookURL())
	if rp.Text != workingText || rp.ResponseType != "ephemeral" {
		t.Fatalf("ack %+v", rp)
	}
	if n := len(e.hook.got()); n != 0 {
		t.Fatalf("%d posts before the answer was ready", n)
	}
	close(st.gate)
	e.h.Wait()
	got := e.hook.got()
	if len(got) != 1 || len(got[0].Blocks) == 0 || !strings.Contains(got[0].Text, "quiet") {
		t.Fatalf("posts %+v", got)
	}
}

func TestResponseURLRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		retry    string
		posts    int
		slept    []time.Duration
		failed   bool
	}{
		{"429 then ok", []int{429}, "120", 2, []time.Duration{30 * time.Second}, false},
		{"429 small", []int{429}, "2", 2, []time.Duration{2 * time.Second}, false},
		{"5xx backoff", []int{503, 502}, "", 3, []time.Duration{time.Second, 2 * time.Second}, false},
		{"gives up", []int{500, 500, 500}, "", 3, []time.Duration{time.Second, 2 * time.Second}, true},
		{"4xx final", []int{404}, "", 1, nil, true},
	} {
		// In a bubble: the handler's backoff sleeps are real, the clock
		// virtual; the waits are the times between the posts.
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hk := newHook(t, tc.statuses...)
				hk.retry = tc.retry
				st := &fakeStore{gate: make(chan struct{})}
				e := newEnv(t, st, hk)
				e.h.Ack = time.Nanosecond
				e.do(t, "/sahel", "brief", e.hookURL())
				close(st.gate)
				e.h.Wait()
				if n := len(hk.got()); n != tc.posts {
					t.Errorf("%d posts, want %d", n, tc.posts)
				}
				if slept := hk.waits(); !slices.Equal(slept, tc.slept) {
					t.Errorf("slept %v, want %v", slept, tc.slept)
				}
				logs := e.log.String()
				if failed := strings.Contains(logs, "post failed"); failed != tc.failed {
					t.Errorf("failure logged %v, want %v:\n%s", failed, tc.failed, logs)
				}
				if strings.Contains(logs, "s3cr3tT0ken") || strings.Contains(logs, exampleSecret) {
					t.Errorf("secret logged:\n%s", logs)
				}
			})
		})
	}
}

func TestDigestSplitOverResponseURL(t *testing.T) {
	now := time.Now()
	var items []briefing.Item
	for i := range 40 {
		items = append(items, briefing.Item{ID: int64(i + 1), Title: fmt.Sprintf("Drone report %d from station %c%c", i, 'a'+i%26, 'a'+i/26),
			URL: fmt.Sprintf("https://example.org/%d", i), Outlet: "Example", Published: now.Add(-time.Duration(i) * time.Minute)})
	}
	e := newEnv(t, &fakeStore{items: items}, newHook(t))
	_, first := e.do(t, "/sahel", "search drone --share", e.hookURL())
	e.h.Wait()
	rest := e.hook.got()
	if len(first.Blocks) == 0 || len(rest) == 0 {
		t.Fatalf("first %d blocks, %d further posts", len(first.Blocks), len(rest))
	}
	all := append([]gotReply{first}, rest...)
	for i, r := range all {
		if r.ResponseType != "in_channel" || len(r.Blocks) == 0 || len(r.Blocks) > MaxBlocks {
			t.Errorf("part %d: %s, %d blocks", i+1, r.ResponseType, len(r.Blocks))
		}
		if want := fmt.Sprintf("part %d of %d", i+1, len(all)); !strings.Contains(r.Text, want) {
			t.Errorf("part %d text %q lacks %q", i+1, r.Text, want)
		}
	}
}

func TestRepliesCapped(t *testing.T) {
	d := &briefing.Digest{Title: "t"}
	sec := briefing.Section{Name: "s"}
	for i := range 400 {
		sec.Stories = append(sec.Stories, briefing.Story{ID: strconv.Itoa(i), Title: "story " + strconv.Itoa(i)})
	}
	d.Sections = []briefing.Section{sec}
	rs := replies(bot.Response{Digest: d}, maxResponseURLUses)
	if len(rs) != maxResponseURLUses || !strings.Contains(rs[len(rs)-1].Text, "more parts not shown") {
		t.Errorf("%d replies, last %q", len(rs), rs[len(rs)-1].Text)
	}
	if rs := replies(bot.Response{Digest: d}, 1); len(rs) != 1 || len(rs[0].Blocks) == 0 {
		t.Errorf("limit 1: %d replies", len(rs))
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	e := newEnv(t, &fakeStore{}, newHook(t))
	_, rp := e.do(t, "/sahel", "<!channel> <@U2|x> & more", e.hookURL())
	e.h.Wait()
	if strings.ContainsAny(rp.Text, "<>") || !strings.Contains(rp.Text, "&lt;!channel&gt;") {
		t.Errorf("text %q", rp.Text)
	}
	if !strings.Contains(rp.Text, "`") {
		t.Errorf("the bot's own formatting was lost: %q", rp.Text)
	}
}

func TestResponseURLOtherHostRefused(t *testing.T) {
	other := newHook(t)
	st := &fakeStore{gate: make(chan struct{})}
	e := newEnv(t, st, newHook(t))
	e.h.Ack = time.Nanosecond
	_, rp := e.do(t, "/sahel", "brief", other.url+secretPath)
	if rp.Text != workingText {
		t.Fatalf("ack %+v", rp)
	}
	close(st.gate)
	e.h.Wait()
	if n := len(other.got()) + len(e.hook.got()); n != 0 {
		t.Errorf("%d posts to a refused response_url", n)
	}
	logs := e.log.String()
	if !strings.Contains(logs, "response_url refused") || !strings.Contains(logs, "not delivered") {
		t.Errorf("refusal not logged:\n%s", logs)
	}
	if strings.Contains(logs, "s3cr3tT0ken") {
		t.Errorf("response_url path logged:\n%s", logs)
	}
}

func TestDefaultResponseURLAllowed(t *testing.T) {
	h := &CommandHandler{}
	for raw, ok := range map[string]bool{
		"https://hooks.slack.com/commands/T/1/x": true,
		"http://hooks.slack.com/commands/T/1/x":  false,
		"https://hooks.slack.com.evil.org/x":     false,
		"https://user@hooks.slack.com/x":         false,
		"https://evil.org/x":                     false,
		"javascript:alert(1)":                    false,
		"":                                       false,
	} {
		if _, err := h.responseURL(raw); (err == nil) != ok {
			t.Errorf("%q: err %v, want ok=%v", raw, err, ok)
		}
	}
}

// versionedFake is the fake store telling a content version and source
// states, so the bot keeps its answers and the handler its renderings.
type versionedFake struct {
	*fakeStore
	version atomic.Int64
	mu      sync.Mutex
	states  map[string]briefing.SourceState
}

func (v *versionedFake) ContentVersion(stdctx.Context) (int64, error) { return v.version.Load(), nil }

func (v *versionedFake) SourceStates(stdctx.Context) (map[string]briefing.SourceState, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.states, nil
}

// A burst of the same command is rendered once; a failing source or new
// items give a new rendering at once.
func TestRepliesRenderedOncePerAnswer(t *testing.T) {
	now := time.Now()
	item := func(id int64, title string) briefing.Item {
		return briefing.Item{ID: id, Story: id, Title: title, URL: fmt.Sprintf("https://example.org/%d", id), Outlet: "Example",
			Source: "desk", Published: now.Add(-time.Hour), Countries: []string{"mali"}}
	}
	fs := &fakeStore{items: []briefing.Item{item(1, "Mali : la junte dissout les partis")}}
	st := &versionedFake{fakeStore: fs}
	e := newEnv(t, fs, nil)
	e.h.Bot.Store = st
	e.h.Bot.Sources = []briefing.Source{{Name: "desk", URL: "https://example.org/rss"}}

	first, _ := e.do(t, "/sahel", "brief", "")
	again, _ := e.do(t, "/sahel", "brief 24h", "") // the same question (a replayed request is refused)
	if first.Body.String() != again.Body.String() || !strings.Contains(first.Body.String(), "dissout") {
		t.Fatalf("two briefs answered differently:\n%s\n%s", first.Body, again.Body)
	}
	if n := e.h.rendered.Len(); n != 1 {
		t.Errorf("%d renderings kept for two identical briefs, want 1", n)
	}
	if n := fs.calls.Load(); n != 1 {
		t.Errorf("%d digests built for two identical briefs, want 1", n)
	}

	st.mu.Lock()
	st.states = map[string]briefing.SourceState{"desk": {Name: "desk", LastStatus: briefing.StatusError,
		LastAttempt: now.Add(-time.Minute), LastError: "HTTP 503"}}
	st.mu.Unlock()
	failing, _ := e.do(t, "/sahel", "brief  24h", "")
	if failing.Body.String() == first.Body.String() || !strings.Contains(failing.Body.String(), "503") {
		t.Errorf("a failing source left the kept rendering:\n%s", failing.Body)
	}

	fs.items = append(fs.items, item(2, "Niger : Tiani reçoit une délégation"))
	st.version.Add(1)
	fresh, _ := e.do(t, "/sahel", "brief   24h", "")
	if !strings.Contains(fresh.Body.String(), "Tiani") {
		t.Errorf("new items did not reach the answer:\n%s", fresh.Body)
	}
}
