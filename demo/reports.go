package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The demo's annual reports of 2021: the city's, drafted by the office
// from the demo records (its plans, problems and the city's approved
// values), and Xinglongtai district's, submitted on 10 March 2022, after
// the 1 March deadline.
var (
	CityReport2021     = ID(0x14001)
	DistrictReport2021 = ID(0x14002)
)

type demoAnnualReport struct {
	draft                         models.ReportToDraft
	drafted, signedOff, submitted time.Time
}

func demoAnnualReports() []demoAnnualReport {
	return []demoAnnualReport{
		{draft: models.ReportToDraft{ID: CityReport2021, UnitID: PanjinCity, Year: 2021, SourceUnitIDs: []string{RuleOfLawOffice}, Sample: true},
			drafted: day(2022, 2, 10)},
		{draft: models.ReportToDraft{ID: DistrictReport2021, UnitID: Xinglongtai, Year: 2021, Sample: true},
			drafted: day(2022, 2, 20), signedOff: day(2022, 3, 8), submitted: day(2022, 3, 10)},
	}
}

// ReportRecords is how many records seedReports adds to an empty database.
func ReportRecords() int { return len(demoAnnualReports()) }

// ReportEvents is the audit events of seedReports: each report drafted,
// signed off and submitted.
func ReportEvents() int {
	n := 0
	for _, r := range demoAnnualReports() {
		n++
		if !r.signedOff.IsZero() {
			n++
		}
		if !r.submitted.IsZero() {
			n++
		}
	}
	return n
}

// seedReports drafts the demo reports, each unless it is there, and moves
// them on at the instants the demo tells.
func seedReports(ctx context.Context, s Store) (int, error) {
	n := 0
	admin := models.UserActor(AdminUser)
	for _, dr := range demoAnnualReports() {
		switch _, err := s.GetAnnualReport(ctx, dr.draft.ID); {
		case err == nil:
			continue
		case !errors.Is(err, models.ErrNotFound):
			return n, fmt.Errorf("seed demo annual report: %w", err)
		}
		err := at(s, dr.drafted, func() error {
			_, err := s.DraftAnnualReport(ctx, dr.draft, admin)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("seed demo annual report: %w", err)
		}
		n++
		for _, m := range []struct {
			when  time.Time
			apply func(r *models.AnnualReport, at time.Time) error
		}{
			{dr.signedOff, func(r *models.AnnualReport, at time.Time) error {
				return r.SignOff(models.UserActor(ReviewerUser), at, true)
			}},
			{dr.submitted, func(r *models.AnnualReport, at time.Time) error { return r.Submit(admin, at) }},
		} {
			if m.when.IsZero() {
				continue
			}
			err := at(s, m.when, func() error {
				_, err := s.MoveAnnualReport(ctx, dr.draft.ID, m.apply)
				return err
			})
			if err != nil {
				return n, fmt.Errorf("seed demo annual report: %w", err)
			}
		}
	}
	return n, nil
}
