package sources

import (
	"strconv"
	"strings"
	"time"
)

// monthNames maps month names and abbreviations in English, French,
// Portuguese and Spanish (accents removed, lower case) to months. French
// outlets and regional CMSs write "mer., 27 mars 2024 10:00:00 +0100",
// which RFC 822 parsers, gofeed's included, reject.
var monthNames = map[string]time.Month{}

func init() {
	for m, names := range map[time.Month]string{
		time.January:   "jan janv janvier january janeiro enero ene",
		time.February:  "feb fev fevr fevrier february fevereiro febrero",
		time.March:     "mar mars march marco marzo",
		time.April:     "apr avr avril april abr abril",
		time.May:       "may mai mayo maio",
		time.June:      "jun juin june junio junho",
		time.July:      "jul juil juillet july julio julho",
		time.August:    "aug aout august ago agosto",
		time.September: "sep sept set septembre september septiembre setembro",
		time.October:   "oct octobre october out outubro octubre",
		time.November:  "nov novembre november noviembre novembro",
		time.December:  "dec decembre december dic diciembre dez dezembro",
	} {
		for _, n := range strings.Fields(names) {
			monthNames[n] = m
		}
	}
}

var foldAccents = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "û", "u", "ù", "u", "ç", "c",
	"á", "a", "à", "a", "â", "a", "ã", "a", "í", "i", "ó", "o", "ô", "o", "ú", "u")

var zoneOffsets = map[string]int{"gmt": 0, "utc": 0, "ut": 0, "z": 0, "wat": 3600, "cet": 3600, "cest": 7200,
	"bst": 3600, "est": -5 * 3600, "edt": -4 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600}

// parseLocalizedDate reads "[weekday,] day month year hh:mm[:ss] [zone]"
// with month names in any of the languages above. It is the fallback for
// dates gofeed could not parse; ok is false when this is no such date.
func parseLocalizedDate(s string) (t time.Time, ok bool) {
	s = foldAccents.Replace(strings.ToLower(strings.TrimSpace(s)))
	s = strings.NewReplacer(",", " ", ".", " ").Replace(s)
	f := strings.Fields(s)
	if len(f) > 0 {
		if _, err := strconv.Atoi(f[0]); err != nil {
			f = f[1:] // weekday
		}
	}
	if len(f) < 3 {
		return time.Time{}, false
	}
	day, err1 := strconv.Atoi(f[0])
	month, okMonth := monthNames[f[1]]
	year, err2 := strconv.Atoi(f[2])
	if err1 != nil || !okMonth || err2 != nil || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if year < 100 {
		year += 2000
	}
	hour, minute, sec := 0, 0, 0
	loc := time.UTC
	if len(f) > 3 {
		clock := strings.NewReplacer("h", ":").Replace(f[3])
		parts := strings.Split(clock, ":")
		nums := make([]int, 0, 3)
		for _, p := range parts {
			if p == "" {
				continue
			}
			n, err := strconv.Atoi(p)
			if err != nil {
				return time.Time{}, false
			}
			nums = append(nums, n)
		}
		if len(nums) < 2 || nums[0] > 23 || nums[1] > 59 {
			return time.Time{}, false
		}
		hour, minute = nums[0], nums[1]
		if len(nums) > 2 {
			sec = nums[2]
		}
		if len(f) > 4 {
			loc = zone(f[4])
		}
	}
	return time.Date(year, month, day, hour, minute, sec, 0, loc).UTC(), true
}

// zone reads "+0100", "-03:00", or a common abbreviation; unknown is UTC.
func zone(z string) *time.Location {
	if off, ok := zoneOffsets[z]; ok {
		return time.FixedZone(strings.ToUpper(z), off)
	}
	z = strings.ReplaceAll(z, ":", "")
	if len(z) == 5 && (z[0] == '+' || z[0] == '-') {
		h, err1 := strconv.Atoi(z[1:3])
		m, err2 := strconv.Atoi(z[3:5])
		if err1 == nil && err2 == nil {
			off := h*3600 + m*60
			if z[0] == '-' {
				off = -off
			}
			return time.FixedZone(z, off)
		}
	}
	return time.UTC
}
