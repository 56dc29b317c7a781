-- +goose Up
-- An account made for someone else (imported, or reset) carries a password
-- its owner must replace at the first sign-in: until then the session only
-- reaches the operations that change it.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN must_change_password;
