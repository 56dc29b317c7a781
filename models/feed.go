package models

import (
	"context"
	"fmt"
	"time"
)

// Releasable is a record that may leave the city. Released reports whether
// it has: whether it is in one of its lifecycle's released states, what a
// read-only API key sees. The write path asks it of a record before and
// after each change, so that the province's change feed carries exactly the
// changes of records it may see: one that becomes visible, changes while
// visible, or leaves visibility. Drafts and records in review never enter it.
type Releasable interface {
	Released() bool
}

// Released: the unit tree is the reference every record hangs on; it has no
// lifecycle and is always visible.
func (u *Unit) Released() bool { return true }

func (s *IndicatorSystem) Released() bool { return SystemLifecycle.IsReleased(s.Status) }
func (v *IndicatorValue) Released() bool  { return ValueLifecycle.IsReleased(v.Status) }
func (e *Evaluation) Released() bool      { return EvaluationLifecycle.IsReleased(e.Status) }
func (c *Checklist) Released() bool       { return ChecklistLifecycle.IsReleased(c.Status) }
func (p *Plan) Released() bool            { return PlanLifecycle.IsReleased(p.Status) }
func (r *ProgressReport) Released() bool  { return ProgressLifecycle.IsReleased(r.Status) }
func (p *Problem) Released() bool         { return ProblemLifecycle.IsReleased(p.Status) }
func (r *AnnualReport) Released() bool    { return ReportLifecycle.IsReleased(r.Status) }
func (s *InspectionSheet) Released() bool { return InspectionLifecycle.IsReleased(s.Status) }

// Released: a case applying a checklist is a fact about the past, released
// once recorded (it has no lifecycle).
func (a *ChecklistApplication) Released() bool { return true }

// FeedEvent is one change in the province's feed: the record it is about,
// and its place in the feed. What the record is now is read when the event
// is served, so the event carries no copy of it.
type FeedEvent struct {
	ID         string    `gorm:"column:id;primaryKey"`
	AuditID    string    `gorm:"column:audit_id"` // the change's audit event
	Seq        *int64    `gorm:"column:seq"`      // nil until the sequencer numbers it
	RecordType string    `gorm:"column:record_type"`
	RecordID   string    `gorm:"column:record_id"`
	OccurredAt time.Time `gorm:"column:occurred_at"`
}

func (FeedEvent) TableName() string { return "feed_events" }

// ReleaseScope tells the store which rows of a record type have left the
// city, and which year a row belongs to, for snapshots and yearly exports.
// A record with a lifecycle of its own is released by its own state. One
// without is released with related records: a part with its parent (a
// checklist's item, a plan's task), a part of a part with its grandparent
// (an indicator's target, with the indicator's system), a round of
// self-inspection once one of its sheets is. Via leads from the record's
// table to those records' table; StatusOn and YearOn name the table of Via
// (or "", the record's own) whose columns the other fields name.
type ReleaseScope struct {
	Via []Link
	// StatusColumn holds the lifecycle's state; empty: every row is
	// released (units, cases applying a checklist).
	StatusOn     string
	StatusColumn string
	Released     []string
	// Year places a row in a year: YearColumn equal to it, or a year
	// between YearFrom and YearTo (both columns), or PeriodColumn starting
	// with it ("2021", "2021-Q3", "2021-06-30"). None: the row is in every
	// year.
	YearOn       string
	YearColumn   string
	YearFrom     string
	YearTo       string
	PeriodColumn string
}

// Link leads from the rows of one table to the related rows of Table: Key
// is the column of the row that holds their id (a part's parent) or, with
// Down, their column that holds the row's id (a round's sheets).
type Link struct {
	Table string
	Key   string
	Down  bool
}

// StatesOf is a lifecycle's released states as the strings a ReleaseScope
// keeps.
func StatesOf[S ~string](l *Lifecycle[S]) []string {
	out := make([]string, len(l.Released))
	for i, s := range l.Released {
		out[i] = string(s)
	}
	return out
}

// ReleasedReader reads released records as of one instant (a snapshot).
type ReleasedReader interface {
	// Cursor is the feed's position at that instant: the feed read from
	// it holds every change the snapshot does not.
	Cursor() int64
	// Released reads up to limit released records of one type after the id
	// afterID, in id order, into dest (a pointer to a slice of the type's
	// model); year, when not zero, keeps the records of that year.
	Released(ctx context.Context, scope ReleaseScope, year int, afterID string, limit int, dest any) error
}

// FeedExpiredError is a cursor older than the feed keeps: the events after it
// were compacted away, and the consumer must start again from a snapshot.
type FeedExpiredError struct {
	Cursor, Floor int64
}

func (e *FeedExpiredError) Error() string {
	return fmt.Sprintf("the feed no longer keeps the events after %d (it starts after %d): take a snapshot and continue from its cursor", e.Cursor, e.Floor)
}
