package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
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

// findIn runs the query for each piece of list (chunked) and collects what
// the pieces find.
func findIn[T, K any](list []K, query func(part []K) *gorm.DB) ([]T, error) {
	var found []T
	err := chunked(list, func(part []K) error {
		var got []T
		if err := query(part).Find(&got).Error; err != nil {
			return translate(err)
		}
		found = append(found, got...)
		return nil
	})
	return found, err
}

// UnitsByCodes reads the units that have these codes; codes no unit has are
// left out.
func (db *DB) UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error) {
	units, err := findIn[models.Unit](codes, func(part []string) *gorm.DB {
		return db.gorm.WithContext(ctx).Where("code IN ?", part)
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
// reported for a period; releasedOnly limits them to the released ones.
func (db *DB) PeriodValues(ctx context.Context, systemID, period string, unitIDs []string, releasedOnly bool) ([]models.IndicatorValue, error) {
	values, err := findIn[models.IndicatorValue](unitIDs, func(part []string) *gorm.DB {
		q := db.gorm.WithContext(ctx).Where("system_id = ? AND period = ? AND unit_id IN ?", systemID, period, part)
		if releasedOnly {
			q = q.Where("status IN ?", models.ValueLifecycle.Released)
		}
		return q.Order("id")
	})
	if err != nil {
		return nil, fmt.Errorf("values of %s for %s: %w", systemID, period, err)
	}
	return values, nil
}

// ValuesAt reads a system's values of a period at these (unit id,
// indicator id) keys; keys with no value are left out.
func (db *DB) ValuesAt(ctx context.Context, systemID, period string, keys [][2]string) ([]models.IndicatorValue, error) {
	values, err := findIn[models.IndicatorValue](keys, func(part [][2]string) *gorm.DB {
		pairs := make([][]any, len(part))
		for i, k := range part {
			pairs[i] = []any{k[0], k[1]}
		}
		return db.gorm.WithContext(ctx).Where("system_id = ? AND period = ? AND (unit_id, indicator_id) IN ?", systemID, period, pairs)
	})
	if err != nil {
		return nil, fmt.Errorf("values at keys of %s for %s: %w", systemID, period, err)
	}
	return values, nil
}

// ImportValues applies a spreadsheet import to a published system, all or
// nothing, through the lifecycle's write path, batch by batch as the batches
// come (the caller judged and spooled them before; only the writing holds
// the transaction): creates are new drafts (models.NewIndicatorValue); each
// update is IndicatorValue.Edit of the value, which must still be at the
// version read. A value reported or changed by someone else meanwhile is a
// conflict, and nothing changes.
func (db *DB) ImportValues(ctx context.Context, systemID string, batches iter.Seq2[models.ValueImport, error]) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var sys models.IndicatorSystem
		if err := tx.Where("id = ?", systemID).Take(&sys).Error; err != nil {
			return translate(err)
		}
		if err := sys.Reportable(); err != nil {
			return err
		}
		var all []models.Indicator
		if err := tx.Where("system_id = ?", systemID).Find(&all).Error; err != nil {
			return translate(err)
		}
		inds := make(map[string]*models.Indicator, len(all))
		for i := range all {
			inds[all[i].ID] = &all[i]
		}
		for batch, err := range batches {
			if err != nil {
				return err
			}
			if err := db.importCreates(ctx, tx, at, &sys, inds, batch.Create); err != nil {
				return err
			}
			for part := range slices.Chunk(batch.Update, batchSize) {
				if err := db.importUpdates(ctx, tx, at, inds, part); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import values: %w", err)
	}
	return nil
}

// importCreates writes one batch of an import's new values as drafts, with
// their audit events.
func (db *DB) importCreates(ctx context.Context, tx *gorm.DB, at time.Time, sys *models.IndicatorSystem,
	inds map[string]*models.Indicator, creates []*models.IndicatorValue) error {
	drafts := make([]*models.IndicatorValue, len(creates))
	for i, c := range creates {
		ind := inds[c.IndicatorID]
		if ind == nil {
			return fmt.Errorf("import: indicator %s is not in system %s", c.IndicatorID, sys.ID) // the caller's plan: a bug
		}
		v, err := models.NewIndicatorValue(*c, ind, sys, at)
		if err != nil {
			return err
		}
		v.ID = NewID()
		drafts[i] = v
	}
	if err := insert(ctx, db, tx, at, valueModel, drafts); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return &models.ConflictError{Code: "value_exists",
				Detail: "a value in the file was reported by someone else while it was imported: nothing changed, upload it again"}
		}
		return err
	}
	for i, c := range creates {
		*c = *drafts[i] // the caller's values get their ids and states
	}
	return nil
}

// importUpdates applies one batch of an import's updates: one locking read,
// the domain's Edit of each value, one write and one audit append.
func (db *DB) importUpdates(ctx context.Context, tx *gorm.DB, at time.Time, inds map[string]*models.Indicator, updates []models.ValueChange) error {
	ids := make([]string, len(updates))
	for i, u := range updates {
		ids[i] = u.Before.ID
	}
	rows, err := lockRows[models.IndicatorValue](db, tx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*models.IndicatorValue, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	befores := make([]models.IndicatorValue, len(updates))
	afters := make([]*models.IndicatorValue, len(updates))
	for i, u := range updates {
		v := byID[u.Before.ID]
		if v == nil || v.Version != u.Before.Version || v.Editable() != nil {
			return &models.ConflictError{Code: "value_changed",
				Detail: fmt.Sprintf("value %s changed while the file was imported: nothing changed, upload it again", u.Before.ID)}
		}
		befores[i] = *v
		if err := v.Edit(models.PatchTo(u.After), inds[v.IndicatorID]); err != nil {
			return err
		}
		afters[i] = v
	}
	return save(ctx, db, tx, at, valueModel, befores, afters)
}
