package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/valuesheet"
)

// BenchmarkImportValues imports 100,000 values (100 units × 1,000 monthly
// indicators, one month a run) from an .xlsx and from a .csv file through the
// whole HTTP stack, and reads the .xlsx alone, next to inserting the same
// rows with plain database/sql in the same run (no audit events, no checks).
// Each run reports rows per second and the peak heap while it ran. Run it
// with TEST_MYSQL_DSN set:
//
//	go test -run x -bench ImportValues -benchtime 2x ./server/
func BenchmarkImportValues(b *testing.B) {
	const units, indicators = 100, 1000
	const rows = units * indicators
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			ctx := b.Context()
			us := benchUnits(b, db, units)
			root := us[0]
			sys := &models.IndicatorSystem{Name: "導入基準體系 " + root.Code, IssuingUnitID: root.ID, Edition: "2021年版",
				YearFrom: 2021, YearTo: 2030, TotalPoints: exact.FromInt(indicators)}
			if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
				b.Fatal(err)
			}
			inds := make([]models.Indicator, indicators)
			for i := range inds {
				inds[i] = models.Indicator{Code: fmt.Sprint(i + 1), Name: fmt.Sprintf("指標%d", i+1), Points: exact.FromInt(1),
					MeasureUnit: ptrTo("件"), ValueType: "number", Direction: "higher_better", Aggregation: "sum", Frequency: "month", SortOrder: i}
				if err := db.CreateIndicator(ctx, sys.ID, &inds[i]); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
				b.Fatal(err)
			}
			// The file: every unit's row of every indicator, with a value and
			// an empty period column, so that one file serves every month.
			l := &valuesheet.Layout{System: sys, Indicators: inds, Units: make([]models.Unit, units)}
			for i, u := range us[1:] {
				l.Units[i] = *u
			}
			l.Period = period.MustParse("2021-01")
			table := l.Rows(nil)
			for i, r := range table {
				r[6] = ""                                        // period
				r[7] = fmt.Sprintf("%d.%02d", i%5000, (i*7)%100) // value
			}
			var xlsx, csvFile bytes.Buffer
			if err := sheet.WriteXLSX(&xlsx, []sheet.SheetData{{Name: valuesheet.SheetName, Title: valuesheet.Title(sys, l.Period),
				Columns: valuesheet.OutColumns(), Rows: table}}); err != nil {
				b.Fatal(err)
			}
			if err := sheet.WriteCSV(&csvFile, valuesheet.OutColumns(), table); err != nil {
				b.Fatal(err)
			}
			b.Logf("%d rows: .xlsx %.1f MiB, .csv %.1f MiB", rows, float64(xlsx.Len())/(1<<20), float64(csvFile.Len())/(1<<20))

			e, err := server.New(server.Config{AttachmentDir: b.TempDir()}, db, discardLogger())
			if err != nil {
				b.Fatal(err)
			}
			auth := "Bearer " + fixturesFor(b, db).tokens["admin"]
			month := 0
			nextPeriod := func() string {
				month++
				return fmt.Sprintf("%d-%02d", 2021+(month-1)/12, (month-1)%12+1)
			}

			importFile := func(b *testing.B, name string, data []byte) {
				var body bytes.Buffer
				w := multipart.NewWriter(&body)
				part, _ := w.CreateFormFile("file", name)
				_, _ = part.Write(data)
				_ = w.Close()
				run(b, rows, func() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, systemsPath+"/"+sys.ID+"/value-import?period="+nextPeriod(), bytes.NewReader(body.Bytes()))
					req.Header.Set("Authorization", auth)
					req.Header.Set("Content-Type", w.FormDataContentType())
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), fmt.Appendf(nil, `"created":%d`, rows)) {
						b.Fatalf("status %d: %.500s", rec.Code, rec.Body)
					}
				})
			}
			b.Run("http-xlsx", func(b *testing.B) { importFile(b, "填報.xlsx", xlsx.Bytes()) })
			b.Run("http-csv", func(b *testing.B) { importFile(b, "填報.csv", csvFile.Bytes()) })
			b.Run("read-xlsx", func(b *testing.B) {
				run(b, rows, func() {
					tab, probs, err := sheet.ReadXLSX(bytes.NewReader(xlsx.Bytes()), int64(xlsx.Len()), valuesheet.ReadColumns(), sheet.ReadOptions{})
					if err != nil || len(probs) != 0 || len(tab.Rows) != rows {
						b.Fatal(err, probs)
					}
				})
			})
			b.Run("database-sql", func(b *testing.B) {
				run(b, rows, func() {
					insertPlain(b, db, sys.ID, nextPeriod(), us[1:], inds)
				})
			})
		})
	}
}

// insertPlain inserts one value per unit and indicator for the period in one
// transaction, 500 rows a statement: what an import costs without the
// spreadsheet, the checks, the ORM and the audit log.
func insertPlain(b *testing.B, db *dbtest.DB, systemID, periodText string, units []*models.Unit, inds []models.Indicator) {
	p := period.MustParse(periodText)
	tx, err := db.SQL().BeginTx(b.Context(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	const cols = "(id, indicator_id, system_id, unit_id, period, year, value, value_key, qualifier, status, flags, flagged, version, created_at, updated_at)"
	now := time.Now().UTC().Truncate(time.Microsecond)
	var (
		sql  bytes.Buffer
		args []any
		n    int
	)
	flush := func() {
		if n == 0 {
			return
		}
		if _, err := tx.ExecContext(b.Context(), sql.String(), args...); err != nil {
			b.Fatal(err)
		}
		sql.Reset()
		args, n = args[:0], 0
	}
	i := 0
	for _, u := range units {
		for _, ind := range inds {
			if n == 0 {
				sql.WriteString("INSERT INTO indicator_values " + cols + " VALUES ")
			} else {
				sql.WriteByte(',')
			}
			sql.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			v := exact.MustParse(fmt.Sprintf("%d.%02d", i%5000, (i*7)%100))
			args = append(args, store.NewID(), ind.ID, systemID, u.ID, periodText, p.Year, v.String(), v.SortKey(),
				"exact", "draft", "[]", false, 1, now, now)
			n++
			i++
			if n == 500 {
				flush()
			}
		}
	}
	flush()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// run times fn once per iteration and reports rows per second and the peak
// heap (live objects, sampled every millisecond) while fn ran.
func run(b *testing.B, rows int, fn func()) {
	b.ReportAllocs()
	var peak uint64
	var spent time.Duration
	for b.Loop() {
		runtime.GC()
		start := time.Now()
		peak = max(peak, peakHeap(fn))
		spent += time.Since(start)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/spent.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// peakHeap runs fn and returns the most heap held by live and not yet
// collected objects while it ran.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	read()
	return peak.Load()
}
