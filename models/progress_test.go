package models

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"
)

func TestProgressMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 4, 6, 0, 0, 0, 0, time.UTC)
	report := func(s ProgressStatus) *ProgressReport {
		return &ProgressReport{ID: "r", TaskID: "t", UnitID: "u", Period: "2022-Q1", Content: "完成行政规范性文件清理", Percent: 30,
			Status: s, SubmittedBy: ptrTo("user:reporter")}
	}
	inPlace := func(move string) func(ProgressStatus) (ProgressStatus, error) {
		return func(s ProgressStatus) (ProgressStatus, error) {
			_, err := ProgressLifecycle.Check(move, "r", s)
			return s, err
		}
	}
	walk(t, ProgressLifecycle, map[string]func(ProgressStatus) (ProgressStatus, error){
		MoveEdit: func(s ProgressStatus) (ProgressStatus, error) {
			r := report(s)
			return r.Status, r.Apply(ProgressPatch{Percent: ptrTo(40)}, 2022)
		},
		MoveDelete: inPlace(MoveDelete),
		MoveSubmit: func(s ProgressStatus) (ProgressStatus, error) {
			r := report(s)
			return r.Status, r.Submit("user:reporter", at)
		},
		MoveReturn: func(s ProgressStatus) (ProgressStatus, error) {
			r := report(s)
			return r.Status, r.Return("user:office", at, "请补充佐证材料")
		},
		MoveAccept: func(s ProgressStatus) (ProgressStatus, error) {
			r := report(s)
			return r.Status, r.Accept("user:office", at)
		},
	})
}

func TestProgressRules(t *testing.T) {
	for _, c := range []struct {
		period      string
		first, last string
		ok          bool
	}{
		{"2022", "2022-01-01", "2022-12-31", true},
		{"2022-H2", "2022-07-01", "2022-12-31", true},
		{"2022-Q1", "2022-01-01", "2022-03-31", true},
		{"2022-02", "2022-02-01", "2022-02-28", true},
		{"2022-W01", "2022-01-03", "2022-01-09", true},
		{"2021-W01", "2021-01-04", "2021-01-10", true},
		{"2020-W53", "2020-12-28", "2021-01-03", true}, // 2020 has 53 ISO weeks
		{"2021-W53", "", "", false},                    // 2021 has 52
		{"2022-W00", "", "", false},
		{"2022-W5", "", "", false},
		{"2022-Q5", "", "", false},
	} {
		first, last, err := ParseReportPeriod(c.period)
		if (err == nil) != c.ok || (c.ok && (first.Format(time.DateOnly) != c.first || last.Format(time.DateOnly) != c.last)) {
			t.Errorf("%s: %s to %s, %v; want %s to %s (valid %v)", c.period, first, last, err, c.first, c.last, c.ok)
		}
	}

	var invalid *ValidationError
	r := &ProgressReport{Period: "2021-W50", Content: "进展", Percent: 101}
	if err := r.Validate(2022); !errors.As(err, &invalid) || len(invalid.Fields) != 2 {
		t.Errorf("a period of another year and 101%%: %v", err)
	}
	r = &ProgressReport{Period: "2021-W52", Content: "进展", Percent: 100}
	if err := r.Validate(2021); err != nil || r.PeriodEnd != "2022-01-02" {
		t.Errorf("the last week of 2021 ends on %s (%v)", r.PeriodEnd, err)
	}

	task := &PlanTask{ID: "t", Number: "2", LeadUnitIDs: []string{"lead"}, CooperatingUnitIDs: []string{"coop"}, Status: TaskInProgress}
	if err := task.ReportsOn("coop"); err != nil {
		t.Errorf("a cooperating unit reports: %v", err)
	}
	if err := task.ReportsOn("other"); !errors.As(err, &invalid) || invalid.Code != "progress_unit_not_assigned" {
		t.Errorf("a unit not on the task reports: %v", err)
	}
	task.Status = TaskCancelled
	var conflict *ConflictError
	if err := task.ReportsOn("lead"); !errors.As(err, &conflict) || conflict.Code != "task_cancelled" {
		t.Errorf("reporting on a cancelled task: %v", err)
	}

	submitted := &ProgressReport{ID: "r", Status: ProgressSubmitted, SubmittedBy: ptrTo("user:a")}
	var forbidden *ForbiddenError
	if err := submitted.Accept("user:a", time.Now()); !errors.As(err, &forbidden) || forbidden.Code != "self_review" {
		t.Errorf("accepting one's own report: %v", err)
	}
	if err := submitted.Return("user:b", time.Now(), "  "); !errors.As(err, &invalid) || invalid.Code != "progress_return_invalid" {
		t.Errorf("returning without a reason: %v", err)
	}
}

func TestRollUpProgress(t *testing.T) {
	tasks := []PlanTask{
		{ID: "s1", PlanID: "p", Number: "1", Status: TaskInProgress},
		{ID: "a", PlanID: "p", Number: "1.1", Status: TaskInProgress, LeadUnitIDs: []string{"x"}, CooperatingUnitIDs: []string{"y", "z"}},
		{ID: "b", PlanID: "p", Number: "1.2", Status: TaskCompleted, LeadUnitIDs: []string{"x"}},
		{ID: "c", PlanID: "p", Number: "1.3", Status: TaskCancelled, LeadUnitIDs: []string{"x"}},
		{ID: "d", PlanID: "p", Number: "2", Status: TaskNotStarted, LeadUnitIDs: []string{"x"}},
		{ID: "e", PlanID: "q", Number: "1", Status: TaskInProgress, LeadUnitIDs: []string{"x"}},
	}
	latest := []UnitProgress{{"a", "x", 60}, {"a", "y", 30}, {"e", "x", 45}, {"c", "x", 90}}
	want := map[string]int{
		"a":  30, // (60 + 30 + 0) / 3: z has no accepted report
		"b":  100,
		"c":  90, // what was done before it was cancelled
		"s1": 65, // (30 + 100) / 2: the cancelled subtask does not count
		"d":  0,
		"e":  45, // task 1 of another plan is not under section 1 of p
	}
	if got := RollUpProgress(tasks, latest); !maps.Equal(got, want) {
		t.Errorf("RollUpProgress = %v, want %v", got, want)
	}
}

// A task's subtree keys bound the tree keys of the tasks below it, at any
// depth, and no other.
func TestSubtreeKeys(t *testing.T) {
	all := []PlanTask{
		{ID: "s1", PlanID: "p", Number: "1"}, {ID: "a", PlanID: "p", Number: "1.1"}, {ID: "a1", PlanID: "p", Number: "1.1.1"},
		{ID: "b", PlanID: "p", Number: "1.2"}, {ID: "b10", PlanID: "p", Number: "1.10"}, {ID: "s10", PlanID: "p", Number: "10"},
		{ID: "d", PlanID: "p", Number: "2"}, {ID: "e", PlanID: "q", Number: "1.1"}, {ID: "s11", PlanID: "p", Number: "11"},
	}
	for i := range all {
		all[i].SetKeys()
	}
	below := func(id string) []string {
		var top *PlanTask
		for i := range all {
			if all[i].ID == id {
				top = &all[i]
			}
		}
		from, to := top.SubtreeKeys()
		var out []string
		for _, task := range all {
			if task.TreeKey > from && task.TreeKey < to {
				out = append(out, task.ID)
			}
		}
		return out
	}
	// Section 10 is not under 1, nor task 1.1 of another plan.
	for id, want := range map[string][]string{"s1": {"a", "a1", "b", "b10"}, "a": {"a1"}, "s10": nil, "d": nil, "b": nil} {
		if got := below(id); !slices.Equal(got, want) {
			t.Errorf("below %s: %v, want %v", id, got, want)
		}
	}
}

func TestProblemMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 6, 30, 0, 0, 0, 0, time.UTC)
	problem := func(s ProblemStatus) *Problem {
		p := NewProblem("p", "u", 2021, SourceAnnualReview, "行政执法监督力度不够", "user:recorder")
		p.Status, p.Measures = s, "开展行政执法案卷评查"
		return p
	}
	walk(t, ProblemLifecycle, map[string]func(ProblemStatus) (ProblemStatus, error){
		MoveEdit: func(s ProblemStatus) (ProblemStatus, error) {
			p := problem(s)
			return p.Status, p.Apply(ProblemPatch{Category: ptrTo("行政执法")})
		},
		MoveDelete: func(s ProblemStatus) (ProblemStatus, error) {
			_, err := ProblemLifecycle.Check(MoveDelete, "p", s)
			return s, err
		},
		MoveRectify: func(s ProblemStatus) (ProblemStatus, error) {
			p := problem(s)
			return p.Status, p.Rectify(at, nil, nil)
		},
		MoveSignOff: func(s ProblemStatus) (ProblemStatus, error) {
			p := problem(s)
			return p.Status, p.SignOff("user:reviewer", at, 1, nil)
		},
	})
}

func TestProblemRules(t *testing.T) {
	at := time.Date(2022, 6, 30, 0, 0, 0, 0, time.UTC)
	var invalid *ValidationError
	p := NewProblem("p", "u", 2021, "inspection", " 标题", "user:a")
	p.IndicatorIDs = []string{"i", "i"}
	if err := p.Validate(); !errors.As(err, &invalid) || len(invalid.Fields) != 3 {
		t.Errorf("an unknown source, a padded title and a link twice: %v", err)
	}
	p = NewProblem("p", "u", 2021, SourceAudit, "标题", "user:a")
	if err := p.Rectify(at, nil, nil); !errors.As(err, &invalid) || invalid.Code != "problem_measures_missing" || p.Status != ProblemOpen {
		t.Errorf("rectifying without measures: %v, %s", err, p.Status)
	}
	if err := p.Rectify(at, ptrTo("整改措施"), ptrTo("task")); err != nil || *p.RectificationTaskID != "task" || p.RectifyingSince == nil {
		t.Errorf("rectifying with measures: %v %+v", err, p)
	}
	var conflict *ConflictError
	if err := p.SignOff("user:b", at, 0, nil); !errors.As(err, &conflict) || conflict.Code != "problem_evidence_missing" {
		t.Errorf("signing off without evidence: %v", err)
	}
	var forbidden *ForbiddenError
	if err := p.SignOff("user:a", at, 1, nil); !errors.As(err, &forbidden) || forbidden.Code != "self_review" {
		t.Errorf("signing off one's own problem: %v", err)
	}
	if err := p.SignOff("user:b", at, 2, ptrTo("经核查，整改到位")); err != nil || p.Status != ProblemSignedOff || *p.SignedOffBy != "user:b" {
		t.Errorf("signing off: %v %+v", err, p)
	}
}
