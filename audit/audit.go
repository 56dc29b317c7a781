// Package audit computes and checks the hash chain of the audit log. Each
// event's hash covers its content and the previous event's hash, so that an
// event edited, removed or inserted after the fact breaks every link after it.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
)

// Genesis is the previous hash of the first event.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// content is what an event's hash covers, in a fixed order and format.
type content struct {
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

// Hash returns the hash of e, which covers e.PrevHash.
func Hash(e *models.AuditEvent) string {
	b, err := json.Marshal(content{
		Seq: e.Seq, ID: e.ID, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		ActorType: e.ActorType, ActorID: e.ActorID, ActorName: e.ActorName, Operation: e.Operation,
		EntityType: e.EntityType, EntityID: e.EntityID, UnitID: e.UnitID,
		Before: e.Before, After: e.After, RequestID: e.RequestID, ClientAddress: e.ClientAddress,
		PrevHash: e.PrevHash,
	})
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Link sets e's position after the event (prevSeq, prevHash) and its hash.
func Link(e *models.AuditEvent, prevSeq int64, prevHash string) {
	e.Seq = prevSeq + 1
	e.PrevHash = prevHash
	e.Hash = Hash(e)
}

// Verifier checks events one at a time, in sequence order.
type Verifier struct {
	seq    int64
	hash   string
	lastID string
	res    models.AuditVerification
}

// NewVerifier starts a check at the beginning of the chain.
func NewVerifier() *Verifier {
	return &Verifier{hash: Genesis, res: models.AuditVerification{OK: true}}
}

// Next checks one more event and reports whether the chain still holds.
func (v *Verifier) Next(e *models.AuditEvent) bool {
	if !v.res.OK {
		return false
	}
	var cause string
	switch {
	case e.Seq != v.seq+1:
		cause = fmt.Sprintf("sequence jumps from %d to %d: an event is missing", v.seq, e.Seq)
	case e.PrevHash != v.hash:
		cause = "the link to the previous event does not hold"
	case Hash(e) != e.Hash:
		cause = "the event's content does not match its hash"
	}
	if cause != "" {
		v.res = models.AuditVerification{OK: false, Checked: v.res.Checked, BrokenSeq: e.Seq, BrokenID: e.ID, BrokenCause: cause}
		return false
	}
	v.seq, v.hash, v.lastID = e.Seq, e.Hash, e.ID
	v.res.Checked++
	return true
}

// End checks that the chain ends where its head says, and returns the result.
// Every append moves the head with it, so a chain that stops short of the head
// lost events, one that goes past it gained events the store did not write (or
// its head was moved back), and one that ends at the head's number with
// another hash had its last event replaced.
func (v *Verifier) End(headSeq int64, headHash string) models.AuditVerification {
	if !v.res.OK || (headSeq == v.seq && headHash == v.hash) {
		return v.res
	}
	switch {
	case v.seq < headSeq:
		v.res = models.AuditVerification{OK: false, Checked: v.res.Checked, BrokenSeq: v.seq + 1,
			BrokenCause: fmt.Sprintf("the chain ends at event %d but its head records event %d: events were removed", v.seq, headSeq)}
	case v.seq > headSeq:
		v.res = models.AuditVerification{OK: false, Checked: headSeq, BrokenSeq: headSeq + 1,
			BrokenCause: fmt.Sprintf("the chain goes on to event %d, past its head at event %d: events were added around the log, or its head was moved back", v.seq, headSeq)}
	default:
		v.res = models.AuditVerification{OK: false, Checked: v.seq - 1, BrokenSeq: v.seq, BrokenID: v.lastID,
			BrokenCause: "the last event does not match the hash its head records: it was replaced"}
	}
	return v.res
}
