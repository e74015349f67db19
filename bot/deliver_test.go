package bot

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// An alert shows the story's outlets so far, else who published its item.
func TestAlertOutletNames(t *testing.T) {
	for _, tt := range []struct {
		al   Alert
		want []string
	}{
		{Alert{Item: briefing.Item{Outlet: "RFI", Source: "RFI Afrique"}, Outlets: []string{"AFP", "RFI"}}, []string{"AFP", "RFI"}},
		{Alert{Item: briefing.Item{Outlet: "RFI", Source: "RFI Afrique"}}, []string{"RFI"}},
		{Alert{Item: briefing.Item{Source: "Studio Tamani"}}, []string{"Studio Tamani"}},
		{Alert{}, nil},
	} {
		if got := tt.al.OutletNames(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %q, want %q", tt.al.Item, got, tt.want)
		}
	}
}

// A summary lists each matching query once, in order of first appearance.
func TestSummaryQueries(t *testing.T) {
	got := SummaryQueries([]Alert{{Queries: []string{"mali", "wagner"}}, {Queries: []string{"niger", "mali"}}, {}})
	if want := []string{"mali", "wagner", "niger"}; !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

type waitErr time.Duration

func (w waitErr) Error() string             { return "slow down" }
func (w waitErr) RetryAfter() time.Duration { return time.Duration(w) }

// Permanent marks an error through any wrapping, keeps its text and
// chain, and leaves nil alone; RetryAfter finds a wait in the chain.
func TestPermanentAndRetryAfter(t *testing.T) {
	base := errors.New("channel_not_found")
	p := Permanent(base)
	if !IsPermanent(p) || !IsPermanent(fmt.Errorf("post: %w", p)) || p.Error() != base.Error() || !errors.Is(p, base) {
		t.Errorf("Permanent(%v) = %v: permanent %v, is base %v", base, p, IsPermanent(p), errors.Is(p, base))
	}
	if IsPermanent(base) || Permanent(nil) != nil || IsPermanent(nil) {
		t.Error("only errors marked Permanent are permanent, and nil stays nil")
	}
	if got := RetryAfter(fmt.Errorf("post: %w", waitErr(3*time.Second))); got != 3*time.Second {
		t.Errorf("RetryAfter = %v, want 3s", got)
	}
	if got := RetryAfter(base); got != 0 {
		t.Errorf("RetryAfter without a wait = %v", got)
	}
}
