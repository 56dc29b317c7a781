-- +goose Up
-- The province's change feed (store/feed.go): one row per change of a
-- record the province may see (released before or after the change),
-- written in the transaction of the change beside its audit event. The
-- audit sequencer numbers it after commit, with that event; the feed serves
-- numbered rows only, in that order.
CREATE TABLE feed_events (
    id          CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    audit_id    CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq         BIGINT      NULL,
    record_type VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    record_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    occurred_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_feed_events_seq (seq),
    KEY ix_feed_events_audit (audit_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The feed's head (the last number given) and floor: every event numbered
-- up to the floor has been compacted away (or, for a database that had
-- records before the feed existed, was never written: its floor starts at
-- 1). A consumer whose cursor is below the floor must take a snapshot.
CREATE TABLE feed_state (
    id    INT    NOT NULL,
    head  BIGINT NOT NULL,
    floor BIGINT NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO feed_state (id, head, floor)
SELECT 1, n, n FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM units) THEN 1 ELSE 0 END AS n) AS existing;

-- +goose Down
DROP TABLE feed_state;
DROP TABLE feed_events;
