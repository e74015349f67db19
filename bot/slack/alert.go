package slack

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	slackgo "github.com/slack-go/slack"
)

// Limits of the alert renderers.
const (
	maxAlertSummary = 300 // an alert's summary
	maxQueries      = 600 // the subscription line
	maxFallback     = 1000
	// MaxSummaryAlerts is how many alerts a summary lists; the rest are
	// counted.
	MaxSummaryAlerts = 20
)

// Render renders a delivery as the messages to post, in order. It fails
// only when m cannot be rendered at all (an unknown kind, an alert
// delivery without an alert); the error is the same on every attempt.
func Render(m bot.Message) ([]Message, error) {
	switch m.Kind {
	case bot.KindDigest:
		if m.Digest == nil {
			return nil, errors.New("slack: digest delivery without a digest")
		}
		return RenderDelivery(m), nil
	case bot.KindAlert, bot.KindReply, bot.KindSummary:
		if len(m.Alerts) == 0 {
			return nil, errors.New("slack: " + string(m.Kind) + " delivery without alerts")
		}
		switch m.Kind {
		case bot.KindAlert:
			return RenderAlert(m), nil
		case bot.KindReply:
			return RenderReply(m), nil
		}
		return RenderSummary(m), nil
	}
	return nil, errors.New("slack: unknown delivery kind " + strconv.Quote(string(m.Kind)))
}

// RenderAlert renders a KindAlert delivery (its first alert) as one
// message: the linked title and a short summary, a line of outlets, time
// and tags, and the subscriptions that matched.
func RenderAlert(m bot.Message) []Message {
	var a bot.Alert
	if len(m.Alerts) > 0 {
		a = m.Alerts[0]
	}
	it := &a.Item
	text := titleLink(it.Title, it.URL)
	if sum := feed(it.Summary, maxAlertSummary); sum != "" {
		text += "\n" + sum
	}
	blocks := []slackgo.Block{section(text)}
	var elems []slackgo.MixedElement
	outlets := a.OutletNames()
	if o := feedList(outlets, ", ", maxMeta); o != "" {
		elems = append(elems, mrkdwn(o))
	}
	if !it.Published.IsZero() {
		elems = append(elems, mrkdwn(date(it.Published)))
	}
	if t := alertTags(a); t != "" {
		elems = append(elems, mrkdwn(t))
	}
	if len(elems) > 0 {
		blocks = append(blocks, context(elems...))
	}
	if q := queryLine(a.Queries); q != "" {
		blocks = append(blocks, context(mrkdwn(q)))
	}
	fb := feed(it.Title, maxTitle)
	if fb == "" {
		fb = untitled
	}
	if o := feedList(outlets[:min(len(outlets), 1)], "", 100); o != "" {
		fb += " (" + o + ")"
	}
	return []Message{{Text: cut("New: "+fb, maxFallback), Blocks: blocks}}
}

// RenderReply renders a KindReply delivery: a compact note, for the
// alert's thread, that another outlet reported the story.
func RenderReply(m bot.Message) []Message {
	var a bot.Alert
	if len(m.Alerts) > 0 {
		a = m.Alerts[0]
	}
	it := &a.Item
	outlet := feed(it.Outlet, 100)
	if outlet == "" && len(a.Outlets) > 0 {
		outlet = feed(a.Outlets[len(a.Outlets)-1], 100)
	}
	if outlet == "" {
		outlet = "another outlet"
	}
	blocks := []slackgo.Block{section("Also reported by *" + outlet + "*: " + titleLink(it.Title, it.URL))}
	var elems []slackgo.MixedElement
	if !it.Published.IsZero() {
		elems = append(elems, mrkdwn(date(it.Published)))
	}
	if t := alertTags(a); t != "" {
		elems = append(elems, mrkdwn(t))
	}
	if len(elems) > 0 {
		blocks = append(blocks, context(elems...))
	}
	fb := feed(it.Title, maxTitle)
	if fb == "" {
		fb = untitled
	}
	return []Message{{Text: cut("Also reported by "+outlet+": "+fb, maxFallback), Blocks: blocks}}
}

// RenderSummary renders a KindSummary delivery: a header counting the
// alerts, up to MaxSummaryAlerts of them (linked title and outlet), as
// many per section as fit, and a count of the rest.
func RenderSummary(m bot.Message) []Message {
	n := len(m.Alerts)
	head := plural(n, "more story", "more stories") + " matched your subscriptions"
	blocks := []slackgo.Block{header(head)}
	shown := min(n, MaxSummaryAlerts)
	var b strings.Builder
	var titles []string
	queries := bot.SummaryQueries(m.Alerts)
	flush := func() {
		if b.Len() > 0 {
			blocks = append(blocks, section(b.String()))
			b.Reset()
		}
	}
	for _, a := range m.Alerts[:shown] {
		line := "• " + titleLink(a.Item.Title, a.Item.URL)
		o := a.Item.Outlet
		if o == "" && len(a.Outlets) > 0 {
			o = a.Outlets[0]
		}
		if o := feed(o, 100); o != "" {
			line += " · " + o
		}
		if t := feed(a.Item.Title, 100); t != "" && len(titles) < 5 {
			titles = append(titles, t)
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
	var elems []slackgo.MixedElement
	if n > shown {
		elems = append(elems, mrkdwn("…and "+plural(n-shown, "more", "more")))
	}
	if q := queryLine(queries); q != "" {
		elems = append(elems, mrkdwn(q))
	}
	if len(elems) > 0 {
		blocks = append(blocks, context(elems...))
	}
	// A line ("• *<url|title>* · outlet") is at most
	// 2+2+maxURL+1+maxTitle+2+3+100 < MaxSectionText units, so a section
	// holds at least one: at most 1+MaxSummaryAlerts+1 blocks.
	fb := head
	if len(titles) > 0 {
		fb += ": " + strings.Join(titles, "; ")
	}
	return []Message{{Text: cut(fb, maxFallback), Blocks: blocks}}
}

// RenderDelivery renders a KindDigest delivery: the digest, and when it is
// late a note at the top of the first message with the time it was
// scheduled for, in the schedule's time zone.
func RenderDelivery(m bot.Message) []Message {
	msgs := RenderDigest(m.Digest)
	if m.Late {
		markLate(&msgs[0], m.Scheduled)
	}
	return msgs
}

// markLate adds the late note to the top of msg without exceeding
// MaxBlocks: a context block of its own when there is room, else the first
// element of the first context block with room, else the start of the
// first section with room. The fallback text always says it.
func markLate(msg *Message, scheduled time.Time) {
	note := lateNote(scheduled)
	msg.Text = cut(note+". "+msg.Text, maxFallback+MaxHeaderText)
	line := ":hourglass: *" + note + "*"
	if len(msg.Blocks) < MaxBlocks {
		msg.Blocks = append([]slackgo.Block{context(mrkdwn(line))}, msg.Blocks...)
		return
	}
	for _, bl := range msg.Blocks {
		if c, ok := bl.(*slackgo.ContextBlock); ok && len(c.ContextElements.Elements) < MaxContextElems {
			c.ContextElements.Elements = append([]slackgo.MixedElement{mrkdwn(line)}, c.ContextElements.Elements...)
			return
		}
	}
	for _, bl := range msg.Blocks {
		if s, ok := bl.(*slackgo.SectionBlock); ok && s.Text != nil && units(line)+1+units(s.Text.Text) <= MaxSectionText {
			s.Text.Text = line + "\n" + s.Text.Text
			return
		}
	}
}

// lateNote is "Late: scheduled for Mon 7 Dec 07:00 (Africa/Bamako)".
func lateNote(scheduled time.Time) string {
	if scheduled.IsZero() {
		return "Late: this digest was delayed"
	}
	zone := feed(scheduled.Location().String(), 60)
	return "Late: scheduled for " + scheduled.Format("Mon 2 Jan 15:04") + " (" + zone + ")"
}

// titleLink is the escaped title, bold, linked when the URL is usable.
func titleLink(title, rawURL string) string {
	t := feed(title, maxTitle)
	if t == "" {
		t = untitled
	}
	if u := link(rawURL); u != "" {
		return "*<" + u + "|" + t + ">*"
	}
	return "*" + t + "*"
}

// alertTags joins the alert's country then actor names.
func alertTags(a bot.Alert) string {
	tags := make([]string, 0, len(a.Countries)+len(a.Actors))
	for _, t := range a.Countries {
		tags = append(tags, t.Name)
	}
	for _, t := range a.Actors {
		tags = append(tags, t.Name)
	}
	return feedList(tags, " · ", maxMeta)
}

// queryLine is "Matched your subscription: `q`" (several joined). A
// backtick in a query would end the code span, so it becomes a quote.
func queryLine(queries []string) string {
	var parts []string
	for _, q := range queries {
		if c := feed(strings.ReplaceAll(q, "`", "'"), 200); c != "" {
			parts = append(parts, "`"+c+"`")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	lead := "Matched your subscription: "
	if len(parts) > 1 {
		lead = "Matched your subscriptions: "
	}
	out := lead + parts[0]
	for _, p := range parts[1:] {
		if units(out)+2+units(p) > maxQueries {
			return out + ", …"
		}
		out += ", " + p
	}
	return out
}
