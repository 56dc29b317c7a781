-- +goose Up
-- Applications (适用) of the items of released checklist versions: one row
-- for each case in which a unit applied an item, such as a minor violation
-- left unpunished under a 不予处罚 list. list_id and checklist_id repeat the
-- item's, so that a list's figures across its versions and a version's are
-- read without a join. The beneficiaries are counted by type (legal persons
-- 法人; natural persons 自然人, with unincorporated organisations 非法人组织
-- counted among them, as reports count them) and the amount waived is held
-- in fen (分), so that sums are exact integers; case_number, when a unit
-- gives one, names one case of that unit only once.
CREATE TABLE checklist_applications (
    id              TEXT     NOT NULL PRIMARY KEY,
    list_id         TEXT     NOT NULL,
    checklist_id    TEXT     NOT NULL REFERENCES checklists (id),
    item_id         TEXT     NOT NULL REFERENCES checklist_items (id),
    unit_id         TEXT     NOT NULL REFERENCES units (id),
    case_number     TEXT     NULL,
    case_date       TEXT     NOT NULL,
    legal_persons   INTEGER  NOT NULL,
    natural_persons INTEGER  NOT NULL,
    amount_fen      INTEGER  NOT NULL,
    remark          TEXT     NOT NULL,
    created_by      TEXT     NOT NULL,
    sample_data     BOOLEAN  NOT NULL,
    version         INTEGER  NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_checklist_applications_case ON checklist_applications (unit_id, case_number);
CREATE INDEX ix_checklist_applications_date ON checklist_applications (case_date, id);
CREATE INDEX ix_checklist_applications_list ON checklist_applications (list_id, case_date, id);
CREATE INDEX ix_checklist_applications_checklist ON checklist_applications (checklist_id, case_date, id);
CREATE INDEX ix_checklist_applications_item ON checklist_applications (item_id, case_date, id);
CREATE INDEX ix_checklist_applications_unit ON checklist_applications (unit_id, case_date, id);

-- +goose Down
DROP TABLE checklist_applications;
