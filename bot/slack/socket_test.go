package slack

import (
	stdctx "context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	slackgo "github.com/slack-go/slack"
	"golang.org/x/net/websocket"
)

// fakeSocket is a minimal Slack Socket Mode server: apps.connections.open
// hands out its WebSocket URL, which says hello, sends the envelopes given
// to send and reports the acks it reads. A value sent on drop closes the
// current connection.
type fakeSocket struct {
	srv  *httptest.Server
	send chan string
	acks chan gotAck
	drop chan struct{}
}

type gotAck struct {
	EnvelopeID string    `json:"envelope_id"`
	Payload    *gotReply `json:"payload"`
}

const testAppToken = "xapp-1-A1-s3cr3tAppT0ken"

func newFakeSocket(t *testing.T) *fakeSocket {
	f := &fakeSocket{send: make(chan string, 10), acks: make(chan gotAck, 10), drop: make(chan struct{}, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testAppToken {
			t.Errorf("apps.connections.open authorization %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/ws?ticket=t1"}`, r.Host)
	})
	mux.Handle("/ws", websocket.Server{
		Handshake: func(*websocket.Config, *http.Request) error { return nil },
		Handler: func(c *websocket.Conn) {
			defer c.Close()
			if err := websocket.Message.Send(c, `{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"}}`); err != nil {
				return
			}
			gone := make(chan struct{})
			go func() {
				defer close(gone)
				for {
					var a gotAck
					if err := websocket.JSON.Receive(c, &a); err != nil {
						return
					}
					f.acks <- a
				}
			}()
			for {
				select {
				case m := <-f.send:
					if websocket.Message.Send(c, m) != nil {
						return
					}
				case <-gone:
					return
				case <-f.drop:
					return
				}
			}
		},
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// command sends a slash_commands envelope.
func (f *fakeSocket) command(t *testing.T, id, command, text, responseURL string) {
	t.Helper()
	payload, err := json.Marshal(slackgo.SlashCommand{Command: command, Text: text, ChannelID: "C1",
		UserID: "U1", TeamID: "T1", ResponseURL: responseURL})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := json.Marshal(map[string]any{"envelope_id": id, "type": "slash_commands",
		"accepts_response_payload": true, "payload": json.RawMessage(payload)})
	f.send <- string(env)
}

func (f *fakeSocket) ack(t *testing.T) gotAck {
	t.Helper()
	select {
	case a := <-f.acks:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no ack")
		return gotAck{}
	}
}

type socketEnv struct {
	s      *SocketMode
	f      *fakeSocket
	log    *syncBuffer
	states chan bool // what OnState reported
	cancel stdctx.CancelFunc
	done   chan error
}

// startSocket runs a SocketMode against a fake server until the test ends.
func startSocket(t *testing.T, st *fakeStore, hk *hook, ack time.Duration) *socketEnv {
	f := newFakeSocket(t)
	e := &socketEnv{f: f, log: &syncBuffer{}, done: make(chan error, 1), states: make(chan bool, 64)}
	hookHost := ""
	if hk != nil {
		hookHost = strings.TrimPrefix(hk.url, "http://")
	}
	e.s = &SocketMode{
		Bot:    bot.New(st, tagger.DefaultGazetteer(), nil, bot.Limits{}),
		API:    slackgo.New("xoxb-unused", slackgo.OptionAppLevelToken(testAppToken), slackgo.OptionAPIURL(f.srv.URL+"/")),
		Admins: map[string]bool{"UADMIN": true},
		Log:    slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Ack:    ack,
		ResponseURLAllowed: func(u *url.URL) bool {
			return u.Host == hookHost
		},
		OnState: func(connected bool) { e.states <- connected },
	}
	ctx, cancel := stdctx.WithCancel(t.Context())
	e.cancel = cancel
	go func() { e.done <- e.s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-e.done
	})
	return e
}

func (e *socketEnv) stop(t *testing.T) {
	t.Helper()
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		e.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if l := e.log.String(); strings.Contains(l, "s3cr3t") || strings.Contains(l, "ticket") {
		t.Errorf("secret logged:\n%s", l)
	}
}

func TestSocketModeAnswersInAck(t *testing.T) {
	st := &fakeStore{}
	e := startSocket(t, st, nil, time.Minute)
	e.f.command(t, "env-1", "/sahel", "help", "https://hooks.slack.com"+secretPath)
	a := e.f.ack(t)
	want := textReply(e.s.Bot.Handle(t.Context(), bot.Request{Channel: "slack:C1", User: "U1", Text: "help"}).Text, false)
	if a.EnvelopeID != "env-1" || a.Payload == nil || a.Payload.Text != want.Text || a.Payload.ResponseType != "ephemeral" {
		t.Fatalf("ack %+v, want text %q", a, want.Text)
	}
	if !strings.Contains(a.Payload.Text, "help") {
		t.Fatalf("help text %q", a.Payload.Text)
	}

	e.f.command(t, "env-2", "/other", "help", "https://hooks.slack.com"+secretPath)
	a = e.f.ack(t)
	if a.EnvelopeID != "env-2" || a.Payload == nil || !strings.Contains(a.Payload.Text, "This app answers `/sahel`") {
		t.Fatalf("ack %+v", a)
	}
	e.stop(t)
}

func TestSocketModeSlowAnswerGoesToResponseURL(t *testing.T) {
	st := &fakeStore{gate: make(chan struct{})}
	hk := newHook(t).serve(t) // Socket Mode posts with its own client
	e := startSocket(t, st, hk, time.Millisecond)
	e.f.command(t, "env-3", "/sahel", "brief", hk.url+secretPath)
	a := e.f.ack(t)
	if a.EnvelopeID != "env-3" || a.Payload != nil {
		t.Fatalf("ack %+v, want empty", a)
	}
	close(st.gate)
	deadline := time.Now().Add(10 * time.Second)
	for len(hk.got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := hk.got()
	if len(got) != 1 || len(got[0].Blocks) == 0 || !strings.Contains(got[0].Text, "quiet") {
		t.Fatalf("posts %+v", got)
	}
	e.stop(t)
}

// wantState waits for the next state OnState reports and checks it.
func (e *socketEnv) wantState(t *testing.T, want bool) {
	t.Helper()
	select {
	case got := <-e.states:
		if got != want {
			t.Fatalf("OnState(%v), want OnState(%v)", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no OnState(%v)", want)
	}
}

func TestSocketModeStopsOnCancel(t *testing.T) {
	e := startSocket(t, &fakeStore{}, nil, time.Minute)
	// Wait until connected, so cancel interrupts a live connection.
	e.wantState(t, true)
	e.stop(t)
	e.wantState(t, false)
}

func TestSocketModeReportsState(t *testing.T) {
	e := startSocket(t, &fakeStore{}, nil, time.Minute)
	e.wantState(t, true)
	if !e.s.Connected() {
		t.Fatal("Connected() = false after connecting")
	}
	// The server drops the connection: down, then up again on reconnect.
	e.f.drop <- struct{}{}
	e.wantState(t, false)
	e.wantState(t, true)
	if !e.s.Connected() {
		t.Fatal("Connected() = false after reconnecting")
	}
	// Commands still work on the new connection.
	e.f.command(t, "env-9", "/sahel", "help", "")
	if a := e.f.ack(t); a.EnvelopeID != "env-9" || a.Payload == nil {
		t.Fatalf("ack %+v", a)
	}
	e.stop(t)
	e.wantState(t, false)
	if e.s.Connected() {
		t.Fatal("Connected() = true after Run returned")
	}
	// Run has returned, so every report has been made: no repeats.
	select {
	case v := <-e.states:
		t.Fatalf("extra OnState(%v) after Run returned", v)
	default:
	}
}

func TestSocketModeBadToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
	}))
	t.Cleanup(srv.Close)
	s := &SocketMode{
		Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}),
		API: slackgo.New("", slackgo.OptionAppLevelToken(testAppToken), slackgo.OptionAPIURL(srv.URL+"/")),
		Log: slog.New(slog.DiscardHandler),
	}
	var states []bool // Run calls OnState from its own goroutine
	s.OnState = func(connected bool) { states = append(states, connected) }
	ctx, cancel := stdctx.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Run(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want an auth error", err, ctx.Err())
	}
	if s.Connected() || len(states) != 0 {
		t.Fatalf("Connected() = %v, OnState calls %v; want false, none", s.Connected(), states)
	}
}

// A failed connection attempt ends Run with its reason at once, instead of
// slack-go's own retries (from 100 ms, logged at debug level only), so the
// caller's backoff and warnings apply.
func TestSocketModeReturnsAFailedConnection(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	s := &SocketMode{
		Bot: bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}),
		API: slackgo.New("", slackgo.OptionAppLevelToken(testAppToken), slackgo.OptionAPIURL(srv.URL+"/")),
		Log: slog.New(slog.DiscardHandler),
	}
	ctx, cancel := stdctx.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := s.Run(ctx)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Run = %v (ctx %v), want the 503 at once", err, ctx.Err())
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("token in %q", err)
	}
	// slack-go's first retry waits 100 ms; Run stops it long before.
	if n := calls.Load(); n < 1 || n > 2 {
		t.Errorf("apps.connections.open called %d times; want one attempt", n)
	}
	if s.Connected() {
		t.Error("Connected() after a failed connection")
	}
}

func TestConnectErrorCutsURLQueries(t *testing.T) {
	for _, tc := range []struct {
		data any
		want string
	}{
		{&slackgo.ConnectionErrorEvent{ErrorObj: errors.New(`Get "wss://wss-primary.slack.com/link/?ticket=s3cr3t&app_id=A1": dial tcp: refused`)},
			`Get "wss://wss-primary.slack.com/link/": dial tcp: refused`},
		{&slackgo.ConnectionErrorEvent{ErrorObj: errors.New(`Post "https://slack.com/api/apps.connections.open": dial tcp: lookup slack.com: no such host`)},
			`Post "https://slack.com/api/apps.connections.open": dial tcp: lookup slack.com: no such host`},
		{&slackgo.ConnectionErrorEvent{}, "connection failed"},
		{nil, "connection failed"},
	} {
		if got := connectError(tc.data); got != tc.want {
			t.Errorf("connectError = %q; want %q", got, tc.want)
		}
	}
}

// A refused token is marked bot.ErrAuthRejected, so the caller stops
// retrying; other failures are not.
func TestSocketModeMarksARejectedToken(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{slackgo.SlackErrorResponse{Err: "invalid_auth"}, true},
		{fmt.Errorf("open: %w", slackgo.SlackErrorResponse{Err: "token_revoked"}), true},
		{slackgo.StatusCodeError{Code: 401, Status: "401 Unauthorized"}, true},
		{slackgo.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, false},
		{slackgo.SlackErrorResponse{Err: "ratelimited"}, false},
		{errors.New("invalid_auth"), false},
	} {
		err := markAuth(tc.err)
		if got := errors.Is(err, bot.ErrAuthRejected); got != tc.want || err.Error() != tc.err.Error() {
			t.Errorf("markAuth(%v) = %v, rejected %v; want %v", tc.err, err, got, tc.want)
		}
	}
}
