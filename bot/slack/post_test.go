package slack

import (
	"bytes"
	stdctx "context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
)

const testToken = "xoxb-123-456-SECRETSECRET"

// recorded is one chat.postMessage request as the server saw it.
type recorded struct{ form url.Values }

type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) add(v url.Values) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, recorded{v})
	return len(r.reqs)
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func newPoster(t *testing.T, apiURL string, logs *bytes.Buffer) *Poster {
	t.Helper()
	p := &Poster{Client: NewClient(testToken, apiURL, nil)}
	if logs != nil {
		p.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return p
}

func TestPostDigestSlacktest(t *testing.T) {
	rec := &recorder{}
	s := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			n := rec.add(r.PostForm)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), n)
		})
	})
	s.Start()
	defer s.Stop()

	d := digesttest.Split()
	msgs := RenderDigest(d)
	if len(msgs) < 2 {
		t.Fatalf("splitDigest renders %d messages, want several", len(msgs))
	}
	var logs bytes.Buffer
	p := newPoster(t, s.GetAPIURL(), &logs)
	ts, err := p.PostDigest(t.Context(), "C123", d)
	if err != nil {
		t.Fatal(err)
	}
	if ts != "1700000000.000001" {
		t.Errorf("first ts = %q", ts)
	}
	reqs := rec.all()
	if len(reqs) != len(msgs) {
		t.Fatalf("posted %d messages, want %d", len(reqs), len(msgs))
	}
	for i, r := range reqs {
		f := r.form
		if f.Get("channel") != "C123" {
			t.Errorf("msg %d channel = %q", i, f.Get("channel"))
		}
		if f.Get("text") != msgs[i].Text {
			t.Errorf("msg %d text = %q, want %q", i, f.Get("text"), msgs[i].Text)
		}
		want, _ := json.Marshal(msgs[i].Blocks)
		var gotB, wantB any
		if err := json.Unmarshal([]byte(f.Get("blocks")), &gotB); err != nil {
			t.Fatalf("msg %d blocks: %v", i, err)
		}
		_ = json.Unmarshal(want, &wantB)
		if !reflect.DeepEqual(gotB, wantB) {
			t.Errorf("msg %d blocks differ from the rendered ones", i)
		}
		if f.Get("unfurl_links") != "false" || f.Get("unfurl_media") != "false" {
			t.Errorf("msg %d unfurl_links=%q unfurl_media=%q", i, f.Get("unfurl_links"), f.Get("unfurl_media"))
		}
		if f.Has("thread_ts") {
			t.Errorf("msg %d has thread_ts", i)
		}
	}
	if strings.Contains(logs.String(), testToken) {
		t.Error("token in logs")
	}
}

func TestPostInThread(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		rec.add(r.PostForm)
		fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"2.0"}`)
	}))
	defer srv.Close()
	p := newPoster(t, srv.URL+"/", nil)
	ts, err := p.Post(t.Context(), "C1", []Message{{Text: "hi", UnfurlLinks: true}}, "1.5")
	if err != nil || ts != "2.0" {
		t.Fatalf("Post = %q, %v", ts, err)
	}
	f := rec.all()[0].form
	if f.Get("thread_ts") != "1.5" || f.Get("text") != "hi" || f.Get("unfurl_links") != "true" {
		t.Errorf("form = %v", f)
	}
}

// scripted serves the given responses in turn, then success.
type step struct {
	status int
	header map[string]string
	body   string
}

func scripted(t *testing.T, steps ...step) (*httptest.Server, *int) {
	t.Helper()
	var mu sync.Mutex
	calls := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := *calls
		*calls++
		mu.Unlock()
		if i < len(steps) {
			s := steps[i]
			for k, v := range s.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(s.status)
			fmt.Fprint(w, s.body)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":"C9","ts":"9.%d"}`, i)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

// The poster makes one attempt: a failure comes back to the caller that
// owns the retries (bot's dispatcher) with the wait a rate limit asked for.
func TestPostMakesOneAttempt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		step  step
		code  string
		retry time.Duration
	}{
		{"rate limited", step{429, map[string]string{"Retry-After": "7"}, ""}, "ratelimited", 7 * time.Second},
		{"long rate limit", step{429, map[string]string{"Retry-After": "600"}, ""}, "ratelimited", 600 * time.Second},
		{"5xx", step{500, nil, "<html>"}, "http_500", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := scripted(t, tc.step)
			var logs bytes.Buffer
			p := newPoster(t, srv.URL+"/", &logs)
			var told []time.Duration
			p.OnRateLimit = func(d time.Duration) { told = append(told, d) }
			start := time.Now()
			ts, err := p.Post(t.Context(), "C9", []Message{{Text: "x"}}, "")
			var pe *PostError
			if !errors.As(err, &pe) || pe.Code != tc.code || pe.Channel != "C9" || ts != "" {
				t.Fatalf("Post = %q, %v", ts, err)
			}
			if pe.RetryAfter() != tc.retry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter(), tc.retry)
			}
			if tc.retry > 0 && !slices.Equal(told, []time.Duration{tc.retry}) {
				t.Errorf("OnRateLimit told %v", told)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v: the poster waited", el)
			}
			if *calls != 1 {
				t.Errorf("calls = %d, want 1", *calls)
			}
			if strings.Contains(logs.String(), testToken) || strings.Contains(err.Error(), testToken) {
				t.Error("token leaked")
			}
			// The next attempt (the dispatcher's) succeeds.
			if ts, err := p.Post(t.Context(), "C9", []Message{{Text: "x"}}, ""); err != nil || ts != "9.1" {
				t.Errorf("second Post = %q, %v", ts, err)
			}
		})
	}
}

func TestPostErrorUnwraps(t *testing.T) {
	srv, calls := scripted(t, step{status: 502})
	p := newPoster(t, srv.URL+"/", nil)
	_, err := p.Post(t.Context(), "C9", []Message{{Text: "x"}}, "")
	var pe *PostError
	if !errors.As(err, &pe) || pe.Code != "http_502" || pe.Channel != "C9" {
		t.Fatalf("err = %v", err)
	}
	var sc slackgo.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 502 {
		t.Errorf("err does not unwrap to StatusCodeError: %v", err)
	}
	if *calls != 1 {
		t.Errorf("calls = %d, want 1", *calls)
	}
}

func TestPostPermanentErrors(t *testing.T) {
	for _, code := range []string{"channel_not_found", "not_in_channel", "invalid_blocks", "invalid_auth"} {
		t.Run(code, func(t *testing.T) {
			srv, calls := scripted(t, step{200, nil, `{"ok":false,"error":"` + code + `"}`})
			var logs bytes.Buffer
			p := newPoster(t, srv.URL+"/", &logs)
			ts, err := p.Post(t.Context(), "C404", []Message{{Text: "a"}, {Text: "b"}}, "")
			if err == nil || ts != "" {
				t.Fatalf("Post = %q, %v", ts, err)
			}
			for _, s := range []string{code, "C404"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
				t.Error("token leaked")
			}
			if *calls != 1 {
				t.Errorf("calls = %d, want 1", *calls)
			}
		})
	}
}

func TestPostStopsAfterFailedMessage(t *testing.T) {
	srv, calls := scripted(t, step{200, nil, `{"ok":true,"ts":"1.1"}`}, step{200, nil, `{"ok":false,"error":"msg_too_long"}`})
	p := newPoster(t, srv.URL+"/", nil)
	ts, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}, {Text: "b"}, {Text: "c"}}, "")
	if ts != "1.1" || err == nil || !strings.Contains(err.Error(), "msg_too_long") {
		t.Fatalf("Post = %q, %v", ts, err)
	}
	if *calls != 2 {
		t.Errorf("calls = %d, want 2", *calls)
	}
}

func TestPostCancelled(t *testing.T) {
	srv, calls := scripted(t)
	ctx, cancel := stdctx.WithCancel(t.Context())
	cancel()
	p := newPoster(t, srv.URL+"/", nil)
	_, err := p.Post(ctx, "C1", []Message{{Text: "a"}}, "")
	if !errors.Is(err, stdctx.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if *calls != 0 {
		t.Errorf("calls = %d", *calls)
	}
}

// flaky fails the first n round trips with a network error.
type flaky struct {
	mu sync.Mutex
	n  int
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestPostNetworkErrors(t *testing.T) {
	srv, _ := scripted(t)
	var logs bytes.Buffer
	p := &Poster{
		Client: NewClient(testToken, srv.URL+"/", &http.Client{Transport: &flaky{n: 1}}),
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
	}
	// The failed attempt's error names the channel, not the token.
	_, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}}, "")
	if err == nil || !strings.Contains(err.Error(), "network_error") || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
	if _, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}}, ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), testToken) {
		t.Error("token in logs")
	}
}
