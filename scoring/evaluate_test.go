package scoring

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

func TestYearEnd(t *testing.T) {
	tests := []struct {
		year int
		f    models.Frequency
		want string
	}{
		{2021, "year", "2021"},
		{2021, "half", "2021-H2"},
		{2021, "quarter", "2021-Q4"},
		{2021, "month", "2021-12"},
		{1900, "month", "1900-12"},
		{2021, "week", ""},
		{2021, "", ""},
		{1899, "year", ""},
		{3000, "quarter", ""},
	}
	for _, tt := range tests {
		if got := YearEnd(tt.year, tt.f); got != tt.want {
			t.Errorf("YearEnd(%d, %q): got %q, want %q", tt.year, tt.f, got, tt.want)
		}
	}
}

// node is an indicator of a test tree: parent "" for level 1, method ""
// for an indicator with children.
func node(id, parent, code string, sort int, points string, method models.ScoringMethod) models.Indicator {
	ind := models.Indicator{ID: id, Code: code, SortOrder: sort, Points: dec(points), Level: 1, Direction: "higher_better", ValueType: "number"}
	if parent != "" {
		ind.ParentID = &parent
		ind.Level = strings.Count(code, ".") + 1
	}
	if method != "" {
		ind.Scoring = &models.Scoring{Method: method}
	}
	return ind
}

// treeInputs is a small system of 30 points, given out of order:
//
//	A 1 (20)
//	  A1 1.1 (15): L1 linear ≥ 50 (10; u2's own target ≥ 30), L2 yes_no (5)
//	  A2 1.2 (5):  L3 tiered (5)
//	B 2 (10): a level-1 leaf, manual (10)
func treeInputs() Inputs {
	inds := []models.Indicator{
		node("L3", "A2", "3", 0, "5", models.ScoreTiered),
		node("B", "", "2", 2, "10", models.ScoreManual),
		node("L2", "A1", "2", 0, "5", models.ScoreYesNo),
		node("A2", "A", "1.2", 0, "5", ""),
		node("L1", "A1", "1", 0, "10", models.ScoreLinear),
		node("A", "", "1", 1, "20", ""),
		node("A1", "A", "1.1", 0, "15", ""),
	}
	inds[0].Scoring.Bands = []models.ScoreBand{band("90", "", "5"), band("60", "90", "3")}
	u2 := "u2"
	vals := map[Key]*models.IndicatorValue{}
	set := func(ind, unit string, v *models.IndicatorValue) {
		v.ID, v.IndicatorID, v.UnitID = ind+"/"+unit, ind, unit
		vals[Key{ind, unit}] = v
	}
	// u1: 7.20 + 5 + 3 + 6.5 = 21.70
	set("L1", "u1", num("36"))
	set("L2", "u1", yesNo(true))
	set("L3", "u1", num("75"))
	set("B", "u1", reviewed("6.5"))
	// u2: 36 against its own ≥ 30 is capped: 10 + 0 + 5 + 6.7 = 21.70
	set("L1", "u2", num("36"))
	set("L2", "u2", yesNo(false))
	set("L3", "u2", num("95"))
	set("B", "u2", reviewed("6.7"))
	// u3: nothing but L1: 10 × 45/50 = 9.00
	set("L1", "u3", num("45"))
	vals[Key{"L2", "u3"}] = nil
	// u4: 10 + 5 + 5 + 10 = 30
	set("L1", "u4", num("50"))
	set("L2", "u4", yesNo(true))
	set("L3", "u4", num("90"))
	set("B", "u4", reviewed("10"))
	return Inputs{
		System: &models.IndicatorSystem{TotalPoints: dec("30"), GradeBands: []models.GradeBand{
			{Grade: "优秀", Min: dec("30")}, {Grade: "良好", Min: dec("21.7")}, {Grade: "一般", Min: dec("10")},
		}},
		Indicators: inds,
		Units:      []string{"u1", "u2", "u3", "u4", "u5"},
		Values:     vals,
		Targets: []models.Target{
			{IndicatorID: "L1", UnitID: &u2, UnitKey: u2, Comparator: models.AtLeast, Value: dec("30")},
			{IndicatorID: "L1", UnitKey: models.DefaultTargetUnit, Comparator: models.AtLeast, Value: dec("50")},
			{IndicatorID: "L1", UnitKey: models.DefaultTargetUnit, Comparator: models.AtLeast, Value: dec("99")}, // a second default: the first counts
			{IndicatorID: "gone", UnitKey: models.DefaultTargetUnit, Comparator: models.AtLeast, Value: dec("1")},
		},
	}
}

func TestEvaluateTree(t *testing.T) {
	r := Evaluate(treeInputs())
	var ids []string
	for _, n := range r.Indicators {
		ids = append(ids, n.Indicator.ID)
	}
	if got, want := strings.Join(ids, " "), "A A1 L1 L2 A2 L3 B"; got != want {
		t.Errorf("tree order: got %s, want %s", got, want)
	}
	wantParents := []int{-1, 0, 1, 1, 0, 4, -1}
	wantLeaf := []bool{false, false, true, true, false, true, true}
	for i, n := range r.Indicators {
		if n.Parent != wantParents[i] || n.Leaf != wantLeaf[i] {
			t.Errorf("%s: got parent %d, leaf %v, want %d, %v", n.Indicator.ID, n.Parent, n.Leaf, wantParents[i], wantLeaf[i])
		}
	}
	if got, want := r.Areas, []int{0, 6}; !slices.Equal(got, want) {
		t.Errorf("areas: got %v, want %v", got, want)
	}
	if got, want := r.Points.String(), "30"; got != want {
		t.Errorf("points: got %s, want %s", got, want)
	}
}

func TestEvaluateScores(t *testing.T) {
	in := treeInputs()
	r := Evaluate(in)
	// Scores in tree order: A A1 L1 L2 A2 L3 B.
	want := map[string]struct {
		scores []string
		total  string
	}{
		"u1": {[]string{"15.20", "12.20", "7.20", "5.00", "3.00", "3.00", "6.50"}, "21.70"},
		"u2": {[]string{"15.00", "10.00", "10.00", "0.00", "5.00", "5.00", "6.70"}, "21.70"},
		"u3": {[]string{"9.00", "9.00", "9.00", "0.00", "0.00", "0.00", "0.00"}, "9.00"},
		"u4": {[]string{"20.00", "15.00", "10.00", "5.00", "5.00", "5.00", "10.00"}, "30.00"},
		"u5": {[]string{"0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"}, "0.00"},
	}
	points := []string{"20", "15", "10", "5", "5", "5", "10"}
	for unit, w := range want {
		u := r.Unit(unit)
		if u == nil {
			t.Fatalf("no result for %s", unit)
		}
		if u.Total.String() != w.total {
			t.Errorf("%s total: got %s, want %s", unit, u.Total, w.total)
		}
		for i, s := range u.Scores {
			id := r.Indicators[i].Indicator.ID
			if s.IndicatorID != id || s.UnitID != unit {
				t.Errorf("%s score %d: got %s of %s, want %s of %s", unit, i, s.IndicatorID, s.UnitID, id, unit)
			}
			if s.Score.String() != w.scores[i] {
				t.Errorf("%s %s: got %s, want %s", unit, id, s.Score, w.scores[i])
			}
			if s.Points.String() != points[i] {
				t.Errorf("%s %s points: got %s, want %s", unit, id, s.Points, points[i])
			}
			if lost := s.Points.Sub(s.Score); s.Lost.Cmp(lost) != 0 {
				t.Errorf("%s %s lost: got %s, want %s", unit, id, s.Lost, lost)
			}
			if leaf := r.Indicators[i].Leaf; leaf != (s.Reason != ReasonSubtotal) {
				t.Errorf("%s %s: got reason %s for leaf %v", unit, id, s.Reason, leaf)
			}
		}
	}

	if u := r.Unit("nobody"); u != nil {
		t.Errorf("Unit(nobody): got %s, want nil", u.UnitID)
	}

	// The level-1 areas, as a page would list them.
	u1 := r.Unit("u1")
	var areas []string
	for _, i := range r.Areas {
		s := u1.Scores[i]
		areas = append(areas, s.IndicatorID+" "+s.Score.String()+"/"+s.Points.String())
	}
	if got, want := strings.Join(areas, ", "), "A 15.20/20, B 6.50/10"; got != want {
		t.Errorf("areas: got %s, want %s", got, want)
	}
	if got, want := u1.Scores[1].Message(), "小计 12.2/15"; got != want {
		t.Errorf("subtotal message: got %s, want %s", got, want)
	}

	// Targets: u2 has its own, the others the first default.
	for _, unit := range []string{"u1", "u2", "u3"} {
		s := r.Unit(unit).Scores[2]
		own := unit == "u2"
		if s.Target == nil || s.DefaultTarget == own || (own && s.Target != &in.Targets[0]) || (!own && s.Target != &in.Targets[1]) {
			t.Errorf("%s L1 target: got %+v (default %v), want the %s one", unit, s.Target, s.DefaultTarget, map[bool]string{true: "unit's own", false: "first default"}[own])
		}
	}
	if got, want := r.Unit("u1").Scores[2].Message(), "未达目标值50，按比例得分 7.2/10"; got != want {
		t.Errorf("u1 L1: got %s, want %s", got, want)
	}
	if got, want := r.Unit("u2").Scores[2].Message(), "优于目标值（≥ 30），得满分 10/10"; got != want {
		t.Errorf("u2 L1: got %s, want %s", got, want)
	}
	// Missing values: a nil entry and no entry alike.
	for _, i := range []int{3, 5, 6} {
		if s := r.Unit("u3").Scores[i]; s.Reason != ReasonMissing {
			t.Errorf("u3 %s: got %s, want missing", s.IndicatorID, s.Reason)
		}
	}
}

func TestEvaluateRanking(t *testing.T) {
	r := Evaluate(treeInputs())
	// Totals u1 21.70, u2 21.70, u3 9.00, u4 30.00, u5 0.00: u1 and u2
	// share the second place, in the order given, and no one is third.
	var got []string
	for _, u := range r.Units {
		got = append(got, u.UnitID+" "+strconv.Itoa(u.Rank)+" "+u.Grade)
	}
	want := []string{"u4 1 优秀", "u1 2 良好", "u2 2 良好", "u3 4 ", "u5 5 "}
	if !slices.Equal(got, want) {
		t.Errorf("ranking:\ngot  %q\nwant %q", got, want)
	}
	for _, u := range r.Units {
		if u.UnitID != treeInputs().Units[u.Order] {
			t.Errorf("%s: got order %d, want its place in Inputs.Units", u.UnitID, u.Order)
		}
	}
}

// A single manual indicator of 100 points makes the totals whatever the
// review scores say.
func manualInputs(reviews map[string]string, units ...string) Inputs {
	in := Inputs{
		Indicators: []models.Indicator{node("M", "", "1", 0, "100", models.ScoreManual)},
		Units:      units,
		Values:     map[Key]*models.IndicatorValue{},
	}
	for unit, score := range reviews {
		in.Values[Key{"M", unit}] = reviewed(score)
	}
	return in
}

func TestEvaluateRanks(t *testing.T) {
	tests := []struct {
		name    string
		units   []string
		reviews map[string]string
		want    []string // unit and rank, best first
	}{
		{"competition ranking", []string{"a", "b", "c", "d"},
			map[string]string{"a": "90", "b": "80", "c": "80", "d": "70"}, []string{"a1", "b2", "c2", "d4"}},
		{"ties keep the order given", []string{"d", "c", "b", "a"},
			map[string]string{"a": "90", "b": "80", "c": "80", "d": "70"}, []string{"a1", "c2", "b2", "d4"}},
		{"ties at the top", []string{"a", "b", "c"},
			map[string]string{"a": "90", "b": "90.00", "c": "89.995"}, []string{"a1", "b1", "c1"}}, // 89.995 rounds half up to 90.00
		{"all tied", []string{"a", "b", "c"}, map[string]string{}, []string{"a1", "b1", "c1"}},
		{"three tied after one", []string{"a", "b", "c", "d", "e"},
			map[string]string{"a": "50", "b": "60", "c": "50", "d": "50", "e": "10"}, []string{"b1", "a2", "c2", "d2", "e5"}},
		{"no units", nil, nil, nil},
	}
	for _, tt := range tests {
		r := Evaluate(manualInputs(tt.reviews, tt.units...))
		var got []string
		for _, u := range r.Units {
			got = append(got, u.UnitID+strconv.Itoa(u.Rank))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEvaluateGrades(t *testing.T) {
	bands := []models.GradeBand{ // out of order, as a system may list them
		{Grade: "合格", Min: dec("60")}, {Grade: "优秀", Min: dec("90")}, {Grade: "良好", Min: dec("75")},
	}
	tests := []struct {
		review string
		grade  string
	}{
		{"100", "优秀"},
		{"90", "优秀"},
		{"89.995", "优秀"}, // the total is 90.00 after rounding half up
		{"89.994", "良好"},
		{"75", "良好"},
		{"74.99", "合格"},
		{"60", "合格"},
		{"59.99", ""},
		{"0", ""},
	}
	for _, tt := range tests {
		in := manualInputs(map[string]string{"u": tt.review}, "u")
		in.System = &models.IndicatorSystem{GradeBands: bands}
		if got := Evaluate(in).Units[0].Grade; got != tt.grade {
			t.Errorf("review %s: got grade %q, want %q", tt.review, got, tt.grade)
		}
	}
	// Without a system, or without bands, no one is graded.
	in := manualInputs(map[string]string{"u": "100"}, "u")
	if got := Evaluate(in).Units[0].Grade; got != "" {
		t.Errorf("no system: got grade %q, want none", got)
	}
	in.System = &models.IndicatorSystem{}
	if got := Evaluate(in).Units[0].Grade; got != "" {
		t.Errorf("no bands: got grade %q, want none", got)
	}
}

func TestEvaluateOddInputs(t *testing.T) {
	r := Evaluate(Inputs{})
	if len(r.Indicators) != 0 || len(r.Units) != 0 || r.Points.String() != "0" {
		t.Errorf("nothing: got %d indicators, %d units, %s points, want none", len(r.Indicators), len(r.Units), r.Points)
	}

	// No indicators: every unit scores 0 and shares the first place.
	r = Evaluate(Inputs{Units: []string{"a", "b"}})
	if len(r.Units) != 2 || r.Units[0].Total.String() != "0.00" || r.Units[1].Rank != 1 {
		t.Errorf("no indicators: got %+v, want two units at 0.00, both first", r.Units)
	}

	// An indicator whose parent is not given counts as level 1; a cycle
	// that no root reaches is left out.
	in := Inputs{
		Indicators: []models.Indicator{
			node("orphan", "missing", "1.1", 0, "5", models.ScoreYesNo),
			node("x", "y", "9", 0, "1", models.ScoreYesNo),
			node("y", "x", "9.1", 0, "1", models.ScoreYesNo),
			node("top", "", "1", 0, "5", models.ScoreYesNo),
		},
		Units:  []string{"a"},
		Values: map[Key]*models.IndicatorValue{{"orphan", "a"}: yesNo(true)},
	}
	r = Evaluate(in)
	var ids []string
	for _, n := range r.Indicators {
		ids = append(ids, n.Indicator.ID)
	}
	if got, want := strings.Join(ids, " "), "top orphan"; got != want {
		t.Errorf("tree: got %s, want %s", got, want)
	}
	if got, want := r.Units[0].Total.String(), "5.00"; got != want {
		t.Errorf("total: got %s, want %s", got, want)
	}

	// A unit listed twice is evaluated twice.
	r = Evaluate(manualInputs(map[string]string{"a": "5"}, "a", "a"))
	if len(r.Units) != 2 || r.Units[0].Rank != 1 || r.Units[1].Rank != 1 {
		t.Errorf("a unit twice: got %+v", r.Units)
	}
}

// Evaluate scores each leaf as ScoreLeaf does with the target it picks, and
// its sums add up, on the benchmark's inputs.
func TestEvaluateAgreesWithScoreLeaf(t *testing.T) {
	in := benchInputs()
	r := Evaluate(in)
	if len(r.Units) != len(in.Units) {
		t.Fatalf("got %d units, want %d", len(r.Units), len(in.Units))
	}
	// The targets as the package comment says: the unit's own first, then
	// the default, the first of each.
	defaults, own := map[string]*models.Target{}, map[Key]*models.Target{}
	for i := range in.Targets {
		tg := &in.Targets[i]
		if tg.UnitID == nil && defaults[tg.IndicatorID] == nil {
			defaults[tg.IndicatorID] = tg
		}
		if k := (Key{tg.IndicatorID, ""}); tg.UnitID != nil {
			k.UnitID = *tg.UnitID
			if own[k] == nil {
				own[k] = tg
			}
		}
	}
	targetOf := func(ind, unit string) *models.Target {
		if tg := own[Key{ind, unit}]; tg != nil {
			return tg
		}
		return defaults[ind]
	}
	for ri, u := range r.Units {
		sum := map[int]exact.Decimal{}
		total := exact.Decimal{}
		for i, n := range r.Indicators {
			got := u.Scores[i]
			if n.Leaf {
				want := ScoreLeaf(n.Indicator, u.UnitID, in.Values[Key{n.Indicator.ID, u.UnitID}], targetOf(n.Indicator.ID, u.UnitID))
				if got.Reason != want.Reason || got.Score.String() != want.Score.String() || got.Message() != want.Message() || got.Target != want.Target {
					t.Fatalf("%s %s: got %s %s %q, want %s %s %q", u.UnitID, n.Indicator.ID, got.Reason, got.Score, got.Message(), want.Reason, want.Score, want.Message())
				}
			}
			if n.Parent >= 0 {
				sum[n.Parent] = sum[n.Parent].Add(got.Score)
			} else {
				total = total.Add(got.Score)
			}
		}
		for i, s := range sum {
			if u.Scores[i].Score.Cmp(s) != 0 {
				t.Fatalf("%s %s: got subtotal %s, want %s", u.UnitID, u.Scores[i].IndicatorID, u.Scores[i].Score, s)
			}
		}
		if u.Total.Cmp(total) != 0 {
			t.Fatalf("%s: got total %s, want %s", u.UnitID, u.Total, total)
		}
		if ri > 0 {
			prev := r.Units[ri-1]
			if c := prev.Total.Cmp(u.Total); c < 0 || (c == 0 && (prev.Order > u.Order || prev.Rank != u.Rank)) || (c > 0 && u.Rank != ri+1) {
				t.Fatalf("ranking: %s (%s, rank %d) before %s (%s, rank %d)", prev.UnitID, prev.Total, prev.Rank, u.UnitID, u.Total, u.Rank)
			}
		}
	}
}

// A large evaluation is scored on several goroutines: each unit must come
// out as it does when evaluated alone, in its place in the ranking.
func TestEvaluateSharedOut(t *testing.T) {
	in := benchInputs()
	if len(in.Units)*len(in.Indicators) <= 2*unitScoresPerWorker {
		t.Fatalf("%d units × %d indicators are scored on one goroutine", len(in.Units), len(in.Indicators))
	}
	r := Evaluate(in)
	for _, u := range r.Units {
		alone := in
		alone.Units = []string{u.UnitID}
		want := Evaluate(alone).Units[0]
		if u.UnitID != in.Units[u.Order] || u.Total.Cmp(want.Total) != 0 || u.Grade != want.Grade {
			t.Fatalf("%s: got order %d, total %s %q, want %d, %s %q", u.UnitID, u.Order, u.Total, u.Grade,
				slices.Index(in.Units, u.UnitID), want.Total, want.Grade)
		}
		for i := range u.Scores {
			g, w := &u.Scores[i], &want.Scores[i]
			if g.IndicatorID != w.IndicatorID || g.UnitID != w.UnitID || g.Reason != w.Reason || g.Score.Cmp(w.Score) != 0 ||
				g.Lost.Cmp(w.Lost) != 0 || g.Value != w.Value || g.Target != w.Target {
				t.Fatalf("%s, %s: got %+v, want %+v", u.UnitID, g.IndicatorID, g, w)
			}
		}
	}
}
