-- +goose Up
-- Rounds of self-inspection and supervision (自查, 督察): an office assigns a
-- published checklist to units with a deadline; each unit has a sheet of
-- answers, one per item, which it submits and the office accepts or
-- returns; an answer may carry files of evidence, whose bytes live in the
-- blob store as the attachments of reported values do.
CREATE TABLE inspection_rounds (
    id                TEXT     NOT NULL PRIMARY KEY,
    checklist_id      TEXT     NOT NULL REFERENCES checklists (id),
    title             TEXT     NOT NULL,
    assigning_unit_id TEXT     NOT NULL REFERENCES units (id),
    deadline          TEXT     NOT NULL,
    created_by        TEXT     NOT NULL,
    sample_data       BOOLEAN  NOT NULL,
    version           INTEGER  NOT NULL,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX ix_inspection_rounds_created ON inspection_rounds (created_at, id);
CREATE INDEX ix_inspection_rounds_deadline ON inspection_rounds (deadline, id);
CREATE INDEX ix_inspection_rounds_checklist ON inspection_rounds (checklist_id, id);

CREATE TABLE inspection_sheets (
    id            TEXT     NOT NULL PRIMARY KEY,
    round_id      TEXT     NOT NULL REFERENCES inspection_rounds (id),
    unit_id       TEXT     NOT NULL REFERENCES units (id),
    status        TEXT     NOT NULL,
    submitted_by  TEXT     NULL,
    submitted_at  DATETIME NULL,
    reviewed_by   TEXT     NULL,
    reviewed_at   DATETIME NULL,
    return_reason TEXT     NULL,
    version       INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_inspection_sheets_unit ON inspection_sheets (round_id, unit_id);
CREATE INDEX ix_inspection_sheets_unit ON inspection_sheets (unit_id, id);

CREATE TABLE inspection_answers (
    id          TEXT     NOT NULL PRIMARY KEY,
    sheet_id    TEXT     NOT NULL REFERENCES inspection_sheets (id),
    item_id     TEXT     NOT NULL REFERENCES checklist_items (id),
    result      TEXT     NOT NULL,
    comment     TEXT     NOT NULL,
    answered_by TEXT     NOT NULL,
    version     INTEGER  NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_inspection_answers_item ON inspection_answers (sheet_id, item_id);

CREATE TABLE inspection_evidence (
    id           TEXT     NOT NULL PRIMARY KEY,
    answer_id    TEXT     NOT NULL REFERENCES inspection_answers (id),
    filename     TEXT     NOT NULL,
    content_type TEXT     NOT NULL,
    size         INTEGER  NOT NULL,
    sha256       TEXT     NOT NULL,
    blob_key     TEXT     NOT NULL,
    created_by   TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_inspection_evidence_blob ON inspection_evidence (blob_key);
CREATE INDEX ix_inspection_evidence_answer ON inspection_evidence (answer_id, id);

-- +goose Down
DROP TABLE inspection_evidence;
DROP TABLE inspection_answers;
DROP TABLE inspection_sheets;
DROP TABLE inspection_rounds;
