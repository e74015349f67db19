package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/store"
)

// Stored items are tagged when they are stored; `retag` (and `run`, in the
// background, when it finds the gazetteer changed) applies the current
// gazetteer to those stored before. Stories are left as they were
// assigned: re-assigning them would rename the stories that alert threads
// and past digests refer to (see store/retag.go).

// The background retag of `run` works in small transactions with a pause
// between them, so the poller's saves (which wait for the same writer
// lock) are never held up for more than a few milliseconds.
const (
	backgroundRetagBatch = 250
	backgroundRetagPause = 20 * time.Millisecond
	// backgroundRetagLogEvery spaces the progress lines of a long retag.
	backgroundRetagLogEvery = 10 * time.Second
)

func runRetag(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "retag")
	batch := fs.Int("batch", store.DefaultRetagBatch, "items retagged per transaction")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *batch <= 0 {
		fmt.Fprintln(env.stderr, "sahelbrief retag: --batch must be positive")
		return exitUsage
	}
	cfg, gaz, ok := loadConfigAndGazetteer(env)
	if !ok {
		return exitUsage
	}
	// No story assigner: retag stores no new item.
	st, ok := openStore(ctx, env, cfg, nil)
	if !ok {
		return exitFail
	}
	defer st.Close()

	progress := newProgress(env.stderr, 0, true)
	progress.format = "retagged %d/%d items…"
	start := time.Now()
	res, err := st.Retag(ctx, store.RetagOptions{Fingerprint: gaz.Fingerprint(), Tag: gaz.TagItem, Batch: *batch,
		Progress: func(p store.RetagProgress) { progress.set(p.Checked, max(p.Total, p.Checked)) }})
	progress.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(env.stderr, "sahelbrief retag: interrupted after %d of %d items (%d changed); run it again to continue\n",
				res.Checked, res.Total, res.Changed)
		} else {
			fmt.Fprintf(env.stderr, "sahelbrief retag: %v\n", err)
		}
		return exitFail
	}
	fmt.Fprintln(env.stdout, retagSummary(res, gaz.Fingerprint(), time.Since(start)))
	return exitOK
}

// retagSummary is retag's last line.
func retagSummary(res store.RetagResult, fingerprint string, took time.Duration) string {
	if res.UpToDate {
		return fmt.Sprintf("The stored tags follow the gazetteer already (%s): nothing to do.", fingerprint)
	}
	how := "Retagged"
	if res.Resumed {
		how = "Continued the interrupted retag:"
	}
	return fmt.Sprintf("%s %d items with gazetteer %s in %s: %d items' tags changed, %d stories' summaries updated.",
		how, res.Checked, fingerprint, took.Round(time.Millisecond), res.Changed, res.Stories)
}

// retagInBackground retags the stored items when their tags were made
// with another gazetteer than gaz (a config extension or a new built-in
// gazetteer), at low priority; `run` starts it beside the poller. Stopped
// (the bot stops), it continues at the next start.
func retagInBackground(ctx context.Context, st *store.Store, gaz *tagger.Gazetteer, log *slog.Logger) error {
	need, err := st.RetagNeeded(ctx, gaz.Fingerprint())
	if err != nil || !need {
		return err
	}
	log.Info("retag: the stored tags were made with another gazetteer (or before fingerprints were kept); retagging them in the background",
		"gazetteer", gaz.Fingerprint())
	start, logged := time.Now(), time.Now()
	res, err := st.Retag(ctx, store.RetagOptions{Fingerprint: gaz.Fingerprint(), Tag: gaz.TagItem,
		Batch: backgroundRetagBatch, Pause: backgroundRetagPause,
		Progress: func(p store.RetagProgress) {
			if time.Since(logged) >= backgroundRetagLogEvery {
				logged = time.Now()
				log.Info("retag: progress", "items", p.Checked, "of", p.Total, "changed", p.Changed)
			}
		}})
	if err != nil {
		if ctx.Err() != nil {
			log.Info("retag: stopped; it continues at the next start", "items", res.Checked, "changed", res.Changed)
			return nil
		}
		return err
	}
	log.Info("retag: done", "items", res.Checked, "changed", res.Changed, "stories", res.Stories,
		"resumed", res.Resumed, "duration", time.Since(start).Round(time.Millisecond).String())
	return nil
}
