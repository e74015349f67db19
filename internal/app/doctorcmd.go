package app

import (
	"context"
	"fmt"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/doctor"
	"github.com/sahelbrief/sahelbrief/sources"
)

// runDoctor checks a deployment (internal/doctor) and exits 1 if any
// check failed.
// maxDoctorTimeout bounds doctor --timeout.
const maxDoctorTimeout = 10 * time.Minute

func runDoctor(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "doctor")
	noSources := fs.Bool("no-sources", false, "do not fetch the sources")
	timeout := fs.Duration("timeout", 10*time.Second, "limit for each source fetch and each Slack or Discord call")
	guild := fs.String("guild", "", "Discord server (guild `id`) where /sahel may be registered instead of globally")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *timeout <= 0 || *timeout > maxDoctorTimeout {
		// A negative time limit would fail every check with a misleading
		// "timed out"; a huge one would hang on a dead host.
		fmt.Fprintf(env.stderr, "sahelbrief doctor: --timeout %s: give more than 0 and at most %s\n", *timeout, maxDoctorTimeout)
		return exitUsage
	}
	o := doctor.Options{DiscordGuild: *guild, Timeout: *timeout}
	o.Config, o.Sources, o.ConfigErr = doctorConfig(env)
	if o.ConfigErr == nil {
		slogDefault(env, o.Config)
		if !*noSources {
			short := *o.Config
			short.FetchTimeout = min(short.FetchTimeout, *timeout)
			o.Poller = newPoller(&short, sources.Fresh)
		}
	}
	if doctor.Run(ctx, env.stdout, o).Failed() {
		return exitFail
	}
	return exitOK
}

// doctorConfig loads everything the configuration says (settings, feed
// list, gazetteer extensions), returning the first error.
func doctorConfig(env *cliEnv) (*config.Config, []briefing.Source, error) {
	cfg, err := config.Load(loadOptions(env)) // checks the feed list and gazetteer extensions too
	if err != nil {
		return nil, nil, err
	}
	srcs, err := sourceList(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, srcs, nil
}
