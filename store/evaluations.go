package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

func evaluationNotFound(id string) error { return &models.NotFoundError{Entity: "evaluation", ID: id} }

// evaluationChange is the audit record of an evaluation, under the unit that
// issued its system.
func evaluationChange(issuer string, before, after *models.Evaluation) change {
	e := after
	if e == nil {
		e = before
	}
	c := change{entityType: "evaluation", entityID: e.ID, unitID: &issuer, release: releaseOf(before, after)}
	if before != nil {
		c.before = evaluationSnapshot(before)
	}
	if after != nil {
		c.after = evaluationSnapshot(after)
	}
	return c
}

func evaluationSnapshot(e *models.Evaluation) map[string]any {
	m := map[string]any{"id": e.ID, "systemId": e.SystemID, "year": e.Year, "name": e.Name, "status": e.Status,
		"unitIds": e.UnitIDs, "version": e.Version}
	for k, v := range map[string]*string{"supersedesId": e.SupersedesID, "supersededById": e.SupersededByID, "publishedBy": e.PublishedBy} {
		if v != nil {
			m[k] = *v
		}
	}
	if e.PublishedAt != nil {
		m["publishedAt"] = timeOrNil(e.PublishedAt)
	}
	return m
}

// evaluationModel is how the lifecycle's write path persists evaluations.
var evaluationModel = model[models.Evaluation]{
	entity:  "evaluation",
	columns: []string{"status", "superseded_by_id", "published_at", "published_by", "version", "updated_at"},
	id:      func(e *models.Evaluation) string { return e.ID },
	version: func(e *models.Evaluation) *int64 { return &e.Version },
	updated: func(e *models.Evaluation) *time.Time { return &e.UpdatedAt },
	allows: func(e *models.Evaluation, move string) error {
		_, err := models.EvaluationLifecycle.Check(move, e.ID, e.Status)
		return err
	},
}

// evaluationAudit is evaluationModel with the audit events of evaluations of
// a system issued by issuer: they are kept under that unit.
func evaluationAudit(issuer string) model[models.Evaluation] {
	m := evaluationModel
	m.audit = func(before, after *models.Evaluation) change { return evaluationChange(issuer, before, after) }
	return m
}

// CreateEvaluation inserts a draft evaluation (models.NewEvaluation) of a
// published system whose content e gives; e becomes the stored evaluation.
// With no units given it evaluates every unit the system's indicators name
// as reporting units.
func (db *DB) CreateEvaluation(ctx context.Context, e *models.Evaluation) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var sys models.IndicatorSystem
		err := tx.Where("id = ?", e.SystemID).Take(&sys).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Invalid("evaluation_system_not_found", "/systemId", "indicator system %s does not exist", e.SystemID)
		}
		if err != nil {
			return translate(err)
		}
		content := *e
		if len(content.UnitIDs) == 0 {
			if err := tx.Table("indicator_reporting_units").
				Joins("JOIN indicators ON indicators.id = indicator_reporting_units.indicator_id").
				Where("indicators.system_id = ?", sys.ID).Distinct().Order("indicator_reporting_units.unit_id").
				Pluck("indicator_reporting_units.unit_id", &content.UnitIDs).Error; err != nil {
				return translate(err)
			}
		} else if err := requireUnits(tx, content.UnitIDs, "/unitIds"); err != nil {
			return err
		}
		if content.Name == "" {
			content.Name = models.EvaluationName(sys.Name, fmt.Sprintf(" %d年度考核", content.Year))
		}
		draft, err := models.NewEvaluation(content, &sys, at)
		if err != nil {
			return err
		}
		if draft.ID == "" {
			draft.ID = NewID()
		}
		if err := insert(ctx, db, tx, at, evaluationAudit(sys.IssuingUnitID), []*models.Evaluation{draft}); err != nil {
			return err
		}
		*e = *draft
		return nil
	})
	if err != nil {
		return fmt.Errorf("create evaluation: %w", err)
	}
	return nil
}

// requireUnits refuses unit ids given twice or naming no unit, as a 422 at
// pointer/i.
func requireUnits(tx *gorm.DB, ids []string, pointer string) error {
	var found []string
	err := chunked(ids, func(part []string) error {
		var got []string
		if err := tx.Model(&models.Unit{}).Where("id IN ?", part).Pluck("id", &got).Error; err != nil {
			return translate(err)
		}
		found = append(found, got...)
		return nil
	})
	if err != nil {
		return err
	}
	var fields []models.FieldError
	for i, id := range ids {
		at := pointer + "/" + strconv.Itoa(i)
		switch {
		case slices.Contains(ids[:i], id):
			fields = append(fields, models.FieldError{Pointer: at, Message: fmt.Sprintf("unit %s is given twice", id)})
		case !slices.Contains(found, id):
			fields = append(fields, models.FieldError{Pointer: at, Message: fmt.Sprintf("unit %s does not exist", id)})
		}
	}
	if len(fields) > 0 {
		return &models.ValidationError{Code: "evaluation_unit_not_found", Detail: "the units are not valid", Fields: fields}
	}
	return nil
}

// GetEvaluation reads one evaluation.
func (db *DB) GetEvaluation(ctx context.Context, id string) (*models.Evaluation, error) {
	return find[models.Evaluation](ctx, db, "evaluation "+id, evaluationNotFound(id), "id = ?", id)
}

// ListEvaluations reads one page of evaluations, oldest first.
func (db *DB) ListEvaluations(ctx context.Context, f models.EvaluationFilter, page paging.Page) ([]models.Evaluation, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Model(&models.Evaluation{})
	if f.SystemID != "" {
		q = q.Where("system_id = ?", f.SystemID)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.EvaluationLifecycle.Released)
	}
	es, next, err := keysetPage(q, "id", true, page, timeOrText("id"),
		func(e *models.Evaluation) string { return e.ID }, func(e *models.Evaluation) string { return e.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list evaluations: %w", err)
	}
	return es, next, nil
}

// DeleteEvaluation removes a draft evaluation at version ifVersion.
func (db *DB) DeleteEvaluation(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		e, err := lockOne(db, tx, evaluationModel, target{id, models.MoveDelete, &ifVersion})
		if err != nil {
			return err
		}
		sys, err := evaluatedSystem(tx, e)
		if err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Delete(&models.Evaluation{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, evaluationChange(sys.IssuingUnitID, e, nil))
	})
	if err != nil {
		return fmt.Errorf("delete evaluation %s: %w", id, err)
	}
	return nil
}

// evaluatedSystem reads the system an evaluation evaluates.
func evaluatedSystem(tx *gorm.DB, e *models.Evaluation) (*models.IndicatorSystem, error) {
	var sys models.IndicatorSystem
	if err := tx.Where("id = ?", e.SystemID).Take(&sys).Error; err != nil {
		return nil, fmt.Errorf("system of evaluation %s: %w", e.ID, translate(err))
	}
	return &sys, nil
}

// yearEndPeriods are the periods whose values an evaluation of year scores:
// the year's last period of each frequency (the figure as of year end).
func yearEndPeriods(year int) []string {
	y := strconv.Itoa(year)
	return []string{y, y + "-H2", y + "-Q4", y + "-12"}
}

// EvaluationInputs reads what scoring an evaluation needs, in four queries
// however many units and indicators: the system and its tree, the released
// year-end values of the evaluated units, and the year's targets.
func (db *DB) EvaluationInputs(ctx context.Context, e *models.Evaluation) (*models.EvaluationInputs, error) {
	sys, inds, err := db.IndicatorTree(ctx, e.SystemID)
	if err != nil {
		return nil, err
	}
	// The values are read by system and year and filtered here by unit: an
	// evaluation usually covers every unit that reports, and a list of a few
	// hundred ids would only slow the index range scan down.
	units := make(map[string]bool, len(e.UnitIDs))
	for _, id := range e.UnitIDs {
		units[id] = true
	}
	// At most one year-end value per unit and indicator: room for all of
	// them at once, since growing a slice of 30,000 values copies it again
	// and again.
	values, err := db.evaluationValues(ctx, e, units, len(e.UnitIDs)*len(inds))
	if err != nil {
		return nil, fmt.Errorf("evaluation values: %w", err)
	}
	var targets []models.Target
	if err := db.gorm.WithContext(ctx).Table("targets").
		Joins("JOIN indicators ON indicators.id = targets.indicator_id").
		Where("indicators.system_id = ? AND targets.year = ?", e.SystemID, e.Year).
		Select("targets.*").Find(&targets).Error; err != nil {
		return nil, fmt.Errorf("evaluation targets: %w", translate(err))
	}
	return &models.EvaluationInputs{System: sys, Indicators: inds, Values: values, Targets: targets}, nil
}

// evaluationValues reads the released year-end values of the
// evaluated units, with only the columns scoring reads. This is the hot path
// of every draft ranking (30,000 values for 100 units × 300 indicators), so
// it scans raw columns itself rather than through GORM or database/sql's
// conversions: the ids of indicators and units, the period and qualifier
// repeat from row to row and are shared rather than copied, and the
// numbers of all rows share one allocation. Its garbage was most of a
// ranking's (docs/benchmarks.md). The status is not read: the query asks
// for released values only, and scoring does not look at it (each column
// costs the SQLite driver a call per row).
func (db *DB) evaluationValues(ctx context.Context, e *models.Evaluation, units map[string]bool, capacity int) ([]models.IndicatorValue, error) {
	rows, err := db.gorm.WithContext(ctx).Model(&models.IndicatorValue{}).
		Select("id", "indicator_id", "unit_id", "period", "value", "yes_no", "qualifier", "review_score", "version").
		Where("system_id = ? AND year = ? AND period IN ? AND status IN ?", e.SystemID, e.Year, yearEndPeriods(e.Year),
			models.ValueLifecycle.Released).
		Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	values := make([]models.IndicatorValue, 0, capacity)
	numbers := make([]exact.Decimal, 0, capacity)
	var shared interner
	var id, indicatorID, unitID, period, value, qualifier, reviewScore sql.RawBytes
	var yesNo sql.NullBool
	var version int64
	for rows.Next() {
		if err := rows.Scan(&id, &indicatorID, &unitID, &period, &value, &yesNo, &qualifier, &reviewScore, &version); err != nil {
			return nil, translate(err)
		}
		if !units[string(unitID)] { // no allocation: the map lookup converts in place
			continue
		}
		v := models.IndicatorValue{ID: string(id), IndicatorID: shared.of(indicatorID), SystemID: e.SystemID,
			UnitID: shared.of(unitID), Period: shared.of(period), Year: e.Year, Qualifier: models.Qualifier(shared.of(qualifier)),
			Version: version}
		if value != nil {
			if len(numbers) == cap(numbers) { // never reallocated: the values point into it
				numbers = make([]exact.Decimal, 0, max(capacity, 64))
			}
			numbers = append(numbers, exact.Decimal{})
			v.Value = &numbers[len(numbers)-1]
			if err := v.Value.UnmarshalText(value); err != nil {
				return nil, fmt.Errorf("value %s: %w", v.ID, err)
			}
		}
		if yesNo.Valid {
			yes := yesNo.Bool
			v.YesNo = &yes
		}
		if reviewScore != nil {
			v.ReviewScore = new(exact.Decimal)
			if err := v.ReviewScore.UnmarshalText(reviewScore); err != nil {
				return nil, fmt.Errorf("value %s: review score: %w", v.ID, err)
			}
		}
		values = append(values, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	return values, nil
}

// interner gives one string for equal byte slices, for the columns whose
// values repeat over many rows.
type interner map[string]string

func (in *interner) of(b []byte) string {
	if s, ok := (*in)[string(b)]; ok {
		return s
	}
	if *in == nil {
		*in = make(interner)
	}
	s := string(b)
	(*in)[s] = s
	return s
}

// PublishEvaluation freezes a draft at version ifVersion (Evaluation.Publish):
// it keeps the results, locks the values they used (each still at the version
// it was scored at, or the publication is a conflict: score again), and,
// when the draft corrects an evaluation, marks that one superseded. All in
// one transaction.
func (db *DB) PublishEvaluation(ctx context.Context, id string, ifVersion int64, by models.Actor, results []models.EvaluationResult,
	used map[string]int64) (*models.Evaluation, error) {
	var out *models.Evaluation
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		e, err := lockOne(db, tx, evaluationModel, target{id, models.MovePublish, &ifVersion})
		if err != nil {
			return err
		}
		sys, err := evaluatedSystem(tx, e)
		if err != nil {
			return err
		}
		m := evaluationAudit(sys.IssuingUnitID)
		before := *e
		if err := e.Publish(by, at); err != nil {
			return err
		}
		if e.SupersedesID != nil {
			old, err := lockOne(db, tx, evaluationModel, target{id: *e.SupersedesID})
			if err != nil {
				return err
			}
			oldBefore := *old
			if err := old.SupersededBy(e); err != nil {
				return err
			}
			if err := save(ctx, db, tx, at, m, []models.Evaluation{oldBefore}, []*models.Evaluation{old}); err != nil {
				return err
			}
		}
		if err := db.lockValues(ctx, tx, at, used); err != nil {
			return err
		}
		for i := range results {
			results[i].EvaluationID = e.ID
		}
		if len(results) > 0 {
			if err := tx.CreateInBatches(results, 200).Error; err != nil {
				return translate(err)
			}
		}
		out = e
		return save(ctx, db, tx, at, m, []models.Evaluation{before}, []*models.Evaluation{e})
	})
	if err != nil {
		return nil, fmt.Errorf("publish evaluation %s: %w", id, err)
	}
	return out, nil
}

// lockValues locks the values an evaluation used (IndicatorValue.Lock), each
// at the version it was scored at; values a previous evaluation locked stay
// as they are. Batched: a few statements per batch of values.
func (db *DB) lockValues(ctx context.Context, tx *gorm.DB, at time.Time, used map[string]int64) error {
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	changed := func(detail string) error {
		return &models.ConflictError{Code: "evaluation_inputs_changed", Detail: detail + ": look at the results again and publish"}
	}
	for part := range slices.Chunk(ids, batchSize) {
		vs, err := lockRows[models.IndicatorValue](db, tx, part)
		if err != nil {
			return err
		}
		if len(vs) != len(part) {
			return changed("a value the evaluation scored was removed meanwhile")
		}
		var befores []models.IndicatorValue
		var afters []*models.IndicatorValue
		for i := range vs {
			v := &vs[i]
			if v.Version != used[v.ID] {
				return changed(fmt.Sprintf("value %s changed after it was scored", v.ID))
			}
			if v.Status == models.ValueLocked {
				continue // by an evaluation published before
			}
			before := *v
			if err := v.Lock(); err != nil {
				return err
			}
			befores, afters = append(befores, before), append(afters, v)
		}
		if err := save(ctx, db, tx, at, valueModel, befores, afters); err != nil {
			return err
		}
	}
	return nil
}

// SupersedeEvaluation starts the correction of a published evaluation
// (Evaluation.Correction): a new draft of the same system, year and units
// that, once published, supersedes it. One correction at a time.
func (db *DB) SupersedeEvaluation(ctx context.Context, id string) (*models.Evaluation, error) {
	var out *models.Evaluation
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		old, err := lockOne(db, tx, evaluationModel, target{id: id})
		if err != nil {
			return err
		}
		sys, err := evaluatedSystem(tx, old)
		if err != nil {
			return err
		}
		e, err := old.Correction(sys, at)
		if err != nil {
			return err
		}
		var pending int64
		if err := tx.Model(&models.Evaluation{}).Where("supersedes_id = ? AND status = ?", id, models.EvaluationDraft).
			Count(&pending).Error; err != nil {
			return translate(err)
		}
		if pending > 0 {
			return &models.ConflictError{Code: "evaluation_correction_exists",
				Detail: fmt.Sprintf("evaluation %s already has a correction in draft: publish or delete it", id)}
		}
		e.ID = NewID()
		if err := insert(ctx, db, tx, at, evaluationAudit(sys.IssuingUnitID), []*models.Evaluation{e}); err != nil {
			return err
		}
		out = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("supersede evaluation %s: %w", id, err)
	}
	return out, nil
}

// ListEvaluationResults reads one page of a published evaluation's ranking,
// in ranking order, without the scorecards.
func (db *DB) ListEvaluationResults(ctx context.Context, evaluationID string, page paging.Page) ([]models.EvaluationResult, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Model(&models.EvaluationResult{}).
		Select("evaluation_id", "unit_id", "position", "total", "unit_rank", "grade", "areas").
		Where("evaluation_id = ?", evaluationID)
	if c := page.After; c != nil {
		pos, err := strconv.Atoi(c.Key)
		if err != nil {
			return nil, nil, paging.ErrInvalidCursor
		}
		q = q.Where("position > ?", pos)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var rs []models.EvaluationResult
	if err := q.Order("position").Limit(limit + 1).Find(&rs).Error; err != nil {
		return nil, nil, fmt.Errorf("list evaluation results: %w", translate(err))
	}
	if len(rs) <= limit {
		return rs, nil, nil
	}
	rs = rs[:limit]
	last := rs[limit-1]
	return rs, &paging.Cursor{Sort: page.Sort.String(), Key: strconv.Itoa(last.Position), ID: last.UnitID}, nil
}

// EvaluationResults reads every result of a published evaluation, scorecards
// included, in ranking order: for comparing two evaluations.
func (db *DB) EvaluationResults(ctx context.Context, evaluationID string) ([]models.EvaluationResult, error) {
	var rs []models.EvaluationResult
	if err := db.gorm.WithContext(ctx).Where("evaluation_id = ?", evaluationID).Order("position").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("evaluation results: %w", translate(err))
	}
	return rs, nil
}

// GetEvaluationResult reads one unit's result, scorecard included.
func (db *DB) GetEvaluationResult(ctx context.Context, evaluationID, unitID string) (*models.EvaluationResult, error) {
	return find[models.EvaluationResult](ctx, db, "evaluation result", &models.NotFoundError{Entity: "result of unit", ID: unitID},
		"evaluation_id = ? AND unit_id = ?", evaluationID, unitID)
}
