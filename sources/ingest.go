package sources

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Sink persists poll outcomes; the store implements it.
type Sink interface {
	SaveFetched(ctx context.Context, batch []briefing.Fetched) ([]briefing.Saved, error)
}

// Preparer is a Sink that can read items ahead of saving them (the store
// has its story engine read their features): Ingest calls it from as many
// goroutines as there are cores, between the fetchers and the writer, so
// the single writer only does what must be serial.
type Preparer interface {
	PrepareItems(items []briefing.Item)
}

// Settler is a Sink that may store some items of a poll without their
// story (the store, when a batch comes too late to assign with the ones
// before: the backlogs of a first poll of many feeds) and assigns them
// together once the poll is done: Ingest calls it at the end.
type Settler interface {
	AssignDeferred(ctx context.Context) (int, error)
}

// A batch of results shares one transaction. Commits are the writer's
// biggest cost (the FTS5 index flushes and merges at each), so results are
// gathered for up to batchWindow or until the batch holds maxBatchItems
// items or maxBatch sources: big enough to amortize commits, small enough
// that memory stays flat with 1,000 feeds and alerts are not delayed.
const (
	maxBatch      = 64
	maxBatchItems = 4000
	batchWindow   = 100 * time.Millisecond
)

// Ingest polls jobs and saves each result as it arrives. Results that
// arrive together are written in one transaction by a single writer, so
// fetching never waits on the disk and the disk never sees concurrent
// writers. report, if set, is called once per source after its result is
// committed (from one goroutine). Ingest returns when every job is done,
// or with the first storage error; fetch failures are reported per source,
// never returned.
func Ingest(ctx context.Context, p *Poller, jobs []Job, sink Sink, report func(Result, briefing.Saved)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := p.Poll(ctx, jobs)
	if pr, ok := sink.(Preparer); ok {
		results = prepare(results, pr)
	}
	batch := make([]Result, 0, maxBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		fetched := make([]briefing.Fetched, len(batch))
		for i, r := range batch {
			fetched[i] = briefing.Fetched{State: r.State, Items: r.Items}
		}
		saved, err := sink.SaveFetched(ctx, fetched)
		if err != nil {
			return fmt.Errorf("sources: save %d results: %w", len(batch), err)
		}
		if report != nil {
			for i, r := range batch {
				report(r, saved[i])
			}
		}
		batch = batch[:0]
		return nil
	}
	timer := time.NewTimer(batchWindow)
	defer timer.Stop()
	for r := range results {
		if r.Skipped > 0 {
			// Logged here, the one place both `fetch` and `run` pass.
			slog.Info("feed over the item cap: older entries skipped", "source", r.Source.Name,
				"kept", len(r.Items), "skipped", r.Skipped)
		}
		batch = append(batch, r)
		items := len(r.Items)
		timer.Reset(batchWindow)
		// Gather what arrives within the window, then write it all at once.
	gather:
		for len(batch) < maxBatch && items < maxBatchItems {
			select {
			case r, ok := <-results:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				items += len(r.Items)
			case <-timer.C:
				break gather
			}
		}
		if err := flush(); err != nil {
			cancel()
			for range results {
				// let the fetchers finish
			}
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // what was deferred is assigned by the next poll, or at start
	}
	if st, ok := sink.(Settler); ok {
		if n, err := st.AssignDeferred(ctx); err != nil {
			return fmt.Errorf("sources: assign the stories of items that came too late: %w", err)
		} else if n > 0 {
			slog.Info("stories: assigned the items that came too late for their batch", "items", n)
		}
	}
	return nil
}

// prepare has pr read the items of each result on GOMAXPROCS goroutines
// and passes the results on as they are ready.
func prepare(in <-chan Result, pr Preparer) <-chan Result {
	out := make(chan Result, resultBuffer)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range in {
				pr.PrepareItems(r.Items)
				out <- r
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
