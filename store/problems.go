package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Problem records (models.Problem), through the write path of
// store/lifecycle.go; their linked indicators and tasks live in tables of
// their own, written whole with the problem.

func problemNotFound(id string) error { return &models.NotFoundError{Entity: "problem", ID: id} }

func problemSnapshot(p *models.Problem) map[string]any {
	m := map[string]any{"id": p.ID, "unitId": p.UnitID, "year": p.Year, "source": p.Source, "title": p.Title, "detail": p.Detail,
		"category": p.Category, "measures": p.Measures, "status": p.Status, "indicatorIds": p.IndicatorIDs, "taskIds": p.TaskIDs,
		"version": p.Version}
	for k, v := range map[string]*string{"rectificationTaskId": p.RectificationTaskID, "signedOffBy": p.SignedOffBy, "signOffNote": p.SignOffNote} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

func problemChange(before, after *models.Problem) change {
	return snapshotChange("problem", before, after, func(p *models.Problem) (string, *string) { return p.ID, &p.UnitID }, problemSnapshot)
}

// problemModel is how the lifecycle's write path persists problems; their
// links are written by writeProblemLinks.
var problemModel = model[models.Problem]{
	entity: "problem",
	columns: []string{"source", "title", "detail", "category", "measures", "rectification_task_id", "status", "rectifying_since",
		"signed_off_by", "signed_off_at", "sign_off_note", "version", "updated_at"},
	id:      func(p *models.Problem) string { return p.ID },
	version: func(p *models.Problem) *int64 { return &p.Version },
	updated: func(p *models.Problem) *time.Time { return &p.UpdatedAt },
	allows: func(p *models.Problem, move string) error {
		_, err := models.ProblemLifecycle.Check(move, p.ID, p.Status)
		return err
	},
	audit: problemChange,
}

// Rows of a problem's links.
type (
	problemIndicatorRow struct {
		ProblemID   string `gorm:"column:problem_id"`
		IndicatorID string `gorm:"column:indicator_id"`
		Position    int    `gorm:"column:position"`
	}
	problemTaskRow struct {
		ProblemID string `gorm:"column:problem_id"`
		TaskID    string `gorm:"column:task_id"`
		Position  int    `gorm:"column:position"`
	}
)

func (problemIndicatorRow) TableName() string { return "problem_indicators" }
func (problemTaskRow) TableName() string      { return "problem_tasks" }

// writeProblemLinks replaces a problem's links with its own.
func writeProblemLinks(tx *gorm.DB, p *models.Problem) error {
	for _, row := range []any{&problemIndicatorRow{}, &problemTaskRow{}} {
		if err := tx.Where("problem_id = ?", p.ID).Delete(row).Error; err != nil {
			return translate(err)
		}
	}
	indicators := make([]problemIndicatorRow, len(p.IndicatorIDs))
	for i, id := range p.IndicatorIDs {
		indicators[i] = problemIndicatorRow{p.ID, id, i}
	}
	tasks := make([]problemTaskRow, len(p.TaskIDs))
	for i, id := range p.TaskIDs {
		tasks[i] = problemTaskRow{p.ID, id, i}
	}
	if len(indicators) > 0 {
		if err := tx.CreateInBatches(indicators, batchSize).Error; err != nil {
			return translate(err)
		}
	}
	if len(tasks) > 0 {
		if err := tx.CreateInBatches(tasks, batchSize).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// loadProblemLinks fills in the links of problems, in the order they were
// given.
func loadProblemLinks(tx *gorm.DB, problems []models.Problem) error {
	byID := make(map[string]*models.Problem, len(problems))
	ids := make([]string, len(problems))
	for i := range problems {
		p := &problems[i]
		p.IndicatorIDs, p.TaskIDs = []string{}, []string{}
		byID[p.ID], ids[i] = p, p.ID
	}
	for part := range slices.Chunk(ids, batchSize) {
		var is []problemIndicatorRow
		if err := tx.Where("problem_id IN ?", part).Order("problem_id, position").Find(&is).Error; err != nil {
			return translate(err)
		}
		for _, r := range is {
			byID[r.ProblemID].IndicatorIDs = append(byID[r.ProblemID].IndicatorIDs, r.IndicatorID)
		}
		var ts []problemTaskRow
		if err := tx.Where("problem_id IN ?", part).Order("problem_id, position").Find(&ts).Error; err != nil {
			return translate(err)
		}
		for _, r := range ts {
			byID[r.ProblemID].TaskIDs = append(byID[r.ProblemID].TaskIDs, r.TaskID)
		}
	}
	return nil
}

// checkProblemLinks refuses links to what does not exist or is not in
// force: an indicator of a system that is not released, a task (or
// rectification task) of a plan that is not.
func checkProblemLinks(tx *gorm.DB, p *models.Problem) error {
	session := func() *gorm.DB { return tx.Session(&gorm.Session{NewDB: true}) }
	released := func(ids []string, q *gorm.DB) ([]string, error) {
		var found []string
		if len(ids) == 0 {
			return nil, nil
		}
		return found, translate(q.Where("id IN ?", ids).Pluck("id", &found).Error)
	}
	tasksInForce := func() *gorm.DB {
		return session().Model(&models.PlanTask{}).Where("plan_id IN (?)",
			session().Model(&models.Plan{}).Select("id").Where("status IN ?", models.PlanLifecycle.Released))
	}
	var fields []models.FieldError
	indicators, err := released(p.IndicatorIDs, session().Model(&models.Indicator{}).Where("system_id IN (?)",
		session().Model(&models.IndicatorSystem{}).Select("id").Where("status IN ?", models.SystemLifecycle.Released)))
	if err != nil {
		return err
	}
	for i, id := range p.IndicatorIDs {
		if !slices.Contains(indicators, id) {
			fields = append(fields, models.FieldError{Pointer: fmt.Sprintf("/indicatorIds/%d", i), Message: fmt.Sprintf("there is no indicator %s of a published system", id)})
		}
	}
	want := slices.Clone(p.TaskIDs)
	if p.RectificationTaskID != nil {
		want = append(want, *p.RectificationTaskID)
	}
	tasks, err := released(want, tasksInForce())
	if err != nil {
		return err
	}
	for i, id := range p.TaskIDs {
		if !slices.Contains(tasks, id) {
			fields = append(fields, models.FieldError{Pointer: fmt.Sprintf("/taskIds/%d", i), Message: fmt.Sprintf("there is no task %s of a published plan", id)})
		}
	}
	if p.RectificationTaskID != nil && !slices.Contains(tasks, *p.RectificationTaskID) {
		fields = append(fields, models.FieldError{Pointer: "/rectificationTaskId", Message: fmt.Sprintf("there is no task %s of a published plan", *p.RectificationTaskID)})
	}
	if len(fields) > 0 {
		return &models.ValidationError{Code: "problem_invalid", Detail: "the problem's links are not valid", Fields: fields}
	}
	return nil
}

// CreateProblem records a problem of a unit that exists.
func (db *DB) CreateProblem(ctx context.Context, p *models.Problem) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		if err := p.Validate(); err != nil {
			return err
		}
		if err := unitExists(tx, p.UnitID, "problem_invalid", "/unitId"); err != nil {
			return err
		}
		if err := checkProblemLinks(tx, p); err != nil {
			return err
		}
		if p.ID == "" {
			p.ID = NewID()
		}
		p.Version, p.CreatedAt, p.UpdatedAt = 1, at, at
		if err := insert(ctx, db, tx, at, problemModel, []*models.Problem{p}); err != nil {
			return translate(err)
		}
		return writeProblemLinks(tx, p)
	})
	if err != nil {
		return fmt.Errorf("create problem: %w", err)
	}
	return nil
}

// GetProblem reads a problem with its links.
func (db *DB) GetProblem(ctx context.Context, id string) (*models.Problem, error) {
	p, err := find[models.Problem](ctx, db, "problem "+id, problemNotFound(id), "id = ?", id)
	if err != nil {
		return nil, err
	}
	problems := []models.Problem{*p}
	if err := loadProblemLinks(db.gorm.WithContext(ctx), problems); err != nil {
		return nil, fmt.Errorf("problem %s: %w", id, err)
	}
	return &problems[0], nil
}

// ListProblems reads a page of problems with their links, newest first.
func (db *DB) ListProblems(ctx context.Context, f models.ProblemFilter, page paging.Page) ([]models.Problem, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	fresh := func() *gorm.DB { return g.Session(&gorm.Session{NewDB: true}) }
	q := g.Model(&models.Problem{})
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.ProblemLifecycle.Released)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		units := fresh().Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		if f.ReleasedEverywhere {
			q = q.Where("(unit_id IN (?) OR status IN ?)", units, models.ProblemLifecycle.Released)
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
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.TaskID != "" {
		q = q.Where("(rectification_task_id = ? OR id IN (?))", f.TaskID, fresh().Model(&problemTaskRow{}).Select("problem_id").Where("task_id = ?", f.TaskID))
	}
	if f.IndicatorID != "" {
		q = q.Where("id IN (?)", fresh().Model(&problemIndicatorRow{}).Select("problem_id").Where("indicator_id = ?", f.IndicatorID))
	}
	page.Sort = paging.ParseSort("-createdAt")
	rows, next, err := keysetPage(q, "created_at", false, page, parseInstant,
		func(p *models.Problem) string { return instant(p.CreatedAt) }, func(p *models.Problem) string { return p.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list problems: %w", err)
	}
	if err := loadProblemLinks(g, rows); err != nil {
		return nil, nil, fmt.Errorf("list problems: %w", err)
	}
	return rows, next, nil
}

// lockProblem locks a problem at the version the client read, in a state
// that allows move, with its links.
func lockProblem(db *DB, tx *gorm.DB, id string, ifVersion *int64, move string) (*models.Problem, error) {
	p, err := lockOne(db, tx, problemModel, target{id: id, move: move, ifVersion: ifVersion})
	if err != nil {
		return nil, err
	}
	problems := []models.Problem{*p}
	if err := loadProblemLinks(tx, problems); err != nil {
		return nil, err
	}
	return &problems[0], nil
}

// ChangeProblem applies a change to a problem (its Apply, Rectify or
// SignOff) and writes it with its links; apply learns how many files of
// evidence the problem has.
func (db *DB) ChangeProblem(ctx context.Context, id string, ifVersion *int64, apply func(p *models.Problem, at time.Time, evidence int) error) (*models.Problem, error) {
	var out *models.Problem
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		p, err := lockProblem(db, tx, id, ifVersion, "")
		if err != nil {
			return err
		}
		before := *p
		before.IndicatorIDs, before.TaskIDs = slices.Clone(p.IndicatorIDs), slices.Clone(p.TaskIDs)
		evidence, err := countEvidence(tx, models.EvidenceOfProblem, id)
		if err != nil {
			return err
		}
		if err := apply(p, at, evidence); err != nil {
			return err
		}
		if err := checkProblemLinks(tx, p); err != nil {
			return err
		}
		if err := save(ctx, db, tx, at, problemModel, []models.Problem{before}, []*models.Problem{p}); err != nil {
			return err
		}
		out = p
		return writeProblemLinks(tx, p)
	})
	if err != nil {
		return nil, fmt.Errorf("change problem %s: %w", id, err)
	}
	return out, nil
}

// DeleteProblem deletes an open problem with its links and evidence
// records.
func (db *DB) DeleteProblem(ctx context.Context, id string, ifVersion *int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		p, err := lockProblem(db, tx, id, ifVersion, models.MoveDelete)
		if err != nil {
			return err
		}
		for _, row := range []any{&problemIndicatorRow{}, &problemTaskRow{}} {
			if err := tx.Where("problem_id = ?", id).Delete(row).Error; err != nil {
				return translate(err)
			}
		}
		if err := tx.Where("record_type = ? AND record_id = ?", models.EvidenceOfProblem, id).Delete(&models.Evidence{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Delete(&models.Problem{}, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, problemChange(p, nil))
	})
	if err != nil {
		return fmt.Errorf("delete problem %s: %w", id, err)
	}
	return nil
}
