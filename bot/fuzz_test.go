package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// windowStore records the earliest and latest times the bot asks the
// store about, to hold every answer's window within MaxWindow of now.
type windowStore struct {
	*fakeStore
	mu             sync.Mutex
	earliest, last time.Time
}

func (w *windowStore) saw(from, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.earliest.IsZero() || from.Before(w.earliest) {
		w.earliest = from
	}
	if until.After(w.last) {
		w.last = until
	}
}

func (w *windowStore) ItemsSince(ctx context.Context, since time.Time, limit int) ([]briefing.Item, error) {
	w.saw(since, since)
	return w.fakeStore.ItemsSince(ctx, since, limit)
}

func (w *windowStore) StorySummaries(ctx context.Context, since, until time.Time, f briefing.Filter) ([]briefing.StorySummary, error) {
	w.saw(since, until)
	return w.fakeStore.StorySummaries(ctx, since, until, f)
}

func (w *windowStore) ItemsStoredBetween(ctx context.Context, from, until, publishedSince time.Time) ([]briefing.Item, error) {
	w.saw(publishedSince, until)
	return w.fakeStore.ItemsStoredBetween(ctx, from, until, publishedSince)
}

// FuzzHandle holds the command parser's promises for any text: it never
// panics, always answers something, and never reads a window longer than
// MaxWindow or reaching into the future. Its seed corpus (numbers that
// overflow among them) runs in every `go test`; fuzz with
// `go test ./bot -run XXX -fuzz FuzzHandle -fuzztime 1m`.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"brief", "brief 24h", "brief 99999999999h", "brief 9223372036854775807m", "brief -5h", "brief 0h", "brief 1h30m",
		"brief 30d", "brief 31d", "brief 5w", "brief 1e9h", "brief 720h1ns",
		"country mali 99999999999h", "country mali 3d", "country", "actor wagner 2w", "actor goïta 18446744073709551616d",
		"subscribe --backfill 99999999999h mali", "subscribe --backfill=-1h mali", "subscribe --backfill", "subscribe kidal OR",
		`subscribe "Tillabéri" attack OR attaque`, "subscribe actor:wagner country:mali",
		"unsubscribe 99999999999999999999", "unsubscribe -1", "unsubscribe #0", "unsubscribe #1", "unsubscribe",
		"subscriptions", "digest 0 7 * * * Africa/Bamako", "digest 99999999999 * * * *", "digest 0 7 * * * ../../etc/passwd",
		"digest @every 1ns", "digest show", "digest off", "search kidal", "search \"", "search " + strings.Repeat("a ", 300),
		"sources", "help", "help brief", "", "   ", "/sahel", "\x00", "brief \xff\xfe", "brief 24h --share",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b, st := newTestBot(t)
		ws := &windowStore{fakeStore: st}
		b.Store = ws
		resp := b.Handle(context.Background(), Request{Channel: "console", User: "U1", Text: text, CanManage: true})
		if strings.TrimSpace(resp.Text) == "" && resp.Digest == nil {
			t.Errorf("%q: empty answer", text)
		}
		if !utf8.ValidString(resp.Text) && utf8.ValidString(text) {
			t.Errorf("%q: answer is not UTF-8: %q", text, resp.Text)
		}
		if !ws.earliest.IsZero() && ws.earliest.Before(now.Add(-briefing.MaxWindow)) {
			t.Errorf("%q: read from %v, beyond %v back", text, ws.earliest, briefing.MaxWindow)
		}
		if ws.last.After(now) {
			t.Errorf("%q: read up to %v, in the future", text, ws.last)
		}
	})
}

// Numbers too large for their type get the answer a large number
// deserves, the same wherever a window is read.
func TestOverflowingNumbers(t *testing.T) {
	b, _ := newTestBot(t)
	const tooFar = "99999999999h is too far back: the longest window is 30d."
	for _, tt := range []struct{ text, want string }{
		{"brief 99999999999h", tooFar},
		{"country mali 99999999999h", tooFar},
		{"actor wagner 99999999999h", tooFar},
		{"subscribe --backfill 99999999999h mali", tooFar},
		{"unsubscribe 99999999999999999999", "This channel has no subscription #99999999999999999999."},
		{"unsubscribe #99999999999999999999", "This channel has no subscription #99999999999999999999."},
	} {
		r := ask(b, tt.text, true)
		if !r.Err || !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%q: %q, want it to start with %q", tt.text, r.Text, tt.want)
		}
	}
}
