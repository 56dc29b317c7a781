-- +goose Up
CREATE TABLE units (
    id          CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    code        VARCHAR(64)   NOT NULL,
    name        VARCHAR(100)  NOT NULL,
    short_name  VARCHAR(50)   NULL,
    kind        VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    parent_id   CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    level       INT           NOT NULL,
    path        VARCHAR(600)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    search_text VARCHAR(400)  NOT NULL,
    version     BIGINT        NOT NULL,
    created_at  DATETIME(6)   NOT NULL,
    updated_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_units_code (code),
    KEY ix_units_parent (parent_id, code, id),
    KEY ix_units_path (path),
    KEY ix_units_name (name, id),
    KEY ix_units_level (level, id),
    KEY ix_units_created (created_at, id),
    KEY ix_units_updated (updated_at, id),
    CONSTRAINT fk_units_parent FOREIGN KEY (parent_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE units;
