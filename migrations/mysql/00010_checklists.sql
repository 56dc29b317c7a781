-- +goose Up
-- Checklist kinds administrators define; the built-in kinds live in the code
-- (models.BuiltInKinds), and a defined kind may not take a built-in's key.
-- columns is the kind's column list as JSON the application validates.
CREATE TABLE checklist_kinds (
    kind_key    VARCHAR(40)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(100)  NOT NULL,
    description VARCHAR(1000) NOT NULL,
    built_in    BOOLEAN       NOT NULL,
    columns     MEDIUMTEXT    NOT NULL,
    version     BIGINT        NOT NULL,
    created_at  DATETIME(6)   NOT NULL,
    updated_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (kind_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per version of a list (清单); every version of a list shares
-- list_id, the id of its first version, and is numbered by version_no.
CREATE TABLE checklists (
    id              CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    list_id         CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version_no      INT           NOT NULL,
    kind_key        VARCHAR(40)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title           VARCHAR(200)  NOT NULL,
    issuing_unit_id CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    document_number VARCHAR(100)  NOT NULL,
    year            INT           NOT NULL,
    effective_date  CHAR(10)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    status          VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    submitted_by    VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    submitted_at    DATETIME(6)   NULL,
    reviewed_by     VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    reviewed_at     DATETIME(6)   NULL,
    review_comment  TEXT          NULL,
    published_at    DATETIME(6)   NULL,
    ended_at        DATETIME(6)   NULL,
    sample_data     BOOLEAN       NOT NULL,
    version         BIGINT        NOT NULL,
    created_at      DATETIME(6)   NOT NULL,
    updated_at      DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_checklists_list_version (list_id, version_no),
    KEY ix_checklists_kind (kind_key, year, id),
    KEY ix_checklists_unit (issuing_unit_id, id),
    KEY ix_checklists_status (status, id),
    CONSTRAINT fk_checklists_unit FOREIGN KEY (issuing_unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The items of one version of a list. item_key is the same in every version
-- that carries the item, which is how versions are compared; search_text is
-- the folded text q searches (name, legal basis, category, searchable
-- columns).
CREATE TABLE checklist_items (
    id                   CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    checklist_id         CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    item_key             CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sequence             INT          NOT NULL,
    name                 VARCHAR(500) NOT NULL,
    implementing_unit_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    legal_basis          TEXT         NOT NULL,
    remark               TEXT         NOT NULL,
    category             VARCHAR(100) NOT NULL,
    attributes           MEDIUMTEXT   NOT NULL,
    search_text          MEDIUMTEXT   NOT NULL,
    version              BIGINT       NOT NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_checklist_items_key (checklist_id, item_key),
    KEY ix_checklist_items_sequence (checklist_id, sequence, id),
    KEY ix_checklist_items_unit (checklist_id, implementing_unit_id, id),
    KEY ix_checklist_items_category (checklist_id, category, id),
    CONSTRAINT fk_checklist_items_checklist FOREIGN KEY (checklist_id) REFERENCES checklists (id) ON DELETE CASCADE,
    CONSTRAINT fk_checklist_items_unit FOREIGN KEY (implementing_unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE checklist_items;
DROP TABLE checklists;
DROP TABLE checklist_kinds;
