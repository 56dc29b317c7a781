package demo

import (
	"fmt"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// NationalSystem is the id of the demo system that follows the national
// demonstration indicator system, published with scoring rules so that the
// demo has something to evaluate.
var NationalSystem = ID(0x3002)

// NationalEvaluation is the id of the demo's draft evaluation of the
// national system's 2021, for the districts.
var NationalEvaluation = ID(0x7001)

// nationalGrades are the national system's grades (等次).
var nationalGrades = []models.GradeBand{
	{Grade: "优秀", Min: exact.FromInt(90)}, {Grade: "良好", Min: exact.FromInt(80)},
	{Grade: "合格", Min: exact.FromInt(60)}, {Grade: "不合格", Min: exact.FromInt(0)},
}

// syntheticNote marks every value of the national draft: made up, for ranking demos.
const syntheticNote = "合成数据：仅供演示考核排名，非真实填报"

// nationalAreas are the level-1 areas of 《市县法治政府建设示范指标体系(2021年版)》,
// with points that add up to 100; a few areas carry level-2 indicators.
var nationalAreas = []struct {
	name   string
	points int64
	inds   []struct{ name, unit string }
}{
	{"政府机构职能体系", 12, []struct{ name, unit string }{{"全程网办率", "%"}, {"证明事项告知承诺制实施率", "%"}}},
	{"依法行政制度体系", 12, nil},
	{"行政决策制度体系", 10, []struct{ name, unit string }{{"重大行政决策合法性审查率", "%"}}},
	{"行政执法工作体系", 14, []struct{ name, unit string }{{"行政执法案卷评查合格率", "%"}, {"柔性执法不予处罚案件", "件"}}},
	{"突发事件应对体系", 8, nil},
	{"社会矛盾纠纷行政预防调处化解体系", 12, []struct{ name, unit string }{{"矛盾纠纷调解成功率", "%"}}},
	{"行政权力制约和监督体系", 12, nil},
	{"法治政府建设科技保障体系", 8, nil},
	{"加强党的领导，完善法治政府建设推进机制", 12, nil},
}

// districts are the units the synthetic values are reported for.
var districts = []int{0x02, 0x03, 0x04, 0x05}

// NationalIndicators returns the national draft and its indicators.
func NationalIndicators() (*models.IndicatorSystem, []*models.Indicator) {
	s := &models.IndicatorSystem{
		ID: NationalSystem, Name: "市县法治政府建设示范指标体系（盘锦市试用）", IssuingUnitID: RuleOfLawOffice,
		Edition: "2021年版", YearFrom: 2021, YearTo: 2025, TotalPoints: exact.FromInt(100), GradeBands: nationalGrades,
	}
	var inds []*models.Indicator
	n := 0
	for i, a := range nationalAreas {
		area := &models.Indicator{
			ID: ID(0x3300 + i + 1), SystemID: s.ID, Code: fmt.Sprint(i + 1), Name: a.name, Points: exact.FromInt(a.points),
			ValueType: "evidence_only", Direction: "target", Aggregation: "none", Frequency: "year", SortOrder: i + 1,
		}
		inds = append(inds, area)
		for j, sub := range a.inds {
			n++
			unit := sub.unit
			valueType, aggregation := models.ValueType("number"), models.Aggregation("sum")
			points := share(exact.FromInt(a.points), len(a.inds), j+1)
			// Counts score by bands, rates by attainment of the year's target.
			scoring := &models.Scoring{Method: models.ScoreTiered, Bands: countBands(points)}
			if unit == "%" {
				valueType, aggregation = "percent", "average"
				scoring = &models.Scoring{Method: models.ScoreLinear}
			}
			inds = append(inds, &models.Indicator{
				ID: ID(0x3400 + n), SystemID: s.ID, ParentID: &area.ID, Code: fmt.Sprint(n), Name: sub.name,
				Points: points, MeasureUnit: &unit, ValueType: valueType, Scoring: scoring,
				Direction: "higher_better", Aggregation: aggregation, Frequency: "year", SortOrder: j + 1,
			})
		}
	}
	return s, inds
}

// NationalValues returns synthetic approved 2021 values of the districts and
// the county for the national system's level-2 indicators, and review scores
// for its areas without indicators, marked as synthetic, so that an
// evaluation has something to rank.
func NationalValues() []*models.IndicatorValue {
	_, inds := NationalIndicators()
	var out []*models.IndicatorValue
	n := 0
	for _, ind := range inds {
		if ind.ParentID == nil {
			continue
		}
		for k, d := range districts {
			n++
			// Spread the districts apart, differently for each indicator.
			var v exact.Decimal
			if ind.ValueType == "percent" {
				v = exact.MustParse(fmt.Sprintf("%d.%d", 70+((n*7+k*11)%29), (n*3+k)%10))
			} else {
				v = exact.FromInt(int64(40 + (n*13+k*17)%160))
			}
			note := syntheticNote
			out = append(out, &models.IndicatorValue{
				ID: ID(0x5100 + n), IndicatorID: ind.ID, SystemID: NationalSystem, UnitID: ID(d), Period: "2021", Year: 2021,
				Value: &v, Qualifier: "exact", Comment: &note, Status: models.ValueApproved, Flags: []string{},
			})
		}
	}
	// The areas without indicators of their own are reported with evidence
	// and scored by the reviewers: a synthetic review score each.
	m := 0
	for _, ind := range inds {
		if ind.ParentID != nil || hasChildren(inds, ind.ID) {
			continue
		}
		for k, d := range districts {
			m++
			// From 70% to 98% of the area's points, in steps of 0.5.
			half := ind.Points.Mul(exact.FromInt(int64(140 + (m*11+k*7)%57))).Mul(exact.MustParse("0.005"))
			score := half.Round(1)
			note := syntheticNote
			out = append(out, &models.IndicatorValue{
				ID: ID(0x5200 + m), IndicatorID: ind.ID, SystemID: NationalSystem, UnitID: ID(d), Period: "2021", Year: 2021,
				Qualifier: "exact", Comment: &note, ReviewScore: &score, Status: models.ValueApproved, Flags: []string{},
			})
		}
	}
	return out
}

func hasChildren(inds []*models.Indicator, id string) bool {
	for _, ind := range inds {
		if ind.ParentID != nil && *ind.ParentID == id {
			return true
		}
	}
	return false
}

// countBands are the bands of a count indicator worth points: 100 or more
// scores full points, 60 to 100 80%, 20 to 60 half, fewer nothing.
func countBands(points exact.Decimal) []models.ScoreBand {
	at := func(n int64) *exact.Decimal { d := exact.FromInt(n); return &d }
	return []models.ScoreBand{
		{Min: at(100), Points: points},
		{Min: at(60), Max: at(100), Points: points.Mul(exact.MustParse("0.8")).Round(1)},
		{Min: at(20), Max: at(60), Points: points.Mul(exact.MustParse("0.5")).Round(1)},
	}
}

// NationalTargets are the national system's 2021 targets of its rates, for
// every unit, marked as samples like the city's.
func NationalTargets() []*models.Target {
	note := "示例目标值：演示考核用，非上级下达"
	_, inds := NationalIndicators()
	var out []*models.Target
	for i, ind := range inds {
		if ind.ValueType != "percent" {
			continue
		}
		out = append(out, &models.Target{
			ID: ID(0x4100 + i + 1), IndicatorID: ind.ID, Year: 2021, Comparator: models.AtLeast,
			Value: exact.FromInt(90), Sample: true, Note: &note,
		})
	}
	return out
}

// NationalEvaluationDraft is the demo's draft evaluation of 2021 for the
// districts, left in draft for people to look at and publish.
func NationalEvaluationDraft() *models.Evaluation {
	units := make([]string, len(districts))
	for i, d := range districts {
		units[i] = ID(d)
	}
	return &models.Evaluation{ID: NationalEvaluation, SystemID: NationalSystem, Year: 2021,
		Name: "盘锦市2021年度法治政府建设考核（演示：合成数据）", UnitIDs: units}
}

// SampleTargets returns sample 2022 targets for the city's percentage
// indicators, marked as samples: the report states what was achieved in 2021,
// not what was set.
func SampleTargets() []*models.Target {
	note := "示例目标值：演示用，非市依法治市办下达"
	var out []*models.Target
	for i, f := range cityFigures {
		if f.valueType != "percent" {
			continue
		}
		out = append(out, &models.Target{
			ID: ID(0x4000 + i + 1), IndicatorID: ID(0x3200 + i + 1), Year: 2022, Comparator: models.AtLeast,
			Value: exact.MustParse(f.value), Sample: true, Note: &note,
		})
	}
	return out
}
