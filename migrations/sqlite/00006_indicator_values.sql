-- +goose Up
-- Reported values (填報): one per indicator, unit and period. value keeps the
-- decimal as entered; value_key is its sortable form, to compare in SQL.
CREATE TABLE indicator_values (
    id            TEXT     NOT NULL PRIMARY KEY,
    indicator_id  TEXT     NOT NULL REFERENCES indicators (id),
    system_id     TEXT     NOT NULL REFERENCES indicator_systems (id),
    unit_id       TEXT     NOT NULL REFERENCES units (id),
    period        TEXT     NOT NULL,
    year          INTEGER  NOT NULL,
    value         TEXT,
    value_key     TEXT,
    yes_no        INTEGER,
    text_value    TEXT,
    qualifier     TEXT     NOT NULL,
    raw_text      TEXT,
    as_of         DATE,
    comment       TEXT,
    self_score    TEXT,
    review_score  TEXT,
    status        TEXT     NOT NULL,
    return_reason TEXT,
    flags         TEXT     NOT NULL,
    flagged       INTEGER  NOT NULL DEFAULT 0,
    submitted_by  TEXT,
    submitted_at  DATETIME,
    reviewed_by   TEXT,
    reviewed_at   DATETIME,
    version       INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_indicator_values ON indicator_values (indicator_id, unit_id, period);
CREATE INDEX ix_indicator_values_unit ON indicator_values (unit_id, year, id);
CREATE INDEX ix_indicator_values_system ON indicator_values (system_id, year, status);

-- +goose Down
DROP TABLE indicator_values;
