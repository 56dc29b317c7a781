package server

import (
	"context"
	"fmt"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// IndicatorStore is what the indicators handler needs.
type IndicatorStore interface {
	CreateIndicatorSystem(ctx context.Context, s *models.IndicatorSystem) error
	GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	ListIndicatorSystems(ctx context.Context, f models.SystemFilter, page paging.Page) ([]models.IndicatorSystem, *paging.Cursor, error)
	UpdateIndicatorSystem(ctx context.Context, id string, ifVersion int64, p models.SystemPatch) (*models.IndicatorSystem, error)
	DeleteIndicatorSystem(ctx context.Context, id string, ifVersion int64) error
	PublishIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	ArchiveIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	NewEdition(ctx context.Context, id string, edition models.IndicatorSystem) (*models.IndicatorSystem, error)
	IndicatorTree(ctx context.Context, systemID string) (*models.IndicatorSystem, []models.Indicator, error)
	ListIndicators(ctx context.Context, systemID string, f models.IndicatorFilter, page paging.Page) ([]models.Indicator, *paging.Cursor, error)
	GetIndicator(ctx context.Context, id string) (*models.Indicator, error)
	CreateIndicator(ctx context.Context, systemID string, ind *models.Indicator) error
	UpdateIndicator(ctx context.Context, id string, ifVersion int64, p models.IndicatorPatch) (*models.Indicator, error)
	DeleteIndicator(ctx context.Context, id string, ifVersion int64) error
}

// IndicatorHandler serves the indicators tag.
type IndicatorHandler struct {
	store IndicatorStore
}

// systemVisible answers 404 for a system the caller may not see: one that
// is not released, to an API key (SystemLifecycle.Visible).
func systemVisible(c *models.Caller, s *models.IndicatorSystem) error {
	if !models.SystemLifecycle.Visible(c, s.Status) {
		return &models.NotFoundError{Entity: "indicator system", ID: s.ID}
	}
	return nil
}

// releasedSystem answers 404 when the caller reads released systems only
// and the system (of an indicator, a target) is not released; it reads the
// system only for such callers.
func releasedSystem(ctx context.Context, store interface {
	GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
}, systemID string) error {
	caller := models.RequestInfoFrom(ctx).Caller
	if !models.SystemLifecycle.ReleasedOnly(&caller) {
		return nil
	}
	s, err := store.GetIndicatorSystem(ctx, systemID)
	if err != nil {
		return err
	}
	return systemVisible(&caller, s)
}

// ListIndicatorSystems implements listIndicatorSystems.
func (h *IndicatorHandler) ListIndicatorSystems(ctx context.Context, req api.ListIndicatorSystemsRequestObject) (api.ListIndicatorSystemsResponseObject, error) {
	p := req.Params
	caller := models.RequestInfoFrom(ctx).Caller
	f := models.SystemFilter{ReleasedOnly: models.SystemLifecycle.ReleasedOnly(&caller)}
	if p.Status != nil {
		f.Status = models.SystemStatus(*p.Status)
	}
	if p.IssuingUnitId != nil {
		f.IssuingUnitID = p.IssuingUnitId.String()
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	sort := "-createdAt"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, fmt.Sprint(f.Status, "|", f.IssuingUnitID, "|", f.Query, "|", f.ReleasedOnly))
	if err != nil {
		return nil, err
	}
	systems, next, err := h.store.ListIndicatorSystems(ctx, f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListIndicatorSystems200JSONResponse{Items: make([]api.IndicatorSystem, len(systems))}
	for i := range systems {
		out.Items[i] = systemOut(&systems[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// CreateIndicatorSystem implements createIndicatorSystem.
func (h *IndicatorHandler) CreateIndicatorSystem(ctx context.Context, req api.CreateIndicatorSystemRequestObject) (api.CreateIndicatorSystemResponseObject, error) {
	b := req.Body
	s := &models.IndicatorSystem{Name: b.Name, IssuingUnitID: b.IssuingUnitId.String(), Edition: b.Edition,
		YearFrom: int(b.YearFrom), YearTo: int(b.YearTo), TotalPoints: b.TotalPoints}
	if b.GradeBands != nil {
		s.GradeBands = gradeBandsIn(*b.GradeBands)
	}
	if err := h.store.CreateIndicatorSystem(ctx, s); err != nil {
		return nil, err
	}
	return api.CreateIndicatorSystem201JSONResponse{Body: systemOut(s), Headers: api.CreateIndicatorSystem201ResponseHeaders{
		ETag: ptr(etag(s.Version)), Location: ptr(basePath + "/indicator-systems/" + s.ID)}}, nil
}

// GetIndicatorSystem implements getIndicatorSystem.
func (h *IndicatorHandler) GetIndicatorSystem(ctx context.Context, req api.GetIndicatorSystemRequestObject) (api.GetIndicatorSystemResponseObject, error) {
	s, err := h.store.GetIndicatorSystem(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := systemVisible(&caller, s); err != nil {
		return nil, err
	}
	tag := etag(s.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetIndicatorSystem304Response{Headers: api.GetIndicatorSystem304ResponseHeaders{ETag: &tag}}, nil
	}
	return api.GetIndicatorSystem200JSONResponse{Body: systemOut(s), Headers: api.GetIndicatorSystem200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateIndicatorSystem implements updateIndicatorSystem.
func (h *IndicatorHandler) UpdateIndicatorSystem(ctx context.Context, req api.UpdateIndicatorSystemRequestObject) (api.UpdateIndicatorSystemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	p := models.SystemPatch{Name: b.Name, Edition: b.Edition, TotalPoints: b.TotalPoints}
	if b.IssuingUnitId != nil {
		p.IssuingUnitID = ptr(b.IssuingUnitId.String())
	}
	if b.YearFrom != nil {
		p.YearFrom = ptr(int(*b.YearFrom))
	}
	if b.YearTo != nil {
		p.YearTo = ptr(int(*b.YearTo))
	}
	if b.GradeBands != nil {
		p.GradeBands = ptr(gradeBandsIn(*b.GradeBands))
	}
	s, err := h.store.UpdateIndicatorSystem(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateIndicatorSystem200JSONResponse{Body: systemOut(s), Headers: api.UpdateIndicatorSystem200ResponseHeaders{ETag: ptr(etag(s.Version))}}, nil
}

// DeleteIndicatorSystem implements deleteIndicatorSystem.
func (h *IndicatorHandler) DeleteIndicatorSystem(ctx context.Context, req api.DeleteIndicatorSystemRequestObject) (api.DeleteIndicatorSystemResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteIndicatorSystem(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteIndicatorSystem204Response{}, nil
}

// PublishIndicatorSystem implements publishIndicatorSystem.
func (h *IndicatorHandler) PublishIndicatorSystem(ctx context.Context, req api.PublishIndicatorSystemRequestObject) (api.PublishIndicatorSystemResponseObject, error) {
	s, err := h.store.PublishIndicatorSystem(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.PublishIndicatorSystem200JSONResponse(systemOut(s)), nil
}

// ArchiveIndicatorSystem implements archiveIndicatorSystem.
func (h *IndicatorHandler) ArchiveIndicatorSystem(ctx context.Context, req api.ArchiveIndicatorSystemRequestObject) (api.ArchiveIndicatorSystemResponseObject, error) {
	s, err := h.store.ArchiveIndicatorSystem(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.ArchiveIndicatorSystem200JSONResponse(systemOut(s)), nil
}

// CreateIndicatorSystemEdition implements createIndicatorSystemEdition.
func (h *IndicatorHandler) CreateIndicatorSystemEdition(ctx context.Context, req api.CreateIndicatorSystemEditionRequestObject) (api.CreateIndicatorSystemEditionResponseObject, error) {
	b := req.Body
	e := models.IndicatorSystem{Edition: b.Edition, YearFrom: int(b.YearFrom), YearTo: int(b.YearTo)}
	if b.Name != nil {
		e.Name = *b.Name
	}
	s, err := h.store.NewEdition(ctx, req.Id.String(), e)
	if err != nil {
		return nil, err
	}
	return api.CreateIndicatorSystemEdition201JSONResponse{Body: systemOut(s),
		Headers: api.CreateIndicatorSystemEdition201ResponseHeaders{Location: ptr(basePath + "/indicator-systems/" + s.ID)}}, nil
}

// GetIndicatorTree implements getIndicatorTree.
func (h *IndicatorHandler) GetIndicatorTree(ctx context.Context, req api.GetIndicatorTreeRequestObject) (api.GetIndicatorTreeResponseObject, error) {
	s, inds, err := h.store.IndicatorTree(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	caller := models.RequestInfoFrom(ctx).Caller
	if err := systemVisible(&caller, s); err != nil {
		return nil, err
	}
	return api.GetIndicatorTree200JSONResponse{System: systemOut(s), Indicators: indicatorTree(inds)}, nil
}

// ListIndicators implements listIndicators.
func (h *IndicatorHandler) ListIndicators(ctx context.Context, req api.ListIndicatorsRequestObject) (api.ListIndicatorsResponseObject, error) {
	if err := releasedSystem(ctx, h.store, req.Id.String()); err != nil {
		return nil, err
	}
	p := req.Params
	var f models.IndicatorFilter
	if p.ParentId != nil {
		f.ParentID = p.ParentId.String()
	}
	if p.Level != nil {
		f.Level = int(*p.Level)
	}
	if p.Q != nil {
		f.Query = *p.Q
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, "tree", fmt.Sprint(req.Id, "|", f.ParentID, "|", f.Level, "|", f.Query))
	if err != nil {
		return nil, err
	}
	inds, next, err := h.store.ListIndicators(ctx, req.Id.String(), f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListIndicators200JSONResponse{Items: make([]api.Indicator, len(inds))}
	for i := range inds {
		out.Items[i] = indicatorOut(&inds[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// CreateIndicator implements createIndicator.
func (h *IndicatorHandler) CreateIndicator(ctx context.Context, req api.CreateIndicatorRequestObject) (api.CreateIndicatorResponseObject, error) {
	b := req.Body
	ind := &models.Indicator{
		Code: b.Code, Name: b.Name, Content: b.Content, Criteria: b.Criteria, Points: b.Points, MeasureUnit: b.MeasureUnit,
		ValueType: models.ValueType(b.ValueType), Direction: models.Direction(b.Direction),
		Aggregation: models.Aggregation(b.Aggregation), Frequency: models.Frequency(b.Frequency),
		ReportingUnitIDs: []string{},
	}
	if b.ParentId != nil {
		ind.ParentID = ptr(b.ParentId.String())
	}
	if b.EvidenceRequired != nil {
		ind.EvidenceRequired = *b.EvidenceRequired
	}
	if b.LeadUnitId != nil {
		ind.LeadUnitID = ptr(b.LeadUnitId.String())
	}
	if b.SortOrder != nil {
		ind.SortOrder = int(*b.SortOrder)
	}
	if b.ReportingUnitIds != nil {
		ind.ReportingUnitIDs = idsIn(*b.ReportingUnitIds)
	}
	if b.Scoring != nil {
		ind.Scoring = scoringIn(b.Scoring)
	}
	if err := h.store.CreateIndicator(ctx, req.Id.String(), ind); err != nil {
		return nil, err
	}
	return api.CreateIndicator201JSONResponse{Body: indicatorOut(ind), Headers: api.CreateIndicator201ResponseHeaders{
		ETag: ptr(etag(ind.Version)), Location: ptr(basePath + "/indicators/" + ind.ID)}}, nil
}

// GetIndicator implements getIndicator.
func (h *IndicatorHandler) GetIndicator(ctx context.Context, req api.GetIndicatorRequestObject) (api.GetIndicatorResponseObject, error) {
	ind, err := h.store.GetIndicator(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if err := releasedSystem(ctx, h.store, ind.SystemID); err != nil {
		return nil, &models.NotFoundError{Entity: "indicator", ID: ind.ID}
	}
	tag := etag(ind.Version)
	if current(req.Params.IfNoneMatch, tag) {
		return api.GetIndicator304Response{Headers: api.GetIndicator304ResponseHeaders{ETag: &tag}}, nil
	}
	return api.GetIndicator200JSONResponse{Body: indicatorOut(ind), Headers: api.GetIndicator200ResponseHeaders{ETag: &tag}}, nil
}

// UpdateIndicator implements updateIndicator.
func (h *IndicatorHandler) UpdateIndicator(ctx context.Context, req api.UpdateIndicatorRequestObject) (api.UpdateIndicatorResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	p := models.IndicatorPatch{Code: b.Code, Name: b.Name, Points: b.Points, EvidenceRequired: b.EvidenceRequired}
	if b.ValueType != nil {
		p.ValueType = ptr(models.ValueType(*b.ValueType))
	}
	if b.Direction != nil {
		p.Direction = ptr(models.Direction(*b.Direction))
	}
	if b.Aggregation != nil {
		p.Aggregation = ptr(models.Aggregation(*b.Aggregation))
	}
	if b.Frequency != nil {
		p.Frequency = ptr(models.Frequency(*b.Frequency))
	}
	if b.SortOrder != nil {
		p.SortOrder = ptr(int(*b.SortOrder))
	}
	if b.ReportingUnitIds != nil {
		p.ReportingUnitIDs = idsIn(*b.ReportingUnitIds)
	}
	p.SetContent, p.Content = nullableString(b.Content)
	p.SetCriteria, p.Criteria = nullableString(b.Criteria)
	p.SetMeasureUnit, p.MeasureUnit = nullableString(b.MeasureUnit)
	if b.LeadUnitId.IsSpecified() {
		p.SetLeadUnit = true
		if !b.LeadUnitId.IsNull() {
			p.LeadUnitID = ptr(b.LeadUnitId.MustGet().String())
		}
	}
	if b.ParentId.IsSpecified() {
		p.Move = true
		if !b.ParentId.IsNull() {
			p.ParentID = ptr(b.ParentId.MustGet().String())
		}
	}
	if b.Scoring.IsSpecified() {
		p.SetScoring = true
		if !b.Scoring.IsNull() {
			sc := b.Scoring.MustGet()
			p.Scoring = scoringIn(&sc)
		}
	}
	ind, err := h.store.UpdateIndicator(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateIndicator200JSONResponse{Body: indicatorOut(ind), Headers: api.UpdateIndicator200ResponseHeaders{ETag: ptr(etag(ind.Version))}}, nil
}

// DeleteIndicator implements deleteIndicator.
func (h *IndicatorHandler) DeleteIndicator(ctx context.Context, req api.DeleteIndicatorRequestObject) (api.DeleteIndicatorResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := h.store.DeleteIndicator(ctx, req.Id.String(), version); err != nil {
		return nil, err
	}
	return api.DeleteIndicator204Response{}, nil
}

func systemOut(s *models.IndicatorSystem) api.IndicatorSystem {
	out := api.IndicatorSystem{
		Id: uuidOf(s.ID), Name: s.Name, IssuingUnitId: uuidOf(s.IssuingUnitID), Edition: s.Edition,
		YearFrom: int32(s.YearFrom), YearTo: int32(s.YearTo), TotalPoints: s.TotalPoints,
		Status: api.IndicatorSystemStatus(s.Status), Version: s.Version, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
	}
	if s.PreviousEditionID != nil {
		out.PreviousEditionId = ptr(uuidOf(*s.PreviousEditionID))
	}
	if s.PublishedAt != nil {
		out.PublishedAt = ptr(s.PublishedAt.UTC())
	}
	bands := make(api.GradeBands, len(s.GradeBands))
	for i, b := range s.GradeBands {
		bands[i] = api.GradeBand{Grade: b.Grade, Min: b.Min}
	}
	out.GradeBands = &bands
	return out
}

func gradeBandsIn(in api.GradeBands) []models.GradeBand {
	out := make([]models.GradeBand, len(in))
	for i, b := range in {
		out[i] = models.GradeBand{Grade: b.Grade, Min: b.Min}
	}
	return out
}

func scoringIn(in *api.Scoring) *models.Scoring {
	s := &models.Scoring{Method: models.ScoringMethod(in.Method), PerOccurrence: in.PerOccurrence}
	if in.Bands != nil {
		for _, b := range *in.Bands {
			s.Bands = append(s.Bands, models.ScoreBand{Min: b.Min, Max: b.Max, Points: b.Points})
		}
	}
	return s
}

func scoringOut(s *models.Scoring) *api.Scoring {
	if s == nil {
		return nil
	}
	out := &api.Scoring{Method: api.ScoringMethod(s.Method), PerOccurrence: s.PerOccurrence}
	if len(s.Bands) > 0 {
		bands := make([]api.ScoreBand, len(s.Bands))
		for i, b := range s.Bands {
			bands[i] = scoreBandOut(b)
		}
		out.Bands = &bands
	}
	return out
}

func scoreBandOut(b models.ScoreBand) api.ScoreBand {
	return api.ScoreBand{Min: b.Min, Max: b.Max, Points: b.Points}
}

func indicatorOut(ind *models.Indicator) api.Indicator {
	out := api.Indicator{
		Id: uuidOf(ind.ID), SystemId: uuidOf(ind.SystemID), Code: ind.Code, Name: ind.Name, Level: int32(ind.Level),
		Content: ind.Content, Criteria: ind.Criteria, Points: ind.Points, MeasureUnit: ind.MeasureUnit,
		ValueType: api.ValueType(ind.ValueType), Direction: api.Direction(ind.Direction),
		Aggregation: api.Aggregation(ind.Aggregation), Frequency: api.Frequency(ind.Frequency),
		EvidenceRequired: ind.EvidenceRequired, ReportingUnitIds: make([]api.Id, len(ind.ReportingUnitIDs)),
		SortOrder: int32(ind.SortOrder), Version: ind.Version, CreatedAt: ind.CreatedAt.UTC(), UpdatedAt: ind.UpdatedAt.UTC(),
		Scoring: scoringOut(ind.Scoring),
	}
	for i, u := range ind.ReportingUnitIDs {
		out.ReportingUnitIds[i] = uuidOf(u)
	}
	if ind.ParentID != nil {
		out.ParentId = ptr(uuidOf(*ind.ParentID))
	}
	if ind.LeadUnitID != nil {
		out.LeadUnitId = ptr(uuidOf(*ind.LeadUnitID))
	}
	if ind.SourceIndicatorID != nil {
		out.SourceIndicatorId = ptr(uuidOf(*ind.SourceIndicatorID))
	}
	return out
}

// indicatorTree nests indicators, given parents before children, under their parents.
func indicatorTree(inds []models.Indicator) []api.IndicatorNode {
	children := map[string][]int{}
	var roots []int
	for i, ind := range inds {
		if ind.ParentID == nil {
			roots = append(roots, i)
		} else {
			children[*ind.ParentID] = append(children[*ind.ParentID], i)
		}
	}
	var build func(i int) api.IndicatorNode
	build = func(i int) api.IndicatorNode {
		o := indicatorOut(&inds[i])
		n := api.IndicatorNode{
			Id: o.Id, SystemId: o.SystemId, ParentId: o.ParentId, Code: o.Code, Name: o.Name, Level: o.Level,
			Content: o.Content, Criteria: o.Criteria, Points: o.Points, MeasureUnit: o.MeasureUnit,
			ValueType: o.ValueType, Direction: o.Direction, Aggregation: o.Aggregation, Frequency: o.Frequency,
			EvidenceRequired: o.EvidenceRequired, LeadUnitId: o.LeadUnitId, ReportingUnitIds: o.ReportingUnitIds,
			SourceIndicatorId: o.SourceIndicatorId, Scoring: o.Scoring, SortOrder: o.SortOrder, Version: o.Version,
			CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Children: []api.IndicatorNode{},
		}
		for _, c := range children[inds[i].ID] {
			n.Children = append(n.Children, build(c))
		}
		return n
	}
	out := make([]api.IndicatorNode, 0, len(roots))
	for _, r := range roots {
		out = append(out, build(r))
	}
	return out
}
