package main

import (
	"context"
	"fmt"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/store"
)

// gazetteerVocabulary lets config check the country and actor names of
// the file's digests against the gazetteer (the file's extensions
// included) while it loads, so every command, `config` too, rejects
// what `run` would.
type gazetteerVocabulary struct{ g *briefing.Gazetteer }

func (v gazetteerVocabulary) Resolve(kind, name string) (id, suggestion string, ok bool) {
	k := briefing.KindCountry
	if kind == "actor" {
		k = briefing.KindActor
	}
	tag, ok, sugg := v.g.Resolve(k, name)
	if ok {
		return tag.ID, "", true
	}
	if len(sugg) > 0 {
		return "", sugg[0].ID, false
	}
	return "", "", false
}

// buildGazetteer compiles the built-in gazetteer with the config file's
// `gazetteer:` extensions (nil for none).
func buildGazetteer(ext []byte) (*briefing.Gazetteer, error) {
	spec := briefing.BuiltinGazetteerSpec()
	if ext != nil {
		e, err := briefing.ParseGazetteer(ext)
		if err != nil {
			return nil, err
		}
		spec = spec.Merge(e)
	}
	return briefing.NewGazetteer(spec)
}

// configDigests turns the config file's digests: into schedules; config
// has validated them and resolved their names to ids.
func configDigests(cfg *config.Config) []briefing.DigestSchedule {
	out := make([]briefing.DigestSchedule, 0, len(cfg.Digests))
	for _, d := range cfg.Digests {
		out = append(out, briefing.DigestSchedule{Channel: d.Channel, Cron: d.Cron, TZ: d.TZ, Country: d.Country, Actor: d.Actor, Origin: briefing.OriginConfig})
	}
	return out
}

// syncConfigDigests makes the stored config-owned schedules those of the
// config file: new or changed ones are written (a changed one owes no
// slot from before the change), removed ones deleted. Schedules set with
// /sahel digest are left alone unless the file now names their channel.
func syncConfigDigests(ctx context.Context, st *store.Store, digests []briefing.DigestSchedule) error {
	current, err := st.DigestSchedules(ctx)
	if err != nil {
		return fmt.Errorf("config digests: %w", err)
	}
	have := map[string]briefing.DigestSchedule{}
	for _, d := range current {
		have[d.Channel] = d
	}
	want := map[string]bool{}
	for _, d := range digests {
		want[d.Channel] = true
		if old, ok := have[d.Channel]; ok && old.Origin == briefing.OriginConfig && old.Cron == d.Cron && old.TZ == d.TZ &&
			old.Country == d.Country && old.Actor == d.Actor {
			continue // unchanged: keep its time, so slots since are still owed
		}
		d.UpdatedBy = "config"
		if err := st.SetDigestSchedule(ctx, d); err != nil {
			return fmt.Errorf("config digests: %s: %w", d.Channel, err)
		}
	}
	for _, d := range current {
		if d.Origin == briefing.OriginConfig && !want[d.Channel] {
			if err := st.DeleteDigestSchedule(ctx, d.Channel); err != nil {
				return fmt.Errorf("config digests: %s: %w", d.Channel, err)
			}
		}
	}
	return nil
}
