// Package slack renders sahelbrief digests as Slack Block Kit messages. It
// is the only package that imports slack-go.
package slack

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	slackgo "github.com/slack-go/slack"
)

// Message is one chat.postMessage body, without the channel (added when
// posting).
type Message struct {
	Text        string          `json:"text"`
	Blocks      []slackgo.Block `json:"blocks"`
	UnfurlLinks bool            `json:"unfurl_links"`
	UnfurlMedia bool            `json:"unfurl_media"`
}

// Slack's limits, enforced here rather than hoped for.
const (
	MaxBlocks        = 50   // blocks per message
	MaxSectionText   = 3000 // a section's text
	MaxHeaderText    = 150  // a header's plain_text
	MaxContextElems  = 10   // elements of one context block
	MaxContextText   = 3000 // one context element's text
	maxTitle         = 300  // a story title inside its link
	maxSummary       = 600  // a story summary
	maxMeta          = 300  // outlets or tags of a story
	maxOutletLinks   = 2000 // a story's outlets with their links (a context element holds 3,000)
	maxFailureLine   = 500  // one failed source
	defaultTitle     = "Sahel brief"
	untitled         = "(untitled)"
	continuedSuffix  = " (continued)"
	failedHeading    = "Failed sources"
	headlinesHeading = "Headlines"
)

// RenderDigest renders d as one or more messages, in posting order. A
// digest that does not fit one message is split between stories: a story
// is never spread over two messages, and a continued section repeats its
// heading.
func RenderDigest(d *briefing.Digest) []Message {
	if d == nil {
		d = &briefing.Digest{}
	}
	title := feed(d.Title, MaxHeaderText)
	if title == "" {
		title = defaultTitle
	}
	seen := map[string]bool{}
	sg := []group{storyGroup(headlinesHeading, d.Headlines, seen)}
	for _, s := range d.Sections {
		sg = append(sg, storyGroup(s.Name, s.Stories, seen))
	}
	stories := 0
	for _, g := range sg {
		stories += len(g.units)
	}
	var groups []group
	if stories == 0 {
		groups = append(groups, group{units: []unit{{blocks: quietBlocks(d, title)}}})
	} else {
		groups = append(groups, group{units: []unit{{blocks: preambleBlocks(d, title, stories)}}})
		groups = append(groups, sg...)
	}
	groups = append(groups, failedGroup(d.Failed))
	msgs := pack(groups)
	finish(msgs, d, title, stories)
	return msgs
}

// unit is blocks that must stay in one message: a story, a run of failed
// sources, the preamble.
type unit struct{ blocks []slackgo.Block }

// group is units under one heading (none for the preamble).
type group struct {
	heading string
	units   []unit
}

// pack distributes the groups' units over messages of at most MaxBlocks
// blocks. A heading travels with its group's first unit; a group continued
// in a new message repeats its heading, marked as continued. Each message
// after the first opens with one placeholder block that finish fills in.
func pack(groups []group) []Message {
	var msgs []Message
	var cur *Message
	for _, g := range groups {
		for i, u := range g.units {
			need := len(u.blocks)
			if g.heading != "" && i == 0 {
				need++
			}
			if cur == nil || len(cur.Blocks)+need > MaxBlocks {
				msgs = append(msgs, Message{})
				cur = &msgs[len(msgs)-1]
				if len(msgs) > 1 {
					cur.Blocks = append(cur.Blocks, nil) // continuation line, set by finish
					if g.heading != "" && i > 0 {
						cur.Blocks = append(cur.Blocks, header(cutSuffix(g.heading, continuedSuffix)))
					}
				}
			}
			if g.heading != "" && i == 0 {
				cur.Blocks = append(cur.Blocks, header(g.heading))
			}
			cur.Blocks = append(cur.Blocks, u.blocks...)
		}
	}
	return msgs
}

// finish sets each message's fallback text and the continuation line of
// every message after the first.
func finish(msgs []Message, d *briefing.Digest, title string, stories int) {
	n := len(msgs)
	for i := range msgs {
		m := &msgs[i]
		if i == 0 {
			m.Text = fallback(d, title, stories, n)
		} else {
			part := fmt.Sprintf("part %d of %d", i+1, n)
			m.Text = cut(title, 200) + " (" + part + ")"
			m.Blocks[0] = context(mrkdwn("*" + cut(title, 200) + "* · " + part))
		}
	}
}

// fallback is the plain notification text of the first message.
func fallback(d *briefing.Digest, title string, stories, parts int) string {
	var b strings.Builder
	b.WriteString(title)
	switch {
	case d.Blind():
		b.WriteString(": blind, no source answered")
	case stories == 0 && d.NoResults != "":
		b.WriteString(": " + cut(feed(d.NoResults, 200), 200))
	case stories == 0:
		b.WriteString(": quiet day, no stories")
	default:
		fmt.Fprintf(&b, ": %s", plural(stories, "story", "stories"))
	}
	if w := plainWindow(d); w != "" {
		b.WriteString(", " + w)
	}
	if len(d.Failed) > 0 {
		fmt.Fprintf(&b, "; %s failed", plural(len(d.Failed), "source", "sources"))
	}
	if d.Coverage != nil && d.Coverage.PartlyBlind() {
		b.WriteString("; partly blind")
	}
	if parts > 1 {
		fmt.Fprintf(&b, " (part 1 of %d)", parts)
	}
	return b.String()
}

func preambleBlocks(d *briefing.Digest, title string, stories int) []slackgo.Block {
	blocks := []slackgo.Block{header(title)}
	if cb := coverageBlock(d); cb != nil {
		blocks = append(blocks, cb)
	}
	blocks = append(blocks, context(mrkdwn(cut(bot.DigestFacts(window(d), stories, d, feed), MaxContextText))))
	if c := counts(d.Counts); c != "" {
		blocks = append(blocks, context(mrkdwn(c)))
	}
	return append(blocks, slackgo.NewDividerBlock())
}

// coverageBlock is the digest's first word when its sources did not
// answer (see bot.Coverage); nil otherwise.
func coverageBlock(d *briefing.Digest) slackgo.Block {
	label, sentence := bot.Coverage(d, date)
	if label == "" {
		return nil
	}
	icon := ":warning:"
	if d.Blind() {
		icon = ":no_entry:"
	}
	return section(cut(icon+" *"+label+":* "+sentence, MaxSectionText))
}

func quietBlocks(d *briefing.Digest, title string) []slackgo.Block {
	blocks := []slackgo.Block{header(title)}
	if cb := coverageBlock(d); cb != nil {
		blocks = append(blocks, cb)
		if d.Blind() { // not a quiet day: nobody was listening
			if w := window(d); w != "" {
				blocks = append(blocks, context(mrkdwn("Window: "+w)))
			}
			return blocks
		}
	}
	if d.NoResults != "" {
		return append(blocks, section(cut(feed(d.NoResults, MaxSectionText), MaxSectionText)))
	}
	var b strings.Builder
	b.WriteString("*Quiet day.* No stories matched this digest")
	if f := bot.FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, feed); f != "" {
		b.WriteString(" (" + f + ")")
	}
	if w := window(d); w != "" {
		b.WriteString(" in the window " + w)
	}
	b.WriteString(".")
	return append(blocks, section(cut(b.String(), MaxSectionText)))
}

// storyGroup renders stories under a heading, skipping any story already
// rendered under an earlier heading (same non-empty ID).
func storyGroup(heading string, stories []briefing.Story, seen map[string]bool) group {
	h := feed(heading, MaxHeaderText)
	if h == "" {
		h = "Other"
	}
	g := group{heading: h}
	for i := range stories {
		s := &stories[i]
		if s.ID != "" {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
		}
		g.units = append(g.units, unit{blocks: storyBlocks(s)})
	}
	return g
}

// storyBlocks is a section (linked title and summary) and a context block
// (outlets, time, tags). The section's text is at most
// 2+maxURL+1+maxTitle+2+1+maxSummary < MaxSectionText units.
func storyBlocks(s *briefing.Story) []slackgo.Block {
	t := feed(s.Title, maxTitle)
	if t == "" {
		t = untitled
	}
	var text string
	if u := link(s.URL); u != "" {
		text = "*<" + u + "|" + t + ">*"
	} else {
		text = "*" + t + "*"
	}
	if sum := feed(s.Summary, maxSummary); sum != "" {
		text += "\n" + sum
	}
	blocks := []slackgo.Block{section(text)}
	var elems []slackgo.MixedElement
	if o := outletLinks(s); o != "" {
		elems = append(elems, mrkdwn(o))
	}
	at := s.Published
	if at.IsZero() {
		at = s.Updated
	}
	if !at.IsZero() {
		elems = append(elems, mrkdwn(date(at)))
	}
	tags := make([]string, 0, len(s.Countries)+len(s.Actors))
	for _, t := range s.Countries {
		tags = append(tags, t.Name)
	}
	for _, t := range s.Actors {
		tags = append(tags, t.Name)
	}
	if t := feedList(tags, " · ", maxMeta); t != "" {
		elems = append(elems, mrkdwn(t))
	}
	if len(elems) > 0 {
		blocks = append(blocks, context(elems...))
	}
	return blocks
}

// failedGroup lists failed sources, as many per section block as fit.
func failedGroup(failed []briefing.SourceFailure) group {
	if len(failed) == 0 {
		return group{}
	}
	g := group{heading: failedHeading}
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			g.units = append(g.units, unit{blocks: []slackgo.Block{section(b.String())}})
			b.Reset()
		}
	}
	for _, f := range failed {
		name := feed(f.Name, 100)
		if name == "" {
			name = "(unnamed source)"
		}
		line := ":warning: *" + name + "*"
		if e := feed(f.Error, maxFailureLine); e != "" {
			line += ": " + e
		}
		if f.Since.IsZero() {
			line += " (no success yet)"
		} else {
			line += " (last success " + date(f.Since) + ")"
		}
		if b.Len() > 0 && units(b.String())+1+units(line) > MaxSectionText {
			flush()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	flush()
	return g
}

// Block helpers. Every text passed here is already escaped and cut.

func header(text string) slackgo.Block {
	return slackgo.NewHeaderBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, cut(text, MaxHeaderText), true, false))
}

func section(text string) slackgo.Block {
	return slackgo.NewSectionBlock(mrkdwn(cut(text, MaxSectionText)), nil, nil)
}

func mrkdwn(text string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, cut(text, MaxContextText), false, false)
}

func context(elems ...slackgo.MixedElement) slackgo.Block {
	if len(elems) > MaxContextElems {
		elems = elems[:MaxContextElems]
	}
	return slackgo.NewContextBlock("", elems...)
}

// cutSuffix appends suffix to heading, cutting the heading to leave room.
func cutSuffix(heading, suffix string) string {
	return cut(heading, MaxHeaderText-units(suffix)) + suffix
}

// feedList cleans, escapes and joins the non-empty items, then cuts.
func feedList(items []string, sep string, max int) string {
	var parts []string
	for _, it := range items {
		if c := cleanN(it, max); c != "" {
			parts = append(parts, escape(c))
		}
		if len(parts) > 0 && units(strings.Join(parts, sep)) > max {
			break
		}
	}
	return cut(strings.Join(parts, sep), max)
}

// outletLinks is a story's outlets in mrkdwn, each linked to its report
// when there are several, as many as fit in maxOutletLinks units.
func outletLinks(s *briefing.Story) string {
	return bot.OutletList(s, maxOutletLinks, units, func(name, url string) string {
		name = feed(name, maxMeta)
		if u := link(url); u != "" && name != "" {
			return "<" + u + "|" + name + ">"
		}
		return name
	})
}

// date is Slack's localized date token, with a UTC fallback.
func date(t time.Time) string {
	return "<!date^" + strconv.FormatInt(t.Unix(), 10) + "^{date_short_pretty} {time}|" + t.UTC().Format("2006-01-02 15:04 UTC") + ">"
}

func window(d *briefing.Digest) string {
	switch {
	case d.Since.IsZero() && d.Until.IsZero():
		return ""
	case d.Since.IsZero():
		return "until " + date(d.Until)
	case d.Until.IsZero():
		return "since " + date(d.Since)
	}
	return date(d.Since) + " – " + date(d.Until)
}

func plainWindow(d *briefing.Digest) string {
	const f = "2006-01-02 15:04 UTC"
	switch {
	case d.Since.IsZero() && d.Until.IsZero():
		return ""
	case d.Since.IsZero():
		return "until " + d.Until.UTC().Format(f)
	case d.Until.IsZero():
		return "since " + d.Since.UTC().Format(f)
	}
	return d.Since.UTC().Format(f) + " – " + d.Until.UTC().Format(f)
}

func counts(cs []briefing.CountryCount) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		name := feed(c.Name, 100)
		if name == "" {
			name = feed(c.ID, 100)
		}
		if name == "" {
			continue
		}
		parts = append(parts, "*"+name+"* "+strconv.Itoa(c.Stories))
	}
	return cut(strings.Join(parts, " · "), MaxContextText)
}

var plural = bot.Plural
