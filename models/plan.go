package models

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PlanKind is what a yearly work plan is called, as the document says.
type PlanKind string

const (
	PlanKeyPoints   PlanKind = "key_points"  // 工作要点
	PlanArrangement PlanKind = "arrangement" // 工作安排
	PlanDivision    PlanKind = "division"    // 任务分工方案
)

// PlanKinds lists the kinds, in the order the contract names them.
var PlanKinds = []PlanKind{PlanKeyPoints, PlanArrangement, PlanDivision}

// PlanStatus is where a plan stands.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"     // its unit writes it
	PlanPublished PlanStatus = "published" // in force: tasks are worked on and reported
	PlanClosed    PlanStatus = "closed"    // the year is over; unfinished tasks were carried over
)

// Moves of plans besides the common ones.
const (
	MoveClose  = "close"  // end a plan's year
	MoveAssign = "assign" // add or change tasks (and receive carried-over ones)
	MoveDerive = "derive" // break a plan down into a plan of the level below
	MoveWork   = "work"   // move tasks on: start, complete, cancel
)

// PlanLifecycle is a yearly work plan's (年度工作要点, 工作安排, 任务分工方案):
// its unit writes a draft, publishes it, works on its tasks through the
// year and closes it, carrying unfinished tasks into the next year's plan.
// Tasks may still be added and adjusted in a published plan (plans are
// amended in the year; every change is audited); the plan's own fields
// change only in the draft. Published and closed plans are released.
var PlanLifecycle = Lifecycle[PlanStatus]{
	Entity:   "plan",
	Initial:  PlanDraft,
	States:   []PlanStatus{PlanDraft, PlanPublished, PlanClosed},
	Released: []PlanStatus{PlanPublished, PlanClosed},
	Moves: []Move[PlanStatus]{
		{Name: MoveEdit, From: []PlanStatus{PlanDraft}, Code: "plan_not_draft"},
		{Name: MoveDelete, From: []PlanStatus{PlanDraft}, Code: "plan_not_draft"},
		{Name: MovePublish, From: []PlanStatus{PlanDraft}, To: PlanPublished, Code: "plan_not_draft"},
		{Name: MoveClose, From: []PlanStatus{PlanPublished}, To: PlanClosed, Code: "plan_not_published"},
		{Name: MoveAssign, From: []PlanStatus{PlanDraft, PlanPublished}, Code: "plan_closed"},
		{Name: MoveDerive, From: []PlanStatus{PlanPublished, PlanClosed}, Code: "plan_not_released"},
		{Name: MoveWork, From: []PlanStatus{PlanPublished}, Code: "plan_not_published"},
	},
}

// Plan is a unit's yearly work plan, optionally derived from a plan of the
// level above (ParentPlanID), whose tasks it breaks down.
type Plan struct {
	ID             string     `gorm:"column:id;primaryKey"`
	UnitID         string     `gorm:"column:unit_id"`
	Year           int        `gorm:"column:year"`
	Title          string     `gorm:"column:title"`
	DocumentNumber *string    `gorm:"column:document_number"` // 文号
	Kind           PlanKind   `gorm:"column:kind"`
	Status         PlanStatus `gorm:"column:status"`
	ParentPlanID   *string    `gorm:"column:parent_plan_id"`
	PublishedBy    *string    `gorm:"column:published_by"`
	PublishedAt    *time.Time `gorm:"column:published_at"`
	ClosedBy       *string    `gorm:"column:closed_by"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
	CarriedInto    *string    `gorm:"column:carried_into_plan_id"` // the next year's plan that took the unfinished tasks
	CreatedBy      string     `gorm:"column:created_by"`
	SampleData     bool       `gorm:"column:sample_data"`
	Version        int64      `gorm:"column:version"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName maps Plan to its table.
func (Plan) TableName() string { return "plans" }

// Bounds of plans and tasks.
const (
	MaxPlanTitle   = 200
	MaxTaskTitle   = 200
	MaxTaskContent = 4000
	MaxTaskUnits   = 100 // lead and cooperating units of one task, each
	MaxTaskLinks   = 50  // linked indicators and checklists of one task, each
	MaxPlanTasks   = 2000
	MinPlanYear    = 2000
	MaxPlanYear    = 2100
)

// NewPlan is a new draft plan.
func NewPlan(id, unitID string, year int, title string, kind PlanKind, by Actor) *Plan {
	return &Plan{ID: id, UnitID: unitID, Year: year, Title: title, Kind: kind, Status: PlanLifecycle.Initial, CreatedBy: string(by)}
}

// Validate checks a plan's own fields.
func (p *Plan) Validate() error {
	var fields []FieldError
	if !trimmed(p.Title, MaxPlanTitle) {
		fields = append(fields, FieldError{Pointer: "/title", Message: fmt.Sprintf("a title of 1 to %d characters without spaces around it", MaxPlanTitle)})
	}
	if p.DocumentNumber != nil && !trimmed(*p.DocumentNumber, MaxDocumentNumber) {
		fields = append(fields, FieldError{Pointer: "/documentNumber", Message: fmt.Sprintf("a document number of 1 to %d characters without spaces around it", MaxDocumentNumber)})
	}
	if p.Year < MinPlanYear || p.Year > MaxPlanYear {
		fields = append(fields, FieldError{Pointer: "/year", Message: fmt.Sprintf("a year from %d to %d", MinPlanYear, MaxPlanYear)})
	}
	if !slices.Contains(PlanKinds, p.Kind) {
		fields = append(fields, FieldError{Pointer: "/kind", Message: "key_points, arrangement or division"})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "plan_invalid", Detail: "the plan is not valid", Fields: fields}
	}
	return nil
}

// trimmed reports whether s has 1 to max characters and no space around it.
func trimmed(s string, max int) bool {
	return s != "" && strings.TrimSpace(s) == s && utf8.RuneCountInString(s) <= max
}

// PlanPatch is a change of a draft plan's own fields; nil leaves a field
// as it is, ClearDocumentNumber removes the document number.
type PlanPatch struct {
	Title               *string
	DocumentNumber      *string
	ClearDocumentNumber bool
	Year                *int
	Kind                *PlanKind
}

// Apply changes a draft plan.
func (p *Plan) Apply(patch PlanPatch) error {
	if _, err := PlanLifecycle.Check(MoveEdit, p.ID, p.Status); err != nil {
		return err
	}
	if patch.Title != nil {
		p.Title = *patch.Title
	}
	if patch.ClearDocumentNumber {
		p.DocumentNumber = nil
	} else if patch.DocumentNumber != nil {
		p.DocumentNumber = patch.DocumentNumber
	}
	if patch.Year != nil {
		p.Year = *patch.Year
	}
	if patch.Kind != nil {
		p.Kind = *patch.Kind
	}
	return p.Validate()
}

// Publish puts a draft plan in force; a plan without tasks has nothing to
// put in force.
func (p *Plan) Publish(by Actor, at time.Time, tasks int) error {
	to, err := PlanLifecycle.Check(MovePublish, p.ID, p.Status)
	if err != nil {
		return err
	}
	if tasks == 0 {
		return &ConflictError{Code: "plan_empty", Detail: fmt.Sprintf("plan %s has no tasks: add its tasks before publishing it", p.ID)}
	}
	p.Status, p.PublishedBy, p.PublishedAt = to, by.ref(), &at
	return nil
}

// Close ends the plan's year. Its unfinished tasks (unfinished of them)
// are carried into next, the same unit's plan of the following year, still
// open to tasks; with none unfinished, next may be nil.
func (p *Plan) Close(by Actor, at time.Time, unfinished int, next *Plan) error {
	to, err := PlanLifecycle.Check(MoveClose, p.ID, p.Status)
	if err != nil {
		return err
	}
	if next == nil {
		if unfinished > 0 {
			return &ConflictError{Code: "plan_tasks_unfinished",
				Detail: fmt.Sprintf("%d tasks of plan %s are neither completed nor cancelled: name the next year's plan to carry them into (carryIntoPlanId), or complete or cancel them", unfinished, p.ID)}
		}
	} else {
		if next.UnitID != p.UnitID || next.Year != p.Year+1 {
			return Invalid("plan_close_invalid", "/carryIntoPlanId",
				"plan %s is not this unit's plan of %d: unfinished tasks go into the same unit's plan of the following year", next.ID, p.Year+1)
		}
		if _, err := PlanLifecycle.Check(MoveAssign, next.ID, next.Status); err != nil {
			return err
		}
		p.CarriedInto = &next.ID
	}
	p.Status, p.ClosedBy, p.ClosedAt = to, by.ref(), &at
	return nil
}

// Derive is a new draft plan of unitID that breaks p down: it keeps the
// link to p, so the level above sees how its plan was broken down.
func (p *Plan) Derive(id, unitID string, year int, title string, documentNumber *string, kind PlanKind, by Actor) (*Plan, error) {
	if _, err := PlanLifecycle.Check(MoveDerive, p.ID, p.Status); err != nil {
		return nil, err
	}
	d := NewPlan(id, unitID, year, title, kind, by)
	d.DocumentNumber, d.ParentPlanID = documentNumber, &p.ID
	return d, d.Validate()
}

// TaskStatus is where a task of a plan stands. Overdue is not a status:
// it is derived from the deadline and the day asked about (Overdue).
type TaskStatus string

const (
	TaskNotStarted TaskStatus = "not_started"
	TaskInProgress TaskStatus = "in_progress"
	TaskCompleted  TaskStatus = "completed"
	TaskCancelled  TaskStatus = "cancelled"
)

// Moves of tasks besides the common ones.
const (
	MoveStart    = "start"
	MoveComplete = "complete"
	MoveCancel   = "cancel"
)

// TaskLifecycle is a plan task's: its lead units start and complete it, the
// plan's unit cancels it with a reason. A task leaves the city with its
// plan, in whatever state it is: every state is released, and PlanLifecycle
// decides what read-only keys see.
var TaskLifecycle = Lifecycle[TaskStatus]{
	Entity:   "task",
	Initial:  TaskNotStarted,
	States:   []TaskStatus{TaskNotStarted, TaskInProgress, TaskCompleted, TaskCancelled},
	Released: []TaskStatus{TaskNotStarted, TaskInProgress, TaskCompleted, TaskCancelled},
	Moves: []Move[TaskStatus]{
		{Name: MoveEdit, From: []TaskStatus{TaskNotStarted, TaskInProgress}, Code: "task_finished"},
		{Name: MoveStart, From: []TaskStatus{TaskNotStarted}, To: TaskInProgress, Code: "task_not_startable"},
		{Name: MoveComplete, From: []TaskStatus{TaskNotStarted, TaskInProgress}, To: TaskCompleted, Code: "task_finished"},
		{Name: MoveCancel, From: []TaskStatus{TaskNotStarted, TaskInProgress}, To: TaskCancelled, Code: "task_finished"},
		// A completed task still gets its year's reports; a cancelled one no more.
		{Name: MoveReport, From: []TaskStatus{TaskNotStarted, TaskInProgress, TaskCompleted}, Code: "task_cancelled"},
	},
}

// Unfinished are the states of tasks still to do: carried over at the
// year's close, and overdue past their deadline.
var Unfinished = []TaskStatus{TaskNotStarted, TaskInProgress}

// PlanTask is a section or numbered task of a plan (`1`, `1.2`): its
// number places it in the plan's tree, under the task numbered by the
// number without its last part.
type PlanTask struct {
	ID      string `gorm:"column:id;primaryKey"`
	PlanID  string `gorm:"column:plan_id"`
	Number  string `gorm:"column:number"`
	Title   string `gorm:"column:title"`
	Content string `gorm:"column:content"`
	// Deadline is the last day (YYYY-MM-DD); none with Ongoing (长期坚持),
	// or for a section that has no deadline of its own.
	Deadline   *string    `gorm:"column:deadline"`
	Ongoing    bool       `gorm:"column:ongoing"`
	Supervised bool       `gorm:"column:supervised"` // 督办
	Status     TaskStatus `gorm:"column:status"`
	// CancelReason says why a cancelled task is not done.
	CancelReason *string    `gorm:"column:cancel_reason"`
	CompletedBy  *string    `gorm:"column:completed_by"`
	CompletedAt  *time.Time `gorm:"column:completed_at"`
	// SourceTaskID is the task of the parent plan this one breaks down;
	// CarriedFromID the unfinished task of last year's plan it continues.
	SourceTaskID  *string `gorm:"column:source_task_id"`
	CarriedFromID *string `gorm:"column:carried_from_task_id"`
	// DueOn and TreeKey are kept for queries (SetKeys): the due day, and
	// the plan and sort key, which order the tasks of every plan at once.
	DueOn     string `gorm:"column:due"`
	TreeKey   string `gorm:"column:tree_key"`
	Version   int64  `gorm:"column:version"`
	CreatedAt time.Time
	UpdatedAt time.Time

	// PlanUnitID is the plan's unit, which the task belongs to with it.
	PlanUnitID string `gorm:"-"`
	// Kept in tables of their own (plan_task_units, plan_task_indicators,
	// plan_task_checklists).
	LeadUnitIDs        []string `gorm:"-"`
	CooperatingUnitIDs []string `gorm:"-"`
	IndicatorIDs       []string `gorm:"-"`
	ChecklistIDs       []string `gorm:"-"`
}

// TableName maps PlanTask to its table.
func (PlanTask) TableName() string { return "plan_tasks" }

var taskNumberPattern = regexp.MustCompile(`^[1-9][0-9]{0,3}(\.[1-9][0-9]{0,3}){0,4}$`)

// NewPlanTask is a new task, not started.
func NewPlanTask(id, planID string) *PlanTask {
	return &PlanTask{ID: id, PlanID: planID, Status: TaskLifecycle.Initial}
}

// Validate checks a task's own fields: a number such as 1 or 1.2 (five
// levels at most), a title, a deadline that is a date or ongoing but not
// both, and each unit and link once, no unit both leading and cooperating.
func (t *PlanTask) Validate() error {
	var fields []FieldError
	add := func(pointer, format string, args ...any) {
		fields = append(fields, FieldError{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	if !taskNumberPattern.MatchString(t.Number) {
		add("/number", "a number such as 1 or 1.2: up to five parts from 1 to 9999, separated by dots")
	}
	if !trimmed(t.Title, MaxTaskTitle) {
		add("/title", "a title of 1 to %d characters without spaces around it", MaxTaskTitle)
	}
	if utf8.RuneCountInString(t.Content) > MaxTaskContent {
		add("/content", "at most %d characters", MaxTaskContent)
	}
	if t.Deadline != nil {
		if _, err := time.Parse(time.DateOnly, *t.Deadline); err != nil || !datePattern.MatchString(*t.Deadline) {
			add("/deadline", "the deadline must be a date such as 2022-10-31")
		} else if t.Ongoing {
			add("/ongoing", "an ongoing task (长期坚持) has no deadline: give one or the other")
		}
	}
	for _, l := range []struct {
		pointer string
		ids     []string
		max     int
	}{{"/leadUnitIds", t.LeadUnitIDs, MaxTaskUnits}, {"/cooperatingUnitIds", t.CooperatingUnitIDs, MaxTaskUnits},
		{"/indicatorIds", t.IndicatorIDs, MaxTaskLinks}, {"/checklistIds", t.ChecklistIDs, MaxTaskLinks}} {
		if len(l.ids) > l.max {
			add(l.pointer, "at most %d", l.max)
		}
		fields = append(fields, twice(l.pointer, l.ids, "named twice")...)
	}
	for i, id := range t.CooperatingUnitIDs {
		if slices.Contains(t.LeadUnitIDs, id) {
			add(fmt.Sprintf("/cooperatingUnitIds/%d", i), "the unit leads the task already")
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "task_invalid", Detail: "the task is not valid", Fields: fields}
	}
	return nil
}

// ParentNumber is the number of the task this one belongs under ("1" for
// "1.2"), empty for a task at the top of the plan.
func (t *PlanTask) ParentNumber() string {
	i := strings.LastIndexByte(t.Number, '.')
	if i < 0 {
		return ""
	}
	return t.Number[:i]
}

// SortKey orders tasks as their numbers read (2 before 10): each part
// padded to four digits.
func (t *PlanTask) SortKey() string {
	parts := strings.Split(t.Number, ".")
	for i, p := range parts {
		parts[i] = strings.Repeat("0", 4-len(p)) + p
	}
	return strings.Join(parts, ".")
}

// SetKeys computes the columns tasks are queried by: the day a task is due
// by (its deadline, or the last day there is for a task without one), and
// its place among every plan's tasks.
func (t *PlanTask) SetKeys() {
	t.DueOn = NoDeadline
	if t.Deadline != nil {
		t.DueOn = *t.Deadline
	}
	t.TreeKey = t.treeKey()
}

// treeKey is the task's place among every plan's tasks: its plan, then its
// number as SortKey writes it.
func (t *PlanTask) treeKey() string { return t.PlanID + "/" + t.SortKey() }

// SubtreeKeys bounds the tree keys of every task below this one, at any
// depth: they start with its own key and a dot, so they sort, byte by byte,
// from that prefix up to (not including) the key with '/' in place of the
// dot, the character after it.
func (t *PlanTask) SubtreeKeys() (from, to string) {
	key := t.treeKey()
	return key + ".", key + "/"
}

// NoDeadline is the due day of ongoing tasks and sections, which sorts
// after every real deadline.
const NoDeadline = "9999-12-31"

// Overdue reports whether the task is unfinished past its deadline on the
// day today (YYYY-MM-DD, in China): derived whenever it is read, never
// stored, so that it is never stale.
func (t *PlanTask) Overdue(today string) bool {
	return t.Deadline != nil && *t.Deadline < today && slices.Contains(Unfinished, t.Status)
}

// PlanTaskPatch is a change of a task; nil leaves a field as it is.
type PlanTaskPatch struct {
	Title              *string
	Content            *string
	Deadline           *string
	ClearDeadline      bool
	Ongoing            *bool
	Supervised         *bool
	LeadUnitIDs        *[]string
	CooperatingUnitIDs *[]string
	IndicatorIDs       *[]string
	ChecklistIDs       *[]string
}

// Apply changes an unfinished task.
func (t *PlanTask) Apply(p PlanTaskPatch) error {
	if _, err := TaskLifecycle.Check(MoveEdit, t.ID, t.Status); err != nil {
		return err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.Title, p.Title)
	set(&t.Content, p.Content)
	if p.ClearDeadline {
		t.Deadline = nil
	} else if p.Deadline != nil {
		t.Deadline = p.Deadline
	}
	if p.Ongoing != nil {
		t.Ongoing = *p.Ongoing
	}
	if p.Supervised != nil {
		t.Supervised = *p.Supervised
	}
	for _, l := range []struct {
		dst *[]string
		v   *[]string
	}{{&t.LeadUnitIDs, p.LeadUnitIDs}, {&t.CooperatingUnitIDs, p.CooperatingUnitIDs}, {&t.IndicatorIDs, p.IndicatorIDs}, {&t.ChecklistIDs, p.ChecklistIDs}} {
		if l.v != nil {
			*l.dst = *l.v
		}
	}
	return t.Validate()
}

// Start records that work on the task has begun.
func (t *PlanTask) Start() error {
	to, err := TaskLifecycle.Check(MoveStart, t.ID, t.Status)
	t.Status = to
	return err
}

// Complete records that the task is done.
func (t *PlanTask) Complete(by Actor, at time.Time) error {
	to, err := TaskLifecycle.Check(MoveComplete, t.ID, t.Status)
	if err != nil {
		return err
	}
	t.Status, t.CompletedBy, t.CompletedAt = to, by.ref(), &at
	return nil
}

// Cancel drops the task, saying why.
func (t *PlanTask) Cancel(reason string) error {
	to, err := TaskLifecycle.Check(MoveCancel, t.ID, t.Status)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" || utf8.RuneCountInString(reason) > MaxReturnText {
		return Invalid("task_cancel_invalid", "/reason", "say why the task is cancelled (up to %d characters)", MaxReturnText)
	}
	t.Status, t.CancelReason = to, &reason
	return nil
}

// Copy is a new task of plan planID with t's content and units, not
// started: deriving a plan copies the tasks it breaks down (SourceTaskID),
// closing a year carries unfinished tasks over (CarriedFromID).
func (t *PlanTask) Copy(id, planID, number string) *PlanTask {
	c := NewPlanTask(id, planID)
	c.Number, c.Title, c.Content, c.Deadline, c.Ongoing, c.Supervised = number, t.Title, t.Content, t.Deadline, t.Ongoing, t.Supervised
	c.LeadUnitIDs = slices.Clone(t.LeadUnitIDs)
	c.CooperatingUnitIDs = slices.Clone(t.CooperatingUnitIDs)
	c.IndicatorIDs = slices.Clone(t.IndicatorIDs)
	c.ChecklistIDs = slices.Clone(t.ChecklistIDs)
	return c
}

// CarryOver is the task that continues t in the plan of the next year, at
// number: unfinished, with no deadline of last year (which has passed: the
// plan's unit sets a new one), ongoing if t was.
func (t *PlanTask) CarryOver(id, planID, number string) *PlanTask {
	c := t.Copy(id, planID, number)
	c.Deadline, c.CarriedFromID = nil, &t.ID
	return c
}

// NextTopNumber is the number after the highest top-level number among
// numbers: where carried-over tasks go in the next year's plan.
func NextTopNumber(numbers []string) int {
	top := 0
	for _, n := range numbers {
		head, _, _ := strings.Cut(n, ".")
		if v, err := strconv.Atoi(head); err == nil && v > top {
			top = v
		}
	}
	return top + 1
}

// PlanFilter narrows a list of plans. UnitPath limits it to the plans of a
// subtree, with the released plans of every unit too when ReleasedEverywhere;
// ReleasedOnly to released plans.
type PlanFilter struct {
	UnitID             string
	Year               int
	Status             PlanStatus
	ParentPlanID       string
	UnitPath           string
	ReleasedEverywhere bool
	ReleasedOnly       bool
}

// TaskRole is how a unit takes part in a task.
type TaskRole string

const (
	TaskLead        TaskRole = "lead"        // 牵头单位
	TaskCooperating TaskRole = "cooperating" // 责任单位, 配合单位
)

// TaskFilter narrows a list of tasks: of a plan, a year, or a unit in a
// role (either when Role is empty); under supervision; overdue on Today;
// unfinished and due by DueBy (YYYY-MM-DD) but not overdue. Plan visibility
// is as in PlanFilter.
type TaskFilter struct {
	PlanID             string
	Year               int
	UnitID             string
	Role               TaskRole
	Status             TaskStatus
	Supervised         *bool
	Overdue            bool
	DueBy              string
	Today              string
	UnitPath           string
	ReleasedEverywhere bool
	ReleasedOnly       bool
}

// Key writes the filter out by value, the same for equal filters: what a
// cursor of a task list is bound to. Today is in it only with Overdue or
// DueBy, the filters it decides, so that a cursor of any other list
// outlives midnight.
func (f TaskFilter) Key() string {
	supervised, today := "", ""
	if f.Supervised != nil {
		supervised = strconv.FormatBool(*f.Supervised)
	}
	if f.Overdue || f.DueBy != "" {
		today = f.Today
	}
	return strings.Join([]string{f.PlanID, strconv.Itoa(f.Year), f.UnitID, string(f.Role), string(f.Status), supervised,
		strconv.FormatBool(f.Overdue), f.DueBy, today, f.UnitPath, strconv.FormatBool(f.ReleasedEverywhere),
		strconv.FormatBool(f.ReleasedOnly)}, "|")
}

// PlanCount is how many tasks a plan has, and how many are unfinished.
type PlanCount struct {
	Tasks, Unfinished int
}

// withAncestors are the tasks (in the order of their plan, as given) whose
// ids are in keep, and the tasks above them, so that every number's parent
// is there too.
func withAncestors(tasks []PlanTask, keep map[string]bool) []PlanTask {
	numbers := map[string]bool{}
	for _, t := range tasks {
		if keep[t.ID] {
			for n := t.Number; n != ""; n = (&PlanTask{Number: n}).ParentNumber() {
				numbers[n] = true
			}
		}
	}
	var out []PlanTask
	for _, t := range tasks {
		if numbers[t.Number] {
			out = append(out, t)
		}
	}
	return out
}

// ChosenTasks are the tasks of a plan (in its order) that deriving copies:
// those named by ids, which must all be the plan's, and the tasks above
// them.
func ChosenTasks(tasks []PlanTask, ids []string) ([]PlanTask, error) {
	keep := map[string]bool{}
	for _, t := range tasks {
		keep[t.ID] = false
	}
	var fields []FieldError
	for i, id := range ids {
		if _, ok := keep[id]; !ok {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/taskIds/%d", i), Message: fmt.Sprintf("task %s is not a task of the plan", id)})
		}
		keep[id] = true
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Code: "plan_invalid", Detail: "the plan is not valid", Fields: fields}
	}
	return withAncestors(tasks, keep), nil
}

// Carry is what closing a plan carries over: its unfinished tasks, and the
// tasks to copy into the next year's plan (the unfinished ones and the
// tasks above them), in the plan's order.
type Carry struct {
	Unfinished []PlanTask
	Tasks      []PlanTask
}

// CarriedTasks is what closing the plan with these tasks (in its order)
// carries over.
func CarriedTasks(tasks []PlanTask) Carry {
	var c Carry
	keep := map[string]bool{}
	for _, t := range tasks {
		if slices.Contains(Unfinished, t.Status) {
			c.Unfinished = append(c.Unfinished, t)
			keep[t.ID] = true
		}
	}
	c.Tasks = withAncestors(tasks, keep)
	return c
}

// Into are the tasks that continue the carried ones in next, whose tasks
// have the given numbers: each old top-level number becomes the next free
// one, in the old order, and the rest of each number stays, so that the
// carried tasks keep their tree.
func (c Carry) Into(next *Plan, numbers []string, newID func() string) []*PlanTask {
	top := NextTopNumber(numbers)
	renumbered := map[string]string{}
	out := make([]*PlanTask, len(c.Tasks))
	for i := range c.Tasks {
		t := &c.Tasks[i]
		head, rest, nested := strings.Cut(t.Number, ".")
		if _, ok := renumbered[head]; !ok {
			renumbered[head] = strconv.Itoa(top)
			top++
		}
		number := renumbered[head]
		if nested {
			number += "." + rest
		}
		out[i] = t.CarryOver(newID(), next.ID, number)
		out[i].PlanUnitID = next.UnitID
	}
	return out
}
