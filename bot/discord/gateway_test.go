package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/net/websocket"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

const fakeAPI = "https://discord.fake.test/api/v10"

func newGateway(t *testing.T, st *fakeStore, wait time.Duration) (*Gateway, *fakeDiscord) {
	t.Helper()
	f := &fakeDiscord{}
	s, err := NewSession("test-token", fakeAPI, f)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(st, tagger.DefaultGazetteer(), nil, bot.Limits{})
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
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL, fakeAPI+"/interactions/") || !strings.HasSuffix(r.URL, "/tok/callback") {
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
	checkFollowUps(t, reqs, func(url string) bool { return strings.HasPrefix(url, fakeAPI+"/webhooks/app/tok") })
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
	g := &Gateway{Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}), Session: s}
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
	g := &Gateway{Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}), Session: s}
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

// stateRecorder is an OnState that feeds a channel.
type stateRecorder chan bool

func (r stateRecorder) on(connected bool) { r <- connected }

func (r stateRecorder) want(t *testing.T, want bool) {
	t.Helper()
	select {
	case got := <-r:
		if got != want {
			t.Fatalf("OnState(%v), want OnState(%v)", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no OnState(%v)", want)
	}
}

func (r stateRecorder) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-r:
		t.Fatalf("unexpected OnState(%v)", got)
	default:
	}
}

// fire calls the state handler registered for the event ev, as discordgo
// would.
func fire(t *testing.T, s *discordgo.Session, handlers []any, ev any) {
	t.Helper()
	for _, h := range handlers {
		switch h := h.(type) {
		case func(*discordgo.Session, *discordgo.Connect):
			if e, ok := ev.(*discordgo.Connect); ok {
				h(s, e)
				return
			}
		case func(*discordgo.Session, *discordgo.Ready):
			if e, ok := ev.(*discordgo.Ready); ok {
				h(s, e)
				return
			}
		case func(*discordgo.Session, *discordgo.Resumed):
			if e, ok := ev.(*discordgo.Resumed); ok {
				h(s, e)
				return
			}
		case func(*discordgo.Session, *discordgo.Disconnect):
			if e, ok := ev.(*discordgo.Disconnect); ok {
				h(s, e)
				return
			}
		default:
			t.Fatalf("unexpected handler type %T", h)
		}
	}
	t.Fatalf("no handler for %T", ev)
}

func TestGatewayStateHandlers(t *testing.T) {
	g, _ := newGateway(t, &fakeStore{}, 0)
	rec := make(stateRecorder, 16)
	g.OnState = rec.on
	run := g.state.Begin()
	hs := g.stateHandlers(run)
	check := func(want bool) {
		t.Helper()
		if g.Connected() != want {
			t.Fatalf("Connected() = %v, want %v", g.Connected(), want)
		}
	}
	check(false)
	fire(t, g.Session, hs, &discordgo.Connect{})
	rec.want(t, true)
	fire(t, g.Session, hs, &discordgo.Ready{})
	rec.none(t) // no repeat
	check(true)
	fire(t, g.Session, hs, &discordgo.Disconnect{})
	rec.want(t, false)
	check(false)
	fire(t, g.Session, hs, &discordgo.Disconnect{})
	rec.none(t)
	fire(t, g.Session, hs, &discordgo.Resumed{})
	rec.want(t, true)
	check(true)
	g.state.End(run, g.OnState) // as Run does when it returns
	rec.want(t, false)
	check(false)
	// A handler that runs late, after Run has returned, changes nothing.
	fire(t, g.Session, hs, &discordgo.Ready{})
	rec.none(t)
	check(false)
}

// TestGatewayStateConcurrent fires handlers concurrently, as discordgo does
// (each on a goroutine of its own): the reports alternate, one call at a
// time, and end with the state Connected reports.
func TestGatewayStateConcurrent(t *testing.T) {
	g, _ := newGateway(t, &fakeStore{}, 0)
	var mu sync.Mutex
	var got []bool
	inside := false
	g.OnState = func(v bool) {
		mu.Lock()
		if inside {
			t.Error("OnState called concurrently")
		}
		inside = true
		got = append(got, v)
		mu.Unlock()
		_ = g.Connected() // no deadlock
		mu.Lock()
		inside = false
		mu.Unlock()
	}
	run := g.state.Begin()
	hs := g.stateHandlers(run)
	events := []any{&discordgo.Connect{}, &discordgo.Ready{}, &discordgo.Resumed{}, &discordgo.Disconnect{}}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() { fire(t, g.Session, hs, events[i%len(events)]) })
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i, v := range got {
		if v == (i%2 == 1) {
			t.Fatalf("reports %v do not alternate from true", got)
		}
	}
	if len(got) > 0 && got[len(got)-1] != g.Connected() {
		t.Fatalf("last report %v, Connected() = %v", got[len(got)-1], g.Connected())
	}
}

// fakeGateway is a minimal Discord gateway: GET /api/v9/gateway gives
// its WebSocket URL, which says hello, reads the identify and answers
// READY, then reads until the client goes, telling beats of each heartbeat;
// a value sent on drop (when not nil) closes the connection.
func fakeGateway(t *testing.T, beats chan<- struct{}, drop <-chan struct{}) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, r.Host)
	})
	mux.Handle("/ws/", websocket.Server{ // discordgo adds the slash
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler: func(c *websocket.Conn) {
			defer c.Close()
			if websocket.Message.Send(c, `{"op":10,"d":{"heartbeat_interval":45000}}`) != nil {
				return
			}
			var identify struct {
				Op int `json:"op"`
			}
			if err := websocket.JSON.Receive(c, &identify); err != nil || identify.Op != 2 {
				t.Errorf("identify op %d: %v", identify.Op, err)
				return
			}
			if websocket.Message.Send(c, `{"op":0,"s":1,"t":"READY","d":{"v":9,"session_id":"sess1",`+
				`"user":{"id":"42","username":"sahel"},"guilds":[]}}`) != nil {
				return
			}
			if drop != nil {
				go func() {
					<-drop
					c.Close()
				}()
			}
			for {
				var m struct {
					Op int `json:"op"`
				}
				if websocket.JSON.Receive(c, &m) != nil {
					return
				}
				if m.Op == 1 {
					select {
					case beats <- struct{}{}:
					default:
					}
				}
			}
		},
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestGatewayRunReportsState(t *testing.T) {
	beats := make(chan struct{}, 1)
	srv := fakeGateway(t, beats, nil)
	s, err := NewSession("tok", srv.URL+"/api/v9", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := make(stateRecorder, 16)
	g := &Gateway{Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}), Session: s,
		Log: slog.New(slog.DiscardHandler), OnState: rec.on}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- g.Run(ctx) }()
	rec.want(t, true) // READY, then discordgo's Connect: one report
	if !g.Connected() {
		t.Fatal("Connected() = false after READY")
	}
	// Stop once discordgo's first heartbeat is out: stopping before makes
	// that heartbeat fail, and discordgo reconnect after Run returns.
	select {
	case <-beats:
	case <-time.After(10 * time.Second):
		t.Fatal("no heartbeat")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	rec.want(t, false)
	if g.Connected() {
		t.Fatal("Connected() = true after Run returned")
	}
	rec.none(t)
}

// When the connection drops, Run returns an error instead of letting
// discordgo reconnect on its own schedule: the caller retries with the
// bot's backoff and logs the failure.
func TestGatewayRunReturnsWhenTheConnectionIsLost(t *testing.T) {
	beats := make(chan struct{}, 1)
	drop := make(chan struct{}, 1)
	srv := fakeGateway(t, beats, drop)
	s, err := NewSession("tok", srv.URL+"/api/v9", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := make(stateRecorder, 16)
	g := &Gateway{Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}), Session: s,
		Log: slog.New(slog.DiscardHandler), OnState: rec.on}
	errc := make(chan error, 1)
	go func() { errc <- g.Run(t.Context()) }()
	rec.want(t, true)
	select {
	case <-beats:
	case <-time.After(10 * time.Second):
		t.Fatal("no heartbeat")
	}
	drop <- struct{}{}
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "connection lost") {
			t.Fatalf("Run = %v; want the lost connection", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the connection dropped")
	}
	rec.want(t, false)
	if s.ShouldReconnectOnError {
		t.Error("discordgo left to reconnect on its own")
	}
}
