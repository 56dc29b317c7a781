package authz

import (
	"errors"
	"testing"

	"github.com/fazhi/fazhi/models"
)

func TestAllow(t *testing.T) {
	adminOnly := Rule{Roles: []models.Role{models.RoleAdmin}}
	readers := Rule{Roles: models.Roles, Scopes: []models.Scope{models.ScopeRead}}
	user := func(roles ...models.Role) *models.Caller {
		return &models.Caller{Kind: models.CallerUser, Roles: roles}
	}
	key := func(scopes ...models.Scope) *models.Caller {
		return &models.Caller{Kind: models.CallerAPIKey, Scopes: scopes}
	}
	tests := []struct {
		name   string
		caller *models.Caller
		rule   Rule
		want   error
	}{
		{"admin on admin rule", user(models.RoleAdmin), adminOnly, nil},
		{"viewer on admin rule", user(models.RoleViewer), adminOnly, models.ErrForbidden},
		{"one of several roles", user(models.RoleViewer, models.RoleAdmin), adminOnly, nil},
		{"user without roles", user(), readers, models.ErrForbidden},
		{"key with scope", key(models.ScopeRead), readers, nil},
		{"key without scope", key(models.ScopeFeed), readers, models.ErrForbidden},
		{"key on users-only rule", key(models.ScopeRead), adminOnly, models.ErrForbidden},
		{"anonymous", &models.Caller{Kind: models.CallerNone}, readers, models.ErrUnauthenticated},
		{"system", &models.Caller{Kind: models.CallerSystem}, adminOnly, nil},
	}
	for _, tt := range tests {
		if got := Allow(tt.caller, tt.rule, "op"); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: Allow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSeesSubtree(t *testing.T) {
	rule := Rule{Roles: []models.Role{models.RoleAdmin, models.RoleReviewer}, Target: TargetUnitSubtree}
	reviewer := &models.Caller{Kind: models.CallerUser, Roles: []models.Role{models.RoleReviewer}, UnitPath: "/city/district/"}
	admin := &models.Caller{Kind: models.CallerUser, Roles: []models.Role{models.RoleAdmin}, UnitPath: "/city/office/"}
	for path, want := range map[string]bool{"/city/district/": true, "/city/district/town/": true, "/city/": false, "/city/other/": false} {
		if got := Sees(reviewer, rule, path); got != want {
			t.Errorf("reviewer sees %s = %v, want %v", path, got, want)
		}
		if !Sees(admin, rule, path) {
			t.Errorf("admin does not see %s", path)
		}
	}
	if got := SubtreeOf(reviewer, rule); got != "/city/district/" {
		t.Errorf("SubtreeOf(reviewer) = %q", got)
	}
	if got := SubtreeOf(admin, rule); got != "" {
		t.Errorf("SubtreeOf(admin) = %q", got)
	}
	if !Sees(reviewer, Rule{Roles: models.Roles}, "/elsewhere/") {
		t.Errorf("a rule without target hides records")
	}
}

// TestCityWideReviewer: the city-wide reviewer reaches every unit's records
// under a rule that admits it, and nothing more than its role elsewhere.
func TestCityWideReviewer(t *testing.T) {
	review := Rule{Roles: []models.Role{models.RoleAdmin, models.RoleCityReviewer}, Target: TargetUnitSubtree}
	subtreeReview := Rule{Roles: []models.Role{models.RoleAdmin, models.RoleReviewer}, Target: TargetUnitSubtree}
	justice := &models.Caller{Kind: models.CallerUser, Roles: []models.Role{models.RoleCityReviewer}, UnitPath: "/city/justice/"}
	both := &models.Caller{Kind: models.CallerUser, Roles: []models.Role{models.RoleReviewer, models.RoleCityReviewer}, UnitPath: "/city/justice/"}
	if !Sees(justice, review, "/city/district/town/") || !Sees(both, review, "/city/other/") {
		t.Error("the city-wide reviewer does not see a record outside its subtree under a rule that admits it")
	}
	if got := SubtreeOf(justice, review); got != "" {
		t.Errorf("SubtreeOf(city-wide reviewer) = %q, want no limit", got)
	}
	if err := Reach(justice, review, "town", "/city/district/town/"); err != nil {
		t.Errorf("Reach: %v", err)
	}
	if Sees(both, subtreeReview, "/city/district/") {
		t.Error("a rule that admits only the subtree reviewer lets the city-wide role reach outside the subtree")
	}
	if got := SubtreeOf(both, subtreeReview); got != "/city/justice/" {
		t.Errorf("SubtreeOf under a subtree rule = %q", got)
	}
	if err := Allow(justice, subtreeReview, "op"); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("Allow on a rule that does not admit the role: %v", err)
	}
	want := "Permission: users with the role admin or cityReviewer (other than admin and cityReviewer: only records of their own unit and the units below it); no API key."
	if got := Describe(review); got != want {
		t.Errorf("Describe = %q\nwant       %q", got, want)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{Roles: []models.Role{models.RoleAdmin}}, "Permission: users with the role admin; no API key."},
		{Rule{Roles: models.Roles, Scopes: []models.Scope{models.ScopeRead}}, "Permission: any signed-in user; API keys with the scope read."},
		{Rule{Roles: []models.Role{models.RoleAdmin, models.RoleReviewer}, Target: TargetUnitSubtree},
			"Permission: users with the role admin or reviewer (other than admin: only records of their own unit and the units below it); no API key."},
		{Rule{Scopes: models.Scopes}, "Permission: no user; API keys with the scope read, feed or write:values."},
	}
	for _, tt := range tests {
		if got := Describe(tt.rule); got != tt.want {
			t.Errorf("Describe = %q\nwant       %q", got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := (Rule{Roles: []models.Role{"boss"}}).Validate(); err == nil {
		t.Error("unknown role accepted")
	}
	if err := (Rule{Scopes: []models.Scope{"write:all"}}).Validate(); err == nil {
		t.Error("unknown scope accepted")
	}
	if err := (Rule{Target: "planet"}).Validate(); err == nil {
		t.Error("unknown target accepted")
	}
	// Three roles, one twice: Describe would call it "any signed-in user".
	if err := (Rule{Roles: []models.Role{models.RoleAdmin, models.RoleAdmin, models.RoleReviewer, models.RoleViewer}}).Validate(); err == nil {
		t.Error("a role given twice accepted")
	}
	if err := (Rule{Scopes: []models.Scope{models.ScopeRead, models.ScopeRead}}).Validate(); err == nil {
		t.Error("a scope given twice accepted")
	}
}

func TestReach(t *testing.T) {
	rule := Rule{Roles: []models.Role{models.RoleAdmin, models.RoleReviewer, models.RoleReporter}, Target: TargetUnitSubtree,
		OwnUnitRoles: []models.Role{models.RoleReporter}}
	user := func(unitID, path string, roles ...models.Role) *models.Caller {
		return &models.Caller{Kind: models.CallerUser, UnitID: unitID, UnitPath: path, Roles: roles}
	}
	reporter := user("district", "/city/district/", models.RoleReporter)
	reviewer := user("district", "/city/district/", models.RoleReviewer)
	both := user("district", "/city/district/", models.RoleReporter, models.RoleReviewer)
	key := &models.Caller{Kind: models.CallerAPIKey, Scopes: []models.Scope{models.ScopeWriteValues}}
	tests := []struct {
		name   string
		caller *models.Caller
		unit   string
		path   string
		want   error
	}{
		{"reporter, own unit", reporter, "district", "/city/district/", nil},
		{"reporter, unit below", reporter, "town", "/city/district/town/", models.ErrForbidden},
		{"reporter, unit elsewhere", reporter, "other", "/city/other/", models.ErrNotFound},
		{"reviewer, unit below", reviewer, "town", "/city/district/town/", nil},
		{"reviewer, unit above", reviewer, "city", "/city/", models.ErrNotFound},
		{"reporter and reviewer, unit below", both, "town", "/city/district/town/", nil},
		{"API key", key, "town", "/city/district/town/", nil},
		{"admin elsewhere", user("city", "/city/", models.RoleAdmin), "other", "/other/", nil},
	}
	for _, tt := range tests {
		got := Reach(tt.caller, rule, tt.unit, tt.path)
		if (tt.want == nil) != (got == nil) || (tt.want != nil && !errors.Is(got, tt.want)) {
			t.Errorf("%s: Reach = %v, want %v", tt.name, got, tt.want)
		}
	}
	if SubtreeOf(key, rule) != "" {
		t.Error("an API key's lists are limited to a subtree")
	}
	if err := (Rule{Roles: []models.Role{models.RoleAdmin}, OwnUnitRoles: []models.Role{models.RoleReporter}, Target: TargetUnitSubtree}).Validate(); err == nil {
		t.Error("ownUnitRoles outside roles accepted")
	}
}
