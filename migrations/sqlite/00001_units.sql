-- +goose Up
CREATE TABLE units (
    id          TEXT    NOT NULL PRIMARY KEY,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    short_name  TEXT,
    kind        TEXT    NOT NULL,
    parent_id   TEXT    REFERENCES units (id),
    level       INTEGER NOT NULL,
    path        TEXT    NOT NULL,
    search_text TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_units_code ON units (code);
CREATE INDEX ix_units_parent ON units (parent_id, code, id);
CREATE INDEX ix_units_path ON units (path);
CREATE INDEX ix_units_name ON units (name, id);
CREATE INDEX ix_units_level ON units (level, id);
CREATE INDEX ix_units_created ON units (created_at, id);
CREATE INDEX ix_units_updated ON units (updated_at, id);

-- +goose Down
DROP TABLE units;
