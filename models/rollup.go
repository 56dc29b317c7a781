package models

import "github.com/fazhi/fazhi/exact"

// Rollup is a unit's figure computed from the units below it (汇总).
type Rollup struct {
	Value             *exact.Decimal // nil when no unit below has a figure, or the aggregation is none
	ContributingUnits int            // direct children with a figure
	Reports           int            // reported values the figure stands on
}

// RollUp computes unit's figure from its children by the aggregation. children
// maps a unit to the units directly below it; values holds the approved values
// that units reported. A child counts with its own value when it has one (a
// unit's own report is authoritative), otherwise with its own roll-up.
// weighted_average weighs each child by the number of reports it stands for,
// so it is the mean of every report below.
func RollUp(agg Aggregation, unit string, children map[string][]string, values map[string]exact.Decimal) Rollup {
	if agg == "none" {
		return Rollup{}
	}
	// Means are given two decimals more than the most precise report, at every
	// level alike, so that the scale does not grow with the depth of the tree.
	meanScale := 0
	for _, v := range values {
		meanScale = max(meanScale, v.Scale())
	}
	meanScale = min(meanScale+2, exact.MaxScale)
	type figure struct {
		value   exact.Decimal
		reports int
		sum     exact.Decimal // of every report below, for weighted_average
	}
	var below func(u string) (figure, bool)
	below = func(u string) (figure, bool) {
		var figs []figure
		for _, c := range children[u] {
			if v, ok := values[c]; ok {
				figs = append(figs, figure{value: v, reports: 1, sum: v})
			} else if f, ok := below(c); ok {
				figs = append(figs, f)
			}
		}
		if len(figs) == 0 {
			return figure{}, false
		}
		out := figure{value: figs[0].value}
		for i, f := range figs {
			out.reports += f.reports
			out.sum = out.sum.Add(f.sum)
			if i == 0 {
				continue
			}
			switch agg {
			case "min":
				if f.value.Cmp(out.value) < 0 {
					out.value = f.value
				}
			case "max":
				if f.value.Cmp(out.value) > 0 {
					out.value = f.value
				}
			}
		}
		switch agg {
		case "sum":
			out.value = exact.Sum(values2(figs, func(f figure) exact.Decimal { return f.value }))
		case "average":
			out.value, _ = exact.Mean(values2(figs, func(f figure) exact.Decimal { return f.value }), meanScale)
		case "weighted_average":
			out.value, _ = out.sum.Quo(exact.FromInt(int64(out.reports)), meanScale)
		}
		return out, true
	}
	f, ok := below(unit)
	if !ok {
		return Rollup{}
	}
	contributing := 0
	for _, c := range children[unit] {
		if _, ok := values[c]; ok {
			contributing++
		} else if _, ok := below(c); ok {
			contributing++
		}
	}
	v := f.value
	return Rollup{Value: &v, ContributingUnits: contributing, Reports: f.reports}
}

func values2[T any](items []T, get func(T) exact.Decimal) []exact.Decimal {
	out := make([]exact.Decimal, len(items))
	for i, it := range items {
		out[i] = get(it)
	}
	return out
}

// RollupInputs is what rolling an indicator up for a unit and a period reads:
// the indicator, the unit, the units below it (parent → children), the
// released figures of every unit below, and the unit's own value in any
// state (nil when it reported none).
type RollupInputs struct {
	Indicator *Indicator
	Unit      *Unit
	Children  map[string][]string
	Values    map[string]exact.Decimal
	Own       *IndicatorValue
}
