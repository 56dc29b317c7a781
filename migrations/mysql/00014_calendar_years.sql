-- +goose Up
-- Holiday schedules entered by administrators (法定节假日安排), one row a year,
-- for the years the working-day calendar (package workdays) does not carry
-- yet, or a published correction: the row's days take the place of the
-- calendar's own for its year. days is a JSON array of {date, name, work}.
CREATE TABLE calendar_years (
    year       INT         NOT NULL,
    days       TEXT        NOT NULL,
    updated_by VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version    BIGINT      NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (year)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE calendar_years;
