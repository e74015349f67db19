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
	"strings"
	"sync"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

const testToken = "xoxb-123-456-SECRETSECRET"

// fakeSleep records the waits and returns at once (or err).
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	err   error
	hook  func()
}

func (f *fakeSleep) sleep(ctx stdctx.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	if f.hook != nil {
		f.hook()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.err
}

func (f *fakeSleep) got() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

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

func newPoster(t *testing.T, apiURL string, logs *bytes.Buffer) (*Poster, *fakeSleep) {
	t.Helper()
	fs := &fakeSleep{}
	p := &Poster{Client: NewClient(testToken, apiURL, nil), Sleep: fs.sleep}
	if logs != nil {
		p.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return p, fs
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

	d := splitDigest()
	msgs := RenderDigest(d)
	if len(msgs) < 2 {
		t.Fatalf("splitDigest renders %d messages, want several", len(msgs))
	}
	var logs bytes.Buffer
	p, fs := newPoster(t, s.GetAPIURL(), &logs)
	ts, err := p.PostDigest(t.Context(), "C123", d)
	if err != nil {
		t.Fatal(err)
	}
	if ts != "1700000000.000001" {
		t.Errorf("first ts = %q", ts)
	}
	if w := fs.got(); len(w) != 0 {
		t.Errorf("slept %v", w)
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
	p, _ := newPoster(t, srv.URL+"/", nil)
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

func TestPostRetries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
		waits []time.Duration
	}{
		{"rate limited", []step{{429, map[string]string{"Retry-After": "7"}, ""}}, []time.Duration{7 * time.Second}},
		{"rate limit capped", []step{{429, map[string]string{"Retry-After": "600"}, ""}}, []time.Duration{60 * time.Second}},
		{"5xx backoff", []step{{500, nil, "<html>"}, {503, nil, ""}}, []time.Duration{time.Second, 2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := scripted(t, tc.steps...)
			var logs bytes.Buffer
			p, fs := newPoster(t, srv.URL+"/", &logs)
			ts, err := p.Post(t.Context(), "C9", []Message{{Text: "x"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("9.%d", len(tc.steps)); ts != want {
				t.Errorf("ts = %q, want %q", ts, want)
			}
			if got := fs.got(); !reflect.DeepEqual(got, tc.waits) {
				t.Errorf("waits = %v, want %v", got, tc.waits)
			}
			if *calls != len(tc.steps)+1 {
				t.Errorf("calls = %d", *calls)
			}
			if strings.Contains(logs.String(), testToken) {
				t.Error("token in logs")
			}
		})
	}
}

func TestPostBackoffCapAndGiveUp(t *testing.T) {
	steps := make([]step, 10)
	for i := range steps {
		steps[i] = step{status: 502}
	}
	srv, calls := scripted(t, steps...)
	p, fs := newPoster(t, srv.URL+"/", nil)
	p.MaxRetries = 7
	_, err := p.Post(t.Context(), "C9", []Message{{Text: "x"}}, "")
	var pe *PostError
	if !errors.As(err, &pe) || pe.Code != "http_502" || pe.Channel != "C9" {
		t.Fatalf("err = %v", err)
	}
	var sc slackgo.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 502 {
		t.Errorf("err does not unwrap to StatusCodeError: %v", err)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i := range want {
		want[i] *= time.Second
	}
	if got := fs.got(); !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if *calls != 8 {
		t.Errorf("calls = %d, want 8", *calls)
	}
}

func TestPostPermanentErrors(t *testing.T) {
	for _, code := range []string{"channel_not_found", "not_in_channel", "invalid_blocks", "invalid_auth"} {
		t.Run(code, func(t *testing.T) {
			srv, calls := scripted(t, step{200, nil, `{"ok":false,"error":"` + code + `"}`})
			var logs bytes.Buffer
			p, fs := newPoster(t, srv.URL+"/", &logs)
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
			if w := fs.got(); len(w) != 0 {
				t.Errorf("slept %v", w)
			}
		})
	}
}

func TestPostStopsAfterFailedMessage(t *testing.T) {
	srv, calls := scripted(t, step{200, nil, `{"ok":true,"ts":"1.1"}`}, step{200, nil, `{"ok":false,"error":"msg_too_long"}`})
	p, _ := newPoster(t, srv.URL+"/", nil)
	ts, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}, {Text: "b"}, {Text: "c"}}, "")
	if ts != "1.1" || err == nil || !strings.Contains(err.Error(), "msg_too_long") {
		t.Fatalf("Post = %q, %v", ts, err)
	}
	if *calls != 2 {
		t.Errorf("calls = %d, want 2", *calls)
	}
}

func TestPostCancelledDuringSleep(t *testing.T) {
	srv, calls := scripted(t, step{status: 500}, step{status: 500}, step{status: 500})
	ctx, cancel := stdctx.WithCancel(t.Context())
	defer cancel()
	p, fs := newPoster(t, srv.URL+"/", nil)
	fs.hook = cancel
	_, err := p.Post(ctx, "C1", []Message{{Text: "a"}}, "")
	if !errors.Is(err, stdctx.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if *calls != 1 || len(fs.got()) != 1 {
		t.Errorf("calls = %d, waits = %v", *calls, fs.got())
	}
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	srv, _ := scripted(t, step{429, map[string]string{"Retry-After": "30"}, ""})
	p := &Poster{Client: NewClient(testToken, srv.URL+"/", nil)}
	ctx, cancel := stdctx.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Post(ctx, "C1", []Message{{Text: "a"}}, "")
	if !errors.Is(err, stdctx.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
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

func TestPostRetriesNetworkErrors(t *testing.T) {
	srv, _ := scripted(t)
	fs := &fakeSleep{}
	var logs bytes.Buffer
	p := &Poster{
		Client: NewClient(testToken, srv.URL+"/", &http.Client{Transport: &flaky{n: 2}}),
		Sleep:  fs.sleep,
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
	}
	if _, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}}, ""); err != nil {
		t.Fatal(err)
	}
	if got, want := fs.got(), []time.Duration{time.Second, 2 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if strings.Contains(logs.String(), testToken) {
		t.Error("token in logs")
	}

	// Out of retries: the error names the channel, not the token.
	p.Client = NewClient(testToken, srv.URL+"/", &http.Client{Transport: &flaky{n: 100}})
	p.MaxRetries = 2
	_, err := p.Post(t.Context(), "C1", []Message{{Text: "a"}}, "")
	if err == nil || !strings.Contains(err.Error(), "network_error") || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
}
