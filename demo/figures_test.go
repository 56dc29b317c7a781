package demo_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/scoring"
	"github.com/fazhi/fazhi/textsearch"
)

// seedFigures are the figures of DOMAIN.md's table of Panjin's 2021 report
// (and the ones it says the demo adds), written down here from the report
// itself: the oracle the demo data is held against.
var seedFigures = map[string]struct{ value, qualifier string }{
	"1.1": {"536", "exact"}, "1.2": {"152", "exact"}, "1.3": {"384", "exact"},
	"1.4": {"14", "exact"}, "1.5": {"60", "at_most"}, "1.6": {"5", "minimum"},
	"1.7": {"50", "at_least"}, "1.8": {"70", "at_least"}, "1.9": {"80", "at_least"},
	"1.10": {"58.10", "exact"}, "1.11": {"689", "exact"},
	"1.12": {"121", "exact"}, "1.13": {"600", "exact"}, "1.14": {"10", "exact"},
	"1.15": {"15", "exact"}, "1.16": {"10", "exact"}, "1.17": {"40000000", "more_than"},
	"1.18": {"2933", "exact"}, "1.19": {"382", "exact"}, "1.20": {"1046", "exact"}, "1.21": {"28911", "exact"},
	"1.22": {"614", "exact"}, "1.23": {"464", "exact"}, "1.24": {"29", "exact"}, "1.25": {"10", "exact"},
	"2.1": {"2", "exact"}, "2.2": {"140", "exact"}, "2.3": {"5", "exact"}, "2.4": {"5", "exact"},
	"3.1": {"24", "exact"}, "3.2": {"854", "exact"},
	"3.3": {"2848", "exact"}, "3.4": {"65", "exact"}, "3.5": {"3923", "exact"}, "3.6": {"119.47", "exact"},
	"3.7": {"17", "exact"}, "3.8": {"77", "exact"}, "3.9": {"568", "exact"},
	"4.1": {"283", "exact"}, "4.2": {"242", "exact"}, "4.3": {"1500", "more_than"}, "4.4": {"3000", "more_than"},
	"4.5": {"600", "more_than"}, "4.6": {"2000", "more_than"}, "4.7": {"10000", "more_than"},
	"4.8": {"400", "more_than"}, "4.9": {"6000", "more_than"}, "4.10": {"99", "exact"}, "4.11": {"100", "exact"},
	"5.1": {"2869", "exact"}, "5.2": {"9431", "exact"}, "5.3": {"45", "exact"}, "5.4": {"1.32", "exact"},
	"5.5": {"37", "exact"}, "5.6": {"40000", "more_than"}, "5.7": {"2001", "exact"},
	"5.8": {"730", "exact"}, "5.9": {"1610", "exact"}, "5.10": {"10000", "more_than"},
	"5.11": {"800", "more_than"}, "5.12": {"10", "exact"},
}

// seedReport reads the seed report from shared/, beside the repository.
func seedReport(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "shared", "seed", "000_1c9c93ea932af3e0.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the seed report is needed to check the demo data against it: %v", err)
	}
	return string(b)
}

// TestDemoValuesAreTheSeedReportsFigures compares, one by one and exactly,
// the approved 2021 values of the seeded city with the report's figures, and
// checks that each value's raw text is quoted from the report: the report's
// words in simplified characters (the copy we were given is in traditional
// ones), compared through the fold that search uses.
func TestDemoValuesAreTheSeedReportsFigures(t *testing.T) {
	report := seedReport(t)
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		sys, inds, err := db.IndicatorTree(ctx, demo.CitySystem)
		if err != nil {
			t.Fatal(err)
		}
		if sys.Status != models.SystemPublished || sys.Name != "盘锦市2021年法治政府建设主要指标" {
			t.Errorf("system: %s, %s", sys.Name, sys.Status)
		}
		codeOf := map[string]string{}
		for _, ind := range inds {
			codeOf[ind.ID] = ind.Code
		}
		values, _, err := db.ListValues(ctx, models.ValueFilter{SystemID: demo.CitySystem, UnitID: demo.PanjinCity, Period: "2021"},
			paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "id"}})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, v := range values {
			code := codeOf[v.IndicatorID]
			want, ok := seedFigures[code]
			switch {
			case !ok:
				t.Errorf("indicator %s has a value the report does not give", code)
				continue
			case v.Value == nil || v.Value.String() != want.value || string(v.Qualifier) != want.qualifier:
				t.Errorf("%s: %v %s, want %s %s", code, v.Value, v.Qualifier, want.value, want.qualifier)
			case v.Status != models.ValueApproved:
				t.Errorf("%s: status %s, want approved", code, v.Status)
			case v.RawText == nil || !strings.Contains(textsearch.Fold(report), textsearch.Fold(*v.RawText)):
				t.Errorf("%s: raw text %v is not quoted from the report", code, v.RawText)
			}
			seen[code] = true
		}
		for code := range seedFigures {
			if !seen[code] {
				t.Errorf("figure %s of the report has no demo value", code)
			}
		}
	})
}

// TestDemoNationalSystemAndSamples: the national system is published with the
// demonstration system's nine areas, a scoring rule for each indicator that
// takes values and grades; its values are marked synthetic, its targets and
// the city's 2022 targets are marked as samples, and its 2021 evaluation
// waits in draft.
func TestDemoNationalSystemAndSamples(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		sys, inds, err := db.IndicatorTree(ctx, demo.NationalSystem)
		if err != nil {
			t.Fatal(err)
		}
		var areas []models.Indicator
		for _, ind := range inds {
			if ind.Level == 1 {
				areas = append(areas, ind)
			}
		}
		if sys.Status != models.SystemPublished || len(areas) != 9 || len(sys.GradeBands) != 4 {
			t.Errorf("national system: %s with %d areas and %d grades, want published with 9 and 4", sys.Status, len(areas), len(sys.GradeBands))
		}
		for _, ind := range inds {
			if ind.Level == 2 && ind.Scoring == nil {
				t.Errorf("indicator %s has no scoring rule", ind.Code)
			}
		}
		e, err := db.GetEvaluation(ctx, demo.NationalEvaluation)
		if err != nil || e.Status != models.EvaluationDraft || e.Year != 2021 || len(e.UnitIDs) != 4 || !strings.Contains(e.Name, "合成数据") {
			t.Errorf("demo evaluation %+v (%v), want a draft of 2021 for the 4 districts, marked synthetic", e, err)
		}
		all := make([]models.Indicator, len(inds))
		copy(all, inds)
		if err := models.CheckPoints(sys.TotalPoints, all); err != nil {
			t.Errorf("the national system's points do not add up: %v", err)
		}
		values, _, err := db.ListValues(ctx, models.ValueFilter{SystemID: demo.NationalSystem}, paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "id"}})
		if err != nil {
			t.Fatal(err)
		}
		units := map[string]bool{}
		for _, v := range values {
			units[v.UnitID] = true
			if v.Comment == nil || !strings.Contains(*v.Comment, "合成数据") {
				t.Errorf("value %s is not marked synthetic: %v", v.ID, v.Comment)
			}
		}
		if len(values) == 0 || len(units) != 4 {
			t.Errorf("%d synthetic values for %d units, want values for the 4 districts and the county", len(values), len(units))
		}
		for _, want := range append(demo.SampleTargets(), demo.NationalTargets()...) {
			got, err := db.GetTarget(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Sample || got.Year != want.Year || got.Note == nil || !strings.Contains(*got.Note, "示例") {
				t.Errorf("target %s is not a marked %d sample: %+v", got.ID, want.Year, got)
			}
		}
		if len(demo.SampleTargets()) == 0 || len(demo.NationalTargets()) == 0 {
			t.Error("no sample targets")
		}
	})
}

// TestDemoEvaluationRanks: the demo evaluation, scored from the synthetic
// values, ranks the four districts apart, every one with a grade and every
// level-2 indicator scored by its rule, not left at zero for want of a value.
func TestDemoEvaluationRanks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		e, err := db.GetEvaluation(ctx, demo.NationalEvaluation)
		if err != nil {
			t.Fatal(err)
		}
		read, err := db.EvaluationInputs(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		in := scoring.Inputs{System: read.System, Indicators: read.Indicators, Units: e.UnitIDs, Targets: read.Targets,
			Values: map[scoring.Key]*models.IndicatorValue{}}
		for i := range read.Values {
			v := &read.Values[i]
			in.Values[scoring.Key{IndicatorID: v.IndicatorID, UnitID: v.UnitID}] = v
		}
		r := scoring.Evaluate(in)
		if len(r.Units) != 4 {
			t.Fatalf("%d units ranked, want 4", len(r.Units))
		}
		totals := map[string]bool{}
		for _, u := range r.Units {
			totals[u.Total.String()] = true
			if u.Grade == "" || u.Total.Sign() <= 0 || u.Total.Cmp(r.Points) > 0 {
				t.Errorf("unit %s: total %s of %s, grade %q", u.UnitID, u.Total, r.Points, u.Grade)
			}
			for i, n := range r.Indicators {
				if reason := u.Scores[i].Reason; n.Leaf && (reason == scoring.ReasonMissing || reason == scoring.ReasonNoTarget || reason == scoring.ReasonNotReviewed) {
					t.Errorf("unit %s, indicator %s: %s (%s)", u.UnitID, n.Indicator.Code, reason, u.Scores[i].Message())
				}
			}
		}
		if len(totals) < 3 {
			t.Errorf("totals %v: the synthetic values hardly tell the districts apart", totals)
		}
	})
}
