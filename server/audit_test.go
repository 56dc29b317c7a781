package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

const (
	pathAudit       = "/api/v1/audit-events"
	pathAuditVerify = "/api/v1/audit-events/verify"
)

// auditEvents lists every event matching the query (following nextCursor),
// as the fixture caller who.
func (h *harness) auditEvents(t *testing.T, who string, query url.Values) []api.AuditEvent {
	t.Helper()
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	var out []api.AuditEvent
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatal("audit paging does not end")
		}
		resp := h.Get(pathAudit+"?"+q.Encode(), h.as(who))
		expect(t, resp, http.StatusOK, "")
		var page api.AuditEventPage
		resp.JSON(t, &page)
		out = append(out, page.Items...)
		if page.NextCursor == nil {
			return out
		}
		q.Set("cursor", *page.NextCursor)
	}
}

func auditOps(events []api.AuditEvent) []string {
	ops := make([]string, len(events))
	for i, e := range events {
		ops[i] = e.Operation
	}
	return ops
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// requestIDs are unique X-Request-Id values for the writes of one test.
type requestIDs struct{ prefix string }

func (r requestIDs) header(n string, h map[string]string) map[string]string {
	out := map[string]string{"X-Request-Id": r.prefix + "-" + n}
	for k, v := range h {
		out[k] = v
	}
	return out
}

func (r requestIDs) id(n string) string { return r.prefix + "-" + n }

func TestAuditOfIdentityWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		p := tag()
		rid := requestIDs{"req-" + p}
		admin := h.fx.users["admin"]

		// A user's life: created, patched, disabled, enabled, password reset.
		resp := h.Post(pathUsers, map[string]any{"username": p + ".aud", "displayName": "审计对象", "unitId": h.fx.town,
			"roles": []string{"viewer"}, "password": testPass}, rid.header("create", nil))
		expect(t, resp, http.StatusCreated, "")
		if got := resp.Header.Get("X-Request-Id"); got != rid.id("create") {
			t.Fatalf("X-Request-Id %q", got)
		}
		var u api.User
		resp.JSON(t, &u)
		uid := u.Id.String()
		expect(t, h.Patch(pathUsers+"/"+uid, map[string]any{"displayName": "审计对象乙"}, rid.header("update", map[string]string{"If-Match": `"1"`})), 200, "")
		expect(t, h.Post(pathUsers+"/"+uid+"/disable", nil, rid.header("disable", nil)), 200, "")
		expect(t, h.Post(pathUsers+"/"+uid+"/enable", nil, rid.header("enable", nil)), 200, "")
		expect(t, h.Post(pathUsers+"/"+uid+"/enable", nil, rid.header("enable-again", nil)), 200, "") // no change, no event
		expect(t, h.Post(pathUsers+"/"+uid+"/reset-password", map[string]any{"password": "Another-Pass-2023"}, rid.header("reset", nil)), 204, "")
		// Refused writes leave no trace.
		expect(t, h.Patch(pathUsers+"/"+uid, map[string]any{"displayName": "x"}, rid.header("stale", map[string]string{"If-Match": `"1"`})), 412, "version_mismatch")
		expect(t, h.Post(pathUsers, map[string]any{"username": p + ".aud", "displayName": "x", "unitId": h.fx.town,
			"roles": []string{"viewer"}, "password": testPass}, rid.header("taken", nil)), 409, "username_taken")

		events := h.auditEvents(t, "admin", url.Values{"entityType": {"user"}, "entityId": {uid}})
		wantOps := []string{"createUser", "updateUser", "disableUser", "enableUser", "resetUserPassword"}
		if got := auditOps(events); !slices.Equal(got, wantOps) {
			t.Fatalf("user events %v, want %v", got, wantOps)
		}
		for i, e := range events {
			want := rid.id([]string{"create", "update", "disable", "enable", "reset"}[i])
			if strOf(e.RequestId) != want || e.ActorType != api.AuditEventActorTypeUser || strOf(e.ActorId) != admin.ID ||
				strOf(e.ActorName) != admin.Username || e.EntityType != "user" || strOf(e.EntityId) != uid ||
				e.UnitId == nil || e.UnitId.String() != h.fx.town || strOf(e.ClientAddress) != "192.0.2.1" {
				t.Errorf("event %d (%s): %+v", i, e.Operation, e)
			}
			if i > 0 && (e.Seq <= events[i-1].Seq || e.PrevHash == "" || e.OccurredAt.Before(events[i-1].OccurredAt)) {
				t.Errorf("event %d out of order: %+v", i, e)
			}
		}
		snap := func(s *api.AuditSnapshot, key string) any {
			if s == nil {
				return nil
			}
			return (*s)[key]
		}
		create, update, disable, enable, reset := events[0], events[1], events[2], events[3], events[4]
		if create.Before != nil || snap(create.After, "username") != p+".aud" || snap(create.After, "displayName") != "审计对象" ||
			snap(create.After, "unitId") != h.fx.town || snap(create.After, "version") != float64(1) {
			t.Errorf("createUser before %v after %v", create.Before, create.After)
		}
		if snap(update.Before, "displayName") != "审计对象" || snap(update.After, "displayName") != "审计对象乙" ||
			snap(update.Before, "version") != float64(1) || snap(update.After, "version") != float64(2) {
			t.Errorf("updateUser before %v after %v", update.Before, update.After)
		}
		if snap(disable.Before, "disabled") != false || snap(disable.After, "disabled") != true {
			t.Errorf("disableUser before %v after %v", disable.Before, disable.After)
		}
		if snap(enable.Before, "disabled") != true || snap(enable.After, "disabled") != false {
			t.Errorf("enableUser before %v after %v", enable.Before, enable.After)
		}
		if reset.Before == nil || reset.After == nil || snap(reset.After, "version") != float64(5) {
			t.Errorf("resetUserPassword before %v after %v", reset.Before, reset.After)
		}
		for _, e := range events {
			for _, s := range []*api.AuditSnapshot{e.Before, e.After} {
				if b, _ := json.Marshal(s); strings.Contains(string(b), `"password`) || strings.Contains(string(b), "Hash") || strings.Contains(string(b), "$argon2id$") {
					t.Errorf("%s snapshot carries the password: %s", e.Operation, b)
				}
			}
		}
		for _, id := range []string{"stale", "taken", "enable-again"} {
			for _, e := range h.auditEvents(t, "admin", url.Values{"entityType": {"user"}, "sort": {"-seq"}, "limit": {"20"}}) {
				if strOf(e.RequestId) == rid.id(id) {
					t.Errorf("request %s left an audit event: %+v", id, e)
				}
			}
		}

		// Sign-in, failed sign-in and sign-out.
		s := h.mustSignIn(t, p+".aud", "Another-Pass-2023")
		expect(t, h.signIn(p+".aud", "Wrong-Pass-2023"), http.StatusUnauthorized, "unauthenticated")
		expect(t, h.Post(pathLogout, nil, map[string]string{"Authorization": "Bearer " + s.Token, "X-Request-Id": rid.id("logout")}), 204, "")
		mine := h.auditEvents(t, "admin", url.Values{"entityType": {"session"}, "actorId": {uid}})
		if got := auditOps(mine); !slices.Equal(got, []string{"login", "logout"}) {
			t.Fatalf("session events of the user %v, want [login logout]", got)
		}
		login, logout := mine[0], mine[1]
		if strOf(login.ActorName) != p+".aud" || login.ActorType != api.AuditEventActorTypeUser || snap(login.After, "userId") != uid ||
			login.UnitId == nil || login.UnitId.String() != h.fx.town || !strings.HasPrefix(strOf(login.ClientAddress), "10.") {
			t.Errorf("login event %+v", login)
		}
		if strOf(logout.EntityId) != strOf(login.EntityId) || strOf(logout.RequestId) != rid.id("logout") || snap(logout.Before, "userId") != uid {
			t.Errorf("logout event %+v (login %+v)", logout, login)
		}
		var failed []api.AuditEvent
		for _, e := range h.auditEvents(t, "admin", url.Values{"operation": {"login.failed"}, "sort": {"-seq"}, "limit": {"50"}}) {
			if snap(e.After, "username") == p+".aud" {
				failed = append(failed, e)
			}
		}
		if len(failed) != 1 || failed[0].ActorType != api.AuditEventActorTypeAnonymous || failed[0].EntityType != "session" ||
			failed[0].UnitId == nil || failed[0].UnitId.String() != h.fx.town {
			t.Errorf("failed sign-in events %+v", failed)
		}

		// API keys: issued and revoked.
		k := h.newKey(t, map[string]any{"name": "audit " + p, "scopes": []string{"feed"}})
		expect(t, h.Post(pathAPIKeys+"/"+k.Id.String()+"/revoke", nil, rid.header("revoke", nil)), 200, "")
		keyEvents := h.auditEvents(t, "admin", url.Values{"entityType": {"api_key"}, "entityId": {k.Id.String()}})
		if got := auditOps(keyEvents); !slices.Equal(got, []string{"createApiKey", "revokeApiKey"}) {
			t.Fatalf("key events %v", got)
		}
		if snap(keyEvents[0].After, "prefix") != k.Prefix || keyEvents[0].Before != nil || strOf(keyEvents[0].ActorId) != admin.ID ||
			snap(keyEvents[1].Before, "revokedAt") != nil || snap(keyEvents[1].After, "revokedAt") == nil ||
			strOf(keyEvents[1].RequestId) != rid.id("revoke") {
			t.Errorf("key events %+v", keyEvents)
		}

		// The chain still holds.
		resp = h.Get(pathAuditVerify, nil)
		expect(t, resp, http.StatusOK, "")
		var v api.AuditVerification
		resp.JSON(t, &v)
		if !v.Ok || v.FirstBroken != nil || v.Checked < int64(len(events)) {
			t.Errorf("verify = %+v", v)
		}
	})
}

func TestAuditReviewerSeesItsSubtree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		// The reviewer is on the district; the town is below it, other is elsewhere.
		inTown := h.newUser(t, h.fx.town, p+".town").Id.String()
		inDistrict := h.newUser(t, h.fx.district, p+".district").Id.String()
		inCity := h.newUser(t, h.fx.city, p+".city").Id.String()
		inOther := h.newUser(t, h.fx.other, p+".other").Id.String()
		key := h.newKey(t, map[string]any{"name": "review " + p, "scopes": []string{"read"}}).Id.String()

		for id, want := range map[string]int{inTown: 1, inDistrict: 1, inCity: 0, inOther: 0, key: 0} {
			if got := len(h.auditEvents(t, "reviewer", url.Values{"entityId": {id}})); got != want {
				t.Errorf("reviewer sees %d events of %s, want %d", got, id, want)
			}
			if got := len(h.auditEvents(t, "admin", url.Values{"entityId": {id}})); got != 1 {
				t.Errorf("admin sees %d events of %s, want 1", got, id)
			}
		}
		if got := h.auditEvents(t, "reviewer", url.Values{"unitId": {h.fx.other}}); len(got) != 0 {
			t.Errorf("reviewer sees %d events of the other unit", len(got))
		}
		if got := h.auditEvents(t, "reviewer", url.Values{"unitId": {h.fx.town}, "entityId": {inTown}}); len(got) != 1 {
			t.Errorf("reviewer sees %d events of the town user with unitId", len(got))
		}
		// Whatever it lists is of its subtree.
		resp := h.Get(pathAudit+"?sort=-seq&limit=200", h.as("reviewer"))
		expect(t, resp, http.StatusOK, "")
		var page api.AuditEventPage
		resp.JSON(t, &page)
		if len(page.Items) == 0 {
			t.Fatal("the reviewer sees no events")
		}
		district := h.getUnit(t, h.fx.district).Path
		paths := map[string]string{}
		for _, e := range page.Items {
			if e.UnitId == nil {
				t.Errorf("reviewer sees an event of no unit: %+v", e)
				continue
			}
			id := e.UnitId.String()
			if _, ok := paths[id]; !ok {
				paths[id] = h.getUnit(t, id).Path
			}
			if !strings.HasPrefix(paths[id], district) {
				t.Errorf("reviewer sees an event outside its subtree: %+v", e)
			}
		}
		expect(t, h.Get(pathAuditVerify+"?full=true", nil), http.StatusBadRequest, "invalid_request")
		// Verifying the chain is for administrators.
		expect(t, h.Get(pathAuditVerify, h.as("reviewer")), http.StatusForbidden, "forbidden")
	})
}

func TestAuditFiltersAndPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		unit := h.createUnit(t, map[string]any{"code": deptCode(), "name": "审计测试局", "kind": "department", "parentId": h.fx.city}).Id.String()
		u := h.newUser(t, unit, p+".f").Id.String()
		expect(t, h.Patch(pathUsers+"/"+u, map[string]any{"roles": []string{"reporter"}}, map[string]string{"If-Match": `"1"`}), 200, "")
		expect(t, h.Post(pathUsers+"/"+u+"/disable", nil, nil), 200, "")
		expect(t, h.Post(pathUsers+"/"+u+"/enable", nil, nil), 200, "")

		all := h.auditEvents(t, "admin", url.Values{"entityId": {u}})
		if got := auditOps(all); !slices.Equal(got, []string{"createUser", "updateUser", "disableUser", "enableUser"}) {
			t.Fatalf("events %v", got)
		}
		seqs := func(events []api.AuditEvent) []int64 {
			out := make([]int64, len(events))
			for i, e := range events {
				out[i] = e.Seq
			}
			return out
		}

		// Newest first.
		desc := h.auditEvents(t, "admin", url.Values{"entityId": {u}, "sort": {"-seq"}})
		want := seqs(all)
		slices.Reverse(want)
		if got := seqs(desc); !slices.Equal(got, want) {
			t.Errorf("sort=-seq: %v, want %v", got, want)
		}
		// Page by page, both ways.
		for _, sort := range []string{"seq", "-seq"} {
			q := url.Values{"entityId": {u}, "sort": {sort}, "limit": {"1"}}
			var got []int64
			for pages := 0; ; pages++ {
				if pages > 4 {
					t.Fatalf("sort %s: more than 4 pages of 1 for 4 events", sort)
				}
				resp := h.Get(pathAudit+"?"+q.Encode(), nil)
				expect(t, resp, http.StatusOK, "")
				var page api.AuditEventPage
				resp.JSON(t, &page)
				got = append(got, seqs(page.Items)...)
				if page.NextCursor == nil {
					break
				}
				q.Set("cursor", *page.NextCursor)
			}
			wantSeqs := seqs(all)
			if sort == "-seq" {
				wantSeqs = seqs(desc)
			}
			if !slices.Equal(got, wantSeqs) {
				t.Errorf("sort %s paged: %v, want %v", sort, got, wantSeqs)
			}
		}
		var first api.AuditEventPage
		h.Get(pathAudit+"?"+url.Values{"entityId": {u}, "limit": {"1"}}.Encode(), nil).JSON(t, &first)
		cursor := *first.NextCursor
		expect(t, h.Get(pathAudit+"?"+url.Values{"entityId": {u}, "limit": {"1"}, "operation": {"enableUser"}, "cursor": {cursor}}.Encode(), nil), 400, "invalid_cursor")
		expect(t, h.Get(pathAudit+"?"+url.Values{"entityId": {u}, "limit": {"1"}, "sort": {"-seq"}, "cursor": {cursor}}.Encode(), nil), 400, "invalid_cursor")

		count := func(q url.Values) int {
			t.Helper()
			q.Set("entityId", u)
			return len(h.auditEvents(t, "admin", q))
		}
		for _, tt := range []struct {
			query url.Values
			want  int
		}{
			{url.Values{"operation": {"updateUser"}}, 1},
			{url.Values{"operation": {"updateUnit"}}, 0},
			{url.Values{"entityType": {"user"}}, 4},
			{url.Values{"entityType": {"unit"}}, 0},
			{url.Values{"actorId": {h.fx.users["admin"].ID}}, 4},
			{url.Values{"actorId": {h.fx.users["reviewer"].ID}}, 0},
			{url.Values{"unitId": {unit}}, 4},
			{url.Values{"unitId": {h.fx.city}}, 0},
		} {
			if got := count(tt.query); got != tt.want {
				t.Errorf("%s: %d events, want %d", tt.query.Encode(), got, tt.want)
			}
		}
		// The unit filter takes only that unit, not its subtree; the unit's own
		// creation is among its events.
		byUnit := h.auditEvents(t, "admin", url.Values{"unitId": {unit}})
		if got := auditOps(byUnit); !slices.Equal(got, []string{"createUnit", "createUser", "updateUser", "disableUser", "enableUser"}) {
			t.Errorf("unitId=%s: %v", unit, got)
		}

		// from is inclusive, to exclusive.
		at := func(i int) string { return all[i].OccurredAt.UTC().Format(time.RFC3339Nano) }
		expected := func(keep func(time.Time) bool) int {
			n := 0
			for _, e := range all {
				if keep(e.OccurredAt) {
					n++
				}
			}
			return n
		}
		t1, t2 := all[1].OccurredAt, all[2].OccurredAt
		for _, tt := range []struct {
			query url.Values
			want  int
		}{
			{url.Values{"from": {at(1)}}, expected(func(o time.Time) bool { return !o.Before(t1) })},
			{url.Values{"to": {at(2)}}, expected(func(o time.Time) bool { return o.Before(t2) })},
			{url.Values{"from": {at(1)}, "to": {at(2)}}, expected(func(o time.Time) bool { return !o.Before(t1) && o.Before(t2) })},
			{url.Values{"from": {all[3].OccurredAt.Add(time.Microsecond).Format(time.RFC3339Nano)}}, 0},
			{url.Values{"to": {all[0].OccurredAt.Format(time.RFC3339Nano)}}, 0},
			// Another zone names the same instant.
			{url.Values{"from": {all[1].OccurredAt.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339Nano)}},
				expected(func(o time.Time) bool { return !o.Before(t1) })},
		} {
			if got := count(tt.query); got != tt.want {
				t.Errorf("%s: %d events, want %d", tt.query.Encode(), got, tt.want)
			}
		}
		if got := count(url.Values{"from": {at(1)}, "to": {at(2)}}); got < 1 {
			t.Errorf("from..to of two events holds %d", got)
		}

		for _, q := range []string{"from=yesterday", "to=2022-13-01T00:00:00Z", "sort=time", "entityType=Bad+Type", "operation=no%20spaces",
			"unitId=x", "limit=501", "cursor=***", "actor=" + u} {
			t.Run(q, func(t *testing.T) {
				expect(t, h.Get(pathAudit+"?"+q, nil), 400, "invalid_request")
			})
		}
	})
}

// ownDatabase is an empty, migrated database of the dialect of db, for a test
// that must not share its audit chain.
func ownDatabase(t *testing.T, db *dbtest.DB) *dbtest.DB {
	t.Helper()
	var u string
	switch db.Name {
	case store.SQLite:
		u = "sqlite://" + t.TempDir() + "/x.db"
	case store.MySQL:
		u = dbtest.NewMySQLDatabase(t)
	default:
		t.Fatalf("unknown database %s", db.Name)
	}
	s, err := store.Open(store.Config{URL: u, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A name of its own gives it fixtures of its own.
	return &dbtest.DB{Name: db.Name + "-own-" + dbtest.RandomSuffix(), URL: u, DB: s}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, shared *dbtest.DB) {
		db := ownDatabase(t, shared)
		h := newHarness(t, db, server.Config{})
		p := tag()
		u := h.newUser(t, h.fx.town, p+".tamper").Id.String()
		expect(t, h.Patch(pathUsers+"/"+u, map[string]any{"displayName": "被篡改"}, map[string]string{"If-Match": `"1"`}), 200, "")

		verify := func() api.AuditVerification {
			t.Helper()
			resp := h.Get(pathAuditVerify, nil)
			expect(t, resp, http.StatusOK, "")
			var v api.AuditVerification
			resp.JSON(t, &v)
			return v
		}
		v := verify()
		total := len(h.auditEvents(t, "admin", nil))
		if !v.Ok || v.FirstBroken != nil || v.Checked != int64(total) || total < 10 {
			t.Fatalf("before tampering: %+v (%d events)", v, total)
		}

		events := h.auditEvents(t, "admin", url.Values{"entityId": {u}})
		if len(events) != 2 {
			t.Fatalf("%d events of the user", len(events))
		}
		victim := events[0]
		res, err := db.SQL().ExecContext(t.Context(), "UPDATE audit_events SET actor_name = 'x' WHERE seq = ?", victim.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("tampering changed %d rows", n)
		}
		v = verify()
		if v.Ok || v.FirstBroken == nil {
			t.Fatalf("after tampering: %+v", v)
		}
		if v.FirstBroken.Seq != victim.Seq || v.FirstBroken.Id == nil || *v.FirstBroken.Id != victim.Id ||
			v.Checked != victim.Seq-1 || v.FirstBroken.Reason == "" {
			t.Errorf("firstBroken = %+v (checked %d), want seq %d id %s", *v.FirstBroken, v.Checked, victim.Seq, victim.Id)
		}

		// Putting it back mends the chain; removing the last event breaks its end.
		if _, err := db.SQL().ExecContext(t.Context(), "UPDATE audit_events SET actor_name = ? WHERE seq = ?", strOf(victim.ActorName), victim.Seq); err != nil {
			t.Fatal(err)
		}
		if v := verify(); !v.Ok {
			t.Fatalf("after mending: %+v", v)
		}
		var page api.AuditEventPage
		h.Get(pathAudit+"?sort=-seq&limit=1", nil).JSON(t, &page)
		if _, err := db.SQL().ExecContext(t.Context(), "DELETE FROM audit_events WHERE seq = ?", page.Items[0].Seq); err != nil {
			t.Fatal(err)
		}
		v = verify()
		if v.Ok || v.FirstBroken == nil || v.FirstBroken.Seq != page.Items[0].Seq {
			t.Errorf("after removing the last event (seq %d): %+v", page.Items[0].Seq, v)
		}
	})
}

// TestSecretsStayOut runs the secret-handling operations and checks that no
// password, token or key secret reaches the logs or the audit log.
func TestSecretsStayOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db) // a fresh harness: h.logs holds this test's requests only
		p := tag()
		const (
			adminPass   = "Admin-Secret-Pass-1"
			userPass    = "User-Secret-Pass-22"
			resetPass   = "Reset-Secret-Pass-333"
			wrongPass   = "Wrong-Secret-Pass-4444"
			invalidPass = "Invalid-Secret-Pass-55555"
		)
		// An administrator of our own, who signs in.
		resp := h.Post(pathUsers, map[string]any{"username": p + ".adm", "displayName": "临时管理员", "unitId": h.fx.city,
			"roles": []string{"admin"}, "password": adminPass}, nil)
		expect(t, resp, http.StatusCreated, "")
		var adm api.User
		resp.JSON(t, &adm)
		session := h.mustSignIn(t, p+".adm", adminPass)
		as := bearer(session.Token)

		// It creates a user with a password, a key, and resets the password.
		resp = h.Post(pathUsers, map[string]any{"username": p + ".usr", "displayName": "临时用户", "unitId": h.fx.town,
			"roles": []string{"reporter"}, "password": userPass}, as)
		expect(t, resp, http.StatusCreated, "")
		var usr api.User
		resp.JSON(t, &usr)
		resp = h.Post(pathAPIKeys, map[string]any{"name": "secret " + p, "scopes": []string{"read"}}, as)
		expect(t, resp, http.StatusCreated, "")
		var key api.ApiKeyWithSecret
		resp.JSON(t, &key)
		expect(t, h.Get(unitsPath+"?limit=1", bearer(key.Secret)), http.StatusOK, "")
		expect(t, h.Post(pathUsers+"/"+usr.Id.String()+"/reset-password", map[string]any{"password": resetPass}, as), http.StatusNoContent, "")
		userSession := h.mustSignIn(t, p+".usr", resetPass)
		expect(t, h.signIn(p+".usr", wrongPass), http.StatusUnauthorized, "")
		expect(t, h.signIn(p+".usr", userPass), http.StatusUnauthorized, "")
		// A refused body is not echoed either.
		refused := h.Post(pathLogin, map[string]any{"username": p + ".usr", "password": invalidPass, "extra": true}, nil)
		expect(t, refused, http.StatusBadRequest, "invalid_request")
		if strings.Contains(string(refused.Body), invalidPass) {
			t.Errorf("a 400 echoes the password: %s", refused.Body)
		}
		expect(t, h.Post(pathLogout, nil, bearer(userSession.Token)), http.StatusNoContent, "")

		secrets := map[string]string{
			"admin password": adminPass, "user password": userPass, "reset password": resetPass,
			"wrong password": wrongPass, "refused password": invalidPass,
			"admin token": session.Token, "user token": userSession.Token, "key secret": key.Secret,
			"key secret body": strings.TrimPrefix(key.Secret, key.Prefix+"_"),
			"fixture token":   h.fx.tokens["admin"],
		}
		logs := h.logs.String()
		if !strings.Contains(logs, `"operation":"createApiKey"`) || !strings.Contains(logs, `"operation":"login"`) {
			t.Fatalf("the logs lack the requests:\n%s", logs)
		}
		for what, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("the logs carry the %s", what)
			}
		}
		if strings.Contains(logs, "$argon2id$") {
			t.Error("the logs carry a password hash")
		}

		// Every event these requests left, as the API shows them.
		var events []api.AuditEvent
		for _, q := range []url.Values{
			{"entityId": {adm.Id.String()}},
			{"entityId": {usr.Id.String()}},
			{"entityId": {key.Id.String()}},
			{"actorId": {adm.Id.String()}},
			{"actorId": {usr.Id.String()}},
			{"operation": {"login.failed"}, "sort": {"-seq"}, "limit": {"20"}},
		} {
			events = append(events, h.auditEvents(t, "admin", q)...)
		}
		ops := map[string]bool{}
		for _, e := range events {
			ops[e.Operation] = true
		}
		for _, op := range []string{"createUser", "login", "login.failed", "createApiKey", "resetUserPassword", "logout"} {
			if !ops[op] {
				t.Errorf("no %s event among %v", op, ops)
			}
		}
		for _, e := range events {
			for _, s := range []*api.AuditSnapshot{e.Before, e.After} {
				if s == nil {
					continue
				}
				b, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				text := string(b)
				for what, secret := range secrets {
					if strings.Contains(text, secret) {
						t.Errorf("%s event %d carries the %s: %s", e.Operation, e.Seq, what, text)
					}
				}
				for _, bad := range []string{"$argon2id$", "secret_hash", "secretHash", "password_hash", "passwordHash", "token_hash", "tokenHash"} {
					if strings.Contains(text, bad) {
						t.Errorf("%s event %d carries %s: %s", e.Operation, e.Seq, bad, text)
					}
				}
			}
		}
		if len(events) < 8 {
			t.Errorf("only %d events found: %s", len(events), fmt.Sprint(auditOps(events)))
		}
	})
}
