package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/audit"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// change is one write to record in the audit log.
type change struct {
	entityType string
	entityID   string
	unitID     *string
	unitPath   string
	before     any    // the record before, or nil
	after      any    // the record after, or nil
	operation  string // overrides the request's operation, e.g. "login.failed"
	// release says whether the record was released before and after the
	// change (models.Releasable): a change of a record released on either
	// side goes into the province's feed too.
	release release
	// releasedWith is the record this one is released with, for a record
	// with no lifecycle of its own (a part: feedParts): record sets release
	// from it, as it is in the change's transaction.
	releasedWith feedRef
	// alsoFeed are other records whose rendering the change alters (a
	// task's plan counts its unfinished tasks): when the change goes into
	// the feed, so do they.
	alsoFeed []feedRef
}

// feedRef names a record in the feed.
type feedRef struct{ recordType, id string }

// release is whether a record was released before and after a change.
type release struct{ before, after bool }

// either: the change is one the province sees.
func (r release) either() bool { return r.before || r.after }

// releaseOf says whether a record was released before and after a change
// (either nil for a creation or a deletion); records that cannot be
// released never are.
func releaseOf[T any](before, after *T) release {
	return release{before: isReleased(before), after: isReleased(after)}
}

func isReleased[T any](r *T) bool {
	if r == nil {
		return false
	}
	rel, ok := any(r).(models.Releasable)
	return ok && rel.Released()
}

// chainHead is the single row at the end of the audit chain: the last event
// linked. Only the sequencer (sequencer.go) locks it, never a writer.
type chainHead struct {
	ID       int    `gorm:"column:id;primaryKey"`
	LastSeq  int64  `gorm:"column:last_seq"`
	LastHash string `gorm:"column:last_hash"`
}

func (chainHead) TableName() string { return "audit_chain" }

// record writes audit events for changes inside the transaction that makes
// them, at its instant, so a change and its event commit or roll back
// together. The events are unlinked: the sequencer gives them their place
// in the chain once they are committed, so that writers share no row (on a
// multi-primary cluster, a shared row made every write in the cluster
// conflict with every other). However many changes, it issues a bounded
// number of statements: one read of the units' paths per batch of units, one
// insert per batch of events (and of feed events), one read of the release
// of the records parts are released with per batch and level, plus one
// read of a record's parts per level when its release flips (a publication,
// an abolition).
func (db *DB) record(ctx context.Context, tx *gorm.DB, at time.Time, changes ...change) error {
	if len(changes) == 0 {
		return nil
	}
	// A change that names its unit but not the unit's path gets it here, so
	// that reviewers find the event under their subtree.
	var need []string
	for _, c := range changes {
		if c.unitID != nil && c.unitPath == "" {
			need = append(need, *c.unitID)
		}
	}
	paths, err := unitPaths(tx, need)
	if err != nil {
		return err
	}
	if err := db.releaseParts(tx, changes); err != nil {
		return err
	}
	info := models.RequestInfoFrom(ctx)
	// A chunk at a time, so that an import of 100,000 items holds the
	// snapshots of one INSERT, not of all of them.
	for part := range slices.Chunk(changes, batchSize) {
		events := make([]*models.AuditEvent, len(part))
		var feed []*models.FeedEvent
		for i, c := range part {
			if c.unitID != nil && c.unitPath == "" {
				if c.unitPath = paths[*c.unitID]; c.unitPath == "" {
					return fmt.Errorf("audit event of %s %s: unit %s: %w", c.entityType, c.entityID, *c.unitID, models.ErrNotFound)
				}
			}
			before, err := snapshot(c.before)
			if err != nil {
				return err
			}
			after, err := snapshot(c.after)
			if err != nil {
				return err
			}
			op := info.Operation
			if c.operation != "" {
				op = c.operation
			}
			events[i] = &models.AuditEvent{
				ID: NewID(), OccurredAt: at,
				ActorType: string(info.Caller.Kind), ActorID: info.Caller.ID, ActorName: info.Caller.Name,
				Operation: op, EntityType: c.entityType, EntityID: c.entityID,
				UnitID: c.unitID, UnitPath: c.unitPath, Before: before, After: after,
				RequestID: info.RequestID, ClientAddress: info.ClientAddress,
			}
			if !c.release.either() {
				continue
			}
			refs := append([]feedRef{{c.entityType, c.entityID}}, c.alsoFeed...)
			if c.release.before != c.release.after {
				// Its parts leave or arrive with it.
				parts, err := db.partsOf(tx, c.entityType, []string{c.entityID})
				if err != nil {
					return err
				}
				refs = append(refs, parts...)
			}
			for _, r := range refs {
				feed = append(feed, &models.FeedEvent{ID: NewID(), AuditID: events[i].ID, RecordType: r.recordType, RecordID: r.id, OccurredAt: at})
			}
		}
		if err := appendEvents(tx, events); err != nil {
			return fmt.Errorf("append audit events: %w", translate(err))
		}
		if err := appendFeed(tx, feed); err != nil {
			return fmt.Errorf("append feed events: %w", translate(err))
		}
	}
	db.sequencer.wake()
	return nil
}

// appendEvents inserts audit events unlinked (no seq: NULL until the
// sequencer links them). Every change writes its events, so they are written
// by hand rather than through GORM's reflective Create (a fifth of a PATCH's
// allocations).
func appendEvents(tx *gorm.DB, events []*models.AuditEvent) error {
	return insertRows(tx, "audit_events", "id, occurred_at, actor_type, actor_id, actor_name, operation, entity_type,"+
		" entity_id, unit_id, unit_path, before_json, after_json, request_id, client_address, prev_hash, hash", events,
		func(args []any, e *models.AuditEvent) []any {
			return append(args, e.ID, e.OccurredAt, e.ActorType, e.ActorID, e.ActorName, e.Operation, e.EntityType,
				e.EntityID, e.UnitID, e.UnitPath, e.Before, e.After, e.RequestID, e.ClientAddress, e.PrevHash, e.Hash)
		})
}

// appendFeed inserts feed events unnumbered, as appendEvents does.
func appendFeed(tx *gorm.DB, feed []*models.FeedEvent) error {
	return insertRows(tx, "feed_events", "id, audit_id, record_type, record_id, occurred_at", feed,
		func(args []any, f *models.FeedEvent) []any {
			return append(args, f.ID, f.AuditID, f.RecordType, f.RecordID, f.OccurredAt)
		})
}

// insertRows inserts rows into table, batchSize rows a statement; values
// appends a row's values of the columns names lists, in that order.
func insertRows[T any](tx *gorm.DB, table, names string, rows []*T, values func(args []any, row *T) []any) error {
	columns := strings.Count(names, ",") + 1
	row := placeholders(columns)
	for part := range slices.Chunk(rows, batchSize) {
		args := make([]any, 0, len(part)*columns)
		for _, r := range part {
			args = values(args, r)
		}
		var q strings.Builder
		q.Grow(len("INSERT INTO  () VALUES ") + len(table) + len(names) + len(part)*(len(row)+2))
		q.WriteString("INSERT INTO " + table + " (" + names + ") VALUES ")
		for i := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
		}
		if _, err := execIn(tx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// placeholders is "(?, ?, …)" with n placeholders: a row of an INSERT, or
// the list of an IN.
func placeholders(n int) string {
	return "(?" + strings.Repeat(", ?", n-1) + ")"
}

// unitPaths reads the paths of these units, one query per batch of ids.
func unitPaths(tx *gorm.DB, ids []string) (map[string]string, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	paths := make(map[string]string, len(ids))
	for part := range slices.Chunk(ids, inChunk) {
		var units []models.Unit
		if err := tx.Select("id", "path").Where("id IN ?", part).Find(&units).Error; err != nil {
			return nil, fmt.Errorf("unit paths: %w", translate(err))
		}
		for _, u := range units {
			paths[u.ID] = u.Path
		}
	}
	return paths, nil
}

// snapshot renders a record for the log; secrets are kept out by the types
// passed in (see unitSnapshot, userSnapshot, keySnapshot).
func snapshot(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit snapshot: %w", err)
	}
	return string(b), nil
}

// ListAuditEvents reads one page of events in sequence order.
func (db *DB) ListAuditEvents(ctx context.Context, f models.AuditFilter, page paging.Page) ([]models.AuditEvent, *paging.Cursor, error) {
	// What committed before the request is in the chain when it is read
	// (or being linked by another node's sequencer: numberCommitted).
	if err := db.numberCommitted(ctx); err != nil {
		return nil, nil, err
	}
	q := db.gorm.WithContext(ctx).Model(&models.AuditEvent{}).Where("seq IS NOT NULL")
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.UnitID != "" {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Operation != "" {
		q = q.Where("operation = ?", f.Operation)
	}
	if f.From != nil {
		q = q.Where("occurred_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("occurred_at < ?", f.To.UTC())
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		q = q.Where("unit_path >= ? AND unit_path < ?", lo, hi)
	}
	dir, cmp := "ASC", ">"
	if page.Sort.Desc {
		dir, cmp = "DESC", "<"
	}
	if c := page.After; c != nil {
		seq, err := strconv.ParseInt(c.Key, 10, 64)
		if err != nil {
			return nil, nil, paging.ErrInvalidCursor
		}
		q = q.Where("seq "+cmp+" ?", seq)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var events []models.AuditEvent
	if err := q.Order("seq " + dir).Limit(limit + 1).Find(&events).Error; err != nil {
		return nil, nil, fmt.Errorf("list audit events: %w", translate(err))
	}
	if len(events) <= limit {
		return events, nil, nil
	}
	events = events[:limit]
	last := events[limit-1]
	return events, &paging.Cursor{Sort: page.Sort.String(), Key: strconv.FormatInt(last.Seq, 10), ID: last.ID}, nil
}

// VerifyAudit links what is committed (Sequence), then recomputes the whole
// chain and reports the first broken link. The events and the head are read
// in one read-only transaction, from one snapshot: events linked meanwhile
// by other sequencers (this process or another) are neither half seen nor
// mistaken for removed or forged ones; events not linked yet are not in the
// chain.
func (db *DB) VerifyAudit(ctx context.Context) (models.AuditVerification, error) {
	if err := db.Sequence(ctx); err != nil {
		return models.AuditVerification{}, fmt.Errorf("verify audit chain: %w", err)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == MySQL {
		// InnoDB's default, made explicit: one snapshot for every read.
		opts.Isolation = sql.LevelRepeatableRead
	}
	var res models.AuditVerification
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := audit.NewVerifier()
		var after int64
		for {
			var batch []models.AuditEvent
			if err := tx.Where("seq > ?", after).Order("seq").Limit(1000).Find(&batch).Error; err != nil {
				return translate(err)
			}
			for i := range batch {
				if !v.Next(&batch[i]) {
					res = v.End(0, "")
					return nil
				}
			}
			if len(batch) < 1000 {
				break
			}
			after = batch[len(batch)-1].Seq
		}
		var head chainHead
		if err := tx.Where("id = 1").Take(&head).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				res = models.AuditVerification{OK: false, BrokenCause: "the chain's head row is missing"}
				return nil
			}
			return translate(err)
		}
		res = v.End(head.LastSeq, head.LastHash)
		return nil
	}, opts)
	if err != nil {
		return models.AuditVerification{}, fmt.Errorf("verify audit chain: %w", err)
	}
	return res, nil
}

// unitSnapshot is a unit as the audit log keeps it.
func unitSnapshot(u *models.Unit) map[string]any {
	if u == nil {
		return nil
	}
	m := map[string]any{
		"id": u.ID, "code": u.Code, "name": u.Name, "kind": u.Kind, "level": u.Level,
		"path": u.Path, "version": u.Version,
	}
	if u.ShortName != nil {
		m["shortName"] = *u.ShortName
	}
	if u.ParentID != nil {
		m["parentId"] = *u.ParentID
	}
	return m
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}
