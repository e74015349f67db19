package console

import (
	"context"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/bot"
)

// The shell answers line by line, with or without "/sahel", refuses other
// slash commands, keeps terminal control sequences out of messages and
// stops at quit.
func TestShellRunsUntilQuit(t *testing.T) {
	var out strings.Builder
	s := &Shell{Bot: bot.New(nil, nil, nil, bot.Limits{}), Out: &out, Prompt: "> ",
		In: strings.NewReader("help search\n\n/giphy cats\n/sahel frobnicate\x1b[2J\nQUIT\nhelp\n")}
	if err := s.Run(context.Background()); err != nil || !s.Quit() {
		t.Fatalf("Run = %v, quit %v; want nil after quit", err, s.Quit())
	}
	got := out.String()
	for _, want := range []string{"> `/sahel search <query>`", "> Commands start with /sahel. Try /sahel help.\n",
		"Unknown command `frobnicate[2j`."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") || strings.Count(got, "sahelbrief: news on the Sahel") != 1 {
		t.Errorf("an escape sequence printed, or the line after quit answered:\n%s", got)
	}
	if !strings.HasSuffix(got, "> ") {
		t.Errorf("no prompt after the last answer: %q", got[max(0, len(got)-20):])
	}
}

func TestCommandText(t *testing.T) {
	for _, tt := range []struct {
		line, want string
		ok         bool
	}{
		{"/sahel brief 12h", "brief 12h", true}, {"SAHEL  country mali", "country mali", true},
		{"brief", "brief", true}, {"/giphy cats", "", false}, {"/sahel", "", true},
	} {
		if got, ok := commandText(tt.line); got != tt.want || ok != tt.ok {
			t.Errorf("commandText(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}
