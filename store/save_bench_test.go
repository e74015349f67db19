package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
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
