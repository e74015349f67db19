package bot

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// VerifiedRequests reads the body within its limit, checks it before the
// handler runs and hands the handler the same bytes; a failed check is a
// 401 with the platform's text, an acknowledged retry a bare 200.
func TestVerifiedRequests(t *testing.T) {
	verify := func(r *http.Request, body []byte) error {
		switch r.Header.Get("Sig") {
		case "good":
			if string(body) != "payload" {
				return fmt.Errorf("check saw %q", body)
			}
			return nil
		case "retry":
			return fmt.Errorf("%w: seen", ErrAcknowledge)
		}
		return errors.New("bad signature")
	}
	ran := 0
	h := VerifiedRequests(16, "nope", verify)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran++
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "handled %s (%d)", b, r.ContentLength)
	}))
	for _, tt := range []struct {
		name, sig string
		body      io.Reader
		status    int
		text      string
		ran       int
	}{
		{"verified", "good", strings.NewReader("payload"), 200, "handled payload (7)", 1},
		{"bad signature", "bad", strings.NewReader("payload"), 401, "nope\n", 0},
		{"acknowledged retry", "retry", strings.NewReader("payload"), 200, "", 0},
		{"too large", "good", strings.NewReader(strings.Repeat("x", 17)), 413, "request body too large\n", 0},
		{"unreadable", "good", iotest.ErrReader(errors.New("reset")), 400, "cannot read request body\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ran = 0
			r := httptest.NewRequest(http.MethodPost, "/hook", tt.body)
			r.Header.Set("Sig", tt.sig)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.text || ran != tt.ran {
				t.Errorf("%d %q, handler ran %d times; want %d %q, %d", w.Code, w.Body.String(), ran, tt.status, tt.text, tt.ran)
			}
		})
	}
}

// A limit of zero or less is DefaultMaxBody.
func TestVerifiedRequestsDefaultLimit(t *testing.T) {
	h := VerifiedRequests(0, "nope", func(*http.Request, []byte) error { return nil })(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for n, want := range map[int]int{DefaultMaxBody: 200, DefaultMaxBody + 1: 413} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", n))))
		if w.Code != want {
			t.Errorf("%d bytes: %d, want %d", n, w.Code, want)
		}
	}
}

// A request without a body reaches the check with none, and the handler
// with an empty one it can read.
func TestReadBodyWithoutBody(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Body = nil
	body, ok := ReadBody(httptest.NewRecorder(), r, 10)
	if !ok || len(body) != 0 || r.Body == nil || r.ContentLength != 0 {
		t.Fatalf("body %q ok %v; r.Body %v, length %d", body, ok, r.Body, r.ContentLength)
	}
	if b, err := io.ReadAll(r.Body); err != nil || len(b) != 0 {
		t.Errorf("restored body %q, %v", b, err)
	}
}

func TestRequestTimeAndStale(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tt := range []struct {
		ts   string
		unix int64
		ok   bool
	}{
		{"1700000000", 1700000000, true}, {"0", 0, true}, {"999999999999999999", 999999999999999999, true},
		{"", 0, false}, {"-5", 0, false}, {"+5", 0, false}, {"1.5", 0, false}, {" 1700000000", 0, false},
		{"9999999999999999999", 0, false},
	} {
		got, ok := RequestTime(tt.ts)
		if ok != tt.ok || ok && got.Unix() != tt.unix {
			t.Errorf("RequestTime(%q) = %v, %v; want %v, %v", tt.ts, got.Unix(), ok, tt.unix, tt.ok)
		}
	}
	for _, tt := range []struct {
		d     time.Duration
		stale bool
	}{{0, false}, {5 * time.Minute, false}, {-5 * time.Minute, false}, {5*time.Minute + time.Second, true}, {-5*time.Minute - time.Second, true}} {
		if got := Stale(now.Add(tt.d), now, 5*time.Minute); got != tt.stale {
			t.Errorf("Stale(now%+v) = %v, want %v", tt.d, got, tt.stale)
		}
	}
}
