package models

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fazhi/fazhi/exact"
)

// SystemStatus is the state of an indicator system: only drafts change.
type SystemStatus string

const (
	SystemDraft     SystemStatus = "draft"
	SystemPublished SystemStatus = "published"
	SystemArchived  SystemStatus = "archived"
)

// IndicatorSystem is a named, versioned tree of indicators (指标体系).
type IndicatorSystem struct {
	ID                string        `gorm:"column:id;primaryKey"`
	Name              string        `gorm:"column:name"`
	IssuingUnitID     string        `gorm:"column:issuing_unit_id"`
	Edition           string        `gorm:"column:edition"`
	YearFrom          int           `gorm:"column:year_from"`
	YearTo            int           `gorm:"column:year_to"`
	TotalPoints       exact.Decimal `gorm:"column:total_points"`
	Status            SystemStatus  `gorm:"column:status"`
	PreviousEditionID *string       `gorm:"column:previous_edition_id"`
	PublishedAt       *time.Time    `gorm:"column:published_at"`
	// GradeBands are the grades an evaluation gives by total (等次).
	GradeBands []GradeBand `gorm:"column:grade_bands;serializer:json"`
	SearchText string      `gorm:"column:search_text"`
	Version    int64       `gorm:"column:version"`
	CreatedAt  time.Time   `gorm:"column:created_at"`
	UpdatedAt  time.Time   `gorm:"column:updated_at"`
}

// TableName maps IndicatorSystem to its table.
func (IndicatorSystem) TableName() string { return "indicator_systems" }

// Validate checks the rules a system must satisfy on its own.
func (s *IndicatorSystem) Validate() error {
	var fields []FieldError
	if s.YearTo < s.YearFrom {
		fields = append(fields, FieldError{Pointer: "/yearTo", Message: "yearTo is before yearFrom"})
	}
	if s.TotalPoints.Sign() <= 0 {
		fields = append(fields, FieldError{Pointer: "/totalPoints", Message: "totalPoints must be positive"})
	}
	if strings.TrimSpace(s.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Message: "name is required"})
	}
	fields = append(fields, CheckGradeBands("/gradeBands", s.GradeBands, s.TotalPoints)...)
	if len(fields) > 0 {
		return &ValidationError{Code: "indicator_system_invalid", Detail: "the indicator system is not valid", Fields: fields}
	}
	return nil
}

// ValueType is the kind of value an indicator takes.
type ValueType string

// Direction says which values are better.
type Direction string

// Aggregation says how a parent unit's figure is computed from its children's.
type Aggregation string

// Frequency is how often an indicator is reported.
type Frequency string

// The enumerations of indicators, as the contract spells them.
var (
	ValueTypes   = []ValueType{"number", "percent", "yes_no", "text", "evidence_only"}
	Directions   = []Direction{"higher_better", "lower_better", "target"}
	Aggregations = []Aggregation{"sum", "average", "weighted_average", "min", "max", "none"}
	Frequencies  = []Frequency{"year", "half", "quarter", "month"}
)

// MaxIndicatorLevel bounds an indicator tree's depth (usually 3).
const MaxIndicatorLevel = 8

// Indicator is one node of a system's tree (指标).
type Indicator struct {
	ID                string        `gorm:"column:id;primaryKey"`
	SystemID          string        `gorm:"column:system_id"`
	ParentID          *string       `gorm:"column:parent_id"`
	Code              string        `gorm:"column:code"`
	Name              string        `gorm:"column:name"`
	Level             int           `gorm:"column:level"`
	Content           *string       `gorm:"column:content"`
	Criteria          *string       `gorm:"column:criteria"`
	Points            exact.Decimal `gorm:"column:points"`
	MeasureUnit       *string       `gorm:"column:measure_unit"`
	ValueType         ValueType     `gorm:"column:value_type"`
	Direction         Direction     `gorm:"column:direction"`
	Aggregation       Aggregation   `gorm:"column:aggregation"`
	Frequency         Frequency     `gorm:"column:frequency"`
	EvidenceRequired  bool          `gorm:"column:evidence_required"`
	LeadUnitID        *string       `gorm:"column:lead_unit_id"`
	SourceIndicatorID *string       `gorm:"column:source_indicator_id"`
	// Scoring is how evaluations score the indicator; nil: manually.
	Scoring    *Scoring  `gorm:"column:scoring;serializer:json"`
	SortOrder  int       `gorm:"column:sort_order"`
	SearchText string    `gorm:"column:search_text"`
	Version    int64     `gorm:"column:version"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	UpdatedAt  time.Time `gorm:"column:updated_at"`
	// ReportingUnitIDs are kept in their own table.
	ReportingUnitIDs []string `gorm:"-"`
}

// TableName maps Indicator to its table.
func (Indicator) TableName() string { return "indicators" }

// Validate checks the rules an indicator must satisfy on its own.
func (ind *Indicator) Validate() error {
	var fields []FieldError
	add := func(pointer, format string, args ...any) {
		fields = append(fields, FieldError{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	if ind.Points.Sign() < 0 {
		add("/points", "points must not be negative")
	}
	if !slices.Contains(ValueTypes, ind.ValueType) {
		add("/valueType", "unknown value type %q", ind.ValueType)
	}
	if !slices.Contains(Directions, ind.Direction) {
		add("/direction", "unknown direction %q", ind.Direction)
	}
	if !slices.Contains(Aggregations, ind.Aggregation) {
		add("/aggregation", "unknown aggregation %q", ind.Aggregation)
	}
	if !slices.Contains(Frequencies, ind.Frequency) {
		add("/frequency", "unknown frequency %q", ind.Frequency)
	}
	if ind.Level < 1 || ind.Level > MaxIndicatorLevel {
		add("/parentId", "an indicator tree is at most %d levels deep", MaxIndicatorLevel)
	}
	if ind.Scoring != nil {
		fields = append(fields, ind.Scoring.Check("/scoring", ind.Points, ind.ValueType)...)
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "indicator_invalid", Detail: "the indicator is not valid", Fields: fields}
	}
	return nil
}

// IndicatorFilter selects a system's indicators; zero fields do not filter.
type IndicatorFilter struct {
	ParentID string
	Level    int
	Query    string
}

// SystemFilter selects indicator systems; zero fields do not filter.
type SystemFilter struct {
	Status        SystemStatus
	IssuingUnitID string
	Query         string
	// ReleasedOnly limits systems to SystemLifecycle's released states (for
	// API keys).
	ReleasedOnly bool
}

// SystemPatch is a merge patch of a draft system.
type SystemPatch struct {
	Name          *string
	IssuingUnitID *string
	Edition       *string
	YearFrom      *int
	YearTo        *int
	TotalPoints   *exact.Decimal
	GradeBands    *[]GradeBand
}

// IndicatorPatch is a merge patch of an indicator: nil fields stay; the Set
// flags apply optional fields, with nil clearing them.
type IndicatorPatch struct {
	Code             *string
	Name             *string
	Points           *exact.Decimal
	ValueType        *ValueType
	Direction        *Direction
	Aggregation      *Aggregation
	Frequency        *Frequency
	EvidenceRequired *bool
	SortOrder        *int
	ReportingUnitIDs []string // nil: unchanged

	SetContent, SetCriteria, SetMeasureUnit, SetLeadUnit, Move bool
	SetScoring                                                 bool
	Scoring                                                    *Scoring
	Content, Criteria, MeasureUnit, LeadUnitID, ParentID       *string
}

// CheckPoints applies the rule a system must meet to be published: every
// indicator with children has exactly the points of its children added up, and
// the level-1 indicators add up to the system's total. It names every
// indicator that does not add up.
func CheckPoints(total exact.Decimal, indicators []Indicator) error {
	children := map[string][]exact.Decimal{}
	var top []exact.Decimal
	for _, ind := range indicators {
		if ind.ParentID == nil {
			top = append(top, ind.Points)
		} else {
			children[*ind.ParentID] = append(children[*ind.ParentID], ind.Points)
		}
	}
	var fields []FieldError
	if len(indicators) == 0 {
		fields = append(fields, FieldError{Pointer: "/indicators", Message: "the system has no indicators"})
	} else if sum := exact.Sum(top); sum.Cmp(total) != 0 {
		fields = append(fields, FieldError{Pointer: "/totalPoints",
			Message: fmt.Sprintf("the level-1 indicators add up to %s points, the system's total is %s", sum, total)})
	}
	for _, ind := range indicators {
		kids, ok := children[ind.ID]
		if !ok {
			continue
		}
		if sum := exact.Sum(kids); sum.Cmp(ind.Points) != 0 {
			fields = append(fields, FieldError{Pointer: "/indicators/" + ind.ID,
				Message: fmt.Sprintf("indicator %s %s has %s points but its children add up to %s", ind.Code, ind.Name, ind.Points, sum)})
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "indicator_points_mismatch",
			Detail: "the points do not add up: each indicator must have its children's points added up", Fields: fields}
	}
	return nil
}
