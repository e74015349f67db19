package bot

import (
	"context"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
)

// Digests built from the store, the same for a command, a scheduled
// digest and the command line.

// DigestFor builds the digest of the items published in [from, until]
// with the filter, noting the sources that failed in the window. Commands
// and scheduled digests both use it.
func (b *Bot) DigestFor(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	d, err := b.storiesDigest(ctx, from, until, f)
	if err != nil {
		return nil, err
	}
	if err := b.addSourceReport(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// storiesDigest is the digest of [from, until] without its source report.
func (b *Bot) storiesDigest(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	sums, err := b.Store.StorySummaries(ctx, from, until, f)
	if err != nil {
		return nil, err
	}
	// Stories are shown whole: all their items, whatever part of them the
	// window holds.
	load := func(ids []int64) (map[int64][]*briefing.Item, error) {
		items, err := b.Store.StoryItems(ctx, ids, time.Time{})
		if err != nil {
			return nil, err
		}
		return briefing.GroupByStory(items), nil
	}
	return digest.Build(sums, load, digest.Options{Since: from, Until: until, Now: until, Filter: f,
		Names: b.Gazetteer.Name, Lang: b.Lang})
}

// addSourceReport notes in d the sources that failed since its start and
// how many answered.
func (b *Bot) addSourceReport(ctx context.Context, d *briefing.Digest) error {
	failed, cov, err := b.sourceReport(ctx, d.Since)
	if err != nil {
		return err
	}
	d.Failed, d.Coverage = failed, cov
	return nil
}

// wholeStories adds to items the earlier items of their stories (reports
// published before the window, at from): a story is shown whole, with the
// same lead and outlets in every answer.
func (b *Bot) wholeStories(ctx context.Context, items []briefing.Item, from time.Time) ([]briefing.Item, error) {
	have := make(map[int64]bool, len(items))
	seen := map[int64]bool{}
	var ids []int64
	for _, it := range items {
		have[it.ID] = true
		if it.Story != 0 && !seen[it.Story] {
			seen[it.Story] = true
			ids = append(ids, it.Story)
		}
	}
	if len(ids) == 0 {
		return items, nil
	}
	more, err := b.Store.StoryItems(ctx, ids, from)
	if err != nil {
		return nil, err
	}
	for _, it := range more {
		if !have[it.ID] {
			items = append(items, it)
		}
	}
	return items, nil
}

// lateArrivalLimit bounds how long before its window an item may have
// been published and still count as news in a scheduled digest.
const lateArrivalLimit = 7 * 24 * time.Hour

// ScheduledDigest builds a channel's scheduled digest: the items stored
// in [from, until), whatever their publication date (within a week), so
// that consecutive digests, whose windows follow each other, show every
// item once, even one a feed published late or a source delivered after
// an outage.
func (b *Bot) ScheduledDigest(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	items, err := b.Store.ItemsStoredBetween(ctx, from, until, from.Add(-lateArrivalLimit))
	if err != nil {
		return nil, err
	}
	failed, cov, err := b.sourceReport(ctx, from)
	if err != nil {
		return nil, err
	}
	// The window is the arrival window: BuildDigest is not asked to cut by
	// publication date, and the digest is labelled with the window after.
	d := digest.BuildItems(items, digest.Options{Now: until, Filter: f, Names: b.Gazetteer.Name, Failed: failed,
		Lang: b.Lang})
	d.Since, d.Until, d.Coverage = from, until, cov
	for _, it := range items {
		if it.Published.Before(from) && (d.Backlog.IsZero() || it.Published.Before(d.Backlog)) {
			d.Backlog = it.Published
		}
	}
	return d, nil
}

// sourceReport lists the sources whose last attempt, at or after from,
// failed, and how many of the bot's sources answered since from (nil when
// the bot knows no sources).
func (b *Bot) sourceReport(ctx context.Context, from time.Time) ([]briefing.SourceFailure, *briefing.Coverage, error) {
	states, err := b.Store.SourceStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	failed := briefing.FailuresSince(states, from)
	if len(b.Sources) == 0 {
		return failed, nil, nil
	}
	cov := briefing.CoverageOf(b.Sources, states, from)
	return failed, &cov, nil
}
