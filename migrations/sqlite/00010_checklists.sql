-- +goose Up
-- Checklist kinds administrators define; the built-in kinds live in the code
-- (models.BuiltInKinds), and a defined kind may not take a built-in's key.
-- columns is the kind's column list as JSON the application validates.
CREATE TABLE checklist_kinds (
    kind_key    TEXT     NOT NULL PRIMARY KEY,
    name        TEXT     NOT NULL,
    description TEXT     NOT NULL,
    built_in    BOOLEAN  NOT NULL,
    columns     TEXT     NOT NULL,
    version     INTEGER  NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- One row per version of a list (清单); every version of a list shares
-- list_id, the id of its first version, and is numbered by version_no.
CREATE TABLE checklists (
    id              TEXT     NOT NULL PRIMARY KEY,
    list_id         TEXT     NOT NULL,
    version_no      INTEGER  NOT NULL,
    kind_key        TEXT     NOT NULL,
    title           TEXT     NOT NULL,
    issuing_unit_id TEXT     NOT NULL REFERENCES units (id),
    document_number TEXT     NOT NULL,
    year            INTEGER  NOT NULL,
    effective_date  TEXT     NULL,
    status          TEXT     NOT NULL,
    submitted_by    TEXT     NULL,
    submitted_at    DATETIME NULL,
    reviewed_by     TEXT     NULL,
    reviewed_at     DATETIME NULL,
    review_comment  TEXT     NULL,
    published_at    DATETIME NULL,
    ended_at        DATETIME NULL,
    sample_data     BOOLEAN  NOT NULL,
    version         INTEGER  NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_checklists_list_version ON checklists (list_id, version_no);
CREATE INDEX ix_checklists_kind ON checklists (kind_key, year, id);
CREATE INDEX ix_checklists_unit ON checklists (issuing_unit_id, id);
CREATE INDEX ix_checklists_status ON checklists (status, id);

-- The items of one version of a list. item_key is the same in every version
-- that carries the item, which is how versions are compared; search_text is
-- the folded text q searches (name, legal basis, category, searchable
-- columns).
CREATE TABLE checklist_items (
    id                   TEXT     NOT NULL PRIMARY KEY,
    checklist_id         TEXT     NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    item_key             TEXT     NOT NULL,
    sequence             INTEGER  NOT NULL,
    name                 TEXT     NOT NULL,
    implementing_unit_id TEXT     NULL REFERENCES units (id),
    legal_basis          TEXT     NOT NULL,
    remark               TEXT     NOT NULL,
    category             TEXT     NOT NULL,
    attributes           TEXT     NOT NULL,
    search_text          TEXT     NOT NULL,
    version              INTEGER  NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_checklist_items_key ON checklist_items (checklist_id, item_key);
CREATE INDEX ix_checklist_items_sequence ON checklist_items (checklist_id, sequence, id);
CREATE INDEX ix_checklist_items_unit ON checklist_items (checklist_id, implementing_unit_id, id);
CREATE INDEX ix_checklist_items_category ON checklist_items (checklist_id, category, id);

-- +goose Down
DROP TABLE checklist_items;
DROP TABLE checklists;
DROP TABLE checklist_kinds;
