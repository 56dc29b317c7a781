-- +goose Up
-- Targets (目標值) per indicator, year and unit; unit_key is the unit's id, or
-- '*' for the default of every unit, so that the unique key also covers defaults.
CREATE TABLE targets (
    id           TEXT     NOT NULL PRIMARY KEY,
    indicator_id TEXT     NOT NULL REFERENCES indicators (id),
    year         INTEGER  NOT NULL,
    unit_id      TEXT     REFERENCES units (id),
    unit_key     TEXT     NOT NULL,
    comparator   TEXT     NOT NULL,
    value        TEXT     NOT NULL,
    value_to     TEXT,
    sample       INTEGER  NOT NULL DEFAULT 0,
    note         TEXT,
    version      INTEGER  NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_targets ON targets (indicator_id, year, unit_key);
CREATE INDEX ix_targets_unit ON targets (unit_id);

-- +goose Down
DROP TABLE targets;
