package sources

import (
	"context"
	"fmt"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Sink persists poll outcomes; the store implements it.
type Sink interface {
	SaveFetched(ctx context.Context, batch []briefing.Fetched) ([]briefing.Saved, error)
}

// maxBatch bounds how many sources' results share one transaction: enough
// to amortize commits, small enough that memory stays flat with 1,000 feeds.
const maxBatch = 32

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
	for r := range results {
		batch = append(batch, r)
		// Take whatever else is already waiting, then write it all at once.
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-results:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
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
	return ctx.Err()
}
