package models

import "time"

// AuditEvent is one entry of the tamper-evident log: every write, sign-in and
// key use for a write. Hash covers the event's content and PrevHash, the hash
// of the event before it, so that editing or removing any event breaks the chain.
type AuditEvent struct {
	Seq           int64     `gorm:"column:seq;primaryKey;autoIncrement:false"`
	ID            string    `gorm:"column:id"`
	OccurredAt    time.Time `gorm:"column:occurred_at"`
	ActorType     string    `gorm:"column:actor_type"`
	ActorID       string    `gorm:"column:actor_id"`
	ActorName     string    `gorm:"column:actor_name"`
	Operation     string    `gorm:"column:operation"`
	EntityType    string    `gorm:"column:entity_type"`
	EntityID      string    `gorm:"column:entity_id"`
	UnitID        *string   `gorm:"column:unit_id"`
	UnitPath      string    `gorm:"column:unit_path"`   // for reviewers' subtree queries
	Before        string    `gorm:"column:before_json"` // JSON object, or empty
	After         string    `gorm:"column:after_json"`  // JSON object, or empty
	RequestID     string    `gorm:"column:request_id"`
	ClientAddress string    `gorm:"column:client_address"`
	PrevHash      string    `gorm:"column:prev_hash"`
	Hash          string    `gorm:"column:hash"`
}

// TableName maps AuditEvent to its table.
func (AuditEvent) TableName() string { return "audit_events" }

// AuditFilter selects audit events; zero fields do not filter.
type AuditFilter struct {
	EntityType string
	EntityID   string
	ActorID    string
	UnitID     string
	Operation  string
	From, To   *time.Time
	// UnitPath limits the events to those of units at or below this path
	// (a reviewer's subtree); empty for everything.
	UnitPath string
}

// AuditVerification is the outcome of checking the chain.
type AuditVerification struct {
	OK          bool
	Checked     int64
	BrokenSeq   int64
	BrokenID    string
	BrokenCause string
}
