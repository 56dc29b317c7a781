package server

// Items of checklist versions, the counts of a version and the diff between
// two versions. An item is seen and changed as its version is: reach on
// the version decides.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/oapi-codegen/nullable"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
)

func checklistItemPath(id string) string { return basePath + "/checklist-items/" + id }

// item loads an item and checks, through its version, that the caller may
// act on it; an item of a version the caller may not see is a 404 of the
// item.
func (h *ChecklistHandler) item(ctx context.Context, id string) (*models.ChecklistItem, error) {
	it, err := h.store.GetChecklistItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, it.ChecklistID); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.NotFoundError{Entity: "checklist item", ID: id}
		}
		return nil, err
	}
	return it, nil
}

// ListChecklistItems implements listChecklistItems.
func (h *ChecklistHandler) ListChecklistItems(ctx context.Context, req api.ListChecklistItemsRequestObject) (api.ListChecklistItemsResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	p := req.Params
	f := models.ChecklistItemFilter{}
	if p.ImplementingUnitId != nil {
		f.ImplementingUnitID = p.ImplementingUnitId.String()
	}
	if p.Category != nil {
		f.Category = *p.Category
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	if p.Attribute != nil {
		kind, err := h.store.GetChecklistKind(ctx, c.KindKey)
		if err != nil {
			return nil, err
		}
		if f.Attributes, err = attributeFilter(kind, *p.Attribute); err != nil {
			return nil, err
		}
	}
	filters := fmt.Sprint(f.ImplementingUnitID, "|", f.Category, "|", f.Query, "|", sortedPairs(f.Attributes))
	page, digest, err := pageRequest(p.Limit, p.Cursor, "sequence", filters)
	if err != nil {
		return nil, err
	}
	items, next, err := h.store.ListChecklistItems(ctx, c.ID, f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListChecklistItems200JSONResponse{Items: make([]api.ChecklistItem, len(items)), NextCursor: encodeNext(next, digest)}
	for i := range items {
		out.Items[i] = itemOut(&items[i])
	}
	return out, nil
}

// attributeFilter reads attribute=key:value filters against the kind's
// columns: a key the kind does not have is a 422 on the parameter.
func attributeFilter(kind *models.ChecklistKind, params []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range params {
		key, value, _ := strings.Cut(p, ":") // the contract's pattern holds a colon
		if _, ok := kind.Column(key); !ok {
			return nil, &httpError{status: http.StatusUnprocessableEntity, code: "checklist_attribute_unknown",
				detail: fmt.Sprintf("%s has no column %q", kind.Name, key),
				fields: []api.FieldError{{Parameter: ptr("query.attribute"), Message: fmt.Sprintf("no column %q in %s; its columns are %s", key, kind.Key, columnKeys(kind))}}}
		}
		out[key] = value
	}
	return out, nil
}

func columnKeys(kind *models.ChecklistKind) string {
	keys := make([]string, len(kind.Columns))
	for i, c := range kind.Columns {
		keys[i] = c.Key
	}
	return strings.Join(keys, ", ")
}

// sortedPairs writes a map in a stable form, for a cursor's digest.
func sortedPairs(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + "=" + m[k] + ";")
	}
	return b.String()
}

// CreateChecklistItem implements createChecklistItem.
func (h *ChecklistHandler) CreateChecklistItem(ctx context.Context, req api.CreateChecklistItemRequestObject) (api.CreateChecklistItemResponseObject, error) {
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	b := req.Body
	it := &models.ChecklistItem{Name: b.Name, Attributes: map[string]string{}}
	if b.Sequence != nil {
		it.Sequence = int(*b.Sequence)
	}
	if b.ImplementingUnitId != nil {
		it.ImplementingUnitID = ptr(b.ImplementingUnitId.String())
	}
	if b.LegalBasis != nil {
		it.LegalBasis = *b.LegalBasis
	}
	if b.Category != nil {
		it.Category = *b.Category
	}
	if b.Remark != nil {
		it.Remark = *b.Remark
	}
	if b.Attributes != nil {
		it.Attributes = *b.Attributes
	}
	if err := h.store.CreateChecklistItem(ctx, req.Id.String(), it); err != nil {
		return nil, err
	}
	return api.CreateChecklistItem201JSONResponse{Body: itemOut(it), Headers: api.CreateChecklistItem201ResponseHeaders{
		ETag: ptr(etag(it.Version)), Location: ptr(checklistItemPath(it.ID))}}, nil
}

// GetChecklistItem implements getChecklistItem.
func (h *ChecklistHandler) GetChecklistItem(ctx context.Context, req api.GetChecklistItemRequestObject) (api.GetChecklistItemResponseObject, error) {
	it, err := h.item(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.GetChecklistItem200JSONResponse{Body: itemOut(it), Headers: api.GetChecklistItem200ResponseHeaders{ETag: ptr(etag(it.Version))}}, nil
}

// UpdateChecklistItem implements updateChecklistItem.
func (h *ChecklistHandler) UpdateChecklistItem(ctx context.Context, req api.UpdateChecklistItemRequestObject) (api.UpdateChecklistItemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.item(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	b := req.Body
	p := models.ChecklistItemPatch{Name: b.Name}
	if b.Sequence != nil {
		p.Sequence = ptr(int(*b.Sequence))
	}
	if b.ImplementingUnitId.IsSpecified() {
		p.ImplementingUnitID = ptr("")
		if !b.ImplementingUnitId.IsNull() {
			p.ImplementingUnitID = ptr(b.ImplementingUnitId.MustGet().String())
		}
	}
	p.LegalBasis, p.Category, p.Remark = clearable(b.LegalBasis), clearable(b.Category), clearable(b.Remark)
	if b.Attributes != nil {
		p.Attributes = map[string]string{}
		for k, v := range *b.Attributes {
			p.Attributes[k] = ""
			if v != nil {
				p.Attributes[k] = *v
			}
		}
	}
	it, err := h.store.UpdateChecklistItem(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateChecklistItem200JSONResponse{Body: itemOut(it), Headers: api.UpdateChecklistItem200ResponseHeaders{ETag: ptr(etag(it.Version))}}, nil
}

// DeleteChecklistItem implements deleteChecklistItem.
func (h *ChecklistHandler) DeleteChecklistItem(ctx context.Context, req api.DeleteChecklistItemRequestObject) (api.DeleteChecklistItemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.item(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	if err := h.store.DeleteChecklistItem(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteChecklistItem204Response{}, nil
}

// GetChecklistStatistics implements getChecklistStatistics.
func (h *ChecklistHandler) GetChecklistStatistics(ctx context.Context, req api.GetChecklistStatisticsRequestObject) (api.GetChecklistStatisticsResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	st, err := h.store.ChecklistStatistics(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	out := api.GetChecklistStatistics200JSONResponse{ChecklistId: uuidOf(c.ID), Items: int32(st.Items),
		ByUnit: make([]api.ChecklistUnitCount, len(st.ByUnit)), ByCategory: make([]api.ChecklistCategoryCount, len(st.ByCategory))}
	for i, n := range st.ByUnit {
		out.ByUnit[i].Items = int32(n.Items)
		if n.Key != "" {
			out.ByUnit[i].UnitId = ptr(uuidOf(n.Key))
			out.Units++
		}
	}
	for i, n := range st.ByCategory {
		out.ByCategory[i].Items = int32(n.Items)
		if n.Key != "" {
			out.ByCategory[i].Category = ptr(n.Key)
		}
	}
	return out, nil
}

// DiffChecklistVersions implements diffChecklistVersions.
func (h *ChecklistHandler) DiffChecklistVersions(ctx context.Context, req api.DiffChecklistVersionsRequestObject) (api.DiffChecklistVersionsResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	v, err := h.diff(ctx, c, req.Params.From, req.Params.To)
	if err != nil {
		return nil, err
	}
	d := v.diff
	out := api.DiffChecklistVersions200JSONResponse{
		From:  api.ChecklistVersionRef{Id: uuidOf(v.from.ID), VersionNo: int32(v.from.VersionNo)},
		To:    api.ChecklistVersionRef{Id: uuidOf(v.to.ID), VersionNo: int32(v.to.VersionNo)},
		Added: itemsOut(d.Added), Removed: itemsOut(d.Removed),
		Changed: make([]api.ChecklistItemChange, len(d.Changed)), Moved: make([]api.ChecklistItemMove, len(d.Moved))}
	for i, ch := range d.Changed {
		out.Changed[i] = api.ChecklistItemChange{ItemKey: ch.ItemKey, Name: ch.To.Name, Fields: make([]api.ChecklistFieldChange, len(ch.Fields))}
		for j, f := range ch.Fields {
			out.Changed[i].Fields[j] = api.ChecklistFieldChange{Field: f.Field, Label: f.Label, Old: f.Old, New: f.New}
		}
	}
	for i, m := range d.Moved {
		out.Moved[i] = api.ChecklistItemMove{ItemKey: m.ItemKey, Name: m.Name, FromSequence: int32(m.FromSequence), ToSequence: int32(m.ToSequence)}
	}
	return out, nil
}

// versionDiff is the comparison of two versions of one list.
type versionDiff struct {
	kind     *models.ChecklistKind
	from, to *models.Checklist
	diff     models.ChecklistDiff
}

// diff compares versions from and to (version numbers) of c's list: by
// default c against the version before it. Both must be versions the
// caller sees.
func (h *ChecklistHandler) diff(ctx context.Context, c *models.Checklist, fromNo, toNo *int32) (*versionDiff, error) {
	to := c.VersionNo
	if toNo != nil {
		to = int(*toNo)
	}
	from := to - 1
	if fromNo != nil {
		from = int(*fromNo)
	}
	versions, err := h.store.ChecklistVersions(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	pick := func(no int, param string) (*models.Checklist, error) {
		for i := range versions {
			if versions[i].VersionNo == no && h.sees(ctx, &versions[i]) == nil {
				return &versions[i], nil
			}
		}
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "checklist_version_not_found",
			detail: fmt.Sprintf("list %s has no version %d", c.ListID, no),
			fields: []api.FieldError{{Parameter: ptr("query." + param), Message: fmt.Sprintf("no version %d of this list", no)}}}
	}
	v := &versionDiff{}
	if v.from, err = pick(from, "from"); err != nil {
		return nil, err
	}
	if v.to, err = pick(to, "to"); err != nil {
		return nil, err
	}
	if v.kind, err = h.store.GetChecklistKind(ctx, c.KindKey); err != nil {
		return nil, err
	}
	fromItems, err := h.store.AllChecklistItems(ctx, v.from.ID)
	if err != nil {
		return nil, err
	}
	toItems, err := h.store.AllChecklistItems(ctx, v.to.ID)
	if err != nil {
		return nil, err
	}
	v.diff = models.DiffChecklists(v.kind, fromItems, toItems)
	return v, nil
}

// clearable reads an optional text of a merge patch as the store takes it:
// nil when absent, "" when null (cleared), the text otherwise.
func clearable(n nullable.Nullable[string]) *string {
	set, v := nullableString(n)
	switch {
	case !set:
		return nil
	case v == nil:
		return ptr("")
	}
	return v
}

func itemsOut(items []models.ChecklistItem) []api.ChecklistItem {
	out := make([]api.ChecklistItem, len(items))
	for i := range items {
		out[i] = itemOut(&items[i])
	}
	return out
}

func itemOut(it *models.ChecklistItem) api.ChecklistItem {
	out := api.ChecklistItem{Id: uuidOf(it.ID), ChecklistId: uuidOf(it.ChecklistID), ItemKey: it.ItemKey, Sequence: int32(it.Sequence),
		Name: it.Name, Attributes: it.Attributes, Version: it.Version, CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC()}
	if out.Attributes == nil {
		out.Attributes = api.ChecklistItemAttributes{}
	}
	if it.ImplementingUnitID != nil {
		out.ImplementingUnitId = ptr(uuidOf(*it.ImplementingUnitID))
	}
	if it.LegalBasis != "" {
		out.LegalBasis = ptr(it.LegalBasis)
	}
	if it.Category != "" {
		out.Category = ptr(it.Category)
	}
	if it.Remark != "" {
		out.Remark = ptr(it.Remark)
	}
	return out
}
