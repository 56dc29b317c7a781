package store

import (
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/paging"
)

// keysetPage reads one page of rows ordered by col then id, after the page's
// cursor, and the cursor of the next page. parseKey turns a cursor's text key
// back into the column's type; key and id read them off a row.
//
// The shapes are the ones both databases read from an index on col without
// sorting (TestUnitListPlansReadAnIndex). The cursor is sought as
// "col >= k AND (col > k OR id > i)": the same rows as "col > k OR (col = k
// AND id > i)", whose OR a planner may read as two index searches merged and
// sorted again (SQLite did, on a table with the unique index alone), where
// the AND leads to one seek. A unique col orders alone (unique): MySQL's
// unique index does not carry the id as a non-unique one does, and
// "ORDER BY col, id" sorted the whole table for every first page.
func keysetPage[T any](q *gorm.DB, col string, unique bool, page paging.Page, parseKey func(string) (any, error),
	key func(*T) string, id func(*T) string) ([]T, *paging.Cursor, error) {
	dir, cmp := "ASC", ">"
	if page.Sort.Desc {
		dir, cmp = "DESC", "<"
	}
	if c := page.After; c != nil {
		k, err := parseKey(c.Key)
		if err != nil {
			return nil, nil, paging.ErrInvalidCursor
		}
		if unique {
			q = q.Where(fmt.Sprintf("%s %s ?", col, cmp), k)
		} else {
			q = q.Where(fmt.Sprintf("%[1]s %[2]s= ? AND (%[1]s %[2]s ? OR id %[2]s ?)", col, cmp), k, k, c.ID)
		}
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	q = q.Order(col + " " + dir)
	if !unique {
		q = q.Order("id " + dir)
	}
	rows, err := findRows[T](q.Limit(limit+1), limit+1)
	if err != nil {
		return nil, nil, translate(err)
	}
	if len(rows) <= limit {
		return rows, nil, nil
	}
	rows = rows[:limit]
	last := &rows[limit-1]
	return rows, &paging.Cursor{Sort: page.Sort.String(), Key: key(last), ID: id(last)}, nil
}

// timeOrText parses the cursor keys of col: RFC 3339 instants for the time
// columns, the text itself otherwise.
func timeOrText(col string) func(string) (any, error) {
	if col == "created_at" || col == "updated_at" {
		return parseInstant
	}
	return func(s string) (any, error) { return s, nil }
}

func parseInstant(s string) (any, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

func parseInt(s string) (any, error) { return strconv.Atoi(s) }

// instant is the cursor key of a time column.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
