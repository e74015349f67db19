package console

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Channel is the console's channel id: subscriptions and schedules made
// in the shell belong to it.
const Channel = "console"

// Shell is the console adapter: it reads `/sahel …` commands line by line
// and prints the answers, so anyone can try sahelbrief in a terminal. It
// is also the end-to-end test harness: feed it lines from a buffer and
// read the output.
type Shell struct {
	Bot    *bot.Bot
	In     io.Reader
	Out    io.Writer
	Color  bool   // ANSI colour (the caller passes true on a terminal)
	Prompt string // printed before each command when interactive ("" for none)
	User   string // the console user's id (default "console")
	quit   bool
}

// Quit reports whether Run ended because the user typed quit or exit
// (rather than the input ending).
func (s *Shell) Quit() bool { return s.quit }

// Run answers lines until the input ends or ctx is cancelled. The console
// user manages its own channel. Empty lines are skipped; "quit" and "exit"
// stop. The leading "/sahel" is optional.
func (s *Shell) Run(ctx context.Context) error {
	user := s.User
	if user == "" {
		user = "console"
	}
	sc := bufio.NewScanner(s.In)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	s.prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line := strings.TrimSpace(sc.Text())
		switch strings.ToLower(line) {
		case "":
			s.prompt()
			continue
		case "quit", "exit", "/quit", "/exit":
			s.quit = true
			return nil
		}
		text, ok := commandText(line)
		if !ok {
			fmt.Fprintln(s.Out, "Commands start with /sahel. Try /sahel help.")
			s.prompt()
			continue
		}
		resp := s.Bot.Handle(ctx, bot.Request{Channel: Channel, User: user, Text: text, CanManage: true})
		if err := s.Print(resp); err != nil {
			return err
		}
		s.prompt()
	}
	return sc.Err()
}

// commandText strips "/sahel" (or "sahel") from a console line.
func commandText(line string) (string, bool) {
	first, rest, _ := strings.Cut(line, " ")
	switch strings.ToLower(first) {
	case "/sahel", "sahel":
		return strings.TrimSpace(rest), true
	}
	if strings.HasPrefix(first, "/") {
		return "", false
	}
	return line, true // "brief", "country mali": the prefix is optional here
}

// Print writes one response: a digest through the text renderer, or the
// message. Messages from the bot use Slack-style `code` marks, which read
// fine in a terminal as they are.
func (s *Shell) Print(r bot.Response) error {
	if r.Digest != nil {
		// Rendered whole, then written once: alerts printed meanwhile
		// (a SyncWriter) never land inside it.
		var buf bytes.Buffer
		if err := RenderText(&buf, r.Digest, s.Color); err != nil {
			return err
		}
		_, err := s.Out.Write(buf.Bytes())
		return err
	}
	text := clean0(r.Text)
	if r.Err && s.Color {
		text = "\x1b[31m" + text + "\x1b[0m"
	}
	_, err := fmt.Fprintln(s.Out, text)
	return err
}

func (s *Shell) prompt() {
	if s.Prompt != "" {
		fmt.Fprint(s.Out, s.Prompt)
	}
}

// clean0 keeps bot messages (which may quote user input back) free of
// terminal control sequences, line by line.
func clean0(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}
