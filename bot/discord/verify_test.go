package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var (
	testKey  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	testNow  = time.Unix(1_700_000_000, 0)
	testTS   = strconv.FormatInt(testNow.Unix(), 10)
)

const pingBody = `{"type":1,"id":"1","application_id":"2","token":"t","version":1}`

func newVerifier() *Verifier {
	return &Verifier{PublicKey: testKey.Public().(ed25519.PublicKey)}
}

// atTime runs f in a testing/synctest bubble whose clock stands at at (the
// verifier reads time.Now); it moves only when the test sleeps.
func atTime(t *testing.T, at time.Time, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(at))
		f(t)
	})
}

// nowTS is a timestamp for a request signed now (tests on real time).
func nowTS() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func signed(key ed25519.PrivateKey, ts, body string) http.Header {
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, hex.EncodeToString(ed25519.Sign(key, []byte(ts+body))))
	return h
}

func TestParsePublicKey(t *testing.T) {
	pub := testKey.Public().(ed25519.PublicKey)
	got, err := ParsePublicKey(hex.EncodeToString(pub))
	if err != nil || !got.Equal(pub) {
		t.Fatalf("got %x, %v", got, err)
	}
	if _, err := ParsePublicKey("zz" + hex.EncodeToString(pub)[2:]); err == nil || !strings.Contains(err.Error(), "not hex") {
		t.Errorf("non-hex: %v", err)
	}
	if _, err := ParsePublicKey(hex.EncodeToString(pub[:31])); err == nil || !strings.Contains(err.Error(), "31 bytes") {
		t.Errorf("short: %v", err)
	}
	if _, err := ParsePublicKey(""); err == nil {
		t.Error("empty key accepted")
	}
}

func TestVerify(t *testing.T) {
	atTime(t, testNow, func(t *testing.T) {
		v := newVerifier()
		if err := v.Verify(signed(testKey, testTS, pingBody), []byte(pingBody)); err != nil {
			t.Fatalf("valid request: %v", err)
		}
		for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
			ts := strconv.FormatInt(testNow.Add(d).Unix(), 10)
			if err := v.Verify(signed(testKey, ts, pingBody), []byte(pingBody)); err != nil {
				t.Errorf("skew %v: %v", d, err)
			}
		}
		if err := (&Verifier{}).Verify(signed(testKey, testTS, pingBody), []byte(pingBody)); !errors.Is(err, ErrNotConfigured) {
			t.Errorf("no key: %v", err)
		}
	})
}

func badRequests() map[string]struct {
	hdr  http.Header
	body string
	want error
} {
	good := signed(testKey, testTS, pingBody)
	sig := good.Get(HeaderSignature)
	tamperedTS := signed(testKey, testTS, pingBody)
	tamperedTS.Set(HeaderTimestamp, strconv.FormatInt(testNow.Unix()+1, 10))
	noSig, noTS := good.Clone(), good.Clone()
	noSig.Del(HeaderSignature)
	noTS.Del(HeaderTimestamp)
	withSig := func(s string) http.Header {
		h := good.Clone()
		h.Set(HeaderSignature, s)
		return h
	}
	stale := strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10)
	future := strconv.FormatInt(testNow.Add(6*time.Minute).Unix(), 10)
	return map[string]struct {
		hdr  http.Header
		body string
		want error
	}{
		"tampered body":      {good, strings.Replace(pingBody, `"t"`, `"u"`, 1), ErrBadSignature},
		"tampered timestamp": {tamperedTS, pingBody, ErrBadSignature},
		"other key":          {signed(otherKey, testTS, pingBody), pingBody, ErrBadSignature},
		"missing headers":    {http.Header{}, pingBody, ErrMissingHeaders},
		"missing signature":  {noSig, pingBody, ErrMissingHeaders},
		"missing timestamp":  {noTS, pingBody, ErrMissingHeaders},
		"non-hex signature":  {withSig("zz" + sig[2:]), pingBody, ErrBadSignature},
		"short signature":    {withSig(sig[:64]), pingBody, ErrBadSignature},
		"odd-length hex":     {withSig(sig[1:]), pingBody, ErrBadSignature},
		"bad timestamp":      {signed(testKey, "17e8", pingBody), pingBody, ErrBadTimestamp},
		"stale":              {signed(testKey, stale, pingBody), pingBody, ErrStale},
		"future":             {signed(testKey, future, pingBody), pingBody, ErrStale},
	}
}

func TestVerifyRejects(t *testing.T) {
	atTime(t, testNow, func(t *testing.T) {
		v := newVerifier()
		for name, c := range badRequests() {
			if err := v.Verify(c.hdr, []byte(c.body)); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", name, err, c.want)
			}
		}
	})
}

func serve(h http.Handler, hdr http.Header, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/discord/interactions", strings.NewReader(body))
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// interactions is the tiny handler the middleware guards in these tests.
func interactions(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		if IsPing(b) {
			WritePong(w)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

func TestMiddlewarePing(t *testing.T) {
	atTime(t, testNow, func(t *testing.T) {
		h := newVerifier().Middleware(1<<16, interactions(t))
		w := serve(h, signed(testKey, testTS, pingBody), pingBody)
		if w.Code != http.StatusOK || w.Body.String() != `{"type":1}` || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("ping: %d %q %q", w.Code, w.Body.String(), w.Header().Get("Content-Type"))
		}
		cmd := `{"type":2,"data":{"name":"brief"}}`
		if w := serve(h, signed(testKey, testTS, cmd), cmd); w.Code != http.StatusAccepted {
			t.Fatalf("command: %d", w.Code)
		}
	})
}

func TestMiddlewareRejects(t *testing.T) {
	atTime(t, testNow, func(t *testing.T) {
		next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("next called") })
		h := newVerifier().Middleware(1<<16, next)
		for name, c := range badRequests() {
			if w := serve(h, c.hdr, c.body); w.Code != http.StatusUnauthorized {
				t.Errorf("%s: code %d, want 401", name, w.Code)
			}
		}
		small := newVerifier().Middleware(int64(len(pingBody)-1), next)
		if w := serve(small, signed(testKey, testTS, pingBody), pingBody); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversize: code %d, want 413", w.Code)
		}
	})
}

func TestIsPing(t *testing.T) {
	for body, want := range map[string]bool{
		pingBody:       true,
		`{"type":1}`:   true,
		`{"type":2}`:   false,
		`{}`:           false,
		`{"type":"1"}`: false,
		`not json`:     false,
		``:             false,
	} {
		if got := IsPing([]byte(body)); got != want {
			t.Errorf("IsPing(%q) = %v", body, got)
		}
	}
}

func TestVerifyConcurrent(t *testing.T) {
	atTime(t, testNow, func(t *testing.T) {
		v := newVerifier()
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				b := `{"type":2,"id":"` + strconv.Itoa(i) + `"}`
				if err := v.Verify(signed(testKey, testTS, b), []byte(b)); err != nil {
					t.Errorf("%d: %v", i, err)
				}
			})
		}
		wg.Wait()
	})
}
