package models

import (
	"time"
)

// EvaluationLifecycle is an evaluation's (考核评价): a draft is scored on
// every read; publishing keeps its results and locks the values it scored;
// a published evaluation is never changed but corrected by a new draft that,
// once published, supersedes it. Published and superseded evaluations are
// released.
var EvaluationLifecycle = Lifecycle[EvaluationStatus]{
	Entity:   "evaluation",
	Initial:  EvaluationDraft,
	States:   []EvaluationStatus{EvaluationDraft, EvaluationPublished, EvaluationSuperseded},
	Released: []EvaluationStatus{EvaluationPublished, EvaluationSuperseded},
	Moves: []Move[EvaluationStatus]{
		{Name: MoveDelete, From: []EvaluationStatus{EvaluationDraft}, Code: "evaluation_not_draft"},
		{Name: MovePublish, From: []EvaluationStatus{EvaluationDraft}, To: EvaluationPublished, Code: "evaluation_not_draft"},
		{Name: MoveCorrect, From: []EvaluationStatus{EvaluationPublished}, Code: "evaluation_not_published"},
		{Name: MoveSupersede, From: []EvaluationStatus{EvaluationPublished}, To: EvaluationSuperseded, Code: "evaluation_not_published"},
	},
}

// NewEvaluation makes a draft evaluation of sys from the content given
// (year, name, units), checked against the system, at version 1.
func NewEvaluation(content Evaluation, sys *IndicatorSystem, at time.Time) (*Evaluation, error) {
	e := content
	if err := e.Validate(sys); err != nil {
		return nil, err
	}
	e.SystemID, e.Status, e.Version = sys.ID, EvaluationLifecycle.Initial, 1
	e.SupersededByID, e.PublishedAt, e.PublishedBy = nil, nil, nil
	e.CreatedAt, e.UpdatedAt = at, at
	return &e, nil
}

// Frozen reports whether the evaluation answers from the results kept when
// it was published, rather than scoring the values as they are now.
func (e *Evaluation) Frozen() bool { return e.Status != EvaluationDraft }

// Publish freezes a draft: from now on it answers from the results kept
// with it.
func (e *Evaluation) Publish(by Actor, at time.Time) error {
	to, err := EvaluationLifecycle.Check(MovePublish, e.ID, e.Status)
	if err != nil {
		return err
	}
	e.Status, e.PublishedAt, e.PublishedBy = to, &at, by.ref()
	return nil
}

// Correction starts the correction of a published evaluation: a new draft
// of the same system, year and units that supersedes e once published.
func (e *Evaluation) Correction(sys *IndicatorSystem, at time.Time) (*Evaluation, error) {
	if _, err := EvaluationLifecycle.Check(MoveCorrect, e.ID, e.Status); err != nil {
		return nil, err
	}
	return NewEvaluation(Evaluation{Year: e.Year, Name: EvaluationName(e.Name, "（更正）"), UnitIDs: e.UnitIDs, SupersedesID: &e.ID}, sys, at)
}

// SupersededBy retires a published evaluation for its published correction.
func (e *Evaluation) SupersededBy(correction *Evaluation) error {
	to, err := EvaluationLifecycle.Check(MoveSupersede, e.ID, e.Status)
	if err != nil {
		return err
	}
	e.Status, e.SupersededByID = to, &correction.ID
	return nil
}
