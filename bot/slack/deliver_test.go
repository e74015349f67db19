package slack

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/slackfake"
)

const botUser = slackfake.BotUser

// newFake starts a fake Slack for t, closed and checked for protocol
// misuse when t ends.
func newFake(t *testing.T) *slackfake.Server {
	t.Helper()
	s := slackfake.New()
	t.Cleanup(func() {
		s.Close()
		if p := s.Problems(); len(p) != 0 {
			t.Errorf("fake Slack saw misuse: %q", p)
		}
	})
	return s
}

// fakeObserver records rate limits.
type fakeObserver struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (o *fakeObserver) CommandServed(string, string, time.Duration) {}
func (o *fakeObserver) Delivered(string, bot.Kind, error)           {}
func (o *fakeObserver) RateLimited(platform string, wait time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if platform != "slack" {
		panic("platform " + platform)
	}
	o.waits = append(o.waits, wait)
}

func (o *fakeObserver) got() []time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.waits)
}

func newDeliverer(t *testing.T, fake *slackfake.Server, logs *bytes.Buffer) (*Deliverer, *fakeObserver) {
	t.Helper()
	p := newPoster(t, fake.URL(), logs)
	obs := &fakeObserver{}
	d := &Deliverer{Client: p.Client, Poster: p, BotUserID: botUser, Observer: obs}
	if logs != nil {
		d.Log = p.Log
	}
	return d, obs
}

func hostileAlert() bot.Alert {
	return bot.Alert{
		Item: briefing.Item{
			Title:     "Attack near Ménaka <!channel> @here <@U123> <https://evil.example|click>",
			URL:       "https://example.org/a?x=1&y=2",
			Summary:   "Gunmen <!everyone> attacked a convoy & fled.",
			Outlet:    "RFI <Afrique>",
			Published: time.Date(2026, 12, 7, 6, 30, 0, 0, time.UTC),
		},
		Countries: []briefing.Tag{{ID: "mali", Name: "Mali"}},
		Actors:    []briefing.Tag{{ID: "jnim", Name: "JNIM <@U999>"}},
		Queries:   []string{"country:mali actor:jnim", "ménaka `x`"},
		Outlets:   []string{"RFI <Afrique>", "Studio Tamani"},
	}
}

// checkPosted asserts what every delivered message must be: metadata with
// the key and its part, unfurls off, no mention or foreign link syntax.
func checkPosted(t *testing.T, msgs []slackfake.Message, key string, firstPart int, allowed map[string]bool) {
	t.Helper()
	for i, m := range msgs {
		if m.Metadata == nil || m.Metadata.EventType != MetadataEventType {
			t.Errorf("message %d: metadata %+v", i, m.Metadata)
			continue
		}
		if k := m.Metadata.EventPayload["key"]; k != key {
			t.Errorf("message %d: metadata key %v, want %q", i, k, key)
		}
		if p := m.Metadata.EventPayload["part"]; p != float64(firstPart+i) {
			t.Errorf("message %d: metadata part %v, want %d", i, p, firstPart+i)
		}
		if m.UnfurlLinks != "false" {
			t.Errorf("message %d: unfurl_links %q", i, m.UnfurlLinks)
		}
		checkText(t, "text", m.Text, 1, 4000, allowed)
		for _, s := range blockTexts(t, m.Blocks) {
			checkText(t, "block", s, 1, MaxSectionText, allowed)
		}
	}
}

// blockTexts is every text of a blocks JSON array.
func blockTexts(t *testing.T, blocks string) []string {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(blocks), &v); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	var out []string
	for _, b := range v {
		if txt, ok := b["text"].(map[string]any); ok {
			out = append(out, txt["text"].(string))
		}
		if els, ok := b["elements"].([]any); ok {
			for _, e := range els {
				out = append(out, e.(map[string]any)["text"].(string))
			}
		}
	}
	return out
}

func TestDeliverKinds(t *testing.T) {
	sched := time.Date(2026, 12, 7, 7, 0, 0, 0, time.FixedZone("Africa/Bamako", 0))
	digestParts := len(RenderDigest(digesttest.Split()))
	if digestParts < 2 {
		t.Fatalf("splitDigest renders %d parts", digestParts)
	}
	tests := []struct {
		name   string
		m      bot.Message
		parts  int
		thread string
		want   []string // in the first message's blocks
		wantTx string   // in the first message's text
	}{
		{
			name:   "alert",
			m:      bot.Message{Key: "alert:1", Channel: "slack:C0123", Kind: bot.KindAlert, Alerts: []bot.Alert{hostileAlert()}},
			parts:  1,
			want:   []string{"Attack near Ménaka &lt;!channel&gt; @here &lt;@U123&gt;", "RFI &lt;Afrique&gt;, Studio Tamani", "Mali · JNIM &lt;@U999&gt;", "Matched your subscriptions: `country:mali actor:jnim`, `ménaka 'x'`", "<!date^1796625000^"},
			wantTx: "New: Attack near Ménaka",
		},
		{
			name:   "reply",
			m:      bot.Message{Key: "reply:1", Channel: "slack:C0123", Kind: bot.KindReply, Alerts: []bot.Alert{hostileAlert()}, ThreadOf: "1765000000.000100"},
			parts:  1,
			thread: "1765000000.000100",
			want:   []string{"Also reported by *RFI &lt;Afrique&gt;*: *<https://example.org/a?x=1&amp;y=2|Attack near"},
			wantTx: "Also reported by RFI &lt;Afrique&gt;",
		},
		{
			name:   "summary",
			m:      bot.Message{Key: "sum:1", Channel: "slack:C0123", Kind: bot.KindSummary, Alerts: []bot.Alert{hostileAlert(), hostileAlert(), hostileAlert()}},
			parts:  1,
			want:   []string{"3 more stories matched your subscriptions", "• *<https://example.org/a?x=1&amp;y=2|Attack"},
			wantTx: "3 more stories matched your subscriptions",
		},
		{
			name:  "digest",
			m:     bot.Message{Key: "digest:1", Channel: "slack:C0123", Kind: bot.KindDigest, Digest: digesttest.Split()},
			parts: digestParts,
		},
		{
			name:   "late digest",
			m:      bot.Message{Key: "digest:2", Channel: "slack:C0123", Kind: bot.KindDigest, Digest: digesttest.Split(), Late: true, Scheduled: sched},
			parts:  digestParts,
			want:   []string{"Late: scheduled for Mon 7 Dec 07:00 (Africa/Bamako)"},
			wantTx: "Late: scheduled for Mon 7 Dec 07:00 (Africa/Bamako)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			var logs bytes.Buffer
			d, _ := newDeliverer(t, fake, &logs)
			ref, err := d.Deliver(t.Context(), tt.m, false)
			if err != nil {
				t.Fatal(err)
			}
			got := fake.Messages()
			if len(got) != tt.parts {
				t.Fatalf("posted %d messages, want %d", len(got), tt.parts)
			}
			if ref != got[0].TS {
				t.Errorf("ref = %q, want the first part's ts %q", ref, got[0].TS)
			}
			allowed := map[string]bool{"https://example.org/a?x=1&amp;y=2": true}
			if tt.m.Digest != nil {
				for _, ss := range append([][]briefing.Story{tt.m.Digest.Headlines}, sectionStories(tt.m.Digest)...) {
					for _, s := range ss {
						allowed[link(s.URL)] = true
					}
				}
			}
			checkPosted(t, got, tt.m.Key, 0, allowed)
			want, _ := Render(tt.m)
			for i, m := range got {
				if m.Channel != "C0123" || m.ThreadTS != tt.thread {
					t.Errorf("message %d: channel %q thread_ts %q", i, m.Channel, m.ThreadTS)
				}
				if m.Text != want[i].Text {
					t.Errorf("message %d: text %q, want part %d's %q", i, m.Text, i, want[i].Text)
				}
			}
			first := strings.Join(blockTexts(t, got[0].Blocks), "\n")
			for _, w := range tt.want {
				if !strings.Contains(first, w) {
					t.Errorf("first message lacks %q:\n%s", w, first)
				}
			}
			if !strings.Contains(got[0].Text, tt.wantTx) {
				t.Errorf("text %q lacks %q", got[0].Text, tt.wantTx)
			}
			if _, h, r := fake.Counts(); h+r != 0 {
				t.Errorf("read history without resume: %d, %d", h, r)
			}
			if strings.Contains(logs.String(), testToken) {
				t.Errorf("logs %s", logs.String())
			}
		})
	}
}

func TestDeliverResume(t *testing.T) {
	digest := func(key string) bot.Message {
		return bot.Message{Key: key, Channel: "slack:C0123", Kind: bot.KindDigest, Digest: digesttest.Split()}
	}
	parts := len(RenderDigest(digesttest.Split()))

	t.Run("after a crash mid-digest", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		// Part 0 goes out, then Slack fails part 1 until the attempt gives up.
		fake.FailPosts("", "503")
		m := digest("digest:crash")
		if _, err := d.Deliver(t.Context(), m, false); err == nil || bot.IsPermanent(err) {
			t.Fatalf("first attempt: err = %v, want a retryable error", err)
		}
		before := fake.Messages()
		if len(before) != 1 {
			t.Fatalf("first attempt posted %d parts, want 1", len(before))
		}
		// Noise: another delivery, the same key from another user, a
		// reply in a thread.
		fake.Seed("C0123", "", botUser, "digest:other", 1)
		fake.Seed("C0123", "", "UOTHER", "digest:crash", 1)
		fake.Seed("C0999", "", botUser, "digest:crash", 1)
		ref, err := d.Deliver(t.Context(), m, true)
		if err != nil {
			t.Fatal(err)
		}
		if ref != before[0].TS {
			t.Errorf("ref = %q, want part 0's %q", ref, before[0].TS)
		}
		var mine []slackfake.Message
		for _, s := range fake.Messages() {
			if s.Metadata != nil && s.Metadata.EventPayload["key"] == m.Key && s.User == botUser && s.Channel == "C0123" {
				mine = append(mine, s)
			}
		}
		if len(mine) != parts {
			t.Fatalf("%d parts in the channel, want %d", len(mine), parts)
		}
		checkPosted(t, mine, m.Key, 0, nil2all(m))
		if _, h, r := fake.Counts(); h != 1 || r != 0 {
			t.Errorf("history calls %d, replies calls %d", h, r)
		}
	})

	t.Run("everything posted", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		m := digest("digest:done")
		ref, err := d.Deliver(t.Context(), m, false)
		if err != nil {
			t.Fatal(err)
		}
		posts, _, _ := fake.Counts()
		ref2, err := d.Deliver(t.Context(), m, true)
		if err != nil || ref2 != ref {
			t.Fatalf("resume = %q, %v; want %q", ref2, err, ref)
		}
		if p, _, _ := fake.Counts(); p != posts {
			t.Errorf("resume posted %d messages", p-posts)
		}
	})

	t.Run("nothing posted yet", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		ref, err := d.Deliver(t.Context(), digest("digest:new"), true)
		if err != nil {
			t.Fatal(err)
		}
		got := fake.Messages()
		if len(got) != parts || ref != got[0].TS {
			t.Errorf("posted %d, ref %q", len(got), ref)
		}
	})

	t.Run("paged history", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		m := digest("digest:paged")
		p0 := fake.Seed("C0123", "", botUser, m.Key, 0)
		for range 5 {
			fake.Seed("C0123", "", botUser, "digest:later", 0)
		}
		fake.SetPageSize(2)
		ref, err := d.Deliver(t.Context(), m, true)
		if err != nil || ref != p0 {
			t.Fatalf("resume = %q, %v; want %q", ref, err, p0)
		}
		if p, h, _ := fake.Counts(); p != parts-1 || h != 3 {
			t.Errorf("posts %d (want %d), history pages %d (want 3)", p, parts-1, h)
		}
	})

	t.Run("reply already in thread", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		parent := fake.Seed("C0123", "", botUser, "alert:1", 0)
		m := bot.Message{Key: "reply:1", Channel: "slack:C0123", Kind: bot.KindReply, Alerts: []bot.Alert{hostileAlert()}, ThreadOf: parent}
		want := fake.Seed("C0123", parent, botUser, m.Key, 0)
		ref, err := d.Deliver(t.Context(), m, true)
		if err != nil || ref != want {
			t.Fatalf("resume = %q, %v; want %q", ref, err, want)
		}
		if p, h, r := fake.Counts(); p != 0 || h != 0 || r != 1 {
			t.Errorf("posts %d, history %d, replies %d", p, h, r)
		}
	})

	t.Run("reply not yet in thread", func(t *testing.T) {
		fake := newFake(t)
		d, _ := newDeliverer(t, fake, nil)
		parent := fake.Seed("C0123", "", botUser, "alert:1", 0)
		m := bot.Message{Key: "reply:2", Channel: "slack:C0123", Kind: bot.KindReply, Alerts: []bot.Alert{hostileAlert()}, ThreadOf: parent}
		ref, err := d.Deliver(t.Context(), m, true)
		if err != nil {
			t.Fatal(err)
		}
		got := fake.Messages()
		if len(got) != 2 || got[1].ThreadTS != parent || ref != got[1].TS {
			t.Errorf("stored %+v, ref %q", got, ref)
		}
	})
}

// nil2all allows the links of m's digest stories.
func nil2all(m bot.Message) map[string]bool {
	allowed := map[string]bool{}
	for _, ss := range append([][]briefing.Story{m.Digest.Headlines}, sectionStories(m.Digest)...) {
		for _, s := range ss {
			allowed[link(s.URL)] = true
		}
	}
	return allowed
}

func TestDeliverErrors(t *testing.T) {
	alert := bot.Message{Key: "alert:e", Channel: "slack:C0123", Kind: bot.KindAlert, Alerts: []bot.Alert{hostileAlert()}}
	tests := []struct {
		name      string
		m         bot.Message
		resume    bool
		postErrs  []string
		histErr   string
		permanent bool
		retry     time.Duration
		posts     int // chat.postMessage calls
		observed  []time.Duration
		code      string // in the error message
	}{
		{name: "channel_not_found", m: alert, postErrs: []string{"channel_not_found"}, permanent: true, posts: 1, code: "channel_not_found"},
		{name: "not_in_channel", m: alert, postErrs: []string{"not_in_channel"}, permanent: true, posts: 1, code: "not_in_channel"},
		{name: "is_archived", m: alert, postErrs: []string{"is_archived"}, permanent: true, posts: 1, code: "is_archived"},
		{name: "invalid_auth", m: alert, postErrs: []string{"invalid_auth"}, permanent: true, posts: 1, code: "invalid_auth"},
		{name: "token_revoked", m: alert, postErrs: []string{"token_revoked"}, permanent: true, posts: 1, code: "token_revoked"},
		{name: "unknown code is retryable", m: alert, postErrs: []string{"fatal_error"}, posts: 1, code: "fatal_error"},
		{name: "503 is retryable", m: alert, postErrs: []string{"503"}, posts: 1, code: "http_503"},
		{name: "rate limited", m: alert, postErrs: []string{"ratelimited"}, retry: 7 * time.Second, posts: 1, observed: []time.Duration{7 * time.Second}, code: "ratelimited"},
		{name: "history 503", m: alert, resume: true, histErr: "503", code: "http_503"},
		{name: "history channel_not_found", m: alert, resume: true, histErr: "channel_not_found", permanent: true, code: "channel_not_found"},
		{name: "history missing_scope", m: alert, resume: true, histErr: "missing_scope", permanent: true, code: "missing_scope"},
		{name: "history rate limited", m: alert, resume: true, histErr: "ratelimited", retry: 7 * time.Second, observed: []time.Duration{7 * time.Second}, code: "ratelimited"},
		{name: "not a slack channel", m: bot.Message{Key: "k", Channel: "discord:123", Kind: bot.KindAlert, Alerts: alert.Alerts}, permanent: true, code: "discord:123"},
		{name: "channel name not id", m: bot.Message{Key: "k", Channel: "slack:#general", Kind: bot.KindAlert, Alerts: alert.Alerts}, permanent: true, code: "conversation ID"},
		{name: "no key", m: bot.Message{Channel: "slack:C1", Kind: bot.KindAlert, Alerts: alert.Alerts}, permanent: true, code: "key"},
		{name: "reply without thread", m: bot.Message{Key: "k", Channel: "slack:C1", Kind: bot.KindReply, Alerts: alert.Alerts}, permanent: true, code: "ThreadOf"},
		{name: "alert without alerts", m: bot.Message{Key: "k", Channel: "slack:C1", Kind: bot.KindAlert}, permanent: true, code: "without alerts"},
		{name: "digest without digest", m: bot.Message{Key: "k", Channel: "slack:C1", Kind: bot.KindDigest}, permanent: true, code: "without a digest"},
		{name: "unknown kind", m: bot.Message{Key: "k", Channel: "slack:C1", Kind: "poem"}, permanent: true, code: "poem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.FailPosts(tt.postErrs...)
			fake.SetHistoryError(tt.histErr)
			var logs bytes.Buffer
			d, obs := newDeliverer(t, fake, &logs)
			ref, err := d.Deliver(t.Context(), tt.m, tt.resume)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if ref == "" {
					t.Error("no ref")
				}
			} else {
				if err == nil {
					t.Fatalf("no error; ref %q", ref)
				}
				if !strings.Contains(err.Error(), tt.code) {
					t.Errorf("error %q lacks %q", err, tt.code)
				}
			}
			if got := bot.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if got := bot.RetryAfter(err); got != tt.retry {
				t.Errorf("RetryAfter = %v, want %v", got, tt.retry)
			}
			if posts, _, _ := fake.Counts(); posts != tt.posts {
				t.Errorf("chat.postMessage calls = %d, want %d", posts, tt.posts)
			}
			if got := obs.got(); !slices.Equal(got, tt.observed) {
				t.Errorf("observed rate limits %v, want %v", got, tt.observed)
			}
			if tt.histErr != "" && len(fake.Messages()) != 0 {
				t.Error("posted after a failed history read")
			}
			if err != nil && strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
				t.Error("token leaked")
			}
		})
	}
}

// A rate limit is not waited out inside Deliver: it comes back with the
// wait Slack asked for, for the dispatcher to honour, and the next
// attempt posts.
func TestDeliverLeavesTheRateLimitWaitToTheDispatcher(t *testing.T) {
	fake := newFake(t)
	fake.FailPosts("ratelimited")
	d, obs := newDeliverer(t, fake, nil)
	m := bot.Message{Key: "alert:rl", Channel: "slack:C0123", Kind: bot.KindAlert, Alerts: []bot.Alert{hostileAlert()}}
	_, err := d.Deliver(t.Context(), m, false)
	if got := bot.RetryAfter(err); got != 7*time.Second || bot.IsPermanent(err) {
		t.Fatalf("err = %v, RetryAfter %v; want a 7s rate limit", err, got)
	}
	ref, err := d.Deliver(t.Context(), m, true)
	if err != nil || ref == "" {
		t.Fatalf("second attempt: %q, %v", ref, err)
	}
	if posts, _, _ := fake.Counts(); posts != 2 {
		t.Errorf("chat.postMessage calls = %d, want 2", posts)
	}
	if got := obs.got(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Errorf("observed rate limits %v", got)
	}
}

func TestDeliverDefaultPoster(t *testing.T) {
	fake := newFake(t)
	d := &Deliverer{Client: NewClient(testToken, fake.URL(), nil), Log: slog.New(slog.DiscardHandler)}
	m := bot.Message{Key: "a", Channel: "slack:C7", Kind: bot.KindAlert, Alerts: []bot.Alert{hostileAlert()}}
	ref, err := d.Deliver(t.Context(), m, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(); len(got) != 1 || got[0].TS != ref || got[0].Channel != "C7" {
		t.Errorf("stored %+v, ref %q", got, ref)
	}
}

func TestFakeSeedsOurEventType(t *testing.T) {
	fake := newFake(t)
	fake.Seed("C1", "", botUser, "k", 0)
	if got := fake.Messages(); got[0].Metadata.EventType != MetadataEventType {
		t.Errorf("slackfake seeds event type %q, bot/slack delivers with %q", got[0].Metadata.EventType, MetadataEventType)
	}
}
