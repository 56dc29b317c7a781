package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fazhi/fazhi/exact"
)

// InspectionRound is a round of self-inspection or supervision (自查, 督察):
// a published checklist assigned by an office to units, each of which
// answers every item by the deadline (InspectionSheet).
type InspectionRound struct {
	ID              string `gorm:"column:id;primaryKey"`
	ChecklistID     string `gorm:"column:checklist_id"` // a published version: its items are the questions
	Title           string `gorm:"column:title"`
	AssigningUnitID string `gorm:"column:assigning_unit_id"` // the office that assigns, accepts and returns
	Deadline        string `gorm:"column:deadline"`          // YYYY-MM-DD, the last day to submit
	CreatedBy       string `gorm:"column:created_by"`
	SampleData      bool   `gorm:"column:sample_data"`
	Version         int64  `gorm:"column:version"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName maps InspectionRound to its table.
func (InspectionRound) TableName() string { return "inspection_rounds" }

// Bounds of a round.
const (
	MaxRoundTitle  = 200
	MaxRoundUnits  = 1000
	MaxAnswerText  = 2000
	MaxReturnText  = 2000
	MaxRoundsItems = 2000 // the most items a round's list may have: every unit answers each
)

// Validate checks a new round's own fields: a title, a real deadline, and
// one unit at least, each once. A deadline already past is allowed: offices
// record the rounds they ran on paper too, and such a round is overdue at
// once for the units that have not submitted.
func (r *InspectionRound) Validate(unitIDs []string) error {
	var fields []FieldError
	if t := strings.TrimSpace(r.Title); t == "" || t != r.Title || utf8.RuneCountInString(t) > MaxRoundTitle {
		fields = append(fields, FieldError{Pointer: "/title", Message: fmt.Sprintf("a title of 1 to %d characters without spaces around it", MaxRoundTitle)})
	}
	if _, err := time.Parse(time.DateOnly, r.Deadline); err != nil || !datePattern.MatchString(r.Deadline) {
		fields = append(fields, FieldError{Pointer: "/deadline", Message: "the deadline must be a date such as 2021-11-30"})
	}
	seen := map[string]bool{}
	for i, id := range unitIDs {
		if seen[id] {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/unitIds/%d", i), Message: "the unit is assigned twice"})
		}
		seen[id] = true
	}
	if len(unitIDs) == 0 || len(unitIDs) > MaxRoundUnits {
		fields = append(fields, FieldError{Pointer: "/unitIds", Message: fmt.Sprintf("assign the round to 1 to %d units", MaxRoundUnits)})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "inspection_round_invalid", Detail: "the round is not valid", Fields: fields}
	}
	return nil
}

// InspectionStatus is where a unit's answers in a round stand.
type InspectionStatus string

const (
	InspectionPending   InspectionStatus = "pending"   // the unit answers
	InspectionSubmitted InspectionStatus = "submitted" // with the assigning office
	InspectionReturned  InspectionStatus = "returned"  // back with the unit, with a reason
	InspectionAccepted  InspectionStatus = "accepted"  // done
)

// Moves of inspection sheets besides the common ones.
const MoveAccept = "accept"

// InspectionLifecycle is a unit's answers in a round (自查表): the unit
// answers every item and submits; the assigning office returns them with a
// reason or accepts them. Accepted answers are released: read-only keys see
// those only.
var InspectionLifecycle = Lifecycle[InspectionStatus]{
	Entity:   "inspection sheet",
	Initial:  InspectionPending,
	States:   []InspectionStatus{InspectionPending, InspectionSubmitted, InspectionReturned, InspectionAccepted},
	Released: []InspectionStatus{InspectionAccepted},
	Moves: []Move[InspectionStatus]{
		{Name: MoveEdit, From: []InspectionStatus{InspectionPending, InspectionReturned}, Code: "inspection_not_editable"},
		{Name: MoveSubmit, From: []InspectionStatus{InspectionPending, InspectionReturned}, To: InspectionSubmitted, Code: "inspection_not_editable"},
		{Name: MoveReturn, From: []InspectionStatus{InspectionSubmitted}, To: InspectionReturned, Code: "inspection_not_submitted"},
		{Name: MoveAccept, From: []InspectionStatus{InspectionSubmitted}, To: InspectionAccepted, Code: "inspection_not_submitted"},
	},
}

// InspectionSheet is one unit's answers in a round.
type InspectionSheet struct {
	ID           string           `gorm:"column:id;primaryKey"`
	RoundID      string           `gorm:"column:round_id"`
	UnitID       string           `gorm:"column:unit_id"`
	Status       InspectionStatus `gorm:"column:status"`
	SubmittedBy  *string          `gorm:"column:submitted_by"`
	SubmittedAt  *time.Time       `gorm:"column:submitted_at"`
	ReviewedBy   *string          `gorm:"column:reviewed_by"`
	ReviewedAt   *time.Time       `gorm:"column:reviewed_at"`
	ReturnReason *string          `gorm:"column:return_reason"`
	Version      int64            `gorm:"column:version"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName maps InspectionSheet to its table.
func (InspectionSheet) TableName() string { return "inspection_sheets" }

// SheetDetails are what sheets show besides themselves, for a batch of
// them.
type SheetDetails struct {
	Rounds   map[string]*InspectionRound     // by id
	Answers  map[string][]InspectionAnswer   // by sheet, by item
	Evidence map[string][]InspectionEvidence // by sheet, oldest first
}

// NewInspectionSheet is a unit's sheet of a new round, to answer.
func NewInspectionSheet(id, roundID, unitID string, at time.Time) *InspectionSheet {
	return &InspectionSheet{ID: id, RoundID: roundID, UnitID: unitID, Status: InspectionLifecycle.Initial, Version: 1, CreatedAt: at, UpdatedAt: at}
}

// Answerable refuses answers and evidence unless the unit is working on
// the sheet.
func (s *InspectionSheet) Answerable() error {
	_, err := InspectionLifecycle.Check(MoveEdit, s.ID, s.Status)
	return err
}

// Submit sends the unit's answers to the assigning office: every item must
// be answered (items is the list's count, answered the sheet's).
func (s *InspectionSheet) Submit(by Actor, at time.Time, items, answered int) error {
	to, err := InspectionLifecycle.Check(MoveSubmit, s.ID, s.Status)
	if err != nil {
		return err
	}
	if answered < items {
		return &ConflictError{Code: "inspection_incomplete",
			Detail: fmt.Sprintf("%d of the round's %d items are answered: answer every item before submitting", answered, items)}
	}
	s.Status, s.SubmittedBy, s.SubmittedAt = to, by.ref(), &at
	return nil
}

// Return sends submitted answers back to the unit, saying why.
func (s *InspectionSheet) Return(by Actor, at time.Time, reason string) error {
	to, err := InspectionLifecycle.Check(MoveReturn, s.ID, s.Status)
	if err != nil {
		return err
	}
	if err := s.notSubmittedBy(by); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" || utf8.RuneCountInString(reason) > MaxReturnText {
		return Invalid("inspection_invalid", "/reason", "say why the answers go back (up to %d characters): it is what the unit works from", MaxReturnText)
	}
	s.Status, s.ReviewedBy, s.ReviewedAt, s.ReturnReason = to, by.ref(), &at, &reason
	return nil
}

// Accept ends a unit's part of the round.
func (s *InspectionSheet) Accept(by Actor, at time.Time) error {
	to, err := InspectionLifecycle.Check(MoveAccept, s.ID, s.Status)
	if err != nil {
		return err
	}
	if err := s.notSubmittedBy(by); err != nil {
		return err
	}
	s.Status, s.ReviewedBy, s.ReviewedAt = to, by.ref(), &at
	return nil
}

func (s *InspectionSheet) notSubmittedBy(by Actor) error {
	if s.SubmittedBy != nil && Actor(*s.SubmittedBy) == by {
		return &ForbiddenError{Code: "self_review", Detail: "the answers are accepted or returned by someone else than the one who submitted them"}
	}
	return nil
}

// Overdue reports whether the unit has not submitted by the deadline: the
// deadline is before today (YYYY-MM-DD, in China) and the answers are still
// with the unit.
func (s *InspectionSheet) Overdue(deadline, today string) bool {
	return deadline < today && slices.Contains(unsubmitted, s.Status)
}

// unsubmitted are the states in which the answers are with the unit.
var unsubmitted = []InspectionStatus{InspectionPending, InspectionReturned}

// InspectionRoundFilter narrows a list of rounds: of a list version, with a
// sheet of a unit of the subtree UnitPath (or assigned by one), with a sheet
// in a released state (ReleasedOnly), or overdue: past their deadline on
// Today (YYYY-MM-DD) with a sheet still with its unit.
type InspectionRoundFilter struct {
	ChecklistID  string
	UnitPath     string
	ReleasedOnly bool
	Overdue      bool
	Today        string
}

// Unsubmitted are the states in which a sheet is still with its unit.
func Unsubmitted() []InspectionStatus { return slices.Clone(unsubmitted) }

// InspectionResult is a unit's answer to one item.
type InspectionResult string

const (
	ResultComplies      InspectionResult = "complies"        // 符合
	ResultDoesNotComply InspectionResult = "does_not_comply" // 不符合
	ResultNotApplicable InspectionResult = "not_applicable"  // 不适用
)

// InspectionAnswer is a unit's answer to one item of a round.
type InspectionAnswer struct {
	ID         string           `gorm:"column:id;primaryKey"`
	SheetID    string           `gorm:"column:sheet_id"`
	ItemID     string           `gorm:"column:item_id"`
	Result     InspectionResult `gorm:"column:result"`
	Comment    string           `gorm:"column:comment"`
	AnsweredBy string           `gorm:"column:answered_by"`
	Version    int64            `gorm:"column:version"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName maps InspectionAnswer to its table.
func (InspectionAnswer) TableName() string { return "inspection_answers" }

// Validate checks an answer: a known result, a comment within bounds, and
// for an item the unit does not comply with, a comment saying what is
// wrong: that is the problem the unit must put right.
func (a *InspectionAnswer) Validate() error {
	var fields []FieldError
	switch a.Result {
	case ResultComplies, ResultNotApplicable:
	case ResultDoesNotComply:
		if strings.TrimSpace(a.Comment) == "" {
			fields = append(fields, FieldError{Pointer: "/comment", Message: "say what does not comply: it is the problem to put right"})
		}
	default:
		fields = append(fields, FieldError{Pointer: "/result", Message: "complies, does_not_comply or not_applicable"})
	}
	if utf8.RuneCountInString(a.Comment) > MaxAnswerText {
		fields = append(fields, FieldError{Pointer: "/comment", Message: fmt.Sprintf("a comment has at most %d characters", MaxAnswerText)})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "inspection_answer_invalid", Detail: "the answer is not valid", Fields: fields}
	}
	return nil
}

// Finding is what an answer that does not comply hands to the problems of
// the plans (存在问题, with a rectification task until signed off): the hook
// that issue connects to. It is the unit, the item and what is wrong, and
// where it was found.
type Finding struct {
	RoundID, SheetID, AnswerID string
	UnitID, ItemID             string
	Description                string
}

// Finding is the answer's finding, for an answer that does not comply.
func (a *InspectionAnswer) Finding(s *InspectionSheet) (Finding, bool) {
	if a.Result != ResultDoesNotComply {
		return Finding{}, false
	}
	return Finding{RoundID: s.RoundID, SheetID: s.ID, AnswerID: a.ID, UnitID: s.UnitID, ItemID: a.ItemID, Description: a.Comment}, true
}

// InspectionTally counts answers: of how many items, how many answered and
// how by result.
type InspectionTally struct {
	Items, Answered                        int
	Complies, DoesNotComply, NotApplicable int
}

// Add counts one answer.
func (t *InspectionTally) Add(r InspectionResult) {
	t.Answered++
	switch r {
	case ResultComplies:
		t.Complies++
	case ResultDoesNotComply:
		t.DoesNotComply++
	case ResultNotApplicable:
		t.NotApplicable++
	}
}

// CompletionRate is the percentage of the items answered, 0.00 to 100.00.
func (t InspectionTally) CompletionRate() exact.Decimal { return percent(t.Answered, t.Items) }

// ComplianceRate is the percentage of the answered items that apply which
// comply; nil when none applies yet.
func (t InspectionTally) ComplianceRate() *exact.Decimal {
	applicable := t.Complies + t.DoesNotComply
	if applicable == 0 {
		return nil
	}
	r := percent(t.Complies, applicable)
	return &r
}

// percent is part of whole in percent, rounded half up to two decimals as
// rates are printed.
func percent(part, whole int) exact.Decimal {
	if whole == 0 {
		return exact.MustParse("0.00")
	}
	q, err := exact.FromInt(int64(part)*100).Quo(exact.FromInt(int64(whole)), 6)
	if err != nil {
		panic(err) // a whole that is not zero divides
	}
	return q.RoundHalfUp(2)
}

// InspectionEvidence is a file of evidence attached to an answer (佐证材料),
// kept as the attachments of reported values are: the bytes in the blob
// store under BlobKey, the name as uploaded, the type judged by the content.
type InspectionEvidence struct {
	ID          string    `gorm:"column:id;primaryKey"`
	AnswerID    string    `gorm:"column:answer_id"`
	Filename    string    `gorm:"column:filename"`
	ContentType string    `gorm:"column:content_type"`
	Size        int64     `gorm:"column:size"`
	SHA256      string    `gorm:"column:sha256"`
	BlobKey     string    `gorm:"column:blob_key"`
	CreatedBy   string    `gorm:"column:created_by"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName maps InspectionEvidence to its table.
func (InspectionEvidence) TableName() string { return "inspection_evidence" }
