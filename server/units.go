package server

import (
	"context"
	"fmt"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// UnitStore is what the units handler needs from the database.
type UnitStore interface {
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	CreateUnit(ctx context.Context, u *models.Unit) error
	UpdateUnit(ctx context.Context, id string, ifVersion int64, patch models.UnitPatch) (*models.Unit, error)
	DeleteUnit(ctx context.Context, id string, ifVersion int64) error
	ListUnits(ctx context.Context, f models.UnitFilter, page paging.Page) ([]models.Unit, *paging.Cursor, error)
	UnitSubtree(ctx context.Context, id string, depth int) ([]models.Unit, error)
	UnitAncestors(ctx context.Context, id string) ([]models.Unit, error)
}

// UnitHandler serves the units tag.
type UnitHandler struct {
	store UnitStore
}

// ListUnits implements listUnits.
func (h *UnitHandler) ListUnits(ctx context.Context, req api.ListUnitsRequestObject) (api.ListUnitsResponseObject, error) {
	p := req.Params
	var f models.UnitFilter
	if p.ParentId != nil {
		f.ParentID = p.ParentId.String()
	}
	if p.Kind != nil {
		f.Kind = models.UnitKind(*p.Kind)
	}
	if p.Level != nil {
		f.Level = int(*p.Level)
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	sort := "code"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, fmt.Sprint(f.ParentID, "|", f.Kind, "|", f.Level, "|", f.Query))
	if err != nil {
		return nil, err
	}
	units, next, err := h.store.ListUnits(ctx, f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListUnits200JSONResponse{Items: unitsOut(units)}
	if next != nil {
		next.Filter = digest
		s := next.Encode()
		out.NextCursor = &s
	}
	return out, nil
}

// CreateUnit implements createUnit.
func (h *UnitHandler) CreateUnit(ctx context.Context, req api.CreateUnitRequestObject) (api.CreateUnitResponseObject, error) {
	b := req.Body
	u := &models.Unit{Code: b.Code, Name: b.Name, ShortName: b.ShortName, Kind: models.UnitKind(b.Kind)}
	if b.ParentId != nil {
		u.ParentID = ptr(b.ParentId.String())
	}
	if err := h.store.CreateUnit(ctx, u); err != nil {
		return nil, err
	}
	return api.CreateUnit201JSONResponse{
		Body:    unitOut(u),
		Headers: api.CreateUnit201ResponseHeaders{ETag: ptr(etag(u.Version)), Location: ptr(basePath + "/units/" + u.ID)},
	}, nil
}

// GetUnit implements getUnit.
func (h *UnitHandler) GetUnit(ctx context.Context, req api.GetUnitRequestObject) (api.GetUnitResponseObject, error) {
	u, err := h.store.GetUnit(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	tag := etag(u.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetUnit304Response{Headers: api.GetUnit304ResponseHeaders{ETag: &tag}}, nil
	}
	return api.GetUnit200JSONResponse{Body: unitOut(u), Headers: api.GetUnit200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateUnit implements updateUnit.
func (h *UnitHandler) UpdateUnit(ctx context.Context, req api.UpdateUnitRequestObject) (api.UpdateUnitResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	patch := models.UnitPatch{Code: b.Code, Name: b.Name}
	if b.Kind != nil {
		patch.Kind = ptr(models.UnitKind(*b.Kind))
	}
	if b.ShortName.IsSpecified() {
		patch.SetShortName = true
		if !b.ShortName.IsNull() {
			patch.ShortName = ptr(b.ShortName.MustGet())
		}
	}
	if b.ParentId.IsSpecified() {
		patch.Move = true
		if !b.ParentId.IsNull() {
			patch.ParentID = ptr(b.ParentId.MustGet().String())
		}
	}
	u, err := h.store.UpdateUnit(ctx, req.Id.String(), version, patch)
	if err != nil {
		return nil, err
	}
	return api.UpdateUnit200JSONResponse{Body: unitOut(u), Headers: api.UpdateUnit200ResponseHeaders{ETag: ptr(etag(u.Version))}}, nil
}

// DeleteUnit implements deleteUnit.
func (h *UnitHandler) DeleteUnit(ctx context.Context, req api.DeleteUnitRequestObject) (api.DeleteUnitResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteUnit(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteUnit204Response{}, nil
}

// GetUnitTree implements getUnitTree.
func (h *UnitHandler) GetUnitTree(ctx context.Context, req api.GetUnitTreeRequestObject) (api.GetUnitTreeResponseObject, error) {
	depth := models.MaxUnitLevel - 1
	if req.Params.Depth != nil {
		depth = int(*req.Params.Depth)
	}
	units, err := h.store.UnitSubtree(ctx, req.Id.String(), depth)
	if err != nil {
		return nil, err
	}
	return api.GetUnitTree200JSONResponse(unitTree(units)), nil
}

// ListUnitAncestors implements listUnitAncestors.
func (h *UnitHandler) ListUnitAncestors(ctx context.Context, req api.ListUnitAncestorsRequestObject) (api.ListUnitAncestorsResponseObject, error) {
	units, err := h.store.UnitAncestors(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.ListUnitAncestors200JSONResponse{Items: unitsOut(units)}, nil
}

// unitTree nests units, ordered by level then code with the root first, under
// their parents.
func unitTree(units []models.Unit) api.UnitTreeNode {
	nodes := make(map[string]*api.UnitTreeNode, len(units))
	order := make([]*api.UnitTreeNode, len(units))
	for i := range units {
		u := unitOut(&units[i])
		n := &api.UnitTreeNode{
			Id: u.Id, Code: u.Code, Name: u.Name, ShortName: u.ShortName, Kind: api.UnitKind(u.Kind),
			ParentId: u.ParentId, Level: u.Level, Path: u.Path, Version: u.Version,
			CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Children: []api.UnitTreeNode{},
		}
		nodes[units[i].ID] = n
		order[i] = n
	}
	// Attach deepest first, so that each child is complete when it is copied
	// into its parent's slice.
	for i := len(units) - 1; i > 0; i-- {
		parent := nodes[*units[i].ParentID]
		parent.Children = append(parent.Children, *order[i])
	}
	for _, n := range order {
		reverse(n.Children)
	}
	return *order[0]
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func unitOut(u *models.Unit) api.Unit {
	out := api.Unit{
		Id: uuidOf(u.ID), Code: u.Code, Name: u.Name, ShortName: u.ShortName, Kind: api.UnitKind(u.Kind),
		Level: int32(u.Level), Path: u.Path, Version: u.Version, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
	if u.ParentID != nil {
		out.ParentId = ptr(uuidOf(*u.ParentID))
	}
	return out
}

func unitsOut(units []models.Unit) []api.Unit {
	out := make([]api.Unit, len(units))
	for i := range units {
		out[i] = unitOut(&units[i])
	}
	return out
}
