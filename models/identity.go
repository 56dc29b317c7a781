package models

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Role is what a user may do on the unit tree.
type Role string

const (
	RoleAdmin    Role = "admin"    // the city rule-of-law office: everything
	RoleReviewer Role = "reviewer" // reviews and approves for its unit and the units below it
	RoleReporter Role = "reporter" // edits and submits its own unit's records
	RoleViewer   Role = "viewer"   // reads its unit's subtree
	// RoleCityReviewer reviews every unit's records city-wide where an
	// operation admits it, without administering users or keys: the Justice
	// Bureau's legality review (合法性审查) of every department's and
	// district's lists, which lie outside its own subtree.
	RoleCityReviewer Role = "cityReviewer"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleReviewer, RoleReporter, RoleViewer, RoleCityReviewer}

// CityWide reports whether the role reaches every unit's records under a
// rule that admits it, not only its own unit's subtree.
func (r Role) CityWide() bool { return r == RoleAdmin || r == RoleCityReviewer }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Scope is what an API key may do.
type Scope string

const (
	ScopeRead        Scope = "read"         // read published data
	ScopeFeed        Scope = "feed"         // pull the change feed
	ScopeWriteValues Scope = "write:values" // report indicator values
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeFeed, ScopeWriteValues}

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// User is a person who signs in. PasswordHash never leaves the store and the
// password code.
type User struct {
	ID           string `gorm:"column:id;primaryKey"`
	Username     string `gorm:"column:username"`
	DisplayName  string `gorm:"column:display_name"`
	UnitID       string `gorm:"column:unit_id"`
	Roles        []Role `gorm:"column:roles;serializer:json"`
	PasswordHash string `gorm:"column:password_hash"`
	Disabled     bool   `gorm:"column:disabled"`
	Demo         bool   `gorm:"column:demo"` // a demo account, refused in production
	// MustChangePassword marks a password someone else chose (an imported
	// account's): until its owner replaces it, a session reaches only the
	// operations that do (PasswordChangeOperations).
	MustChangePassword bool       `gorm:"column:must_change_password"`
	LastLoginAt        *time.Time `gorm:"column:last_login_at"`
	// RoleSet is Roles as ",admin,reviewer,", for filtering by role in SQL.
	RoleSet    string    `gorm:"column:role_set"`
	SearchText string    `gorm:"column:search_text"`
	Version    int64     `gorm:"column:version"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	UpdatedAt  time.Time `gorm:"column:updated_at"`
}

// TableName maps User to its table.
func (User) TableName() string { return "users" }

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// usernamePattern is the contract's Username: lower-case letters, digits,
// dots, dashes and underscores, starting with a letter or digit.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// ValidUsername reports whether s is a username the contract accepts.
func ValidUsername(s string) bool { return usernamePattern.MatchString(s) }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// CheckPassword applies the password policy: long enough, and not the username.
func CheckPassword(username, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return Invalid("password_too_short", "/password", "the password must have at least %d characters", MinPasswordLength)
	}
	if strings.EqualFold(strings.TrimSpace(password), username) {
		return Invalid("password_is_username", "/password", "the password must not be the username")
	}
	return nil
}

// Validate checks the rules a user must satisfy on its own.
func (u *User) Validate() error {
	var fields []FieldError
	if len(u.Roles) == 0 {
		fields = append(fields, FieldError{Pointer: "/roles", Message: "a user needs at least one role"})
	}
	for i, r := range u.Roles {
		if !r.Valid() {
			fields = append(fields, FieldError{Pointer: "/roles/" + strconv.Itoa(i), Message: "unknown role " + string(r)})
		}
		if slices.Index(u.Roles, r) != i {
			fields = append(fields, FieldError{Pointer: "/roles/" + strconv.Itoa(i), Message: "role " + string(r) + " given twice"})
		}
	}
	if strings.TrimSpace(u.Username) == "" {
		fields = append(fields, FieldError{Pointer: "/username", Message: "username is required"})
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		fields = append(fields, FieldError{Pointer: "/displayName", Message: "display name is required"})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "user_invalid", Detail: "the user is not valid", Fields: fields}
	}
	return nil
}

// UserFilter selects users for a list; zero fields do not filter.
type UserFilter struct {
	UnitID   string
	Role     Role
	Disabled *bool
	Query    string
}

// UserPatch is a merge patch of a user: nil fields stay as they are.
type UserPatch struct {
	DisplayName *string
	UnitID      *string
	Roles       []Role // nil: unchanged
}

// UserSortFields are the fields a user list can be ordered by.
var UserSortFields = []string{"username", "createdAt"}

// Session is a signed-in user's bearer token, kept as its SHA-256 hash.
type Session struct {
	ID        string     `gorm:"column:id;primaryKey"`
	TokenHash string     `gorm:"column:token_hash"`
	UserID    string     `gorm:"column:user_id"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	ExpiresAt time.Time  `gorm:"column:expires_at"`
	RevokedAt *time.Time `gorm:"column:revoked_at"`
}

// TableName maps Session to its table.
func (Session) TableName() string { return "sessions" }

// APIKey is a machine client's key. The secret is kept as its SHA-256 hash; the
// prefix, shown in lists, identifies it.
type APIKey struct {
	ID               string     `gorm:"column:id;primaryKey"`
	Name             string     `gorm:"column:name"`
	Prefix           string     `gorm:"column:prefix"`
	SecretHash       string     `gorm:"column:secret_hash"`
	Scopes           []Scope    `gorm:"column:scopes;serializer:json"`
	AllowedAddresses []string   `gorm:"column:allowed_addresses;serializer:json"`
	ExpiresAt        *time.Time `gorm:"column:expires_at"`
	CreatedBy        string     `gorm:"column:created_by"`
	LastUsedAt       *time.Time `gorm:"column:last_used_at"`
	RevokedAt        *time.Time `gorm:"column:revoked_at"`
	CreatedAt        time.Time  `gorm:"column:created_at"`
}

// TableName maps APIKey to its table.
func (APIKey) TableName() string { return "api_keys" }

// HasScope reports whether k holds s.
func (k *APIKey) HasScope(s Scope) bool { return slices.Contains(k.Scopes, s) }

// Usable reports whether the key may be used at now.
func (k *APIKey) Usable(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// CallerKind tells a person from a machine.
type CallerKind string

const (
	CallerUser   CallerKind = "user"
	CallerAPIKey CallerKind = "apiKey"
	CallerSystem CallerKind = "system"    // the command line, seeding
	CallerNone   CallerKind = "anonymous" // not signed in (a failed sign-in)
)

// String returns the kind's name.
func (k CallerKind) String() string { return string(k) }

// Caller is who a request acts for, as authentication found it.
type Caller struct {
	Kind     CallerKind
	ID       string
	Name     string // username or key name
	UnitID   string // users only
	UnitPath string // users only: the path of their unit, for subtree checks
	Roles    []Role
	Scopes   []Scope
	// SessionID is the session a user's request came with (for sign-out).
	SessionID string
	// MustChangePassword: the user signed in with a password someone else
	// chose, and must replace it before anything else.
	MustChangePassword bool
}

// PasswordChangeOperations are the operations open to a user who must change
// their password first: who am I, change it, sign out.
var PasswordChangeOperations = []string{"getMe", "changeOwnPassword", "logout"}

// HasRole reports whether the caller holds r.
func (c *Caller) HasRole(r Role) bool { return slices.Contains(c.Roles, r) }

// RequestInfo describes the request a write belongs to, for its audit event.
type RequestInfo struct {
	Caller        Caller
	Operation     string
	RequestID     string
	ClientAddress string
}

type requestInfoKey struct{}

type statementCountKey struct{}

// WithStatementCount returns ctx carrying a count of the database
// statements run in it, which the store adds to: the access log reports
// each request's, so that an operation whose statements grow with its page
// (one query per row) shows.
func WithStatementCount(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCountKey{}, n), n
}

// StatementCount is the count ctx carries, or nil.
func StatementCount(ctx context.Context) *atomic.Int64 {
	n, _ := ctx.Value(statementCountKey{}).(*atomic.Int64)
	return n
}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the request info in ctx; outside a request it names
// the system as the actor.
func RequestInfoFrom(ctx context.Context) RequestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(RequestInfo); ok {
		return info
	}
	return RequestInfo{Caller: Caller{Kind: CallerSystem, ID: "system", Name: "system"}, Operation: "system"}
}

// ThrottlePolicy says how failed sign-ins of one subject (an account or a
// client address) are slowed and then locked.
type ThrottlePolicy struct {
	SlowAfter int           // failures after which each further one imposes a wait
	LockAfter int           // failures that lock the subject
	LockFor   time.Duration // how long a lock lasts
	Forget    time.Duration // failures older than this are forgotten
	// MaxWait caps the wait of a slowed subject (zero: 2^10 seconds).
	MaxWait time.Duration
}
