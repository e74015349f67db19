package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// ContentVersioner is what a Store may also tell (store.Store does): a
// number that changes whenever stored items, their tags or their stories
// change. With it the bot keeps recent answers and builds each once for a
// burst of the same command.
type ContentVersioner interface {
	ContentVersion(ctx context.Context) (int64, error)
}

// DefaultAnswerTTL is how long a digest or a search result is reused
// while the store does not change: windows end at "now", and a minute's
// slide moves nothing an analyst would miss, while new items invalidate at
// once.
const DefaultAnswerTTL = time.Minute

// maxAnswers bounds the answers kept; past it the oldest go first.
const maxAnswers = 256

// answers keeps recent digests and search results by what was asked
// (window, filter, query), each valid for the content version it was
// built at and for the bot's AnswerTTL. Concurrent requests for the same answer
// wait for one build, and builds run a few at a time (a FIFO sized to the
// cores), so a burst of commands neither multiplies the work nor holds
// fifty digests in memory at once.
type answers struct {
	mu      sync.Mutex
	entries map[string]*answer
	slots   chan struct{}
	joined  atomic.Int64 // requests answered by another's build or a kept answer
}

// answer is one built (or being built) digest.
type answer struct {
	version int64
	at      time.Time
	ready   chan struct{} // closed when d and err are set
	d       *briefing.Digest
	err     error
}

func newAnswers() *answers {
	return &answers{entries: map[string]*answer{}, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
}

// get returns the answer to key at version, built with build unless a
// valid one exists or is being built. The digest returned is shared: the
// caller copies it before setting fields. A build given up because its
// requester went away is retried by those still waiting.
func (a *answers) get(ctx context.Context, key string, version int64, now time.Time, ttl time.Duration,
	build func(context.Context) (*briefing.Digest, error)) (*briefing.Digest, error) {
	for {
		e, mine := a.entry(key, version, now, ttl)
		if mine {
			a.build(ctx, key, e, build)
		}
		select {
		case <-e.ready:
			if !mine && e.err != nil && ctx.Err() == nil &&
				(errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
				continue
			}
			return e.d, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// entry returns the valid entry for key, or a new one the caller must
// build (mine).
func (a *answers) entry(key string, version int64, now time.Time, ttl time.Duration) (e *answer, mine bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.entries[key]; ok && e.version == version && now.Sub(e.at) < ttl && !now.Before(e.at) {
		a.joined.Add(1)
		return e, false
	}
	e = &answer{version: version, at: now, ready: make(chan struct{})}
	a.evict(now, ttl)
	a.entries[key] = e
	return e, true
}

// build fills e, waiting for a free slot first; a failed build is
// forgotten so that the next request tries again.
func (a *answers) build(ctx context.Context, key string, e *answer, build func(context.Context) (*briefing.Digest, error)) {
	defer close(e.ready)
	select {
	case a.slots <- struct{}{}:
		e.d, e.err = build(ctx)
		<-a.slots
	case <-ctx.Done():
		e.err = ctx.Err()
	}
	if e.err != nil {
		a.mu.Lock()
		if a.entries[key] == e {
			delete(a.entries, key)
		}
		a.mu.Unlock()
	}
}

// evict makes room for one more entry: expired ones first, then the
// oldest. Called with mu held.
func (a *answers) evict(now time.Time, ttl time.Duration) {
	if len(a.entries) < maxAnswers {
		return
	}
	var oldest string
	for k, e := range a.entries {
		if now.Sub(e.at) >= ttl {
			delete(a.entries, k)
		} else if oldest == "" || e.at.Before(a.entries[oldest].at) {
			oldest = k
		}
	}
	if len(a.entries) >= maxAnswers {
		delete(a.entries, oldest)
	}
}

// cached returns a copy of the answer to key from the answer cache when
// the store tells its content version, or builds it.
func (b *Bot) cached(ctx context.Context, key string, now time.Time,
	build func(context.Context) (*briefing.Digest, error)) (d *briefing.Digest, id string, err error) {
	cv, ok := b.Store.(ContentVersioner)
	if !ok || b.answers == nil {
		d, err = build(ctx)
		return d, "", err
	}
	version, err := cv.ContentVersion(ctx)
	if err != nil { // a database from before the version: no reuse
		b.Log.Debug("bot: no content version", "err", err)
		d, err = build(ctx)
		return d, "", err
	}
	shared, err := b.answers.get(ctx, key, version, now, b.AnswerTTL, build)
	if err != nil {
		return nil, "", err
	}
	dup := *shared
	// The shared digest's address tells one build from another: the same
	// id is the same answer, which a platform may render once.
	return &dup, fmt.Sprintf("%s@%d/%p", key, version, shared), nil
}
