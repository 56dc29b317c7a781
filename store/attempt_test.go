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

// TestSQLiteWritersWaitTheirTurn: on SQLite a write transaction waits for
// the one before it however long that one takes, in order, instead of
// failing once SQLite's busy_timeout (5 s) has passed; a writer whose
// request is abandoned meanwhile stops waiting.
func TestSQLiteWritersWaitTheirTurn(t *testing.T) {
	t.Parallel()
	db, err := Open(Config{URL: "sqlite://" + filepath.Join(t.TempDir(), "turns.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.gorm.Exec("CREATE TABLE turns (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	write := func(n int) func(*gorm.DB, time.Time) error {
		return func(tx *gorm.DB, _ time.Time) error { return tx.Exec("INSERT INTO turns (n) VALUES (?)", n).Error }
	}

	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.attempt(ctx, func(tx *gorm.DB, at time.Time) error {
			if err := write(1)(tx, at); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	abandoned, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- db.attempt(abandoned, write(-1)) }()
	second := make(chan error, 1)
	go func() { second <- db.attempt(ctx, write(2)) }()
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a writer abandoned while waiting: %v, want context.Canceled", err)
	}
	// Past busy_timeout, the second writer still waits.
	time.Sleep(5500 * time.Millisecond)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the writer that waited its turn: %v", err)
	}
	var got []int
	if err := db.gorm.Raw("SELECT n FROM turns ORDER BY rowid").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("rows %v, want [1 2]", got)
	}

	// A write that panics gives its turn back: the next one is not stopped.
	func() {
		defer func() { _ = recover() }()
		_ = db.attempt(ctx, func(*gorm.DB, time.Time) error { panic("a bug") })
	}()
	soon, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := db.attempt(soon, write(3)); err != nil {
		t.Errorf("the write after one that panicked: %v", err)
	}
}
