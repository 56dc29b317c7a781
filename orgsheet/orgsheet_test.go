package orgsheet

import (
	"slices"
	"testing"

	"github.com/fazhi/fazhi/models"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want models.UnitKind
		ok   bool
	}{
		{"city", models.UnitCity, true}, {" economic_zone ", models.UnitEconomicZone, true}, {"CITY", models.UnitCity, true},
		{"市", models.UnitCity, true}, {"区", models.UnitDistrict, true}, {"县级市", models.UnitCounty, true},
		{"街道", models.UnitTown, true}, {"鎮", models.UnitTown, true}, {"村", models.UnitVillage, true},
		{"社區", models.UnitCommunity, true}, {"部门", models.UnitDepartment, true}, {"开发区", models.UnitEconomicZone, true},
		{"机关", models.UnitOffice, true}, {"星球", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		if got, ok := ParseKind(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		in   string
		want []models.Role
	}{
		{"reporter", []models.Role{models.RoleReporter}},
		{"填报员", []models.Role{models.RoleReporter}},
		{"審核員、查看员", []models.Role{models.RoleReviewer, models.RoleViewer}},
		{"admin, reviewer;viewer", []models.Role{models.RoleAdmin, models.RoleReviewer, models.RoleViewer}},
		{"管理员 ，填报员", []models.Role{models.RoleAdmin, models.RoleReporter}},
	}
	for _, tt := range tests {
		if got, err := ParseRoles(tt.in); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseRoles(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", " 、 ", "局长", "填报员、reporter"} {
		if got, err := ParseRoles(bad); err == nil {
			t.Errorf("ParseRoles(%q) = %v, want an error", bad, got)
		}
	}
}
