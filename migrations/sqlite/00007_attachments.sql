-- +goose Up
-- Evidence attached to a reported value (佐證材料). The bytes live in the blob
-- store under blob_key; filename is the name as uploaded, shown and sent back
-- in Content-Disposition, never used as a path.
CREATE TABLE attachments (
    id           TEXT     NOT NULL PRIMARY KEY,
    value_id     TEXT     NOT NULL REFERENCES indicator_values (id),
    filename     TEXT     NOT NULL,
    content_type TEXT     NOT NULL,
    size         INTEGER  NOT NULL,
    sha256       TEXT     NOT NULL,
    blob_key     TEXT     NOT NULL,
    created_by   TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_attachments_blob ON attachments (blob_key);
CREATE INDEX ix_attachments_value ON attachments (value_id, id);

-- +goose Down
DROP TABLE attachments;
