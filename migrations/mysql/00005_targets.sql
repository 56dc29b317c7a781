-- +goose Up
-- Targets (目標值) per indicator, year and unit; unit_key is the unit's id, or
-- '*' for the default of every unit, so that the unique key also covers defaults.
CREATE TABLE targets (
    id           CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    indicator_id CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year         INT           NOT NULL,
    unit_id      CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    unit_key     VARCHAR(36)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    comparator   VARCHAR(10)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    value        VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    value_to     VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    sample       BOOLEAN       NOT NULL DEFAULT FALSE,
    note         VARCHAR(1000) NULL,
    version      BIGINT        NOT NULL,
    created_at   DATETIME(6)   NOT NULL,
    updated_at   DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_targets (indicator_id, year, unit_key),
    KEY ix_targets_unit (unit_id),
    CONSTRAINT fk_targets_indicator FOREIGN KEY (indicator_id) REFERENCES indicators (id),
    CONSTRAINT fk_targets_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE targets;
