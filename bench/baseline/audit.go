package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// unitSnapshot is a unit as the audit log keeps it: store.unitSnapshot is
// a map, which encoding/json writes with its keys sorted, as these fields are.
type unitSnapshot struct {
	Code      string  `json:"code"`
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Level     int     `json:"level"`
	Name      string  `json:"name"`
	ParentID  *string `json:"parentId,omitempty"`
	Path      string  `json:"path"`
	ShortName *string `json:"shortName,omitempty"`
	Version   int64   `json:"version"`
}

func snapshot(u *unit) string {
	b, _ := json.Marshal(unitSnapshot{Code: u.Code, ID: u.ID, Kind: u.Kind, Level: u.Level, Name: u.Name,
		ParentID: u.ParentID, Path: u.Path, ShortName: u.ShortName, Version: u.Version}) // plain fields always marshal
	return string(b)
}

// recordUnitChange writes what store.record writes for a unit's change: an
// audit event, unlinked (seq NULL, no hashes: the sequencer links it after
// commit), and, as a unit is always released, a feed event for the province.
func recordUnitChange(r *request, tx *sql.Tx, at time.Time, before, after *unit) error {
	eventID := newID()
	_, err := tx.ExecContext(r.Context(), "INSERT INTO audit_events (id, occurred_at, actor_type, actor_id, actor_name,"+
		" operation, entity_type, entity_id, unit_id, unit_path, before_json, after_json, request_id, client_address,"+
		" prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		eventID, at, "user", r.caller.userID, r.caller.username, "updateUnit", "unit", after.ID, after.ID, after.Path,
		snapshot(before), snapshot(after), r.id, r.clientAddress, "", "")
	if err != nil {
		return fmt.Errorf("append audit events: %w", err)
	}
	_, err = tx.ExecContext(r.Context(), "INSERT INTO feed_events (id, audit_id, record_type, record_id, occurred_at)"+
		" VALUES (?, ?, ?, ?, ?)", newID(), eventID, "unit", after.ID, at)
	if err != nil {
		return fmt.Errorf("append feed events: %w", err)
	}
	return nil
}

// The sequencer links committed audit events into the hash chain and
// numbers their feed events, as store/sequencer.go does: after each change
// this server commits, and four times a second for other writers'.

// sequenceBatch is how many events one sequencer transaction links.
const sequenceBatch = 1000

func (s *server) wakeSequencer() {
	select {
	case s.wake <- struct{}{}:
	default: // a pass is pending already
	}
}

func (s *server) runSequencer(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
		if err := s.sequence(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("audit events not linked yet; trying again", "error", err.Error())
		}
	}
}

// sequence links every audit event committed so far.
func (s *server) sequence(ctx context.Context) error {
	for {
		var pending int64
		// A cheap look first (GORM's Count(), worded as fazhi's runs it).
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM audit_events WHERE seq IS NULL LIMIT 1").Scan(&pending); err != nil {
			return fmt.Errorf("sequence audit events: %w", err)
		}
		if pending == 0 {
			return nil
		}
		linked, err := s.link(ctx)
		if err != nil {
			return fmt.Errorf("sequence audit events: %w", err)
		}
		if linked < sequenceBatch {
			return nil
		}
	}
}

// auditEvent is a row of audit_events.
type auditEvent struct {
	Seq                                               *int64
	ID                                                string
	OccurredAt                                        time.Time
	ActorType, ActorID, ActorName, Operation          string
	EntityType, EntityID                              string
	UnitID                                            *string
	UnitPath, Before, After, RequestID, ClientAddress string
	PrevHash, Hash                                    string
}

func scanEvent(row scanner) (*auditEvent, error) {
	var e auditEvent
	err := row.Scan(&e.Seq, &e.ID, &e.OccurredAt, &e.ActorType, &e.ActorID, &e.ActorName, &e.Operation, &e.EntityType,
		&e.EntityID, &e.UnitID, &e.UnitPath, &e.Before, &e.After, &e.RequestID, &e.ClientAddress, &e.PrevHash, &e.Hash)
	return &e, err
}

// errRaced is a batch that another sequencer linked first.
var errRaced = errors.New("another sequencer linked the same audit events")

// link links the next batch of unlinked events, in id order (UUIDv7: the
// order they were made in), in one transaction under the lock of the
// chain's head, and says how many.
func (s *server) link(ctx context.Context) (int, error) {
	var linked int
	err := s.inTx(ctx, func(tx *sql.Tx, _ time.Time) error {
		linked = 0
		var headID int
		var lastSeq int64
		var lastHash string
		err := tx.QueryRowContext(ctx, "SELECT id, last_seq, last_hash FROM audit_chain WHERE id = 1 LIMIT 1"+s.lock).
			Scan(&headID, &lastSeq, &lastHash)
		if err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
		pending, err := queryAll(ctx, tx, scanEvent, "SELECT seq, id, occurred_at, actor_type, actor_id, actor_name,"+
			" operation, entity_type, entity_id, unit_id, unit_path, before_json, after_json, request_id, client_address,"+
			" prev_hash, hash FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT ?", sequenceBatch)
		if err != nil || len(pending) == 0 {
			return err
		}
		for _, e := range pending {
			e.Seq, e.PrevHash = new(lastSeq+1), lastHash
			e.Hash = hashOf(e)
			lastSeq, lastHash = *e.Seq, e.Hash
		}
		// store.batchSize: rows one statement writes.
		for part := range slices.Chunk(pending, 500) {
			stmt, args := caseUpdate("audit_events", "seq IS NULL AND ", len(part), []string{"seq", "prev_hash", "hash"},
				func(i int) []any { return []any{part[i].ID, *part[i].Seq, part[i].PrevHash, part[i].Hash} })
			res, err := tx.ExecContext(ctx, stmt, args...)
			if err != nil {
				return fmt.Errorf("number audit events: %w", err)
			}
			if n, _ := res.RowsAffected(); n != int64(len(part)) {
				return errRaced
			}
		}
		if err := numberFeed(ctx, tx, pending, s.lock); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE audit_chain SET last_hash = ?, last_seq = ? WHERE id = 1", lastHash, lastSeq); err != nil {
			return fmt.Errorf("advance audit chain: %w", err)
		}
		linked = len(pending)
		return nil
	})
	if errors.Is(err, errRaced) {
		return 0, nil // nothing is left to link here
	}
	return linked, err
}

// caseUpdate is the statement the sequencer numbers rows with: each column
// set by "CASE id WHEN ? THEN ? … END", for the rows of the ids; row(i) is
// the i-th row's id then its columns' values.
func caseUpdate(table, where string, rows int, columns []string, row func(i int) []any) (string, []any) {
	var q strings.Builder
	var args, ids []any
	q.WriteString("UPDATE " + table + " SET ")
	for c, column := range columns {
		if c > 0 {
			q.WriteString(", ")
		}
		q.WriteString(column + " = CASE id")
		for i := range rows {
			values := row(i)
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, values[0], values[1+c])
			if c == 0 {
				ids = append(ids, values[0])
			}
		}
		q.WriteString(" END")
	}
	q.WriteString(" WHERE " + where + "id IN (?" + strings.Repeat(", ?", rows-1) + ")")
	return q.String(), append(args, ids...)
}

// feedEvent is the part of a feed_events row the sequencer numbers.
type feedEvent struct {
	id, auditID string
	seq         int64
}

// numberFeed is store.numberFeed: it numbers the feed events of the events
// just linked, in the order of their audit events (then by id), from the
// feed's head on. (A batch is at most 1,000 events: one read.)
func numberFeed(ctx context.Context, tx *sql.Tx, events []*auditEvent, lock string) error {
	order := make(map[string]int64, len(events))
	ids := make([]any, len(events))
	for i, e := range events {
		order[e.ID], ids[i] = *e.Seq, e.ID
	}
	feed, err := queryAll(ctx, tx, func(row scanner) (feedEvent, error) {
		var f feedEvent
		return f, row.Scan(&f.id, &f.auditID)
	}, "SELECT id, audit_id FROM feed_events WHERE audit_id IN (?"+strings.Repeat(", ?", len(ids)-1)+") AND seq IS NULL", ids...)
	if err != nil || len(feed) == 0 {
		return err
	}
	slices.SortFunc(feed, func(a, b feedEvent) int {
		return cmp.Or(cmp.Compare(order[a.auditID], order[b.auditID]), strings.Compare(a.id, b.id))
	})
	var stateID int
	var head, floor int64
	err = tx.QueryRowContext(ctx, "SELECT id, head, floor FROM feed_state WHERE id = 1 LIMIT 1"+lock).Scan(&stateID, &head, &floor)
	if err != nil {
		return fmt.Errorf("lock feed head: %w", err)
	}
	for i := range feed {
		head++
		feed[i].seq = head
	}
	for part := range slices.Chunk(feed, 500) {
		stmt, args := caseUpdate("feed_events", "", len(part), []string{"seq"},
			func(i int) []any { return []any{part[i].id, part[i].seq} })
		if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("number feed events: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE feed_state SET head = ? WHERE id = 1", head)
	return err
}

// chainContent is what an event's hash covers, in audit.Hash's field order
// and formats: any difference breaks the chain fazhi verifies.
type chainContent struct {
	Seq           int64   `json:"seq"`
	ID            string  `json:"id"`
	OccurredAt    string  `json:"occurredAt"`
	ActorType     string  `json:"actorType"`
	ActorID       string  `json:"actorId"`
	ActorName     string  `json:"actorName"`
	Operation     string  `json:"operation"`
	EntityType    string  `json:"entityType"`
	EntityID      string  `json:"entityId"`
	UnitID        *string `json:"unitId"`
	Before        string  `json:"before"`
	After         string  `json:"after"`
	RequestID     string  `json:"requestId"`
	ClientAddress string  `json:"clientAddress"`
	PrevHash      string  `json:"prevHash"`
}

// hashOf is audit.Hash: the SHA-256, in hex, of the event's content and the
// previous event's hash.
func hashOf(e *auditEvent) string {
	b, _ := json.Marshal(chainContent{Seq: *e.Seq, ID: e.ID, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		ActorType: e.ActorType, ActorID: e.ActorID, ActorName: e.ActorName, Operation: e.Operation,
		EntityType: e.EntityType, EntityID: e.EntityID, UnitID: e.UnitID, Before: e.Before, After: e.After,
		RequestID: e.RequestID, ClientAddress: e.ClientAddress, PrevHash: e.PrevHash}) // plain fields always marshal
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// lastV7 is the last time newID used, in milliseconds << 12 | the 12 bits
// below them, so that ids made within one millisecond still ascend.
var lastV7 struct {
	sync.Mutex
	time int64
}

// newID is store.NewID, a UUIDv7 as github.com/google/uuid makes one: the
// Unix time in milliseconds, 12 bits of the time within it (kept
// ascending), then random bits.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	nano := time.Now().UnixNano()
	milli := nano / 1e6
	lastV7.Lock()
	t := max(milli<<12+(nano-milli*1e6)>>8, lastV7.time+1)
	lastV7.time = t
	lastV7.Unlock()
	milli, seq := t>>12, t&0xfff
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(milli>>40), byte(milli>>32), byte(milli>>24), byte(milli>>16), byte(milli>>8), byte(milli)
	b[6], b[7], b[8] = 0x70|byte(seq>>8), byte(seq), 0x80|b[8]&0x3f
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
