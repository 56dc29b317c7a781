package server

// Checklists (清单): kinds with their own columns, and versions of lists
// that go through the Justice Bureau's legality review before they are
// published. The lifecycle is models.ChecklistLifecycle; handlers read the
// caller, ask authz where the record's unit lies, and translate.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// ChecklistStore is what the checklist operations need from the database.
type ChecklistStore interface {
	ChecklistKinds(ctx context.Context) ([]models.ChecklistKind, error)
	GetChecklistKind(ctx context.Context, key string) (*models.ChecklistKind, error)
	CreateChecklistKind(ctx context.Context, k *models.ChecklistKind) error
	UpdateChecklistKind(ctx context.Context, key string, ifVersion int64, p models.ChecklistKindPatch) (*models.ChecklistKind, error)
	CreateChecklist(ctx context.Context, content models.Checklist) (*models.Checklist, error)
	GetChecklist(ctx context.Context, id string) (*models.Checklist, error)
	ChecklistVersions(ctx context.Context, id string) ([]models.Checklist, error)
	ListChecklists(ctx context.Context, f models.ChecklistFilter, page paging.Page) ([]models.Checklist, *paging.Cursor, error)
	EditChecklist(ctx context.Context, id string, ifVersion int64, p models.ChecklistPatch) (*models.Checklist, error)
	DeleteChecklist(ctx context.Context, id string, ifVersion int64) error
	SubmitChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Checklist, error)
	ReturnChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor, comment string) (*models.Checklist, error)
	PublishChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor, comment string) (*models.Checklist, error)
	AbolishChecklist(ctx context.Context, id string, ifVersion *int64) (*models.Checklist, error)
	ReviseChecklist(ctx context.Context, id string, ifVersion *int64, ids models.RevisionIDs) (*models.Checklist, error)
	AllChecklistItems(ctx context.Context, checklistID string) ([]models.ChecklistItem, error)
	ListChecklistItems(ctx context.Context, checklistID string, f models.ChecklistItemFilter, page paging.Page) ([]models.ChecklistItem, *paging.Cursor, error)
	GetChecklistItem(ctx context.Context, id string) (*models.ChecklistItem, error)
	CreateChecklistItem(ctx context.Context, checklistID string, it *models.ChecklistItem) error
	UpdateChecklistItem(ctx context.Context, id string, ifVersion int64, p models.ChecklistItemPatch) (*models.ChecklistItem, error)
	DeleteChecklistItem(ctx context.Context, id string, ifVersion int64) error
	ChecklistStatistics(ctx context.Context, checklistID string) (*models.ChecklistStatistics, error)
	ApplyChecklistItemChanges(ctx context.Context, checklistID string, ch models.ChecklistItemChanges) error
	ChecklistItemRefs(ctx context.Context, checklistID string) iter.Seq2[models.ChecklistItemRef, error]
	ChecklistItemsByID(ctx context.Context, checklistID string, ids []string) ([]models.ChecklistItem, error)
	ImportChecklistItems(ctx context.Context, checklistID string, batches iter.Seq2[models.ChecklistItemChanges, error]) error
	AllUnits(ctx context.Context) ([]models.Unit, error)
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	ApplicationStore
	ActorStore
}

// ChecklistHandler serves the checklists tag.
type ChecklistHandler struct {
	store      ChecklistStore
	rules      *rules
	sheetLimit int64 // the largest file an import takes, in bytes
	// slots bounds the imports this instance runs at once, shared with
	// the value imports (ValueSheetHandler.slots).
	slots chan struct{}
}

func checklistNotFound(id string) error { return &models.NotFoundError{Entity: "checklist", ID: id} }

func checklistPath(id string) string { return basePath + "/checklists/" + id }

// reach loads a list version and checks that the caller may act on it under
// the operation's rule: a version it may not see (unreleased to a key, or
// outside its subtree and not released to every user) is a 404, one it sees
// but may not change a 403.
func (h *ChecklistHandler) reach(ctx context.Context, id string) (*models.Checklist, error) {
	c, err := h.store.GetChecklist(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := h.sees(ctx, c); err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	if rule.ReleasedToAllUsers {
		return c, nil // a read: seeing is all it asks
	}
	unit, err := h.store.GetUnit(ctx, c.IssuingUnitID)
	if err != nil {
		return nil, err
	}
	if err := authz.Reach(&caller, rule, unit.ID, unit.Path); err != nil {
		return nil, err
	}
	return c, nil
}

// sees answers 404 for a version the caller may not read.
func (h *ChecklistHandler) sees(ctx context.Context, c *models.Checklist) error {
	caller := models.RequestInfoFrom(ctx).Caller
	if !models.ChecklistLifecycle.Visible(&caller, c.Status) {
		return checklistNotFound(c.ID)
	}
	rule := h.rules.rule(ctx)
	released := models.ChecklistLifecycle.IsReleased(c.Status)
	if authz.SeesRecord(&caller, rule, "", released) || authz.SubtreeOf(&caller, rule) == "" {
		return nil
	}
	unit, err := h.store.GetUnit(ctx, c.IssuingUnitID)
	if err != nil {
		return err
	}
	if !authz.SeesRecord(&caller, rule, unit.Path, released) {
		return checklistNotFound(c.ID)
	}
	return nil
}

// ListChecklistKinds implements listChecklistKinds: the kinds are few, so a
// page is cut from all of them, in their order.
func (h *ChecklistHandler) ListChecklistKinds(ctx context.Context, req api.ListChecklistKindsRequestObject) (api.ListChecklistKindsResponseObject, error) {
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "order", "")
	if err != nil {
		return nil, err
	}
	kinds, err := h.store.ChecklistKinds(ctx)
	if err != nil {
		return nil, err
	}
	start := 0
	if page.After != nil {
		start = len(kinds)
		for i, k := range kinds {
			if k.Key == page.After.ID {
				start = i + 1
			}
		}
	}
	end := min(start+page.Limit, len(kinds))
	out := api.ListChecklistKinds200JSONResponse{Items: make([]api.ChecklistKind, 0, end-start)}
	for i := start; i < end; i++ {
		out.Items = append(out.Items, kindOut(&kinds[i]))
	}
	if end < len(kinds) {
		out.NextCursor = encodeNext(&paging.Cursor{Sort: page.Sort.String(), ID: kinds[end-1].Key}, digest)
	}
	return out, nil
}

// CreateChecklistKind implements createChecklistKind.
func (h *ChecklistHandler) CreateChecklistKind(ctx context.Context, req api.CreateChecklistKindRequestObject) (api.CreateChecklistKindResponseObject, error) {
	b := req.Body
	k := &models.ChecklistKind{Key: b.Key, Name: b.Name, Columns: columnsIn(b.Columns)}
	if b.Description != nil {
		k.Description = *b.Description
	}
	if err := h.store.CreateChecklistKind(ctx, k); err != nil {
		return nil, err
	}
	return api.CreateChecklistKind201JSONResponse{Body: kindOut(k), Headers: api.CreateChecklistKind201ResponseHeaders{
		ETag: ptr(etag(k.Version)), Location: ptr(basePath + "/checklist-kinds/" + k.Key)}}, nil
}

// GetChecklistKind implements getChecklistKind.
func (h *ChecklistHandler) GetChecklistKind(ctx context.Context, req api.GetChecklistKindRequestObject) (api.GetChecklistKindResponseObject, error) {
	k, err := h.store.GetChecklistKind(ctx, req.Key)
	if err != nil {
		return nil, err
	}
	return api.GetChecklistKind200JSONResponse{Body: kindOut(k), Headers: api.GetChecklistKind200ResponseHeaders{ETag: ptr(etag(k.Version))}}, nil
}

// UpdateChecklistKind implements updateChecklistKind.
func (h *ChecklistHandler) UpdateChecklistKind(ctx context.Context, req api.UpdateChecklistKindRequestObject) (api.UpdateChecklistKindResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	p := models.ChecklistKindPatch{Name: b.Name}
	if set, d := nullableString(b.Description); set {
		p.Description = ptr("")
		if d != nil {
			p.Description = d
		}
	}
	if b.Columns != nil {
		p.Columns = columnsIn(*b.Columns)
	}
	k, err := h.store.UpdateChecklistKind(ctx, req.Key, version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateChecklistKind200JSONResponse{Body: kindOut(k), Headers: api.UpdateChecklistKind200ResponseHeaders{ETag: ptr(etag(k.Version))}}, nil
}

// ListChecklists implements listChecklists.
func (h *ChecklistHandler) ListChecklists(ctx context.Context, req api.ListChecklistsRequestObject) (api.ListChecklistsResponseObject, error) {
	p := req.Params
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	f := models.ChecklistFilter{UnitPath: authz.SubtreeOf(&caller, rule), ReleasedElsewhere: rule.ReleasedToAllUsers}
	if models.ChecklistLifecycle.ReleasedOnly(&caller) {
		f.Statuses = models.ChecklistLifecycle.Released
	}
	if p.Status != nil {
		status := models.ChecklistStatus(*p.Status)
		if f.Statuses != nil && !models.ChecklistLifecycle.IsReleased(status) {
			return api.ListChecklists200JSONResponse{Items: []api.Checklist{}}, nil
		}
		f.Statuses = []models.ChecklistStatus{status}
	}
	if p.Kind != nil {
		f.KindKey = *p.Kind
	}
	if p.IssuingUnitId != nil {
		f.IssuingUnitID = p.IssuingUnitId.String()
	}
	if p.Year != nil {
		f.Year = int(*p.Year)
	}
	if p.ListId != nil {
		f.ListID = p.ListId.String()
	}
	sort := "-createdAt"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, fmt.Sprint(f))
	if err != nil {
		return nil, err
	}
	cs, next, err := h.store.ListChecklists(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.out(ctx, pointers(cs)...)
	if err != nil {
		return nil, err
	}
	return api.ListChecklists200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreateChecklist implements createChecklist.
func (h *ChecklistHandler) CreateChecklist(ctx context.Context, req api.CreateChecklistRequestObject) (api.CreateChecklistResponseObject, error) {
	b := req.Body
	caller := models.RequestInfoFrom(ctx).Caller
	// A unit outside the caller's subtree is as good as none; one it sees
	// but may not issue for (a reporter's unit below its own) is a 403.
	unit, err := h.store.GetUnit(ctx, b.IssuingUnitId.String())
	if errors.Is(err, models.ErrNotFound) || (err == nil && !authz.Sees(&caller, h.rules.rule(ctx), unit.Path)) {
		return nil, models.Invalid("checklist_unit_not_found", "/issuingUnitId", "unit %s does not exist", b.IssuingUnitId)
	}
	if err != nil {
		return nil, err
	}
	if err := authz.Reach(&caller, h.rules.rule(ctx), unit.ID, unit.Path); err != nil {
		return nil, err
	}
	content := models.Checklist{KindKey: b.Kind, Title: b.Title, IssuingUnitID: unit.ID, Year: int(b.Year)}
	if b.DocumentNumber != nil {
		content.DocumentNumber = *b.DocumentNumber
	}
	if b.EffectiveDate != nil {
		content.EffectiveDate = ptr(b.EffectiveDate.String())
	}
	c, err := h.store.CreateChecklist(ctx, content)
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, c)
	if err != nil {
		return nil, err
	}
	return api.CreateChecklist201JSONResponse{Body: out[0], Headers: api.CreateChecklist201ResponseHeaders{
		ETag: ptr(etag(c.Version)), Location: ptr(checklistPath(c.ID))}}, nil
}

// GetChecklist implements getChecklist.
func (h *ChecklistHandler) GetChecklist(ctx context.Context, req api.GetChecklistRequestObject) (api.GetChecklistResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	tag := etag(c.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetChecklist304Response{Headers: api.GetChecklist304ResponseHeaders{ETag: &tag}}, nil
	}
	out, err := h.out(ctx, c)
	if err != nil {
		return nil, err
	}
	return api.GetChecklist200JSONResponse{Body: out[0], Headers: api.GetChecklist200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateChecklist implements updateChecklist.
func (h *ChecklistHandler) UpdateChecklist(ctx context.Context, req api.UpdateChecklistRequestObject) (api.UpdateChecklistResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	b := req.Body
	p := models.ChecklistPatch{Title: b.Title}
	if b.Year != nil {
		p.Year = ptr(int(*b.Year))
	}
	if set, n := nullableString(b.DocumentNumber); set {
		p.DocumentNumber = ptr("")
		if n != nil {
			p.DocumentNumber = n
		}
	}
	if b.EffectiveDate.IsSpecified() {
		p.EffectiveDate = ptr("")
		if !b.EffectiveDate.IsNull() {
			p.EffectiveDate = ptr(b.EffectiveDate.MustGet().String())
		}
	}
	c, err := h.store.EditChecklist(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, c)
	if err != nil {
		return nil, err
	}
	return api.UpdateChecklist200JSONResponse{Body: out[0], Headers: api.UpdateChecklist200ResponseHeaders{ETag: ptr(etag(c.Version))}}, nil
}

// DeleteChecklist implements deleteChecklist.
func (h *ChecklistHandler) DeleteChecklist(ctx context.Context, req api.DeleteChecklistRequestObject) (api.DeleteChecklistResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	if err := h.store.DeleteChecklist(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteChecklist204Response{}, nil
}

// ListChecklistVersions implements listChecklistVersions: every version of
// the list the caller may see, oldest first.
func (h *ChecklistHandler) ListChecklistVersions(ctx context.Context, req api.ListChecklistVersionsRequestObject) (api.ListChecklistVersionsResponseObject, error) {
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "versionNo", req.Id.String())
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	all, err := h.store.ChecklistVersions(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	var seen []*models.Checklist
	for i := range all {
		if h.sees(ctx, &all[i]) == nil {
			seen = append(seen, &all[i])
		}
	}
	start := 0
	if page.After != nil {
		start = len(seen)
		for i, c := range seen {
			if c.ID == page.After.ID {
				start = i + 1
			}
		}
	}
	end := min(start+page.Limit, len(seen))
	items, err := h.out(ctx, seen[start:end]...)
	if err != nil {
		return nil, err
	}
	out := api.ListChecklistVersions200JSONResponse{Items: items}
	if end < len(seen) {
		out.NextCursor = encodeNext(&paging.Cursor{Sort: page.Sort.String(), ID: seen[end-1].ID}, digest)
	}
	return out, nil
}

// SubmitChecklist implements submitChecklist.
func (h *ChecklistHandler) SubmitChecklist(ctx context.Context, req api.SubmitChecklistRequestObject) (api.SubmitChecklistResponseObject, error) {
	return move(ctx, h, req.Id, func(by models.Actor) (*models.Checklist, error) {
		return h.store.SubmitChecklist(ctx, req.Id.String(), nil, by)
	}, func(c api.Checklist) api.SubmitChecklistResponseObject { return api.SubmitChecklist200JSONResponse(c) })
}

// ReturnChecklist implements returnChecklist.
func (h *ChecklistHandler) ReturnChecklist(ctx context.Context, req api.ReturnChecklistRequestObject) (api.ReturnChecklistResponseObject, error) {
	return move(ctx, h, req.Id, func(by models.Actor) (*models.Checklist, error) {
		return h.store.ReturnChecklist(ctx, req.Id.String(), nil, by, req.Body.Comment)
	}, func(c api.Checklist) api.ReturnChecklistResponseObject { return api.ReturnChecklist200JSONResponse(c) })
}

// PublishChecklist implements publishChecklist.
func (h *ChecklistHandler) PublishChecklist(ctx context.Context, req api.PublishChecklistRequestObject) (api.PublishChecklistResponseObject, error) {
	comment := ""
	if req.Body != nil && req.Body.Comment != nil {
		comment = *req.Body.Comment
	}
	return move(ctx, h, req.Id, func(by models.Actor) (*models.Checklist, error) {
		return h.store.PublishChecklist(ctx, req.Id.String(), nil, by, comment)
	}, func(c api.Checklist) api.PublishChecklistResponseObject {
		return api.PublishChecklist200JSONResponse(c)
	})
}

// AbolishChecklist implements abolishChecklist.
func (h *ChecklistHandler) AbolishChecklist(ctx context.Context, req api.AbolishChecklistRequestObject) (api.AbolishChecklistResponseObject, error) {
	return move(ctx, h, req.Id, func(models.Actor) (*models.Checklist, error) {
		return h.store.AbolishChecklist(ctx, req.Id.String(), nil)
	}, func(c api.Checklist) api.AbolishChecklistResponseObject {
		return api.AbolishChecklist200JSONResponse(c)
	})
}

// ReviseChecklist implements reviseChecklist.
func (h *ChecklistHandler) ReviseChecklist(ctx context.Context, req api.ReviseChecklistRequestObject) (api.ReviseChecklistResponseObject, error) {
	return move(ctx, h, req.Id, func(models.Actor) (*models.Checklist, error) {
		return h.store.ReviseChecklist(ctx, req.Id.String(), nil, models.RevisionIDs{})
	}, func(c api.Checklist) api.ReviseChecklistResponseObject {
		return api.ReviseChecklist201JSONResponse{Body: c, Headers: api.ReviseChecklist201ResponseHeaders{
			ETag: ptr(etag(c.Version)), Location: ptr(checklistPath(c.Id.String()))}}
	})
}

// move checks that the caller reaches the version, applies a lifecycle
// move as the caller, and answers the version after it.
func move[R any](ctx context.Context, h *ChecklistHandler, id openapi_types.UUID, apply func(by models.Actor) (*models.Checklist, error), answer func(api.Checklist) R) (R, error) {
	var zero R
	if _, err := h.reach(ctx, id.String()); err != nil {
		return zero, err
	}
	c, err := apply(models.ActorOf(models.RequestInfoFrom(ctx).Caller))
	if err != nil {
		return zero, err
	}
	out, err := h.out(ctx, c)
	if err != nil {
		return zero, err
	}
	return answer(out[0]), nil
}

// out is cs as the contract writes them, their submitters and reviewers
// named.
func (h *ChecklistHandler) out(ctx context.Context, cs ...*models.Checklist) ([]api.Checklist, error) {
	return named(ctx, h.store, cs, func(c *models.Checklist) []models.Actor { return actorsOf(c.SubmittedBy, c.ReviewedBy) }, checklistOut)
}

func checklistOut(c *models.Checklist, names actorNames) api.Checklist {
	out := api.Checklist{Id: uuidOf(c.ID), ListId: uuidOf(c.ListID), VersionNo: int32(c.VersionNo), Kind: c.KindKey,
		Title: c.Title, IssuingUnitId: uuidOf(c.IssuingUnitID), Year: int32(c.Year), Status: api.ChecklistStatus(c.Status),
		SubmittedBy: names.ref(c.SubmittedBy), ReviewedBy: names.ref(c.ReviewedBy), ReviewComment: c.ReviewComment,
		SampleData: c.SampleData, Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		SubmittedAt: utc(c.SubmittedAt), ReviewedAt: utc(c.ReviewedAt), PublishedAt: utc(c.PublishedAt), EndedAt: utc(c.EndedAt)}
	if c.DocumentNumber != "" {
		out.DocumentNumber = ptr(c.DocumentNumber)
	}
	if c.EffectiveDate != nil {
		// The domain keeps a valid date (Checklist.Validate).
		if d, err := time.Parse(time.DateOnly, *c.EffectiveDate); err == nil {
			out.EffectiveDate = &openapi_types.Date{Time: d}
		}
	}
	return out
}

// utc is an optional instant in UTC.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(t.UTC())
}

func kindOut(k *models.ChecklistKind) api.ChecklistKind {
	out := api.ChecklistKind{Key: k.Key, Name: k.Name, BuiltIn: k.BuiltIn, Columns: make(api.ChecklistKindColumns, len(k.Columns)),
		Version: k.Version, CreatedAt: k.CreatedAt.UTC(), UpdatedAt: k.UpdatedAt.UTC()}
	if k.Description != "" {
		out.Description = ptr(k.Description)
	}
	for i, c := range k.Columns {
		out.Columns[i] = api.ChecklistKindColumn{Key: c.Key, Label: c.Label, Type: api.ChecklistColumnType(c.Type), Required: c.Required, Searchable: c.Searchable}
		if c.Values != nil {
			out.Columns[i].Values = ptr(c.Values)
		}
	}
	return out
}

func columnsIn(cols api.ChecklistKindColumns) []models.KindColumn {
	out := make([]models.KindColumn, len(cols))
	for i, c := range cols {
		out[i] = models.KindColumn{Key: c.Key, Label: c.Label, Type: models.ColumnType(c.Type), Required: c.Required, Searchable: c.Searchable}
		if c.Values != nil {
			out[i].Values = *c.Values
		}
	}
	return out
}
