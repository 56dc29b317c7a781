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
	"strconv"
	"strings"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

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
	it := itemIn(*req.Body)
	if err := h.store.CreateChecklistItem(ctx, req.Id.String(), &it); err != nil {
		return nil, err
	}
	return api.CreateChecklistItem201JSONResponse{Body: itemOut(&it), Headers: api.CreateChecklistItem201ResponseHeaders{
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
	p := itemPatch(b.Name, b.Sequence, b.ImplementingUnitId, b.LegalBasis, b.Category, b.Remark, b.Attributes)
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

// itemPatch is a merge patch of an item as the store takes it, from the
// fields of updateChecklistItem's body (or of one update of a bulk change).
func itemPatch(name *string, sequence *int32, unit nullable.Nullable[openapi_types.UUID], legalBasis, category, remark nullable.Nullable[string],
	attributes *map[string]*string) models.ChecklistItemPatch {
	p := models.ChecklistItemPatch{Name: name, LegalBasis: clearable(legalBasis), Category: clearable(category), Remark: clearable(remark)}
	if sequence != nil {
		p.Sequence = ptr(int(*sequence))
	}
	if unit.IsSpecified() {
		p.ImplementingUnitID = ptr("")
		if !unit.IsNull() {
			p.ImplementingUnitID = ptr(unit.MustGet().String())
		}
	}
	if attributes != nil {
		p.Attributes = map[string]string{}
		for k, v := range *attributes {
			p.Attributes[k] = ""
			if v != nil {
				p.Attributes[k] = *v
			}
		}
	}
	return p
}

// BulkChangeChecklistItems implements bulkChangeChecklistItems: the
// patches are applied to the items as they are now, and the store writes
// the whole change or nothing.
func (h *ChecklistHandler) BulkChangeChecklistItems(ctx context.Context, req api.BulkChangeChecklistItemsRequestObject) (api.BulkChangeChecklistItemsResponseObject, error) {
	c, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if err := c.Editable(); err != nil {
		return nil, err
	}
	b := req.Body
	// Only the items the request names are read: a bulk change of a few
	// items of a 100,000-item list holds those few.
	var ids []string
	for _, u := range ptrOr(b.Update) {
		ids = append(ids, u.Id.String())
	}
	for _, d := range ptrOr(b.Delete) {
		ids = append(ids, d.Id.String())
	}
	current, err := h.store.ChecklistItemsByID(ctx, c.ID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*models.ChecklistItem, len(current))
	for i := range current {
		byID[current[i].ID] = &current[i]
	}
	var ch models.ChecklistItemChanges
	var bad []models.FieldError
	named := map[string]bool{}
	// item finds an item of this version named once in the request.
	item := func(id api.Id, at string) *models.ChecklistItem {
		it, ok := byID[id.String()]
		switch {
		case !ok:
			bad = append(bad, models.FieldError{Pointer: at + "/id", Message: "no item of this version has this id"})
		case named[id.String()]:
			bad = append(bad, models.FieldError{Pointer: at + "/id", Message: "the item is named twice in the request"})
		default:
			named[id.String()] = true
			return it
		}
		return nil
	}
	for _, cr := range ptrOr(b.Create) {
		ch.Create = append(ch.Create, itemIn(cr))
	}
	for i, u := range ptrOr(b.Update) {
		it := item(u.Id, fmt.Sprintf("/update/%d", i))
		if it == nil {
			continue
		}
		after := *it
		after.Version = u.Version // the store compares it with the item's
		p := itemPatch(u.Name, u.Sequence, u.ImplementingUnitId, u.LegalBasis, u.Category, u.Remark, u.Attributes)
		p.Apply(&after)
		if p.Sequence != nil {
			after.Sequence = *p.Sequence
		}
		ch.Update = append(ch.Update, after)
	}
	for i, d := range ptrOr(b.Delete) {
		if it := item(d.Id, fmt.Sprintf("/delete/%d", i)); it != nil {
			gone := *it
			gone.Version = d.Version
			ch.Delete = append(ch.Delete, gone)
		}
	}
	if len(bad) > 0 {
		return nil, &models.ValidationError{Code: "checklist_item_invalid", Detail: "the bulk change names items this version does not have", Fields: bad}
	}
	if err := h.store.ApplyChecklistItemChanges(ctx, c.ID, ch); err != nil {
		return nil, bulkPointers(err, len(ch.Create))
	}
	out := api.BulkChangeChecklistItems200JSONResponse{Created: itemsOut(ch.Create), Updated: make([]api.ChecklistItem, 0, len(ch.Update)),
		Deleted: make([]api.Id, len(ch.Delete))}
	// The numbering after the change may have moved the updated items: read
	// them as they are.
	for _, u := range ch.Update {
		it, err := h.store.GetChecklistItem(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out.Updated = append(out.Updated, itemOut(it))
	}
	for i, d := range ch.Delete {
		out.Deleted[i] = uuidOf(d.ID)
	}
	return out, nil
}

// bulkPointers points the store's /items/<i> (creates, then updates) into
// the request: /create/<i> or /update/<i - creates>.
func bulkPointers(err error, creates int) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := *ve
	out.Fields = make([]models.FieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		rest, ok := strings.CutPrefix(f.Pointer, "/items/")
		if n, tail, found := strings.Cut(rest, "/"); ok && found {
			if k, err := strconv.Atoi(n); err == nil {
				f.Pointer = fmt.Sprintf("/create/%d/%s", k, tail)
				if k >= creates {
					f.Pointer = fmt.Sprintf("/update/%d/%s", k-creates, tail)
				}
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// ptrOr is the slice p points at, or none.
func ptrOr[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
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

// itemIn is a new item as the store takes it.
func itemIn(b api.ChecklistItemCreate) models.ChecklistItem {
	it := models.ChecklistItem{Name: b.Name, Attributes: map[string]string{}}
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
	return it
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
