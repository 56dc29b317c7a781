-- +goose Up
-- Yearly work plans (年度工作要点, 工作安排, 任务分工方案) and their tasks: a plan
-- of a unit and year, optionally derived from the plan of the level above;
-- its tasks nest by number (1, 1.2), name lead and cooperating units, link
-- indicators and checklist versions, and carry over into the next year's
-- plan when the year closes unfinished.
CREATE TABLE plans (
    id                   TEXT     NOT NULL PRIMARY KEY,
    unit_id              TEXT     NOT NULL REFERENCES units (id),
    year                 INTEGER  NOT NULL,
    title                TEXT     NOT NULL,
    document_number      TEXT     NULL,
    kind                 TEXT     NOT NULL,
    status               TEXT     NOT NULL,
    parent_plan_id       TEXT     NULL REFERENCES plans (id),
    published_by         TEXT     NULL,
    published_at         DATETIME NULL,
    closed_by            TEXT     NULL,
    closed_at            DATETIME NULL,
    carried_into_plan_id TEXT     NULL REFERENCES plans (id),
    created_by           TEXT     NOT NULL,
    sample_data          BOOLEAN  NOT NULL,
    version              INTEGER  NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX ix_plans_created ON plans (created_at, id);
CREATE INDEX ix_plans_unit ON plans (unit_id, year);
CREATE INDEX ix_plans_parent ON plans (parent_plan_id);

CREATE TABLE plan_tasks (
    id                   TEXT     NOT NULL PRIMARY KEY,
    plan_id              TEXT     NOT NULL REFERENCES plans (id),
    number               TEXT     NOT NULL,
    title                TEXT     NOT NULL,
    content              TEXT     NOT NULL,
    deadline             TEXT     NULL,
    ongoing              BOOLEAN  NOT NULL,
    supervised           BOOLEAN  NOT NULL,
    status               TEXT     NOT NULL,
    cancel_reason        TEXT     NULL,
    completed_by         TEXT     NULL,
    completed_at         DATETIME NULL,
    source_task_id       TEXT     NULL REFERENCES plan_tasks (id),
    carried_from_task_id TEXT     NULL REFERENCES plan_tasks (id),
    due                  TEXT     NOT NULL,
    tree_key             TEXT     NOT NULL,
    version              INTEGER  NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_plan_tasks_tree ON plan_tasks (tree_key);
CREATE INDEX ix_plan_tasks_due ON plan_tasks (due, id);
CREATE INDEX ix_plan_tasks_plan ON plan_tasks (plan_id, tree_key);
CREATE INDEX ix_plan_tasks_source ON plan_tasks (source_task_id);
CREATE INDEX ix_plan_tasks_carried ON plan_tasks (carried_from_task_id);

CREATE TABLE plan_task_units (
    task_id  TEXT    NOT NULL REFERENCES plan_tasks (id),
    unit_id  TEXT    NOT NULL REFERENCES units (id),
    role     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX ix_plan_task_units_unit ON plan_task_units (unit_id, role, task_id);

CREATE TABLE plan_task_indicators (
    task_id      TEXT    NOT NULL REFERENCES plan_tasks (id),
    indicator_id TEXT    NOT NULL REFERENCES indicators (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (task_id, indicator_id)
);
CREATE INDEX ix_plan_task_indicators_indicator ON plan_task_indicators (indicator_id);

CREATE TABLE plan_task_checklists (
    task_id      TEXT    NOT NULL REFERENCES plan_tasks (id),
    checklist_id TEXT    NOT NULL REFERENCES checklists (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (task_id, checklist_id)
);
CREATE INDEX ix_plan_task_checklists_checklist ON plan_task_checklists (checklist_id);

-- +goose Down
DROP TABLE plan_task_checklists;
DROP TABLE plan_task_indicators;
DROP TABLE plan_task_units;
DROP TABLE plan_tasks;
DROP TABLE plans;
