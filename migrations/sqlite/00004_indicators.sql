-- +goose Up
CREATE TABLE indicator_systems (
    id                  TEXT     NOT NULL PRIMARY KEY,
    name                TEXT     NOT NULL,
    issuing_unit_id     TEXT     NOT NULL REFERENCES units (id),
    edition             TEXT     NOT NULL,
    year_from           INTEGER  NOT NULL,
    year_to             INTEGER  NOT NULL,
    total_points        TEXT     NOT NULL,
    status              TEXT     NOT NULL,
    previous_edition_id TEXT     REFERENCES indicator_systems (id),
    published_at        DATETIME,
    search_text         TEXT     NOT NULL,
    version             INTEGER  NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE INDEX ix_indicator_systems_created ON indicator_systems (created_at, id);
CREATE INDEX ix_indicator_systems_name ON indicator_systems (name, id);
CREATE INDEX ix_indicator_systems_unit ON indicator_systems (issuing_unit_id);

CREATE TABLE indicators (
    id                  TEXT     NOT NULL PRIMARY KEY,
    system_id           TEXT     NOT NULL REFERENCES indicator_systems (id),
    parent_id           TEXT     REFERENCES indicators (id),
    code                TEXT     NOT NULL,
    name                TEXT     NOT NULL,
    level               INTEGER  NOT NULL,
    content             TEXT,
    criteria            TEXT,
    points              TEXT     NOT NULL,
    measure_unit        TEXT,
    value_type          TEXT     NOT NULL,
    direction           TEXT     NOT NULL,
    aggregation         TEXT     NOT NULL,
    frequency           TEXT     NOT NULL,
    evidence_required   INTEGER  NOT NULL DEFAULT 0,
    lead_unit_id        TEXT     REFERENCES units (id),
    source_indicator_id TEXT,
    sort_order          INTEGER  NOT NULL,
    search_text         TEXT     NOT NULL,
    version             INTEGER  NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_indicators_code ON indicators (system_id, level, code);
CREATE INDEX ix_indicators_tree ON indicators (system_id, sort_order, code, id);
CREATE INDEX ix_indicators_parent ON indicators (parent_id);
CREATE INDEX ix_indicators_lead_unit ON indicators (lead_unit_id);
CREATE INDEX ix_indicators_source ON indicators (source_indicator_id);

-- The units that must report an indicator.
CREATE TABLE indicator_reporting_units (
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    unit_id      TEXT NOT NULL REFERENCES units (id),
    PRIMARY KEY (indicator_id, unit_id)
);
CREATE INDEX ix_indicator_reporting_units_unit ON indicator_reporting_units (unit_id);

-- +goose Down
DROP TABLE indicator_reporting_units;
DROP TABLE indicators;
DROP TABLE indicator_systems;
