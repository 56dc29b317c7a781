package server

// Applications of checklist items (适用): cases in which units applied the
// items of released lists, and their sums. A case belongs to the unit that
// applied the item: reach on that unit decides, as for reported values.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/applicationsheet"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/sheet"
)

// ApplicationStore is what the application operations need from the
// database, besides the checklists'.
type ApplicationStore interface {
	GetChecklistApplication(ctx context.Context, id string) (*models.ChecklistApplication, error)
	ListChecklistApplications(ctx context.Context, f models.ChecklistApplicationFilter, page paging.Page) ([]models.ChecklistApplication, *paging.Cursor, error)
	CreateChecklistApplication(ctx context.Context, a *models.ChecklistApplication) error
	AddChecklistApplications(ctx context.Context, checklistID string, apps []*models.ChecklistApplication, dryRun bool) error
	UpdateChecklistApplication(ctx context.Context, id string, ifVersion int64, p models.ChecklistApplicationPatch) (*models.ChecklistApplication, error)
	DeleteChecklistApplication(ctx context.Context, id string, ifVersion int64) error
	ChecklistApplicationStatistics(ctx context.Context, f models.ChecklistApplicationFilter, by models.ApplicationGrouping) (*models.ApplicationStatistics, error)
	ApplicationGroupNames(ctx context.Context, by models.ApplicationGrouping, keys []string) (map[string]string, error)
}

func checklistApplicationPath(id string) string { return basePath + "/checklist-applications/" + id }

// application loads a case and checks that the caller may act on it under
// the operation's rule: one outside its subtree is a 404, one it sees but
// may not change a 403.
func (h *ChecklistHandler) application(ctx context.Context, id string) (*models.ChecklistApplication, error) {
	a, err := h.store.GetChecklistApplication(ctx, id)
	if err != nil {
		return nil, err
	}
	unit, err := h.store.GetUnit(ctx, a.UnitID)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := authz.Reach(&caller, h.rules.rule(ctx), unit.ID, unit.Path); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.NotFoundError{Entity: "checklist application", ID: id}
		}
		return nil, err
	}
	return a, nil
}

// applicationFilter reads the filters both the list and the sums take,
// limited to the caller's subtree.
func (h *ChecklistHandler) applicationFilter(ctx context.Context, listID, checklistID, itemID, unitID *openapi_types.UUID,
	from, to *openapi_types.Date) models.ChecklistApplicationFilter {
	caller := models.RequestInfoFrom(ctx).Caller
	f := models.ChecklistApplicationFilter{UnitPath: authz.SubtreeOf(&caller, h.rules.rule(ctx))}
	for _, p := range []struct {
		to   *string
		from *openapi_types.UUID
	}{{&f.ListID, listID}, {&f.ChecklistID, checklistID}, {&f.ItemID, itemID}, {&f.UnitID, unitID}} {
		if p.from != nil {
			*p.to = p.from.String()
		}
	}
	if from != nil {
		f.From = from.String()
	}
	if to != nil {
		f.To = to.String()
	}
	return f
}

// ListChecklistApplications implements listChecklistApplications.
func (h *ChecklistHandler) ListChecklistApplications(ctx context.Context, req api.ListChecklistApplicationsRequestObject) (api.ListChecklistApplicationsResponseObject, error) {
	p := req.Params
	f := h.applicationFilter(ctx, p.ListId, p.ChecklistId, p.ItemId, p.UnitId, p.From, p.To)
	sort := "-caseDate"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	filters := fmt.Sprint(f.ListID, "|", f.ChecklistID, "|", f.ItemID, "|", f.UnitID, "|", f.From, "|", f.To, "|", f.UnitPath)
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, filters)
	if err != nil {
		return nil, err
	}
	apps, next, err := h.store.ListChecklistApplications(ctx, f, page)
	if err != nil {
		return nil, err
	}
	names, err := h.applicationActors(ctx, apps...)
	if err != nil {
		return nil, err
	}
	out := api.ListChecklistApplications200JSONResponse{Items: make([]api.ChecklistApplication, len(apps)), NextCursor: encodeNext(next, digest)}
	for i := range apps {
		out.Items[i] = applicationOut(&apps[i], names)
	}
	return out, nil
}

// CreateChecklistApplication implements createChecklistApplication.
func (h *ChecklistHandler) CreateChecklistApplication(ctx context.Context, req api.CreateChecklistApplicationRequestObject) (api.CreateChecklistApplicationResponseObject, error) {
	b := req.Body
	unit, err := h.store.GetUnit(ctx, b.UnitId.String())
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Invalid("checklist_application_invalid", "/unitId", "unit %s does not exist", b.UnitId)
	}
	if err != nil {
		return nil, err
	}
	// Every signed-in user sees the whole unit tree, so a unit outside the
	// caller's reach is refused as such, not as one that does not exist.
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	if !authz.Sees(&caller, rule, unit.Path) {
		return nil, &models.ForbiddenError{Code: "outside_subtree",
			Detail: fmt.Sprintf("unit %s is outside your unit and the units below it: you may not record its cases", unit.Code)}
	}
	if err := authz.Reach(&caller, rule, unit.ID, unit.Path); err != nil {
		return nil, err
	}
	fen, err := models.YuanToFen(b.AmountWaived, "/amountWaived")
	if err != nil {
		return nil, err
	}
	a := &models.ChecklistApplication{ItemID: b.ItemId.String(), UnitID: unit.ID, CaseNumber: b.CaseNumber, CaseDate: b.CaseDate.String(),
		LegalPersons: int(b.LegalPersons), NaturalPersons: int(b.NaturalPersons), AmountFen: fen, CreatedBy: string(models.ActorOf(caller))}
	if b.Remark != nil {
		a.Remark = *b.Remark
	}
	if err := h.store.CreateChecklistApplication(ctx, a); err != nil {
		return nil, err
	}
	names, err := h.applicationActors(ctx, *a)
	if err != nil {
		return nil, err
	}
	return api.CreateChecklistApplication201JSONResponse{Body: applicationOut(a, names), Headers: api.CreateChecklistApplication201ResponseHeaders{
		ETag: ptr(etag(a.Version)), Location: ptr(checklistApplicationPath(a.ID))}}, nil
}

// GetChecklistApplication implements getChecklistApplication.
func (h *ChecklistHandler) GetChecklistApplication(ctx context.Context, req api.GetChecklistApplicationRequestObject) (api.GetChecklistApplicationResponseObject, error) {
	a, err := h.application(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	names, err := h.applicationActors(ctx, *a)
	if err != nil {
		return nil, err
	}
	return api.GetChecklistApplication200JSONResponse{Body: applicationOut(a, names), Headers: api.GetChecklistApplication200ResponseHeaders{ETag: ptr(etag(a.Version))}}, nil
}

// UpdateChecklistApplication implements updateChecklistApplication.
func (h *ChecklistHandler) UpdateChecklistApplication(ctx context.Context, req api.UpdateChecklistApplicationRequestObject) (api.UpdateChecklistApplicationResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.application(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	b := req.Body
	var p models.ChecklistApplicationPatch
	if b.CaseNumber.IsSpecified() {
		p.CaseNumber = ptr("")
		if !b.CaseNumber.IsNull() {
			p.CaseNumber = ptr(b.CaseNumber.MustGet())
		}
	}
	if b.Remark.IsSpecified() {
		p.Remark = ptr("")
		if !b.Remark.IsNull() {
			p.Remark = ptr(b.Remark.MustGet())
		}
	}
	if b.CaseDate != nil {
		p.CaseDate = ptr(b.CaseDate.String())
	}
	if b.LegalPersons != nil {
		p.LegalPersons = ptr(int(*b.LegalPersons))
	}
	if b.NaturalPersons != nil {
		p.NaturalPersons = ptr(int(*b.NaturalPersons))
	}
	if b.AmountWaived != nil {
		fen, err := models.YuanToFen(*b.AmountWaived, "/amountWaived")
		if err != nil {
			return nil, err
		}
		p.AmountFen = &fen
	}
	a, err := h.store.UpdateChecklistApplication(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	names, err := h.applicationActors(ctx, *a)
	if err != nil {
		return nil, err
	}
	return api.UpdateChecklistApplication200JSONResponse{Body: applicationOut(a, names), Headers: api.UpdateChecklistApplication200ResponseHeaders{ETag: ptr(etag(a.Version))}}, nil
}

// DeleteChecklistApplication implements deleteChecklistApplication.
func (h *ChecklistHandler) DeleteChecklistApplication(ctx context.Context, req api.DeleteChecklistApplicationRequestObject) (api.DeleteChecklistApplicationResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.application(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	if err := h.store.DeleteChecklistApplication(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteChecklistApplication204Response{}, nil
}

// GetChecklistApplicationStatistics implements getChecklistApplicationStatistics.
func (h *ChecklistHandler) GetChecklistApplicationStatistics(ctx context.Context, req api.GetChecklistApplicationStatisticsRequestObject) (api.GetChecklistApplicationStatisticsResponseObject, error) {
	p := req.Params
	f := h.applicationFilter(ctx, p.ListId, p.ChecklistId, p.ItemId, p.UnitId, p.From, p.To)
	by := models.GroupByUnit
	if p.GroupBy != nil {
		by = models.ApplicationGrouping(*p.GroupBy)
	}
	s, err := h.store.ChecklistApplicationStatistics(ctx, f, by)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		keys[i] = g.Key
	}
	names, err := h.store.ApplicationGroupNames(ctx, by, keys)
	if err != nil {
		return nil, err
	}
	out := api.GetChecklistApplicationStatistics200JSONResponse{GroupBy: api.ChecklistApplicationStatisticsGroupBy(by),
		Totals: totalsOut(s.Totals), Groups: make([]api.ApplicationGroup, len(s.Groups))}
	for i, g := range s.Groups {
		t := totalsOut(g.ApplicationTotals)
		out.Groups[i] = api.ApplicationGroup{Key: g.Key, Cases: t.Cases, LegalPersons: t.LegalPersons, NaturalPersons: t.NaturalPersons, AmountWaived: t.AmountWaived}
		if name, ok := names[g.Key]; ok {
			out.Groups[i].Name = &name
		}
	}
	return out, nil
}

func totalsOut(t models.ApplicationTotals) api.ApplicationTotals {
	return api.ApplicationTotals{Cases: t.Cases, LegalPersons: t.LegalPersons, NaturalPersons: t.NaturalPersons, AmountWaived: models.FenToYuan(t.AmountFen)}
}

// applicationActors names who recorded the cases.
func (h *ChecklistHandler) applicationActors(ctx context.Context, apps ...models.ChecklistApplication) (actorNames, error) {
	actors := make([]models.Actor, len(apps))
	for i := range apps {
		actors[i] = models.Actor(apps[i].CreatedBy)
	}
	return nameActors(ctx, h.store, actors)
}

// applicationsOut converts cases, naming who recorded them.
func (h *ChecklistHandler) applicationsOut(ctx context.Context, apps []*models.ChecklistApplication) ([]api.ChecklistApplication, error) {
	actors := make([]models.Actor, len(apps))
	for i, a := range apps {
		actors[i] = models.Actor(a.CreatedBy)
	}
	names, err := nameActors(ctx, h.store, actors)
	if err != nil {
		return nil, err
	}
	return each(apps, func(a *models.ChecklistApplication) api.ChecklistApplication { return applicationOut(a, names) }), nil
}

func applicationOut(a *models.ChecklistApplication, names actorNames) api.ChecklistApplication {
	out := api.ChecklistApplication{
		Id: uuidOf(a.ID), ListId: uuidOf(a.ListID), ChecklistId: uuidOf(a.ChecklistID), ItemId: uuidOf(a.ItemID), UnitId: uuidOf(a.UnitID),
		CaseNumber: a.CaseNumber, LegalPersons: int32(a.LegalPersons), NaturalPersons: int32(a.NaturalPersons),
		AmountWaived: models.FenToYuan(a.AmountFen), CreatedBy: names.actor(models.Actor(a.CreatedBy)), SampleData: a.SampleData,
		Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
	if d, err := time.Parse(time.DateOnly, a.CaseDate); err == nil {
		out.CaseDate = openapi_types.Date{Time: d}
	}
	if a.Remark != "" {
		out.Remark = &a.Remark
	}
	return out
}

// ImportChecklistApplications implements importChecklistApplications: the
// ledger is read and judged cell by cell (package applicationsheet), each
// row's unit must be one the caller records cases for, and the store checks
// the cases as a whole and writes them all or nothing; its objections come
// back as problems at the rows' cells.
func (h *ChecklistHandler) ImportChecklistApplications(ctx context.Context, req api.ImportChecklistApplicationsRequestObject) (api.ImportChecklistApplicationsResponseObject, error) {
	dryRun := req.Params.DryRun != nil && *req.Params.DryRun
	c, err := h.store.GetChecklist(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if !models.ChecklistLifecycle.IsReleased(c.Status) {
		// A draft is the issuing unit's own: say nothing of it to others.
		if err := h.sees(ctx, c); err != nil {
			return nil, err
		}
		return nil, &models.ConflictError{Code: "checklist_not_released",
			Detail:  fmt.Sprintf("checklist %s is %s: cases apply the items of a published list (or of one since revised)", c.ID, c.Status),
			Allowed: []string{string(models.ChecklistPublished), string(models.ChecklistSuperseded)}}
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
	dir, err := h.units(ctx)
	if err != nil {
		return nil, err
	}
	items, err := h.store.AllChecklistItems(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	bySequence := make(map[int]*models.ChecklistItem, len(items))
	for i := range items {
		bySequence[items[i].Sequence] = &items[i]
	}
	rows, total, probs, err := applicationsheet.Read(file, name, func(seq int) (*models.ChecklistItem, bool) {
		it, ok := bySequence[seq]
		return it, ok
	}, dir.resolve)
	if err != nil {
		return nil, fileRefused(err)
	}
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	apps := make([]*models.ChecklistApplication, 0, len(rows))
	kept := make([]applicationsheet.Row, 0, len(rows))
	for _, r := range rows {
		if err := authz.Reach(&caller, rule, r.Case.UnitID, dir.paths[r.Case.UnitID]); err != nil {
			probs = append(probs, r.Problem(applicationsheet.ColUnit, "you may not record the cases of %s: %s", dir.name(r.Case.UnitID), reachReason(err)))
			continue
		}
		a := r.Case
		a.CreatedBy = string(models.ActorOf(caller))
		apps, kept = append(apps, &a), append(kept, r)
	}
	if err := h.store.AddChecklistApplications(ctx, c.ID, apps, dryRun || len(probs) > 0); err != nil {
		more, ok := rowProblems(err, kept)
		if !ok {
			return nil, err
		}
		probs = append(probs, more...)
	}
	probs.Sort()
	faulty := map[int]bool{}
	for _, p := range probs {
		faulty[p.Row] = true
	}
	created := 0
	for _, r := range kept {
		if !faulty[r.Number] {
			created++
		}
	}
	report := api.ApplicationImportReport{DryRun: dryRun, Sheet: applicationsheet.SheetName, Rows: int32(total), Created: int32(created),
		ProblemCount: int32(len(probs)), Problems: []api.CellProblem{}}
	if len(probs) > 0 && probs[0].Sheet != "" {
		report.Sheet = clip(probs[0].Sheet, 100)
	}
	cells := cellProblems(nil, probs)
	switch {
	case dryRun:
		report.Problems = cells
		return api.ImportChecklistApplications200JSONResponse(report), nil
	case len(probs) > 0:
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "sheet_invalid", cells: cells,
			detail: fmt.Sprintf("%d problems in the file (the first: %s); nothing was imported", len(probs), probs[0])}
	}
	return api.ImportChecklistApplications200JSONResponse(report), nil
}

// reachReason says why a caller may not record a unit's cases.
func reachReason(err error) string {
	if models.Code(err) == "own_unit_only" {
		return "your role records the cases of your own unit only"
	}
	return "it is outside your unit and the units below it"
}

// rowProblems turns the store's objections to the cases of an import (field
// errors pointing at /<index>/<field>) into problems at the rows' cells; ok
// is false for any other error.
func rowProblems(err error, rows []applicationsheet.Row) (sheet.Problems, bool) {
	var fields []models.FieldError
	var invalid *models.ValidationError
	var conflict *models.ConflictError
	switch {
	case errors.As(err, &invalid):
		fields = invalid.Fields
	case errors.As(err, &conflict) && conflict.Code == "checklist_application_duplicate":
		fields = conflict.Fields
	default:
		return nil, false
	}
	var probs sheet.Problems
	for _, f := range fields {
		var i int
		var field string
		if n, _ := fmt.Sscanf(strings.Replace(f.Pointer, "/", " ", 2), " %d %s", &i, &field); n != 2 || i < 0 || i >= len(rows) {
			return nil, false
		}
		if field == "itemId" {
			field = applicationsheet.ColItemSequence
		}
		probs = append(probs, rows[i].Problem(field, "%s", f.Message))
	}
	return probs, len(probs) > 0
}
