package app

import (
	_ "embed"
	"fmt"
	"strings"
)

// helpText holds every subcommand's usage and help as data (help.txt):
// the texts are read and changed in one place, not in Go strings spread
// over the command files.
//
//go:embed help.txt
var helpText string

// commandHelp is one subcommand's usage line and help.
type commandHelp struct{ args, summary string }

// helps is help.txt parsed, by subcommand name ("slack manifest").
var helps = parseHelp(helpText)

// parseHelp reads "== name | arguments" headers, each followed by its
// help text; lines starting with "#" before the first header are comments.
func parseHelp(text string) map[string]commandHelp {
	out := map[string]commandHelp{}
	for _, block := range strings.Split(text, "\n== ")[1:] {
		head, body, _ := strings.Cut(block, "\n")
		name, args, ok := strings.Cut(head, " | ")
		if !ok {
			panic(fmt.Sprintf("app: help.txt: header %q lacks \" | \"", head))
		}
		out[strings.TrimSpace(name)] = commandHelp{args: strings.TrimSpace(args), summary: strings.TrimSpace(body)}
	}
	return out
}

// helpFor returns the help of subcommand name; a command without one is a
// programming error (TestEveryFlagSetHasHelp).
func helpFor(name string) commandHelp {
	h, ok := helps[name]
	if !ok {
		panic("app: no help for " + name + " in help.txt")
	}
	return h
}
