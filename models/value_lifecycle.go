package models

import (
	"fmt"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/period"
)

// ValueLifecycle is the review of a reported value (填报): a unit drafts and
// submits it, a reviewer returns it with a reason or approves it, and a
// published evaluation locks what it scored. Approved and locked values are
// released; a key that reports values (write:values) sees every state.
var ValueLifecycle = Lifecycle[ValueStatus]{
	Entity:      "indicator value",
	Initial:     ValueDraft,
	States:      []ValueStatus{ValueDraft, ValueSubmitted, ValueReturned, ValueApproved, ValueLocked},
	Released:    []ValueStatus{ValueApproved, ValueLocked},
	WriterScope: ScopeWriteValues,
	Moves: []Move[ValueStatus]{
		{Name: MoveEdit, From: []ValueStatus{ValueDraft, ValueReturned}, Code: "value_not_editable"},
		{Name: MoveSubmit, From: []ValueStatus{ValueDraft, ValueReturned}, To: ValueSubmitted, Code: "value_not_editable"},
		// An approved value goes back too, for a correction before an
		// evaluation is published; a locked one is corrected by superseding
		// the evaluation that locked it.
		{Name: MoveReturn, From: []ValueStatus{ValueSubmitted, ValueApproved}, To: ValueReturned, Code: "value_not_submitted",
			Refusals: map[ValueStatus]Refusal{ValueLocked: {Code: "value_locked",
				Why: "a published evaluation locked it; correct it through a superseding evaluation"}}},
		{Name: MoveApprove, From: []ValueStatus{ValueSubmitted}, To: ValueApproved, Code: "value_not_submitted"},
		{Name: MoveLock, From: []ValueStatus{ValueApproved}, To: ValueLocked, Code: "value_not_approved"},
	},
}

// NewIndicatorValue makes the draft of a value a unit reports for ind, an
// indicator of sys, from the content given (unit, period, the figure and its
// words): the system must take reports, the period must be one of the
// indicator's frequency within the system's years, and the figure must fit the
// indicator. The id is the caller's; the version starts at 1.
func NewIndicatorValue(content IndicatorValue, ind *Indicator, sys *IndicatorSystem, at time.Time) (*IndicatorValue, error) {
	if _, err := SystemLifecycle.Check(MoveReport, sys.ID, sys.Status); err != nil {
		return nil, err
	}
	v := content
	p, err := period.Parse(v.Period)
	if err != nil {
		return nil, Invalid("value_period_invalid", "/period", "%v", err)
	}
	if string(p.Freq) != string(ind.Frequency) {
		return nil, Invalid("value_period_invalid", "/period", "indicator %s is reported by %s, not by %s", ind.Code, ind.Frequency, p.Freq)
	}
	if p.Year < sys.YearFrom || p.Year > sys.YearTo {
		return nil, Invalid("value_period_invalid", "/period", "the system covers %d–%d, not %d", sys.YearFrom, sys.YearTo, p.Year)
	}
	if v.Qualifier == "" {
		v.Qualifier = "exact"
	}
	if err := v.CheckAgainst(ind); err != nil {
		return nil, err
	}
	v.IndicatorID, v.SystemID, v.Year, v.Period = ind.ID, sys.ID, p.Year, p.String()
	v.Status, v.Flags, v.Version = ValueLifecycle.Initial, []string{}, 1
	v.SubmittedBy, v.SubmittedAt, v.ReviewedBy, v.ReviewedAt, v.ReviewScore, v.ReturnReason = nil, nil, nil, nil, nil, nil
	v.CreatedAt, v.UpdatedAt = at, at
	v.SetDerived()
	return &v, nil
}

// SetDerived keeps the columns computed from a value in step with it: the
// figure's sort key, for comparing in SQL, and whether it is flagged.
func (v *IndicatorValue) SetDerived() {
	v.ValueKey = nil
	if v.Value != nil {
		k := v.Value.SortKey()
		v.ValueKey = &k
	}
	if v.Flags == nil {
		v.Flags = []string{}
	}
	v.Flagged = len(v.Flags) > 0
}

// Editable refuses a change to the content of a value that is no longer a
// draft or returned (its evidence included).
func (v *IndicatorValue) Editable() error {
	_, err := ValueLifecycle.Check(MoveEdit, v.ID, v.Status)
	return err
}

// Edit applies a merge patch to a draft or returned value and checks the
// result against its indicator.
func (v *IndicatorValue) Edit(p ValuePatch, ind *Indicator) error {
	if err := v.Editable(); err != nil {
		return err
	}
	if p.Qualifier != nil {
		v.Qualifier = *p.Qualifier
	}
	patch(&v.Value, p.SetValue, p.Value)
	patch(&v.SelfScore, p.SetSelfScore, p.SelfScore)
	patch(&v.YesNo, p.SetYesNo, p.YesNo)
	patch(&v.AsOf, p.SetAsOf, p.AsOf)
	patch(&v.Text, p.SetText, p.Text)
	patch(&v.RawText, p.SetRawText, p.RawText)
	patch(&v.Comment, p.SetComment, p.Comment)
	if err := v.CheckAgainst(ind); err != nil {
		return err
	}
	v.SetDerived()
	return nil
}

// patch sets an optional field of a merge patch when the patch names it
// (set), to its value or, for an explicit null, to nil.
func patch[T any](field **T, set bool, value *T) {
	if set {
		*field = value
	}
}

// Submission is what a value is judged against when it is submitted,
// besides the value itself.
type Submission struct {
	// Indicator is the value's indicator, whose rules the submission obeys
	// (evidence required).
	Indicator *Indicator
	// Attachments counts the evidence files the value has.
	Attachments int
	// History are the unit's figures for the indicator in earlier periods,
	// Peers the other units' figures for the same period: a figure far from
	// either is flagged (Implausible).
	History, Peers []exact.Decimal
}

// Submit sends a draft or returned value to review. An indicator that
// requires evidence refuses a value without any; a figure far from the
// unit's history or its peers' is accepted with flags that tell reviewers
// why to look twice.
func (v *IndicatorValue) Submit(by Actor, at time.Time, s Submission) error {
	to, err := ValueLifecycle.Check(MoveSubmit, v.ID, v.Status)
	if err != nil {
		return err
	}
	if s.Indicator.EvidenceRequired && s.Attachments == 0 {
		return &ConflictError{Code: "value_evidence_missing",
			Detail: fmt.Sprintf("indicator %s requires evidence (佐证材料): attach a file to value %s before submitting it", s.Indicator.Code, v.ID)}
	}
	v.Flags = nil
	if v.Value != nil {
		v.Flags = Implausible(*v.Value, s.History, s.Peers)
	}
	v.Status, v.SubmittedBy, v.SubmittedAt, v.ReturnReason = to, by.ref(), &at, nil
	v.SetDerived()
	return nil
}

// Return sends a submitted value, or an approved one before an evaluation
// locked it, back to its unit with the reason; the review score goes with
// the approval. A reviewer never reviews what it submitted itself.
func (v *IndicatorValue) Return(by Actor, at time.Time, reason string) error {
	to, err := ValueLifecycle.Check(MoveReturn, v.ID, v.Status)
	if err != nil {
		return err
	}
	if err := v.checkReviewer(by); err != nil {
		return err
	}
	v.Status, v.ReturnReason, v.ReviewedBy, v.ReviewedAt, v.ReviewScore = to, &reason, by.ref(), &at, nil
	return nil
}

// Approve accepts a submitted value, with an optional review score within
// ind's points. A reviewer never reviews what it submitted itself.
func (v *IndicatorValue) Approve(by Actor, at time.Time, score *exact.Decimal, ind *Indicator) error {
	to, err := ValueLifecycle.Check(MoveApprove, v.ID, v.Status)
	if err != nil {
		return err
	}
	if err := v.checkReviewer(by); err != nil {
		return err
	}
	if score != nil && (score.Sign() < 0 || score.Cmp(ind.Points) > 0) {
		return Invalid("value_score_invalid", "/reviewScore", "a score lies between 0 and the indicator's %s points", ind.Points)
	}
	v.Status, v.ReviewScore, v.ReviewedBy, v.ReviewedAt = to, score, by.ref(), &at
	return nil
}

// checkReviewer refuses a review by whoever submitted the value.
func (v *IndicatorValue) checkReviewer(by Actor) error {
	if v.SubmittedBy != nil && *v.SubmittedBy == string(by) {
		return &ForbiddenError{Code: "self_review",
			Detail: fmt.Sprintf("you submitted value %s: another reviewer reviews it", v.ID)}
	}
	return nil
}

// Lock freezes an approved value that a published evaluation scored: it no
// longer changes or goes back, so the published ranking never moves.
func (v *IndicatorValue) Lock() error {
	to, err := ValueLifecycle.Check(MoveLock, v.ID, v.Status)
	if err != nil {
		return err
	}
	v.Status = to
	return nil
}
