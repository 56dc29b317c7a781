-- +goose Up
-- Scoring rules live with the system they score: each indicator's method and
-- parameters, and the system's grades, as JSON the application validates.
ALTER TABLE indicator_systems ADD COLUMN grade_bands TEXT NULL;
ALTER TABLE indicators ADD COLUMN scoring TEXT NULL;

-- An evaluation (考核評價) of a system's year for a set of units. Drafts are
-- computed on demand from approved values; publishing freezes the results in
-- evaluation_results and locks the values they used.
CREATE TABLE evaluations (
    id               TEXT     NOT NULL PRIMARY KEY,
    system_id        TEXT     NOT NULL REFERENCES indicator_systems (id),
    year             INTEGER  NOT NULL,
    name             TEXT     NOT NULL,
    status           TEXT     NOT NULL,
    unit_ids         TEXT     NOT NULL,
    supersedes_id    TEXT     NULL REFERENCES evaluations (id),
    superseded_by_id TEXT     NULL,
    published_at     DATETIME NULL,
    published_by     TEXT     NULL,
    version          INTEGER  NOT NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX ix_evaluations_system ON evaluations (system_id, year, id);

-- One row per unit of a published evaluation: its total, rank and grade, and
-- its level-1 area scores (for the ranking) and its whole scorecard (every
-- indicator's score with its explanation), each as the JSON the API answers.
CREATE TABLE evaluation_results (
    evaluation_id TEXT    NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    unit_id       TEXT    NOT NULL REFERENCES units (id),
    position      INTEGER NOT NULL,
    total         TEXT    NOT NULL,
    unit_rank     INTEGER NOT NULL,
    grade         TEXT    NULL,
    areas         TEXT    NOT NULL,
    card          TEXT    NOT NULL,
    PRIMARY KEY (evaluation_id, unit_id)
);
CREATE UNIQUE INDEX uq_evaluation_results_position ON evaluation_results (evaluation_id, position);

-- +goose Down
DROP TABLE evaluation_results;
DROP TABLE evaluations;
ALTER TABLE indicators DROP COLUMN scoring;
ALTER TABLE indicator_systems DROP COLUMN grade_bands;
