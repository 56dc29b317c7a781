package models

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
)

// checkTable holds a transition table to its own rules: every state it names
// is one of its states, move names are unique, and Check allows each move
// from its From states only, refusing it from every other state with the
// move's code (or the state's own) and the From states as Allowed.
func checkTable[S ~string](t *testing.T, l Lifecycle[S]) {
	t.Helper()
	known := func(what string, s S) {
		if !slices.Contains(l.States, s) {
			t.Errorf("%s: %s %q is not one of the states %v", l.Entity, what, s, l.States)
		}
	}
	known("initial state", l.Initial)
	for _, s := range l.Released {
		known("released state", s)
	}
	names := map[string]bool{}
	for _, m := range l.Moves {
		if names[m.Name] {
			t.Errorf("%s: move %q given twice", l.Entity, m.Name)
		}
		names[m.Name] = true
		if m.Code == "" || len(m.From) == 0 {
			t.Errorf("%s: move %q has no refusal code or no state to start from", l.Entity, m.Name)
		}
		for _, s := range m.From {
			known("move "+m.Name+" from", s)
		}
		if m.To != "" {
			known("move "+m.Name+" to", m.To)
		}
		for _, s := range l.States {
			to, err := l.Check(m.Name, "x", s)
			if slices.Contains(m.From, s) {
				if err != nil || (m.To != "" && to != m.To) || (m.To == "" && to != s) {
					t.Errorf("%s: %s from %s = %s, %v; want %s", l.Entity, m.Name, s, to, err, cmpOr(m.To, s))
				}
				continue
			}
			checkRefusal(t, l, m, s, err)
		}
	}
}

// checkRefusal asserts that err refuses move m of a record in state s as
// the table says.
func checkRefusal[S ~string](t *testing.T, l Lifecycle[S], m Move[S], s S, err error) {
	t.Helper()
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Errorf("%s: %s from %s: got %v, want a conflict", l.Entity, m.Name, s, err)
		return
	}
	code := m.Code
	if r, ok := m.Refusals[s]; ok {
		code = r.Code
	}
	allowed := make([]string, len(m.From))
	for i, f := range m.From {
		allowed[i] = string(f)
		if !strings.Contains(ce.Detail, string(f)) {
			t.Errorf("%s: %s from %s: %q does not name the allowed state %s", l.Entity, m.Name, s, ce.Detail, f)
		}
	}
	if ce.Code != code || !slices.Equal(ce.Allowed, allowed) {
		t.Errorf("%s: %s from %s: code %q allowed %v, want %q %v", l.Entity, m.Name, s, ce.Code, ce.Allowed, code, allowed)
	}
}

func cmpOr[S ~string](a, b S) S {
	if a != "" {
		return a
	}
	return b
}

func TestLifecycleTables(t *testing.T) {
	checkTable(t, ValueLifecycle)
	checkTable(t, SystemLifecycle)
	checkTable(t, EvaluationLifecycle)
	checkTable(t, ChecklistLifecycle)
	checkTable(t, InspectionLifecycle)
	checkTable(t, PlanLifecycle)
	checkTable(t, TaskLifecycle)
	checkTable(t, ProgressLifecycle)
	checkTable(t, ProblemLifecycle)
	checkTable(t, ReportLifecycle)
}

// walk calls every move's method on a record in every state: from a state the
// table allows, the method succeeds and leaves the record in the move's
// target state; from any other, it refuses with the table's conflict.
func walk[S ~string](t *testing.T, l Lifecycle[S], methods map[string]func(from S) (S, error)) {
	t.Helper()
	for _, m := range l.Moves {
		call, ok := methods[m.Name]
		if !ok {
			t.Errorf("%s: no method of the move %q is walked", l.Entity, m.Name)
			continue
		}
		for _, s := range l.States {
			got, err := call(s)
			if slices.Contains(m.From, s) {
				if want := cmpOr(m.To, s); err != nil || got != want {
					t.Errorf("%s: %s from %s = %s, %v; want %s", l.Entity, m.Name, s, got, err, want)
				}
				continue
			}
			checkRefusal(t, l, m, s, err)
			if got != s {
				t.Errorf("%s: a refused %s from %s moved the record to %s", l.Entity, m.Name, s, got)
			}
		}
	}
}

func TestValueMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 3, 1, 8, 0, 0, 0, time.UTC)
	ind := &Indicator{ID: "i", Code: "17", ValueType: "number", Frequency: "year", Points: exact.MustParse("5")}
	sys := &IndicatorSystem{ID: "s", Status: SystemPublished, YearFrom: 2021, YearTo: 2021}
	value := func(s ValueStatus) *IndicatorValue {
		d := exact.MustParse("58.10")
		return &IndicatorValue{ID: "v", IndicatorID: "i", Value: &d, Qualifier: "exact", Status: s, SubmittedBy: ptrTo("user:reporter")}
	}
	reviewer := Actor("user:reviewer")
	walk(t, ValueLifecycle, map[string]func(ValueStatus) (ValueStatus, error){
		MoveEdit: func(s ValueStatus) (ValueStatus, error) {
			v := value(s)
			err := v.Edit(ValuePatch{SetComment: true, Comment: ptrTo("含撤回")}, ind)
			return v.Status, err
		},
		MoveSubmit: func(s ValueStatus) (ValueStatus, error) {
			v := value(s)
			err := v.Submit("user:reporter", at, Submission{Indicator: ind})
			return v.Status, err
		},
		MoveReturn: func(s ValueStatus) (ValueStatus, error) {
			v := value(s)
			err := v.Return(reviewer, at, "请补充佐证材料")
			return v.Status, err
		},
		MoveApprove: func(s ValueStatus) (ValueStatus, error) {
			v := value(s)
			err := v.Approve(reviewer, at, nil, ind)
			return v.Status, err
		},
		MoveLock: func(s ValueStatus) (ValueStatus, error) {
			v := value(s)
			err := v.Lock()
			return v.Status, err
		},
	})
	// A new value starts where the table says, and only against a system
	// that takes reports.
	v, err := NewIndicatorValue(IndicatorValue{UnitID: "u", Period: "2021", Value: ptrTo(exact.MustParse("1"))}, ind, sys, at)
	if err != nil || v.Status != ValueLifecycle.Initial || v.Version != 1 || !v.CreatedAt.Equal(at) {
		t.Errorf("NewIndicatorValue = %+v, %v", v, err)
	}
	for _, s := range []SystemStatus{SystemDraft, SystemArchived} {
		_, err := NewIndicatorValue(IndicatorValue{UnitID: "u", Period: "2021"}, ind, &IndicatorSystem{ID: "s", Status: s, YearFrom: 2021, YearTo: 2021}, at)
		checkRefusal(t, SystemLifecycle, SystemLifecycle.Move(MoveReport), s, err)
	}
}

func TestSystemMovesFollowTheTable(t *testing.T) {
	at := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	system := func(s SystemStatus) *IndicatorSystem {
		return &IndicatorSystem{ID: "s", Name: "法治政府建设示范指标体系", YearFrom: 2021, YearTo: 2021,
			TotalPoints: exact.MustParse("100"), Status: s}
	}
	tree := []Indicator{{ID: "1", Code: "1", Points: exact.MustParse("100")}}
	walk(t, SystemLifecycle, map[string]func(SystemStatus) (SystemStatus, error){
		MoveEdit: func(s SystemStatus) (SystemStatus, error) {
			sys := system(s)
			err := sys.Edit(SystemPatch{Name: ptrTo("2022年版")})
			return sys.Status, err
		},
		MoveDelete: func(s SystemStatus) (SystemStatus, error) {
			_, err := SystemLifecycle.Check(MoveDelete, "s", s) // the store deletes; the table decides
			return s, err
		},
		MovePublish: func(s SystemStatus) (SystemStatus, error) {
			sys := system(s)
			err := sys.Publish(at, tree)
			return sys.Status, err
		},
		MoveArchive: func(s SystemStatus) (SystemStatus, error) {
			sys := system(s)
			err := sys.Archive()
			return sys.Status, err
		},
		MoveReport: func(s SystemStatus) (SystemStatus, error) {
			err := system(s).Reportable()
			return s, err
		},
		MoveEvaluate: func(s SystemStatus) (SystemStatus, error) {
			e := &Evaluation{Year: 2021, Name: "2021年度考核", UnitIDs: []string{"u"}}
			return s, e.Validate(system(s))
		},
	})
	sys, err := NewIndicatorSystem(*system(SystemPublished), at)
	if err != nil || sys.Status != SystemLifecycle.Initial || sys.PublishedAt != nil || sys.Version != 1 {
		t.Errorf("NewIndicatorSystem = %+v, %v", sys, err)
	}
}

func TestEvaluationMovesFollowTheTable(t *testing.T) {
	at := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	sys := &IndicatorSystem{ID: "s", Status: SystemPublished, YearFrom: 2021, YearTo: 2021}
	evaluation := func(s EvaluationStatus) *Evaluation {
		return &Evaluation{ID: "e", SystemID: "s", Year: 2021, Name: "2021年度考核", UnitIDs: []string{"u"}, Status: s}
	}
	walk(t, EvaluationLifecycle, map[string]func(EvaluationStatus) (EvaluationStatus, error){
		MoveDelete: func(s EvaluationStatus) (EvaluationStatus, error) {
			_, err := EvaluationLifecycle.Check(MoveDelete, "e", s) // the store deletes; the table decides
			return s, err
		},
		MovePublish: func(s EvaluationStatus) (EvaluationStatus, error) {
			e := evaluation(s)
			err := e.Publish("user:admin", at)
			return e.Status, err
		},
		MoveCorrect: func(s EvaluationStatus) (EvaluationStatus, error) {
			e := evaluation(s)
			c, err := e.Correction(sys, at)
			if err == nil && (c.Status != EvaluationDraft || c.SupersedesID == nil || *c.SupersedesID != "e") {
				t.Errorf("correction of a %s evaluation: %+v", s, c)
			}
			return e.Status, err
		},
		MoveSupersede: func(s EvaluationStatus) (EvaluationStatus, error) {
			e := evaluation(s)
			err := e.SupersededBy(&Evaluation{ID: "e2"})
			return e.Status, err
		},
	})
}

func TestChecklistMovesFollowTheTable(t *testing.T) {
	at := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	checklist := func(s ChecklistStatus) *Checklist {
		return &Checklist{ID: "c", ListID: "c", VersionNo: 1, KindKey: "noPenalty", Title: "不予处罚事项清单",
			IssuingUnitID: "u", Year: 2021, Status: s, SubmittedBy: ptrTo("user:clerk")}
	}
	reviewer := Actor("user:reviewer")
	walk(t, ChecklistLifecycle, map[string]func(ChecklistStatus) (ChecklistStatus, error){
		MoveEdit: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.Edit(ChecklistPatch{Title: ptrTo("从轻处罚事项清单")})
			return c.Status, err
		},
		MoveDelete: func(s ChecklistStatus) (ChecklistStatus, error) {
			_, err := ChecklistLifecycle.Check(MoveDelete, "c", s) // the store deletes; the table decides
			return s, err
		},
		MoveSubmitForReview: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.SubmitForReview("user:clerk", at, 1)
			return c.Status, err
		},
		MoveReturnFromReview: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.ReturnFromReview(reviewer, at, "请补充处罚依据")
			return c.Status, err
		},
		MovePublish: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.Publish(reviewer, at, "")
			return c.Status, err
		},
		MoveRevise: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			next, err := c.Revision("c2", at)
			if err == nil && (next.Status != ChecklistLifecycle.Initial || next.ListID != "c" || next.VersionNo != 2) {
				t.Errorf("revision of a %s checklist: %+v", s, next)
			}
			return c.Status, err
		},
		MoveSupersede: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.Supersede(at)
			return c.Status, err
		},
		MoveAbolish: func(s ChecklistStatus) (ChecklistStatus, error) {
			c := checklist(s)
			err := c.Abolish(at)
			return c.Status, err
		},
	})
	c, err := NewChecklist(*checklist(ChecklistPublished), "c", at)
	if err != nil || c.Status != ChecklistLifecycle.Initial || c.Version != 1 || c.VersionNo != 1 || c.SubmittedBy != nil {
		t.Errorf("NewChecklist = %+v, %v", c, err)
	}
}

// TestReleasedVisibility: a key that only reads sees released states; a key
// that writes the record type, and every user, sees all.
func TestReleasedVisibility(t *testing.T) {
	reader := &Caller{Kind: CallerAPIKey, Scopes: []Scope{ScopeRead}}
	writer := &Caller{Kind: CallerAPIKey, Scopes: []Scope{ScopeRead, ScopeWriteValues}}
	user := &Caller{Kind: CallerUser, Roles: []Role{RoleViewer}}
	for _, s := range ValueLifecycle.States {
		released := s == ValueApproved || s == ValueLocked
		if ValueLifecycle.Visible(reader, s) != released || !ValueLifecycle.Visible(writer, s) || !ValueLifecycle.Visible(user, s) {
			t.Errorf("value %s: visible to the reader %v, the writer %v, a user %v", s,
				ValueLifecycle.Visible(reader, s), ValueLifecycle.Visible(writer, s), ValueLifecycle.Visible(user, s))
		}
	}
	// No key writes systems: a key that reports values still sees released systems only.
	if SystemLifecycle.Visible(writer, SystemDraft) || !SystemLifecycle.Visible(writer, SystemArchived) || !SystemLifecycle.Visible(user, SystemDraft) {
		t.Error("systems: a key sees a draft, or not an archived system, or a user misses a draft")
	}
}

func TestSubmitRules(t *testing.T) {
	at := time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)
	d := func(s string) exact.Decimal { return exact.MustParse(s) }
	ind := &Indicator{ID: "i", Code: "8", ValueType: "number", EvidenceRequired: true}
	v := &IndicatorValue{ID: "v", Value: ptrTo(d("5000")), Status: ValueDraft}
	var ce *ConflictError
	if err := v.Submit("user:a", at, Submission{Indicator: ind}); !errors.As(err, &ce) || ce.Code != "value_evidence_missing" || v.Status != ValueDraft {
		t.Fatalf("submit without evidence = %v, status %s", err, v.Status)
	}
	err := v.Submit("user:a", at, Submission{Indicator: ind, Attachments: 1, Peers: []exact.Decimal{d("100"), d("110")}})
	if err != nil || v.Status != ValueSubmitted || len(v.Flags) != 1 || !v.Flagged || *v.SubmittedBy != "user:a" || !v.SubmittedAt.Equal(at) {
		t.Fatalf("submit = %v: %+v", err, v)
	}
	var fe *ForbiddenError
	if err := v.Approve("user:a", at, nil, ind); !errors.As(err, &fe) || fe.Code != "self_review" || !errors.Is(err, ErrForbidden) {
		t.Errorf("self-approval = %v", err)
	}
	if err := v.Return("user:a", at, "x"); !errors.As(err, &fe) || fe.Code != "self_review" {
		t.Errorf("self-return = %v", err)
	}
	if err := v.Approve("user:r", at, ptrTo(d("6")), &Indicator{Points: d("5")}); Code(err) != "value_score_invalid" || v.Status != ValueSubmitted {
		t.Errorf("a score above the points = %v (%s)", err, v.Status)
	}
}
