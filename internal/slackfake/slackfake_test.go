package slackfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
)

// call posts form to method and decodes a JSON answer (nil when the body
// is not JSON), returning the HTTP status too.
func call(t *testing.T, s *Server, method string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		v = nil
	}
	return resp.StatusCode, v
}

func newServer(t *testing.T) *Server {
	t.Helper()
	s := New()
	t.Cleanup(s.Close)
	return s
}

func TestPostThenHistory(t *testing.T) {
	s := newServer(t)
	md := `{"event_type":"sahelbrief_delivery","event_payload":{"key":"k1","part":0}}`
	_, r1 := call(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"one"}, "metadata": {md}, "unfurl_links": {"false"}})
	if r1["ok"] != true || r1["ts"] == "" {
		t.Fatalf("post: %v", r1)
	}
	parent := r1["ts"].(string)
	_, r2 := call(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"two"}})
	call(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"in thread"}, "thread_ts": {parent}})
	call(t, s, "chat.postMessage", url.Values{"channel": {"C2"}, "text": {"elsewhere"}})
	if !(r2["ts"].(string) > parent) {
		t.Errorf("ts %v not after %v", r2["ts"], parent)
	}

	texts := func(r map[string]any) (out []string, meta []any) {
		for _, m := range r["messages"].([]any) {
			m := m.(map[string]any)
			out = append(out, m["text"].(string))
			meta = append(meta, m["metadata"])
		}
		return out, meta
	}
	_, h := call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {"0"}})
	got, meta := texts(h)
	if !reflect.DeepEqual(got, []string{"two", "one"}) || meta[0] != nil || meta[1] != nil {
		t.Errorf("history without metadata: %v %v", got, meta)
	}
	_, h = call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {"0"}, "include_all_metadata": {"1"}})
	_, meta = texts(h)
	want := map[string]any{"event_type": "sahelbrief_delivery", "event_payload": map[string]any{"key": "k1", "part": float64(0)}}
	if meta[0] != nil || !reflect.DeepEqual(meta[1], want) {
		t.Errorf("history metadata %v, want [nil %v]", meta, want)
	}
	_, rp := call(t, s, "conversations.replies", url.Values{"channel": {"C1"}, "ts": {parent}, "oldest": {"0"}})
	if got, _ := texts(rp); !reflect.DeepEqual(got, []string{"one", "in thread"}) {
		t.Errorf("replies %v", got)
	}

	s.SetPageSize(1)
	_, p1 := call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {"0"}})
	cursor := p1["response_metadata"].(map[string]any)["next_cursor"].(string)
	_, p2 := call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {"0"}, "cursor": {cursor}})
	g1, _ := texts(p1)
	g2, _ := texts(p2)
	if p1["has_more"] != true || p2["has_more"] != false || !reflect.DeepEqual(append(g1, g2...), []string{"two", "one"}) {
		t.Errorf("pages %v %v", p1, p2)
	}

	msgs := s.Messages()
	if len(msgs) != 4 || msgs[0].User != BotUser || msgs[0].UnfurlLinks != "false" || msgs[0].Metadata.EventPayload["key"] != "k1" || msgs[1].Metadata != nil || msgs[2].ThreadTS != parent {
		t.Errorf("messages %+v", msgs)
	}
	if p, h, r := s.Counts(); p != 4 || h != 4 || r != 1 {
		t.Errorf("counts %d %d %d", p, h, r)
	}
	if p := s.Problems(); len(p) != 0 {
		t.Errorf("problems %q", p)
	}
	call(t, s, "conversations.history", url.Values{"channel": {"C1"}})
	if p := s.Problems(); len(p) != 1 {
		t.Errorf("history without oldest: problems %q", p)
	}
}

func TestFailPostsAndDown(t *testing.T) {
	s := newServer(t)
	s.FailPosts("channel_not_found", "ratelimited", "503", "")
	post := func() (int, map[string]any) {
		return call(t, s, "chat.postMessage", url.Values{"channel": {"C1"}, "text": {"x"}})
	}
	if code, r := post(); code != 200 || r["ok"] != false || r["error"] != "channel_not_found" {
		t.Errorf("slack error: %d %v", code, r)
	}
	resp, err := http.PostForm(s.URL()+"chat.postMessage", url.Values{"channel": {"C1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("ratelimited: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if code, _ := post(); code != http.StatusServiceUnavailable {
		t.Errorf("503: %d", code)
	}
	if code, r := post(); code != 200 || r["ok"] != true {
		t.Errorf("queued success: %d %v", code, r)
	}
	if _, r := post(); r["ok"] != true {
		t.Errorf("after the queue: %v", r)
	}

	s.SetDown(true)
	if code, _ := post(); code != http.StatusServiceUnavailable {
		t.Errorf("down post: %d", code)
	}
	if code, _ := call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {"0"}}); code != http.StatusServiceUnavailable {
		t.Errorf("down history: %d", code)
	}
	s.SetDown(false)
	s.SetHistoryError("missing_scope")
	if _, r := call(t, s, "conversations.replies", url.Values{"channel": {"C1"}, "ts": {"1"}, "oldest": {"0"}}); r["error"] != "missing_scope" {
		t.Errorf("history error: %v", r)
	}

	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages stored, want 2", n)
	}
	if p, h, r := s.Counts(); p != 6 || h != 1 || r != 1 {
		t.Errorf("counts %d %d %d", p, h, r)
	}
	if f := s.Forms(); len(f) != 6 || f[0].Get("text") != "x" {
		t.Errorf("forms %v", f)
	}
}

func TestConcurrent(t *testing.T) {
	s := newServer(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				resp, err := http.PostForm(s.URL()+"chat.postMessage", url.Values{"channel": {"C1"}, "text": {"x"}})
				if err == nil {
					resp.Body.Close()
				}
				s.Messages()
				s.Forms()
				s.Counts()
			}
		})
	}
	wg.Wait()
	msgs := s.Messages()
	if len(msgs) != 40 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i := 1; i < len(msgs); i++ {
		if !(msgs[i].TS > msgs[i-1].TS) {
			t.Errorf("ts %s after %s", msgs[i].TS, msgs[i-1].TS)
		}
	}
}
