package server

// Yearly work plans and their tasks. A plan belongs to its unit: drafts are
// seen within the unit's subtree, published and closed plans by every
// signed-in user (lead units anywhere in the city work on their tasks) and
// by API keys. A task is seen with its plan; its lead units and the plan's
// unit move it on. The lifecycles are models.PlanLifecycle and
// models.TaskLifecycle.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/workdays"
)

// PlanStore is what the plan operations need from the database.
type PlanStore interface {
	CreatePlan(ctx context.Context, p *models.Plan) error
	GetPlan(ctx context.Context, id string) (*models.Plan, error)
	ListPlans(ctx context.Context, f models.PlanFilter, page paging.Page) ([]models.Plan, *paging.Cursor, error)
	PlanCounts(ctx context.Context, planIDs []string) (map[string]models.PlanCount, error)
	UpdatePlan(ctx context.Context, id string, ifVersion *int64, patch models.PlanPatch) (*models.Plan, error)
	DeletePlan(ctx context.Context, id string, ifVersion *int64) error
	PublishPlan(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Plan, error)
	ClosePlan(ctx context.Context, id string, ifVersion *int64, by models.Actor, next string) (*models.Plan, []models.PlanTask, error)
	DerivePlan(ctx context.Context, parentID string, d func(parent *models.Plan) (*models.Plan, error), taskIDs []string) (*models.Plan, error)
	CreatePlanTask(ctx context.Context, t *models.PlanTask) error
	GetPlanTask(ctx context.Context, id string) (*models.PlanTask, *models.Plan, error)
	UpdatePlanTask(ctx context.Context, id string, ifVersion *int64, patch models.PlanTaskPatch) (*models.PlanTask, error)
	DeletePlanTask(ctx context.Context, id string, ifVersion *int64) error
	MovePlanTask(ctx context.Context, id string, apply func(t *models.PlanTask, at time.Time) error) (*models.PlanTask, error)
	ListPlanTasks(ctx context.Context, f models.TaskFilter, page paging.Page) ([]models.PlanTask, *paging.Cursor, error)
	TaskProgress(ctx context.Context, tasks []*models.PlanTask) (map[string]int, error)
	viewStore
	CalendarStore
	ActorStore
}

// PlanHandler serves the plans tag.
type PlanHandler struct {
	store    PlanStore
	rules    *rules
	calendar *CalendarHandler
}

func planNotFound(id string) error { return &models.NotFoundError{Entity: "plan", ID: id} }
func taskNotFound(id string) error { return &models.NotFoundError{Entity: "task", ID: id} }

// seesPlan: drafts within the subtree of the caller's unit, released plans
// by every user (the read rules say releasedToAllUsers); keys see released
// plans only.
func (v *view) seesPlan(p *models.Plan) bool {
	// Released plans are read city-wide whatever the operation's rule:
	// lead units anywhere act on their tasks.
	released := models.PlanLifecycle.IsReleased(p.Status)
	return models.PlanLifecycle.Visible(&v.caller, p.Status) && (released || authz.Sees(&v.caller, v.rule, v.paths[p.UnitID]))
}

// reachUnit decides whether the caller acts for a unit it sees in the
// unit tree: outside its subtree is a 403 outside_subtree, not a 404.
func (v *view) reachUnit(unitID string) error {
	err := authz.Reach(&v.caller, v.rule, unitID, v.paths[unitID])
	if errors.Is(err, models.ErrNotFound) {
		return &models.ForbiddenError{Code: "outside_subtree",
			Detail: fmt.Sprintf("unit %s is outside your unit and the units below it: you may not change its records", unitID)}
	}
	return err
}

// reachNewRecordsUnit decides whether the caller writes a new record of a
// unit named in the request: as reachUnit, but a unit that does not exist
// is left to the store, whose 422 points at the field that names it.
func (v *view) reachNewRecordsUnit(unitID string) error {
	if _, known := v.paths[unitID]; !known {
		return nil
	}
	return v.reachUnit(unitID)
}

// plan loads a plan the caller sees (a 404 otherwise); to change it, the
// caller must reach its unit.
func (h *PlanHandler) plan(ctx context.Context, id string, change bool) (*models.Plan, *view, error) {
	p, err := h.store.GetPlan(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, nil, err
	}
	if !v.seesPlan(p) {
		return nil, nil, planNotFound(id)
	}
	if change {
		if err := v.reachUnit(p.UnitID); err != nil {
			return nil, nil, err
		}
	}
	return p, v, nil
}

// task loads a task whose plan the caller sees.
func (h *PlanHandler) task(ctx context.Context, id string) (*models.PlanTask, *models.Plan, *view, error) {
	t, p, err := h.store.GetPlanTask(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, nil, nil, err
	}
	if !v.seesPlan(p) {
		return nil, nil, nil, taskNotFound(id)
	}
	return t, p, v, nil
}

// taskToChange checks a change of a task's content: the version it is
// conditional on, a task the caller sees, of a plan whose unit it reaches.
func (h *PlanHandler) taskToChange(ctx context.Context, id string, ifMatchHeader *string) (int64, *view, error) {
	version, err := ifMatch(ifMatchHeader)
	if err != nil {
		return 0, nil, err
	}
	_, p, v, err := h.task(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	return version, v, v.reachUnit(p.UnitID)
}

// reachTask decides whether the caller moves a task on: as one of its
// lead units (or a unit above one) or as the plan's unit.
func (v *view) reachTask(t *models.PlanTask, p *models.Plan) error {
	var refusal error
	for _, unitID := range append([]string{p.UnitID}, t.LeadUnitIDs...) {
		err := authz.Reach(&v.caller, v.rule, unitID, v.paths[unitID])
		if err == nil {
			return nil
		}
		if !errors.Is(err, models.ErrNotFound) {
			refusal = err // seen, but the role acts on its own unit only
		}
	}
	if refusal != nil {
		return refusal
	}
	return &models.ForbiddenError{Code: "task_unit_only",
		Detail: fmt.Sprintf("task %s is moved on by its lead units and by the plan's unit: yours is neither, nor above one", t.Number)}
}

// plansOut converts plans with their counts and actors' names.
func (h *PlanHandler) plansOut(ctx context.Context, plans []*models.Plan) ([]api.Plan, error) {
	ids := make([]string, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	counts, err := h.store.PlanCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	return named(ctx, h.store, plans, func(p *models.Plan) []models.Actor { return actorsOf(p.PublishedBy, p.ClosedBy) },
		func(p *models.Plan, names actorNames) api.Plan {
			c := counts[p.ID]
			return api.Plan{Id: uuidOf(p.ID), UnitId: uuidOf(p.UnitID), Year: int32(p.Year), Title: p.Title, DocumentNumber: p.DocumentNumber,
				Kind: api.PlanKind(p.Kind), Status: api.PlanStatus(p.Status), ParentPlanId: uuidOrNil(p.ParentPlanID),
				CarriedIntoPlanId: uuidOrNil(p.CarriedInto), PublishedBy: names.ref(p.PublishedBy), PublishedAt: utcOrNil(p.PublishedAt),
				ClosedBy: names.ref(p.ClosedBy), ClosedAt: utcOrNil(p.ClosedAt), TaskCount: int32(c.Tasks), UnfinishedCount: int32(c.Unfinished),
				SampleData: p.SampleData, Version: p.Version, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
		})
}

func (h *PlanHandler) planOut(ctx context.Context, p *models.Plan) (api.Plan, error) {
	out, err := h.plansOut(ctx, []*models.Plan{p})
	if err != nil {
		return api.Plan{}, err
	}
	return out[0], nil
}

// tasksOut converts tasks, overdue as of the day asOf, with their
// progress rolled up from accepted reports.
func (h *PlanHandler) tasksOut(ctx context.Context, tasks []*models.PlanTask, asOf string) ([]api.PlanTask, error) {
	progress, err := h.store.TaskProgress(ctx, tasks)
	if err != nil {
		return nil, err
	}
	return named(ctx, h.store, tasks, func(t *models.PlanTask) []models.Actor { return actorsOf(t.CompletedBy) },
		func(t *models.PlanTask, names actorNames) api.PlanTask {
			out := api.PlanTask{Id: uuidOf(t.ID), PlanId: uuidOf(t.PlanID), Number: t.Number, Title: t.Title, Content: t.Content,
				Ongoing: t.Ongoing, Supervised: t.Supervised, Status: api.TaskStatus(t.Status), Overdue: t.Overdue(asOf),
				Progress:     int32(progress[t.ID]),
				CancelReason: t.CancelReason, LeadUnitIds: uuidsOf(t.LeadUnitIDs), CooperatingUnitIds: uuidsOf(t.CooperatingUnitIDs),
				IndicatorIds: uuidsOf(t.IndicatorIDs), ChecklistIds: uuidsOf(t.ChecklistIDs), CompletedBy: names.ref(t.CompletedBy),
				CompletedAt: utcOrNil(t.CompletedAt), SourceTaskId: uuidOrNil(t.SourceTaskID), CarriedFromTaskId: uuidOrNil(t.CarriedFromID),
				Version: t.Version, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
			if t.Deadline != nil {
				d, _ := time.Parse(time.DateOnly, *t.Deadline) // validated when written
				out.Deadline = &openapi_types.Date{Time: d}
			}
			return out
		})
}

// feedTasksOut converts tasks as the province's feed serves them: overdue
// as of the day they are served, as their GET shows them that day.
func (h *PlanHandler) feedTasksOut(ctx context.Context, tasks []*models.PlanTask) ([]api.PlanTask, error) {
	return h.tasksOut(ctx, tasks, h.store.Today())
}

func (h *PlanHandler) taskOut(ctx context.Context, t *models.PlanTask, asOf string) (api.PlanTask, error) {
	out, err := h.tasksOut(ctx, []*models.PlanTask{t}, asOf)
	if err != nil {
		return api.PlanTask{}, err
	}
	return out[0], nil
}

func uuidOrNil(s *string) *openapi_types.UUID {
	if s == nil {
		return nil
	}
	return ptr(uuidOf(*s))
}

func uuidsOf(ids []string) []openapi_types.UUID {
	out := make([]openapi_types.UUID, len(ids))
	for i, id := range ids {
		out[i] = uuidOf(id)
	}
	return out
}

func strsOf(ids *[]openapi_types.UUID) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(*ids))
	for i, id := range *ids {
		out[i] = id.String()
	}
	return out
}

// ListPlans implements listPlans.
func (h *PlanHandler) ListPlans(ctx context.Context, req api.ListPlansRequestObject) (api.ListPlansResponseObject, error) {
	p := req.Params
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	f := models.PlanFilter{UnitPath: authz.SubtreeOf(&v.caller, v.rule), ReleasedEverywhere: v.rule.ReleasedToAllUsers,
		ReleasedOnly: models.PlanLifecycle.ReleasedOnly(&v.caller)}
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	if p.Year != nil {
		f.Year = int(*p.Year)
	}
	if p.Status != nil {
		f.Status = models.PlanStatus(*p.Status)
	}
	if p.ParentPlanId != nil {
		f.ParentPlanID = p.ParentPlanId.String()
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "-createdAt", fmt.Sprint(f))
	if err != nil {
		return nil, err
	}
	plans, next, err := h.store.ListPlans(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.plansOut(ctx, pointers(plans))
	if err != nil {
		return nil, err
	}
	return api.ListPlans200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreatePlan implements createPlan.
func (h *PlanHandler) CreatePlan(ctx context.Context, req api.CreatePlanRequestObject) (api.CreatePlanResponseObject, error) {
	b := req.Body
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	if err := v.reachNewRecordsUnit(b.UnitId.String()); err != nil {
		return nil, err
	}
	p := models.NewPlan("", b.UnitId.String(), int(b.Year), b.Title, models.PlanKind(b.Kind), models.ActorOf(v.caller))
	p.DocumentNumber = b.DocumentNumber
	if err := h.store.CreatePlan(ctx, p); err != nil {
		return nil, err
	}
	out, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.CreatePlan201JSONResponse{Body: out, Headers: api.CreatePlan201ResponseHeaders{
		Location: ptr(basePath + "/plans/" + p.ID), ETag: ptr(etag(p.Version))}}, nil
}

// GetPlan implements getPlan.
func (h *PlanHandler) GetPlan(ctx context.Context, req api.GetPlanRequestObject) (api.GetPlanResponseObject, error) {
	p, _, err := h.plan(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	out, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.GetPlan200JSONResponse{Body: out, Headers: api.GetPlan200ResponseHeaders{ETag: ptr(etag(p.Version))}}, nil
}

// UpdatePlan implements updatePlan.
func (h *PlanHandler) UpdatePlan(ctx context.Context, req api.UpdatePlanRequestObject) (api.UpdatePlanResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.plan(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	b := req.Body
	patch := models.PlanPatch{Title: b.Title}
	if b.Year != nil {
		patch.Year = ptr(int(*b.Year))
	}
	if b.Kind != nil {
		patch.Kind = ptr(models.PlanKind(*b.Kind))
	}
	if set, n := nullableString(b.DocumentNumber); set {
		patch.DocumentNumber, patch.ClearDocumentNumber = n, n == nil
	}
	p, err := h.store.UpdatePlan(ctx, req.Id.String(), &version, patch)
	if err != nil {
		return nil, err
	}
	out, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.UpdatePlan200JSONResponse{Body: out, Headers: api.UpdatePlan200ResponseHeaders{ETag: ptr(etag(p.Version))}}, nil
}

// DeletePlan implements deletePlan.
func (h *PlanHandler) DeletePlan(ctx context.Context, req api.DeletePlanRequestObject) (api.DeletePlanResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.plan(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if err := h.store.DeletePlan(ctx, req.Id.String(), &version); err != nil {
		return nil, err
	}
	return api.DeletePlan204Response{}, nil
}

// PublishPlan implements publishPlan.
func (h *PlanHandler) PublishPlan(ctx context.Context, req api.PublishPlanRequestObject) (api.PublishPlanResponseObject, error) {
	_, v, err := h.plan(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	p, err := h.store.PublishPlan(ctx, req.Id.String(), nil, models.ActorOf(v.caller))
	if err != nil {
		return nil, err
	}
	out, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.PublishPlan200JSONResponse{Body: out, Headers: api.PublishPlan200ResponseHeaders{ETag: ptr(etag(p.Version))}}, nil
}

// ClosePlan implements closePlan.
func (h *PlanHandler) ClosePlan(ctx context.Context, req api.ClosePlanRequestObject) (api.ClosePlanResponseObject, error) {
	_, v, err := h.plan(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	var next string
	if req.Body != nil && req.Body.CarryIntoPlanId != nil {
		next = req.Body.CarryIntoPlanId.String()
	}
	p, carried, err := h.store.ClosePlan(ctx, req.Id.String(), nil, models.ActorOf(v.caller), next)
	if err != nil {
		return nil, err
	}
	plan, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	tasks, err := h.tasksOut(ctx, pointers(carried), v.today)
	if err != nil {
		return nil, err
	}
	return api.ClosePlan200JSONResponse{Plan: plan, CarriedOver: tasks}, nil
}

// DerivePlan implements derivePlan.
func (h *PlanHandler) DerivePlan(ctx context.Context, req api.DerivePlanRequestObject) (api.DerivePlanResponseObject, error) {
	parent, v, err := h.plan(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	b := req.Body
	unitID := b.UnitId.String()
	if err := v.reachNewRecordsUnit(unitID); err != nil {
		return nil, err
	}
	taskIDs := strsOf(&b.TaskIds)
	p, err := h.store.DerivePlan(ctx, parent.ID, func(parent *models.Plan) (*models.Plan, error) {
		return parent.Derive("", unitID, int(b.Year), b.Title, b.DocumentNumber, models.PlanKind(b.Kind), models.ActorOf(v.caller))
	}, taskIDs)
	if err != nil {
		return nil, err
	}
	out, err := h.planOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.DerivePlan201JSONResponse{Body: out, Headers: api.DerivePlan201ResponseHeaders{
		Location: ptr(basePath + "/plans/" + p.ID), ETag: ptr(etag(p.Version))}}, nil
}

// CreatePlanTask implements createPlanTask.
func (h *PlanHandler) CreatePlanTask(ctx context.Context, req api.CreatePlanTaskRequestObject) (api.CreatePlanTaskResponseObject, error) {
	p, v, err := h.plan(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	b := req.Body
	t := models.NewPlanTask("", p.ID)
	t.Number, t.Title = b.Number, b.Title
	if b.Content != nil {
		t.Content = *b.Content
	}
	if b.Deadline != nil {
		t.Deadline = ptr(b.Deadline.String())
	}
	t.Ongoing, t.Supervised = b.Ongoing != nil && *b.Ongoing, b.Supervised != nil && *b.Supervised
	t.LeadUnitIDs, t.CooperatingUnitIDs = strsOf(b.LeadUnitIds), strsOf(b.CooperatingUnitIds)
	t.IndicatorIDs, t.ChecklistIDs = strsOf(b.IndicatorIds), strsOf(b.ChecklistIds)
	if err := h.store.CreatePlanTask(ctx, t); err != nil {
		return nil, err
	}
	out, err := h.taskOut(ctx, t, v.today)
	if err != nil {
		return nil, err
	}
	return api.CreatePlanTask201JSONResponse{Body: out, Headers: api.CreatePlanTask201ResponseHeaders{
		Location: ptr(basePath + "/plan-tasks/" + t.ID), ETag: ptr(etag(t.Version))}}, nil
}

// ListPlanTasks implements listPlanTasks.
func (h *PlanHandler) ListPlanTasks(ctx context.Context, req api.ListPlanTasksRequestObject) (api.ListPlanTasksResponseObject, error) {
	p := req.Params
	// The list filters by the caller's subtree in SQL: no unit paths needed
	// (a view would read every unit for them).
	caller, rule := models.RequestInfoFrom(ctx).Caller, h.rules.rule(ctx)
	f := models.TaskFilter{UnitPath: authz.SubtreeOf(&caller, rule), ReleasedEverywhere: rule.ReleasedToAllUsers,
		ReleasedOnly: models.PlanLifecycle.ReleasedOnly(&caller), Today: h.store.Today(), Supervised: p.Supervised,
		Overdue: p.Overdue != nil && *p.Overdue}
	if p.AsOf != nil {
		f.Today = p.AsOf.String()
	}
	if p.PlanId != nil {
		f.PlanID = p.PlanId.String()
	}
	if p.Year != nil {
		f.Year = int(*p.Year)
	}
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	if p.Role != nil {
		f.Role = models.TaskRole(*p.Role)
	}
	if p.Status != nil {
		f.Status = models.TaskStatus(*p.Status)
	}
	if p.DueWithinWorkingDays != nil {
		var err error
		if f.DueBy, err = h.dueBy(ctx, f.Today, int(*p.DueWithinWorkingDays)); err != nil {
			return nil, err
		}
	}
	sort := "deadline"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, f.Key())
	if err != nil {
		return nil, err
	}
	tasks, next, err := h.store.ListPlanTasks(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.tasksOut(ctx, pointers(tasks), f.Today)
	if err != nil {
		return nil, err
	}
	return api.ListPlanTasks200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// dueBy is the day n working days after the day from, on the calendar in
// force: what "due within n working days" reaches.
func (h *PlanHandler) dueBy(ctx context.Context, from string, n int) (string, error) {
	c, _, err := h.calendar.calendar(ctx)
	if err != nil {
		return "", err
	}
	day, _ := time.Parse(time.DateOnly, from) // a date the contract validated, or today
	due, err := c.AddWorkdays(day, n)
	var none *workdays.NoScheduleError
	if errors.As(err, &none) {
		return "", &httpError{status: http.StatusUnprocessableEntity, code: "calendar_year_missing", detail: err.Error(),
			fields: []api.FieldError{{Parameter: ptr("query.dueWithinWorkingDays"), Message: fmt.Sprintf("the count runs into %d, which the calendar has no holiday schedule of", none.Year)}}}
	}
	if err != nil {
		return "", err
	}
	return due.Format(time.DateOnly), nil
}

// GetPlanTask implements getPlanTask.
func (h *PlanHandler) GetPlanTask(ctx context.Context, req api.GetPlanTaskRequestObject) (api.GetPlanTaskResponseObject, error) {
	t, _, v, err := h.task(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	out, err := h.taskOut(ctx, t, v.today)
	if err != nil {
		return nil, err
	}
	return api.GetPlanTask200JSONResponse{Body: out, Headers: api.GetPlanTask200ResponseHeaders{ETag: ptr(etag(t.Version))}}, nil
}

// UpdatePlanTask implements updatePlanTask.
func (h *PlanHandler) UpdatePlanTask(ctx context.Context, req api.UpdatePlanTaskRequestObject) (api.UpdatePlanTaskResponseObject, error) {
	version, v, err := h.taskToChange(ctx, req.Id.String(), req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	patch := models.PlanTaskPatch{Title: b.Title, Content: b.Content, Ongoing: b.Ongoing, Supervised: b.Supervised}
	if b.Deadline.IsSpecified() {
		if b.Deadline.IsNull() {
			patch.ClearDeadline = true
		} else {
			patch.Deadline = ptr(b.Deadline.MustGet().String())
		}
	}
	for _, l := range []struct {
		dst **[]string
		ids *[]openapi_types.UUID
	}{{&patch.LeadUnitIDs, b.LeadUnitIds}, {&patch.CooperatingUnitIDs, b.CooperatingUnitIds},
		{&patch.IndicatorIDs, b.IndicatorIds}, {&patch.ChecklistIDs, b.ChecklistIds}} {
		if l.ids != nil {
			*l.dst = ptr(strsOf(l.ids))
		}
	}
	t, err := h.store.UpdatePlanTask(ctx, req.Id.String(), &version, patch)
	if err != nil {
		return nil, err
	}
	out, err := h.taskOut(ctx, t, v.today)
	if err != nil {
		return nil, err
	}
	return api.UpdatePlanTask200JSONResponse{Body: out, Headers: api.UpdatePlanTask200ResponseHeaders{ETag: ptr(etag(t.Version))}}, nil
}

// DeletePlanTask implements deletePlanTask.
func (h *PlanHandler) DeletePlanTask(ctx context.Context, req api.DeletePlanTaskRequestObject) (api.DeletePlanTaskResponseObject, error) {
	version, _, err := h.taskToChange(ctx, req.Id.String(), req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeletePlanTask(ctx, req.Id.String(), &version); err != nil {
		return nil, err
	}
	return api.DeletePlanTask204Response{}, nil
}

// moveTask moves a task on as reach allows, with the task's method apply.
func (h *PlanHandler) moveTask(ctx context.Context, id string, reach func(v *view, t *models.PlanTask, p *models.Plan) error,
	apply func(t *models.PlanTask, by models.Actor, at time.Time) error) (api.PlanTask, error) {
	t, p, v, err := h.task(ctx, id)
	if err != nil {
		return api.PlanTask{}, err
	}
	if err := reach(v, t, p); err != nil {
		return api.PlanTask{}, err
	}
	by := models.ActorOf(v.caller)
	t, err = h.store.MovePlanTask(ctx, id, func(t *models.PlanTask, at time.Time) error { return apply(t, by, at) })
	if err != nil {
		return api.PlanTask{}, err
	}
	return h.taskOut(ctx, t, v.today)
}

func leadOrPlanUnit(v *view, t *models.PlanTask, p *models.Plan) error { return v.reachTask(t, p) }
func planUnit(v *view, _ *models.PlanTask, p *models.Plan) error       { return v.reachUnit(p.UnitID) }

// StartPlanTask implements startPlanTask.
func (h *PlanHandler) StartPlanTask(ctx context.Context, req api.StartPlanTaskRequestObject) (api.StartPlanTaskResponseObject, error) {
	out, err := h.moveTask(ctx, req.Id.String(), leadOrPlanUnit,
		func(t *models.PlanTask, _ models.Actor, _ time.Time) error { return t.Start() })
	if err != nil {
		return nil, err
	}
	return api.StartPlanTask200JSONResponse(out), nil
}

// CompletePlanTask implements completePlanTask.
func (h *PlanHandler) CompletePlanTask(ctx context.Context, req api.CompletePlanTaskRequestObject) (api.CompletePlanTaskResponseObject, error) {
	out, err := h.moveTask(ctx, req.Id.String(), leadOrPlanUnit, (*models.PlanTask).Complete)
	if err != nil {
		return nil, err
	}
	return api.CompletePlanTask200JSONResponse(out), nil
}

// CancelPlanTask implements cancelPlanTask.
func (h *PlanHandler) CancelPlanTask(ctx context.Context, req api.CancelPlanTaskRequestObject) (api.CancelPlanTaskResponseObject, error) {
	out, err := h.moveTask(ctx, req.Id.String(), planUnit,
		func(t *models.PlanTask, _ models.Actor, _ time.Time) error { return t.Cancel(req.Body.Reason) })
	if err != nil {
		return nil, err
	}
	return api.CancelPlanTask200JSONResponse(out), nil
}
