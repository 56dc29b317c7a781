-- +goose Up
-- The bigram index of q (store.ListChecklistItems). A gram is a pair of
-- adjacent characters of an item's search_text, neither of them whitespace.
-- checklist_gram_counts holds, for each gram of a version, how many of its
-- items hold it, and whether it is common: held by more than 5,000 items
-- (store.gramMaxEntries), too many to be worth looking up, so that its
-- entries are not kept. checklist_item_grams holds the entries of the other
-- grams: one row for each item holding one. A query of two characters or
-- more reads its candidates through its rarest gram that is not common
-- instead of every item of the version, and keeps its LIKE on search_text,
-- so the entries must be complete: the store changes counts and entries
-- with the items, in the same transaction, and this migration builds both
-- for the items that exist already (below). Deleting an item deletes its
-- entries, and deleting a version its counts (ON DELETE CASCADE).
CREATE TABLE checklist_item_grams (
    checklist_id CHAR(36)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    gram         VARCHAR(2) NOT NULL,
    item_id      CHAR(36)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (checklist_id, gram, item_id),
    KEY ix_checklist_item_grams_item (item_id),
    CONSTRAINT fk_checklist_item_grams_item FOREIGN KEY (item_id) REFERENCES checklist_items (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE checklist_gram_counts (
    checklist_id CHAR(36)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    gram         VARCHAR(2) NOT NULL,
    items        INT        NOT NULL,
    common       BOOLEAN    NOT NULL,
    PRIMARY KEY (checklist_id, gram),
    CONSTRAINT fk_checklist_gram_counts_checklist FOREIGN KEY (checklist_id) REFERENCES checklists (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The backfill. checklist_gram_positions holds the character positions
-- 1…16^k, as far as the longest search_text needs (up to 16^6, more than a
-- MEDIUMTEXT holds), built by steps of ×16 that run only when some text is
-- longer, and dropped at the end.
CREATE TABLE checklist_gram_positions (
    n INT NOT NULL,
    PRIMARY KEY (n)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO checklist_gram_positions (n)
SELECT d.n FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
    UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10
    UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15
    UNION ALL SELECT 16) d
WHERE EXISTS (SELECT 1 FROM checklist_items);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 16 FROM checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15 AND EXISTS (SELECT 1 FROM checklist_items WHERE CHAR_LENGTH(search_text) > 16);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 256 FROM checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15 AND EXISTS (SELECT 1 FROM checklist_items WHERE CHAR_LENGTH(search_text) > 256);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 4096 FROM checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15 AND EXISTS (SELECT 1 FROM checklist_items WHERE CHAR_LENGTH(search_text) > 4096);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 65536 FROM checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15 AND EXISTS (SELECT 1 FROM checklist_items WHERE CHAR_LENGTH(search_text) > 65536);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 1048576 FROM checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15 AND EXISTS (SELECT 1 FROM checklist_items WHERE CHAR_LENGTH(search_text) > 1048576);

-- Every pair at positions n, n+1 of every item, neither character
-- whitespace: the whitespace a folded text can hold (textsearch.Fold
-- turns the others into spaces), as store.appendGrams skips unicode.IsSpace.
-- STRAIGHT_JOIN reads the items first and each one's positions by range.
INSERT IGNORE INTO checklist_item_grams (checklist_id, gram, item_id)
SELECT STRAIGHT_JOIN i.checklist_id, SUBSTRING(i.search_text, p.n, 2), i.id
FROM checklist_items i JOIN checklist_gram_positions p ON p.n < CHAR_LENGTH(i.search_text)
WHERE SUBSTRING(i.search_text, p.n, 1) NOT IN (' ', _utf8mb4 X'09', _utf8mb4 X'0A', _utf8mb4 X'0B', _utf8mb4 X'0C', _utf8mb4 X'0D',
        _utf8mb4 X'C285', _utf8mb4 X'E19A80', _utf8mb4 X'E280A8', _utf8mb4 X'E280A9')
    AND SUBSTRING(i.search_text, p.n + 1, 1) NOT IN (' ', _utf8mb4 X'09', _utf8mb4 X'0A', _utf8mb4 X'0B', _utf8mb4 X'0C', _utf8mb4 X'0D',
        _utf8mb4 X'C285', _utf8mb4 X'E19A80', _utf8mb4 X'E280A8', _utf8mb4 X'E280A9');

DROP TABLE checklist_gram_positions;

-- The counts, then the entries of the common grams go.
INSERT INTO checklist_gram_counts (checklist_id, gram, items, common)
SELECT checklist_id, gram, COUNT(*), COUNT(*) > 5000 FROM checklist_item_grams GROUP BY checklist_id, gram;

DELETE FROM checklist_item_grams WHERE EXISTS (SELECT 1 FROM checklist_gram_counts c
    WHERE c.checklist_id = checklist_item_grams.checklist_id AND c.gram = checklist_item_grams.gram AND c.common);

-- +goose Down
DROP TABLE checklist_gram_counts;
DROP TABLE checklist_item_grams;
