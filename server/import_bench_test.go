package server_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"mime/multipart"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/apitest"
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
			ib := newImportBench(b, db, units, indicators)
			table := ib.table(func(i int) string { return fmt.Sprintf("%d.%02d", i%5000, (i*7)%100) })
			var xlsx, csvFile bytes.Buffer
			if err := sheet.WriteXLSX(&xlsx, []sheet.SheetData{{Name: valuesheet.SheetName, Title: valuesheet.Title(ib.sys, ib.layout.Period),
				Columns: valuesheet.OutColumns(), Rows: table}}); err != nil {
				b.Fatal(err)
			}
			if err := sheet.WriteCSV(&csvFile, valuesheet.OutColumns(), table); err != nil {
				b.Fatal(err)
			}
			b.Logf("%d rows: .xlsx %.1f MiB, .csv %.1f MiB", rows, float64(xlsx.Len())/(1<<20), float64(csvFile.Len())/(1<<20))
			month := 0
			nextPeriod := func() string {
				month++
				return fmt.Sprintf("%d-%02d", 2021+(month-1)/12, (month-1)%12+1)
			}
			importFile := func(b *testing.B, name string, data []byte) {
				ib.applying.Store(0)
				run(b, rows, func() { ib.post(b, name, data, nextPeriod(), fmt.Sprintf(`"created":%d`, rows)) })
				ib.reportApply(b, b.N, rows)
			}
			b.Run("http-xlsx", func(b *testing.B) { importFile(b, "填报.xlsx", xlsx.Bytes()) })
			b.Run("http-csv", func(b *testing.B) { importFile(b, "填报.csv", csvFile.Bytes()) })
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
					insertPlain(b, db, ib.sys.ID, nextPeriod(), ib.units[1:], ib.inds)
				})
			})
		})
	}
}

// BenchmarkImportUpdates changes 200,000 existing values (200 units × 1,000
// monthly indicators, the most rows an import takes) from a .csv file through
// the whole HTTP stack, one import a run, each giving every value a new
// figure. On MariaDB it samples the server's Prepared_stmt_count while the
// import runs and reports the most seen above the count before it: the
// import holds no prepared statement (a row-by-row import once held one per
// row, and failed past max_prepared_stmt_count, 16,382). Run it with
// TEST_MYSQL_DSN set:
//
//	go test -run x -bench ImportUpdates -benchtime 2x -timeout 30m ./server/
func BenchmarkImportUpdates(b *testing.B) {
	const units, indicators = 200, 1000
	const rows = units * indicators
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			ib := newImportBench(b, db, units, indicators)
			file := func(round int) []byte {
				var f bytes.Buffer
				table := ib.table(func(i int) string { return fmt.Sprintf("%d.%02d", (i+round)%5000, (i*7+round)%100) })
				if err := sheet.WriteCSV(&f, valuesheet.OutColumns(), table); err != nil {
					b.Fatal(err)
				}
				return f.Bytes()
			}
			debug.FreeOSMemory()
			start := time.Now()
			over, _ := peakRSSOver(func() { ib.post(b, "填报.csv", file(0), "2021-01", fmt.Sprintf(`"created":%d`, rows)) })
			b.Logf("%d rows created in %s (written in %s), peak RSS %.0f MiB over idle", rows, time.Since(start).Round(time.Millisecond),
				time.Duration(ib.applying.Swap(0)).Round(time.Millisecond), float64(over)/(1<<20))
			prepared := func() int64 {
				if dialect != store.MySQL {
					return 0
				}
				var name string
				var n int64
				if err := db.SQL().QueryRowContext(b.Context(), "SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'").Scan(&name, &n); err != nil {
					b.Fatal(err)
				}
				return n
			}
			round := 0
			var most int64
			b.ResetTimer()
			run(b, rows, func() {
				b.StopTimer()
				round++
				data := file(round)
				start := prepared()
				done := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					t := time.NewTicker(50 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							most = max(most, prepared()-start)
						}
					}
				})
				b.StartTimer()
				ib.post(b, "填报.csv", data, "2021-01", fmt.Sprintf(`"updated":%d`, rows))
				close(done)
				wg.Wait()
			})
			b.ReportMetric(float64(most), "prepared-stmts-held")
			ib.reportApply(b, round, rows)
		})
	}
}

// importBench is a published system of monthly number indicators reported by
// units below a city of their own, and a server to import into it.
type importBench struct {
	db     *dbtest.DB
	e      *echo.Echo
	auth   string
	sys    *models.IndicatorSystem
	units  []*models.Unit // the city first
	inds   []models.Indicator
	layout *valuesheet.Layout
	// applying is the time spent writing imports, since it was last read.
	applying atomic.Int64
}

func newImportBench(b testing.TB, db *dbtest.DB, units, indicators int) *importBench {
	ctx := b.Context()
	us := benchUnits(b, db, units)
	root := us[0]
	sys := &models.IndicatorSystem{Name: "导入基准体系 " + root.Code, IssuingUnitID: root.ID, Edition: "2021年版",
		YearFrom: 2021, YearTo: 2030, TotalPoints: exact.FromInt(int64(indicators))}
	if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
		b.Fatal(err)
	}
	inds := make([]models.Indicator, indicators)
	for i := range inds {
		inds[i] = models.Indicator{Code: fmt.Sprint(i + 1), Name: fmt.Sprintf("指标%d", i+1), Points: exact.FromInt(1),
			MeasureUnit: ptrTo("件"), ValueType: "number", Direction: "higher_better", Aggregation: "sum", Frequency: "month", SortOrder: i}
		if err := db.CreateIndicator(ctx, sys.ID, &inds[i]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
		b.Fatal(err)
	}
	l := &valuesheet.Layout{System: sys, Indicators: inds, Units: make([]models.Unit, units), Period: period.MustParse("2021-01")}
	for i, u := range us[1:] {
		l.Units[i] = *u
	}
	ib := &importBench{db: db, auth: "Bearer " + fixturesFor(b, db).tokens["admin"], sys: sys, units: us, inds: inds, layout: l}
	e, err := server.New(server.Config{AttachmentDir: b.TempDir(), SheetLimit: 256 << 20}, applyTimer{db, &ib.applying}, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	ib.e = e
	return ib
}

// applyTimer is the database, timing the writing of imports: the part that
// holds a transaction open (and on SQLite the database's write lock).
type applyTimer struct {
	*dbtest.DB
	spent *atomic.Int64 // nanoseconds
}

func (s applyTimer) ImportValues(ctx context.Context, systemID string, batches iter.Seq2[models.ValueImport, error]) error {
	start := time.Now()
	defer func() { s.spent.Add(int64(time.Since(start))) }()
	return s.DB.ImportValues(ctx, systemID, batches)
}

// reportApply reports how long the writing of n imports of rows each held
// its transaction, per 100,000 rows.
func (ib *importBench) reportApply(b *testing.B, imports, rows int) {
	if imports > 0 {
		b.ReportMetric(time.Duration(ib.applying.Swap(0)).Seconds()/float64(imports)*100_000/float64(rows), "apply-s/100k-rows")
	}
}

// table is every unit's row of every indicator, the i-th row with the
// figure value(i) and an empty period column, so that one file serves every
// month.
func (ib *importBench) table(value func(i int) string) [][]string {
	table := ib.layout.Rows(nil)
	for i, r := range table {
		r[6] = "" // period
		r[7] = value(i)
	}
	return table
}

// post imports the file for the period and fails unless the report says want.
func (ib *importBench) post(b testing.TB, name string, data []byte, periodText, want string) {
	if status, body := ib.send(b, name, data, periodText); status != http.StatusOK || !strings.Contains(body, want) {
		b.Fatalf("status %d: %.500s", status, body)
	}
}

// send imports the file for the period and returns the answer, checked
// against the contract.
func (ib *importBench) send(b testing.TB, name string, data []byte, periodText string) (int, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	_, _ = part.Write(data)
	_ = w.Close()
	resp := apitest.New(b, ib.e).Do(apitest.Request{Method: http.MethodPost, Path: systemsPath + "/" + ib.sys.ID + "/value-import?period=" + periodText,
		Body: body.Bytes(), ContentType: w.FormDataContentType(), Header: map[string]string{"Authorization": ib.auth}})
	return resp.Status, string(resp.Body)
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
	var peak, rss uint64
	var spent time.Duration
	for b.Loop() {
		debug.FreeOSMemory()
		start := time.Now()
		var heap uint64
		over, ok := peakRSSOver(func() { heap = peakHeap(fn) })
		spent += time.Since(start)
		peak = max(peak, heap)
		if ok {
			rss = max(rss, over)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/spent.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-over-idle-MiB")
	}
}

// peakRSSOver runs fn and returns how far the process's resident memory
// rose above what it was before, at its peak (Linux: /proc/self/status's
// VmHWM, reset through /proc/self/clear_refs); ok is false where that
// cannot be read.
func peakRSSOver(fn func()) (over uint64, ok bool) {
	status := func(field string) (uint64, bool) {
		data, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return 0, false
		}
		for line := range strings.Lines(string(data)) {
			if rest, found := strings.CutPrefix(line, field+":"); found {
				kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				return kb << 10, err == nil
			}
		}
		return 0, false
	}
	idle, ok := status("VmRSS")
	if ok && os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
		ok = false
	}
	fn()
	if !ok {
		return 0, false
	}
	peak, ok := status("VmHWM")
	if !ok || peak < idle {
		return 0, false
	}
	return peak - idle, true
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
