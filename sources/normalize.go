package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// futureSlack tolerates small clock differences before a date counts as
// "in the future" and is replaced by the time the item was first seen.
const futureSlack = 15 * time.Minute

// normalize turns a parsed feed into items: absolute canonical links,
// plain-text titles and summaries, dates that are never missing nor in the
// future, one item per key.
func normalize(feed *gofeed.Feed, src briefing.Source, base *url.URL, now time.Time) []briefing.Item {
	lang := src.Lang
	if lang == "" {
		lang = feedLang(feed.Language)
	}
	// Relative links resolve against the feed's own address; when the feed
	// is a local file, against the site link it declares.
	if base == nil && feed.Link != "" {
		if u, err := url.Parse(feed.Link); err == nil && u.IsAbs() {
			base = u
		}
	}
	links := make([]string, len(feed.Items))
	for i, it := range feed.Items {
		links[i] = canonicalURL(base, entryLink(it))
	}
	dropRedundantFragments(links)

	items := make([]briefing.Item, 0, len(feed.Items))
	seen := make(map[string]bool, len(feed.Items))
	for i, it := range feed.Items {
		item := briefing.Item{
			Source:    src.Name,
			URL:       links[i],
			Lang:      lang,
			Outlet:    src.Name,
			FirstSeen: now,
		}
		if o := it.Custom[outletKey]; o != "" {
			item.Outlet = o
		}
		item.Title = plainText(it.Title)
		item.Summary = plainText(it.Description)
		if item.Summary == "" {
			item.Summary = plainText(it.Content)
		}
		item.Summary = cutAtSentence(item.Summary, SummaryLimit)
		if item.Outlet != src.Name {
			// Aggregators append " - Outlet" to every title.
			item.Title = strings.TrimSpace(strings.TrimSuffix(item.Title, " - "+item.Outlet))
		}
		if item.Title == "" {
			item.Title = titleFromSummary(item.Summary)
		}
		if item.Title == "" {
			continue // nothing to show: no title and no text
		}
		// A summary that only repeats the title (Google News: the title as a
		// link, then the outlet) says nothing more.
		if rest := strings.TrimSpace(strings.TrimSuffix(item.Summary, item.Outlet)); rest == item.Title {
			item.Summary = ""
		}
		item.Published, item.Updated, item.DateFromFeed = entryDates(it, now)
		item.Key = entryKey(it, item)
		if seen[item.Key] || (item.URL != "" && seen["url:"+item.URL]) {
			continue // the feed repeats an entry: keep the first
		}
		seen[item.Key] = true
		if item.URL != "" {
			seen["url:"+item.URL] = true
		}
		items = append(items, item)
	}
	return items
}

// entryLink picks the entry's article link: <link>, else the first of its
// links, else a GUID that is a permalink.
func entryLink(it *gofeed.Item) string {
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	for _, l := range it.Links {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	if g := strings.TrimSpace(it.GUID); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
		return g
	}
	return ""
}

// entryKey is the item's identity within its source: the GUID, else the
// canonical link, else a hash of what the entry says.
func entryKey(it *gofeed.Item, item briefing.Item) string {
	if g := strings.TrimSpace(it.GUID); g != "" {
		return g
	}
	if item.URL != "" {
		return item.URL
	}
	h := sha256.New()
	h.Write([]byte(item.Title))
	h.Write([]byte{0})
	if item.DateFromFeed {
		h.Write([]byte(item.Published.UTC().Format(time.RFC3339)))
	} else {
		h.Write([]byte(item.Summary))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// entryDates returns published (falling back to updated, then now), the
// updated date if any, and whether the date came from the feed. Dates in
// the future are publisher mistakes or time-zone slips: they become now.
func entryDates(it *gofeed.Item, now time.Time) (published, updated time.Time, fromFeed bool) {
	if it.UpdatedParsed != nil {
		updated = it.UpdatedParsed.UTC()
	} else if t, ok := parseLocalizedDate(it.Updated); ok {
		updated = t
	}
	switch {
	case it.PublishedParsed != nil && !it.PublishedParsed.IsZero():
		published, fromFeed = it.PublishedParsed.UTC(), true
	case it.Published != "":
		if t, ok := parseLocalizedDate(it.Published); ok {
			published, fromFeed = t, true
		} else if !updated.IsZero() {
			published, fromFeed = updated, true
		} else {
			published = now
		}
	case !updated.IsZero():
		published, fromFeed = updated, true
	default:
		published = now
	}
	if published.After(now.Add(futureSlack)) {
		published = now
	}
	if updated.After(now.Add(futureSlack)) {
		updated = now
	}
	return published, updated, fromFeed
}

// feedLang reduces a feed's declared language ("fr-FR", "en-us") to the
// ones sahelbrief knows.
func feedLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	switch {
	case strings.HasPrefix(l, "en"):
		return "en"
	case strings.HasPrefix(l, "fr"):
		return "fr"
	}
	return ""
}
