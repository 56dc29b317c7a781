package server

// Self-inspection and supervision rounds (自查, 督察): an office assigns a
// published list to units, each unit answers every item with evidence and
// submits, the office accepts or returns. A sheet belongs to its unit, as a
// reported value does; the assigning office sees every sheet of its rounds.
// The lifecycle of sheets is models.InspectionLifecycle.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// InspectionStore is what the round operations need from the database.
type InspectionStore interface {
	CreateInspectionRound(ctx context.Context, r *models.InspectionRound, unitIDs []string, sheetIDs ...string) ([]models.InspectionSheet, error)
	GetInspectionRound(ctx context.Context, id string) (*models.InspectionRound, []models.InspectionSheet, error)
	ListInspectionRounds(ctx context.Context, f models.InspectionRoundFilter, page paging.Page) ([]models.InspectionRound, *paging.Cursor, error)
	RoundsSheets(ctx context.Context, roundIDs []string) (map[string][]models.InspectionSheet, error)
	GetInspectionSheet(ctx context.Context, id string) (*models.InspectionSheet, *models.InspectionRound, []models.InspectionAnswer, error)
	AnswerInspectionItem(ctx context.Context, sheetID string, a *models.InspectionAnswer, ifVersion *int64) (bool, error)
	SubmitInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error)
	ReturnInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor, reason string) (*models.InspectionSheet, error)
	AcceptInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error)
	InspectionTallies(ctx context.Context, r *models.InspectionRound, sheetIDs []string) (map[string]*models.InspectionTally, map[string]*models.InspectionTally, []models.ChecklistItem, error)
	GetInspectionAnswer(ctx context.Context, id string) (*models.InspectionAnswer, *models.InspectionSheet, error)
	CreateInspectionEvidence(ctx context.Context, e *models.InspectionEvidence) error
	GetInspectionEvidence(ctx context.Context, id string) (*models.InspectionEvidence, error)
	SheetEvidence(ctx context.Context, sheetID string) ([]models.InspectionEvidence, error)
	SheetsDetails(ctx context.Context, sheets []*models.InspectionSheet) (*models.SheetDetails, error)
	AllUnits(ctx context.Context) ([]models.Unit, error)
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	Today() string
	ActorStore
}

// InspectionHandler serves the inspections tag.
type InspectionHandler struct {
	store InspectionStore
	rules *rules
	files *attachments
}

func roundNotFound(id string) error { return &models.NotFoundError{Entity: "inspection round", ID: id} }
func sheetNotFound(id string) error { return &models.NotFoundError{Entity: "inspection sheet", ID: id} }

// view is what the caller sees: the paths of the units, the rule of the
// operation, and the day it is in China.
type view struct {
	caller models.Caller
	rule   authz.Rule
	paths  map[string]string
	today  string
}

// viewStore is what a view is read from.
type viewStore interface {
	AllUnits(ctx context.Context) ([]models.Unit, error)
	Today() string
}

// newView reads what the caller of the request sees.
func newView(ctx context.Context, s viewStore, r *rules) (*view, error) {
	units, err := s.AllUnits(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{caller: models.RequestInfoFrom(ctx).Caller, rule: r.rule(ctx), paths: make(map[string]string, len(units)),
		today: s.Today()}
	for _, u := range units {
		v.paths[u.ID] = u.Path
	}
	return v, nil
}

func (h *InspectionHandler) view(ctx context.Context) (*view, error) {
	return newView(ctx, h.store, h.rules)
}

// seesSheet: a key sees accepted sheets; a user the sheets of its subtree's
// units and every sheet of a round its subtree assigned.
func (v *view) seesSheet(r *models.InspectionRound, s *models.InspectionSheet) bool {
	if !models.InspectionLifecycle.Visible(&v.caller, s.Status) {
		return false
	}
	return authz.Sees(&v.caller, v.rule, v.paths[s.UnitID]) || authz.Sees(&v.caller, v.rule, v.paths[r.AssigningUnitID])
}

// visibleSheets are the sheets of a round the caller sees.
func (v *view) visibleSheets(r *models.InspectionRound, sheets []models.InspectionSheet) []models.InspectionSheet {
	var out []models.InspectionSheet
	for i := range sheets {
		if v.seesSheet(r, &sheets[i]) {
			out = append(out, sheets[i])
		}
	}
	return out
}

// round loads a round the caller sees (a 404 otherwise) with the sheets it
// sees.
func (h *InspectionHandler) round(ctx context.Context, id string) (*models.InspectionRound, []models.InspectionSheet, *view, error) {
	r, sheets, err := h.store.GetInspectionRound(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := h.view(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	visible := v.visibleSheets(r, sheets)
	assigner := v.caller.Kind == models.CallerUser && authz.Sees(&v.caller, v.rule, v.paths[r.AssigningUnitID])
	if len(visible) == 0 && !assigner {
		return nil, nil, nil, roundNotFound(id)
	}
	return r, visible, v, nil
}

// sheet loads a sheet the caller sees, with its round and answers; for an
// operation that changes it, the caller must reach the sheet's unit (a 403
// when it sees the sheet but its role acts on its own unit only).
func (h *InspectionHandler) sheet(ctx context.Context, id string, change bool) (*models.InspectionSheet, *models.InspectionRound, []models.InspectionAnswer, *view, error) {
	s, r, answers, err := h.store.GetInspectionSheet(ctx, id)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	v, err := h.view(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if !v.seesSheet(r, s) {
		return nil, nil, nil, nil, sheetNotFound(id)
	}
	if change {
		if err := authz.Reach(&v.caller, v.rule, s.UnitID, v.paths[s.UnitID]); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return nil, nil, nil, nil, sheetNotFound(id)
			}
			return nil, nil, nil, nil, err
		}
	}
	return s, r, answers, v, nil
}

// ListInspectionRounds implements listInspectionRounds.
func (h *InspectionHandler) ListInspectionRounds(ctx context.Context, req api.ListInspectionRoundsRequestObject) (api.ListInspectionRoundsResponseObject, error) {
	p := req.Params
	v, err := h.view(ctx)
	if err != nil {
		return nil, err
	}
	f := models.InspectionRoundFilter{UnitPath: authz.SubtreeOf(&v.caller, v.rule), ReleasedOnly: models.InspectionLifecycle.ReleasedOnly(&v.caller),
		Overdue: p.Overdue != nil && *p.Overdue, Today: v.today}
	if p.ChecklistId != nil {
		f.ChecklistID = p.ChecklistId.String()
	}
	sort := "-createdAt"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, fmt.Sprint(f.ChecklistID, "|", f.UnitPath, "|", f.ReleasedOnly, "|", f.Overdue))
	if err != nil {
		return nil, err
	}
	rounds, next, err := h.store.ListInspectionRounds(ctx, f, page)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rounds))
	for i := range rounds {
		ids[i] = rounds[i].ID
	}
	sheets, err := h.store.RoundsSheets(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := api.ListInspectionRounds200JSONResponse{Items: make([]api.InspectionRound, len(rounds)), NextCursor: encodeNext(next, digest)}
	for i := range rounds {
		out.Items[i] = roundOut(&rounds[i], v.visibleSheets(&rounds[i], sheets[rounds[i].ID]), v.today)
	}
	return out, nil
}

// CreateInspectionRound implements createInspectionRound: the caller's unit
// assigns the round.
func (h *InspectionHandler) CreateInspectionRound(ctx context.Context, req api.CreateInspectionRoundRequestObject) (api.CreateInspectionRoundResponseObject, error) {
	b := req.Body
	caller := models.RequestInfoFrom(ctx).Caller
	r := &models.InspectionRound{ChecklistID: b.ChecklistId.String(), Title: b.Title, AssigningUnitID: caller.UnitID,
		Deadline: b.Deadline.String(), CreatedBy: string(models.ActorOf(caller))}
	unitIDs := make([]string, len(b.UnitIds))
	for i, id := range b.UnitIds {
		unitIDs[i] = id.String()
	}
	sheets, err := h.store.CreateInspectionRound(ctx, r, unitIDs)
	if err != nil {
		return nil, err
	}
	today := h.store.Today()
	return api.CreateInspectionRound201JSONResponse{Body: roundOut(r, sheets, today),
		Headers: api.CreateInspectionRound201ResponseHeaders{Location: ptr(basePath + "/inspection-rounds/" + r.ID)}}, nil
}

// GetInspectionRound implements getInspectionRound.
func (h *InspectionHandler) GetInspectionRound(ctx context.Context, req api.GetInspectionRoundRequestObject) (api.GetInspectionRoundResponseObject, error) {
	r, sheets, v, err := h.round(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.GetInspectionRound200JSONResponse(roundOut(r, sheets, v.today)), nil
}

// GetInspectionRoundStatistics implements getInspectionRoundStatistics.
func (h *InspectionHandler) GetInspectionRoundStatistics(ctx context.Context, req api.GetInspectionRoundStatisticsRequestObject) (api.GetInspectionRoundStatisticsResponseObject, error) {
	r, sheets, _, err := h.round(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sheets))
	for i := range sheets {
		ids[i] = sheets[i].ID
	}
	bySheet, byItem, items, err := h.store.InspectionTallies(ctx, r, ids)
	if err != nil {
		return nil, err
	}
	out := api.GetInspectionRoundStatistics200JSONResponse{RoundId: uuidOf(r.ID), ByUnit: make([]api.InspectionUnitRates, len(sheets)),
		ByItem: make([]api.InspectionItemRates, len(items))}
	for i, s := range sheets {
		t := bySheet[s.ID]
		out.ByUnit[i] = api.InspectionUnitRates{UnitId: uuidOf(s.UnitID), SheetId: uuidOf(s.ID), Status: api.InspectionStatus(s.Status),
			Items: int32(t.Items), Answered: int32(t.Answered), Complies: int32(t.Complies), DoesNotComply: int32(t.DoesNotComply),
			NotApplicable: int32(t.NotApplicable), CompletionRate: t.CompletionRate(), ComplianceRate: t.ComplianceRate()}
	}
	for i, it := range items {
		t := byItem[it.ID]
		out.ByItem[i] = api.InspectionItemRates{ItemId: uuidOf(it.ID), Sequence: int32(it.Sequence), Name: it.Name,
			Items: int32(t.Items), Answered: int32(t.Answered), Complies: int32(t.Complies), DoesNotComply: int32(t.DoesNotComply),
			NotApplicable: int32(t.NotApplicable), CompletionRate: t.CompletionRate(), ComplianceRate: t.ComplianceRate()}
	}
	return out, nil
}

// GetInspectionSheet implements getInspectionSheet.
func (h *InspectionHandler) GetInspectionSheet(ctx context.Context, req api.GetInspectionSheetRequestObject) (api.GetInspectionSheetResponseObject, error) {
	s, r, answers, v, err := h.sheet(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	out, err := h.sheetOut(ctx, s, r, answers, v.today)
	if err != nil {
		return nil, err
	}
	return api.GetInspectionSheet200JSONResponse{Body: out, Headers: api.GetInspectionSheet200ResponseHeaders{ETag: ptr(etag(s.Version))}}, nil
}

// AnswerInspectionItem implements answerInspectionItem.
func (h *InspectionHandler) AnswerInspectionItem(ctx context.Context, req api.AnswerInspectionItemRequestObject) (api.AnswerInspectionItemResponseObject, error) {
	if _, _, _, _, err := h.sheet(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	var ifVersion *int64
	if req.Params.IfMatch != nil {
		v, err := ifMatch(req.Params.IfMatch)
		if err != nil {
			return nil, err
		}
		ifVersion = &v
	}
	caller := models.RequestInfoFrom(ctx).Caller
	a := &models.InspectionAnswer{ItemID: req.ItemId.String(), Result: models.InspectionResult(req.Body.Result), AnsweredBy: string(models.ActorOf(caller))}
	if req.Body.Comment != nil {
		a.Comment = *req.Body.Comment
	}
	created, err := h.store.AnswerInspectionItem(ctx, req.Id.String(), a, ifVersion)
	if err != nil {
		return nil, err
	}
	out := answerOut(a, nil, nil)
	if created {
		return api.AnswerInspectionItem201JSONResponse{Body: out, Headers: api.AnswerInspectionItem201ResponseHeaders{ETag: ptr(etag(a.Version))}}, nil
	}
	evidence, err := h.store.SheetEvidence(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	names, err := nameActors(ctx, h.store, evidenceActors(evidence))
	if err != nil {
		return nil, err
	}
	out = answerOut(a, evidence, names)
	return api.AnswerInspectionItem200JSONResponse{Body: out, Headers: api.AnswerInspectionItem200ResponseHeaders{ETag: ptr(etag(a.Version))}}, nil
}

// SubmitInspectionSheet implements submitInspectionSheet.
func (h *InspectionHandler) SubmitInspectionSheet(ctx context.Context, req api.SubmitInspectionSheetRequestObject) (api.SubmitInspectionSheetResponseObject, error) {
	if _, _, _, _, err := h.sheet(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if _, err := h.store.SubmitInspectionSheet(ctx, req.Id.String(), nil, models.ActorOf(models.RequestInfoFrom(ctx).Caller)); err != nil {
		return nil, err
	}
	out, err := h.reread(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.SubmitInspectionSheet200JSONResponse(out), nil
}

// ReturnInspectionSheet implements returnInspectionSheet.
func (h *InspectionHandler) ReturnInspectionSheet(ctx context.Context, req api.ReturnInspectionSheetRequestObject) (api.ReturnInspectionSheetResponseObject, error) {
	if _, _, _, _, err := h.sheet(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if _, err := h.store.ReturnInspectionSheet(ctx, req.Id.String(), nil, models.ActorOf(models.RequestInfoFrom(ctx).Caller), req.Body.Reason); err != nil {
		return nil, err
	}
	out, err := h.reread(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.ReturnInspectionSheet200JSONResponse(out), nil
}

// AcceptInspectionSheet implements acceptInspectionSheet.
func (h *InspectionHandler) AcceptInspectionSheet(ctx context.Context, req api.AcceptInspectionSheetRequestObject) (api.AcceptInspectionSheetResponseObject, error) {
	if _, _, _, _, err := h.sheet(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if _, err := h.store.AcceptInspectionSheet(ctx, req.Id.String(), nil, models.ActorOf(models.RequestInfoFrom(ctx).Caller)); err != nil {
		return nil, err
	}
	out, err := h.reread(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.AcceptInspectionSheet200JSONResponse(out), nil
}

// reread is a sheet as it is after a move, with its answers.
func (h *InspectionHandler) reread(ctx context.Context, id string) (api.InspectionSheet, error) {
	s, r, answers, err := h.store.GetInspectionSheet(ctx, id)
	if err != nil {
		return api.InspectionSheet{}, err
	}
	return h.sheetOut(ctx, s, r, answers, h.store.Today())
}

// UploadInspectionEvidence implements uploadInspectionEvidence, as
// uploadValueAttachment keeps files.
func (h *InspectionHandler) UploadInspectionEvidence(ctx context.Context, req api.UploadInspectionEvidenceRequestObject) (api.UploadInspectionEvidenceResponseObject, error) {
	answer, s, err := h.store.GetInspectionAnswer(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if _, _, _, _, err := h.sheet(ctx, s.ID, true); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.NotFoundError{Entity: "inspection answer", ID: answer.ID}
		}
		return nil, err
	}
	if err := s.Answerable(); err != nil { // refused before a byte is stored; checked again with the sheet locked
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	a := &models.Attachment{ID: id, BlobKey: id}
	if err := h.files.receive(ctx, req.Body, a); err != nil {
		return nil, err
	}
	e := &models.InspectionEvidence{ID: id, AnswerID: answer.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
		SHA256: a.SHA256, BlobKey: a.BlobKey, CreatedBy: string(models.ActorOf(models.RequestInfoFrom(ctx).Caller))}
	if err := h.store.CreateInspectionEvidence(ctx, e); err != nil {
		h.files.discard(ctx, a.BlobKey)
		return nil, err
	}
	names, err := nameActors(ctx, h.store, []models.Actor{models.Actor(e.CreatedBy)})
	if err != nil {
		return nil, err
	}
	return api.UploadInspectionEvidence201JSONResponse{Body: evidenceOut(e, names),
		Headers: api.UploadInspectionEvidence201ResponseHeaders{Location: ptr(evidencePath(e.ID))}}, nil
}

func evidencePath(id string) string { return basePath + "/inspection-evidence/" + id + "/content" }

// DownloadInspectionEvidence implements downloadInspectionEvidence.
func (h *InspectionHandler) DownloadInspectionEvidence(ctx context.Context, req api.DownloadInspectionEvidenceRequestObject) (api.DownloadInspectionEvidenceResponseObject, error) {
	id := req.Id.String()
	e, err := h.store.GetInspectionEvidence(ctx, id)
	if err != nil {
		return nil, err
	}
	_, s, err := h.store.GetInspectionAnswer(ctx, e.AnswerID)
	if err != nil {
		return nil, err
	}
	if _, _, _, _, err := h.sheet(ctx, s.ID, false); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, &models.NotFoundError{Entity: "inspection evidence", ID: id} // nothing about the sheet
		}
		return nil, err
	}
	r, err := h.files.blobs.Open(ctx, e.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("inspection evidence %s: %w", e.ID, err) // a 500: the row names a blob
	}
	headers := api.DownloadInspectionEvidence200ResponseHeaders{ContentDisposition: ptr(contentDisposition(e.Filename)), Digest: digestOf(e.SHA256)}
	return api.DownloadInspectionEvidence200ApplicationoctetStreamResponse{Body: r, ContentLength: e.Size, Headers: headers}, nil
}

func roundOut(r *models.InspectionRound, sheets []models.InspectionSheet, today string) api.InspectionRound {
	out := api.InspectionRound{Id: uuidOf(r.ID), ChecklistId: uuidOf(r.ChecklistID), Title: r.Title, AssigningUnitId: uuidOf(r.AssigningUnitID),
		Deadline: dateOf(r.Deadline), SampleData: r.SampleData, Sheets: make([]api.InspectionSheetSummary, len(sheets)),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for i := range sheets {
		s := &sheets[i]
		overdue := s.Overdue(r.Deadline, today)
		out.Overdue = out.Overdue || overdue
		out.Sheets[i] = api.InspectionSheetSummary{Id: uuidOf(s.ID), UnitId: uuidOf(s.UnitID), Status: api.InspectionStatus(s.Status), Overdue: overdue}
	}
	return out
}

// roundsOut converts rounds with the sheets the caller sees, as their GET
// does.
func (h *InspectionHandler) roundsOut(ctx context.Context, rounds []*models.InspectionRound) ([]api.InspectionRound, error) {
	v, err := h.view(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	sheets, err := h.store.RoundsSheets(ctx, ids)
	if err != nil {
		return nil, err
	}
	return each(rounds, func(r *models.InspectionRound) api.InspectionRound {
		return roundOut(r, v.visibleSheets(r, sheets[r.ID]), v.today)
	}), nil
}

// sheetsOut converts sheets with their answers, as their GET does.
func (h *InspectionHandler) sheetsOut(ctx context.Context, sheets []*models.InspectionSheet) ([]api.InspectionSheet, error) {
	d, err := h.store.SheetsDetails(ctx, sheets)
	if err != nil {
		return nil, err
	}
	var actors []models.Actor
	for _, s := range sheets {
		actors = append(actors, sheetActors(s, d.Evidence[s.ID])...)
	}
	names, err := nameActors(ctx, h.store, actors)
	if err != nil {
		return nil, err
	}
	today := h.store.Today()
	out := make([]api.InspectionSheet, len(sheets))
	for i, s := range sheets {
		out[i] = sheetBody(s, d.Rounds[s.RoundID], d.Answers[s.ID], d.Evidence[s.ID], names, today)
	}
	return out, nil
}

func (h *InspectionHandler) sheetOut(ctx context.Context, s *models.InspectionSheet, r *models.InspectionRound, answers []models.InspectionAnswer, today string) (api.InspectionSheet, error) {
	evidence, err := h.store.SheetEvidence(ctx, s.ID)
	if err != nil {
		return api.InspectionSheet{}, err
	}
	names, err := nameActors(ctx, h.store, sheetActors(s, evidence))
	if err != nil {
		return api.InspectionSheet{}, err
	}
	return sheetBody(s, r, answers, evidence, names, today), nil
}

// sheetActors are the actors a sheet names: who submitted and reviewed it,
// and who added each piece of evidence.
func sheetActors(s *models.InspectionSheet, evidence []models.InspectionEvidence) []models.Actor {
	actors := evidenceActors(evidence)
	for _, ref := range []*string{s.SubmittedBy, s.ReviewedBy} {
		if ref != nil {
			actors = append(actors, models.Actor(*ref))
		}
	}
	return actors
}

// sheetBody is a sheet with its answers and their evidence.
func sheetBody(s *models.InspectionSheet, r *models.InspectionRound, answers []models.InspectionAnswer, evidence []models.InspectionEvidence,
	names actorNames, today string) api.InspectionSheet {
	out := api.InspectionSheet{Id: uuidOf(s.ID), RoundId: uuidOf(s.RoundID), UnitId: uuidOf(s.UnitID), Status: api.InspectionStatus(s.Status),
		Overdue: s.Overdue(r.Deadline, today), SubmittedBy: names.ref(s.SubmittedBy), SubmittedAt: utcOrNil(s.SubmittedAt),
		ReviewedBy: names.ref(s.ReviewedBy), ReviewedAt: utcOrNil(s.ReviewedAt), ReturnReason: s.ReturnReason,
		Answers: make([]api.InspectionAnswer, len(answers)), Version: s.Version, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
	for i := range answers {
		out.Answers[i] = answerOut(&answers[i], evidence, names)
	}
	return out
}

func evidenceActors(evidence []models.InspectionEvidence) []models.Actor {
	actors := make([]models.Actor, len(evidence))
	for i := range evidence {
		actors[i] = models.Actor(evidence[i].CreatedBy)
	}
	return actors
}

// answerOut is an answer with its evidence, of all a sheet's.
func answerOut(a *models.InspectionAnswer, evidence []models.InspectionEvidence, names actorNames) api.InspectionAnswer {
	out := api.InspectionAnswer{Id: uuidOf(a.ID), ItemId: uuidOf(a.ItemID), Result: api.InspectionResult(a.Result),
		Evidence: []api.InspectionEvidence{}, Version: a.Version, UpdatedAt: a.UpdatedAt.UTC()}
	if a.Comment != "" {
		out.Comment = &a.Comment
	}
	for i := range evidence {
		if evidence[i].AnswerID == a.ID {
			out.Evidence = append(out.Evidence, evidenceOut(&evidence[i], names))
		}
	}
	return out
}

func evidenceOut(e *models.InspectionEvidence, names actorNames) api.InspectionEvidence {
	return api.InspectionEvidence{Id: uuidOf(e.ID), AnswerId: uuidOf(e.AnswerID), Filename: e.Filename, ContentType: e.ContentType,
		Size: e.Size, Sha256: e.SHA256, CreatedBy: names.actor(models.Actor(e.CreatedBy)), CreatedAt: e.CreatedAt.UTC()}
}

func dateOf(s string) openapi_types.Date {
	d, _ := time.Parse(time.DateOnly, s) // stored dates are valid
	return openapi_types.Date{Time: d}
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
