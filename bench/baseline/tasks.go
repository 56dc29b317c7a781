package main

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
)

// task is a row of plan_tasks, with its units and links.
type task struct {
	ID, PlanID, Number, Title, Content string
	Deadline                           *string // YYYY-MM-DD
	Ongoing, Supervised                bool
	Status                             string
	CancelReason, CompletedBy          *string
	CompletedAt                        *time.Time
	SourceTaskID, CarriedFromID        *string
	Due, TreeKey                       string
	Version                            int64
	CreatedAt, UpdatedAt               time.Time

	leads, cooperating, indicators, checklists []string
}

// taskColumns are every column of plan_tasks, as GORM's SELECT * reads them.
const taskColumns = "id, plan_id, number, title, content, deadline, ongoing, supervised, status, cancel_reason," +
	" completed_by, completed_at, source_task_id, carried_from_task_id, due, tree_key, version, created_at, updated_at"

func scanTask(row scanner) (*task, error) {
	var t task
	err := row.Scan(&t.ID, &t.PlanID, &t.Number, &t.Title, &t.Content, &t.Deadline, &t.Ongoing, &t.Supervised, &t.Status,
		&t.CancelReason, &t.CompletedBy, &t.CompletedAt, &t.SourceTaskID, &t.CarriedFromID, &t.Due, &t.TreeKey, &t.Version,
		&t.CreatedAt, &t.UpdatedAt)
	return &t, err
}

// taskJSON is api.PlanTask, its fields in the generated (alphabetical) order.
type taskJSON struct {
	CancelReason       *string    `json:"cancelReason,omitempty"`
	CarriedFromTaskID  *string    `json:"carriedFromTaskId,omitempty"`
	ChecklistIDs       []string   `json:"checklistIds"`
	CompletedAt        *time.Time `json:"completedAt,omitempty"`
	CompletedBy        *actorJSON `json:"completedBy,omitempty"`
	Content            string     `json:"content"`
	CooperatingUnitIDs []string   `json:"cooperatingUnitIds"`
	CreatedAt          time.Time  `json:"createdAt"`
	Deadline           *string    `json:"deadline,omitempty"` // a date, 2006-01-02
	ID                 string     `json:"id"`
	IndicatorIDs       []string   `json:"indicatorIds"`
	LeadUnitIDs        []string   `json:"leadUnitIds"`
	Number             string     `json:"number"`
	Ongoing            bool       `json:"ongoing"`
	Overdue            bool       `json:"overdue"`
	PlanID             string     `json:"planId"`
	Progress           int        `json:"progress"`
	SourceTaskID       *string    `json:"sourceTaskId,omitempty"`
	Status             string     `json:"status"`
	Supervised         bool       `json:"supervised"`
	Title              string     `json:"title"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	Version            int64      `json:"version"`
}

// taskPage is api.PlanTaskPage.
type taskPage struct {
	Items      []taskJSON `json:"items"`
	NextCursor *string    `json:"nextCursor,omitempty"`
}

// chinaTime is models.ChinaTime: "today" is China's day, whatever the
// server's zone.
var chinaTime = time.FixedZone("CST", 8*60*60)

// today is store.Today: the day it is in China by fazhi's clock.
func today() string { return now().In(chinaTime).Format(time.DateOnly) }

// releasedPlans are models.PlanLifecycle.Released: the plans every
// signed-in user sees (listPlanTasks' x-permission releasedToAllUsers).
var releasedPlans = []any{"published", "closed"}

// taskFilter is models.TaskFilter.Key, the string fazhi digests into its
// cursors, for what the baseline mirrors: PlanID, then Year 0, UnitID, Role,
// Status and Supervised empty, Overdue false, DueBy and Today empty (Today
// counts only with Overdue or DueBy), UnitPath, ReleasedEverywhere true (the
// operation's rule) and ReleasedOnly false (a user's). TestTaskFilter
// compares the two.
func taskFilter(planID, unitPath string) string {
	return planID + "|0|||||false|||" + unitPath + "|true|false"
}

// listPlanTasks serves listPlanTasks by deadline, all visible tasks or a
// plan's, as server.ListPlanTasks and store.ListPlanTasks do it: the
// tasks of the visible plans, keyset-paged on (due, id), LIMIT n+1; their
// plans' units, units and links (loadTaskLinks); every task of their
// plans with its units and accepted reports, to roll progress up
// (store.TaskProgress); the names of the actors who completed them.
// Overdue is judged on today in China. The other filters, asOf and
// sort=number are not mirrored: the baseline answers 400.
func (s *server) listPlanTasks(w http.ResponseWriter, r *request) error {
	params, err := query(r, "planId", "sort", "limit", "cursor")
	if err != nil {
		return err
	}
	if sort, given := params["sort"]; given && sort != "deadline" {
		return badRequest("the baseline lists tasks by deadline only")
	}
	ctx := r.Context()
	day := today()
	planID := params["planId"]
	subtree := r.rule.subtreeOf(r.caller)
	pg, err := pageOf(params, "deadline", taskFilter(planID, subtree))
	if err != nil {
		return err
	}
	// visiblePlans: a subtree's plans, and released plans anywhere.
	var plans conditions
	if subtree != "" {
		plans.add("(unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?) OR status IN (?, ?))",
			append([]any{subtree, strings.TrimSuffix(subtree, "/") + "0"}, releasedPlans...)...)
	}
	var c conditions
	c.add("plan_id IN (SELECT id FROM plans"+plans.where()+")", plans.args...)
	if planID != "" {
		c.add("plan_id = ?", planID)
	}
	if pg.after != nil { // due is not unique: the id breaks ties
		c.add("due >= ? AND (due > ? OR id > ?)", pg.after.Key, pg.after.Key, pg.after.ID)
	}
	tasks, err := queryAll(ctx, s.db, scanTask,
		"SELECT "+taskColumns+" FROM plan_tasks"+c.where()+" ORDER BY due ASC, id ASC LIMIT ?", append(c.args, pg.limit+1)...)
	if err != nil {
		return err
	}
	next := pg.next(len(tasks), func(i int) string { return tasks[i].Due }, func(i int) string { return tasks[i].ID })
	tasks = tasks[:min(len(tasks), pg.limit)]
	if err := s.loadTaskLinks(ctx, tasks); err != nil {
		return err
	}
	progress, err := s.taskProgress(ctx, tasks)
	if err != nil {
		return err
	}
	// store.ActorNames, as for values: a task keeps one actor, completedBy.
	completers := make([]*value, len(tasks))
	for i, t := range tasks {
		completers[i] = &value{SubmittedBy: t.CompletedBy}
	}
	names, err := s.actorNames(ctx, completers)
	if err != nil {
		return err
	}
	items := make([]taskJSON, len(tasks))
	for i, t := range tasks {
		items[i] = t.out(day, progress[t.ID], names)
	}
	return writeJSON(w, "", taskPage{Items: items, NextCursor: next})
}

func (t *task) out(today string, progress int, names map[string]string) taskJSON {
	out := taskJSON{CancelReason: t.CancelReason, CarriedFromTaskID: t.CarriedFromID, ChecklistIDs: t.checklists,
		CompletedBy: actor(t.CompletedBy, names), Content: t.Content, CooperatingUnitIDs: t.cooperating,
		CreatedAt: t.CreatedAt.UTC(), Deadline: t.Deadline, ID: t.ID, IndicatorIDs: t.indicators, LeadUnitIDs: t.leads,
		Number: t.Number, Ongoing: t.Ongoing, PlanID: t.PlanID, Progress: progress, SourceTaskID: t.SourceTaskID,
		Status: t.Status, Supervised: t.Supervised, Title: t.Title, UpdatedAt: t.UpdatedAt.UTC(), Version: t.Version}
	// models.PlanTask.Overdue: unfinished past its deadline.
	out.Overdue = t.Deadline != nil && *t.Deadline < today && (t.Status == "not_started" || t.Status == "in_progress")
	if t.CompletedAt != nil {
		out.CompletedAt = new(t.CompletedAt.UTC())
	}
	return out
}

// inList is "(?, ?, …)" for n values and the values, as any.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}

// loadTaskLinks is store.loadTaskLinks for a page (at most 500 tasks of at
// most 500 plans, fazhi's batch: one query each): the plans' units, which
// fazhi reads with them and the list does not show; then the tasks' units
// in their order, their indicators and their checklists.
func (s *server) loadTaskLinks(ctx context.Context, tasks []*task) error {
	if len(tasks) == 0 {
		return nil
	}
	byID := make(map[string]*task, len(tasks))
	ids := make([]string, len(tasks))
	var planIDs []string
	for i, t := range tasks {
		t.leads, t.cooperating, t.indicators, t.checklists = []string{}, []string{}, []string{}, []string{}
		byID[t.ID], ids[i] = t, t.ID
		if !slices.Contains(planIDs, t.PlanID) {
			planIDs = append(planIDs, t.PlanID)
		}
	}
	pair := func(row scanner) ([2]string, error) {
		var p [2]string
		return p, row.Scan(&p[0], &p[1])
	}
	in, args := inList(planIDs)
	if _, err := queryAll(ctx, s.db, pair, "SELECT id, unit_id FROM plans WHERE id IN "+in, args...); err != nil {
		return err
	}
	in, args = inList(ids)
	units, err := queryAll(ctx, s.db, scanTaskUnit,
		"SELECT task_id, unit_id, role, position FROM plan_task_units WHERE task_id IN "+in+" ORDER BY task_id, role, position", args...)
	if err != nil {
		return err
	}
	for _, u := range units {
		t := byID[u.taskID]
		if u.role == "lead" {
			t.leads = append(t.leads, u.unitID)
		} else {
			t.cooperating = append(t.cooperating, u.unitID)
		}
	}
	for _, link := range []struct {
		table, column string
		add           func(t *task, id string)
	}{
		{"plan_task_indicators", "indicator_id", func(t *task, id string) { t.indicators = append(t.indicators, id) }},
		{"plan_task_checklists", "checklist_id", func(t *task, id string) { t.checklists = append(t.checklists, id) }},
	} {
		rows, err := queryAll(ctx, s.db, func(row scanner) ([2]string, error) {
			var p [2]string
			return p, row.Scan(&p[0], &p[1], new(int))
		}, "SELECT task_id, "+link.column+", position FROM "+link.table+" WHERE task_id IN "+in+" ORDER BY task_id, position", args...)
		if err != nil {
			return err
		}
		for _, r := range rows {
			link.add(byID[r[0]], r[1])
		}
	}
	return nil
}

// taskUnit is a row of plan_task_units.
type taskUnit struct {
	taskID, unitID, role string
	position             int
}

func scanTaskUnit(row scanner) (taskUnit, error) {
	var u taskUnit
	return u, row.Scan(&u.taskID, &u.unitID, &u.role, &u.position)
}

// parentNumber is models.PlanTask.ParentNumber: "2.3" is under "2".
func parentNumber(n string) string {
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		return n[:i]
	}
	return ""
}

// rollUp is what store.TaskProgress reads of a task.
type rollUp struct {
	id, planID, number, status string
	units                      []string // lead and cooperating
}

// taskProgress is store.TaskProgress for a page of tasks with their units:
// what a roll-up needs of every task below the page's (one query); the
// units of those subtasks and the
// accepted reports of the page's tasks and subtasks (by ids, 1,000 a query,
// fazhi's chunk); and models.RollUpProgress over them: a completed task is
// at 100; a task with subtasks at the rounded mean of those not cancelled;
// another at the rounded mean of its units' latest accepted percentages
// (the report whose period ends last, then accepted last, then by id), 0
// for a unit without.
func (s *server) taskProgress(ctx context.Context, page []*task) (map[string]int, error) {
	if len(page) == 0 {
		return map[string]int{}, nil
	}
	// The page's tasks, then every task below them, at any depth: their
	// tree keys start with the task's and a dot, a range of the index each,
	// 500 tasks a statement (store.subtaskOutlines).
	given := make(map[string]*task, len(page))
	var all []*rollUp // the page's tasks and their subtasks
	var ids, unread []string
	for _, t := range page {
		if given[t.ID] == nil {
			given[t.ID] = t
			all = append(all, &rollUp{id: t.ID, planID: t.PlanID, number: t.Number, status: t.Status,
				units: append(slices.Clone(t.leads), t.cooperating...)})
			ids = append(ids, t.ID)
		}
	}
	seen := map[string]bool{}
	for part := range slices.Chunk(page, 500) {
		conds := make([]string, len(part))
		args := make([]any, 0, 2*len(part))
		for i, t := range part {
			conds[i] = "(tree_key > ? AND tree_key < ?)"
			args = append(args, t.TreeKey+".", t.TreeKey+"/")
		}
		subtasks, err := queryAll(ctx, s.db, func(row scanner) (*rollUp, error) {
			var t rollUp
			return &t, row.Scan(&t.id, &t.planID, &t.number, &t.status)
		}, "SELECT id, plan_id, number, status FROM plan_tasks WHERE "+strings.Join(conds, " OR "), args...)
		if err != nil {
			return nil, err
		}
		for _, t := range subtasks {
			if given[t.id] == nil && !seen[t.id] {
				seen[t.id] = true
				all, ids, unread = append(all, t), append(ids, t.id), append(unread, t.id)
			}
		}
	}
	byID := make(map[string]*rollUp, len(all))
	byNumber := make(map[string]*rollUp, len(all))
	for _, t := range all {
		byID[t.id], byNumber[t.planID+" "+t.number] = t, t
	}
	for part := range slices.Chunk(unread, 1000) {
		in, args := inList(part)
		units, err := queryAll(ctx, s.db, scanTaskUnit, "SELECT task_id, unit_id, role, position FROM plan_task_units WHERE task_id IN "+in, args...)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			byID[u.taskID].units = append(byID[u.taskID].units, u.unitID)
		}
	}
	type report struct {
		taskID, unitID, periodEnd, id string
		percent                       int
		reviewedAt                    time.Time
	}
	var accepted []report
	for part := range slices.Chunk(ids, 1000) {
		in, args := inList(part)
		rows, err := queryAll(ctx, s.db, func(row scanner) (report, error) {
			var r report
			return r, row.Scan(&r.taskID, &r.unitID, &r.percent, &r.periodEnd, &r.reviewedAt, &r.id)
		}, "SELECT task_id, unit_id, percent, period_end, reviewed_at, id FROM progress_reports WHERE task_id IN "+in+" AND status IN (?)",
			append(args, "accepted")...)
		if err != nil {
			return nil, err
		}
		accepted = append(accepted, rows...)
	}
	slices.SortFunc(accepted, func(a, b report) int {
		return cmp.Or(cmp.Compare(a.periodEnd, b.periodEnd), a.reviewedAt.Compare(b.reviewedAt), cmp.Compare(a.id, b.id))
	})
	percent := map[[2]string]int{}
	for _, r := range accepted {
		percent[[2]string{r.taskID, r.unitID}] = r.percent
	}
	children := map[string][]*rollUp{}
	for _, t := range all {
		if p, ok := byNumber[t.planID+" "+parentNumber(t.number)]; ok {
			children[p.id] = append(children[p.id], t)
		}
	}
	out := make(map[string]int, len(all))
	var of func(t *rollUp) int
	of = func(t *rollUp) int {
		if v, ok := out[t.id]; ok {
			return v
		}
		v := 0
		switch kids := children[t.id]; {
		case t.status == "completed":
			v = 100
		case len(kids) > 0:
			sum, n := 0, 0
			for _, k := range kids {
				if k.status != "cancelled" {
					sum, n = sum+of(k), n+1
				}
			}
			if n > 0 {
				v = (sum + n/2) / n
			}
		case len(t.units) > 0:
			sum := 0
			for _, u := range t.units {
				sum += percent[[2]string{t.id, u}]
			}
			v = (sum + len(t.units)/2) / len(t.units)
		}
		out[t.id] = v
		return v
	}
	for _, t := range all {
		of(t)
	}
	return out, nil
}
