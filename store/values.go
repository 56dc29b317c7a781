package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// valueModel is how the lifecycle's write path persists reported values.
var valueModel = model[models.IndicatorValue]{
	entity: "indicator value",
	columns: []string{"value", "value_key", "yes_no", "text_value", "qualifier", "raw_text", "as_of", "comment",
		"self_score", "review_score", "status", "return_reason", "flags", "flagged", "submitted_by", "submitted_at",
		"reviewed_by", "reviewed_at", "version", "updated_at"},
	id:      func(v *models.IndicatorValue) string { return v.ID },
	version: func(v *models.IndicatorValue) *int64 { return &v.Version },
	updated: func(v *models.IndicatorValue) *time.Time { return &v.UpdatedAt },
	allows: func(v *models.IndicatorValue, move string) error {
		_, err := models.ValueLifecycle.Check(move, v.ID, v.Status)
		return err
	},
	audit: valueChange,
}

func valueNotFound(id string) error { return &models.NotFoundError{Entity: "indicator value", ID: id} }

func valueChange(before, after *models.IndicatorValue) change {
	v := after
	if v == nil {
		v = before
	}
	c := change{entityType: "indicator_value", entityID: v.ID, unitID: &v.UnitID, release: releaseOf(before, after)}
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

// CreateValue inserts the draft of a value (models.NewIndicatorValue) whose
// content v gives; v becomes the stored value.
func (db *DB) CreateValue(ctx context.Context, v *models.IndicatorValue) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
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
		draft, err := models.NewIndicatorValue(*v, &ind, &sys, at)
		if err != nil {
			return err
		}
		if err := requireUnitAt(tx, v.UnitID, "value_unit_not_found", "/unitId"); err != nil {
			return err
		}
		if draft.ID == "" {
			draft.ID = NewID()
		}
		if err := insert(ctx, db, tx, at, valueModel, []*models.IndicatorValue{draft}); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "value_exists",
					Detail: fmt.Sprintf("the unit already reported indicator %s for %s: change that value", ind.Code, draft.Period)}
			}
			return err
		}
		*v = *draft
		return nil
	})
	if err != nil {
		return fmt.Errorf("create indicator value: %w", err)
	}
	return nil
}

// UpdateValue applies a patch to a draft or returned value at version ifVersion.
func (db *DB) UpdateValue(ctx context.Context, id string, ifVersion int64, p models.ValuePatch) (*models.IndicatorValue, error) {
	v, err := changeOne(ctx, db, valueModel, target{id, models.MoveEdit, &ifVersion}, func(tx *gorm.DB, _ time.Time, v *models.IndicatorValue) error {
		inds, err := indicatorsOf(tx, []models.IndicatorValue{*v})
		if err != nil {
			return err
		}
		return v.Edit(p, inds[v.IndicatorID])
	})
	if err != nil {
		return nil, fmt.Errorf("update indicator value %s: %w", id, err)
	}
	return v, nil
}

// SubmitValue sends one value to review (IndicatorValue.Submit).
func (db *DB) SubmitValue(ctx context.Context, id string, by models.Actor) (*models.IndicatorValue, error) {
	v, err := changeOne(ctx, db, valueModel, target{id: id, move: models.MoveSubmit}, func(tx *gorm.DB, at time.Time, v *models.IndicatorValue) error {
		submit, err := submitter(tx, at, by, []models.IndicatorValue{*v})
		if err != nil {
			return err
		}
		return submit(v)
	})
	if err != nil {
		return nil, fmt.Errorf("submit indicator value %s: %w", id, err)
	}
	return v, nil
}

// ReturnValue sends one value back to its unit with a reason
// (IndicatorValue.Return).
func (db *DB) ReturnValue(ctx context.Context, id string, by models.Actor, reason string) (*models.IndicatorValue, error) {
	v, err := changeOne(ctx, db, valueModel, target{id: id, move: models.MoveReturn}, func(_ *gorm.DB, at time.Time, v *models.IndicatorValue) error {
		return v.Return(by, at, reason)
	})
	if err != nil {
		return nil, fmt.Errorf("return indicator value %s: %w", id, err)
	}
	return v, nil
}

// ApproveValue approves one value, with an optional review score
// (IndicatorValue.Approve).
func (db *DB) ApproveValue(ctx context.Context, id string, by models.Actor, score *exact.Decimal) (*models.IndicatorValue, error) {
	v, err := changeOne(ctx, db, valueModel, target{id: id, move: models.MoveApprove}, func(tx *gorm.DB, at time.Time, v *models.IndicatorValue) error {
		approve, err := approver(tx, at, by, score, []models.IndicatorValue{*v})
		if err != nil {
			return err
		}
		return approve(v)
	})
	if err != nil {
		return nil, fmt.Errorf("approve indicator value %s: %w", id, err)
	}
	return v, nil
}

// MaxBulk bounds how many values one bulk transition changes.
const MaxBulk = 1000

// SubmitValues submits every value the filter selects among those the move
// starts from (draft and returned), all or nothing, with the very method
// SubmitValue uses. permit is the caller's right to change one value, of the
// unit at unitPath (authz decides it). A refusal of any value, permit's or
// the domain's (missing evidence), is a bulk_refused conflict that names each
// refused value with its code and message, and nothing changes.
func (db *DB) SubmitValues(ctx context.Context, f models.ValueFilter, by models.Actor, permit func(v *models.IndicatorValue, unitPath string) error) ([]models.IndicatorValue, error) {
	return db.moveValues(ctx, f, models.MoveSubmit, permit, func(tx *gorm.DB, at time.Time, vs []models.IndicatorValue) (func(*models.IndicatorValue) error, error) {
		return submitter(tx, at, by, vs)
	})
}

// ApproveValues approves every submitted value the filter selects, all or
// nothing, as SubmitValues submits (a reviewer's own submissions are refused,
// as ApproveValue refuses them).
func (db *DB) ApproveValues(ctx context.Context, f models.ValueFilter, by models.Actor, permit func(v *models.IndicatorValue, unitPath string) error) ([]models.IndicatorValue, error) {
	return db.moveValues(ctx, f, models.MoveApprove, permit, func(tx *gorm.DB, at time.Time, vs []models.IndicatorValue) (func(*models.IndicatorValue) error, error) {
		return approver(tx, at, by, nil, vs)
	})
}

// moveValues locks the values f selects in the states move starts from (at
// most MaxBulk), asks permit of each, applies the domain's method that
// prepare returns, and saves them all, or refuses them all.
func (db *DB) moveValues(ctx context.Context, f models.ValueFilter, move string, permit func(v *models.IndicatorValue, unitPath string) error,
	prepare func(tx *gorm.DB, at time.Time, vs []models.IndicatorValue) (func(*models.IndicatorValue) error, error)) ([]models.IndicatorValue, error) {
	var out []models.IndicatorValue
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		q := db.forUpdate(db.valueQuery(tx, f).Where("status IN ?", models.ValueLifecycle.Move(move).From))
		var vs []models.IndicatorValue
		if err := q.Order("id").Limit(MaxBulk + 1).Find(&vs).Error; err != nil {
			return translate(err)
		}
		if len(vs) > MaxBulk {
			return models.Invalid("bulk_too_large", "", "the filter matches more than %d values: narrow it (by period, unit or indicators)", MaxBulk)
		}
		units := make([]string, len(vs))
		for i := range vs {
			units[i] = vs[i].UnitID
		}
		paths, err := unitPaths(tx, units)
		if err != nil {
			return err
		}
		apply, err := prepare(tx, at, vs)
		if err != nil {
			return err
		}
		var refusals []refusal
		befores := slices.Clone(vs)
		afters := make([]*models.IndicatorValue, len(vs))
		for i := range vs {
			v := &vs[i]
			afters[i] = v
			if err := permit(v, paths[v.UnitID]); err != nil {
				refusals = append(refusals, refusal{v.ID, err})
			} else if err := apply(v); err != nil {
				refusals = append(refusals, refusal{v.ID, err})
			}
		}
		if len(refusals) > 0 {
			return refused("values", len(vs), refusals)
		}
		out = vs
		return save(ctx, db, tx, at, valueModel, befores, afters)
	})
	if err != nil {
		return nil, fmt.Errorf("%s indicator values: %w", move, err)
	}
	return out, nil
}

// submitter prepares the submission of vs: it reads, in a few queries
// whatever their number, what each is judged against (models.Submission),
// and returns the domain's Submit for one of them.
func submitter(tx *gorm.DB, at time.Time, by models.Actor, vs []models.IndicatorValue) (func(*models.IndicatorValue) error, error) {
	inds, err := indicatorsOf(tx, vs)
	if err != nil {
		return nil, err
	}
	evidence, err := attachmentCounts(tx, vs)
	if err != nil {
		return nil, err
	}
	history, peers, err := surroundings(tx, vs)
	if err != nil {
		return nil, err
	}
	return func(v *models.IndicatorValue) error {
		return v.Submit(by, at, models.Submission{Indicator: inds[v.IndicatorID], Attachments: evidence[v.ID],
			History: history[v.ID], Peers: peers[v.ID]})
	}, nil
}

// approver prepares the approval of vs with the review score given, and
// returns the domain's Approve for one of them.
func approver(tx *gorm.DB, at time.Time, by models.Actor, score *exact.Decimal, vs []models.IndicatorValue) (func(*models.IndicatorValue) error, error) {
	inds, err := indicatorsOf(tx, vs)
	if err != nil {
		return nil, err
	}
	return func(v *models.IndicatorValue) error { return v.Approve(by, at, score, inds[v.IndicatorID]) }, nil
}

// indicatorsOf reads the indicators of the values, one query per batch.
func indicatorsOf(tx *gorm.DB, vs []models.IndicatorValue) (map[string]*models.Indicator, error) {
	ids := make([]string, len(vs))
	for i := range vs {
		ids[i] = vs[i].IndicatorID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]*models.Indicator, len(ids))
	for part := range slices.Chunk(ids, inChunk) {
		var inds []models.Indicator
		if err := tx.Where("id IN ?", part).Find(&inds).Error; err != nil {
			return nil, fmt.Errorf("indicators of values: %w", translate(err))
		}
		for i := range inds {
			out[inds[i].ID] = &inds[i]
		}
	}
	for _, id := range ids {
		if out[id] == nil {
			return nil, fmt.Errorf("indicator %s of a value: %w", id, models.ErrNotFound)
		}
	}
	return out, nil
}

// attachmentCounts counts the evidence files of each value.
func attachmentCounts(tx *gorm.DB, vs []models.IndicatorValue) (map[string]int, error) {
	out := make(map[string]int, len(vs))
	for part := range slices.Chunk(vs, inChunk) {
		ids := make([]string, len(part))
		for i := range part {
			ids[i] = part[i].ID
		}
		var counts []struct {
			ValueID string `gorm:"column:value_id"`
			N       int    `gorm:"column:n"`
		}
		if err := tx.Model(&models.Attachment{}).Select("value_id, COUNT(*) AS n").Where("value_id IN ?", ids).
			Group("value_id").Scan(&counts).Error; err != nil {
			return nil, fmt.Errorf("attachments of values: %w", translate(err))
		}
		for _, c := range counts {
			out[c.ValueID] = c.N
		}
	}
	return out, nil
}

// surroundings reads, for each value with a figure, the figures it is judged
// against: the unit's own for the indicator in earlier periods (history) and
// the other units' for the same period (peers). Two queries per batch.
func surroundings(tx *gorm.DB, vs []models.IndicatorValue) (history, peers map[string][]exact.Decimal, err error) {
	history, peers = map[string][]exact.Decimal{}, map[string][]exact.Decimal{}
	var figured []models.IndicatorValue
	for _, v := range vs {
		if v.Value != nil {
			figured = append(figured, v)
		}
	}
	type key struct{ indicator, other string }
	for part := range slices.Chunk(figured, batchSize) {
		byUnit, byPeriod := map[key][]models.IndicatorValue{}, map[key][]models.IndicatorValue{}
		var units, periods [][]any
		for _, v := range part {
			k, p := key{v.IndicatorID, v.UnitID}, key{v.IndicatorID, v.Period}
			if _, ok := byUnit[k]; !ok {
				byUnit[k], units = nil, append(units, []any{v.IndicatorID, v.UnitID})
			}
			if _, ok := byPeriod[p]; !ok {
				byPeriod[p], periods = nil, append(periods, []any{v.IndicatorID, v.Period})
			}
		}
		var mine, theirs []models.IndicatorValue
		cols := []string{"indicator_id", "unit_id", "period", "value"}
		if err := tx.Select(cols).Where("(indicator_id, unit_id) IN ? AND value IS NOT NULL", units).Find(&mine).Error; err != nil {
			return nil, nil, fmt.Errorf("earlier figures: %w", translate(err))
		}
		if err := tx.Select(cols).Where("(indicator_id, period) IN ? AND value IS NOT NULL", periods).Find(&theirs).Error; err != nil {
			return nil, nil, fmt.Errorf("peer figures: %w", translate(err))
		}
		for _, o := range mine {
			byUnit[key{o.IndicatorID, o.UnitID}] = append(byUnit[key{o.IndicatorID, o.UnitID}], o)
		}
		for _, o := range theirs {
			byPeriod[key{o.IndicatorID, o.Period}] = append(byPeriod[key{o.IndicatorID, o.Period}], o)
		}
		for _, v := range part {
			// An indicator's periods are all of its one frequency, so that
			// as text they sort in time order.
			for _, o := range byUnit[key{v.IndicatorID, v.UnitID}] {
				if o.Period < v.Period {
					history[v.ID] = append(history[v.ID], *o.Value)
				}
			}
			for _, o := range byPeriod[key{v.IndicatorID, v.Period}] {
				if o.UnitID != v.UnitID {
					peers[v.ID] = append(peers[v.ID], *o.Value)
				}
			}
		}
	}
	return history, peers, nil
}

// valueQuery is the query of the values f selects.
func (db *DB) valueQuery(q *gorm.DB, f models.ValueFilter) *gorm.DB {
	q = q.Model(&models.IndicatorValue{})
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
	if len(f.IndicatorIDs) > 0 {
		q = q.Where("indicator_id IN ?", f.IndicatorIDs)
	}
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.ValueLifecycle.Released)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		q = q.Where("unit_id IN (?)", q.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").
			Where("path >= ? AND path < ?", lo, hi))
	}
	return q
}

// ListValues reads one page of values in the order they were created.
func (db *DB) ListValues(ctx context.Context, f models.ValueFilter, page paging.Page) ([]models.IndicatorValue, *paging.Cursor, error) {
	q := db.valueQuery(db.gorm.WithContext(ctx), f)
	if c := page.After; c != nil {
		q = q.Where("id > ?", c.ID)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	vs, err := findRows[models.IndicatorValue](q.Order("id").Limit(limit+1), limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list indicator values: %w", translate(err))
	}
	if len(vs) <= limit {
		return vs, nil, nil
	}
	vs = vs[:limit]
	return vs, &paging.Cursor{Sort: page.Sort.String(), Key: vs[limit-1].ID, ID: vs[limit-1].ID}, nil
}

// CreateValues inserts values as they are given, state included, each with its
// audit event: for loading data that was reviewed elsewhere (the demo data,
// benchmarks), not for reporting.
func (db *DB) CreateValues(ctx context.Context, values []*models.IndicatorValue) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		for _, v := range values {
			if v.ID == "" {
				v.ID = NewID()
			}
			v.SetDerived()
			if v.Version == 0 {
				v.Version = 1
			}
			if v.CreatedAt.IsZero() {
				v.CreatedAt, v.UpdatedAt = at, at
			}
		}
		return insert(ctx, db, tx, at, valueModel, values)
	})
	if err != nil {
		return fmt.Errorf("create indicator values: %w", err)
	}
	return nil
}

// RollupInputs reads what rolling up an indicator for a unit and period needs,
// in three queries however large the subtree: the indicator, the unit tree
// below the unit (as parent → children), and the released values of every
// unit in it. The unit's own value, in any state, comes back apart.
func (db *DB) RollupInputs(ctx context.Context, indicatorID, unitID, periodText string) (*models.RollupInputs, error) {
	ind, err := db.GetIndicator(ctx, indicatorID)
	if err != nil {
		return nil, err
	}
	unit, err := db.GetUnit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	in := &models.RollupInputs{Indicator: ind, Unit: unit, Children: map[string][]string{}, Values: map[string]exact.Decimal{}}
	g := db.gorm.WithContext(ctx)
	lo, hi := subtreeRange(unit.Path)
	var units []models.Unit
	if err := g.Select("id", "parent_id").Where("path > ? AND path < ?", lo, hi).Find(&units).Error; err != nil {
		return nil, fmt.Errorf("rollup units: %w", translate(err))
	}
	for _, u := range units {
		in.Children[*u.ParentID] = append(in.Children[*u.ParentID], u.ID)
	}
	var vs []models.IndicatorValue
	err = g.Where("indicator_id = ? AND period = ? AND unit_id IN (?)", indicatorID, periodText,
		g.Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)).Find(&vs).Error
	if err != nil {
		return nil, fmt.Errorf("rollup values: %w", translate(err))
	}
	for i := range vs {
		v := &vs[i]
		if v.UnitID == unitID {
			in.Own = v
			continue
		}
		if v.Value != nil && models.ValueLifecycle.IsReleased(v.Status) {
			in.Values[v.UnitID] = *v.Value
		}
	}
	return in, nil
}
