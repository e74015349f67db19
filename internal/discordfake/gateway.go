package discordfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// gateway answers GET /gateway and /gateway/bot with the fake's gateway.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	v := map[string]any{"url": s.gatewayURL()}
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

// gatewayURL is the address of the fake's gateway websocket.
func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + strings.TrimSuffix(gatewayPath, "/")
}

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
	if !s.track(c) {
		c.Close()
		return
	}
	defer s.untrack(c)
	g := &gatewayConn{s: s, c: c}
	if g.send(10, "", map[string]any{"heartbeat_interval": 41250}) != nil {
		return
	}
	for {
		var op gatewayOp
		if err := c.ReadJSON(&op); err != nil {
			return
		}
		if g.handle(op) != nil {
			return
		}
	}
}

// track registers an open gateway connection for Close, or reports false
// when the fake is already closed.
func (s *Server) track(c *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

// untrack forgets a gateway connection and closes it.
func (s *Server) untrack(c *websocket.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// gatewayConn is one gateway session.
type gatewayConn struct {
	s   *Server
	c   *websocket.Conn
	seq int64 // sequence number of the last dispatch sent
}

// send writes a payload; a dispatch (op 0) gets the next sequence number
// and event name t.
func (g *gatewayConn) send(op int, t string, d any) error {
	p := map[string]any{"op": op, "d": d, "s": nil, "t": nil}
	if op == 0 {
		g.seq++
		p["s"], p["t"] = g.seq, t
	}
	g.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return g.c.WriteJSON(p)
}

// handle answers one client payload.
func (g *gatewayConn) handle(op gatewayOp) error {
	s := g.s
	switch op.Op {
	case 1: // heartbeat
		return g.send(11, "", nil)
	case 2: // identify
		return g.identify(op.D)
	case 6: // resume
		s.mu.Lock()
		s.gateways++
		s.mu.Unlock()
		return g.send(0, "RESUMED", map[string]any{})
	default:
		s.mu.Lock()
		s.problem("gateway op %d not expected from a client", op.Op)
		s.mu.Unlock()
		return nil
	}
}

// identify checks an Identify's token and intents and answers READY.
func (g *gatewayConn) identify(d json.RawMessage) error {
	s := g.s
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	_ = json.Unmarshal(d, &id)
	s.mu.Lock()
	s.gateways++
	if !strings.HasPrefix(id.Token, "Bot ") {
		s.problem("gateway identify without a bot token")
	}
	if id.Intents&privilegedIntents != 0 {
		s.problem("gateway identify with privileged intents %d", id.Intents&privilegedIntents)
	}
	s.mu.Unlock()
	return g.send(0, "READY", map[string]any{
		"v": 10, "user": botUser(), "guilds": []any{}, "private_channels": []any{},
		"session_id": "fake-session", "resume_gateway_url": s.gatewayURL(),
		"application": map[string]any{"id": BotUserID, "flags": 0},
	})
}
