package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Slack's published worked example (api.slack.com, "Verifying requests from
// Slack").
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = "1531420618"
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

var exampleTime = time.Unix(1531420618, 0)

// atTime runs f in a testing/synctest bubble whose clock stands at at:
// the verifier reads time.Now, and Slack's worked example is signed in
// 2018. The clock moves only when the test sleeps.
func atTime(t *testing.T, at time.Time, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(at))
		f(t)
	})
}

func newVerifier() *Verifier {
	return &Verifier{Secret: []byte(exampleSecret)}
}

func headers(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set(HeaderTimestamp, ts)
	}
	if sig != "" {
		h.Set(HeaderSignature, sig)
	}
	return h
}

func sign(secret, ts, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerifyWorkedExample(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		if got := sign(exampleSecret, exampleTimestamp, exampleBody); got != exampleSignature {
			t.Fatalf("test signer: got %s, want %s", got, exampleSignature)
		}
		v := newVerifier()
		if err := v.Verify(headers(exampleTimestamp, exampleSignature), []byte(exampleBody)); err != nil {
			t.Fatalf("worked example rejected: %v", err)
		}
	})
}

func flipBit(s string, i int) string {
	b := []byte(s)
	b[i] ^= 1
	return string(b)
}

func TestVerifyRejects(t *testing.T) {
	sigHex := strings.TrimPrefix(exampleSignature, "v0=")
	// Flip one bit of a hex digit, keeping it hex.
	forgedSig := "v0=" + flipBit(sigHex, 1) // "2" -> "3"
	if _, err := hex.DecodeString(strings.TrimPrefix(forgedSig, "v0=")); err != nil {
		t.Fatalf("forged signature is not hex: %v", err)
	}
	tsOld := strconv.FormatInt(exampleTime.Add(-6*time.Minute).Unix(), 10)
	tsNew := strconv.FormatInt(exampleTime.Add(6*time.Minute).Unix(), 10)
	cases := []struct {
		name    string
		secret  string
		ts, sig string
		body    string
		want    error
	}{
		{"unsigned", exampleSecret, "", "", exampleBody, ErrMissingHeaders},
		{"no timestamp", exampleSecret, "", exampleSignature, exampleBody, ErrMissingHeaders},
		{"no signature", exampleSecret, exampleTimestamp, "", exampleBody, ErrMissingHeaders},
		{"body bit flipped", exampleSecret, exampleTimestamp, exampleSignature, flipBit(exampleBody, 7), ErrBadSignature},
		{"signature bit flipped", exampleSecret, exampleTimestamp, forgedSig, exampleBody, ErrBadSignature},
		{"wrong secret", "not-the-secret", exampleTimestamp, exampleSignature, exampleBody, ErrBadSignature},
		{"expired", exampleSecret, tsOld, sign(exampleSecret, tsOld, exampleBody), exampleBody, ErrStale},
		{"future", exampleSecret, tsNew, sign(exampleSecret, tsNew, exampleBody), exampleBody, ErrStale},
		{"version v1", exampleSecret, exampleTimestamp, "v1=" + sigHex, exampleBody, ErrBadSignature},
		{"no version", exampleSecret, exampleTimestamp, sigHex, exampleBody, ErrBadSignature},
		{"non-hex", exampleSecret, exampleTimestamp, "v0=" + strings.Repeat("zz", 32), exampleBody, ErrBadSignature},
		{"short", exampleSecret, exampleTimestamp, exampleSignature[:40], exampleBody, ErrBadSignature},
		{"non-numeric timestamp", exampleSecret, "15314206l8", exampleSignature, exampleBody, ErrBadTimestamp},
		{"signed timestamp", exampleSecret, "+1531420618", sign(exampleSecret, "+1531420618", exampleBody), exampleBody, ErrBadTimestamp},
		{"huge timestamp", exampleSecret, strings.Repeat("9", 30), exampleSignature, exampleBody, ErrBadTimestamp},
		{"no secret", "", exampleTimestamp, exampleSignature, exampleBody, ErrNotConfigured},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			atTime(t, exampleTime, func(t *testing.T) {
				v := &Verifier{Secret: []byte(c.secret)}
				err := v.Verify(headers(c.ts, c.sig), []byte(c.body))
				if !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
				if c.secret != "" && strings.Contains(err.Error(), c.secret) {
					t.Fatalf("error leaks secret: %v", err)
				}
			})
		})
	}
}

func TestVerifySkewBoundary(t *testing.T) {
	for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
		atTime(t, exampleTime.Add(d), func(t *testing.T) {
			if err := newVerifier().Verify(headers(exampleTimestamp, exampleSignature), []byte(exampleBody)); err != nil {
				t.Errorf("clock %v from timestamp: %v", d, err)
			}
		})
	}
	atTime(t, exampleTime.Add(time.Minute), func(t *testing.T) {
		v := newVerifier()
		v.MaxSkew = 30 * time.Second
		if err := v.Verify(headers(exampleTimestamp, exampleSignature), []byte(exampleBody)); !errors.Is(err, ErrStale) {
			t.Errorf("custom MaxSkew: got %v, want ErrStale", err)
		}
	})
}

func TestVerifyReplay(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		v := newVerifier()
		h := headers(exampleTimestamp, exampleSignature)
		if err := v.Verify(h, []byte(exampleBody)); err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(h, []byte(exampleBody)); !errors.Is(err, ErrReplay) {
			t.Fatalf("second use: got %v, want ErrReplay", err)
		}
		// A forged request must not be able to poison or probe the cache.
		if err := v.Verify(h, []byte(exampleBody+"x")); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("forged body: got %v, want ErrBadSignature", err)
		}
	})
}

func TestReplayCacheBounded(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		v := &Verifier{Secret: []byte(exampleSecret), MaxReplayEntries: 3}
		ts := exampleTimestamp
		body := func(i int) string { return "n=" + strconv.Itoa(i) }
		for i := range 5 {
			if err := v.Verify(headers(ts, sign(exampleSecret, ts, body(i))), []byte(body(i))); err != nil {
				t.Fatal(i, err)
			}
			if n := v.order.Len(); n > 3 || len(v.seen) != n {
				t.Fatalf("cache size %d/%d, cap 3", n, len(v.seen))
			}
		}
		// The newest entry is still remembered; the oldest was evicted.
		if err := v.Verify(headers(ts, sign(exampleSecret, ts, body(4))), []byte(body(4))); !errors.Is(err, ErrReplay) {
			t.Fatalf("newest: got %v, want ErrReplay", err)
		}
		// Entries expire after 2×MaxSkew.
		time.Sleep(2*DefaultMaxSkew + time.Second)
		ts2 := strconv.FormatInt(time.Now().Unix(), 10)
		if err := v.Verify(headers(ts2, sign(exampleSecret, ts2, "late")), []byte("late")); err != nil {
			t.Fatal(err)
		}
		if n := v.order.Len(); n != 1 || len(v.seen) != 1 {
			t.Fatalf("after expiry cache holds %d/%d, want 1", n, len(v.seen))
		}
	})
}

func TestVerifyConcurrent(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		v := newVerifier()
		var wg sync.WaitGroup
		var ok, replays atomic.Int32
		// Distinct requests all pass; one request sent 50 times passes once.
		for i := range 50 {
			wg.Go(func() {
				b := "n=" + strconv.Itoa(i)
				if err := v.Verify(headers(exampleTimestamp, sign(exampleSecret, exampleTimestamp, b)), []byte(b)); err != nil {
					t.Errorf("request %d: %v", i, err)
				}
			})
			wg.Go(func() {
				switch err := v.Verify(headers(exampleTimestamp, exampleSignature), []byte(exampleBody)); {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrReplay):
					replays.Add(1)
				default:
					t.Errorf("duplicate: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || replays.Load() != 49 {
			t.Fatalf("duplicate request accepted %d times, replays %d", ok.Load(), replays.Load())
		}
	})
}

func serve(h http.Handler, hdr http.Header, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddleware(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		var called atomic.Int32
		var gotBody string
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called.Add(1)
			b, _ := io.ReadAll(r.Body)
			gotBody = string(b)
			w.WriteHeader(http.StatusOK)
		})
		h := newVerifier().Middleware(1<<16, next)

		w := serve(h, headers(exampleTimestamp, exampleSignature), exampleBody)
		if w.Code != http.StatusOK || called.Load() != 1 || gotBody != exampleBody {
			t.Fatalf("valid request: code %d, called %d, body %q", w.Code, called.Load(), gotBody)
		}

		bad := []struct {
			name string
			hdr  http.Header
			body string
		}{
			{"replay", headers(exampleTimestamp, exampleSignature), exampleBody},
			{"unsigned", headers("", ""), exampleBody},
			{"forged", headers(exampleTimestamp, exampleSignature), flipBit(exampleBody, 0)},
			{"v1", headers(exampleTimestamp, "v1="+exampleSignature[3:]), exampleBody},
		}
		for _, c := range bad {
			w := serve(h, c.hdr, c.body)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s: code %d, want 401", c.name, w.Code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("%s: content type %q", c.name, ct)
			}
			if strings.Contains(w.Body.String(), exampleSecret) || w.Body.Len() > 64 {
				t.Errorf("%s: body %q", c.name, w.Body.String())
			}
		}
		if called.Load() != 1 {
			t.Fatalf("next called %d times, want 1", called.Load())
		}

		// Slack's own retry of a request already being answered: 200, not run again.
		retry := headers(exampleTimestamp, exampleSignature)
		retry.Set("X-Slack-Retry-Num", "1")
		if w := serve(h, retry, exampleBody); w.Code != http.StatusOK || called.Load() != 1 {
			t.Errorf("Slack retry: code %d, next called %d times", w.Code, called.Load())
		}
		// A retry header does not make a forged request acceptable.
		forged := headers(exampleTimestamp, exampleSignature)
		forged.Set("X-Slack-Retry-Num", "1")
		if w := serve(h, forged, flipBit(exampleBody, 0)); w.Code != http.StatusUnauthorized {
			t.Errorf("forged retry: code %d, want 401", w.Code)
		}
	})
}

func TestMiddlewareOversize(t *testing.T) {
	atTime(t, exampleTime, func(t *testing.T) {
		next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("next called") })
		h := newVerifier().Middleware(int64(len(exampleBody)-1), next)
		w := serve(h, headers(exampleTimestamp, exampleSignature), exampleBody)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("code %d, want 413", w.Code)
		}
		// Exactly at the limit is fine.
		h = newVerifier().Middleware(int64(len(exampleBody)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		if w := serve(h, headers(exampleTimestamp, exampleSignature), exampleBody); w.Code != http.StatusOK {
			t.Fatalf("at limit: code %d, want 200", w.Code)
		}
	})
}
