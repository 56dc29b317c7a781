package audit

import (
	"testing"
	"time"

	"github.com/fazhi/fazhi/models"
)

func chain(n int) []*models.AuditEvent {
	var events []*models.AuditEvent
	seq, hash := int64(0), Genesis
	for i := 0; i < n; i++ {
		unit := "0190a000-0000-7000-8000-000000000010"
		e := &models.AuditEvent{
			ID: "id-" + string(rune('a'+i)), OccurredAt: time.Date(2022, 3, 31, 8, 0, i, 1000, time.UTC),
			ActorType: "user", ActorID: "u1", ActorName: "fzb.admin", Operation: "updateUnit",
			EntityType: "unit", EntityID: unit, UnitID: &unit, Before: `{"name":"盘锦市司法局"}`, After: `{"name":"司法局"}`,
			RequestID: "r", ClientAddress: "192.0.2.1",
		}
		Link(e, seq, hash)
		seq, hash = e.Seq, e.Hash
		events = append(events, e)
	}
	return events
}

func verify(events []*models.AuditEvent, headSeq int64, headHash string) models.AuditVerification {
	v := NewVerifier()
	for _, e := range events {
		if !v.Next(e) {
			break
		}
	}
	return v.End(headSeq, headHash)
}

func TestChainVerifies(t *testing.T) {
	events := chain(5)
	last := events[len(events)-1]
	if got := verify(events, last.Seq, last.Hash); !got.OK || got.Checked != 5 {
		t.Fatalf("intact chain: %+v", got)
	}
	if events[0].PrevHash != Genesis || events[0].Seq != 1 {
		t.Errorf("first event: seq %d prev %s", events[0].Seq, events[0].PrevHash)
	}
	if got := verify(nil, 0, Genesis); !got.OK || got.Checked != 0 {
		t.Errorf("empty chain: %+v", got)
	}
}

func TestTamperingIsFound(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]*models.AuditEvent) []*models.AuditEvent
		wantSeq int64
	}{
		{"content edited", func(e []*models.AuditEvent) []*models.AuditEvent { e[2].ActorName = "someone"; return e }, 3},
		{"snapshot edited", func(e []*models.AuditEvent) []*models.AuditEvent { e[1].After = `{"name":"x"}`; return e }, 2},
		{"time edited", func(e []*models.AuditEvent) []*models.AuditEvent {
			e[3].OccurredAt = e[3].OccurredAt.Add(time.Microsecond)
			return e
		}, 4},
		{"middle removed", func(e []*models.AuditEvent) []*models.AuditEvent { return append(e[:2], e[3:]...) }, 4},
		{"rehashed after edit", func(e []*models.AuditEvent) []*models.AuditEvent {
			e[1].ActorName = "someone"
			e[1].Hash = Hash(e[1]) // a forger who recomputes one hash breaks the next link
			return e
		}, 3},
		{"last removed", func(e []*models.AuditEvent) []*models.AuditEvent { return e[:4] }, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := chain(5)
			head := events[4]
			got := verify(tt.tamper(events), head.Seq, head.Hash)
			if got.OK || got.BrokenSeq != tt.wantSeq {
				t.Errorf("got %+v, want broken at %d", got, tt.wantSeq)
			}
		})
	}
}
