-- +goose Up
-- Scoring rules live with the system they score: each indicator's method and
-- parameters, and the system's grades, as JSON the application validates.
ALTER TABLE indicator_systems ADD COLUMN grade_bands TEXT NULL;
ALTER TABLE indicators ADD COLUMN scoring TEXT NULL;

-- An evaluation (考核評價) of a system's year for a set of units. Drafts are
-- computed on demand from approved values; publishing freezes the results in
-- evaluation_results and locks the values they used.
CREATE TABLE evaluations (
    id               CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    system_id        CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    year             INT          NOT NULL,
    name             VARCHAR(200) NOT NULL,
    status           VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_ids         MEDIUMTEXT   NOT NULL,
    supersedes_id    CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    superseded_by_id CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    published_at     DATETIME(6)  NULL,
    published_by     VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    version          BIGINT       NOT NULL,
    created_at       DATETIME(6)  NOT NULL,
    updated_at       DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_evaluations_system (system_id, year, id),
    CONSTRAINT fk_evaluations_system FOREIGN KEY (system_id) REFERENCES indicator_systems (id),
    CONSTRAINT fk_evaluations_supersedes FOREIGN KEY (supersedes_id) REFERENCES evaluations (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per unit of a published evaluation: its total, rank and grade, and
-- its level-1 area scores (for the ranking) and its whole scorecard (every
-- indicator's score with its explanation), each as the JSON the API answers.
CREATE TABLE evaluation_results (
    evaluation_id CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_id       CHAR(36)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    position      INT         NOT NULL,
    total         VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unit_rank     INT         NOT NULL,
    grade         VARCHAR(20) NULL,
    areas         TEXT        NOT NULL,
    card          MEDIUMTEXT  NOT NULL,
    PRIMARY KEY (evaluation_id, unit_id),
    UNIQUE KEY uq_evaluation_results_position (evaluation_id, position),
    CONSTRAINT fk_evaluation_results_evaluation FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE,
    CONSTRAINT fk_evaluation_results_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE evaluation_results;
DROP TABLE evaluations;
ALTER TABLE indicators DROP COLUMN scoring;
ALTER TABLE indicator_systems DROP COLUMN grade_bands;
