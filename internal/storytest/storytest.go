// Package storytest holds a story assigner for tests of what stores and
// reads stories (the store, the alerter), where the real engine's
// judgement would only get in the way.
package storytest

import (
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// PrefixAssigner puts an item in the story its title's first word names
// ("s1 …"); "s2+s1 …" also links story s2 to s1, which merges them into
// the smaller id. An item's place is the one it comes with, else "mali".
// It satisfies store.StoryAssigner. Reset forgets the
// stories, as the real engine does.
type PrefixAssigner struct {
	story  map[string]int64
	Resets int
}

// NewPrefixAssigner returns an assigner that knows no story yet.
func NewPrefixAssigner() *PrefixAssigner { return &PrefixAssigner{story: map[string]int64{}} }

func (p *PrefixAssigner) LoadItem(briefing.Item) {}
func (p *PrefixAssigner) Forget(time.Time)       {}
func (p *PrefixAssigner) Reach() time.Duration   { return 24 * time.Hour }

func (p *PrefixAssigner) Reset() {
	p.story = map[string]int64{}
	p.Resets++
}

func (p *PrefixAssigner) AssignItems(items []briefing.Item) ([]briefing.StoryAssignment, []briefing.StoryMerge, []briefing.StoryMove) {
	var out []briefing.StoryAssignment
	var merges []briefing.StoryMerge
	for _, it := range items {
		names := strings.Split(strings.Fields(it.Title)[0], "+")
		id, ok := p.story[names[0]]
		if !ok {
			id = it.ID
			p.story[names[0]] = id
		}
		for _, other := range names[1:] {
			if o := p.story[other]; o != 0 && o != id {
				into, from := min(id, o), max(id, o)
				merges = append(merges, briefing.StoryMerge{From: from, Into: into, By: it.ID})
				for k, v := range p.story {
					if v == from {
						p.story[k] = into
					}
				}
				id = into
			}
		}
		place := it.Place
		if place == "" {
			place = "mali"
		}
		out = append(out, briefing.StoryAssignment{Item: it.ID, Story: id, Place: place})
	}
	return out, merges, nil
}

// LabelAssigner puts items with one label in one story, named after the
// first of them, and keeps the place and events the items come with: for
// benchmarks of what reads stories, on a corpus whose events are known
// (synthnews), where the engine's judgement is not what is measured.
type LabelAssigner struct {
	label func(briefing.Item) string
	story map[string]int64
}

// NewLabelAssigner returns an assigner that labels items with label.
func NewLabelAssigner(label func(briefing.Item) string) *LabelAssigner {
	return &LabelAssigner{label: label, story: map[string]int64{}}
}

func (l *LabelAssigner) LoadItem(briefing.Item) {}
func (l *LabelAssigner) Forget(time.Time)       {}
func (l *LabelAssigner) Reach() time.Duration   { return 24 * time.Hour }
func (l *LabelAssigner) Reset()                 {}

func (l *LabelAssigner) AssignItems(items []briefing.Item) ([]briefing.StoryAssignment, []briefing.StoryMerge, []briefing.StoryMove) {
	out := make([]briefing.StoryAssignment, 0, len(items))
	for _, it := range items {
		k := l.label(it)
		id, ok := l.story[k]
		if !ok {
			id = it.ID
			l.story[k] = id
		}
		out = append(out, briefing.StoryAssignment{Item: it.ID, Story: id, Place: it.Place, Events: it.Events})
	}
	return out, nil, nil
}
