package store

// The one write path of records with a lifecycle (values, systems,
// evaluations, and whatever comes next): lock the rows, check the versions
// the client read, apply the domain's method to each in memory, write the
// changed rows back and append their audit events, in one transaction with
// one clock reading. Single operations, bulk operations and imports all pass
// through it, in batches, so that the number of statements grows with the
// number of batches, never with the number of rows.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/fazhi/fazhi/models"
)

// batchSize bounds the rows one statement of the write path locks or writes:
// a value row binds about 30 parameters, and SQLite allows 32,766 per
// statement.
const batchSize = 500

// model says, once per record type, how the write path persists it.
type model[T any] struct {
	// entity names the record in messages: "indicator value".
	entity string
	// columns are the columns a change may write; version and updated_at
	// are among them.
	columns []string
	id      func(*T) string
	version func(*T) *int64
	updated func(*T) *time.Time
	// allows asks the record type's lifecycle whether a record in its
	// state may make the move (a 409 naming the states that would).
	allows func(r *T, move string) error
	// audit is the event of a change from before to after (either nil for
	// a creation or a deletion).
	audit func(before, after *T) change
}

// snapshotChange is the audit event of a change of a record from before to
// after (either nil for a creation or a deletion): whose is the record's id
// and unit, snapshot its audited fields.
func snapshotChange[T any](entityType string, before, after *T, whose func(*T) (id string, unitID *string), snapshot func(*T) map[string]any) change {
	r := after
	if r == nil {
		r = before
	}
	id, unitID := whose(r)
	c := change{entityType: entityType, entityID: id, unitID: unitID, release: releaseOf(before, after)}
	if before != nil {
		c.before = snapshot(before)
	}
	if after != nil {
		c.after = snapshot(after)
	}
	return c
}

// target is the one record a change is for: its id, the move it makes, and
// the version the client read (nil: any). The version is checked first, as
// RFC 9110 evaluates preconditions before the method: a client that edited
// a stale copy learns that first (412), and sees the new state once it reads
// the record again.
type target struct {
	id        string
	move      string
	ifVersion *int64
}

// lockRows reads the rows with these ids for update, one locking SELECT per
// batch of ids, in id order; ids with no row are left out. Models with a
// hand reader (rowscan.go) are scanned by it.
func lockRows[T any](db *DB, tx *gorm.DB, ids []string) ([]T, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows := make([]T, 0, len(ids))
	for part := range slices.Chunk(ids, batchSize) {
		got, err := findRows[T](db.forUpdate(tx.Model(new(T)).Where("id IN ?", part)).Order("id"), len(part))
		if err != nil {
			return nil, translate(err)
		}
		rows = append(rows, got...)
	}
	return rows, nil
}

// lockOne reads the target's row for update, at its version and in a state
// that allows its move: a stale version is a precondition failure, as a
// stale If-Match is; a state that refuses the move, a conflict.
func lockOne[T any](db *DB, tx *gorm.DB, m model[T], t target) (*T, error) {
	rows, err := lockRows[T](db, tx, []string{t.id})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &models.NotFoundError{Entity: m.entity, ID: t.id}
	}
	r := &rows[0]
	if t.ifVersion != nil && *m.version(r) != *t.ifVersion {
		return nil, &models.PreconditionError{Detail: fmt.Sprintf("%s %s is at version %d, not %d", m.entity, t.id, *m.version(r), *t.ifVersion)}
	}
	if t.move != "" {
		if err := m.allows(r, t.move); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// save writes changed records back and appends their audit events: each
// record's version goes up by one and its updated time becomes at. The rows
// are written with one multi-row statement per batch (an insert that updates
// the existing row: the rows are locked, so each exists and is the one
// meant), the events with one batched append.
func save[T any](ctx context.Context, db *DB, tx *gorm.DB, at time.Time, m model[T], befores []T, afters []*T) error {
	if len(afters) == 0 {
		return nil
	}
	changes := make([]change, len(afters))
	for i, r := range afters {
		*m.version(r) = *m.version(&befores[i]) + 1
		*m.updated(r) = at
		changes[i] = m.audit(&befores[i], r)
	}
	upsert := clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns(m.columns)}
	for part := range slices.Chunk(afters, batchSize) {
		if err := tx.Clauses(upsert).Create(part).Error; err != nil {
			return translate(err)
		}
	}
	return db.record(ctx, tx, at, changes...)
}

// insert writes new records and appends their audit events, in batches. A
// record whose key is taken is gorm.ErrDuplicatedKey, for the caller to say
// which key.
func insert[T any](ctx context.Context, db *DB, tx *gorm.DB, at time.Time, m model[T], records []*T) error {
	if len(records) == 0 {
		return nil
	}
	changes := make([]change, len(records))
	for i, r := range records {
		changes[i] = m.audit(nil, r)
	}
	for part := range slices.Chunk(records, batchSize) {
		if err := tx.Create(part).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return err
			}
			return translate(err)
		}
	}
	return db.record(ctx, tx, at, changes...)
}

// changeOne is the write path for one record: lock it (lockOne), apply the
// domain's change, save it.
func changeOne[T any](ctx context.Context, db *DB, m model[T], t target,
	apply func(tx *gorm.DB, at time.Time, r *T) error) (*T, error) {
	var out *T
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		r, err := lockOne(db, tx, m, t)
		if err != nil {
			return err
		}
		before := *r
		if err := apply(tx, at, r); err != nil {
			return err
		}
		out = r
		return save(ctx, db, tx, at, m, []T{before}, []*T{r})
	})
	return out, err
}

// refusal is one record a change of many could not make.
type refusal struct {
	id  string
	err error
}

// refused reports the records a bulk change refused, each with the code and
// message its single operation would have answered; nothing was changed.
func refused(plural string, total int, refusals []refusal) error {
	fields := make([]models.FieldError, len(refusals))
	for i, r := range refusals {
		code := models.Code(r.err)
		if code == "" {
			code = "refused"
		}
		fields[i] = models.FieldError{Pointer: "/" + plural + "/" + r.id, Code: code, Message: r.err.Error()}
	}
	return &models.ConflictError{Code: "bulk_refused",
		Detail: fmt.Sprintf("%d of the %d %s may not be changed; nothing was changed", len(refusals), total, plural),
		Fields: fields}
}
