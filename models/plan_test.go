package models

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestPlanMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)
	by := Actor("user:office")
	plan := func(s PlanStatus) *Plan {
		return &Plan{ID: "p", UnitID: "u", Year: 2021, Title: "2021年法治政府建设工作要点", Kind: PlanKeyPoints, Status: s}
	}
	next := &Plan{ID: "n", UnitID: "u", Year: 2022, Status: PlanDraft}
	inPlace := func(move string) func(PlanStatus) (PlanStatus, error) {
		return func(s PlanStatus) (PlanStatus, error) {
			_, err := PlanLifecycle.Check(move, "p", s) // the store acts; the table decides
			return s, err
		}
	}
	walk(t, PlanLifecycle, map[string]func(PlanStatus) (PlanStatus, error){
		MoveEdit: func(s PlanStatus) (PlanStatus, error) {
			p := plan(s)
			return p.Status, p.Apply(PlanPatch{Title: ptrTo("2021年法治政府建设工作安排")})
		},
		MoveDelete: inPlace(MoveDelete),
		MovePublish: func(s PlanStatus) (PlanStatus, error) {
			p := plan(s)
			return p.Status, p.Publish(by, at, 3)
		},
		MoveClose: func(s PlanStatus) (PlanStatus, error) {
			p := plan(s)
			return p.Status, p.Close(by, at, 1, next)
		},
		MoveAssign: inPlace(MoveAssign),
		MoveDerive: func(s PlanStatus) (PlanStatus, error) {
			p := plan(s)
			d, err := p.Derive("d", "v", 2021, "区2021年工作安排", nil, PlanArrangement, by)
			if err == nil && (d.Status != PlanDraft || *d.ParentPlanID != "p") {
				t.Errorf("derived from a %s plan: %+v", s, d)
			}
			return p.Status, err
		},
		MoveWork: inPlace(MoveWork),
	})
}

func TestTaskMovesFollowTheTable(t *testing.T) {
	at := time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC)
	task := func(s TaskStatus) *PlanTask {
		return &PlanTask{ID: "t", PlanID: "p", Number: "1", Title: "推进法治乡村建设", Status: s}
	}
	walk(t, TaskLifecycle, map[string]func(TaskStatus) (TaskStatus, error){
		MoveEdit: func(s TaskStatus) (TaskStatus, error) {
			k := task(s)
			return k.Status, k.Apply(PlanTaskPatch{Supervised: ptrTo(true)})
		},
		MoveStart: func(s TaskStatus) (TaskStatus, error) {
			k := task(s)
			return k.Status, k.Start()
		},
		MoveComplete: func(s TaskStatus) (TaskStatus, error) {
			k := task(s)
			return k.Status, k.Complete("user:lead", at)
		},
		MoveCancel: func(s TaskStatus) (TaskStatus, error) {
			k := task(s)
			return k.Status, k.Cancel("并入其他任务")
		},
		MoveReport: func(s TaskStatus) (TaskStatus, error) {
			k := task(s)
			k.LeadUnitIDs = []string{"lead"}
			return k.Status, k.ReportsOn("lead")
		},
	})
}

func TestPlanRules(t *testing.T) {
	at := time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)
	published := func() *Plan { return &Plan{ID: "p", UnitID: "u", Year: 2021, Status: PlanPublished} }
	var conflict *ConflictError
	if err := (&Plan{ID: "p", Status: PlanDraft}).Publish("user:a", at, 0); !errors.As(err, &conflict) || conflict.Code != "plan_empty" {
		t.Errorf("publishing an empty plan: %v", err)
	}
	if err := published().Close("user:a", at, 2, nil); !errors.As(err, &conflict) || conflict.Code != "plan_tasks_unfinished" {
		t.Errorf("closing with unfinished tasks and nowhere to carry them: %v", err)
	}
	p := published()
	if err := p.Close("user:a", at, 0, nil); err != nil || p.Status != PlanClosed || p.CarriedInto != nil {
		t.Errorf("closing a finished plan: %v %+v", err, p)
	}
	var invalid *ValidationError
	for _, next := range []*Plan{{ID: "x", UnitID: "other", Year: 2022}, {ID: "y", UnitID: "u", Year: 2023}, {ID: "z", UnitID: "u", Year: 2021}} {
		if err := published().Close("user:a", at, 1, next); !errors.As(err, &invalid) || invalid.Code != "plan_close_invalid" {
			t.Errorf("carrying into %+v: %v", next, err)
		}
	}
	if err := published().Close("user:a", at, 1, &Plan{ID: "c", UnitID: "u", Year: 2022, Status: PlanClosed}); !errors.As(err, &conflict) || conflict.Code != "plan_closed" {
		t.Errorf("carrying into a closed plan: %v", err)
	}
}

func TestTaskRules(t *testing.T) {
	for _, c := range []struct {
		number, parent, key string
		valid               bool
	}{
		{"1", "", "0001", true},
		{"1.2", "1", "0001.0002", true},
		{"10.2.3", "10.2", "0010.0002.0003", true},
		{"9999.1.1.1.1", "9999.1.1.1", "9999.0001.0001.0001.0001", true},
		{"1.1.1.1.1.1", "", "", false}, // six levels
		{"0", "", "", false},
		{"1.0", "", "", false},
		{"01", "", "", false},
		{"1.", "", "", false},
		{"一", "", "", false},
	} {
		task := &PlanTask{Number: c.number, Title: "任务"}
		err := task.Validate()
		if (err == nil) != c.valid {
			t.Errorf("number %q: valid %v, got %v", c.number, c.valid, err)
		}
		if c.valid && (task.ParentNumber() != c.parent || task.SortKey() != c.key) {
			t.Errorf("number %q: parent %q key %q", c.number, task.ParentNumber(), task.SortKey())
		}
	}
	if (&PlanTask{Number: "2"}).SortKey() >= (&PlanTask{Number: "10"}).SortKey() {
		t.Error("task 2 sorts after task 10")
	}
	day := "2021-10-31"
	overdue := []struct {
		task  PlanTask
		today string
		want  bool
	}{
		{PlanTask{Deadline: &day, Status: TaskInProgress}, "2021-11-01", true},
		{PlanTask{Deadline: &day, Status: TaskNotStarted}, "2021-10-31", false}, // the deadline is the last day
		{PlanTask{Deadline: &day, Status: TaskCompleted}, "2021-11-01", false},
		{PlanTask{Deadline: &day, Status: TaskCancelled}, "2021-11-01", false},
		{PlanTask{Ongoing: true, Status: TaskInProgress}, "2099-01-01", false},
	}
	for i, c := range overdue {
		if got := c.task.Overdue(c.today); got != c.want {
			t.Errorf("case %d: overdue %v on %s", i, got, c.today)
		}
	}
	var invalid *ValidationError
	if err := (&PlanTask{Status: TaskInProgress}).Cancel(" "); !errors.As(err, &invalid) {
		t.Errorf("cancelling without a reason: %v", err)
	}
}

func TestCarryAndChoose(t *testing.T) {
	task := func(id, number string, s TaskStatus) PlanTask {
		return PlanTask{ID: id, Number: number, Title: "任务" + number, Status: s, LeadUnitIDs: []string{"u"}}
	}
	tasks := []PlanTask{ // in plan order
		task("a", "1", TaskNotStarted),
		task("b", "1.1", TaskCompleted),
		task("c", "1.2", TaskInProgress),
		task("d", "2", TaskCompleted),
		task("e", "3", TaskCancelled),
		task("f", "4", TaskNotStarted),
		task("g", "4.1", TaskCompleted),
	}
	carry := CarriedTasks(tasks)
	var unfinished []string
	for _, c := range carry.Unfinished {
		unfinished = append(unfinished, c.ID)
	}
	if !slices.Equal(unfinished, []string{"a", "c", "f"}) {
		t.Errorf("unfinished %v", unfinished)
	}
	n := 0
	news := carry.Into(&Plan{ID: "next", UnitID: "u2"}, []string{"1", "2", "2.1", "5"}, func() string { n++; return string(rune('0' + n)) })
	var got []string
	for _, c := range news {
		got = append(got, c.Number+"<"+*c.CarriedFromID)
		if c.PlanID != "next" || c.PlanUnitID != "u2" || c.Status != TaskNotStarted || c.Deadline != nil {
			t.Errorf("carried %+v", c)
		}
	}
	if !slices.Equal(got, []string{"6<a", "6.2<c", "7<f"}) {
		t.Errorf("carried %v", got)
	}
	news[1].LeadUnitIDs[0] = "changed"
	if tasks[2].LeadUnitIDs[0] != "u" {
		t.Error("a carried task shares its units with the old one")
	}

	chosen, err := ChosenTasks(tasks, []string{"g", "c"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range chosen {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"a", "c", "f", "g"}) {
		t.Errorf("chosen with the tasks above them: %v", ids)
	}
	var invalid *ValidationError
	if _, err := ChosenTasks(tasks, []string{"a", "x"}); !errors.As(err, &invalid) || invalid.Fields[0].Pointer != "/taskIds/1" {
		t.Errorf("a task of another plan: %v", err)
	}
}

func TestTaskFilterKey(t *testing.T) {
	yes, alsoYes, no := true, true, false
	same := []TaskFilter{{PlanID: "p", Supervised: &yes, Today: "2026-12-07"}, {PlanID: "p", Supervised: &alsoYes, Today: "2026-12-08"}}
	if same[0].Key() != same[1].Key() {
		t.Errorf("equal filters a day apart: %q, %q", same[0].Key(), same[1].Key())
	}
	for _, other := range []TaskFilter{
		{PlanID: "p", Supervised: &no, Today: "2026-12-07"},
		{PlanID: "p", Today: "2026-12-07"},
		{PlanID: "q", Supervised: &yes, Today: "2026-12-07"},
	} {
		if other.Key() == same[0].Key() {
			t.Errorf("%+v has the key of %+v", other, same[0])
		}
	}
	// The day decides an overdue list and a due-within list.
	for _, f := range []TaskFilter{{Overdue: true}, {DueBy: "2026-12-14"}} {
		a, b := f, f
		a.Today, b.Today = "2026-12-07", "2026-12-08"
		if a.Key() == b.Key() {
			t.Errorf("%+v: the same key on two days", f)
		}
	}
}
