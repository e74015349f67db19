// Package discordfake is a fake of the few Discord REST endpoints
// sahelbrief posts with, and of the gateway handshake, for tests:
// POST /channels/{id}/messages stores messages (with Discord's nonce
// deduplication under enforce_nonce), GET /channels/{id}/messages lists
// them newest first without their nonces, as Discord does, and errors can
// be injected. GET /gateway hands out the address of a minimal gateway
// websocket that says Hello, answers Identify with READY and acknowledges
// heartbeats, so a bot that connects to the gateway at start-up runs.
// GET /users/@me and /oauth2/applications/@me describe the bot and its
// application, and GET and PUT /applications/{id}/commands list and
// replace its global commands (for `doctor` and `discord register`).
//
// It does not import discordgo, so any test package may use it: hand URL
// to the bot as DISCORD_API_URL (bot/discord.NewSession rewrites
// discordgo's https://discord.com/api/v10/... requests to URL()+...).
package discordfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Message is one message the fake holds.
type Message struct {
	ID, ChannelID, Content, Nonce string
	Embeds                        []map[string]any
	Reference                     map[string]any // message_reference; nil without
	AuthorID                      string
}

// BotUserID is the user id of the bot the fake serves: the author of
// every message posted through it, and the user of GET /users/@me and of
// the gateway's READY.
const BotUserID = "100000000000000001"

// PublicKey is the application public key (verify_key) the fake reports
// unless SetApplication changes it.
const PublicKey = "8f2c1a5b9e3d4c7f0a6b1e2d3c4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5"

// apiPrefix is where the fake serves the REST API: URL() ends with it.
const apiPrefix = "/api/v10/"

// gatewayPath is where the fake's gateway websocket listens.
const gatewayPath = "/gateway-ws/"

// NonceWindow is how long Discord remembers a nonce for enforce_nonce
// (its documentation says "the past few minutes").
const NonceWindow = 5 * time.Minute

// discordEpoch is the start of Discord's snowflake clock, in Unix ms.
const discordEpoch = 1420070400000

// Server is a running fake Discord API. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server
	ws  websocket.Upgrader

	mu          sync.Mutex
	msgs        []stored
	lastID      int64
	posts       int   // create-message calls, failed and deduplicated ones included
	lists       int   // list-messages calls
	dedups      int   // creates answered with an earlier message (same nonce)
	postFails   []int // HTTP statuses, consumed one per create-message call
	down        bool  // every REST call answers 503
	nonceWindow time.Duration
	problems    []string
	gateways    int // gateway sessions that sent Identify or Resume
	conns       map[*websocket.Conn]bool
	closed      bool
	token       string                      // when not "", the only bot token accepted
	appID       string                      // GET /oauth2/applications/@me's id
	verifyKey   string                      // and its verify_key
	commands    map[string][]map[string]any // application commands by guild id, "" for global
	wg          sync.WaitGroup              // gateway connections being served
}

type stored struct {
	Message
	created time.Time
}

// New starts a fake on a loopback address. Close it when done.
func New() *Server {
	s := &Server{nonceWindow: NonceWindow, conns: map[*websocket.Conn]bool{}, appID: BotUserID, verifyKey: PublicKey,
		commands: map[string][]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+apiPrefix+"channels/{channel}/messages", s.createMessage)
	mux.HandleFunc("GET "+apiPrefix+"channels/{channel}/messages", s.listMessages)
	mux.HandleFunc("GET "+apiPrefix+"users/@me", s.me)
	mux.HandleFunc("GET "+apiPrefix+"oauth2/applications/@me", s.application)
	mux.HandleFunc("GET "+apiPrefix+"applications/{app}/commands", s.listCommands)
	mux.HandleFunc("PUT "+apiPrefix+"applications/{app}/commands", s.putCommands)
	mux.HandleFunc("GET "+apiPrefix+"applications/{app}/guilds/{guild}/commands", s.listCommands)
	mux.HandleFunc("PUT "+apiPrefix+"applications/{app}/guilds/{guild}/commands", s.putCommands)
	mux.HandleFunc("GET "+apiPrefix+"gateway", s.gateway)
	mux.HandleFunc("GET "+apiPrefix+"gateway/bot", s.gateway)
	mux.HandleFunc("GET "+gatewayPath, s.gatewaySocket)
	mux.HandleFunc("/", s.notFound)
	s.srv = httptest.NewServer(s.downCheck(mux))
	return s
}

// Close closes the gateway connections and shuts the server down,
// waiting for requests in flight.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.srv.Close()
	s.wg.Wait()
}

// URL is the REST API base URL, ending with "/api/v10/", to give the bot
// as DISCORD_API_URL.
func (s *Server) URL() string { return s.srv.URL + apiPrefix }

// Messages returns copies of the stored messages, in posting order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.Message
		out[i].Embeds = cloneAny(m.Embeds).([]map[string]any)
		if m.Reference != nil {
			out[i].Reference = maps.Clone(m.Reference)
		}
	}
	return out
}

// Counts returns how many create-message calls (failed and deduplicated
// ones included) and list-messages calls the fake received.
func (s *Server) Counts() (posts, lists int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts, s.lists
}

// Deduplicated returns how many create-message calls were answered with
// an earlier message of the same nonce instead of a new one.
func (s *Server) Deduplicated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dedups
}

// Gateways returns how many gateway sessions identified (or resumed).
func (s *Server) Gateways() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gateways
}

// SetDown makes every REST call answer HTTP 503 while down is true. Calls
// are still counted, but the FailPosts queue is not consumed. Gateway
// connections already open stay open.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// FailPosts queues HTTP statuses for the next create-message calls, one
// consumed per call: 429 answers {"retry_after":0.01,"global":false} with
// Retry-After: 1 (Discord rounds the header up to whole seconds; a client
// reading both should wait the longer); 403 answers Discord's Missing
// Access error (code 50001); 400 an Invalid Form Body (50035); 404 an
// Unknown Channel (10003); any other status a JSON error with that status.
// 0 lets the call succeed. Note that discordgo itself retries a 502 (up to
// its MaxRestRetries), each retry consuming the next queued status.
func (s *Server) FailPosts(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postFails = append(s.postFails, codes...)
}

// SetNonceWindow sets how long a nonce deduplicates under enforce_nonce
// (NonceWindow by default); 0 turns deduplication off, as if every retry
// came after the window: a client must then find its earlier messages in
// the channel's history itself.
func (s *Server) SetNonceWindow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nonceWindow = max(d, 0)
}

// Problems returns the protocol misuse the fake has seen, such as a
// message posted without allowed_mentions or a call to a route it does
// not know; tests should assert it is empty.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

// problem records misuse. Called with mu held.
func (s *Server) problem(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// nextID is a snowflake-like id: milliseconds since Discord's epoch
// shifted left 22 bits, strictly increasing. Called with mu held.
func (s *Server) nextID(now time.Time) string {
	id := (now.UnixMilli() - discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatInt(id, 10)
}

// writeJSON writes v with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes a Discord JSON error.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

// writeStatus answers an injected failure status.
func writeStatus(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Scope", "user")
		writeJSON(w, status, map[string]any{"message": "You are being rate limited.", "retry_after": 0.01, "global": false})
	case http.StatusForbidden:
		writeError(w, status, 50001, "Missing Access")
	case http.StatusBadRequest:
		writeError(w, status, 50035, "Invalid Form Body")
	case http.StatusNotFound:
		writeError(w, status, 10003, "Unknown Channel")
	default:
		writeError(w, status, 0, fmt.Sprintf("%d: %s", status, http.StatusText(status)))
	}
}

// isREST reports whether path is a REST API path (not the gateway's).
func isREST(path string) bool { return !strings.HasPrefix(path, gatewayPath) }

// downCheck answers 503 for every REST request while the fake is down,
// counting the calls it knows.
func (s *Server) downCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		down := s.down && isREST(r.URL.Path)
		if down && strings.HasPrefix(r.URL.Path, apiPrefix+"channels/") && strings.HasSuffix(r.URL.Path, "/messages") {
			switch r.Method {
			case http.MethodPost:
				s.posts++
			case http.MethodGet:
				s.lists++
			}
		}
		s.mu.Unlock()
		if down {
			writeError(w, http.StatusServiceUnavailable, 0, "503: Service Unavailable")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.problem("unknown route %s %s", r.Method, r.URL.Path)
	s.mu.Unlock()
	writeError(w, http.StatusNotFound, 0, "404: Not Found")
}

// checkAuth records a problem unless r carries a bot token.
func (s *Server) checkAuth(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	s.mu.Lock()
	want := s.token
	s.mu.Unlock()
	if want != "" && a != "Bot "+want {
		return false // a wrong token is Discord's 401, not misuse
	}
	if !strings.HasPrefix(a, "Bot ") || strings.TrimSpace(strings.TrimPrefix(a, "Bot ")) == "" {
		s.mu.Lock()
		s.problem("%s %s without a bot token (Authorization %q)", r.Method, r.URL.Path, redact(a))
		s.mu.Unlock()
		return false
	}
	return true
}

func redact(a string) string {
	if len(a) > 8 {
		return a[:8] + "…"
	}
	return a
}

// SetToken makes the fake accept only this bot token (every other one
// gets 401 Unauthorized); "" accepts any.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// botUser is the bot's user object.
func botUser() map[string]any {
	return map[string]any{"id": BotUserID, "username": "sahelbrief", "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "flags": 0}
}

// cloneAny deep-copies decoded JSON.
func cloneAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = cloneAny(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cloneAny(x)
		}
		return out
	case []map[string]any:
		out := make([]map[string]any, len(v))
		for i, x := range v {
			out[i] = cloneAny(x).(map[string]any)
		}
		return out
	}
	return v
}
