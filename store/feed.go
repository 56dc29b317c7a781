package store

// The province's change feed. Every change of a record the province may see
// (released before or after it: models.Releasable) writes a feed event in
// the transaction of the change, beside its audit event and with the same
// id (audit.go, record). The event holds no copy of the record: what the
// record is now is read when the event is served, so a draft's content can
// never leak through an old event, and a record that has since left
// visibility is served as a tombstone.
//
// Why no change is ever missed: an auto-increment key is taken when a
// transaction inserts, not when it commits, so a reader polling "after the
// last number I saw" can pass over a number that a slower transaction
// commits later. Feed events get no number when they are written; the audit
// sequencer (sequencer.go) numbers them after they commit, under the lock
// of the chain's head, in the order of its own transactions, in the same
// transaction that numbers their audit events. A number is therefore only
// ever given above every number already visible, and the feed serves
// numbered events only: whatever a reader has seen, nothing can appear
// below it later. On a multi-primary cluster the head row is certified like
// any row, so two nodes cannot hand out the same numbers.
//
// Retention: events older than the configured age are deleted oldest first
// (CompactFeed), and the feed's floor rises past them; a consumer whose
// cursor is below the floor gets models.FeedExpiredError (410) and starts
// again from a snapshot.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// feedParts are the records that are part of another and leave the city
// with it (models.ReleaseScope's Parent): by the parent's record type, the
// parts' record type, table and the column that points at the parent. When
// a parent becomes released or stops being so, each of its parts gets a
// feed event in the same transaction; parts cannot change while their
// parent is released (their lifecycles allow edits in drafts only), so
// that is all the feed needs of them. TestFeedCarriesParts checks each
// part type the server registers.
var feedParts = map[string]struct{ recordType, table, parentKey string }{
	"indicator_system": {"indicator", "indicators", "system_id"},
	"checklist":        {"checklist_item", "checklist_items", "checklist_id"},
}

// partsOf lists the parts of a record, for their feed events.
func partsOf(tx *gorm.DB, recordType, id string) ([]feedRef, error) {
	p, ok := feedParts[recordType]
	if !ok {
		return nil, nil
	}
	var ids []string
	if err := tx.Table(p.table).Where(p.parentKey+" = ?", id).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("parts of %s %s: %w", recordType, id, translate(err))
	}
	refs := make([]feedRef, len(ids))
	for i, pid := range ids {
		refs[i] = feedRef{recordType: p.recordType, id: pid}
	}
	return refs, nil
}

// feedState is the single row holding the feed's head (the last number
// given) and floor (the last number compacted away).
type feedState struct {
	ID    int   `gorm:"column:id;primaryKey"`
	Head  int64 `gorm:"column:head"`
	Floor int64 `gorm:"column:floor"`
}

func (feedState) TableName() string { return "feed_state" }

// numberFeed numbers the feed events of these audit events, just linked in
// tx under the chain's lock: in the order of their audit events, from the
// feed's head on.
func (db *DB) numberFeed(tx *gorm.DB, events []models.AuditEvent) error {
	order := make(map[string]int64, len(events))
	ids := make([]string, len(events))
	for i := range events {
		order[events[i].ID] = events[i].Seq
		ids[i] = events[i].ID
	}
	var feed []models.FeedEvent
	for part := range slices.Chunk(ids, inChunk) {
		var got []models.FeedEvent
		if err := tx.Select("id", "audit_id").Where("audit_id IN ? AND seq IS NULL", part).Find(&got).Error; err != nil {
			return fmt.Errorf("read feed events to number: %w", translate(err))
		}
		feed = append(feed, got...)
	}
	if len(feed) == 0 {
		return nil
	}
	slices.SortFunc(feed, func(a, b models.FeedEvent) int {
		return cmp.Or(cmp.Compare(order[a.AuditID], order[b.AuditID]), strings.Compare(a.ID, b.ID))
	})
	var state feedState
	if err := db.forUpdate(tx.Where("id = 1")).Take(&state).Error; err != nil {
		return fmt.Errorf("lock feed head: %w", translate(err))
	}
	for i := range feed {
		state.Head++
		feed[i].Seq = ptrTo(state.Head)
	}
	for part := range slices.Chunk(feed, inChunk/2) {
		var q strings.Builder
		args := make([]any, 0, 3*len(part))
		q.WriteString("UPDATE feed_events SET seq = CASE id")
		for i := range part {
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, part[i].ID, *part[i].Seq)
		}
		q.WriteString(" END WHERE id IN (?" + strings.Repeat(", ?", len(part)-1) + ")")
		for i := range part {
			args = append(args, part[i].ID)
		}
		if err := tx.Exec(q.String(), args...).Error; err != nil {
			return fmt.Errorf("number feed events: %w", translate(err))
		}
	}
	if err := tx.Model(&feedState{}).Where("id = 1").Update("head", state.Head).Error; err != nil {
		return fmt.Errorf("advance feed head: %w", translate(err))
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

// FeedAfter reads up to limit events after the cursor, oldest first, of the
// given record types (every type when types is empty). Events committed
// before the call are numbered first, so the page holds them. A cursor
// below the floor is a *models.FeedExpiredError.
func (db *DB) FeedAfter(ctx context.Context, cursor int64, types []string, limit int) ([]models.FeedEvent, error) {
	if err := db.numberCommitted(ctx); err != nil {
		return nil, err
	}
	q := db.gorm.WithContext(ctx).Where("seq > ?", cursor)
	if len(types) > 0 {
		q = q.Where("record_type IN ?", types)
	}
	var events []models.FeedEvent
	if err := q.Order("seq").Limit(limit).Find(&events).Error; err != nil {
		return nil, fmt.Errorf("read feed: %w", translate(err))
	}
	// The floor is read after the page: a compaction that committed before
	// the page was read raised it already, and one that commits between
	// the two reads makes the answer a 410 rather than a page with a hole.
	floor, err := db.feedFloor(ctx, db.gorm)
	if err != nil {
		return nil, err
	}
	if cursor < floor {
		return nil, &models.FeedExpiredError{Cursor: cursor, Floor: floor}
	}
	return events, nil
}

func (db *DB) feedState(ctx context.Context, g *gorm.DB) (feedState, error) {
	var f feedState
	if err := g.WithContext(ctx).Where("id = 1").Take(&f).Error; err != nil {
		return f, fmt.Errorf("read feed state: %w", translate(err))
	}
	return f, nil
}

func (db *DB) feedFloor(ctx context.Context, g *gorm.DB) (int64, error) {
	f, err := db.feedState(ctx, g)
	return f.Floor, err
}

// feedHead is the number of the feed's last event.
func (db *DB) feedHead(ctx context.Context, g *gorm.DB) (int64, error) {
	f, err := db.feedState(ctx, g)
	return f.Head, err
}

// FeedHead numbers the events committed so far and returns the number of
// the last: it changes whenever a released record does.
func (db *DB) FeedHead(ctx context.Context) (int64, error) {
	if err := db.numberCommitted(ctx); err != nil {
		return 0, err
	}
	return db.feedHead(ctx, db.gorm)
}

// numberCommitted has the sequencer number what has committed, so that a
// read of the feed (or of the audit log) holds every change committed
// before it. On a
// multi-primary cluster the sequencers of other nodes may keep winning the
// chain's head meanwhile (ErrBusy): they are numbering those very events,
// and the read goes on with what is numbered; correctness never depends on
// this call, only freshness.
func (db *DB) numberCommitted(ctx context.Context) error {
	if err := db.Sequence(ctx); err != nil && !errors.Is(err, models.ErrBusy) {
		return err
	}
	return nil
}

// ReleasedRecords reads records by id, for the feed to render its events: the
// rows of dest's type (a pointer to a slice of a model) with these ids,
// whatever their state. Ids with no row are left out.
func (db *DB) ReleasedRecords(ctx context.Context, dest any, ids []string) error {
	g := db.gorm.WithContext(ctx)
	if err := g.Where("id IN ?", ids).Find(dest).Error; err != nil {
		return fmt.Errorf("read feed records: %w", translate(err))
	}
	return db.complete(ctx, g, dest)
}

// ReleasedParents says which of these parents (rows of scope.Parent) are
// released: the parts of those are.
func (db *DB) ReleasedParents(ctx context.Context, scope models.ReleaseScope, ids []string) (map[string]bool, error) {
	var released []string
	if err := db.gorm.WithContext(ctx).Table(scope.Parent).Where("id IN ? AND "+scope.StatusColumn+" IN ?", ids, scope.Released).
		Pluck("id", &released).Error; err != nil {
		return nil, fmt.Errorf("read released parents: %w", translate(err))
	}
	out := make(map[string]bool, len(released))
	for _, id := range released {
		out[id] = true
	}
	return out, nil
}

// complete fills in what records keep outside their own rows, as the
// store's other reads of them do: a progress report's plan, a problem's
// links, an indicator's reporting units. (TestFeedMatchesGet compares
// every type's records with their GET.)
func (db *DB) complete(ctx context.Context, tx *gorm.DB, dest any) error {
	var err error
	switch rows := dest.(type) {
	case *[]models.ProgressReport:
		err = fillReportPlans(tx, *rows)
	case *[]models.Problem:
		err = loadProblemLinks(tx, *rows)
	case *[]models.Indicator:
		err = db.attachReportingUnits(ctx, *rows)
	}
	if err != nil {
		return fmt.Errorf("read feed records: %w", err)
	}
	return nil
}

// Snapshot is a read of released records as of one instant: every read
// through it sees the database as it was when the snapshot began.
type Snapshot struct {
	db     *DB
	tx     *gorm.DB
	cursor int64
}

// Cursor is the feed's head at the snapshot's instant: every event at or
// below it is of a change the snapshot holds, and every change it holds
// whose event is not yet numbered gets a number above it.
func (s *Snapshot) Cursor() int64 { return s.cursor }

// Snapshot runs read in one read-only transaction (a consistent snapshot on
// MySQL; on SQLite, a read transaction of the write-ahead log, which writers
// do not wait for).
func (db *DB) Snapshot(ctx context.Context, read func(models.ReleasedReader) error) error {
	// Events committed before the snapshot are numbered first, so that its
	// cursor is as recent as it can be.
	if err := db.numberCommitted(ctx); err != nil {
		return err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == MySQL {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The first read fixes the transaction's view (MySQL takes it
		// there, SQLite at the first read too): the cursor is read in it.
		head, err := db.feedHead(ctx, tx)
		if err != nil {
			return err
		}
		return read(&Snapshot{db: db, tx: tx, cursor: head})
	}, opts))
}

// Released reads up to limit released records of one type after the id
// afterID, in id order, into dest (a pointer to a slice of the type's
// model); year, when not zero, keeps the records of that year.
func (s *Snapshot) Released(ctx context.Context, scope models.ReleaseScope, year int, afterID string, limit int, dest any) error {
	tx := s.tx.WithContext(ctx)
	q := tx.Where("id > ?", afterID)
	// The conditions are on the record's own row, or on its parent's.
	on := q
	if scope.Parent != "" {
		on = tx.Session(&gorm.Session{NewDB: true}).Table(scope.Parent).Select("id")
	}
	if scope.StatusColumn != "" {
		on = on.Where(scope.StatusColumn+" IN ?", scope.Released)
	}
	if year != 0 {
		switch {
		case scope.YearColumn != "":
			on = on.Where(scope.YearColumn+" = ?", year)
		case scope.YearFrom != "":
			on = on.Where(scope.YearFrom+" <= ? AND "+scope.YearTo+" >= ?", year, year)
		case scope.PeriodColumn != "":
			on = on.Where(scope.PeriodColumn+" LIKE ?", fmt.Sprint(year, "%"))
		}
	}
	if scope.Parent != "" {
		q = q.Where(scope.ParentKey+" IN (?)", on)
	} else {
		q = on
	}
	if err := q.Order("id").Limit(limit).Find(dest).Error; err != nil {
		return fmt.Errorf("read released records: %w", translate(err))
	}
	return s.db.complete(ctx, tx, dest)
}

// compactBatch is how many events one compaction transaction deletes.
const compactBatch = 1000

// CompactFeed deletes the feed's events that occurred before horizon,
// oldest first (it stops at the first younger one), and raises the floor
// past them. Several instances may compact at once: each batch locks the
// floor. It returns how many events it deleted.
func (db *DB) CompactFeed(ctx context.Context, horizon time.Time) (int64, error) {
	var total int64
	for {
		var deleted int64
		err := db.attempt(ctx, func(tx *gorm.DB, _ time.Time) error {
			deleted = 0
			var state feedState
			if err := db.forUpdate(tx.Where("id = 1")).Take(&state).Error; err != nil {
				return fmt.Errorf("lock feed state: %w", translate(err))
			}
			var events []models.FeedEvent
			if err := tx.Select("seq", "occurred_at").Where("seq > ?", state.Floor).Order("seq").Limit(compactBatch).Find(&events).Error; err != nil {
				return fmt.Errorf("read feed to compact: %w", translate(err))
			}
			cut := state.Floor
			for _, e := range events {
				if !e.OccurredAt.Before(horizon) {
					break
				}
				cut = *e.Seq
			}
			if cut == state.Floor {
				return nil
			}
			res := tx.Where("seq > ? AND seq <= ?", state.Floor, cut).Delete(&models.FeedEvent{})
			if res.Error != nil {
				return fmt.Errorf("compact feed: %w", translate(res.Error))
			}
			deleted = res.RowsAffected
			if err := tx.Model(&feedState{}).Where("id = 1").Update("floor", cut).Error; err != nil {
				return fmt.Errorf("raise feed floor: %w", translate(err))
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += deleted
		if deleted < compactBatch {
			return total, nil
		}
	}
}
