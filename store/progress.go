package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Progress reports on plan tasks (models.ProgressReport), through the write
// path of store/lifecycle.go, and the progress of tasks rolled up from the
// accepted ones.

func progressNotFound(id string) error {
	return &models.NotFoundError{Entity: "progress report", ID: id}
}

func progressSnapshot(r *models.ProgressReport) map[string]any {
	m := map[string]any{"id": r.ID, "taskId": r.TaskID, "unitId": r.UnitID, "period": r.Period, "content": r.Content,
		"percent": r.Percent, "problems": r.Problems, "nextSteps": r.NextSteps, "status": r.Status, "version": r.Version}
	for k, v := range map[string]*string{"submittedBy": r.SubmittedBy, "reviewedBy": r.ReviewedBy, "returnReason": r.ReturnReason} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

// progressChange is a report's audit event, under the reporting unit.
// progressChange is a report's audit event. An accepted report's change
// alters its task as the feed renders it (its progress).
func progressChange(before, after *models.ProgressReport) change {
	c := snapshotChange("progress_report", before, after,
		func(r *models.ProgressReport) (string, *string) { return r.ID, &r.UnitID }, progressSnapshot)
	c.alsoFeed = []feedRef{{"plan_task", cmp.Or(after, before).TaskID}}
	return c
}

// progressModel is how the lifecycle's write path persists reports.
var progressModel = model[models.ProgressReport]{
	entity: "progress report",
	columns: []string{"content", "percent", "problems", "next_steps", "status", "submitted_by", "submitted_at", "reviewed_by",
		"reviewed_at", "return_reason", "version", "updated_at"},
	id:      func(r *models.ProgressReport) string { return r.ID },
	version: func(r *models.ProgressReport) *int64 { return &r.Version },
	updated: func(r *models.ProgressReport) *time.Time { return &r.UpdatedAt },
	allows: func(r *models.ProgressReport, move string) error {
		_, err := models.ProgressLifecycle.Check(move, r.ID, r.Status)
		return err
	},
	audit: progressChange,
}

// CreateProgressReport writes a unit's draft report on a task of a
// published plan: the unit leads the task or cooperates on it, and has no
// report for the period yet.
func (db *DB) CreateProgressReport(ctx context.Context, r *models.ProgressReport) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		t, p, err := lockTask(db, tx, r.TaskID, nil, models.MoveWork)
		if err != nil {
			return err
		}
		r.PlanID = p.ID
		if err := t.ReportsOn(r.UnitID); err != nil {
			return err
		}
		if err := r.Validate(p.Year); err != nil {
			return err
		}
		if r.ID == "" {
			r.ID = NewID()
		}
		r.Version, r.CreatedAt, r.UpdatedAt = 1, at, at
		if err := insert(ctx, db, tx, at, progressModel, []*models.ProgressReport{r}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "progress_period_taken",
					Detail: fmt.Sprintf("unit %s has reported on task %s for %s already: change that report instead", r.UnitID, t.Number, r.Period)}
			}
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create progress report on task %s: %w", r.TaskID, err)
	}
	return nil
}

// GetProgressReport reads a report with its task (and the task's units)
// and plan.
func (db *DB) GetProgressReport(ctx context.Context, id string) (*models.ProgressReport, *models.PlanTask, *models.Plan, error) {
	r, err := find[models.ProgressReport](ctx, db, "progress report "+id, progressNotFound(id), "id = ?", id)
	if err != nil {
		return nil, nil, nil, err
	}
	t, p, err := db.GetPlanTask(ctx, r.TaskID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("progress report %s: %w", id, err)
	}
	r.PlanID = t.PlanID
	return r, t, p, nil
}

// ListProgressReports reads a page of reports, newest first: those of the
// plans the filter's caller sees, and within them the released ones, or
// those of a unit or plan of the caller's subtree.
func (db *DB) ListProgressReports(ctx context.Context, f models.ProgressFilter, page paging.Page) ([]models.ProgressReport, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	fresh := func() *gorm.DB { return g.Session(&gorm.Session{NewDB: true}) }
	plans := visiblePlans(fresh().Model(&models.Plan{}).Select("id"), g, "", false, f.ReleasedOnly)
	q := g.Model(&models.ProgressReport{})
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.ProgressLifecycle.Released)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		units := fresh().Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		own := fresh().Model(&models.PlanTask{}).Select("id").Where("plan_id IN (?)", fresh().Model(&models.Plan{}).Select("id").Where("unit_id IN (?)", units))
		cond := "(unit_id IN (?) OR task_id IN (?))"
		args := []any{units, own}
		if f.ReleasedEverywhere {
			cond = "(unit_id IN (?) OR task_id IN (?) OR status IN ?)"
			args = append(args, models.ProgressLifecycle.Released)
		}
		q = q.Where(cond, args...)
	}
	tasks := fresh().Model(&models.PlanTask{}).Select("id").Where("plan_id IN (?)", plans)
	if f.PlanID != "" {
		tasks = tasks.Where("plan_id = ?", f.PlanID)
	}
	q = q.Where("task_id IN (?)", tasks)
	if f.TaskID != "" {
		q = q.Where("task_id = ?", f.TaskID)
	}
	if f.UnitID != "" {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Period != "" {
		q = q.Where("period = ?", f.Period)
	}
	page.Sort = paging.ParseSort("-createdAt")
	rows, next, err := keysetPage(q, "created_at", false, page, parseInstant,
		func(r *models.ProgressReport) string { return instant(r.CreatedAt) }, func(r *models.ProgressReport) string { return r.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list progress reports: %w", err)
	}
	if err := fillReportPlans(g, rows); err != nil {
		return nil, nil, fmt.Errorf("list progress reports: %w", err)
	}
	return rows, next, nil
}

// fillReportPlans sets the plan of each report, from its task.
func fillReportPlans(tx *gorm.DB, reports []models.ProgressReport) error {
	var taskIDs []string
	for _, r := range reports {
		if !slices.Contains(taskIDs, r.TaskID) {
			taskIDs = append(taskIDs, r.TaskID)
		}
	}
	plans := make(map[string]string, len(taskIDs))
	for part := range slices.Chunk(taskIDs, batchSize) {
		var tasks []models.PlanTask
		if err := tx.Select("id", "plan_id").Where("id IN ?", part).Find(&tasks).Error; err != nil {
			return translate(err)
		}
		for _, t := range tasks {
			plans[t.ID] = t.PlanID
		}
	}
	for i := range reports {
		reports[i].PlanID = plans[reports[i].TaskID]
	}
	return nil
}

// lockReport locks a report at the version the client read and in a state
// that allows move, then its task and the task's plan for the plan's move
// planMove (none: the plan is read, not locked).
func lockReport(db *DB, tx *gorm.DB, id string, ifVersion *int64, move, planMove string) (*models.ProgressReport, *models.PlanTask, *models.Plan, error) {
	r, err := lockOne(db, tx, progressModel, target{id: id, move: move, ifVersion: ifVersion})
	if err != nil {
		return nil, nil, nil, err
	}
	t, p, err := lockTask(db, tx, r.TaskID, nil, planMove)
	if err != nil {
		return nil, nil, nil, err
	}
	r.PlanID = p.ID
	return r, t, p, nil
}

// UpdateProgressReport changes a report its unit is writing, on a task of
// a published plan.
func (db *DB) UpdateProgressReport(ctx context.Context, id string, ifVersion *int64, patch models.ProgressPatch) (*models.ProgressReport, error) {
	var out *models.ProgressReport
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, _, p, err := lockReport(db, tx, id, ifVersion, "", models.MoveWork)
		if err != nil {
			return err
		}
		before := *r
		if err := r.Apply(patch, p.Year); err != nil {
			return err
		}
		out = r
		return save(ctx, db, tx, at, progressModel, []models.ProgressReport{before}, []*models.ProgressReport{r})
	})
	if err != nil {
		return nil, fmt.Errorf("update progress report %s: %w", id, err)
	}
	return out, nil
}

// DeleteProgressReport deletes a draft report with its evidence records
// (the files stay in the blob store, as other evidence does).
func (db *DB) DeleteProgressReport(ctx context.Context, id string, ifVersion *int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, err := lockOne(db, tx, progressModel, target{id: id, move: models.MoveDelete, ifVersion: ifVersion})
		if err != nil {
			return err
		}
		if err := tx.Where("record_type = ? AND record_id = ?", models.EvidenceOfProgress, id).Delete(&models.Evidence{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Delete(&models.ProgressReport{}, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, progressChange(r, nil))
	})
	if err != nil {
		return fmt.Errorf("delete progress report %s: %w", id, err)
	}
	return nil
}

// SubmitProgressReport sends a report on a task of a published plan to
// the city office.
func (db *DB) SubmitProgressReport(ctx context.Context, id string, by models.Actor) (*models.ProgressReport, error) {
	var out *models.ProgressReport
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, _, _, err := lockReport(db, tx, id, nil, "", models.MoveWork)
		if err != nil {
			return err
		}
		before := *r
		if err := r.Submit(by, at); err != nil {
			return err
		}
		out = r
		return save(ctx, db, tx, at, progressModel, []models.ProgressReport{before}, []*models.ProgressReport{r})
	})
	if err != nil {
		return nil, fmt.Errorf("submit progress report %s: %w", id, err)
	}
	return out, nil
}

// ReviewProgressReport accepts or returns a submitted report (apply is
// the report's method). Accepting progress on a task not started, of a
// plan in force, starts the task: the work has begun.
func (db *DB) ReviewProgressReport(ctx context.Context, id string, apply func(r *models.ProgressReport, at time.Time) error) (*models.ProgressReport, error) {
	var out *models.ProgressReport
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, err := lockOne(db, tx, progressModel, target{id: id})
		if err != nil {
			return err
		}
		t, err := lockOne(db, tx, taskModel, target{id: r.TaskID})
		if err != nil {
			return err
		}
		r.PlanID = t.PlanID
		before := *r
		if err := apply(r, at); err != nil {
			return err
		}
		if err := save(ctx, db, tx, at, progressModel, []models.ProgressReport{before}, []*models.ProgressReport{r}); err != nil {
			return err
		}
		out = r
		if r.Status != models.ProgressAccepted || r.Percent == 0 || t.Status != models.TaskNotStarted {
			return nil
		}
		var p models.Plan
		if err := tx.Where("id = ?", t.PlanID).Take(&p).Error; err != nil {
			return translate(err)
		}
		if _, err := models.PlanLifecycle.Check(models.MoveWork, p.ID, p.Status); err != nil {
			return nil // a closed plan's tasks stay as the year left them
		}
		tasks := []models.PlanTask{*t}
		if err := loadTaskLinks(tx, tasks); err != nil {
			return err
		}
		started := cloneTask(&tasks[0])
		if err := started.Start(); err != nil {
			return err
		}
		return save(ctx, db, tx, at, taskModel, []models.PlanTask{tasks[0]}, []*models.PlanTask{&started})
	})
	if err != nil {
		return nil, fmt.Errorf("review progress report %s: %w", id, err)
	}
	return out, nil
}

// subtaskOutlines reads what a roll-up needs of every task below these
// ones, at any depth (id, plan, number and status): a range of the index on
// tree_key each, in one statement for up to batchSize tasks. Reading the
// outlines of their whole plans instead cost a third of a task list's CPU
// (1,000 rows for a page of 50 tasks) and grew with the plan.
func (db *DB) subtaskOutlines(ctx context.Context, tasks []*models.PlanTask) ([]models.PlanTask, error) {
	var out []models.PlanTask
	for part := range slices.Chunk(tasks, batchSize) {
		var where strings.Builder
		args := make([]any, 0, 2*len(part))
		for i, t := range part {
			if i > 0 {
				where.WriteString(" OR ")
			}
			where.WriteString("(tree_key > ? AND tree_key < ?)")
			from, to := t.SubtreeKeys()
			args = append(args, from, to)
		}
		rows, err := db.query(ctx, "SELECT id, plan_id, number, status FROM plan_tasks WHERE "+where.String(), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t models.PlanTask
			if err := rows.Scan(&t.ID, &t.PlanID, &t.Number, &t.Status); err != nil {
				_ = rows.Close()
				return nil, err
			}
			out = append(out, t)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TaskProgress rolls up the progress of the tasks (models.RollUpProgress)
// from the latest accepted report of each of their units, by task id. The
// tasks come with their units (as a list reads them); a section's progress
// is its subtasks', which are read too, whatever page they are on.
func (db *DB) TaskProgress(ctx context.Context, tasks []*models.PlanTask) (map[string]int, error) {
	if len(tasks) == 0 {
		return map[string]int{}, nil
	}
	// The tasks asked for and every task below them (four short columns
	// of each), then the units and accepted reports of those only.
	g := db.gorm.WithContext(ctx)
	subtasks, err := db.subtaskOutlines(ctx, tasks)
	if err != nil {
		return nil, fmt.Errorf("progress of tasks: %w", translate(err))
	}
	given := make(map[string]*models.PlanTask, len(tasks))
	needed := make([]models.PlanTask, 0, len(tasks)+len(subtasks))
	for _, t := range tasks {
		if _, twice := given[t.ID]; !twice {
			given[t.ID] = t
			needed = append(needed, models.PlanTask{ID: t.ID, PlanID: t.PlanID, Number: t.Number, Status: t.Status})
		}
	}
	seen := make(map[string]bool, len(subtasks))
	for _, t := range subtasks {
		// A subtask on the page is there already; one below two sections
		// asked for in different statements comes twice.
		if given[t.ID] == nil && !seen[t.ID] {
			seen[t.ID] = true
			needed = append(needed, t)
		}
	}
	var unread []string // the subtasks' units are not loaded yet
	for i := range needed {
		t := &needed[i]
		if g, ok := given[t.ID]; ok {
			t.LeadUnitIDs, t.CooperatingUnitIDs = g.LeadUnitIDs, g.CooperatingUnitIDs
		} else {
			unread = append(unread, t.ID)
		}
	}
	units, err := findIn[taskUnitRow](unread, func(ids []string) *gorm.DB { return g.Where("task_id IN ?", ids) })
	if err != nil {
		return nil, fmt.Errorf("progress of tasks: %w", err)
	}
	byID := make(map[string]*models.PlanTask, len(needed))
	ids := make([]string, len(needed))
	for i := range needed {
		byID[needed[i].ID], ids[i] = &needed[i], needed[i].ID
	}
	for _, u := range units {
		t := byID[u.TaskID]
		if u.Role == string(models.TaskLead) {
			t.LeadUnitIDs = append(t.LeadUnitIDs, u.UnitID)
		} else {
			t.CooperatingUnitIDs = append(t.CooperatingUnitIDs, u.UnitID)
		}
	}
	accepted, err := findIn[models.ProgressReport](ids, func(ids []string) *gorm.DB {
		return g.Select("task_id", "unit_id", "percent", "period_end", "reviewed_at", "id").
			Where("task_id IN ? AND status IN ?", ids, models.ProgressLifecycle.Released)
	})
	if err != nil {
		return nil, fmt.Errorf("progress of tasks: %w", err)
	}
	// The latest report of a unit is the one whose period ends last; of
	// reports on the same period end, the one accepted last.
	slices.SortFunc(accepted, func(a, b models.ProgressReport) int {
		return cmp.Or(cmp.Compare(a.PeriodEnd, b.PeriodEnd), a.ReviewedAt.Compare(*b.ReviewedAt), cmp.Compare(a.ID, b.ID))
	})
	latest := map[[2]string]int{}
	for _, r := range accepted {
		latest[[2]string{r.TaskID, r.UnitID}] = r.Percent
	}
	progress := make([]models.UnitProgress, 0, len(latest))
	for k, percent := range latest {
		progress = append(progress, models.UnitProgress{TaskID: k[0], UnitID: k[1], Percent: percent})
	}
	return models.RollUpProgress(needed, progress), nil
}
