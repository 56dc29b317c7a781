-- +goose Up
-- Evidence attached to a reported value (佐證材料). The bytes live in the blob
-- store under blob_key; filename is the name as uploaded, shown and sent back
-- in Content-Disposition, never used as a path.
CREATE TABLE attachments (
    id           CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    value_id     CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    filename     VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size         BIGINT       NOT NULL,
    sha256       CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    blob_key     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_by   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_attachments_blob (blob_key),
    KEY ix_attachments_value (value_id, id),
    CONSTRAINT fk_attachments_value FOREIGN KEY (value_id) REFERENCES indicator_values (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE attachments;
