package server

import (
	"context"
	"fmt"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// TargetStore is what the targets part of the indicators tag needs.
type TargetStore interface {
	CreateTarget(ctx context.Context, t *models.Target) error
	GetTarget(ctx context.Context, id string) (*models.Target, error)
	ListTargets(ctx context.Context, indicatorID string, year int, unitID string, page paging.Page) ([]models.Target, *paging.Cursor, error)
	UpdateTarget(ctx context.Context, id string, ifVersion int64, p models.TargetPatch) (*models.Target, error)
	DeleteTarget(ctx context.Context, id string, ifVersion int64) error
	GetIndicator(ctx context.Context, id string) (*models.Indicator, error)
	GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
}

// releasedIndicator answers 404 when the caller reads released systems only
// and the indicator's system is not released.
func (h *TargetHandler) releasedIndicator(ctx context.Context, indicatorID string) error {
	caller := models.RequestInfoFrom(ctx).Caller
	if !models.SystemLifecycle.ReleasedOnly(&caller) {
		return nil
	}
	ind, err := h.store.GetIndicator(ctx, indicatorID)
	if err != nil {
		return err
	}
	if err := releasedSystem(ctx, h.store, ind.SystemID); err != nil {
		return &models.NotFoundError{Entity: "indicator", ID: indicatorID}
	}
	return nil
}

// TargetHandler serves the targets of indicators.
type TargetHandler struct {
	store TargetStore
}

// ListTargets implements listTargets.
func (h *TargetHandler) ListTargets(ctx context.Context, req api.ListTargetsRequestObject) (api.ListTargetsResponseObject, error) {
	if err := h.releasedIndicator(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	p := req.Params
	year, unitID := 0, ""
	if p.Year != nil {
		year = int(*p.Year)
	}
	if p.UnitId != nil {
		unitID = p.UnitId.String()
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "year", fmt.Sprint(req.Id, "|", year, "|", unitID))
	if err != nil {
		return nil, err
	}
	ts, next, err := h.store.ListTargets(ctx, req.Id.String(), year, unitID, page)
	if err != nil {
		return nil, err
	}
	out := api.ListTargets200JSONResponse{Items: make([]api.Target, len(ts))}
	for i := range ts {
		out.Items[i] = targetOut(&ts[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// CreateTarget implements createTarget.
func (h *TargetHandler) CreateTarget(ctx context.Context, req api.CreateTargetRequestObject) (api.CreateTargetResponseObject, error) {
	b := req.Body
	t := &models.Target{IndicatorID: req.Id.String(), Year: int(b.Year), Comparator: models.Comparator(b.Comparator),
		Value: b.Value, ValueTo: b.ValueTo, Note: b.Note}
	if b.UnitId != nil {
		t.UnitID = ptr(b.UnitId.String())
	}
	if b.Sample != nil {
		t.Sample = *b.Sample
	}
	if err := h.store.CreateTarget(ctx, t); err != nil {
		return nil, err
	}
	return api.CreateTarget201JSONResponse{Body: targetOut(t), Headers: api.CreateTarget201ResponseHeaders{
		ETag: ptr(etag(t.Version)), Location: ptr(basePath + "/targets/" + t.ID)}}, nil
}

// GetTarget implements getTarget.
func (h *TargetHandler) GetTarget(ctx context.Context, req api.GetTargetRequestObject) (api.GetTargetResponseObject, error) {
	t, err := h.store.GetTarget(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if err := h.releasedIndicator(ctx, t.IndicatorID); err != nil {
		return nil, &models.NotFoundError{Entity: "target", ID: t.ID}
	}
	tag := etag(t.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetTarget304Response{Headers: api.GetTarget304ResponseHeaders{ETag: &tag}}, nil
	}
	return api.GetTarget200JSONResponse{Body: targetOut(t), Headers: api.GetTarget200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateTarget implements updateTarget.
func (h *TargetHandler) UpdateTarget(ctx context.Context, req api.UpdateTargetRequestObject) (api.UpdateTargetResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	p := models.TargetPatch{Value: b.Value, Sample: b.Sample}
	if b.Comparator != nil {
		p.Comparator = ptr(models.Comparator(*b.Comparator))
	}
	p.SetNote, p.Note = nullableString(b.Note)
	if b.ValueTo.IsSpecified() {
		p.SetValueTo = true
		if !b.ValueTo.IsNull() {
			p.ValueTo = ptr(b.ValueTo.MustGet())
		}
	}
	t, err := h.store.UpdateTarget(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateTarget200JSONResponse{Body: targetOut(t), Headers: api.UpdateTarget200ResponseHeaders{ETag: ptr(etag(t.Version))}}, nil
}

// DeleteTarget implements deleteTarget.
func (h *TargetHandler) DeleteTarget(ctx context.Context, req api.DeleteTargetRequestObject) (api.DeleteTargetResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteTarget(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteTarget204Response{}, nil
}

func targetOut(t *models.Target) api.Target {
	out := api.Target{
		Id: uuidOf(t.ID), IndicatorId: uuidOf(t.IndicatorID), Year: int32(t.Year), Comparator: api.Comparator(t.Comparator),
		Value: t.Value, ValueTo: t.ValueTo, Sample: t.Sample, Note: t.Note, Version: t.Version,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
	if t.UnitID != nil {
		out.UnitId = ptr(uuidOf(*t.UnitID))
	}
	return out
}
