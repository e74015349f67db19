package story

import (
	"slices"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// TestEventTypes: the kinds of event a title names, after background
// words, unless rules and the types that make others background.
func TestEventTypes(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		title string
		want  []string
	}{
		{"Au moins 15 soldats tués dans une attaque jihadiste au Burkina Faso", []string{"attack"}},
		// Mourning recalls the attack; it is not the attack.
		{"Burkina Faso began two days of mourning after 41 people died in the latest attack", []string{"mourning"}},
		{"Deuil national de 72 heures après l'embuscade de Tabatol", []string{"mourning"}},
		// Sworn in, named and a government formed are three events.
		{"Mahamat Déby sworn in as president", []string{"inauguration"}},
		{"Kebzabo named prime minister of Chad", []string{"appointment"}},
		{"Le gouvernement du nouveau Premier ministre est composé de 24 membres", []string{"government"}},
		{"Niger's junta announces a 21-man government", []string{"government"}},
		// A reaction is its own event, whatever it names.
		{"Ukraine rejects Mali's accusations after it cut ties", []string{"reaction"}},
		{"Au Mali, un Français arrêté : \"Des accusations sans fondement\" selon Paris", []string{"reaction"}},
		// A hostage found dead is not the kidnapping.
		{"Canadian geologist kidnapped in Burkina Faso found dead", []string{"found-dead"}},
		// Background: the coup a government comes from is not news.
		{"Le régime militaire issu du coup d'État forme un gouvernement", []string{"government"}},
		// Words that only start like an event word name none: "according",
		// "several", "investigation", "quite", "urgent", "marché".
		{"Massacre left 600 dead according to a French assessment", []string{"massacre"}},
		{"Several hostages freed by French special forces", []string{"release"}},
		{"Investigation opened into the Bounti airstrike", []string{"strike"}},
		{"The situation is quite tense in Bamako, an urgent appeal", nil},
		{"Du village de Songho au marché de Bandiagara", nil},
		{"Mali and Ukraine: Bamako severs diplomatic ties", []string{"diplomatic-break"}},
		// Journalists killed are an attack, not a media ban; a liberation
		// front frees no one; a statement released is published.
		{"Two Spanish journalists killed in Burkina Faso attack", []string{"attack"}},
		{"L'armée ciblée par une embuscade du Front de libération de l'Azawad", []string{"ambush"}},
		{"Chad ends its defence pact with France, according to a statement released by the ministry", []string{"agreement"}},
		// Results proclaimed are the election's; an oath taken is an
		// inauguration; a bus fired upon is no dismissal.
		{"La CENI a proclamé les résultats provisoires de la présidentielle", []string{"election"}},
		{"Ibrahim Traoré takes oath as transitional president", []string{"inauguration"}},
		{"Militants fired upon a bus, killing 31", []string{"killing"}},
		{"La convocation de l'ambassadeur est un nouveau signe des tensions", nil},
		{"The State Department is ordering the temporary departure of non-emergency staff", []string{"evacuation"}},
		{"Les avions de chasse français quittent le Tchad", []string{"withdrawal"}},
		{"Au lendemain du coup d'État, le général se proclame président", []string{"appointment"}},
		{"Le Mali, le Burkina Faso et le Niger annoncent se retirer de la Cour pénale internationale", []string{"trial", "withdrawal"}},
		// "In response to" tells why, not a reaction: the expulsion stays.
		{"France expels two Malian diplomats in response to the arrest of its agent", []string{"arrest", "expulsion"}},
		{"Alpha Condé a gagné la présidentielle, remportant un troisième mandat", []string{"election"}},
		{"La France annonce la reprise des opérations conjointes avec les FAMa", nil},
	}
	for _, tt := range tests {
		types, _, _ := e.eventTypes(texts(tagger.Words(tt.title)))
		got := e.typeNames(types)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: types %v, want %v", tt.title, got, tt.want)
		}
	}
}
