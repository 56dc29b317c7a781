package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/annualreport"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Annual reports (models.AnnualReport), through the write path of
// store/lifecycle.go; each text saved is kept in annual_report_versions.
// The records a report is drafted from are read here (reportRecords) and
// written into prose by package annualreport.

func reportNotFound(id string) error { return &models.NotFoundError{Entity: "annual report", ID: id} }

func reportSnapshot(r *models.AnnualReport) map[string]any {
	m := map[string]any{"id": r.ID, "unitId": r.UnitID, "year": r.Year, "status": r.Status, "title": r.Content.Title, "version": r.Version}
	for k, v := range map[string]*string{"signedOffBy": r.SignedOffBy, "submittedBy": r.SubmittedBy, "publishedBy": r.PublishedBy} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

func reportChange(before, after *models.AnnualReport) change {
	return snapshotChange("annual_report", before, after, func(r *models.AnnualReport) (string, *string) { return r.ID, &r.UnitID }, reportSnapshot)
}

// reportModel is how the lifecycle's write path persists reports.
var reportModel = model[models.AnnualReport]{
	entity: "annual report",
	columns: []string{"status", "content", "signed_off_by", "signed_off_at", "submitted_by", "submitted_at", "published_by", "published_at",
		"version", "updated_at"},
	id:      func(r *models.AnnualReport) string { return r.ID },
	version: func(r *models.AnnualReport) *int64 { return &r.Version },
	updated: func(r *models.AnnualReport) *time.Time { return &r.UpdatedAt },
	allows: func(r *models.AnnualReport, move string) error {
		_, err := models.ReportLifecycle.Check(move, r.ID, r.Status)
		return err
	},
	audit: reportChange,
}

// DraftAnnualReport drafts a report from the records of its unit and
// source units, and keeps the draft as version 1.
func (db *DB) DraftAnnualReport(ctx context.Context, d models.ReportToDraft, by models.Actor) (*models.AnnualReport, error) {
	unitID, year, sourceUnitIDs := d.UnitID, d.Year, slices.Clone(d.SourceUnitIDs)
	var out *models.AnnualReport
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var unit models.Unit
		err := tx.Where("id = ?", unitID).Take(&unit).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Invalid("report_invalid", "/unitId", "there is no unit %s", unitID)
		}
		if err != nil {
			return translate(err)
		}
		if !slices.Contains(sourceUnitIDs, unitID) {
			sourceUnitIDs = append([]string{unitID}, sourceUnitIDs...)
		}
		for i, id := range sourceUnitIDs {
			if err := unitExists(tx, id, "report_invalid", fmt.Sprintf("/sourceUnitIds/%d", i)); err != nil {
				return err
			}
		}
		records, err := reportRecords(tx, unit, sourceUnitIDs, year)
		if err != nil {
			return err
		}
		id := d.ID
		if id == "" {
			id = NewID()
		}
		r := models.NewAnnualReport(id, unitID, year, annualreport.Draft(records), by)
		r.SampleData, r.Version, r.CreatedAt, r.UpdatedAt = d.Sample, 1, at, at
		if err := insert(ctx, db, tx, at, reportModel, []*models.AnnualReport{r}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "report_exists",
					Detail: fmt.Sprintf("unit %s has a report of %d already: edit it, or delete the draft first", unitID, year)}
			}
			return err
		}
		out = r
		return translate(tx.Create(&models.ReportVersion{ReportID: r.ID, Version: 1, Content: r.Content, SavedBy: string(by), SavedAt: at}).Error)
	})
	if err != nil {
		return nil, fmt.Errorf("draft the annual report of unit %s for %d: %w", unitID, year, err)
	}
	return out, nil
}

// GetAnnualReport reads a report.
func (db *DB) GetAnnualReport(ctx context.Context, id string) (*models.AnnualReport, error) {
	return find[models.AnnualReport](ctx, db, "annual report "+id, reportNotFound(id), "id = ?", id)
}

// AnnualReportVersions reads the saved texts of a report, oldest first.
func (db *DB) AnnualReportVersions(ctx context.Context, id string) ([]models.ReportVersion, error) {
	var out []models.ReportVersion
	if err := db.gorm.WithContext(ctx).Where("report_id = ?", id).Order("version").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("versions of annual report %s: %w", id, translate(err))
	}
	return out, nil
}

// ListAnnualReports reads a page of reports, newest first.
func (db *DB) ListAnnualReports(ctx context.Context, f models.AnnualReportFilter, page paging.Page) ([]models.AnnualReport, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	q := g.Model(&models.AnnualReport{})
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.ReportLifecycle.Released)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		units := g.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		if f.ReleasedEverywhere {
			q = q.Where("(unit_id IN (?) OR status IN ?)", units, models.ReportLifecycle.Released)
		} else {
			q = q.Where("unit_id IN (?)", units)
		}
	}
	if f.UnitID != "" {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	page.Sort = paging.ParseSort("-createdAt")
	rows, next, err := keysetPage(q, "created_at", false, page, parseInstant,
		func(r *models.AnnualReport) string { return instant(r.CreatedAt) }, func(r *models.AnnualReport) string { return r.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list annual reports: %w", err)
	}
	return rows, next, nil
}

// EditAnnualReport saves the office's text of one part of a draft and
// keeps it as a new version.
func (db *DB) EditAnnualReport(ctx context.Context, id string, ifVersion *int64, part int, paragraphs []models.ReportParagraph, by models.Actor) (*models.AnnualReport, error) {
	var out *models.AnnualReport
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, err := lockOne(db, tx, reportModel, target{id: id, ifVersion: ifVersion})
		if err != nil {
			return err
		}
		before := *r
		if err := r.EditSection(part, paragraphs); err != nil {
			return err
		}
		if err := save(ctx, db, tx, at, reportModel, []models.AnnualReport{before}, []*models.AnnualReport{r}); err != nil {
			return err
		}
		out = r
		return translate(tx.Create(&models.ReportVersion{ReportID: r.ID, Version: r.Version, Part: part, Content: r.Content, SavedBy: string(by), SavedAt: at}).Error)
	})
	if err != nil {
		return nil, fmt.Errorf("edit annual report %s: %w", id, err)
	}
	return out, nil
}

// MoveAnnualReport moves a report on with one of its methods (SignOff,
// Reopen, Submit, Publish).
func (db *DB) MoveAnnualReport(ctx context.Context, id string, apply func(r *models.AnnualReport, at time.Time) error) (*models.AnnualReport, error) {
	r, err := changeOne(ctx, db, reportModel, target{id: id}, func(_ *gorm.DB, at time.Time, r *models.AnnualReport) error { return apply(r, at) })
	if err != nil {
		return nil, fmt.Errorf("move annual report %s: %w", id, err)
	}
	return r, nil
}

// DeleteAnnualReport deletes a draft with its versions.
func (db *DB) DeleteAnnualReport(ctx context.Context, id string, ifVersion *int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, err := lockOne(db, tx, reportModel, target{id: id, move: models.MoveDelete, ifVersion: ifVersion})
		if err != nil {
			return err
		}
		if err := tx.Where("report_id = ?", id).Delete(&models.ReportVersion{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Delete(&models.AnnualReport{}, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, reportChange(r, nil))
	})
	if err != nil {
		return fmt.Errorf("delete annual report %s: %w", id, err)
	}
	return nil
}

// ReportsDue reads the units of the reporting kinds in the subtree at
// unitPath (every unit when empty) and their reports of year, by unit.
func (db *DB) ReportsDue(ctx context.Context, unitPath string, year int) ([]models.Unit, map[string]*models.AnnualReport, error) {
	g := db.gorm.WithContext(ctx)
	q := g.Where("kind IN ?", models.ReportingKinds)
	if unitPath != "" {
		lo, hi := subtreeRange(unitPath)
		q = q.Where("path >= ? AND path < ?", lo, hi)
	}
	var units []models.Unit
	if err := q.Order("path").Find(&units).Error; err != nil {
		return nil, nil, fmt.Errorf("units due to report: %w", translate(err))
	}
	var reports []models.AnnualReport
	if err := g.Omit("content").Where("year = ?", year).Find(&reports).Error; err != nil {
		return nil, nil, fmt.Errorf("reports of %d: %w", year, translate(err))
	}
	byUnit := make(map[string]*models.AnnualReport, len(reports))
	for i := range reports {
		byUnit[reports[i].UnitID] = &reports[i]
	}
	return units, byUnit, nil
}

// reportRecords reads what the report of unit for year is drafted from:
// the released plans of the year and the next of the source units with
// their tasks, the accepted progress on those tasks, the source units'
// approved values and problems of the year, and the lists the tasks name.
func reportRecords(tx *gorm.DB, unit models.Unit, sourceUnitIDs []string, year int) (annualreport.Records, error) {
	r := annualreport.Records{UnitName: unit.Name, Year: year}
	fresh := func() *gorm.DB { return tx.Session(&gorm.Session{NewDB: true}) }
	tasksOf := func(y int) ([]models.PlanTask, error) {
		var tasks []models.PlanTask
		plans := fresh().Model(&models.Plan{}).Select("id").
			Where("unit_id IN ? AND year = ? AND status IN ?", sourceUnitIDs, y, models.PlanLifecycle.Released)
		if err := fresh().Where("plan_id IN (?)", plans).Order("tree_key").Find(&tasks).Error; err != nil {
			return nil, translate(err)
		}
		return tasks, loadTaskLinks(fresh(), tasks)
	}
	tasks, err := tasksOf(year)
	if err != nil {
		return r, err
	}
	next, err := tasksOf(year + 1)
	if err != nil {
		return r, err
	}
	linked := map[string]bool{}
	taskIDs := make([]string, len(tasks))
	for i, t := range tasks {
		taskIDs[i] = t.ID
		r.Tasks = append(r.Tasks, annualreport.Task{ID: t.ID, Number: t.Number, Title: t.Title, Content: t.Content,
			Completed: t.Status == models.TaskCompleted, IndicatorIDs: t.IndicatorIDs, ChecklistIDs: t.ChecklistIDs})
		for _, id := range t.ChecklistIDs {
			linked[id] = true
		}
	}
	for _, t := range next {
		r.NextTasks = append(r.NextTasks, annualreport.Task{ID: t.ID, Number: t.Number, Title: t.Title, Content: t.Content})
	}
	if len(taskIDs) > 0 {
		var progress []models.ProgressReport
		if err := fresh().Where("task_id IN ? AND status IN ?", taskIDs, models.ProgressLifecycle.Released).
			Order("period_end, reviewed_at, id").Find(&progress).Error; err != nil {
			return r, translate(err)
		}
		for _, p := range progress {
			r.Progress = append(r.Progress, annualreport.Progress{ID: p.ID, TaskID: p.TaskID, Content: p.Content})
		}
	}
	if r.Values, err = approvedValues(fresh, sourceUnitIDs, year); err != nil {
		return r, err
	}
	var problems []models.Problem
	if err := fresh().Where("unit_id IN ? AND year = ?", sourceUnitIDs, year).Order("created_at, id").Find(&problems).Error; err != nil {
		return r, translate(err)
	}
	for _, p := range problems {
		r.Problems = append(r.Problems, annualreport.Problem{ID: p.ID, Title: p.Title, Detail: p.Detail})
	}
	for id := range linked {
		l, err := checklistFigures(fresh, id, year)
		if err != nil {
			return r, err
		}
		r.Checklists = append(r.Checklists, l)
	}
	slices.SortFunc(r.Checklists, func(a, b annualreport.Checklist) int { return cmp.Compare(a.ID, b.ID) })
	return r, nil
}

// approvedValues are the approved (or locked) values of the units for the
// year, in the order of their systems' indicator trees, each with its
// indicator's name and unit and the name of its top-level area.
func approvedValues(fresh func() *gorm.DB, unitIDs []string, year int) ([]annualreport.Value, error) {
	var values []models.IndicatorValue
	if err := fresh().Where("unit_id IN ? AND period = ? AND status IN ?", unitIDs, fmt.Sprint(year), models.ValueLifecycle.Released).
		Find(&values).Error; err != nil {
		return nil, translate(err)
	}
	var indIDs []string
	for _, v := range values {
		indIDs = append(indIDs, v.IndicatorID)
	}
	var systemIDs []string
	if len(indIDs) > 0 {
		if err := fresh().Model(&models.Indicator{}).Distinct("system_id").Where("id IN ?", indIDs).Pluck("system_id", &systemIDs).Error; err != nil {
			return nil, translate(err)
		}
	}
	slices.Sort(systemIDs)
	order := map[string]int{}
	indicators := map[string]models.Indicator{}
	for _, sys := range systemIDs {
		tree, err := loadIndicators(fresh(), sys)
		if err != nil {
			return nil, err
		}
		for _, ind := range tree {
			order[ind.ID] = len(order)
			indicators[ind.ID] = ind
		}
	}
	slices.SortFunc(values, func(a, b models.IndicatorValue) int { return order[a.IndicatorID] - order[b.IndicatorID] })
	// Each indicator's target of the year: the unit's own, else the one
	// set for every unit.
	targets := map[string]string{}
	if len(indIDs) > 0 {
		var rows []models.Target
		if err := fresh().Where("indicator_id IN ? AND year = ? AND unit_key IN ?", indIDs, year, append(slices.Clone(unitIDs), models.DefaultTargetUnit)).
			Order("unit_key").Find(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, t := range rows {
			if _, own := targets[t.IndicatorID]; !own || t.UnitKey != models.DefaultTargetUnit {
				targets[t.IndicatorID] = t.Value.String()
			}
		}
	}
	out := make([]annualreport.Value, 0, len(values))
	for _, v := range values {
		ind := indicators[v.IndicatorID]
		area := ind
		for area.ParentID != nil {
			area = indicators[*area.ParentID]
		}
		out = append(out, annualreport.Value{ID: v.ID, IndicatorID: ind.ID, IndicatorName: ind.Name, Area: area.Name,
			Value: valueText(v), MeasureUnit: textOf(ind.MeasureUnit), RawText: textOf(v.RawText), Target: targets[ind.ID]})
	}
	return out, nil
}

func valueText(v models.IndicatorValue) string {
	if v.Value == nil {
		return ""
	}
	return v.Value.String()
}

func textOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checklistFigures counts a list's items, the units that implement them,
// and the cases of the year in which they were applied.
func checklistFigures(fresh func() *gorm.DB, id string, year int) (annualreport.Checklist, error) {
	var c models.Checklist
	if err := fresh().Where("id = ?", id).Take(&c).Error; err != nil {
		return annualreport.Checklist{}, translate(err)
	}
	var items, units, cases int64
	if err := fresh().Model(&models.ChecklistItem{}).Where("checklist_id = ?", id).Count(&items).Error; err != nil {
		return annualreport.Checklist{}, translate(err)
	}
	if err := fresh().Model(&models.ChecklistItem{}).Where("checklist_id = ? AND implementing_unit_id IS NOT NULL", id).
		Distinct("implementing_unit_id").Count(&units).Error; err != nil {
		return annualreport.Checklist{}, translate(err)
	}
	if err := fresh().Model(&models.ChecklistApplication{}).Where("checklist_id = ? AND case_date >= ? AND case_date <= ?", id,
		fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)).Count(&cases).Error; err != nil {
		return annualreport.Checklist{}, translate(err)
	}
	return annualreport.Checklist{ID: id, Title: c.Title, Items: int(items), Units: int(units), Application: int(cases)}, nil
}
