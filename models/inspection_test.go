package models

import (
	"testing"
	"time"
)

func TestInspectionMovesFollowTheTable(t *testing.T) {
	at := time.Date(2021, 11, 20, 2, 0, 0, 0, time.UTC)
	sheet := func(s InspectionStatus) *InspectionSheet {
		return &InspectionSheet{ID: "s", RoundID: "r", UnitID: "u", Status: s, SubmittedBy: ptrTo("user:clerk")}
	}
	office := Actor("user:office")
	walk(t, InspectionLifecycle, map[string]func(InspectionStatus) (InspectionStatus, error){
		MoveEdit: func(s InspectionStatus) (InspectionStatus, error) {
			return s, sheet(s).Answerable()
		},
		MoveSubmit: func(s InspectionStatus) (InspectionStatus, error) {
			sh := sheet(s)
			err := sh.Submit("user:clerk", at, 3, 3)
			return sh.Status, err
		},
		MoveReturn: func(s InspectionStatus) (InspectionStatus, error) {
			sh := sheet(s)
			err := sh.Return(office, at, "第3项未附佐证材料")
			return sh.Status, err
		},
		MoveAccept: func(s InspectionStatus) (InspectionStatus, error) {
			sh := sheet(s)
			err := sh.Accept(office, at)
			return sh.Status, err
		},
	})

	sh := sheet(InspectionPending)
	if err := sh.Submit("user:clerk", at, 3, 2); Code(err) != "inspection_incomplete" || sh.Status != InspectionPending {
		t.Errorf("a sheet with an item unanswered: %v, %s", err, sh.Status)
	}
	sh = sheet(InspectionSubmitted)
	if err := sh.Return(office, at, " "); Code(err) != "inspection_invalid" {
		t.Errorf("a return without a reason: %v", err)
	}
	if err := sh.Accept("user:clerk", at); Code(err) != "self_review" || sh.Status != InspectionSubmitted {
		t.Errorf("the submitter accepts: %v, %s", err, sh.Status)
	}
	if n := NewInspectionSheet("s", "r", "u", at); n.Status != InspectionLifecycle.Initial || n.Version != 1 {
		t.Errorf("NewInspectionSheet = %+v", n)
	}
}

func TestInspectionOverdue(t *testing.T) {
	for _, c := range []struct {
		status   InspectionStatus
		deadline string
		want     bool
	}{
		{InspectionPending, "2021-11-30", true},
		{InspectionReturned, "2021-11-30", true},
		{InspectionSubmitted, "2021-11-30", false},
		{InspectionAccepted, "2021-11-30", false},
		{InspectionPending, "2021-12-01", false}, // the deadline is the last day
	} {
		if got := (&InspectionSheet{Status: c.status}).Overdue(c.deadline, "2021-12-01"); got != c.want {
			t.Errorf("%s, deadline %s, on 2021-12-01: overdue %v, want %v", c.status, c.deadline, got, c.want)
		}
	}
}

func TestInspectionAnswers(t *testing.T) {
	for _, c := range []struct {
		a    InspectionAnswer
		want string
	}{
		{InspectionAnswer{Result: ResultComplies}, ""},
		{InspectionAnswer{Result: ResultNotApplicable}, ""},
		{InspectionAnswer{Result: ResultDoesNotComply, Comment: "年度报告未按时公开"}, ""},
		{InspectionAnswer{Result: ResultDoesNotComply, Comment: " "}, "inspection_answer_invalid"},
		{InspectionAnswer{Result: "maybe"}, "inspection_answer_invalid"},
	} {
		if got := Code(c.a.Validate()); got != c.want {
			t.Errorf("%+v: %q, want %q", c.a, got, c.want)
		}
	}
	s := &InspectionSheet{ID: "s", RoundID: "r", UnitID: "u"}
	a := &InspectionAnswer{ID: "a", ItemID: "i", Result: ResultDoesNotComply, Comment: "未公开"}
	if f, ok := a.Finding(s); !ok || f != (Finding{RoundID: "r", SheetID: "s", AnswerID: "a", UnitID: "u", ItemID: "i", Description: "未公开"}) {
		t.Errorf("finding %+v, %v", f, ok)
	}
	if _, ok := (&InspectionAnswer{Result: ResultComplies}).Finding(s); ok {
		t.Error("an answer that complies is a finding")
	}
}

func TestInspectionRates(t *testing.T) {
	tally := InspectionTally{Items: 8}
	for _, r := range []InspectionResult{ResultComplies, ResultComplies, ResultDoesNotComply, ResultNotApplicable} {
		tally.Add(r)
	}
	if got := tally.CompletionRate().String(); got != "50.00" {
		t.Errorf("completion %s, want 50.00", got)
	}
	if got := tally.ComplianceRate(); got == nil || got.String() != "66.67" {
		t.Errorf("compliance %v, want 66.67", got)
	}
	if got := (InspectionTally{Items: 3, Answered: 1, NotApplicable: 1}).ComplianceRate(); got != nil {
		t.Errorf("compliance with nothing applicable: %v", got)
	}
	if got := (InspectionTally{}).CompletionRate().String(); got != "0.00" {
		t.Errorf("completion of nothing: %s", got)
	}
	full := InspectionTally{Items: 2, Answered: 2, Complies: 2}
	if got := full.CompletionRate().String(); got != "100.00" {
		t.Errorf("completion %s, want 100.00", got)
	}
}
