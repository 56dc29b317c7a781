package server

// The statutory annual reports. A report is its unit's: drafted, rewritten,
// signed off, submitted and published by the unit's administrators and
// reviewers (or those above it). Users see their subtree's reports and the
// submitted and published reports of every unit; API keys submitted and
// published reports only. The prose is package annualreport's; the
// lifecycle models.ReportLifecycle.

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fazhi/fazhi/annualreport"
	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// AnnualReportStore is what the annual report operations need from the
// database.
type AnnualReportStore interface {
	DraftAnnualReport(ctx context.Context, d models.ReportToDraft, by models.Actor) (*models.AnnualReport, error)
	GetAnnualReport(ctx context.Context, id string) (*models.AnnualReport, error)
	ListAnnualReports(ctx context.Context, f models.AnnualReportFilter, page paging.Page) ([]models.AnnualReport, *paging.Cursor, error)
	EditAnnualReport(ctx context.Context, id string, ifVersion *int64, part int, paragraphs []models.ReportParagraph, by models.Actor) (*models.AnnualReport, error)
	MoveAnnualReport(ctx context.Context, id string, apply func(r *models.AnnualReport, at time.Time) error) (*models.AnnualReport, error)
	DeleteAnnualReport(ctx context.Context, id string, ifVersion *int64) error
	AnnualReportVersions(ctx context.Context, id string) ([]models.ReportVersion, error)
	ReportsDue(ctx context.Context, unitPath string, year int) ([]models.Unit, map[string]*models.AnnualReport, error)
	viewStore
	ActorStore
}

// AnnualReportHandler serves the annual-reports tag.
type AnnualReportHandler struct {
	store AnnualReportStore
	rules *rules
}

func annualReportNotFound(id string) error {
	return &models.NotFoundError{Entity: "annual report", ID: id}
}

// seesAnnualReport: a key sees submitted and published reports; a user its
// subtree's reports, and the released reports of every unit whatever the
// operation's rule (a change of one outside the subtree is a 403).
func (v *view) seesAnnualReport(r *models.AnnualReport) bool {
	return models.ReportLifecycle.Visible(&v.caller, r.Status) &&
		(models.ReportLifecycle.IsReleased(r.Status) || authz.Sees(&v.caller, v.rule, v.paths[r.UnitID]))
}

// report loads a report the caller sees (a 404 otherwise); to change it,
// the caller must reach its unit.
func (h *AnnualReportHandler) report(ctx context.Context, id string, change bool) (*models.AnnualReport, *view, error) {
	r, err := h.store.GetAnnualReport(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, nil, err
	}
	if !v.seesAnnualReport(r) {
		return nil, nil, annualReportNotFound(id)
	}
	if change {
		if err := v.reachUnit(r.UnitID); err != nil {
			return nil, nil, err
		}
	}
	return r, v, nil
}

func sourcesOut(sources []models.ReportSource) []api.ReportSource {
	out := make([]api.ReportSource, len(sources))
	for i, s := range sources {
		out[i] = api.ReportSource{Type: api.ReportSourceType(s.Type), Id: uuidOf(s.ID)}
	}
	return out
}

func figureOut(f models.ReportFigure) api.ReportFigure {
	out := api.ReportFigure{Text: f.Text, Value: f.Value}
	if f.Source != nil {
		out.Source = &api.ReportSource{Type: api.ReportSourceType(f.Source.Type), Id: uuidOf(f.Source.ID)}
	}
	return out
}

func sectionsOut(sections []models.ReportSection) []api.ReportSection {
	out := make([]api.ReportSection, len(sections))
	for i, s := range sections {
		paragraphs := make([]api.ReportParagraph, len(s.Paragraphs))
		for j, p := range s.Paragraphs {
			sentences := make([]api.ReportSentence, len(p.Sentences))
			for k, sen := range p.Sentences {
				figures := make([]api.ReportFigure, len(sen.Figures))
				for n, f := range sen.Figures {
					figures[n] = figureOut(f)
				}
				sentences[k] = api.ReportSentence{Text: sen.Text, Sources: sourcesOut(sen.Sources), Figures: figures}
			}
			paragraphs[j] = api.ReportParagraph{Sentences: sentences}
			if p.Heading != "" {
				paragraphs[j].Heading = ptr(p.Heading)
			}
		}
		out[i] = api.ReportSection{Part: int32(s.Part), Title: s.Title, Paragraphs: paragraphs}
	}
	return out
}

// reportsOut converts reports with their actors' names.
func (h *AnnualReportHandler) reportsOut(ctx context.Context, reports []*models.AnnualReport) ([]api.AnnualReport, error) {
	return named(ctx, h.store, reports, func(r *models.AnnualReport) []models.Actor {
		return actorsOf(&r.CreatedBy, r.SignedOffBy, r.SubmittedBy, r.PublishedBy)
	}, func(r *models.AnnualReport, names actorNames) api.AnnualReport {
		untraced := r.Content.Untraced()
		figures := make([]api.ReportFigure, len(untraced))
		for i, f := range untraced {
			figures[i] = figureOut(f)
		}
		return api.AnnualReport{Id: uuidOf(r.ID), UnitId: uuidOf(r.UnitID), Year: int32(r.Year), Status: api.ReportStatus(r.Status),
			Title: r.Content.Title, Sections: sectionsOut(r.Content.Sections), UntracedFigures: figures,
			SignedOffBy: names.ref(r.SignedOffBy), SignedOffAt: utcOrNil(r.SignedOffAt), SubmittedBy: names.ref(r.SubmittedBy),
			SubmittedAt: utcOrNil(r.SubmittedAt), PublishedBy: names.ref(r.PublishedBy), PublishedAt: utcOrNil(r.PublishedAt),
			SampleData: r.SampleData, CreatedBy: names.actor(models.Actor(r.CreatedBy)), Version: r.Version,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	})
}

func (h *AnnualReportHandler) reportOut(ctx context.Context, r *models.AnnualReport) (api.AnnualReport, error) {
	out, err := h.reportsOut(ctx, []*models.AnnualReport{r})
	if err != nil {
		return api.AnnualReport{}, err
	}
	return out[0], nil
}

// ListAnnualReports implements listAnnualReports.
func (h *AnnualReportHandler) ListAnnualReports(ctx context.Context, req api.ListAnnualReportsRequestObject) (api.ListAnnualReportsResponseObject, error) {
	q := req.Params
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	f := models.AnnualReportFilter{UnitPath: authz.SubtreeOf(&v.caller, v.rule), ReleasedEverywhere: v.rule.ReleasedToAllUsers,
		ReleasedOnly: models.ReportLifecycle.ReleasedOnly(&v.caller)}
	if q.UnitId != nil {
		f.UnitID = q.UnitId.String()
	}
	if q.Year != nil {
		f.Year = int(*q.Year)
	}
	if q.Status != nil {
		f.Status = models.ReportStatus(*q.Status)
	}
	page, digest, err := pageRequest(q.Limit, q.Cursor, "-createdAt", fmt.Sprint(f))
	if err != nil {
		return nil, err
	}
	reports, next, err := h.store.ListAnnualReports(ctx, f, page)
	if err != nil {
		return nil, err
	}
	items, err := h.reportsOut(ctx, pointers(reports))
	if err != nil {
		return nil, err
	}
	return api.ListAnnualReports200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// DraftAnnualReport implements draftAnnualReport.
func (h *AnnualReportHandler) DraftAnnualReport(ctx context.Context, req api.DraftAnnualReportRequestObject) (api.DraftAnnualReportResponseObject, error) {
	b := req.Body
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	d := models.ReportToDraft{UnitID: b.UnitId.String(), Year: int(b.Year)}
	if b.SourceUnitIds != nil {
		d.SourceUnitIDs = strsOf(b.SourceUnitIds)
	}
	for _, id := range append([]string{d.UnitID}, d.SourceUnitIDs...) {
		if err := v.reachNewRecordsUnit(id); err != nil {
			return nil, err
		}
	}
	r, err := h.store.DraftAnnualReport(ctx, d, models.ActorOf(v.caller))
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.DraftAnnualReport201JSONResponse{Body: out, Headers: api.DraftAnnualReport201ResponseHeaders{
		Location: ptr(basePath + "/annual-reports/" + r.ID), ETag: ptr(etag(r.Version))}}, nil
}

// GetAnnualReport implements getAnnualReport.
func (h *AnnualReportHandler) GetAnnualReport(ctx context.Context, req api.GetAnnualReportRequestObject) (api.GetAnnualReportResponseObject, error) {
	r, _, err := h.report(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.GetAnnualReport200JSONResponse{Body: out, Headers: api.GetAnnualReport200ResponseHeaders{ETag: ptr(etag(r.Version))}}, nil
}

// DeleteAnnualReport implements deleteAnnualReport.
func (h *AnnualReportHandler) DeleteAnnualReport(ctx context.Context, req api.DeleteAnnualReportRequestObject) (api.DeleteAnnualReportResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.report(ctx, req.Id.String(), true); err != nil {
		return nil, err
	}
	if err := h.store.DeleteAnnualReport(ctx, req.Id.String(), &version); err != nil {
		return nil, err
	}
	return api.DeleteAnnualReport204Response{}, nil
}

// UpdateAnnualReportSection implements updateAnnualReportSection.
func (h *AnnualReportHandler) UpdateAnnualReportSection(ctx context.Context, req api.UpdateAnnualReportSectionRequestObject) (api.UpdateAnnualReportSectionResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	_, v, err := h.report(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	paragraphs := make([]models.ReportParagraph, len(req.Body.Paragraphs))
	for i, p := range req.Body.Paragraphs {
		sentences := make([]models.ReportSentence, len(p.Sentences))
		for j, s := range p.Sentences {
			sentences[j] = models.ReportSentence{Text: s.Text, Sources: []models.ReportSource{}}
			if s.Sources != nil {
				for _, src := range *s.Sources {
					sentences[j].Sources = append(sentences[j].Sources, models.ReportSource{Type: string(src.Type), ID: src.Id.String()})
				}
			}
		}
		paragraphs[i] = models.ReportParagraph{Sentences: sentences}
		if p.Heading != nil {
			paragraphs[i].Heading = *p.Heading
		}
	}
	r, err := h.store.EditAnnualReport(ctx, req.Id.String(), &version, int(req.Part), paragraphs, models.ActorOf(v.caller))
	if err != nil {
		return nil, err
	}
	out, err := h.reportOut(ctx, r)
	if err != nil {
		return nil, err
	}
	return api.UpdateAnnualReportSection200JSONResponse{Body: out, Headers: api.UpdateAnnualReportSection200ResponseHeaders{ETag: ptr(etag(r.Version))}}, nil
}

// move moves a report on with one of its methods.
func (h *AnnualReportHandler) move(ctx context.Context, id string, apply func(r *models.AnnualReport, by models.Actor, at time.Time) error) (api.AnnualReport, error) {
	_, v, err := h.report(ctx, id, true)
	if err != nil {
		return api.AnnualReport{}, err
	}
	by := models.ActorOf(v.caller)
	r, err := h.store.MoveAnnualReport(ctx, id, func(r *models.AnnualReport, at time.Time) error { return apply(r, by, at) })
	if err != nil {
		return api.AnnualReport{}, err
	}
	return h.reportOut(ctx, r)
}

// SignOffAnnualReport implements signOffAnnualReport.
func (h *AnnualReportHandler) SignOffAnnualReport(ctx context.Context, req api.SignOffAnnualReportRequestObject) (api.SignOffAnnualReportResponseObject, error) {
	accept := req.Body != nil && req.Body.AcceptUntraced != nil && *req.Body.AcceptUntraced
	out, err := h.move(ctx, req.Id.String(), func(r *models.AnnualReport, by models.Actor, at time.Time) error { return r.SignOff(by, at, accept) })
	if err != nil {
		return nil, err
	}
	return api.SignOffAnnualReport200JSONResponse(out), nil
}

// ReopenAnnualReport implements reopenAnnualReport.
func (h *AnnualReportHandler) ReopenAnnualReport(ctx context.Context, req api.ReopenAnnualReportRequestObject) (api.ReopenAnnualReportResponseObject, error) {
	out, err := h.move(ctx, req.Id.String(), func(r *models.AnnualReport, _ models.Actor, _ time.Time) error { return r.Reopen() })
	if err != nil {
		return nil, err
	}
	return api.ReopenAnnualReport200JSONResponse(out), nil
}

// SubmitAnnualReport implements submitAnnualReport.
func (h *AnnualReportHandler) SubmitAnnualReport(ctx context.Context, req api.SubmitAnnualReportRequestObject) (api.SubmitAnnualReportResponseObject, error) {
	out, err := h.move(ctx, req.Id.String(), (*models.AnnualReport).Submit)
	if err != nil {
		return nil, err
	}
	return api.SubmitAnnualReport200JSONResponse(out), nil
}

// PublishAnnualReport implements publishAnnualReport.
func (h *AnnualReportHandler) PublishAnnualReport(ctx context.Context, req api.PublishAnnualReportRequestObject) (api.PublishAnnualReportResponseObject, error) {
	out, err := h.move(ctx, req.Id.String(), (*models.AnnualReport).Publish)
	if err != nil {
		return nil, err
	}
	return api.PublishAnnualReport200JSONResponse(out), nil
}

// ExportAnnualReport implements exportAnnualReport.
func (h *AnnualReportHandler) ExportAnnualReport(ctx context.Context, req api.ExportAnnualReportRequestObject) (api.ExportAnnualReportResponseObject, error) {
	r, _, err := h.report(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	format := api.Markdown
	if req.Params.Format != nil {
		format = *req.Params.Format
	}
	switch format {
	case api.Html:
		page := annualreport.HTML(&r.Content, basePath)
		return reportPage{api.ExportAnnualReport200TexthtmlResponse{Body: strings.NewReader(page), ContentLength: int64(len(page))}}, nil
	case api.Docx:
		var doc bytes.Buffer
		if err := annualreport.Docx(&r.Content, &doc); err != nil {
			return nil, fmt.Errorf("annual report %s as Word: %w", r.ID, err)
		}
		return reportDocument{api.ExportAnnualReport200ApplicationvndOpenxmlformatsOfficedocumentWordprocessingmlDocumentResponse{
			Body: &doc, ContentLength: int64(doc.Len())}, reportFilename(r)}, nil
	}
	md := annualreport.Markdown(&r.Content)
	return reportMarkdown{api.ExportAnnualReport200TextmarkdownResponse{Body: strings.NewReader(md), ContentLength: int64(len(md))}}, nil
}

// reportDocument is the Word document, named for download.
type reportDocument struct {
	api.ExportAnnualReport200ApplicationvndOpenxmlformatsOfficedocumentWordprocessingmlDocumentResponse
	filename string
}

func (d reportDocument) VisitExportAnnualReportResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Disposition", contentDisposition(d.filename))
	return d.ExportAnnualReport200ApplicationvndOpenxmlformatsOfficedocumentWordprocessingmlDocumentResponse.VisitExportAnnualReportResponse(w)
}

// reportFilename is the Word document's name: the report's title.
func reportFilename(r *models.AnnualReport) string { return r.Content.Title + ".docx" }

// reportPage and reportMarkdown say their charset: the report is Chinese.
type (
	reportPage struct {
		api.ExportAnnualReport200TexthtmlResponse
	}
	reportMarkdown struct {
		api.ExportAnnualReport200TextmarkdownResponse
	}
)

func (p reportPage) VisitExportAnnualReportResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(p.ContentLength))
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, p.Body)
	return err
}

func (m reportMarkdown) VisitExportAnnualReportResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(m.ContentLength))
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, m.Body)
	return err
}

// ListAnnualReportVersions implements listAnnualReportVersions.
func (h *AnnualReportHandler) ListAnnualReportVersions(ctx context.Context, req api.ListAnnualReportVersionsRequestObject) (api.ListAnnualReportVersionsResponseObject, error) {
	r, _, err := h.report(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "version", r.ID)
	if err != nil {
		return nil, err
	}
	versions, err := h.store.AnnualReportVersions(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	versions, next := pageOf(versions, page, func(v models.ReportVersion) (string, string) { return fmt.Sprintf("%020d", v.Version), v.ReportID })
	items, err := named(ctx, h.store, pointers(versions), func(v *models.ReportVersion) []models.Actor { return []models.Actor{models.Actor(v.SavedBy)} },
		func(v *models.ReportVersion, names actorNames) api.AnnualReportVersion {
			return api.AnnualReportVersion{Version: v.Version, Part: int32(v.Part), SavedBy: names.actor(models.Actor(v.SavedBy)),
				SavedAt: v.SavedAt.UTC(), Sections: sectionsOut(v.Content.Sections)}
		})
	if err != nil {
		return nil, err
	}
	return api.ListAnnualReportVersions200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// ListAnnualReportDeadlines implements listAnnualReportDeadlines.
func (h *AnnualReportHandler) ListAnnualReportDeadlines(ctx context.Context, req api.ListAnnualReportDeadlinesRequestObject) (api.ListAnnualReportDeadlinesResponseObject, error) {
	q := req.Params
	v, err := newView(ctx, h.store, h.rules)
	if err != nil {
		return nil, err
	}
	asOf := v.today
	if q.AsOf != nil {
		asOf = q.AsOf.String()
	}
	page, digest, err := pageRequest(q.Limit, q.Cursor, "path", fmt.Sprint(q.Year, asOf))
	if err != nil {
		return nil, err
	}
	units, reports, err := h.store.ReportsDue(ctx, authz.SubtreeOf(&v.caller, v.rule), int(q.Year))
	if err != nil {
		return nil, err
	}
	units, next := pageOf(units, page, func(u models.Unit) (string, string) { return u.Path, u.ID })
	items := make([]api.AnnualReportDeadline, len(units))
	for i, u := range units {
		r := reports[u.ID]
		if r != nil && !v.seesAnnualReport(r) {
			r = nil // a key knows of released reports only
		}
		d := models.DueOf(u, r, int(q.Year), asOf)
		items[i] = api.AnnualReportDeadline{UnitId: uuidOf(u.ID), UnitName: u.Name, UnitKind: api.UnitKind(u.Kind),
			SubmitBefore: dateOf(d.SubmitBefore), Submission: api.Timeliness(d.Submission),
			PublishBefore: dateOf(d.PublishBefore), Publication: api.Timeliness(d.Publication)}
		if r != nil {
			items[i].ReportId, items[i].Status = ptr(uuidOf(r.ID)), ptr(api.ReportStatus(r.Status))
			items[i].SubmittedAt, items[i].PublishedAt = utcOrNil(r.SubmittedAt), utcOrNil(r.PublishedAt)
		}
	}
	return api.ListAnnualReportDeadlines200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// pageOf cuts a page out of a list already in the order of key (its sort
// key and id): the items after the page's cursor, up to its limit.
func pageOf[T any](items []T, page paging.Page, key func(T) (string, string)) ([]T, *paging.Cursor) {
	if c := page.After; c != nil {
		items = slices.DeleteFunc(slices.Clone(items), func(t T) bool {
			k, id := key(t)
			return cmp.Or(cmp.Compare(k, c.Key), cmp.Compare(id, c.ID)) <= 0
		})
	}
	limit := cmp.Or(page.Limit, paging.DefaultLimit)
	if len(items) <= limit {
		return items, nil
	}
	items = items[:limit]
	k, id := key(items[limit-1])
	return items, &paging.Cursor{Sort: page.Sort.String(), Key: k, ID: id}
}
