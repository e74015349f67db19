package discord

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// fakeStore is the smallest bot.Store: empty, except that ItemsSince can
// be held back by block and AddSubscription records what it got.
type fakeStore struct {
	block chan struct{}
	mu    sync.Mutex
	subs  []briefing.Subscription
}

func (s *fakeStore) StoryItems(context.Context, []int64, time.Time) ([]briefing.Item, error) {
	return nil, nil
}

func (s *fakeStore) StorySummaries(ctx context.Context, since, _ time.Time, _ briefing.Filter) ([]briefing.StorySummary, error) {
	_, err := s.ItemsSince(ctx, since, 0)
	return nil, err
}

func (s *fakeStore) ItemsStoredBetween(context.Context, time.Time, time.Time, time.Time) ([]briefing.Item, error) {
	return nil, nil
}

func (s *fakeStore) ItemsSince(ctx context.Context, _ time.Time, _ int) ([]briefing.Item, error) {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, nil
}
func (s *fakeStore) Search(context.Context, *query.Query, int) ([]briefing.Item, error) {
	return nil, nil
}
func (s *fakeStore) SourceStates(context.Context) (map[string]briefing.SourceState, error) {
	return nil, nil
}
func (s *fakeStore) AddSubscription(_ context.Context, sub briefing.Subscription, _ int) (briefing.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub.ID = int64(len(s.subs) + 1)
	s.subs = append(s.subs, sub)
	return sub, nil
}
func (s *fakeStore) RemoveSubscription(context.Context, string, int64) error { return nil }
func (s *fakeStore) Subscriptions(context.Context, string) ([]briefing.Subscription, error) {
	return nil, nil
}
func (s *fakeStore) SetDigestSchedule(context.Context, briefing.DigestSchedule) error { return nil }
func (s *fakeStore) DigestSchedule(context.Context, string) (briefing.DigestSchedule, error) {
	return briefing.DigestSchedule{}, briefing.ErrNotFound
}
func (s *fakeStore) DeleteDigestSchedule(context.Context, string) error { return nil }

// fakeDiscord is Discord's REST API as a RoundTripper: it records every
// request and answers 200 with JSON.
type fakeDiscord struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method, URL string
	Body        []byte
}

func (f *fakeDiscord) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.String(), body})
	f.mu.Unlock()
	answer := `{"id":"1","channel_id":"C1"}`
	if r.Method == http.MethodPut {
		answer = `[]`
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Request: r,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(strings.NewReader(answer))}, nil
}

func (f *fakeDiscord) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func fakeSession(t *testing.T) (*discordgo.Session, *fakeDiscord) {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeDiscord{}
	s.Client = &http.Client{Transport: f, Timeout: 5 * time.Second}
	return s, f
}

func newHandler(t *testing.T, st *fakeStore, wait time.Duration) (*InteractionHandler, *fakeDiscord) {
	s, f := fakeSession(t)
	b := bot.New(st, tagger.DefaultGazetteer(), nil, bot.Limits{})
	b.Now = func() time.Time { return testNow }
	return &InteractionHandler{Bot: b, Verifier: newVerifier(), Session: s, AppID: "app", Defer: wait}, f
}

// interaction builds a signed-ready interaction body invoking one
// subcommand with options.
// nextID numbers the test interactions: each is new to the replay guard.
var nextID atomic.Int64

func interaction(t *testing.T, typ int, perms, sub string, opts ...map[string]any) string {
	t.Helper()
	if opts == nil {
		opts = []map[string]any{}
	}
	in := map[string]any{
		"type": typ, "id": strconv.FormatInt(nextID.Add(1), 10), "application_id": "app", "token": "tok", "version": 1,
		"channel_id": "C1", "guild_id": "G1",
		"member": map[string]any{"user": map[string]any{"id": "U1", "username": "u"}, "permissions": perms},
		"data": map[string]any{"id": "99", "name": CommandName, "type": 1,
			"options": []any{map[string]any{"name": sub, "type": 1, "options": opts}}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type wireResponse struct {
	Type int `json:"type"`
	Data struct {
		Content         string            `json:"content"`
		Flags           int               `json:"flags"`
		Embeds          []json.RawMessage `json:"embeds"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
		Choices []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"choices"`
	} `json:"data"`
}

func post(t *testing.T, h http.Handler, body string) wireResponse {
	t.Helper()
	w := serve(h, signed(testKey, nowTS(), body), body)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var resp wireResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return resp
}

// noParse checks a message's allowed_mentions is {"parse":[]}.
func noParse(t *testing.T, raw []byte) {
	t.Helper()
	var m struct {
		AllowedMentions map[string]json.RawMessage `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if p := string(m.AllowedMentions["parse"]); p != "[]" {
		t.Errorf("allowed_mentions.parse = %q, want []: %s", p, raw)
	}
}

func TestInteractionPing(t *testing.T) {
	h, _ := newHandler(t, &fakeStore{}, 0)
	if resp := post(t, h.Handler(0), pingBody); resp.Type != 1 {
		t.Errorf("type %d, want PONG", resp.Type)
	}
}

func TestInteractionUnsigned(t *testing.T) {
	h, f := newHandler(t, &fakeStore{}, 0)
	body := interaction(t, 2, "16", "brief")
	for name, hdr := range map[string]http.Header{"unsigned": {}, "wrong key": signed(otherKey, nowTS(), body)} {
		if w := serve(h.Handler(0), hdr, body); w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, w.Code)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d REST calls for a rejected request", n)
	}
}

func TestInteractionCommandInTime(t *testing.T) {
	h, f := newHandler(t, &fakeStore{}, time.Minute)
	body := interaction(t, 2, "0", "brief", map[string]any{"name": "since", "type": 3, "value": "12h"})
	w := serve(h.Handler(0), signed(testKey, nowTS(), body), body)
	var resp wireResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
		t.Fatalf("%d %v: %s", w.Code, err, w.Body)
	}
	if resp.Type != 4 {
		t.Fatalf("type %d, want 4", resp.Type)
	}
	if resp.Data.Content == "" && len(resp.Data.Embeds) == 0 {
		t.Error("empty answer")
	}
	if resp.Data.Flags != 64 {
		t.Errorf("flags %d, want ephemeral", resp.Data.Flags)
	}
	var whole map[string]json.RawMessage
	json.Unmarshal(w.Body.Bytes(), &whole)
	noParse(t, whole["data"])
	h.Wait()
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d follow-ups for a one-message answer", n)
	}
}

func TestInteractionShareAndManage(t *testing.T) {
	st := &fakeStore{}
	h, _ := newHandler(t, st, time.Minute)
	query := map[string]any{"name": "query", "type": 3, "value": "actor:wagner <@123>"}
	resp := post(t, h.Handler(0), interaction(t, 2, "0", "subscribe", query))
	if resp.Type != 4 || !strings.Contains(resp.Data.Content, "manage") || len(st.subs) != 0 {
		t.Errorf("subscribe without Manage Channels: %+v, subs %v", resp, st.subs)
	}
	resp = post(t, h.Handler(0), interaction(t, 2, "16", "subscribe", query))
	if len(st.subs) != 1 || st.subs[0].Channel != "discord:C1" {
		t.Errorf("subscribe with Manage Channels: %+v, subs %+v", resp, st.subs)
	}
	if strings.Contains(resp.Data.Content, "<@123>") {
		t.Errorf("echoed mention not escaped: %q", resp.Data.Content)
	}
	resp = post(t, h.Handler(0), interaction(t, 2, "0", "brief", map[string]any{"name": "share", "type": 5, "value": true}))
	if resp.Type != 4 || resp.Data.Flags&64 != 0 {
		t.Errorf("shared brief: type %d flags %d", resp.Type, resp.Data.Flags)
	}
}

func TestInteractionDeferred(t *testing.T) {
	st := &fakeStore{block: make(chan struct{})}
	h, f := newHandler(t, st, time.Millisecond)
	body := interaction(t, 2, "0", "country",
		map[string]any{"name": "name", "type": 3, "value": "burkina-faso"},
		map[string]any{"name": "since", "type": 3, "value": "3d"})
	resp := post(t, h.Handler(0), body)
	if resp.Type != 5 || resp.Data.Flags != 64 {
		t.Fatalf("type %d flags %d, want deferred ephemeral", resp.Type, resp.Data.Flags)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("follow-up before the bot answered: %d", n)
	}
	close(st.block)
	h.Wait()
	reqs := f.requests()
	checkFollowUps(t, reqs, func(url string) bool { return strings.Contains(url, "/webhooks/app/tok") })
}

func TestInteractionAutocomplete(t *testing.T) {
	h, _ := newHandler(t, &fakeStore{}, 0)
	body := interaction(t, 4, "0", "country", map[string]any{"name": "name", "type": 3, "value": "burk", "focused": true})
	resp := post(t, h.Handler(0), body)
	if resp.Type != 8 || len(resp.Data.Choices) == 0 {
		t.Fatalf("autocomplete: %+v", resp)
	}
	if c := resp.Data.Choices[0]; c.Name != "Burkina Faso" || c.Value != "burkina-faso" {
		t.Errorf("first choice %+v", c)
	}
}

func TestCommandText(t *testing.T) {
	sub := &discordgo.ApplicationCommandInteractionDataOption{Name: "unsubscribe", Type: discordgo.ApplicationCommandOptionSubCommand,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "id", Value: float64(12)}}}
	if got, _ := commandText(sub); got != "unsubscribe 12" {
		t.Errorf("got %q", got)
	}
	sub = &discordgo.ApplicationCommandInteractionDataOption{Name: "country", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "since", Value: "3d"}, {Name: "share", Value: true}, {Name: "name", Value: " burkina\n faso "}}}
	if got, share := commandText(sub); got != "country burkina faso 3d --share" || !share {
		t.Errorf("got %q %v", got, share)
	}
}

func TestInertAndSplit(t *testing.T) {
	if got := inert("I don't know \"<@1> [x](http://e)\"; try `<#2>`"); !strings.Contains(got, `\<@`) || !strings.Contains(got, "`<#2>`") {
		t.Errorf("inert: %q", got)
	}
	long := strings.Repeat("line of text that repeats\n", 300)
	parts := splitText(long, MaxContent)
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	total := 0
	for _, p := range parts {
		if bot.Units(p) > MaxContent || p == "" {
			t.Errorf("part of %d units", bot.Units(p))
		}
		total += strings.Count(p, "line of text")
	}
	if total != 300 {
		t.Errorf("lost lines: %d of 300", total)
	}
}

// A replayed signed command (same interaction id, within the signature's
// window) is refused without running the command again.
func TestInteractionReplayRefused(t *testing.T) {
	st := &fakeStore{}
	h, _ := newHandler(t, st, time.Minute)
	body := interaction(t, 2, "16", "subscribe", map[string]any{"name": "query", "type": 3, "value": "kidal"})
	post(t, h.Handler(0), body)
	w := serve(h.Handler(0), signed(testKey, nowTS(), body), body)
	if w.Code != http.StatusConflict {
		t.Errorf("replay: status %d, want 409", w.Code)
	}
	if len(st.subs) != 1 {
		t.Errorf("%d subscriptions after a replay; want 1", len(st.subs))
	}
}

// Administrator implies every permission, Manage Channels included.
func TestInteractionAdministratorManages(t *testing.T) {
	st := &fakeStore{}
	h, _ := newHandler(t, st, time.Minute)
	query := map[string]any{"name": "query", "type": 3, "value": "kidal"}
	post(t, h.Handler(0), interaction(t, 2, "8", "subscribe", query))
	if len(st.subs) != 1 {
		t.Errorf("an Administrator without Manage Channels could not subscribe")
	}
}

// checkFollowUps asserts that there are follow-ups, each a POST to a URL
// urlOK accepts, pinging no one, ephemeral (flag 64), and not empty.
func checkFollowUps(t *testing.T, reqs []recorded, urlOK func(string) bool) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no follow-up")
	}
	for _, r := range reqs {
		if r.Method != http.MethodPost || !urlOK(r.URL) {
			t.Errorf("follow-up %s %s", r.Method, r.URL)
		}
		noParse(t, r.Body)
		var m struct {
			Flags   int               `json:"flags"`
			Embeds  []json.RawMessage `json:"embeds"`
			Content string            `json:"content"`
		}
		json.Unmarshal(r.Body, &m)
		if m.Flags != 64 || (m.Content == "" && len(m.Embeds) == 0) {
			t.Errorf("follow-up body %s", r.Body)
		}
	}
}

// versionedStore tells a content version, so the bot keeps its answers.
type versionedStore struct{ *fakeStore }

func (versionedStore) ContentVersion(context.Context) (int64, error) { return 1, nil }

// A burst of the same command is rendered once; shared and ephemeral
// answers are rendered apart.
func TestInteractionRepliesRenderedOncePerAnswer(t *testing.T) {
	h, _ := newHandler(t, &fakeStore{}, time.Minute)
	h.Bot.Store = versionedStore{&fakeStore{}}
	first := post(t, h.Handler(0), interaction(t, 2, "0", "brief"))
	again := post(t, h.Handler(0), interaction(t, 2, "0", "brief"))
	if !reflect.DeepEqual(first, again) || first.Data.Flags&64 == 0 {
		t.Fatalf("two identical briefs answered differently or not ephemerally:\n%+v\n%+v", first, again)
	}
	if n := h.rendered.Len(); n != 1 {
		t.Errorf("%d renderings kept for two identical briefs, want 1", n)
	}
	shared := post(t, h.Handler(0), interaction(t, 2, "0", "brief", map[string]any{"name": "share", "type": 5, "value": true}))
	if shared.Data.Flags&64 != 0 || h.rendered.Len() != 2 {
		t.Errorf("a shared brief: flags %d, %d renderings kept; want a public message rendered apart", shared.Data.Flags, h.rendered.Len())
	}
	h.Wait()
}
