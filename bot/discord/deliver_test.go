package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
)

const (
	testChannel = "555000111"
	testToken   = "sekret-test-token"
	botUserID   = "42"
)

// restReply is one canned answer of fakeREST.
type restReply struct {
	status int
	header http.Header
	body   string
}

// fakeREST is Discord's REST API as an in-process RoundTripper: it
// records every request, answers GET messages with history and POST
// messages with a new message id (2000, 2001, …), unless fail answers
// first (given the request and the number of POSTs so far).
type fakeREST struct {
	mu      sync.Mutex
	reqs    []recorded
	history []*discordgo.Message
	posts   int
	fail    func(r *http.Request, posts int) *restReply
	netErr  error
	me      string // the user GET /users/@me answers ("" answers like a listing)
}

func (f *fakeREST) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.String(), body})
	if f.netErr != nil {
		return nil, f.netErr
	}
	reply := &restReply{status: http.StatusOK}
	if f.fail != nil {
		if rr := f.fail(r, f.posts); rr != nil {
			reply = rr
		}
	}
	if reply.body == "" && reply.status == http.StatusOK {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users/@me") && f.me != "":
			reply.body = `{"id":"` + f.me + `","username":"sahelbrief","bot":true}`
		case r.Method == http.MethodGet:
			b, _ := json.Marshal(f.history)
			reply.body = string(b)
		case r.Method == http.MethodPost:
			reply.body = `{"id":"` + strconv.Itoa(2000+f.posts) + `","channel_id":"` + testChannel + `"}`
			f.posts++
		}
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range reply.header {
		h[k] = v
	}
	return &http.Response{StatusCode: reply.status, Status: strconv.Itoa(reply.status) + " " + http.StatusText(reply.status),
		Request: r, Header: h, Body: io.NopCloser(strings.NewReader(reply.body))}, nil
}

func (f *fakeREST) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeREST) postBodies() []createBody {
	var out []createBody
	for _, r := range f.requests() {
		if r.Method == http.MethodPost {
			var b createBody
			if err := json.Unmarshal(r.Body, &b); err != nil {
				panic(err)
			}
			b.raw = r.Body
			out = append(out, b)
		}
	}
	return out
}

// createBody is the part of a create-message body the tests read.
type createBody struct {
	Content         string          `json:"content"`
	Nonce           *string         `json:"nonce"`
	EnforceNonce    *bool           `json:"enforce_nonce"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
	Flags           int             `json:"flags"`
	Reference       *struct {
		MessageID       string `json:"message_id"`
		ChannelID       string `json:"channel_id"`
		FailIfNotExists *bool  `json:"fail_if_not_exists"`
	} `json:"message_reference"`
	Embeds []wireEmbed `json:"embeds"`
	raw    []byte
}

// text is all a body shows: content and every embed's texts.
func (b createBody) text() string {
	s := b.Content
	for _, e := range b.Embeds {
		s += "\n" + e.Title + "\n" + e.Description
		for _, f := range e.Fields {
			s += "\n" + f.Name + "\n" + f.Value
		}
		if e.Footer != nil {
			s += "\n" + e.Footer.Text
		}
	}
	return s
}

type fakeObserver struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (o *fakeObserver) CommandServed(string, string, time.Duration) {}
func (o *fakeObserver) Delivered(string, bot.Kind, error)           {}
func (o *fakeObserver) RateLimited(platform string, wait time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if platform == "discord" {
		o.waits = append(o.waits, wait)
	}
}

func newDeliverer(t *testing.T) (*Deliverer, *fakeREST, *fakeObserver) {
	t.Helper()
	s, err := discordgo.New("Bot " + testToken)
	if err != nil {
		t.Fatal(err)
	}
	s.LogLevel = -1 // quiet: discordgo logs a 429 whose body is not JSON
	f := &fakeREST{}
	s.Client = &http.Client{Transport: f, Timeout: 5 * time.Second}
	o := &fakeObserver{}
	return &Deliverer{Session: s, Observer: o}, f, o
}

func alertMessage(key string) bot.Message {
	return bot.Message{Key: key, Channel: "discord:" + testChannel, Kind: bot.KindAlert,
		Alerts: []bot.Alert{testAlert("@everyone <@123> @here", "https://example.org/a")}}
}

func digestMessage(key string) bot.Message {
	return bot.Message{Key: key, Channel: "discord:" + testChannel, Kind: bot.KindDigest, Digest: digesttest.Split()}
}

// validateBodies validates raw create-message bodies (with nonce) against
// MessageCreateRequest, when the schema is present.
func validateBodies(t *testing.T, bodies []createBody) {
	t.Helper()
	sch := messageSchema(t)
	if sch == nil {
		return
	}
	for i, b := range bodies {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("body %d: %v\n%s", i, err, b.raw)
		}
	}
}

func TestNonce(t *testing.T) {
	seen := map[string]bool{}
	for _, key := range []string{"", "digest:discord:1:2026-03-14", strings.Repeat("k", 5000)} {
		for _, i := range []int{0, 1, 9, 35, 36, 1000, 36*36*36*36 - 1} {
			n := nonce(key, i)
			if n != nonce(key, i) {
				t.Errorf("nonce(%q, %d) is not deterministic", key, i)
			}
			if len(n) > 25 {
				t.Errorf("nonce(%q, %d) = %q: %d chars", key, i, n, len(n))
			}
			if seen[n] {
				t.Errorf("nonce(%q, %d) = %q repeats", key, i, n)
			}
			seen[n] = true
		}
	}
}

func TestDeliverAlert(t *testing.T) {
	d, f, _ := newDeliverer(t)
	m := alertMessage("alert:discord:555000111:item:77")
	ref, err := d.Deliver(context.Background(), m, false)
	if err != nil {
		t.Fatal(err)
	}
	if ref != "2000" {
		t.Errorf("ref %q", ref)
	}
	reqs := f.requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].URL != discordgo.EndpointChannelMessages(testChannel) {
		t.Fatalf("requests %+v", reqs)
	}
	bodies := f.postBodies()
	b := bodies[0]
	if b.Nonce == nil || *b.Nonce != nonce(m.Key, 0) || b.EnforceNonce == nil || !*b.EnforceNonce {
		t.Errorf("nonce %v enforce %v", b.Nonce, b.EnforceNonce)
	}
	noParse(t, b.raw)
	if len(b.Embeds) != 1 || b.Embeds[0].Footer == nil ||
		!strings.HasSuffix(b.Embeds[0].Footer.Text, " · "+refMarker(keyHash(m.Key), 0)) {
		t.Errorf("marker not in the footer: %s", b.raw)
	}
	for _, bad := range []string{"@everyone", "@here", "<@123>"} {
		if strings.Contains(b.text(), bad) {
			t.Errorf("body contains %q: %s", bad, b.raw)
		}
	}
	validateBodies(t, bodies)

	// The same delivery again sends the same nonce.
	if _, err := d.Deliver(context.Background(), m, false); err != nil {
		t.Fatal(err)
	}
	if again := f.postBodies(); len(again) != 2 || *again[1].Nonce != *b.Nonce {
		t.Errorf("second attempt nonce differs")
	}
}

func TestDeliverReply(t *testing.T) {
	d, f, _ := newDeliverer(t)
	m := alertMessage("reply:1")
	m.Kind, m.ThreadOf = bot.KindReply, "1999"
	ref, err := d.Deliver(context.Background(), m, false)
	if err != nil || ref != "2000" {
		t.Fatalf("ref %q, err %v", ref, err)
	}
	bodies := f.postBodies()
	if len(bodies) != 1 {
		t.Fatalf("%d posts", len(bodies))
	}
	b := bodies[0]
	r := b.Reference
	if r == nil || r.MessageID != "1999" || r.ChannelID != testChannel || r.FailIfNotExists == nil || *r.FailIfNotExists {
		t.Errorf("message_reference %+v", r)
	}
	if !strings.HasPrefix(b.Content, "Also reported by **RFI Afrique**: [") ||
		!strings.HasSuffix(b.Content, "\n-# "+refMarker(keyHash(m.Key), 0)) {
		t.Errorf("content %q", b.Content)
	}
	for _, rq := range f.requests() {
		if strings.Contains(rq.URL, "/threads") {
			t.Errorf("reply opened a thread: %s", rq.URL)
		}
	}
	validateBodies(t, bodies)
}

func TestDeliverDigestParts(t *testing.T) {
	d, f, _ := newDeliverer(t)
	m := digestMessage("digest:1")
	ref, err := d.Deliver(context.Background(), m, false)
	if err != nil || ref != "2000" {
		t.Fatalf("ref %q, err %v", ref, err)
	}
	bodies := f.postBodies()
	if len(bodies) != 3 {
		t.Fatalf("%d posts, want 3", len(bodies))
	}
	for i, b := range bodies {
		if !strings.Contains(b.Content, "part "+strconv.Itoa(i+1)+" of 3") {
			t.Errorf("post %d out of order: %q", i, b.Content)
		}
		if *b.Nonce != nonce(m.Key, i) || !*b.EnforceNonce {
			t.Errorf("post %d nonce %q", i, *b.Nonce)
		}
		if !strings.Contains(b.text(), refMarker(keyHash(m.Key), i)) {
			t.Errorf("post %d lacks its marker", i)
		}
		noParse(t, b.raw)
	}
	validateBodies(t, bodies)
}

// posted is a message in the channel's history carrying part i's marker
// of key, in an embed footer or in the content.
func posted(id, author string, isBot bool, key string, i int, inFooter bool) *discordgo.Message {
	mk := refMarker(keyHash(key), i)
	m := &discordgo.Message{ID: id, ChannelID: testChannel, Author: &discordgo.User{ID: author, Bot: isBot}}
	if inFooter {
		m.Embeds = []*discordgo.MessageEmbed{{Title: "x", Footer: &discordgo.MessageEmbedFooter{Text: "Matched: q · " + mk}}}
	} else {
		m.Content = "**Sahel brief** · part\n-# " + mk
	}
	return m
}

func TestDeliverResume(t *testing.T) {
	key := "digest:resume"
	tests := []struct {
		name      string
		self      string // the session's user id; "" when unknown
		me        string // what GET /users/@me answers; "" for nothing useful
		history   []*discordgo.Message
		wantPosts []int // part indexes posted
		wantRef   string
	}{
		{"nothing posted", botUserID, "", []*discordgo.Message{posted("900", "7", false, "other", 0, false)}, []int{0, 1, 2}, "2000"},
		{"part 0 posted", botUserID, "", []*discordgo.Message{
			posted("1001", "9", false, "x", 0, true), posted("1000", botUserID, true, key, 0, false)}, []int{1, 2}, "1000"},
		{"parts 0 and 1 posted, footer marker", botUserID, "", []*discordgo.Message{
			posted("1011", botUserID, true, key, 1, true), posted("1010", botUserID, true, key, 0, true)}, []int{2}, "1010"},
		{"all posted", botUserID, "", []*discordgo.Message{
			posted("1022", botUserID, true, key, 2, false), posted("1021", botUserID, true, key, 1, false),
			posted("1020", botUserID, true, key, 0, false)}, nil, "1020"},
		{"part posted twice: oldest wins", botUserID, "", []*discordgo.Message{
			posted("1031", botUserID, true, key, 0, false), posted("1030", botUserID, true, key, 0, false)}, []int{1, 2}, "1030"},
		{"marker copied by a user is ignored", botUserID, "", []*discordgo.Message{
			posted("1040", "7", false, key, 0, false), posted("1041", "8", true, key, 1, false)}, []int{0, 1, 2}, "2000"},
		{"self unknown: asked of /users/@me", "", botUserID, []*discordgo.Message{
			posted("1070", "8", true, key, 0, false), posted("1071", botUserID, true, key, 1, false)}, []int{0, 2}, "2000"},
		{"self unknown: any bot", "", "", []*discordgo.Message{
			posted("1050", "7", false, key, 1, false), posted("1051", "8", true, key, 0, false)}, []int{1, 2}, "1051"},
		{"other key's markers", botUserID, "", []*discordgo.Message{posted("1060", botUserID, true, "digest:other", 0, false)}, []int{0, 1, 2}, "2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, f, _ := newDeliverer(t)
			if tt.self != "" {
				d.Session.State.User = &discordgo.User{ID: tt.self, Bot: true}
			}
			f.history, f.me = tt.history, tt.me
			m := digestMessage(key)
			ref, err := d.Deliver(context.Background(), m, true)
			if err != nil {
				t.Fatal(err)
			}
			if ref != tt.wantRef {
				t.Errorf("ref %q, want %q", ref, tt.wantRef)
			}
			reqs := f.requests()
			if len(reqs) == 0 || reqs[0].Method != http.MethodGet || !strings.HasSuffix(reqs[0].URL, "/channels/"+testChannel+"/messages?limit=100") {
				t.Fatalf("first request %+v, want GET messages?limit=100", reqs)
			}
			bodies := f.postBodies()
			if len(bodies) != len(tt.wantPosts) {
				t.Fatalf("%d posts, want parts %v", len(bodies), tt.wantPosts)
			}
			for j, i := range tt.wantPosts {
				if !strings.Contains(bodies[j].Content, "part "+strconv.Itoa(i+1)+" of 3") || *bodies[j].Nonce != nonce(key, i) {
					t.Errorf("post %d is not part %d: %q", j, i, bodies[j].Content)
				}
			}
		})
	}
}

func TestDeliverWithoutResumeDoesNotRead(t *testing.T) {
	d, f, _ := newDeliverer(t)
	f.history = []*discordgo.Message{posted("1000", botUserID, true, "k", 0, false)}
	if _, err := d.Deliver(context.Background(), alertMessage("k"), false); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests() {
		if r.Method != http.MethodPost {
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	}
}

func TestDeliverLateDigest(t *testing.T) {
	d, f, _ := newDeliverer(t)
	m := digestMessage("late")
	m.Late, m.Scheduled = true, time.Date(2026, 3, 14, 7, 0, 0, 0, time.FixedZone("WAT", 3600))
	if _, err := d.Deliver(context.Background(), m, false); err != nil {
		t.Fatal(err)
	}
	bodies := f.postBodies()
	if len(bodies) == 0 || !strings.Contains(bodies[0].Content, "Late: scheduled for 2026-03-14 07:00 (WAT)") {
		t.Fatalf("first part lacks the late note: %+v", bodies)
	}
	if units(bodies[0].Content) > MaxContent {
		t.Errorf("content of %d units", units(bodies[0].Content))
	}
}

func TestDeliverErrors(t *testing.T) {
	tests := []struct {
		name      string
		reply     restReply
		netErr    error
		permanent bool
		retry     time.Duration // wanted RetryAfter, 0 for none
	}{
		{"unknown channel", restReply{status: 404, body: `{"message":"Unknown Channel","code":10003}`}, nil, true, 0},
		{"missing access", restReply{status: 403, body: `{"message":"Missing Access","code":50001}`}, nil, true, 0},
		{"missing permissions", restReply{status: 403, body: `{"message":"Missing Permissions","code":50013}`}, nil, true, 0},
		{"invalid form body", restReply{status: 400, body: `{"message":"Invalid Form Body","code":50035}`}, nil, true, 0},
		{"bare 404", restReply{status: 404, body: `not found`}, nil, true, 0},
		{"revoked token", restReply{status: 401, body: `{"message":"401: Unauthorized","code":0}`}, nil, true, 0},
		{"server error", restReply{status: 500, body: `{"message":"oops","code":0}`}, nil, false, 0},
		{"bad gateway", restReply{status: 502, body: `<html>bad gateway</html>`}, nil, false, 0},
		{"unavailable", restReply{status: 503, body: ``}, nil, false, 0},
		{"network", restReply{}, errors.New("dial tcp: connection refused"), false, 0},
		{"rate limited", restReply{status: 429, body: `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`},
			nil, false, 1500 * time.Millisecond},
		{"rate limited, header only", restReply{status: 429, header: http.Header{"Retry-After": {"3"}}, body: `<html>slow down</html>`},
			nil, false, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, resume := range []bool{false, true} {
				d, f, o := newDeliverer(t)
				rr := tt.reply
				f.fail = func(*http.Request, int) *restReply { return &rr }
				f.netErr = tt.netErr
				start := time.Now()
				ref, err := d.Deliver(context.Background(), digestMessage("err"), resume)
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("took %v", took)
				}
				if err == nil || ref != "" {
					t.Fatalf("resume=%v: ref %q, err %v", resume, ref, err)
				}
				if bot.IsPermanent(err) != tt.permanent {
					t.Errorf("resume=%v: IsPermanent = %v, want %v: %v", resume, !tt.permanent, tt.permanent, err)
				}
				if got := bot.RetryAfter(err); got != tt.retry {
					t.Errorf("resume=%v: RetryAfter = %v, want %v", resume, got, tt.retry)
				}
				o.mu.Lock()
				if tt.retry > 0 && (len(o.waits) != 1 || o.waits[0] != tt.retry) {
					t.Errorf("observer saw %v", o.waits)
				}
				if tt.retry == 0 && len(o.waits) != 0 {
					t.Errorf("observer saw %v", o.waits)
				}
				o.mu.Unlock()
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error holds the token: %v", err)
				}
				if !strings.HasPrefix(err.Error(), "discord: ") {
					t.Errorf("error not prefixed: %v", err)
				}
				if n := len(f.postBodies()); n > 1 { // one attempt: discordgo's own retries are off
					t.Errorf("%d posts after a failure", n)
				}
			}
		})
	}
}

func TestDeliverFailsMidway(t *testing.T) {
	d, f, _ := newDeliverer(t)
	f.fail = func(r *http.Request, posts int) *restReply {
		if r.Method == http.MethodPost && posts == 1 {
			return &restReply{status: 500, body: `{}`}
		}
		return nil
	}
	if _, err := d.Deliver(context.Background(), digestMessage("mid"), false); err == nil || bot.IsPermanent(err) ||
		!strings.Contains(err.Error(), "part 2 of 3") {
		t.Fatalf("err %v", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (stop at the failed part)", n)
	}
}

func TestDeliverRejects(t *testing.T) {
	d, f, _ := newDeliverer(t)
	for name, m := range map[string]bot.Message{
		"slack channel": {Key: "k", Channel: "slack:C1", Kind: bot.KindAlert, Alerts: []bot.Alert{{}}},
		"no id":         {Key: "k", Channel: "discord:", Kind: bot.KindAlert, Alerts: []bot.Alert{{}}},
		"bad id":        {Key: "k", Channel: "discord:12/../x", Kind: bot.KindAlert, Alerts: []bot.Alert{{}}},
		"no key":        {Channel: "discord:1", Kind: bot.KindAlert, Alerts: []bot.Alert{{}}},
		"no alerts":     {Key: "k", Channel: "discord:1", Kind: bot.KindAlert},
	} {
		if _, err := d.Deliver(context.Background(), m, true); err == nil || !bot.IsPermanent(err) {
			t.Errorf("%s: err %v, want permanent", name, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests for rejected messages", n)
	}
}

func TestDeliverContextCancelled(t *testing.T) {
	d, f, _ := newDeliverer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Deliver(ctx, alertMessage("c"), false)
	if err == nil || bot.IsPermanent(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent after cancel", n)
	}
}

func TestMarkFallsBackToContent(t *testing.T) {
	full := &discordgo.MessageSend{Content: strings.Repeat("c", MaxContent),
		Embeds: []*discordgo.MessageEmbed{{Title: "t", Description: strings.Repeat("d", MaxEmbedTotal-1)}}}
	mark(full, "ref 0123abcd·3")
	if full.Embeds[0].Footer != nil || !strings.HasSuffix(full.Content, "\n-# ref 0123abcd·3") || units(full.Content) > MaxContent {
		t.Errorf("full message marked wrongly: footer %+v, content end %q, %d units",
			full.Embeds[0].Footer, full.Content[len(full.Content)-30:], units(full.Content))
	}
	msg := &discordgo.Message{Content: full.Content, Author: &discordgo.User{ID: "1"}}
	sum := "0123abcd" + strings.Repeat("0", 56)
	if got := partsMarked(msg, sum); len(got) != 1 || got[0] != 3 {
		t.Errorf("partsMarked = %v", got)
	}
}
