-- +goose Up
-- Audit events are written unlinked (no sequence number, no hash) in the
-- transaction of their change, and linked into the chain after commit by
-- the sequencer (store/sequencer.go): writers no longer lock the chain's
-- head, which on a multi-primary cluster serialised every write. The event's
-- id becomes its key; its sequence number stays unique once given. SQLite
-- changes a primary key by copying the table.
CREATE TABLE audit_events_linked_later (
    seq            INTEGER  NULL,
    id             TEXT     NOT NULL PRIMARY KEY,
    occurred_at    DATETIME NOT NULL,
    actor_type     TEXT     NOT NULL,
    actor_id       TEXT     NOT NULL,
    actor_name     TEXT     NOT NULL,
    operation      TEXT     NOT NULL,
    entity_type    TEXT     NOT NULL,
    entity_id      TEXT     NOT NULL,
    unit_id        TEXT,
    unit_path      TEXT     NOT NULL,
    before_json    TEXT     NOT NULL,
    after_json     TEXT     NOT NULL,
    request_id     TEXT     NOT NULL,
    client_address TEXT     NOT NULL,
    prev_hash      TEXT     NOT NULL,
    hash           TEXT     NOT NULL
);
INSERT INTO audit_events_linked_later SELECT * FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_linked_later RENAME TO audit_events;
CREATE UNIQUE INDEX uq_audit_events_seq ON audit_events (seq);
CREATE INDEX ix_audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX ix_audit_events_unit_path ON audit_events (unit_path, seq);
CREATE INDEX ix_audit_events_time ON audit_events (occurred_at, seq);

-- +goose Down
-- Only a fully linked log goes back: an unlinked event has no place in it.
CREATE TABLE audit_events_linked_now (
    seq            INTEGER  NOT NULL PRIMARY KEY,
    id             TEXT     NOT NULL,
    occurred_at    DATETIME NOT NULL,
    actor_type     TEXT     NOT NULL,
    actor_id       TEXT     NOT NULL,
    actor_name     TEXT     NOT NULL,
    operation      TEXT     NOT NULL,
    entity_type    TEXT     NOT NULL,
    entity_id      TEXT     NOT NULL,
    unit_id        TEXT,
    unit_path      TEXT     NOT NULL,
    before_json    TEXT     NOT NULL,
    after_json     TEXT     NOT NULL,
    request_id     TEXT     NOT NULL,
    client_address TEXT     NOT NULL,
    prev_hash      TEXT     NOT NULL,
    hash           TEXT     NOT NULL
);
INSERT INTO audit_events_linked_now SELECT * FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_linked_now RENAME TO audit_events;
CREATE UNIQUE INDEX uq_audit_events_id ON audit_events (id);
CREATE INDEX ix_audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX ix_audit_events_unit_path ON audit_events (unit_path, seq);
CREATE INDEX ix_audit_events_time ON audit_events (occurred_at, seq);
