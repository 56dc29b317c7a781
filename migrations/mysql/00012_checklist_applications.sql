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
    id              CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    list_id         CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    checklist_id    CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    item_id         CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id         CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    case_number     VARCHAR(100) NULL,
    case_date       CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    legal_persons   INT          NOT NULL,
    natural_persons INT          NOT NULL,
    amount_fen      BIGINT       NOT NULL,
    remark          TEXT         NOT NULL,
    created_by      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data     BOOLEAN      NOT NULL,
    version         BIGINT       NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_checklist_applications_case (unit_id, case_number),
    KEY ix_checklist_applications_date (case_date, id),
    KEY ix_checklist_applications_list (list_id, case_date, id),
    KEY ix_checklist_applications_checklist (checklist_id, case_date, id),
    KEY ix_checklist_applications_item (item_id, case_date, id),
    KEY ix_checklist_applications_unit (unit_id, case_date, id),
    CONSTRAINT fk_checklist_applications_checklist FOREIGN KEY (checklist_id) REFERENCES checklists (id),
    CONSTRAINT fk_checklist_applications_item FOREIGN KEY (item_id) REFERENCES checklist_items (id),
    CONSTRAINT fk_checklist_applications_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE checklist_applications;
