package story

import (
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

func TestEventDays(t *testing.T) {
	e := newTestEngine(t)
	// Tuesday 6 August 2024, 10:00 UTC.
	pub := time.Date(2024, 8, 6, 10, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) int64 { return dayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()) }
	tests := []struct {
		text   string
		lo, hi int64
		ok     bool
	}{
		{"Gunmen killed 15 soldiers on Saturday near Djibo", day(2024, 8, 3), day(2024, 8, 3), true},
		{"Le Mali a rompu ses relations avec l'Ukraine ce dimanche 4 août", day(2024, 8, 4), day(2024, 8, 4), true},
		{"Attack on August 4 kills 20", day(2024, 8, 4), day(2024, 8, 4), true},
		{"Une attaque a visé hier la localité de Seytenga", day(2024, 8, 5), day(2024, 8, 5), true},
		{"The attack took place on Tuesday", day(2024, 8, 6), day(2024, 8, 6), true},
		// The report's own day is passed over; the event's is kept.
		{"The army said on Monday that 40 soldiers were killed on Saturday", day(2024, 8, 3), day(2024, 8, 3), true},
		{"The junta said on Monday it had foiled a coup attempt the previous day", day(2024, 8, 4), day(2024, 8, 4), true},
		{"Le gouvernement a annoncé lundi la dissolution des partis", 0, 0, false},
		// Another happening's date is no date of this event.
		{"Detained since 1 August, the soldiers were freed", 0, 0, false},
		{"Détenus depuis le 26 juillet, les soldats ont été libérés", 0, 0, false},
		// A night across two days.
		{"Dans la nuit du vendredi 2 au samedi 3 août, deux raids ont eu lieu", day(2024, 8, 2), day(2024, 8, 3), true},
		{"L'attaque, dans la nuit du 2 au 3 août, a fait 50 morts", day(2024, 8, 2), day(2024, 8, 3), true},
		{"Overnight Saturday to Sunday, militants attacked the camp", day(2024, 8, 3), day(2024, 8, 4), true},
		// A date without a year is the one before the report.
		{"Le 2 août, des soldats ont été tués", day(2024, 8, 2), day(2024, 8, 2), true},
		// Dates weeks before or after the report are another happening's.
		{"Le 28 décembre, des soldats ont été tués", 0, 0, false},
		{"Le capitaine, qui a pris le pouvoir le 30 juin dernier, a été investi samedi", day(2024, 8, 3), day(2024, 8, 3), true},
		{"Le procès du massacre du 4 août 2009 a repris lundi 5 août", day(2024, 8, 5), day(2024, 8, 5), true},
		{"Le vote, prévu le 5 août, est reporté", 0, 0, false},
		{"The election set for August 25 was postponed", 0, 0, false},
		// A night runs into the next day.
		{"Gunmen attacked the camp on Saturday night", day(2024, 8, 3), day(2024, 8, 4), true},
		{"Dans la nuit de samedi, des hommes armés ont attaqué le camp", day(2024, 8, 3), day(2024, 8, 4), true},
		// "May" the verb is no month.
		{"Talks may 2 weeks from now resume", 0, 0, false},
		{"No date here", 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := e.eventDays(texts(tagger.Words(tt.text)), pub)
		if ok != tt.ok || ok && (got.lo != tt.lo || got.hi != tt.hi) {
			t.Errorf("%q: got %v %v, want %d..%d %v", tt.text, got, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestDatedLead(t *testing.T) {
	e := newTestEngine(t)
	for _, tt := range []struct {
		text string
		want string // what follows the dateline
	}{
		{"BAMAKO, March 30 (Xinhua) -- The mission on Tuesday released", " The mission on Tuesday released"},
		{"Libreville, 19 juillet 2025 (AGP) – Le gouvernement a annoncé vendredi", " Le gouvernement a annoncé vendredi"},
		{"Mali, juillet 13 -- Assemblée nationale incendiée", " Assemblée nationale incendiée"},
		{"Niger: 12 soldiers killed on Monday", "Niger: 12 soldiers killed on Monday"},
		{"On Monday, 4 August, gunmen attacked — the army said", "On Monday, 4 August, gunmen attacked — the army said"},
	} {
		if got := tt.text[e.datedLead(tt.text):]; got != tt.want {
			t.Errorf("%q: after the dateline %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestDaysApart(t *testing.T) {
	if (days{10, 11}).apart(days{11, 11}) || !(days{10, 10}).apart(days{11, 12}) || (days{12, 12}).apart(days{11, 12}) {
		t.Error("ranges sharing a day are not apart; ranges sharing none are")
	}
}

func TestCountsApart(t *testing.T) {
	tests := []struct {
		a, b []int
		want bool
	}{
		{[]int{51}, []int{15}, true},    // two attacks
		{[]int{100}, []int{130}, false}, // a toll revised
		{[]int{12}, []int{24}, false},   // a dozen, then 24
		{[]int{5}, []int{50}, false},    // small counts say little
		{nil, []int{50}, false},
		{[]int{3, 40}, []int{120, 45}, false}, // one pair agrees
	}
	for _, tt := range tests {
		if got := countsApart(tt.a, tt.b); got != tt.want {
			t.Errorf("countsApart(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
