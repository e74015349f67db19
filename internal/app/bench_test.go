package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkAlertLatency measures how long an item takes from appearing in
// a local feed to being printed as an alert in the console, with a 1 s
// poll interval (target: within one poll interval + 1 s). Run with
// -benchtime=10x; it reports the mean and the worst.
func BenchmarkAlertLatency(b *testing.B) {
	desk := newNewsDesk(b)
	dir := b.TempDir()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(b, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":            filepath.Join(dir, "sahelbrief.db"),
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		"SAHELBRIEF_LOG_LEVEL":     "error",
		// Above the channel alert limit, alerts would wait for the minute.
		"SAHELBRIEF_ALERTS_PER_MINUTE": "60",
	}
	stdinR, stdinW := io.Pipe()
	stdout := newLineWriter()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, nil, stdinR, stdout, io.Discard, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}()
	wait := func(want string) {
		for l := range stdout.lines {
			if strings.Contains(l, want) {
				return
			}
		}
	}
	fmt.Fprintln(stdinW, "/sahel subscribe "+benchQuery())
	wait("Subscribed")
	if b.N > benchTitles {
		b.Fatalf("at most %d alerts a run (-benchtime %dx): later headlines repeat earlier ones, which are one story", benchTitles, benchTitles)
	}
	var worst, total time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		title := benchTitle(i)
		desk.add("desk", title, "")
		wait(title)
		d := time.Since(start)
		total += d
		worst = max(worst, d)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/alert")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	cancel()
	stdinW.Close()
	<-done
}

// benchWords are distinct words, so each benchmark headline is its own
// story: headlines sharing a word could be one story to the story engine,
// whose later reports from the same outlet alert no one (a run with
// -benchtime 3x used to wait forever for its third alert).
var benchWords = strings.Fields(`convoy drought uranium pipeline ambush election referendum mediation
	embassy sanctions refugees flooding harvest locusts telecom airline cement gold lithium cotton
	teachers strike curfew ransom hostages bridge dam railway stadium vaccine cholera measles bank
	currency budget parliament charter amnesty tribunal journalist blogger satellite drone helicopter`)

// benchTitles is how many distinct headlines benchTitle makes before it
// repeats itself.
var benchTitles = len(benchWords) / 3

// benchTitle is the i-th benchmark headline, sharing no word with any
// other (until they repeat).
func benchTitle(i int) string {
	k := 3 * (i % benchTitles)
	return fmt.Sprintf("%s %s %s", benchWords[k], benchWords[k+1], benchWords[k+2])
}

// benchQuery matches every benchmark headline: the first words of all.
func benchQuery() string {
	var q []string
	for i := range benchTitles {
		q = append(q, benchWords[3*i])
	}
	return strings.Join(q, " OR ")
}

// BenchmarkIdleRSS runs the bot as its own process with 30 local sources,
// lets it poll them all and go idle, and reports its resident memory
// (target: under 40 MB). Run with -benchtime=1x.
func BenchmarkIdleRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	desk := newNewsDesk(b)
	var outlets []string
	for i := range 30 {
		o := fmt.Sprintf("outlet%02d", i)
		outlets = append(outlets, o)
		for j := range 30 {
			desk.add(o, fmt.Sprintf("Story %d of %s on the juntas of Mali, Niger and Burkina Faso", j, o), "A summary of a few words about the Sahel.")
		}
	}
	for range b.N {
		dir := b.TempDir()
		env := map[string]string{
			"SAHELBRIEF_CONFIG":        deskConfig(b, dir, desk, "", outlets...),
			"SAHELBRIEF_DB":            filepath.Join(dir, "sahelbrief.db"),
			"SAHELBRIEF_POLL_INTERVAL": "2s",
			"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		}
		c := startChild(b, env, "")
		// Idle: every source polled, then three rounds of 304s.
		for !desk.polled(outlets, 4) {
			select {
			case <-c.done:
				b.Fatalf("the bot stopped:\n%s", c.stderr.String())
			case <-time.After(100 * time.Millisecond):
			}
		}
		rss := readRSS(b, c.cmd.Process.Pid)
		b.ReportMetric(float64(rss)/1024, "rss-MB")
		c.cmd.Process.Signal(os.Interrupt)
		<-c.done
	}
}

func readRSS(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n // kB
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
