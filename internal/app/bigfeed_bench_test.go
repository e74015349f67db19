package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFetchHugeFeeds runs `sahelbrief fetch --all` in a child process
// over two local feeds, one of 100,000 short entries (6.0 MB) and one of
// 9.7 MiB (2,000 long entries), and reports the child's peak resident
// memory (rusage max RSS): the bound is 200 MB. "uncapped" takes every
// entry (SAHELBRIEF_MAX_FEED_ITEMS=100000), as before the cap existed.
//
//	go test . -run XXX -bench HugeFeeds -benchtime 3x
func BenchmarkFetchHugeFeeds(b *testing.B) {
	dir := b.TempDir()
	many := filepath.Join(dir, "many.xml")
	writeFeed(b, many, 100_000, 0)
	big := filepath.Join(dir, "big.xml")
	writeFeed(b, big, 2_000, 4_900)
	for _, f := range []string{many, big} {
		if fi, err := os.Stat(f); err == nil {
			b.Logf("%s: %.1f MB", filepath.Base(f), float64(fi.Size())/1e6)
		}
	}
	cfg := filepath.Join(dir, "c.yaml")
	yml := fmt.Sprintf("sources:\n  - name: many\n    url: %s\n  - name: big\n    url: %s\n", many, big)
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, max string }{{"capped-1000", "1000"}, {"uncapped", "100000"}} {
		b.Run(tt.name, func(b *testing.B) {
			var peak int64
			for i := range b.N {
				env := map[string]string{"SAHELBRIEF_CONFIG": cfg, "SAHELBRIEF_DB": filepath.Join(b.TempDir(), "fresh.db"), // every run a first poll
					"SAHELBRIEF_MAX_FEED_ITEMS": tt.max, "SAHELBRIEF_FETCH_TIMEOUT": "5m"}
				c := startChild(b, env, "", "fetch", "--all")
				if err := <-c.done; err != nil {
					b.Fatalf("fetch: %v\n%s", err, c.stderr.String())
				}
				if out := c.all.String(); strings.Count(out, " ok ") != 2 {
					b.Fatalf("not every feed was read:\n%s", out)
				}
				if i == 0 {
					b.Logf("%s", c.all.String())
				}
				ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if !ok {
					b.Skip("no rusage")
				}
				peak = max(peak, ru.Maxrss) // kB on Linux
			}
			b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		})
	}
}

// writeFeed writes an RSS feed of n entries, each with a summary of about
// extra bytes beyond a short sentence; with extra 0, compact entries
// with neither summary nor date.
func writeFeed(b *testing.B, path string, n, extra int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	pad := strings.Repeat("Les soldats ont patrouillé près de Kidal. ", extra/42+1)[:extra]
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title><link>https://%s.example/</link>`, filepath.Base(path))
	for i := range n {
		if extra == 0 { // compact: 100,000 entries in 6 MB, no date
			fmt.Fprintf(w, "<item><title>Report %d</title><link>/%d</link></item>\n", i, i)
			continue
		}
		fmt.Fprintf(w, "<item><title>Report %d from Gao</title><link>https://big.example/%d</link><guid>g%d</guid><pubDate>%s</pubDate><description>Army says %d. %s</description></item>\n",
			i, i, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC1123Z), i, pad)
	}
	fmt.Fprint(w, `</channel></rss>`)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}
