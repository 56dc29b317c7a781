package server_test

// Benchmarks of checklists at the most items a list may have
// (models.MaxChecklistItems, 100,000) through the whole HTTP stack, on
// MariaDB and SQLite, each beside a baseline of the same run:
//
//   - BenchmarkChecklistImport100k imports a 100,000-item .xlsx of the
//     built-in kind noPenalty into a fresh draft (reading, judging,
//     planning, writing and the audit log), and again with every item
//     renamed into the draft holding them (100,000 updates), beside checklistsheet.Read of
//     the same file alone and store.AddChecklistItems of the same items
//     alone;
//   - BenchmarkChecklistExport100k exports a 100,000-item list as .xlsx and
//     as .csv, beside a 10,000-item list: memory must not grow with the list;
//   - BenchmarkChecklistSearch reads one page of 50 items of a 100,000-item
//     list with q (a word of few items, one of many, a query in traditional
//     characters), beside the same page without q, and the query of the
//     word of few items alone through database/sql, through the bigram
//     index and by the scan of every item the store made before it.
//
// Import and export report items/s, the peak heap while the operation ran
// (live and not yet collected objects, sampled every millisecond: the
// process's, so what the benchmark holds is in it too, base-heap-MiB), how
// far the process's resident memory rose over its idle size (Linux) and
// the bytes allocated per item. SQLite's own page cache is not in the Go
// heap. Run them with TEST_MYSQL_DSN set:
//
//	go test ./server -run '^$' -bench 'Checklist(Import|Export)' -benchtime 1x -timeout 60m
//	go test ./server -run '^$' -bench ChecklistSearch -benchtime 20x -timeout 60m
//
// The lists that export and search read are put in once per database,
// through the store's bulk path, outside the timer.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/textsearch"
)

func BenchmarkChecklistImport100k(b *testing.B) {
	n := models.MaxChecklistItems
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			cb := checklistBenchFor(b, dialect)
			var file bytes.Buffer
			list := &models.Checklist{Title: "基准市不予处罚事项清单", DocumentNumber: "基司发〔2022〕1号", Year: 2022}
			if err := checklistsheet.WriteXLSX(&file, list, cb.kind, cb.items(n), cb.unitName); err != nil {
				b.Fatal(err)
			}
			contentType, body := multipartOf(b, part{field: "file", filename: "不予处罚事项清单.xlsx", contentType: "application/octet-stream", data: file.Bytes()})
			b.Logf("%d items: .xlsx %.1f MiB", n, float64(file.Len())/(1<<20))
			importInto := func(b *testing.B, id, contentType string, body []byte) api.ChecklistImportReport {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, clPath(id, "import"), bytes.NewReader(body))
				req.Header.Set("Authorization", cb.auth)
				req.Header.Set("Content-Type", contentType)
				cb.e.ServeHTTP(rec, req)
				var r api.ChecklistImportReport
				if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil || r.ProblemCount != 0 {
					b.Fatalf("status %d: %.500s", rec.Code, rec.Body)
				}
				return r
			}

			b.Run("http-xlsx", func(b *testing.B) {
				var id string
				clRun(b, n, func() { id = cb.draft(b) }, func() {
					if r := importInto(b, id, contentType, body); r.Created != int32(n) {
						b.Fatalf("%+v, want %d created", r, n)
					}
				})
			})
			// The same list imported again into the draft holding it, every
			// item renamed: 100,000 updates, matched by 序号, each item read
			// by id (its version, the grams of its old text, its audit event).
			var revised bytes.Buffer
			renamed := func(yield func(models.ChecklistItem, error) bool) {
				for it, err := range cb.items(n) {
					it.Name += "（修订）"
					if !yield(it, err) {
						return
					}
				}
			}
			if err := checklistsheet.WriteXLSX(&revised, list, cb.kind, renamed, cb.unitName); err != nil {
				b.Fatal(err)
			}
			revisedType, revisedBody := multipartOf(b, part{field: "file", filename: "不予处罚事项清单（修订）.xlsx", contentType: "application/octet-stream", data: revised.Bytes()})
			b.Run("http-xlsx-update", func(b *testing.B) {
				var id string
				clRun(b, n, func() { id = cb.draft(b); importInto(b, id, contentType, body) }, func() {
					if r := importInto(b, id, revisedType, revisedBody); r.Updated != int32(n) {
						b.Fatalf("%+v, want %d updated", r, n)
					}
				})
			})
			// Baseline: the same file read and judged alone, as the
			// handler reads it, with nothing planned or written.
			b.Run("baseline-checklistsheet.Read", func(b *testing.B) {
				clRun(b, n, nil, func() {
					rows, probs, err := checklistsheet.Read(file.Bytes(), "不予处罚事项清单.xlsx", cb.kind, cb.resolveUnit)
					if err != nil || len(probs) != 0 || len(rows) != n {
						b.Fatal(err, probs)
					}
				})
			})
			// The same items written alone by the store's bulk path (checks
			// and audit events included), without a file or a plan.
			b.Run("store.AddChecklistItems", func(b *testing.B) {
				var id string
				var items []*models.ChecklistItem
				clRun(b, n, func() { id, items = cb.draft(b), cb.itemPointers(n) }, func() {
					if err := cb.db.AddChecklistItems(b.Context(), id, items); err != nil {
						b.Fatal(err)
					}
				})
			})
		})
	}
}

func BenchmarkChecklistExport100k(b *testing.B) {
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			cb := checklistBenchFor(b, dialect)
			// The 10,000-item list is the baseline: an export that holds
			// a page at a time has the same peak for both. (The .xlsx
			// writer, excelize's StreamWriter, also holds up to 16 MiB
			// of sheet XML before it spills to a temporary file.)
			for _, n := range []int{models.MaxChecklistItems, models.MaxChecklistItems / 10} {
				id := cb.seeded(b, n)
				for _, format := range []string{"xlsx", "csv"} {
					b.Run(fmt.Sprintf("%s-%dk", format, n/1000), func(b *testing.B) {
						var out *exportSink
						clRun(b, n, nil, func() { out = cb.export(b, id, format, n) })
						b.ReportMetric(float64(out.n), "file-bytes")
					})
				}
			}
		})
	}
}

func BenchmarkChecklistSearch(b *testing.B) {
	n := models.MaxChecklistItems
	cases := []struct {
		name, q string
		want    int // items on the page
	}{
		{"baseline-no-q", "", 50},
		{"few", "盲道", n / 10000},          // 10 items: every item is read
		{"many", "生态环境", 50},              // the category of a quarter of the items
		{"traditional", "瓶裝燃氣", n / 5000}, // 瓶装燃气, 20 items: every item is read
		{"traditional-many", "處罰", 50},    // 处罚, in every item's conditions
		{"none", "无此事项", 0},               // nothing: every item is read
	}
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			cb := checklistBenchFor(b, dialect)
			id := cb.seeded(b, n)
			cb.explain(b, id, "盲道")
			for _, c := range cases {
				path := clPath(id, "items") + "?limit=50"
				if c.q != "" {
					path += "&q=" + url.QueryEscape(c.q)
				}
				if got := len(cb.items50(b, path).Items); got != c.want {
					b.Fatalf("%s: %d items, want %d", c.name, got, c.want)
				}
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						rec := httptest.NewRecorder()
						req := httptest.NewRequest(http.MethodGet, path, nil)
						req.Header.Set("Authorization", cb.auth)
						cb.e.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
						}
					}
				})
			}
			// The search query alone, for the word of few items: as the
			// store sends it, through the gram 盲道, and as it sent it
			// before the bigram index (migration 00011), scanning every
			// item of the list: what the database spends of the page's
			// time, and what the index saves.
			for _, way := range []string{"gram", "scan"} {
				query, args := checklistSearchSQL(cb.db.Name, way, id, "盲道")
				b.Run("database-sql-few-"+way, func(b *testing.B) {
					b.ReportAllocs()
					reads := cb.poolReads(b)
					for b.Loop() {
						rows, err := cb.db.SQL().QueryContext(b.Context(), query, args...)
						if err != nil {
							b.Fatal(err)
						}
						got := 0
						for rows.Next() {
							got++
						}
						if err := rows.Close(); err != nil || got != n/10000 {
							b.Fatalf("%d rows, %v", got, err)
						}
					}
					if cb.db.Name == store.MySQL {
						b.ReportMetric(float64(cb.poolReads(b)-reads)/float64(b.N), "disk-reads/op")
					}
				})
			}
		})
	}
}

// checklistSearchSQL is the query of the first page of a list's items with
// q, as store.ListChecklistItems makes it on a dialect when it reads
// through the gram q is (way "gram"), or scans (way "scan"), with its
// arguments.
func checklistSearchSQL(dialect, way, id, q string) (string, []any) {
	folded := textsearch.Fold(q)
	like := "%" + folded + "%"
	tail := " AND search_text LIKE ? ESCAPE '" + textsearch.LikeEscape + "' ORDER BY sequence ASC, id ASC LIMIT 51"
	if way == "scan" {
		return "SELECT * FROM checklist_items WHERE checklist_id = ?" + tail, []any{id, like}
	}
	version := "checklist_id = ?"
	if dialect == store.SQLite {
		version = "+" + version
	}
	return "SELECT * FROM checklist_items WHERE " + version +
		" AND id IN (SELECT item_id FROM checklist_item_grams WHERE checklist_id = ? AND gram = ?)" + tail, []any{id, id, folded, like}
}

// checklistBench is a server on one database, the units that its lists'
// items name and the lists put in for export and search.
type checklistBench struct {
	db     *dbtest.DB
	e      *echo.Echo
	auth   string
	kind   *models.ChecklistKind
	issuer string
	units  []*models.Unit // the implementing units, by unique names
	lists  map[int]string // item count → a draft holding that many
}

// checklistBenches are the benches of the databases, made once each.
var checklistBenches = map[string]*checklistBench{}

func checklistBenchFor(b *testing.B, dialect string) *checklistBench {
	b.Helper()
	db := dbtest.Open(b, dialect)
	if cb, ok := checklistBenches[db.Name]; ok {
		return cb
	}
	fx := fixturesFor(b, db)
	e, err := server.New(server.Config{AttachmentDir: fx.blobDir, SheetLimit: 256 << 20}, db, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	kind, ok := models.BuiltInKind("noPenalty")
	if !ok {
		b.Fatal("no built-in kind noPenalty")
	}
	code := areaCode()
	root := &models.Unit{ID: store.NewID(), Code: code, Name: "清单基准市" + code, Kind: models.UnitCity, Level: 1}
	root.Path = models.UnitPath("", root.ID)
	units := []*models.Unit{root}
	for i, name := range []string{"市场监督管理局", "生态环境局", "交通运输局"} {
		u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s-%02d", code, i), Name: root.Name + name,
			Kind: models.UnitDepartment, ParentID: &root.ID, Level: 2}
		u.Path = models.UnitPath(root.Path, u.ID)
		units = append(units, u)
	}
	if err := db.CreateUnits(b.Context(), units); err != nil {
		b.Fatal(err)
	}
	cb := &checklistBench{db: db, e: e, auth: "Bearer " + fx.tokens["admin"], kind: &kind, issuer: root.ID,
		units: units[1:], lists: map[int]string{}}
	checklistBenches[db.Name] = cb
	return cb
}

// draft creates an empty list of the kind.
func (cb *checklistBench) draft(b *testing.B) string {
	b.Helper()
	c, err := cb.db.CreateChecklist(b.Context(), models.Checklist{KindKey: cb.kind.Key, Title: "基准市不予处罚事项清单 " + dbtest.RandomSuffix(),
		IssuingUnitID: cb.issuer, Year: 2022})
	if err != nil {
		b.Fatal(err)
	}
	return c.ID
}

// seeded is a draft of n items (cb.items), put in once per database by
// store.AddChecklistItems.
func (cb *checklistBench) seeded(b *testing.B, n int) string {
	b.Helper()
	if id, ok := cb.lists[n]; ok {
		return id
	}
	id := cb.draft(b)
	start := time.Now()
	if err := cb.db.AddChecklistItems(b.Context(), id, cb.itemPointers(n)); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d items put in by AddChecklistItems in %v", cb.db.Name, n, time.Since(start).Round(time.Millisecond))
	cb.lists[n] = id
	return id
}

// items are n items of the kind noPenalty, as a city's list has them.
// Every 10,000th names 盲道 and every 5,000th 瓶装燃气, for search to find
// few; a quarter are of the category 生态环境, and every item's conditions
// say 处罚.
func (cb *checklistBench) items(n int) iter.Seq2[models.ChecklistItem, error] {
	return func(yield func(models.ChecklistItem, error) bool) {
		for i := range n {
			name := fmt.Sprintf("未按规定公示经营信息（第%d项）", i+1)
			switch {
			case i%10000 == 4321:
				name = fmt.Sprintf("擅自占用盲道设置经营摊点（第%d项）", i+1)
			case i%5000 == 1234:
				name = fmt.Sprintf("瓶装燃气经营者未查验用户资格（第%d项）", i+1)
			}
			it := models.ChecklistItem{
				Sequence:           i + 1,
				Name:               name,
				ImplementingUnitID: &cb.units[i%len(cb.units)].ID,
				LegalBasis:         "《中华人民共和国行政处罚法》第三十三条第一款",
				Category:           []string{"市场监管", "生态环境", "交通运输", "文化旅游"}[i%4],
				Attributes: map[string]string{
					"violatedProvision": fmt.Sprintf("《基准市市场监督管理条例》第%d条", i%200+1),
					"penaltyProvision":  fmt.Sprintf("《基准市市场监督管理条例》第%d条", i%200+2),
					"conditions":        "初次违法且危害后果轻微并及时改正的，不予行政处罚。",
				},
			}
			if !yield(it, nil) {
				return
			}
		}
	}
}

func (cb *checklistBench) itemPointers(n int) []*models.ChecklistItem {
	out := make([]*models.ChecklistItem, 0, n)
	for it := range cb.items(n) {
		out = append(out, &it)
	}
	return out
}

func (cb *checklistBench) unitName(id string) string {
	for _, u := range cb.units {
		if u.ID == id {
			return u.Name
		}
	}
	return ""
}

func (cb *checklistBench) resolveUnit(text string) (string, bool) {
	for _, u := range cb.units {
		if textsearch.Fold(u.Name) == textsearch.Fold(text) {
			return u.ID, true
		}
	}
	return "", false
}

// export downloads the list in the format into an exportSink, which keeps none of
// it, and fails unless the file is whole.
func (cb *checklistBench) export(b *testing.B, id, format string, n int) *exportSink {
	out := &exportSink{header: http.Header{}}
	req := httptest.NewRequest(http.MethodGet, clPath(id, "export")+"?format="+format, nil)
	req.Header.Set("Authorization", cb.auth)
	cb.e.ServeHTTP(out, req)
	switch {
	case out.code != http.StatusOK:
		b.Fatalf("status %d: %.300s", out.code, out.tail)
	case format == "csv" && out.lines != n+1:
		b.Fatalf("%d lines in the CSV file, want %d", out.lines, n+1)
	case format == "xlsx" && !bytes.Contains(out.tail, []byte("PK\x05\x06")):
		b.Fatalf("the workbook (%d bytes) has no end: cut short", out.n)
	}
	return out
}

// items50 reads a page of items.
func (cb *checklistBench) items50(b *testing.B, path string) api.ChecklistItemPage {
	b.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", cb.auth)
	cb.e.ServeHTTP(rec, req)
	var page api.ChecklistItemPage
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &page) != nil {
		b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	return page
}

// explain logs the database's plan of the search query, and on MariaDB
// what it did (ANALYZE: rows read against rows kept).
func (cb *checklistBench) explain(b *testing.B, id, q string) {
	b.Helper()
	var stmts []string
	for _, way := range []string{"gram", "scan"} {
		// The values are written into the statement (ids and a
		// folded word without quotes), which MariaDB's ANALYZE needs.
		query, args := checklistSearchSQL(cb.db.Name, way, id, q)
		for _, arg := range args {
			query = strings.Replace(query, "?", "'"+arg.(string)+"'", 1)
		}
		if cb.db.Name == store.MySQL {
			stmts = append(stmts, "EXPLAIN "+query, "ANALYZE "+query)
		} else {
			stmts = append(stmts, "EXPLAIN QUERY PLAN "+query)
		}
	}
	for _, stmt := range stmts {
		lines, err := dbtest.QueryLines(b.Context(), cb.db.SQL(), stmt)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %s\n\t%s", cb.db.Name, strings.Fields(stmt)[0], strings.Join(lines, "\n\t"))
	}
	if cb.db.Name == store.MySQL {
		// The file's size: the table statistics lag behind a bulk insert.
		var file, pool float64
		if err := cb.db.SQL().QueryRowContext(b.Context(), "SELECT file_size/1048576, @@innodb_buffer_pool_size/1048576"+
			" FROM information_schema.innodb_sys_tablespaces WHERE name = CONCAT(DATABASE(), '/checklist_items')").Scan(&file, &pool); err != nil {
			b.Fatal(err)
		}
		b.Logf("mysql: checklist_items (rows and indexes) takes %.0f MiB on disk; the buffer pool is %.0f MiB", file, pool)
	}
}

// poolReads is how many pages MariaDB has read from disk into its buffer
// pool since it started, by every session (0 on SQLite).
func (cb *checklistBench) poolReads(b *testing.B) int64 {
	b.Helper()
	if cb.db.Name != store.MySQL {
		return 0
	}
	var name string
	var n int64
	if err := cb.db.SQL().QueryRowContext(b.Context(), "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'").Scan(&name, &n); err != nil {
		b.Fatal(err)
	}
	return n
}

// exportSink is a response writer that counts what it is sent and keeps its
// last bytes only, as a client that saves the file elsewhere does.
type exportSink struct {
	header http.Header
	code   int
	n      int64
	lines  int
	tail   []byte
}

func (s *exportSink) Header() http.Header { return s.header }

func (s *exportSink) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
}

func (s *exportSink) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	s.n += int64(len(p))
	s.lines += bytes.Count(p, []byte("\n"))
	s.tail = append(s.tail, p[max(0, len(p)-64):]...)
	s.tail = s.tail[max(0, len(s.tail)-64):]
	return len(p), nil
}

func (s *exportSink) Flush() {}

// clRun times fn once per iteration, after setup (not timed), and reports
// items per second, the peak heap while fn ran (peakHeap), the heap before
// it (what the benchmark holds), the peak resident memory over the idle
// process's (peakRSSOver) and the bytes fn allocated per item.
func clRun(b *testing.B, items int, setup, fn func()) {
	b.ReportAllocs()
	var peak, base, alloc, rss uint64
	var spent time.Duration
	var m runtime.MemStats
	for b.Loop() {
		b.StopTimer()
		if setup != nil {
			setup()
		}
		debug.FreeOSMemory()
		runtime.ReadMemStats(&m)
		before := m.TotalAlloc
		base = max(base, m.HeapAlloc)
		b.StartTimer()
		start := time.Now()
		var heap uint64
		over, ok := peakRSSOver(func() { heap = peakHeap(fn) })
		spent += time.Since(start)
		peak = max(peak, heap)
		if ok {
			rss = max(rss, over)
		}
		b.StopTimer()
		runtime.ReadMemStats(&m)
		alloc += m.TotalAlloc - before
		b.StartTimer()
	}
	b.ReportMetric(float64(items)*float64(b.N)/spent.Seconds(), "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(base)/(1<<20), "base-heap-MiB")
	b.ReportMetric(float64(alloc)/float64(items*b.N), "alloc-B/item")
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-over-idle-MiB")
	}
}
