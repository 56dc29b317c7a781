package models

import "time"

// Idempotency-Key states.
const (
	IdempotencyPending = "pending" // the first request is still running
	IdempotencyDone    = "done"    // the response below is final
)

// IdempotencyRecord remembers a request sent with an Idempotency-Key and, once it
// has finished, its response, so that a retry gets the same answer.
type IdempotencyRecord struct {
	Scope       string            `gorm:"column:scope;primaryKey"` // who sent it: the caller
	Key         string            `gorm:"column:idem_key;primaryKey"`
	RequestHash string            `gorm:"column:request_hash"` // method, path and body digest
	State       string            `gorm:"column:state"`
	Status      int               `gorm:"column:status"`
	Headers     map[string]string `gorm:"column:headers;serializer:json"`
	Body        []byte            `gorm:"column:body"`
	CreatedAt   time.Time         `gorm:"column:created_at"`
	ExpiresAt   time.Time         `gorm:"column:expires_at"`
}

// TableName maps IdempotencyRecord to its table.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }
