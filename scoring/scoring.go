// Package scoring evaluates units against an indicator system (考核评价): it
// turns each unit's reported values into points per indicator, adds them up
// the indicator tree, ranks the units and grades them. It is a pure function
// of what it is given: the caller chooses the values that count (approved or
// locked ones, of the period YearEnd names) and the targets of the year.
//
// # Rules
//
// An indicator's method is its Scoring.Method; an indicator without Scoring
// is scored manually. Every leaf score is rounded half up (四舍五入, not half
// to even) to 2 decimals; a subtotal is the exact sum of its children's
// rounded scores, so the figures add up when checked by hand.
//
// Scoring a leaf indicator for a unit:
//
//   - A missing value (none, no number for a numeric method, no yes/no for
//     yes_no) scores 0, [ReasonMissing]; for manual see below.
//   - target_met needs a target (else 0, [ReasonNoTarget]): full points
//     when the value meets it ([ReasonMet]), else 0 ([ReasonNotMet]).
//   - linear needs a target (else 0, [ReasonNoTarget]) and scores points ×
//     attainment, the attainment a quotient to 6 decimals that depends on
//     the indicator's direction, as the next three items say. It is capped
//     at 1 and floored at 0: [ReasonCapped] when it was above 1 before the
//     cap, [ReasonMet] when exactly 1, [ReasonProportional] below.
//   - linear, higher_better: value ÷ target (for a between target, its lower
//     bound). A target of 0 gives full points to any value ≥ 0.
//   - linear, lower_better: target ÷ value. A value at or below the target,
//     0 included, gives full points.
//   - linear, target (reach the target): 1 when the value meets the target,
//     else 1 − |value − b| ÷ |b| for the bound b nearest the value (the
//     target's value, or for between the nearer end), at least 0; 0 when b
//     is 0.
//   - tiered gives the points of the first band, in the order given, that
//     contains the value ([ReasonBand]), else 0 ([ReasonNoBand]).
//   - manual gives the value's review score clamped to [0, points]
//     ([ReasonManual]), else 0 ([ReasonNotReviewed]; [ReasonMissing] when
//     there is no value at all).
//   - yes_no gives full points for yes ([ReasonYes]), 0 for no ([ReasonNo]).
//   - deduction reads the value as a count of occurrences (a negative count
//     is 0) and gives points − occurrences × PerOccurrence, at least 0:
//     [ReasonDeducted], or [ReasonFloor] when the deduction reaches the
//     points, or [ReasonNoneDeducted] (full points) when nothing occurred.
//
// An indicator with children scores the sum of its children's scores out of
// the sum of their points. A unit's total is the sum of its level-1 scores.
// Units are ranked by total, highest first; equal totals share a rank and
// the ranks they take up are skipped (1, 2, 2, 4), and they keep the order
// they were given in. A unit's grade is the system's grade band its total
// reaches ([models.GradeOf]).
//
// Every [Score] carries what it was computed from, and its Message says it in
// one Chinese sentence for the people being scored.
package scoring

import (
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// Reason says which rule gave a score: a stable code for clients to branch on.
type Reason string

// The reasons, one per outcome of the rules in the package comment.
const (
	ReasonMissing       Reason = "missing"        // no value: 0
	ReasonNoTarget      Reason = "no_target"      // target_met, linear: no target to hold the value against: 0
	ReasonMet           Reason = "met"            // target_met: the value meets the target; linear: exactly: full points
	ReasonNotMet        Reason = "not_met"        // target_met: 0
	ReasonCapped        Reason = "capped"         // linear: better than the target: full points
	ReasonProportional  Reason = "proportional"   // linear: points × attainment
	ReasonBand          Reason = "band"           // tiered: the band's points
	ReasonNoBand        Reason = "no_band"        // tiered: in no band: 0
	ReasonManual        Reason = "manual"         // manual: the review score
	ReasonNotReviewed   Reason = "not_reviewed"   // manual: no review score yet: 0
	ReasonYes           Reason = "yes"            // yes_no: full points
	ReasonNo            Reason = "no"             // yes_no: 0
	ReasonDeducted      Reason = "deducted"       // deduction: points less the deduction
	ReasonFloor         Reason = "floor"          // deduction: the deduction reached the points: 0
	ReasonNoneDeducted  Reason = "none_deducted"  // deduction: nothing occurred: full points
	ReasonUnknownMethod Reason = "unknown_method" // a method this package does not know: 0
	ReasonSubtotal      Reason = "subtotal"       // an indicator with children: their sum
)

// Score is one unit's score for one indicator, with what it was computed
// from, so that a page can explain it. The pointers refer to the caller's
// values, targets and indicators; a Score does not copy them.
//
// For an indicator with children (Reason is ReasonSubtotal) only the ids,
// Points, Score and Lost are set.
type Score struct {
	IndicatorID string
	UnitID      string
	Method      models.ScoringMethod // "" for a subtotal
	Reason      Reason
	Points      exact.Decimal // the most the indicator gives
	Score       exact.Decimal // 2 decimals
	Lost        exact.Decimal // Points − Score
	MeasureUnit string        // the indicator's (%, 件, 工作日 …), "" for none

	// Value is the value scored, nil when there was none: its id, number or
	// yes/no, qualifier, period and, for manual, review score.
	Value *models.IndicatorValue

	// Target is what target_met and linear held the value against, nil when
	// there was none; DefaultTarget is true when it is the target for every
	// unit rather than the unit's own.
	Target        *models.Target
	DefaultTarget bool

	// Attainment is linear's, from 0 to 1 with 6 decimals.
	Attainment exact.Decimal
	// Band is the tiered band the value fell in, nil when none.
	Band *models.ScoreBand
	// Occurrences (never negative), PerOccurrence and Deducted (their
	// product, before the floor at zero) are deduction's.
	Occurrences   exact.Decimal
	PerOccurrence *exact.Decimal
	Deducted      exact.Decimal
}

// Constants of the rules, with the scales the results keep: scores have 2
// decimals, attainments 6.
var (
	zero        = exact.MustParse("0.00")
	noAttain    = exact.MustParse("0.000000")
	fullAttain  = exact.MustParse("1.000000")
	attainScale = fullAttain.Scale()
	scoreScale  = zero.Scale()
)

// ScoreLeaf scores a leaf indicator for a unit, given the unit's value (nil
// when there is none) and the target that applies to it (nil when none).
func ScoreLeaf(ind *models.Indicator, unitID string, v *models.IndicatorValue, t *models.Target) Score {
	var s Score
	l := newLeaf(ind)
	l.score(&s, unitID, v, t)
	return s
}

// leaf is what scoring an indicator needs that does not depend on the unit,
// worked out once per indicator rather than once per unit.
type leaf struct {
	ind      *models.Indicator
	method   models.ScoringMethod
	unit     string
	full     exact.Decimal // Points rounded: the score of full points
	fullLost exact.Decimal // Points − full
	zeroLost exact.Decimal // Points − 0
}

func newLeaf(ind *models.Indicator) leaf {
	l := leaf{ind: ind, method: models.ScoreManual, full: ind.Points.RoundHalfUp(scoreScale)}
	if ind.Scoring != nil {
		l.method = ind.Scoring.Method
	}
	if ind.MeasureUnit != nil {
		l.unit = *ind.MeasureUnit
	}
	l.fullLost = ind.Points.Sub(l.full)
	l.zeroLost = ind.Points.Sub(zero)
	return l
}

// usesTarget reports whether the method holds values against a target.
func usesTarget(m models.ScoringMethod) bool {
	return m == models.ScoreTargetMet || m == models.ScoreLinear
}

// score fills s with the score of the unit's value v against the target t.
func (l *leaf) score(s *Score, unitID string, v *models.IndicatorValue, t *models.Target) {
	*s = Score{
		IndicatorID: l.ind.ID,
		UnitID:      unitID,
		Method:      l.method,
		Points:      l.ind.Points,
		MeasureUnit: l.unit,
		Value:       v,
	}
	if t != nil && usesTarget(l.method) {
		s.Target, s.DefaultTarget = t, t.UnitID == nil
	}
	switch l.method {
	case models.ScoreTargetMet, models.ScoreLinear, models.ScoreTiered, models.ScoreDeduction:
		if v == nil || v.Value == nil {
			l.zero(s, ReasonMissing)
			return
		}
	case models.ScoreYesNo:
		if v == nil || v.YesNo == nil {
			l.zero(s, ReasonMissing)
			return
		}
	case models.ScoreManual:
		if v == nil {
			l.zero(s, ReasonMissing)
			return
		}
	default:
		l.zero(s, ReasonUnknownMethod)
		return
	}
	if usesTarget(l.method) && t == nil {
		l.zero(s, ReasonNoTarget)
		return
	}
	switch l.method {
	case models.ScoreTargetMet:
		if t.Met(*v.Value) {
			l.fullPoints(s, ReasonMet)
		} else {
			l.zero(s, ReasonNotMet)
		}
	case models.ScoreLinear:
		l.linear(s, *v.Value, t)
	case models.ScoreTiered:
		l.tiered(s, *v.Value)
	case models.ScoreManual:
		l.manual(s, v.ReviewScore)
	case models.ScoreYesNo:
		if *v.YesNo {
			l.fullPoints(s, ReasonYes)
		} else {
			l.zero(s, ReasonNo)
		}
	case models.ScoreDeduction:
		l.deduction(s, *v.Value)
	}
}

func (l *leaf) zero(s *Score, r Reason) { s.Reason, s.Score, s.Lost = r, zero, l.zeroLost }

func (l *leaf) fullPoints(s *Score, r Reason) { s.Reason, s.Score, s.Lost = r, l.full, l.fullLost }

// give scores d rounded half up, within [0, points]: the rule of manual,
// and a guard for the others (a band worth more than its indicator). All
// or nothing needs no arithmetic.
func (l *leaf) give(s *Score, r Reason, d exact.Decimal) {
	switch {
	case d.Sign() <= 0:
		l.zero(s, r)
	case d.Cmp(l.ind.Points) >= 0:
		l.fullPoints(s, r)
	default:
		score := d.RoundHalfUp(scoreScale)
		s.Reason, s.Score, s.Lost = r, score, l.ind.Points.Sub(score)
	}
}

func (l *leaf) linear(s *Score, v exact.Decimal, t *models.Target) {
	// ref is the figure the value is measured against, and better how the
	// value compares with it in the indicator's sense of better: above 0
	// is better than the target, 0 meets it exactly.
	ref, better := t.Value, 0
	switch l.ind.Direction {
	case "lower_better":
		better = ref.Cmp(v)
	case "target":
		if !t.Met(v) {
			better = -1
			if t.Comparator == models.Between && t.ValueTo != nil && v.Cmp(*t.ValueTo) > 0 {
				ref = *t.ValueTo
			}
		}
	default: // higher_better, the direction of most indicators
		better = v.Cmp(ref)
	}
	switch {
	case better > 0:
		s.Attainment = fullAttain
		l.fullPoints(s, ReasonCapped)
		return
	case better == 0:
		s.Attainment = fullAttain
		l.fullPoints(s, ReasonMet)
		return
	}
	att := noAttain
	switch {
	case l.ind.Direction == "target":
		if !ref.IsZero() {
			att = fullAttain.Sub(quo(v.Sub(ref).Abs(), ref.Abs()))
		}
	case ref.Sign() <= 0:
		// Short of a target of 0 or less: no ratio means anything.
	case l.ind.Direction == "lower_better":
		att = quo(ref, v) // v > ref > 0
	default:
		att = quo(v, ref)
	}
	if att.Sign() < 0 {
		att = noAttain
	}
	s.Attainment = att
	l.give(s, ReasonProportional, l.ind.Points.Mul(att))
}

// quo is a ÷ b to the attainment's scale; b is never 0 where it is called.
func quo(a, b exact.Decimal) exact.Decimal {
	q, err := a.Quo(b, attainScale)
	if err != nil {
		panic(err) // the callers rule out a zero divisor
	}
	return q
}

func (l *leaf) tiered(s *Score, v exact.Decimal) {
	bands := l.ind.Scoring.Bands
	for i := range bands {
		if bands[i].Contains(v) {
			s.Band = &bands[i]
			l.give(s, ReasonBand, bands[i].Points)
			return
		}
	}
	l.zero(s, ReasonNoBand)
}

func (l *leaf) manual(s *Score, review *exact.Decimal) {
	if review == nil {
		l.zero(s, ReasonNotReviewed)
		return
	}
	l.give(s, ReasonManual, *review)
}

func (l *leaf) deduction(s *Score, occurrences exact.Decimal) {
	if occurrences.Sign() < 0 {
		occurrences = exact.Decimal{}
	}
	s.Occurrences, s.PerOccurrence = occurrences, l.ind.Scoring.PerOccurrence
	if s.PerOccurrence != nil {
		s.Deducted = occurrences.Mul(*s.PerOccurrence)
	}
	switch {
	case occurrences.IsZero():
		l.fullPoints(s, ReasonNoneDeducted)
	case s.Deducted.Cmp(l.ind.Points) >= 0:
		l.zero(s, ReasonFloor)
	default:
		l.give(s, ReasonDeducted, l.ind.Points.Sub(s.Deducted))
	}
}
