// Package paging implements keyset ("cursor") paging: a page ends with a cursor
// that names the sort and the last row's sort key and id, so the next page is
// "rows after this key" and page 1,000 costs what page 1 costs.
package paging

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Default and maximum page sizes (API-GUIDE, Lists).
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ErrInvalidCursor is a cursor that was not produced by Encode, or that belongs
// to another sort order.
var ErrInvalidCursor = errors.New("invalid cursor")

// Sort is an order over one field, ties broken by id in the same direction.
type Sort struct {
	Field string
	Desc  bool
}

// ParseSort reads "field" or "-field".
func ParseSort(s string) Sort {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return Sort{Field: rest, Desc: true}
	}
	return Sort{Field: s}
}

func (s Sort) String() string {
	if s.Desc {
		return "-" + s.Field
	}
	return s.Field
}

// Cursor is the position after the last row of a page.
type Cursor struct {
	Sort   string `json:"s"`
	Filter string `json:"f,omitempty"` // a digest of the filters the page was read with
	Key    string `json:"k"`           // the sort field's value, as text
	ID     string `json:"id"`
}

// Page asks for one page.
type Page struct {
	Limit int
	Sort  Sort
	After *Cursor // nil for the first page
}

// Encode makes the opaque form handed to clients.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor for the given sort and filter digest.
func Decode(s string, sort Sort, filter string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrInvalidCursor
	}
	var c Cursor
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.ID == "" {
		return nil, ErrInvalidCursor
	}
	// Decode reads the first JSON value only: a cursor is that value and
	// nothing after it ({…}xyz is not a cursor Encode wrote).
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrInvalidCursor
	}
	if c.Sort != sort.String() || c.Filter != filter {
		return nil, ErrInvalidCursor
	}
	return &c, nil
}
