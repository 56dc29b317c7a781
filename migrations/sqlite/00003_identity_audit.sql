-- +goose Up
CREATE TABLE users (
    id            TEXT     NOT NULL PRIMARY KEY,
    username      TEXT     NOT NULL,
    display_name  TEXT     NOT NULL,
    unit_id       TEXT     NOT NULL REFERENCES units (id),
    roles         TEXT     NOT NULL,
    role_set      TEXT     NOT NULL,
    password_hash TEXT     NOT NULL,
    disabled      INTEGER  NOT NULL DEFAULT 0,
    demo          INTEGER  NOT NULL DEFAULT 0,
    last_login_at DATETIME,
    search_text   TEXT     NOT NULL,
    version       INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_username ON users (username);
CREATE INDEX ix_users_unit ON users (unit_id, username);
CREATE INDEX ix_users_created ON users (created_at, id);

CREATE TABLE sessions (
    id         TEXT     NOT NULL PRIMARY KEY,
    token_hash TEXT     NOT NULL,
    user_id    TEXT     NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE UNIQUE INDEX uq_sessions_token ON sessions (token_hash);
CREATE INDEX ix_sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
    id                TEXT     NOT NULL PRIMARY KEY,
    name              TEXT     NOT NULL,
    prefix            TEXT     NOT NULL,
    secret_hash       TEXT     NOT NULL,
    scopes            TEXT     NOT NULL,
    allowed_addresses TEXT     NOT NULL,
    expires_at        DATETIME,
    created_by        TEXT     NOT NULL,
    last_used_at      DATETIME,
    revoked_at        DATETIME,
    created_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_api_keys_prefix ON api_keys (prefix);
CREATE INDEX ix_api_keys_created ON api_keys (created_at, id);

-- The audit chain: events in sequence, each hashed with the one before. The
-- single row of audit_chain is the head; writers lock it to append.
CREATE TABLE audit_events (
    seq            INTEGER  NOT NULL PRIMARY KEY,
    id             TEXT     NOT NULL,
    occurred_at    DATETIME NOT NULL,
    actor_type     TEXT     NOT NULL,
    actor_id       TEXT     NOT NULL,
    actor_name     TEXT     NOT NULL,
    operation      TEXT     NOT NULL,
    entity_type    TEXT     NOT NULL,
    entity_id      TEXT     NOT NULL,
    unit_id        TEXT,
    unit_path      TEXT     NOT NULL,
    before_json    TEXT     NOT NULL,
    after_json     TEXT     NOT NULL,
    request_id     TEXT     NOT NULL,
    client_address TEXT     NOT NULL,
    prev_hash      TEXT     NOT NULL,
    hash           TEXT     NOT NULL
);
CREATE UNIQUE INDEX uq_audit_events_id ON audit_events (id);
CREATE INDEX ix_audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX ix_audit_events_unit_path ON audit_events (unit_path, seq);
CREATE INDEX ix_audit_events_time ON audit_events (occurred_at, seq);

CREATE TABLE audit_chain (
    id        INTEGER NOT NULL PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Counters shared by every instance: API-key request rates and sign-in failures.
CREATE TABLE rate_counters (
    bucket       TEXT     NOT NULL,
    window_start DATETIME NOT NULL,
    hits         INTEGER  NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE TABLE login_throttle (
    subject         TEXT     NOT NULL PRIMARY KEY,
    failures        INTEGER  NOT NULL,
    last_failure_at DATETIME NOT NULL,
    locked_until    DATETIME
);

-- +goose Down
DROP TABLE login_throttle;
DROP TABLE rate_counters;
DROP TABLE audit_chain;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
