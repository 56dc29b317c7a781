-- +goose Up
CREATE TABLE indicator_systems (
    id                  CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name                VARCHAR(200) NOT NULL,
    issuing_unit_id     CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    edition             VARCHAR(50)  NOT NULL,
    year_from           INT          NOT NULL,
    year_to             INT          NOT NULL,
    total_points        VARCHAR(24)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status              VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    previous_edition_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    published_at        DATETIME(6)  NULL,
    search_text         VARCHAR(600) NOT NULL,
    version             BIGINT       NOT NULL,
    created_at          DATETIME(6)  NOT NULL,
    updated_at          DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_indicator_systems_created (created_at, id),
    KEY ix_indicator_systems_name (name, id),
    KEY ix_indicator_systems_unit (issuing_unit_id),
    CONSTRAINT fk_indicator_systems_unit FOREIGN KEY (issuing_unit_id) REFERENCES units (id),
    CONSTRAINT fk_indicator_systems_previous FOREIGN KEY (previous_edition_id) REFERENCES indicator_systems (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE indicators (
    id                  CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    system_id           CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    parent_id           CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    code                VARCHAR(20)   NOT NULL,
    name                VARCHAR(200)  NOT NULL,
    level               INT           NOT NULL,
    content             TEXT          NULL,
    criteria            TEXT          NULL,
    points              VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    measure_unit        VARCHAR(20)   NULL,
    value_type          VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    direction           VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    aggregation         VARCHAR(20)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    frequency           VARCHAR(10)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    evidence_required   BOOLEAN       NOT NULL DEFAULT FALSE,
    lead_unit_id        CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    source_indicator_id CHAR(36)      CHARACTER SET ascii COLLATE ascii_bin NULL,
    sort_order          INT           NOT NULL,
    search_text         VARCHAR(600)  NOT NULL,
    version             BIGINT        NOT NULL,
    created_at          DATETIME(6)   NOT NULL,
    updated_at          DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_indicators_code (system_id, level, code),
    KEY ix_indicators_tree (system_id, sort_order, code, id),
    KEY ix_indicators_parent (parent_id),
    KEY ix_indicators_lead_unit (lead_unit_id),
    KEY ix_indicators_source (source_indicator_id),
    CONSTRAINT fk_indicators_system FOREIGN KEY (system_id) REFERENCES indicator_systems (id),
    CONSTRAINT fk_indicators_parent FOREIGN KEY (parent_id) REFERENCES indicators (id),
    CONSTRAINT fk_indicators_lead_unit FOREIGN KEY (lead_unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The units that must report an indicator.
CREATE TABLE indicator_reporting_units (
    indicator_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (indicator_id, unit_id),
    KEY ix_indicator_reporting_units_unit (unit_id),
    CONSTRAINT fk_iru_indicator FOREIGN KEY (indicator_id) REFERENCES indicators (id),
    CONSTRAINT fk_iru_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE indicator_reporting_units;
DROP TABLE indicators;
DROP TABLE indicator_systems;
