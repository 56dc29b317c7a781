package scoring

import (
	"fmt"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// benchInputs is an evaluation of the size the office runs: 100 units and a
// system of 300 leaf indicators (10 areas of 3 sections of 10), every method
// represented, nearly every value reported, some units with targets of
// their own.
func benchInputs() Inputs {
	methods := []models.ScoringMethod{models.ScoreLinear, models.ScoreTargetMet, models.ScoreTiered, models.ScoreYesNo, models.ScoreManual, models.ScoreDeduction}
	dirs := []models.Direction{"higher_better", "lower_better", "target"}
	in := Inputs{
		System: &models.IndicatorSystem{GradeBands: []models.GradeBand{{Grade: "优秀", Min: exact.FromInt(90)}, {Grade: "良好", Min: exact.FromInt(75)}}},
		Values: map[Key]*models.IndicatorValue{},
	}
	for u := range 100 {
		in.Units = append(in.Units, fmt.Sprintf("u%03d", u))
	}
	n := 0
	for a := range 10 {
		aid := fmt.Sprintf("a%d", a)
		in.Indicators = append(in.Indicators, models.Indicator{ID: aid, Code: fmt.Sprint(a + 1), Level: 1, Points: exact.FromInt(30)})
		for b := range 3 {
			bid := fmt.Sprintf("%s.%d", aid, b)
			in.Indicators = append(in.Indicators, models.Indicator{ID: bid, ParentID: &aid, Code: fmt.Sprintf("%d.%d", a+1, b+1), Level: 2, Points: exact.FromInt(10)})
			for range 10 {
				n++
				id := fmt.Sprintf("i%03d", n)
				m := methods[n%len(methods)]
				ind := models.Indicator{ID: id, ParentID: &bid, Code: fmt.Sprint(n), Level: 3, Points: exact.FromInt(1),
					Direction: dirs[n%len(dirs)], Scoring: &models.Scoring{Method: m}}
				switch m {
				case models.ScoreTiered:
					ind.Scoring.Bands = []models.ScoreBand{
						{Min: ptr(exact.FromInt(90)), Points: exact.FromInt(1)},
						{Min: ptr(exact.FromInt(60)), Max: ptr(exact.FromInt(90)), Points: exact.MustParse("0.5")},
					}
				case models.ScoreDeduction:
					ind.Scoring.PerOccurrence = ptr(exact.MustParse("0.25"))
				}
				in.Indicators = append(in.Indicators, ind)
				in.Targets = append(in.Targets, models.Target{IndicatorID: id, Comparator: models.AtLeast, Value: exact.FromInt(80)})
				for u, unit := range in.Units {
					if u%7 == 0 {
						in.Targets = append(in.Targets, models.Target{IndicatorID: id, UnitID: &in.Units[u], Comparator: models.AtLeast, Value: exact.FromInt(70)})
					}
					if (u+n)%20 == 0 {
						continue // not reported
					}
					v := &models.IndicatorValue{ID: id + unit, Value: ptr(exact.FromInt(int64((u*7 + n*3) % 110))), ReviewScore: ptr(exact.MustParse("0.75"))}
					switch m {
					case models.ScoreYesNo:
						v.Value, v.YesNo = nil, ptr((u+n)%3 != 0)
					case models.ScoreDeduction:
						v.Value = ptr(exact.FromInt(int64((u + n) % 5)))
					}
					in.Values[Key{id, unit}] = v
				}
			}
		}
	}
	return in
}

func ptr[T any](v T) *T { return &v }

func BenchmarkEvaluate(b *testing.B) {
	in := benchInputs()
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(in)
	}
}
