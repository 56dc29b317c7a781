package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	fazhiserver "github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/textsearch"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// world is what seed writes: a city of 60 districts with a town each, a
// second city, users with live sessions, and 750 values of one district.
type world struct {
	root, district, town, other string
	tokens                      map[string]string // admin, viewer (of the district), outsider (of the other city), mustChange, expired
}

func seed(t *testing.T, db *dbtest.DB) *world {
	ctx := t.Context()
	unit := func(code, name string, kind models.UnitKind, parent *models.Unit) *models.Unit {
		u := &models.Unit{ID: store.NewID(), Code: code, Name: name, Kind: kind, Level: 1}
		u.Path = models.UnitPath("", u.ID)
		if parent != nil {
			u.ParentID, u.Level, u.Path = &parent.ID, parent.Level+1, models.UnitPath(parent.Path, u.ID)
		}
		return u
	}
	root := unit("219900", "基准市", models.UnitCity, nil)
	short := "他市"
	other := unit("218800", "别的市", models.UnitCity, nil)
	other.ShortName = &short
	units := []*models.Unit{root, other}
	for i := 1; i <= 60; i++ {
		d := unit(fmt.Sprintf("2199%02d", i), fmt.Sprintf("第%d区", i), models.UnitDistrict, root)
		units = append(units, d, unit(d.Code+"001", fmt.Sprintf("第%d区<街道>&", i), models.UnitTown, d))
	}
	if err := db.CreateUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	w := &world{root: root.ID, district: units[2].ID, town: units[3].ID, other: other.ID, tokens: map[string]string{}}

	var admin *models.User
	for _, u := range []struct {
		name, unit string
		role       models.Role
		mustChange bool
		ttl        time.Duration
	}{
		{"admin", w.root, models.RoleAdmin, false, time.Hour},
		{"viewer", w.district, models.RoleViewer, false, time.Hour},
		{"outsider", w.other, models.RoleViewer, false, time.Hour},
		{"mustChange", w.root, models.RoleAdmin, true, time.Hour},
		{"expired", w.root, models.RoleAdmin, false, -time.Minute},
	} {
		user := &models.User{Username: u.name, DisplayName: u.name + "的名字", UnitID: u.unit, Roles: []models.Role{u.role},
			PasswordHash: "not used", MustChangePassword: u.mustChange}
		if err := db.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		token, hash := password.NewToken("fzs_")
		if _, err := db.CreateSession(ctx, user, hash, u.ttl); err != nil {
			t.Fatal(err)
		}
		w.tokens[u.name] = token
		if admin == nil {
			admin = user
		}
	}
	key := &models.APIKey{Name: "省平台", Prefix: password.NewKeyPrefix(), Scopes: []models.Scope{models.ScopeWriteValues},
		CreatedBy: admin.ID, SecretHash: "not used"}
	if err := db.CreateAPIKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	seedValues(t, db, w.root, w.district, "user:"+admin.ID, "apiKey:"+key.ID)
	return w
}

// seedValues gives the district 150 quarterly indicators' values for 2021
// (600) and 2022-Q1 (150), in every state and with every optional field.
func seedValues(t *testing.T, db *dbtest.DB, root, district, user, key string) {
	ctx := t.Context()
	sys := &models.IndicatorSystem{Name: "基准体系", IssuingUnitID: root, Edition: "2021年版", YearFrom: 2021, YearTo: 2022,
		TotalPoints: exact.FromInt(150)}
	if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
		t.Fatal(err)
	}
	var values []*models.IndicatorValue
	for i := range 150 {
		ind := &models.Indicator{Code: fmt.Sprint(i + 1), Name: fmt.Sprintf("指标%d", i+1), Points: exact.FromInt(1),
			ValueType: "number", Direction: "higher_better", Aggregation: "sum", Frequency: "quarter", SortOrder: i}
		if err := db.CreateIndicator(ctx, sys.ID, ind); err != nil {
			t.Fatal(err)
		}
		for _, period := range []string{"2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4", "2022-Q1"} {
			n := len(values)
			v := exact.MustParse(fmt.Sprintf("%d.%02d", n%500, n%100))
			at := time.Date(2022, 1, 10, 8, 0, 0, n*1000, time.UTC)
			val := &models.IndicatorValue{IndicatorID: ind.ID, SystemID: sys.ID, UnitID: district, Period: period,
				Year: 2021, Value: &v, Qualifier: "exact", Status: models.ValueDraft}
			if period == "2022-Q1" {
				val.Year = 2022
			}
			switch n % 6 {
			case 1:
				val.Status, val.SubmittedBy, val.SubmittedAt = models.ValueSubmitted, &user, &at
				val.RawText, val.Comment = ptr(`实名注册率达<58.10%> & "更多"`), ptr("说明")
			case 2:
				val.Status, val.SubmittedBy, val.SubmittedAt, val.ReviewedBy, val.ReviewedAt = models.ValueApproved, &key, &at, &user, &at
				val.ReviewScore, val.SelfScore = ptr(exact.MustParse("0.50")), ptr(exact.MustParse("1"))
			case 3:
				val.Status, val.ReturnReason, val.Flags = models.ValueReturned, ptr("请核实"), []string{"more than ten times the median 3 of the unit's earlier periods"}
			case 4:
				val.Status, val.ReviewedBy, val.ReviewedAt = models.ValueLocked, ptr("system"), &at
				val.AsOf = ptr(time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC))
			case 5:
				val.Value, val.YesNo = nil, ptr(n%4 == 1)
			}
			values = append(values, val)
		}
	}
	if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateValues(ctx, values); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// servers are fazhi and the baseline on one database.
type servers struct {
	fazhi, baseline http.Handler
	base            *server
}

// call is one request, sent alike to either server.
type call struct {
	method, target, token, body string
	header                      map[string]string
}

func send(h http.Handler, c call, requestID string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(cmp.Or(c.method, http.MethodGet), c.target, strings.NewReader(c.body))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("X-Request-Id", requestID)
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// same sends c to both servers, with one request id, and fails unless
// their answers are identical; it returns fazhi's.
func (s servers) same(t *testing.T, c call, wantStatus int) *httptest.ResponseRecorder {
	t.Helper()
	id := "test-" + newID()
	want, got := send(s.fazhi, c, id), send(s.baseline, c, id)
	if want.Code != wantStatus {
		t.Fatalf("%s %s: fazhi answered %d, want %d: %.300s", c.method, c.target, want.Code, wantStatus, want.Body)
	}
	sameAnswer(t, c.method+" "+c.target, want, got)
	return want
}

// sameStatus is same for answers whose problem bodies fazhi words in more
// detail (the validator's list of violations).
func (s servers) sameStatus(t *testing.T, c call, wantStatus int) {
	t.Helper()
	want, got := send(s.fazhi, c, "x"), send(s.baseline, c, "x")
	if want.Code != wantStatus || got.Code != wantStatus {
		t.Errorf("%s %s: fazhi answered %d, the baseline %d, want %d: %.300s", c.method, c.target, want.Code, got.Code, wantStatus, got.Body)
	}
}

func sameAnswer(t *testing.T, what string, want, got *httptest.ResponseRecorder) {
	t.Helper()
	if got.Code != want.Code {
		t.Errorf("%s: the baseline answered %d, fazhi %d: %.300s", what, got.Code, want.Code, got.Body)
	}
	for _, h := range []string{"Content-Type", "ETag", "X-Request-Id", "Cache-Control", "X-Content-Type-Options", "Www-Authenticate"} {
		if g, w := got.Header().Values(h), want.Header().Values(h); strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s: %s is %q from the baseline, %q from fazhi", what, h, g, w)
		}
	}
	if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
		t.Errorf("%s: bodies differ\nbaseline: %.2000s\nfazhi:    %.2000s", what, got.Body, want.Body)
	}
}

// nextCursor reads a page's nextCursor ("" on the last page) and its size.
func nextCursor(t *testing.T, body []byte) (string, int) {
	t.Helper()
	var p struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"nextCursor"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p.NextCursor, len(p.Items)
}

// pages follows a list from its first page to its last on both servers,
// each page asked with the cursor of the other server's previous page, and
// returns the sizes of the pages.
func (s servers) pages(t *testing.T, target, token string) []int {
	t.Helper()
	var sizes []int
	next := ""
	for {
		c := call{target: target, token: token}
		if next != "" {
			c.target += "&cursor=" + next
		}
		id := "test-" + newID()
		want, got := send(s.fazhi, c, id), send(s.baseline, c, id)
		if want.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", c.target, want.Code, want.Body)
		}
		sameAnswer(t, "GET "+c.target, want, got)
		fromFazhi, n := nextCursor(t, want.Body.Bytes())
		fromBaseline, _ := nextCursor(t, got.Body.Bytes())
		sizes = append(sizes, n)
		if fromFazhi == "" || fromBaseline == "" || len(sizes) > 50 {
			return sizes
		}
		// Each server continues the other's list.
		next = map[bool]string{true: fromBaseline, false: fromFazhi}[len(sizes)%2 == 1]
	}
}

// TestConnectionSettings: the baseline talks to the database as fazhi does.
func TestConnectionSettings(t *testing.T) {
	for _, u := range []string{"sqlite:///var/lib/fazhi/fazhi.db", "mysql://fazhi:s3cret@db.internal:3306/fazhi", "mysql://root@127.0.0.1/test"} {
		wantDialect, wantDSN, err := store.ParseURL(u, "")
		if err != nil {
			t.Fatal(err)
		}
		if dialect, dsn, err := dsnOf(u); dialect != wantDialect || dsn != wantDSN || err != nil {
			t.Errorf("dsnOf(%q) = %q, %q, %v; want %q, %q as fazhi's", u, dialect, dsn, err, wantDialect, wantDSN)
		}
	}
}

func TestBaselineAnswersAsFazhi(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		w := seed(t, db)
		quiet := slog.New(slog.DiscardHandler)
		fazhi, err := fazhiserver.New(fazhiserver.Config{AttachmentDir: t.TempDir()}, db, quiet)
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, dialect, err := openDatabase(db.URL, 20)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sqlDB.Close() })
		base := newServer(sqlDB, dialect, quiet)
		s := servers{fazhi: fazhi, baseline: base.routes(), base: base}
		admin := w.tokens["admin"]

		t.Run("getUnit", func(t *testing.T) {
			for _, id := range []string{w.root, w.district, w.town, w.other} {
				s.same(t, call{target: "/api/v1/units/" + id, token: admin}, 200)
			}
			s.same(t, call{target: "/api/v1/units/" + w.district, token: w.tokens["outsider"]}, 200)
			s.same(t, call{target: "/api/v1/units/" + newID(), token: admin}, 404)
			s.same(t, call{target: "/api/v1/units/" + w.town, token: admin, header: map[string]string{"If-None-Match": `"1"`}}, 304)
			s.sameStatus(t, call{target: "/api/v1/units/nope", token: admin}, 400)
			s.sameStatus(t, call{target: "/api/v1/units/" + w.town + "?x=1", token: admin}, 400)
		})
		t.Run("listUnits", func(t *testing.T) {
			if got := s.pages(t, "/api/v1/units?limit=50", admin); fmt.Sprint(got) != "[50 50 22]" {
				t.Errorf("pages of %v units, want [50 50 22]", got)
			}
			if got := s.pages(t, "/api/v1/units?sort=code&limit=7", w.tokens["viewer"]); len(got) != 18 || got[17] != 3 {
				t.Errorf("pages of %v units, want 17 of 7 and one of 3", got)
			}
			s.same(t, call{target: "/api/v1/units", token: admin}, 200)
		})
		t.Run("listUnits by parent", func(t *testing.T) {
			if got := s.pages(t, "/api/v1/units?parentId="+w.root+"&limit=50", admin); fmt.Sprint(got) != "[50 10]" {
				t.Errorf("pages of %v units, want [50 10]", got)
			}
			first := s.same(t, call{target: "/api/v1/units?limit=50", token: admin}, 200)
			cursor, _ := nextCursor(t, first.Body.Bytes())
			// A cursor is good only for the filters it was given with.
			s.sameStatus(t, call{target: "/api/v1/units?parentId=" + w.root + "&limit=50&cursor=" + cursor, token: admin}, 400)
			s.sameStatus(t, call{target: "/api/v1/units?limit=50&cursor=bm9wZQ", token: admin}, 400)
		})
		t.Run("listIndicatorValues", func(t *testing.T) {
			q := "/api/v1/indicator-values?unitId=" + w.district + "&year=2021&limit=500"
			for who, want := range map[string]string{"admin": "[500 100]", "viewer": "[500 100]", "outsider": "[0]"} {
				if got := s.pages(t, q, w.tokens[who]); fmt.Sprint(got) != want {
					t.Errorf("%s: pages of %v values, want %s", who, got, want)
				}
			}
			if got := s.pages(t, "/api/v1/indicator-values?unitId="+w.district+"&year=2022", admin); fmt.Sprint(got) != "[50 50 50]" {
				t.Errorf("2022: pages of %v values, want [50 50 50]", got)
			}
			first := s.same(t, call{target: q, token: admin}, 200)
			cursor, _ := nextCursor(t, first.Body.Bytes())
			// The viewer's list is limited to its subtree: the admin's cursor is not the viewer's.
			s.sameStatus(t, call{target: q + "&cursor=" + cursor, token: w.tokens["viewer"]}, 400)
			s.sameStatus(t, call{target: "/api/v1/indicator-values?unitId=" + w.district + "&year=1999", token: admin}, 400)
			s.sameStatus(t, call{target: q + "&year=2022", token: admin}, 400) // given twice
		})
		t.Run("listChecklistItems", func(t *testing.T) { testListChecklistItems(t, s, db, w) })
		t.Run("listPlanTasks", func(t *testing.T) { testListPlanTasks(t, s, db, w) })
		t.Run("credentials", func(t *testing.T) {
			for _, c := range []call{
				{target: "/api/v1/units"},
				{target: "/api/v1/units", token: "wrong"},
				{target: "/api/v1/units", token: w.tokens["expired"]},
				{target: "/api/v1/units/" + w.root, token: "fzs_" + strings.Repeat("A", 43)},
				{target: "/api/v1/indicator-values?unitId=" + w.district, header: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}},
				{method: http.MethodPatch, target: "/api/v1/units/" + w.town, body: `{"name":"x"}`},
			} {
				s.same(t, c, 401)
			}
			s.same(t, call{target: "/api/v1/units", token: w.tokens["mustChange"]}, 403)
			s.same(t, call{method: http.MethodPatch, target: "/api/v1/units/" + w.town, token: w.tokens["viewer"],
				body: `{"name":"x"}`, header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"1"`}}, 403)
		})
		t.Run("updateUnit", func(t *testing.T) { testUpdateUnit(t, s, db, w) })
	})
}

func testUpdateUnit(t *testing.T, s servers, db *dbtest.DB, w *world) {
	admin := w.tokens["admin"]
	patch := func(version int, body string) call {
		return call{method: http.MethodPatch, target: "/api/v1/units/" + w.town, token: admin, body: body,
			header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": fmt.Sprintf(`"%d"`, version)}}
	}
	get := call{target: "/api/v1/units/" + w.town, token: admin}

	// The baseline's change reads back through fazhi as the baseline answered it…
	changed := send(s.baseline, patch(1, `{"name":"盤錦市司法局（市依法治市辦）","shortName":"市司法局"}`), "patch-1")
	if changed.Code != http.StatusOK {
		t.Fatalf("baseline PATCH: %d %s", changed.Code, changed.Body)
	}
	sameAnswer(t, "fazhi's GET after the baseline's PATCH", send(s.fazhi, get, "patch-1"), changed)
	// …and fazhi's through the baseline.
	changed = send(s.fazhi, patch(2, `{"shortName":null,"name":"改名<后>&"}`), "patch-2")
	if changed.Code != http.StatusOK {
		t.Fatalf("fazhi PATCH: %d %s", changed.Code, changed.Body)
	}
	sameAnswer(t, "the baseline's GET after fazhi's PATCH", send(s.baseline, get, "patch-2"), changed)

	s.same(t, patch(1, `{"name":"过时"}`), 412)
	missing := patch(3, `{"name":"无条件"}`)
	delete(missing.header, "If-Match")
	s.same(t, missing, 428)
	gone := patch(1, `{"name":"无此单位"}`)
	gone.target = "/api/v1/units/" + newID()
	s.same(t, gone, 404)
	s.sameStatus(t, patch(3, `{"name":"坏\u200b字"}`), 422)
	s.sameStatus(t, patch(3, `{"name":" 前后有空格 "}`), 400)
	s.sameStatus(t, patch(3, `{"nickname":"x"}`), 400)
	wrongType := patch(3, `{"name":"x"}`)
	wrongType.header["Content-Type"] = "application/json"
	s.sameStatus(t, wrongType, 415)

	// What the baseline writes is what fazhi writes: the search text, and
	// the audit event (fazhi's "before" is the baseline's "after").
	if got := send(s.baseline, patch(3, `{"name":"遼東灣新區","shortName":"ＡＢＣ"}`), "patch-3"); got.Code != http.StatusOK {
		t.Fatalf("baseline PATCH: %d %s", got.Code, got.Body)
	}
	var code, searchText string
	if err := db.SQL().QueryRow("SELECT code, search_text FROM units WHERE id = ?", w.town).Scan(&code, &searchText); err != nil {
		t.Fatal(err)
	}
	if want := textsearch.Fold("遼東灣新區", "ＡＢＣ", code); searchText != want {
		t.Errorf("search_text is %q, want %q", searchText, want)
	}
	events := unitEvents(t, db, w.town)
	if len(events) != 3 {
		t.Fatalf("%d audit events of the unit's changes, want 3: %v", len(events), events)
	}
	for i, e := range events {
		if e["request_id"] != fmt.Sprint("patch-", i+1) || e["client_address"] != "192.0.2.1" || e["feed"] != "1" ||
			e["operation"] != "updateUnit" || e["actor_name"] != "admin" || e["unit_path"] == "" {
			t.Errorf("event %d: %v", i+1, e)
		}
	}
	if events[0]["after_json"] != events[1]["before_json"] || events[1]["after_json"] != events[2]["before_json"] {
		t.Errorf("the snapshots of the unit differ:\n%s\n%s\n%s\n%s",
			events[0]["after_json"], events[1]["before_json"], events[1]["after_json"], events[2]["before_json"])
	}

	// The baseline's sequencer links every event, fazhi's and its own, into
	// the chain fazhi verifies, and numbers the feed.
	if err := s.base.sequence(t.Context()); err != nil {
		t.Fatal(err)
	}
	var unlinked, unnumbered, total, numbered, head int64
	for q, n := range map[string]*int64{
		"SELECT count(*) FROM audit_events WHERE seq IS NULL":               &unlinked,
		"SELECT count(*) FROM feed_events WHERE seq IS NULL":                &unnumbered,
		"SELECT count(*) FROM audit_events":                                 &total,
		"SELECT count(DISTINCT seq) FROM feed_events WHERE seq IS NOT NULL": &numbered,
		"SELECT head FROM feed_state WHERE id = 1":                          &head,
	} {
		if err := db.SQL().QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if unlinked != 0 || unnumbered != 0 || numbered == 0 || head != numbered {
		t.Errorf("after the sequencer: %d audit events unlinked, %d feed events unnumbered, %d numbered, head %d",
			unlinked, unnumbered, numbered, head)
	}
	v, err := db.VerifyAudit(t.Context())
	if err != nil || !v.OK || v.Checked != total {
		t.Errorf("VerifyAudit = %+v, %v; want OK with %d events checked", v, err, total)
	}
}

// unitEvents reads the audit events of a unit's updates, oldest first,
// each with whether a feed event goes with it.
func unitEvents(t *testing.T, db *dbtest.DB, unitID string) []map[string]string {
	rows, err := db.SQL().Query("SELECT e.request_id, e.client_address, e.operation, e.actor_name, e.unit_path,"+
		" e.before_json, e.after_json, (SELECT count(*) FROM feed_events f WHERE f.audit_id = e.id AND f.record_id = e.entity_id)"+
		" FROM audit_events e WHERE e.entity_id = ? AND e.operation = 'updateUnit' ORDER BY e.request_id", unitID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var events []map[string]string
	for rows.Next() {
		cols := []string{"request_id", "client_address", "operation", "actor_name", "unit_path", "before_json", "after_json", "feed"}
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		e := map[string]string{}
		for i, c := range cols {
			e[c] = vals[i]
		}
		events = append(events, e)
	}
	return events
}
