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
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/fazhi/fazhi/models"
)

// feedParts are the records with no lifecycle of their own, released with
// another (models.ReleaseScope's Via), by record type: the record type they
// are released with, their table and its column holding that record's id.
// A part's change goes into the feed when its parent is released at the
// change (an indicator's target set, a published plan's task started:
// releaseParts); when a parent becomes released or stops being so, each of
// its parts, and of theirs, gets a feed event in the same transaction
// (partsOf). TestFeedCarriesParts checks each part type the server
// registers.
var feedParts = map[string]feedPart{
	"indicator":      {parent: "indicator_system", table: "indicators", key: "system_id"},
	"target":         {parent: "indicator", table: "targets", key: "indicator_id"},
	"checklist_item": {parent: "checklist", table: "checklist_items", key: "checklist_id"},
	"plan_task":      {parent: "plan", table: "plan_tasks", key: "plan_id"},
}

type feedPart struct{ parent, table, key string }

// feedParents are the records parts are released with, by record type:
// their table and released states.
var feedParents = map[string]struct {
	table    string
	released []string
}{
	"indicator_system": {"indicator_systems", models.StatesOf(&models.SystemLifecycle)},
	"checklist":        {"checklists", models.StatesOf(&models.ChecklistLifecycle)},
	"plan":             {"plans", models.StatesOf(&models.PlanLifecycle)},
}

// partsOf lists the parts of records, and the parts of those, for their
// feed events: one query per level and batch. The reads lock what they
// read (see releasedOf).
func (db *DB) partsOf(tx *gorm.DB, recordType string, ids []string) ([]feedRef, error) {
	if _, ok := feedParents[recordType]; ok {
		if err := db.guard(tx, recordType, ids); err != nil {
			return nil, err
		}
	}
	var refs []feedRef
	for _, partType := range slices.Sorted(maps.Keys(feedParts)) {
		p := feedParts[partType]
		if p.parent != recordType {
			continue
		}
		var parts []string
		for chunk := range slices.Chunk(ids, inChunk) {
			var got []string
			if err := db.forShare(tx.Table(p.table).Where(p.key+" IN ?", chunk)).Order("id").Pluck("id", &got).Error; err != nil {
				return nil, fmt.Errorf("parts of %s: %w", recordType, translate(err))
			}
			parts = append(parts, got...)
		}
		for _, id := range parts {
			refs = append(refs, feedRef{partType, id})
		}
		deeper, err := db.partsOf(tx, partType, parts)
		if err != nil {
			return nil, err
		}
		refs = append(refs, deeper...)
	}
	return refs, nil
}

// releaseParts sets the release of the changes of parts from the records
// they are released with, as those are in tx: a part released before and
// after its change if its parent is released, neither otherwise.
func (db *DB) releaseParts(tx *gorm.DB, changes []change) error {
	want := map[string][]string{}
	for _, c := range changes {
		if w := c.releasedWith; w.id != "" {
			want[w.recordType] = append(want[w.recordType], w.id)
		}
	}
	released := map[feedRef]bool{}
	// In one order, as their guard rows are written.
	for _, recordType := range slices.Sorted(maps.Keys(want)) {
		in, err := db.releasedOf(tx, recordType, want[recordType])
		if err != nil {
			return err
		}
		for id := range in {
			released[feedRef{recordType, id}] = true
		}
	}
	for i := range changes {
		if w := changes[i].releasedWith; w.id != "" {
			r := released[w]
			changes[i].release = release{before: r, after: r}
		}
	}
	return nil
}

// releasedOf are which of these records are released (a part: when the
// record it is released with is), one query per level and batch. A part's
// change and its parent's flip may commit at once: the reads of the
// parents' states here and of the parts in partsOf are locking reads, which
// see the latest committed rows and wait for the other transaction's, so
// that one of the two always sees the other (on MySQL; SQLite serialises
// writers). Both also write the parent's guard row first: a Galera cluster
// certifies the rows transactions write, not those they read, and the
// guard is what makes a part's change on one node and its parent's flip
// on another conflict (the loser runs again and sees the winner).
func (db *DB) releasedOf(tx *gorm.DB, recordType string, ids []string) (map[string]bool, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]bool, len(ids))
	if p, ok := feedParts[recordType]; ok {
		parentOf := make(map[string]string, len(ids))
		for chunk := range slices.Chunk(ids, inChunk) {
			var rows []struct{ ID, Parent string }
			if err := tx.Table(p.table).Select("id", p.key+" AS parent").Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
				return nil, fmt.Errorf("release of %s: %w", recordType, translate(err))
			}
			for _, r := range rows {
				parentOf[r.ID] = r.Parent
			}
		}
		parents, err := db.releasedOf(tx, p.parent, slices.Collect(maps.Values(parentOf)))
		if err != nil {
			return nil, err
		}
		for id, parent := range parentOf {
			if parents[parent] {
				out[id] = true
			}
		}
		return out, nil
	}
	p, ok := feedParents[recordType]
	if !ok {
		return nil, fmt.Errorf("release of %s: parts are released with no record of that type", recordType)
	}
	if err := db.guard(tx, recordType, ids); err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(ids, inChunk) {
		var got []string
		if err := db.forShare(tx.Table(p.table).Where("id IN ? AND status IN ?", chunk, p.released)).Pluck("id", &got).Error; err != nil {
			return nil, fmt.Errorf("release of %s: %w", recordType, translate(err))
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}

// feedGuard is a record's guard row (migration 00020): see releasedOf.
type feedGuard struct {
	RecordType string `gorm:"column:record_type;primaryKey"`
	RecordID   string `gorm:"column:record_id;primaryKey"`
	Writes     int64  `gorm:"column:writes"`
}

func (feedGuard) TableName() string { return "feed_guards" }

// guard writes the guard rows of these records, in id order (so that two
// transactions guarding the same records take their locks in one order).
// Only MySQL needs them: SQLite runs one writer at a time.
func (db *DB) guard(tx *gorm.DB, recordType string, ids []string) error {
	if db.dialect != MySQL || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for chunk := range slices.Chunk(ids, inChunk) {
		rows := make([]feedGuard, len(chunk))
		for i, id := range chunk {
			rows[i] = feedGuard{RecordType: recordType, RecordID: id, Writes: 1}
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "record_type"}, {Name: "record_id"}},
			DoUpdates: clause.Assignments(map[string]any{"writes": gorm.Expr("writes + 1")}),
		}).Create(&rows).Error
		if err != nil {
			return fmt.Errorf("guard %s: %w", recordType, translate(err))
		}
	}
	return nil
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
		got, err := unnumberedFeed(tx, part)
		if err != nil {
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
		q.WriteString(" END WHERE id IN " + placeholders(len(part)))
		for i := range part {
			args = append(args, part[i].ID)
		}
		if _, err := execIn(tx, q.String(), args...); err != nil {
			return fmt.Errorf("number feed events: %w", translate(err))
		}
	}
	if _, err := execIn(tx, "UPDATE feed_state SET head = ? WHERE id = 1", state.Head); err != nil {
		return fmt.Errorf("advance feed head: %w", translate(err))
	}
	return nil
}

// unnumberedFeed reads the id and audit id of the feed events of these
// audit events that have no number yet.
func unnumberedFeed(tx *gorm.DB, auditIDs []string) ([]models.FeedEvent, error) {
	args := make([]any, len(auditIDs))
	for i, id := range auditIDs {
		args[i] = id
	}
	rows, err := queryIn(tx, "SELECT id, audit_id FROM feed_events WHERE audit_id IN "+placeholders(len(auditIDs))+
		" AND seq IS NULL", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	feed := make([]models.FeedEvent, 0, len(auditIDs))
	for rows.Next() {
		var f models.FeedEvent
		if err := rows.Scan(&f.ID, &f.AuditID); err != nil {
			return nil, err
		}
		feed = append(feed, f)
	}
	return feed, rows.Err()
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
	q := db.gorm.WithContext(ctx).Model(&models.FeedEvent{}).Where("seq > ?", cursor)
	if len(types) > 0 {
		q = q.Where("record_type IN ?", types)
	}
	events, err := findRows[models.FeedEvent](q.Order("seq").Limit(limit), limit)
	if err != nil {
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
	if err := findInto(g.Where("id IN ?", ids), dest, len(ids)); err != nil {
		return fmt.Errorf("read feed records: %w", translate(err))
	}
	return db.complete(ctx, g, dest)
}

// ReleasedIDs says which of these records (model's rows) are released:
// for a record released with others (scope.Via), what its own row cannot
// tell.
func (db *DB) ReleasedIDs(ctx context.Context, scope models.ReleaseScope, model any, ids []string) (map[string]bool, error) {
	g := db.gorm.WithContext(ctx)
	var released []string
	if err := releasedRows(g, g.Model(model).Where("id IN ?", ids), scope, 0).Pluck("id", &released).Error; err != nil {
		return nil, fmt.Errorf("read released records: %w", translate(err))
	}
	out := make(map[string]bool, len(released))
	for _, id := range released {
		out[id] = true
	}
	return out, nil
}

// complete fills in what records keep outside their own rows, as the
// store's other reads of them do: a progress report's plan, a problem's
// links, an indicator's reporting units, a task's units and links.
// (TestFeedMatchesGet compares every type's records with their GET.)
func (db *DB) complete(ctx context.Context, tx *gorm.DB, dest any) error {
	var err error
	switch rows := dest.(type) {
	case *[]models.ProgressReport:
		err = fillReportPlans(tx, *rows)
	case *[]models.Problem:
		err = loadProblemLinks(tx, *rows)
	case *[]models.Indicator:
		err = db.attachReportingUnits(ctx, *rows)
	case *[]models.PlanTask:
		err = loadTaskLinks(tx, *rows)
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
	q := releasedRows(tx, tx.Where("id > ?", afterID), scope, year)
	if err := findInto(q.Order("id").Limit(limit), dest, limit); err != nil {
		return fmt.Errorf("read released records: %w", translate(err))
	}
	return s.db.complete(ctx, tx, dest)
}

// releasedRows keeps the rows of q that scope releases (in year, unless
// zero). The conditions on the tables scope.Via leads to are nested
// subqueries, innermost the last table's:
//
//	targets WHERE indicator_id IN (SELECT id FROM indicators
//	  WHERE system_id IN (SELECT id FROM indicator_systems WHERE status IN …))
func releasedRows(g, q *gorm.DB, scope models.ReleaseScope, year int) *gorm.DB {
	var inner *gorm.DB // the rows of the next table the conditions keep
	for level := len(scope.Via); level >= 0; level-- {
		at, table := q, ""
		if level > 0 {
			link := scope.Via[level-1]
			table = link.Table
			at = g.Session(&gorm.Session{NewDB: true}).Table(table).Select("id")
			if link.Down {
				at = at.Select(link.Key)
			}
		}
		if scope.StatusColumn != "" && scope.StatusOn == table {
			at = at.Where(scope.StatusColumn+" IN ?", scope.Released)
		}
		if year != 0 && scope.YearOn == table {
			switch {
			case scope.YearColumn != "":
				at = at.Where(scope.YearColumn+" = ?", year)
			case scope.YearFrom != "":
				at = at.Where(scope.YearFrom+" <= ? AND "+scope.YearTo+" >= ?", year, year)
			case scope.PeriodColumn != "":
				at = at.Where(scope.PeriodColumn+" LIKE ?", fmt.Sprint(year, "%"))
			}
		}
		if inner != nil {
			if link := scope.Via[level]; link.Down {
				at = at.Where("id IN (?)", inner)
			} else {
				at = at.Where(link.Key+" IN (?)", inner)
			}
		}
		inner = at
	}
	return inner
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
