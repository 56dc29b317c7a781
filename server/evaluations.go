package server

// Evaluations (考核评价): a draft is scored on every read from the approved
// values (package scoring does the arithmetic); publishing keeps what the
// API answered then, per unit, and locks the values it used, so that a
// published ranking never changes under anyone's feet.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/scoring"
)

// EvaluationStore is what the evaluation operations need from the database.
type EvaluationStore interface {
	CreateEvaluation(ctx context.Context, e *models.Evaluation) error
	GetEvaluation(ctx context.Context, id string) (*models.Evaluation, error)
	ListEvaluations(ctx context.Context, f models.EvaluationFilter, page paging.Page) ([]models.Evaluation, *paging.Cursor, error)
	DeleteEvaluation(ctx context.Context, id string, ifVersion int64) error
	PublishEvaluation(ctx context.Context, id string, ifVersion int64, by models.Actor, results []models.EvaluationResult, used map[string]int64) (*models.Evaluation, error)
	SupersedeEvaluation(ctx context.Context, id string) (*models.Evaluation, error)
	EvaluationInputs(ctx context.Context, e *models.Evaluation) (*models.EvaluationInputs, error)
	ListEvaluationResults(ctx context.Context, evaluationID string, page paging.Page) ([]models.EvaluationResult, *paging.Cursor, error)
	EvaluationResults(ctx context.Context, evaluationID string) ([]models.EvaluationResult, error)
	GetEvaluationResult(ctx context.Context, evaluationID, unitID string) (*models.EvaluationResult, error)
	IndicatorTree(ctx context.Context, systemID string) (*models.IndicatorSystem, []models.Indicator, error)
	UnitsByIDs(ctx context.Context, ids []string) ([]models.Unit, error)
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	ActorStore
}

// EvaluationHandler serves the evaluations tag.
type EvaluationHandler struct {
	store EvaluationStore
	rules *rules
}

func evaluationNotFound(id string) error { return &models.NotFoundError{Entity: "evaluation", ID: id} }

// evaluation reads an evaluation the caller may see: API keys see released
// ones only (EvaluationLifecycle.Visible).
func (h *EvaluationHandler) evaluation(ctx context.Context, id string) (*models.Evaluation, error) {
	e, err := h.store.GetEvaluation(ctx, id)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if !models.EvaluationLifecycle.Visible(&caller, e.Status) {
		return nil, evaluationNotFound(id)
	}
	return e, nil
}

// ListEvaluations implements listEvaluations.
func (h *EvaluationHandler) ListEvaluations(ctx context.Context, req api.ListEvaluationsRequestObject) (api.ListEvaluationsResponseObject, error) {
	p := req.Params
	caller := models.RequestInfoFrom(ctx).Caller
	f := models.EvaluationFilter{ReleasedOnly: models.EvaluationLifecycle.ReleasedOnly(&caller)}
	if p.SystemId != nil {
		f.SystemID = p.SystemId.String()
	}
	if p.Year != nil {
		f.Year = int(*p.Year)
	}
	if p.Status != nil {
		f.Status = models.EvaluationStatus(*p.Status)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "id", fmt.Sprint(f.SystemID, "|", f.Year, "|", f.Status, "|", f.ReleasedOnly))
	if err != nil {
		return nil, err
	}
	es, next, err := h.store.ListEvaluations(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.out(ctx, pointers(es)...)
	if err != nil {
		return nil, err
	}
	return api.ListEvaluations200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreateEvaluation implements createEvaluation.
func (h *EvaluationHandler) CreateEvaluation(ctx context.Context, req api.CreateEvaluationRequestObject) (api.CreateEvaluationResponseObject, error) {
	b := req.Body
	e := &models.Evaluation{SystemID: b.SystemId.String(), Year: int(b.Year)}
	if b.Name != nil {
		e.Name = *b.Name
	}
	if b.UnitIds != nil {
		e.UnitIDs = idsIn(*b.UnitIds)
	}
	if err := h.store.CreateEvaluation(ctx, e); err != nil {
		return nil, err
	}
	out, err := h.out(ctx, e)
	if err != nil {
		return nil, err
	}
	return api.CreateEvaluation201JSONResponse{Body: out[0], Headers: api.CreateEvaluation201ResponseHeaders{
		ETag: ptr(etag(e.Version)), Location: ptr(evaluationPath(e.ID))}}, nil
}

func evaluationPath(id string) string { return basePath + "/evaluations/" + id }

// GetEvaluation implements getEvaluation.
func (h *EvaluationHandler) GetEvaluation(ctx context.Context, req api.GetEvaluationRequestObject) (api.GetEvaluationResponseObject, error) {
	e, err := h.evaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	tag := etag(e.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetEvaluation304Response{Headers: api.GetEvaluation304ResponseHeaders{ETag: &tag}}, nil
	}
	out, err := h.out(ctx, e)
	if err != nil {
		return nil, err
	}
	return api.GetEvaluation200JSONResponse{Body: out[0], Headers: api.GetEvaluation200ResponseHeaders{ETag: &tag}}, nil
}

// DeleteEvaluation implements deleteEvaluation.
func (h *EvaluationHandler) DeleteEvaluation(ctx context.Context, req api.DeleteEvaluationRequestObject) (api.DeleteEvaluationResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteEvaluation(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteEvaluation204Response{}, nil
}

// SupersedeEvaluation implements supersedeEvaluation.
func (h *EvaluationHandler) SupersedeEvaluation(ctx context.Context, req api.SupersedeEvaluationRequestObject) (api.SupersedeEvaluationResponseObject, error) {
	e, err := h.store.SupersedeEvaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, e)
	if err != nil {
		return nil, err
	}
	return api.SupersedeEvaluation201JSONResponse{Body: out[0], Headers: api.SupersedeEvaluation201ResponseHeaders{
		ETag: ptr(etag(e.Version)), Location: ptr(evaluationPath(e.ID))}}, nil
}

// PublishEvaluation implements publishEvaluation: it scores the draft, keeps
// every unit's answer as it is now, and locks the values scored.
func (h *EvaluationHandler) PublishEvaluation(ctx context.Context, req api.PublishEvaluationRequestObject) (api.PublishEvaluationResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	e, err := h.store.GetEvaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	// Scoring is the costly part: an evaluation that can never be published
	// again is refused before it, whatever version is given. The store then
	// checks the version and the state with the evaluation locked, and
	// refuses when any value scored changed meanwhile.
	if _, err := models.EvaluationLifecycle.Check(models.MovePublish, e.ID, e.Status); err != nil {
		return nil, err
	}
	sc, err := h.score(ctx, e)
	if err != nil {
		return nil, err
	}
	results := make([]models.EvaluationResult, len(sc.result.Units))
	for i := range sc.result.Units {
		u := &sc.result.Units[i]
		card := sc.card(e, models.EvaluationPublished, u) // as it will be kept
		cardJSON, err := json.Marshal(card)
		if err != nil {
			return nil, err
		}
		areasJSON, err := json.Marshal(card.Areas)
		if err != nil {
			return nil, err
		}
		results[i] = models.EvaluationResult{UnitID: u.UnitID, Position: i + 1, Total: u.Total, Rank: u.Rank,
			Grade: nonEmpty(u.Grade), Areas: string(areasJSON), Card: string(cardJSON)}
	}
	caller := models.RequestInfoFrom(ctx).Caller
	published, err := h.store.PublishEvaluation(ctx, e.ID, version, models.ActorOf(caller), results, sc.used())
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, published)
	if err != nil {
		return nil, err
	}
	return api.PublishEvaluation200JSONResponse{Body: out[0],
		Headers: api.PublishEvaluation200ResponseHeaders{ETag: ptr(etag(published.Version))}}, nil
}

// scored is a draft evaluation scored now.
type scored struct {
	system *models.IndicatorSystem
	result scoring.Result
	scored []*models.IndicatorValue // the values scored
}

// used maps the values scored to the versions they were scored at, for the
// publication to lock them at those versions. Only a publication needs it:
// a ranking or a scorecard does not build it.
func (s *scored) used() map[string]int64 {
	used := make(map[string]int64, len(s.scored))
	for _, v := range s.scored {
		used[v.ID] = v.Version
	}
	return used
}

// score scores a draft from the values as they are now: for each unit and
// leaf indicator, the approved or locked value of the year-end period of the
// indicator's frequency.
func (h *EvaluationHandler) score(ctx context.Context, e *models.Evaluation) (*scored, error) {
	read, err := h.store.EvaluationInputs(ctx, e)
	if err != nil {
		return nil, err
	}
	yearEnd := make(map[string]string, len(read.Indicators))
	for i := range read.Indicators {
		yearEnd[read.Indicators[i].ID] = scoring.YearEnd(e.Year, read.Indicators[i].Frequency)
	}
	in := scoring.Inputs{System: read.System, Indicators: read.Indicators, Units: e.UnitIDs, Targets: read.Targets,
		Values: make(map[scoring.Key]*models.IndicatorValue, len(read.Values))}
	counted := make([]*models.IndicatorValue, 0, len(read.Values))
	for i := range read.Values {
		v := &read.Values[i]
		if yearEnd[v.IndicatorID] != v.Period {
			continue // another period of the year
		}
		in.Values[scoring.Key{IndicatorID: v.IndicatorID, UnitID: v.UnitID}] = v
		counted = append(counted, v)
	}
	return &scored{system: read.System, result: scoring.Evaluate(in), scored: counted}, nil
}

// card is one unit's scorecard as the API answers it, for the evaluation in
// the state given.
func (s *scored) card(e *models.Evaluation, status models.EvaluationStatus, u *scoring.UnitResult) api.Scorecard {
	r := &s.result
	out := api.Scorecard{EvaluationId: uuidOf(e.ID), EvaluationStatus: api.EvaluationStatus(status), UnitId: uuidOf(u.UnitID),
		Total: u.Total, Points: r.Points, Rank: int32(u.Rank), UnitsRanked: int32(len(r.Units)), Grade: nonEmpty(u.Grade),
		Areas: areasOut(r, u), Scores: make([]api.IndicatorScore, len(r.Indicators))}
	for i, n := range r.Indicators {
		out.Scores[i] = scoreOut(n, &u.Scores[i])
	}
	return out
}

func areasOut(r *scoring.Result, u *scoring.UnitResult) []api.AreaScore {
	out := make([]api.AreaScore, len(r.Areas))
	for i, a := range r.Areas {
		ind := r.Indicators[a].Indicator
		out[i] = api.AreaScore{IndicatorId: uuidOf(ind.ID), Code: ind.Code, Name: ind.Name, Score: u.Scores[a].Score, Points: u.Scores[a].Points}
	}
	return out
}

// scoreOut is an indicator's score with everything that explains it.
func scoreOut(n scoring.Node, s *scoring.Score) api.IndicatorScore {
	ind := n.Indicator
	out := api.IndicatorScore{IndicatorId: uuidOf(ind.ID), Code: ind.Code, Name: ind.Name, Level: int32(ind.Level),
		Points: s.Points, Score: s.Score, Lost: s.Lost, Reason: api.ScoreReason(s.Reason), Message: s.Message()}
	if ind.ParentID != nil {
		out.ParentId = ptr(uuidOf(*ind.ParentID))
	}
	if !n.Leaf {
		return out
	}
	out.Method = ptr(api.ScoringMethod(s.Method))
	v := s.Value
	if v != nil {
		out.ValueId, out.Value, out.YesNo, out.Period = ptr(uuidOf(v.ID)), v.Value, v.YesNo, ptr(v.Period)
		out.Qualifier = ptr(api.Qualifier(v.Qualifier))
	}
	if t := s.Target; t != nil {
		out.Target = &api.ScoreTarget{Comparator: api.Comparator(t.Comparator), Value: t.Value, ValueTo: t.ValueTo, UnitSpecific: !s.DefaultTarget}
	}
	switch s.Method {
	case models.ScoreLinear:
		if s.Target != nil && v != nil && v.Value != nil {
			out.Attainment = ptr(s.Attainment)
		}
	case models.ScoreTiered:
		if s.Band != nil {
			out.Band = ptr(scoreBandOut(*s.Band))
		}
	case models.ScoreDeduction:
		if v != nil && v.Value != nil {
			out.Occurrences, out.PerOccurrence, out.Deducted = ptr(s.Occurrences), s.PerOccurrence, ptr(s.Deducted)
		}
	case models.ScoreManual:
		if v != nil {
			out.ReviewScore = v.ReviewScore
		}
	}
	return out
}

// GetEvaluationRanking implements getEvaluationRanking.
func (h *EvaluationHandler) GetEvaluationRanking(ctx context.Context, req api.GetEvaluationRankingRequestObject) (api.GetEvaluationRankingResponseObject, error) {
	e, err := h.evaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if !e.Frozen() && caller.Kind == models.CallerUser && !caller.HasRole(models.RoleAdmin) && !caller.HasRole(models.RoleReviewer) {
		return nil, newHTTPError(http.StatusForbidden, "forbidden", "the ranking of a draft evaluation is for administrators and reviewers; units see it once it is published")
	}
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "position", e.ID+"|"+string(e.Status))
	if err != nil {
		return nil, err
	}
	var (
		rows   []rankingRow
		next   *paging.Cursor
		points exact.Decimal
	)
	if e.Frozen() {
		if rows, next, err = h.keptRanking(ctx, e, page); err != nil {
			return nil, err
		}
		_, inds, err := h.store.IndicatorTree(ctx, e.SystemID)
		if err != nil {
			return nil, err
		}
		// Worked out as for the draft (and the kept scorecards): the leaves'
		// points added up the tree, at the scale they add up to.
		points = scoring.Evaluate(scoring.Inputs{Indicators: inds}).Points
	} else {
		sc, err := h.score(ctx, e)
		if err != nil {
			return nil, err
		}
		points = sc.result.Points
		if rows, next, err = draftRanking(sc, page); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.unitID
	}
	units, err := h.store.UnitsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*models.Unit, len(units))
	for i := range units {
		byID[units[i].ID] = &units[i]
	}
	out := api.GetEvaluationRanking200JSONResponse{Items: make([]api.RankingEntry, 0, len(rows))}
	for _, r := range rows {
		entry := api.RankingEntry{UnitId: uuidOf(r.unitID), Total: r.total, Points: points, Rank: int32(r.rank), Grade: r.grade, Areas: r.areas}
		if u := byID[r.unitID]; u != nil {
			entry.UnitCode, entry.UnitName = u.Code, u.Name
		}
		out.Items = append(out.Items, entry)
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// rankingRow is one unit's line in a ranking.
type rankingRow struct {
	unitID string
	total  exact.Decimal
	rank   int
	grade  *string
	areas  []api.AreaScore
}

// keptRanking is one page of a published evaluation's ranking, as kept.
func (h *EvaluationHandler) keptRanking(ctx context.Context, e *models.Evaluation, page paging.Page) ([]rankingRow, *paging.Cursor, error) {
	kept, next, err := h.store.ListEvaluationResults(ctx, e.ID, page)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]rankingRow, len(kept))
	for i, r := range kept {
		rows[i] = rankingRow{unitID: r.UnitID, total: r.Total, rank: r.Rank, grade: r.Grade}
		if err := json.Unmarshal([]byte(r.Areas), &rows[i].areas); err != nil {
			return nil, nil, fmt.Errorf("areas of unit %s in evaluation %s: %w", r.UnitID, e.ID, err)
		}
	}
	return rows, next, nil
}

// draftRanking is one page of a draft's ranking, scored now. Its cursor is
// the position reached: the ranking is recomputed for every page.
func draftRanking(sc *scored, page paging.Page) ([]rankingRow, *paging.Cursor, error) {
	from := 0
	if c := page.After; c != nil {
		pos, err := strconv.Atoi(c.Key)
		if err != nil || pos < 0 {
			return nil, nil, paging.ErrInvalidCursor
		}
		from = pos
	}
	units := sc.result.Units
	from = min(from, len(units))
	to := min(from+page.Limit, len(units))
	rows := make([]rankingRow, 0, to-from)
	for i := from; i < to; i++ {
		u := &units[i]
		rows = append(rows, rankingRow{unitID: u.UnitID, total: u.Total, rank: u.Rank, grade: nonEmpty(u.Grade), areas: areasOut(&sc.result, u)})
	}
	if to >= len(units) {
		return rows, nil, nil
	}
	return rows, &paging.Cursor{Sort: page.Sort.String(), Key: strconv.Itoa(to), ID: units[to-1].UnitID}, nil
}

// GetUnitScorecard implements getUnitScorecard.
func (h *EvaluationHandler) GetUnitScorecard(ctx context.Context, req api.GetUnitScorecardRequestObject) (api.GetUnitScorecardResponseObject, error) {
	e, err := h.evaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	unitID := req.UnitId.String()
	if !slices.Contains(e.UnitIDs, unitID) {
		return nil, &models.NotFoundError{Entity: "unit in evaluation", ID: unitID}
	}
	u, err := h.store.GetUnit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := authz.Reach(&caller, h.rules.rule(ctx), u.ID, u.Path); err != nil {
		return nil, err
	}
	if e.Frozen() {
		r, err := h.store.GetEvaluationResult(ctx, e.ID, unitID)
		if err != nil {
			return nil, err
		}
		var card api.Scorecard
		if err := json.Unmarshal([]byte(r.Card), &card); err != nil {
			return nil, fmt.Errorf("scorecard of unit %s in evaluation %s: %w", unitID, e.ID, err)
		}
		card.EvaluationStatus = api.EvaluationStatus(e.Status) // superseded since, perhaps
		return api.GetUnitScorecard200JSONResponse(card), nil
	}
	sc, err := h.score(ctx, e)
	if err != nil {
		return nil, err
	}
	return api.GetUnitScorecard200JSONResponse(sc.card(e, e.Status, sc.result.Unit(unitID))), nil
}

// CompareEvaluations implements compareEvaluations.
func (h *EvaluationHandler) CompareEvaluations(ctx context.Context, req api.CompareEvaluationsRequestObject) (api.CompareEvaluationsResponseObject, error) {
	// A cursor that is not this comparison's is the request's own fault
	// (400), whatever the evaluations it names.
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "position", req.Id.String()+"|"+req.Params.With.String())
	if err != nil {
		return nil, err
	}
	cur, err := h.evaluation(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	prev, err := h.evaluation(ctx, req.Params.With.String())
	if errors.Is(err, models.ErrNotFound) {
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "evaluation_not_found",
			detail: fmt.Sprintf("evaluation %s does not exist", req.Params.With),
			fields: []api.FieldError{{Parameter: ptr("query.with"), Message: "no such evaluation"}}}
	}
	if err != nil {
		return nil, err
	}
	curTree, err := h.tree(ctx, cur.SystemID)
	if err != nil {
		return nil, err
	}
	prevTree, err := h.tree(ctx, prev.SystemID)
	if err != nil {
		return nil, err
	}
	lineage, err := h.lineage(ctx, curTree, prevTree)
	if err != nil {
		return nil, err
	}
	curResult, err := h.result(ctx, cur, curTree)
	if err != nil {
		return nil, err
	}
	prevResult, err := h.result(ctx, prev, prevTree)
	if err != nil {
		return nil, err
	}
	cmp := scoring.Compare(curResult, prevResult, lineage)
	from := 0
	if c := page.After; c != nil {
		if from, err = strconv.Atoi(c.Key); err != nil || from < 0 {
			return nil, invalidCursor()
		}
	}
	// A cursor's key is the client's to send: one past the end is an empty
	// page, and from+Limit must not overflow.
	from = min(from, len(cmp.Units))
	to := min(from+page.Limit, len(cmp.Units))
	out := api.CompareEvaluations200JSONResponse{EvaluationId: uuidOf(cur.ID), PreviousEvaluationId: uuidOf(prev.ID),
		Items: make([]api.UnitComparison, 0, max(0, to-from))}
	for i := from; i < to; i++ {
		u := &cmp.Units[i]
		item := api.UnitComparison{UnitId: uuidOf(u.UnitID), Total: u.Total, PreviousTotal: u.PrevTotal, Change: u.Change,
			Rank: int32(u.Rank), PreviousRank: int32(u.PrevRank), RankChange: int32(u.RankChange),
			Indicators: make([]api.IndicatorChange, 0, len(u.Indicators))}
		for _, c := range u.Indicators {
			if c.Change.IsZero() {
				continue
			}
			item.Indicators = append(item.Indicators, api.IndicatorChange{IndicatorId: uuidOf(c.IndicatorID),
				PreviousIndicatorId: uuidOf(c.PrevIndicatorID), Score: c.Score, PreviousScore: c.PrevScore, Change: c.Change})
		}
		out.Items = append(out.Items, item)
	}
	if to < len(cmp.Units) {
		out.NextCursor = encodeNext(&paging.Cursor{Sort: page.Sort.String(), Key: strconv.Itoa(to), ID: cmp.Units[to-1].UnitID}, digest)
	}
	return out, nil
}

// systemTree is a system with its indicators.
type systemTree struct {
	system     *models.IndicatorSystem
	indicators []models.Indicator
}

func (h *EvaluationHandler) tree(ctx context.Context, systemID string) (*systemTree, error) {
	s, inds, err := h.store.IndicatorTree(ctx, systemID)
	if err != nil {
		return nil, err
	}
	return &systemTree{system: s, indicators: inds}, nil
}

// result is an evaluation's result: scored now for a draft, rebuilt from
// the kept scorecards for a published one.
func (h *EvaluationHandler) result(ctx context.Context, e *models.Evaluation, t *systemTree) (scoring.Result, error) {
	if !e.Frozen() {
		sc, err := h.score(ctx, e)
		if err != nil {
			return scoring.Result{}, err
		}
		return sc.result, nil
	}
	rows, err := h.store.EvaluationResults(ctx, e.ID)
	if err != nil {
		return scoring.Result{}, err
	}
	// The tree's shape for the units in the order the evaluation was given
	// them, as when it was a draft (the order breaks ties in a comparison),
	// with every score then set to what was kept.
	res := scoring.Evaluate(scoring.Inputs{System: t.system, Indicators: t.indicators, Units: e.UnitIDs})
	for _, r := range rows {
		var card api.Scorecard
		if err := json.Unmarshal([]byte(r.Card), &card); err != nil {
			return scoring.Result{}, fmt.Errorf("scorecard of unit %s in evaluation %s: %w", r.UnitID, e.ID, err)
		}
		kept := make(map[string]api.IndicatorScore, len(card.Scores))
		for _, s := range card.Scores {
			kept[s.IndicatorId.String()] = s
		}
		u := res.Unit(r.UnitID)
		if u == nil {
			return scoring.Result{}, fmt.Errorf("evaluation %s keeps a result of unit %s, which it does not evaluate", e.ID, r.UnitID)
		}
		u.Total, u.Rank = r.Total, r.Rank
		for i := range u.Scores {
			if s, ok := kept[u.Scores[i].IndicatorID]; ok {
				u.Scores[i].Score, u.Scores[i].Points = s.Score, s.Points
			}
		}
	}
	slices.SortStableFunc(res.Units, func(a, b scoring.UnitResult) int { return a.Rank - b.Rank })
	return res, nil
}

// maxEditions bounds the walk along a system's editions.
const maxEditions = 50

// lineage maps the current system's indicators to the previous one's: the
// identity within one system (nil), else along the chain of editions
// (Indicator.SourceIndicatorID) from the newer system back to the older.
func (h *EvaluationHandler) lineage(ctx context.Context, cur, prev *systemTree) (map[string]string, error) {
	if cur.system.ID == prev.system.ID {
		return nil, nil
	}
	m, ok, err := h.walkEditions(ctx, cur, prev.system.ID)
	if err != nil || ok {
		return m, err
	}
	back, ok, err := h.walkEditions(ctx, prev, cur.system.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &models.ValidationError{Code: "evaluations_unrelated",
			Detail: fmt.Sprintf("systems %s and %s are not editions of one another: their indicators cannot be matched", cur.system.ID, prev.system.ID),
			Fields: []models.FieldError{{Pointer: "", Message: "compare evaluations of one system or of its editions"}}}
	}
	m = make(map[string]string, len(back))
	for newer, older := range back {
		m[older] = newer
	}
	return m, nil
}

// walkEditions follows from's editions back to the system toID, mapping each
// of from's indicators to its ancestor there; ok is false when toID is not
// an earlier edition of from.
func (h *EvaluationHandler) walkEditions(ctx context.Context, from *systemTree, toID string) (map[string]string, bool, error) {
	m := make(map[string]string, len(from.indicators))
	for _, ind := range from.indicators {
		m[ind.ID] = ind.ID
	}
	t := from
	for range maxEditions {
		if t.system.PreviousEditionID == nil {
			return nil, false, nil
		}
		source := make(map[string]string, len(t.indicators))
		for _, ind := range t.indicators {
			if ind.SourceIndicatorID != nil {
				source[ind.ID] = *ind.SourceIndicatorID
			}
		}
		for k, v := range m {
			if src, ok := source[v]; ok {
				m[k] = src
			} else {
				delete(m, k) // new in this edition
			}
		}
		if *t.system.PreviousEditionID == toID {
			return m, true, nil
		}
		var err error
		if t, err = h.tree(ctx, *t.system.PreviousEditionID); err != nil {
			return nil, false, err
		}
	}
	return nil, false, nil
}

// out is es as the contract writes them, their publishers named.
func (h *EvaluationHandler) out(ctx context.Context, es ...*models.Evaluation) ([]api.Evaluation, error) {
	return named(ctx, h.store, es, func(e *models.Evaluation) []models.Actor { return actorsOf(e.PublishedBy) }, evaluationOut)
}

func evaluationOut(e *models.Evaluation, names actorNames) api.Evaluation {
	out := api.Evaluation{Id: uuidOf(e.ID), SystemId: uuidOf(e.SystemID), Year: int32(e.Year), Name: e.Name,
		Status: api.EvaluationStatus(e.Status), UnitIds: make([]api.Id, len(e.UnitIDs)), PublishedBy: names.ref(e.PublishedBy),
		Version: e.Version, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	for i, id := range e.UnitIDs {
		out.UnitIds[i] = uuidOf(id)
	}
	if e.SupersedesID != nil {
		out.SupersedesId = ptr(uuidOf(*e.SupersedesID))
	}
	if e.SupersededByID != nil {
		out.SupersededById = ptr(uuidOf(*e.SupersededByID))
	}
	if e.PublishedAt != nil {
		out.PublishedAt = ptr(e.PublishedAt.UTC())
	}
	return out
}
