package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Yearly work plans and their tasks (models.Plan, models.PlanTask): both
// lifecycles go through the write path of store/lifecycle.go. A task's
// units and links live in tables of their own, written whole with the task
// and read back for each page of tasks in one query per table.

func planNotFound(id string) error { return &models.NotFoundError{Entity: "plan", ID: id} }
func taskNotFound(id string) error { return &models.NotFoundError{Entity: "task", ID: id} }

func planSnapshot(p *models.Plan) map[string]any {
	m := map[string]any{"id": p.ID, "unitId": p.UnitID, "year": p.Year, "title": p.Title, "kind": p.Kind, "status": p.Status, "version": p.Version}
	for k, v := range map[string]*string{"documentNumber": p.DocumentNumber, "parentPlanId": p.ParentPlanID, "publishedBy": p.PublishedBy,
		"closedBy": p.ClosedBy, "carriedIntoPlanId": p.CarriedInto} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

func planChange(before, after *models.Plan) change {
	return snapshotChange("plan", before, after, func(p *models.Plan) (string, *string) { return p.ID, &p.UnitID }, planSnapshot)
}

// planModel is how the lifecycle's write path persists plans.
var planModel = model[models.Plan]{
	entity: "plan",
	columns: []string{"title", "document_number", "year", "kind", "status", "published_by", "published_at", "closed_by", "closed_at",
		"carried_into_plan_id", "version", "updated_at"},
	id:      func(p *models.Plan) string { return p.ID },
	version: func(p *models.Plan) *int64 { return &p.Version },
	updated: func(p *models.Plan) *time.Time { return &p.UpdatedAt },
	allows: func(p *models.Plan, move string) error {
		_, err := models.PlanLifecycle.Check(move, p.ID, p.Status)
		return err
	},
	audit: planChange,
}

func taskSnapshot(t *models.PlanTask) map[string]any {
	m := map[string]any{"id": t.ID, "planId": t.PlanID, "number": t.Number, "title": t.Title, "content": t.Content,
		"ongoing": t.Ongoing, "supervised": t.Supervised, "status": t.Status, "leadUnitIds": t.LeadUnitIDs,
		"cooperatingUnitIds": t.CooperatingUnitIDs, "indicatorIds": t.IndicatorIDs, "checklistIds": t.ChecklistIDs, "version": t.Version}
	for k, v := range map[string]*string{"deadline": t.Deadline, "cancelReason": t.CancelReason, "completedBy": t.CompletedBy,
		"sourceTaskId": t.SourceTaskID, "carriedFromTaskId": t.CarriedFromID} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

// taskChange is a task's audit event, under its plan's unit. A task is
// released with its plan, and its change alters the plan as the feed
// renders it (the plan counts its tasks and the unfinished ones).
func taskChange(before, after *models.PlanTask) change {
	c := snapshotChange("plan_task", before, after, func(t *models.PlanTask) (string, *string) {
		if t.PlanUnitID == "" {
			return t.ID, nil
		}
		return t.ID, &t.PlanUnitID
	}, taskSnapshot)
	t := cmp.Or(after, before)
	c.releasedWith = feedRef{"plan", t.PlanID}
	c.alsoFeed = []feedRef{{"plan", t.PlanID}}
	return c
}

// taskModel is how the lifecycle's write path persists tasks; their units
// and links are written by writeTaskLinks.
var taskModel = model[models.PlanTask]{
	entity: "task",
	columns: []string{"title", "content", "deadline", "ongoing", "supervised", "status", "cancel_reason", "completed_by", "completed_at",
		"due", "version", "updated_at"},
	id:      func(t *models.PlanTask) string { return t.ID },
	version: func(t *models.PlanTask) *int64 { return &t.Version },
	updated: func(t *models.PlanTask) *time.Time { return &t.UpdatedAt },
	allows: func(t *models.PlanTask, move string) error {
		_, err := models.TaskLifecycle.Check(move, t.ID, t.Status)
		return err
	},
	audit: taskChange,
}

// Rows of a task's units and links.
type (
	taskUnitRow struct {
		TaskID   string `gorm:"column:task_id"`
		UnitID   string `gorm:"column:unit_id"`
		Role     string `gorm:"column:role"`
		Position int    `gorm:"column:position"`
	}
	taskIndicatorRow struct {
		TaskID      string `gorm:"column:task_id"`
		IndicatorID string `gorm:"column:indicator_id"`
		Position    int    `gorm:"column:position"`
	}
	taskChecklistRow struct {
		TaskID      string `gorm:"column:task_id"`
		ChecklistID string `gorm:"column:checklist_id"`
		Position    int    `gorm:"column:position"`
	}
)

func (taskUnitRow) TableName() string      { return "plan_task_units" }
func (taskIndicatorRow) TableName() string { return "plan_task_indicators" }
func (taskChecklistRow) TableName() string { return "plan_task_checklists" }

// deleteTaskLinks removes the units and links of tasks.
func deleteTaskLinks(tx *gorm.DB, ids []string) error {
	for part := range slices.Chunk(ids, batchSize) {
		for _, row := range []any{&taskUnitRow{}, &taskIndicatorRow{}, &taskChecklistRow{}} {
			if err := tx.Where("task_id IN ?", part).Delete(row).Error; err != nil {
				return translate(err)
			}
		}
	}
	return nil
}

// writeTaskLinks replaces the units and links of tasks with theirs.
func writeTaskLinks(tx *gorm.DB, tasks []*models.PlanTask) error {
	ids := make([]string, len(tasks))
	var units []taskUnitRow
	var indicators []taskIndicatorRow
	var checklists []taskChecklistRow
	for i, t := range tasks {
		ids[i] = t.ID
		for n, u := range t.LeadUnitIDs {
			units = append(units, taskUnitRow{t.ID, u, string(models.TaskLead), n})
		}
		for n, u := range t.CooperatingUnitIDs {
			units = append(units, taskUnitRow{t.ID, u, string(models.TaskCooperating), n})
		}
		for n, id := range t.IndicatorIDs {
			indicators = append(indicators, taskIndicatorRow{t.ID, id, n})
		}
		for n, id := range t.ChecklistIDs {
			checklists = append(checklists, taskChecklistRow{t.ID, id, n})
		}
	}
	if err := deleteTaskLinks(tx, ids); err != nil {
		return err
	}
	for _, rows := range []any{units, indicators, checklists} {
		var err error
		switch r := rows.(type) {
		case []taskUnitRow:
			if len(r) > 0 {
				err = tx.CreateInBatches(r, batchSize).Error
			}
		case []taskIndicatorRow:
			if len(r) > 0 {
				err = tx.CreateInBatches(r, batchSize).Error
			}
		case []taskChecklistRow:
			if len(r) > 0 {
				err = tx.CreateInBatches(r, batchSize).Error
			}
		}
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// loadTaskLinks fills in the units and links of tasks, in the order they
// were given, and each task's plan unit: one query per table and batch.
func loadTaskLinks(tx *gorm.DB, tasks []models.PlanTask) error {
	byID := make(map[string]*models.PlanTask, len(tasks))
	ids := make([]string, len(tasks))
	planIDs := make([]string, 0, 1)
	for i := range tasks {
		t := &tasks[i]
		t.LeadUnitIDs, t.CooperatingUnitIDs, t.IndicatorIDs, t.ChecklistIDs = []string{}, []string{}, []string{}, []string{}
		byID[t.ID], ids[i] = t, t.ID
		if !slices.Contains(planIDs, t.PlanID) {
			planIDs = append(planIDs, t.PlanID)
		}
	}
	units := map[string]string{}
	for part := range slices.Chunk(planIDs, batchSize) {
		var plans []models.Plan
		if err := tx.Select("id", "unit_id").Where("id IN ?", part).Find(&plans).Error; err != nil {
			return translate(err)
		}
		for _, p := range plans {
			units[p.ID] = p.UnitID
		}
	}
	for part := range slices.Chunk(ids, batchSize) {
		us, err := findRows[taskUnitRow](tx.Table("plan_task_units").Where("task_id IN ?", part).Order("task_id, role, position"), 2*len(part))
		if err != nil {
			return translate(err)
		}
		for _, u := range us {
			t := byID[u.TaskID]
			if u.Role == string(models.TaskLead) {
				t.LeadUnitIDs = append(t.LeadUnitIDs, u.UnitID)
			} else {
				t.CooperatingUnitIDs = append(t.CooperatingUnitIDs, u.UnitID)
			}
		}
		is, err := findRows[taskIndicatorRow](tx.Table("plan_task_indicators").Where("task_id IN ?", part).Order("task_id, position"), len(part))
		if err != nil {
			return translate(err)
		}
		for _, r := range is {
			byID[r.TaskID].IndicatorIDs = append(byID[r.TaskID].IndicatorIDs, r.IndicatorID)
		}
		cs, err := findRows[taskChecklistRow](tx.Table("plan_task_checklists").Where("task_id IN ?", part).Order("task_id, position"), len(part))
		if err != nil {
			return translate(err)
		}
		for _, r := range cs {
			byID[r.TaskID].ChecklistIDs = append(byID[r.TaskID].ChecklistIDs, r.ChecklistID)
		}
	}
	for i := range tasks {
		tasks[i].PlanUnitID = units[tasks[i].PlanID]
	}
	return nil
}

// checkTaskLinks refuses units, indicators and checklists that do not
// exist, and links to what is not in force: an indicator of a system that
// is not published or archived, a checklist version that is not released.
func checkTaskLinks(tx *gorm.DB, t *models.PlanTask) error {
	var fields []models.FieldError
	missing := func(pointer string, want []string, found []string, what string) {
		for i, id := range want {
			if !slices.Contains(found, id) {
				fields = append(fields, models.FieldError{Pointer: fmt.Sprintf("%s/%d", pointer, i), Message: fmt.Sprintf("there is no %s %s", what, id)})
			}
		}
	}
	pluck := func(q *gorm.DB, ids []string) ([]string, error) {
		var found []string
		if len(ids) == 0 {
			return nil, nil
		}
		err := q.Where("id IN ?", ids).Pluck("id", &found).Error
		return found, translate(err)
	}
	session := func() *gorm.DB { return tx.Session(&gorm.Session{NewDB: true}) }
	for _, l := range []struct {
		pointer string
		ids     []string
	}{{"/leadUnitIds", t.LeadUnitIDs}, {"/cooperatingUnitIds", t.CooperatingUnitIDs}} {
		found, err := pluck(session().Model(&models.Unit{}), l.ids)
		if err != nil {
			return err
		}
		missing(l.pointer, l.ids, found, "unit")
	}
	found, err := pluck(session().Model(&models.Indicator{}).Where("system_id IN (?)",
		session().Model(&models.IndicatorSystem{}).Select("id").Where("status IN ?", models.SystemLifecycle.Released)), t.IndicatorIDs)
	if err != nil {
		return err
	}
	missing("/indicatorIds", t.IndicatorIDs, found, "indicator of a published system")
	found, err = pluck(session().Model(&models.Checklist{}).Where("status IN ?", models.ChecklistLifecycle.Released), t.ChecklistIDs)
	if err != nil {
		return err
	}
	missing("/checklistIds", t.ChecklistIDs, found, "published checklist version")
	if len(fields) > 0 {
		return &models.ValidationError{Code: "task_invalid", Detail: "the task is not valid", Fields: fields}
	}
	return nil
}

// CreatePlan writes a new draft plan of a unit that exists.
func (db *DB) CreatePlan(ctx context.Context, p *models.Plan) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		if err := p.Validate(); err != nil {
			return err
		}
		if err := unitExists(tx, p.UnitID, "plan_invalid", "/unitId"); err != nil {
			return err
		}
		if p.ID == "" {
			p.ID = NewID()
		}
		p.Version, p.CreatedAt, p.UpdatedAt = 1, at, at
		return insert(ctx, db, tx, at, planModel, []*models.Plan{p})
	})
	if err != nil {
		return fmt.Errorf("create plan: %w", translate(err))
	}
	return nil
}

// unitExists refuses a unit id that names no unit, as an invalid field.
func unitExists(tx *gorm.DB, id, code, pointer string) error {
	var n int64
	if err := tx.Model(&models.Unit{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return models.Invalid(code, pointer, "there is no unit %s", id)
	}
	return nil
}

// GetPlan reads a plan.
func (db *DB) GetPlan(ctx context.Context, id string) (*models.Plan, error) {
	return find[models.Plan](ctx, db, "plan "+id, planNotFound(id), "id = ?", id)
}

// ListPlans reads a page of plans, newest first.
func (db *DB) ListPlans(ctx context.Context, f models.PlanFilter, page paging.Page) ([]models.Plan, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	q := visiblePlans(g.Model(&models.Plan{}), g, f.UnitPath, f.ReleasedEverywhere, f.ReleasedOnly)
	if f.UnitID != "" {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ParentPlanID != "" {
		q = q.Where("parent_plan_id = ?", f.ParentPlanID)
	}
	page.Sort = paging.ParseSort("-createdAt")
	rows, next, err := keysetPage(q, "created_at", false, page, parseInstant,
		func(p *models.Plan) string { return instant(p.CreatedAt) }, func(p *models.Plan) string { return p.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list plans: %w", err)
	}
	return rows, next, nil
}

// visiblePlans narrows a query of plans to those of the subtree at
// unitPath (every unit when empty), plus the released plans of every unit
// when releasedEverywhere; to released plans when releasedOnly.
func visiblePlans(q, g *gorm.DB, unitPath string, releasedEverywhere, releasedOnly bool) *gorm.DB {
	if releasedOnly {
		q = q.Where("status IN ?", models.PlanLifecycle.Released)
	}
	if unitPath != "" {
		lo, hi := subtreeRange(unitPath)
		units := g.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		if releasedEverywhere {
			q = q.Where("(unit_id IN (?) OR status IN ?)", units, models.PlanLifecycle.Released)
		} else {
			q = q.Where("unit_id IN (?)", units)
		}
	}
	return q
}

// PlanCounts counts the tasks of plans and those unfinished, by plan.
func (db *DB) PlanCounts(ctx context.Context, planIDs []string) (map[string]models.PlanCount, error) {
	out := make(map[string]models.PlanCount, len(planIDs))
	for part := range slices.Chunk(planIDs, batchSize) {
		var rows []struct {
			PlanID string
			Status models.TaskStatus
			N      int
		}
		err := db.gorm.WithContext(ctx).Model(&models.PlanTask{}).Select("plan_id, status, COUNT(*) AS n").
			Where("plan_id IN ?", part).Group("plan_id, status").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("count tasks of plans: %w", translate(err))
		}
		for _, r := range rows {
			c := out[r.PlanID]
			c.Tasks += r.N
			if slices.Contains(models.Unfinished, r.Status) {
				c.Unfinished += r.N
			}
			out[r.PlanID] = c
		}
	}
	return out, nil
}

// UpdatePlan changes a draft plan's own fields.
func (db *DB) UpdatePlan(ctx context.Context, id string, ifVersion *int64, patch models.PlanPatch) (*models.Plan, error) {
	p, err := changeOne(ctx, db, planModel, target{id, "", ifVersion},
		func(_ *gorm.DB, _ time.Time, p *models.Plan) error { return p.Apply(patch) })
	if err != nil {
		return nil, fmt.Errorf("update plan %s: %w", id, err)
	}
	return p, nil
}

// DeletePlan deletes a draft plan with its tasks, unless last year's plan
// carried its unfinished tasks into it.
func (db *DB) DeletePlan(ctx context.Context, id string, ifVersion *int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		p, err := lockOne(db, tx, planModel, target{id, models.MoveDelete, ifVersion})
		if err != nil {
			return err
		}
		var from int64
		if err := tx.Model(&models.Plan{}).Where("carried_into_plan_id = ?", id).Count(&from).Error; err != nil {
			return translate(err)
		}
		if from > 0 {
			return &models.ConflictError{Code: "plan_in_use",
				Detail: fmt.Sprintf("last year's plan carried its unfinished tasks into plan %s: it stays (adjust or cancel the tasks instead)", id)}
		}
		var tasks []models.PlanTask
		if err := tx.Where("plan_id = ?", id).Find(&tasks).Error; err != nil {
			return translate(err)
		}
		if err := loadTaskLinks(tx, tasks); err != nil {
			return err
		}
		ids := make([]string, len(tasks))
		changes := make([]change, 0, len(tasks)+1)
		for i := range tasks {
			ids[i] = tasks[i].ID
			changes = append(changes, taskChange(&tasks[i], nil))
		}
		if err := deleteTaskLinks(tx, ids); err != nil {
			return err
		}
		if err := tx.Where("plan_id = ?", id).Delete(&models.PlanTask{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Delete(&models.Plan{}, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, append(changes, planChange(p, nil))...)
	})
	if err != nil {
		return fmt.Errorf("delete plan %s: %w", id, err)
	}
	return nil
}

// PublishPlan puts a draft plan with tasks in force.
func (db *DB) PublishPlan(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Plan, error) {
	p, err := changeOne(ctx, db, planModel, target{id, models.MovePublish, ifVersion},
		func(tx *gorm.DB, at time.Time, p *models.Plan) error {
			var n int64
			if err := tx.Model(&models.PlanTask{}).Where("plan_id = ?", id).Count(&n).Error; err != nil {
				return translate(err)
			}
			return p.Publish(by, at, int(n))
		})
	if err != nil {
		return nil, fmt.Errorf("publish plan %s: %w", id, err)
	}
	return p, nil
}

// ClosePlan ends a published plan's year and carries its unfinished tasks
// into next (empty: none), the same unit's plan of the following year: the
// unfinished tasks and the tasks above them, whose top-level numbers follow
// the last of the next plan, in the order of the old ones. Both plans are
// locked, so no task is added to either meanwhile.
func (db *DB) ClosePlan(ctx context.Context, id string, ifVersion *int64, by models.Actor, next string) (*models.Plan, []models.PlanTask, error) {
	var closed *models.Plan
	var carried []models.PlanTask
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		p, err := lockOne(db, tx, planModel, target{id, models.MoveClose, ifVersion})
		if err != nil {
			return err
		}
		var into *models.Plan
		if next != "" {
			rows, err := lockRows[models.Plan](db, tx, []string{next})
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return models.Invalid("plan_close_invalid", "/carryIntoPlanId", "there is no plan %s", next)
			}
			into = &rows[0]
		}
		var tasks []models.PlanTask
		if err := tx.Where("plan_id = ?", id).Order("tree_key").Find(&tasks).Error; err != nil {
			return translate(err)
		}
		carry := models.CarriedTasks(tasks)
		before := *p
		if err := p.Close(by, at, len(carry.Unfinished), into); err != nil {
			return err
		}
		if err := save(ctx, db, tx, at, planModel, []models.Plan{before}, []*models.Plan{p}); err != nil {
			return err
		}
		closed = p
		if into == nil || len(carry.Tasks) == 0 {
			return nil
		}
		if err := loadTaskLinks(tx, carry.Tasks); err != nil {
			return err
		}
		var numbers []string
		if err := tx.Model(&models.PlanTask{}).Where("plan_id = ?", into.ID).Pluck("number", &numbers).Error; err != nil {
			return translate(err)
		}
		news := carry.Into(into, numbers, NewID)
		for _, t := range news {
			t.SetKeys()
			t.Version, t.CreatedAt, t.UpdatedAt = 1, at, at
		}
		if err := insert(ctx, db, tx, at, taskModel, news); err != nil {
			return translate(err)
		}
		if err := writeTaskLinks(tx, news); err != nil {
			return err
		}
		carried = make([]models.PlanTask, len(news))
		for i, t := range news {
			carried[i] = *t
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("close plan %s: %w", id, err)
	}
	return closed, carried, nil
}

// DerivePlan writes d, a new draft plan that breaks parent down: the tasks
// taskIDs of parent and the tasks above them are copied into it, each
// keeping its source.
func (db *DB) DerivePlan(ctx context.Context, parentID string, d func(parent *models.Plan) (*models.Plan, error), taskIDs []string) (*models.Plan, error) {
	var out *models.Plan
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var parent models.Plan
		err := tx.Where("id = ?", parentID).Take(&parent).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return planNotFound(parentID)
		}
		if err != nil {
			return translate(err)
		}
		p, err := d(&parent)
		if err != nil {
			return err
		}
		if err := unitExists(tx, p.UnitID, "plan_invalid", "/unitId"); err != nil {
			return err
		}
		var tasks []models.PlanTask
		if err := tx.Where("plan_id = ?", parentID).Order("tree_key").Find(&tasks).Error; err != nil {
			return translate(err)
		}
		chosen, err := models.ChosenTasks(tasks, taskIDs)
		if err != nil {
			return err
		}
		if err := loadTaskLinks(tx, chosen); err != nil {
			return err
		}
		if p.ID == "" {
			p.ID = NewID()
		}
		p.Version, p.CreatedAt, p.UpdatedAt = 1, at, at
		if err := insert(ctx, db, tx, at, planModel, []*models.Plan{p}); err != nil {
			return translate(err)
		}
		copies := make([]*models.PlanTask, len(chosen))
		for i := range chosen {
			c := chosen[i].Copy(NewID(), p.ID, chosen[i].Number)
			c.SourceTaskID, c.PlanUnitID = &chosen[i].ID, p.UnitID
			c.SetKeys()
			c.Version, c.CreatedAt, c.UpdatedAt = 1, at, at
			copies[i] = c
		}
		if err := insert(ctx, db, tx, at, taskModel, copies); err != nil {
			return translate(err)
		}
		if err := writeTaskLinks(tx, copies); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("derive plan from %s: %w", parentID, err)
	}
	return out, nil
}

// lockPlanFor locks the plan of a task for a move of the plan's lifecycle
// (assign, edit, work), so that its state cannot change while the task does.
func lockPlanFor(db *DB, tx *gorm.DB, planID, move string) (*models.Plan, error) {
	return lockOne(db, tx, planModel, target{id: planID, move: move})
}

// CreatePlanTask adds a task to a plan open to tasks: its number's parent
// must be in the plan, its number not.
func (db *DB) CreatePlanTask(ctx context.Context, t *models.PlanTask) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		p, err := lockPlanFor(db, tx, t.PlanID, models.MoveAssign)
		if err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if parent := t.ParentNumber(); parent != "" {
			var n int64
			if err := tx.Model(&models.PlanTask{}).Where("plan_id = ? AND number = ?", t.PlanID, parent).Count(&n).Error; err != nil {
				return translate(err)
			}
			if n == 0 {
				return models.Invalid("task_invalid", "/number", "task %s belongs under task %s, which the plan does not have: add that first", t.Number, parent)
			}
		}
		if err := checkTaskLinks(tx, t); err != nil {
			return err
		}
		if t.ID == "" {
			t.ID = NewID()
		}
		t.PlanUnitID = p.UnitID
		t.SetKeys()
		t.Version, t.CreatedAt, t.UpdatedAt = 1, at, at
		if err := insert(ctx, db, tx, at, taskModel, []*models.PlanTask{t}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "task_number_taken", Detail: fmt.Sprintf("plan %s has a task %s already", t.PlanID, t.Number)}
			}
			return err
		}
		return writeTaskLinks(tx, []*models.PlanTask{t})
	})
	if err != nil {
		return fmt.Errorf("create task of plan %s: %w", t.PlanID, err)
	}
	return nil
}

// GetPlanTask reads a task with its units and links, and its plan.
func (db *DB) GetPlanTask(ctx context.Context, id string) (*models.PlanTask, *models.Plan, error) {
	t, err := find[models.PlanTask](ctx, db, "task "+id, taskNotFound(id), "id = ?", id)
	if err != nil {
		return nil, nil, err
	}
	p, err := db.GetPlan(ctx, t.PlanID)
	if err != nil {
		return nil, nil, err
	}
	tasks := []models.PlanTask{*t}
	if err := loadTaskLinks(db.gorm.WithContext(ctx), tasks); err != nil {
		return nil, nil, fmt.Errorf("task %s: %w", id, err)
	}
	return &tasks[0], p, nil
}

// lockTask locks a task at the version the client read, with its units
// and links, then its plan for the plan's move.
func lockTask(db *DB, tx *gorm.DB, id string, ifVersion *int64, planMove string) (*models.PlanTask, *models.Plan, error) {
	t, err := lockOne(db, tx, taskModel, target{id: id, ifVersion: ifVersion})
	if err != nil {
		return nil, nil, err
	}
	p, err := lockPlanFor(db, tx, t.PlanID, planMove)
	if err != nil {
		return nil, nil, err
	}
	tasks := []models.PlanTask{*t}
	if err := loadTaskLinks(tx, tasks); err != nil {
		return nil, nil, err
	}
	return &tasks[0], p, nil
}

// cloneTask copies a task with its own slices, for the audit's before.
func cloneTask(t *models.PlanTask) models.PlanTask {
	c := *t
	c.LeadUnitIDs, c.CooperatingUnitIDs = slices.Clone(t.LeadUnitIDs), slices.Clone(t.CooperatingUnitIDs)
	c.IndicatorIDs, c.ChecklistIDs = slices.Clone(t.IndicatorIDs), slices.Clone(t.ChecklistIDs)
	return c
}

// UpdatePlanTask adjusts an unfinished task of a plan open to tasks.
func (db *DB) UpdatePlanTask(ctx context.Context, id string, ifVersion *int64, patch models.PlanTaskPatch) (*models.PlanTask, error) {
	var out *models.PlanTask
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		t, _, err := lockTask(db, tx, id, ifVersion, models.MoveAssign)
		if err != nil {
			return err
		}
		before := cloneTask(t)
		if err := t.Apply(patch); err != nil {
			return err
		}
		if err := checkTaskLinks(tx, t); err != nil {
			return err
		}
		t.SetKeys()
		if err := save(ctx, db, tx, at, taskModel, []models.PlanTask{before}, []*models.PlanTask{t}); err != nil {
			return err
		}
		out = t
		return writeTaskLinks(tx, []*models.PlanTask{t})
	})
	if err != nil {
		return nil, fmt.Errorf("update task %s: %w", id, err)
	}
	return out, nil
}

// DeletePlanTask deletes a task of a draft plan that has no task under it.
func (db *DB) DeletePlanTask(ctx context.Context, id string, ifVersion *int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		t, _, err := lockTask(db, tx, id, ifVersion, models.MoveEdit)
		if err != nil {
			return err
		}
		var under int64
		if err := tx.Model(&models.PlanTask{}).Where("plan_id = ? AND tree_key LIKE ?", t.PlanID, t.TreeKey+".%").Count(&under).Error; err != nil {
			return translate(err)
		}
		if under > 0 {
			return &models.ConflictError{Code: "task_has_subtasks",
				Detail: fmt.Sprintf("%d tasks are numbered under task %s: delete them first", under, t.Number)}
		}
		if err := deleteTaskLinks(tx, []string{id}); err != nil {
			return err
		}
		if err := tx.Delete(&models.PlanTask{}, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, taskChange(t, nil))
	})
	if err != nil {
		return fmt.Errorf("delete task %s: %w", id, err)
	}
	return nil
}

// MovePlanTask moves a task of a published plan on: apply is the task's
// method for the move (Start, Complete, Cancel).
func (db *DB) MovePlanTask(ctx context.Context, id string, apply func(t *models.PlanTask, at time.Time) error) (*models.PlanTask, error) {
	var out *models.PlanTask
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		t, _, err := lockTask(db, tx, id, nil, models.MoveWork)
		if err != nil {
			return err
		}
		before := cloneTask(t)
		if err := apply(t, at); err != nil {
			return err
		}
		out = t
		return save(ctx, db, tx, at, taskModel, []models.PlanTask{before}, []*models.PlanTask{t})
	})
	if err != nil {
		return nil, fmt.Errorf("move task %s: %w", id, err)
	}
	return out, nil
}

// ListPlanTasks reads a page of tasks with their units and links.
func (db *DB) ListPlanTasks(ctx context.Context, f models.TaskFilter, page paging.Page) ([]models.PlanTask, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	fresh := func() *gorm.DB { return g.Session(&gorm.Session{NewDB: true}) }
	plans := visiblePlans(fresh().Model(&models.Plan{}).Select("id"), g, f.UnitPath, f.ReleasedEverywhere, f.ReleasedOnly)
	if f.Year != 0 {
		plans = plans.Where("year = ?", f.Year)
	}
	q := g.Model(&models.PlanTask{}).Where("plan_id IN (?)", plans)
	if f.PlanID != "" {
		q = q.Where("plan_id = ?", f.PlanID)
	}
	if f.UnitID != "" {
		units := fresh().Model(&taskUnitRow{}).Select("task_id").Where("unit_id = ?", f.UnitID)
		if f.Role != "" {
			units = units.Where("role = ?", f.Role)
		}
		q = q.Where("id IN (?)", units)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Supervised != nil {
		q = q.Where("supervised = ?", *f.Supervised)
	}
	if f.Overdue {
		q = q.Where("deadline IS NOT NULL AND deadline < ? AND status IN ?", f.Today, models.Unfinished)
	}
	if f.DueBy != "" {
		q = q.Where("due >= ? AND due <= ? AND status IN ?", f.Today, f.DueBy, models.Unfinished)
	}
	col, key := "due", func(t *models.PlanTask) string { return t.DueOn }
	if page.Sort.Field == "number" {
		col, key = "tree_key", func(t *models.PlanTask) string { return t.TreeKey }
	}
	rows, next, err := keysetPage(q, col, false, page, timeOrText(col), key, func(t *models.PlanTask) string { return t.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list tasks: %w", err)
	}
	if err := loadTaskLinks(g, rows); err != nil {
		return nil, nil, fmt.Errorf("list tasks: %w", err)
	}
	return rows, next, nil
}
