package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

// SyncWriter serializes writes to one stream, so alerts printed by the
// running bot never cut into a shell answer: each message is rendered
// whole and written in one Write.
type SyncWriter struct {
	mu sync.Mutex
	W  io.Writer
}

// Write writes p in one piece.
func (w *SyncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.W.Write(p)
}

// Deliverer prints deliveries to the console channel: alerts, their
// follow-ups, summaries and scheduled digests.
type Deliverer struct {
	Out   io.Writer // share a SyncWriter with the Shell
	Color bool
	// Prompt, when the shell is interactive, is printed again after each
	// message (which starts on a new line), since it arrives while the
	// user may be typing.
	Prompt string
	seq    atomic.Int64
}

var _ bot.Deliverer = (*Deliverer)(nil)

// Deliver prints m. A terminal cannot be searched for an earlier copy, so
// a resumed delivery (an attempt after a crash or a failed write) says it
// may repeat what was printed before.
func (d *Deliverer) Deliver(_ context.Context, m bot.Message, resume bool) (string, error) {
	if m.Channel != Channel {
		return "", bot.Permanent(fmt.Errorf("console: channel %q is not %q", m.Channel, Channel))
	}
	var buf bytes.Buffer
	if d.Prompt != "" {
		buf.WriteString("\n")
	}
	if resume {
		buf.WriteString(d.style(dim, "(sent again after an interrupted attempt; it may repeat)") + "\n")
	}
	if err := d.render(&buf, m); err != nil {
		return "", bot.Permanent(err)
	}
	buf.WriteString(d.Prompt)
	if _, err := d.Out.Write(buf.Bytes()); err != nil {
		return "", fmt.Errorf("console: write: %w", err)
	}
	return fmt.Sprintf("console-%d", d.seq.Add(1)), nil
}

func (d *Deliverer) render(w *bytes.Buffer, m bot.Message) error {
	switch m.Kind {
	case bot.KindDigest:
		if m.Digest == nil {
			return errors.New("console: digest message without a digest")
		}
		if m.Late {
			fmt.Fprintf(w, "%s\n", d.style(yellow, "Late: this digest was scheduled for "+m.Scheduled.Format("Mon 02 Jan 15:04 MST")))
		}
		return RenderText(w, m.Digest, d.Color)
	case bot.KindAlert:
		if len(m.Alerts) != 1 {
			return fmt.Errorf("console: alert with %d items", len(m.Alerts))
		}
		a := m.Alerts[0]
		fmt.Fprintf(w, "%s %s\n", d.style(boldCyn, "ALERT"), d.style(bold, title(a.Item.Title)))
		var meta []string
		meta = append(meta, text(strings.Join(a.OutletNames(), ", "), maxMeta))
		if tags := tagNames(a); tags != "" {
			meta = append(meta, tags)
		}
		if !a.Item.Published.IsZero() {
			now := m.Scheduled // when it was queued
			if now.IsZero() {
				now = time.Now()
			}
			meta = append(meta, bot.Stamp(a.Item.Published.UTC(), now))
		}
		fmt.Fprintf(w, "  %s\n", d.style(dim, strings.Join(meta, " · ")))
		if a.Item.Summary != "" {
			fmt.Fprintf(w, "  %s\n", text(a.Item.Summary, 240))
		}
		if u := link(a.Item.URL); u != "" {
			fmt.Fprintf(w, "  %s\n", d.style(blue, u))
		}
		fmt.Fprintf(w, "  %s\n", d.style(dim, "matched: "+text(strings.Join(a.Queries, " | "), maxMeta)))
	case bot.KindReply:
		if len(m.Alerts) != 1 {
			return fmt.Errorf("console: reply with %d items", len(m.Alerts))
		}
		a := m.Alerts[0]
		fmt.Fprintf(w, "  ↳ also reported by %s: %s", text(a.Item.Outlet, 80), title(a.Item.Title))
		if u := link(a.Item.URL); u != "" {
			fmt.Fprintf(w, "  %s", d.style(blue, u))
		}
		w.WriteString("\n")
	case bot.KindSummary:
		word := "stories"
		if len(m.Alerts) == 1 {
			word = "story"
		}
		fmt.Fprintf(w, "%s %s\n", d.style(boldCyn, "ALERTS"),
			d.style(bold, fmt.Sprintf("%d more %s matched your subscriptions (over this channel's alert limit):", len(m.Alerts), word)))
		for _, a := range m.Alerts {
			fmt.Fprintf(w, "  • %s — %s", title(a.Item.Title), text(strings.Join(a.OutletNames(), ", "), 80))
			if u := link(a.Item.URL); u != "" {
				fmt.Fprintf(w, "  %s", d.style(blue, u))
			}
			w.WriteString("\n")
		}
	default:
		return fmt.Errorf("console: unknown message kind %q", m.Kind)
	}
	return nil
}

func (d *Deliverer) style(code, s string) string {
	if !d.Color {
		return s
	}
	return code + s + reset
}

func title(s string) string {
	if t := text(s, maxTitle); t != "" {
		return t
	}
	return untitled
}

func tagNames(a bot.Alert) string {
	var names []string
	for _, ts := range [][]briefing.Tag{a.Countries, a.Actors} {
		for _, t := range ts {
			names = append(names, t.Name)
		}
	}
	return text(strings.Join(names, ", "), maxMeta)
}
