package app

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/sahelbrief/sahelbrief/bot"
)

// runSearch answers a search from the terminal exactly as `/sahel search`
// does in chat (the same query language, stories, limits), printed in any
// digest format.
func runSearch(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "search")
	limit := fs.Int("limit", 10, "stories to show at most")
	format := fs.String("format", "text", "output: "+strings.Join(briefFormats, ", "))
	asJSON := fs.Bool("json", false, "same as --format json")
	flagArgs, words := splitQueryArgs(fs, args)
	if code, ok := parseFlags(fs, flagArgs); !ok {
		return code
	}
	query := strings.Join(words, " ")
	if *asJSON {
		*format = "json"
	}
	switch {
	case strings.TrimSpace(query) == "":
		fmt.Fprintln(env.stderr, "sahelbrief search: what should I look for? Give a query.")
		fs.Usage()
		return exitUsage
	case !validFormat(*format):
		fmt.Fprintf(env.stderr, "sahelbrief search: unknown --format %q: use one of %s\n", *format, strings.Join(briefFormats, ", "))
		return exitUsage
	case *limit <= 0 || *limit > 100:
		fmt.Fprintf(env.stderr, "sahelbrief search: --limit %d: give 1 to 100\n", *limit)
		return exitUsage
	}
	_, b, st, code := openBot(ctx, env, readOnly)
	if b == nil {
		return code
	}
	defer st.Close()
	b.Limits.SearchResults = *limit
	r := b.Handle(ctx, bot.Request{Channel: "console", User: "cli", Text: "search " + query})
	if r.Err || r.Digest == nil {
		fmt.Fprintf(env.stderr, "sahelbrief search: %s\n", r.Text)
		return exitUsage
	}
	if err := renderDigest(env.stdout, r.Digest, *format); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief search: %v\n", err)
		return exitFail
	}
	return exitOK
}

// splitQueryArgs tells the command's flags (anywhere, as for every
// command) from the query's words, which may start with "-" to exclude a
// term ("-turkey"): a "-" word is a flag only when fs defines it. A flag
// that is not a boolean takes the next argument as its value.
func splitQueryArgs(fs *flag.FlagSet, args []string) (flagArgs, words []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if !strings.HasPrefix(a, "-") || a == "-" || (f == nil && name != "h" && name != "help" && !strings.HasPrefix(a, "--")) {
			words = append(words, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		if f == nil || hasValue {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !(ok && b.IsBoolFlag()) && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	return flagArgs, words
}
