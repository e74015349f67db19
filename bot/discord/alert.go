package discord

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

// Limits of the alert renderings, in UTF-16 units.
const (
	maxAlertSummary    = 600 // an alert's summary, its embed description
	maxAlertMeta       = 300 // an alert's outlets, countries or actors field
	maxMatched         = 500 // the "Matched: …" footer
	maxSummaryAlerts   = 20  // alerts listed by a summary
	maxSummaryTitle    = 120 // a story title in a summary line
	maxReplyOutlet     = 100
	maxReplyTitle      = 300
	colorAlert         = 0xC0392B
	colorSummary       = 0x7F8C8D
	summaryMoreReserve = 40 // room kept in a summary's description for "…and K more"
)

// RenderMessage renders any delivery as create-message bodies in posting
// order: RenderDigest (with a late note when m.Late), RenderAlert,
// RenderReply or RenderSummary by m.Kind. It fails on a message that
// lacks what its kind needs; a retry cannot fix that.
func RenderMessage(m bot.Message) ([]*discordgo.MessageSend, error) {
	switch m.Kind {
	case bot.KindDigest:
		if m.Digest == nil {
			return nil, errors.New("discord: digest message without a digest")
		}
		msgs := RenderDigest(m.Digest)
		if m.Late && len(msgs) > 0 {
			msgs[0].Content = lateContent(msgs[0].Content, m.Scheduled)
		}
		return msgs, nil
	case bot.KindAlert, bot.KindReply, bot.KindSummary:
		if len(m.Alerts) == 0 {
			return nil, fmt.Errorf("discord: %s message without alerts", m.Kind)
		}
		switch m.Kind {
		case bot.KindAlert:
			return RenderAlert(m), nil
		case bot.KindReply:
			return RenderReply(m), nil
		}
		return RenderSummary(m), nil
	}
	return nil, fmt.Errorf("discord: unknown message kind %q", m.Kind)
}

// lateContent puts "Late: scheduled for <time> (<zone>)" after the first
// line of a digest's first content, within MaxContent (the intro is cut,
// never the note).
func lateContent(content string, scheduled time.Time) string {
	note := "⏰ Late: this digest was delayed"
	if !scheduled.IsZero() {
		note = "⏰ Late: scheduled for " + scheduled.Format("2006-01-02 15:04") + " (" + zoneName(scheduled) + ")"
	}
	first, rest, _ := strings.Cut(content, "\n")
	out := first + "\n" + note
	if rest != "" {
		out += "\n" + rest
	}
	return cut(out, MaxContent)
}

// zoneName is the time's location name ("Africa/Niamey"), or its zone
// abbreviation when the location has no useful name.
func zoneName(t time.Time) string {
	if n := t.Location().String(); n != "" && n != "Local" {
		return n
	}
	z, _ := t.Zone()
	return z
}

// RenderAlert renders the first alert of m as one message with one embed:
// the story title (linked), its summary, fields for outlets, countries
// and actors, the publication time, and a footer naming the matching
// subscriptions. All feed text is escaped and no mention is allowed.
func RenderAlert(m bot.Message) []*discordgo.MessageSend {
	if len(m.Alerts) == 0 {
		return nil
	}
	a := m.Alerts[0]
	it := a.Item
	e := &discordgo.MessageEmbed{
		Title: feed(it.Title, MaxTitle),
		URL:   link(it.URL),
		Color: colorAlert,
	}
	if e.Title == "" {
		e.Title = untitled
	}
	e.Description = feed(it.Summary, maxAlertSummary)
	outlets := a.OutletNames()
	addField := func(name string, items []string) {
		if v := feedList(items, ", ", maxAlertMeta); v != "" {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: v, Inline: true})
		}
	}
	addField("Outlets", outlets)
	addField("Countries", tagNames(a.Countries))
	addField("Actors", tagNames(a.Actors))
	if e.Description == "" && len(e.Fields) == 0 {
		e.Description = "No details."
	}
	when := it.Published
	if when.IsZero() {
		when = it.Updated
	}
	if !when.IsZero() {
		e.Timestamp = when.UTC().Format(time.RFC3339)
	}
	if f := matched(a.Queries); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: f}
	}
	return []*discordgo.MessageSend{{
		Embeds:          []*discordgo.MessageEmbed{e},
		AllowedMentions: noMentions(),
	}}
}

// RenderReply renders a later outlet's report of an alerted story as one
// compact line, "Also reported by <outlet>: [title](url)", with link
// previews suppressed. It answers m.ThreadOf as a reply
// (message_reference, fail_if_not_exists false, so a deleted alert does
// not block it); the deliverer fills in the reference's channel.
func RenderReply(m bot.Message) []*discordgo.MessageSend {
	if len(m.Alerts) == 0 {
		return nil
	}
	a := m.Alerts[0]
	outlet := feed(a.Item.Outlet, maxReplyOutlet)
	if outlet == "" && len(a.Outlets) > 0 {
		outlet = feed(a.Outlets[len(a.Outlets)-1], maxReplyOutlet)
	}
	if outlet == "" {
		outlet = "another outlet"
	}
	title := linked(a.Item.Title, a.Item.URL, maxReplyTitle)
	msg := &discordgo.MessageSend{
		Content:         cut("Also reported by **"+outlet+"**: "+title, MaxContent),
		AllowedMentions: noMentions(),
		Flags:           discordgo.MessageFlagsSuppressEmbeds,
	}
	if m.ThreadOf != "" {
		no := false
		msg.Reference = &discordgo.MessageReference{MessageID: m.ThreadOf, FailIfNotExists: &no}
	}
	return []*discordgo.MessageSend{msg}
}

// RenderSummary renders alerts over a channel's rate limit as one message
// with one embed: "N more stories matched your subscriptions", then one
// line per story (linked title, outlet), at most maxSummaryAlerts and as
// many as fit the description, then "…and K more".
func RenderSummary(m bot.Message) []*discordgo.MessageSend {
	n := len(m.Alerts)
	e := &discordgo.MessageEmbed{
		Title: plural(n, "more story", "more stories") + " matched your subscriptions",
		Color: colorSummary,
	}
	var b strings.Builder
	shown := 0
	queries := bot.SummaryQueries(m.Alerts)
	for _, a := range m.Alerts[:min(n, maxSummaryAlerts)] {
		line := summaryLine(a)
		if units(b.String())+1+units(line) > MaxDescription-summaryMoreReserve {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
		shown++
	}
	if k := n - shown; k > 0 {
		b.WriteString("\n…and " + strconv.Itoa(k) + " more")
	}
	e.Description = strings.TrimPrefix(b.String(), "\n")
	if f := matched(queries); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: f}
	}
	return []*discordgo.MessageSend{{
		Embeds:          []*discordgo.MessageEmbed{e},
		AllowedMentions: noMentions(),
	}}
}

// summaryLine is "• [title](url) — outlet".
func summaryLine(a bot.Alert) string {
	line := "• " + linked(a.Item.Title, a.Item.URL, maxSummaryTitle)
	outlet := a.Item.Outlet
	if outlet == "" && len(a.Outlets) > 0 {
		outlet = a.Outlets[0]
	}
	if o := feed(outlet, 60); o != "" {
		line += " — " + o
	}
	return line
}

// linked is a feed title as the text of a markdown link to the item's
// URL, or the plain escaped title when the URL is not a safe link. The
// title's square brackets become parentheses: escaped brackets inside a
// link's text are not reliably parsed as text.
func linked(title, url string, max int) string {
	u := link(url)
	if u != "" {
		title = linkTextBrackets.Replace(title)
	}
	t := feed(title, max)
	if t == "" {
		t = untitled
	}
	if u == "" {
		return t
	}
	return "[" + t + "](" + u + ")"
}

var linkTextBrackets = strings.NewReplacer("[", "(", "]", ")")

// matched is the footer naming the matching subscriptions' queries.
// Footers render neither markdown nor mentions, so the queries are cleaned
// but not escaped (a backslash would show); an '@' still gets its
// zero-width space.
func matched(queries []string) string {
	var parts []string
	for _, q := range queries {
		if p := plain(q, maxMatched); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return cut("Matched: "+strings.Join(parts, " · "), maxMatched)
}

// plain cleans text shown where Discord renders no markdown (footers).
func plain(s string, max int) string {
	return cut(bot.Unping(cleanN(s, max)), max)
}

func tagNames(tags []briefing.Tag) []string {
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		names = append(names, t.Name)
	}
	return names
}
