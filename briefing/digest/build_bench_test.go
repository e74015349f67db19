package digest_test

import (
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

// BenchmarkBuildDigest20k builds a digest of 20,000 synthetic items (60
// days, all in the window) grouped by their stored stories.
func BenchmarkBuildDigest20k(b *testing.B) {
	items, _ := synthnews.Corpus(20000, 1, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 60*24*time.Hour)
	opt := digest.Options{Now: items[len(items)-1].Published}
	b.ReportAllocs()
	var d *briefing.Digest
	for b.Loop() {
		d = digest.BuildItems(items, opt)
	}
	if d.Quiet() || d.TotalItems != len(items) {
		b.Fatalf("digest: %d items, quiet %v", d.TotalItems, d.Quiet())
	}
}
