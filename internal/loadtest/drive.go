package loadtest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is one kind of command measured: its requests cycle through Texts
// (what follows "/sahel").
type Kind struct {
	Name  string
	Texts []string
}

// DefaultKinds are the commands of issue 12's targets.
func DefaultKinds() []Kind {
	countries := []string{"mali", "niger", "burkina faso", "chad", "mauritania"}
	actors := []string{"jnim", "wagner", "ecowas", "africa corps", "isgs"}
	return []Kind{
		{"brief", []string{"brief"}},
		{"brief 7d", []string{"brief 7d"}},
		{"country X", prefixed("country ", countries, "")},
		{"country X 3d", prefixed("country ", countries, " 3d")},
		{"actor X", prefixed("actor ", actors, "")},
		{"actor X 7d", prefixed("actor ", actors, " 7d")},
		{"search coup", []string{"search coup"}},
		{"search attaque", []string{"search attaque"}},
		{"search country:", prefixed("search country:", []string{"mali", "niger", "burkina"}, " attack")},
	}
}

func prefixed(prefix string, xs []string, suffix string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = prefix + x + suffix
	}
	return out
}

// Config says how hard to drive the server.
type Config struct {
	URL     string // the server's /slack/commands endpoint
	Secret  string // its SLACK_SIGNING_SECRET
	Clients int    // requests in flight at once
	// Requests is how many requests each kind sends; MaxTime stops
	// sending earlier (a kind that takes seconds an answer would take
	// hours).
	Requests int
	MaxTime  time.Duration
}

// Result is what one kind measured.
type Result struct {
	Kind       string
	Clients    int
	Requests   int
	Latencies  []time.Duration // sorted
	Late       int             // acknowledged with "Working on it…": answered through response_url
	Errors     int
	FirstError string
	Elapsed    time.Duration
}

// Quantile returns the q-quantile (0..1) of the latencies, nearest rank.
func (r Result) Quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.Latencies))+0.999999) - 1
	return r.Latencies[max(0, min(i, len(r.Latencies)-1))]
}

// Throughput is answered requests a second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Elapsed.Seconds()
}

// workingText is what the Slack handler answers when a command is not
// ready within its ack window (bot/slack's workingText); the answer then
// goes to the response_url.
const workingText = "Working on it…"

// Drive sends cfg.Requests requests of kind with cfg.Clients clients.
func Drive(ctx context.Context, cfg Config, kind Kind) Result {
	res := Result{Kind: kind.Name, Clients: cfg.Clients}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients}}
	defer client.CloseIdleConnections()
	var (
		mu   sync.Mutex
		next atomic.Int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(cfg.MaxTime)
	for c := 0; c < cfg.Clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && (cfg.MaxTime <= 0 || time.Now().Before(deadline)) {
				n := int(next.Add(1))
				if n > cfg.Requests {
					return
				}
				text := kind.Texts[n%len(kind.Texts)]
				t0 := time.Now()
				late, err := send(ctx, client, cfg, text, n)
				d := time.Since(t0)
				mu.Lock()
				res.Requests++
				if err != nil {
					res.Errors++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
				} else {
					res.Latencies = append(res.Latencies, d)
					if late {
						res.Late++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	slices.Sort(res.Latencies)
	return res
}

// send posts one signed slash command and reports whether it was only
// acknowledged (its answer to come later through response_url).
func send(ctx context.Context, client *http.Client, cfg Config, text string, n int) (late bool, err error) {
	form := url.Values{
		"command":    {"/sahel"},
		"text":       {text},
		"channel_id": {fmt.Sprint("CLOAD", n%50)},
		"user_id":    {fmt.Sprint("ULOAD", n%50)},
		"team_id":    {"TLOAD"},
		// Every body differs, so no two signatures do: the verifier
		// refuses a signature it has already seen (replays).
		"trigger_id": {fmt.Sprint("load.", n, ".", time.Now().UnixNano())},
	}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("loadtest: %w", err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(cfg.Secret, ts, body))
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("loadtest: %w", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, fmt.Errorf("loadtest: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("loadtest: %q: HTTP %d: %.100s", text, resp.StatusCode, got)
	}
	var reply struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(got, &reply); err != nil {
		return false, fmt.Errorf("loadtest: %q: answer is not JSON: %w", text, err)
	}
	if strings.HasPrefix(reply.Text, "Sorry") { // the bot's apology for a failure
		return false, fmt.Errorf("loadtest: %q: %.100s", text, reply.Text)
	}
	return reply.Text == workingText, nil
}

// Sign returns Slack's v0 signature of body sent at ts.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
