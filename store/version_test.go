package store

import (
	"context"
	"testing"
	"time"
)

// TestContentVersion: the version moves with every write of items, tags or
// stories, and stays put when a poll only updated source states, so an
// answer cached at one version is stale exactly when it should be.
func TestContentVersion(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	version := func() int64 {
		t.Helper()
		n, err := s.ContentVersion(ctx)
		if err != nil {
			t.Fatalf("ContentVersion: %v", err)
		}
		return n
	}
	builtin, extended := gazetteer(t, ""), gazetteer(t, vdpExtension)
	v0 := version()
	it := newsItem("rfi", "a", "https://rfi.example/a", "Mali : attaque près de Ménaka", "", base)
	builtin.TagItem(&it)
	save(t, s, fetched("rfi", base, it))
	v1 := version()
	if v1 == v0 {
		t.Fatalf("version %d unchanged by a new item", v1)
	}
	save(t, s, fetched("rfi", base.Add(time.Hour), it)) // the same item again: a 200 with nothing new
	save(t, s, fetched("rfi", base.Add(2*time.Hour)))   // a 304
	if v := version(); v != v1 {
		t.Errorf("version %d after polls that stored nothing new, want %d", v, v1)
	}
	it.Title = "Mali : attaque meurtrière près de Ménaka"
	builtin.TagItem(&it)
	save(t, s, fetched("rfi", base.Add(3*time.Hour), it))
	v2 := version()
	if v2 == v1 {
		t.Errorf("version %d unchanged by a rewritten title", v2)
	}

	storeTagged(t, s, builtin, "s1 Burkina Faso : des VDP tués près de Djibo")
	v3 := version()
	retagWith(t, s, builtin, 0) // the tags are already right
	if v := version(); v != v3 {
		t.Errorf("version %d after a retag that changed nothing, want %d", v, v3)
	}
	if res := retagWith(t, s, extended, 0); res.Changed == 0 {
		t.Fatalf("the extension changed no tags: %+v", res)
	}
	if v := version(); v == v3 {
		t.Errorf("version %d unchanged by a retag that changed tags", v)
	}
}
