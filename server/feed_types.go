package server

import (
	"context"
	"encoding/json"
	"iter"
	"reflect"
	"slices"
	"strings"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
)

// feedTypes are the record types that leave the city, in the order
// snapshots and exports write them: what the feed serves, snapshots and
// exports hold. Adding a type is adding a line here: register for a record
// with a lifecycle of its own (it implements models.Releasable, so that the
// write path records its feed events; TestFeedCoversReleasableRecords fails
// for a releasable record left out), registerVia for one released with
// others: a part of such a record (also named in the store's feedParts, by
// which its own changes and its parent's release write its events), or a
// record that others' changes alter (a round, by its sheets': the store's
// alsoFeed).
func feedTypes(s *strictServer) []recordType {
	// status: the rows whose status is one of the lifecycle's released
	// states, placed in years as more says.
	status := func(released []string, more models.ReleaseScope) models.ReleaseScope {
		more.StatusColumn, more.Released = "status", released
		return more
	}
	return []recordType{
		register("unit", "单位", models.ReleaseScope{},
			func(u *models.Unit) (string, int64) { return u.ID, u.Version },
			func(_ context.Context, us []*models.Unit) ([]api.Unit, error) { return each(us, unitOut), nil }),
		register("indicator_system", "指标体系", status(models.StatesOf(&models.SystemLifecycle), models.ReleaseScope{YearFrom: "year_from", YearTo: "year_to"}),
			func(r *models.IndicatorSystem) (string, int64) { return r.ID, r.Version },
			func(_ context.Context, ss []*models.IndicatorSystem) ([]api.IndicatorSystem, error) {
				return each(ss, systemOut), nil
			}),
		register("indicator_value", "指标数值", status(models.StatesOf(&models.ValueLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.IndicatorValue) (string, int64) { return r.ID, r.Version },
			func(ctx context.Context, vs []*models.IndicatorValue) ([]api.IndicatorValue, error) {
				return s.ValueHandler.out(ctx, vs...)
			}),
		registerVia("indicator", "指标", models.ReleaseScope{Via: []models.Link{{Table: "indicator_systems", Key: "system_id"}},
			StatusOn: "indicator_systems", StatusColumn: "status", Released: models.StatesOf(&models.SystemLifecycle),
			YearOn: "indicator_systems", YearFrom: "year_from", YearTo: "year_to"},
			func(r *models.Indicator) (string, int64) { return r.ID, r.Version },
			func(_ context.Context, is []*models.Indicator) ([]api.Indicator, error) {
				return each(is, indicatorOut), nil
			}),
		registerVia("target", "目标值", models.ReleaseScope{
			Via:      []models.Link{{Table: "indicators", Key: "indicator_id"}, {Table: "indicator_systems", Key: "system_id"}},
			StatusOn: "indicator_systems", StatusColumn: "status", Released: models.StatesOf(&models.SystemLifecycle), YearColumn: "year"},
			func(r *models.Target) (string, int64) { return r.ID, r.Version },
			func(_ context.Context, ts []*models.Target) ([]api.Target, error) { return each(ts, targetOut), nil }),
		register("evaluation", "考核评价", status(models.StatesOf(&models.EvaluationLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.Evaluation) (string, int64) { return r.ID, r.Version },
			func(ctx context.Context, es []*models.Evaluation) ([]api.Evaluation, error) {
				return s.EvaluationHandler.out(ctx, es...)
			}),
		register("checklist", "清单", status(models.StatesOf(&models.ChecklistLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.Checklist) (string, int64) { return r.ID, r.Version },
			func(ctx context.Context, cs []*models.Checklist) ([]api.Checklist, error) {
				return s.ChecklistHandler.out(ctx, cs...)
			}),
		registerVia("checklist_item", "清单事项", models.ReleaseScope{Via: []models.Link{{Table: "checklists", Key: "checklist_id"}},
			StatusOn: "checklists", StatusColumn: "status", Released: models.StatesOf(&models.ChecklistLifecycle),
			YearOn: "checklists", YearColumn: "year"},
			func(r *models.ChecklistItem) (string, int64) { return r.ID, r.Version },
			func(_ context.Context, is []*models.ChecklistItem) ([]api.ChecklistItem, error) {
				return each(is, itemOut), nil
			}),
		register("checklist_application", "清单适用案件", models.ReleaseScope{PeriodColumn: "case_date"},
			func(r *models.ChecklistApplication) (string, int64) { return r.ID, r.Version },
			s.ChecklistHandler.applicationsOut),
		registerVia("inspection_round", "自查轮次", models.ReleaseScope{Via: []models.Link{{Table: "inspection_sheets", Key: "round_id", Down: true}},
			StatusOn: "inspection_sheets", StatusColumn: "status", Released: models.StatesOf(&models.InspectionLifecycle), PeriodColumn: "deadline"},
			func(r *models.InspectionRound) (string, int64) { return r.ID, r.Version },
			s.InspectionHandler.roundsOut),
		register("inspection_sheet", "自查表", status(models.StatesOf(&models.InspectionLifecycle),
			models.ReleaseScope{Via: []models.Link{{Table: "inspection_rounds", Key: "round_id"}}, YearOn: "inspection_rounds", PeriodColumn: "deadline"}),
			func(r *models.InspectionSheet) (string, int64) { return r.ID, r.Version },
			s.InspectionHandler.sheetsOut),
		register("plan", "工作计划", status(models.StatesOf(&models.PlanLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.Plan) (string, int64) { return r.ID, r.Version },
			s.PlanHandler.plansOut),
		registerVia("plan_task", "计划任务", models.ReleaseScope{Via: []models.Link{{Table: "plans", Key: "plan_id"}},
			StatusOn: "plans", StatusColumn: "status", Released: models.StatesOf(&models.PlanLifecycle), YearOn: "plans", YearColumn: "year"},
			func(r *models.PlanTask) (string, int64) { return r.ID, r.Version },
			s.PlanHandler.feedTasksOut),
		register("progress_report", "任务进展", status(models.StatesOf(&models.ProgressLifecycle), models.ReleaseScope{PeriodColumn: "period"}),
			func(r *models.ProgressReport) (string, int64) { return r.ID, r.Version },
			s.ProgressHandler.reportsOut),
		register("problem", "存在问题", status(models.StatesOf(&models.ProblemLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.Problem) (string, int64) { return r.ID, r.Version },
			s.ProblemHandler.problemsOut),
		register("annual_report", "年度报告", status(models.StatesOf(&models.ReportLifecycle), models.ReleaseScope{YearColumn: "year"}),
			func(r *models.AnnualReport) (string, int64) { return r.ID, r.Version },
			s.AnnualReportHandler.reportsOut),
	}
}

// each converts records one by one.
func each[T, R any](records []*T, out func(*T) R) []R {
	res := make([]R, len(records))
	for i, r := range records {
		res[i] = out(r)
	}
	return res
}

// recordType is one record type of the feed, its model and its rendering
// erased behind functions.
type recordType struct {
	name  string // as the contract's RecordType and the audit log name it
	title string // its sheet in a yearly export
	model string // its model's type name in package models
	scope models.ReleaseScope
	// releasedWith: released with other records (registerVia), not by a
	// state of its own.
	releasedWith bool
	// rendered is the Go type its GET answers with, as the feed renders it.
	rendered reflect.Type
	// columns are the rendered record's fields, in the order its Go type
	// declares them: the columns of its sheet.
	columns []string
	// byID reads records by id and renders those released, by id.
	byID func(ctx context.Context, store FeedStore, ids []string) (map[string]renderedRecord, error)
	// pages reads the released records (of a year, unless zero) through a
	// snapshot, a page at a time, rendered.
	pages func(ctx context.Context, store FeedStore, r models.ReleasedReader, year int) iter.Seq2[[]renderedRecord, error]
}

// renderRecord encodes a record as its GET does, in the same bytes: the
// generated responses use encoding/json, whose Marshal segmentio's matches
// (HTML escaped, map keys sorted, broken UTF-8 replaced;
// TestRecordEncodersAgree and TestFeedMatchesGet compare them). The feed,
// snapshots and exports render every record they serve: encoding/json took
// a third of the feed's CPU, segmentio's takes 1/2 to 1/4 of its time.
// The answers of single requests keep the generated encoding: there the
// encoding is a percent or two of a request, and a page of values encoded
// whole was no faster.
func renderRecord(v any) ([]byte, error) { return fastjson.Marshal(v) }

// renderedRecord is a record as its GET shows it, in JSON.
type renderedRecord struct {
	id      string
	version int64
	body    json.RawMessage
}

// register describes record type T, released by its own state: its name and
// sheet title, which rows are released, its id and version, and the batch
// conversion its GET uses.
func register[T any, P interface {
	*T
	models.Releasable
}, R any](name, title string, scope models.ReleaseScope, key func(*T) (string, int64), render func(context.Context, []*T) ([]R, error)) recordType {
	released := func(_ context.Context, _ FeedStore, rows []T) ([]*T, error) {
		out := make([]*T, 0, len(rows))
		for i := range rows {
			if P(&rows[i]).Released() {
				out = append(out, &rows[i])
			}
		}
		return out, nil
	}
	return newRecordType(name, title, scope, key, released, render)
}

// registerVia describes record type T, released with related records
// (scope.Via: a part with its parent, a round with its sheets): its name
// and sheet title, which rows are released, its id and version, and the
// batch conversion its GET uses.
func registerVia[T, R any](name, title string, scope models.ReleaseScope, key func(*T) (string, int64),
	render func(context.Context, []*T) ([]R, error)) recordType {
	released := func(ctx context.Context, store FeedStore, rows []T) ([]*T, error) {
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i], _ = key(&rows[i])
		}
		in, err := store.ReleasedIDs(ctx, scope, new(T), ids)
		if err != nil {
			return nil, err
		}
		out := make([]*T, 0, len(rows))
		for i := range rows {
			if in[ids[i]] {
				out = append(out, &rows[i])
			}
		}
		return out, nil
	}
	t := newRecordType(name, title, scope, key, released, render)
	t.releasedWith = true
	return t
}

// newRecordType makes a record type of the feed from its model T, which of
// a batch of rows are released, and its rendering R.
func newRecordType[T, R any](name, title string, scope models.ReleaseScope, key func(*T) (string, int64),
	released func(context.Context, FeedStore, []T) ([]*T, error), render func(context.Context, []*T) ([]R, error)) recordType {
	renderAll := func(ctx context.Context, st FeedStore, rows []T) ([]renderedRecord, error) {
		ptrs, err := released(ctx, st, rows)
		if err != nil {
			return nil, err
		}
		out, err := render(ctx, ptrs)
		if err != nil {
			return nil, err
		}
		res := make([]renderedRecord, len(ptrs))
		for i, r := range ptrs {
			body, err := renderRecord(out[i])
			if err != nil {
				return nil, err
			}
			id, version := key(r)
			res[i] = renderedRecord{id: id, version: version, body: body}
		}
		return res, nil
	}
	return recordType{
		name: name, title: title, model: reflect.TypeFor[T]().Name(), scope: scope,
		rendered: reflect.TypeFor[R](), columns: jsonFields(reflect.TypeFor[R]()),
		byID: func(ctx context.Context, store FeedStore, ids []string) (map[string]renderedRecord, error) {
			slices.Sort(ids)
			ids = slices.Compact(ids)
			out := make(map[string]renderedRecord, len(ids))
			for part := range slices.Chunk(ids, recordPage) {
				var rows []T
				if err := store.ReleasedRecords(ctx, &rows, part); err != nil {
					return nil, err
				}
				recs, err := renderAll(ctx, store, rows)
				if err != nil {
					return nil, err
				}
				for _, r := range recs {
					out[r.id] = r
				}
			}
			return out, nil
		},
		pages: func(ctx context.Context, store FeedStore, r models.ReleasedReader, year int) iter.Seq2[[]renderedRecord, error] {
			return func(yield func([]renderedRecord, error) bool) {
				after := ""
				for {
					var rows []T
					if err := r.Released(ctx, scope, year, after, recordPage, &rows); err != nil {
						yield(nil, err)
						return
					}
					if len(rows) == 0 {
						return
					}
					after, _ = key(&rows[len(rows)-1])
					recs, err := renderAll(ctx, store, rows)
					if !yield(recs, err) || err != nil || len(rows) < recordPage {
						return
					}
				}
			}
		},
	}
}

// jsonFields are the JSON names of a struct type's fields: the id first,
// then the others in declaration order (the generated types declare them
// alphabetically).
func jsonFields(t reflect.Type) []string {
	out := []string{"id"}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && name != "id" {
			out = append(out, name)
		}
	}
	return out
}
