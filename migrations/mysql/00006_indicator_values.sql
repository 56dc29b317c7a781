-- +goose Up
-- Reported values (填報): one per indicator, unit and period. value keeps the
-- decimal as entered; value_key is its sortable form, to compare in SQL.
CREATE TABLE indicator_values (
    id            CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    indicator_id  CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    system_id     CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id       CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    period        VARCHAR(7)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year          INT           NOT NULL,
    value         VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    value_key     CHAR(22)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    yes_no        BOOLEAN       NULL,
    text_value    TEXT          NULL,
    qualifier     VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    raw_text      VARCHAR(1000) NULL,
    as_of         DATE          NULL,
    comment       VARCHAR(2000) NULL,
    self_score    VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    review_score  VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    status        VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    return_reason VARCHAR(1000) NULL,
    flags         TEXT          NOT NULL,
    flagged       BOOLEAN       NOT NULL DEFAULT FALSE,
    submitted_by  VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    submitted_at  DATETIME(6)   NULL,
    reviewed_by   VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    reviewed_at   DATETIME(6)   NULL,
    version       BIGINT        NOT NULL,
    created_at    DATETIME(6)   NOT NULL,
    updated_at    DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_indicator_values (indicator_id, unit_id, period),
    KEY ix_indicator_values_unit (unit_id, year, id),
    KEY ix_indicator_values_system (system_id, year, status),
    CONSTRAINT fk_values_indicator FOREIGN KEY (indicator_id) REFERENCES indicators (id),
    CONSTRAINT fk_values_system FOREIGN KEY (system_id) REFERENCES indicator_systems (id),
    CONSTRAINT fk_values_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE indicator_values;
