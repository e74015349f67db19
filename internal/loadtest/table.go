package loadtest

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// WriteTable writes one Markdown row per kind: the median over runs (each
// run a []Result in the same kind order) of every figure, and the p99 of
// each run, so noise on a shared machine shows.
func WriteTable(w io.Writer, runs [][]Result) {
	if len(runs) == 0 {
		return
	}
	fmt.Fprintln(w, "| command | clients | requests | p50 | p95 | p99 | max | req/s | late | errors | p99 of each run |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for k := range runs[0] {
		var p50, p95, p99, mx, tput, late, errs []float64
		var each []string
		for _, run := range runs {
			r := run[k]
			p50 = append(p50, ms(r.Quantile(0.50)))
			p95 = append(p95, ms(r.Quantile(0.95)))
			p99 = append(p99, ms(r.Quantile(0.99)))
			mx = append(mx, ms(r.Quantile(1)))
			tput = append(tput, r.Throughput())
			late = append(late, float64(r.Late))
			errs = append(errs, float64(r.Errors))
			each = append(each, fmtMS(ms(r.Quantile(0.99))))
		}
		r := runs[0][k]
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %.1f | %.0f | %.0f | %v |\n", r.Kind, r.Clients, r.Requests,
			fmtMS(median(p50)), fmtMS(median(p95)), fmtMS(median(p99)), fmtMS(median(mx)), median(tput),
			median(late), median(errs), each)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f s", v/1000)
	}
	if v >= 10 {
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
