package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/console"
)

func runShell(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "shell", "",
		"Answer /sahel commands typed in the terminal (or piped in), over the stored news: brief, country,\n"+
			"actor, search, subscribe, digest, sources, help. The leading /sahel is optional. Run `fetch` first,\n"+
			"or use `brief`, which fetches; the long-running `run` (polling, schedules, alerts) comes later.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	gaz, ok := loadGazetteer(env, cfg)
	if !ok {
		return exitUsage
	}
	srcs, err := sourceList(cfg)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief: %v\n", err)
		return exitUsage
	}
	st, ok := openStore(ctx, env, cfg)
	if !ok {
		return exitFail
	}
	defer st.Close()
	sh := &console.Shell{Bot: bot.New(st, gaz, srcs, bot.Limits{}), In: env.stdin, Out: env.stdout, Color: isTerminal(env.stdout)}
	if f, ok := env.stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprintln(env.stdout, "sahelbrief shell: type /sahel help, or quit.")
		sh.Prompt = "sahel> "
	}
	if err := sh.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(env.stderr, "sahelbrief shell: %v\n", err)
		return exitFail
	}
	return exitOK
}
