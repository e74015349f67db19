package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestRenderedOncePerKey(t *testing.T) {
	var r Rendered[int]
	renders := 0
	render := func() int { renders++; return renders }
	if a, b := r.Get("k", render), r.Get("k", render); a != 1 || b != 1 || renders != 1 {
		t.Errorf("same key: got %d, %d after %d renders; want 1, 1 after 1", a, b, renders)
	}
	if r.Get("", render) != 2 || r.Get("", render) != 3 {
		t.Error("an empty key was not rendered anew")
	}
	for i := range maxRendered + 5 {
		r.Get(fmt.Sprint("key ", i), render)
	}
	if n := r.Len(); n == 0 || n > maxRendered {
		t.Errorf("%d renderings kept, want 1..%d", n, maxRendered)
	}
}

func TestRenderKey(t *testing.T) {
	d := &briefing.Digest{}
	if k := renderKey("", d); k != "" {
		t.Errorf("an answer built for one request has render key %q, want none", k)
	}
	base := renderKey("digest@1/0x1", d)
	failing := &briefing.Digest{Failed: []briefing.SourceFailure{{Name: "desk", Error: "HTTP 503"}}}
	covered := &briefing.Digest{Coverage: &briefing.Coverage{Sources: 3, Answering: 2, Since: time.Unix(0, 0)}}
	for name, k := range map[string]string{
		"another build":  renderKey("digest@1/0x2", d),
		"failed sources": renderKey("digest@1/0x1", failing),
		"coverage":       renderKey("digest@1/0x1", covered),
	} {
		if k == base {
			t.Errorf("%s: render key unchanged (%q)", name, k)
		}
	}
}
