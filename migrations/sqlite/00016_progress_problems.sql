-- +goose Up
-- Progress reports on plan tasks (each lead and cooperating unit reports
-- separately, once per period) and problem records (存在问题) with their
-- rectification; both carry files of evidence, whose bytes live in the blob
-- store.
CREATE TABLE progress_reports (
    id            TEXT     NOT NULL PRIMARY KEY,
    task_id       TEXT     NOT NULL REFERENCES plan_tasks (id),
    unit_id       TEXT     NOT NULL REFERENCES units (id),
    period        TEXT     NOT NULL,
    period_end    TEXT     NOT NULL,
    content       TEXT     NOT NULL,
    percent       INTEGER  NOT NULL,
    problems      TEXT     NOT NULL,
    next_steps    TEXT     NOT NULL,
    status        TEXT     NOT NULL,
    submitted_by  TEXT     NULL,
    submitted_at  DATETIME NULL,
    reviewed_by   TEXT     NULL,
    reviewed_at   DATETIME NULL,
    return_reason TEXT     NULL,
    created_by    TEXT     NOT NULL,
    sample_data   BOOLEAN  NOT NULL,
    version       INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_progress_reports_period ON progress_reports (task_id, unit_id, period);
CREATE INDEX ix_progress_reports_created ON progress_reports (created_at, id);
CREATE INDEX ix_progress_reports_unit ON progress_reports (unit_id, status);

CREATE TABLE problems (
    id                    TEXT     NOT NULL PRIMARY KEY,
    unit_id               TEXT     NOT NULL REFERENCES units (id),
    year                  INTEGER  NOT NULL,
    source                TEXT     NOT NULL,
    title                 TEXT     NOT NULL,
    detail                TEXT     NOT NULL,
    category              TEXT     NOT NULL,
    measures              TEXT     NOT NULL,
    rectification_task_id TEXT     NULL REFERENCES plan_tasks (id),
    status                TEXT     NOT NULL,
    rectifying_since      DATETIME NULL,
    signed_off_by         TEXT     NULL,
    signed_off_at         DATETIME NULL,
    sign_off_note         TEXT     NULL,
    created_by            TEXT     NOT NULL,
    sample_data           BOOLEAN  NOT NULL,
    version               INTEGER  NOT NULL,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE INDEX ix_problems_created ON problems (created_at, id);
CREATE INDEX ix_problems_unit ON problems (unit_id, year);
CREATE INDEX ix_problems_task ON problems (rectification_task_id);

CREATE TABLE problem_indicators (
    problem_id   TEXT    NOT NULL REFERENCES problems (id),
    indicator_id TEXT    NOT NULL REFERENCES indicators (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (problem_id, indicator_id)
);
CREATE INDEX ix_problem_indicators_indicator ON problem_indicators (indicator_id);

CREATE TABLE problem_tasks (
    problem_id TEXT    NOT NULL REFERENCES problems (id),
    task_id    TEXT    NOT NULL REFERENCES plan_tasks (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (problem_id, task_id)
);
CREATE INDEX ix_problem_tasks_task ON problem_tasks (task_id);

CREATE TABLE plan_evidence (
    id           TEXT     NOT NULL PRIMARY KEY,
    record_type  TEXT     NOT NULL,
    record_id    TEXT     NOT NULL,
    filename     TEXT     NOT NULL,
    content_type TEXT     NOT NULL,
    size         INTEGER  NOT NULL,
    sha256       TEXT     NOT NULL,
    blob_key     TEXT     NOT NULL,
    created_by   TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_plan_evidence_blob ON plan_evidence (blob_key);
CREATE INDEX ix_plan_evidence_record ON plan_evidence (record_type, record_id, id);

-- +goose Down
DROP TABLE plan_evidence;
DROP TABLE problem_tasks;
DROP TABLE problem_indicators;
DROP TABLE problems;
DROP TABLE progress_reports;
