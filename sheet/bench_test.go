package sheet

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkWriteReadXLSX writes 100,000 rows of seven columns with
// WriteXLSX and reads them back with ReadXLSX.
func BenchmarkWriteReadXLSX(b *testing.B) {
	const n = 100_000
	rows := roundTripRows(n)
	cols := outColumnsIn(chineseOut)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, []SheetData{{Name: "指标填报", Title: "盘锦市2021年法治政府建设主要指标填报表", Columns: chineseOut, Rows: rows}}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		tab, probs, err := ReadXLSX(&buf, int64(buf.Len()), cols, ReadOptions{})
		if err != nil || len(probs) != 0 || len(tab.Rows) != n {
			b.Fatal(err, probs)
		}
	}
	b.ReportMetric(float64(size), "xlsx-bytes")
}

// BenchmarkWriteXLSX10k writes 10,000 rows, an export of the usual size:
// its sheet stays in memory, below excelize's 16 MiB stream chunk, where
// anything that reads the sheet back (SetActiveSheet did) parses all of it.
// The 100,000 rows above go to a temporary file, which excelize does not
// read back, and so do not show it.
func BenchmarkWriteXLSX10k(b *testing.B) {
	rows := roundTripRows(10_000)
	sheets := []SheetData{{Name: "指标填报", Title: "盘锦市2021年法治政府建设主要指标填报表", Columns: chineseOut, Rows: rows}}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, sheets); err != nil {
			b.Fatal(err)
		}
	}
}
