-- +goose Up
-- The feed now carries plan tasks, indicators' targets, cases applying
-- checklists and self-inspection rounds and sheets. Such records released
-- before this version have no events, and a consumer following the feed
-- would never receive them: when there are any, the floor rises above the
-- head, so that every consumer's cursor is below it, gets 410 and takes a
-- new snapshot, which holds them. (floor is set before head: MySQL assigns
-- left to right with the new values, SQLite with the old; both give the
-- same here.)
UPDATE feed_state SET floor = head + 1, head = head + 1
WHERE id = 1 AND (
    EXISTS (SELECT 1 FROM checklist_applications)
    OR EXISTS (SELECT 1 FROM inspection_sheets WHERE status = 'accepted')
    OR EXISTS (SELECT 1 FROM plan_tasks t JOIN plans p ON p.id = t.plan_id WHERE p.status IN ('published', 'closed'))
    OR EXISTS (SELECT 1 FROM targets g JOIN indicators i ON i.id = g.indicator_id
               JOIN indicator_systems s ON s.id = i.system_id WHERE s.status IN ('published', 'archived')));

-- A row per record that parts are released with (a plan, a system, a
-- checklist), written by every change of its parts and by its own release
-- or withdrawal (store/feed.go, guard): on a Galera cluster two such
-- transactions on different nodes then conflict in certification, as they
-- wait for each other's locks on one server.
CREATE TABLE feed_guards (
    record_type VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    record_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    writes      BIGINT      NOT NULL,
    PRIMARY KEY (record_type, record_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
-- The events before the floor stay compacted away.
DROP TABLE feed_guards;
