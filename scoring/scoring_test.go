package scoring

import (
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

func dec(s string) exact.Decimal   { return exact.MustParse(s) }
func decp(s string) *exact.Decimal { return ptr(dec(s)) }

// indicator is a leaf worth points, scored by method (nil Scoring for ""),
// in measure unit mu ("" for none), with direction dir.
func indicator(method models.ScoringMethod, points, mu string, dir models.Direction) *models.Indicator {
	ind := &models.Indicator{ID: "ind", Code: "1", Level: 1, Points: dec(points), Direction: dir, ValueType: "number"}
	if method != "" {
		ind.Scoring = &models.Scoring{Method: method}
	}
	if mu != "" {
		ind.MeasureUnit = &mu
	}
	return ind
}

func tiered(points, mu string, bands ...models.ScoreBand) *models.Indicator {
	ind := indicator(models.ScoreTiered, points, mu, "higher_better")
	ind.Scoring.Bands = bands
	return ind
}

// band is [min, max) worth points; "" is an open bound.
func band(min, max, points string) models.ScoreBand {
	b := models.ScoreBand{Points: dec(points)}
	if min != "" {
		b.Min = decp(min)
	}
	if max != "" {
		b.Max = decp(max)
	}
	return b
}

func deduction(points, per, mu string) *models.Indicator {
	ind := indicator(models.ScoreDeduction, points, mu, "lower_better")
	ind.Scoring.PerOccurrence = decp(per)
	return ind
}

func num(s string) *models.IndicatorValue {
	return &models.IndicatorValue{ID: "val", UnitID: "u1", Period: "2021", Year: 2021, Value: decp(s), Qualifier: "exact", Status: models.ValueApproved}
}

func yesNo(b bool) *models.IndicatorValue {
	return &models.IndicatorValue{ID: "val", UnitID: "u1", Period: "2021", Year: 2021, YesNo: &b, Qualifier: "exact", Status: models.ValueApproved}
}

// reviewed is a value of a manually scored indicator with a review score
// ("" for none yet).
func reviewed(score string) *models.IndicatorValue {
	v := &models.IndicatorValue{ID: "val", UnitID: "u1", Period: "2021", Year: 2021, Qualifier: "exact", Status: models.ValueApproved}
	if score != "" {
		v.ReviewScore = decp(score)
	}
	return v
}

func target(c models.Comparator, value string) *models.Target {
	return &models.Target{ID: "tgt", IndicatorID: "ind", Year: 2021, UnitKey: models.DefaultTargetUnit, Comparator: c, Value: dec(value)}
}

func between(from, to string) *models.Target {
	t := target(models.Between, from)
	t.ValueTo = decp(to)
	return t
}

func TestScoreLeaf(t *testing.T) {
	var (
		pct     = func(dir models.Direction) *models.Indicator { return indicator(models.ScoreLinear, "10", "%", dir) }
		days    = indicator(models.ScoreLinear, "10", "工作日", "lower_better")
		plain   = indicator(models.ScoreLinear, "10", "", "higher_better")
		reach   = indicator(models.ScoreLinear, "10", "", "target")
		met     = indicator(models.ScoreTargetMet, "10", "%", "higher_better")
		metDays = indicator(models.ScoreTargetMet, "10", "工作日", "lower_better")
		bands   = tiered("10", "", band("90", "", "10"), band("80", "90", "6"), band("60", "80", "3"))
		open    = tiered("10", "%", band("", "60", "2"), band("60", "", "10"))
		overlap = tiered("10", "", band("50", "", "4"), band("60", "", "10"))
		manual  = indicator(models.ScoreManual, "8", "", "higher_better")
		noRule  = indicator("", "8", "", "higher_better")
		yn      = indicator(models.ScoreYesNo, "5", "", "higher_better")
		ded     = deduction("5", "0.5", "")
		dedCase = deduction("5", "0.5", "件")
		bogus   = indicator("bogus", "10", "", "higher_better")
		noValue = &models.IndicatorValue{ID: "val", Qualifier: "exact"}
	)
	tests := []struct {
		name       string
		ind        *models.Indicator
		v          *models.IndicatorValue
		t          *models.Target
		reason     Reason
		score      string
		lost       string
		attainment string // "" when not linear
		message    string
	}{
		// linear, higher_better
		{"linear below target", pct("higher_better"), num("36"), target(models.AtLeast, "50"), ReasonProportional, "7.20", "2.80", "0.720000", "未达目标值50%，按比例得分 7.2/10"},
		{"linear exactly on target", pct("higher_better"), num("50"), target(models.AtLeast, "50"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≥ 50%），得满分 10/10"},
		{"linear on target, other scale", pct("higher_better"), num("50.00"), target(models.AtLeast, "50"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≥ 50%），得满分 10/10"},
		{"linear above target is capped", pct("higher_better"), num("90"), target(models.AtLeast, "50"), ReasonCapped, "10.00", "0.00", "1.000000", "优于目标值（≥ 50%），得满分 10/10"},
		{"linear 10 × 2/3 rounds half up", plain, num("2"), target(models.AtLeast, "3"), ReasonProportional, "6.67", "3.33", "0.666667", "未达目标值3，按比例得分 6.67/10"},
		{"linear tie rounds half up, not to even", indicator(models.ScoreLinear, "5", "", "higher_better"), num("1"), target(models.AtLeast, "8"), ReasonProportional, "0.63", "4.37", "0.125000", "未达目标值8，按比例得分 0.63/5"},
		{"linear zero value", pct("higher_better"), num("0"), target(models.AtLeast, "50"), ReasonProportional, "0.00", "10.00", "0.000000", "未达目标值50%，按比例得分 0/10"},
		{"linear negative value floors at 0", plain, num("-5"), target(models.AtLeast, "50"), ReasonProportional, "0.00", "10.00", "0.000000", "未达目标值50，按比例得分 0/10"},
		{"linear target 0, value 0", plain, num("0"), target(models.AtLeast, "0"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≥ 0），得满分 10/10"},
		{"linear target 0, value above", plain, num("3"), target(models.AtLeast, "0"), ReasonCapped, "10.00", "0.00", "1.000000", "优于目标值（≥ 0），得满分 10/10"},
		{"linear target 0, value below", plain, num("-1"), target(models.AtLeast, "0"), ReasonProportional, "0.00", "10.00", "0.000000", "未达目标值0，按比例得分 0/10"},
		{"linear between, below the lower bound", pct("higher_better"), num("72"), between("80", "90"), ReasonProportional, "9.00", "1.00", "0.900000", "低于目标区间[80%, 90%]，按比例得分 9/10"},
		{"linear between, at the lower bound", pct("higher_better"), num("80"), between("80", "90"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标区间[80%, 90%]，得满分 10/10"},
		{"linear between, above the upper bound", pct("higher_better"), num("95"), between("80", "90"), ReasonCapped, "10.00", "0.00", "1.000000", "优于目标区间[80%, 90%]，得满分 10/10"},
		{"linear no target", pct("higher_better"), num("36"), nil, ReasonNoTarget, "0.00", "10.00", "", "未设目标值，得 0/10"},
		{"linear missing value", pct("higher_better"), nil, target(models.AtLeast, "50"), ReasonMissing, "0.00", "10.00", "", "未填报，得 0/10"},
		{"linear value without a number", pct("higher_better"), noValue, target(models.AtLeast, "50"), ReasonMissing, "0.00", "10.00", "", "未填报，得 0/10"},
		{"linear missing value and no target", pct("higher_better"), nil, nil, ReasonMissing, "0.00", "10.00", "", "未填报，得 0/10"},

		// linear, lower_better
		{"lower_better above target", days, num("80"), target(models.AtMost, "60"), ReasonProportional, "7.50", "2.50", "0.750000", "超过目标值60工作日，按比例得分 7.5/10"},
		{"lower_better exactly on target", days, num("60"), target(models.AtMost, "60"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≤ 60工作日），得满分 10/10"},
		{"lower_better below target is capped", days, num("45"), target(models.AtMost, "60"), ReasonCapped, "10.00", "0.00", "1.000000", "优于目标值（≤ 60工作日），得满分 10/10"},
		{"lower_better value 0", days, num("0"), target(models.AtMost, "60"), ReasonCapped, "10.00", "0.00", "1.000000", "优于目标值（≤ 60工作日），得满分 10/10"},
		{"lower_better target 0, value above", days, num("3"), target(models.AtMost, "0"), ReasonProportional, "0.00", "10.00", "0.000000", "超过目标值0工作日，按比例得分 0/10"},
		{"lower_better target 0, value 0", days, num("0"), target(models.AtMost, "0"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≤ 0工作日），得满分 10/10"},
		{"lower_better against a between's lower bound", pct("lower_better"), num("85"), between("80", "90"), ReasonProportional, "9.41", "0.59", "0.941176", "在目标区间[80%, 90%]内，按比例得分 9.41/10"},
		{"lower_better 10 × 60/90", days, num("90"), target(models.AtMost, "60"), ReasonProportional, "6.67", "3.33", "0.666667", "超过目标值60工作日，按比例得分 6.67/10"},

		// linear, target (reach the target)
		{"reach: short of an equal target", pct("target"), num("98"), target(models.Equal, "100"), ReasonProportional, "9.80", "0.20", "0.980000", "未达目标值100%，按比例得分 9.8/10"},
		{"reach: over an equal target", reach, num("103"), target(models.Equal, "100"), ReasonProportional, "9.70", "0.30", "0.970000", "超过目标值100，按比例得分 9.7/10"},
		{"reach: exactly on target", pct("target"), num("100"), target(models.Equal, "100"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（= 100%），得满分 10/10"},
		{"reach: inside the between", pct("target"), num("85"), between("80", "90"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标区间[80%, 90%]，得满分 10/10"},
		{"reach: at the upper bound", pct("target"), num("90"), between("80", "90"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标区间[80%, 90%]，得满分 10/10"},
		{"reach: above the between, nearest bound 90", pct("target"), num("99"), between("80", "90"), ReasonProportional, "9.00", "1.00", "0.900000", "高于目标区间[80%, 90%]，按比例得分 9/10"},
		{"reach: below the between, nearest bound 80", pct("target"), num("70"), between("80", "90"), ReasonProportional, "8.75", "1.25", "0.875000", "低于目标区间[80%, 90%]，按比例得分 8.75/10"},
		{"reach: at least, short", pct("target"), num("45"), target(models.AtLeast, "50"), ReasonProportional, "9.00", "1.00", "0.900000", "未达目标值50%，按比例得分 9/10"},
		{"reach: at least, above is met, not capped", pct("target"), num("70"), target(models.AtLeast, "50"), ReasonMet, "10.00", "0.00", "1.000000", "达到目标值（≥ 50%），得满分 10/10"},
		{"reach: far off floors at 0", reach, num("35"), target(models.Equal, "10"), ReasonProportional, "0.00", "10.00", "0.000000", "超过目标值10，按比例得分 0/10"},
		{"reach: bound 0 not met", reach, num("3"), target(models.Equal, "0"), ReasonProportional, "0.00", "10.00", "0.000000", "超过目标值0，按比例得分 0/10"},
		{"reach: negative bound", reach, num("-8"), target(models.Equal, "-10"), ReasonProportional, "8.00", "2.00", "0.800000", "超过目标值-10，按比例得分 8/10"},

		// target_met
		{"target_met above", met, num("92"), target(models.AtLeast, "90"), ReasonMet, "10.00", "0.00", "", "达到目标值（≥ 90%），得满分 10/10"},
		{"target_met exactly", met, num("90"), target(models.AtLeast, "90"), ReasonMet, "10.00", "0.00", "", "达到目标值（≥ 90%），得满分 10/10"},
		{"target_met just short", met, num("89.99"), target(models.AtLeast, "90"), ReasonNotMet, "0.00", "10.00", "", "未达目标值90%，得 0/10"},
		{"target_met at most, over", metDays, num("61"), target(models.AtMost, "60"), ReasonNotMet, "0.00", "10.00", "", "超过目标值60工作日，得 0/10"},
		{"target_met at most, on", metDays, num("60"), target(models.AtMost, "60"), ReasonMet, "10.00", "0.00", "", "达到目标值（≤ 60工作日），得满分 10/10"},
		{"target_met between, low end", met, num("80"), between("80", "90"), ReasonMet, "10.00", "0.00", "", "达到目标区间[80%, 90%]，得满分 10/10"},
		{"target_met between, high end", met, num("90"), between("80", "90"), ReasonMet, "10.00", "0.00", "", "达到目标区间[80%, 90%]，得满分 10/10"},
		{"target_met between, below", met, num("79.99"), between("80", "90"), ReasonNotMet, "0.00", "10.00", "", "低于目标区间[80%, 90%]，得 0/10"},
		{"target_met between, above", met, num("90.5"), between("80", "90"), ReasonNotMet, "0.00", "10.00", "", "高于目标区间[80%, 90%]，得 0/10"},
		{"target_met no target", met, num("92"), nil, ReasonNoTarget, "0.00", "10.00", "", "未设目标值，得 0/10"},
		{"target_met missing", met, nil, target(models.AtLeast, "90"), ReasonMissing, "0.00", "10.00", "", "未填报，得 0/10"},

		// tiered
		{"band: min is included", bands, num("90"), nil, ReasonBand, "10.00", "0.00", "", "落在区间[90, +∞)，得 10/10"},
		{"band: max is excluded", bands, num("89.99"), nil, ReasonBand, "6.00", "4.00", "", "落在区间[80, 90)，得 6/10"},
		{"band: middle", bands, num("85"), nil, ReasonBand, "6.00", "4.00", "", "落在区间[80, 90)，得 6/10"},
		{"band: lowest min", bands, num("60"), nil, ReasonBand, "3.00", "7.00", "", "落在区间[60, 80)，得 3/10"},
		{"band: in none", bands, num("59.5"), nil, ReasonNoBand, "0.00", "10.00", "", "填报59.5，未落在任何区间，得 0/10"},
		{"band: open below", open, num("-3"), nil, ReasonBand, "2.00", "8.00", "", "落在区间(-∞, 60%)，得 2/10"},
		{"band: open above", open, num("100"), nil, ReasonBand, "10.00", "0.00", "", "落在区间[60%, +∞)，得 10/10"},
		{"band: the first that contains the value", overlap, num("70"), nil, ReasonBand, "4.00", "6.00", "", "落在区间[50, +∞)，得 4/10"},
		{"band: missing", bands, nil, nil, ReasonMissing, "0.00", "10.00", "", "未填报，得 0/10"},
		{"band: no bands", tiered("10", ""), num("70"), nil, ReasonNoBand, "0.00", "10.00", "", "填报70，未落在任何区间，得 0/10"},

		// manual
		{"manual", manual, reviewed("6"), nil, ReasonManual, "6.00", "2.00", "", "评审评分 6/8"},
		{"manual rounds half up", manual, reviewed("6.125"), nil, ReasonManual, "6.13", "1.87", "", "评审评分 6.13/8"},
		{"manual full", manual, reviewed("8"), nil, ReasonManual, "8.00", "0.00", "", "评审评分 8/8"},
		{"manual clamped to the points", manual, reviewed("9"), nil, ReasonManual, "8.00", "0.00", "", "评审评分 9，超出分值，计 8/8"},
		{"manual clamped to 0", manual, reviewed("-1"), nil, ReasonManual, "0.00", "8.00", "", "评审评分 -1，低于0分，计 0/8"},
		{"manual not reviewed", manual, reviewed(""), nil, ReasonNotReviewed, "0.00", "8.00", "", "未评审，得 0/8"},
		{"manual missing", manual, nil, nil, ReasonMissing, "0.00", "8.00", "", "未填报，得 0/8"},
		{"manual ignores a target", manual, reviewed("6"), target(models.AtLeast, "1"), ReasonManual, "6.00", "2.00", "", "评审评分 6/8"},
		{"no scoring is manual", noRule, reviewed("7.5"), nil, ReasonManual, "7.50", "0.50", "", "评审评分 7.5/8"},

		// yes_no
		{"yes", yn, yesNo(true), nil, ReasonYes, "5.00", "0.00", "", "是，得 5/5"},
		{"no", yn, yesNo(false), nil, ReasonNo, "0.00", "5.00", "", "否，得 0/5"},
		{"yes_no without yes or no", yn, num("1"), nil, ReasonMissing, "0.00", "5.00", "", "未填报，得 0/5"},

		// deduction
		{"deducted", ded, num("3"), nil, ReasonDeducted, "3.50", "1.50", "", "发生3次，每次扣0.5分，扣1.5分，得 3.5/5"},
		{"deducted in the measure unit", dedCase, num("2"), nil, ReasonDeducted, "4.00", "1.00", "", "发生2件，每次扣0.5分，扣1分，得 4/5"},
		{"deduction reaching the points", ded, num("10"), nil, ReasonFloor, "0.00", "5.00", "", "发生10次，每次扣0.5分，扣5分，扣完为止，得 0/5"},
		{"deduction beyond the points floors at 0", ded, num("12"), nil, ReasonFloor, "0.00", "5.00", "", "发生12次，每次扣0.5分，扣6分，扣完为止，得 0/5"},
		{"nothing deducted", ded, num("0"), nil, ReasonNoneDeducted, "5.00", "0.00", "", "未发生，不扣分，得 5/5"},
		{"negative occurrences are none", ded, num("-2"), nil, ReasonNoneDeducted, "5.00", "0.00", "", "未发生，不扣分，得 5/5"},
		{"deduction missing", ded, nil, nil, ReasonMissing, "0.00", "5.00", "", "未填报，得 0/5"},

		{"unknown method", bogus, num("1"), nil, ReasonUnknownMethod, "0.00", "10.00", "", "评分方法「bogus」无法识别，得 0/10"},
	}
	seen := map[Reason]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreLeaf(tt.ind, "u1", tt.v, tt.t)
			seen[got.Reason] = true
			if got.Reason != tt.reason {
				t.Errorf("reason: got %s, want %s", got.Reason, tt.reason)
			}
			if got.Score.String() != tt.score {
				t.Errorf("score: got %s, want %s", got.Score, tt.score)
			}
			if got.Lost.String() != tt.lost {
				t.Errorf("lost: got %s, want %s", got.Lost, tt.lost)
			}
			if tt.attainment != "" && got.Attainment.String() != tt.attainment {
				t.Errorf("attainment: got %s, want %s", got.Attainment, tt.attainment)
			}
			if msg := got.Message(); msg != tt.message {
				t.Errorf("message:\ngot  %s\nwant %s", msg, tt.message)
			}
		})
	}
	// Every leaf reason has its message checked above.
	for _, r := range []Reason{ReasonMissing, ReasonNoTarget, ReasonMet, ReasonNotMet, ReasonCapped, ReasonProportional,
		ReasonBand, ReasonNoBand, ReasonManual, ReasonNotReviewed, ReasonYes, ReasonNo, ReasonDeducted, ReasonFloor,
		ReasonNoneDeducted, ReasonUnknownMethod} {
		if !seen[r] {
			t.Errorf("no test case gives reason %s", r)
		}
	}
}

// A score says what it was computed from.
func TestScoreLeafExplains(t *testing.T) {
	u1 := "u1"
	own := target(models.AtLeast, "40")
	own.UnitID, own.UnitKey = &u1, u1
	v := num("36")
	v.Qualifier = "more_than"

	ind := indicator(models.ScoreLinear, "10", "%", "higher_better")
	ind.ID = "i-linear"
	got := ScoreLeaf(ind, "u1", v, own)
	if got.IndicatorID != "i-linear" || got.UnitID != "u1" || got.Method != models.ScoreLinear {
		t.Errorf("ids and method: got %s, %s, %s, want i-linear, u1, linear", got.IndicatorID, got.UnitID, got.Method)
	}
	if got.Points.String() != "10" || got.MeasureUnit != "%" {
		t.Errorf("points and measure unit: got %s, %q, want 10, %%", got.Points, got.MeasureUnit)
	}
	if got.Value != v || got.Value.ID != "val" || got.Value.Qualifier != "more_than" || got.Value.Period != "2021" {
		t.Errorf("value: got %+v, want the value given", got.Value)
	}
	if got.Target != own || got.DefaultTarget {
		t.Errorf("target: got %p, default %v, want the unit's own %p", got.Target, got.DefaultTarget, own)
	}
	if got.Score.String() != "9.00" || got.Attainment.String() != "0.900000" {
		t.Errorf("score: got %s at %s, want 9.00 at 0.900000", got.Score, got.Attainment)
	}

	def := target(models.AtLeast, "40")
	if got := ScoreLeaf(ind, "u1", v, def); got.Target != def || !got.DefaultTarget {
		t.Errorf("default target: got %p, default %v, want %p, true", got.Target, got.DefaultTarget, def)
	}
	// Methods without a target do not claim one.
	if got := ScoreLeaf(indicator(models.ScoreYesNo, "5", "", ""), "u1", yesNo(true), def); got.Target != nil {
		t.Errorf("yes_no target: got %p, want nil", got.Target)
	}

	bands := tiered("10", "", band("90", "", "10"), band("80", "90", "6"))
	if got := ScoreLeaf(bands, "u1", num("85"), nil); got.Band != &bands.Scoring.Bands[1] {
		t.Errorf("band: got %v, want the second band", got.Band)
	}
	ded := deduction("5", "0.5", "")
	got = ScoreLeaf(ded, "u1", num("-2"), nil)
	if got.Occurrences.String() != "0" || got.PerOccurrence != ded.Scoring.PerOccurrence || got.Deducted.String() != "0.0" {
		t.Errorf("deduction: got %s × %v = %s, want 0 × 0.5 = 0.0", got.Occurrences, got.PerOccurrence, got.Deducted)
	}
	got = ScoreLeaf(ded, "u1", num("12"), nil)
	if got.Occurrences.String() != "12" || got.Deducted.String() != "6.0" {
		t.Errorf("deduction: got %s occurrences, %s deducted, want 12, 6.0", got.Occurrences, got.Deducted)
	}
	man := indicator(models.ScoreManual, "8", "", "")
	r := reviewed("9")
	if got := ScoreLeaf(man, "u1", r, nil); got.Value.ReviewScore.String() != "9" || got.Score.String() != "8.00" {
		t.Errorf("manual: got review %s scored %s, want 9 scored 8.00", got.Value.ReviewScore, got.Score)
	}
}

func TestMessageOfOtherScores(t *testing.T) {
	tests := []struct {
		s    Score
		want string
	}{
		{Score{Reason: ReasonSubtotal, Points: dec("30"), Score: dec("25.50")}, "小计 25.5/30"},
		{Score{Reason: ReasonSubtotal, Points: dec("100"), Score: dec("0.00")}, "小计 0/100"},
		// A Score put together by hand still reads.
		{Score{Reason: ReasonMet, Points: dec("10"), Score: dec("10.00")}, "得 10/10"},
		{Score{Reason: "", Points: dec("10"), Score: dec("3.05")}, "得 3.05/10"},
	}
	for _, tt := range tests {
		if got := tt.s.Message(); got != tt.want {
			t.Errorf("%s %s/%s: got %s, want %s", tt.s.Reason, tt.s.Score, tt.s.Points, got, tt.want)
		}
	}
}

func TestTrim(t *testing.T) {
	for in, want := range map[string]string{
		"7.20": "7.2", "10.00": "10", "10": "10", "0.00": "0", "100": "100", "0.05": "0.05", "-1.50": "-1.5", "3.335": "3.335",
	} {
		if got := trim(dec(in)); got != want {
			t.Errorf("trim(%s): got %s, want %s", in, got, want)
		}
	}
}
