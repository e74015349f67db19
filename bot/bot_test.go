package bot

import "testing"

// Zero or negative limits take their defaults; limits given are kept.
func TestLimitsDefaults(t *testing.T) {
	if got, want := (Limits{MaxSubscriptions: -1}).withDefaults(), (Limits{50, 200, 1000, 10}); got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if set := (Limits{MaxSubscriptions: 5, MaxQuery: 80, MaxText: 300, SearchResults: 3}); set.withDefaults() != set {
		t.Errorf("given limits changed: %+v", set.withDefaults())
	}
	if b := New(nil, nil, nil, Limits{MaxQuery: 80}); b.Limits.MaxQuery != 80 || b.Limits.MaxText != 1000 {
		t.Errorf("New keeps given limits and fills the rest: %+v", b.Limits)
	}
}
