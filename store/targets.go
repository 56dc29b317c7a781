package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

func targetNotFound(id string) error { return &models.NotFoundError{Entity: "target", ID: id} }

func targetChange(before, after *models.Target) change {
	t := after
	if t == nil {
		t = before
	}
	c := change{entityType: "target", entityID: t.ID, unitID: t.UnitID, releasedWith: feedRef{"indicator", t.IndicatorID}}
	if before != nil {
		c.before = targetSnapshot(before)
	}
	if after != nil {
		c.after = targetSnapshot(after)
	}
	return c
}

// targetSnapshot is a target as the audit log keeps it, in the contract's names.
func targetSnapshot(t *models.Target) map[string]any {
	m := map[string]any{
		"id": t.ID, "indicatorId": t.IndicatorID, "year": t.Year, "comparator": t.Comparator,
		"value": t.Value.String(), "sample": t.Sample, "version": t.Version,
	}
	if t.UnitID != nil {
		m["unitId"] = *t.UnitID
	}
	if t.ValueTo != nil {
		m["valueTo"] = t.ValueTo.String()
	}
	if t.Note != nil {
		m["note"] = *t.Note
	}
	return m
}

// targetReferrers names the targets set on the given indicators, which keep
// them from being deleted.
func targetReferrers(tx *gorm.DB, indicatorIDs []string) ([]models.Referrer, error) {
	if len(indicatorIDs) == 0 {
		return nil, nil
	}
	var ts []models.Target
	if err := tx.Select("id", "year", "indicator_id").Where("indicator_id IN ?", indicatorIDs).
		Order("year").Order("id").Limit(maxReferrers).Find(&ts).Error; err != nil {
		return nil, translate(err)
	}
	refs := make([]models.Referrer, len(ts))
	for i, t := range ts {
		refs[i] = models.Referrer{Type: "target", ID: t.ID, Name: strconv.Itoa(t.Year)}
	}
	return refs, nil
}

// CreateTarget sets a target of an indicator.
func (db *DB) CreateTarget(ctx context.Context, t *models.Target) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.ID == "" {
		t.ID = NewID()
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		if err := tx.Select("id").Where("id = ?", t.IndicatorID).Take(&models.Indicator{}).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return indicatorNotFound(t.IndicatorID)
			}
			return translate(err)
		}
		t.UnitKey = models.DefaultTargetUnit
		if t.UnitID != nil {
			if err := requireUnitAt(tx, *t.UnitID, "target_unit_not_found", "/unitId"); err != nil {
				return err
			}
			t.UnitKey = *t.UnitID
		}
		t.Version = 1
		t.CreatedAt = at
		t.UpdatedAt = t.CreatedAt
		if err := tx.Create(t).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "target_exists",
					Detail: fmt.Sprintf("the indicator already has a %d target for this unit: change that one", t.Year)}
			}
			return translate(err)
		}
		return db.record(ctx, tx, at, targetChange(nil, t))
	})
	if err != nil {
		return fmt.Errorf("create target: %w", err)
	}
	return nil
}

// GetTarget reads one target.
func (db *DB) GetTarget(ctx context.Context, id string) (*models.Target, error) {
	return find[models.Target](ctx, db, "target "+id, targetNotFound(id), "id = ?", id)
}

// ListTargets reads one page of an indicator's targets, by year then unit key
// (the default, '*', sorts before unit ids).
func (db *DB) ListTargets(ctx context.Context, indicatorID string, year int, unitID string, page paging.Page) ([]models.Target, *paging.Cursor, error) {
	if _, err := db.GetIndicator(ctx, indicatorID); err != nil {
		return nil, nil, err
	}
	q := db.gorm.WithContext(ctx).Where("indicator_id = ?", indicatorID)
	if year != 0 {
		q = q.Where("year = ?", year)
	}
	if unitID != "" {
		q = q.Where("unit_id = ?", unitID)
	}
	if c := page.After; c != nil {
		y, key, ok := splitTreeKey(c.Key)
		if !ok {
			return nil, nil, paging.ErrInvalidCursor
		}
		q = q.Where("(year > ? OR (year = ? AND unit_key > ?))", y, y, key)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var ts []models.Target
	if err := q.Order("year").Order("unit_key").Limit(limit + 1).Find(&ts).Error; err != nil {
		return nil, nil, fmt.Errorf("list targets: %w", translate(err))
	}
	if len(ts) <= limit {
		return ts, nil, nil
	}
	ts = ts[:limit]
	last := ts[limit-1]
	return ts, &paging.Cursor{Sort: page.Sort.String(), Key: strconv.Itoa(last.Year) + "|" + last.UnitKey, ID: last.ID}, nil
}

// UpdateTarget applies a patch to the target at version ifVersion.
func (db *DB) UpdateTarget(ctx context.Context, id string, ifVersion int64, p models.TargetPatch) (*models.Target, error) {
	var out *models.Target
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var t models.Target
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return targetNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		if t.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("target %s is at version %d, not %d", id, t.Version, ifVersion)}
		}
		before := t
		if p.Comparator != nil {
			t.Comparator = *p.Comparator
		}
		if p.Value != nil {
			t.Value = *p.Value
		}
		if p.Sample != nil {
			t.Sample = *p.Sample
		}
		if p.SetValueTo {
			t.ValueTo = p.ValueTo
		}
		if p.SetNote {
			t.Note = p.Note
		}
		if err := t.Validate(); err != nil {
			return err
		}
		t.Version++
		t.UpdatedAt = at
		if err := tx.Model(&models.Target{}).Where("id = ? AND version = ?", id, ifVersion).Updates(map[string]any{
			"comparator": t.Comparator, "value": t.Value, "value_to": t.ValueTo, "sample": t.Sample, "note": t.Note,
			"version": t.Version, "updated_at": t.UpdatedAt,
		}).Error; err != nil {
			return translate(err)
		}
		out = &t
		return db.record(ctx, tx, at, targetChange(&before, &t))
	})
	if err != nil {
		return nil, fmt.Errorf("update target %s: %w", id, err)
	}
	return out, nil
}

// DeleteTarget removes the target at version ifVersion.
func (db *DB) DeleteTarget(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var t models.Target
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return targetNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		if t.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("target %s is at version %d, not %d", id, t.Version, ifVersion)}
		}
		if err := tx.Where("id = ?", id).Delete(&models.Target{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, targetChange(&t, nil))
	})
	if err != nil {
		return fmt.Errorf("delete target %s: %w", id, err)
	}
	return nil
}
