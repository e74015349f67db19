package bot

import (
	"fmt"
	"sync"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// renderKey names a digest answer for rendering: the kept answer it came
// from (id, empty when it was built for this request alone) and the
// source report added to it, which is read afresh for every request.
func renderKey(id string, d *briefing.Digest) string {
	if id == "" {
		return ""
	}
	cov := ""
	if d.Coverage != nil {
		cov = fmt.Sprint(*d.Coverage)
	}
	return fmt.Sprintf("%s|%v|%s", id, d.Failed, cov)
}

// maxRendered bounds the renderings kept: a burst asks few questions.
const maxRendered = 64

// Rendered keeps what a platform rendered for Responses with a RenderKey,
// so that a burst of the same command is rendered and encoded once, not
// once a request (rendering a digest costs more than answering it from a
// kept answer). Kept values are shared: they must not be changed.
type Rendered[T any] struct {
	mu   sync.Mutex
	kept map[string]T
}

// Get returns what render made for key, calling it when key is new or
// empty. When full, the kept renderings are dropped at once: they are
// all of answers about to expire anyway.
func (r *Rendered[T]) Get(key string, render func() T) T {
	if key == "" {
		return render()
	}
	r.mu.Lock()
	v, ok := r.kept[key]
	r.mu.Unlock()
	if ok {
		return v
	}
	v = render()
	r.mu.Lock()
	if r.kept == nil || len(r.kept) >= maxRendered {
		r.kept = make(map[string]T, maxRendered)
	}
	r.kept[key] = v
	r.mu.Unlock()
	return v
}

// Len is how many renderings are kept.
func (r *Rendered[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.kept)
}
