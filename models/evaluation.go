package models

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/fazhi/fazhi/exact"
)

// EvaluationStatus is where an evaluation stands.
type EvaluationStatus string

const (
	// EvaluationDraft is computed on demand from the approved values.
	EvaluationDraft EvaluationStatus = "draft"
	// EvaluationPublished is frozen: its results are kept and the values
	// it used are locked.
	EvaluationPublished EvaluationStatus = "published"
	// EvaluationSuperseded was published and then corrected by another.
	EvaluationSuperseded EvaluationStatus = "superseded"
)

// Evaluation is the scoring of one system's year for a set of units (考核评价).
type Evaluation struct {
	ID             string           `gorm:"column:id;primaryKey"`
	SystemID       string           `gorm:"column:system_id"`
	Year           int              `gorm:"column:year"`
	Name           string           `gorm:"column:name"`
	Status         EvaluationStatus `gorm:"column:status"`
	UnitIDs        []string         `gorm:"column:unit_ids;serializer:json"`
	SupersedesID   *string          `gorm:"column:supersedes_id"`
	SupersededByID *string          `gorm:"column:superseded_by_id"`
	PublishedAt    *time.Time       `gorm:"column:published_at"`
	PublishedBy    *string          `gorm:"column:published_by"`
	Version        int64            `gorm:"column:version"`
	CreatedAt      time.Time        `gorm:"column:created_at"`
	UpdatedAt      time.Time        `gorm:"column:updated_at"`
}

// TableName maps Evaluation to its table.
func (Evaluation) TableName() string { return "evaluations" }

// MaxEvaluationUnits bounds the units of one evaluation.
const MaxEvaluationUnits = 2000

// MaxEvaluationName bounds an evaluation's name, in characters.
const MaxEvaluationName = 200

// EvaluationName is base followed by suffix, base cut short so that the whole
// fits in MaxEvaluationName characters: the names the server makes up, "<the
// system's name> 2021年度考核" and, for a correction, "<the name>（更正）".
func EvaluationName(base, suffix string) string {
	r := []rune(base)
	if room := max(MaxEvaluationName-len([]rune(suffix)), 0); len(r) > room {
		r = r[:room]
	}
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + suffix
}

// Validate checks an evaluation against its system: a published system whose
// years include the evaluation's, a name, and at least one unit.
func (e *Evaluation) Validate(s *IndicatorSystem) error {
	var fields []FieldError
	if _, err := SystemLifecycle.Check(MoveEvaluate, s.ID, s.Status); err != nil {
		return err
	}
	if e.Year < s.YearFrom || e.Year > s.YearTo {
		fields = append(fields, FieldError{Pointer: "/year", Message: fmt.Sprintf("the system covers %d–%d, not %d", s.YearFrom, s.YearTo, e.Year)})
	}
	if strings.TrimSpace(e.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Message: "name is required"})
	} else if len([]rune(e.Name)) > MaxEvaluationName {
		fields = append(fields, FieldError{Pointer: "/name", Message: fmt.Sprintf("a name has at most %d characters", MaxEvaluationName)})
	}
	if len(e.UnitIDs) == 0 {
		fields = append(fields, FieldError{Pointer: "/unitIds", Message: "no unit to evaluate: name the units (the system names no reporting units)"})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "evaluation_invalid", Detail: "the evaluation is not valid", Fields: fields}
	}
	return nil
}

// EvaluationFilter selects evaluations; zero fields do not filter.
type EvaluationFilter struct {
	SystemID string
	Year     int
	Status   EvaluationStatus
	// ReleasedOnly limits evaluations to EvaluationLifecycle's released
	// states (for API keys).
	ReleasedOnly bool
}

// EvaluationResult is one unit's frozen result in a published evaluation:
// its place in the ranking, its area scores and its whole scorecard, kept as
// the JSON they were published as.
type EvaluationResult struct {
	EvaluationID string        `gorm:"column:evaluation_id;primaryKey"`
	UnitID       string        `gorm:"column:unit_id;primaryKey"`
	Position     int           `gorm:"column:position"` // 1-based order in the ranking
	Total        exact.Decimal `gorm:"column:total"`
	Rank         int           `gorm:"column:unit_rank"`
	Grade        *string       `gorm:"column:grade"`
	Areas        string        `gorm:"column:areas"` // JSON
	Card         string        `gorm:"column:card"`  // JSON
}

// TableName maps EvaluationResult to its table.
func (EvaluationResult) TableName() string { return "evaluation_results" }

// EvaluationInputs is what scoring an evaluation reads: its system and the
// system's indicators (parents first), the released year-end values of the
// evaluated units, and the year's targets.
type EvaluationInputs struct {
	System     *IndicatorSystem
	Indicators []Indicator
	// Values carry what scoring and its explanation read (id, indicator,
	// unit, period, number or yes/no, qualifier, review score, version);
	// their other fields are zero.
	Values  []IndicatorValue
	Targets []Target
}
