package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// TestAttemptRetriesConflicts: a transaction that conflicts (a deadlock, a
// certification failure of a multi-primary cluster) runs again, each time
// with its own clock reading, up to maxAttempts times; past that the caller
// gets ErrBusy, never the driver's error. Other errors are not retried.
func TestAttemptRetriesConflicts(t *testing.T) {
	db, err := Open(Config{URL: "sqlite://" + filepath.Join(t.TempDir(), "attempt.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadlock := &mysqldriver.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}
	ctx := context.Background()

	runs := 0
	err = db.attempt(ctx, func(*gorm.DB, time.Time) error { runs++; return deadlock })
	if !errors.Is(err, models.ErrBusy) || runs != maxAttempts {
		t.Errorf("always conflicting: %d runs, %v; want %d and ErrBusy", runs, err, maxAttempts)
	}

	runs = 0
	var clocks []time.Time
	err = db.attempt(ctx, func(_ *gorm.DB, at time.Time) error {
		runs++
		clocks = append(clocks, at)
		if runs < 3 {
			return deadlock
		}
		return nil
	})
	if err != nil || runs != 3 || len(clocks) != 3 || clocks[2].Before(clocks[0]) {
		t.Errorf("conflicting twice: %d runs, %v, clocks %v", runs, err, clocks)
	}

	runs = 0
	other := errors.New("not a conflict")
	if err := db.attempt(ctx, func(*gorm.DB, time.Time) error { runs++; return other }); !errors.Is(err, other) || runs != 1 {
		t.Errorf("another error: %d runs, %v", runs, err)
	}
}
