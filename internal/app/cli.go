// Package app is the sahelbrief application: the command line (the
// subcommands, their flags and exit codes), the setup every command shares
// (config → store → sources → bot → adapters) and Main, the long-running
// bot of `run`. The repository's main.go only calls Run.
package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"golang.org/x/term"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/sources"
	"github.com/sahelbrief/sahelbrief/store"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the job failed
	exitUsage = 2 // bad usage or configuration
	// exitLost: the database file was deleted or replaced under the bot.
	// A service manager must not restart it: a new start would create an
	// empty database at the path and carry on as if nothing was lost.
	exitLost = 3
)

// command is one subcommand: its name, one-line summary and entry point.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) int
}

var commands = []command{
	{"fetch", "poll every due source once and store new items", runFetch},
	{"sources", "list sources with their health (--check tries each)", runSources},
	{"brief", "fetch, then print the digest of the last 24 hours (or --since)", runBrief},
	{"search", "search the stored news, answered in stories, as /sahel search", runSearch},
	{"run", "run the bot (the default): poll, alert, post digests, answer commands", runRun},
	{"shell", "answer /sahel commands typed in the terminal, without polling or posting", runShell},
	{"serve", "answer Slack and Discord commands only, without polling or posting", runServe},
	{"slack", "slack manifest: print a Slack app manifest for /sahel", runSlack},
	{"discord", "discord register [--guild ID]: create the /sahel command; discord invite-url", runDiscord},
	{"tag", "tag JSON lines from stdin with countries and actors", runTag},
	{"retag", "apply the current gazetteer (config extensions included) to stored items", runRetag},
	{"stories", "assign JSON lines from stdin to stories, as the bot does", runStories},
	{"config", "print the effective configuration (secrets redacted)", runConfig},
	{"doctor", "check a deployment: config, database, Slack, Discord, sources, HTTP address", runDoctor},
	{"backup", "backup PATH: copy the database, online, into a new file", runBackup},
	{"version", "print the version and VCS revision this binary was built from", runVersion},
}

// cliEnv is what every subcommand gets: streams, and the global flags.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	overrides      map[string]string // from --config and --db
	getenv         func(string) (string, bool)
	gaz            *tagger.Gazetteer // built by loadConfig, with the config's extensions
}

// fail tells the user what went wrong, as every subcommand does: the
// program's name and the error.
func (env *cliEnv) fail(err error) {
	fmt.Fprintf(env.stderr, "sahelbrief: %v\n", err)
}

// Run runs the command line args (without the program name) and returns
// the process's exit code. stdin may be nil (it then reads nothing);
// getenv is how the configuration reads the environment (os.LookupEnv).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) (string, bool)) int {
	if stdin == nil {
		stdin = bytes.NewReader(nil)
	}
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr, overrides: map[string]string{}, getenv: getenv}
	global := flag.NewFlagSet("sahelbrief", flag.ContinueOnError)
	global.SetOutput(stderr)
	addGlobalFlags(global, env)
	global.Usage = func() { usage(stderr) }
	showVersion := global.Bool("version", false, "print the version and exit")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *showVersion {
		return runVersion(ctx, env, nil)
	}
	rest := global.Args()
	if len(rest) == 0 {
		return runRun(ctx, env, nil)
	}
	if rest[0] == "help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == rest[0] {
			return c.run(ctx, env, rest[1:])
		}
	}
	fmt.Fprintf(stderr, "sahelbrief: unknown command %q\n\n", rest[0])
	usage(stderr)
	return exitUsage
}

// addGlobalFlags declares --config and --db on a flag set; every
// subcommand declares them too, so they work before or after its name.
func addGlobalFlags(fs *flag.FlagSet, env *cliEnv) {
	fs.Func("config", "YAML config `file` (env SAHELBRIEF_CONFIG)", func(v string) error {
		env.overrides["SAHELBRIEF_CONFIG"] = v
		return nil
	})
	fs.Func("db", "SQLite database `path` (env SAHELBRIEF_DB, default sahelbrief.db)", func(v string) error {
		env.overrides["SAHELBRIEF_DB"] = v
		return nil
	})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: sahelbrief [--config FILE] [--db PATH] [--version] [<command> [flags]]")
	fmt.Fprintln(w, "\nWith no command, sahelbrief runs the bot (see `run`).")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sahelbrief <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 the job failed, 2 usage or configuration error.")
}

// newFlagSet makes a subcommand's flag set with the global flags and a
// usage line.
func newFlagSet(env *cliEnv, name string) *flag.FlagSet {
	h := helpFor(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	addGlobalFlags(fs, env)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: sahelbrief %s %s\n\n%s\n\nFlags:\n", name, h.args, h.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a subcommand's flags; ok is false when the command
// should exit with code (help asked, or bad flags).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "sahelbrief %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage, false
	}
	return 0, true
}

// parseFlagsArgs is parseFlags for a command taking exactly n positional
// arguments (flags may come before or after them).
func parseFlagsArgs(fs *flag.FlagSet, args []string, n int) (code int, ok bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK, false
			}
			return exitUsage, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != n {
		fmt.Fprintf(fs.Output(), "sahelbrief %s: want %d argument(s), got %d\n", fs.Name(), n, len(pos))
		fs.Usage()
		return exitUsage, false
	}
	// Parse again so that fs.Args() holds the positional arguments alone.
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		return exitUsage, false
	}
	return 0, true
}

// loadConfig loads the configuration and sets up logging, reporting every
// bad setting on stderr, one a line. Loading checks all that the commands
// use: the source list (built-in, disabled, extra), the gazetteer
// extensions and the digests' names, so `config` rejects what `run` would.
// The gazetteer it builds for that is kept in env for loadGazetteer.
func loadConfig(env *cliEnv) (*config.Config, bool) {
	cfg, err := config.Load(loadOptions(env))
	if err != nil {
		reportErrors(env.stderr, err)
		return nil, false
	}
	slogDefault(env, cfg)
	return cfg, true
}

// loadOptions are how every command loads the configuration: with the
// built-in feeds and a vocabulary of the gazetteer (kept in env).
func loadOptions(env *cliEnv) config.LoadOptions {
	return config.LoadOptions{Getenv: env.getenv, Overrides: env.overrides,
		BuiltinSources: sources.BuiltinYAML,
		Vocabulary: func(ext []byte) (config.Vocabulary, error) {
			g, err := buildGazetteer(ext)
			env.gaz = g
			return gazetteerVocabulary{g}, err
		}}
}

// reportErrors writes each of a joined error's parts on its own line.
func reportErrors(w io.Writer, err error) {
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	for _, e := range list {
		fmt.Fprintf(w, "sahelbrief: %v\n", e)
	}
}

// slogDefault sets up logging as the configuration says.
func slogDefault(env *cliEnv, cfg *config.Config) {
	slog.SetDefault(newLogger(env.stderr, cfg.LogLevel))
}

// newLogger logs text on a terminal and JSON otherwise, for log shippers.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether w is a terminal (not merely a character
// device: /dev/null is one too, and a service's stdin often is it).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// sourceList is the configured sources (config has merged the built-in
// list, disable: and extra_sources:).
func sourceList(cfg *config.Config) ([]briefing.Source, error) {
	if len(cfg.Sources) == 0 {
		return nil, fmt.Errorf("config: no sources to poll")
	}
	out := make([]briefing.Source, len(cfg.Sources))
	for i, s := range cfg.Sources {
		out[i] = briefing.Source{Name: s.Name, URL: s.URL, Lang: s.Lang, Interval: s.Interval}
	}
	return out, nil
}

// loadSources is sourceList reporting a bad list on stderr.
func loadSources(env *cliEnv, cfg *config.Config) ([]briefing.Source, bool) {
	srcs, err := sourceList(cfg)
	if err != nil {
		env.fail(err)
		return nil, false
	}
	return srcs, true
}

// newFetcher builds the fetcher the configuration describes.
func newFetcher(cfg *config.Config) *sources.Fetcher {
	return sources.NewFetcher(sources.Options{
		UserAgent:       cfg.UserAgent,
		MaxBody:         cfg.MaxFeedBytes,
		MaxItems:        cfg.MaxFeedItems,
		Timeout:         cfg.FetchTimeout,
		DefaultInterval: cfg.PollInterval,
		MaxBackoff:      cfg.MaxBackoff,
	})
}

// loadConfigAndGazetteer is loadConfig with the gazetteer it built (the
// built-in one with the config file's `gazetteer:` extensions) and checked
// the configuration with.
func loadConfigAndGazetteer(env *cliEnv) (*config.Config, *tagger.Gazetteer, bool) {
	cfg, ok := loadConfig(env)
	if !ok {
		return nil, nil, false
	}
	if env.gaz == nil {
		fmt.Fprintln(env.stderr, "sahelbrief: config: gazetteer: not loaded")
		return nil, nil, false
	}
	return cfg, env.gaz, true
}

// openStoreReadOnly opens the database for a command that only reads, so
// it works on a read-only file; it reports a problem on stderr.
func openStoreReadOnly(ctx context.Context, env *cliEnv, cfg *config.Config) (*store.Store, bool) {
	st, err := store.OpenReadOnly(ctx, cfg.DBPath)
	if err != nil {
		env.fail(err)
		return nil, false
	}
	return st, true
}

// openStoreForCommands opens the database writable when it can, else (a
// read-only file) read-only with a warning: answering commands needs only
// reads; those that change something then fail.
func openStoreForCommands(ctx context.Context, env *cliEnv, cfg *config.Config, gaz *tagger.Gazetteer) (*store.Store, bool) {
	if f, err := os.OpenFile(cfg.DBPath, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if errors.Is(err, os.ErrPermission) {
		st, err := store.OpenReadOnly(ctx, cfg.DBPath)
		if err == nil {
			fmt.Fprintf(env.stderr, "sahelbrief: %s is read-only: answers work, commands that change something (subscribe, digest) will fail\n",
				cfg.DBPath)
			return st, true
		}
		env.fail(err)
		return nil, false
	}
	return openStore(ctx, env, cfg, gaz)
}

// openStore opens the database and makes its config-owned digest
// schedules those of the config file. The sync is here, where every
// command opens the store, rather than in `run` alone: `shell`, `serve`
// and the rest then show and honour the file's digests (and refuse chat
// changes to them) from the first command, and the schedules stay in one
// place, the store, that the bot reads. It writes only what changed.
// With a gazetteer, the store assigns every item it saves to a story with
// the story engine, and items stored before (an older database) are
// assigned first; a database that cannot be written is still opened for
// reading, its unassigned items standing alone.
func openStore(ctx context.Context, env *cliEnv, cfg *config.Config, gaz *tagger.Gazetteer) (*store.Store, bool) {
	st, err := store.Open(ctx, cfg.DBPath)
	if err != nil {
		env.fail(err)
		return nil, false
	}
	if err := bot.SyncConfigDigests(ctx, st, configDigests(cfg)); err != nil {
		st.Close()
		env.fail(err)
		return nil, false
	}
	if gaz == nil {
		return st, true
	}
	engine, err := story.New(gaz, story.Options{})
	if err != nil {
		st.Close()
		env.fail(err)
		return nil, false
	}
	st.SetStoryAssigner(engine)
	if n, err := st.AssignStories(ctx); err != nil {
		slog.Warn("stories: could not assign stored items", "err", err, "assigned", n)
	} else if n > 0 {
		slog.Info("stories: assigned stored items", "items", n)
	}
	return st, true
}

func runConfig(_ context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "config")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	fmt.Fprint(env.stdout, cfg.Dump())
	return exitOK
}
