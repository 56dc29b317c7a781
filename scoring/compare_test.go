package scoring

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/models"
)

// evaluation evaluates an area of three manual leaves (10 points each) with
// the given ids, for units in the order given, from each unit's three review
// scores ("" for none).
func evaluation(area string, leaves [3]string, units []string, reviews map[string][3]string) Result {
	in := Inputs{
		Indicators: []models.Indicator{node(area, "", "1", 0, "30", "")},
		Units:      units,
		Values:     map[Key]*models.IndicatorValue{},
	}
	for i, id := range leaves {
		in.Indicators = append(in.Indicators, node(id, area, fmt.Sprintf("1.%d", i+1), i, "10", models.ScoreManual))
	}
	for unit, scores := range reviews {
		for i, s := range scores {
			in.Values[Key{leaves[i], unit}] = reviewed(s)
		}
	}
	return Evaluate(in)
}

// describe writes a comparison compactly: unit, change of total, ranks,
// then each indicator's change.
func describe(c Comparison) []string {
	var out []string
	for _, u := range c.Units {
		var inds []string
		for _, i := range u.Indicators {
			inds = append(inds, fmt.Sprintf("%s<%s %s", i.IndicatorID, i.PrevIndicatorID, i.Change))
		}
		out = append(out, fmt.Sprintf("%s %s→%s (%s) rank %d→%d (%+d): %s",
			u.UnitID, u.PrevTotal, u.Total, u.Change, u.PrevRank, u.Rank, u.RankChange, strings.Join(inds, ", ")))
	}
	return out
}

func TestCompare(t *testing.T) {
	// Last year's edition had P1..P3; this year's C1..C3 descend from P1 and
	// P2, and C3 claims the area P, which is no leaf: it is not compared.
	prev := evaluation("P", [3]string{"P1", "P2", "P3"}, []string{"a", "b", "c", "d", "e", "gone"}, map[string][3]string{
		"a":    {"5", "5", ""},   // 10, rank 3
		"b":    {"6", "6", ""},   // 12, rank 2
		"c":    {"4", "4", ""},   // 8, rank 6
		"d":    {"5", "5", ""},   // 10, rank 3
		"e":    {"5", "5", ""},   // 10, rank 3
		"gone": {"10", "10", ""}, // 20, rank 1
	})
	cur := evaluation("C", [3]string{"C1", "C2", "C3"}, []string{"e", "a", "b", "c", "d", "new"}, map[string][3]string{
		"a":   {"5", "9", ""},     // 14 (+4), rank 2 (+1)
		"b":   {"2", "6", ""},     // 8 (−4), rank 6 (−4)
		"c":   {"5", "4", ""},     // 9 (+1), rank 5 (+1)
		"d":   {"4", "6", ""},     // 10 (0), rank 3 (0); C1 −1 and C2 +1 stay in tree order
		"e":   {"5", "5", ""},     // 10 (0), rank 3 (0); given before d
		"new": {"10", "10", "10"}, // 30, rank 1
	})
	lineage := map[string]string{"C1": "P1", "C2": "P2", "C3": "P", "C": "P"}
	got := describe(Compare(cur, prev, lineage))
	want := []string{
		// |change| 4 both: b moved 4 places, a 1.
		"b 12.00→8.00 (-4.00) rank 2→6 (-4): C1<P1 -4.00, C2<P2 0.00",
		"a 10.00→14.00 (4.00) rank 3→2 (+1): C2<P2 4.00, C1<P1 0.00",
		"c 8.00→9.00 (1.00) rank 6→5 (+1): C1<P1 1.00, C2<P2 0.00",
		// No change at all: in the order the current evaluation was given them.
		"e 10.00→10.00 (0.00) rank 3→3 (+0): C1<P1 0.00, C2<P2 0.00",
		"d 10.00→10.00 (0.00) rank 3→3 (+0): C1<P1 -1.00, C2<P2 1.00",
	}
	if !slices.Equal(got, want) {
		t.Errorf("comparison:\ngot  %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestCompareSameSystem(t *testing.T) {
	leaves := [3]string{"L1", "L2", "L3"}
	prev := evaluation("A", leaves, []string{"a", "b"}, map[string][3]string{
		"a": {"5", "5", "5"}, // 15, rank 2
		"b": {"8", "8", "8"}, // 24, rank 1
	})
	cur := evaluation("A", leaves, []string{"a", "b"}, map[string][3]string{
		"a": {"9", "7", "10"},  // 26 (+11), rank 1 (+1)
		"b": {"8", "8", "7.5"}, // 23.5 (−0.5), rank 2 (−1)
	})
	want := []string{
		"a 15.00→26.00 (11.00) rank 2→1 (+1): L3<L3 5.00, L1<L1 4.00, L2<L2 2.00",
		"b 24.00→23.50 (-0.50) rank 1→2 (-1): L3<L3 -0.50, L1<L1 0.00, L2<L2 0.00",
	}
	// nil lineage is the identity, and so is a map that says so.
	for _, lineage := range []map[string]string{nil, {"L1": "L1", "L2": "L2", "L3": "L3"}} {
		if got := describe(Compare(cur, prev, lineage)); !slices.Equal(got, want) {
			t.Errorf("lineage %v:\ngot  %s\nwant %s", lineage, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
	// An empty lineage maps nothing: the units compare by total alone.
	for _, u := range Compare(cur, prev, map[string]string{}).Units {
		if len(u.Indicators) != 0 {
			t.Errorf("empty lineage, %s: got %d indicators, want none", u.UnitID, len(u.Indicators))
		}
	}
	// An evaluation compared with itself: nothing moved, units in the
	// order given, indicators in tree order.
	want = []string{
		"a 26.00→26.00 (0.00) rank 1→1 (+0): L1<L1 0.00, L2<L2 0.00, L3<L3 0.00",
		"b 23.50→23.50 (0.00) rank 2→2 (+0): L1<L1 0.00, L2<L2 0.00, L3<L3 0.00",
	}
	if got := describe(Compare(cur, cur, nil)); !slices.Equal(got, want) {
		t.Errorf("itself:\ngot  %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// No unit in common.
	other := evaluation("A", leaves, []string{"z"}, nil)
	if got := Compare(cur, other, nil).Units; len(got) != 0 {
		t.Errorf("no unit in common: got %d units, want none", len(got))
	}
}
