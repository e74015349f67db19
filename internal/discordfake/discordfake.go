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
	"bytes"
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
	"unicode/utf8"

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

// channelOK checks a channel id is a snowflake.
func channelOK(w http.ResponseWriter, r *http.Request) (string, bool) {
	ch := r.PathValue("channel")
	if ch == "" || strings.Trim(ch, "0123456789") != "" {
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return "", false
	}
	return ch, true
}

// createBody is the part of a create-message body the fake reads.
type createBody struct {
	Content         string           `json:"content"`
	Embeds          []map[string]any `json:"embeds"`
	Nonce           any              `json:"nonce"` // string or integer
	EnforceNonce    bool             `json:"enforce_nonce"`
	AllowedMentions map[string]any   `json:"allowed_mentions"`
	Reference       map[string]any   `json:"message_reference"`
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	ch, ok := channelOK(w, r)
	if !ok {
		return
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts++
	if len(s.postFails) > 0 {
		code := s.postFails[0]
		s.postFails = s.postFails[1:]
		if code != 0 {
			writeStatus(w, code)
			return
		}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.problem("create message in %s with Content-Type %q, not JSON", ch, ct)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	var body createBody
	if err := json.Unmarshal(raw.Bytes(), &body); err != nil {
		s.problem("create message in %s: body is not JSON: %v", ch, err)
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	nonce := ""
	switch n := body.Nonce.(type) {
	case nil:
	case string:
		nonce = n
	case float64:
		nonce = strconv.FormatFloat(n, 'f', -1, 64)
	default:
		s.problem("create message in %s: nonce %v is neither a string nor an integer", ch, n)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if utf8.RuneCountInString(nonce) > 25 {
		s.problem("create message in %s: nonce %q is longer than 25 characters", ch, nonce)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if body.EnforceNonce && nonce == "" {
		s.problem("create message in %s: enforce_nonce without a nonce", ch)
	}
	if body.AllowedMentions == nil {
		s.problem("create message in %s without allowed_mentions", ch)
	} else if p, ok := body.AllowedMentions["parse"].([]any); !ok || len(p) != 0 {
		s.problem("create message in %s: allowed_mentions.parse is %v, not []", ch, body.AllowedMentions["parse"])
	}
	if body.Content == "" && len(body.Embeds) == 0 {
		s.problem("create message in %s: empty message", ch)
		writeError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	if n := utf8.RuneCountInString(body.Content); n > 2000 {
		s.problem("create message in %s: content of %d characters (at most 2000)", ch, n)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if len(body.Embeds) > 10 {
		s.problem("create message in %s: %d embeds (at most 10)", ch, len(body.Embeds))
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	// Discord's enforce_nonce: the same nonce in the window returns the
	// message already created.
	if body.EnforceNonce && nonce != "" && s.nonceWindow > 0 {
		for i := len(s.msgs) - 1; i >= 0; i-- {
			m := s.msgs[i]
			if m.ChannelID == ch && m.Nonce == nonce && now.Sub(m.created) < s.nonceWindow {
				s.dedups++
				writeJSON(w, http.StatusOK, messageJSON(m.Message, true))
				return
			}
		}
	}
	ref := body.Reference
	if ref != nil {
		id, _ := ref["message_id"].(string)
		rch, _ := ref["channel_id"].(string)
		if rch == "" {
			rch = ch
		}
		if rch != ch {
			s.problem("create message in %s: reply to message %s of another channel %s", ch, id, rch)
		}
		if !s.exists(rch, id) {
			if f, ok := ref["fail_if_not_exists"].(bool); ok && !f {
				ref = nil // Discord posts it as a plain message
			} else {
				s.problem("create message in %s: reply to unknown message %q", ch, id)
				writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
				return
			}
		} else {
			ref = map[string]any{"type": 0, "message_id": id, "channel_id": rch}
			if g, ok := body.Reference["guild_id"].(string); ok && g != "" {
				ref["guild_id"] = g
			}
		}
	}
	m := Message{ID: s.nextID(now), ChannelID: ch, Content: body.Content, Nonce: nonce,
		Embeds: body.Embeds, Reference: ref, AuthorID: BotUserID}
	if m.Embeds == nil {
		m.Embeds = []map[string]any{}
	}
	s.msgs = append(s.msgs, stored{Message: m, created: now})
	writeJSON(w, http.StatusOK, messageJSON(m, true))
}

// exists reports whether message id is in channel. Called with mu held.
func (s *Server) exists(channel, id string) bool {
	for _, m := range s.msgs {
		if m.ChannelID == channel && m.ID == id {
			return true
		}
	}
	return false
}

// snowflakeTime is when a snowflake id was made.
func snowflakeTime(id string) time.Time {
	n, _ := strconv.ParseInt(id, 10, 64)
	return time.UnixMilli(n>>22 + discordEpoch).UTC()
}

// botUser is the bot's user object.
func botUser() map[string]any {
	return map[string]any{"id": BotUserID, "username": "sahelbrief", "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "flags": 0}
}

// messageJSON is m as Discord returns it; the nonce only in the answer
// to its creation.
func messageJSON(m Message, withNonce bool) map[string]any {
	v := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content,
		"embeds": cloneAny(m.Embeds), "author": botUser(),
		"timestamp":        snowflakeTime(m.ID).Format("2006-01-02T15:04:05.000000+00:00"),
		"edited_timestamp": nil, "tts": false, "mention_everyone": false, "mentions": []any{},
		"mention_roles": []any{}, "attachments": []any{}, "components": []any{}, "pinned": false, "flags": 0,
	}
	if m.Reference != nil {
		v["type"] = 19 // REPLY
		v["message_reference"] = maps.Clone(m.Reference)
	}
	if withNonce && m.Nonce != "" {
		v["nonce"] = m.Nonce
	}
	return v
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

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	ch, ok := channelOK(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.problem("list messages in %s with limit %q (1 to 100)", ch, v)
			writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		limit = n
	}
	for _, p := range []string{"before", "after", "around"} {
		if q.Has(p) {
			s.problem("list messages in %s with %s: the fake does not page", ch, p)
		}
	}
	out := []map[string]any{}
	for i := len(s.msgs) - 1; i >= 0 && len(out) < limit; i-- {
		if m := s.msgs[i]; m.ChannelID == ch {
			out = append(out, messageJSON(m.Message, false))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	writeJSON(w, http.StatusOK, botUser())
}

// SetToken makes the fake accept only this bot token (every other one
// gets 401 Unauthorized); "" accepts any.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetApplication sets the id and verify_key GET /oauth2/applications/@me
// answers (BotUserID and PublicKey by default).
func (s *Server) SetApplication(id, verifyKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appID, s.verifyKey = id, verifyKey
}

// Commands returns the names of the application commands registered in
// guild ("" for the global ones).
func (s *Server) Commands(guild string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, c := range s.commands[guild] {
		name, _ := c["name"].(string)
		names = append(names, name)
	}
	return names
}

// application answers GET /oauth2/applications/@me.
func (s *Server) application(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	s.mu.Lock()
	v := map[string]any{"id": s.appID, "name": "sahelbrief", "verify_key": s.verifyKey, "bot_public": false, "bot": botUser()}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

// appOK checks the path's application is the fake's.
func (s *Server) appOK(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	ok := r.PathValue("app") == s.appID
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
	}
	return ok
}

// listCommands answers GET /applications/{app}/commands and
// /applications/{app}/guilds/{guild}/commands.
func (s *Server) listCommands(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !s.appOK(w, r) {
		return
	}
	s.mu.Lock()
	out := cloneAny(s.commands[r.PathValue("guild")]) // never nil: an empty list is []
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// putCommands answers PUT /applications/{app}/commands and its guild
// variant (bulk overwrite): the commands sent replace the registered ones
// and are answered with ids.
func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !s.appOK(w, r) {
		return
	}
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	for _, c := range cmds {
		c["id"] = s.nextID(time.Now())
		c["application_id"] = s.appID
	}
	s.commands[r.PathValue("guild")] = cmds
	out := cloneAny(cmds)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// gateway answers GET /gateway and /gateway/bot with the fake's gateway.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	url := "ws" + strings.TrimPrefix(s.srv.URL, "http") + strings.TrimSuffix(gatewayPath, "/")
	v := map[string]any{"url": url}
	if strings.HasSuffix(r.URL.Path, "/bot") {
		s.checkAuth(r)
		v["shards"] = 1
		v["session_start_limit"] = map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
	}
	writeJSON(w, http.StatusOK, v)
}

// gatewayOp is a gateway payload.
type gatewayOp struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

// privilegedIntents are GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// gatewaySocket is a minimal gateway: Hello, then READY for Identify (or
// RESUMED for Resume), then heartbeat ACKs until the client goes.
func (s *Server) gatewaySocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	c, err := s.ws.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conns[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	var seq int64
	send := func(op int, t string, d any) error {
		p := map[string]any{"op": op, "d": d, "s": nil, "t": nil}
		if op == 0 {
			seq++
			p["s"], p["t"] = seq, t
		}
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return c.WriteJSON(p)
	}
	if send(10, "", map[string]any{"heartbeat_interval": 41250}) != nil {
		return
	}
	for {
		var op gatewayOp
		if err := c.ReadJSON(&op); err != nil {
			return
		}
		switch op.Op {
		case 1: // heartbeat
			err = send(11, "", nil)
		case 2: // identify
			var id struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(op.D, &id)
			s.mu.Lock()
			s.gateways++
			if !strings.HasPrefix(id.Token, "Bot ") {
				s.problem("gateway identify without a bot token")
			}
			if id.Intents&privilegedIntents != 0 {
				s.problem("gateway identify with privileged intents %d", id.Intents&privilegedIntents)
			}
			s.mu.Unlock()
			err = send(0, "READY", map[string]any{
				"v": 10, "user": botUser(), "guilds": []any{}, "private_channels": []any{},
				"session_id": "fake-session", "resume_gateway_url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + strings.TrimSuffix(gatewayPath, "/"),
				"application": map[string]any{"id": BotUserID, "flags": 0},
			})
		case 6: // resume
			s.mu.Lock()
			s.gateways++
			s.mu.Unlock()
			err = send(0, "RESUMED", map[string]any{})
		default:
			s.mu.Lock()
			s.problem("gateway op %d not expected from a client", op.Op)
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}
