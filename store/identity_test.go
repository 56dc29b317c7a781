package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

// The identity contract: users, sessions, sign-in throttling, request rates and
// API keys. Usernames, unit codes and key prefixes carry a random suffix, as the
// package's databases are shared.

// newUser builds an unsaved user of a unit with a stand-in password hash (the
// store keeps the hash; it never computes or checks one).
func newUser(username, displayName string, unit *models.Unit, roles ...models.Role) *models.User {
	return &models.User{Username: username, DisplayName: displayName, UnitID: unit.ID, Roles: roles, PasswordHash: "hash-of-" + username}
}

func mustCreateUser(t *testing.T, db *dbtest.DB, u *models.User) *models.User {
	t.Helper()
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Username, err)
	}
	return u
}

func mustGetUser(t *testing.T, db *dbtest.DB, id string) *models.User {
	t.Helper()
	u, err := db.GetUser(t.Context(), id)
	if err != nil {
		t.Fatalf("GetUser(%s): %v", id, err)
	}
	return u
}

// userDiff lists the fields in which got differs from want.
func userDiff(got, want *models.User) string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s: got %v, want %v", field, g, w)) }
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Username != want.Username {
		add("Username", got.Username, want.Username)
	}
	if got.DisplayName != want.DisplayName {
		add("DisplayName", got.DisplayName, want.DisplayName)
	}
	if got.UnitID != want.UnitID {
		add("UnitID", got.UnitID, want.UnitID)
	}
	if !slices.Equal(got.Roles, want.Roles) {
		add("Roles", got.Roles, want.Roles)
	}
	if got.RoleSet != want.RoleSet {
		add("RoleSet", got.RoleSet, want.RoleSet)
	}
	if got.PasswordHash != want.PasswordHash {
		add("PasswordHash", got.PasswordHash, want.PasswordHash)
	}
	if got.Disabled != want.Disabled {
		add("Disabled", got.Disabled, want.Disabled)
	}
	if got.Demo != want.Demo {
		add("Demo", got.Demo, want.Demo)
	}
	if got.Version != want.Version {
		add("Version", got.Version, want.Version)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		add("CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		add("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	}
	return strings.Join(d, "; ")
}

func TestCreateAndGetUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		unit := mustCreate(t, db, newUnit(organCode(), "盤錦市司法局", models.UnitDepartment, nil))
		head := auditHead(t, db)

		u := mustCreateUser(t, db, newUser("sfj."+sfx, "張審核", unit, models.RoleReviewer, models.RoleReporter))
		if _, err := uuid.Parse(u.ID); err != nil {
			t.Errorf("the new user's id %q is not a UUID: %v", u.ID, err)
		}
		want := &models.User{
			ID: u.ID, Username: "sfj." + sfx, DisplayName: "張審核", UnitID: unit.ID,
			Roles: []models.Role{models.RoleReviewer, models.RoleReporter}, RoleSet: ",reviewer,reporter,",
			PasswordHash: "hash-of-sfj." + sfx, Version: 1, CreatedAt: t0, UpdatedAt: t0,
		}
		if d := userDiff(u, want); d != "" {
			t.Errorf("CreateUser filled in: %s", d)
		}
		if got := mustGetUser(t, db, u.ID); userDiff(got, want) != "" {
			t.Errorf("GetUser: %s", userDiff(got, want))
		} else if got.LastLoginAt != nil || !strings.Contains(got.SearchText, "张审核") || !strings.Contains(got.SearchText, "sfj."+sfx) {
			t.Errorf("GetUser: last login %v, search text %q", got.LastLoginAt, got.SearchText)
		}
		got, err := db.UserByUsername(ctx, "sfj."+sfx)
		if err != nil {
			t.Fatal(err)
		}
		if d := userDiff(got, want); d != "" {
			t.Errorf("UserByUsername: %s", d)
		}

		// A preset id is kept (the demo accounts have fixed ones).
		preset := store.NewID()
		p := newUser("preset."+sfx, "預設", unit, models.RoleViewer)
		p.ID, p.Demo = preset, true
		mustCreateUser(t, db, p)
		if got := mustGetUser(t, db, preset); got.Username != "preset."+sfx || !got.Demo {
			t.Errorf("user with a preset id: %+v", got)
		}

		_, err = db.GetUser(ctx, store.NewID())
		checkErr(t, "GetUser of an unknown id", err, models.ErrNotFound, "")
		_, err = db.UserByUsername(ctx, "nobody."+sfx)
		checkErr(t, "UserByUsername of an unknown name", err, models.ErrNotFound, "")

		// Refusals write nothing, not even an audit event.
		afterCreates := auditHead(t, db)
		if afterCreates != head+2 {
			t.Errorf("two users created: the audit chain grew from %d to %d, want 2 events", head, afterCreates)
		}
		refusals := []struct {
			name string
			user *models.User
			err  error
			code string
		}{
			{"username taken", newUser("sfj."+sfx, "另一個", unit, models.RoleViewer), models.ErrConflict, "username_taken"},
			{"unknown unit", newUser("lost."+sfx, "無單位", &models.Unit{ID: store.NewID()}, models.RoleViewer), models.ErrInvalid, "user_unit_not_found"},
			{"no role", newUser("norole."+sfx, "無角色", unit), models.ErrInvalid, "user_invalid"},
			{"unknown role", newUser("mayor."+sfx, "市長", unit, "mayor"), models.ErrInvalid, "user_invalid"},
			{"role twice", newUser("twice."+sfx, "兩次", unit, models.RoleViewer, models.RoleViewer), models.ErrInvalid, "user_invalid"},
			{"no username", newUser(" ", "無名", unit, models.RoleViewer), models.ErrInvalid, "user_invalid"},
			{"no display name", newUser("noname."+sfx, "", unit, models.RoleViewer), models.ErrInvalid, "user_invalid"},
		}
		for _, r := range refusals {
			err := db.CreateUser(ctx, r.user)
			checkErr(t, "CreateUser: "+r.name, err, r.err, r.code)
		}
		var ve *models.ValidationError
		if err := db.CreateUser(ctx, newUser("lost2."+sfx, "無單位", &models.Unit{ID: store.NewID()}, models.RoleViewer)); !errors.As(err, &ve) ||
			len(ve.Fields) != 1 || ve.Fields[0].Pointer != "/unitId" {
			t.Errorf("CreateUser with an unknown unit: %v, want a validation error on /unitId", err)
		}
		if h := auditHead(t, db); h != afterCreates {
			t.Errorf("refused creates moved the audit chain from %d to %d", afterCreates, h)
		}
		for _, name := range []string{"lost." + sfx, "norole." + sfx, "mayor." + sfx} {
			_, err := db.UserByUsername(ctx, name)
			checkErr(t, "a refused user "+name, err, models.ErrNotFound, "")
		}
		verifyChain(t, db)
	})
}

// listAllUsers pages through a user list, checking each page against the limit.
func listAllUsers(t *testing.T, db *dbtest.DB, f models.UserFilter, sort string, limit int) []models.User {
	t.Helper()
	s := paging.ParseSort(sort)
	page := paging.Page{Limit: limit, Sort: s}
	var all []models.User
	for pages := 1; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		users, next, err := db.ListUsers(t.Context(), f, page)
		if err != nil {
			t.Fatalf("ListUsers(%+v, %s): %v", f, sort, err)
		}
		if len(users) > limit || (next != nil && len(users) != limit) {
			t.Fatalf("page %d: %d users, next %v, limit %d", pages, len(users), next, limit)
		}
		all = append(all, users...)
		if next == nil {
			return all
		}
		c, err := paging.Decode(next.Encode(), s, "")
		if err != nil {
			t.Fatalf("decode cursor: %v", err)
		}
		page.After = c
	}
}

func usernames(users []models.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Username
	}
	return out
}

func TestListUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		a := mustCreate(t, db, newUnit(organCode(), "甲局", models.UnitDepartment, nil))
		b := mustCreate(t, db, newUnit(areaCode(), "乙區", models.UnitDistrict, nil))
		name := func(s string) string { return "lu" + sfx + "." + s }
		// Created out of username order, one second apart.
		specs := []struct {
			user    string
			display string
			unit    *models.Unit
			roles   []models.Role
		}{
			{"e", "Zhang Wei", b, []models.Role{models.RoleReviewer, models.RoleViewer}},
			{"a", "管理員甲", a, []models.Role{models.RoleAdmin}},
			{"c", "填報員丙", a, []models.Role{models.RoleReporter, models.RoleViewer}},
			{"b", "審核員乙", a, []models.Role{models.RoleReviewer}},
			{"d", "查看員丁", b, []models.Role{models.RoleViewer}},
			// Its name says reviewer; its role does not.
			{"reviewer", "名為審核", b, []models.Role{models.RoleReporter}},
		}
		created := map[string]*models.User{}
		for _, s := range specs {
			clk.Advance(time.Second)
			created[s.user] = mustCreateUser(t, db, newUser(name(s.user), s.display, s.unit, s.roles...))
		}
		if _, err := db.SetUserDisabled(ctx, created["c"].ID, true); err != nil {
			t.Fatal(err)
		}

		filters := []struct {
			name string
			f    models.UserFilter
			want []string // usernames without the prefix, in username order
		}{
			{"everyone of the test", models.UserFilter{Query: sfx}, []string{"a", "b", "c", "d", "e", "reviewer"}},
			{"unit", models.UserFilter{UnitID: a.ID}, []string{"a", "b", "c"}},
			{"role reviewer (role_set, not the name)", models.UserFilter{Role: models.RoleReviewer, Query: sfx}, []string{"b", "e"}},
			{"role viewer", models.UserFilter{Role: models.RoleViewer, Query: sfx}, []string{"c", "d", "e"}},
			{"role admin in unit b", models.UserFilter{Role: models.RoleAdmin, UnitID: b.ID}, nil},
			{"disabled", models.UserFilter{Disabled: ptr(true), Query: sfx}, []string{"c"}},
			{"enabled", models.UserFilter{Disabled: ptr(false), Query: sfx}, []string{"a", "b", "d", "e", "reviewer"}},
			{"enabled viewers of unit a", models.UserFilter{Disabled: ptr(false), Role: models.RoleViewer, UnitID: a.ID}, nil},
			{"display name, folded", models.UserFilter{Query: "审核员", UnitID: a.ID}, []string{"b"}},
			{"display name, any case", models.UserFilter{Query: "ZHANG", UnitID: b.ID}, []string{"e"}},
			{"username", models.UserFilter{Query: name("d")}, []string{"d"}},
			{"LIKE characters are literal", models.UserFilter{Query: sfx + "%"}, nil},
			{"unknown unit", models.UserFilter{UnitID: store.NewID()}, nil},
		}
		for _, tt := range filters {
			t.Run(tt.name, func(t *testing.T) {
				var want []string
				for _, w := range tt.want {
					want = append(want, name(w))
				}
				for _, limit := range []int{1, 2, 50} {
					if got := usernames(listAllUsers(t, db, tt.f, "username", limit)); !slices.Equal(got, want) {
						t.Errorf("limit %d: got %v, want %v", limit, got, want)
					}
				}
			})
		}

		all := models.UserFilter{Query: sfx}
		byName := []string{name("a"), name("b"), name("c"), name("d"), name("e"), name("reviewer")}
		byCreation := []string{name("e"), name("a"), name("c"), name("b"), name("d"), name("reviewer")}
		for _, tt := range []struct {
			sort string
			want []string
		}{
			{"username", byName},
			{"-username", reversed(byName)},
			{"createdAt", byCreation},
			{"-createdAt", reversed(byCreation)},
		} {
			for _, limit := range []int{1, 4} {
				if got := usernames(listAllUsers(t, db, all, tt.sort, limit)); !slices.Equal(got, tt.want) {
					t.Errorf("sort %s, limit %d: got %v, want %v", tt.sort, limit, got, tt.want)
				}
			}
		}
		// The default limit applies when none is given.
		if users, _, err := db.ListUsers(ctx, all, paging.Page{Sort: paging.Sort{Field: "username"}}); err != nil || len(users) != len(byName) {
			t.Errorf("ListUsers without a limit: %d users (%v)", len(users), err)
		}
		if _, _, err := db.ListUsers(ctx, all, paging.Page{Sort: paging.Sort{Field: "password_hash"}}); err == nil {
			t.Error("ListUsers sorted by an unknown field: no error")
		}
		_, _, err := db.ListUsers(ctx, all, paging.Page{Limit: 2, Sort: paging.Sort{Field: "createdAt"}, After: &paging.Cursor{Key: "yesterday", ID: "x"}})
		if !errors.Is(err, paging.ErrInvalidCursor) {
			t.Errorf("ListUsers with a cursor that is not a time: %v, want %v", err, paging.ErrInvalidCursor)
		}
	})
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestUpdateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		a := mustCreate(t, db, newUnit(organCode(), "甲局", models.UnitDepartment, nil))
		b := mustCreate(t, db, newUnit(organCode(), "乙局", models.UnitDepartment, nil))
		u := mustCreateUser(t, db, newUser("uu."+sfx, "原名", a, models.RoleReporter))
		t1 := clk.Advance(time.Minute)

		got, err := db.UpdateUser(ctx, u.ID, 1, models.UserPatch{
			DisplayName: ptr("新名 Wang"), UnitID: ptr(b.ID), Roles: []models.Role{models.RoleViewer, models.RoleReviewer},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := *u
		want.DisplayName, want.UnitID, want.Roles, want.RoleSet = "新名 Wang", b.ID, []models.Role{models.RoleViewer, models.RoleReviewer}, ",viewer,reviewer,"
		want.Version, want.UpdatedAt = 2, t1
		if d := userDiff(got, &want); d != "" {
			t.Errorf("UpdateUser returned: %s", d)
		}
		if d := userDiff(mustGetUser(t, db, u.ID), &want); d != "" {
			t.Errorf("after UpdateUser: %s", d)
		}
		if found := listAllUsers(t, db, models.UserFilter{Query: "wang", Role: models.RoleReviewer, UnitID: b.ID}, "username", 10); len(found) != 1 || found[0].ID != u.ID {
			t.Errorf("the search text and role set were not rewritten: found %v", usernames(found))
		}

		// Absent fields stay.
		clk.Advance(time.Minute)
		got, err = db.UpdateUser(ctx, u.ID, 2, models.UserPatch{DisplayName: ptr("再改")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 3 || got.UnitID != b.ID || !slices.Equal(got.Roles, want.Roles) || got.PasswordHash != u.PasswordHash {
			t.Errorf("a display-name patch changed more: %+v", got)
		}

		head := auditHead(t, db)
		refusals := []struct {
			name    string
			id      string
			version int64
			patch   models.UserPatch
			err     error
			code    string
		}{
			{"stale version", u.ID, 2, models.UserPatch{DisplayName: ptr("過時")}, models.ErrPrecondition, ""},
			{"future version", u.ID, 9, models.UserPatch{DisplayName: ptr("未來")}, models.ErrPrecondition, ""},
			{"unknown unit", u.ID, 3, models.UserPatch{UnitID: ptr(store.NewID())}, models.ErrInvalid, "user_unit_not_found"},
			{"no roles", u.ID, 3, models.UserPatch{Roles: []models.Role{}}, models.ErrInvalid, "user_invalid"},
			{"empty display name", u.ID, 3, models.UserPatch{DisplayName: ptr(" ")}, models.ErrInvalid, "user_invalid"},
			{"unknown user", store.NewID(), 1, models.UserPatch{DisplayName: ptr("誰")}, models.ErrNotFound, ""},
		}
		for _, r := range refusals {
			_, err := db.UpdateUser(ctx, r.id, r.version, r.patch)
			checkErr(t, "UpdateUser: "+r.name, err, r.err, r.code)
		}
		if after := mustGetUser(t, db, u.ID); after.Version != 3 || after.DisplayName != "再改" || after.UnitID != b.ID {
			t.Errorf("refused updates changed the user: %+v", after)
		}
		if h := auditHead(t, db); h != head {
			t.Errorf("refused updates moved the audit chain from %d to %d", head, h)
		}
		verifyChain(t, db)
	})
}

// newSession starts a session for u and returns its token's hash.
func newSession(t *testing.T, db *dbtest.DB, u *models.User, ttl time.Duration) (*models.Session, string) {
	t.Helper()
	_, hash := password.NewToken("fzs_")
	s, err := db.CreateSession(t.Context(), u, hash, ttl)
	if err != nil {
		t.Fatalf("CreateSession(%s): %v", u.Username, err)
	}
	return s, hash
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		city := mustCreate(t, db, newUnit(areaCode(), "市", models.UnitCity, nil))
		unit := mustCreate(t, db, newUnit(city.Code+"-1", "局", models.UnitDepartment, city))
		u := mustCreateUser(t, db, newUser("se."+sfx, "會話", unit, models.RoleReporter, models.RoleViewer))

		s, hash := newSession(t, db, u, time.Hour)
		if s.UserID != u.ID || !s.CreatedAt.Equal(t0) || !s.ExpiresAt.Equal(t0.Add(time.Hour)) || s.RevokedAt != nil || s.TokenHash != hash {
			t.Errorf("CreateSession = %+v", s)
		}
		if got := mustGetUser(t, db, u.ID); got.LastLoginAt == nil || !got.LastLoginAt.Equal(t0) {
			t.Errorf("last login after a sign-in: %v, want %v", got.LastLoginAt, t0)
		}
		c, err := db.SessionCaller(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		want := models.Caller{Kind: models.CallerUser, ID: u.ID, Name: u.Username, UnitID: unit.ID, UnitPath: unit.Path,
			Roles: u.Roles, SessionID: s.ID}
		if c.Kind != want.Kind || c.ID != want.ID || c.Name != want.Name || c.UnitID != want.UnitID ||
			c.UnitPath != want.UnitPath || !slices.Equal(c.Roles, want.Roles) || c.SessionID != want.SessionID || len(c.Scopes) != 0 {
			t.Errorf("SessionCaller = %+v, want %+v", c, want)
		}

		_, err = db.SessionCaller(ctx, password.HashToken("fzs_not-a-token"))
		checkErr(t, "SessionCaller of an unknown token", err, models.ErrUnauthenticated, "")

		// Expiry: good until the last microsecond before ExpiresAt.
		clk.Advance(time.Hour - time.Microsecond)
		if _, err := db.SessionCaller(ctx, hash); err != nil {
			t.Errorf("SessionCaller a microsecond before expiry: %v", err)
		}
		clk.Advance(time.Microsecond)
		_, err = db.SessionCaller(ctx, hash)
		checkErr(t, "SessionCaller at expiry", err, models.ErrUnauthenticated, "")

		// Sign-out revokes one session, not the others.
		s2, hash2 := newSession(t, db, u, time.Hour)
		s3, hash3 := newSession(t, db, u, time.Hour)
		if err := db.RevokeSession(ctx, s2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.SessionCaller(ctx, hash2)
		checkErr(t, "SessionCaller after sign-out", err, models.ErrUnauthenticated, "")
		if c, err := db.SessionCaller(ctx, hash3); err != nil || c.SessionID != s3.ID {
			t.Errorf("another session after a sign-out: %+v, %v", c, err)
		}
		checkErr(t, "RevokeSession of an unknown session", db.RevokeSession(ctx, store.NewID()), models.ErrNotFound, "")
		verifyChain(t, db)
	})
}

func TestDisableUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		unit := mustCreate(t, db, newUnit(organCode(), "局", models.UnitDepartment, nil))
		u := mustCreateUser(t, db, newUser("du."+sfx, "停用", unit, models.RoleReviewer))
		other := mustCreateUser(t, db, newUser("du2."+sfx, "旁人", unit, models.RoleReviewer))
		_, h1 := newSession(t, db, u, time.Hour)
		_, h2 := newSession(t, db, u, time.Hour)
		_, hOther := newSession(t, db, other, time.Hour)

		t1 := clk.Advance(time.Minute)
		got, err := db.SetUserDisabled(ctx, u.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Disabled || got.Version != 2 || !got.UpdatedAt.Equal(t1) {
			t.Errorf("SetUserDisabled(true) = %+v", got)
		}
		for _, h := range []string{h1, h2} {
			_, err := db.SessionCaller(ctx, h)
			checkErr(t, "SessionCaller of a disabled user", err, models.ErrUnauthenticated, "")
		}
		if _, err := db.SessionCaller(ctx, hOther); err != nil {
			t.Errorf("another user's session after a disable: %v", err)
		}

		head := auditHead(t, db)
		_, err = db.SetUserDisabled(ctx, u.ID, true)
		checkErr(t, "disabling a disabled user", err, models.ErrConflict, "user_disabled")
		_, err = db.SetUserDisabled(ctx, store.NewID(), true)
		checkErr(t, "disabling an unknown user", err, models.ErrNotFound, "")
		if h := auditHead(t, db); h != head {
			t.Errorf("refused disables moved the audit chain from %d to %d", head, h)
		}

		// Enabled again, the user may sign in anew; the old sessions stay revoked.
		got, err = db.SetUserDisabled(ctx, u.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Disabled || got.Version != 3 {
			t.Errorf("SetUserDisabled(false) = %+v", got)
		}
		for _, h := range []string{h1, h2} {
			_, err := db.SessionCaller(ctx, h)
			checkErr(t, "an old session after enabling", err, models.ErrUnauthenticated, "")
		}
		_, h3 := newSession(t, db, u, time.Hour)
		if _, err := db.SessionCaller(ctx, h3); err != nil {
			t.Errorf("a new session after enabling: %v", err)
		}

		// Enabling an enabled user changes nothing: no new version, no event.
		head = auditHead(t, db)
		got, err = db.SetUserDisabled(ctx, u.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Disabled || got.Version != 3 || mustGetUser(t, db, u.ID).Version != 3 {
			t.Errorf("enabling an enabled user: %+v, want version 3 still", got)
		}
		if h := auditHead(t, db); h != head {
			t.Errorf("enabling an enabled user moved the audit chain from %d to %d", head, h)
		}
		verifyChain(t, db)
	})
}

func TestDisableDemoUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		unit := mustCreate(t, db, newUnit(organCode(), "局", models.UnitDepartment, nil))
		// Other tests' demo users may be in the shared database: first disable those.
		if _, err := db.DisableDemoUsers(ctx); err != nil {
			t.Fatal(err)
		}
		d1 := newUser("demo1."+sfx, "示範一", unit, models.RoleAdmin)
		d2 := newUser("demo2."+sfx, "示範二", unit, models.RoleViewer)
		d1.Demo, d2.Demo = true, true
		real := newUser("real."+sfx, "真人", unit, models.RoleAdmin)
		for _, u := range []*models.User{d1, d2, real} {
			mustCreateUser(t, db, u)
		}
		_, h := newSession(t, db, d1, time.Hour)
		_, hReal := newSession(t, db, real, time.Hour)
		n, err := db.DisableDemoUsers(ctx)
		if err != nil || n != 2 {
			t.Fatalf("DisableDemoUsers = %d, %v; want 2", n, err)
		}
		if !mustGetUser(t, db, d1.ID).Disabled || !mustGetUser(t, db, d2.ID).Disabled || mustGetUser(t, db, real.ID).Disabled {
			t.Error("DisableDemoUsers disabled the wrong users")
		}
		_, err = db.SessionCaller(ctx, h)
		checkErr(t, "a demo account's session", err, models.ErrUnauthenticated, "")
		if _, err := db.SessionCaller(ctx, hReal); err != nil {
			t.Errorf("a real account's session after DisableDemoUsers: %v", err)
		}
		if n, err := db.DisableDemoUsers(ctx); err != nil || n != 0 {
			t.Errorf("DisableDemoUsers again = %d, %v; want 0", n, err)
		}
	})
}

func TestSetUserPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		unit := mustCreate(t, db, newUnit(organCode(), "局", models.UnitDepartment, nil))
		u := mustCreateUser(t, db, newUser("pw."+sfx, "改密", unit, models.RoleReporter))
		_, h := newSession(t, db, u, time.Hour)
		t1 := clk.Advance(time.Minute)
		if err := db.SetUserPassword(ctx, u.ID, "new-hash-"+sfx); err != nil {
			t.Fatal(err)
		}
		got := mustGetUser(t, db, u.ID)
		if got.PasswordHash != "new-hash-"+sfx || got.Version != 2 || !got.UpdatedAt.Equal(t1) || got.Disabled {
			t.Errorf("after SetUserPassword: %+v", got)
		}
		_, err := db.SessionCaller(ctx, h)
		checkErr(t, "a session after a password change", err, models.ErrUnauthenticated, "")
		_, h2 := newSession(t, db, got, time.Hour)
		if _, err := db.SessionCaller(ctx, h2); err != nil {
			t.Errorf("a session after the password change: %v", err)
		}
		checkErr(t, "SetUserPassword of an unknown user", db.SetUserPassword(ctx, store.NewID(), "x"), models.ErrNotFound, "")
		verifyChain(t, db)
	})
}

func TestLoginThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		p := models.ThrottlePolicy{SlowAfter: 3, LockAfter: 6, LockFor: 15 * time.Minute, Forget: 10 * time.Minute}
		account, address := "user:th."+sfx, "addr:th."+sfx
		lockedUntil := func(subjects ...string) time.Time {
			t.Helper()
			until, err := db.LoginLockedUntil(ctx, subjects...)
			if err != nil {
				t.Fatal(err)
			}
			return until
		}
		fail := func(subject string) time.Time {
			t.Helper()
			if err := db.AddLoginFailure(ctx, subject, p); err != nil {
				t.Fatal(err)
			}
			return lockedUntil(subject)
		}

		if u := lockedUntil(account, address); !u.IsZero() {
			t.Errorf("LoginLockedUntil of subjects never seen: %v, want zero", u)
		}
		// Below SlowAfter nothing waits; from it on, the wait doubles; at LockAfter it is LockFor.
		wants := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, p.LockFor, p.LockFor}
		for i, want := range wants {
			now := clk.Advance(time.Second)
			got := fail(account)
			switch {
			case want == 0 && !got.IsZero():
				t.Errorf("failure %d: locked until %v, want no lock", i+1, got)
			case want != 0 && !got.Equal(now.Add(want)):
				t.Errorf("failure %d: locked until %v, want %v (now + %v)", i+1, got, now.Add(want), want)
			}
		}
		lock := lockedUntil(account)
		// The address has its own count; asking for both gives the later lock.
		if u := fail(address); !u.IsZero() {
			t.Errorf("first failure of the address: locked until %v", u)
		}
		if u := lockedUntil(address, account); !u.Equal(lock) {
			t.Errorf("LoginLockedUntil(address, account) = %v, want the account's %v", u, lock)
		}

		// A success clears the account, not the address.
		if err := db.ClearLoginFailures(ctx, account); err != nil {
			t.Fatal(err)
		}
		if u := lockedUntil(account); !u.IsZero() {
			t.Errorf("after ClearLoginFailures: locked until %v", u)
		}
		for i := range 2 {
			if u := fail(account); !u.IsZero() {
				t.Errorf("failure %d after clearing: locked until %v, want the count to start again", i+1, u)
			}
		}
		// Failures older than Forget do not count.
		now := clk.Advance(p.Forget + time.Second)
		if u := fail(account); !u.IsZero() {
			t.Errorf("a failure after Forget: locked until %v, want the count to start again", u)
		}
		fail(account)
		now = clk.Advance(time.Second)
		if u := fail(account); !u.Equal(now.Add(time.Second)) {
			t.Errorf("third failure after Forget: locked until %v, want %v", u, now.Add(time.Second))
		}
		if err := db.ClearLoginFailures(ctx, "user:never-seen."+sfx); err != nil {
			t.Errorf("ClearLoginFailures of a subject never seen: %v", err)
		}
	})
}

func TestHit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		a, b := "key:a."+sfx, "key:b."+sfx
		hit := func(bucket string) (int64, time.Time) {
			t.Helper()
			n, end, err := db.Hit(ctx, bucket, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return n, end
		}
		windowEnd := t0.Truncate(time.Minute).Add(time.Minute)
		for want := int64(1); want <= 3; want++ {
			if n, end := hit(a); n != want || !end.Equal(windowEnd) {
				t.Errorf("hit %d of bucket a: %d, window ends %v; want %d, %v", want, n, end, want, windowEnd)
			}
		}
		if n, _ := hit(b); n != 1 {
			t.Errorf("first hit of bucket b: %d, want 1 (buckets count apart)", n)
		}
		// The last microsecond of the window still counts in it.
		clk.Advance(windowEnd.Sub(clk.Now()) - time.Microsecond)
		if n, _ := hit(a); n != 4 {
			t.Errorf("hit at the end of the window: %d, want 4", n)
		}
		// A new window starts from one and clears the old ones.
		clk.Advance(time.Microsecond)
		if n, end := hit(a); n != 1 || !end.Equal(windowEnd.Add(time.Minute)) {
			t.Errorf("first hit of the next window: %d, ends %v; want 1, %v", n, end, windowEnd.Add(time.Minute))
		}
		var rows int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM rate_counters WHERE bucket = ?", a).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Errorf("bucket a has %d counter rows after a new window, want 1", rows)
		}
		if n, _ := hit(b); n != 1 {
			t.Errorf("bucket b in the next window: %d, want 1", n)
		}
	})
}

// newKey builds an unsaved API key with a fresh prefix.
func newKey(name string, scopes ...models.Scope) *models.APIKey {
	prefix := password.NewKeyPrefix()
	_, hash := password.NewToken(prefix + "_")
	return &models.APIKey{Name: name, Prefix: prefix, SecretHash: hash, Scopes: scopes, CreatedBy: store.NewID()}
}

func TestAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0.Add(24*time.Hour))
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()

		k := newKey("報表系統 "+sfx, models.ScopeRead, models.ScopeFeed)
		expires := t0.Add(48 * time.Hour)
		k.ExpiresAt = &expires
		if err := db.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := uuid.Parse(k.ID); err != nil || !k.CreatedAt.Equal(clk.Now()) || k.AllowedAddresses == nil {
			t.Errorf("CreateAPIKey filled in id %q, created %v, addresses %v", k.ID, k.CreatedAt, k.AllowedAddresses)
		}
		// A key given an id keeps it (the demo's key has a fixed one).
		fixed := newKey("固定標識 "+sfx, models.ScopeRead)
		fixed.ID = store.NewID()
		want := fixed.ID
		if err := db.CreateAPIKey(ctx, fixed); err != nil || fixed.ID != want {
			t.Errorf("CreateAPIKey with id %s: id %s, %v", want, fixed.ID, err)
		}
		check := func(what string, got *models.APIKey, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got.ID != k.ID || got.Name != k.Name || got.Prefix != k.Prefix || got.SecretHash != k.SecretHash ||
				!slices.Equal(got.Scopes, k.Scopes) || got.AllowedAddresses == nil || len(got.AllowedAddresses) != 0 ||
				got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) || got.CreatedBy != k.CreatedBy ||
				got.LastUsedAt != nil || got.RevokedAt != nil || !got.CreatedAt.Equal(k.CreatedAt) {
				t.Errorf("%s = %+v, want %+v", what, got, k)
			}
		}
		got, err := db.GetAPIKey(ctx, k.ID)
		check("GetAPIKey", got, err)
		got, err = db.APIKeyByPrefix(ctx, k.Prefix)
		check("APIKeyByPrefix", got, err)
		_, err = db.GetAPIKey(ctx, store.NewID())
		checkErr(t, "GetAPIKey of an unknown id", err, models.ErrNotFound, "")
		_, err = db.APIKeyByPrefix(ctx, "fzk_00000000"+sfx)
		checkErr(t, "APIKeyByPrefix of an unknown prefix", err, models.ErrNotFound, "")
		dup := newKey("重複前綴", models.ScopeRead)
		dup.Prefix = k.Prefix
		checkErr(t, "CreateAPIKey with a prefix in use", db.CreateAPIKey(ctx, dup), models.ErrConflict, "")

		// With allowed addresses, which come back as they went in.
		wk := newKey("寫入 "+sfx, models.ScopeWriteValues)
		wk.AllowedAddresses = []string{"10.0.0.0/8", "192.0.2.7"}
		if err := db.CreateAPIKey(ctx, wk); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetAPIKey(ctx, wk.ID); err != nil || !slices.Equal(got.AllowedAddresses, wk.AllowedAddresses) {
			t.Errorf("allowed addresses: %v (%v), want %v", got.AllowedAddresses, err, wk.AllowedAddresses)
		}

		// Revocation: once; a second time is a conflict.
		t1 := clk.Advance(time.Minute)
		r, err := db.RevokeAPIKey(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.RevokedAt == nil || !r.RevokedAt.Equal(t1) || r.Usable(t1) {
			t.Errorf("RevokeAPIKey = %+v", r)
		}
		if got, err := db.GetAPIKey(ctx, k.ID); err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t1) {
			t.Errorf("after RevokeAPIKey: %+v (%v)", got, err)
		}
		_, err = db.RevokeAPIKey(ctx, k.ID)
		checkErr(t, "revoking a revoked key", err, models.ErrConflict, "api_key_revoked")
		_, err = db.RevokeAPIKey(ctx, store.NewID())
		checkErr(t, "revoking an unknown key", err, models.ErrNotFound, "")
		verifyChain(t, db)
	})
}

func TestListAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0.Add(72*time.Hour))
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		// Five keys a second apart, and two more in the same microsecond (ordered by id).
		var made []*models.APIKey
		for i := range 7 {
			if i < 6 {
				clk.Advance(time.Second)
			}
			k := newKey(fmt.Sprintf("列表 %s %d", sfx, i), models.ScopeRead)
			if err := db.CreateAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			made = append(made, k)
		}
		for _, i := range []int{1, 5} {
			if _, err := db.RevokeAPIKey(ctx, made[i].ID); err != nil {
				t.Fatal(err)
			}
		}
		mine := map[string]int{}
		for i, k := range made {
			mine[k.ID] = i
		}
		// listMine pages through every key and keeps this test's, in list order.
		listMine := func(revoked *bool, limit int) []int {
			t.Helper()
			page := paging.Page{Limit: limit, Sort: paging.Sort{Field: "createdAt", Desc: true}}
			var got []int
			seen := map[string]bool{}
			for range 10000 {
				keys, next, err := db.ListAPIKeys(ctx, revoked, page)
				if err != nil {
					t.Fatal(err)
				}
				if len(keys) > limit || (next != nil && len(keys) != limit) {
					t.Fatalf("page of %d keys, next %v, limit %d", len(keys), next, limit)
				}
				for _, k := range keys {
					if seen[k.ID] {
						t.Fatalf("key %s listed twice", k.ID)
					}
					seen[k.ID] = true
					if revoked != nil && (k.RevokedAt != nil) != *revoked {
						t.Errorf("revoked=%v lists key %s revoked at %v", *revoked, k.ID, k.RevokedAt)
					}
					if i, ok := mine[k.ID]; ok {
						got = append(got, i)
					}
				}
				if next == nil {
					return got
				}
				page.After = next
			}
			t.Fatal("paging does not end")
			return nil
		}
		// Newest first; the two of one instant by id, the later id first.
		newestFirst := []int{6, 5, 4, 3, 2, 1, 0}
		if made[6].ID < made[5].ID {
			newestFirst = []int{5, 6, 4, 3, 2, 1, 0}
		}
		without := func(drop ...int) []int {
			return slices.DeleteFunc(slices.Clone(newestFirst), func(i int) bool { return slices.Contains(drop, i) })
		}
		only := func(keep ...int) []int {
			return slices.DeleteFunc(slices.Clone(newestFirst), func(i int) bool { return !slices.Contains(keep, i) })
		}
		for _, limit := range []int{1, 2, 3, 50} {
			if got := listMine(nil, limit); !slices.Equal(got, newestFirst) {
				t.Errorf("all keys, limit %d: %v, want %v", limit, got, newestFirst)
			}
			if got, want := listMine(ptr(true), limit), only(1, 5); !slices.Equal(got, want) {
				t.Errorf("revoked keys, limit %d: %v, want %v", limit, got, want)
			}
			if got, want := listMine(ptr(false), limit), without(1, 5); !slices.Equal(got, want) {
				t.Errorf("live keys, limit %d: %v, want %v", limit, got, want)
			}
		}
		_, _, err := db.ListAPIKeys(ctx, nil, paging.Page{Limit: 2, After: &paging.Cursor{Key: "now", ID: "x"}})
		if !errors.Is(err, paging.ErrInvalidCursor) {
			t.Errorf("ListAPIKeys with a cursor that is not a time: %v, want %v", err, paging.ErrInvalidCursor)
		}
	})
}

func TestTouchAPIKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0.Add(96*time.Hour))
		ctx := t.Context()
		k := newKey("觸碰", models.ScopeRead)
		if err := db.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		head := auditHead(t, db)
		lastUsed := func() *time.Time {
			t.Helper()
			got, err := db.GetAPIKey(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.LastUsedAt
		}
		// Each request reads the key afresh and touches it, as the server does.
		touch := func() {
			t.Helper()
			got, err := db.GetAPIKey(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.TouchAPIKey(ctx, got); err != nil {
				t.Fatal(err)
			}
		}
		first := clk.Advance(time.Second)
		touch()
		if got := lastUsed(); got == nil || !got.Equal(first) {
			t.Fatalf("last used after the first use: %v, want %v", got, first)
		}
		clk.Advance(59 * time.Second)
		touch()
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("a use 59s later wrote last used %v, want it kept at %v", got, first)
		}
		later := clk.Advance(time.Second)
		touch()
		if got := lastUsed(); !got.Equal(later) {
			t.Errorf("a use a minute later: last used %v, want %v", got, later)
		}
		// The in-memory key is updated too, so a second touch in one request writes nothing.
		got, _ := db.GetAPIKey(ctx, k.ID)
		clk.Advance(2 * time.Minute)
		if err := db.TouchAPIKey(ctx, got); err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(clk.Now()) {
			t.Errorf("TouchAPIKey did not update the key it was given: %v (%v)", got.LastUsedAt, err)
		}
		if h := auditHead(t, db); h != head {
			t.Errorf("using a key appended %d audit event(s), want none", h-head)
		}
	})
}

func TestDeleteUnitWithUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		sfx := dbtest.RandomSuffix()
		area := areaCode()
		unit := mustCreate(t, db, newUnit(area+"-001", "有人的單位", models.UnitDepartment, nil))
		child := mustCreate(t, db, newUnit(area+"-0011", "下級", models.UnitOffice, unit))
		other := mustCreate(t, db, newUnit(area+"-X", "別處", models.UnitDepartment, nil))
		zed := mustCreateUser(t, db, newUser("z.dw."+sfx, "後", unit, models.RoleViewer))
		ann := mustCreateUser(t, db, newUser("a.dw."+sfx, "前", unit, models.RoleReporter))

		err := db.DeleteUnit(ctx, unit.ID, 1)
		checkErr(t, "deleting a unit with a child and users", err, models.ErrConflict, "unit_has_referrers")
		var ce *models.ConflictError
		errors.As(err, &ce)
		want := []models.Referrer{
			{Type: "unit", ID: child.ID, Name: "下級"},
			{Type: "user", ID: ann.ID, Name: ann.Username},
			{Type: "user", ID: zed.ID, Name: zed.Username},
		}
		if !slices.Equal(ce.Referrers, want) {
			t.Errorf("referrers: got %+v, want %+v", ce.Referrers, want)
		}
		if err := db.DeleteUnit(ctx, child.ID, 1); err != nil {
			t.Fatal(err)
		}
		// Users only.
		err = db.DeleteUnit(ctx, unit.ID, 1)
		checkErr(t, "deleting a unit with users", err, models.ErrConflict, "unit_has_referrers")
		errors.As(err, &ce)
		if !slices.Equal(ce.Referrers, want[1:]) {
			t.Errorf("referrers: got %+v, want %+v", ce.Referrers, want[1:])
		}
		// Moved away, they no longer hold it.
		for _, u := range []*models.User{ann, zed} {
			if _, err := db.UpdateUser(ctx, u.ID, u.Version, models.UserPatch{UnitID: ptr(other.ID)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteUnit(ctx, unit.ID, 1); err != nil {
			t.Errorf("deleting a unit nobody refers to any more: %v", err)
		}
		verifyChain(t, db)
	})
}
