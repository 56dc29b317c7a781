-- +goose Up
-- Annual reports on building a government under the rule of law (法治政府建设
-- 年度报告): one per unit and year, its text (the five parts with the records
-- each sentence and figure came from) kept as JSON, and every saved text
-- kept as a version.
CREATE TABLE annual_reports (
    id            TEXT     NOT NULL PRIMARY KEY,
    unit_id       TEXT     NOT NULL REFERENCES units (id),
    year          INTEGER  NOT NULL,
    status        TEXT     NOT NULL,
    content       TEXT     NOT NULL,
    signed_off_by TEXT     NULL,
    signed_off_at DATETIME NULL,
    submitted_by  TEXT     NULL,
    submitted_at  DATETIME NULL,
    published_by  TEXT     NULL,
    published_at  DATETIME NULL,
    created_by    TEXT     NOT NULL,
    sample_data   BOOLEAN  NOT NULL,
    version       INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_annual_reports_unit_year ON annual_reports (unit_id, year);
CREATE INDEX ix_annual_reports_created ON annual_reports (created_at, id);

CREATE TABLE annual_report_versions (
    report_id TEXT     NOT NULL REFERENCES annual_reports (id),
    version   INTEGER  NOT NULL,
    part      INTEGER  NOT NULL,
    content   TEXT     NOT NULL,
    saved_by  TEXT     NOT NULL,
    saved_at  DATETIME NOT NULL,
    PRIMARY KEY (report_id, version)
);

-- +goose Down
DROP TABLE annual_report_versions;
DROP TABLE annual_reports;
