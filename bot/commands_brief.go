package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// The digest commands: `brief`, `country` and `actor`, answered from the
// answer cache with a fresh source report.

func cmdBrief(ctx context.Context, b *Bot, r Request, args string) Response {
	fields := strings.Fields(args)
	if len(fields) > 1 {
		return b.usage("brief", fmt.Sprintf("Unexpected %q: brief takes one window, like 3d.", clip(fields[1], 40)))
	}
	since, err := parseSince(args)
	if err != nil {
		return b.usage("brief", err.Error()+".")
	}
	return b.digest(ctx, r, since, briefing.Filter{})
}

func cmdCountry(ctx context.Context, b *Bot, r Request, args string) Response {
	return b.tagDigest(ctx, r, "country", tagger.KindCountry, args)
}

func cmdActor(ctx context.Context, b *Bot, r Request, args string) Response {
	return b.tagDigest(ctx, r, "actor", tagger.KindActor, args)
}

// tagDigest answers `country` and `actor`: a name (several words allowed:
// "burkina faso", "africa corps"), then an optional window. A last word
// that starts with a digit is a window, refused when it is not a good one;
// a word the name cannot hold is refused, named.
func (b *Bot) tagDigest(ctx context.Context, r Request, cmd string, kind tagger.Kind, args string) Response {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return b.usage(cmd, fmt.Sprintf("Which %s?", kind))
	}
	since := 24 * time.Hour
	if last := fields[len(fields)-1]; len(fields) > 1 && briefing.LooksLikeWindow(last) {
		d, err := briefing.ParseWindow(last)
		if err != nil {
			return b.usage(cmd, err.Error()+".")
		}
		since, fields = d, fields[:len(fields)-1]
	}
	tag, exact := b.Gazetteer.ResolveExact(kind, strings.Join(fields, " "))
	if !exact {
		// "niger foo": the name without its extra words is known.
		for n := len(fields) - 1; n > 0; n-- {
			if t, ok := b.Gazetteer.ResolveExact(kind, strings.Join(fields[:n], " ")); ok {
				return b.usage(cmd, fmt.Sprintf("Unexpected %q after %s: give a %s, then optionally a window like 3d.",
					clip(strings.Join(fields[n:], " "), 40), t.Name, kind))
			}
		}
		var err error
		if tag, err = b.Gazetteer.ResolveName(kind, strings.Join(fields, " ")); err != nil {
			return fail("%s", nameProblem(err))
		}
	}
	f := briefing.Filter{}
	if kind == tagger.KindCountry {
		f.Country = tag.ID
	} else {
		f.Actor = tag.ID
	}
	return b.digest(ctx, r, since, f)
}

// nameProblem says in chat why a name resolved to nothing: unknown (and
// what it may have meant) or shared (and by whom).
func nameProblem(err error) string {
	var ne *tagger.NameError
	if !errors.As(err, &ne) {
		return clip(err.Error(), 400)
	}
	names := make([]string, len(ne.Suggestions))
	for i, t := range ne.Suggestions {
		names[i] = fmt.Sprintf("`%s` (%s)", t.ID, t.Name)
	}
	if ne.Ambiguous {
		return fmt.Sprintf("%q could be %s. Which one?", clip(ne.Text, 60), strings.Join(names, " or "))
	}
	msg := fmt.Sprintf("I don't know the %s %q.", ne.Kind, clip(ne.Text, 60))
	if len(names) > 0 {
		msg += " Did you mean " + strings.Join(names, ", ") + "?"
	}
	return msg
}

// digest builds the digest of the window with the filter. Its stories
// come from the answer cache; which sources answer is read every time.
func (b *Bot) digest(ctx context.Context, r Request, since time.Duration, f briefing.Filter) Response {
	now := b.Now()
	key := fmt.Sprintf("digest %d %s %s", since, f.Country, f.Actor)
	d, id, err := b.cached(ctx, key, now, func(ctx context.Context) (*briefing.Digest, error) {
		return b.storiesDigest(ctx, now.Add(-since), now, f)
	})
	if err == nil {
		err = b.addSourceReport(ctx, d)
	}
	if err != nil {
		return b.internal(r, "brief", err)
	}
	return Response{Digest: d, RenderKey: renderKey(id, d)}
}
