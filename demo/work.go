package demo

import (
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// Demo records in the middle of their work: a draft system for next year, a
// value the legal aid centre is still writing and one waiting for review.
// The contract's examples name them, so that each example request works on
// the demo data as written, and people trying the API find something to
// change.
var (
	DraftSystem    = ID(0x3003)
	DraftValue     = ID(0x5301)
	SubmittedValue = ID(0x5302)
)

// DraftIndicators returns the draft system for 2022 and its indicators: two
// areas with one rate each, scored by attainment of targets still to be set.
func DraftIndicators() (*models.IndicatorSystem, []*models.Indicator) {
	s := &models.IndicatorSystem{
		ID: DraftSystem, Name: "盘锦市2022年法治政府建设考核指标（草稿）", IssuingUnitID: RuleOfLawOffice,
		Edition: "2022年版", YearFrom: 2022, YearTo: 2022, TotalPoints: exact.FromInt(100), GradeBands: nationalGrades,
	}
	percent := "%"
	area := func(n int, code, name string, points int64) *models.Indicator {
		return &models.Indicator{ID: ID(0x3500 + n), SystemID: s.ID, Code: code, Name: name, Points: exact.FromInt(points),
			ValueType: "evidence_only", Direction: "target", Aggregation: "none", Frequency: "year", SortOrder: n}
	}
	rate := func(n int, parent *models.Indicator, code, name string) *models.Indicator {
		return &models.Indicator{ID: ID(0x3500 + n), SystemID: s.ID, ParentID: &parent.ID, Code: code, Name: name,
			Points: parent.Points, MeasureUnit: &percent, ValueType: "percent", Direction: "higher_better",
			Aggregation: "average", Frequency: "year", SortOrder: 1, Scoring: &models.Scoring{Method: models.ScoreLinear}}
	}
	one := area(1, "1", "依法全面履行政府职能", 40)
	two := area(3, "2", "严格规范公正文明执法", 60)
	return s, []*models.Indicator{
		one, rate(2, one, "1.1", "政务服务事项全程网办率"),
		two, rate(4, two, "2.1", "行政执法案卷评查合格率"),
	}
}

// WorkingValues are the legal aid centre's own 2021 figures of two city
// indicators: one in draft, one submitted by the centre's reporter and
// waiting for the Justice Bureau's review.
func WorkingValues() []*models.IndicatorValue {
	cases, campaigns := cityIndicatorID("5.7"), cityIndicatorID("5.5")
	draft, submitted := exact.FromInt(1873), exact.FromInt(12)
	draftText, submittedText := "办理法律援助案件1873件（截至11月底）", "开展专项普法活动12次"
	by := "user:" + ReporterUser
	at := time.Date(2022, 1, 8, 9, 0, 0, 0, time.UTC)
	return []*models.IndicatorValue{
		{ID: DraftValue, IndicatorID: cases, SystemID: CitySystem, UnitID: LegalAidCentre, Period: "2021", Year: 2021,
			Value: &draft, Qualifier: "exact", RawText: &draftText, Status: models.ValueDraft, Flags: []string{}},
		{ID: SubmittedValue, IndicatorID: campaigns, SystemID: CitySystem, UnitID: LegalAidCentre, Period: "2021", Year: 2021,
			Value: &submitted, Qualifier: "exact", RawText: &submittedText, Status: models.ValueSubmitted, Flags: []string{},
			SubmittedBy: &by, SubmittedAt: &at, Version: 2},
	}
}

// cityIndicatorID is the id of the city system's indicator with the code.
func cityIndicatorID(code string) string {
	for i, f := range cityFigures {
		if f.code == code {
			return ID(0x3200 + i + 1)
		}
	}
	panic("demo: no city indicator " + code)
}
