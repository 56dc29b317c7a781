package sheet

import (
	"bytes"
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
