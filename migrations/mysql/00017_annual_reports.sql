-- +goose Up
-- Annual reports on building a government under the rule of law (法治政府建设
-- 年度报告): one per unit and year, its text (the five parts with the records
-- each sentence and figure came from) kept as JSON, and every saved text
-- kept as a version.
CREATE TABLE annual_reports (
    id            CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id       CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year          INT         NOT NULL,
    status        VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content       LONGTEXT    NOT NULL,
    signed_off_by VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    signed_off_at DATETIME(6) NULL,
    submitted_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    submitted_at  DATETIME(6) NULL,
    published_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    published_at  DATETIME(6) NULL,
    created_by    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data   BOOLEAN     NOT NULL,
    version       BIGINT      NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_annual_reports_unit_year (unit_id, year),
    KEY ix_annual_reports_created (created_at, id),
    CONSTRAINT fk_annual_reports_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE annual_report_versions (
    report_id CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version   BIGINT      NOT NULL,
    part      INT         NOT NULL,
    content   LONGTEXT    NOT NULL,
    saved_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    saved_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (report_id, version),
    CONSTRAINT fk_annual_report_versions_report FOREIGN KEY (report_id) REFERENCES annual_reports (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE annual_report_versions;
DROP TABLE annual_reports;
