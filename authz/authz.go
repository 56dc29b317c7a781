// Package authz decides who may do what. Each operation has a Rule, declared in
// openapi.yaml as x-permission, so that the contract, the code and the tests
// read one table; Allow is the one place that applies it.
package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fazhi/fazhi/models"
)

// Target says how the unit of the record an operation touches limits callers
// who are not administrators.
type Target string

const (
	// TargetNone: the rule depends on the caller's roles and scopes only.
	TargetNone Target = ""
	// TargetUnitSubtree: non-administrators reach only records of their own unit
	// and the units below it; other records are invisible to them (404).
	TargetUnitSubtree Target = "unit-subtree"
)

// Rule is who may call one operation.
type Rule struct {
	Roles  []models.Role  `json:"roles"`
	Scopes []models.Scope `json:"apiKeyScopes"`
	Target Target         `json:"target"`
	// OwnUnitRoles are roles that act on their own unit's records only, not
	// on the units below it (a reporter edits its own unit's values).
	OwnUnitRoles []models.Role `json:"ownUnitRoles"`
	// ReleasedToAllUsers widens a read: released records (a published list)
	// are read by every user the rule admits, whatever their unit, while
	// the others stay within the subtree.
	ReleasedToAllUsers bool `json:"releasedToAllUsers"`
}

// Validate checks a rule as read from the contract.
func (r Rule) Validate() error {
	for i, role := range r.Roles {
		if !role.Valid() {
			return fmt.Errorf("unknown role %q", role)
		}
		if slices.Index(r.Roles, role) != i { // Describe counts roles to say "any signed-in user"
			return fmt.Errorf("role %q given twice", role)
		}
	}
	for i, s := range r.Scopes {
		if !s.Valid() {
			return fmt.Errorf("unknown API key scope %q", s)
		}
		if slices.Index(r.Scopes, s) != i {
			return fmt.Errorf("API key scope %q given twice", s)
		}
	}
	if r.Target != TargetNone && r.Target != TargetUnitSubtree {
		return fmt.Errorf("unknown target %q", r.Target)
	}
	for _, role := range r.OwnUnitRoles {
		if !slices.Contains(r.Roles, role) {
			return fmt.Errorf("ownUnitRoles names %q, which the rule does not admit", role)
		}
	}
	if len(r.OwnUnitRoles) > 0 && r.Target != TargetUnitSubtree {
		return errors.New("ownUnitRoles needs target unit-subtree")
	}
	if r.ReleasedToAllUsers && r.Target != TargetUnitSubtree {
		return errors.New("releasedToAllUsers needs target unit-subtree")
	}
	return nil
}

// Allow decides whether the caller may call an operation with this rule at all:
// nil, models.ErrUnauthenticated, or a forbidden error that says what is missing.
func Allow(c *models.Caller, r Rule, operation string) error {
	switch c.Kind {
	case models.CallerUser:
		if c.MustChangePassword && !slices.Contains(models.PasswordChangeOperations, operation) {
			return forbidden("password_change_required", "change your password first (changeOwnPassword): it was chosen by someone else")
		}
		for _, role := range c.Roles {
			if slices.Contains(r.Roles, role) {
				return nil
			}
		}
		if len(r.Roles) == 0 {
			return forbidden("forbidden", "%s is not open to users", operation)
		}
		return forbidden("forbidden", "%s needs the role %s", operation, joinOr(r.Roles))
	case models.CallerAPIKey:
		for _, s := range c.Scopes {
			if slices.Contains(r.Scopes, s) {
				return nil
			}
		}
		if len(r.Scopes) == 0 {
			return forbidden("forbidden", "%s is not open to API keys", operation)
		}
		return forbidden("forbidden", "%s needs an API key with the scope %s", operation, joinOr(r.Scopes))
	case models.CallerSystem:
		return nil
	}
	return models.ErrUnauthenticated
}

// Sees reports whether the caller may see a record of the unit at unitPath under
// this rule. A record it may not see must answer as if it did not exist. API
// keys belong to no unit: their scopes alone limit them.
func Sees(c *models.Caller, r Rule, unitPath string) bool {
	if r.Target != TargetUnitSubtree || c.Kind != models.CallerUser || cityWide(c, r) {
		return true
	}
	return c.UnitPath != "" && strings.HasPrefix(unitPath, c.UnitPath)
}

// SeesRecord is Sees for a record with a lifecycle: under a rule with
// ReleasedToAllUsers, a released record is seen whatever its unit.
func SeesRecord(c *models.Caller, r Rule, unitPath string, released bool) bool {
	return (released && r.ReleasedToAllUsers) || Sees(c, r, unitPath)
}

// Reach decides whether the caller may act, under this rule, on a record of
// the unit unitID at unitPath: nil; an error matching models.ErrNotFound when
// the record is outside what it may see; or a forbidden error when it sees the
// record but its role reaches only its own unit.
func Reach(c *models.Caller, r Rule, unitID, unitPath string) error {
	if !Sees(c, r, unitPath) {
		return &models.NotFoundError{Entity: "record of unit", ID: unitID}
	}
	if c.Kind != models.CallerUser || len(r.OwnUnitRoles) == 0 {
		return nil
	}
	for _, role := range c.Roles {
		if slices.Contains(r.Roles, role) && !slices.Contains(r.OwnUnitRoles, role) {
			return nil // a role that reaches the whole subtree
		}
	}
	if c.UnitID == unitID {
		return nil
	}
	return forbidden("own_unit_only", "your role acts on your own unit's records only")
}

// SubtreeOf is the unit path a list must be limited to for the caller under
// this rule; empty means no limit.
func SubtreeOf(c *models.Caller, r Rule) string {
	if r.Target != TargetUnitSubtree || c.Kind != models.CallerUser || cityWide(c, r) {
		return ""
	}
	if c.UnitPath == "" {
		return "/nothing/" // a caller without a unit sees no unit's records
	}
	return c.UnitPath
}

// cityWide reports whether the caller reaches every unit's records under r:
// an administrator always, a city-wide role (cityReviewer) where r admits it.
// A user who also holds a subtree role keeps the city-wide reach only on the
// operations that admit the city-wide role.
func cityWide(c *models.Caller, r Rule) bool {
	if c.HasRole(models.RoleAdmin) {
		return true
	}
	for _, role := range c.Roles {
		if role.CityWide() && slices.Contains(r.Roles, role) {
			return true
		}
	}
	return false
}

// Describe states the rule in words, for the operation's description in the
// contract; a test keeps the two equal.
func Describe(r Rule) string {
	var b strings.Builder
	b.WriteString("Permission: ")
	switch {
	case len(r.Roles) == 0:
		b.WriteString("no user")
	case len(r.Roles) == len(models.Roles):
		b.WriteString("any signed-in user")
	default:
		b.WriteString("users with the role " + joinOr(r.Roles))
	}
	if r.Target == TargetUnitSubtree {
		b.WriteString(" (other than " + joinAnd(cityWideRoles(r)) + ": only records of their own unit and the units below it")
		if r.ReleasedToAllUsers {
			b.WriteString(", and released records of any unit")
		}
		if len(r.OwnUnitRoles) > 0 {
			b.WriteString("; " + joinOr(r.OwnUnitRoles) + ": only records of their own unit")
		}
		b.WriteString(")")
	}
	if len(r.Scopes) == 0 {
		b.WriteString("; no API key.")
	} else {
		b.WriteString("; API keys with the scope " + joinOr(r.Scopes) + ".")
	}
	return b.String()
}

// forbidden is a typed refusal: "forbidden" when the operation is not open
// to the caller's roles or scopes, a word of its own when the record is
// ("own_unit_only").
func forbidden(code, format string, args ...any) error {
	return &models.ForbiddenError{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// cityWideRoles are the roles that reach every unit under r: admin, and the
// city-wide roles r admits.
func cityWideRoles(r Rule) []models.Role {
	roles := []models.Role{models.RoleAdmin}
	for _, role := range r.Roles {
		if role.CityWide() && role != models.RoleAdmin {
			roles = append(roles, role)
		}
	}
	return roles
}

func joinAnd[T ~string](items []T) string { return join(items, " and ") }

func joinOr[T ~string](items []T) string { return join(items, " or ") }

func join[T ~string](items []T, last string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = string(it)
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + last + parts[len(parts)-1]
}
