package store

// The audit chain's sequencer. Writers insert their audit events unlinked
// (no sequence number, no hash) in the transaction of their change and lock
// nothing they share; the sequencer then links committed events into the
// chain, in short transactions of its own: lock the chain's head row, read
// up to sequenceBatch unlinked events in id order (UUIDv7: the order they
// were made in), give each the next number and its hash, write them and the
// head. Sequencers of several instances take turns on the head row: on one
// MySQL by its row lock, on a multi-primary cluster (Galera) by
// certification, where the loser's transaction fails as a deadlock and runs
// again. Only sequencers ever contend, never writers, so writes do not
// serialise across the cluster.
//
// The numbers are given after commit, in the order the sequencer's
// transactions commit, without gaps: a reader paging by number (the audit
// log, the province's change feed) never sees a number that a transaction
// still in flight could take below it. The feed's events (feed.go) are
// numbered with their audit events, in the same transaction. What it costs: each event is written
// twice (inserted, then numbered), and until the sequencer links it (well
// under a second: the background loop runs after every change and four
// times a second) an event is not yet in the hash chain. Reads of the log
// run the sequencer first, so they see every event committed before them.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/audit"
	"github.com/fazhi/fazhi/models"
)

// sequenceBatch is how many events one sequencer transaction links.
const sequenceBatch = 1000

// sequencer wakes the background loop (Sequencer) after changes commit.
type sequencer struct {
	kick chan struct{}
}

func newSequencer() *sequencer { return &sequencer{kick: make(chan struct{}, 1)} }

// wake asks the background loop for a pass; passes asked for while one is
// pending are one pass.
func (s *sequencer) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// errSequenceRaced is a batch of events some other sequencer linked first:
// the transaction runs again.
var errSequenceRaced = fmt.Errorf("%w: another sequencer linked the same audit events", models.ErrConflict)

// Sequence links every audit event committed so far into the chain.
func (db *DB) Sequence(ctx context.Context) error {
	for {
		var pending int64
		// A cheap look first: most calls find nothing and lock nothing.
		if err := db.gorm.WithContext(ctx).Model(&models.AuditEvent{}).Where("seq IS NULL").Limit(1).Count(&pending).Error; err != nil {
			return fmt.Errorf("sequence audit events: %w", translate(err))
		}
		if pending == 0 {
			return nil
		}
		linked, err := db.link(ctx)
		if err != nil {
			return fmt.Errorf("sequence audit events: %w", err)
		}
		if linked < sequenceBatch {
			return nil
		}
	}
}

// link links the next batch of unlinked events in one transaction and says
// how many.
func (db *DB) link(ctx context.Context) (int, error) {
	var linked int
	var raced bool
	err := db.attempt(ctx, func(tx *gorm.DB, _ time.Time) error {
		linked, raced = 0, false
		var head chainHead
		if err := db.forUpdate(tx.Where("id = 1")).Take(&head).Error; err != nil {
			return fmt.Errorf("lock audit chain: %w", translate(err))
		}
		pending, err := findRows[models.AuditEvent](tx.Model(&models.AuditEvent{}).Where("seq IS NULL").Order("id").Limit(sequenceBatch), sequenceBatch)
		if err != nil {
			return translate(err)
		}
		if len(pending) == 0 {
			return nil
		}
		for i := range pending {
			audit.Link(&pending[i], head.LastSeq, head.LastHash)
			head.LastSeq, head.LastHash = pending[i].Seq, pending[i].Hash
		}
		for part := range slices.Chunk(pending, batchSize) {
			n, err := numberEvents(tx, part)
			if err != nil {
				return err
			}
			if n != int64(len(part)) {
				raced = true
				return errSequenceRaced
			}
		}
		if err := db.numberFeed(tx, pending); err != nil {
			return err
		}
		if _, err := execIn(tx, "UPDATE audit_chain SET last_hash = ?, last_seq = ? WHERE id = 1", head.LastHash, head.LastSeq); err != nil {
			return fmt.Errorf("advance audit chain: %w", translate(err))
		}
		linked = len(pending)
		return nil
	})
	if raced {
		// Linked by another sequencer meanwhile (a cluster whose nodes
		// disagreed for a moment): nothing is left to link here.
		return 0, nil
	}
	return linked, err
}

// numberEvents writes the numbers and hashes of linked events, in one
// statement, to those still unlinked, and says how many that was.
func numberEvents(tx *gorm.DB, events []models.AuditEvent) (int64, error) {
	var q strings.Builder
	args := make([]any, 0, 7*len(events))
	column := func(name string, value func(e *models.AuditEvent) any) {
		q.WriteString(name + " = CASE id")
		for i := range events {
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, events[i].ID, value(&events[i]))
		}
		q.WriteString(" END")
	}
	q.WriteString("UPDATE audit_events SET ")
	column("seq", func(e *models.AuditEvent) any { return e.Seq })
	q.WriteString(", ")
	column("prev_hash", func(e *models.AuditEvent) any { return e.PrevHash })
	q.WriteString(", ")
	column("hash", func(e *models.AuditEvent) any { return e.Hash })
	q.WriteString(" WHERE seq IS NULL AND id IN " + placeholders(len(events)))
	for i := range events {
		args = append(args, events[i].ID)
	}
	res, err := execIn(tx, q.String(), args...)
	if err != nil {
		return 0, fmt.Errorf("number audit events: %w", translate(err))
	}
	return res.RowsAffected()
}

// RunSequencer links committed audit events until ctx ends: after every
// change this instance commits, and every interval for those of other
// instances. Failures are reported to fail and tried again at the next
// pass.
func (db *DB) RunSequencer(ctx context.Context, interval time.Duration, fail func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-db.sequencer.kick:
		}
		if err := db.Sequence(ctx); err != nil && ctx.Err() == nil {
			fail(err)
		}
	}
}
