-- +goose Up
-- The province's change feed (store/feed.go): one row per change of a
-- record the province may see (released before or after the change),
-- written in the transaction of the change beside its audit event. The
-- audit sequencer numbers it after commit, with that event; the feed serves
-- numbered rows only, in that order.
CREATE TABLE feed_events (
    id          TEXT     NOT NULL PRIMARY KEY,
    audit_id    TEXT     NOT NULL,
    seq         INTEGER  NULL,
    record_type TEXT     NOT NULL,
    record_id   TEXT     NOT NULL,
    occurred_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_feed_events_seq ON feed_events (seq);
CREATE INDEX ix_feed_events_audit ON feed_events (audit_id);

-- The feed's head (the last number given) and floor: every event numbered
-- up to the floor has been compacted away (or, for a database that had
-- records before the feed existed, was never written: its floor starts at
-- 1). A consumer whose cursor is below the floor must take a snapshot.
CREATE TABLE feed_state (
    id    INTEGER NOT NULL PRIMARY KEY,
    head  INTEGER NOT NULL,
    floor INTEGER NOT NULL
);
INSERT INTO feed_state (id, head, floor)
SELECT 1, n, n FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM units) THEN 1 ELSE 0 END AS n);

-- +goose Down
DROP TABLE feed_state;
DROP TABLE feed_events;
