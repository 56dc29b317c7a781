package server

// Checklists in spreadsheets: import into a draft (package checklistsheet
// reads and plans, the store applies all or nothing), export of a version
// and the comparison of two versions as workbooks.

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/spool"
	"github.com/fazhi/fazhi/textsearch"
)

// exportPage is how many items an export reads from the database at a
// time: memory holds a page, whatever the list's length.
const exportPage = 1000

// ImportChecklistItems implements importChecklistItems.
func (h *ChecklistHandler) ImportChecklistItems(ctx context.Context, req api.ImportChecklistItemsRequestObject) (api.ImportChecklistItemsResponseObject, error) {
	p := req.Params
	dryRun := p.DryRun != nil && *p.DryRun
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if err := c.Editable(); err != nil {
		return nil, err
	}
	kind, err := h.store.GetChecklistKind(ctx, c.KindKey)
	if err != nil {
		return nil, err
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	file, name, err := receiveFile(req.Body, h.sheetLimit)
	if err != nil {
		return nil, err
	}
	units, err := h.units(ctx)
	if err != nil {
		return nil, err
	}
	read, probs, err := checklistsheet.ReadSpooled(file, name, kind, units.resolve, "")
	if err != nil {
		return nil, fileRefused(err)
	}
	defer read.Close()
	match, matchProbs, err := read.Match(h.store.ChecklistItemRefs(ctx, c.ID))
	if err != nil {
		return nil, err
	}
	probs = append(probs, matchProbs...)
	deleteMissing := p.DeleteMissing != nil && *p.DeleteMissing
	report := api.ChecklistImportReport{DryRun: dryRun, Sheet: checklistsheet.SheetName(kind), Rows: int32(read.Rows), Problems: []api.CellProblem{}}
	var changes *spool.Spool[models.ChecklistItemChanges]
	if match != nil && (dryRun || len(probs) == 0) {
		if changes, err = h.planImport(ctx, c.ID, match, deleteMissing, &report, !dryRun); err != nil {
			return nil, err
		}
		if changes != nil {
			defer changes.Close()
		}
	}
	report.ProblemCount = int32(len(probs))
	if len(probs) > 0 && probs[0].Sheet != "" {
		report.Sheet = clip(probs[0].Sheet, 100)
	}
	cells := cellProblems(nil, probs)
	switch {
	case dryRun:
		report.Problems = cells
		return api.ImportChecklistItems200JSONResponse(report), nil
	case len(probs) > 0:
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "sheet_invalid", cells: cells,
			detail: fmt.Sprintf("%d problems in the file (the first: %s); nothing was imported", len(probs), probs[0])}
	}
	if changes != nil && changes.Len() > 0 {
		if err := h.store.ImportChecklistItems(ctx, c.ID, changes.Batches()); err != nil {
			return nil, err
		}
	}
	return api.ImportChecklistItems200JSONResponse(report), nil
}

// planImport plans an import a batch of rows at a time, counting what it
// does in report and, when spooled is asked for, keeping the changes in a
// spool for the store to write (nil otherwise), so that memory holds a
// batch, not the list.
func (h *ChecklistHandler) planImport(ctx context.Context, checklistID string, match *checklistsheet.Matching, deleteMissing bool,
	report *api.ChecklistImportReport, spooled bool) (*spool.Spool[models.ChecklistItemChanges], error) {
	var changes *spool.Spool[models.ChecklistItemChanges]
	if spooled {
		var err error
		if changes, err = spool.New[models.ChecklistItemChanges](""); err != nil {
			return nil, err
		}
	}
	fail := func(err error) (*spool.Spool[models.ChecklistItemChanges], error) {
		if changes != nil {
			_ = changes.Close()
		}
		return nil, err
	}
	load := func(ids []string) ([]models.ChecklistItem, error) {
		return h.store.ChecklistItemsByID(ctx, checklistID, ids)
	}
	for plan, err := range match.Plans(load) {
		if err != nil {
			return fail(err)
		}
		report.Created += int32(len(plan.Create))
		report.Updated += int32(len(plan.Update))
		report.Unchanged += int32(plan.Unchanged)
		if changes == nil || plan.Empty() {
			continue
		}
		ch := models.ChecklistItemChanges{Create: plan.Create, Update: make([]models.ChecklistItem, len(plan.Update))}
		for i, u := range plan.Update {
			ch.Update[i] = u.After
		}
		if err := changes.Write(ch); err != nil {
			return fail(err)
		}
	}
	if !deleteMissing {
		return changes, nil
	}
	var gone models.ChecklistItemChanges // a batch of the items to delete
	flush := func() error {
		if changes == nil || len(gone.Delete) == 0 {
			return nil
		}
		err := changes.Write(gone)
		gone.Delete = gone.Delete[:0]
		return err
	}
	for ref := range match.Missing() {
		report.Deleted++
		if changes == nil {
			continue
		}
		gone.Delete = append(gone.Delete, models.ChecklistItem{ID: ref.ID, Sequence: ref.Sequence, Version: ref.Version})
		if len(gone.Delete) == importBatch {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	return changes, nil
}

// ExportChecklist implements exportChecklist: the workbook is written as it
// is sent, from the items read a page at a time.
func (h *ChecklistHandler) ExportChecklist(ctx context.Context, req api.ExportChecklistRequestObject) (api.ExportChecklistResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	kind, err := h.store.GetChecklistKind(ctx, c.KindKey)
	if err != nil {
		return nil, err
	}
	units, err := h.units(ctx)
	if err != nil {
		return nil, err
	}
	csv := req.Params.Format != nil && *req.Params.Format == api.ExportChecklistParamsFormatCsv
	name := fmt.Sprintf("%s_第%d版.xlsx", c.Title, c.VersionNo)
	items := h.allItems(ctx, c.ID)
	if csv {
		name = strings.TrimSuffix(name, ".xlsx") + ".csv"
		body := stream(ctx, func(w io.Writer) error { return checklistsheet.WriteCSV(w, kind, items, units.name) })
		return api.ExportChecklist200TextcsvResponse{ChecklistSheetTextcsvResponse: api.ChecklistSheetTextcsvResponse{
			Body: body, Headers: api.ChecklistSheetResponseHeaders{ContentDisposition: ptr(contentDisposition(name))}}}, nil
	}
	body := stream(ctx, func(w io.Writer) error { return checklistsheet.WriteXLSX(w, c, kind, items, units.name) })
	return api.ExportChecklist200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
		ChecklistSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse: api.ChecklistSheetApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
			Body: body, Headers: api.ChecklistSheetResponseHeaders{ContentDisposition: ptr(contentDisposition(name))}}}, nil
}

// ExportChecklistDiff implements exportChecklistDiff.
func (h *ChecklistHandler) ExportChecklistDiff(ctx context.Context, req api.ExportChecklistDiffRequestObject) (api.ExportChecklistDiffResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	d, err := h.diff(ctx, c, req.Params.From, req.Params.To)
	if err != nil {
		return nil, err
	}
	units, err := h.units(ctx)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s_第%d版与第%d版对比.xlsx", d.to.Title, d.from.VersionNo, d.to.VersionNo)
	body := stream(ctx, func(w io.Writer) error {
		return checklistsheet.WriteDiffXLSX(w, d.kind, d.from, d.to, &d.diff, units.name)
	})
	return api.ExportChecklistDiff200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{
		Body: body, Headers: api.ExportChecklistDiff200ResponseHeaders{ContentDisposition: ptr(contentDisposition(name))}}, nil
}

// allItems reads a version's items in order, a page at a time.
func (h *ChecklistHandler) allItems(ctx context.Context, checklistID string) iter.Seq2[models.ChecklistItem, error] {
	return func(yield func(models.ChecklistItem, error) bool) {
		page := paging.Page{Limit: exportPage, Sort: paging.ParseSort("sequence")}
		for {
			items, next, err := h.store.ListChecklistItems(ctx, checklistID, models.ChecklistItemFilter{}, page)
			if err != nil {
				yield(models.ChecklistItem{}, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == nil {
				return
			}
			page.After = next
		}
	}
}

// stream is a response body that write produces as the client reads it. A
// failure once sending has begun can only cut the answer short: the client
// gets a file that does not open (or a snapshot without its last line), and
// the log says why.
func stream(ctx context.Context, write func(io.Writer) error) io.ReadCloser {
	r, w := io.Pipe()
	go func() {
		err := write(w)
		if err != nil && ctx.Err() == nil {
			slog.ErrorContext(ctx, "writing a streamed answer failed after sending began", "err", err)
		}
		w.CloseWithError(err)
	}()
	return r
}

// unitDirectory finds units by what a sheet writes (code, name or short
// name, in either script) and names them as a sheet writes them.
type unitDirectory struct {
	byText map[string]string // folded code, name or short name → id
	names  map[string]string // id → name
	paths  map[string]string // id → path in the tree
}

func (h *ChecklistHandler) units(ctx context.Context) (*unitDirectory, error) {
	all, err := h.store.AllUnits(ctx)
	if err != nil {
		return nil, err
	}
	return newUnitDirectory(all), nil
}

func newUnitDirectory(all []models.Unit) *unitDirectory {
	d := &unitDirectory{byText: map[string]string{}, names: make(map[string]string, len(all)), paths: make(map[string]string, len(all))}
	for _, u := range all {
		d.names[u.ID], d.paths[u.ID] = u.Name, u.Path
		d.byText[textsearch.Fold(u.Code)] = u.ID
		if u.ShortName != nil {
			d.byText[textsearch.Fold(*u.ShortName)] = u.ID
		}
	}
	for _, u := range all { // a full name wins over another unit's short name
		d.byText[textsearch.Fold(u.Name)] = u.ID
	}
	return d
}

func (d *unitDirectory) resolve(text string) (string, bool) {
	id, ok := d.byText[textsearch.Fold(text)]
	return id, ok
}

func (d *unitDirectory) name(id string) string { return d.names[id] }
