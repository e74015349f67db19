package sources

import (
	"context"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// Default concurrency limits.
const (
	DefaultConcurrency = defaults.Concurrency
	DefaultPerHost     = defaults.PerHost
)

// resultBuffer is how many fetched results may wait for the consumer.
const resultBuffer = 256

// Job is one source to poll with the state remembered for it.
type Job struct {
	Source briefing.Source
	State  briefing.SourceState
}

// Poller fetches many sources at once, at most Concurrency in flight
// overall and PerHost against any one host, so one slow host (or a dozen
// Google News feeds) cannot take every slot.
type Poller struct {
	Fetcher     *Fetcher
	Concurrency int
	PerHost     int
	Mode        Mode
	// Tag, when set, tags each fetched item (countries and actors) in the
	// fetching goroutine, so items are tagged once, before they are stored,
	// and tagging runs in parallel with other fetches.
	Tag func(*briefing.Item)
}

// Poll fetches every job and sends each Result on the returned channel as
// it completes; the channel closes when all are done or ctx ends.
func (p *Poller) Poll(ctx context.Context, jobs []Job) <-chan Result {
	limit := p.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	perHost := p.PerHost
	if perHost <= 0 {
		perHost = DefaultPerHost
	}
	// A deep buffer lets fetchers keep parsing while the consumer writes a
	// batch to disk; it bounds memory at resultBuffer feeds' items.
	out := make(chan Result, resultBuffer)
	sl := &pollSlots{
		global:  make(chan struct{}, limit),
		cpu:     make(chan struct{}, runtime.GOMAXPROCS(0)),
		perHost: perHost,
		hosts:   map[string]chan struct{}{},
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j Job) {
			defer wg.Done()
			p.pollOne(ctx, sl, j, out)
		}(j)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// pollSlots are the slots a poll's jobs take turns in: per host, global
// (network) and CPU.
type pollSlots struct {
	global  chan struct{}
	cpu     chan struct{}
	perHost int

	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// host is host h's slots.
func (sl *pollSlots) host(h string) chan struct{} {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	s, ok := sl.hosts[h]
	if !ok {
		s = make(chan struct{}, sl.perHost)
		sl.hosts[h] = s
	}
	return s
}

// acquire takes a slot, or reports false when ctx ends first.
func acquire(ctx context.Context, slot chan struct{}) bool {
	select {
	case slot <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// pollOne fetches one job and sends its Result on out.
//
// It waits for its host's slot first, then a global one: a job blocked
// on a busy host never holds a global slot. Once the body is in, the job
// trades its network slots for a CPU slot to parse, normalize and tag:
// the host is free for its next feed meanwhile, and bodies waiting for a
// CPU are bounded by the global limit.
func (p *Poller) pollOne(ctx context.Context, sl *pollSlots, j Job, out chan<- Result) {
	hs := sl.host(hostOf(j.Source.URL))
	if !acquire(ctx, hs) {
		return
	}
	if !acquire(ctx, sl.global) {
		<-hs
		return
	}
	if ctx.Err() != nil {
		<-sl.global
		<-hs
		return
	}
	d := p.Fetcher.Download(ctx, j.Source, j.State, p.Mode)
	<-hs
	ok := acquire(ctx, sl.cpu)
	<-sl.global
	if !ok {
		return
	}
	res := d.Process()
	if p.Tag != nil {
		for i := range res.Items {
			p.Tag(&res.Items[i])
		}
	}
	<-sl.cpu
	select {
	case out <- res:
	case <-ctx.Done():
	}
}

// hostOf keys the per-host limit; local files share one key.
func hostOf(raw string) string {
	if isLocalPath(raw) {
		return "file"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Hostname())
}

// Due returns the jobs whose next check has come (all of them when all is
// true), in a stable order: sources never polled first, then the most
// overdue.
func Due(srcs []briefing.Source, states map[string]briefing.SourceState, now time.Time, all bool) []Job {
	jobs := make([]Job, 0, len(srcs))
	for _, s := range srcs {
		st, ok := states[s.Name]
		if !ok {
			st = briefing.SourceState{Name: s.Name, URL: s.URL}
		}
		if st.URL != s.URL {
			// The source moved: its validators belong to the old address.
			st.URL, st.ETag, st.LastModified = s.URL, "", ""
			st.NextCheck = time.Time{}
		}
		if !all && st.NextCheck.After(now) {
			continue
		}
		jobs = append(jobs, Job{Source: s, State: st})
	}
	sort.SliceStable(jobs, func(i, j int) bool {
		return jobs[i].State.NextCheck.Before(jobs[j].State.NextCheck)
	})
	return jobs
}
