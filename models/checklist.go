package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ColumnType is the type of a checklist kind's column: what a cell of it
// holds. Every value travels as text, as a spreadsheet cell does; the type
// says which texts are valid.
type ColumnType string

const (
	ColumnText     ColumnType = "text"      // one line, up to MaxColumnText characters
	ColumnLongText ColumnType = "long_text" // several lines, up to MaxColumnLongText characters
	ColumnEnum     ColumnType = "enum"      // one of the column's values
	ColumnNumber   ColumnType = "number"    // an exact decimal: 12, -3.5
	ColumnDate     ColumnType = "date"      // YYYY-MM-DD
	ColumnUnit     ColumnType = "unit"      // the id of a unit
	ColumnLegalRef ColumnType = "legal_ref" // a law and its article: 《行政处罚法》第三十三条
)

// ColumnTypes lists every column type.
var ColumnTypes = []ColumnType{ColumnText, ColumnLongText, ColumnEnum, ColumnNumber, ColumnDate, ColumnUnit, ColumnLegalRef}

// Bounds of a kind and of its items' cells, in characters.
const (
	MaxKindColumns    = 40
	MaxColumnText     = 500
	MaxColumnLongText = 4000
	MaxEnumValues     = 100
)

// KindColumn is one column of a checklist kind: the key items use in
// attributes, and the label real lists print as the column's header.
type KindColumn struct {
	Key        string     `json:"key"`
	Label      string     `json:"label"`
	Type       ColumnType `json:"type"`
	Values     []string   `json:"values,omitempty"` // an enum's values, in order
	Required   bool       `json:"required"`
	Searchable bool       `json:"searchable"`
}

// ChecklistKind is a kind of checklist (清单类型): 证明事项清单, 不予处罚事项清单
// …, with the columns its items carry besides the common ones. Built-in
// kinds come with the product (BuiltInKinds); administrators define others.
type ChecklistKind struct {
	Key         string       `gorm:"column:kind_key;primaryKey"`
	Name        string       `gorm:"column:name"`
	Description string       `gorm:"column:description"`
	BuiltIn     bool         `gorm:"column:built_in"`
	Columns     []KindColumn `gorm:"column:columns;serializer:json"`
	Version     int64        `gorm:"column:version"`
	CreatedAt   time.Time    `gorm:"column:created_at"`
	UpdatedAt   time.Time    `gorm:"column:updated_at"`
}

// TableName maps ChecklistKind to its table.
func (ChecklistKind) TableName() string { return "checklist_kinds" }

// kindKeyPattern is the form of kind and column keys: a lower-case letter,
// then letters and digits (camelCase), as JSON property names read best.
var kindKeyPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9]{0,39}$`)

// Column returns the kind's column with this key.
func (k *ChecklistKind) Column(key string) (KindColumn, bool) {
	for _, c := range k.Columns {
		if c.Key == key {
			return c, true
		}
	}
	return KindColumn{}, false
}

// Validate checks a kind on its own: its key, its name, and columns with
// unique keys and labels, known types, and values for enums only.
func (k *ChecklistKind) Validate() error {
	var fields []FieldError
	if !kindKeyPattern.MatchString(k.Key) {
		fields = append(fields, FieldError{Pointer: "/key", Message: "a key is a lower-case letter followed by up to 39 letters and digits"})
	}
	if strings.TrimSpace(k.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Message: "a kind needs a name"})
	}
	if len(k.Columns) > MaxKindColumns {
		fields = append(fields, FieldError{Pointer: "/columns", Message: fmt.Sprintf("a kind has at most %d columns", MaxKindColumns)})
	}
	for i, c := range k.Columns {
		at := fmt.Sprintf("/columns/%d", i)
		if !kindKeyPattern.MatchString(c.Key) {
			fields = append(fields, FieldError{Pointer: at + "/key", Message: "a key is a lower-case letter followed by up to 39 letters and digits"})
		} else if slices.Contains(commonItemFields, c.Key) {
			fields = append(fields, FieldError{Pointer: at + "/key", Message: fmt.Sprintf("%s is a field every item has", c.Key)})
		}
		if strings.TrimSpace(c.Label) == "" {
			fields = append(fields, FieldError{Pointer: at + "/label", Message: "a column needs a label"})
		}
		for j := range i {
			if k.Columns[j].Key == c.Key {
				fields = append(fields, FieldError{Pointer: at + "/key", Message: fmt.Sprintf("key %s is also column %d's", c.Key, j)})
			}
			if k.Columns[j].Label == c.Label {
				fields = append(fields, FieldError{Pointer: at + "/label", Message: fmt.Sprintf("label %s is also column %d's", c.Label, j)})
			}
		}
		if !slices.Contains(ColumnTypes, c.Type) {
			fields = append(fields, FieldError{Pointer: at + "/type", Message: "unknown column type " + string(c.Type)})
		}
		switch {
		case c.Type == ColumnEnum && len(c.Values) == 0:
			fields = append(fields, FieldError{Pointer: at + "/values", Message: "an enum column needs its values"})
		case c.Type != ColumnEnum && len(c.Values) > 0:
			fields = append(fields, FieldError{Pointer: at + "/values", Message: "only an enum column has values"})
		case len(c.Values) > MaxEnumValues:
			fields = append(fields, FieldError{Pointer: at + "/values", Message: fmt.Sprintf("an enum has at most %d values", MaxEnumValues)})
		}
		for j, v := range c.Values {
			if strings.TrimSpace(v) == "" || slices.Index(c.Values, v) != j {
				fields = append(fields, FieldError{Pointer: fmt.Sprintf("%s/values/%d", at, j), Message: "enum values are non-blank and distinct"})
			}
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "checklist_kind_invalid", Detail: "the checklist kind is not valid", Fields: fields}
	}
	return nil
}

// ChangeColumns replaces the kind's columns, refusing, when items use the
// kind, to drop a column or change its type or an enum's values away from
// what items may hold: those items' cells would lose their meaning. Labels,
// order, required and searchable may change, and columns may be added.
func (k *ChecklistKind) ChangeColumns(columns []KindColumn, inUse bool) error {
	if inUse {
		for _, old := range k.Columns {
			i := slices.IndexFunc(columns, func(c KindColumn) bool { return c.Key == old.Key })
			switch {
			case i < 0:
				return &ConflictError{Code: "checklist_kind_in_use", Detail: fmt.Sprintf("checklist kind %s is used by lists: its column %s cannot be removed", k.Key, old.Key)}
			case columns[i].Type != old.Type:
				return &ConflictError{Code: "checklist_kind_in_use", Detail: fmt.Sprintf("checklist kind %s is used by lists: its column %s cannot change its type", k.Key, old.Key)}
			case old.Type == ColumnEnum && !containsAll(columns[i].Values, old.Values):
				return &ConflictError{Code: "checklist_kind_in_use", Detail: fmt.Sprintf("checklist kind %s is used by lists: its column %s cannot lose enum values", k.Key, old.Key)}
			}
		}
	}
	k.Columns = columns
	return k.Validate()
}

func containsAll(set, subset []string) bool {
	for _, v := range subset {
		if !slices.Contains(set, v) {
			return false
		}
	}
	return true
}

// commonItemFields are the fields every item has, which no kind's column
// may shadow.
var commonItemFields = []string{"sequence", "name", "implementingUnitId", "legalBasis", "remark", "category", "itemKey"}

// CheckAttributes checks an item's attributes against the kind: each key a
// column of the kind, each value valid for its column's type, each required
// column present. unitExists tells whether a unit column names a unit.
// Problems point at /attributes/<key>, under prefix (an item's pointer in a
// bulk body or a sheet).
func (k *ChecklistKind) CheckAttributes(attrs map[string]string, unitExists func(id string) bool, prefix string) []FieldError {
	var fields []FieldError
	keys := make([]string, 0, len(attrs))
	for key := range attrs {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		if _, ok := k.Column(key); !ok {
			// A client's key may hold "/" or "~", which a pointer escapes (RFC 6901).
			at := prefix + "/attributes/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
			fields = append(fields, FieldError{Pointer: at, Message: fmt.Sprintf("%s has no column %s", k.Name, key)})
		}
	}
	for _, c := range k.Columns {
		v := attrs[c.Key]
		if c.Required && strings.TrimSpace(v) == "" { // white space alone fills nothing
			fields = append(fields, FieldError{Pointer: prefix + "/attributes/" + c.Key, Message: fmt.Sprintf("%s（%s）is required", c.Label, c.Key)})
			continue
		}
		if v == "" {
			continue
		}
		if msg := c.check(v, unitExists); msg != "" {
			fields = append(fields, FieldError{Pointer: prefix + "/attributes/" + c.Key, Message: fmt.Sprintf("%s（%s）%s", c.Label, c.Key, msg)})
		}
	}
	return fields
}

var (
	numberPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$`)
	datePattern   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// check says what is wrong with v as a value of the column, or "".
func (c KindColumn) check(v string, unitExists func(id string) bool) string {
	if msg := TextProblem(v); msg != "" {
		return ": " + msg
	}
	multiline := c.Type == ColumnLongText || c.Type == ColumnLegalRef // a basis often cites several articles, one a line
	if !multiline && strings.ContainsAny(v, "\r\n") {
		return "is one line: only long texts and legal references hold line breaks"
	}
	n := utf8.RuneCountInString(v)
	switch c.Type {
	case ColumnText:
		if n > MaxColumnText {
			return fmt.Sprintf("has %d characters, more than %d", n, MaxColumnText)
		}
	case ColumnLongText, ColumnLegalRef:
		if n > MaxColumnLongText {
			return fmt.Sprintf("has %d characters, more than %d", n, MaxColumnLongText)
		}
	case ColumnEnum:
		if !slices.Contains(c.Values, v) {
			return "must be one of " + strings.Join(c.Values, "、")
		}
	case ColumnNumber:
		if !numberPattern.MatchString(v) {
			return "must be a number such as 12 or 3.5"
		}
	case ColumnDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil || !datePattern.MatchString(v) {
			return "must be a date such as 2021-06-01"
		}
	case ColumnUnit:
		if !unitExists(v) {
			return "names no unit"
		}
	}
	return ""
}
