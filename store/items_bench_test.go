package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/story"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/synthnews"
)

// BenchmarkSaveFetched stores one poll of 20 feeds × 50 new items in one
// transaction, the writer's unit of work; ns/op / 1000 is the cost of one item.
func BenchmarkSaveFetched(b *testing.B) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		batch := make([]briefing.Fetched, 20)
		for f := range batch {
			name := fmt.Sprintf("feed-%d", f)
			batch[f].State = briefing.SourceState{Name: name, URL: "https://x/" + name, LastAttempt: now}
			for i := 0; i < 50; i++ {
				batch[f].Items = append(batch[f].Items, briefing.Item{
					Source: name, Key: fmt.Sprintf("%d-%d-%d", round, f, i),
					URL:   fmt.Sprintf("https://desk.example/%d/%d/%d.html", round, f, i),
					Title: "Mali : la junte d’Assimi Goïta annonce une mesure à Bamako",
					Summary: "Les autorités de transition du Mali ont annoncé jeudi de nouvelles mesures à Bamako. " +
						"Le Niger et le Burkina Faso, membres de l’Alliance des États du Sahel (AES), ont salué la décision.",
					Published: now, FirstSeen: now, DateFromFeed: true,
				})
			}
		}
		round++
		if _, err := st.SaveFetched(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveWithStories stores polls of 1,000 new items of a realistic
// mixed corpus (synthnews: several outlets per event, EN and FR, about
// 2,000 items a day) with and without story assignment in the save
// transaction; ns/op / 1000 is the cost of one item, the difference the
// cost of assigning it.
func BenchmarkSaveWithStories(b *testing.B) {
	items, _ := synthnews.Corpus(200_000, 5, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 100*24*time.Hour)
	for _, withStories := range []bool{false, true} {
		name := "plain"
		if withStories {
			name = "stories"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			if withStories {
				e, err := story.New(tagger.DefaultGazetteer(), story.Options{})
				if err != nil {
					b.Fatal(err)
				}
				st.SetStoryAssigner(e)
			}
			next := 0
			b.ReportAllocs()
			for b.Loop() {
				if next+1000 > len(items) {
					b.Fatal("corpus exhausted: lower -benchtime")
				}
				batch := briefing.Fetched{State: briefing.SourceState{Name: "desk", URL: "https://x/desk", LastAttempt: time.Now()}}
				for _, it := range items[next : next+1000] {
					it.ID, it.Story, it.Source = 0, 0, "desk"
					batch.Items = append(batch.Items, it)
				}
				next += 1000
				if _, err := st.SaveFetched(ctx, []briefing.Fetched{batch}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
