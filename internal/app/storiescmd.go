package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

func runStories(_ context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "stories")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	_, g, ok := loadConfigAndGazetteer(env)
	if !ok {
		return exitUsage
	}
	engine, err := story.New(g, story.Options{})
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief stories: %v\n", err)
		return exitFail
	}
	if err := storyLines(env.stdin, env.stdout, env.stderr, g, engine); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief stories: %v\n", err)
		return exitFail
	}
	return exitOK
}

// storyLine is one input object: its fields, and the item read from them.
type storyLine struct {
	fields map[string]json.RawMessage
	item   briefing.Item
}

// storyLines reads every JSON line of r, assigns the items to stories as
// one batch (the outcome does not depend on their order), and writes them
// back onto w in input order.
func storyLines(r io.Reader, w, errw io.Writer, g *tagger.Gazetteer, engine *story.Engine) error {
	var lines []storyLine
	ids := map[int64]int{}
	bad, err := eachJSONLine(r, errw, func(n int, text []byte) error {
		l, err := readStoryLine(text, n)
		if err != nil {
			return err
		}
		if prev, dup := ids[l.item.ID]; dup {
			return fmt.Errorf("id %d is also on line %d", l.item.ID, prev)
		}
		ids[l.item.ID] = n
		g.TagItem(&l.item)
		lines = append(lines, l)
		return nil
	})
	if err != nil {
		return err
	}
	items := make([]briefing.Item, len(lines))
	for i := range lines {
		items[i] = lines[i].item
	}
	assigned, _, _ := engine.AssignItems(items)
	out := bufio.NewWriterSize(w, 64<<10)
	for i, l := range lines {
		a := assigned[i]
		set := func(key string, v any) { l.fields[key], _ = json.Marshal(v) }
		if _, ok := l.fields["id"]; !ok {
			set("id", l.item.ID) // the line number: the story ids refer to it
		}
		set("story", a.Story)
		set("place", a.Place)
		set("events", nonNil(a.Events))
		set("countries", nonNil(l.item.Countries))
		set("actors", nonNil(l.item.Actors))
		b, err := json.Marshal(l.fields)
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if p, r, n, ok := labelScores(lines, assigned); ok {
		fmt.Fprintf(errw, "pairwise precision %.3f, recall %.3f over %d labelled reports\n", p, r, n)
	}
	if bad {
		return errBadLines
	}
	return nil
}

// labelScores compares the stories with the "event" labels of the lines
// that have one, over all pairs of them: precision is the share of pairs
// put together that report one event, recall the share of pairs of one
// event put together.
func labelScores(lines []storyLine, assigned []briefing.StoryAssignment) (precision, recall float64, n int, ok bool) {
	type labelled struct {
		event string
		story int64
	}
	var ls []labelled
	for i, l := range lines {
		var event string
		if raw, has := l.fields["event"]; has && json.Unmarshal(raw, &event) == nil && event != "" {
			ls = append(ls, labelled{event, assigned[i].Story})
		}
	}
	if len(ls) < 2 {
		return 0, 0, len(ls), false
	}
	var tp, fp, fn int
	for i := range ls {
		for j := i + 1; j < len(ls); j++ {
			same, together := ls[i].event == ls[j].event, ls[i].story == ls[j].story
			switch {
			case same && together:
				tp++
			case together:
				fp++
			case same:
				fn++
			}
		}
	}
	precision, recall = 1, 1
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall, len(ls), true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// readStoryLine reads one object; n is its line number, its id when it
// gives none.
func readStoryLine(text []byte, n int) (storyLine, error) {
	l := storyLine{item: briefing.Item{ID: int64(n)}}
	if err := json.Unmarshal(text, &l.fields); err != nil {
		return l, fmt.Errorf("not a JSON object: %v", err)
	}
	if raw, ok := l.fields["id"]; ok && string(raw) != "null" {
		id, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
		if err != nil || id <= 0 {
			return l, fmt.Errorf(`"id" must be a positive integer, not %s`, raw)
		}
		l.item.ID = id
	}
	it := &l.item
	var published string
	for key, dst := range map[string]*string{"title": &it.Title, "summary": &it.Summary, "source": &it.Source,
		"url": &it.URL, "lang": &it.Lang, "published": &published} {
		if raw, ok := l.fields[key]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, dst); err != nil {
				return l, fmt.Errorf("%q must be a string", key)
			}
		}
	}
	if strings.TrimSpace(it.Title) == "" && strings.TrimSpace(it.Summary) == "" {
		return l, errors.New(`"title" or "summary" is required`)
	}
	t, err := parsePublished(published)
	if err != nil {
		return l, err
	}
	it.Published, it.FirstSeen, it.Outlet = t, t, it.Source
	return l, nil
}

// parsePublished reads an RFC 3339 time or a day (taken at noon UTC).
func parsePublished(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New(`"published" is required (RFC 3339 or YYYY-MM-DD)`)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	return time.Time{}, fmt.Errorf(`"published" %q is neither RFC 3339 nor YYYY-MM-DD`, s)
}
