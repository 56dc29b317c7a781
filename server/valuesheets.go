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
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/valuesheet"
)

// ValueSheetStore is what the spreadsheet operations need from the database.
type ValueSheetStore interface {
	IndicatorTree(ctx context.Context, systemID string) (*models.IndicatorSystem, []models.Indicator, error)
	UnitsByIDs(ctx context.Context, ids []string) ([]models.Unit, error)
	UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error)
	PeriodValues(ctx context.Context, systemID, period string, unitIDs []string, published bool) ([]models.IndicatorValue, error)
	ImportValues(ctx context.Context, systemID string, creates []*models.IndicatorValue, updates []models.ValueChange) error
}

// ValueSheetHandler serves the spreadsheet operations of the indicator-values tag.
type ValueSheetHandler struct {
	store ValueSheetStore
	rules *rules
	limit int64 // the largest file an import takes, in bytes
	// slots bounds the imports this instance runs at once: a 100,000-row
	// file holds some 600 MiB while it is judged and written, and a few at
	// once must not exhaust the instance's memory. Others wait their turn.
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

// ImportIndicatorValues implements importIndicatorValues.
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
	tab, probs, err := readSheet(file, name, valuesheet.ReadColumns())
	if err != nil {
		return nil, err
	}
	report := api.ValueImportReport{DryRun: dryRun, Problems: []api.CellProblem{}}
	var plan valuesheet.Plan
	if tab != nil && len(probs) == 0 {
		report.Sheet, report.Rows = tab.Sheet, int32(len(tab.Rows))
		judged, err := h.judge(ctx, &valuesheet.Layout{System: sys, Indicators: inds, Period: p}, tab)
		if err != nil {
			return nil, err
		}
		plan, probs, report.Skipped = judged.plan, judged.problems, judged.skipped
	}
	cells := cellProblems(tab, probs)
	report.ProblemCount = int32(len(probs))
	report.Created, report.Updated, report.Unchanged = int32(len(plan.Create)), int32(len(plan.Update)), int32(plan.Unchanged)
	switch {
	case dryRun:
		report.Problems = cells
		return api.ImportIndicatorValues200JSONResponse(report), nil
	case len(probs) > 0:
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "sheet_invalid", cells: cells,
			detail: fmt.Sprintf("%d problems in the file (the first: %s); nothing was imported", len(probs), probs[0])}
	}
	if err := h.store.ImportValues(ctx, sys.ID, plan.Create, plan.Update); err != nil {
		return nil, err
	}
	return api.ImportIndicatorValues200JSONResponse(report), nil
}

// judged is an uploaded sheet judged: the import it plans, the problems
// found, and the rows skipped (template rows nobody filled in).
type judged struct {
	plan     valuesheet.Plan
	problems sheet.Problems
	skipped  int32
}

// judge judges the rows and plans the import: the units the rows name, what
// the caller may report for, and the values that exist already.
func (h *ValueSheetHandler) judge(ctx context.Context, l *valuesheet.Layout, tab *sheet.Table) (judged, error) {
	units, err := h.store.UnitsByCodes(ctx, valuesheet.UnitCodes(tab))
	if err != nil {
		return judged{}, err
	}
	byCode := make(map[string]*models.Unit, len(units))
	for i := range units {
		byCode[units[i].Code] = &units[i]
	}
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	may := func(u *models.Unit) error {
		if authz.Reach(&caller, rule, u.ID, u.Path) != nil {
			return errors.New("you may not report for this unit")
		}
		return nil
	}
	entries, skipped, probs := l.Read(tab, byCode, may)
	seen := map[string]bool{}
	var unitIDs []string
	for _, e := range entries {
		if !seen[e.Value.UnitID] {
			seen[e.Value.UnitID] = true
			unitIDs = append(unitIDs, e.Value.UnitID)
		}
	}
	values, err := h.store.PeriodValues(ctx, l.System.ID, l.Period.String(), unitIDs, false)
	if err != nil {
		return judged{}, err
	}
	existing := make(map[valuesheet.Key]*models.IndicatorValue, len(values))
	for i := range values {
		existing[valuesheet.KeyOf(&values[i])] = &values[i]
	}
	plan, diffProbs := valuesheet.Diff(entries, existing)
	probs = append(probs, diffProbs...)
	probs.Sort()
	return judged{plan: plan, problems: probs, skipped: int32(skipped)}, nil
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
