// Package slackfake is a fake of the few Slack Web API methods sahelbrief
// posts with, for tests: chat.postMessage stores messages with their
// metadata and thread, conversations.history and conversations.replies
// return them (metadata only when include_all_metadata=1), and errors can
// be injected.
//
// It does not import the Slack SDK, so any test package may use it; hand
// URL to the SDK's OptionAPIURL.
package slackfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
)

// Message is one message the fake holds.
type Message struct {
	Channel, TS, ThreadTS, User, Text, Blocks, UnfurlLinks string
	Metadata                                               *Metadata // nil when posted without
}

// Metadata is a message's metadata, as Slack's JSON spells it.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// BotUser is the user id the fake gives messages posted through it.
const BotUser = "UBOT"

// deliveryEventType is the metadata event type Seed writes; it is the one
// bot/slack delivers with (MetadataEventType there).
const deliveryEventType = "sahelbrief_delivery"

// Server is a running fake Slack Web API. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	msgs     []Message
	seq      int
	posts    int      // chat.postMessage calls, failed ones included
	history  int      // conversations.history calls
	replies  int      // conversations.replies calls
	postErrs []string // consumed one per chat.postMessage call
	histErr  string   // every history or replies call fails so
	pageSize int      // messages per history page (0: all)
	down     bool     // every method answers 503
	forms    []url.Values
	problems []string
}

// New starts a fake on a loopback address. Close it when done.
func New() *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/chat.postMessage", s.postMessage)
	mux.HandleFunc("/conversations.history", s.listHandler(false))
	mux.HandleFunc("/conversations.replies", s.listHandler(true))
	s.srv = httptest.NewServer(s.downCheck(mux))
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.srv.Close() }

// URL is the API base URL, ending with "/", for slack-go's OptionAPIURL.
func (s *Server) URL() string { return s.srv.URL + "/" }

// Messages returns a copy of the stored messages, in posting order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.msgs)
	for i, m := range out {
		if m.Metadata != nil {
			md := *m.Metadata
			md.EventPayload = maps.Clone(md.EventPayload)
			out[i].Metadata = &md
		}
	}
	return out
}

// Counts returns how many chat.postMessage (failed ones included),
// conversations.history and conversations.replies calls the fake received.
func (s *Server) Counts() (posts, history, replies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts, s.history, s.replies
}

// Forms returns copies of the chat.postMessage forms received, failed
// ones included, in order.
func (s *Server) Forms() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]url.Values, len(s.forms))
	for i, f := range s.forms {
		out[i] = cloneValues(f)
	}
	return out
}

// FailPosts queues outcomes for the next chat.postMessage calls, consumed
// one per call: a Slack error code, "ratelimited" (HTTP 429 with
// Retry-After: 7) or "503" (HTTP 503); "" lets the call succeed. When the
// queue is empty, posts succeed.
func (s *Server) FailPosts(codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postErrs = append(s.postErrs, codes...)
}

// SetDown makes every method answer HTTP 503 while down is true. Calls are
// still counted (and post forms recorded), but the FailPosts queue is not
// consumed.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// SetHistoryError makes every conversations.history and
// conversations.replies call fail with code (as FailPosts spells codes);
// "" clears it.
func (s *Server) SetHistoryError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.histErr = code
}

// SetPageSize sets how many messages a history or replies page holds;
// 0 (the default) means all in one page.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 0)
}

// Seed stores a message as if posted earlier by user in channel (in
// thread when not ""), returning its ts. When key is not "" the message
// carries metadata {"key": key, "part": part} under event type
// "sahelbrief_delivery".
func (s *Server) Seed(channel, thread, user, key string, part int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{Channel: channel, ThreadTS: thread, User: user, Text: "earlier"}
	if key != "" {
		m.Metadata = &Metadata{EventType: deliveryEventType, EventPayload: map[string]any{"key": key, "part": part}}
	}
	m.TS = s.nextTS()
	s.msgs = append(s.msgs, m)
	return m.TS
}

// Problems returns the protocol misuse the fake has seen, such as a
// history read without oldest; tests should assert it is empty.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

// problem records misuse. Called with mu held.
func (s *Server) problem(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// nextTS is strictly increasing, like Slack's. Called with mu held.
func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", 1796630000+s.seq, s.seq)
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func writeErr(w http.ResponseWriter, code string) {
	switch code {
	case "ratelimited":
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	case "503":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html>down</html>")
	default:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}
}

// downCheck answers 503 for every request while the fake is down,
// counting the calls it knows.
func (s *Server) downCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		down := s.down
		if down {
			switch r.URL.Path {
			case "/chat.postMessage":
				s.posts++
				if r.ParseForm() == nil {
					s.forms = append(s.forms, cloneValues(r.PostForm))
				}
			case "/conversations.history":
				s.history++
			case "/conversations.replies":
				s.replies++
			}
		}
		s.mu.Unlock()
		if down {
			writeErr(w, "503")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts++
	s.forms = append(s.forms, cloneValues(r.PostForm))
	if len(s.postErrs) > 0 {
		code := s.postErrs[0]
		s.postErrs = s.postErrs[1:]
		if code != "" {
			writeErr(w, code)
			return
		}
	}
	m := Message{
		Channel:     r.PostForm.Get("channel"),
		ThreadTS:    r.PostForm.Get("thread_ts"),
		User:        BotUser,
		Text:        r.PostForm.Get("text"),
		Blocks:      r.PostForm.Get("blocks"),
		UnfurlLinks: r.PostForm.Get("unfurl_links"),
	}
	if md := r.PostForm.Get("metadata"); md != "" {
		m.Metadata = &Metadata{}
		if err := json.Unmarshal([]byte(md), m.Metadata); err != nil {
			writeErr(w, "invalid_metadata_format")
			return
		}
	}
	m.TS = s.nextTS()
	s.msgs = append(s.msgs, m)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, m.Channel, m.TS)
}

// listHandler serves conversations.history (newest first, thread replies
// left out) or conversations.replies (the parent and its replies, oldest
// first), paged with a numeric cursor.
func (s *Server) listHandler(replies bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if replies {
			s.replies++
		} else {
			s.history++
		}
		if s.histErr != "" {
			writeErr(w, s.histErr)
			return
		}
		ch, thread := r.PostForm.Get("channel"), r.PostForm.Get("ts")
		withMeta := r.PostForm.Get("include_all_metadata") == "1"
		if replies && thread == "" {
			writeErr(w, "invalid_arguments")
			return
		}
		if r.PostForm.Get("oldest") == "" {
			s.problem("%s without oldest", r.URL.Path)
		}
		start := 0
		if c := r.PostForm.Get("cursor"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 {
				s.problem("%s with a cursor it never gave: %q", r.URL.Path, c)
				writeErr(w, "invalid_cursor")
				return
			}
			start = n
		}
		var out []map[string]any
		for _, m := range s.msgs {
			if m.Channel != ch {
				continue
			}
			if replies && m.TS != thread && m.ThreadTS != thread {
				continue
			}
			if !replies && m.ThreadTS != "" && m.ThreadTS != m.TS {
				continue // thread replies are not in the channel history
			}
			v := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS}
			if m.ThreadTS != "" {
				v["thread_ts"] = m.ThreadTS
			}
			if withMeta && m.Metadata != nil {
				v["metadata"] = m.Metadata
			}
			out = append(out, v)
		}
		if !replies {
			slices.Reverse(out) // history is newest first, a thread oldest first
		}
		start = min(start, len(out))
		end := len(out)
		if s.pageSize > 0 && start+s.pageSize < end {
			end = start + s.pageSize
		}
		resp := map[string]any{"ok": true, "messages": out[start:end], "has_more": end < len(out)}
		if end < len(out) {
			resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(end)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}
}
