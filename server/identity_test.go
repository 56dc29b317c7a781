package server_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

const (
	pathLogin   = "/api/v1/auth/login"
	pathLogout  = "/api/v1/auth/logout"
	pathMe      = "/api/v1/me"
	pathUsers   = "/api/v1/users"
	pathAPIKeys = "/api/v1/api-keys"
	missingID   = "0190a000-0000-7000-8000-00000000ffff"
	testPass    = "Throwaway-Pass-2022"
)

// testClientRange is httptest's RemoteAddr, believed as a proxy by
// signInHarness.
const testClientRange = "192.0.2.1/32"

// signInHarness is a harness whose test client counts as a trusted proxy, so
// that each sign-in can come from an address of its own (X-Forwarded-For):
// failed sign-ins of other tests, counted per client address, never lock the
// sign-ins of these.
func signInHarness(t *testing.T, db *dbtest.DB) *harness {
	t.Helper()
	return newHarness(t, db, server.Config{TrustedProxies: []string{testClientRange}})
}

// signIn posts a login from a random private address (see signInHarness).
func (h *harness) signIn(username, pw string) *apitest.Response {
	addr := fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), 1+rand.IntN(254))
	return h.Post(pathLogin, map[string]any{"username": username, "password": pw}, map[string]string{"X-Forwarded-For": addr})
}

// mustSignIn signs in and returns the session.
func (h *harness) mustSignIn(t *testing.T, username, pw string) api.Session {
	t.Helper()
	resp := h.signIn(username, pw)
	expect(t, resp, http.StatusOK, "")
	var s api.Session
	resp.JSON(t, &s)
	return s
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// newUser creates a user through the API (as the fixture administrator).
func (h *harness) newUser(t *testing.T, unitID, username string, roles ...string) api.User {
	t.Helper()
	if len(roles) == 0 {
		roles = []string{"viewer"}
	}
	resp := h.Post(pathUsers, map[string]any{"username": username, "displayName": "用戶 " + username,
		"unitId": unitID, "roles": roles, "password": testPass}, nil)
	expect(t, resp, http.StatusCreated, "")
	var u api.User
	resp.JSON(t, &u)
	return u
}

func (h *harness) getUser(t *testing.T, id string) api.User {
	t.Helper()
	u, resp := getOK[api.User](t, h, pathUsers+"/"+id, nil)
	if got, want := resp.Header.Get("ETag"), fmt.Sprintf(`"%d"`, u.Version); got != want {
		t.Errorf("user ETag %s, want %s", got, want)
	}
	return u
}

// meAs answers GET /me with the given bearer token.
func (h *harness) meAs(t *testing.T, token string) (api.Me, *apitest.Response) {
	t.Helper()
	resp := h.Get(pathMe, bearer(token))
	var me api.Me
	if resp.Status == http.StatusOK {
		resp.JSON(t, &me)
	}
	return me, resp
}

func TestLoginAndLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)

		// A fixture user signs in; the token works at once.
		viewer := h.fx.users["viewer"]
		before := time.Now().Add(-time.Second)
		s := h.mustSignIn(t, viewer.Username, fixturePassword)
		if !strings.HasPrefix(s.Token, "fzs_") || s.TokenType != api.Bearer || s.User.Id.String() != viewer.ID {
			t.Errorf("session = %+v", s)
		}
		if !s.ExpiresAt.After(time.Now()) {
			t.Errorf("session expires at %s, in the past", s.ExpiresAt)
		}
		if s.User.LastLoginAt == nil || s.User.LastLoginAt.Before(before) {
			t.Errorf("lastLoginAt after sign-in = %v", s.User.LastLoginAt)
		}
		me, resp := h.meAs(t, s.Token)
		expect(t, resp, http.StatusOK, "")
		if me.Kind != api.MeKindUser || me.User == nil || me.User.Id.String() != viewer.ID || me.User.LastLoginAt == nil {
			t.Errorf("me with the new token = %+v", me)
		}
		if got := h.getUser(t, viewer.ID); got.LastLoginAt == nil || !got.LastLoginAt.Equal(*s.User.LastLoginAt) {
			t.Errorf("stored lastLoginAt %v, sign-in said %v", got.LastLoginAt, s.User.LastLoginAt)
		}

		// Wrong password and unknown user answer alike.
		for _, body := range []struct{ user, pw string }{
			{viewer.Username, "not-the-password"},
			{"nobody-" + tag(), fixturePassword},
		} {
			resp := h.signIn(body.user, body.pw)
			expect(t, resp, http.StatusUnauthorized, "unauthenticated")
			if resp.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
		}

		// Bodies that do not match the contract.
		for name, body := range map[string]any{
			"missing password": map[string]any{"username": viewer.Username},
			"empty password":   map[string]any{"username": viewer.Username, "password": ""},
			"unknown field":    map[string]any{"username": viewer.Username, "password": fixturePassword, "remember": true},
			"wrong type":       map[string]any{"username": viewer.Username, "password": 12345678901},
			"space in name":    map[string]any{"username": "a b", "password": fixturePassword},
			"not JSON":         "username=a&password=b",
		} {
			t.Run(name, func(t *testing.T) {
				expect(t, h.Post(pathLogin, body, nil), http.StatusBadRequest, "invalid_request")
			})
		}

		expect(t, h.Post(pathLogout+"?everywhere=true", nil, bearer(s.Token)), http.StatusBadRequest, "invalid_request")

		// Sign-out revokes only the token it is sent with.
		other := h.mustSignIn(t, viewer.Username, fixturePassword)
		expect(t, h.Post(pathLogout, nil, bearer(s.Token)), http.StatusNoContent, "")
		_, resp = h.meAs(t, s.Token)
		expect(t, resp, http.StatusUnauthorized, "unauthenticated")
		expect(t, h.Post(pathLogout, nil, bearer(s.Token)), http.StatusUnauthorized, "unauthenticated")
		if _, resp := h.meAs(t, other.Token); resp.Status != http.StatusOK {
			t.Errorf("another session of the same user stopped working: %d", resp.Status)
		}
		if _, resp := h.meAs(t, h.fx.tokens["viewer"]); resp.Status != http.StatusOK {
			t.Errorf("the fixture session stopped working: %d", resp.Status)
		}
		expect(t, h.Post(pathLogout, nil, bearer(other.Token)), http.StatusNoContent, "")
	})
}

func TestGetMe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})

		me, resp := h.meAs(t, h.fx.tokens["viewer"])
		expect(t, resp, http.StatusOK, "")
		viewer := h.fx.users["viewer"]
		if me.Kind != api.MeKindUser || me.User == nil || me.User.Id.String() != viewer.ID || me.User.Username != viewer.Username {
			t.Errorf("viewer me.user = %+v", me.User)
		}
		if me.Unit == nil || me.Unit.Id.String() != h.fx.town {
			t.Errorf("viewer me.unit = %+v, want the town", me.Unit)
		}
		if me.ApiKey != nil || !slices.Equal(me.Roles, []api.Role{api.Viewer}) || len(me.Scopes) != 0 {
			t.Errorf("viewer me: apiKey %v roles %v scopes %v", me.ApiKey, me.Roles, me.Scopes)
		}
		for _, op := range []string{"getMe", "listUnits", "getUnit", "getUnitTree", "logout"} {
			if !slices.Contains(me.Permissions, op) {
				t.Errorf("viewer permissions %v lack %s", me.Permissions, op)
			}
		}
		for _, op := range []string{"createUnit", "listUsers", "createApiKey", "listAuditEvents", "login"} {
			if slices.Contains(me.Permissions, op) {
				t.Errorf("viewer permissions %v include %s", me.Permissions, op)
			}
		}
		if !slices.IsSorted(me.Permissions) {
			t.Errorf("permissions not sorted: %v", me.Permissions)
		}

		expect(t, h.Get(pathMe+"?expand=unit", nil), http.StatusBadRequest, "invalid_request")

		me, resp = h.meAs(t, h.fx.tokens["admin"])
		expect(t, resp, http.StatusOK, "")
		for _, op := range []string{"createUnit", "createUser", "createApiKey", "verifyAuditEvents", "listAuditEvents"} {
			if !slices.Contains(me.Permissions, op) {
				t.Errorf("admin permissions %v lack %s", me.Permissions, op)
			}
		}

		me, resp = h.meAs(t, h.fx.tokens["reviewer"])
		expect(t, resp, http.StatusOK, "")
		if !slices.Contains(me.Permissions, "listAuditEvents") || slices.Contains(me.Permissions, "verifyAuditEvents") {
			t.Errorf("reviewer permissions %v", me.Permissions)
		}

		key := h.fx.keys["read"]
		me, resp = h.meAs(t, h.fx.tokens["key:read"])
		expect(t, resp, http.StatusOK, "")
		if me.Kind != api.MeKindApiKey || me.ApiKey == nil || me.ApiKey.Id.String() != key.ID || me.ApiKey.Prefix != key.Prefix {
			t.Errorf("key me.apiKey = %+v", me.ApiKey)
		}
		if me.User != nil || me.Unit != nil || len(me.Roles) != 0 || !slices.Equal(me.Scopes, []api.ApiKeyScope{api.Read}) {
			t.Errorf("key me: user %v unit %v roles %v scopes %v", me.User, me.Unit, me.Roles, me.Scopes)
		}
		if !slices.Contains(me.Permissions, "listUnits") || !slices.Contains(me.Permissions, "getMe") ||
			slices.Contains(me.Permissions, "createUnit") || slices.Contains(me.Permissions, "logout") {
			t.Errorf("read key permissions %v", me.Permissions)
		}

		me, resp = h.meAs(t, h.fx.tokens["key:feed"])
		expect(t, resp, http.StatusOK, "")
		if !slices.Equal(me.Scopes, []api.ApiKeyScope{api.Feed}) || !slices.Contains(me.Permissions, "getMe") || slices.Contains(me.Permissions, "listUnits") {
			t.Errorf("feed key: scopes %v permissions %v", me.Scopes, me.Permissions)
		}
	})
}

func TestCreateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		p := tag()
		resp := h.Post(pathUsers, map[string]any{"username": p + ".rep", "displayName": "市公安局填報員",
			"unitId": h.fx.town, "roles": []string{"reporter", "viewer"}, "password": testPass}, nil)
		expect(t, resp, http.StatusCreated, "")
		var u api.User
		resp.JSON(t, &u)
		if u.Username != p+".rep" || u.DisplayName != "市公安局填報員" || u.UnitId.String() != h.fx.town ||
			!slices.Equal(u.Roles, []api.Role{api.Reporter, api.Viewer}) || u.Disabled || u.Version != 1 || u.LastLoginAt != nil {
			t.Errorf("created user = %+v", u)
		}
		if loc := resp.Header.Get("Location"); loc != pathUsers+"/"+u.Id.String() {
			t.Errorf("Location %q", loc)
		}
		if et := resp.Header.Get("ETag"); et != `"1"` {
			t.Errorf("ETag %q", et)
		}
		if strings.Contains(string(resp.Body), testPass) || strings.Contains(string(resp.Body), "argon2") {
			t.Errorf("the response carries the password or its hash: %s", resp.Body)
		}
		if got := h.getUser(t, u.Id.String()); got.Username != u.Username || got.Version != 1 {
			t.Errorf("get after create = %+v", got)
		}
		// The new user can sign in with its password.
		h.mustSignIn(t, p+".rep", testPass)

		user := func(over map[string]any) map[string]any {
			b := map[string]any{"username": p + ".x", "displayName": "某人", "unitId": h.fx.town, "roles": []string{"viewer"}, "password": testPass}
			for k, v := range over {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		tests := []struct {
			name    string
			body    any
			status  int
			code    string
			pointer string
		}{
			{"taken username", user(map[string]any{"username": p + ".rep"}), 409, "username_taken", ""},
			{"unknown unit", user(map[string]any{"unitId": missingID}), 422, "user_unit_not_found", "/unitId"},
			{"password is the username", user(map[string]any{"username": p + ".pw", "password": strings.ToUpper(p + ".pw")}), 422, "password_is_username", "/password"},
			{"password is the username with spaces", user(map[string]any{"username": "abcdefgh", "password": " abcdefgh "}), 422, "password_is_username", "/password"},
			{"short password", user(map[string]any{"password": "short"}), 400, "invalid_request", "/password"},
			{"missing password", user(map[string]any{"password": nil}), 400, "invalid_request", "/password"},
			{"duplicate roles", user(map[string]any{"roles": []string{"viewer", "viewer"}}), 400, "invalid_request", "/roles"},
			{"no roles", user(map[string]any{"roles": []string{}}), 400, "invalid_request", "/roles"},
			{"unknown role", user(map[string]any{"roles": []string{"boss"}}), 400, "invalid_request", "/roles/0"},
			{"upper-case username", user(map[string]any{"username": "Admin2"}), 400, "invalid_request", "/username"},
			{"short username", user(map[string]any{"username": "ab"}), 400, "invalid_request", "/username"},
			{"bad unit id", user(map[string]any{"unitId": "town"}), 400, "invalid_request", "/unitId"},
			{"blank display name", user(map[string]any{"displayName": " "}), 400, "invalid_request", "/displayName"},
			{"unknown field", user(map[string]any{"email": "a@example.invalid"}), 400, "invalid_request", ""},
			{"malformed JSON", `{"username":`, 400, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(pathUsers, tt.body, nil)
				expect(t, resp, tt.status, tt.code)
				if tt.pointer != "" && !hasPointer(resp.Problem(t), tt.pointer) {
					t.Errorf("problem %s does not point at %s", resp.Body, tt.pointer)
				}
			})
		}
		// None of the refused users exists.
		var page api.UserPage
		h.Get(pathUsers+"?q="+p, nil).JSON(t, &page)
		if len(page.Items) != 1 {
			t.Errorf("%d users named %s* after the refusals, want 1: %+v", len(page.Items), p, page.Items)
		}
	})
}

func TestListUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		unit := h.createUnit(t, map[string]any{"code": deptCode(), "name": "用戶測試局", "kind": "department", "parentId": h.fx.city}).Id.String()
		specs := []struct {
			suffix, display string
			roles           []string
		}{
			{".a", "盤錦填報員", []string{"reporter"}},
			{".b", "審核員甲", []string{"reviewer"}},
			{".c", "查看和填報", []string{"viewer", "reporter"}},
			{".d", "管理員", []string{"admin"}},
			{".e", "停用的填報員", []string{"reporter"}},
		}
		ids := map[string]string{}
		for _, s := range specs {
			resp := h.Post(pathUsers, map[string]any{"username": p + s.suffix, "displayName": s.display, "unitId": unit,
				"roles": s.roles, "password": testPass}, nil)
			expect(t, resp, http.StatusCreated, "")
			var u api.User
			resp.JSON(t, &u)
			ids[s.suffix] = u.Id.String()
		}
		expect(t, h.Post(pathUsers+"/"+ids[".e"]+"/disable", nil, nil), http.StatusOK, "")

		list := func(q url.Values) (names []string, next *string) {
			t.Helper()
			resp := h.Get(pathUsers+"?"+q.Encode(), nil)
			expect(t, resp, http.StatusOK, "")
			var page api.UserPage
			resp.JSON(t, &page)
			for _, u := range page.Items {
				names = append(names, strings.TrimPrefix(u.Username, p))
			}
			return names, page.NextCursor
		}
		for _, tt := range []struct {
			query url.Values
			want  []string
		}{
			{url.Values{"unitId": {unit}}, []string{".a", ".b", ".c", ".d", ".e"}},
			{url.Values{"unitId": {unit}, "sort": {"-username"}}, []string{".e", ".d", ".c", ".b", ".a"}},
			{url.Values{"unitId": {unit}, "sort": {"createdAt"}}, []string{".a", ".b", ".c", ".d", ".e"}},
			{url.Values{"unitId": {unit}, "sort": {"-createdAt"}}, []string{".e", ".d", ".c", ".b", ".a"}},
			{url.Values{"unitId": {unit}, "role": {"reporter"}}, []string{".a", ".c", ".e"}},
			{url.Values{"unitId": {unit}, "role": {"admin"}}, []string{".d"}},
			{url.Values{"unitId": {unit}, "disabled": {"true"}}, []string{".e"}},
			{url.Values{"unitId": {unit}, "disabled": {"false"}, "role": {"reporter"}}, []string{".a", ".c"}},
			{url.Values{"q": {p}}, []string{".a", ".b", ".c", ".d", ".e"}},
			{url.Values{"q": {strings.ToUpper(p) + ".B"}}, []string{".b"}},
			{url.Values{"unitId": {unit}, "q": {"盘锦填报"}}, []string{".a"}}, // simplified finds traditional
			{url.Values{"unitId": {unit}, "q": {"填報員"}}, []string{".a", ".e"}},
			{url.Values{"unitId": {h.fx.other}, "q": {p}}, nil},
		} {
			if got, _ := list(tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.query.Encode(), got, tt.want)
			}
		}

		// Paging by cursor, in both directions of both sorts.
		for _, sort := range []string{"username", "-username", "createdAt", "-createdAt"} {
			full, _ := list(url.Values{"unitId": {unit}, "sort": {sort}})
			var paged []string
			q := url.Values{"unitId": {unit}, "sort": {sort}, "limit": {"2"}}
			for pages := 1; ; pages++ {
				names, next := list(q)
				paged = append(paged, names...)
				if next == nil {
					if pages != 3 {
						t.Errorf("sort %s: %d pages of 2 for 5 users", sort, pages)
					}
					break
				}
				if pages > 3 {
					t.Fatalf("sort %s: paging does not end", sort)
				}
				q.Set("cursor", *next)
			}
			if !slices.Equal(paged, full) {
				t.Errorf("sort %s: paged %v, whole %v", sort, paged, full)
			}
		}

		// A cursor belongs to its filters and sort.
		_, next := list(url.Values{"unitId": {unit}, "limit": {"2"}})
		expect(t, h.Get(pathUsers+"?"+url.Values{"unitId": {unit}, "limit": {"2"}, "role": {"admin"}, "cursor": {*next}}.Encode(), nil), 400, "invalid_cursor")
		expect(t, h.Get(pathUsers+"?"+url.Values{"unitId": {unit}, "limit": {"2"}, "sort": {"-username"}, "cursor": {*next}}.Encode(), nil), 400, "invalid_cursor")
		for _, q := range []string{"role=boss", "disabled=maybe", "sort=displayName", "unitId=nope", "limit=0", "limit=501", "q=", "unit=" + unit} {
			t.Run(q, func(t *testing.T) {
				expect(t, h.Get(pathUsers+"?"+q, nil), 400, "invalid_request")
			})
		}
	})
}

func TestGetUserNotFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		expect(t, h.Get(pathUsers+"/"+missingID, nil), 404, "not_found")
		expect(t, h.Get(pathUsers+"/not-a-uuid", nil), 400, "invalid_request")
		// A unit id is not a user id.
		expect(t, h.Get(pathUsers+"/"+h.fx.town, nil), 404, "not_found")
	})
}

func TestUpdateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		p := tag()
		u := h.newUser(t, h.fx.town, p+".upd", "viewer")
		path := pathUsers + "/" + u.Id.String()
		token := h.mustSignIn(t, p+".upd", testPass).Token

		resp := h.Patch(path, map[string]any{"displayName": "改名了", "roles": []string{"reviewer", "viewer"}, "unitId": h.fx.district},
			map[string]string{"If-Match": `"1"`})
		expect(t, resp, http.StatusOK, "")
		var got api.User
		resp.JSON(t, &got)
		if got.DisplayName != "改名了" || !slices.Equal(got.Roles, []api.Role{api.Reviewer, api.Viewer}) || got.UnitId.String() != h.fx.district ||
			got.Version != 2 || got.Username != u.Username || !got.UpdatedAt.After(u.UpdatedAt) || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("after patch: %+v", got)
		}
		if et := resp.Header.Get("ETag"); et != `"2"` {
			t.Errorf("ETag after patch %q, want \"2\"", et)
		}
		// The change applies to the user's next request, on the token it holds.
		me, mresp := h.meAs(t, token)
		expect(t, mresp, http.StatusOK, "")
		if !slices.Equal(me.Roles, []api.Role{api.Reviewer, api.Viewer}) || me.Unit == nil || me.Unit.Id.String() != h.fx.district ||
			!slices.Contains(me.Permissions, "listAuditEvents") {
			t.Errorf("me after the patch: roles %v unit %v permissions %v", me.Roles, me.Unit, me.Permissions)
		}
		// Absent fields stay.
		resp = h.Patch(path, map[string]any{"roles": []string{"reporter"}}, map[string]string{"If-Match": `"2"`})
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &got)
		if got.DisplayName != "改名了" || got.UnitId.String() != h.fx.district || got.Version != 3 {
			t.Errorf("after partial patch: %+v", got)
		}

		match := map[string]string{"If-Match": `"3"`}
		tests := []struct {
			name        string
			path        string
			body        any
			contentType string
			header      map[string]string
			status      int
			code        string
		}{
			{"stale", path, map[string]any{"displayName": "x"}, "", map[string]string{"If-Match": `"1"`}, 412, "version_mismatch"},
			{"no If-Match", path, map[string]any{"displayName": "x"}, "", nil, 428, "if_match_required"},
			{"unknown unit", path, map[string]any{"unitId": missingID}, "", match, 422, "user_unit_not_found"},
			{"unknown user", pathUsers + "/" + missingID, map[string]any{"displayName": "x"}, "", match, 404, "not_found"},
			{"bad id", pathUsers + "/x", map[string]any{"displayName": "x"}, "", match, 400, "invalid_request"},
			{"empty patch", path, map[string]any{}, "", match, 400, "invalid_request"},
			{"username is not patchable", path, map[string]any{"username": "other"}, "", match, 400, "invalid_request"},
			{"duplicate roles", path, map[string]any{"roles": []string{"admin", "admin"}}, "", match, 400, "invalid_request"},
			{"no roles", path, map[string]any{"roles": []string{}}, "", match, 400, "invalid_request"},
			{"null roles", path, map[string]any{"roles": nil}, "", match, 400, "invalid_request"},
			{"bad If-Match", path, map[string]any{"displayName": "x"}, "", map[string]string{"If-Match": "3"}, 400, "invalid_request"},
			{"plain JSON", path, `{"displayName":"x"}`, "application/json", match, 415, "unsupported_media_type"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/merge-patch+json"
				}
				expect(t, h.Do(apitest.Request{Method: http.MethodPatch, Path: tt.path, Body: tt.body, ContentType: ct, Header: tt.header}), tt.status, tt.code)
			})
		}
		if now := h.getUser(t, u.Id.String()); now.Version != 3 || now.DisplayName != "改名了" || now.UnitId.String() != h.fx.district {
			t.Errorf("refused patches wrote: %+v", now)
		}
	})
}

func TestDisableAndEnableUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		p := tag()
		u := h.newUser(t, h.fx.town, p+".dis", "reporter")
		path := pathUsers + "/" + u.Id.String()
		token := h.mustSignIn(t, u.Username, testPass).Token
		if _, resp := h.meAs(t, token); resp.Status != http.StatusOK {
			t.Fatalf("fresh token: %d", resp.Status)
		}

		resp := h.Post(path+"/disable", nil, nil)
		expect(t, resp, http.StatusOK, "")
		var got api.User
		resp.JSON(t, &got)
		if !got.Disabled || got.Version != 2 || got.Id != u.Id {
			t.Errorf("disabled user = %+v", got)
		}
		// Its token stops working at once, and it cannot sign in.
		_, resp = h.meAs(t, token)
		expect(t, resp, http.StatusUnauthorized, "unauthenticated")
		expect(t, h.signIn(u.Username, testPass), http.StatusUnauthorized, "unauthenticated")
		expect(t, h.Post(path+"/disable", nil, nil), http.StatusConflict, "user_disabled")

		resp = h.Post(path+"/enable", nil, nil)
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &got)
		if got.Disabled || got.Version != 3 {
			t.Errorf("enabled user = %+v", got)
		}
		// Old tokens stay revoked; a new sign-in works.
		_, resp = h.meAs(t, token)
		expect(t, resp, http.StatusUnauthorized, "unauthenticated")
		fresh := h.mustSignIn(t, u.Username, testPass).Token
		if _, resp := h.meAs(t, fresh); resp.Status != http.StatusOK {
			t.Errorf("token after re-enabling: %d", resp.Status)
		}
		// Enabling an enabled user changes nothing.
		resp = h.Post(path+"/enable", nil, nil)
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &got)
		if got.Disabled || got.Version != 3 {
			t.Errorf("enabling again: %+v, want version 3 unchanged", got)
		}
		if _, resp := h.meAs(t, fresh); resp.Status != http.StatusOK {
			t.Errorf("enabling again broke the session: %d", resp.Status)
		}

		// An administrator cannot disable itself (nothing is written).
		admin := h.fx.users["admin"]
		expect(t, h.Post(pathUsers+"/"+admin.ID+"/disable", nil, nil), http.StatusConflict, "cannot_disable_self")
		if a := h.getUser(t, admin.ID); a.Disabled {
			t.Fatal("the fixture admin was disabled")
		}
		// ...but another administrator can be disabled by it.
		other := h.newUser(t, h.fx.city, p+".adm", "admin")
		expect(t, h.Post(pathUsers+"/"+other.Id.String()+"/disable", nil, nil), http.StatusOK, "")

		for _, op := range []string{"disable", "enable"} {
			expect(t, h.Post(pathUsers+"/"+missingID+"/"+op, nil, nil), http.StatusNotFound, "not_found")
			expect(t, h.Post(pathUsers+"/bad/"+op, nil, nil), http.StatusBadRequest, "invalid_request")
		}
	})
}

func TestResetUserPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		p := tag()
		u := h.newUser(t, h.fx.town, p+".pw", "viewer")
		path := pathUsers + "/" + u.Id.String() + "/reset-password"
		first := h.mustSignIn(t, u.Username, testPass).Token
		second := h.mustSignIn(t, u.Username, testPass).Token

		const newPass = "Brand-New-Pass-2023"
		expect(t, h.Post(path, map[string]any{"password": newPass}, nil), http.StatusNoContent, "")
		for _, tok := range []string{first, second} {
			_, resp := h.meAs(t, tok)
			expect(t, resp, http.StatusUnauthorized, "unauthenticated")
		}
		expect(t, h.signIn(u.Username, testPass), http.StatusUnauthorized, "unauthenticated")
		s := h.mustSignIn(t, u.Username, newPass)
		if _, resp := h.meAs(t, s.Token); resp.Status != http.StatusOK {
			t.Errorf("token after the reset: %d", resp.Status)
		}
		if got := h.getUser(t, u.Id.String()); got.Version != 2 || got.Disabled {
			t.Errorf("user after reset: %+v", got)
		}

		tests := []struct {
			name   string
			path   string
			body   any
			status int
			code   string
		}{
			{"unknown user", pathUsers + "/" + missingID + "/reset-password", map[string]any{"password": newPass}, 404, "not_found"},
			{"the username", path, map[string]any{"password": strings.ToUpper(u.Username)}, 422, "password_is_username"},
			{"too short", path, map[string]any{"password": "123456789"}, 400, "invalid_request"},
			{"missing", path, map[string]any{}, 400, "invalid_request"},
			{"unknown field", path, map[string]any{"password": newPass, "old": testPass}, 400, "invalid_request"},
			{"no body", path, nil, 400, "invalid_request"},
			{"bad id", pathUsers + "/x/reset-password", map[string]any{"password": newPass}, 400, "invalid_request"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				expect(t, h.Post(tt.path, tt.body, nil), tt.status, tt.code)
			})
		}
		// The refused resets left the password and the session alone.
		if _, resp := h.meAs(t, s.Token); resp.Status != http.StatusOK {
			t.Errorf("a refused reset revoked the session: %d", resp.Status)
		}
		h.mustSignIn(t, u.Username, newPass)
	})
}

// newKey issues a key through the API and returns it with its secret.
func (h *harness) newKey(t *testing.T, body map[string]any) api.ApiKeyWithSecret {
	t.Helper()
	resp := h.Post(pathAPIKeys, body, nil)
	expect(t, resp, http.StatusCreated, "")
	var k api.ApiKeyWithSecret
	resp.JSON(t, &k)
	if loc := resp.Header.Get("Location"); loc != pathAPIKeys+"/"+k.Id.String() {
		t.Errorf("Location %q", loc)
	}
	return k
}

func (h *harness) getKey(t *testing.T, id string) (api.ApiKey, *apitest.Response) {
	t.Helper()
	resp := h.Get(pathAPIKeys+"/"+id, nil)
	expect(t, resp, http.StatusOK, "")
	var k api.ApiKey
	resp.JSON(t, &k)
	return k, resp
}

func TestAPIKeyLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		k := h.newKey(t, map[string]any{"name": "省平台 " + p, "scopes": []string{"read", "feed"}, "expiresAt": expires.Format(time.RFC3339)})
		if !strings.HasPrefix(k.Secret, k.Prefix+"_") || k.Name != "省平台 "+p || !slices.Equal(k.Scopes, []api.ApiKeyScope{api.Read, api.Feed}) ||
			who(&k.CreatedBy) != "user:"+h.fx.users["admin"].ID || k.ExpiresAt == nil || !k.ExpiresAt.Equal(expires) || len(k.AllowedAddresses) != 0 {
			t.Errorf("created key = %+v", k)
		}

		// Before use: no lastUsedAt, and never the secret.
		got, resp := h.getKey(t, k.Id.String())
		if got.LastUsedAt != nil || got.RevokedAt != nil || got.Prefix != k.Prefix {
			t.Errorf("key before use = %+v", got)
		}
		if strings.Contains(string(resp.Body), k.Secret) || strings.Contains(string(resp.Body), `"secret"`) {
			t.Errorf("GET shows the secret: %s", resp.Body)
		}

		// The secret is a bearer token for the operations of its scopes only.
		expect(t, h.Get(unitsPath+"?limit=1", bearer(k.Secret)), http.StatusOK, "")
		me, mresp := h.meAs(t, k.Secret)
		expect(t, mresp, http.StatusOK, "")
		if me.Kind != api.MeKindApiKey || me.ApiKey == nil || me.ApiKey.Id != k.Id {
			t.Errorf("me as the key = %+v", me)
		}
		expect(t, h.Post(unitsPath, map[string]any{"code": areaCode(), "name": "x", "kind": "city"}, bearer(k.Secret)), http.StatusForbidden, "forbidden")
		expect(t, h.Get(pathAPIKeys, bearer(k.Secret)), http.StatusForbidden, "forbidden")
		// A wrong secret with the right prefix is refused.
		expect(t, h.Get(unitsPath+"?limit=1", bearer(k.Prefix+"_wrong-secret")), http.StatusUnauthorized, "unauthenticated")

		got, resp = h.getKey(t, k.Id.String())
		if got.LastUsedAt == nil || got.LastUsedAt.Before(got.CreatedAt) {
			t.Errorf("lastUsedAt after use = %v", got.LastUsedAt)
		}
		if strings.Contains(string(resp.Body), k.Secret) {
			t.Errorf("GET shows the secret: %s", resp.Body)
		}

		// Revoking stops it at once; a second revoke is a conflict.
		resp = h.Post(pathAPIKeys+"/"+k.Id.String()+"/revoke", nil, nil)
		expect(t, resp, http.StatusOK, "")
		var revoked api.ApiKey
		resp.JSON(t, &revoked)
		if revoked.RevokedAt == nil || revoked.Id != k.Id {
			t.Errorf("revoked key = %+v", revoked)
		}
		expect(t, h.Get(unitsPath+"?limit=1", bearer(k.Secret)), http.StatusUnauthorized, "unauthenticated")
		expect(t, h.Post(pathAPIKeys+"/"+k.Id.String()+"/revoke", nil, nil), http.StatusConflict, "api_key_revoked")
		if got, _ := h.getKey(t, k.Id.String()); got.RevokedAt == nil || !got.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("key after revoke = %+v", got)
		}

		expect(t, h.Get(pathAPIKeys+"/"+missingID, nil), http.StatusNotFound, "not_found")
		expect(t, h.Post(pathAPIKeys+"/"+missingID+"/revoke", nil, nil), http.StatusNotFound, "not_found")
		expect(t, h.Get(pathAPIKeys+"/x", nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Post(pathAPIKeys+"/x/revoke", nil, nil), http.StatusBadRequest, "invalid_request")
		// A user id is not a key id.
		expect(t, h.Get(pathAPIKeys+"/"+h.fx.users["admin"].ID, nil), http.StatusNotFound, "not_found")
	})
}

func TestCreateAPIKeyErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		key := func(over map[string]any) map[string]any {
			b := map[string]any{"name": "key " + p, "scopes": []string{"read"}}
			for k, v := range over {
				b[k] = v
			}
			return b
		}
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		tests := []struct {
			name    string
			body    any
			status  int
			code    string
			pointer string
		}{
			{"expired", key(map[string]any{"expiresAt": past}), 422, "api_key_expired", "/expiresAt"},
			{"impossible range", key(map[string]any{"allowedAddresses": []string{"10.0.0.0/8", "999.1.1.1/99"}}), 422, "api_key_address_invalid", "/allowedAddresses/1"},
			{"prefix too long", key(map[string]any{"allowedAddresses": []string{"10.0.0.0/33"}}), 422, "api_key_address_invalid", "/allowedAddresses/0"},
			{"not an address", key(map[string]any{"allowedAddresses": []string{"example.org/24"}}), 400, "invalid_request", "/allowedAddresses/0"},
			{"address without prefix", key(map[string]any{"allowedAddresses": []string{"10.0.0.1"}}), 400, "invalid_request", "/allowedAddresses/0"},
			{"unknown scope", key(map[string]any{"scopes": []string{"admin"}}), 400, "invalid_request", "/scopes/0"},
			{"no scopes", key(map[string]any{"scopes": []string{}}), 400, "invalid_request", "/scopes"},
			{"duplicate scopes", key(map[string]any{"scopes": []string{"read", "read"}}), 400, "invalid_request", "/scopes"},
			{"blank name", key(map[string]any{"name": ""}), 400, "invalid_request", "/name"},
			{"bad expiry", key(map[string]any{"expiresAt": "tomorrow"}), 400, "invalid_request", "/expiresAt"},
			{"secret given", key(map[string]any{"secret": "fzk_00000000_mine"}), 400, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(pathAPIKeys, tt.body, nil)
				expect(t, resp, tt.status, tt.code)
				if tt.pointer != "" && !hasPointer(resp.Problem(t), tt.pointer) {
					t.Errorf("problem %s does not point at %s", resp.Body, tt.pointer)
				}
			})
		}
		// None of them was created.
		for _, k := range listAllKeys(t, h, nil) {
			if k.Name == "key "+p {
				t.Errorf("a refused key was created: %+v", k)
			}
		}
	})
}

func TestAPIKeyAddressesAndExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		// httptest's requests come from 192.0.2.1.
		elsewhere := h.newKey(t, map[string]any{"name": "elsewhere " + p, "scopes": []string{"read"}, "allowedAddresses": []string{"203.0.113.0/24", "2001:db8::/32"}})
		here := h.newKey(t, map[string]any{"name": "here " + p, "scopes": []string{"read"}, "allowedAddresses": []string{"198.51.100.7/32", "192.0.2.0/24"}})
		if !slices.Equal(elsewhere.AllowedAddresses, []string{"203.0.113.0/24", "2001:db8::/32"}) {
			t.Errorf("allowedAddresses = %v", elsewhere.AllowedAddresses)
		}
		expect(t, h.Get(unitsPath+"?limit=1", bearer(elsewhere.Secret)), http.StatusUnauthorized, "unauthenticated")
		expect(t, h.Get(unitsPath+"?limit=1", bearer(here.Secret)), http.StatusOK, "")
		if k, _ := h.getKey(t, elsewhere.Id.String()); k.LastUsedAt != nil {
			t.Errorf("a refused use counts as a use: %v", k.LastUsedAt)
		}

		// A range is kept as its network.
		norm := h.newKey(t, map[string]any{"name": "norm " + p, "scopes": []string{"read"}, "allowedAddresses": []string{"192.0.2.77/24"}})
		if !slices.Equal(norm.AllowedAddresses, []string{"192.0.2.0/24"}) {
			t.Errorf("192.0.2.77/24 kept as %v", norm.AllowedAddresses)
		}
		expect(t, h.Get(unitsPath+"?limit=1", bearer(norm.Secret)), http.StatusOK, "")

		// A key past its expiry is refused (made through the store: the API
		// refuses to issue one).
		past := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		expired := &models.APIKey{Name: "expired " + p, Prefix: password.NewKeyPrefix(), Scopes: []models.Scope{models.ScopeRead},
			ExpiresAt: &past, CreatedBy: h.fx.users["admin"].ID}
		secret, _ := password.NewToken(expired.Prefix + "_")
		expired.SecretHash = password.HashToken(secret)
		if err := db.CreateAPIKey(t.Context(), expired); err != nil {
			t.Fatal(err)
		}
		expect(t, h.Get(unitsPath+"?limit=1", bearer(secret)), http.StatusUnauthorized, "unauthenticated")
		if k, _ := h.getKey(t, expired.ID); k.ExpiresAt == nil || !k.ExpiresAt.Equal(past) || k.LastUsedAt != nil {
			t.Errorf("expired key = %+v", k)
		}
	})
}

// listAllKeys follows nextCursor through the key list with the given filter.
func listAllKeys(t *testing.T, h *harness, revoked *bool) []api.ApiKey {
	t.Helper()
	q := url.Values{"limit": {"2"}}
	if revoked != nil {
		q.Set("revoked", fmt.Sprint(*revoked))
	}
	var keys []api.ApiKey
	for pages := 0; ; pages++ {
		if pages > 500 {
			t.Fatal("key paging does not end")
		}
		resp := h.Get(pathAPIKeys+"?"+q.Encode(), nil)
		expect(t, resp, http.StatusOK, "")
		var page api.ApiKeyPage
		resp.JSON(t, &page)
		if len(page.Items) > 2 {
			t.Fatalf("page of %d keys with limit 2", len(page.Items))
		}
		keys = append(keys, page.Items...)
		if page.NextCursor == nil {
			return keys
		}
		q.Set("cursor", *page.NextCursor)
	}
}

func TestListAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		var mine []string
		for i := range 3 {
			mine = append(mine, h.newKey(t, map[string]any{"name": fmt.Sprintf("%s-%d", p, i), "scopes": []string{"read"}}).Id.String())
		}
		expect(t, h.Post(pathAPIKeys+"/"+mine[0]+"/revoke", nil, nil), http.StatusOK, "")

		ids := func(keys []api.ApiKey) []string {
			var out []string
			for _, k := range keys {
				if strings.HasPrefix(k.Name, p) {
					out = append(out, k.Id.String())
				}
			}
			return out
		}
		all := listAllKeys(t, h, nil)
		seen := map[string]bool{}
		for i, k := range all {
			if seen[k.Id.String()] {
				t.Errorf("key %s listed twice", k.Id)
			}
			seen[k.Id.String()] = true
			if i > 0 && k.CreatedAt.After(all[i-1].CreatedAt) {
				t.Errorf("keys not newest first at %d: %s after %s", i, k.CreatedAt, all[i-1].CreatedAt)
			}
		}
		for _, fx := range h.fx.keys {
			if !seen[fx.ID] {
				t.Errorf("fixture key %s not listed", fx.Name)
			}
		}
		if got, want := ids(all), []string{mine[2], mine[1], mine[0]}; !slices.Equal(got, want) {
			t.Errorf("all keys: mine %v, want %v newest first", got, want)
		}
		yes, no := true, false
		revoked := listAllKeys(t, h, &yes)
		if got := ids(revoked); !slices.Equal(got, []string{mine[0]}) {
			t.Errorf("revoked=true: mine %v, want %v", got, mine[:1])
		}
		for _, k := range revoked {
			if k.RevokedAt == nil {
				t.Errorf("revoked=true lists usable key %s", k.Id)
			}
		}
		usable := listAllKeys(t, h, &no)
		if got := ids(usable); !slices.Equal(got, []string{mine[2], mine[1]}) {
			t.Errorf("revoked=false: mine %v, want %v", got, []string{mine[2], mine[1]})
		}
		for _, k := range usable {
			if k.RevokedAt != nil {
				t.Errorf("revoked=false lists revoked key %s", k.Id)
			}
		}

		// A cursor of one filter is refused with another.
		var page api.ApiKeyPage
		h.Get(pathAPIKeys+"?limit=1", nil).JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no second page of keys")
		}
		expect(t, h.Get(pathAPIKeys+"?limit=1&revoked=true&cursor="+*page.NextCursor, nil), 400, "invalid_cursor")
		for _, q := range []string{"revoked=maybe", "limit=0", "sort=name", "cursor=%21"} {
			t.Run(q, func(t *testing.T) {
				expect(t, h.Get(pathAPIKeys+"?"+q, nil), 400, "invalid_request")
			})
		}
	})
}

// TestAPIKeySecretIsNotKeptForReplay: createApiKey takes no Idempotency-Key, so
// a client that sends one anyway leaves no stored response, and so no copy of
// the secret, in the database.
func TestAPIKeySecretIsNotKeptForReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		body := map[string]any{"name": "replay " + dbtest.RandomSuffix(), "scopes": []string{"read"}}
		key := map[string]string{"Idempotency-Key": "key-" + dbtest.RandomSuffix()}
		first := h.Post(pathAPIKeys, body, key)
		expect(t, first, http.StatusCreated, "")
		second := h.Post(pathAPIKeys, body, key)
		expect(t, second, http.StatusCreated, "")
		var a, b api.ApiKeyWithSecret
		first.JSON(t, &a)
		second.JSON(t, &b)
		if a.Id == b.Id || second.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("the second request was replayed: it must create a key of its own")
		}
		var n int
		if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?", key["Idempotency-Key"]).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d stored response(s) for createApiKey: the secret would be kept", n)
		}
	})
}
