package models

import (
	"testing"

	"github.com/fazhi/fazhi/exact"
)

func TestRollUp(t *testing.T) {
	// city ─ d1 ─ t1, t2
	//      ─ d2 (reported itself) ─ t3
	//      ─ d3 ─ t4 (no report)
	children := map[string][]string{
		"city": {"d1", "d2", "d3"},
		"d1":   {"t1", "t2"},
		"d2":   {"t3"},
		"d3":   {"t4"},
	}
	values := map[string]exact.Decimal{
		"t1": exact.MustParse("10"), "t2": exact.MustParse("20.5"),
		"d2": exact.MustParse("7"), "t3": exact.MustParse("1000"), // d2's own figure wins over t3
	}
	tests := []struct {
		agg     Aggregation
		want    string
		units   int
		reports int
	}{
		{"sum", "37.5", 2, 3},                // (10 + 20.5) + 7
		{"average", "11.125", 2, 3},          // d1 = mean(10, 20.5) = 15.250; mean(15.250, 7), to 1+2 decimals
		{"weighted_average", "12.500", 2, 3}, // (10 + 20.5 + 7) / 3
		{"min", "7", 2, 3},
		{"max", "20.5", 2, 3},
	}
	for _, tt := range tests {
		got := RollUp(tt.agg, "city", children, values)
		if got.Value == nil || got.Value.String() != tt.want || got.ContributingUnits != tt.units || got.Reports != tt.reports {
			t.Errorf("%s: %v (%d units, %d reports), want %s (%d, %d)", tt.agg, got.Value, got.ContributingUnits, got.Reports, tt.want, tt.units, tt.reports)
		}
	}
	if got := RollUp("none", "city", children, values); got.Value != nil {
		t.Errorf("none rolled up %s", got.Value)
	}
	if got := RollUp("sum", "d3", children, values); got.Value != nil || got.Reports != 0 {
		t.Errorf("a subtree without reports rolled up %v", got.Value)
	}
	if got := RollUp("sum", "t1", children, values); got.Value != nil {
		t.Errorf("a leaf rolled up %v", got.Value)
	}
}
