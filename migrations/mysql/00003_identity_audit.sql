-- +goose Up
CREATE TABLE users (
    id            CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    username      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    display_name  VARCHAR(100) NOT NULL,
    unit_id       CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    roles         VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    role_set      VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    demo          BOOLEAN      NOT NULL DEFAULT FALSE,
    last_login_at DATETIME(6)  NULL,
    search_text   VARCHAR(400) NOT NULL,
    version       BIGINT       NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_username (username),
    KEY ix_users_unit (unit_id, username),
    KEY ix_users_created (created_at, id),
    CONSTRAINT fk_users_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE sessions (
    id         CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token_hash CHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id    CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_sessions_token (token_hash),
    KEY ix_sessions_user (user_id),
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE api_keys (
    id                CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name              VARCHAR(100) NOT NULL,
    prefix            VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    secret_hash       CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    scopes            VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    allowed_addresses TEXT         CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    expires_at        DATETIME(6)  NULL,
    created_by        CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    last_used_at      DATETIME(6)  NULL,
    revoked_at        DATETIME(6)  NULL,
    created_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_api_keys_prefix (prefix),
    KEY ix_api_keys_created (created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The audit chain: events in sequence, each hashed with the one before. The
-- single row of audit_chain is the head; writers lock it to append.
CREATE TABLE audit_events (
    seq            BIGINT       NOT NULL,
    id             CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    occurred_at    DATETIME(6)  NOT NULL,
    actor_type     VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    actor_id       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    actor_name     VARCHAR(100) NOT NULL,
    operation      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    entity_type    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    entity_id      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id        CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    unit_path      VARCHAR(600) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    before_json    MEDIUMTEXT   NOT NULL,
    after_json     MEDIUMTEXT   NOT NULL,
    request_id     VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_address VARCHAR(45)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    prev_hash      CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    hash           CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY uq_audit_events_id (id),
    KEY ix_audit_events_entity (entity_type, entity_id, seq),
    KEY ix_audit_events_actor (actor_id, seq),
    KEY ix_audit_events_unit_path (unit_path, seq),
    KEY ix_audit_events_time (occurred_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE audit_chain (
    id        INT      NOT NULL,
    last_seq  BIGINT   NOT NULL,
    last_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Counters shared by every instance: API-key request rates and sign-in failures.
CREATE TABLE rate_counters (
    bucket       VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    window_start DATETIME(6)  NOT NULL,
    hits         BIGINT       NOT NULL,
    PRIMARY KEY (bucket, window_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE login_throttle (
    subject         VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    failures        INT          NOT NULL,
    last_failure_at DATETIME(6)  NOT NULL,
    locked_until    DATETIME(6)  NULL,
    PRIMARY KEY (subject)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE login_throttle;
DROP TABLE rate_counters;
DROP TABLE audit_chain;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
