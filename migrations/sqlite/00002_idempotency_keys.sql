-- +goose Up
-- Idempotency-Key records (API-GUIDE, Writes): kept in the database so that every
-- instance behind the load balancer sees the same keys.
CREATE TABLE idempotency_keys (
    scope        TEXT     NOT NULL,
    idem_key     TEXT     NOT NULL,
    request_hash TEXT     NOT NULL,
    state        TEXT     NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         BLOB,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX ix_idempotency_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
