package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fazhi/fazhi/exact"
)

// ScoringMethod is how an indicator turns a unit's value into points (评分方法).
type ScoringMethod string

// The scoring methods, as the contract spells them.
const (
	// ScoreTargetMet: full points when the value meets the target, else none.
	ScoreTargetMet ScoringMethod = "target_met"
	// ScoreLinear: points in proportion to the attainment of the target,
	// respecting the indicator's direction, at most full points.
	ScoreLinear ScoringMethod = "linear"
	// ScoreTiered: the points of the band the value falls in.
	ScoreTiered ScoringMethod = "tiered"
	// ScoreYesNo: full points for yes, none for no.
	ScoreYesNo ScoringMethod = "yes_no"
	// ScoreManual: the reviewer's score, within the indicator's points.
	ScoreManual ScoringMethod = "manual"
	// ScoreDeduction: full points less a deduction per occurrence (the
	// value counts the occurrences), never below zero.
	ScoreDeduction ScoringMethod = "deduction"
)

// ScoringMethods lists every method.
var ScoringMethods = []ScoringMethod{ScoreTargetMet, ScoreLinear, ScoreTiered, ScoreYesNo, ScoreManual, ScoreDeduction}

// Scoring is an indicator's scoring method and its parameters. An indicator
// without one is scored manually.
type Scoring struct {
	Method ScoringMethod `json:"method"`
	// Bands are the value ranges of a tiered method.
	Bands []ScoreBand `json:"bands,omitempty"`
	// PerOccurrence is the deduction of a deduction method.
	PerOccurrence *exact.Decimal `json:"perOccurrence,omitempty"`
}

// ScoreBand is one range of a tiered method: values from Min (included) up
// to Max (excluded) score Points; a nil bound is open.
type ScoreBand struct {
	Min    *exact.Decimal `json:"min,omitempty"`
	Max    *exact.Decimal `json:"max,omitempty"`
	Points exact.Decimal  `json:"points"`
}

// Contains reports whether v falls in the band.
func (b ScoreBand) Contains(v exact.Decimal) bool {
	return (b.Min == nil || v.Cmp(*b.Min) >= 0) && (b.Max == nil || v.Cmp(*b.Max) < 0)
}

// String is the band as people write it: "[80, 90)", "≥ 90", "< 60".
func (b ScoreBand) String() string {
	switch {
	case b.Min != nil && b.Max != nil:
		return fmt.Sprintf("[%s, %s)", b.Min, b.Max)
	case b.Min != nil:
		return "≥ " + b.Min.String()
	case b.Max != nil:
		return "< " + b.Max.String()
	}
	return "any value"
}

// Check finds what is wrong with the scoring of an indicator worth points
// that takes values of type vt, as violations located under pointer.
func (s *Scoring) Check(pointer string, points exact.Decimal, vt ValueType) []FieldError {
	var fields []FieldError
	add := func(at, format string, args ...any) {
		fields = append(fields, FieldError{Pointer: pointer + at, Message: fmt.Sprintf(format, args...)})
	}
	numeric := vt == "number" || vt == "percent"
	switch s.Method {
	case ScoreTargetMet, ScoreLinear, ScoreDeduction:
		if !numeric {
			add("/method", "%s scores numbers, and the indicator takes %s", s.Method, vt)
		}
	case ScoreTiered:
		if !numeric {
			add("/method", "tiered scores numbers, and the indicator takes %s", vt)
		}
	case ScoreYesNo:
		if vt != "yes_no" {
			add("/method", "yes_no scores yes/no values, and the indicator takes %s", vt)
		}
	case ScoreManual:
	default:
		add("/method", "unknown scoring method %q", s.Method)
	}
	if s.Method == ScoreTiered {
		if len(s.Bands) == 0 {
			add("/bands", "a tiered method needs bands")
		}
		for i, b := range s.Bands {
			at := fmt.Sprintf("/bands/%d", i)
			if b.Points.Sign() < 0 || b.Points.Cmp(points) > 0 {
				add(at+"/points", "a band's points lie between 0 and the indicator's %s", points)
			}
			if b.Min != nil && b.Max != nil && b.Min.Cmp(*b.Max) >= 0 {
				add(at, "the band %s is empty", b)
			}
			for j := range i {
				if overlap(s.Bands[j], b) {
					add(at, "the band %s overlaps band %d, %s", b, j, s.Bands[j])
				}
			}
		}
	} else if len(s.Bands) > 0 {
		add("/bands", "only a tiered method has bands")
	}
	if s.Method == ScoreDeduction {
		if s.PerOccurrence == nil || s.PerOccurrence.Sign() <= 0 {
			add("/perOccurrence", "a deduction method needs a positive deduction per occurrence")
		}
	} else if s.PerOccurrence != nil {
		add("/perOccurrence", "only a deduction method has perOccurrence")
	}
	return fields
}

// overlap reports whether two bands share a value.
func overlap(a, b ScoreBand) bool {
	// [aMin, aMax) and [bMin, bMax) overlap unless one ends before the other starts.
	endsBefore := func(x, y ScoreBand) bool { return x.Max != nil && y.Min != nil && x.Max.Cmp(*y.Min) <= 0 }
	return !endsBefore(a, b) && !endsBefore(b, a)
}

// GradeBand is one grade of a system (等次): totals of at least Min get it.
type GradeBand struct {
	Grade string        `json:"grade"`
	Min   exact.Decimal `json:"min"`
}

// MaxGradeLength bounds a grade's name, in characters.
const MaxGradeLength = 20

// CheckGradeBands finds what is wrong with a system's grades, located under
// pointer: names must be given and distinct, the minimums distinct and
// within the system's total.
func CheckGradeBands(pointer string, bands []GradeBand, total exact.Decimal) []FieldError {
	var fields []FieldError
	for i, b := range bands {
		at := fmt.Sprintf("%s/%d", pointer, i)
		if strings.TrimSpace(b.Grade) == "" || len([]rune(b.Grade)) > MaxGradeLength {
			fields = append(fields, FieldError{Pointer: at + "/grade", Message: fmt.Sprintf("a grade has a name of 1 to %d characters", MaxGradeLength)})
		}
		if b.Min.Sign() < 0 || b.Min.Cmp(total) > 0 {
			fields = append(fields, FieldError{Pointer: at + "/min", Message: fmt.Sprintf("a grade's minimum lies between 0 and the system's %s points", total)})
		}
		if slices.ContainsFunc(bands[:i], func(o GradeBand) bool { return o.Grade == b.Grade }) {
			fields = append(fields, FieldError{Pointer: at + "/grade", Message: fmt.Sprintf("grade %s is given twice", b.Grade)})
		}
		if slices.ContainsFunc(bands[:i], func(o GradeBand) bool { return o.Min.Cmp(b.Min) == 0 }) {
			fields = append(fields, FieldError{Pointer: at + "/min", Message: fmt.Sprintf("two grades start at %s", b.Min)})
		}
	}
	return fields
}

// GradeOf is the grade of a total: the band with the highest minimum the
// total reaches, "" when it reaches none (or there are no bands).
func GradeOf(total exact.Decimal, bands []GradeBand) string {
	grade, best := "", (*exact.Decimal)(nil)
	for _, b := range bands {
		if total.Cmp(b.Min) >= 0 && (best == nil || b.Min.Cmp(*best) > 0) {
			grade, best = b.Grade, &b.Min
		}
	}
	return grade
}
