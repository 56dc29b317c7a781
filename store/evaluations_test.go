package store_test

import (
	"reflect"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// An evaluation reads the released year-end values of its units by hand:
// each must be what GORM reads of the same columns, NULLs, yes/no answers,
// review scores and all, and nothing of another unit, period or status.
// The status itself is not read (only released values are asked for).
func TestEvaluationInputsValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "year")
		year := func(unit *models.Unit, period string, status models.ValueStatus) *models.IndicatorValue {
			return &models.IndicatorValue{IndicatorID: s.ind.ID, SystemID: s.system.ID, UnitID: unit.ID, Period: period, Year: 2021,
				Qualifier: "exact", Status: status}
		}
		full := year(s.town, "2021", models.ValueApproved)
		full.Value, full.ReviewScore, full.Qualifier = ptr(exact.MustParse("58.100")), ptr(exact.MustParse("4.5")), "estimate"
		full.YesNo = ptr(false)
		yes := year(s.district, "2021", models.ValueLocked)
		yes.YesNo = ptr(true)
		no := year(s.city, "2021", models.ValueApproved)
		no.YesNo, no.Value = ptr(false), ptr(exact.MustParse("0"))
		draft := year(s.town, "2021-Q4", models.ValueDraft) // not released
		other := year(s.district, "2021-Q3", models.ValueApproved)
		if err := db.CreateValues(ctx, []*models.IndicatorValue{full, yes, no, draft, other}); err != nil {
			t.Fatal(err)
		}

		in, err := db.EvaluationInputs(ctx, &models.Evaluation{SystemID: s.system.ID, Year: 2021,
			UnitIDs: []string{s.town.ID, s.district.ID}}) // not the city
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]models.IndicatorValue{}
		for _, v := range in.Values {
			got[v.ID] = v
		}
		for _, v := range []*models.IndicatorValue{full, yes} {
			var want models.IndicatorValue
			if err := store.GormOf(db.DB).Select("id", "indicator_id", "system_id", "unit_id", "period", "year", "value",
				"yes_no", "qualifier", "review_score", "version").Where("id = ?", v.ID).Take(&want).Error; err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got[v.ID], want) {
				t.Errorf("value %s:\ngot  %+v\nwant %+v", v.ID, got[v.ID], want)
			}
		}
		if len(got) != 2 {
			t.Errorf("got %d values, want the town's and the district's year-end ones: %+v", len(got), in.Values)
		}
	})
}
