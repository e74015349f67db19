package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

var nameRE = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

func checkOptions(t *testing.T, where string, opts []*discordgo.ApplicationCommandOption) {
	t.Helper()
	if len(opts) > 25 {
		t.Errorf("%s: %d options", where, len(opts))
	}
	optional := false
	for _, o := range opts {
		w := where + " " + o.Name
		if !nameRE.MatchString(o.Name) {
			t.Errorf("%s: bad name", w)
		}
		if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
			t.Errorf("%s: description of %d characters", w, n)
		}
		if o.Required && optional {
			t.Errorf("%s: required after optional", w)
		}
		optional = optional || !o.Required
		if o.Autocomplete && len(o.Choices) > 0 {
			t.Errorf("%s: autocomplete and choices", w)
		}
		if len(o.Choices) > 25 {
			t.Errorf("%s: %d choices", w, len(o.Choices))
		}
		checkOptions(t, w, o.Options)
	}
}

func testBot() *bot.Bot { return bot.New(&fakeStore{}, tagger.DefaultGazetteer(), nil, bot.Limits{}) }

func TestCommandDefinitionLimits(t *testing.T) {
	b := testBot()
	def := CommandDefinition(b)
	if def.Name != "sahel" || def.Type != discordgo.ChatApplicationCommand || def.Description == "" {
		t.Errorf("definition %+v", def)
	}
	checkOptions(t, "/sahel", def.Options)
	if len(def.Options) != len(b.Commands()) {
		t.Errorf("%d subcommands for %d commands", len(def.Options), len(b.Commands()))
	}
	opts := map[string]map[string]*discordgo.ApplicationCommandOption{}
	for _, sub := range def.Options {
		if sub.Type != discordgo.ApplicationCommandOptionSubCommand {
			t.Errorf("%s is not a subcommand", sub.Name)
		}
		opts[sub.Name] = map[string]*discordgo.ApplicationCommandOption{}
		for _, o := range sub.Options {
			opts[sub.Name][o.Name] = o
		}
	}
	for _, c := range []string{"country", "actor"} {
		if o := opts[c]["name"]; o == nil || !o.Autocomplete || !o.Required {
			t.Errorf("%s name option: %+v", c, o)
		}
	}
	for _, c := range []string{"search", "subscribe"} {
		if o := opts[c]["query"]; o == nil || o.MaxLength != 200 {
			t.Errorf("%s query option: %+v", c, o)
		}
	}
	if o := opts["unsubscribe"]["id"]; o == nil || o.Type != discordgo.ApplicationCommandOptionInteger || o.MinValue == nil || *o.MinValue != 1 {
		t.Errorf("unsubscribe id option: %+v", o)
	}
}

func TestAutocompleteChoices(t *testing.T) {
	g := tagger.DefaultGazetteer()
	for _, tc := range []struct {
		kind  tagger.Kind
		typed string
		want  string
	}{
		{tagger.KindCountry, "burk", "burkina-faso"},
		{tagger.KindCountry, "Burkina", "burkina-faso"},
		{tagger.KindCountry, "faso", "burkina-faso"},
		{tagger.KindCountry, "mali", "mali"},
		{tagger.KindActor, "wagn", "wagner"},
	} {
		got := AutocompleteChoices(g, tc.kind, tc.typed)
		if len(got) == 0 || got[0].Value != tc.want {
			t.Errorf("%v %q: %v", tc.kind, tc.typed, got)
		}
	}
	all := AutocompleteChoices(g, tagger.KindCountry, "")
	if len(all) == 0 || len(all) > 25 {
		t.Errorf("%d choices for nothing typed", len(all))
	}
	if got := AutocompleteChoices(g, tagger.KindCountry, "zzzzqqq"); len(got) != 0 {
		t.Errorf("nonsense matched %v", got)
	}
}

func TestRegister(t *testing.T) {
	s, f := fakeSession(t)
	b := testBot()
	for guild, path := range map[string]string{"G1": "/applications/app/guilds/G1/commands", "": "/applications/app/commands"} {
		f.mu.Lock()
		f.reqs = nil
		f.mu.Unlock()
		if err := Register(context.Background(), s, "app", guild, b); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 1 || reqs[0].Method != http.MethodPut || !strings.HasSuffix(reqs[0].URL, path) {
			t.Fatalf("requests %+v", reqs)
		}
		var body []struct {
			Name        string `json:"name"`
			Type        int    `json:"type"`
			Description string `json:"description"`
			Options     []struct {
				Name    string `json:"name"`
				Type    int    `json:"type"`
				Options []struct {
					Name         string `json:"name"`
					Type         int    `json:"type"`
					Autocomplete bool   `json:"autocomplete"`
				} `json:"options"`
			} `json:"options"`
		}
		if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
			t.Fatalf("%v: %s", err, reqs[0].Body)
		}
		if len(body) != 1 || body[0].Name != "sahel" || body[0].Type != 1 || len(body[0].Options) != len(b.Commands()) {
			t.Fatalf("body %s", reqs[0].Body)
		}
		for _, sub := range body[0].Options {
			if sub.Type != 1 {
				t.Errorf("%s: type %d", sub.Name, sub.Type)
			}
		}
	}
}
