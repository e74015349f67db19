package app

import (
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
)

// gazetteerVocabulary lets config check the country and actor names of
// the file's digests against the gazetteer (the file's extensions
// included) while it loads, so every command, `config` too, rejects
// what `run` would.
type gazetteerVocabulary struct{ g *tagger.Gazetteer }

func (v gazetteerVocabulary) Resolve(kind, name string) (id, suggestion string, ok bool) {
	k := tagger.KindCountry
	if kind == "actor" {
		k = tagger.KindActor
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
func buildGazetteer(ext []byte) (*tagger.Gazetteer, error) {
	spec := tagger.BuiltinGazetteerSpec()
	if ext != nil {
		e, err := tagger.ParseGazetteer(ext)
		if err != nil {
			return nil, err
		}
		spec = spec.Merge(e)
	}
	return tagger.NewGazetteer(spec)
}

// configDigests turns the config file's digests: into schedules; config
// has validated them and resolved their names to ids. bot.SyncConfigDigests
// stores them.
func configDigests(cfg *config.Config) []briefing.DigestSchedule {
	out := make([]briefing.DigestSchedule, 0, len(cfg.Digests))
	for _, d := range cfg.Digests {
		out = append(out, briefing.DigestSchedule{Channel: d.Channel, Cron: d.Cron, TZ: d.TZ, Country: d.Country, Actor: d.Actor, Origin: briefing.OriginConfig})
	}
	return out
}
