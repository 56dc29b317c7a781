package server

import (
	"context"
	"encoding/json"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// AuditStore is what the audit handler needs.
type AuditStore interface {
	ListAuditEvents(ctx context.Context, f models.AuditFilter, page paging.Page) ([]models.AuditEvent, *paging.Cursor, error)
	VerifyAudit(ctx context.Context) (models.AuditVerification, error)
}

// AuditHandler serves the audit tag.
type AuditHandler struct {
	store AuditStore
	rules *rules
}

// ListAuditEvents implements listAuditEvents.
func (h *AuditHandler) ListAuditEvents(ctx context.Context, req api.ListAuditEventsRequestObject) (api.ListAuditEventsResponseObject, error) {
	p := req.Params
	caller := models.RequestInfoFrom(ctx).Caller
	f := models.AuditFilter{UnitPath: authz.SubtreeOf(&caller, h.rules.rule(ctx))}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&f.EntityType, p.EntityType)
	set(&f.EntityID, p.EntityId)
	set(&f.ActorID, p.ActorId)
	set(&f.Operation, p.Operation)
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	f.From, f.To = p.From, p.To
	sort := "seq"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	filters, _ := json.Marshal(f)
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, string(filters))
	if err != nil {
		return nil, err
	}
	events, next, err := h.store.ListAuditEvents(ctx, f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEvents200JSONResponse{Items: make([]api.AuditEvent, len(events))}
	for i := range events {
		out.Items[i] = auditOut(&events[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// VerifyAuditEvents implements verifyAuditEvents.
func (h *AuditHandler) VerifyAuditEvents(ctx context.Context, _ api.VerifyAuditEventsRequestObject) (api.VerifyAuditEventsResponseObject, error) {
	v, err := h.store.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	out := api.VerifyAuditEvents200JSONResponse{Ok: v.OK, Checked: v.Checked}
	if !v.OK {
		out.FirstBroken = &struct {
			Id     *api.Id `json:"id,omitempty"`
			Reason string  `json:"reason"`
			Seq    int64   `json:"seq"`
		}{Reason: v.BrokenCause, Seq: v.BrokenSeq}
		if v.BrokenID != "" {
			out.FirstBroken.Id = ptr(uuidOf(v.BrokenID))
		}
	}
	return out, nil
}

func auditOut(e *models.AuditEvent) api.AuditEvent {
	out := api.AuditEvent{
		Id: uuidOf(e.ID), Seq: e.Seq, OccurredAt: e.OccurredAt.UTC(), ActorType: api.AuditEventActorType(e.ActorType),
		Operation: e.Operation, EntityType: e.EntityType, PrevHash: e.PrevHash, Hash: e.Hash,
		ActorId: nonEmpty(e.ActorID), ActorName: nonEmpty(e.ActorName), EntityId: nonEmpty(e.EntityID),
		RequestId: nonEmpty(e.RequestID), ClientAddress: nonEmpty(e.ClientAddress),
	}
	if e.UnitID != nil {
		out.UnitId = ptr(uuidOf(*e.UnitID))
	}
	out.Before = snapshotOut(e.Before)
	out.After = snapshotOut(e.After)
	return out
}

func snapshotOut(s string) *api.AuditSnapshot {
	if s == "" {
		return nil
	}
	var m api.AuditSnapshot
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil
	}
	return &m
}
