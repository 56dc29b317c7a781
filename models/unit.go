package models

import (
	"fmt"
	"regexp"
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

// Code formats by kind. Areas carry the statistical division codes: six
// digits from the county up (211100 Panjin, 211103 Xinglongtai), nine for a
// town (211103001, or twelve as some lists write it), twelve for a village or
// community (211103001001). A department or office has no division code: it
// takes its area's code and a suffix of its own (211100-001). An economic
// zone has either: some carry a division code, others are numbered by their
// city (211100-J01).
var (
	areaCode      = regexp.MustCompile(`^[0-9]{6}$`)
	townCode      = regexp.MustCompile(`^[0-9]{9}([0-9]{3})?$`)
	villageCode   = regexp.MustCompile(`^[0-9]{12}$`)
	organCode     = regexp.MustCompile(`^[0-9]{6}([0-9]{3}|[0-9]{6})?-[0-9A-Za-z]{1,16}$`)
	zoneCode      = regexp.MustCompile(`^[0-9]{6}(-[0-9A-Za-z]{1,16})?$`)
	codeFormatFor = map[UnitKind]struct {
		pattern *regexp.Regexp
		example string
	}{
		UnitProvince: {areaCode, "6 digits, e.g. 210000"}, UnitCity: {areaCode, "6 digits, e.g. 211100"},
		UnitDistrict: {areaCode, "6 digits, e.g. 211103"}, UnitCounty: {areaCode, "6 digits, e.g. 211122"},
		UnitEconomicZone: {zoneCode, "6 digits, or its city's code, a dash and a suffix, e.g. 211100-J01"},
		UnitTown:         {townCode, "9 digits (or 12), e.g. 211103001"},
		UnitVillage:      {villageCode, "12 digits, e.g. 211103001201"}, UnitCommunity: {villageCode, "12 digits, e.g. 211103001001"},
		UnitDepartment: {organCode, "the area's code, a dash and a suffix, e.g. 211100-001"},
		UnitOffice:     {organCode, "the area's code, a dash and a suffix, e.g. 211100-J01"},
	}
)

// CheckCode says what is wrong with code as the code of a unit of kind k,
// or nothing.
func CheckCode(k UnitKind, code string) string {
	f, ok := codeFormatFor[k]
	if !ok || f.pattern.MatchString(code) {
		return ""
	}
	return fmt.Sprintf("a %s's code is %s, not %q", strings.ReplaceAll(string(k), "_", " "), f.example, code)
}

// Validate checks the rules a unit must satisfy on its own.
func (u *Unit) Validate() error {
	var fields []FieldError
	if strings.TrimSpace(u.Code) == "" {
		fields = append(fields, FieldError{Pointer: "/code", Message: "code is required"})
	} else if msg := CheckCode(u.Kind, u.Code); msg != "" {
		fields = append(fields, FieldError{Pointer: "/code", Message: msg})
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
