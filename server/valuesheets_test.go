package server_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

// sheetHeaders are the template's headers, in order.
var sheetHeaders = []string{"单位代码", "单位名称", "指标编码", "层级", "指标名称", "计量单位", "期间",
	"数值", "限定词", "原文表述", "截至日期", "自评分", "说明", "状态"}

// sheetSystem is a published system covering 2021–2022 with quarterly
// indicators of every type (1 number, reported by the district and the town
// only; 2 percent; 3 yes/no; 4 text; 5 evidence only) and a yearly one (6).
type sheetSystem struct {
	id                    string
	inds                  []api.Indicator
	district, town, other api.Unit
}

func newSheetSystem(t *testing.T, h *harness) *sheetSystem {
	t.Helper()
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{"frequency": "quarter"}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	s, inds := h.valueSystem(t,
		indicatorBody("1", "20", nil, with(map[string]any{"measureUnit": "件", "reportingUnitIds": []string{h.fx.district, h.fx.town}})),
		indicatorBody("2", "20", nil, with(map[string]any{"valueType": "percent", "measureUnit": "%"})),
		indicatorBody("3", "20", nil, with(map[string]any{"valueType": "yes_no"})),
		indicatorBody("4", "20", nil, with(map[string]any{"valueType": "text"})),
		indicatorBody("5", "10", nil, with(map[string]any{"valueType": "evidence_only"})),
		indicatorBody("6", "10", nil, nil),
	)
	ss := &sheetSystem{id: s.Id.String(), inds: inds}
	ss.district, _ = getOK[api.Unit](t, h, unitsPath+"/"+h.fx.district, nil)
	ss.town, _ = getOK[api.Unit](t, h, unitsPath+"/"+h.fx.town, nil)
	ss.other, _ = getOK[api.Unit](t, h, unitsPath+"/"+h.fx.other, nil)
	return ss
}

func (s *sheetSystem) path(what string, query url.Values) string {
	p := systemsPath + "/" + s.id + "/" + what
	if len(query) > 0 {
		p += "?" + query.Encode()
	}
	return p
}

// download gets a sheet, expecting 200 with the media type and a file name.
func download(t *testing.T, h *harness, path string, who map[string]string, media, ext string) []byte {
	t.Helper()
	resp := h.Get(path, who)
	expect(t, resp, http.StatusOK, "")
	if ct := resp.Header.Get("Content-Type"); ct != media {
		t.Errorf("Content-Type %q, want %q", ct, media)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ext+`"`) ||
		!strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q", cd)
	}
	return resp.Body
}

const xlsxMedia = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// xlsxRows reads a workbook's first sheet as text, as a person sees it.
func xlsxRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// upload posts a file to the import, as who.
func upload(t *testing.T, h *harness, s *sheetSystem, period string, dryRun bool, name string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	q := url.Values{"period": {period}}
	if dryRun {
		q.Set("dryRun", "true")
	}
	return postFile(t, h, s.path("value-import", q), name, data, who)
}

// postFile posts a file as the multipart field "file", as who.
func postFile(t *testing.T, h *harness, path, name string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	ct, body := multipartOf(t, part{field: "file", filename: name, contentType: "application/octet-stream", data: data})
	return h.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: ct, Header: who})
}

func importReport(t *testing.T, resp *apitest.Response) api.ValueImportReport {
	t.Helper()
	expect(t, resp, http.StatusOK, "")
	var r api.ValueImportReport
	resp.JSON(t, &r)
	return r
}

// problemRefs lists the problems' cell references.
func problemRefs(ps []api.CellProblem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		ref := ""
		if p.Ref != nil {
			ref = *p.Ref
		}
		out[i] = ref
	}
	return out
}

// values reads the system's values for the period as "indicator/unit" → value.
func (s *sheetSystem) values(t *testing.T, h *harness, period string) map[string]api.IndicatorValue {
	t.Helper()
	code := map[string]string{}
	for _, ind := range s.inds {
		code[ind.Id.String()] = ind.Code
	}
	units := map[string]string{s.district.Id.String(): s.district.Code, s.town.Id.String(): s.town.Code}
	out := map[string]api.IndicatorValue{}
	for _, v := range listAll[api.IndicatorValue](t, h, valuesPath, nil, url.Values{"systemId": {s.id}, "period": {period}}, 100) {
		out[code[v.IndicatorId.String()]+"/"+units[v.UnitId.String()]] = v
	}
	return out
}

// realShaped is the kind of workbook a unit mails back: a merged title row
// above headers in mixed traditional and simplified characters and in an order
// of its own, a blank row, a percentage typed as "58.10%" and one stored as a
// number with a percent format, and five mistakes (fixed when fixed is set).
func realShaped(t *testing.T, s *sheetSystem, fixed bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sh = "指標填報"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", sh))
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	must(err)
	must(f.SetCellStr(sh, "A1", "盤錦市2021年法治政府建設主要指標填報表（第三季度）"))
	must(f.MergeCell(sh, "A1", "G1"))
	for i, head := range []string{"单位代码", "指标编码", "指標名稱", "期间", "数值", "限定词", "說明"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		must(f.SetCellStr(sh, cell, head))
	}
	d, tw := s.district.Code, s.town.Code
	pick := func(good, bad string) string {
		if fixed {
			return good
		}
		return bad
	}
	rows := map[int][]any{
		3: {d, "1", "案件數", "2021-Q3", 17, "以上", "市本級"},
		// row 4 is blank
		5:  {tw, "2", "注冊率", "2021-Q3", "58.10%"},
		6:  {d, "2", "注冊率", "2021-Q3", nil}, // 0.581, formatted as a percentage below
		7:  {tw, "1", "案件數", "2021-Q3", pick("12", "12a")},
		8:  {pick(d, "no-such-unit"), "4", "進展", "2021-Q3", "進行中"},
		9:  {tw, "3", "是否完成", "2021-Q3", "是"},
		11: {tw, "4", "進展", pick("2021-Q3", "2021-Q2"), "已完成"},
		12: {d, "3", "是否完成", "2021-Q3", pick("否", "也許")},
	}
	if !fixed {
		rows[10] = []any{tw, "9", "不存在的指標", "2021-Q3", "1"}
	}
	for r, cells := range rows {
		for c, v := range cells {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			must(f.SetCellValue(sh, cell, v))
		}
	}
	must(f.SetCellFloat(sh, "E6", 0.581, -1, 64))
	must(f.SetCellStyle(sh, "E6", "E6", pct))
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// TestValueSheetRoundTrip: a real-shaped workbook is checked in a dry run,
// refused whole while it has mistakes, imported once fixed, and the export
// re-imports with no change, as .xlsx and as .csv.
func TestValueSheetRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := newSheetSystem(t, h)
		const period = "2021-Q3"

		// The dry run of the file with mistakes reports each at its cell and
		// writes nothing.
		bad := realShaped(t, s, false)
		r := importReport(t, upload(t, h, s, period, true, "填報.xlsx", bad, nil))
		wantRefs := []string{"E7", "A8", "B10", "D11", "E12"}
		if got := problemRefs(r.Problems); !slices.Equal(got, wantRefs) || r.ProblemCount != 5 {
			t.Fatalf("problems at %v (%d), want %v: %+v", got, r.ProblemCount, wantRefs, r.Problems)
		}
		for i, wantHeader := range []string{"数值", "单位代码", "指标编码", "期间", "数值"} {
			p := r.Problems[i]
			if p.Header == nil || *p.Header != wantHeader || p.Sheet == nil || *p.Sheet != "指標填報" || p.Row == nil || p.Column == nil {
				t.Errorf("problem %d: %+v, want header %s on sheet 指標填報 with row and column", i, p, wantHeader)
			}
		}
		for i, fragment := range []string{"not a number", "no unit has the code", "no indicator 9", "this sheet is for 2021-Q3", "是 or 否"} {
			if !strings.Contains(r.Problems[i].Message, fragment) {
				t.Errorf("problem %s: %q, want it to say %q", wantRefs[i], r.Problems[i].Message, fragment)
			}
		}
		if !r.DryRun || r.Sheet != "指標填報" || r.Rows != 9 || r.Created != 4 || r.Skipped != 0 {
			t.Errorf("report %+v", r)
		}
		if n := len(s.values(t, h, period)); n != 0 {
			t.Fatalf("a dry run wrote %d values", n)
		}

		// Committed, it is refused whole.
		resp := upload(t, h, s, period, false, "填報.xlsx", bad, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
		if p := resp.Problem(t); len(p.Cells) != 5 || p.Cells[0].Ref != "E7" || p.Cells[4].Ref != "E12" {
			t.Errorf("cells %+v", p.Cells)
		}
		if n := len(s.values(t, h, period)); n != 0 {
			t.Fatalf("a refused import wrote %d values", n)
		}

		// Fixed, the dry run is clean, and the import creates every value.
		good := realShaped(t, s, true)
		r = importReport(t, upload(t, h, s, period, true, "填報.xlsx", good, nil))
		if r.ProblemCount != 0 || r.Created != 8 || len(r.Problems) != 0 {
			t.Fatalf("dry run of the fixed file: %+v", r)
		}
		r = importReport(t, upload(t, h, s, period, false, "填報.xlsx", good, nil))
		if r.DryRun || r.Created != 8 || r.Updated != 0 || r.Unchanged != 0 || r.Rows != 8 {
			t.Fatalf("import: %+v", r)
		}
		vs := s.values(t, h, period)
		d, tw := s.district.Code, s.town.Code
		want := map[string]string{"1/" + d: "17", "2/" + tw: "58.10", "2/" + d: "58.10", "1/" + tw: "12"}
		for key, value := range want {
			if v, ok := vs[key]; !ok || v.Value == nil || v.Value.String() != value {
				t.Errorf("value %s = %+v, want %s", key, vs[key].Value, value)
			}
		}
		if v := vs["1/"+d]; v.Qualifier != "at_least" || v.Comment == nil || *v.Comment != "市本級" || v.Status != "draft" {
			t.Errorf("value 1/%s: %+v", d, v)
		}
		if v := vs["3/"+tw]; v.YesNo == nil || !*v.YesNo {
			t.Errorf("value 3/%s: %+v", tw, v)
		}
		if v := vs["3/"+d]; v.YesNo == nil || *v.YesNo {
			t.Errorf("value 3/%s: %+v", d, v)
		}
		if v := vs["4/"+tw]; v.Text == nil || *v.Text != "已完成" {
			t.Errorf("value 4/%s: %+v", tw, v)
		}
		// Importing the same file again changes nothing.
		r = importReport(t, upload(t, h, s, period, false, "填報.xlsx", good, nil))
		if r.Created != 0 || r.Updated != 0 || r.Unchanged != 8 {
			t.Errorf("second import: %+v", r)
		}

		units := url.Values{"period": {period}, "unitId": {h.fx.district, h.fx.town}}
		// The export re-imports with no change, as .xlsx and as .csv.
		export := download(t, h, s.path("value-export", units), nil, xlsxMedia, ".xlsx")
		rows := xlsxRows(t, export)
		if len(rows) != 2+8 || !slices.Equal(rows[1], sheetHeaders) {
			t.Fatalf("export rows %q", rows)
		}
		if rows[3][7] != "58.10" || rows[3][13] != "草稿" {
			t.Errorf("export row 4 %q, want the district's 58.10 in draft", rows[3])
		}
		r = importReport(t, upload(t, h, s, period, false, "export.xlsx", export, nil))
		if r.Created != 0 || r.Updated != 0 || r.Unchanged != 8 || r.ProblemCount != 0 {
			t.Errorf("re-import of the export: %+v", r)
		}
		csvQuery := url.Values{"period": {period}, "unitId": {h.fx.district, h.fx.town}, "format": {"csv"}}
		exportCSV := download(t, h, s.path("value-export", csvQuery), nil, "text/csv", ".csv")
		r = importReport(t, upload(t, h, s, period, false, "export.csv", exportCSV, nil))
		if r.Created != 0 || r.Updated != 0 || r.Unchanged != 8 || r.ProblemCount != 0 {
			t.Errorf("re-import of the CSV export: %+v", r)
		}
		after := s.values(t, h, period)
		for key, v := range after {
			if v.Version != 1 {
				t.Errorf("value %s at version %d after re-imports, want 1", key, v.Version)
			}
		}

		// A changed cell updates its value, with its history.
		changed := setCell(t, export, "H7", "13") // the town's indicator 1
		r = importReport(t, upload(t, h, s, period, false, "export.xlsx", changed, nil))
		if r.Updated != 1 || r.Unchanged != 7 {
			t.Fatalf("import of one change: %+v", r)
		}
		town1, _ := getOK[api.IndicatorValue](t, h, valuesPath+"/"+after["1/"+tw].Id.String(), nil)
		if town1.Value == nil || town1.Value.String() != "13" || town1.Version != 2 {
			t.Errorf("changed value %+v", town1)
		}
		history := listAll[api.AuditEvent](t, h, valuesPath+"/"+town1.Id.String()+"/history", nil, nil, 10)
		if len(history) != 2 {
			t.Errorf("history of the changed value: %d events, want 2", len(history))
		}

		// A value in review no longer changes by import: the whole file is
		// refused at its cell.
		h.mustAct(t, after["2/"+tw].Id.String(), "submit", nil, nil, "submitted")
		changed = setCell(t, export, "H8", "60") // the town's indicator 2
		resp = upload(t, h, s, period, false, "export.xlsx", changed, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
		if p := resp.Problem(t); len(p.Cells) != 1 || p.Cells[0].Ref != "H8" || !strings.Contains(p.Cells[0].Message, "submitted") {
			t.Errorf("cells %+v", p.Cells)
		}
		if v, _ := getOK[api.IndicatorValue](t, h, valuesPath+"/"+town1.Id.String(), nil); v.Version != 2 {
			t.Errorf("a refused import changed the town's indicator 1: %+v", v)
		}

		// A reporter reports for its own unit only.
		r = importReport(t, upload(t, h, s, period, true, "export.xlsx", export, h.as("reporter")))
		if r.ProblemCount != 4 {
			t.Errorf("the town's reporter importing the district's rows: %+v", r)
		}
		for _, p := range r.Problems {
			if !strings.Contains(p.Message, "you may not report for this unit") || p.Column == nil || *p.Column != "A" {
				t.Errorf("problem %+v", p)
			}
		}

		// The provincial platform's key sees approved values only.
		h.mustAct(t, after["2/"+tw].Id.String(), "approve", nil, h.as("reviewer"), "approved")
		rows = xlsxRows(t, download(t, h, s.path("value-export", units), h.as("key:read"), xlsxMedia, ".xlsx"))
		var filled []string
		for _, row := range rows[2:] {
			if len(row) > 7 && row[7] != "" {
				filled = append(filled, row[0]+"/"+row[2]+"="+row[7])
			}
		}
		if want := []string{tw + "/2=58.10"}; !slices.Equal(filled, want) {
			t.Errorf("values exported to an API key: %v, want %v", filled, want)
		}
	})
}

// setCell returns the workbook with one cell's text replaced.
func setCell(t *testing.T, data []byte, ref, text string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellStr(f.GetSheetName(0), ref, text); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestValueTemplate: the template holds a row per unit and indicator to
// report at the period's frequency, in tree order, with empty value columns.
func TestValueTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := newSheetSystem(t, h)
		d, tw := s.district.Code, s.town.Code
		q := url.Values{"period": {"2021-Q3"}, "unitId": {h.fx.town, h.fx.district}}
		rows := xlsxRows(t, download(t, h, s.path("value-template", q), h.as("reviewer"), xlsxMedia, ".xlsx"))
		if !strings.Contains(rows[0][0], "2021-Q3") || !strings.Contains(rows[0][0], "数值填报表") {
			t.Errorf("title %q", rows[0])
		}
		if !slices.Equal(rows[1], sheetHeaders) {
			t.Errorf("headers %q", rows[1])
		}
		var got []string
		for _, row := range rows[2:] {
			got = append(got, row[0]+"/"+row[2])
			if len(row) > 7 && row[7] != "" {
				t.Errorf("template row with a value: %q", row)
			}
			if row[6] != "2021-Q3" || row[3] != "1" {
				t.Errorf("row %q: want period 2021-Q3, level 1", row)
			}
		}
		// Units in the order asked; 5 is evidence only, 6 yearly.
		want := []string{tw + "/1", tw + "/2", tw + "/3", tw + "/4", d + "/1", d + "/2", d + "/3", d + "/4"}
		if !slices.Equal(got, want) {
			t.Errorf("rows %v, want %v", got, want)
		}
		if rows[2][1] != s.town.Name || rows[2][5] != "件" {
			t.Errorf("row %q: want the town's name and the measure unit", rows[2])
		}

		// By default: the units that must report, of those the caller sees.
		byDefault := func(who map[string]string) []string {
			data := download(t, h, s.path("value-template", url.Values{"period": {"2021-Q3"}, "format": {"csv"}}), who, "text/csv", ".csv")
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], sheetHeaders) {
				t.Errorf("CSV headers %q", recs[0])
			}
			var units []string
			for _, rec := range recs[1:] {
				if !slices.Contains(units, rec[0]) {
					units = append(units, rec[0])
				}
			}
			slices.Sort(units)
			return units
		}
		both := []string{d, tw}
		slices.Sort(both)
		if got := byDefault(nil); !slices.Equal(got, both) {
			t.Errorf("the administrator's default units %v, want %v", got, both)
		}
		if got := byDefault(h.as("reporter")); !slices.Equal(got, []string{tw}) {
			t.Errorf("the town reporter's default units %v, want the town", got)
		}

		// The yearly indicator has its own sheet.
		rows = xlsxRows(t, download(t, h, s.path("value-template", url.Values{"period": {"2022"}, "unitId": {h.fx.town}}), nil, xlsxMedia, ".xlsx"))
		if len(rows) != 3 || rows[2][2] != "6" {
			t.Errorf("yearly template %q", rows)
		}
	})
}

// An upload reaches its handler unread: the contract's validator leaves a
// streamed body alone (it once read every body whole, to offer it to an
// authentication function), so a file refused before it is reached, here
// for a period outside the system's years, is never read into memory.
func TestUploadReachesHandlerUnread(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := newSheetSystem(t, h)
		ct, body := multipartOf(t, part{field: "file", filename: "大.csv", contentType: "text/csv",
			data: bytes.Repeat([]byte(s.town.Code+",1,3\n"), 1<<17)})
		read := &countingReader{r: bytes.NewReader(body)}
		resp := h.Do(apitest.Request{Method: http.MethodPost, Path: s.path("value-import", url.Values{"period": {"2030-Q1"}}),
			Body: read, ContentType: ct})
		expect(t, resp, http.StatusUnprocessableEntity, "value_period_invalid")
		if read.n > 64<<10 {
			t.Errorf("%d of the body's %d bytes were read before the handler refused it", read.n, len(body))
		}
	})
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestValueSheetErrors: every refusal of the three spreadsheet operations.
func TestValueSheetErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := newSheetSystem(t, h)
		for _, what := range []string{"value-template", "value-export"} {
			t.Run(what, func(t *testing.T) {
				absent := &sheetSystem{id: absentID}
				expect(t, h.Get(absent.path(what, url.Values{"period": {"2021-Q3"}}), nil), http.StatusNotFound, "not_found")
				// A unit the caller does not see, or that does not exist.
				q := url.Values{"period": {"2021-Q3"}, "unitId": {h.fx.other}}
				expect(t, h.Get(s.path(what, q), h.as("reviewer")), http.StatusNotFound, "not_found")
				q.Set("unitId", absentID)
				expect(t, h.Get(s.path(what, q), nil), http.StatusNotFound, "not_found")
				// A period outside the system's years, or not a period.
				resp := h.Get(s.path(what, url.Values{"period": {"2025-Q1"}}), nil)
				expect(t, resp, http.StatusUnprocessableEntity, "value_period_invalid")
				if p := resp.Problem(t); len(p.Errors) != 1 || p.Errors[0].Parameter != "query.period" {
					t.Errorf("errors %+v", p.Errors)
				}
				expect(t, h.Get(s.path(what, url.Values{"period": {"2021-Q5"}}), nil), http.StatusBadRequest, "invalid_request")
				expect(t, h.Get(s.path(what, nil), nil), http.StatusBadRequest, "invalid_request")
				expect(t, h.Get(s.path(what, url.Values{"period": {"2021"}, "format": {"pdf"}}), nil), http.StatusBadRequest, "invalid_request")
			})
		}

		good := realShaped(t, s, true)
		// Not a published system; no such system; a period outside it.
		draft := &sheetSystem{id: h.fx.system}
		expect(t, upload(t, h, draft, "2021", true, "填報.xlsx", good, nil), http.StatusConflict, "indicator_system_not_published")
		expect(t, upload(t, h, &sheetSystem{id: absentID}, "2021", false, "填報.xlsx", good, nil), http.StatusNotFound, "not_found")
		expect(t, upload(t, h, s, "2030-Q1", false, "填報.xlsx", good, nil), http.StatusUnprocessableEntity, "value_period_invalid")
		// Files that are not spreadsheets.
		for name, data := range map[string][]byte{
			"佐證.pdf":  fixturePDF,
			"old.xls": append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...),
			"a.xlsx":  []byte("PK\x03\x04 not really a workbook"),
			"u16.csv": {0xFF, 0xFE, '1', 0, ',', 0},
		} {
			resp := upload(t, h, s, "2021-Q3", false, name, data, nil)
			expect(t, resp, http.StatusUnsupportedMediaType, "unsupported_media_type")
		}
		// A body without the file, or with another part.
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("note", "x")
		_ = w.Close()
		resp := h.Do(apitest.Request{Method: http.MethodPost, Path: s.path("value-import", url.Values{"period": {"2021-Q3"}}),
			Body: buf.Bytes(), ContentType: w.FormDataContentType()})
		expect(t, resp, http.StatusBadRequest, "invalid_request")
		buf.Reset()
		w = multipart.NewWriter(&buf)
		_ = w.Close()
		resp = h.Do(apitest.Request{Method: http.MethodPost, Path: s.path("value-import", url.Values{"period": {"2021-Q3"}}),
			Body: buf.Bytes(), ContentType: w.FormDataContentType()})
		expect(t, resp, http.StatusBadRequest, "invalid_request")

		// A sheet without the required columns: a problem in a dry run, a 422 otherwise.
		noValue := []byte("單位代碼,指標編碼\n" + s.town.Code + ",1\n")
		r := importReport(t, upload(t, h, s, "2021-Q3", true, "缺列.csv", noValue, nil))
		if r.ProblemCount != 1 || !strings.Contains(r.Problems[0].Message, "数值") || r.Problems[0].Sheet == nil || *r.Problems[0].Sheet != "缺列" {
			t.Errorf("report %+v", r)
		}
		expect(t, upload(t, h, s, "2021-Q3", false, "缺列.csv", noValue, nil), http.StatusUnprocessableEntity, "sheet_invalid")

		// A row given twice.
		twice := []byte("單位代碼,指標編碼,數值\n" + s.town.Code + ",1,3\n" + s.town.Code + ",1,4\n")
		r = importReport(t, upload(t, h, s, "2021-Q3", true, "twice.csv", twice, nil))
		if r.ProblemCount != 1 || !strings.Contains(r.Problems[0].Message, "row 2 already reports") {
			t.Errorf("report %+v", r)
		}
		if n := len(s.values(t, h, "2021-Q3")); n != 0 {
			t.Errorf("refused imports wrote %d values", n)
		}
	})
}
