package loadtest

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot/slack"
)

// TestSignVerifies: the load is only honest if serve accepts every request.
func TestSignVerifies(t *testing.T) {
	body := []byte("command=%2Fsahel&text=brief")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set(slack.HeaderTimestamp, ts)
	h.Set(slack.HeaderSignature, Sign("s3cret", ts, body))
	if err := (&slack.Verifier{Secret: []byte("s3cret")}).Verify(h, body); err != nil {
		t.Fatal(err)
	}
}

func TestQuantile(t *testing.T) {
	var r Result
	for i := 1; i <= 100; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := r.Quantile(q); got != want {
			t.Errorf("Quantile(%v) = %v, want %v", q, got, want)
		}
	}
}
