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
    checklist_id TEXT NOT NULL,
    gram         TEXT NOT NULL,
    item_id      TEXT NOT NULL REFERENCES checklist_items (id) ON DELETE CASCADE,
    PRIMARY KEY (checklist_id, gram, item_id)
) WITHOUT ROWID;
CREATE INDEX ix_checklist_item_grams_item ON checklist_item_grams (item_id);

CREATE TABLE checklist_gram_counts (
    checklist_id TEXT    NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    gram         TEXT    NOT NULL,
    items        INTEGER NOT NULL,
    common       BOOLEAN NOT NULL,
    PRIMARY KEY (checklist_id, gram)
) WITHOUT ROWID;

-- The backfill. checklist_gram_positions holds the character positions
-- 1…16^k, as far as the longest search_text needs (up to 16^6), built by
-- steps of ×16 that run only when some text is longer (the guard g is read
-- first, once), and dropped at the end.
CREATE TABLE checklist_gram_positions (
    n INTEGER NOT NULL PRIMARY KEY
);

INSERT INTO checklist_gram_positions (n)
SELECT d.n FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
    UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10
    UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15
    UNION ALL SELECT 16) d
WHERE EXISTS (SELECT 1 FROM checklist_items);

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 16 FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM checklist_items WHERE length(search_text) > 16)) g
CROSS JOIN checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15;

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 256 FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM checklist_items WHERE length(search_text) > 256)) g
CROSS JOIN checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15;

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 4096 FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM checklist_items WHERE length(search_text) > 4096)) g
CROSS JOIN checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15;

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 65536 FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM checklist_items WHERE length(search_text) > 65536)) g
CROSS JOIN checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15;

INSERT INTO checklist_gram_positions (n)
SELECT p.n + d.n * 1048576 FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM checklist_items WHERE length(search_text) > 1048576)) g
CROSS JOIN checklist_gram_positions p CROSS JOIN checklist_gram_positions d
WHERE d.n <= 15;

-- Every pair at positions n, n+1 of every item, neither character
-- whitespace: the whitespace a folded text can hold (textsearch.Fold
-- turns the others into spaces), as store.appendGrams skips unicode.IsSpace.
-- CROSS JOIN reads the items first and each one's positions by range.
INSERT OR IGNORE INTO checklist_item_grams (checklist_id, gram, item_id)
SELECT i.checklist_id, substr(i.search_text, p.n, 2), i.id
FROM checklist_items i CROSS JOIN checklist_gram_positions p
WHERE p.n < length(i.search_text)
    AND substr(i.search_text, p.n, 1) NOT IN (' ', char(9), char(10), char(11), char(12), char(13),
        char(133), char(5760), char(8232), char(8233))
    AND substr(i.search_text, p.n + 1, 1) NOT IN (' ', char(9), char(10), char(11), char(12), char(13),
        char(133), char(5760), char(8232), char(8233));

DROP TABLE checklist_gram_positions;

-- The counts, then the entries of the common grams go.
INSERT INTO checklist_gram_counts (checklist_id, gram, items, common)
SELECT checklist_id, gram, COUNT(*), COUNT(*) > 5000 FROM checklist_item_grams GROUP BY checklist_id, gram;

DELETE FROM checklist_item_grams WHERE EXISTS (SELECT 1 FROM checklist_gram_counts c
    WHERE c.checklist_id = checklist_item_grams.checklist_id AND c.gram = checklist_item_grams.gram AND c.common);

-- +goose Down
DROP TABLE checklist_gram_counts;
DROP TABLE checklist_item_grams;
