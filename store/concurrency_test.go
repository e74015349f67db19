package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// TestConcurrentSaveFetched runs writers at once on one file database,
// through separate handles (as two processes would) and through one shared
// handle. Each writer has its own sources, and all of them also save the
// very same items of a shared source: immediate transactions must
// serialize the lookups, so each shared item is inserted exactly once and
// no writer fails on the unique key.
func TestConcurrentSaveFetched(t *testing.T) {
	const (
		writers  = 3
		rounds   = 4
		perFeed  = 10
		shared   = "google-news-sahel"
		readers  = 1
		ownFeeds = 2
	)
	for _, mode := range []string{"separate handles", "same handle"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "brief.db")
			first := openPath(t, path)
			handles := make([]*Store, writers)
			for w := range handles {
				if mode == "same handle" || w == 0 {
					handles[w] = first
				} else {
					handles[w] = openPath(t, path)
				}
			}

			batch := func(w, r int) []briefing.Fetched {
				var out []briefing.Fetched
				for f := range ownFeeds {
					name := fmt.Sprintf("writer-%d-feed-%d", w, f)
					var items []briefing.Item
					for i := range perFeed {
						key := fmt.Sprintf("w%d-f%d-r%d-i%d", w, f, r, i)
						items = append(items, newsItem(name, key, "https://desk.example/"+key,
							"Mali : dépêche "+key, "Bamako, Gao, Tombouctou.", base.Add(time.Duration(r)*time.Minute)))
					}
					out = append(out, fetched(name, base, items...))
				}
				var items []briefing.Item
				for i := range perFeed {
					key := fmt.Sprintf("shared-r%d-i%d", r, i)
					items = append(items, newsItem(shared, key, "https://shared.example/"+key,
						"Sahel : synthèse "+key, "Niamey, Ouagadougou.", base))
				}
				return append(out, fetched(shared, base, items...))
			}

			newShared := make([]int, writers)
			errs := make(chan error, writers+readers)
			stop := make(chan struct{})
			var wg, rg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for r := range rounds {
						saved, err := handles[w].SaveFetched(ctx, batch(w, r))
						if err != nil {
							errs <- fmt.Errorf("writer %d round %d: %w", w, r, err)
							return
						}
						for _, sv := range saved {
							if sv.Source == shared {
								newShared[w] += len(sv.New)
							} else if len(sv.New) != perFeed {
								errs <- fmt.Errorf("writer %d round %d: %s: %d new, want %d", w, r, sv.Source, len(sv.New), perFeed)
								return
							}
						}
					}
				})
			}
			// A reader runs meanwhile: WAL lets it read while writers write.
			for range readers {
				rg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := first.ItemsSince(ctx, base.Add(3*time.Minute), 5); err != nil {
							errs <- fmt.Errorf("reader: %w", err)
							return
						}
						if _, err := first.SearchFTS(ctx, "synthese", 5); err != nil {
							errs <- fmt.Errorf("reader: %w", err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(stop)
			rg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if t.Failed() {
				return
			}

			total := 0
			for _, n := range newShared {
				total += n
			}
			if total != rounds*perFeed {
				t.Errorf("shared items reported new %d times in all, want %d (once each)", total, rounds*perFeed)
			}
			counts, err := first.ItemCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts[shared] != rounds*perFeed {
				t.Errorf("shared source holds %d items, want %d", counts[shared], rounds*perFeed)
			}
			for w := range writers {
				for f := range ownFeeds {
					name := fmt.Sprintf("writer-%d-feed-%d", w, f)
					if counts[name] != rounds*perFeed {
						t.Errorf("%s holds %d items, want %d", name, counts[name], rounds*perFeed)
					}
				}
			}
			if got := search(t, first, "tombouctou"); len(got) != writers*ownFeeds*rounds*perFeed {
				t.Errorf("search finds %d items, want %d", len(got), writers*ownFeeds*rounds*perFeed)
			}
			checkIntegrity(t, first)
		})
	}
}
