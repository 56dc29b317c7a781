package server_test

// Checklists in spreadsheets through HTTP: the import of a real-shaped file
// (title row, merged two-row header, Chinese headers, a blank row, a bad
// date) with dryRun, its fix and commit, then publishing, revising,
// diffing, exporting and re-importing the export with no changes.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

// checklistUpload posts a file to a draft's import, as who.
func checklistUpload(t *testing.T, h *harness, listID string, query url.Values, name string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	p := clPath(listID, "import")
	if len(query) > 0 {
		p += "?" + query.Encode()
	}
	return postFile(t, h, p, name, data, who)
}

func checklistReport(t *testing.T, resp *apitest.Response) api.ChecklistImportReport {
	t.Helper()
	expect(t, resp, http.StatusOK, "")
	var r api.ChecklistImportReport
	resp.JSON(t, &r)
	return r
}

// realShapedChecklist is a workbook as an office keeps a list: the title
// above, a header of two rows whose group cell 依据 is merged over 法律依据
// and 违法依据, a blank row among the items, and (unless fixed) a date that
// is no date in C5 and a level the kind does not have in D7.
func realShapedChecklist(t *testing.T, fixed bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	set := func(ref string, v any) {
		if err := f.SetCellValue(sh, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "某区柔性执法事项清单（2022年）")
	if err := f.MergeCell(sh, "A1", "G1"); err != nil {
		t.Fatal(err)
	}
	for ref, v := range map[string]string{"A2": "序号", "B2": "事项名称", "C2": "施行日期", "D2": "执法层级", "E2": "依据", "G2": "说明"} {
		set(ref, v)
	}
	set("E3", "法律依据")
	set("F3", "违法依据")
	for _, r := range [][2]string{{"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "D3"}, {"E2", "F2"}, {"G2", "G3"}} {
		if err := f.MergeCell(sh, r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	date, level := "2022-13-01", "省"
	if fixed {
		date, level = "2022-03-01", "县"
	}
	rows := [][]any{
		{1, "首次未按规定设置招牌", "2022-03-01", "市", "《行政处罚法》第三十三条", "《城市市容和环境卫生管理条例》第十六条", "首违不罚"},
		{2, "临时占道堆放物料", date, "市", "《行政处罚法》第三十三条", "", ""},
		{},
		{3, "未按规定清扫门前积雪", "2022-03-01", level, "", "", "说明"},
	}
	for i, row := range rows {
		for j, v := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+4)
			set(ref, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestChecklistSheetRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		c := h.newChecklist(t, nil, checklistBody(kind, h.fx.district, nil))
		id := c.Id.String()

		// A dry run reports each bad cell and writes nothing.
		r := checklistReport(t, checklistUpload(t, h, id, url.Values{"dryRun": {"true"}}, "清单.xlsx", realShapedChecklist(t, false), nil))
		if !r.DryRun || r.ProblemCount != 2 || !slices.Equal(problemRefs(r.Problems), []string{"C5", "D7"}) {
			t.Fatalf("dry run report %+v, problems at %v, want C5 and D7", r, problemRefs(r.Problems))
		}
		if items := h.items(t, id, nil, nil, 100); len(items) != 0 {
			t.Fatalf("a dry run wrote %d items", len(items))
		}
		// Without dryRun the bad file changes nothing either: 422 with the cells.
		resp := checklistUpload(t, h, id, nil, "清单.xlsx", realShapedChecklist(t, false), nil)
		expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
		if len(h.items(t, id, nil, nil, 100)) != 0 {
			t.Fatal("a refused import wrote items")
		}

		// Fixed, it imports whole.
		r = checklistReport(t, checklistUpload(t, h, id, nil, "清单.xlsx", realShapedChecklist(t, true), nil))
		if r.DryRun || r.Created != 3 || r.ProblemCount != 0 || r.Rows != 3 {
			t.Fatalf("import report %+v", r)
		}
		items := h.items(t, id, nil, nil, 100)
		if got := itemNames(items); !slices.Equal(got, []string{"首次未按规定设置招牌", "临时占道堆放物料", "未按规定清扫门前积雪"}) {
			t.Fatalf("imported items %v", got)
		}
		first := items[0]
		if first.Attributes["startDate"] != "2022-03-01" || first.Attributes["basis"] != "《城市市容和环境卫生管理条例》第十六条" ||
			first.LegalBasis == nil || *first.LegalBasis != "《行政处罚法》第三十三条" || first.Attributes["note"] != "首违不罚" {
			t.Errorf("first item %+v", first)
		}

		// Publish, revise, change the revision through a re-import of its
		// export, diff, and export the diff.
		h.mustClAct(t, id, "submit", nil, nil, "in_review")
		h.mustClAct(t, id, "publish", nil, h.as("cityReviewer"), "published")
		rev := h.mustClAct(t, id, "revise", nil, nil, "draft")
		revID := rev.Id.String()
		exported := download(t, h, clPath(revID, "export"), nil, xlsxMedia, ".xlsx")
		rows := xlsxRows(t, exported)
		if len(rows) < 5 || !strings.Contains(rows[0][0], c.Title) {
			t.Fatalf("export's first rows %v", rows[:min(len(rows), 3)])
		}
		r = checklistReport(t, checklistUpload(t, h, revID, nil, "导出.xlsx", exported, nil))
		if r.Created+r.Updated+r.Deleted != 0 || r.Unchanged != 3 {
			t.Fatalf("re-importing the export: %+v, want no change", r)
		}
		csvData := download(t, h, clPath(revID, "export")+"?format=csv", nil, "text/csv", ".csv")
		if !bytes.HasPrefix(csvData, []byte("\uFEFF")) {
			t.Error("the CSV export has no byte order mark")
		}
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(records) != 4 {
			t.Fatalf("CSV export: %d records, %v", len(records), err)
		}
		r = checklistReport(t, checklistUpload(t, h, revID, nil, "导出.csv", csvData, nil))
		if r.Created+r.Updated+r.Deleted != 0 || r.Unchanged != 3 {
			t.Fatalf("re-importing the CSV export: %+v, want no change", r)
		}

		// The revision: one name changed in the workbook, one row dropped
		// with deleteMissing.
		changed := editWorkbook(t, exported, func(f *excelize.File, sh string, rows [][]string) {
			for i, row := range rows {
				if slices.Contains(row, "临时占道堆放物料") {
					col := slices.Index(row, "临时占道堆放物料")
					ref, _ := excelize.CoordinatesToCellName(col+1, i+1)
					if err := f.SetCellValue(sh, ref, "临时占用道路堆放物料"); err != nil {
						t.Fatal(err)
					}
				}
				if slices.Contains(row, "未按规定清扫门前积雪") {
					if err := f.RemoveRow(sh, i+1); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
		r = checklistReport(t, checklistUpload(t, h, revID, url.Values{"deleteMissing": {"true"}}, "修订.xlsx", changed, nil))
		if r.Updated != 1 || r.Deleted != 1 || r.Unchanged != 1 {
			t.Fatalf("the revision's import: %+v", r)
		}
		d, _ := getOK[api.ChecklistDiff](t, h, clPath(revID, "diff"), nil)
		if len(d.Changed) != 1 || d.Changed[0].Fields[0].New != "临时占用道路堆放物料" || len(d.Removed) != 1 || len(d.Added) != 0 {
			t.Fatalf("diff after the import: %+v", d)
		}
		diffBook := download(t, h, clPath(revID, "diff-export")+"?from=1&to=2", nil, xlsxMedia, ".xlsx")
		text := strings.Join(slices.Concat(xlsxRows(t, diffBook)...), "|")
		if !strings.Contains(text, "临时占用道路堆放物料") || !strings.Contains(text, "未按规定清扫门前积雪") {
			t.Errorf("the diff workbook misses the changed or the removed item: %s", text)
		}
		expect(t, h.Get(clPath(revID, "diff-export")+"?from=9", nil), http.StatusUnprocessableEntity, "checklist_version_not_found")
		// A version the caller may not see, or none, is a 404 for both downloads.
		key := h.as("key:read")
		expect(t, h.Get(clPath(revID, "export"), key), http.StatusNotFound, "not_found")
		expect(t, h.Get(clPath(revID, "diff-export"), key), http.StatusNotFound, "not_found")
		expect(t, h.Get(clPath(absentID, "export"), nil), http.StatusNotFound, "not_found")

		// A comment of blanks says nothing: the return needs a reason.
		h.mustClAct(t, revID, "submit", nil, nil, "in_review")
		expect(t, h.clAct(revID, "return", map[string]string{"comment": "\u3000"}, h.as("cityReviewer")), http.StatusUnprocessableEntity, "checklist_invalid")

		// A published version takes no import.
		expect(t, checklistUpload(t, h, id, nil, "清单.xlsx", realShapedChecklist(t, true), nil), http.StatusConflict, "checklist_not_draft")
	})
}

// editWorkbook changes a workbook's first sheet.
func editWorkbook(t *testing.T, data []byte, edit func(f *excelize.File, sheet string, rows [][]string)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := f.GetSheetName(0)
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	edit(f, sh, rows)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestChecklistImportErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		c := h.newChecklist(t, nil, checklistBody(kind, h.fx.town, nil))
		id := c.Id.String()
		expect(t, checklistUpload(t, h, id, nil, "x.pdf", fixturePDF, nil), http.StatusUnsupportedMediaType, "unsupported_media_type")
		expect(t, checklistUpload(t, h, id, nil, "a.xlsx", []byte("PK\x03\x04 not really a workbook"), nil), http.StatusUnsupportedMediaType, "unsupported_media_type")

		// A reporter imports into its own unit's lists only.
		other, _ := h.userIn(t, h.fx.district, "reporter")
		expect(t, checklistUpload(t, h, id, nil, "清单.xlsx", realShapedChecklist(t, true), other), http.StatusForbidden, "own_unit_only")
		reporter, _ := h.userIn(t, h.fx.district, "reporter")
		own := h.newChecklist(t, nil, checklistBody(kind, h.fx.district, nil))
		checklistReport(t, checklistUpload(t, h, own.Id.String(), nil, "清单.xlsx", realShapedChecklist(t, true), reporter))

		// Rows that leave their item undecided (two rows without a key
		// claim the item with 序号 1) are problems at their cells: a dry
		// run reports them, an import is refused, and nothing changes.
		exported := download(t, h, clPath(own.Id.String(), "export")+"?format=csv", nil, "text/csv", ".csv")
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(exported, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(records) != 4 {
			t.Fatalf("CSV export: %d records, %v", len(records), err)
		}
		keyCol, seqCol := slices.Index(records[0], "事项编码"), slices.Index(records[0], "序号")
		if keyCol < 0 || seqCol < 0 || records[1][seqCol] != "1" {
			t.Fatalf("CSV export's header %q, first row %q", records[0], records[1])
		}
		records[1][keyCol] = ""
		records = append(records, slices.Clone(records[1]))
		var ambiguous bytes.Buffer
		w := csv.NewWriter(&ambiguous)
		if err := w.WriteAll(records); err != nil {
			t.Fatal(err)
		}
		r := checklistReport(t, checklistUpload(t, h, own.Id.String(), url.Values{"dryRun": {"true"}}, "清单.csv", ambiguous.Bytes(), nil))
		if r.ProblemCount != 1 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "has sequence 1 and no item key too") ||
			r.Created+r.Updated+r.Deleted+r.Unchanged != 0 {
			t.Errorf("dry run of an ambiguous sheet: %+v", r)
		}
		expect(t, checklistUpload(t, h, own.Id.String(), nil, "清单.csv", ambiguous.Bytes(), nil), http.StatusUnprocessableEntity, "sheet_invalid")
		if items := h.items(t, own.Id.String(), nil, nil, 100); len(items) != 3 {
			t.Errorf("%d items after the refused import, want 3", len(items))
		}
	})
}

// TestImportChecklistRace: an item changed by someone else while a sheet
// was judged makes the import a conflict, and nothing of the file is
// written.
func TestImportChecklistRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		setup := newHarness(t, db, server.Config{})
		kind := setup.testKind(t)
		c := setup.newChecklist(t, nil, checklistBody(kind, setup.fx.district, nil))
		id := c.Id.String()
		checklistReport(t, checklistUpload(t, setup, id, nil, "清单.xlsx", realShapedChecklist(t, true), nil))
		exported := download(t, setup, clPath(id, "export"), nil, xlsxMedia, ".xlsx")
		changed := editWorkbook(t, exported, func(f *excelize.File, sh string, rows [][]string) {
			for i, row := range rows {
				if col := slices.Index(row, "首次未按规定设置招牌"); col >= 0 {
					ref, _ := excelize.CoordinatesToCellName(col+1, i+1)
					if err := f.SetCellValue(sh, ref, "首次未按规定设置户外招牌"); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
		// Another office's edit lands after the import matched the rows
		// with the list (the plan finds the item changed), or after it
		// read the items it changes (the store finds it).
		for i, when := range []string{"after the refs", "after the items"} {
			edit := once(func() {
				it := setup.items(t, id, nil, nil, 100)[0]
				if _, err := db.UpdateChecklistItem(t.Context(), it.Id.String(), it.Version, models.ChecklistItemPatch{Remark: ptrTo("他人刚改" + when)}); err != nil {
					t.Error(err)
				}
			})
			rs := racingStore{DB: db}
			if i == 0 {
				rs.afterItemRefs = edit
			} else {
				rs.afterChecklistItems = edit
			}
			h := racingHarness(t, rs, setup.fx)
			expect(t, checklistUpload(t, h, id, nil, "清单.xlsx", changed, nil), http.StatusConflict, "checklist_item_changed")
			after := setup.items(t, id, nil, nil, 100)
			if after[0].Name != "首次未按规定设置招牌" || after[0].Remark == nil || *after[0].Remark != "他人刚改"+when {
				t.Errorf("%s: after the refused import the item is %+v", when, after[0])
			}
		}
		// Uploaded again, the file applies to the item as it now is.
		r := checklistReport(t, checklistUpload(t, setup, id, nil, "清单.xlsx", changed, nil))
		if r.Updated != 1 {
			t.Errorf("the second upload: %+v", r)
		}
		// An item the file leaves out, to delete with deleteMissing, edited
		// after the refs were read: the store finds it, and names it by
		// its 序号 (what the import kept of it).
		last := setup.items(t, id, nil, nil, 100)
		gone := last[len(last)-1]
		shorter := editWorkbook(t, exported, func(f *excelize.File, sh string, rows [][]string) {
			for i, row := range rows {
				if slices.Contains(row, gone.Name) {
					if err := f.RemoveRow(sh, i+1); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatalf("no row names %s", gone.Name)
		})
		rs := racingStore{DB: db, afterItemRefs: once(func() {
			if _, err := db.UpdateChecklistItem(t.Context(), gone.Id.String(), gone.Version, models.ChecklistItemPatch{Remark: ptrTo("删除前他人刚改")}); err != nil {
				t.Error(err)
			}
		})}
		resp := checklistUpload(t, racingHarness(t, rs, setup.fx), id, url.Values{"deleteMissing": {"true"}}, "清单.xlsx", shorter, nil)
		expect(t, resp, http.StatusConflict, "checklist_item_changed")
		if p := resp.Problem(t); !strings.Contains(p.Detail, fmt.Sprintf("%s (序号 %d)", gone.Id, gone.Sequence)) {
			t.Errorf("the conflict names the item as %q", p.Detail)
		}
		if got := setup.items(t, id, nil, nil, 100); len(got) != len(last) {
			t.Errorf("after the refused import %d items, want %d", len(got), len(last))
		}
	})
}
