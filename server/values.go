package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// ValueStore is what the indicator-values handler needs.
type ValueStore interface {
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	GetValue(ctx context.Context, id string) (*models.IndicatorValue, string, error)
	CreateValue(ctx context.Context, v *models.IndicatorValue) error
	UpdateValue(ctx context.Context, id string, ifVersion int64, p models.ValuePatch) (*models.IndicatorValue, error)
	SubmitValue(ctx context.Context, id string, by models.Actor) (*models.IndicatorValue, error)
	ReturnValue(ctx context.Context, id string, by models.Actor, reason string) (*models.IndicatorValue, error)
	ApproveValue(ctx context.Context, id string, by models.Actor, score *exact.Decimal) (*models.IndicatorValue, error)
	SubmitValues(ctx context.Context, f models.ValueFilter, by models.Actor, permit func(v *models.IndicatorValue, unitPath string) error) ([]models.IndicatorValue, error)
	ApproveValues(ctx context.Context, f models.ValueFilter, by models.Actor, permit func(v *models.IndicatorValue, unitPath string) error) ([]models.IndicatorValue, error)
	ListValues(ctx context.Context, f models.ValueFilter, page paging.Page) ([]models.IndicatorValue, *paging.Cursor, error)
	ListAuditEvents(ctx context.Context, f models.AuditFilter, page paging.Page) ([]models.AuditEvent, *paging.Cursor, error)
	RollupInputs(ctx context.Context, indicatorID, unitID, period string) (*models.RollupInputs, error)
	GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	AttachmentStore
	ActorStore
}

// ValueHandler serves the indicator-values tag.
type ValueHandler struct {
	store ValueStore
	rules *rules
	files *attachments
}

// reach loads a value and checks that the caller may act on it under the
// operation's rule: values it may not see (outside its subtree, or not
// released to a key that only reads) are 404, visible ones it may not
// change 403.
func (h *ValueHandler) reach(ctx context.Context, id string) (*models.IndicatorValue, error) {
	v, path, err := h.store.GetValue(ctx, id)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if !models.ValueLifecycle.Visible(&caller, v.Status) {
		return nil, valueNotFound(id)
	}
	if err := authz.Reach(&caller, h.rules.rule(ctx), v.UnitID, path); err != nil {
		return nil, err
	}
	return v, nil
}

func valueNotFound(id string) error { return &models.NotFoundError{Entity: "indicator value", ID: id} }

// ListIndicatorValues implements listIndicatorValues.
func (h *ValueHandler) ListIndicatorValues(ctx context.Context, req api.ListIndicatorValuesRequestObject) (api.ListIndicatorValuesResponseObject, error) {
	p := req.Params
	caller := models.RequestInfoFrom(ctx).Caller
	f := models.ValueFilter{UnitPath: authz.SubtreeOf(&caller, h.rules.rule(ctx)), Flagged: p.Flagged,
		ReleasedOnly: models.ValueLifecycle.ReleasedOnly(&caller)}
	if p.SystemId != nil {
		f.SystemID = p.SystemId.String()
	}
	if p.IndicatorId != nil {
		f.IndicatorID = p.IndicatorId.String()
	}
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	if p.Period != nil {
		f.Period = *p.Period
	}
	if p.Year != nil {
		f.Year = int(*p.Year)
	}
	if p.Status != nil {
		f.Status = models.ValueStatus(*p.Status)
	}
	// The digest names the filters by value: f.Flagged is a pointer, which
	// %+v would print as an address that differs on every request.
	flagged := "any"
	if f.Flagged != nil {
		flagged = fmt.Sprint(*f.Flagged)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "id", fmt.Sprint(f.SystemID, "|", f.IndicatorID, "|", f.UnitID, "|",
		f.Period, "|", f.Year, "|", f.Status, "|", flagged, "|", f.UnitPath, "|", f.ReleasedOnly))
	if err != nil {
		return nil, err
	}
	vs, next, err := h.store.ListValues(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.out(ctx, pointers(vs)...)
	if err != nil {
		return nil, err
	}
	return api.ListIndicatorValues200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreateIndicatorValue implements createIndicatorValue.
func (h *ValueHandler) CreateIndicatorValue(ctx context.Context, req api.CreateIndicatorValueRequestObject) (api.CreateIndicatorValueResponseObject, error) {
	b := req.Body
	unit, err := h.store.GetUnit(ctx, b.UnitId.String())
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Invalid("value_unit_not_found", "/unitId", "unit %s does not exist", b.UnitId)
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
			Detail: fmt.Sprintf("unit %s is outside your unit and the units below it: you may not report for it", unit.Code)}
	}
	if err := authz.Reach(&caller, rule, unit.ID, unit.Path); err != nil {
		return nil, err
	}
	v := &models.IndicatorValue{IndicatorID: b.IndicatorId.String(), UnitID: unit.ID, Period: b.Period,
		Value: b.Value, YesNo: b.YesNo, Text: b.Text, RawText: b.RawText, Comment: b.Comment, SelfScore: b.SelfScore}
	if b.Qualifier != nil {
		v.Qualifier = models.Qualifier(*b.Qualifier)
	}
	if b.AsOf != nil {
		v.AsOf = ptr(b.AsOf.Time)
	}
	if err := h.store.CreateValue(ctx, v); err != nil {
		return nil, err
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.CreateIndicatorValue201JSONResponse{Body: out[0], Headers: api.CreateIndicatorValue201ResponseHeaders{
		ETag: ptr(etag(v.Version)), Location: ptr(basePath + "/indicator-values/" + v.ID)}}, nil
}

// GetIndicatorValue implements getIndicatorValue.
func (h *ValueHandler) GetIndicatorValue(ctx context.Context, req api.GetIndicatorValueRequestObject) (api.GetIndicatorValueResponseObject, error) {
	v, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	tag := etag(v.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetIndicatorValue304Response{Headers: api.GetIndicatorValue304ResponseHeaders{ETag: &tag}}, nil
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.GetIndicatorValue200JSONResponse{Body: out[0], Headers: api.GetIndicatorValue200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateIndicatorValue implements updateIndicatorValue.
func (h *ValueHandler) UpdateIndicatorValue(ctx context.Context, req api.UpdateIndicatorValueRequestObject) (api.UpdateIndicatorValueResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	b := req.Body
	p := models.ValuePatch{}
	if b.Qualifier != nil {
		p.Qualifier = ptr(models.Qualifier(*b.Qualifier))
	}
	if b.Value.IsSpecified() {
		p.SetValue = true
		if !b.Value.IsNull() {
			p.Value = ptr(b.Value.MustGet())
		}
	}
	if b.SelfScore.IsSpecified() {
		p.SetSelfScore = true
		if !b.SelfScore.IsNull() {
			p.SelfScore = ptr(b.SelfScore.MustGet())
		}
	}
	if b.YesNo.IsSpecified() {
		p.SetYesNo = true
		if !b.YesNo.IsNull() {
			p.YesNo = ptr(b.YesNo.MustGet())
		}
	}
	if b.AsOf.IsSpecified() {
		p.SetAsOf = true
		if !b.AsOf.IsNull() {
			p.AsOf = ptr(b.AsOf.MustGet().Time)
		}
	}
	p.SetText, p.Text = nullableString(b.Text)
	p.SetRawText, p.RawText = nullableString(b.RawText)
	p.SetComment, p.Comment = nullableString(b.Comment)
	v, err := h.store.UpdateValue(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.UpdateIndicatorValue200JSONResponse{Body: out[0], Headers: api.UpdateIndicatorValue200ResponseHeaders{ETag: ptr(etag(v.Version))}}, nil
}

// SubmitIndicatorValue implements submitIndicatorValue.
func (h *ValueHandler) SubmitIndicatorValue(ctx context.Context, req api.SubmitIndicatorValueRequestObject) (api.SubmitIndicatorValueResponseObject, error) {
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	v, err := h.store.SubmitValue(ctx, req.Id.String(), models.ActorOf(models.RequestInfoFrom(ctx).Caller))
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.SubmitIndicatorValue200JSONResponse(out[0]), nil
}

// ReturnIndicatorValue implements returnIndicatorValue.
func (h *ValueHandler) ReturnIndicatorValue(ctx context.Context, req api.ReturnIndicatorValueRequestObject) (api.ReturnIndicatorValueResponseObject, error) {
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	v, err := h.store.ReturnValue(ctx, req.Id.String(), models.ActorOf(models.RequestInfoFrom(ctx).Caller), req.Body.Reason)
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.ReturnIndicatorValue200JSONResponse(out[0]), nil
}

// ApproveIndicatorValue implements approveIndicatorValue.
func (h *ValueHandler) ApproveIndicatorValue(ctx context.Context, req api.ApproveIndicatorValueRequestObject) (api.ApproveIndicatorValueResponseObject, error) {
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	var score *exact.Decimal
	if req.Body != nil { // the body is optional: nothing in it is required
		score = req.Body.ReviewScore
	}
	v, err := h.store.ApproveValue(ctx, req.Id.String(), models.ActorOf(models.RequestInfoFrom(ctx).Caller), score)
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, v)
	if err != nil {
		return nil, err
	}
	return api.ApproveIndicatorValue200JSONResponse(out[0]), nil
}

// out is vs as the contract writes them, their actors named.
func (h *ValueHandler) out(ctx context.Context, vs ...*models.IndicatorValue) ([]api.IndicatorValue, error) {
	return named(ctx, h.store, vs, func(v *models.IndicatorValue) []models.Actor { return actorsOf(v.SubmittedBy, v.ReviewedBy) }, valueOut)
}

func valueOut(v *models.IndicatorValue, names actorNames) api.IndicatorValue {
	out := api.IndicatorValue{
		Id: uuidOf(v.ID), IndicatorId: uuidOf(v.IndicatorID), UnitId: uuidOf(v.UnitID), Period: v.Period,
		Value: v.Value, YesNo: v.YesNo, Text: v.Text, Qualifier: api.Qualifier(v.Qualifier), RawText: v.RawText,
		Comment: v.Comment, SelfScore: v.SelfScore, ReviewScore: v.ReviewScore, Status: api.ValueStatus(v.Status),
		ReturnReason: v.ReturnReason, Flags: v.Flags, SubmittedBy: names.ref(v.SubmittedBy), ReviewedBy: names.ref(v.ReviewedBy),
		Version:   v.Version,
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(),
	}
	if out.Flags == nil {
		out.Flags = []string{}
	}
	if v.AsOf != nil {
		out.AsOf = &openapi_types.Date{Time: v.AsOf.UTC()}
	}
	if v.SubmittedAt != nil {
		out.SubmittedAt = ptr(v.SubmittedAt.UTC())
	}
	if v.ReviewedAt != nil {
		out.ReviewedAt = ptr(v.ReviewedAt.UTC())
	}
	return out
}

// GetIndicatorRollup implements getIndicatorRollup.
func (h *ValueHandler) GetIndicatorRollup(ctx context.Context, req api.GetIndicatorRollupRequestObject) (api.GetIndicatorRollupResponseObject, error) {
	p := req.Params
	in, err := h.store.RollupInputs(ctx, p.IndicatorId.String(), p.UnitId.String(), p.Period)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := authz.Reach(&caller, h.rules.rule(ctx), in.Unit.ID, in.Unit.Path); err != nil {
		return nil, err
	}
	if err := releasedSystem(ctx, h.store, in.Indicator.SystemID); err != nil {
		return nil, &models.NotFoundError{Entity: "indicator", ID: in.Indicator.ID}
	}
	// Whoever sees the unit sees every unit below it, and the figures rolled
	// up are released ones: nothing to filter out but the unit's own value.
	r := models.RollUp(in.Indicator.Aggregation, in.Unit.ID, in.Children, in.Values)
	out := api.GetIndicatorRollup200JSONResponse{
		IndicatorId: uuidOf(in.Indicator.ID), UnitId: uuidOf(in.Unit.ID), Period: p.Period,
		Aggregation: api.Aggregation(in.Indicator.Aggregation), RolledUp: r.Value,
		ContributingUnits: int32(r.ContributingUnits), Reports: int32(r.Reports),
	}
	if in.Own != nil && models.ValueLifecycle.Visible(&caller, in.Own.Status) {
		own, err := h.out(ctx, in.Own)
		if err != nil {
			return nil, err
		}
		out.Own = &own[0]
	}
	return out, nil
}

// ListIndicatorValueHistory implements listIndicatorValueHistory. A key that
// reads released values only sees the events that left the value released,
// without the people and addresses behind them (releasedHistory).
func (h *ValueHandler) ListIndicatorValueHistory(ctx context.Context, req api.ListIndicatorValueHistoryRequestObject) (api.ListIndicatorValueHistoryResponseObject, error) {
	if _, err := h.reach(ctx, req.Id.String()); err != nil {
		return nil, err
	}
	f := models.AuditFilter{EntityType: "indicator_value", EntityID: req.Id.String()}
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "seq", f.EntityID)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	var (
		events []models.AuditEvent
		next   *paging.Cursor
	)
	if models.ValueLifecycle.ReleasedOnly(&caller) {
		events, next, err = h.releasedHistory(ctx, f, page)
	} else {
		events, next, err = h.store.ListAuditEvents(ctx, f, page)
	}
	if err != nil {
		return nil, err
	}
	out := api.ListIndicatorValueHistory200JSONResponse{Items: make([]api.AuditEvent, len(events))}
	for i := range events {
		out.Items[i] = auditOut(&events[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// releasedHistory is one page of a value's history as a key that reads
// released values sees it: the events after which the value was released
// (approved, locked), with the state before only when that was released too,
// and without the actor's name and id, the request or the client's address.
// It reads the log page by page until it has one event more than the page
// holds, or none is left.
func (h *ValueHandler) releasedHistory(ctx context.Context, f models.AuditFilter, page paging.Page) ([]models.AuditEvent, *paging.Cursor, error) {
	limit := page.Limit
	var out []models.AuditEvent
	for len(out) <= limit {
		events, next, err := h.store.ListAuditEvents(ctx, f, page)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range events {
			if !models.ValueLifecycle.IsReleased(snapshotStatus[models.ValueStatus](e.After)) {
				continue
			}
			if !models.ValueLifecycle.IsReleased(snapshotStatus[models.ValueStatus](e.Before)) {
				e.Before = ""
			}
			e.ActorID, e.ActorName, e.RequestID, e.ClientAddress = "", "", "", ""
			out = append(out, e)
		}
		if next == nil {
			break
		}
		page.After = next
	}
	if len(out) <= limit {
		return out, nil, nil
	}
	last := out[limit-1]
	return out[:limit], &paging.Cursor{Sort: page.Sort.String(), Key: strconv.FormatInt(last.Seq, 10), ID: last.ID}, nil
}

// snapshotStatus is the status an audit snapshot records, empty for none.
func snapshotStatus[S ~string](snapshot string) S {
	var s struct {
		Status S `json:"status"`
	}
	if snapshot != "" {
		_ = json.Unmarshal([]byte(snapshot), &s) // the log's own JSON; a snapshot without a status has none
	}
	return s.Status
}

// bulk is the selection of a bulk change: the values the filter names among
// those the caller sees, and the caller's right to change each, asked of
// every value as the single operations ask it.
func (h *ValueHandler) bulk(ctx context.Context, b api.BulkFilter) (models.ValueFilter, models.Actor, func(v *models.IndicatorValue, unitPath string) error) {
	caller := models.RequestInfoFrom(ctx).Caller
	rule := h.rules.rule(ctx)
	// Values the caller does not see are not part of its selection at all.
	f := models.ValueFilter{SystemID: b.SystemId.String(), UnitPath: authz.SubtreeOf(&caller, rule)}
	if b.Period != nil {
		f.Period = *b.Period
	}
	if b.UnitId != nil {
		f.UnitID = b.UnitId.String()
	}
	if b.IndicatorIds != nil {
		f.IndicatorIDs = idsIn(*b.IndicatorIds)
	}
	permit := func(v *models.IndicatorValue, unitPath string) error {
		return authz.Reach(&caller, rule, v.UnitID, unitPath)
	}
	return f, models.ActorOf(caller), permit
}

func bulkItems(vs []models.IndicatorValue) []api.BulkItem {
	items := make([]api.BulkItem, len(vs))
	for i, v := range vs {
		items[i] = api.BulkItem{Id: uuidOf(v.ID), Status: api.ValueStatus(v.Status), Version: v.Version}
	}
	return items
}

// BulkSubmitIndicatorValues implements bulkSubmitIndicatorValues.
func (h *ValueHandler) BulkSubmitIndicatorValues(ctx context.Context, req api.BulkSubmitIndicatorValuesRequestObject) (api.BulkSubmitIndicatorValuesResponseObject, error) {
	f, by, permit := h.bulk(ctx, *req.Body)
	vs, err := h.store.SubmitValues(ctx, f, by, permit)
	if err != nil {
		return nil, err
	}
	return api.BulkSubmitIndicatorValues200JSONResponse{Count: int32(len(vs)), Items: bulkItems(vs)}, nil
}

// BulkApproveIndicatorValues implements bulkApproveIndicatorValues.
func (h *ValueHandler) BulkApproveIndicatorValues(ctx context.Context, req api.BulkApproveIndicatorValuesRequestObject) (api.BulkApproveIndicatorValuesResponseObject, error) {
	f, by, permit := h.bulk(ctx, *req.Body)
	vs, err := h.store.ApproveValues(ctx, f, by, permit)
	if err != nil {
		return nil, err
	}
	return api.BulkApproveIndicatorValues200JSONResponse{Count: int32(len(vs)), Items: bulkItems(vs)}, nil
}
