package discord

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// Discord's limits on application commands.
const (
	CommandName     = "sahel"
	maxChoices      = 25
	maxSubcommands  = 25
	maxDescription  = 100
	maxChoiceLength = 100
	maxQueryOption  = 200
)

// Option names of the `/sahel` subcommands; interactions.go rebuilds the
// command text from them.
const (
	optSince    = "since"
	optName     = "name"
	optQuery    = "query"
	optID       = "id"
	optSchedule = "schedule"
	optTZ       = "tz"
	optCommand  = "command"
	optShare    = "share"
)

// CommandDefinition is the `/sahel` chat-input command: one subcommand per
// bot command, with typed options.
func CommandDefinition(b *bot.Bot) *discordgo.ApplicationCommand {
	cmds := b.Commands()
	def := &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        CommandName,
		Description: "Sahel news briefings: digests, search, alerts",
	}
	for i, c := range cmds {
		if i == maxSubcommands {
			break
		}
		def.Options = append(def.Options, &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionSubCommand,
			Name:        c.Name,
			Description: description(c.Summary),
			Options:     subcommandOptions(c.Name, cmds),
		})
	}
	return def
}

func description(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > maxDescription {
		return string(r[:maxDescription-1]) + "…"
	}
	return s
}

func sinceOption() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: optSince,
		Description: "how far back: 12h, 3d (default 24h)", MaxLength: 10}
}

func shareOption() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: optShare,
		Description: "post the answer for the whole channel (default: only you see it)"}
}

func subcommandOptions(name string, cmds []bot.Command) []*discordgo.ApplicationCommandOption {
	str := discordgo.ApplicationCommandOptionString
	switch name {
	case "brief":
		return []*discordgo.ApplicationCommandOption{sinceOption(), shareOption()}
	case "country", "actor":
		return []*discordgo.ApplicationCommandOption{
			{Type: str, Name: optName, Description: "the " + name + " (name, alias or id)", Required: true, Autocomplete: true, MaxLength: maxChoiceLength},
			sinceOption(), shareOption()}
	case "search":
		return []*discordgo.ApplicationCommandOption{
			{Type: str, Name: optQuery, Description: `words, "phrases", OR, -exclusions, country:, actor:`, Required: true, MaxLength: maxQueryOption},
			shareOption()}
	case "subscribe":
		return []*discordgo.ApplicationCommandOption{
			{Type: str, Name: optQuery, Description: "alert on news matching this query", Required: true, MaxLength: maxQueryOption}}
	case "unsubscribe":
		one := 1.0
		return []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionInteger, Name: optID, Description: "the subscription's id (see /sahel subscriptions)", Required: true, MinValue: &one}}
	case "digest":
		return []*discordgo.ApplicationCommandOption{
			{Type: str, Name: optSchedule, Description: "cron (0 7 * * 1-5), @daily, show or off", Required: true, MaxLength: maxChoiceLength},
			{Type: str, Name: optTZ, Description: "IANA time zone (default UTC)", MaxLength: 64, Choices: []*discordgo.ApplicationCommandOptionChoice{
				{Name: "UTC", Value: "UTC"},
				{Name: "Africa/Bamako (Mali)", Value: "Africa/Bamako"},
				{Name: "Africa/Ouagadougou (Burkina Faso)", Value: "Africa/Ouagadougou"},
				{Name: "Africa/Niamey (Niger)", Value: "Africa/Niamey"},
				{Name: "Africa/Ndjamena (Chad)", Value: "Africa/Ndjamena"},
				{Name: "Africa/Nouakchott (Mauritania)", Value: "Africa/Nouakchott"},
				{Name: "Africa/Dakar (Senegal)", Value: "Africa/Dakar"},
				{Name: "Africa/Lagos (Nigeria)", Value: "Africa/Lagos"},
				{Name: "Europe/Paris", Value: "Europe/Paris"},
			}}}
	case "help":
		o := &discordgo.ApplicationCommandOption{Type: str, Name: optCommand, Description: "the command to explain"}
		for i, c := range cmds {
			if i == maxChoices {
				break
			}
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c.Name, Value: c.Name})
		}
		return []*discordgo.ApplicationCommandOption{o}
	}
	return nil
}

// AutocompleteChoices offers up to 25 countries or actors matching what the
// user typed (name = display name, value = id): exact and alias matches
// first, then prefixes, word prefixes and substrings of the folded names
// and ids. Nothing typed lists the first 25.
func AutocompleteChoices(g *tagger.Gazetteer, kind tagger.Kind, typed string) []*discordgo.ApplicationCommandOptionChoice {
	if g == nil {
		return []*discordgo.ApplicationCommandOptionChoice{}
	}
	var tags []briefing.Tag
	switch kind {
	case tagger.KindCountry:
		tags = g.Countries()
	case tagger.KindActor:
		tags = g.Actors()
	default:
		return []*discordgo.ApplicationCommandOptionChoice{}
	}
	want := tagger.Fold(typed)
	var resolved string
	if want != "" {
		if t, ok, _ := g.Resolve(kind, typed); ok {
			resolved = t.ID
		}
	}
	type scored struct {
		t     briefing.Tag
		score int
		pos   int
	}
	var cands []scored
	for i, t := range tags {
		name, id := tagger.Fold(t.Name), tagger.Fold(t.ID)
		score := -1
		switch {
		case want == "":
			score = 5
		case t.ID == resolved || name == want || id == want:
			score = 0
		case strings.HasPrefix(name, want) || strings.HasPrefix(id, want):
			score = 1
		case strings.Contains(" "+name, " "+want) || strings.Contains(" "+id, " "+want):
			score = 2
		case strings.Contains(name, want) || strings.Contains(id, want):
			score = 3
		}
		if score >= 0 {
			cands = append(cands, scored{t, score, i})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score < cands[j].score })
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(cands), maxChoices))
	for _, c := range cands {
		if len(out) == maxChoices {
			break
		}
		name := c.t.Name
		if name == "" {
			name = c.t.ID
		}
		if r := []rune(name); len(r) > maxChoiceLength {
			name = string(r[:maxChoiceLength])
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: c.t.ID})
	}
	return out
}

// Register installs the `/sahel` command, overwriting the application's
// commands: in one guild when guildID is set (instant, for testing),
// globally otherwise.
func Register(ctx context.Context, s *discordgo.Session, appID, guildID string, b *bot.Bot) error {
	if s == nil || appID == "" {
		return fmt.Errorf("discord: register needs a session and an application id")
	}
	_, err := s.ApplicationCommandBulkOverwrite(appID, guildID, []*discordgo.ApplicationCommand{CommandDefinition(b)}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: registering /%s: %w", CommandName, err)
	}
	return nil
}
