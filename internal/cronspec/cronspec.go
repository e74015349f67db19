// Package cronspec is the one cron parser of the project: config validates
// the digests of its file with it, the bot's digest command checks what a
// user types with it, and the scheduler runs what it parsed.
package cronspec

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// parser accepts the five standard fields and descriptors (@daily), with
// an optional CRON_TZ= (or TZ=) prefix naming the zone.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a five-field cron expression or a descriptor such as
// @daily; a CRON_TZ=<zone> prefix sets its time zone (UTC otherwise). The
// error is robfig/cron's.
func Parse(spec string) (cron.Schedule, error) { return parser.Parse(spec) }

// ParseIn parses spec (as Parse, without a zone prefix) in the IANA time
// zone tz. Its errors name the zone or the spec at fault.
func ParseIn(spec, tz string) (cron.Schedule, *time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, nil, fmt.Errorf("unknown time zone %q", tz)
	}
	s, err := parser.Parse("CRON_TZ=" + tz + " " + spec)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid cron %q: %w", spec, err)
	}
	return s, loc, nil
}
