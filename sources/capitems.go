package sources

import (
	"bytes"
	"encoding/xml"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// DefaultMaxItems is how many entries of one feed a poll takes when
// Options.MaxItems is zero: far more than any news feed carries, far
// fewer than a runaway feed of 100,000.
const DefaultMaxItems = defaults.MaxFeedItems

// capXMLItems keeps the max newest entries (RSS and RDF <item>, Atom
// <entry>) of an XML feed body and returns the body without the others,
// and how many it dropped. It runs before gofeed, which builds every
// entry in memory twice (its format's struct, then gofeed.Item): a
// 100,000-entry feed of 5 MB costs it some 200 MB, so capping after the
// parse is too late to bound memory.
//
// Entries are ranked by their own date (pubDate, published, updated,
// dc:date), newest first; entries without a readable date rank after the
// dated ones, in document order. The kept entries stay in document order.
// A body that is not well-formed enough to scan is returned as it is:
// gofeed then fails or parses it whole, and capItems cuts after the parse.
func capXMLItems(body []byte, max int) ([]byte, int) {
	if max <= 0 || countEntryTags(body) <= max {
		return body, 0 // the common case: no scan
	}
	entries, ok := scanEntries(body)
	if !ok || len(entries) <= max {
		return body, 0
	}
	keep := newest(len(entries), max, func(i int) time.Time { return entries[i].date })
	out := make([]byte, 0, len(body))
	prev := int64(0)
	for i, e := range entries {
		if keep[i] {
			continue
		}
		out = append(out, body[prev:e.start]...)
		prev = e.end
	}
	out = append(out, body[prev:]...)
	return out, len(entries) - max
}

// countEntryTags over-counts the entries of a body cheaply: every "<item"
// or "<entry" with or without a namespace prefix.
func countEntryTags(body []byte) int {
	n := 0
	for _, tag := range []string{"item", "entry"} {
		for _, p := range []string{"<", ":"} {
			n += bytes.Count(body, []byte(p+tag))
		}
	}
	return n
}

// entrySpan is one entry's bytes in the body and its date.
type entrySpan struct {
	start, end int64
	date       time.Time
}

// scanEntries finds the feed's entries, streaming: an entry is an <item>
// or <entry> element that is not inside another one.
func scanEntries(body []byte) ([]entrySpan, bool) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	// The body is UTF-8 already (toUTF8), whatever its declaration says.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var (
		entries []entrySpan
		cur     *entrySpan
		depth   int    // element depth inside the current entry
		dateTag string // the date element being read, if any
		date    strings.Builder
	)
	for {
		off := dec.InputOffset()
		tok, err := dec.RawToken()
		if err == io.EOF {
			return entries, cur == nil
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case cur == nil && (t.Name.Local == "item" || t.Name.Local == "entry"):
				entries = append(entries, entrySpan{start: off})
				cur, depth = &entries[len(entries)-1], 0
			case cur != nil:
				depth++
				if depth == 1 && dateTag == "" && isDateTag(t.Name.Local) {
					dateTag = t.Name.Local
					date.Reset()
				}
			}
		case xml.CharData:
			if dateTag != "" {
				date.Write(t)
			}
		case xml.EndElement:
			if cur == nil {
				continue
			}
			if depth == 0 {
				cur.end = dec.InputOffset()
				cur = nil
				continue
			}
			if depth == 1 && t.Name.Local == dateTag {
				if d, ok := parseEntryDate(date.String()); ok && (cur.date.IsZero() || dateTag != "updated" && dateTag != "modified") {
					cur.date = d // a publication date wins over an update
				}
				dateTag = ""
			}
			depth--
		}
	}
}

func isDateTag(name string) bool {
	switch name {
	case "pubDate", "published", "updated", "date", "issued", "modified":
		return true
	}
	return false
}

// entryDateLayouts are the date forms feeds use; parseLocalizedDate reads
// the rest (month names in French, Portuguese, Spanish).
var entryDateLayouts = []string{time.RFC1123Z, time.RFC1123, time.RFC3339, time.RFC3339Nano,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	time.RFC822Z, time.RFC822, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func parseEntryDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range entryDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return parseLocalizedDate(s)
}

// newest marks the max newest of n entries, dated by date(i) (zero: no
// date, ranked last); ties and undated entries keep document order.
func newest(n, max int, date func(int) time.Time) []bool {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		da, db := date(order[a]), date(order[b])
		if da.IsZero() != db.IsZero() {
			return !da.IsZero()
		}
		return da.After(db)
	})
	keep := make([]bool, n)
	for _, i := range order[:min(max, n)] {
		keep[i] = true
	}
	return keep
}

// capItems cuts a parsed feed to its max newest entries, for the bodies
// capXMLItems leaves whole (JSON Feed, XML it could not scan), and
// returns how many it dropped.
func capItems(feed *gofeed.Feed, max int) int {
	if max <= 0 || len(feed.Items) <= max {
		return 0
	}
	keep := newest(len(feed.Items), max, func(i int) time.Time {
		it := feed.Items[i]
		switch {
		case it.PublishedParsed != nil:
			return *it.PublishedParsed
		case it.UpdatedParsed != nil:
			return *it.UpdatedParsed
		}
		return time.Time{}
	})
	kept := feed.Items[:0]
	for i, it := range feed.Items {
		if keep[i] {
			kept = append(kept, it)
		}
	}
	dropped := len(feed.Items) - len(kept)
	clear(feed.Items[len(kept):])
	feed.Items = kept
	return dropped
}
