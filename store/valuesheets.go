package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
)

// inChunk bounds the list bound to one IN (…): SQLite and MySQL both limit a
// statement's placeholders, and a spreadsheet may name many codes.
const inChunk = 1000

// chunked runs fn on consecutive pieces of list of at most inChunk items.
func chunked[T any](list []T, fn func(part []T) error) error {
	for part := range slices.Chunk(list, inChunk) {
		if err := fn(part); err != nil {
			return err
		}
	}
	return nil
}

// UnitsByCodes reads the units that have these codes; codes no unit has are
// left out.
func (db *DB) UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error) {
	var units []models.Unit
	err := chunked(codes, func(part []string) error {
		var got []models.Unit
		if err := db.gorm.WithContext(ctx).Where("code IN ?", part).Find(&got).Error; err != nil {
			return translate(err)
		}
		units = append(units, got...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("units by code: %w", err)
	}
	return units, nil
}

// UnitsByIDs reads the units with these ids, in the order given; ids no unit
// has are left out.
func (db *DB) UnitsByIDs(ctx context.Context, ids []string) ([]models.Unit, error) {
	byID := make(map[string]models.Unit, len(ids))
	err := chunked(ids, func(part []string) error {
		var got []models.Unit
		if err := db.gorm.WithContext(ctx).Where("id IN ?", part).Find(&got).Error; err != nil {
			return translate(err)
		}
		for _, u := range got {
			byID[u.ID] = u
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("units by id: %w", err)
	}
	units := make([]models.Unit, 0, len(byID))
	for _, id := range ids {
		if u, ok := byID[id]; ok {
			units = append(units, u)
			delete(byID, id) // an id given twice comes back once
		}
	}
	return units, nil
}

// PeriodValues reads the values of a system's indicators that the units
// reported for a period; published limits them to approved and locked ones.
func (db *DB) PeriodValues(ctx context.Context, systemID, period string, unitIDs []string, published bool) ([]models.IndicatorValue, error) {
	var values []models.IndicatorValue
	err := chunked(unitIDs, func(part []string) error {
		q := db.gorm.WithContext(ctx).Where("system_id = ? AND period = ? AND unit_id IN ?", systemID, period, part)
		if published {
			q = q.Where("status IN ?", []models.ValueStatus{models.ValueApproved, models.ValueLocked})
		}
		var got []models.IndicatorValue
		if err := q.Order("id").Find(&got).Error; err != nil {
			return translate(err)
		}
		values = append(values, got...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("values of %s for %s: %w", systemID, period, err)
	}
	return values, nil
}

// ImportValues applies a spreadsheet import to a published system, all or
// nothing: creates are new drafts; each update applies only if its value is
// still at the version read and still draft or returned. A value reported or
// changed by someone else meanwhile is a conflict, and nothing changes.
func (db *DB) ImportValues(ctx context.Context, systemID string, creates []*models.IndicatorValue, updates []models.ValueChange) error {
	now := db.Now()
	changes := make([]change, 0, len(creates)+len(updates))
	for _, v := range creates {
		p, err := period.Parse(v.Period)
		if err != nil {
			return fmt.Errorf("import values: %w", err) // the caller parsed it: a bug
		}
		v.ID, v.SystemID, v.Year = NewID(), systemID, p.Year
		v.Status, v.Flags, v.Version = models.ValueDraft, []string{}, 1
		v.CreatedAt, v.UpdatedAt = now, now
		setValueKey(v)
		changes = append(changes, valueChange(nil, v))
	}
	for _, u := range updates {
		setValueKey(u.After)
		u.After.Version = u.Before.Version + 1
		u.After.UpdatedAt = now
		changes = append(changes, valueChange(u.Before, u.After))
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var sys models.IndicatorSystem
		if err := tx.Where("id = ?", systemID).Take(&sys).Error; err != nil {
			return translate(err)
		}
		if err := sys.RequirePublished(); err != nil {
			return err
		}
		if len(creates) > 0 {
			if err := tx.CreateInBatches(creates, 500).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return &models.ConflictError{Code: "value_exists",
						Detail: "a value in the file was reported by someone else while it was imported: nothing changed, upload it again"}
				}
				return translate(err)
			}
		}
		for _, u := range updates {
			res := tx.Model(&models.IndicatorValue{}).
				Where("id = ? AND version = ? AND status IN ?", u.Before.ID, u.Before.Version, []models.ValueStatus{models.ValueDraft, models.ValueReturned}).
				Updates(valueColumns(u.After))
			if res.Error != nil {
				return translate(res.Error)
			}
			if res.RowsAffected != 1 {
				return &models.ConflictError{Code: "value_changed",
					Detail: fmt.Sprintf("value %s changed while the file was imported: nothing changed, upload it again", u.Before.ID)}
			}
		}
		return db.record(tx, ctx, changes...)
	})
	if err != nil {
		return fmt.Errorf("import values: %w", err)
	}
	return nil
}
