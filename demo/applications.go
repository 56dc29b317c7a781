package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The seed report's figures of the flexible-enforcement list's use in 2021
// ("截至12月底，全市共适用免罚清单不予处罚2848个案件，65家法人和3923位自然人
// （非法人组织）因此受益，累计减免罚金额119.47万元"): the demo's cases add up to
// them exactly.
const (
	SeedCases          = 2848
	SeedLegalPersons   = 65
	SeedNaturalPersons = 3923
	SeedAmountYuan     = 1_194_700
)

// applicationIDs + n is the id of the n-th demo case (1…SeedCases).
const applicationIDs = 0xf0000

// FirstApplication is the id of the first demo case, which the contract's
// examples show.
var FirstApplication = ID(applicationIDs + 1)

// applicationsRecorded is when the city's units recorded their 2021 cases:
// the last day of the year, before the report was drafted.
var applicationsRecorded = time.Date(2021, 12, 31, 8, 0, 0, 0, time.UTC)

// spread is the n-th of count parts of total spread as evenly as whole
// numbers allow: the parts differ by at most one and add up to total.
func spread(total, count, n int) int { return (n+1)*total/count - n*total/count }

// FlexibleApplications returns the demo's cases of the 2021 list, new
// values at each call: SeedCases cases between the list's entry into force
// (1 August 2021) and the end of the year, spread over its items (each
// applied by its implementing unit), SeedLegalPersons of them concerning a
// legal person and the others natural persons, one or two each, with fines
// of 1 to 9 parts of the total waived, so that the four figures are the
// seed report's.
func FlexibleApplications() []*models.ChecklistApplication {
	_, items := FlexibleList2021()
	first := time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC).Sub(first).Hours()/24) + 1
	// The weights of the fines: cumulative, so that each case's fine is
	// its part of the total and the parts add up to it exactly.
	weights := make([]int, SeedCases+1)
	for i := range SeedCases {
		weights[i+1] = weights[i] + 1 + i*7%9
	}
	fen := int64(SeedAmountYuan) * 100
	fine := func(i int) int64 {
		w, all := int64(weights[i]), int64(weights[SeedCases])
		return (int64(weights[i+1])*fen/all - w*fen/all) / 100 * 100 // whole yuan…
	}
	apps := make([]*models.ChecklistApplication, SeedCases)
	var fined int64
	natural, others := 0, SeedCases-SeedLegalPersons
	for i := range SeedCases {
		it := items[i*37%len(items)]
		a := &models.ChecklistApplication{
			ID: ID(applicationIDs + i + 1), ItemID: it.ID, UnitID: *it.ImplementingUnitID,
			CaseNumber: ptr(fmt.Sprintf("盘柔执不罚〔2021〕%04d号", i+1)),
			CaseDate:   first.AddDate(0, 0, i*days/SeedCases).Format(time.DateOnly),
			AmountFen:  fine(i), CreatedBy: string(models.UserActor(AdminUser)), SampleData: true,
		}
		if spread(SeedLegalPersons, SeedCases, i) == 1 {
			a.LegalPersons = 1
		} else {
			a.NaturalPersons = 1 + spread(SeedNaturalPersons-others, others, natural)
			natural++
		}
		fined += a.AmountFen
		apps[i] = a
	}
	apps[SeedCases-1].AmountFen += fen - fined // …the yuan the rounding left over go to the last
	return apps
}

func ptr[T any](v T) *T { return &v }

// seedApplications records the demo's cases of the published 2021 list,
// unless its first case is there already (the cases are written all or
// nothing).
func seedApplications(ctx context.Context, s Store) (int, error) {
	switch _, err := s.GetChecklistApplication(ctx, FirstApplication); {
	case err == nil:
		return 0, nil
	case !errors.Is(err, models.ErrNotFound):
		return 0, fmt.Errorf("seed demo checklist applications: %w", err)
	}
	apps := FlexibleApplications()
	if err := at(s, applicationsRecorded, func() error { return s.AddChecklistApplications(ctx, FlexibleList, apps, false) }); err != nil {
		return 0, fmt.Errorf("seed demo checklist applications: %w", err)
	}
	return len(apps), nil
}
