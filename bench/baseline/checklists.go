package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checklistRead is listChecklistItems' x-permission: every role, limited
// to the caller's subtree, but a released version (published or
// superseded) is every user's to read (releasedToAllUsers).
var checklistRead = rule{roles: anyRole.roles, subtree: true}

// checklist is the part of a row of checklists that deciding who sees it
// takes; the rest of the row is read, as GORM reads it, and not used.
type checklist struct {
	ID, IssuingUnitID, Status string
}

func (c *checklist) field(col string) any {
	switch col {
	case "id":
		return &c.ID
	case "issuing_unit_id":
		return &c.IssuingUnitID
	case "status":
		return &c.Status
	}
	return nil
}

// checklistItem is a row of checklist_items.
type checklistItem struct {
	ID, ChecklistID, ItemKey string
	Sequence                 int
	Name                     string
	ImplementingUnitID       *string
	LegalBasis, Remark       string
	Category                 string
	Attributes               []byte // JSON, as GORM's serializer writes it
	SearchText               string
	Version                  int64
	CreatedAt, UpdatedAt     time.Time
}

// field is the destination of a column of checklist_items, by name (nil
// for a column the model does not map): fazhi reads items with GORM's
// SELECT *, which maps the columns by name.
// itemColumns are the columns fazhi's hand reader of items selects.
const itemColumns = "id, checklist_id, item_key, sequence, name, implementing_unit_id, legal_basis, remark, category, " +
	"attributes, search_text, version, created_at, updated_at"

func (it *checklistItem) field(col string) any {
	switch col {
	case "id":
		return &it.ID
	case "checklist_id":
		return &it.ChecklistID
	case "item_key":
		return &it.ItemKey
	case "sequence":
		return &it.Sequence
	case "name":
		return &it.Name
	case "implementing_unit_id":
		return &it.ImplementingUnitID
	case "legal_basis":
		return &it.LegalBasis
	case "remark":
		return &it.Remark
	case "category":
		return &it.Category
	case "attributes":
		return &it.Attributes
	case "search_text":
		return &it.SearchText
	case "version":
		return &it.Version
	case "created_at":
		return &it.CreatedAt
	case "updated_at":
		return &it.UpdatedAt
	}
	return nil
}

// checklistItemJSON is api.ChecklistItem, its fields in the generated order.
type checklistItemJSON struct {
	Attributes         map[string]string `json:"attributes"`
	Category           *string           `json:"category,omitempty"`
	ChecklistID        string            `json:"checklistId"`
	CreatedAt          time.Time         `json:"createdAt"`
	ID                 string            `json:"id"`
	ImplementingUnitID *string           `json:"implementingUnitId,omitempty"`
	ItemKey            string            `json:"itemKey"`
	LegalBasis         *string           `json:"legalBasis,omitempty"`
	Name               string            `json:"name"`
	Remark             *string           `json:"remark,omitempty"`
	Sequence           int32             `json:"sequence"`
	UpdatedAt          time.Time         `json:"updatedAt"`
	Version            int64             `json:"version"`
}

// checklistItemPage is api.ChecklistItemPage.
type checklistItemPage struct {
	Items      []checklistItemJSON `json:"items"`
	NextCursor *string             `json:"nextCursor,omitempty"`
}

// listChecklistItems serves listChecklistItems, all of a version's items or
// an implementing unit's: the version as ChecklistHandler.reach reads it
// (GetChecklist, and the issuing unit when the caller's subtree decides),
// then store.listChecklistItems' query with keysetPage's seek for a column
// that is not unique ("sequence >= ? AND (sequence > ? OR id > ?)"),
// ORDER BY sequence, id, LIMIT n+1. Both are GORM's SELECT * and are
// written as GORM writes them (the table quoted, the seek in parentheses),
// so that MariaDB's general log shows the same text from either server.
// q, category and attribute are not mirrored.
func (s *server) listChecklistItems(w http.ResponseWriter, r *request) error {
	params, err := query(r, "implementingUnitId", "limit", "cursor")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		return badRequest("the id must be a UUID")
	}
	c, err := s.reachChecklist(r, id)
	if err != nil {
		return err
	}
	unitID := params["implementingUnitId"]
	// The digest's filters: implementingUnitId, category, q and the sorted
	// attribute pairs.
	pg, err := pageOf(params, "sequence", unitID+"|||")
	if err != nil {
		return err
	}
	var where conditions
	where.add("checklist_id = ?", c.ID)
	if unitID != "" {
		where.add("implementing_unit_id = ?", unitID)
	}
	if pg.after != nil {
		seq, err := strconv.Atoi(pg.after.Key)
		if err != nil { // a cursor of this list made by hand
			return invalidCursor()
		}
		where.add("(sequence >= ? AND (sequence > ? OR id > ?))", seq, seq, pg.after.ID)
	}
	items, err := selectAll(r.Context(), s.db, (*checklistItem).field,
		"SELECT "+itemColumns+" FROM `checklist_items`"+where.where()+" ORDER BY sequence ASC,id ASC LIMIT ?", append(where.args, pg.limit+1)...)
	if err != nil {
		return err
	}
	next := pg.next(len(items), func(i int) string { return strconv.Itoa(items[i].Sequence) },
		func(i int) string { return items[i].ID })
	out := checklistItemPage{Items: make([]checklistItemJSON, min(len(items), pg.limit)), NextCursor: next}
	for i := range out.Items {
		if out.Items[i], err = items[i].out(); err != nil {
			return err
		}
	}
	return writeJSON(w, "", out)
}

// reachChecklist is ChecklistHandler.reach for a read (releasedToAllUsers)
// by a user: the version, answered 404 when the caller may not see it. A
// user sees a released version, and any version when the rule does not
// limit it to its subtree; otherwise the issuing unit is read, and it must
// lie in the caller's subtree.
func (s *server) reachChecklist(r *request, id string) (*checklist, error) {
	found, err := selectAll(r.Context(), s.db, (*checklist).field, "SELECT * FROM `checklists` WHERE id = ? LIMIT 1", id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, errNotFound
	}
	c := found[0]
	subtree := r.rule.subtreeOf(r.caller)
	if c.Status == "published" || c.Status == "superseded" || subtree == "" {
		return c, nil
	}
	u, err := scanUnit(s.fixed(r.Context(), "SELECT "+unitColumns+" FROM units WHERE id = ? LIMIT 1", c.IssuingUnitID))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(u.Path, subtree) {
		return nil, errNotFound
	}
	return c, nil
}

// selectAll runs a SELECT * and scans each row by column name, as GORM
// does; a column field does not map is read and dropped.
func selectAll[T any](ctx context.Context, q querier, field func(*T, string) any, stmt string, args ...any) ([]*T, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var all []*T
	dest := make([]any, len(cols))
	for rows.Next() {
		row := new(T)
		for i, col := range cols {
			if dest[i] = field(row, col); dest[i] == nil {
				dest[i] = new(any)
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		all = append(all, row)
	}
	return all, rows.Err()
}

// out is itemOut: the attributes decoded as GORM's JSON serializer decodes
// them, and the empty texts left out.
func (it *checklistItem) out() (checklistItemJSON, error) {
	out := checklistItemJSON{ChecklistID: it.ChecklistID, CreatedAt: it.CreatedAt.UTC(), ID: it.ID,
		ImplementingUnitID: it.ImplementingUnitID, ItemKey: it.ItemKey, Name: it.Name, Sequence: int32(it.Sequence),
		UpdatedAt: it.UpdatedAt.UTC(), Version: it.Version}
	if len(it.Attributes) > 0 {
		if err := json.Unmarshal(it.Attributes, &out.Attributes); err != nil {
			return out, fmt.Errorf("item %s: attributes: %w", it.ID, err)
		}
	}
	if out.Attributes == nil {
		out.Attributes = map[string]string{}
	}
	if it.LegalBasis != "" {
		out.LegalBasis = &it.LegalBasis
	}
	if it.Category != "" {
		out.Category = &it.Category
	}
	if it.Remark != "" {
		out.Remark = &it.Remark
	}
	return out, nil
}
