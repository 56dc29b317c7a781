-- +goose Up
-- Progress reports on plan tasks (each lead and cooperating unit reports
-- separately, once per period) and problem records (存在问题) with their
-- rectification; both carry files of evidence, whose bytes live in the blob
-- store.
CREATE TABLE progress_reports (
    id            CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    task_id       CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id       CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    period        VARCHAR(8)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    period_end    CHAR(10)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content       TEXT        NOT NULL,
    percent       INT         NOT NULL,
    problems      TEXT        NOT NULL,
    next_steps    TEXT        NOT NULL,
    status        VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    submitted_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    submitted_at  DATETIME(6) NULL,
    reviewed_by   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    reviewed_at   DATETIME(6) NULL,
    return_reason TEXT        NULL,
    created_by    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data   BOOLEAN     NOT NULL,
    version       BIGINT      NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_progress_reports_period (task_id, unit_id, period),
    KEY ix_progress_reports_created (created_at, id),
    KEY ix_progress_reports_unit (unit_id, status),
    CONSTRAINT fk_progress_reports_task FOREIGN KEY (task_id) REFERENCES plan_tasks (id),
    CONSTRAINT fk_progress_reports_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE problems (
    id                    CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id               CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year                  INT          NOT NULL,
    source                VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title                 VARCHAR(200) NOT NULL,
    detail                TEXT         NOT NULL,
    category              VARCHAR(50)  NOT NULL,
    measures              TEXT         NOT NULL,
    rectification_task_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    status                VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    rectifying_since      DATETIME(6)  NULL,
    signed_off_by         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    signed_off_at         DATETIME(6)  NULL,
    sign_off_note         TEXT         NULL,
    created_by            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data           BOOLEAN      NOT NULL,
    version               BIGINT       NOT NULL,
    created_at            DATETIME(6)  NOT NULL,
    updated_at            DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_problems_created (created_at, id),
    KEY ix_problems_unit (unit_id, year),
    KEY ix_problems_task (rectification_task_id),
    CONSTRAINT fk_problems_unit FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT fk_problems_task FOREIGN KEY (rectification_task_id) REFERENCES plan_tasks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE problem_indicators (
    problem_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    indicator_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position     INT      NOT NULL,
    PRIMARY KEY (problem_id, indicator_id),
    KEY ix_problem_indicators_indicator (indicator_id),
    CONSTRAINT fk_problem_indicators_problem FOREIGN KEY (problem_id) REFERENCES problems (id),
    CONSTRAINT fk_problem_indicators_indicator FOREIGN KEY (indicator_id) REFERENCES indicators (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE problem_tasks (
    problem_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    task_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position   INT      NOT NULL,
    PRIMARY KEY (problem_id, task_id),
    KEY ix_problem_tasks_task (task_id),
    CONSTRAINT fk_problem_tasks_problem FOREIGN KEY (problem_id) REFERENCES problems (id),
    CONSTRAINT fk_problem_tasks_task FOREIGN KEY (task_id) REFERENCES plan_tasks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE plan_evidence (
    id           CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    record_type  VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    record_id    CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    filename     VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size         BIGINT       NOT NULL,
    sha256       CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    blob_key     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_by   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_plan_evidence_blob (blob_key),
    KEY ix_plan_evidence_record (record_type, record_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE plan_evidence;
DROP TABLE problem_tasks;
DROP TABLE problem_indicators;
DROP TABLE problems;
DROP TABLE progress_reports;
