package app

import (
	"context"
	"fmt"
	"os"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/console"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/store"
)

func runShell(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "shell")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	_, b, st, code := openBot(ctx, env, openStoreForCommands)
	if b == nil {
		return code
	}
	defer st.Close()
	sh := &console.Shell{Bot: b, In: env.stdin, Out: env.stdout, Color: isTerminal(env.stdout)}
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

// loadBotSetup loads the configuration, the gazetteer and the source list,
// reporting a problem on stderr (ok false: a usage or configuration error).
func loadBotSetup(env *cliEnv) (*config.Config, *tagger.Gazetteer, []briefing.Source, bool) {
	cfg, gaz, ok := loadConfigAndGazetteer(env)
	if !ok {
		return nil, nil, nil, false
	}
	srcs, ok := loadSources(env, cfg)
	if !ok {
		return nil, nil, nil, false
	}
	return cfg, gaz, srcs, true
}

// storeOpener is one of the ways a command opens the database (openStore,
// openStoreForCommands, readOnly).
type storeOpener func(context.Context, *cliEnv, *config.Config, *tagger.Gazetteer) (*store.Store, bool)

// readOnly opens the database read-only, as a storeOpener.
func readOnly(ctx context.Context, env *cliEnv, cfg *config.Config, _ *tagger.Gazetteer) (*store.Store, bool) {
	return openStoreReadOnly(ctx, env, cfg)
}

// openBot loads what a chat front end needs: the configuration, the
// gazetteer, the source list and the store (opened with open), and builds
// the bot. On failure
// it has reported the problem and b is nil; code is the exit status.
func openBot(ctx context.Context, env *cliEnv, open storeOpener) (cfg *config.Config, b *bot.Bot, st *store.Store, code int) {
	cfg, gaz, srcs, ok := loadBotSetup(env)
	if !ok {
		return nil, nil, nil, exitUsage
	}
	st, ok = open(ctx, env, cfg, gaz)
	if !ok {
		return nil, nil, nil, exitFail
	}
	b = bot.New(st, gaz, srcs, bot.Limits{})
	b.Now = clockNow
	b.Lang, b.AnswerTTL = cfg.Lang, cfg.AnswerTTL
	return cfg, b, st, exitOK
}
