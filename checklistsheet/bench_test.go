package checklistsheet_test

// Benchmarks of a list at the largest size a list may have
// (models.MaxChecklistItems, 100,000 items) and a tenth of it, so that the
// figures show how time and memory grow. Each reports items/s, the peak of
// the heap in use while it ran (sampled), and bytes allocated per item; a
// baseline of the sheet package runs beside each:
//
//	go test ./checklistsheet -run '^$' -bench . -benchtime 1x

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// heapPeak samples the heap in use until stopped.
type heapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	max  uint64
}

func watchHeap() *heapPeak {
	runtime.GC()
	p := &heapPeak{stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			p.max = max(p.max, m.HeapInuse)
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// MiB is the peak in MiB.
func (p *heapPeak) MiB() float64 {
	close(p.stop)
	p.wg.Wait()
	return float64(p.max) / (1 << 20)
}

// liveMiB is the heap still in use after a collection: what a result holds.
func liveMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// report reports the figures common to every benchmark.
func report(b *testing.B, items int, peak float64, start runtime.MemStats) {
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(end.TotalAlloc-start.TotalAlloc)/float64(items*b.N), "alloc-B/item")
}

// workbooks are exports of n items of the noPenalty kind, made once.
var workbooks = map[int][]byte{}

func workbook(b *testing.B, kind *models.ChecklistKind, n int) []byte {
	if data, ok := workbooks[n]; ok {
		return data
	}
	var buf bytes.Buffer
	if err := checklistsheet.WriteXLSX(&buf, list, kind, many(n), unitName); err != nil {
		b.Fatal(err)
	}
	workbooks[n] = buf.Bytes()
	return buf.Bytes()
}

func benchRead(b *testing.B, n int) {
	kind := builtIn(b, "noPenalty")
	data := workbook(b, kind, n)
	cols := checklistsheet.Columns(kind)
	plain := make([]sheet.Column, len(cols))
	for i, c := range cols {
		plain[i] = sheet.Column{Key: c.Key, Headers: c.Headers, Required: c.Required}
	}
	b.Run("checklistsheet.Read", func(b *testing.B) {
		b.ReportAllocs()
		var rows []checklistsheet.Row
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak := watchHeap()
		base := liveMiB()
		for b.Loop() {
			var probs sheet.Problems
			var err error
			rows, probs, err = checklistsheet.Read(data, "清单.xlsx", kind, resolveUnit)
			if err != nil || len(probs) != 0 || len(rows) != n {
				b.Fatal(err, probs)
			}
		}
		b.StopTimer()
		report(b, n, peak.MiB(), start)
		b.ReportMetric(liveMiB()-base, "rows-MiB")
		runtime.KeepAlive(rows)
	})
	// Baseline: the sheet package's reader of the same file, which holds
	// every cell of the table and judges nothing.
	b.Run("baseline sheet.ReadFile", func(b *testing.B) {
		b.ReportAllocs()
		var tab *sheet.Table
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak := watchHeap()
		base := liveMiB()
		for b.Loop() {
			var probs sheet.Problems
			var err error
			tab, probs, err = sheet.ReadFile(data, "清单.xlsx", plain, sheet.ReadOptions{})
			if err != nil || len(probs) != 0 || len(tab.Rows) != n {
				b.Fatal(err, probs)
			}
		}
		b.StopTimer()
		report(b, n, peak.MiB(), start)
		b.ReportMetric(liveMiB()-base, "rows-MiB")
		runtime.KeepAlive(tab)
	})
	// The streaming reader alone: what reading costs without judging.
	b.Run("sheet.Scan", func(b *testing.B) {
		b.ReportAllocs()
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak := watchHeap()
		for b.Loop() {
			count := 0
			_, probs, err := sheet.Scan(data, "清单.xlsx", plain, sheet.ReadOptions{}, func(sheet.Row) error { count++; return nil })
			if err != nil || len(probs) != 0 || count != n {
				b.Fatal(err, probs)
			}
		}
		b.StopTimer()
		report(b, n, peak.MiB(), start)
	})
	b.ReportMetric(float64(len(data)), "xlsx-bytes")
}

func BenchmarkReadXLSX100k(b *testing.B) { benchRead(b, models.MaxChecklistItems) }
func BenchmarkReadXLSX10k(b *testing.B)  { benchRead(b, models.MaxChecklistItems/10) }

// counter counts what is written and keeps none of it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

func benchWrite(b *testing.B, n int, format string) {
	kind := builtIn(b, "noPenalty")
	b.Run("checklistsheet.Write"+format, func(b *testing.B) {
		b.ReportAllocs()
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak := watchHeap()
		var size counter
		for b.Loop() {
			size = 0
			var err error
			if format == "XLSX" {
				err = checklistsheet.WriteXLSX(&size, list, kind, many(n), unitName)
			} else {
				err = checklistsheet.WriteCSV(&size, kind, many(n), unitName)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		report(b, n, peak.MiB(), start)
		b.ReportMetric(float64(size), "file-bytes")
	})
	// Baseline: the sheet package's writer of rows held in memory, as a
	// caller without an iterator would write them.
	b.Run("baseline sheet.Write"+format+" of rows held", func(b *testing.B) {
		b.ReportAllocs()
		cols := checklistsheet.Columns(kind)
		out := make([]sheet.OutColumn, len(cols))
		for i, c := range cols {
			out[i] = sheet.OutColumn{Key: c.Key, Header: c.Header}
		}
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak := watchHeap()
		for b.Loop() {
			var rows [][]string
			for it := range many(n) {
				rows = append(rows, []string{"1", it.Category, it.Name, it.LegalBasis, it.Attributes["violatedProvision"],
					it.Attributes["penaltyProvision"], it.Attributes["conditions"], unitName(*it.ImplementingUnitID), it.Remark, it.ItemKey})
			}
			var size counter
			var err error
			if format == "XLSX" {
				err = sheet.WriteXLSX(&size, []sheet.SheetData{{Name: "清单", Title: list.Title, Columns: out, Rows: rows}})
			} else {
				err = sheet.WriteCSV(&size, out, rows)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		report(b, n, peak.MiB(), start)
	})
}

func BenchmarkWriteXLSX100k(b *testing.B) { benchWrite(b, models.MaxChecklistItems, "XLSX") }
func BenchmarkWriteXLSX10k(b *testing.B)  { benchWrite(b, models.MaxChecklistItems/10, "XLSX") }
func BenchmarkWriteCSV100k(b *testing.B)  { benchWrite(b, models.MaxChecklistItems, "CSV") }
func BenchmarkWriteCSV10k(b *testing.B)   { benchWrite(b, models.MaxChecklistItems/10, "CSV") }

// BenchmarkPlan100k plans the re-import of a 100,000-item export: every row
// matched by key, nothing changed.
func BenchmarkPlan100k(b *testing.B) {
	kind := builtIn(b, "noPenalty")
	n := models.MaxChecklistItems
	rows, probs, err := checklistsheet.Read(workbook(b, kind, n), "清单.xlsx", kind, resolveUnit)
	if err != nil || len(probs) != 0 {
		b.Fatal(err, probs)
	}
	existing := make([]models.ChecklistItem, 0, n)
	for it := range many(n) {
		existing = append(existing, it)
	}
	b.ReportAllocs()
	var start runtime.MemStats
	runtime.ReadMemStats(&start)
	for b.Loop() {
		plan, probs := planImport(b, rows, existing, checklistsheet.PlanOptions{})
		if len(probs) != 0 || !plan.Empty() || plan.Unchanged != n {
			b.Fatal(probs, plan.Update[:1])
		}
	}
	b.StopTimer()
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(end.TotalAlloc-start.TotalAlloc)/float64(n*b.N), "alloc-B/item")
}
