package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Gateway answers `/sahel` interactions received over Discord's gateway
// (websocket) instead of an HTTP endpoint. It shares the HTTP handler's
// logic: same requests, same messages, same follow-ups.
type Gateway struct {
	Bot     *bot.Bot
	Session *discordgo.Session
	Defer   time.Duration // default DefaultDefer
	Log     *slog.Logger
	// OnState, if set, is told whenever the gateway connection goes up
	// (true) or down (false): for a health check or a gauge. It is called
	// only on changes, in order, one call at a time, with no lock held (it
	// may call Connected); it should return quickly. Set it before Run.
	OnState func(connected bool)

	state  bot.ConnState
	once   sync.Once
	h      *InteractionHandler
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // onInteraction calls in flight
}

// Connected reports whether the gateway connection is up: Discord has
// sent READY or RESUMED (or discordgo reported a connection) and the
// session has not since disconnected, nor Run returned.
func (g *Gateway) Connected() bool { return g.state.Up() }

// Run connects to the gateway with the Guilds intent only, answers
// interactions until ctx is done, then disconnects and waits for answers
// in flight. It returns at once, with nil, if ctx is already done.
func (g *Gateway) Run(ctx context.Context) error {
	if g.Bot == nil || g.Session == nil {
		return errors.New("discord: gateway needs a bot and a session")
	}
	if ctx.Err() != nil {
		return nil
	}
	s := g.Session
	s.Identify.Intents = discordgo.IntentsGuilds
	// discordgo would reconnect on its own after an error, from 1 s
	// doubling to 10 min and logging through its own logger: Run returns
	// instead, so the caller retries with the bot's backoff and logs.
	s.ShouldReconnectOnError = false
	remove := s.AddHandler(g.onInteraction)
	defer remove()
	lost := make(chan struct{}, 1)
	defer s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case lost <- struct{}{}:
		default:
		}
	})()
	// discordgo calls handlers on goroutines of their own (unless
	// SyncEvents): connState orders the reports and ignores the handlers
	// that run after Run has ended.
	run := g.state.Begin()
	defer g.state.End(run, g.OnState)
	for _, h := range g.stateHandlers(run) {
		defer s.AddHandler(h)()
	}
	if err := s.Open(); err != nil {
		if authFailure(err) {
			err = bot.AuthRejected(err)
		}
		return fmt.Errorf("discord: gateway: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-lost:
		// discordgo closed the session after a read or heartbeat failure
		// (or Discord asked for a reconnect).
		g.state.End(run, g.OnState)
		return errors.New("discord: gateway: connection lost")
	}
	if err := s.Close(); err != nil {
		g.handler(s).log().Warn("discord: gateway close", "error", err)
	}
	g.state.End(run, g.OnState) // down before waiting for answers in flight
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
	g.handler(s).Wait()
	return nil
}

// stateHandlers are the session event handlers that track the connection
// state for run.
func (g *Gateway) stateHandlers(run uint64) []any {
	return []any{
		func(_ *discordgo.Session, _ *discordgo.Connect) { g.state.Set(run, true, g.OnState) },
		func(_ *discordgo.Session, _ *discordgo.Ready) { g.state.Set(run, true, g.OnState) },
		func(_ *discordgo.Session, _ *discordgo.Resumed) { g.state.Set(run, true, g.OnState) },
		func(_ *discordgo.Session, _ *discordgo.Disconnect) { g.state.Set(run, false, g.OnState) },
	}
}

// handler is the HTTP handler whose logic the gateway reuses.
func (g *Gateway) handler(s *discordgo.Session) *InteractionHandler {
	g.once.Do(func() {
		sess := g.Session
		if sess == nil {
			sess = s
		}
		g.h = &InteractionHandler{Bot: g.Bot, Session: sess, Defer: g.Defer, Log: g.Log}
	})
	return g.h
}

func (g *Gateway) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	h := g.handler(s)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		h.log().Warn("discord: interaction after shutdown ignored", "id", ic.ID)
		return
	}
	g.wg.Add(1)
	g.mu.Unlock()
	defer g.wg.Done()

	in := ic.Interaction
	if in.AppID == "" && s.State != nil && s.State.User != nil {
		in.AppID = s.State.User.ID
	}
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		g.command(s, h, in)
	case discordgo.InteractionApplicationCommandAutocomplete:
		g.autocomplete(s, h, in)
	}
}

// command answers with the HTTP handler's logic, responding over REST.
func (g *Gateway) command(s *discordgo.Session, h *InteractionHandler, in *discordgo.Interaction) {
	ctx, cancel := context.WithTimeout(context.Background(), followupWindow)
	h.answer(ctx, cancel, in, func(resp *discordgo.InteractionResponse) error {
		return s.InteractionRespond(in, resp, discordgo.WithContext(ctx))
	})
}

// autocomplete lets the HTTP handler build the choices and sends them
// over REST.
func (g *Gateway) autocomplete(s *discordgo.Session, h *InteractionHandler, in *discordgo.Interaction) {
	var w captureWriter
	h.autocomplete(&w, in)
	var resp discordgo.InteractionResponse
	if w.code != http.StatusOK || json.Unmarshal(w.body, &resp) != nil {
		h.log().Error("discord: autocomplete failed", "id", in.ID, "status", w.code)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.InteractionRespond(in, &resp, discordgo.WithContext(ctx)); err != nil {
		h.log().Error("discord: autocomplete response failed", "id", in.ID, "err", err)
	}
}

// captureWriter is an http.ResponseWriter that keeps what is written.
type captureWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (w *captureWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *captureWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

// authFailure reports whether err is Discord refusing the token: HTTP 401
// from its API, or the gateway closing with 4004 (authentication failed).
func authFailure(err error) bool {
	var re *discordgo.RESTError
	var ce *websocket.CloseError
	return errors.Is(err, discordgo.ErrUnauthorized) ||
		errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized ||
		errors.As(err, &ce) && ce.Code == closeAuthenticationFailed
}

// closeAuthenticationFailed is the gateway's close code for a bad token.
const closeAuthenticationFailed = 4004
