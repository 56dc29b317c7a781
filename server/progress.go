package server

// Progress reports on plan tasks and the evidence of reports and problems.
// A report is its unit's: the unit (or a unit above it) writes, submits and
// attaches evidence; the city office (admin, cityReviewer) accepts or
// returns it. Users see the reports of their subtree's units and those on
// their subtree's plans, and accepted reports city-wide; API keys accepted
// reports only. The lifecycle is models.ProgressLifecycle.

import (
	"context"
	"fmt"
	"mime/multipart"
	"time"

	"github.com/google/uuid"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// ProgressStore is what the progress and evidence operations need from the
// database.
type ProgressStore interface {
	GetPlanTask(ctx context.Context, id string) (*models.PlanTask, *models.Plan, error)
	CreateProgressReport(ctx context.Context, r *models.ProgressReport) error
	GetProgressReport(ctx context.Context, id string) (*models.ProgressReport, *models.PlanTask, *models.Plan, error)
	ListProgressReports(ctx context.Context, f models.ProgressFilter, page paging.Page) ([]models.ProgressReport, *paging.Cursor, error)
	UpdateProgressReport(ctx context.Context, id string, ifVersion *int64, patch models.ProgressPatch) (*models.ProgressReport, error)
	DeleteProgressReport(ctx context.Context, id string, ifVersion *int64) error
	SubmitProgressReport(ctx context.Context, id string, by models.Actor) (*models.ProgressReport, error)
	ReviewProgressReport(ctx context.Context, id string, apply func(r *models.ProgressReport, at time.Time) error) (*models.ProgressReport, error)
	GetProblem(ctx context.Context, id string) (*models.Problem, error)
	CreateEvidence(ctx context.Context, e *models.Evidence) error
	GetEvidence(ctx context.Context, id string) (*models.Evidence, error)
	EvidenceOf(ctx context.Context, recordType string, ids []string) (map[string][]models.Evidence, error)
	viewStore
	ActorStore
}

// ProgressHandler serves the progress tag and the download of evidence.
type ProgressHandler struct {
	store ProgressStore
	rules *rules
	files *attachments
}

func progressNotFound(id string) error {
	return &models.NotFoundError{Entity: "progress report", ID: id}
}

// seesReport: a key sees accepted reports; a user the reports of its
// subtree's units and those on tasks of its subtree's plans, and accepted
// reports of every unit, whatever the operation's rule (as released plans
// are): a change of one outside the subtree is a 403, not a 404.
func (v *view) seesReport(r *models.ProgressReport, p *models.Plan) bool {
	if !models.ProgressLifecycle.Visible(&v.caller, r.Status) || !models.PlanLifecycle.Visible(&v.caller, p.Status) {
		return false
	}
	return models.ProgressLifecycle.IsReleased(r.Status) || authz.Sees(&v.caller, v.rule, v.paths[r.UnitID]) ||
		authz.Sees(&v.caller, v.rule, v.paths[p.UnitID])
}

// report loads a report the caller sees (a 404 otherwise); to change it,
// the caller must reach its unit.
func (h *ProgressHandler) report(ctx context.Context, id string, change bool) (*models.ProgressReport, *view, error) {
	r, _, p, err := h.store.GetProgressReport(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, nil, err
	}
	if !v.seesReport(r, p) {
		return nil, nil, progressNotFound(id)
	}
	if change {
		if err := v.reachUnit(r.UnitID); err != nil {
			return nil, nil, err
		}
	}
	return r, v, nil
}

// reportsOut converts reports with their evidence and actors' names.
func (h *ProgressHandler) reportsOut(ctx context.Context, reports []*models.ProgressReport) ([]api.ProgressReport, error) {
	ids := make([]string, len(reports))
	for i, r := range reports {
		ids[i] = r.ID
	}
	evidence, err := h.store.EvidenceOf(ctx, models.EvidenceOfProgress, ids)
	if err != nil {
		return nil, err
	}
	return named(ctx, h.store, reports, func(r *models.ProgressReport) []models.Actor {
		return append(actorsOf(&r.CreatedBy, r.SubmittedBy, r.ReviewedBy), evidenceBy(evidence[r.ID])...)
	}, func(r *models.ProgressReport, names actorNames) api.ProgressReport {
		return api.ProgressReport{Id: uuidOf(r.ID), TaskId: uuidOf(r.TaskID), PlanId: uuidOf(r.PlanID), UnitId: uuidOf(r.UnitID),
			Period: r.Period, Content: r.Content, Percent: int32(r.Percent), Problems: r.Problems, NextSteps: r.NextSteps,
			Status: api.ProgressStatus(r.Status), Evidence: evidenceListOut(evidence[r.ID], names),
			SubmittedBy: names.ref(r.SubmittedBy), SubmittedAt: utcOrNil(r.SubmittedAt), ReviewedBy: names.ref(r.ReviewedBy),
			ReviewedAt: utcOrNil(r.ReviewedAt), ReturnReason: r.ReturnReason, CreatedBy: names.actor(models.Actor(r.CreatedBy)),
			Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	})
}

func (h *ProgressHandler) reportOut(ctx context.Context, r *models.ProgressReport) (api.ProgressReport, error) {
	out, err := h.reportsOut(ctx, []*models.ProgressReport{r})
	if err != nil {
		return api.ProgressReport{}, err
	}
	return out[0], nil
}

func evidenceBy(evidence []models.Evidence) []models.Actor {
	actors := make([]models.Actor, len(evidence))
	for i := range evidence {
		actors[i] = models.Actor(evidence[i].CreatedBy)
	}
	return actors
}

func evidenceListOut(evidence []models.Evidence, names actorNames) []api.Evidence {
	out := make([]api.Evidence, len(evidence))
	for i := range evidence {
		out[i] = planEvidenceOut(&evidence[i], names)
	}
	return out
}

func planEvidenceOut(e *models.Evidence, names actorNames) api.Evidence {
	return api.Evidence{Id: uuidOf(e.ID), Filename: e.Filename, ContentType: e.ContentType, Size: e.Size, Sha256: e.SHA256,
		CreatedBy: names.actor(models.Actor(e.CreatedBy)), CreatedAt: e.CreatedAt.UTC()}
}

// CreateProgressReport implements createProgressReport.
func (h *ProgressHandler) CreateProgressReport(ctx context.Context, req api.CreateProgressReportRequestObject) (api.CreateProgressReportResponseObject, error) {
	t, p, err := h.store.GetPlanTask(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	if !v.seesPlan(p) {
		return nil, taskNotFound(t.ID)
	}
	b := req.Body
	unitID := b.UnitId.String()
	if err := v.reachNewRecordsUnit(unitID); err != nil {
		return nil, err
	}
	r := models.NewProgressReport("", t.ID, unitID, b.Period, models.ActorOf(v.caller))
	r.Content, r.Percent = b.Content, int(b.Percent)
	if b.Problems != nil {
		r.Problems = *b.Problems
	}
	if b.NextSteps != nil {
		r.NextSteps = *b.NextSteps
	}
	if err := h.store.CreateProgressReport(ctx, r); err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.CreateProgressReport201JSONResponse{Body: out, Headers: api.CreateProgressReport201ResponseHeaders{
		Location: ptr(basePath + "/progress-reports/" + r.ID), ETag: ptr(etag(r.Version))}}, nil
}

// ListProgressReports implements listProgressReports.
func (h *ProgressHandler) ListProgressReports(ctx context.Context, req api.ListProgressReportsRequestObject) (api.ListProgressReportsResponseObject, error) {
	p := req.Params
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	f := models.ProgressFilter{UnitPath: authz.SubtreeOf(&v.caller, v.rule), ReleasedEverywhere: v.rule.ReleasedToAllUsers,
		ReleasedOnly: models.ProgressLifecycle.ReleasedOnly(&v.caller)}
	if p.TaskId != nil {
		f.TaskID = p.TaskId.String()
	}
	if p.PlanId != nil {
		f.PlanID = p.PlanId.String()
	}
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	if p.Status != nil {
		f.Status = models.ProgressStatus(*p.Status)
	}
	if p.Period != nil {
		f.Period = *p.Period
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "-createdAt", fmt.Sprint(f))
	if err != nil {
		return nil, err
	}
	reports, next, err := h.store.ListProgressReports(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.reportsOut(ctx, pointers(reports))
	if err != nil {
		return nil, err
	}
	return api.ListProgressReports200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// GetProgressReport implements getProgressReport.
func (h *ProgressHandler) GetProgressReport(ctx context.Context, req api.GetProgressReportRequestObject) (api.GetProgressReportResponseObject, error) {
	r, _, err := h.report(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.GetProgressReport200JSONResponse{Body: out, Headers: api.GetProgressReport200ResponseHeaders{ETag: ptr(etag(r.Version))}}, nil
}

// UpdateProgressReport implements updateProgressReport.
func (h *ProgressHandler) UpdateProgressReport(ctx context.Context, req api.UpdateProgressReportRequestObject) (api.UpdateProgressReportResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.report(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	b := req.Body
	patch := models.ProgressPatch{Content: b.Content, Problems: b.Problems, NextSteps: b.NextSteps}
	if b.Percent != nil {
		patch.Percent = ptr(int(*b.Percent))
	}
	r, err := h.store.UpdateProgressReport(ctx, req.Id.String(), &version, patch)
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.UpdateProgressReport200JSONResponse{Body: out, Headers: api.UpdateProgressReport200ResponseHeaders{ETag: ptr(etag(r.Version))}}, nil
}

// DeleteProgressReport implements deleteProgressReport.
func (h *ProgressHandler) DeleteProgressReport(ctx context.Context, req api.DeleteProgressReportRequestObject) (api.DeleteProgressReportResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.report(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if err := h.store.DeleteProgressReport(ctx, req.Id.String(), &version); err != nil {
		return nil, err
	}
	return api.DeleteProgressReport204Response{}, nil
}

// SubmitProgressReport implements submitProgressReport.
func (h *ProgressHandler) SubmitProgressReport(ctx context.Context, req api.SubmitProgressReportRequestObject) (api.SubmitProgressReportResponseObject, error) {
	_, v, err := h.report(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	r, err := h.store.SubmitProgressReport(ctx, req.Id.String(), models.ActorOf(v.caller))
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.SubmitProgressReport200JSONResponse(out), nil
}

// review accepts or returns a report with the report's method.
func (h *ProgressHandler) review(ctx context.Context, id string, apply func(r *models.ProgressReport, by models.Actor, at time.Time) error) (api.ProgressReport, error) {
	_, v, err := h.report(ctx, id, true)
	if err != nil {
		return api.ProgressReport{}, err
	}
	by := models.ActorOf(v.caller)
	r, err := h.store.ReviewProgressReport(ctx, id, func(r *models.ProgressReport, at time.Time) error { return apply(r, by, at) })
	if err != nil {
		return api.ProgressReport{}, err
	}
	return h.reportOut(ctx, r)
}

// AcceptProgressReport implements acceptProgressReport.
func (h *ProgressHandler) AcceptProgressReport(ctx context.Context, req api.AcceptProgressReportRequestObject) (api.AcceptProgressReportResponseObject, error) {
	out, err := h.review(ctx, req.Id.String(), (*models.ProgressReport).Accept)
	if err != nil {
		return nil, err
	}
	return api.AcceptProgressReport200JSONResponse(out), nil
}

// ReturnProgressReport implements returnProgressReport.
func (h *ProgressHandler) ReturnProgressReport(ctx context.Context, req api.ReturnProgressReportRequestObject) (api.ReturnProgressReportResponseObject, error) {
	out, err := h.review(ctx, req.Id.String(), func(r *models.ProgressReport, by models.Actor, at time.Time) error {
		return r.Return(by, at, req.Body.Reason)
	})
	if err != nil {
		return nil, err
	}
	return api.ReturnProgressReport200JSONResponse(out), nil
}

// UploadProgressEvidence implements uploadProgressEvidence.
func (h *ProgressHandler) UploadProgressEvidence(ctx context.Context, req api.UploadProgressEvidenceRequestObject) (api.UploadProgressEvidenceResponseObject, error) {
	r, v, err := h.report(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	// Refused before a byte is stored; checked again with the report locked.
	if _, err := models.ProgressLifecycle.Check(models.MoveEdit, r.ID, r.Status); err != nil {
		return nil, err
	}
	e, err := h.files.receiveEvidence(ctx, h.store, models.ActorOf(v.caller), models.EvidenceOfProgress, r.ID, req.Body)
	if err != nil {
		return nil, err
	}
	return api.UploadProgressEvidence201JSONResponse{Body: *e,
		Headers: api.UploadProgressEvidence201ResponseHeaders{Location: ptr(planEvidencePath(e.Id.String()))}}, nil
}

func planEvidencePath(id string) string { return basePath + "/evidence/" + id + "/content" }

// evidenceStore is what keeping a file of evidence needs.
type evidenceStore interface {
	CreateEvidence(ctx context.Context, e *models.Evidence) error
	ActorStore
}

// receiveEvidence stores an uploaded file as evidence of a record: the
// bytes first, then the row; the bytes go again if the row is refused.
func (f *attachments) receiveEvidence(ctx context.Context, s evidenceStore, by models.Actor, recordType, recordID string, body *multipart.Reader) (*api.Evidence, error) {
	id := uuid.Must(uuid.NewV7()).String()
	a := &models.Attachment{ID: id, BlobKey: id}
	if err := f.receive(ctx, body, a); err != nil {
		return nil, err
	}
	e := &models.Evidence{ID: id, RecordType: recordType, RecordID: recordID, Filename: a.Filename, ContentType: a.ContentType,
		Size: a.Size, SHA256: a.SHA256, BlobKey: a.BlobKey, CreatedBy: string(by)}
	if err := s.CreateEvidence(ctx, e); err != nil {
		f.discard(ctx, a.BlobKey)
		return nil, err
	}
	names, err := nameActors(ctx, s, []models.Actor{by})
	if err != nil {
		return nil, err
	}
	out := planEvidenceOut(e, names)
	return &out, nil
}

// DownloadEvidence implements downloadEvidence: the file, to whoever sees
// its report or problem.
func (h *ProgressHandler) DownloadEvidence(ctx context.Context, req api.DownloadEvidenceRequestObject) (api.DownloadEvidenceResponseObject, error) {
	id := req.Id.String()
	e, err := h.store.GetEvidence(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	seen := false
	switch e.RecordType {
	case models.EvidenceOfProgress:
		r, _, p, err := h.store.GetProgressReport(ctx, e.RecordID)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", id, err) // a 500: evidence of a report that is gone
		}
		seen = v.seesReport(r, p)
	case models.EvidenceOfProblem:
		p, err := h.store.GetProblem(ctx, e.RecordID)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", id, err)
		}
		seen = v.seesProblem(p)
	}
	if !seen {
		return nil, &models.NotFoundError{Entity: "evidence", ID: id} // nothing about the record
	}
	body, err := h.files.blobs.Open(ctx, e.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", e.ID, err) // a 500: the row names a blob
	}
	headers := api.DownloadEvidence200ResponseHeaders{ContentDisposition: ptr(contentDisposition(e.Filename)), Digest: digestOf(e.SHA256)}
	return api.DownloadEvidence200ApplicationoctetStreamResponse{Body: body, ContentLength: e.Size, Headers: headers}, nil
}
