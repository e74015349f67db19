package story

import (
	"fmt"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// calendar is what the lexicon says of dates: the words that place an
// event on a day, and those that make a date the report's own day.
type calendar struct {
	weekdays   map[string]time.Weekday
	yesterday  map[string]bool
	reporting  map[string]bool
	night      map[string]bool
	dayBefore  *matcher
	background *matcher
}

func (c *calendar) load(spec lexiconSpec) error {
	c.weekdays = map[string]time.Weekday{}
	for w, n := range spec.Weekdays {
		if n < 0 || n > 6 {
			return fmt.Errorf("weekday %s: %d is no day of the week", w, n)
		}
		c.weekdays[tagger.Fold(w)] = time.Weekday(n)
	}
	c.yesterday, c.reporting, c.night = foldSet(spec.Yesterday), foldSet(spec.Reporting), foldSet(spec.Night)
	c.dayBefore, c.background = newMatcher(), newMatcher()
	if err := c.dayBefore.addAll(spec.DayBefore, 0); err != nil {
		return fmt.Errorf("day_before: %w", err)
	}
	if err := c.background.addAll(spec.DateBackground, 0); err != nil {
		return fmt.Errorf("date_background: %w", err)
	}
	return nil
}

func foldSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[tagger.Fold(w)] = true
	}
	return m
}

// days is a range of days (Unix time / 86400) on which a report places its
// event; a night from one day to the next is a range of two.
type days struct{ lo, hi int64 }

// apart reports whether two ranges share no day.
func (d days) apart(o days) bool { return o.lo > d.hi || d.lo > o.hi }

// eventDays returns the days the first date in words (folded, "" for a
// phrase break) places the event on, read relative to pub: "Saturday", "4
// août", "August 4", "samedi 4 août", "yesterday", "la nuit du 11 au 12
// juin". A date that is the report's own ("said on Monday") or another
// happening's ("since 1 August") is passed over; "said on Wednesday it had
// foiled a coup the previous day" places the event on Tuesday.
func (e *Engine) eventDays(words []string, pub time.Time) (days, bool) {
	ws := make([]string, 0, len(words))
	for _, w := range words {
		if w != "" {
			ws = append(ws, w)
		}
	}
	today := dayOf(time.Date(pub.Year(), pub.Month(), pub.Day(), 0, 0, 0, 0, time.UTC).Unix())
	for i := 0; i < len(ws); i++ {
		d, end, ok := e.dateAt(ws, i, pub, today)
		if !ok {
			continue
		}
		if d < today-eventAge || d > today+1 {
			// Weeks before the report ("who took power on 30 September")
			// or after it ("the vote set for 25 February"): another
			// happening's date, not the news of the day.
			i = end - 1
			continue
		}
		if e.dateBackground(ws, i) {
			i = end - 1
			continue
		}
		if e.reportingDate(ws, i, end) {
			if e.dayBeforeAfter(ws, end) {
				return days{d - 1, d - 1}, true
			}
			i = end - 1
			continue
		}
		return e.nightOf(ws, i, end, d, pub, today), true
	}
	return days{}, false
}

// eventAge is how many days before its report an event may lie and still
// be the report's news.
const eventAge = 7

// dateAt reads a date at ws[i], returning its day and the index past it.
func (e *Engine) dateAt(ws []string, i int, pub time.Time, today int64) (int64, int, bool) {
	c := &e.lex.calendar
	if n := dayNumber(ws, i); n > 0 {
		if m := e.monthAt(ws, i+1); m != 0 {
			return datedDay(ws, i+2, n, m, pub, today)
		}
		return 0, 0, false
	}
	// "May" is also a verb ("talks may 2 weeks from now…"): a May date is
	// read only day first ("4 May").
	if m := e.monthAt(ws, i); m != 0 && ws[i] != "may" {
		if n := dayNumber(ws, i+1); n > 0 {
			return datedDay(ws, i+2, n, m, pub, today)
		}
		return 0, 0, false
	}
	if wd, ok := c.weekdays[ws[i]]; ok {
		if n := dayNumber(ws, i+1); n > 0 {
			if m := e.monthAt(ws, i+2); m != 0 {
				return datedDay(ws, i+3, n, m, pub, today)
			}
			return weekdayBefore(wd, pub, today), i + 2, true
		}
		return weekdayBefore(wd, pub, today), i + 1, true
	}
	if c.yesterday[ws[i]] {
		return today - 1, i + 1, true
	}
	return 0, 0, false
}

// nightOf widens the day d read at ws[start:end] to a range when another
// day within two comes just before it ("du 11 au 12 juin": the first
// number has no month of its own) or just after it ("du vendredi 4 au
// samedi 5 juin", "Saturday to Sunday").
func (e *Engine) nightOf(ws []string, start, end int, d int64, pub time.Time, today int64) days {
	if start >= 2 && ws[start-1] == "au" && dayNumber(ws, start) > 0 {
		if n := dayNumber(ws, start-2); n > 0 {
			if d0 := dayOfMonth(n, e.monthAt(ws, start+1), pub, today); d0 < d && d-d0 <= 2 {
				return days{d0, d}
			}
		}
	}
	if end < len(ws) && e.lex.calendar.night[ws[end]] || start > 1 && e.lex.calendar.night[ws[start-2]] {
		// "Saturday night", "la nuit de samedi": into the next day.
		return days{d, d + 1}
	}
	for k := end; k < min(len(ws), end+4); k++ {
		d2, _, ok := e.dateAt(ws, k, pub, today)
		if ok && d2 != d && absInt(d2-d) <= 2 {
			return days{min(d, d2), max(d, d2)}
		}
	}
	return days{d, d}
}

func (e *Engine) monthAt(ws []string, i int) time.Month {
	if i < 0 || i >= len(ws) {
		return 0
	}
	return e.lex.months[ws[i]]
}

// dateBackground reports whether a word shortly before ws[i] makes the
// date another happening's ("until Monday", "avant le 4 août", "depuis le
// 26 juillet"). Three words: "deux mois après le coup d'État du 26 juillet"
// is out of reach, and reaching five words back lost more than it gained on
// the tuning half.
func (e *Engine) dateBackground(ws []string, i int) bool {
	found := false
	hit := func(int, int, int32) { found = true }
	before := ws[max(0, i-dateBackgroundReach):i]
	e.lex.calendar.background.find(before, hit)
	e.lex.background.find(before, hit)
	return found
}

// dateBackgroundReach is how many words before a date a background word
// reaches.
const dateBackgroundReach = 3

// reportingDate reports whether the date at ws[start:end] is the report's
// own: a reporting word within three words before it or two after it.
func (e *Engine) reportingDate(ws []string, start, end int) bool {
	for k := max(0, start-3); k < min(len(ws), end+2); k++ {
		if (k < start || k >= end) && e.lex.calendar.reporting[ws[k]] {
			return true
		}
	}
	return false
}

// dayBeforeAfter reports whether the 15 words after a reporting date say
// the event came the day before.
func (e *Engine) dayBeforeAfter(ws []string, end int) bool {
	found := false
	e.lex.calendar.dayBefore.find(ws[end:min(len(ws), end+15)], func(int, int, int32) { found = true })
	return found
}

// dayNumber reads ws[i] as a day of the month, 0 when it is none.
func dayNumber(ws []string, i int) int {
	if i < 0 || i >= len(ws) {
		return 0
	}
	if len(ws[i]) > 2 {
		return 0
	}
	if n, ok := digits(ws[i]); ok && n >= 1 && n <= 31 {
		return n
	}
	return 0
}

// digits reads a word of decimal digits. By hand: strconv.Atoi would
// allocate an error for every word that is not a number, which is most of
// them.
func digits(w string) (int, bool) {
	if len(w) == 0 || len(w) > 9 {
		return 0, false // no number, or one no count or date reaches
	}
	n := 0
	for k := 0; k < len(w); k++ {
		if w[k] < '0' || w[k] > '9' {
			return 0, false
		}
		n = 10*n + int(w[k]-'0')
	}
	return n, true
}

// datedDay is the day n of month m, in the year that follows at ws[end]
// if one does ("le 28 septembre 2009"), else the one nearest before the
// report; it returns the index past the date.
func datedDay(ws []string, end, n int, m time.Month, pub time.Time, today int64) (int64, int, bool) {
	if end < len(ws) && len(ws[end]) == 4 {
		if y := yearNumber(ws[end]); y > 0 {
			return dayOf(time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Unix()), end + 1, true
		}
	}
	return dayOfMonth(n, m, pub, today), end, true
}

// yearNumber reads a four-digit year, 0 when w is none.
func yearNumber(w string) int {
	if y, ok := digits(w); ok && y >= 1900 && y <= 2100 {
		return y
	}
	return 0
}

// dayOfMonth is the day n of month m nearest before the report (the year
// before when the date would lie well after it).
func dayOfMonth(n int, m time.Month, pub time.Time, today int64) int64 {
	d := dayOf(time.Date(pub.Year(), m, n, 0, 0, 0, 0, time.UTC).Unix())
	if d-today > 2 {
		d = dayOf(time.Date(pub.Year()-1, m, n, 0, 0, 0, 0, time.UTC).Unix())
	}
	return d
}

// weekdayBefore is the last day named wd on or before the report's day.
func weekdayBefore(wd time.Weekday, pub time.Time, today int64) int64 {
	return today - int64((int(pub.Weekday())-int(wd)+7)%7)
}

// datedLead returns the length of a dated dateline opening s ("BAMAKO,
// March 30 (Xinhua) --", "Libreville, 19 juillet 2025 (AGP) –"), 0 if
// none: the date there is the report's own, never its event's. Unlike
// dateline, which tells where a title was filed and so must know the
// place, it needs only the date: any short capitalized name will do.
func (e *Engine) datedLead(s string) int {
	end, size := -1, 0
	head := s[:min(len(s), 83)] // a dateline ends within 80 bytes; the longest separator has 3
	for _, sep := range []string{"—", "–", "--", " - ", ":"} {
		if k := strings.Index(head, sep); k >= 0 && k < 80 && (end < 0 || k < end) {
			end, size = k, len(sep)
		}
	}
	comma := strings.IndexByte(s, ',')
	if end < 0 || comma < 0 || comma > end {
		return 0
	}
	// A place of a few words, then the date right after the comma.
	place := tagger.Words(s[:comma])
	if len(place) == 0 || len(place) > 4 || !place[0].Title && !place[0].Upper {
		return 0
	}
	for _, w := range place {
		if e.lex.stop[w.Text] {
			return 0 // "On Monday, 4 August, …" is a sentence
		}
	}
	ws := texts(tagger.Words(s[comma:end]))
	for i := 0; i < min(len(ws), 4); i++ {
		if dayNumber(ws, i) > 0 && (e.monthAt(ws, i+1) != 0 || e.monthAt(ws, i-1) != 0) {
			return end + size
		}
	}
	return 0
}
