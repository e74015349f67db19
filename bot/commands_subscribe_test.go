package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

func TestSubscriptions(t *testing.T) {
	b, st := newTestBot(t)
	if r := ask(b, "subscribe actor:wagner", false); !r.Err || !strings.Contains(r.Text, "only people who manage") {
		t.Errorf("non-manager subscribed: %+v", r)
	}
	r := ask(b, "subscribe actor:Wagner Kidal", true)
	if r.Err || !strings.Contains(r.Text, "#1") {
		t.Fatalf("%+v", r)
	}
	if r := ask(b, "subscribe actor:WAGNER kidal", true); !strings.Contains(r.Text, "already subscribed") {
		t.Errorf("same query again: %+v", r)
	}
	ask(b, "subscribe coup", true)
	ask(b, "subscribe attaque", true)
	if r := ask(b, "subscribe sanctions", true); !r.Err || !strings.Contains(r.Text, "limit") {
		t.Errorf("limit of 3 not enforced: %+v", r)
	}
	r = ask(b, "subscriptions", false)
	if !strings.Contains(r.Text, "(3 of 3)") || !strings.Contains(r.Text, "#1") {
		t.Errorf("list: %q", r.Text)
	}
	// Another channel cannot remove this channel's subscription.
	other := b.Handle(context.Background(), Request{Channel: "discord:9", Text: "unsubscribe 1", CanManage: true})
	if !other.Err || len(st.subs) != 3 {
		t.Errorf("cross-channel unsubscribe: %+v", other)
	}
	if r := ask(b, "unsubscribe #1", true); r.Err {
		t.Errorf("%+v", r)
	}
	if r := ask(b, "unsubscribe 1", true); !r.Err || !strings.Contains(r.Text, "no subscription #1") {
		t.Errorf("second removal: %+v", r)
	}
}

func TestSubscribeBackfillCommand(t *testing.T) {
	inBubble(t, t0, func(t *testing.T) {
		e := newOutboxEnv(t)
		e.add("Reuters", boulkessiReuters, niameyProtest)
		time.Sleep(time.Hour)
		b := New(e.st, tagger.DefaultGazetteer(), nil, Limits{})
		b.Now, b.Alerter = time.Now, e.al
		changed := 0
		b.Changed = func() { changed++ }
		for _, tt := range []struct {
			text, want string
			err        bool
		}{
			{"subscribe --backfill 24h boulkessi", "Posting 1 story from the last 1d, the most important first.", false},
			{"subscribe --backfill=3h country:niger", "Posting 1 story from the last 3h", false},
			{"subscribe --backfill 30m mali", "Nothing in the last 30m matches it yet.", false},
			{"subscribe ecowas", "new stories matching `ecowas` will be posted here.", false},
			{"subscribe --backfill 99x kidal", `"99x" is not a time window`, true},
			{"subscribe kidal --backfill", "--backfill needs a window", true},
		} {
			resp := b.Handle(context.Background(), Request{Channel: "console", Text: tt.text, CanManage: true})
			if resp.Err != tt.err || !strings.Contains(resp.Text, tt.want) {
				t.Errorf("%q → %q (err %v); want %q", tt.text, resp.Text, resp.Err, tt.want)
			}
		}
		if changed != 4 {
			t.Errorf("Changed called %d times; want 4", changed)
		}
		e.drain()
		wantPosts(t, e.out.kinds(), "alert console: "+boulkessiReuters, "alert console: "+niameyProtest)
		// The live path does not alert them again.
		if n := e.process(); n != 0 {
			t.Errorf("live pass after backfill queued %d", n)
		}
	})
}
