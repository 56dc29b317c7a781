package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Applications of checklist items (models.ChecklistApplication): cases, kept
// against the item of the released version the unit applied.

func applicationNotFound(id string) error {
	return &models.NotFoundError{Entity: "checklist application", ID: id}
}

func applicationChange(before, after *models.ChecklistApplication) change {
	a := after
	if a == nil {
		a = before
	}
	c := change{entityType: "checklist_application", entityID: a.ID, unitID: &a.UnitID, release: releaseOf(before, after)}
	if before != nil {
		c.before = applicationSnapshot(before)
	}
	if after != nil {
		c.after = applicationSnapshot(after)
	}
	return c
}

func applicationSnapshot(a *models.ChecklistApplication) map[string]any {
	m := map[string]any{"id": a.ID, "listId": a.ListID, "checklistId": a.ChecklistID, "itemId": a.ItemID, "unitId": a.UnitID,
		"caseDate": a.CaseDate, "legalPersons": a.LegalPersons, "naturalPersons": a.NaturalPersons,
		"amountWaived": models.FenToYuan(a.AmountFen).String(), "remark": a.Remark, "version": a.Version}
	if a.CaseNumber != nil {
		m["caseNumber"] = *a.CaseNumber
	}
	return m
}

// GetChecklistApplication reads one application.
func (db *DB) GetChecklistApplication(ctx context.Context, id string) (*models.ChecklistApplication, error) {
	return find[models.ChecklistApplication](ctx, db, "checklist application "+id, applicationNotFound(id), "id = ?", id)
}

// applicationsWhere narrows q to the applications f selects.
func applicationsWhere(q *gorm.DB, f models.ChecklistApplicationFilter) *gorm.DB {
	for col, v := range map[string]string{"list_id": f.ListID, "checklist_id": f.ChecklistID, "item_id": f.ItemID, "unit_id": f.UnitID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.From != "" {
		q = q.Where("case_date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("case_date <= ?", f.To)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		q = q.Where("unit_id IN (?)", q.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi))
	}
	return q
}

// ListChecklistApplications reads one page of the applications f selects,
// by case date (newest first unless the page asks otherwise).
func (db *DB) ListChecklistApplications(ctx context.Context, f models.ChecklistApplicationFilter, page paging.Page) ([]models.ChecklistApplication, *paging.Cursor, error) {
	q := applicationsWhere(db.gorm.WithContext(ctx).Model(&models.ChecklistApplication{}), f)
	rows, next, err := keysetPage(q, "case_date", false, page, timeOrText("case_date"),
		func(a *models.ChecklistApplication) string { return a.CaseDate }, func(a *models.ChecklistApplication) string { return a.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list checklist applications: %w", err)
	}
	return rows, next, nil
}

// applicable reads the item an application names and its version, which
// must be released: a case applies a list in force (or one since revised,
// for a case recorded late).
func applicable(tx *gorm.DB, itemID string) (*models.ChecklistItem, *models.Checklist, error) {
	var it models.ChecklistItem
	err := tx.Where("id = ?", itemID).Take(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, &models.ValidationError{Code: "checklist_application_invalid", Detail: "the application is not valid",
			Fields: []models.FieldError{{Pointer: "/itemId", Message: fmt.Sprintf("there is no checklist item %s", itemID)}}}
	}
	if err != nil {
		return nil, nil, translate(err)
	}
	var c models.Checklist
	if err := tx.Where("id = ?", it.ChecklistID).Take(&c).Error; err != nil {
		return nil, nil, translate(err)
	}
	if !models.ChecklistLifecycle.IsReleased(c.Status) {
		return nil, nil, &models.ConflictError{Code: "checklist_not_released",
			Detail:  fmt.Sprintf("checklist %s is %s: cases apply the items of a published list (or of one since revised)", c.ID, c.Status),
			Allowed: statusNames(models.ChecklistLifecycle.Released)}
	}
	return &it, &c, nil
}

func statusNames[S ~string](states []S) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// CreateChecklistApplication records one case: the item's version must be
// released, the unit must exist, and the case number must be new for the
// unit.
func (db *DB) CreateChecklistApplication(ctx context.Context, a *models.ChecklistApplication) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		it, c, err := applicable(tx, a.ItemID)
		if err != nil {
			return err
		}
		a.ID, a.ListID, a.ChecklistID = NewID(), c.ListID, it.ChecklistID
		a.Version, a.CreatedAt, a.UpdatedAt = 1, at, at
		if err := db.checkApplications(tx, at, []*models.ChecklistApplication{a}, func(int) string { return "" }); err != nil {
			return err
		}
		if err := tx.Create(a).Error; err != nil {
			return translateCase(err, a)
		}
		return db.record(ctx, tx, at, applicationChange(nil, a))
	})
	if err != nil {
		return fmt.Errorf("create checklist application: %w", err)
	}
	return nil
}

// translateCase answers a duplicate case number that a concurrent request
// recorded between the check and the insert as the check does.
func translateCase(err error, a *models.ChecklistApplication) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) && a.CaseNumber != nil {
		return caseTaken(*a.CaseNumber, a.UnitID)
	}
	return translate(err)
}

func caseTaken(number, unitID string) error {
	return &models.ConflictError{Code: "checklist_application_duplicate",
		Detail: fmt.Sprintf("case %s of unit %s is recorded already", number, unitID)}
}

// checkApplications validates applications at the instant at, with their
// units read in one query and their case numbers looked up in a few:
// invalid fields are a 422 whose pointers start with prefix(i), a case
// number the unit already has (or another of the applications has) a 409.
func (db *DB) checkApplications(tx *gorm.DB, at time.Time, apps []*models.ChecklistApplication, prefix func(i int) string) error {
	var fields []models.FieldError
	for i, a := range apps {
		if err := a.Validate(at); err != nil {
			var v *models.ValidationError
			if !errors.As(err, &v) {
				return err
			}
			for _, f := range v.Fields {
				f.Pointer = prefix(i) + f.Pointer
				fields = append(fields, f)
			}
		}
	}
	units := map[string]bool{}
	for _, a := range apps {
		units[a.UnitID] = false
	}
	// The units' rows are locked (in the order of their ids, as every
	// writer of cases locks them), so that the writers of one unit's cases
	// take turns and the case numbers below are looked up after the last
	// one committed: a duplicate is refused by the check, not by the
	// unique index in the middle of an import.
	ids := slices.Sorted(maps.Keys(units))
	for part := range slices.Chunk(ids, batchSize) {
		var found []string
		if err := db.forUpdate(tx.Model(&models.Unit{}).Where("id IN ?", part).Order("id")).Pluck("id", &found).Error; err != nil {
			return translate(err)
		}
		for _, id := range found {
			units[id] = true
		}
	}
	for i, a := range apps {
		if !units[a.UnitID] {
			fields = append(fields, models.FieldError{Pointer: prefix(i) + "/unitId", Message: fmt.Sprintf("there is no unit %s", a.UnitID)})
		}
	}
	// Case numbers: each once per unit, among the applications and in
	// the database (but for the applications' own rows, when they change).
	// They are looked up whatever else is wrong, so that an import reports
	// every problem at once.
	type caseKey struct{ unit, number string }
	seen := map[caseKey]int{}
	byUnit := map[string][]string{}
	var conflicts []models.FieldError
	for i, a := range apps {
		if a.CaseNumber == nil {
			continue
		}
		k := caseKey{a.UnitID, *a.CaseNumber}
		if j, ok := seen[k]; ok {
			conflicts = append(conflicts, models.FieldError{Pointer: prefix(i) + "/caseNumber", Code: "checklist_application_duplicate",
				Message: fmt.Sprintf("case %s of this unit is also at %s", k.number, orFirst(prefix(j), "another application"))})
			continue
		}
		seen[k] = i
		byUnit[a.UnitID] = append(byUnit[a.UnitID], *a.CaseNumber)
	}
	for unit, numbers := range byUnit {
		for part := range slices.Chunk(numbers, batchSize) {
			var rows []struct{ ID, CaseNumber string }
			// A locking read sees the rows committed since the
			// transaction's snapshot.
			if err := db.forUpdate(tx.Model(&models.ChecklistApplication{}).Select("id, case_number").Where("unit_id = ? AND case_number IN ?", unit, part)).
				Scan(&rows).Error; err != nil {
				return translate(err)
			}
			for _, r := range rows {
				i := seen[caseKey{unit, r.CaseNumber}]
				if apps[i].ID == r.ID {
					continue
				}
				conflicts = append(conflicts, models.FieldError{Pointer: prefix(i) + "/caseNumber", Code: "checklist_application_duplicate",
					Message: fmt.Sprintf("case %s of this unit is recorded already (application %s)", r.CaseNumber, r.ID)})
			}
		}
	}
	switch {
	case len(fields) > 0:
		fields = append(fields, conflicts...)
		slices.SortStableFunc(fields, func(a, b models.FieldError) int { return comparePointers(a.Pointer, b.Pointer) })
		return &models.ValidationError{Code: "checklist_application_invalid", Detail: "the application is not valid", Fields: fields}
	case len(conflicts) == 1 && len(apps) == 1:
		return caseTaken(*apps[0].CaseNumber, apps[0].UnitID)
	case len(conflicts) > 0:
		slices.SortFunc(conflicts, func(a, b models.FieldError) int { return comparePointers(a.Pointer, b.Pointer) })
		return &models.ConflictError{Code: "checklist_application_duplicate", Detail: "some cases are recorded already", Fields: conflicts}
	}
	return nil
}

func orFirst(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// comparePointers orders JSON pointers with their array indexes as numbers.
func comparePointers(a, b string) int {
	var ai, bi int
	_, errA := fmt.Sscanf(a, "/%d", &ai)
	_, errB := fmt.Sscanf(b, "/%d", &bi)
	if errA == nil && errB == nil && ai != bi {
		return ai - bi
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddChecklistApplications records the cases of an import into items of one
// version, all or nothing: the version must be released, and the checks
// are those of CreateChecklistApplication, their pointers starting with
// /<index>. With dryRun the checks run and nothing is written.
func (db *DB) AddChecklistApplications(ctx context.Context, checklistID string, apps []*models.ChecklistApplication, dryRun bool) error {
	errDryRun := errors.New("dry run")
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var c models.Checklist
		err := tx.Where("id = ?", checklistID).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return checklistNotFound(checklistID)
		}
		if err != nil {
			return translate(err)
		}
		if !models.ChecklistLifecycle.IsReleased(c.Status) {
			return &models.ConflictError{Code: "checklist_not_released",
				Detail:  fmt.Sprintf("checklist %s is %s: cases apply the items of a published list (or of one since revised)", c.ID, c.Status),
				Allowed: statusNames(models.ChecklistLifecycle.Released)}
		}
		changes := make([]change, len(apps))
		for i, a := range apps {
			if a.ID == "" { // the demo's cases have fixed ids
				a.ID = NewID()
			}
			a.ListID, a.ChecklistID = c.ListID, c.ID
			a.Version, a.CreatedAt, a.UpdatedAt = 1, at, at
			changes[i] = applicationChange(nil, a)
		}
		if err := db.checkApplications(tx, at, apps, func(i int) string { return fmt.Sprintf("/%d", i) }); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		for part := range slices.Chunk(apps, batchSize) {
			if err := tx.Create(part).Error; err != nil {
				return translate(err)
			}
		}
		return db.record(ctx, tx, at, changes...)
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("import checklist applications: %w", err)
	}
	return nil
}

// lockApplication reads an application for a change and checks the version
// the client read.
func (db *DB) lockApplication(tx *gorm.DB, id string, ifVersion int64) (*models.ChecklistApplication, error) {
	var a models.ChecklistApplication
	err := db.forUpdate(tx.Where("id = ?", id)).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, applicationNotFound(id)
	}
	if err != nil {
		return nil, translate(err)
	}
	if a.Version != ifVersion {
		return nil, &models.PreconditionError{Detail: fmt.Sprintf("checklist application %s is at version %d, not %d", id, a.Version, ifVersion)}
	}
	return &a, nil
}

// UpdateChecklistApplication corrects a case.
func (db *DB) UpdateChecklistApplication(ctx context.Context, id string, ifVersion int64, p models.ChecklistApplicationPatch) (*models.ChecklistApplication, error) {
	var out *models.ChecklistApplication
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		a, err := db.lockApplication(tx, id, ifVersion)
		if err != nil {
			return err
		}
		before := *a
		p.Apply(a)
		if err := db.checkApplications(tx, at, []*models.ChecklistApplication{a}, func(int) string { return "" }); err != nil {
			return err
		}
		a.Version, a.UpdatedAt = a.Version+1, at
		if err := tx.Save(a).Error; err != nil {
			return translateCase(err, a)
		}
		out = a
		return db.record(ctx, tx, at, applicationChange(&before, a))
	})
	if err != nil {
		return nil, fmt.Errorf("update checklist application %s: %w", id, err)
	}
	return out, nil
}

// DeleteChecklistApplication deletes a case recorded in error.
func (db *DB) DeleteChecklistApplication(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		a, err := db.lockApplication(tx, id, ifVersion)
		if err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Delete(&models.ChecklistApplication{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, applicationChange(a, nil))
	})
	if err != nil {
		return fmt.Errorf("delete checklist application %s: %w", id, err)
	}
	return nil
}

// ChecklistApplicationStatistics sums the applications f selects, in all
// and by group, in one GROUP BY: periods are summed by month in the
// database and folded into quarters and years here.
func (db *DB) ChecklistApplicationStatistics(ctx context.Context, f models.ChecklistApplicationFilter, by models.ApplicationGrouping) (*models.ApplicationStatistics, error) {
	key := map[models.ApplicationGrouping]string{models.GroupByList: "list_id", models.GroupByItem: "item_id", models.GroupByUnit: "unit_id"}[by]
	if key == "" {
		key = "SUBSTR(case_date, 1, 7)"
	}
	var rows []struct {
		GroupKey                            string
		Cases, Legal, NaturalSum, AmountFen int64
	}
	q := applicationsWhere(db.gorm.WithContext(ctx).Model(&models.ChecklistApplication{}), f).
		Select(key + " AS group_key, COUNT(*) AS cases, SUM(legal_persons) AS legal, SUM(natural_persons) AS natural_sum, SUM(amount_fen) AS amount_fen").
		Group(key)
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("sum checklist applications: %w", translate(err))
	}
	out := &models.ApplicationStatistics{}
	groups := map[string]*models.ApplicationTotals{}
	for _, r := range rows {
		t := models.ApplicationTotals{Cases: r.Cases, LegalPersons: r.Legal, NaturalPersons: r.NaturalSum, AmountFen: r.AmountFen}
		out.Totals.Add(t)
		k := r.GroupKey
		if strings.HasPrefix(key, "SUBSTR") {
			k = by.PeriodOf(k + "-01")
		}
		if groups[k] == nil {
			groups[k] = &models.ApplicationTotals{}
		}
		groups[k].Add(t)
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out.Groups = append(out.Groups, models.ApplicationGroup{Key: k, ApplicationTotals: *groups[k]})
	}
	return out, nil
}

// ApplicationGroupNames names the groups of a sum: the lists by the title of
// their newest version, the items and the units by their names. Periods
// have no names.
func (db *DB) ApplicationGroupNames(ctx context.Context, by models.ApplicationGrouping, keys []string) (map[string]string, error) {
	names := map[string]string{}
	q := db.gorm.WithContext(ctx)
	for part := range slices.Chunk(keys, batchSize) {
		var rows []struct{ GroupKey, Name string }
		var err error
		switch by {
		case models.GroupByList:
			err = q.Model(&models.Checklist{}).Select("list_id AS group_key, title AS name").Where("list_id IN ?", part).Order("version_no").Scan(&rows).Error
		case models.GroupByItem:
			err = q.Model(&models.ChecklistItem{}).Select("id AS group_key, name").Where("id IN ?", part).Scan(&rows).Error
		case models.GroupByUnit:
			err = q.Model(&models.Unit{}).Select("id AS group_key, name").Where("id IN ?", part).Scan(&rows).Error
		default:
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("name the groups of checklist applications: %w", translate(err))
		}
		for _, r := range rows {
			names[r.GroupKey] = r.Name // the newest version's title comes last
		}
	}
	return names, nil
}
