-- +goose Up
-- Yearly work plans (年度工作要点, 工作安排, 任务分工方案) and their tasks: a plan
-- of a unit and year, optionally derived from the plan of the level above;
-- its tasks nest by number (1, 1.2), name lead and cooperating units, link
-- indicators and checklist versions, and carry over into the next year's
-- plan when the year closes unfinished.
CREATE TABLE plans (
    id                   CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id              CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year                 INT          NOT NULL,
    title                VARCHAR(200) NOT NULL,
    document_number      VARCHAR(100) NULL,
    kind                 VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status               VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    parent_plan_id       CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    published_by         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    published_at         DATETIME(6)  NULL,
    closed_by            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    closed_at            DATETIME(6)  NULL,
    carried_into_plan_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_by           VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data          BOOLEAN      NOT NULL,
    version              BIGINT       NOT NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_plans_created (created_at, id),
    KEY ix_plans_unit (unit_id, year),
    KEY ix_plans_parent (parent_plan_id),
    CONSTRAINT fk_plans_unit FOREIGN KEY (unit_id) REFERENCES units (id),
    CONSTRAINT fk_plans_parent FOREIGN KEY (parent_plan_id) REFERENCES plans (id),
    CONSTRAINT fk_plans_carried FOREIGN KEY (carried_into_plan_id) REFERENCES plans (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE plan_tasks (
    id                   CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    plan_id              CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    number               VARCHAR(24)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title                VARCHAR(200) NOT NULL,
    content              TEXT         NOT NULL,
    deadline             CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    ongoing              BOOLEAN      NOT NULL,
    supervised           BOOLEAN      NOT NULL,
    status               VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    cancel_reason        TEXT         NULL,
    completed_by         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    completed_at         DATETIME(6)  NULL,
    source_task_id       CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    carried_from_task_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    due                  CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    tree_key             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version              BIGINT       NOT NULL,
    created_at           DATETIME(6)  NOT NULL,
    updated_at           DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_plan_tasks_tree (tree_key),
    KEY ix_plan_tasks_due (due, id),
    KEY ix_plan_tasks_plan (plan_id, tree_key),
    KEY ix_plan_tasks_source (source_task_id),
    KEY ix_plan_tasks_carried (carried_from_task_id),
    CONSTRAINT fk_plan_tasks_plan FOREIGN KEY (plan_id) REFERENCES plans (id),
    CONSTRAINT fk_plan_tasks_source FOREIGN KEY (source_task_id) REFERENCES plan_tasks (id),
    CONSTRAINT fk_plan_tasks_carried FOREIGN KEY (carried_from_task_id) REFERENCES plan_tasks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE plan_task_units (
    task_id  CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id  CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    role     VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position INT         NOT NULL,
    PRIMARY KEY (task_id, unit_id),
    KEY ix_plan_task_units_unit (unit_id, role, task_id),
    CONSTRAINT fk_plan_task_units_task FOREIGN KEY (task_id) REFERENCES plan_tasks (id),
    CONSTRAINT fk_plan_task_units_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE plan_task_indicators (
    task_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    indicator_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position     INT      NOT NULL,
    PRIMARY KEY (task_id, indicator_id),
    KEY ix_plan_task_indicators_indicator (indicator_id),
    CONSTRAINT fk_plan_task_indicators_task FOREIGN KEY (task_id) REFERENCES plan_tasks (id),
    CONSTRAINT fk_plan_task_indicators_indicator FOREIGN KEY (indicator_id) REFERENCES indicators (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE plan_task_checklists (
    task_id      CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    checklist_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position     INT      NOT NULL,
    PRIMARY KEY (task_id, checklist_id),
    KEY ix_plan_task_checklists_checklist (checklist_id),
    CONSTRAINT fk_plan_task_checklists_task FOREIGN KEY (task_id) REFERENCES plan_tasks (id),
    CONSTRAINT fk_plan_task_checklists_checklist FOREIGN KEY (checklist_id) REFERENCES checklists (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE plan_task_checklists;
DROP TABLE plan_task_indicators;
DROP TABLE plan_task_units;
DROP TABLE plan_tasks;
DROP TABLE plans;
