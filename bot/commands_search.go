package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/briefing/query"
)

// The `search` command and the query parsing it shares with `subscribe`.

func cmdSearch(ctx context.Context, b *Bot, r Request, args string) Response {
	q, errResp := b.parseQuery("search", args)
	if q == nil {
		return errResp
	}
	d, id, err := b.cached(ctx, "search "+args, b.Now(), func(ctx context.Context) (*briefing.Digest, error) {
		return b.search(ctx, q)
	})
	if err != nil {
		return b.internal(r, "search", err)
	}
	return Response{Digest: d, RenderKey: renderKey(id, d)}
}

// search answers a query in stories, the most recently updated first.
func (b *Bot) search(ctx context.Context, q *query.Query) (*briefing.Digest, error) {
	// The store narrows by text and required tags; Match applies the rest
	// (exclusions, OR groups with tags) exactly.
	cands, err := b.Store.Search(ctx, q, 20*b.Limits.SearchResults)
	if err != nil {
		return nil, err
	}
	// Results are stories: the hits of one story count once, and each is
	// shown whole, as digests show it.
	var hits []briefing.Item
	seen := map[int64]bool{}
	for i := range cands {
		it := &cands[i]
		if !q.Match(it) {
			continue
		}
		id := it.Story
		if id == 0 {
			id = -it.ID
		}
		if !seen[id] && len(seen) == b.Limits.SearchResults {
			continue
		}
		seen[id] = true
		hits = append(hits, *it)
	}
	hits, err = b.wholeStories(ctx, hits, time.Time{})
	if err != nil {
		return nil, err
	}
	return b.resultsDigest("Search: "+q.String(), hits), nil
}

// resultsDigest shows the stories of items in one section, the most
// recently updated first.
func (b *Bot) resultsDigest(title string, items []briefing.Item) *briefing.Digest {
	d := &briefing.Digest{Title: title, Until: b.Now(), TotalItems: len(items)}
	if len(items) == 0 {
		d.NoResults = "No stored news matches this search."
		return d
	}
	stories := digest.GroupStories(items, b.Lang, b.Gazetteer.Name)
	sec := briefing.Section{ID: "results", Name: fmt.Sprintf("Results (%d, newest first)", len(stories)), Stories: stories}
	d.Sections = []briefing.Section{sec}
	return d
}

// parseQuery parses a query argument; on failure it returns nil and the
// answer to give.
func (b *Bot) parseQuery(cmd, args string) (*query.Query, Response) {
	if args == "" {
		return nil, b.usage(cmd, "What should I look for?")
	}
	if n := utf8.RuneCountInString(args); n > b.Limits.MaxQuery {
		return nil, fail("That query is %d characters long; the limit is %d.", n, b.Limits.MaxQuery)
	}
	q, err := query.Parse(args, b.Gazetteer)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return nil, b.usage(cmd, "I couldn't read that query: "+qe.Message)
		}
		return nil, b.usage(cmd, "I couldn't read that query.")
	}
	return q, Response{}
}
