package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// A rowReader scans rows of one model by hand, for the reads the API makes
// most: GORM's scan allocates every field of every row through reflection,
// and was 60 % of the CPU of listing 500 values and a seventh of getting a
// unit by id (docs/benchmarks.md). GORM still builds the query.
type rowReader[T any] struct {
	table   string
	columns string // in the order fields returns them
	fields  func(row *T, scratch *rowScratch) []any
	finish  func(row *T, scratch *rowScratch) error // after a row is scanned, or nil
}

// rowScratch holds the columns a reader converts itself after the scan: a
// JSON column, an integer that may be NULL where the model keeps a plain
// int64 (zero for NULL, as GORM scans it).
type rowScratch struct {
	raw     []byte
	nullInt sql.NullInt64
}

// handReaders are the models read by hand; findRows reads the others
// through GORM. TestHandReadersMatchGORM fails when a model's field is
// missing from its reader.
var handReaders = []handReader{unitReader, valueReader, itemReader, feedReader, auditReader, taskReader,
	taskUnitReader, taskIndicatorReader, taskChecklistReader}

// handReader is a rowReader of any model.
type handReader interface {
	readInto(q *gorm.DB, dest any, capacity int) (bool, error)
}

var unitReader = rowReader[models.Unit]{
	table:   "units",
	columns: "id, code, name, short_name, kind, parent_id, level, path, search_text, version, created_at, updated_at",
	fields: func(u *models.Unit, _ *rowScratch) []any {
		return []any{&u.ID, &u.Code, &u.Name, &u.ShortName, &u.Kind, &u.ParentID, &u.Level, &u.Path, &u.SearchText,
			&u.Version, &u.CreatedAt, &u.UpdatedAt}
	},
}

var valueReader = rowReader[models.IndicatorValue]{
	table: "indicator_values",
	columns: "id, indicator_id, system_id, unit_id, period, year, value, value_key, yes_no, text_value, " +
		"qualifier, raw_text, as_of, comment, self_score, review_score, status, return_reason, flags, flagged, " +
		"submitted_by, submitted_at, reviewed_by, reviewed_at, version, created_at, updated_at",
	fields: func(v *models.IndicatorValue, s *rowScratch) []any {
		return []any{&v.ID, &v.IndicatorID, &v.SystemID, &v.UnitID, &v.Period, &v.Year, &v.Value, &v.ValueKey,
			&v.YesNo, &v.Text, &v.Qualifier, &v.RawText, &v.AsOf, &v.Comment, &v.SelfScore, &v.ReviewScore,
			&v.Status, &v.ReturnReason, &s.raw, &v.Flagged, &v.SubmittedBy, &v.SubmittedAt, &v.ReviewedBy,
			&v.ReviewedAt, &v.Version, &v.CreatedAt, &v.UpdatedAt}
	},
	finish: func(v *models.IndicatorValue, s *rowScratch) (err error) {
		if v.Flags, err = scanFlags(s.raw); err != nil {
			return fmt.Errorf("value %s: flags: %w", v.ID, err)
		}
		return nil
	},
}

var itemReader = rowReader[models.ChecklistItem]{
	table: "checklist_items",
	columns: "id, checklist_id, item_key, sequence, name, implementing_unit_id, legal_basis, remark, category, " +
		"attributes, search_text, version, created_at, updated_at",
	fields: func(it *models.ChecklistItem, s *rowScratch) []any {
		return []any{&it.ID, &it.ChecklistID, &it.ItemKey, &it.Sequence, &it.Name, &it.ImplementingUnitID,
			&it.LegalBasis, &it.Remark, &it.Category, &s.raw, &it.SearchText, &it.Version, &it.CreatedAt, &it.UpdatedAt}
	},
	finish: func(it *models.ChecklistItem, s *rowScratch) error {
		// As GORM's JSON serializer: NULL and empty leave the map nil.
		if len(s.raw) == 0 {
			return nil
		}
		if err := json.Unmarshal(s.raw, &it.Attributes); err != nil {
			return fmt.Errorf("checklist item %s: attributes: %w", it.ID, err)
		}
		return nil
	},
}

var taskReader = rowReader[models.PlanTask]{
	table: "plan_tasks",
	columns: "id, plan_id, number, title, content, deadline, ongoing, supervised, status, cancel_reason, completed_by, " +
		"completed_at, source_task_id, carried_from_task_id, due, tree_key, version, created_at, updated_at",
	fields: func(t *models.PlanTask, _ *rowScratch) []any {
		return []any{&t.ID, &t.PlanID, &t.Number, &t.Title, &t.Content, &t.Deadline, &t.Ongoing, &t.Supervised, &t.Status,
			&t.CancelReason, &t.CompletedBy, &t.CompletedAt, &t.SourceTaskID, &t.CarriedFromID, &t.DueOn, &t.TreeKey,
			&t.Version, &t.CreatedAt, &t.UpdatedAt}
	},
}

// The links of plan tasks: every page of tasks reads them.
var (
	taskUnitReader = rowReader[taskUnitRow]{
		table:   "plan_task_units",
		columns: "task_id, unit_id, role, position",
		fields: func(r *taskUnitRow, _ *rowScratch) []any {
			return []any{&r.TaskID, &r.UnitID, &r.Role, &r.Position}
		},
	}
	taskIndicatorReader = rowReader[taskIndicatorRow]{
		table:   "plan_task_indicators",
		columns: "task_id, indicator_id, position",
		fields: func(r *taskIndicatorRow, _ *rowScratch) []any {
			return []any{&r.TaskID, &r.IndicatorID, &r.Position}
		},
	}
	taskChecklistReader = rowReader[taskChecklistRow]{
		table:   "plan_task_checklists",
		columns: "task_id, checklist_id, position",
		fields: func(r *taskChecklistRow, _ *rowScratch) []any {
			return []any{&r.TaskID, &r.ChecklistID, &r.Position}
		},
	}
)

var feedReader = rowReader[models.FeedEvent]{
	table:   "feed_events",
	columns: "id, audit_id, seq, record_type, record_id, occurred_at",
	fields: func(e *models.FeedEvent, _ *rowScratch) []any {
		return []any{&e.ID, &e.AuditID, &e.Seq, &e.RecordType, &e.RecordID, &e.OccurredAt}
	},
}

// auditReader reads audit events, the sequencer's batches of unlinked ones
// (seq NULL) among them.
var auditReader = rowReader[models.AuditEvent]{
	table: "audit_events",
	columns: "seq, id, occurred_at, actor_type, actor_id, actor_name, operation, entity_type, entity_id, unit_id, " +
		"unit_path, before_json, after_json, request_id, client_address, prev_hash, hash",
	fields: func(e *models.AuditEvent, s *rowScratch) []any {
		return []any{&s.nullInt, &e.ID, &e.OccurredAt, &e.ActorType, &e.ActorID, &e.ActorName, &e.Operation,
			&e.EntityType, &e.EntityID, &e.UnitID, &e.UnitPath, &e.Before, &e.After, &e.RequestID, &e.ClientAddress,
			&e.PrevHash, &e.Hash}
	},
	finish: func(e *models.AuditEvent, s *rowScratch) error {
		e.Seq = s.nullInt.Int64
		return nil
	},
}

// findInto is findRows for dest, a pointer to a slice of any model, as
// the feed reads its records: by hand when the model has a reader.
func findInto(q *gorm.DB, dest any, capacity int) error {
	for _, r := range handReaders {
		if done, err := r.readInto(q, dest, capacity); done {
			return err
		}
	}
	return q.Find(dest).Error
}

// readInto reads q's rows into dest if dest is a *[]T, and says whether
// it was.
func (r rowReader[T]) readInto(q *gorm.DB, dest any, capacity int) (bool, error) {
	d, ok := dest.(*[]T)
	if !ok {
		return false, nil
	}
	rows, err := r.read(q.Table(r.table), capacity)
	*d = rows
	return true, err
}

// findRows runs q, a query of T's table, and reads its rows: by hand when
// T has a reader, through GORM otherwise. capacity is how many rows to
// expect.
func findRows[T any](q *gorm.DB, capacity int) ([]T, error) {
	if r, ok := handReaderOf[T](); ok {
		return r.read(q, capacity)
	}
	var rows []T
	err := q.Find(&rows).Error
	return rows, err
}

// handReaderOf is T's reader, if T is read by hand.
func handReaderOf[T any]() (rowReader[T], bool) {
	for _, r := range handReaders {
		if r, ok := r.(rowReader[T]); ok {
			return r, true
		}
	}
	return rowReader[T]{}, false
}

// first reads the first row of the table matching where (a condition of
// placeholders and plain args, written in the code) with a statement of its
// own, without GORM: a get by id is mostly that statement, and building it
// through GORM's statement builder and callbacks was a tenth of the request.
func (r rowReader[T]) first(ctx context.Context, db *DB, where string, args ...any) ([]T, error) {
	rows, err := db.queryFixed(ctx, "SELECT "+r.columns+" FROM "+r.table+" WHERE "+where+" LIMIT 1", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanAll(rows, r, 1)
}

// lock reads the first row matching where, as first does, in tx's
// transaction and locked until it ends (forUpdate): the row lock that
// starts a change, without GORM's statement builder and reflective scan.
func (r rowReader[T]) lock(db *DB, tx *gorm.DB, where string, args ...any) ([]T, error) {
	query := "SELECT " + r.columns + " FROM " + r.table + " WHERE " + where + " LIMIT 1"
	if db.dialect == MySQL {
		query += " FOR UPDATE"
	}
	rows, err := queryIn(tx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanAll(rows, r, 1)
}

func (r rowReader[T]) read(q *gorm.DB, capacity int) ([]T, error) {
	rows, err := q.Select(r.columns).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanAll(rows, r, capacity)
}

func scanAll[T any](rows *sql.Rows, r rowReader[T], capacity int) ([]T, error) {
	out := make([]T, 0, capacity)
	var scratch rowScratch
	for rows.Next() {
		var row T
		scratch = rowScratch{raw: scratch.raw[:0]}
		if err := rows.Scan(r.fields(&row, &scratch)...); err != nil {
			return nil, err
		}
		if r.finish != nil {
			if err := r.finish(&row, &scratch); err != nil {
				return nil, err
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// scanFlags reads the flags column as GORM's JSON serializer does (NULL and
// empty are no flags), without the decoder for the common case of none.
func scanFlags(b []byte) ([]string, error) {
	switch string(b) {
	case "", "null":
		return nil, nil
	case "[]":
		return []string{}, nil
	}
	var flags []string
	err := json.Unmarshal(b, &flags)
	return flags, err
}
