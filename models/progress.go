package models

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fazhi/fazhi/period"
)

// ProgressStatus is where a progress report stands.
type ProgressStatus string

const (
	ProgressDraft     ProgressStatus = "draft"     // its unit writes it
	ProgressSubmitted ProgressStatus = "submitted" // with the city office
	ProgressReturned  ProgressStatus = "returned"  // back with the unit, with a reason
	ProgressAccepted  ProgressStatus = "accepted"  // counts towards the task's progress
)

// ProgressLifecycle is a unit's report on a task for a period (进展报告):
// the unit writes and submits it; the city office accepts it or returns it
// with a reason, and a returned report is corrected and submitted again.
// Accepted reports are released, and only they count towards the task's
// progress.
var ProgressLifecycle = Lifecycle[ProgressStatus]{
	Entity:   "progress report",
	Initial:  ProgressDraft,
	States:   []ProgressStatus{ProgressDraft, ProgressSubmitted, ProgressReturned, ProgressAccepted},
	Released: []ProgressStatus{ProgressAccepted},
	Moves: []Move[ProgressStatus]{
		{Name: MoveEdit, From: []ProgressStatus{ProgressDraft, ProgressReturned}, Code: "progress_not_editable"},
		{Name: MoveDelete, From: []ProgressStatus{ProgressDraft}, Code: "progress_not_draft"},
		{Name: MoveSubmit, From: []ProgressStatus{ProgressDraft, ProgressReturned}, To: ProgressSubmitted, Code: "progress_not_editable"},
		{Name: MoveReturn, From: []ProgressStatus{ProgressSubmitted}, To: ProgressReturned, Code: "progress_not_submitted"},
		{Name: MoveAccept, From: []ProgressStatus{ProgressSubmitted}, To: ProgressAccepted, Code: "progress_not_submitted"},
	},
}

// Bounds of progress reports and problems.
const (
	MaxProgressText = 5000
	MaxEvidence     = 100 // files of evidence of one report or problem
)

// ProgressReport is what one unit (a lead or a cooperating unit) reports
// on one task for one period: each unit reports separately, once per
// period.
type ProgressReport struct {
	ID     string `gorm:"column:id;primaryKey"`
	TaskID string `gorm:"column:task_id"`
	UnitID string `gorm:"column:unit_id"`
	// Period is a year, half, quarter, month or ISO week: "2022",
	// "2022-H1", "2022-Q3", "2022-07", "2022-W05" (ParseReportPeriod).
	Period string `gorm:"column:period"`
	// PeriodEnd is the period's last day (YYYY-MM-DD), kept for ordering:
	// the latest accepted report of a unit is the one whose period ends last.
	PeriodEnd    string         `gorm:"column:period_end"`
	Content      string         `gorm:"column:content"`
	Percent      int            `gorm:"column:percent"` // how much of its part the unit has done, 0–100
	Problems     string         `gorm:"column:problems"`
	NextSteps    string         `gorm:"column:next_steps"`
	Status       ProgressStatus `gorm:"column:status"`
	SubmittedBy  *string        `gorm:"column:submitted_by"`
	SubmittedAt  *time.Time     `gorm:"column:submitted_at"`
	ReviewedBy   *string        `gorm:"column:reviewed_by"`
	ReviewedAt   *time.Time     `gorm:"column:reviewed_at"`
	ReturnReason *string        `gorm:"column:return_reason"`
	CreatedBy    string         `gorm:"column:created_by"`
	SampleData   bool           `gorm:"column:sample_data"`
	Version      int64          `gorm:"column:version"`
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// PlanID is the task's plan, which the store reads with the report.
	PlanID string `gorm:"-"`
}

// TableName maps ProgressReport to its table.
func (ProgressReport) TableName() string { return "progress_reports" }

// NewProgressReport is a unit's draft report on a task for a period.
func NewProgressReport(id, taskID, unitID, reportPeriod string, by Actor) *ProgressReport {
	return &ProgressReport{ID: id, TaskID: taskID, UnitID: unitID, Period: reportPeriod, Status: ProgressLifecycle.Initial, CreatedBy: string(by)}
}

// WeekPattern is the ISO week form of a report period, which the
// reporting periods of values and targets do not have: "2022-W05".
var weekPattern = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// ParseReportPeriod reads a report's period: a period of the period
// package or an ISO 8601 week, and returns its first and last days.
func ParseReportPeriod(s string) (first, last time.Time, err error) {
	if m := weekPattern.FindStringSubmatch(s); m != nil {
		year, _ := strconv.Atoi(m[1]) // digits, as the pattern says
		week, _ := strconv.Atoi(m[2])
		// 4 January is in week 1 of its ISO year; step back to its Monday.
		jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
		if y, w := monday.ISOWeek(); week < 1 || y != year || w != week || year < period.MinYear || year > period.MaxYear {
			return time.Time{}, time.Time{}, fmt.Errorf("%s has no week %d", m[1], week)
		}
		return monday, monday.AddDate(0, 0, 6), nil
	}
	p, err := period.Parse(s)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return p.Start(), p.End().AddDate(0, 0, -1), nil
}

// Validate checks the report's own fields against the year of the task's
// plan: a period that parses and starts in that year (or ends in it: the
// first ISO week may start in December), a percentage from 0 to 100, and
// texts within bounds, the content not empty.
func (r *ProgressReport) Validate(planYear int) error {
	var fields []FieldError
	first, last, err := ParseReportPeriod(r.Period)
	switch {
	case err != nil:
		fields = append(fields, FieldError{Pointer: "/period", Message: "a period such as 2022, 2022-H1, 2022-Q3, 2022-07 or 2022-W05 (an ISO week)"})
	case first.Year() != planYear && last.Year() != planYear:
		fields = append(fields, FieldError{Pointer: "/period", Message: fmt.Sprintf("the period falls outside %d, the year of the task's plan", planYear)})
	default:
		r.PeriodEnd = last.Format(time.DateOnly)
	}
	if r.Percent < 0 || r.Percent > 100 {
		fields = append(fields, FieldError{Pointer: "/percent", Message: "a percentage from 0 to 100"})
	}
	if strings.TrimSpace(r.Content) == "" || utf8.RuneCountInString(r.Content) > MaxProgressText {
		fields = append(fields, FieldError{Pointer: "/content", Message: fmt.Sprintf("say what was done, in 1 to %d characters", MaxProgressText)})
	}
	for _, t := range []struct{ pointer, text string }{{"/problems", r.Problems}, {"/nextSteps", r.NextSteps}} {
		if utf8.RuneCountInString(t.text) > MaxProgressText {
			fields = append(fields, FieldError{Pointer: t.pointer, Message: fmt.Sprintf("up to %d characters", MaxProgressText)})
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "progress_invalid", Detail: "the progress report is not valid", Fields: fields}
	}
	return nil
}

// ReportsOn checks that the unit may report on the task: the task is not
// cancelled, and the unit leads it or cooperates on it.
func (t *PlanTask) ReportsOn(unitID string) error {
	if _, err := TaskLifecycle.Check(MoveReport, t.ID, t.Status); err != nil {
		return err
	}
	if slices.Contains(t.LeadUnitIDs, unitID) || slices.Contains(t.CooperatingUnitIDs, unitID) {
		return nil
	}
	return Invalid("progress_unit_not_assigned", "/unitId",
		"unit %s neither leads task %s nor cooperates on it: only they report its progress", unitID, t.Number)
}

// ProgressPatch is a change of a report's content; nil leaves a field as it is.
type ProgressPatch struct {
	Content   *string
	Percent   *int
	Problems  *string
	NextSteps *string
}

// Apply changes a report its unit is writing.
func (r *ProgressReport) Apply(p ProgressPatch, planYear int) error {
	if _, err := ProgressLifecycle.Check(MoveEdit, r.ID, r.Status); err != nil {
		return err
	}
	for _, f := range []struct{ dst, v *string }{{&r.Content, p.Content}, {&r.Problems, p.Problems}, {&r.NextSteps, p.NextSteps}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if p.Percent != nil {
		r.Percent = *p.Percent
	}
	return r.Validate(planYear)
}

// Submit sends the report to the city office.
func (r *ProgressReport) Submit(by Actor, at time.Time) error {
	to, err := ProgressLifecycle.Check(MoveSubmit, r.ID, r.Status)
	if err != nil {
		return err
	}
	r.Status, r.SubmittedBy, r.SubmittedAt = to, by.ref(), &at
	return nil
}

// Return sends a submitted report back to its unit, saying why.
func (r *ProgressReport) Return(by Actor, at time.Time, reason string) error {
	to, err := ProgressLifecycle.Check(MoveReturn, r.ID, r.Status)
	if err != nil {
		return err
	}
	if err := r.notSubmittedBy(by); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" || utf8.RuneCountInString(reason) > MaxReturnText {
		return Invalid("progress_return_invalid", "/reason", "say why the report goes back (up to %d characters): it is what the unit works from", MaxReturnText)
	}
	r.Status, r.ReviewedBy, r.ReviewedAt, r.ReturnReason = to, by.ref(), &at, &reason
	return nil
}

// Accept counts the report towards its task's progress.
func (r *ProgressReport) Accept(by Actor, at time.Time) error {
	to, err := ProgressLifecycle.Check(MoveAccept, r.ID, r.Status)
	if err != nil {
		return err
	}
	if err := r.notSubmittedBy(by); err != nil {
		return err
	}
	r.Status, r.ReviewedBy, r.ReviewedAt = to, by.ref(), &at
	return nil
}

func (r *ProgressReport) notSubmittedBy(by Actor) error {
	if r.SubmittedBy != nil && Actor(*r.SubmittedBy) == by {
		return &ForbiddenError{Code: "self_review", Detail: "a report is accepted or returned by someone else than the one who submitted it"}
	}
	return nil
}

// ProgressFilter narrows a list of reports: of a task, of the tasks of a
// plan, of a unit, in a status, for a period; ReleasedOnly keeps accepted
// reports, and UnitPath (with ReleasedEverywhere) the reports of plans the
// caller sees.
type ProgressFilter struct {
	TaskID             string
	PlanID             string
	UnitID             string
	Status             ProgressStatus
	Period             string
	UnitPath           string
	ReleasedEverywhere bool
	ReleasedOnly       bool
}

// UnitProgress is a unit's latest accepted percentage on a task.
type UnitProgress struct {
	TaskID  string
	UnitID  string
	Percent int
}

// RollUpProgress is the progress of each task, 0 to 100: a completed task
// is done; a task without subtasks is at the mean of its units' latest
// accepted percentages (a lead or cooperating unit that has no accepted
// report counts as 0); a task with subtasks is at the mean of the subtasks
// not cancelled. tasks hold every subtask of each of them (PlanTask.SubtreeKeys
// finds them), so that a section sees all of its subtasks.
func RollUpProgress(tasks []PlanTask, latest []UnitProgress) map[string]int {
	percent := map[[2]string]int{}
	for _, u := range latest {
		percent[[2]string{u.TaskID, u.UnitID}] = u.Percent
	}
	children := map[string][]*PlanTask{}
	byKey := map[string]*PlanTask{}
	for i := range tasks {
		t := &tasks[i]
		byKey[t.PlanID+" "+t.Number] = t
	}
	for i := range tasks {
		t := &tasks[i]
		if parent := t.ParentNumber(); parent != "" {
			if p, ok := byKey[t.PlanID+" "+parent]; ok {
				children[p.ID] = append(children[p.ID], t)
			}
		}
	}
	out := make(map[string]int, len(tasks))
	var of func(t *PlanTask) int
	of = func(t *PlanTask) int {
		if v, ok := out[t.ID]; ok {
			return v
		}
		v := 0
		switch kids := children[t.ID]; {
		case t.Status == TaskCompleted:
			v = 100
		case len(kids) > 0:
			sum, n := 0, 0
			for _, k := range kids {
				if k.Status != TaskCancelled {
					sum, n = sum+of(k), n+1
				}
			}
			if n > 0 {
				v = (sum + n/2) / n
			}
		default:
			units := append(slices.Clone(t.LeadUnitIDs), t.CooperatingUnitIDs...)
			sum := 0
			for _, u := range units {
				sum += percent[[2]string{t.ID, u}]
			}
			if len(units) > 0 {
				v = (sum + len(units)/2) / len(units)
			}
		}
		out[t.ID] = v
		return v
	}
	for i := range tasks {
		of(&tasks[i])
	}
	return out
}
