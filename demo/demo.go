// Package demo holds the demo data drawn from the seed report, Panjin city's
// 2021 report on its rule-of-law government work, with fixed ids so that
// examples, docs and tests can name real records.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fazhi/fazhi/models"
)

// Store is what seeding needs.
type Store interface {
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	CreateUnits(ctx context.Context, units []*models.Unit) error
	GetUser(ctx context.Context, id string) (*models.User, error)
	CreateUser(ctx context.Context, u *models.User) error
	GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	CreateIndicatorSystem(ctx context.Context, s *models.IndicatorSystem) error
	GetIndicator(ctx context.Context, id string) (*models.Indicator, error)
	CreateIndicator(ctx context.Context, systemID string, ind *models.Indicator) error
	PublishIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error)
	GetValue(ctx context.Context, id string) (*models.IndicatorValue, string, error)
	CreateValues(ctx context.Context, values []*models.IndicatorValue) error
	GetTarget(ctx context.Context, id string) (*models.Target, error)
	CreateTarget(ctx context.Context, t *models.Target) error
	GetEvaluation(ctx context.Context, id string) (*models.Evaluation, error)
	CreateEvaluation(ctx context.Context, e *models.Evaluation) error
	GetAPIKey(ctx context.Context, id string) (*models.APIKey, error)
	CreateAPIKey(ctx context.Context, k *models.APIKey) error
	GetChecklist(ctx context.Context, id string) (*models.Checklist, error)
	CreateChecklist(ctx context.Context, content models.Checklist) (*models.Checklist, error)
	EditChecklist(ctx context.Context, id string, ifVersion int64, p models.ChecklistPatch) (*models.Checklist, error)
	ChecklistVersions(ctx context.Context, id string) ([]models.Checklist, error)
	SubmitChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Checklist, error)
	PublishChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor, comment string) (*models.Checklist, error)
	ReviseChecklist(ctx context.Context, id string, ifVersion *int64, ids models.RevisionIDs) (*models.Checklist, error)
	AllChecklistItems(ctx context.Context, checklistID string) ([]models.ChecklistItem, error)
	AddChecklistItems(ctx context.Context, checklistID string, items []*models.ChecklistItem) error
	DeleteChecklistItem(ctx context.Context, id string, ifVersion int64) error
	GetChecklistApplication(ctx context.Context, id string) (*models.ChecklistApplication, error)
	AddChecklistApplications(ctx context.Context, checklistID string, apps []*models.ChecklistApplication, dryRun bool) error
	CreateInspectionRound(ctx context.Context, r *models.InspectionRound, unitIDs []string, sheetIDs ...string) ([]models.InspectionSheet, error)
	GetInspectionRound(ctx context.Context, id string) (*models.InspectionRound, []models.InspectionSheet, error)
	AnswerInspectionItem(ctx context.Context, sheetID string, a *models.InspectionAnswer, ifVersion *int64) (bool, error)
	SubmitInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error)
	AcceptInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error)
	GetPlan(ctx context.Context, id string) (*models.Plan, error)
	CreatePlan(ctx context.Context, p *models.Plan) error
	CreatePlanTask(ctx context.Context, t *models.PlanTask) error
	PublishPlan(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Plan, error)
	MovePlanTask(ctx context.Context, id string, apply func(t *models.PlanTask, at time.Time) error) (*models.PlanTask, error)
	GetProgressReport(ctx context.Context, id string) (*models.ProgressReport, *models.PlanTask, *models.Plan, error)
	CreateProgressReport(ctx context.Context, r *models.ProgressReport) error
	SubmitProgressReport(ctx context.Context, id string, by models.Actor) (*models.ProgressReport, error)
	ReviewProgressReport(ctx context.Context, id string, apply func(r *models.ProgressReport, at time.Time) error) (*models.ProgressReport, error)
	GetProblem(ctx context.Context, id string) (*models.Problem, error)
	CreateProblem(ctx context.Context, p *models.Problem) error
	ChangeProblem(ctx context.Context, id string, ifVersion *int64, apply func(p *models.Problem, at time.Time, evidence int) error) (*models.Problem, error)
	GetAnnualReport(ctx context.Context, id string) (*models.AnnualReport, error)
	DraftAnnualReport(ctx context.Context, d models.ReportToDraft, by models.Actor) (*models.AnnualReport, error)
	MoveAnnualReport(ctx context.Context, id string, apply func(r *models.AnnualReport, at time.Time) error) (*models.AnnualReport, error)
}

// Options say what to seed.
type Options struct {
	// Accounts adds the demo accounts; production refuses them.
	Accounts bool
	// HashPassword hashes the demo password for the accounts.
	HashPassword func(string) (string, error)
}

// Seed adds every demo record that is missing and leaves the rest as they are,
// so running it twice changes nothing. It returns how many records it added.
func Seed(ctx context.Context, s Store, opts Options) (int, error) {
	n, err := seedUnits(ctx, s)
	if err != nil {
		return n, err
	}
	m, err := seedIndicators(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedChecklists(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedInspections(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedPlans(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedProgress(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedReports(ctx, s)
	n += m
	if err != nil || !opts.Accounts {
		return n, err
	}
	for _, u := range Users() {
		_, err := s.GetUser(ctx, u.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, models.ErrNotFound) {
			return n, fmt.Errorf("seed demo accounts: %w", err)
		}
		if u.PasswordHash, err = opts.HashPassword(Password); err != nil {
			return n, err
		}
		if err := s.CreateUser(ctx, u); err != nil {
			return n, fmt.Errorf("seed demo accounts: %w", err)
		}
		n++
	}
	for _, k := range APIKeys() {
		switch _, err := s.GetAPIKey(ctx, k.ID); {
		case errors.Is(err, models.ErrNotFound):
			if err := s.CreateAPIKey(ctx, k); err != nil {
				return n, fmt.Errorf("seed demo API key: %w", err)
			}
			n++
		case err != nil:
			return n, fmt.Errorf("seed demo API key: %w", err)
		}
	}
	return n, nil
}

func seedUnits(ctx context.Context, s Store) (int, error) {
	var missing []*models.Unit
	for _, u := range Units() {
		_, err := s.GetUnit(ctx, u.ID)
		if errors.Is(err, models.ErrNotFound) {
			missing = append(missing, u)
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("seed demo units: %w", err)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if err := s.CreateUnits(ctx, missing); err != nil {
		return 0, fmt.Errorf("seed demo units: %w", err)
	}
	return len(missing), nil
}

// seededAt is the creation time of every demo record.
var seededAt = time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)

// ID returns the fixed id of demo record n.
func ID(n int) string { return fmt.Sprintf("0190a000-0000-7000-8000-%012x", n) }

// Fixed ids of the demo units that docs and tests name.
var (
	PanjinCity           = ID(0x01)
	Xinglongtai          = ID(0x03)
	CityGovernmentOffice = ID(0x0a) // 市政府办公室, which issues the flexible-enforcement list
	JusticeBureau        = ID(0x10)
	RuleOfLawOffice      = ID(0x11)
	LegalAidCentre       = ID(0x12)
)

// seedIndicators adds the city's indicator system, published, with the
// approved 2021 values of the seed report's figures and sample 2022 targets;
// the national system, published with scoring rules, synthetic district
// values, sample 2021 targets and a draft evaluation; and the work in
// progress of work.go. Whatever exists is kept.
func seedIndicators(ctx context.Context, s Store) (int, error) {
	city, cityInds := CityIndicators()
	n, err := seedSystem(ctx, s, city, cityInds, true)
	if err != nil {
		return n, err
	}
	national, nationalInds := NationalIndicators()
	m, err := seedSystem(ctx, s, national, nationalInds, true)
	n += m
	if err != nil {
		return n, err
	}
	draft, draftInds := DraftIndicators()
	m, err = seedSystem(ctx, s, draft, draftInds, false)
	n += m
	if err != nil {
		return n, err
	}
	var missing []*models.IndicatorValue
	for _, v := range slices.Concat(CityValues(), NationalValues(), WorkingValues()) {
		_, _, err := s.GetValue(ctx, v.ID)
		if errors.Is(err, models.ErrNotFound) {
			missing = append(missing, v)
			continue
		}
		if err != nil {
			return n, fmt.Errorf("seed demo values: %w", err)
		}
	}
	if len(missing) > 0 {
		if err := s.CreateValues(ctx, missing); err != nil {
			return n, fmt.Errorf("seed demo values: %w", err)
		}
	}
	n += len(missing)
	for _, t := range slices.Concat(SampleTargets(), NationalTargets()) {
		_, err := s.GetTarget(ctx, t.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, models.ErrNotFound) {
			return n, fmt.Errorf("seed demo targets: %w", err)
		}
		if err := s.CreateTarget(ctx, t); err != nil {
			return n, fmt.Errorf("seed demo targets: %w", err)
		}
		n++
	}
	e := NationalEvaluationDraft()
	switch _, err := s.GetEvaluation(ctx, e.ID); {
	case errors.Is(err, models.ErrNotFound):
		if err := s.CreateEvaluation(ctx, e); err != nil {
			return n, fmt.Errorf("seed demo evaluation: %w", err)
		}
		n++
	case err != nil:
		return n, fmt.Errorf("seed demo evaluation: %w", err)
	}
	return n, nil
}

// seedSystem adds a system and its missing indicators, and publishes it when
// asked and still a draft.
func seedSystem(ctx context.Context, s Store, sys *models.IndicatorSystem, inds []*models.Indicator, publish bool) (int, error) {
	n := 0
	existing, err := s.GetIndicatorSystem(ctx, sys.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		if err := s.CreateIndicatorSystem(ctx, sys); err != nil {
			return n, fmt.Errorf("seed demo indicator system: %w", err)
		}
		existing, n = sys, n+1
	case err != nil:
		return n, fmt.Errorf("seed demo indicator system: %w", err)
	}
	if existing.Status != models.SystemDraft {
		return n, nil
	}
	for _, ind := range inds {
		_, err := s.GetIndicator(ctx, ind.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, models.ErrNotFound) {
			return n, fmt.Errorf("seed demo indicators: %w", err)
		}
		if err := s.CreateIndicator(ctx, sys.ID, ind); err != nil {
			return n, fmt.Errorf("seed demo indicator %s: %w", ind.Code, err)
		}
		n++
	}
	if publish {
		if _, err := s.PublishIndicatorSystem(ctx, sys.ID); err != nil {
			return n, fmt.Errorf("publish demo indicator system: %w", err)
		}
	}
	return n, nil
}
