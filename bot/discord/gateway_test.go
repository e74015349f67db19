package discord

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

const fakeAPI = "https://discord.fake.test/api/v10"

func newGateway(t *testing.T, st *fakeStore, wait time.Duration) (*Gateway, *fakeDiscord) {
	t.Helper()
	f := &fakeDiscord{}
	s, err := NewSession("test-token", fakeAPI, f)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(st, briefing.DefaultGazetteer(), nil, bot.Limits{})
	b.Now = func() time.Time { return testNow }
	return &Gateway{Bot: b, Session: s, Defer: wait}, f
}

func gatewayEvent(t *testing.T, body string) *discordgo.InteractionCreate {
	t.Helper()
	var ic discordgo.InteractionCreate
	if err := json.Unmarshal([]byte(body), &ic); err != nil {
		t.Fatal(err)
	}
	return &ic
}

func callbackOf(t *testing.T, r recorded) wireResponse {
	t.Helper()
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL, fakeAPI+"/interactions/10/tok/callback") {
		t.Fatalf("callback %s %s", r.Method, r.URL)
	}
	var resp wireResponse
	if err := json.Unmarshal(r.Body, &resp); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return resp
}

func TestGatewayCommandInline(t *testing.T) {
	g, f := newGateway(t, &fakeStore{}, time.Minute)
	g.onInteraction(g.Session, gatewayEvent(t, interaction(t, 2, "0", "help")))
	g.handler(g.Session).Wait()
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d REST calls, want 1: %+v", len(reqs), reqs)
	}
	resp := callbackOf(t, reqs[0])
	if resp.Type != 4 || resp.Data.Content == "" || resp.Data.Flags != 64 {
		t.Errorf("type %d flags %d content %q", resp.Type, resp.Data.Flags, resp.Data.Content)
	}
	var whole map[string]json.RawMessage
	json.Unmarshal(reqs[0].Body, &whole)
	noParse(t, whole["data"])
}

func TestGatewayCommandDeferred(t *testing.T) {
	st := &fakeStore{block: make(chan struct{})}
	g, f := newGateway(t, st, time.Millisecond)
	body := interaction(t, 2, "0", "country",
		map[string]any{"name": "name", "type": 3, "value": "burkina-faso"},
		map[string]any{"name": "since", "type": 3, "value": "3d"})
	g.onInteraction(g.Session, gatewayEvent(t, body))
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d REST calls before the bot answered, want 1", len(reqs))
	}
	if resp := callbackOf(t, reqs[0]); resp.Type != 5 || resp.Data.Flags != 64 {
		t.Fatalf("type %d flags %d, want deferred ephemeral", resp.Type, resp.Data.Flags)
	}
	close(st.block)
	g.handler(g.Session).Wait()
	reqs = f.requests()[1:]
	if len(reqs) == 0 {
		t.Fatal("no follow-up")
	}
	for _, r := range reqs {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL, fakeAPI+"/webhooks/app/tok") {
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

func TestGatewayAutocomplete(t *testing.T) {
	g, f := newGateway(t, &fakeStore{}, 0)
	body := interaction(t, 4, "0", "country", map[string]any{"name": "name", "type": 3, "value": "burk", "focused": true})
	g.onInteraction(g.Session, gatewayEvent(t, body))
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d REST calls, want 1", len(reqs))
	}
	resp := callbackOf(t, reqs[0])
	if resp.Type != 8 || len(resp.Data.Choices) == 0 {
		t.Fatalf("autocomplete: %+v", resp)
	}
	if c := resp.Data.Choices[0]; c.Name != "Burkina Faso" || c.Value != "burkina-faso" {
		t.Errorf("first choice %+v", c)
	}
}

// denyAll answers every request 401, as Discord does for a bad token.
type denyAll struct {
	mu   sync.Mutex
	urls []string
}

func (d *denyAll) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	d.urls = append(d.urls, r.URL.String())
	d.mu.Unlock()
	return &http.Response{StatusCode: http.StatusUnauthorized, Status: "401 Unauthorized", Request: r,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(strings.NewReader(`{"message":"401: Unauthorized","code":0}`))}, nil
}

func TestGatewayRunOpenFails(t *testing.T) {
	d := &denyAll{}
	s, err := NewSession("bad-token", "", d)
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{Bot: bot.New(&fakeStore{}, briefing.DefaultGazetteer(), nil, bot.Limits{}), Session: s}
	errc := make(chan error, 1)
	go func() { errc <- g.Run(context.Background()) }()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("Run succeeded with a rejected token")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after a failed open")
	}
	if s.Identify.Intents != discordgo.IntentsGuilds {
		t.Errorf("intents %d, want Guilds only", s.Identify.Intents)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.urls) == 0 || !strings.Contains(d.urls[0], "/gateway") {
		t.Errorf("REST calls %q", d.urls)
	}
}

func TestGatewayRunCancelled(t *testing.T) {
	d := &denyAll{}
	s, err := NewSession("tok", "", d)
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{Bot: bot.New(&fakeStore{}, briefing.DefaultGazetteer(), nil, bot.Limits{}), Session: s}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Run(ctx); err != nil {
		t.Errorf("Run with a done context: %v", err)
	}
	if len(d.urls) != 0 {
		t.Errorf("connected with a done context: %q", d.urls)
	}
	if err := (&Gateway{}).Run(context.Background()); err == nil {
		t.Error("Run without bot or session succeeded")
	}
}
