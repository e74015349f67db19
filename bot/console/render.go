// Package console renders sahelbrief digests for a terminal (plain text,
// optionally coloured) and as Markdown.
package console

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

const (
	maxTitle     = 300
	maxSummary   = 400
	maxMeta      = 200
	maxError     = 400
	defaultTitle = "Sahel brief"
	untitled     = "(untitled)"
	windowLayout = "2006-01-02 15:04"
)

// ANSI styles, used only when colour is on.
const (
	reset   = "\x1b[0m"
	bold    = "\x1b[1m"
	dim     = "\x1b[2m"
	red     = "\x1b[31m"
	yellow  = "\x1b[33m"
	blue    = "\x1b[34m"
	cyan    = "\x1b[36m"
	boldCyn = "\x1b[1;36m"
)

// RenderText writes d as readable terminal text. Colour (ANSI escapes) is
// used only when color is true; the caller passes true on a TTY. Feed text
// is stripped of control characters, so it cannot inject escapes.
func RenderText(w io.Writer, d *briefing.Digest, color bool) error {
	if d == nil {
		d = &briefing.Digest{}
	}
	p := &textPrinter{color: color, stamp: stamper(d)}
	title := text(d.Title, maxTitle)
	if title == "" {
		title = defaultTitle
	}
	p.line(p.style(boldCyn, title))
	label, sentence := bot.Coverage(d, p.stamp)
	if label != "" {
		p.line(p.style(bold+red, strings.ToUpper(label)+": ") + p.style(red, sentence))
	}
	stories := groups(d)
	n := 0
	for _, g := range stories {
		n += len(g.stories)
	}
	if n == 0 && d.Blind() {
		p.line(p.style(dim, "Window: "+plainWindow(d)))
	} else if n == 0 && d.NoResults != "" {
		p.line(p.style(yellow, text(d.NoResults, maxTitle)))
	} else if n == 0 {
		p.line(p.style(dim, "Window: "+plainWindow(d)))
		var b strings.Builder
		b.WriteString("Quiet day: no stories matched this digest")
		if f := bot.FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, text); f != "" {
			b.WriteString(" (" + f + ")")
		}
		b.WriteString(".")
		p.line(p.style(yellow, b.String()))
	} else {
		p.line(p.style(dim, bot.DigestFacts(plainWindow(d), n, d, text)))
		if c := counts(d.Counts, text); c != "" {
			p.line("By country: " + c)
		}
		for _, g := range stories {
			p.line("")
			p.line(p.style(bold+yellow, strings.ToUpper(g.name)))
			for _, s := range g.stories {
				p.story(s)
			}
		}
	}
	if len(d.Failed) > 0 {
		p.line("")
		p.line(p.style(bold+red, fmt.Sprintf("FAILED SOURCES (%d)", len(d.Failed))))
		for _, f := range d.Failed {
			p.line("  " + p.style(red, "✗ ") + failure(f, text, func(s string) string { return s }, p.stamp))
		}
	}
	_, err := w.Write(p.buf.Bytes())
	return err
}

type textPrinter struct {
	buf   bytes.Buffer
	color bool
	stamp func(time.Time) string
}

func (p *textPrinter) line(s string) {
	p.buf.WriteString(s)
	p.buf.WriteByte('\n')
}

func (p *textPrinter) style(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + reset
}

func (p *textPrinter) story(s *briefing.Story) {
	t := text(s.Title, maxTitle)
	if t == "" {
		t = untitled
	}
	p.line("  • " + p.style(bold, t))
	if sum := text(s.Summary, maxSummary); sum != "" {
		p.line("    " + sum)
	}
	if m := meta(s, text, p.stamp); m != "" {
		p.line("    " + p.style(dim, m))
	}
	if u := link(s.URL); u != "" {
		p.line("    " + p.style(blue, u))
	}
}

// RenderMarkdown writes d as Markdown. Feed text is escaped so it cannot
// produce markup, links or HTML.
// It is one function (over 80 lines) because it reads top to bottom as the
// document it writes, section by section.
func RenderMarkdown(w io.Writer, d *briefing.Digest) error {
	if d == nil {
		d = &briefing.Digest{}
	}
	var b bytes.Buffer
	stamp := stamper(d)
	title := md(d.Title, maxTitle)
	if title == "" {
		title = defaultTitle
	}
	b.WriteString("# " + title + "\n\n")
	if label, sentence := bot.Coverage(d, stamp); label != "" {
		b.WriteString("**" + label + ":** " + sentence + "\n\n")
	}
	stories := groups(d)
	n := 0
	for _, g := range stories {
		n += len(g.stories)
	}
	if n == 0 && d.Blind() {
		if win := plainWindow(d); win != "" {
			b.WriteString("_Window: " + win + "_\n")
		}
	} else if n == 0 && d.NoResults != "" {
		b.WriteString(md(d.NoResults, maxTitle) + "\n")
	} else if n == 0 {
		b.WriteString("**Quiet day:** no stories matched this digest")
		if f := bot.FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, md); f != "" {
			b.WriteString(" (" + f + ")")
		}
		if win := plainWindow(d); win != "" {
			b.WriteString(" in the window " + win)
		}
		b.WriteString(".\n")
	} else {
		info := []string{}
		if win := plainWindow(d); win != "" {
			info = append(info, win)
		}
		info = append(info, plural(n, "story", "stories"))
		if d.TotalItems > 0 {
			info = append(info, plural(d.TotalItems, "item", "items"))
		}
		if b := bot.Backlog(d); b != "" {
			info = append(info, b)
		}
		if f := bot.FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, md); f != "" {
			info = append(info, f)
		}
		b.WriteString("_" + strings.Join(info, " · ") + "_\n")
		if c := counts(d.Counts, md); c != "" {
			b.WriteString("\n**By country:** " + c + "\n")
		}
		for _, g := range stories {
			b.WriteString("\n## " + g.mdName + "\n\n")
			for _, s := range g.stories {
				t := md(s.Title, maxTitle)
				if t == "" {
					t = untitled
				}
				if u := link(s.URL); u != "" {
					t = "[" + t + "](<" + u + ">)"
				}
				b.WriteString("- **" + t + "**")
				if sum := md(s.Summary, maxSummary); sum != "" {
					b.WriteString("  \n  " + sum)
				}
				if m := meta(s, md, stamp); m != "" {
					b.WriteString("  \n  _" + m + "_")
				}
				b.WriteString("\n")
			}
		}
	}
	if len(d.Failed) > 0 {
		fmt.Fprintf(&b, "\n## Failed sources (%d)\n\n", len(d.Failed))
		for _, f := range d.Failed {
			b.WriteString("- " + failure(f, md, func(s string) string { return "**" + s + "**" }, stamp) + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// group is a heading and its stories, duplicates (same non-empty ID as a
// story under an earlier heading) removed.
type group struct {
	name, mdName string
	stories      []*briefing.Story
}

func groups(d *briefing.Digest) []group {
	seen := map[string]bool{}
	var out []group
	add := func(name string, ss []briefing.Story) {
		g := group{name: text(name, 100), mdName: md(name, 100)}
		if g.name == "" {
			g.name, g.mdName = "Other", "Other"
		}
		for i := range ss {
			s := &ss[i]
			if s.ID != "" {
				if seen[s.ID] {
					continue
				}
				seen[s.ID] = true
			}
			g.stories = append(g.stories, s)
		}
		if len(g.stories) > 0 {
			out = append(out, g)
		}
	}
	add("Headlines", d.Headlines)
	for _, s := range d.Sections {
		add(s.Name, s.Stories)
	}
	return out
}

// meta is a story's outlets, time and tags, each through esc.
func meta(s *briefing.Story, esc func(string, int) string, when func(time.Time) string) string {
	var parts []string
	if o := list(s.Outlets, ", ", esc); o != "" {
		parts = append(parts, o)
	}
	at := s.Published
	if at.IsZero() {
		at = s.Updated
	}
	if !at.IsZero() {
		parts = append(parts, when(at))
	}
	tags := make([]string, 0, len(s.Countries)+len(s.Actors))
	for _, t := range s.Countries {
		tags = append(tags, t.Name)
	}
	for _, t := range s.Actors {
		tags = append(tags, t.Name)
	}
	if t := list(tags, ", ", esc); t != "" {
		parts = append(parts, t)
	}
	return strings.Join(parts, " · ")
}

func list(items []string, sep string, esc func(string, int) string) string {
	var parts []string
	n := 0
	for _, it := range items {
		if c := esc(it, maxMeta); c != "" {
			parts = append(parts, c)
			n += len(c)
		}
		if n > maxMeta {
			break
		}
	}
	return cut(strings.Join(parts, sep), maxMeta)
}

func failure(f briefing.SourceFailure, esc func(string, int) string, name func(string) string,
	stamp func(time.Time) string) string {
	n := esc(f.Name, 100)
	if n == "" {
		n = "(unnamed source)"
	}
	s := name(n)
	if e := esc(f.Error, maxError); e != "" {
		s += ": " + e
	}
	if f.Since.IsZero() {
		return s + " (no success yet)"
	}
	return s + " (last success " + stamp(f.Since) + ")"
}

// stamper writes times relative to the digest's end (now for a digest
// without one): the year shows for an older one.
func stamper(d *briefing.Digest) func(time.Time) string {
	now := d.Until
	if now.IsZero() {
		now = time.Now()
	}
	loc := location(d)
	return func(t time.Time) string { return bot.Stamp(t.In(loc), now) }
}

func plainWindow(d *briefing.Digest) string {
	loc := location(d)
	zone := " " + d.Until.In(loc).Format("MST")
	switch {
	case d.Since.IsZero() && d.Until.IsZero():
		return ""
	case d.Since.IsZero():
		return "until " + d.Until.In(loc).Format(windowLayout) + zone
	case d.Until.IsZero():
		return "since " + d.Since.In(loc).Format(windowLayout) + " " + d.Since.In(loc).Format("MST")
	}
	return d.Since.In(loc).Format(windowLayout) + " → " + d.Until.In(loc).Format(windowLayout) + zone
}

// location is where the reader is: the digest's, else UTC.
func location(d *briefing.Digest) *time.Location {
	if d.Location != nil {
		return d.Location
	}
	return time.UTC
}

func counts(cs []briefing.CountryCount, esc func(string, int) string) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		name := esc(c.Name, 100)
		if name == "" {
			name = esc(c.ID, 100)
		}
		if name != "" {
			parts = append(parts, name+" "+strconv.Itoa(c.Stories))
		}
	}
	return strings.Join(parts, " · ")
}

var plural = bot.Plural
