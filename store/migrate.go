package store

import (
	"context"
	"fmt"
	"hash/crc32"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/fazhi/fazhi/migrations"
)

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// migrator builds a goose provider for the database's dialect. On MySQL it holds
// a lock row, so that instances starting together migrate once: the others wait
// for the lock, then find nothing pending.
func (db *DB) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, db.dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if db.dialect == MySQL {
		dialect = goose.DialectMySQL
		locker, err := lock.NewMySQLTableLocker(
			lock.WithTableLockTimeout(500*time.Millisecond, 600), // poll twice a second, up to 5 minutes
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, sub, opts...)
}

// Exclusively runs fn while this instance holds the database-wide lock
// named name: instances starting together (seeding the demo data, say) do it
// one after another, the later ones finding it done. On MySQL the lock is a
// leased row of goose's lock table, as for migrations, kept alive while fn
// runs and taken over if its holder dies: unlike GET_LOCK, which holds on one
// node of a multi-primary cluster only, a row is the same on every node. On
// SQLite one process owns the file, and fn just runs.
func (db *DB) Exclusively(ctx context.Context, name string, fn func() error) error {
	if db.dialect != MySQL {
		return fn()
	}
	locker, err := lock.NewMySQLTableLocker(
		lock.WithTableLockID(int64(crc32.ChecksumIEEE([]byte(name)))),
		lock.WithTableLockTimeout(500*time.Millisecond, uint64(lockWait/(500*time.Millisecond))),
	)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	if err := locker.Lock(ctx, db.sql); err != nil {
		return fmt.Errorf("lock %s: %w", name, translate(err))
	}
	defer locker.Unlock(context.WithoutCancel(ctx), db.sql) //nolint:errcheck // the lease runs out if it cannot be released
	return fn()
}

// lockWait is how long Exclusively waits for another instance.
const lockWait = 5 * time.Minute

// MigrateUp applies every pending migration and returns the versions it applied.
func (db *DB) MigrateUp(ctx context.Context) ([]int64, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	applied := make([]int64, len(results))
	for i, r := range results {
		applied[i] = r.Source.Version
	}
	return applied, nil
}

// MigrateDown rolls back the most recent migration and returns its version.
func (db *DB) MigrateDown(ctx context.Context) (int64, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	r, err := p.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	return r.Source.Version, nil
}

// MigrateReset rolls back every migration.
func (db *DB) MigrateReset(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("migrate down to 0: %w", err)
	}
	return nil
}

// MigrationStatus lists every known migration, oldest first.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", translate(err))
	}
	out := make([]MigrationState, len(st))
	for i, s := range st {
		out[i] = MigrationState{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		}
	}
	return out, nil
}

// MigrationsCurrent reports whether every migration has been applied.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := db.migrator()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("check migrations: %w", translate(err))
	}
	return !pending, nil
}
