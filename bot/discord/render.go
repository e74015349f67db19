// Package discord renders sahelbrief digests as Discord messages with
// embeds. It is the only package that imports discordgo.
package discord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

// Discord's limits, enforced here rather than hoped for. Lengths are in
// UTF-16 units (see units).
const (
	MaxContent      = 2000 // message content
	MaxEmbeds       = 10   // embeds per message
	MaxEmbedTotal   = 6000 // all embeds' title, description, fields, footer, author of a message
	MaxTitle        = 256  // embed title
	MaxDescription  = 4096 // embed description
	MaxFields       = 25   // fields per embed
	MaxFieldName    = 256
	MaxFieldValue   = 1024
	MaxFooter       = 2048
	maxSummary      = 300 // a story's summary inside its field
	maxMeta         = 120 // a story's outlets or tags
	maxOutletSlack  = 300 // room a story's linked outlets leave in its field for the summary
	maxFailureLine  = 600
	maxCounts       = 800
	defaultTitle    = "Sahel brief"
	untitled        = "Untitled story"
	continuedSuffix = " (continued)"
	colorHeadlines  = 0xE67E22
	colorFailed     = 0xE74C3C
)

var sectionColors = [...]int{0x3498DB, 0x2ECC71, 0x9B59B6, 0x1ABC9C, 0xF1C40F, 0x95A5A6}

// RenderDigest renders d as one or more create-message bodies, in posting
// order. Stories are embed fields grouped in one embed per headline group
// or section; a digest that does not fit one message is split between
// stories (a story is never spread over two messages) and a continued
// section repeats its title. Every message forbids all mentions.
func RenderDigest(d *briefing.Digest) []*discordgo.MessageSend {
	if d == nil {
		d = &briefing.Digest{}
	}
	title := feed(d.Title, MaxTitle)
	if title == "" {
		title = defaultTitle
	}
	seen := map[string]bool{}
	groups := []*group{storyGroup("Headlines", colorHeadlines, d.Headlines, seen)}
	for i, s := range d.Sections {
		groups = append(groups, storyGroup(s.Name, sectionColors[i%len(sectionColors)], s.Stories, seen))
	}
	stories := 0
	for _, g := range groups {
		stories += len(g.units)
	}
	if stories == 0 {
		groups = nil
	}
	groups = append(groups, failedGroup(d.Failed))

	var p packer
	p.newMessage()
	for _, g := range groups {
		for _, u := range g.units {
			p.add(g, u)
		}
	}
	n := len(p.msgs)
	for i, m := range p.msgs {
		part := ""
		if n > 1 {
			part = fmt.Sprintf(" · part %d of %d", i+1, n)
		}
		if i == 0 {
			m.Content = cut("**"+title+"**"+part+intro(d, stories), MaxContent)
		} else {
			m.Content = "**" + title + "**" + part
		}
	}
	return p.msgs
}

// intro is the first message's lines after its title: the window and
// counts, or the quiet-day sentence.
func intro(d *briefing.Digest, stories int) string {
	var b strings.Builder
	if label, sentence := bot.Coverage(d, func(t time.Time) string { return stamp(t, 'f') }); label != "" {
		icon := "⚠️"
		if d.Blind() {
			icon = "⛔"
		}
		b.WriteString("\n" + icon + " **" + label + ":** " + sentence)
		if d.Blind() && stories == 0 { // not a quiet day: nobody was listening
			if w := window(d); w != "" {
				b.WriteString("\nWindow: " + w)
			}
			return b.String()
		}
	}
	if stories == 0 && d.NoResults != "" {
		return b.String() + "\n" + feed(d.NoResults, 200)
	}
	if stories == 0 {
		b.WriteString("\nQuiet day: no stories matched this digest")
		if f := bot.FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, feed); f != "" {
			b.WriteString(" (" + f + ")")
		}
		if w := window(d); w != "" {
			b.WriteString(" in the window " + w)
		}
		b.WriteString(".")
		return b.String()
	}
	b.WriteString("\n" + bot.DigestFacts(window(d), stories, d, feed))
	if c := counts(d.Counts); c != "" {
		b.WriteString("\nBy country: " + c)
	}
	return b.String()
}

// unit is what must stay in one embed: a story field, or a description
// line (a failed source).
type unit struct {
	field *discordgo.MessageEmbedField
	line  string
	size  int // units counted towards the message's embed total
}

type group struct {
	title   string
	color   int
	units   []unit
	started bool // an embed for this group was opened
}

// packer fills messages with embeds within every limit.
type packer struct {
	msgs  []*discordgo.MessageSend
	msg   *discordgo.MessageSend
	total int // embed characters in msg
	embed *discordgo.MessageEmbed
	group *group
}

func (p *packer) newMessage() {
	p.msg = &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{},
		AllowedMentions: noMentions(),
	}
	p.msgs = append(p.msgs, p.msg)
	p.total, p.embed, p.group = 0, nil, nil
}

// noMentions allows no mention at all. Parse must be a non-nil empty slice:
// discordgo marshals it without omitempty, and a nil slice would send
// "parse": null rather than [].
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// fits reports whether u fits the current embed and message.
func (p *packer) fits(u unit) bool {
	e := p.embed
	if u.field != nil {
		return len(e.Fields) < MaxFields && p.total+u.size <= MaxEmbedTotal
	}
	extra := u.size
	if e.Description != "" {
		extra++ // newline
	}
	return units(e.Description)+extra <= MaxDescription && p.total+extra <= MaxEmbedTotal
}

func (p *packer) add(g *group, u unit) {
	if p.embed == nil || p.group != g || !p.fits(u) {
		title := g.title
		if g.started {
			title = cut(g.title, MaxTitle-units(continuedSuffix)) + continuedSuffix
		}
		if len(p.msg.Embeds) == MaxEmbeds || p.total+units(title)+u.size > MaxEmbedTotal {
			p.newMessage()
		}
		p.embed = &discordgo.MessageEmbed{Title: title, Color: g.color}
		p.msg.Embeds = append(p.msg.Embeds, p.embed)
		p.group, g.started = g, true
		p.total += units(title)
	}
	if u.field != nil {
		p.embed.Fields = append(p.embed.Fields, u.field)
		p.total += u.size
		return
	}
	if p.embed.Description != "" {
		p.embed.Description += "\n"
		p.total++
	}
	p.embed.Description += u.line
	p.total += u.size
}

// storyGroup renders stories as fields, skipping any story already
// rendered under an earlier heading (same non-empty ID).
func storyGroup(title string, color int, stories []briefing.Story, seen map[string]bool) *group {
	t := feed(title, MaxTitle-units(continuedSuffix))
	if t == "" {
		t = "Other"
	}
	g := &group{title: t, color: color}
	for i := range stories {
		s := &stories[i]
		if s.ID != "" {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
		}
		f := storyField(s)
		g.units = append(g.units, unit{field: f, size: units(f.Name) + units(f.Value)})
	}
	return g
}

// outletLinks is a story's outlets in Markdown, each linked to its report
// when there are several, as many as fit in max units.
func outletLinks(s *briefing.Story, max int) string {
	return bot.OutletList(s, max, units, func(name, url string) string {
		name = feed(name, maxMeta)
		if u := link(url); u != "" && name != "" {
			return "[" + name + "](" + u + ")"
		}
		return name
	})
}

// storyField is the title as the field name; the value is the summary,
// then a line with link, outlets, time and tags. The meta line is at most
// 4+40+2+maxURL + 3+maxMeta + 3+17 + 3+maxMeta < MaxFieldValue units.
func storyField(s *briefing.Story) *discordgo.MessageEmbedField {
	name := feed(s.Title, MaxFieldName)
	if name == "" {
		name = untitled
	}
	var meta []string
	if u := link(s.URL); u != "" {
		meta = append(meta, "["+host(u)+"]("+u+")")
	}
	outletAt := len(meta)
	at := s.Published
	if at.IsZero() {
		at = s.Updated
	}
	if !at.IsZero() {
		meta = append(meta, stamp(at, 'R'))
	}
	tags := make([]string, 0, len(s.Countries)+len(s.Actors))
	for _, t := range s.Countries {
		tags = append(tags, t.Name)
	}
	for _, t := range s.Actors {
		tags = append(tags, t.Name)
	}
	if t := feedList(tags, ", ", maxMeta); t != "" {
		meta = append(meta, t)
	}
	// The outlets, linked, take what the rest of the line leaves (and some
	// room for the summary).
	if o := outletLinks(s, MaxFieldValue-units(strings.Join(meta, " · "))-3-maxOutletSlack); o != "" {
		meta = slices.Insert(meta, outletAt, o)
	}
	value := strings.Join(meta, " · ")
	room := MaxFieldValue - units(value) - 1
	if sum := feed(s.Summary, min(maxSummary, room)); sum != "" && room >= 40 {
		if value == "" {
			value = sum
		} else {
			value = sum + "\n" + value
		}
	}
	if value == "" {
		value = "No details."
	}
	return &discordgo.MessageEmbedField{Name: name, Value: cut(value, MaxFieldValue)}
}

func failedGroup(failed []briefing.SourceFailure) *group {
	g := &group{title: "Failed sources", color: colorFailed}
	for _, f := range failed {
		name := feed(f.Name, 100)
		if name == "" {
			name = "(unnamed source)"
		}
		line := "⚠️ **" + name + "**"
		if e := feed(f.Error, maxFailureLine-200); e != "" {
			line += ": " + e
		}
		if f.Since.IsZero() {
			line += " (no success yet)"
		} else {
			line += " (last success " + stamp(f.Since, 'R') + ")"
		}
		g.units = append(g.units, unit{line: line, size: units(line)})
	}
	return g
}

// stamp is Discord's localized timestamp token.
func stamp(t time.Time, style byte) string {
	return "<t:" + strconv.FormatInt(t.Unix(), 10) + ":" + string(style) + ">"
}

func window(d *briefing.Digest) string {
	switch {
	case d.Since.IsZero() && d.Until.IsZero():
		return ""
	case d.Since.IsZero():
		return "until " + stamp(d.Until, 'f')
	case d.Until.IsZero():
		return "since " + stamp(d.Since, 'f')
	}
	return stamp(d.Since, 'f') + " – " + stamp(d.Until, 'f')
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
		parts = append(parts, name+" "+strconv.Itoa(c.Stories))
	}
	return cut(strings.Join(parts, " · "), maxCounts)
}

// feedList cleans, escapes and joins the non-empty items, then cuts.
func feedList(items []string, sep string, max int) string {
	var parts []string
	n := 0
	for _, it := range items {
		if c := cleanN(it, max); c != "" {
			e := escape(c)
			parts = append(parts, e)
			n += units(e) + units(sep)
		}
		if n > max {
			break
		}
	}
	return cut(strings.Join(parts, sep), max)
}

var plural = bot.Plural
