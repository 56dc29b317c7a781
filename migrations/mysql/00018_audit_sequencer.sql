-- +goose Up
-- Audit events are written unlinked (no sequence number, no hash) in the
-- transaction of their change, and linked into the chain after commit by
-- the sequencer (store/sequencer.go): writers no longer lock the chain's
-- head, which on a multi-primary cluster serialised every write. The event's
-- id becomes its key; its sequence number stays unique once given.
ALTER TABLE audit_events
    DROP PRIMARY KEY,
    DROP INDEX uq_audit_events_id,
    MODIFY seq BIGINT NULL,
    ADD PRIMARY KEY (id),
    ADD UNIQUE KEY uq_audit_events_seq (seq);

-- +goose Down
-- Only a fully linked log goes back: an unlinked event has no place in it.
ALTER TABLE audit_events
    DROP PRIMARY KEY,
    DROP INDEX uq_audit_events_seq,
    MODIFY seq BIGINT NOT NULL,
    ADD PRIMARY KEY (seq),
    ADD UNIQUE KEY uq_audit_events_id (id);
