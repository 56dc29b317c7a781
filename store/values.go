package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/period"
)

func valueNotFound(id string) error { return &models.NotFoundError{Entity: "indicator value", ID: id} }

func valueChange(before, after *models.IndicatorValue) change {
	v := after
	if v == nil {
		v = before
	}
	c := change{entityType: "indicator_value", entityID: v.ID, unitID: &v.UnitID}
	if before != nil {
		c.before = valueSnapshot(before)
	}
	if after != nil {
		c.after = valueSnapshot(after)
	}
	return c
}

// valueSnapshot is a value as the audit log keeps it, in the contract's names.
func valueSnapshot(v *models.IndicatorValue) map[string]any {
	m := map[string]any{
		"id": v.ID, "indicatorId": v.IndicatorID, "unitId": v.UnitID, "period": v.Period,
		"qualifier": v.Qualifier, "status": v.Status, "flags": v.Flags, "version": v.Version,
	}
	for k, d := range map[string]*exact.Decimal{"value": v.Value, "selfScore": v.SelfScore, "reviewScore": v.ReviewScore} {
		if d != nil {
			m[k] = d.String()
		}
	}
	for k, s := range map[string]*string{"text": v.Text, "rawText": v.RawText, "comment": v.Comment,
		"returnReason": v.ReturnReason, "submittedBy": v.SubmittedBy, "reviewedBy": v.ReviewedBy} {
		if s != nil {
			m[k] = *s
		}
	}
	if v.YesNo != nil {
		m["yesNo"] = *v.YesNo
	}
	if v.AsOf != nil {
		m["asOf"] = v.AsOf.Format("2006-01-02")
	}
	return m
}

// setValueKey keeps the sortable key of the value in step with it.
func setValueKey(v *models.IndicatorValue) {
	v.ValueKey = nil
	if v.Value != nil {
		k := v.Value.SortKey()
		v.ValueKey = &k
	}
	v.Flagged = len(v.Flags) > 0
}

// GetValue reads one value and the path of its unit, for permission checks.
func (db *DB) GetValue(ctx context.Context, id string) (*models.IndicatorValue, string, error) {
	v, err := find[models.IndicatorValue](ctx, db, "indicator value "+id, valueNotFound(id), "id = ?", id)
	if err != nil {
		return nil, "", err
	}
	path, err := db.unitPath(db.gorm.WithContext(ctx), v.UnitID)
	if err != nil {
		return nil, "", err
	}
	return v, path, nil
}

// CreateValue inserts a draft value of an indicator of a published system,
// for a period of the indicator's frequency within the system's years.
func (db *DB) CreateValue(ctx context.Context, v *models.IndicatorValue) error {
	if v.ID == "" {
		v.ID = NewID()
	}
	if v.Qualifier == "" {
		v.Qualifier = "exact"
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var ind models.Indicator
		err := tx.Where("id = ?", v.IndicatorID).Take(&ind).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Invalid("value_indicator_not_found", "/indicatorId", "indicator %s does not exist", v.IndicatorID)
		}
		if err != nil {
			return translate(err)
		}
		var sys models.IndicatorSystem
		if err := tx.Where("id = ?", ind.SystemID).Take(&sys).Error; err != nil {
			return translate(err)
		}
		if err := sys.RequirePublished(); err != nil {
			return err
		}
		p, err := period.Parse(v.Period)
		if err != nil {
			return models.Invalid("value_period_invalid", "/period", "%v", err)
		}
		if string(p.Freq) != string(ind.Frequency) {
			return models.Invalid("value_period_invalid", "/period", "indicator %s is reported by %s, not by %s", ind.Code, ind.Frequency, p.Freq)
		}
		if p.Year < sys.YearFrom || p.Year > sys.YearTo {
			return models.Invalid("value_period_invalid", "/period", "the system covers %d–%d, not %d", sys.YearFrom, sys.YearTo, p.Year)
		}
		if err := requireUnitAt(tx, v.UnitID, "value_unit_not_found", "/unitId"); err != nil {
			return err
		}
		if err := v.CheckAgainst(&ind); err != nil {
			return err
		}
		v.SystemID, v.Year, v.Status, v.Flags = sys.ID, p.Year, models.ValueDraft, []string{}
		setValueKey(v)
		v.Version = 1
		v.CreatedAt = db.Now()
		v.UpdatedAt = v.CreatedAt
		if err := tx.Create(v).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "value_exists",
					Detail: fmt.Sprintf("the unit already reported indicator %s for %s: change that value", ind.Code, v.Period)}
			}
			return translate(err)
		}
		return db.record(tx, ctx, valueChange(nil, v))
	})
	if err != nil {
		return fmt.Errorf("create indicator value: %w", err)
	}
	return nil
}

// UpdateValue applies a patch to a draft or returned value at version ifVersion.
func (db *DB) UpdateValue(ctx context.Context, id string, ifVersion int64, p models.ValuePatch) (*models.IndicatorValue, error) {
	return db.changeValue(ctx, id, &ifVersion, func(tx *gorm.DB, v *models.IndicatorValue) error {
		if err := v.Editable(); err != nil {
			return err
		}
		if p.Qualifier != nil {
			v.Qualifier = *p.Qualifier
		}
		if p.SetValue {
			v.Value = p.Value
		}
		if p.SetSelfScore {
			v.SelfScore = p.SelfScore
		}
		if p.SetYesNo {
			v.YesNo = p.YesNo
		}
		if p.SetAsOf {
			v.AsOf = p.AsOf
		}
		for _, f := range []struct {
			set bool
			dst **string
			src *string
		}{{p.SetText, &v.Text, p.Text}, {p.SetRawText, &v.RawText, p.RawText}, {p.SetComment, &v.Comment, p.Comment}} {
			if f.set {
				*f.dst = f.src
			}
		}
		var ind models.Indicator
		if err := tx.Where("id = ?", v.IndicatorID).Take(&ind).Error; err != nil {
			return translate(err)
		}
		return v.CheckAgainst(&ind)
	})
}

// SubmitValue sends a draft or returned value to review, flagging it when it
// looks implausible next to the unit's earlier values and the other units'.
func (db *DB) SubmitValue(ctx context.Context, id, by string) (*models.IndicatorValue, error) {
	return db.changeValue(ctx, id, nil, func(tx *gorm.DB, v *models.IndicatorValue) error {
		if err := v.Editable(); err != nil {
			return err
		}
		v.Flags = []string{}
		if v.Value != nil {
			var history, peers []models.IndicatorValue
			if err := tx.Select("value").Where("indicator_id = ? AND unit_id = ? AND period < ? AND value IS NOT NULL",
				v.IndicatorID, v.UnitID, v.Period).Find(&history).Error; err != nil {
				return translate(err)
			}
			if err := tx.Select("value").Where("indicator_id = ? AND period = ? AND unit_id <> ? AND value IS NOT NULL",
				v.IndicatorID, v.Period, v.UnitID).Find(&peers).Error; err != nil {
				return translate(err)
			}
			v.Flags = models.Implausible(*v.Value, decimals(history), decimals(peers))
		}
		now := db.Now()
		v.Status, v.SubmittedBy, v.SubmittedAt, v.ReturnReason = models.ValueSubmitted, &by, &now, nil
		return nil
	})
}

func decimals(vs []models.IndicatorValue) []exact.Decimal {
	out := make([]exact.Decimal, 0, len(vs))
	for _, v := range vs {
		if v.Value != nil {
			out = append(out, *v.Value)
		}
	}
	return out
}

// ReturnValue sends a submitted value, or an approved one that no published
// evaluation has locked (a correction before publication), back to its unit
// with a reason; the review score goes with the approval. The reviewer by
// may not return what it submitted itself.
func (db *DB) ReturnValue(ctx context.Context, id, by, reason string) (*models.IndicatorValue, error) {
	return db.changeValue(ctx, id, nil, func(tx *gorm.DB, v *models.IndicatorValue) error {
		switch v.Status {
		case models.ValueLocked:
			return &models.ConflictError{Code: "value_locked",
				Detail: fmt.Sprintf("value %s is locked by a published evaluation: correct it through a superseding evaluation", v.ID)}
		case models.ValueApproved:
			v.Status = models.ValueSubmitted // reviewable as if still in review
		}
		if err := reviewable(v, by); err != nil {
			return err
		}
		now := db.Now()
		v.Status, v.ReturnReason, v.ReviewedBy, v.ReviewedAt, v.ReviewScore = models.ValueReturned, &reason, &by, &now, nil
		return nil
	})
}

// ApproveValue approves a submitted value, with an optional review score
// within the indicator's points. The reviewer by may not approve what it
// submitted itself.
func (db *DB) ApproveValue(ctx context.Context, id, by string, score *exact.Decimal) (*models.IndicatorValue, error) {
	return db.changeValue(ctx, id, nil, func(tx *gorm.DB, v *models.IndicatorValue) error {
		if err := reviewable(v, by); err != nil {
			return err
		}
		if score != nil {
			var ind models.Indicator
			if err := tx.Where("id = ?", v.IndicatorID).Take(&ind).Error; err != nil {
				return translate(err)
			}
			if score.Sign() < 0 || score.Cmp(ind.Points) > 0 {
				return models.Invalid("value_score_invalid", "/reviewScore", "a score lies between 0 and the indicator's %s points", ind.Points)
			}
		}
		now := db.Now()
		v.Status, v.ReviewScore, v.ReviewedBy, v.ReviewedAt = models.ValueApproved, score, &by, &now
		return nil
	})
}

// reviewable refuses to review a value that is not submitted, or that the
// reviewer submitted itself.
func reviewable(v *models.IndicatorValue, by string) error {
	if v.Status != models.ValueSubmitted {
		return &models.ConflictError{Code: "value_not_submitted",
			Detail: fmt.Sprintf("value %s is %s: only submitted values are reviewed", v.ID, v.Status)}
	}
	if v.SubmittedBy != nil && *v.SubmittedBy == by {
		return &selfReviewError{}
	}
	return nil
}

type selfReviewError struct{}

func (*selfReviewError) Error() string {
	return "a reviewer never reviews a value it submitted itself"
}
func (*selfReviewError) Is(target error) bool { return target == models.ErrForbidden }

// changeValue locks a value, applies fn, and writes it back with its audit event.
func (db *DB) changeValue(ctx context.Context, id string, ifVersion *int64, fn func(tx *gorm.DB, v *models.IndicatorValue) error) (*models.IndicatorValue, error) {
	var out *models.IndicatorValue
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var v models.IndicatorValue
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&v).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return valueNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		if ifVersion != nil && v.Version != *ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("value %s is at version %d, not %d", id, v.Version, *ifVersion)}
		}
		before := v
		if err := fn(tx, &v); err != nil {
			return err
		}
		setValueKey(&v)
		v.Version++
		v.UpdatedAt = db.Now()
		if err := tx.Model(&models.IndicatorValue{}).Where("id = ? AND version = ?", id, before.Version).Updates(valueColumns(&v)).Error; err != nil {
			return translate(err)
		}
		out = &v
		return db.record(tx, ctx, valueChange(&before, &v))
	})
	if err != nil {
		return nil, fmt.Errorf("change indicator value %s: %w", id, err)
	}
	return out, nil
}

// valueColumns are the columns a change of a value writes, nil ones
// included (Updates with a struct would skip them).
func valueColumns(v *models.IndicatorValue) map[string]any {
	return map[string]any{
		"value": v.Value, "value_key": v.ValueKey, "yes_no": v.YesNo, "text_value": v.Text, "qualifier": v.Qualifier,
		"raw_text": v.RawText, "as_of": v.AsOf, "comment": v.Comment, "self_score": v.SelfScore,
		"review_score": v.ReviewScore, "status": v.Status, "return_reason": v.ReturnReason,
		"flags": jsonText(v.Flags), "flagged": v.Flagged, "submitted_by": v.SubmittedBy, "submitted_at": v.SubmittedAt,
		"reviewed_by": v.ReviewedBy, "reviewed_at": v.ReviewedAt, "version": v.Version, "updated_at": v.UpdatedAt,
	}
}

// ListValues reads one page of values in the order they were created.
func (db *DB) ListValues(ctx context.Context, f models.ValueFilter, page paging.Page) ([]models.IndicatorValue, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Model(&models.IndicatorValue{})
	for _, eq := range []struct{ col, v string }{{"system_id", f.SystemID}, {"indicator_id", f.IndicatorID},
		{"unit_id", f.UnitID}, {"period", f.Period}, {"status", string(f.Status)}} {
		if eq.v != "" {
			q = q.Where(eq.col+" = ?", eq.v)
		}
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.Flagged != nil {
		q = q.Where("flagged = ?", *f.Flagged)
	}
	if f.Published {
		q = q.Where("status IN ?", []models.ValueStatus{models.ValueApproved, models.ValueLocked})
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		q = q.Where("unit_id IN (?)", db.gorm.Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi))
	}
	if c := page.After; c != nil {
		q = q.Where("id > ?", c.ID)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var vs []models.IndicatorValue
	if err := q.Order("id").Limit(limit + 1).Find(&vs).Error; err != nil {
		return nil, nil, fmt.Errorf("list indicator values: %w", translate(err))
	}
	if len(vs) <= limit {
		return vs, nil, nil
	}
	vs = vs[:limit]
	return vs, &paging.Cursor{Sort: page.Sort.String(), Key: vs[limit-1].ID, ID: vs[limit-1].ID}, nil
}

// jsonText renders flags as the JSON text the column holds.
func jsonText(flags []string) string {
	b, _ := json.Marshal(flags) // a slice of strings always marshals
	return string(b)
}

// CreateValues inserts values as they are given, state included, each with its
// audit event: for loading data that was reviewed elsewhere (the demo data,
// benchmarks), not for reporting.
func (db *DB) CreateValues(ctx context.Context, values []*models.IndicatorValue) error {
	now := db.Now()
	changes := make([]change, len(values))
	for i, v := range values {
		if v.ID == "" {
			v.ID = NewID()
		}
		if v.Flags == nil {
			v.Flags = []string{}
		}
		setValueKey(v)
		if v.Version == 0 {
			v.Version = 1
		}
		if v.CreatedAt.IsZero() {
			v.CreatedAt, v.UpdatedAt = now, now
		}
		changes[i] = valueChange(nil, v)
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(values, 500).Error; err != nil {
			return translate(err)
		}
		return db.record(tx, ctx, changes...)
	})
	if err != nil {
		return fmt.Errorf("create indicator values: %w", err)
	}
	return nil
}

// RollupInputs reads what rolling up an indicator for a unit and period needs,
// in three queries however large the subtree: the indicator, the unit tree
// below the unit (as parent → children), and the approved and locked values
// of every unit in it. The unit's own value, in any state, comes back apart.
func (db *DB) RollupInputs(ctx context.Context, indicatorID, unitID, periodText string) (
	ind *models.Indicator, unit *models.Unit, children map[string][]string, values map[string]exact.Decimal, own *models.IndicatorValue, err error) {
	if ind, err = db.GetIndicator(ctx, indicatorID); err != nil {
		return
	}
	if unit, err = db.GetUnit(ctx, unitID); err != nil {
		return
	}
	g := db.gorm.WithContext(ctx)
	lo, hi := subtreeRange(unit.Path)
	var units []models.Unit
	if err = g.Select("id", "parent_id").Where("path > ? AND path < ?", lo, hi).Find(&units).Error; err != nil {
		err = fmt.Errorf("rollup units: %w", translate(err))
		return
	}
	children = map[string][]string{}
	for _, u := range units {
		children[*u.ParentID] = append(children[*u.ParentID], u.ID)
	}
	var vs []models.IndicatorValue
	err = g.Where("indicator_id = ? AND period = ? AND unit_id IN (?)", indicatorID, periodText,
		g.Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)).Find(&vs).Error
	if err != nil {
		err = fmt.Errorf("rollup values: %w", translate(err))
		return
	}
	values = map[string]exact.Decimal{}
	for i := range vs {
		v := &vs[i]
		if v.UnitID == unitID {
			own = v
			continue
		}
		if v.Value != nil && (v.Status == models.ValueApproved || v.Status == models.ValueLocked) {
			values[v.UnitID] = *v.Value
		}
	}
	return
}

// MaxBulk bounds how many values one bulk transition changes.
const MaxBulk = 1000

// BulkTransition moves every value that matches the filter and is in one of
// the from states to the state apply gives it, all or nothing, in one
// transaction. check refuses a value the caller may not move; when it refuses
// any, nothing changes and the error names each refused value.
func (db *DB) BulkTransition(ctx context.Context, f models.ValueFilter, indicatorIDs []string, from []models.ValueStatus,
	check func(v *models.IndicatorValue, unitPath string) error, apply func(v *models.IndicatorValue)) ([]models.IndicatorValue, error) {
	var out []models.IndicatorValue
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := db.forUpdate(tx.Where("system_id = ? AND status IN ?", f.SystemID, from))
		if f.Period != "" {
			q = q.Where("period = ?", f.Period)
		}
		if f.UnitID != "" {
			q = q.Where("unit_id = ?", f.UnitID)
		}
		if len(indicatorIDs) > 0 {
			q = q.Where("indicator_id IN ?", indicatorIDs)
		}
		if f.UnitPath != "" {
			lo, hi := subtreeRange(f.UnitPath)
			q = q.Where("unit_id IN (?)", tx.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").
				Where("path >= ? AND path < ?", lo, hi))
		}
		var vs []models.IndicatorValue
		if err := q.Order("id").Limit(MaxBulk + 1).Find(&vs).Error; err != nil {
			return translate(err)
		}
		if len(vs) > MaxBulk {
			return models.Invalid("bulk_too_large", "", "the filter matches more than %d values: narrow it (by period, unit or indicators)", MaxBulk)
		}
		paths := map[string]string{}
		var refused []models.FieldError
		for i := range vs {
			path, ok := paths[vs[i].UnitID]
			if !ok {
				var err error
				if path, err = db.unitPath(tx, vs[i].UnitID); err != nil {
					return err
				}
				paths[vs[i].UnitID] = path
			}
			if err := check(&vs[i], path); err != nil {
				refused = append(refused, models.FieldError{Pointer: "/values/" + vs[i].ID, Message: err.Error()})
			}
		}
		if len(refused) > 0 {
			return &models.ConflictError{Code: "bulk_refused",
				Detail: fmt.Sprintf("%d of the %d values may not be changed by you; nothing was changed", len(refused), len(vs)),
				Fields: refused}
		}
		now := db.Now()
		changes := make([]change, len(vs))
		for i := range vs {
			before := vs[i]
			apply(&vs[i])
			vs[i].Version++
			vs[i].UpdatedAt = now
			v := &vs[i]
			if err := tx.Model(&models.IndicatorValue{}).Where("id = ? AND version = ?", v.ID, before.Version).Updates(map[string]any{
				"status": v.Status, "return_reason": v.ReturnReason, "submitted_by": v.SubmittedBy, "submitted_at": v.SubmittedAt,
				"reviewed_by": v.ReviewedBy, "reviewed_at": v.ReviewedAt, "version": v.Version, "updated_at": v.UpdatedAt,
			}).Error; err != nil {
				return translate(err)
			}
			changes[i] = valueChange(&before, v)
		}
		out = vs
		return db.record(tx, ctx, changes...)
	})
	if err != nil {
		return nil, fmt.Errorf("bulk change of indicator values: %w", err)
	}
	return out, nil
}
