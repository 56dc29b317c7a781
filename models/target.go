package models

import (
	"slices"
	"time"

	"github.com/fazhi/fazhi/exact"
)

// Comparator says how a value is held against a target.
type Comparator string

// Comparators, as the contract spells them.
const (
	AtLeast Comparator = "gte"     // 以上
	AtMost  Comparator = "lte"     // 以内
	Equal   Comparator = "eq"      // =
	Between Comparator = "between" // from Value to ValueTo, both included
)

// Comparators lists every comparator.
var Comparators = []Comparator{AtLeast, AtMost, Equal, Between}

// DefaultTargetUnit is the unit key of a target that applies to every unit.
const DefaultTargetUnit = "*"

// Target is what an indicator should reach in a year, for one unit or for all (目标值).
type Target struct {
	ID          string         `gorm:"column:id;primaryKey"`
	IndicatorID string         `gorm:"column:indicator_id"`
	Year        int            `gorm:"column:year"`
	UnitID      *string        `gorm:"column:unit_id"`
	UnitKey     string         `gorm:"column:unit_key"` // UnitID, or DefaultTargetUnit
	Comparator  Comparator     `gorm:"column:comparator"`
	Value       exact.Decimal  `gorm:"column:value"`
	ValueTo     *exact.Decimal `gorm:"column:value_to"`
	Sample      bool           `gorm:"column:sample"`
	Note        *string        `gorm:"column:note"`
	Version     int64          `gorm:"column:version"`
	CreatedAt   time.Time      `gorm:"column:created_at"`
	UpdatedAt   time.Time      `gorm:"column:updated_at"`
}

// TableName maps Target to its table.
func (Target) TableName() string { return "targets" }

// Validate checks a target's comparator and range.
func (t *Target) Validate() error {
	switch {
	case !slices.Contains(Comparators, t.Comparator):
		return Invalid("target_invalid", "/comparator", "unknown comparator %q", t.Comparator)
	case t.Comparator == Between && t.ValueTo == nil:
		return Invalid("target_invalid", "/valueTo", "a between target needs valueTo")
	case t.Comparator == Between && t.ValueTo.Cmp(t.Value) < 0:
		return Invalid("target_invalid", "/valueTo", "valueTo %s is below value %s", t.ValueTo, t.Value)
	case t.Comparator != Between && t.ValueTo != nil:
		return Invalid("target_invalid", "/valueTo", "only a between target has valueTo")
	}
	return nil
}

// Met reports whether v meets the target.
func (t *Target) Met(v exact.Decimal) bool {
	switch t.Comparator {
	case AtLeast:
		return v.Cmp(t.Value) >= 0
	case AtMost:
		return v.Cmp(t.Value) <= 0
	case Equal:
		return v.Cmp(t.Value) == 0
	case Between:
		return v.Cmp(t.Value) >= 0 && t.ValueTo != nil && v.Cmp(*t.ValueTo) <= 0
	}
	return false
}

// TargetPatch is a merge patch of a target.
type TargetPatch struct {
	Comparator *Comparator
	Value      *exact.Decimal
	Sample     *bool

	SetValueTo, SetNote bool
	ValueTo             *exact.Decimal
	Note                *string
}
