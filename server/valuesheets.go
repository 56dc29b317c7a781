package server

// The reporting spreadsheet (数值填报表): template, export and import of a
// system's values for one period. Package valuesheet judges the rows; this
// file reads the upload, looks up what the rows name, and answers.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/spool"
	"github.com/fazhi/fazhi/valuesheet"
)

// ValueSheetStore is what the spreadsheet operations need from the database.
type ValueSheetStore interface {
	IndicatorTree(ctx context.Context, systemID string) (*models.IndicatorSystem, []models.Indicator, error)
	UnitsByIDs(ctx context.Context, ids []string) ([]models.Unit, error)
	UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error)
	PeriodValues(ctx context.Context, systemID, period string, unitIDs []string, published bool) ([]models.IndicatorValue, error)
	ValuesAt(ctx context.Context, systemID, period string, keys [][2]string) ([]models.IndicatorValue, error)
	ImportValues(ctx context.Context, systemID string, batches iter.Seq2[models.ValueImport, error]) error
}

// ValueSheetHandler serves the spreadsheet operations of the indicator-values tag.
type ValueSheetHandler struct {
	store ValueSheetStore
	rules *rules
	limit int64 // the largest file an import takes, in bytes
	// slots bounds the imports this instance runs at once: each holds its
	// file and a batch (a 100,000-row .xlsx some 150 MiB), and writes for
	// seconds in one transaction. Others wait their turn.
	slots chan struct{}
}

// concurrentImports is how many imports an instance runs at once.
const concurrentImports = 2

// DefaultSheetLimit is the largest spreadsheet an import takes unless configured.
const DefaultSheetLimit = sheet.DefaultMaxFileSize

// maxReportedProblems is how many problems a report or a 422 lists (the
// contract's bound); the count says how many there were.
const maxReportedProblems = 1000

// GetValueTemplate implements getValueTemplate.
func (h *ValueSheetHandler) GetValueTemplate(ctx context.Context, req api.GetValueTemplateRequestObject) (api.GetValueTemplateResponseObject, error) {
	p := req.Params
	csv := p.Format != nil && *p.Format == api.GetValueTemplateParamsFormatCsv
	l, err := h.layout(ctx, req.Id.String(), p.Period, p.UnitId)
	if err != nil {
		return nil, err
	}
	f, err := writeSheet(l, l.Rows(nil), csv, "填报模板")
	if err != nil {
		return nil, err
	}
	if csv {
		return api.GetValueTemplate200TextcsvResponse{ValueSheetTextcsvResponse: f.csv()}, nil
	}
	return api.GetValueTemplate200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
		ValueSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse: f.xlsx()}, nil
}

// ExportIndicatorValues implements exportIndicatorValues.
func (h *ValueSheetHandler) ExportIndicatorValues(ctx context.Context, req api.ExportIndicatorValuesRequestObject) (api.ExportIndicatorValuesResponseObject, error) {
	p := req.Params
	csv := p.Format != nil && *p.Format == api.ExportIndicatorValuesParamsFormatCsv
	l, err := h.layout(ctx, req.Id.String(), p.Period, p.UnitId)
	if err != nil {
		return nil, err
	}
	unitIDs := make([]string, len(l.Units))
	for i := range l.Units {
		unitIDs[i] = l.Units[i].ID
	}
	caller := models.RequestInfoFrom(ctx).Caller
	values, err := h.store.PeriodValues(ctx, l.System.ID, l.Period.String(), unitIDs, models.ValueLifecycle.ReleasedOnly(&caller))
	if err != nil {
		return nil, err
	}
	byKey := make(map[valuesheet.Key]*models.IndicatorValue, len(values))
	for i := range values {
		byKey[valuesheet.KeyOf(&values[i])] = &values[i]
	}
	f, err := writeSheet(l, l.Rows(byKey), csv, "数值导出")
	if err != nil {
		return nil, err
	}
	if csv {
		return api.ExportIndicatorValues200TextcsvResponse{ValueSheetTextcsvResponse: f.csv()}, nil
	}
	return api.ExportIndicatorValues200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
		ValueSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse: f.xlsx()}, nil
}

// layout reads what a sheet covers: the system and its tree, the period,
// and the units (those asked for, each one the caller must see, or by
// default the units that must report, of those it sees).
func (h *ValueSheetHandler) layout(ctx context.Context, systemID, periodText string, unitIDs *[]api.Id) (*valuesheet.Layout, error) {
	p, err := sheetPeriod(periodText)
	if err != nil {
		return nil, err
	}
	sys, inds, err := h.store.IndicatorTree(ctx, systemID)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := systemVisible(&caller, sys); err != nil {
		return nil, err
	}
	if err := valuesheet.CheckPeriod(sys, p); err != nil {
		return nil, periodProblem(err)
	}
	rule := h.rules.rule(ctx)
	var units []models.Unit
	if unitIDs != nil && len(*unitIDs) > 0 {
		ids := make([]string, len(*unitIDs))
		for i, id := range *unitIDs {
			ids[i] = id.String()
		}
		if units, err = h.store.UnitsByIDs(ctx, ids); err != nil {
			return nil, err
		}
		found := map[string]bool{}
		for _, u := range units {
			found[u.ID] = true
			if err := authz.Reach(&caller, rule, u.ID, u.Path); err != nil {
				return nil, err
			}
		}
		for _, id := range ids {
			if !found[id] {
				return nil, &models.NotFoundError{Entity: "unit", ID: id}
			}
		}
	} else {
		all, err := h.store.UnitsByIDs(ctx, valuesheet.ReportingUnits(inds, p))
		if err != nil {
			return nil, err
		}
		for _, u := range all {
			if authz.Sees(&caller, rule, u.Path) {
				units = append(units, u)
			}
		}
	}
	return &valuesheet.Layout{System: sys, Indicators: inds, Period: p, Units: units}, nil
}

// sheetPeriod parses the period parameter (its syntax is the contract's; the
// calendar is checked here).
func sheetPeriod(text string) (period.Period, error) {
	p, err := period.Parse(text)
	if err != nil {
		return period.Period{}, &httpError{status: http.StatusBadRequest, code: "invalid_request", detail: "the request does not match the contract",
			fields: []api.FieldError{{Parameter: ptr("query.period"), Message: err.Error()}}}
	}
	return p, nil
}

func periodProblem(err error) error {
	return &httpError{status: http.StatusUnprocessableEntity, code: "value_period_invalid", detail: err.Error(),
		fields: []api.FieldError{{Parameter: ptr("query.period"), Message: err.Error()}}}
}

// sheetFile is a written sheet and the name it is downloaded under.
type sheetFile struct {
	body *bytes.Buffer
	name string
}

func (f sheetFile) headers() api.ValueSheetResponseHeaders {
	return api.ValueSheetResponseHeaders{ContentDisposition: ptr(contentDisposition(f.name))}
}

func (f sheetFile) csv() api.ValueSheetTextcsvResponse {
	return api.ValueSheetTextcsvResponse{Body: f.body, ContentLength: int64(f.body.Len()), Headers: f.headers()}
}

func (f sheetFile) xlsx() api.ValueSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse {
	return api.ValueSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
		Body: f.body, ContentLength: int64(f.body.Len()), Headers: f.headers()}
}

// writeSheet renders the rows as a workbook (with the title row) or a CSV
// file, named after the system, the period and what it is.
func writeSheet(l *valuesheet.Layout, rows [][]string, csv bool, what string) (sheetFile, error) {
	f := sheetFile{body: &bytes.Buffer{}, name: l.System.Name + "_" + l.Period.String() + "_" + what + ".xlsx"}
	var err error
	if csv {
		f.name = strings.TrimSuffix(f.name, ".xlsx") + ".csv"
		err = sheet.WriteCSV(f.body, valuesheet.OutColumns(), rows)
	} else {
		err = sheet.WriteXLSX(f.body, []sheet.SheetData{{Name: valuesheet.SheetName, Title: valuesheet.Title(l.System, l.Period),
			Columns: valuesheet.OutColumns(), Rows: rows}})
	}
	if err != nil {
		return sheetFile{}, fmt.Errorf("write value sheet: %w", err)
	}
	return f, nil
}

// ImportIndicatorValues implements importIndicatorValues. The file streams
// through in batches: each is judged (its units and existing values read
// then) and what it will write spooled to disk, so that memory holds one
// batch, however many rows the file has, and no lock is held meanwhile. Only
// then, with no problem found, the spooled batches are written in one
// transaction, each change checked against the version judged.
func (h *ValueSheetHandler) ImportIndicatorValues(ctx context.Context, req api.ImportIndicatorValuesRequestObject) (api.ImportIndicatorValuesResponseObject, error) {
	p, err := sheetPeriod(req.Params.Period)
	if err != nil {
		return nil, err
	}
	dryRun := req.Params.DryRun != nil && *req.Params.DryRun
	sys, inds, err := h.store.IndicatorTree(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := systemVisible(&caller, sys); err != nil {
		return nil, err
	}
	if err := sys.Reportable(); err != nil {
		return nil, err
	}
	if err := valuesheet.CheckPeriod(sys, p); err != nil {
		return nil, periodProblem(err)
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	file, name, err := receiveFile(req.Body, h.limit)
	if err != nil {
		return nil, err
	}
	rule := h.rules.rule(ctx)
	imp := &valueImport{ctx: ctx, store: h.store, dryRun: dryRun,
		layout: &valuesheet.Layout{System: sys, Indicators: inds, Period: p}}
	imp.judge = imp.layout.NewJudge(func(u *models.Unit) error {
		if authz.Reach(&caller, rule, u.ID, u.Path) != nil {
			return errors.New("you may not report for this unit")
		}
		return nil
	})
	defer imp.close()
	tab, headerProbs, err := sheet.Scan(file, name, valuesheet.ReadColumns(), sheet.ReadOptions{}, imp.add)
	if err != nil {
		return nil, fileRefused(err)
	}
	if len(headerProbs) > 0 {
		// The rows of a sheet whose header is wrong say nothing.
		imp.report = api.ValueImportReport{}
		imp.problems, imp.problemCount = nil, 0
		imp.addProblems(headerProbs)
	} else if err := imp.flush(); err != nil {
		return nil, err
	}
	report := imp.report
	report.DryRun, report.Sheet = dryRun, tab.Sheet
	report.ProblemCount = int32(imp.problemCount)
	cells := cellProblems(tab, imp.problems)
	switch {
	case dryRun:
		report.Problems = cells
		return api.ImportIndicatorValues200JSONResponse(report), nil
	case imp.problemCount > 0:
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "sheet_invalid", cells: cells,
			detail: fmt.Sprintf("%d problems in the file (the first: %s); nothing was imported", imp.problemCount, imp.problems[0])}
	}
	report.Problems = []api.CellProblem{}
	if imp.spool != nil {
		if err := h.store.ImportValues(ctx, sys.ID, imp.spool.Batches()); err != nil {
			return nil, err
		}
	}
	return api.ImportIndicatorValues200JSONResponse(report), nil
}

// importBatch is how many rows an import judges at a time.
const importBatch = 500

// valueImport is an import of values as its rows stream by: the batch being
// read, the counts so far, the first problems (all of them counted), and,
// unless it is a dry run or a problem was found, what it will write, spooled.
type valueImport struct {
	ctx    context.Context
	store  ValueSheetStore
	layout *valuesheet.Layout
	judge  *valuesheet.Judge
	dryRun bool

	rows         []sheet.Row
	report       api.ValueImportReport
	problems     sheet.Problems // the first maxReportedProblems
	problemCount int
	spool        *spool.Spool[models.ValueImport]
}

// add takes the next row, judging the batch when it is full.
func (imp *valueImport) add(r sheet.Row) error {
	imp.rows = append(imp.rows, r)
	imp.report.Rows++
	if len(imp.rows) < importBatch {
		return nil
	}
	return imp.flush()
}

// flush judges the rows read since the last flush: the units they name not
// yet looked up and the values they would change are read now.
func (imp *valueImport) flush() error {
	rows := imp.rows
	imp.rows = imp.rows[:0]
	if len(rows) == 0 {
		return nil
	}
	if err := imp.ctx.Err(); err != nil {
		return err
	}
	if codes := imp.judge.Unknown(rows); len(codes) > 0 {
		units, err := imp.store.UnitsByCodes(imp.ctx, codes)
		if err != nil {
			return err
		}
		imp.judge.Know(codes, units)
	}
	entries, skipped, probs := imp.judge.Read(rows)
	keys := make([][2]string, len(entries))
	for i, e := range entries {
		keys[i] = [2]string{e.Value.UnitID, e.Value.IndicatorID}
	}
	values, err := imp.store.ValuesAt(imp.ctx, imp.layout.System.ID, imp.layout.Period.String(), keys)
	if err != nil {
		return err
	}
	existing := make(map[valuesheet.Key]*models.IndicatorValue, len(values))
	for i := range values {
		existing[valuesheet.KeyOf(&values[i])] = &values[i]
	}
	plan, diffProbs := valuesheet.Diff(entries, existing)
	probs = append(probs, diffProbs...)
	probs.Sort()
	imp.addProblems(probs)
	imp.report.Skipped += int32(skipped)
	imp.report.Created += int32(len(plan.Create))
	imp.report.Updated += int32(len(plan.Update))
	imp.report.Unchanged += int32(plan.Unchanged)
	if imp.dryRun || imp.problemCount > 0 || len(plan.Create)+len(plan.Update) == 0 {
		return nil
	}
	if imp.spool == nil {
		if imp.spool, err = spool.New[models.ValueImport](""); err != nil {
			return err
		}
	}
	for i, u := range plan.Update {
		// The write needs only which version of the value was judged.
		plan.Update[i].Before = &models.IndicatorValue{ID: u.Before.ID, Version: u.Before.Version}
	}
	return imp.spool.Write(models.ValueImport{Create: plan.Create, Update: plan.Update})
}

// addProblems counts problems and keeps the first of them; they come in
// row order, batch after batch.
func (imp *valueImport) addProblems(probs sheet.Problems) {
	imp.problemCount += len(probs)
	if room := maxReportedProblems - len(imp.problems); room > 0 {
		imp.problems = append(imp.problems, probs[:min(room, len(probs))]...)
	}
}

// close removes the spool, if any.
func (imp *valueImport) close() {
	if imp.spool != nil {
		_ = imp.spool.Close()
	}
}

// receiveFile reads the multipart body's one part, file, up to the limit.
func receiveFile(body *multipart.Reader, limit int64) (data []byte, name string, err error) {
	err = oneFile(body, func(part *multipart.Part, uploaded string) error {
		data, err = io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return bodyError(err)
		}
		if int64(len(data)) > limit {
			return fileTooLarge(limit)
		}
		name = uploaded
		return nil
	})
	return data, name, err
}

// readSheet reads an uploaded spreadsheet (sheet.ReadFile). Problems with
// the header come back as problems; a file refused as a whole as a 413, 415
// or 422.
func readSheet(data []byte, name string, cols []sheet.Column) (*sheet.Table, sheet.Problems, error) {
	tab, probs, err := sheet.ReadFile(data, name, cols, sheet.ReadOptions{})
	if err != nil {
		return nil, nil, fileRefused(err)
	}
	return tab, probs, nil
}

// fileRefused answers a spreadsheet refused as a whole: not one (415), too
// large (413), without a sheet (422).
func fileRefused(err error) error {
	switch {
	case errors.Is(err, sheet.ErrFormat):
		return newHTTPError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"%s: upload an .xlsx workbook or a .csv file", err)
	case errors.Is(err, sheet.ErrTooLarge), errors.Is(err, sheet.ErrTooManyRows):
		return newHTTPError(http.StatusRequestEntityTooLarge, "payload_too_large", "%s", err)
	case errors.Is(err, sheet.ErrNoSheet):
		return newHTTPError(http.StatusUnprocessableEntity, "sheet_invalid", "%s", err)
	}
	return err
}

// cellProblems renders the first problems for the contract, with each
// column's letters and header as the file writes it.
func cellProblems(tab *sheet.Table, probs sheet.Problems) []api.CellProblem {
	out := make([]api.CellProblem, 0, min(len(probs), maxReportedProblems))
	for _, p := range probs[:min(len(probs), maxReportedProblems)] {
		c := api.CellProblem{Message: clip(p.Message, 1000), Sheet: nonEmpty(clip(p.Sheet, 100)), Ref: nonEmpty(p.Ref)}
		if p.Row > 0 {
			c.Row = ptr(int32(p.Row))
		}
		if p.Col > 0 {
			c.Column = ptr(sheet.ColumnName(p.Col))
		}
		if tab != nil && p.Column != "" {
			if h, ok := tab.Headers[p.Column]; ok {
				c.Header = nonEmpty(clip(strings.TrimSpace(h.Text), 200))
			}
		}
		out = append(out, c)
	}
	return out
}

// clip shortens s to at most n characters, marking the cut with "…": for
// texts shown to people (messages, names), never for data.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
