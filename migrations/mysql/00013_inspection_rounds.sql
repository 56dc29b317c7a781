-- +goose Up
-- Rounds of self-inspection and supervision (自查, 督察): an office assigns a
-- published checklist to units with a deadline; each unit has a sheet of
-- answers, one per item, which it submits and the office accepts or
-- returns; an answer may carry files of evidence, whose bytes live in the
-- blob store as the attachments of reported values do.
CREATE TABLE inspection_rounds (
    id                CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    checklist_id      CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title             VARCHAR(200) NOT NULL,
    assigning_unit_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    deadline          CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_by        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sample_data       BOOLEAN      NOT NULL,
    version           BIGINT       NOT NULL,
    created_at        DATETIME(6)  NOT NULL,
    updated_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_inspection_rounds_created (created_at, id),
    KEY ix_inspection_rounds_deadline (deadline, id),
    KEY ix_inspection_rounds_checklist (checklist_id, id),
    CONSTRAINT fk_inspection_rounds_checklist FOREIGN KEY (checklist_id) REFERENCES checklists (id),
    CONSTRAINT fk_inspection_rounds_unit FOREIGN KEY (assigning_unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inspection_sheets (
    id            CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    round_id      CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id       CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status        VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    submitted_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    submitted_at  DATETIME(6) NULL,
    reviewed_by   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    reviewed_at   DATETIME(6) NULL,
    return_reason TEXT        NULL,
    version       BIGINT      NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_inspection_sheets_unit (round_id, unit_id),
    KEY ix_inspection_sheets_unit (unit_id, id),
    CONSTRAINT fk_inspection_sheets_round FOREIGN KEY (round_id) REFERENCES inspection_rounds (id),
    CONSTRAINT fk_inspection_sheets_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inspection_answers (
    id          CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sheet_id    CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    item_id     CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    result      VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    comment     TEXT        NOT NULL,
    answered_by VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version     BIGINT      NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_inspection_answers_item (sheet_id, item_id),
    CONSTRAINT fk_inspection_answers_sheet FOREIGN KEY (sheet_id) REFERENCES inspection_sheets (id),
    CONSTRAINT fk_inspection_answers_item FOREIGN KEY (item_id) REFERENCES checklist_items (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inspection_evidence (
    id           CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    answer_id    CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    filename     VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size         BIGINT       NOT NULL,
    sha256       CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    blob_key     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_by   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_inspection_evidence_blob (blob_key),
    KEY ix_inspection_evidence_answer (answer_id, id),
    CONSTRAINT fk_inspection_evidence_answer FOREIGN KEY (answer_id) REFERENCES inspection_answers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE inspection_evidence;
DROP TABLE inspection_answers;
DROP TABLE inspection_sheets;
DROP TABLE inspection_rounds;
