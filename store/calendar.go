package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// CalendarYears reads the holiday schedules administrators entered, by year.
func (db *DB) CalendarYears(ctx context.Context) ([]models.CalendarYear, error) {
	var out []models.CalendarYear
	if err := db.gorm.WithContext(ctx).Order("year").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("calendar years: %w", translate(err))
	}
	return out, nil
}

func calendarSnapshot(y *models.CalendarYear) map[string]any {
	return map[string]any{"year": y.Year, "days": y.Days, "version": y.Version}
}

// PutCalendarYear enters a year's schedule, or replaces the one entered: a
// first one without ifVersion (with one, the schedule it names is not
// found), a replacement with the version the client read (a
// PreconditionError that requires it otherwise). created tells which it
// was.
func (db *DB) PutCalendarYear(ctx context.Context, y *models.CalendarYear, ifVersion *int64) (created bool, err error) {
	err = db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var old models.CalendarYear
		err := db.forUpdate(tx.Where("year = ?", y.Year)).Take(&old).Error
		change := change{entityType: "calendar_year", entityID: fmt.Sprint(y.Year)}
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if ifVersion != nil { // the entered schedule If-Match names is not there
				return &models.NotFoundError{Entity: "entered holiday schedule of the year (enter it without If-Match)", ID: fmt.Sprint(y.Year)}
			}
			y.Version, y.CreatedAt, y.UpdatedAt = 1, at, at
			if err := tx.Create(y).Error; err != nil {
				return translate(err)
			}
			created, change.after = true, calendarSnapshot(y)
			return db.record(ctx, tx, at, change)
		case err != nil:
			return translate(err)
		}
		if ifVersion == nil {
			return &models.PreconditionError{Required: true,
				Detail: fmt.Sprintf("the schedule of %d was entered already: send If-Match with its ETag to replace it", y.Year)}
		}
		if *ifVersion != old.Version {
			return &models.PreconditionError{Detail: fmt.Sprintf("the schedule of %d is at version %d, not %d", y.Year, old.Version, *ifVersion)}
		}
		y.Version, y.CreatedAt, y.UpdatedAt = old.Version+1, old.CreatedAt, at
		if err := tx.Save(y).Error; err != nil {
			return translate(err)
		}
		change.before, change.after = calendarSnapshot(&old), calendarSnapshot(y)
		return db.record(ctx, tx, at, change)
	})
	if err != nil {
		return false, fmt.Errorf("enter the calendar of %d: %w", y.Year, err)
	}
	return created, nil
}
