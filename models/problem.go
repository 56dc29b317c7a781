package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ProblemSource is where a problem was found.
type ProblemSource string

const (
	SourceSelfInspection ProblemSource = "self_inspection" // 自查
	SourceSupervision    ProblemSource = "supervision"     // 督察
	SourceAnnualReview   ProblemSource = "annual_review"   // 年度考核
	SourceAudit          ProblemSource = "audit"           // 审计
)

// ProblemSources lists the sources, in the order the contract names them.
var ProblemSources = []ProblemSource{SourceSelfInspection, SourceSupervision, SourceAnnualReview, SourceAudit}

// ProblemStatus is where a problem's rectification stands.
type ProblemStatus string

const (
	ProblemOpen       ProblemStatus = "open"       // recorded
	ProblemRectifying ProblemStatus = "rectifying" // the unit is putting it right
	ProblemSignedOff  ProblemStatus = "signed_off" // 整改销号: a reviewer saw the evidence and closed it
)

// Moves of problems besides the common ones.
const (
	MoveRectify = "rectify"  // start putting a problem right
	MoveSignOff = "sign_off" // close a rectified problem (整改销号)
)

// ProblemLifecycle is a problem record's (存在问题): recorded open, its
// unit states the rectification measures and starts rectifying, and a
// reviewer above the unit signs it off once evidence shows it put right.
// Signed-off problems are released.
var ProblemLifecycle = Lifecycle[ProblemStatus]{
	Entity:   "problem",
	Initial:  ProblemOpen,
	States:   []ProblemStatus{ProblemOpen, ProblemRectifying, ProblemSignedOff},
	Released: []ProblemStatus{ProblemSignedOff},
	Moves: []Move[ProblemStatus]{
		{Name: MoveEdit, From: []ProblemStatus{ProblemOpen, ProblemRectifying}, Code: "problem_signed_off"},
		{Name: MoveDelete, From: []ProblemStatus{ProblemOpen}, Code: "problem_not_open"},
		{Name: MoveRectify, From: []ProblemStatus{ProblemOpen}, To: ProblemRectifying, Code: "problem_not_open"},
		{Name: MoveSignOff, From: []ProblemStatus{ProblemRectifying}, To: ProblemSignedOff, Code: "problem_not_rectifying"},
	},
}

// Bounds of a problem's fields.
const (
	MaxProblemTitle    = 200
	MaxProblemCategory = 50
	MaxProblemText     = 5000
	MaxProblemLinks    = 100
)

// Problem is a shortcoming a unit found or was found to have in a year,
// and its rectification.
type Problem struct {
	ID       string        `gorm:"column:id;primaryKey"`
	UnitID   string        `gorm:"column:unit_id"`
	Year     int           `gorm:"column:year"`
	Source   ProblemSource `gorm:"column:source"`
	Title    string        `gorm:"column:title"`
	Detail   string        `gorm:"column:detail"`
	Category string        `gorm:"column:category"` // the office's own grouping, as it words it
	// Measures are the rectification measures (整改措施); RectificationTaskID
	// the plan task that carries them out, when there is one.
	Measures            string        `gorm:"column:measures"`
	RectificationTaskID *string       `gorm:"column:rectification_task_id"`
	Status              ProblemStatus `gorm:"column:status"`
	RectifyingSince     *time.Time    `gorm:"column:rectifying_since"`
	SignedOffBy         *string       `gorm:"column:signed_off_by"`
	SignedOffAt         *time.Time    `gorm:"column:signed_off_at"`
	SignOffNote         *string       `gorm:"column:sign_off_note"`
	CreatedBy           string        `gorm:"column:created_by"`
	SampleData          bool          `gorm:"column:sample_data"`
	Version             int64         `gorm:"column:version"`
	CreatedAt           time.Time
	UpdatedAt           time.Time

	// Kept in tables of their own (problem_indicators, problem_tasks).
	IndicatorIDs []string `gorm:"-"`
	TaskIDs      []string `gorm:"-"`
}

// TableName maps Problem to its table.
func (Problem) TableName() string { return "problems" }

// NewProblem is a problem just recorded.
func NewProblem(id, unitID string, year int, source ProblemSource, title string, by Actor) *Problem {
	return &Problem{ID: id, UnitID: unitID, Year: year, Source: source, Title: title, Status: ProblemLifecycle.Initial,
		CreatedBy: string(by), IndicatorIDs: []string{}, TaskIDs: []string{}}
}

// Validate checks a problem's own fields.
func (p *Problem) Validate() error {
	var fields []FieldError
	if p.Year < MinPlanYear || p.Year > MaxPlanYear {
		fields = append(fields, FieldError{Pointer: "/year", Message: fmt.Sprintf("a year from %d to %d", MinPlanYear, MaxPlanYear)})
	}
	if !slices.Contains(ProblemSources, p.Source) {
		fields = append(fields, FieldError{Pointer: "/source", Message: "self_inspection, supervision, annual_review or audit"})
	}
	if !trimmed(p.Title, MaxProblemTitle) {
		fields = append(fields, FieldError{Pointer: "/title", Message: fmt.Sprintf("a title of 1 to %d characters without spaces around it", MaxProblemTitle)})
	}
	if p.Category != "" && !trimmed(p.Category, MaxProblemCategory) {
		fields = append(fields, FieldError{Pointer: "/category", Message: fmt.Sprintf("up to %d characters without spaces around them", MaxProblemCategory)})
	}
	for _, t := range []struct{ pointer, text string }{{"/detail", p.Detail}, {"/measures", p.Measures}} {
		if utf8.RuneCountInString(t.text) > MaxProblemText {
			fields = append(fields, FieldError{Pointer: t.pointer, Message: fmt.Sprintf("up to %d characters", MaxProblemText)})
		}
	}
	for _, l := range []struct {
		pointer string
		ids     []string
	}{{"/indicatorIds", p.IndicatorIDs}, {"/taskIds", p.TaskIDs}} {
		if len(l.ids) > MaxProblemLinks {
			fields = append(fields, FieldError{Pointer: l.pointer, Message: fmt.Sprintf("up to %d links", MaxProblemLinks)})
		}
		fields = append(fields, twice(l.pointer, l.ids, "linked twice")...)
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "problem_invalid", Detail: "the problem is not valid", Fields: fields}
	}
	return nil
}

// twice names the ids that appear more than once in a list.
func twice(pointer string, ids []string, message string) []FieldError {
	var fields []FieldError
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("%s/%d", pointer, i), Message: message})
		}
		seen[id] = true
	}
	return fields
}

// ProblemPatch is a change of a problem; nil leaves a field as it is.
type ProblemPatch struct {
	Source                   *ProblemSource
	Title                    *string
	Detail                   *string
	Category                 *string
	Measures                 *string
	RectificationTaskID      *string
	ClearRectificationTaskID bool
	IndicatorIDs             *[]string
	TaskIDs                  *[]string
}

// Apply changes a problem not yet signed off.
func (p *Problem) Apply(patch ProblemPatch) error {
	if _, err := ProblemLifecycle.Check(MoveEdit, p.ID, p.Status); err != nil {
		return err
	}
	if patch.Source != nil {
		p.Source = *patch.Source
	}
	for _, f := range []struct{ dst, v *string }{{&p.Title, patch.Title}, {&p.Detail, patch.Detail}, {&p.Category, patch.Category}, {&p.Measures, patch.Measures}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if patch.ClearRectificationTaskID {
		p.RectificationTaskID = nil
	} else if patch.RectificationTaskID != nil {
		p.RectificationTaskID = patch.RectificationTaskID
	}
	if patch.IndicatorIDs != nil {
		p.IndicatorIDs = *patch.IndicatorIDs
	}
	if patch.TaskIDs != nil {
		p.TaskIDs = *patch.TaskIDs
	}
	return p.Validate()
}

// Rectify starts putting the problem right: the measures must be stated,
// here or before.
func (p *Problem) Rectify(at time.Time, measures *string, taskID *string) error {
	to, err := ProblemLifecycle.Check(MoveRectify, p.ID, p.Status)
	if err != nil {
		return err
	}
	if measures != nil {
		p.Measures = *measures
	}
	if taskID != nil {
		p.RectificationTaskID = taskID
	}
	if strings.TrimSpace(p.Measures) == "" {
		return Invalid("problem_measures_missing", "/measures", "state the rectification measures (整改措施) before rectifying starts")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p.Status, p.RectifyingSince = to, &at
	return nil
}

// SignOff closes a rectified problem (整改销号): evidence is the number of
// files of evidence attached to it, at least one; the reviewer is not the
// one who recorded it.
func (p *Problem) SignOff(by Actor, at time.Time, evidence int, note *string) error {
	to, err := ProblemLifecycle.Check(MoveSignOff, p.ID, p.Status)
	if err != nil {
		return err
	}
	if evidence == 0 {
		return &ConflictError{Code: "problem_evidence_missing", Detail: "attach evidence of the rectification (整改佐证材料) before signing the problem off"}
	}
	if Actor(p.CreatedBy) == by {
		return &ForbiddenError{Code: "self_review", Detail: "a problem is signed off by someone else than the one who recorded it"}
	}
	if note != nil && utf8.RuneCountInString(*note) > MaxReturnText {
		return Invalid("problem_invalid", "/note", "up to %d characters", MaxReturnText)
	}
	p.Status, p.SignedOffBy, p.SignedOffAt, p.SignOffNote = to, by.ref(), &at, note
	return nil
}

// ProblemFilter narrows a list of problems: of a unit (or the subtree
// UnitPath the caller sees), a year, a source, a status, linked to a task
// or an indicator, or signed off only (ReleasedOnly); with UnitPath,
// ReleasedEverywhere adds the signed-off problems of every unit.
type ProblemFilter struct {
	UnitID             string
	UnitPath           string
	ReleasedEverywhere bool
	Year               int
	Source             ProblemSource
	Status             ProblemStatus
	TaskID             string
	IndicatorID        string
	ReleasedOnly       bool
}

// Evidence is a file that supports a progress report or a problem's
// rectification (佐证材料); its bytes are in the blob store under BlobKey.
type Evidence struct {
	ID          string    `gorm:"column:id;primaryKey"`
	RecordType  string    `gorm:"column:record_type"` // EvidenceOfProgress or EvidenceOfProblem
	RecordID    string    `gorm:"column:record_id"`
	Filename    string    `gorm:"column:filename"`
	ContentType string    `gorm:"column:content_type"`
	Size        int64     `gorm:"column:size"`
	SHA256      string    `gorm:"column:sha256"`
	BlobKey     string    `gorm:"column:blob_key"`
	CreatedBy   string    `gorm:"column:created_by"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName maps Evidence to its table.
func (Evidence) TableName() string { return "plan_evidence" }

// The records evidence is attached to.
const (
	EvidenceOfProgress = "progress_report"
	EvidenceOfProblem  = "problem"
)
