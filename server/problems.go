package server

// Problem records (存在问题) and their rectification. A problem is its
// unit's: the unit (or a unit above it, or the city office) records it,
// states the measures and attaches evidence; a reviewer above the unit or
// the city office signs it off. Users see their subtree's problems and
// signed-off problems city-wide; API keys signed-off problems only. The
// lifecycle is models.ProblemLifecycle.

import (
	"context"
	"fmt"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// ProblemStore is what the problem operations need from the database.
type ProblemStore interface {
	CreateProblem(ctx context.Context, p *models.Problem) error
	GetProblem(ctx context.Context, id string) (*models.Problem, error)
	ListProblems(ctx context.Context, f models.ProblemFilter, page paging.Page) ([]models.Problem, *paging.Cursor, error)
	ChangeProblem(ctx context.Context, id string, ifVersion *int64, apply func(p *models.Problem, at time.Time, evidence int) error) (*models.Problem, error)
	DeleteProblem(ctx context.Context, id string, ifVersion *int64) error
	CreateEvidence(ctx context.Context, e *models.Evidence) error
	EvidenceOf(ctx context.Context, recordType string, ids []string) (map[string][]models.Evidence, error)
	viewStore
	ActorStore
}

// ProblemHandler serves the problems tag.
type ProblemHandler struct {
	store ProblemStore
	rules *rules
	files *attachments
}

func problemNotFound(id string) error { return &models.NotFoundError{Entity: "problem", ID: id} }

// seesProblem: a key sees signed-off problems; a user those of its
// subtree's units, and signed-off problems of every unit whatever the
// operation's rule: a change of one outside the subtree is a 403.
func (v *view) seesProblem(p *models.Problem) bool {
	return models.ProblemLifecycle.Visible(&v.caller, p.Status) &&
		(models.ProblemLifecycle.IsReleased(p.Status) || authz.Sees(&v.caller, v.rule, v.paths[p.UnitID]))
}

// problem loads a problem the caller sees (a 404 otherwise); to change it,
// the caller must reach its unit.
func (h *ProblemHandler) problem(ctx context.Context, id string, change bool) (*models.Problem, *view, error) {
	p, err := h.store.GetProblem(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, nil, err
	}
	if !v.seesProblem(p) {
		return nil, nil, problemNotFound(id)
	}
	if change {
		if err := v.reachUnit(p.UnitID); err != nil {
			return nil, nil, err
		}
	}
	return p, v, nil
}

// problemsOut converts problems with their evidence and actors' names.
func (h *ProblemHandler) problemsOut(ctx context.Context, problems []*models.Problem) ([]api.ProblemRecord, error) {
	ids := make([]string, len(problems))
	for i, p := range problems {
		ids[i] = p.ID
	}
	evidence, err := h.store.EvidenceOf(ctx, models.EvidenceOfProblem, ids)
	if err != nil {
		return nil, err
	}
	return named(ctx, h.store, problems, func(p *models.Problem) []models.Actor {
		return append(actorsOf(&p.CreatedBy, p.SignedOffBy), evidenceBy(evidence[p.ID])...)
	}, func(p *models.Problem, names actorNames) api.ProblemRecord {
		return api.ProblemRecord{Id: uuidOf(p.ID), UnitId: uuidOf(p.UnitID), Year: int32(p.Year), Source: api.ProblemSource(p.Source),
			Title: p.Title, Detail: p.Detail, Category: p.Category, Measures: p.Measures, RectificationTaskId: uuidOrNil(p.RectificationTaskID),
			Status: api.ProblemStatus(p.Status), RectifyingSince: utcOrNil(p.RectifyingSince), SignedOffBy: names.ref(p.SignedOffBy),
			SignedOffAt: utcOrNil(p.SignedOffAt), SignOffNote: p.SignOffNote, IndicatorIds: uuidsOf(p.IndicatorIDs),
			TaskIds: uuidsOf(p.TaskIDs), Evidence: evidenceListOut(evidence[p.ID], names), CreatedBy: names.actor(models.Actor(p.CreatedBy)),
			Version: p.Version, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	})
}

func (h *ProblemHandler) problemOut(ctx context.Context, p *models.Problem) (api.ProblemRecord, error) {
	out, err := h.problemsOut(ctx, []*models.Problem{p})
	if err != nil {
		return api.ProblemRecord{}, err
	}
	return out[0], nil
}

// ListProblems implements listProblems.
func (h *ProblemHandler) ListProblems(ctx context.Context, req api.ListProblemsRequestObject) (api.ListProblemsResponseObject, error) {
	q := req.Params
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	f := models.ProblemFilter{UnitPath: authz.SubtreeOf(&v.caller, v.rule), ReleasedEverywhere: v.rule.ReleasedToAllUsers,
		ReleasedOnly: models.ProblemLifecycle.ReleasedOnly(&v.caller)}
	if q.UnitId != nil {
		f.UnitID = q.UnitId.String()
	}
	if q.Year != nil {
		f.Year = int(*q.Year)
	}
	if q.Source != nil {
		f.Source = models.ProblemSource(*q.Source)
	}
	if q.Status != nil {
		f.Status = models.ProblemStatus(*q.Status)
	}
	if q.TaskId != nil {
		f.TaskID = q.TaskId.String()
	}
	if q.IndicatorId != nil {
		f.IndicatorID = q.IndicatorId.String()
	}
	page, digest, err := pageRequest(q.Limit, q.Cursor, "-createdAt", fmt.Sprint(f))
	if err != nil {
		return nil, err
	}
	problems, next, err := h.store.ListProblems(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.problemsOut(ctx, pointers(problems))
	if err != nil {
		return nil, err
	}
	return api.ListProblems200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreateProblem implements createProblem.
func (h *ProblemHandler) CreateProblem(ctx context.Context, req api.CreateProblemRequestObject) (api.CreateProblemResponseObject, error) {
	b := req.Body
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	unitID := b.UnitId.String()
	if err := v.reachNewRecordsUnit(unitID); err != nil {
		return nil, err
	}
	p := models.NewProblem("", unitID, int(b.Year), models.ProblemSource(b.Source), b.Title, models.ActorOf(v.caller))
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&p.Detail, b.Detail}, {&p.Category, b.Category}, {&p.Measures, b.Measures}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if b.RectificationTaskId != nil {
		p.RectificationTaskID = ptr(b.RectificationTaskId.String())
	}
	if b.IndicatorIds != nil {
		p.IndicatorIDs = strsOf(b.IndicatorIds)
	}
	if b.TaskIds != nil {
		p.TaskIDs = strsOf(b.TaskIds)
	}
	if err := h.store.CreateProblem(ctx, p); err != nil {
		return nil, err
	}
	out, err := h.problemOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.CreateProblem201JSONResponse{Body: out, Headers: api.CreateProblem201ResponseHeaders{
		Location: ptr(basePath + "/problems/" + p.ID), ETag: ptr(etag(p.Version))}}, nil
}

// GetProblem implements getProblem.
func (h *ProblemHandler) GetProblem(ctx context.Context, req api.GetProblemRequestObject) (api.GetProblemResponseObject, error) {
	p, _, err := h.problem(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	out, err := h.problemOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.GetProblem200JSONResponse{Body: out, Headers: api.GetProblem200ResponseHeaders{ETag: ptr(etag(p.Version))}}, nil
}

// UpdateProblem implements updateProblem.
func (h *ProblemHandler) UpdateProblem(ctx context.Context, req api.UpdateProblemRequestObject) (api.UpdateProblemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.problem(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	b := req.Body
	patch := models.ProblemPatch{Title: b.Title, Detail: b.Detail, Category: b.Category, Measures: b.Measures}
	if b.Source != nil {
		patch.Source = ptr(models.ProblemSource(*b.Source))
	}
	if b.RectificationTaskId.IsSpecified() {
		if b.RectificationTaskId.IsNull() {
			patch.ClearRectificationTaskID = true
		} else {
			patch.RectificationTaskID = ptr(b.RectificationTaskId.MustGet().String())
		}
	}
	for _, l := range []struct {
		dst **[]string
		ids *[]openapi_types.UUID
	}{{&patch.IndicatorIDs, b.IndicatorIds}, {&patch.TaskIDs, b.TaskIds}} {
		if l.ids != nil {
			*l.dst = ptr(strsOf(l.ids))
		}
	}
	p, err := h.store.ChangeProblem(ctx, req.Id.String(), &version, func(p *models.Problem, _ time.Time, _ int) error { return p.Apply(patch) })
	if err != nil {
		return nil, err
	}
	out, err := h.problemOut(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateProblem200JSONResponse{Body: out, Headers: api.UpdateProblem200ResponseHeaders{ETag: ptr(etag(p.Version))}}, nil
}

// DeleteProblem implements deleteProblem.
func (h *ProblemHandler) DeleteProblem(ctx context.Context, req api.DeleteProblemRequestObject) (api.DeleteProblemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.problem(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if err := h.store.DeleteProblem(ctx, req.Id.String(), &version); err != nil {
		return nil, err
	}
	return api.DeleteProblem204Response{}, nil
}

// move changes a problem with one of its methods, as a caller who reaches
// its unit.
func (h *ProblemHandler) move(ctx context.Context, id string, apply func(p *models.Problem, by models.Actor, at time.Time, evidence int) error) (api.ProblemRecord, error) {
	_, v, err := h.problem(ctx, id, true)
	if err != nil {
		return api.ProblemRecord{}, err
	}
	by := models.ActorOf(v.caller)
	p, err := h.store.ChangeProblem(ctx, id, nil, func(p *models.Problem, at time.Time, evidence int) error { return apply(p, by, at, evidence) })
	if err != nil {
		return api.ProblemRecord{}, err
	}
	return h.problemOut(ctx, p)
}

// RectifyProblem implements rectifyProblem.
func (h *ProblemHandler) RectifyProblem(ctx context.Context, req api.RectifyProblemRequestObject) (api.RectifyProblemResponseObject, error) {
	var measures, taskID *string
	if b := req.Body; b != nil {
		measures = b.Measures
		if b.RectificationTaskId != nil {
			taskID = ptr(b.RectificationTaskId.String())
		}
	}
	out, err := h.move(ctx, req.Id.String(), func(p *models.Problem, _ models.Actor, at time.Time, _ int) error {
		return p.Rectify(at, measures, taskID)
	})
	if err != nil {
		return nil, err
	}
	return api.RectifyProblem200JSONResponse(out), nil
}

// SignOffProblem implements signOffProblem.
func (h *ProblemHandler) SignOffProblem(ctx context.Context, req api.SignOffProblemRequestObject) (api.SignOffProblemResponseObject, error) {
	var note *string
	if req.Body != nil {
		note = req.Body.Note
	}
	out, err := h.move(ctx, req.Id.String(), func(p *models.Problem, by models.Actor, at time.Time, evidence int) error {
		return p.SignOff(by, at, evidence, note)
	})
	if err != nil {
		return nil, err
	}
	return api.SignOffProblem200JSONResponse(out), nil
}

// UploadProblemEvidence implements uploadProblemEvidence.
func (h *ProblemHandler) UploadProblemEvidence(ctx context.Context, req api.UploadProblemEvidenceRequestObject) (api.UploadProblemEvidenceResponseObject, error) {
	p, v, err := h.problem(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	// Refused before a byte is stored; checked again with the problem locked.
	if _, err := models.ProblemLifecycle.Check(models.MoveEdit, p.ID, p.Status); err != nil {
		return nil, err
	}
	e, err := h.files.receiveEvidence(ctx, h.store, models.ActorOf(v.caller), models.EvidenceOfProblem, p.ID, req.Body)
	if err != nil {
		return nil, err
	}
	return api.UploadProblemEvidence201JSONResponse{Body: *e,
		Headers: api.UploadProblemEvidence201ResponseHeaders{Location: ptr(planEvidencePath(e.Id.String()))}}, nil
}
