package models

import (
	"fmt"
	"strings"
	"time"
)

// UnitKind says what kind of body a unit is.
type UnitKind string

const (
	UnitProvince     UnitKind = "province"
	UnitCity         UnitKind = "city"
	UnitDistrict     UnitKind = "district"
	UnitCounty       UnitKind = "county"
	UnitEconomicZone UnitKind = "economic_zone"
	UnitTown         UnitKind = "town"
	UnitVillage      UnitKind = "village"
	UnitCommunity    UnitKind = "community"
	UnitDepartment   UnitKind = "department"
	UnitOffice       UnitKind = "office"
)

// UnitKinds lists every kind, in the order of the administrative hierarchy.
var UnitKinds = []UnitKind{
	UnitProvince, UnitCity, UnitDistrict, UnitCounty, UnitEconomicZone,
	UnitTown, UnitVillage, UnitCommunity, UnitDepartment, UnitOffice,
}

// Valid reports whether k is one of UnitKinds.
func (k UnitKind) Valid() bool {
	for _, v := range UnitKinds {
		if k == v {
			return true
		}
	}
	return false
}

// MaxUnitLevel bounds the depth of the unit tree. Real trees are five or six
// levels deep (province to village, plus departments); the bound keeps Path
// within an indexable column on MySQL.
const MaxUnitLevel = 16

// Unit is a node of the organisation tree (单位). Every other record belongs to one.
//
// Path holds the ids from the root down to the unit, each between slashes
// ("/root/child/unit/"), so that a subtree is one indexed prefix query.
type Unit struct {
	ID        string   `gorm:"column:id;primaryKey"`
	Code      string   `gorm:"column:code"`
	Name      string   `gorm:"column:name"`
	ShortName *string  `gorm:"column:short_name"`
	Kind      UnitKind `gorm:"column:kind"`
	ParentID  *string  `gorm:"column:parent_id"`
	Level     int      `gorm:"column:level"`
	Path      string   `gorm:"column:path"`
	// SearchText is Name, ShortName and Code folded for matching (see package textsearch).
	SearchText string    `gorm:"column:search_text"`
	Version    int64     `gorm:"column:version"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	UpdatedAt  time.Time `gorm:"column:updated_at"`
}

// TableName maps Unit to its table.
func (Unit) TableName() string { return "units" }

// UnitPath is the path of a unit with the given id below a parent with parentPath
// (empty for a root).
func UnitPath(parentPath, id string) string {
	if parentPath == "" {
		return "/" + id + "/"
	}
	return parentPath + id + "/"
}

// IsAncestorOf reports whether u is strictly above other in the tree.
func (u *Unit) IsAncestorOf(other *Unit) bool {
	return other.Path != u.Path && strings.HasPrefix(other.Path, u.Path)
}

// AncestorIDs returns the ids above u, root first.
func (u *Unit) AncestorIDs() []string {
	ids := strings.Split(strings.Trim(u.Path, "/"), "/")
	return ids[:len(ids)-1]
}

// Validate checks the rules a unit must satisfy on its own.
func (u *Unit) Validate() error {
	var fields []FieldError
	if strings.TrimSpace(u.Code) == "" {
		fields = append(fields, FieldError{Pointer: "/code", Message: "code is required"})
	}
	if strings.TrimSpace(u.Name) == "" {
		fields = append(fields, FieldError{Pointer: "/name", Message: "name is required"})
	}
	if !u.Kind.Valid() {
		fields = append(fields, FieldError{Pointer: "/kind", Message: fmt.Sprintf("unknown unit kind %q", u.Kind)})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "unit_invalid", Detail: "the unit is not valid", Fields: fields}
	}
	return nil
}

// CheckPlacement checks that u may sit below parent (nil for a root), and that its
// deepest descendant, subtreeDepth levels below it, stays within MaxUnitLevel.
func CheckPlacement(u, parent *Unit, subtreeDepth int) error {
	if parent == nil {
		if 1+subtreeDepth > MaxUnitLevel {
			return Invalid("unit_too_deep", "/parentId", "the tree would be deeper than %d levels", MaxUnitLevel)
		}
		return nil
	}
	if parent.ID == u.ID || (u.Path != "" && u.IsAncestorOf(parent)) {
		return Invalid("unit_move_cycle", "/parentId", "%s is the unit itself or below it: a unit cannot be moved under its own subtree", parent.ID)
	}
	if parent.Level+1+subtreeDepth > MaxUnitLevel {
		return Invalid("unit_too_deep", "/parentId", "the tree would be deeper than %d levels", MaxUnitLevel)
	}
	return nil
}

// UnitFilter selects units for a list; zero fields do not filter.
type UnitFilter struct {
	ParentID string
	Kind     UnitKind
	Level    int
	Query    string // free text, matched against the folded search column
}

// UnitPatch is a merge patch of a unit: nil fields stay as they are.
type UnitPatch struct {
	Code *string
	Name *string
	Kind *UnitKind
	// ShortName is applied when SetShortName is true; nil then clears it.
	SetShortName bool
	ShortName    *string
	// ParentID is applied when Move is true; nil then makes the unit a root.
	Move     bool
	ParentID *string
}

// UnitSortFields are the fields a unit list can be ordered by.
var UnitSortFields = []string{"code", "name", "level", "createdAt", "updatedAt"}
