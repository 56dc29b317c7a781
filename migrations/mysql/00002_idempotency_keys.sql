-- +goose Up
-- Idempotency-Key records (API-GUIDE, Writes): kept in the database so that every
-- instance behind the load balancer sees the same keys.
CREATE TABLE idempotency_keys (
    scope        VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    idem_key     VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state        VARCHAR(10)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status       INT          NULL,
    headers      TEXT         NULL,
    body         MEDIUMBLOB   NULL,
    created_at   DATETIME(6)  NOT NULL,
    expires_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (scope, idem_key),
    KEY ix_idempotency_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE idempotency_keys;
