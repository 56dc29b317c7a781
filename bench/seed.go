package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

// scale is how much data a run seeds: a city with districts, each with its
// towns; an indicator system of quarterly indicators; and a year's four
// quarters of every indicator reported by the first reporters districts.
type scale struct {
	Name       string
	Districts  int // below the city
	Towns      int // below each district
	Indicators int
	Reporters  int // districts with values
	Years      int // years of values, from 2021

	ChecklistItems int // items of the published checklist case g lists
	Tasks          int // tasks of the city's annual plan case h lists, its ten sections included
}

// Units counts the units a scale seeds, the city included.
func (s scale) Units() int { return 1 + s.Districts*(1+s.Towns) }

// Values counts the indicator values a scale seeds.
func (s scale) Values() int { return s.Reporters * s.Indicators * 4 * s.Years }

// The scales: default is the (10,001 units, 300 indicators, 120,000
// values); small keeps the CI run short; large has five years of values.
var scales = map[string]scale{
	"small":   {Name: "small", Districts: 10, Towns: 99, Indicators: 150, Reporters: 10, Years: 1, ChecklistItems: 1_000, Tasks: 500},
	"default": {Name: "default", Districts: 100, Towns: 99, Indicators: 300, Reporters: 100, Years: 1, ChecklistItems: 10_000, Tasks: 1_000},
	"large":   {Name: "large", Districts: 100, Towns: 99, Indicators: 300, Reporters: 100, Years: 5, ChecklistItems: 100_000, Tasks: 5_000},
}

// fixture is what the load needs to know of the seeded data.
type fixture struct {
	Token    string   // an administrator's session at the city
	City     string   // the root unit
	Reporter string   // a district with values
	Year     int      // the last year of values
	Towns    []string // the units PATCH rotates over

	Checklist string // a published checklist of s.ChecklistItems items
	Plan      string // the city's published plan of this year, of s.Tasks tasks
}

// seed fills a migrated, empty database through the store, as the product
// writes it (audit events and all), and links the audit events it wrote so
// that no server starts with a backlog to sequence.
func seed(ctx context.Context, db *store.DB, s scale) (*fixture, error) {
	city := &models.Unit{ID: store.NewID(), Code: "910000", Name: "基准市", Kind: models.UnitCity, Level: 1}
	city.Path = models.UnitPath("", city.ID)
	units := []*models.Unit{city}
	var districts, towns []*models.Unit
	for d := range s.Districts {
		district := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("91%04d", d+1), Name: fmt.Sprintf("第%d区", d+1),
			Kind: models.UnitDistrict, ParentID: &city.ID, Level: 2}
		district.Path = models.UnitPath(city.Path, district.ID)
		districts = append(districts, district)
		units = append(units, district)
		for t := range s.Towns {
			town := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s%03d", district.Code, t+1),
				Name: fmt.Sprintf("第%d区第%d街道", d+1, t+1), Kind: models.UnitTown, ParentID: &district.ID, Level: 3}
			town.Path = models.UnitPath(district.Path, town.ID)
			towns = append(towns, town)
			units = append(units, town)
		}
	}
	if err := db.CreateUnits(ctx, units); err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}

	sys := &models.IndicatorSystem{Name: "基准指标体系", IssuingUnitID: city.ID, Edition: "2021年版",
		YearFrom: 2021, YearTo: 2021 + s.Years - 1, TotalPoints: exact.FromInt(int64(s.Indicators))}
	if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
		return nil, fmt.Errorf("indicator system: %w", err)
	}
	indicators := make([]*models.Indicator, s.Indicators)
	for i := range indicators {
		indicators[i] = &models.Indicator{Code: fmt.Sprint(i + 1), Name: fmt.Sprintf("指标%d", i+1), Points: exact.FromInt(1),
			ValueType: "number", Direction: "higher_better", Aggregation: "sum", Frequency: "quarter", SortOrder: i}
		if err := db.CreateIndicator(ctx, sys.ID, indicators[i]); err != nil {
			return nil, fmt.Errorf("indicator %d: %w", i+1, err)
		}
	}
	if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
		return nil, fmt.Errorf("publish the indicator system: %w", err)
	}
	for y := range s.Years {
		for r, district := range districts[:s.Reporters] {
			batch := make([]*models.IndicatorValue, 0, s.Indicators*4)
			for i, ind := range indicators {
				for q := 1; q <= 4; q++ {
					v := exact.MustParse(fmt.Sprintf("%d.%02d", (y*7+q*13+i+r)%500, q*7))
					batch = append(batch, &models.IndicatorValue{IndicatorID: ind.ID, SystemID: sys.ID, UnitID: district.ID,
						Period: fmt.Sprintf("%d-Q%d", 2021+y, q), Year: 2021 + y, Value: &v, Qualifier: "exact",
						Status: models.ValueApproved})
				}
			}
			if err := db.CreateValues(ctx, batch); err != nil {
				return nil, fmt.Errorf("values: %w", err)
			}
		}
	}

	hash, err := (&password.Hasher{Params: password.Fast}).Hash(password.NewInitial())
	if err != nil {
		return nil, err
	}
	admin := &models.User{Username: "bench.admin", DisplayName: "基准管理员", UnitID: city.ID,
		Roles: []models.Role{models.RoleAdmin}, PasswordHash: hash}
	if err := db.CreateUser(ctx, admin); err != nil {
		return nil, fmt.Errorf("administrator: %w", err)
	}
	token, tokenHash := password.NewToken("fzs_")
	if _, err := db.CreateSession(ctx, admin, tokenHash, 24*time.Hour); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	checklist, err := seedChecklist(ctx, db, s, city.ID, districts, admin)
	if err != nil {
		return nil, err
	}
	plan, err := seedPlan(ctx, db, s, city, districts, indicators, admin)
	if err != nil {
		return nil, err
	}
	if err := db.Sequence(ctx); err != nil {
		return nil, err
	}
	f := &fixture{Token: token, City: city.ID, Reporter: districts[0].ID, Year: 2021 + s.Years - 1}
	f.Checklist = checklist
	f.Plan = plan
	for _, t := range towns {
		f.Towns = append(f.Towns, t.ID)
	}
	return f, nil
}
