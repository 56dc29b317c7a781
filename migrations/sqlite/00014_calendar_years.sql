-- +goose Up
-- Holiday schedules entered by administrators (法定节假日安排), one row a year,
-- for the years the working-day calendar (package workdays) does not carry
-- yet, or a published correction: the row's days take the place of the
-- calendar's own for its year. days is a JSON array of {date, name, work}.
CREATE TABLE calendar_years (
    year       INTEGER  NOT NULL PRIMARY KEY,
    days       TEXT     NOT NULL,
    updated_by TEXT     NOT NULL,
    version    INTEGER  NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE calendar_years;
