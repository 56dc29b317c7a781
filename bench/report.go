package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// printTable prints one database's results as a Markdown table: medians
// over the rounds, and fazhi's ratio to the baseline with its range.
func printTable(out io.Writer, dialect string, cs []benchCase, results map[string][][2]sample) {
	fmt.Fprintf(out, "\n### %s (medians over %d rounds; ratio = fazhi / baseline, [lowest–highest round])\n\n", dialect, len(results[cs[0].Key]))
	fmt.Fprintln(out, "| case | rps base | rps fazhi | rps ratio | p50 ms base / fazhi | p99 ms base / fazhi | p99 ratio | CPU µs/req base / fazhi | DB CPU µs/req base / fazhi | new DB conns/s base / fazhi | failed base / fazhi |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range cs {
		rounds := results[c.Key]
		stat := func(side int, of func(sample) float64) float64 {
			xs := make([]float64, len(rounds))
			for i, r := range rounds {
				xs[i] = of(r[side])
			}
			m, _, _ := median(xs)
			return m
		}
		ratio := func(of func(sample) float64) string {
			xs := make([]float64, len(rounds))
			for i, r := range rounds {
				if b := of(r[0]); b > 0 {
					xs[i] = of(r[1]) / b
				}
			}
			m, lo, hi := median(xs)
			return fmt.Sprintf("**%.2f** [%.2f–%.2f]", m, lo, hi)
		}
		rps := func(s sample) float64 { return s.RPS() }
		p50 := func(s sample) float64 { return ms(s.P50) }
		p99 := func(s sample) float64 { return ms(s.P99) }
		cpu := func(s sample) float64 { return us(s.CPUPerRequest()) }
		dbCPU := func(s sample) float64 {
			if s.Requests == 0 {
				return 0
			}
			return us(s.DBCPU / time.Duration(s.Requests))
		}
		conns := func(s sample) float64 { return float64(s.NewConns) / s.Elapsed.Seconds() }
		var failed [2]int
		var firstError string
		for _, r := range rounds {
			for side, s := range r {
				failed[side] += s.Failed
				if firstError == "" {
					firstError = s.FirstError
				}
			}
		}
		failures := fmt.Sprintf("%d / %d", failed[0], failed[1])
		if firstError != "" {
			failures += " (" + firstError + ")"
		}
		dbCol, connCol := "–", "–"
		if dialect == "mysql" {
			dbCol = fmt.Sprintf("%.0f / %.0f", stat(0, dbCPU), stat(1, dbCPU))
			connCol = fmt.Sprintf("%.1f / %.1f", stat(0, conns), stat(1, conns))
		}
		fmt.Fprintf(out, "| %s %s | %.0f | %.0f | %s | %.1f / %.1f | %.1f / %.1f | %s | %.0f / %.0f | %s | %s | %s |\n",
			c.Key, strings.ReplaceAll(c.Title, "|", "\\|"), stat(0, rps), stat(1, rps), ratio(rps),
			stat(0, p50), stat(1, p50), stat(0, p99), stat(1, p99), ratio(p99),
			stat(0, cpu), stat(1, cpu), dbCol, connCol, failures)
	}
	first, deep := results["b"], results["c"]
	if len(first) > 0 && len(deep) > 0 {
		for side, name := range []string{"baseline", "fazhi"} {
			xs := make([]float64, len(first))
			for i := range first {
				xs[i] = ms(deep[i][side].P50) / ms(first[i][side].P50)
			}
			m, lo, hi := median(xs)
			fmt.Fprintf(out, "\n%s: the deep page's p50 is %.2f× the first page's [%.2f–%.2f]", name, m, lo, hi)
		}
		fmt.Fprintln(out)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
