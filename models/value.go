package models

import (
	"fmt"
	"slices"
	"time"

	"github.com/fazhi/fazhi/exact"
)

// ValueStatus is the state of a reported value in its review.
type ValueStatus string

const (
	ValueDraft     ValueStatus = "draft"
	ValueSubmitted ValueStatus = "submitted"
	ValueReturned  ValueStatus = "returned"
	ValueApproved  ValueStatus = "approved"
	ValueLocked    ValueStatus = "locked" // used by a published evaluation
)

// Qualifier is how the source text qualified a figure.
type Qualifier string

// Qualifiers, as the contract spells them.
var Qualifiers = []Qualifier{"exact", "more_than", "at_least", "at_most", "less_than", "about", "minimum", "maximum"}

// IndicatorValue is what a unit reported for an indicator and a period (填报).
type IndicatorValue struct {
	ID           string         `gorm:"column:id;primaryKey"`
	IndicatorID  string         `gorm:"column:indicator_id"`
	SystemID     string         `gorm:"column:system_id"`
	UnitID       string         `gorm:"column:unit_id"`
	Period       string         `gorm:"column:period"`
	Year         int            `gorm:"column:year"`
	Value        *exact.Decimal `gorm:"column:value"`
	ValueKey     *string        `gorm:"column:value_key"` // Value's sort key, to compare in SQL
	YesNo        *bool          `gorm:"column:yes_no"`
	Text         *string        `gorm:"column:text_value"`
	Qualifier    Qualifier      `gorm:"column:qualifier"`
	RawText      *string        `gorm:"column:raw_text"`
	AsOf         *time.Time     `gorm:"column:as_of"`
	Comment      *string        `gorm:"column:comment"`
	SelfScore    *exact.Decimal `gorm:"column:self_score"`
	ReviewScore  *exact.Decimal `gorm:"column:review_score"`
	Status       ValueStatus    `gorm:"column:status"`
	ReturnReason *string        `gorm:"column:return_reason"`
	Flags        []string       `gorm:"column:flags;serializer:json"`
	Flagged      bool           `gorm:"column:flagged"`
	SubmittedBy  *string        `gorm:"column:submitted_by"` // "user:<id>" or "apiKey:<id>"
	SubmittedAt  *time.Time     `gorm:"column:submitted_at"`
	ReviewedBy   *string        `gorm:"column:reviewed_by"`
	ReviewedAt   *time.Time     `gorm:"column:reviewed_at"`
	Version      int64          `gorm:"column:version"`
	CreatedAt    time.Time      `gorm:"column:created_at"`
	UpdatedAt    time.Time      `gorm:"column:updated_at"`
}

// TableName maps IndicatorValue to its table.
func (IndicatorValue) TableName() string { return "indicator_values" }

// CheckAgainst checks that the value fits its indicator's type and range.
func (v *IndicatorValue) CheckAgainst(ind *Indicator) error {
	var fields []FieldError
	add := func(pointer, format string, args ...any) {
		fields = append(fields, FieldError{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	switch ind.ValueType {
	case "number", "percent":
		if v.Value == nil {
			add("/value", "indicator %s takes a number: value is required", ind.Code)
		}
		if v.YesNo != nil || v.Text != nil {
			add("/value", "indicator %s takes a number, not yesNo or text", ind.Code)
		}
		if ind.ValueType == "percent" && v.Value != nil && (v.Value.Sign() < 0 || v.Value.Cmp(exact.FromInt(100)) > 0) {
			add("/value", "a percentage lies between 0 and 100, not %s", v.Value)
		}
	case "yes_no":
		if v.YesNo == nil || v.Value != nil || v.Text != nil {
			add("/yesNo", "indicator %s takes yesNo only", ind.Code)
		}
	case "text":
		if v.Text == nil || v.Value != nil || v.YesNo != nil {
			add("/text", "indicator %s takes text only", ind.Code)
		}
	case "evidence_only":
		if v.Value != nil || v.YesNo != nil || v.Text != nil {
			add("/value", "indicator %s takes evidence only, no value", ind.Code)
		}
	}
	if !slices.Contains(Qualifiers, v.Qualifier) {
		add("/qualifier", "unknown qualifier %q", v.Qualifier)
	}
	if v.SelfScore != nil && (v.SelfScore.Sign() < 0 || v.SelfScore.Cmp(ind.Points) > 0) {
		add("/selfScore", "a score lies between 0 and the indicator's %s points", ind.Points)
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "value_invalid", Detail: "the value does not fit its indicator", Fields: fields}
	}
	return nil
}

// ValueFilter selects reported values; zero fields do not filter.
type ValueFilter struct {
	SystemID    string
	IndicatorID string
	UnitID      string
	Period      string
	Year        int
	Status      ValueStatus
	Flagged     *bool
	// UnitPath limits values to units at or below it; empty for all.
	UnitPath string
	// ReleasedOnly limits values to ValueLifecycle's released states (for
	// API keys that only read).
	ReleasedOnly bool
	// IndicatorIDs limits values to these indicators; empty for all.
	IndicatorIDs []string
}

// ValuePatch is a merge patch of a value; the Set flags apply optional
// fields, with nil clearing them.
type ValuePatch struct {
	Qualifier *Qualifier

	SetValue, SetYesNo, SetText, SetRawText, SetAsOf, SetComment, SetSelfScore bool
	Value, SelfScore                                                           *exact.Decimal
	YesNo                                                                      *bool
	Text, RawText, Comment                                                     *string
	AsOf                                                                       *time.Time
}

// Implausible explains why v looks wrong next to the unit's earlier values of
// the indicator and the other units' values of the same period, or returns
// nothing. A figure more than ten times, or less than a tenth of, the median of
// either is flagged: it is accepted, and reviewers see why to look twice.
func Implausible(v exact.Decimal, history, peers []exact.Decimal) []string {
	var flags []string
	check := func(what string, others []exact.Decimal) {
		if len(others) < 2 {
			return
		}
		m := median(others)
		if m.Sign() <= 0 || v.Sign() < 0 {
			return
		}
		ten := exact.FromInt(10)
		if v.Cmp(m.Mul(ten)) > 0 {
			flags = append(flags, fmt.Sprintf("more than ten times the median %s of %s", m, what))
		} else if v.Mul(ten).Cmp(m) < 0 {
			flags = append(flags, fmt.Sprintf("less than a tenth of the median %s of %s", m, what))
		}
	}
	check("the unit's earlier periods", history)
	check("the other units this period", peers)
	return flags
}

func median(ds []exact.Decimal) exact.Decimal {
	s := slices.Clone(ds)
	slices.SortFunc(s, func(a, b exact.Decimal) int { return a.Cmp(b) })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	a, b := s[n/2-1], s[n/2]
	m, _ := exact.Mean([]exact.Decimal{a, b}, min(max(a.Scale(), b.Scale())+1, exact.MaxScale))
	return m
}

// ValueChange is a value as it was read and as it is to become, for changes
// made many at a time (a spreadsheet import): the change applies only if the
// value is still at Before's version, through Edit with the whole state of
// After (PatchTo).
type ValueChange struct {
	Before, After *IndicatorValue
}

// ValueImport is one batch of an import of values: values to create (as
// drafts), and changes to values, each from the version Before names.
type ValueImport struct {
	Create []*IndicatorValue
	Update []ValueChange
}

// PatchTo is the merge patch that gives a value after's content: every field
// a unit reports, set or cleared.
func PatchTo(after *IndicatorValue) ValuePatch {
	q := after.Qualifier
	return ValuePatch{Qualifier: &q,
		SetValue: true, SetYesNo: true, SetText: true, SetRawText: true, SetAsOf: true, SetComment: true, SetSelfScore: true,
		Value: after.Value, SelfScore: after.SelfScore, YesNo: after.YesNo, Text: after.Text, RawText: after.RawText,
		Comment: after.Comment, AsOf: after.AsOf}
}
