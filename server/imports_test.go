package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/sheet"
)

// codeSeq makes unit codes no other test of the package's database uses.
var codeSeq atomic.Int64

func init() { codeSeq.Store(int64(rand.IntN(400000))) }

// areaCode is a new county-level division code: six digits, a 9 and five of
// 0 to 8. With no 9 after the first digit, no code built on one area's code
// (its towns', villages' and departments') holds another area's code, so a
// search by an area's code finds only its own units.
func areaCode() string {
	n := codeSeq.Add(1) % 59049 // 9⁵
	code := []byte("900000")
	for i := len(code) - 1; i > 0; i-- {
		code[i] = byte('0' + n%9)
		n /= 9
	}
	return string(code)
}

// postFile uploads data as the multipart field file of an import.
func (h *harness) postFile(t *testing.T, path, name string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	ct, body := multipartOf(t, part{field: "file", filename: name, contentType: "application/octet-stream", data: data})
	return h.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: ct, Header: who})
}

// xlsxOf writes a workbook of one sheet with the header and rows.
func xlsxOf(t *testing.T, name string, header []string, rows [][]string) []byte {
	t.Helper()
	cols := make([]sheet.OutColumn, len(header))
	for i, h := range header {
		cols[i] = sheet.OutColumn{Key: fmt.Sprint(i), Header: h, Text: true}
	}
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, []sheet.SheetData{{Name: name, Columns: cols, Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func orgReport(t *testing.T, resp *apitest.Response) api.OrgImportReport {
	t.Helper()
	expect(t, resp, http.StatusOK, "")
	var r api.OrgImportReport
	resp.JSON(t, &r)
	return r
}

func TestImportUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		city := h.getUnit(t, h.fx.city)
		district, other := areaCode(), areaCode()
		town := district + "001"
		// Children before their parents, kinds as words and names, headers in
		// traditional characters: all as files in circulation have them.
		header := []string{"單位代碼", "單位名稱", "簡稱", "單位類型", "上級單位代碼"}
		good := [][]string{
			{town + "001", "振兴社区", "", "社区", town},
			{town, "振兴街道", "", "街道", district},
			{district, "振兴区", "振兴", "district", city.Code},
			{district + "-001", "振兴区司法局", "区司法局", "部门", district},
			{other, "试验区", "", "经济区", ""},
		}
		file := xlsxOf(t, "单位", header, good)

		dry := orgReport(t, h.postFile(t, unitsPath+"/import?dryRun=true", "单位.xlsx", file, nil))
		if !dry.DryRun || dry.Rows != 5 || dry.Created != 5 || dry.ProblemCount != 0 || dry.Sheet != "单位" {
			t.Errorf("dry run: %+v", dry)
		}
		if got := listAll[api.Unit](t, h, unitsPath, nil, url.Values{"q": {district}}, 50); len(got) != 0 {
			t.Fatalf("a dry run created %d units", len(got))
		}

		done := orgReport(t, h.postFile(t, unitsPath+"/import", "单位.xlsx", file, nil))
		if done.DryRun || done.Created != 5 {
			t.Fatalf("import: %+v", done)
		}
		made := map[string]api.Unit{}
		for _, u := range listAll[api.Unit](t, h, unitsPath, nil, url.Values{"q": {district}}, 50) {
			made[u.Code] = u
		}
		if d, tw, c := made[district], made[town], made[town+"001"]; d.ParentId == nil || d.ParentId.String() != city.Id.String() ||
			tw.ParentId == nil || *tw.ParentId != d.Id || c.ParentId == nil || *c.ParentId != tw.Id ||
			c.Level != city.Level+3 || c.Kind != "community" || d.ShortName == nil || *d.ShortName != "振兴" {
			t.Errorf("the tree imported: %+v", made)
		}

		// A file with three bad rows is refused whole, each row reported.
		bad := [][]string{
			{areaCode(), "好的区", "", "区", city.Code},
			{district, "重复区", "", "区", city.Code},     // row 3: the code exists
			{areaCode(), "无名类型", "", "星球", city.Code}, // row 4: no such kind
			{areaCode(), "孤儿区", "", "区", "000000"},    // row 5: no such parent
			{areaCode(), "也好的区", "", "district", other},
		}
		resp := h.postFile(t, unitsPath+"/import", "单位.csv", csvOf(header, bad), nil)
		expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
		if got := cellRefs(resp.Problem(t)); !slices.Equal(got, []string{"A3", "D4", "E5"}) {
			t.Errorf("refused at %v, want A3, D4, E5: %s", got, resp.Body)
		}
		if got := listAll[api.Unit](t, h, unitsPath, nil, url.Values{"q": {"好的区"}}, 50); len(got) != 0 {
			t.Errorf("a refused import created %d units", len(got))
		}

		// Loops, codes given twice and forbidden characters are found too.
		a, b := areaCode(), areaCode()
		tricky := [][]string{
			{a, "甲区", "", "区", b},
			{b, "乙区", "", "区", a},
			{a, "甲区又一行", "", "区", city.Code},
			{areaCode(), "丙\u202e区", "", "区", city.Code},
		}
		r := orgReport(t, h.postFile(t, unitsPath+"/import?dryRun=true", "单位.csv", csvOf(header, tricky), nil))
		var messages []string
		for _, p := range r.Problems {
			messages = append(messages, *p.Ref+" "+p.Message)
		}
		joined := strings.Join(messages, "\n")
		for _, want := range []string{"A4 code " + a + " is given twice", "E3 unit " + b + " is its own ancestor", "E2 unit " + a + " cannot be placed", "B5 the text holds a bidirectional control"} {
			if !strings.Contains(joined, want) {
				t.Errorf("problems\n%s\nwant one starting %q", joined, want)
			}
		}

		expect(t, h.postFile(t, unitsPath+"/import", "单位.pdf", fixturePDF, nil), http.StatusUnsupportedMediaType, "unsupported_media_type")
		expect(t, h.postFile(t, unitsPath+"/import", "单位.csv", file, h.as("reviewer")), http.StatusForbidden, "forbidden")
	})
}

func csvOf(header []string, rows [][]string) []byte {
	var b strings.Builder
	for _, r := range append([][]string{header}, rows...) {
		b.WriteString(strings.Join(r, ",") + "\r\n")
	}
	return []byte(b.String())
}

// cellRefs are the cells a refused import names, in order.
func cellRefs(p apitest.Problem) []string {
	var out []string
	for _, c := range p.Cells {
		out = append(out, c.Ref)
	}
	return out
}

// TestImportUsersMustChangePassword: imported accounts sign in with a
// password someone else chose, and reach nothing but its change until they
// change it.
func TestImportUsersMustChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		town, district := h.getUnit(t, h.fx.town), h.getUnit(t, h.fx.district)
		p := tag()
		header := []string{"用户名", "姓名", "单位代码", "角色", "初始密码"}
		rows := [][]string{
			{p + ".rep", "街道填报员", town.Code, "填报员", ""},
			{p + ".rev", "区审核员", district.Code, "审核员、查看员", "Given-Initial-2022"},
		}
		r := orgReport(t, h.postFile(t, "/api/v1/users/import", "用户.xlsx", xlsxOf(t, "用户", header, rows), nil))
		if r.Created != 2 || r.Credentials == nil || len(*r.Credentials) != 1 || (*r.Credentials)[0].Username != p+".rep" {
			t.Fatalf("import: %+v", r)
		}
		initial := (*r.Credentials)[0].Password

		s := h.mustSignIn(t, p+".rep", initial)
		if s.User.MustChangePassword == nil || !*s.User.MustChangePassword {
			t.Fatalf("signed in: %+v, want mustChangePassword", s.User)
		}
		rep := bearer(s.Token)
		expect(t, h.Get(unitsPath+"/"+town.Id.String(), rep), http.StatusForbidden, "password_change_required")
		me, _ := h.meAs(t, s.Token)
		if !slices.Equal(me.Permissions, []string{"changeOwnPassword", "getMe", "logout"}) {
			t.Errorf("permissions before the change: %v", me.Permissions)
		}
		change := func(current, next string) *apitest.Response {
			return h.Post("/api/v1/me/password", map[string]any{"currentPassword": current, "newPassword": next}, rep)
		}
		expect(t, change("not-the-initial", "Chosen-By-Me-2022"), http.StatusUnprocessableEntity, "password_incorrect")
		expect(t, change(initial, initial), http.StatusUnprocessableEntity, "password_unchanged")
		expect(t, change(initial, "short"), http.StatusBadRequest, "invalid_request")
		other := h.mustSignIn(t, p+".rep", initial) // a second session, ended by the change
		expect(t, change(initial, "Chosen-By-Me-2022"), http.StatusNoContent, "")
		expect(t, h.Get(unitsPath+"/"+town.Id.String(), rep), http.StatusOK, "")
		expect(t, h.Get(unitsPath+"/"+town.Id.String(), bearer(other.Token)), http.StatusUnauthorized, "unauthenticated")
		if again := h.mustSignIn(t, p+".rep", "Chosen-By-Me-2022"); again.User.MustChangePassword != nil {
			t.Errorf("after the change: %+v", again.User)
		}
		if resp := h.signIn(p+".rev", "Given-Initial-2022"); resp.Status != http.StatusOK {
			t.Errorf("the password the sheet gave: %d %s", resp.Status, resp.Body)
		}

		// Guessing the current password with a stolen token is throttled as
		// guessing it at sign-in is.
		stolen := bearer(h.mustSignIn(t, p+".rev", "Given-Initial-2022").Token)
		var last *apitest.Response
		for range 6 {
			last = h.Post("/api/v1/me/password", map[string]any{"currentPassword": "guess-guess-guess", "newPassword": "Chosen-By-Thief-1"}, stolen)
		}
		expect(t, last, http.StatusTooManyRequests, "login_locked")

		// Three bad rows: refused whole, each reported.
		bad := [][]string{
			{p + ".ok", "好人", town.Code, "reporter", ""},
			{p + ".rep", "重名", town.Code, "reporter", ""}, // row 3: taken
			{p + ".x", "无单位", "000000", "reporter", ""},   // row 4: no such unit
			{p + ".y", "无角色", town.Code, "局长", ""},        // row 5: no such role
		}
		resp := h.postFile(t, "/api/v1/users/import", "用户.csv", csvOf(header, bad), nil)
		expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
		if got := cellRefs(resp.Problem(t)); !slices.Equal(got, []string{"A3", "C4", "D5"}) {
			t.Errorf("refused at %v, want A3, C4, D5: %s", got, resp.Body)
		}
		expect(t, h.signIn(p+".ok", "whatever-it-is"), http.StatusUnauthorized, "unauthenticated")
	})
}

// TestTextRule: every text field refuses the characters no text may hold, a
// 422 naming the field; line breaks and tabs are text.
func TestTextRule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		tests := []struct {
			name, char string
		}{
			{"NUL", "\x00"}, {"escape", "\x1b"}, {"delete", "\x7f"}, {"C1 control", "\u0085"},
			{"right-to-left override", "\u202e"}, {"left-to-right isolate", "\u2066"}, {"right-to-left mark", "\u200f"},
			{"zero-width space", "\u200b"}, {"zero-width joiner", "\u200d"}, {"byte order mark", "\ufeff"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(unitsPath, map[string]any{"code": areaCode(), "name": "振兴" + tt.char + "区", "kind": "district", "parentId": h.fx.city}, nil)
				expect(t, resp, http.StatusUnprocessableEntity, "text_invalid")
				if p := resp.Problem(t); len(p.Errors) != 1 || p.Errors[0].Pointer != "/name" {
					t.Errorf("errors %+v, want /name", p.Errors)
				}
			})
		}
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := h.report(t, nil, valueBody(inds[0], h.fx.town, "2021", "1", map[string]any{"comment": "第一行\n\t第二行"}))
		resp := h.Patch(valuesPath+"/"+v.Id.String(), map[string]any{"rawText": "余\u200b", "comment": "好"}, matching(1))
		expect(t, resp, http.StatusUnprocessableEntity, "text_invalid")
		if p := resp.Problem(t); len(p.Errors) != 1 || p.Errors[0].Pointer != "/rawText" {
			t.Errorf("errors %+v, want /rawText", p.Errors)
		}
		h.mustAct(t, v.Id.String(), "submit", nil, nil, "submitted")
		expect(t, h.act(v.Id.String(), "return", map[string]any{"reason": "请\x07核实"}, h.as("reviewer")), http.StatusUnprocessableEntity, "text_invalid")
		if got := h.getValue(t, v.Id.String(), nil); got.Status != "submitted" || got.Comment == nil || *got.Comment != "第一行\n\t第二行" {
			t.Errorf("after refused texts: %s %v", got.Status, got.Comment)
		}
	})
}

// TestImportRace: a code or username taken while the file was judged makes
// the import a conflict, and nothing of it is written.
func TestImportRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		fx := fixturesFor(t, db)
		ctx := t.Context()
		city, err := db.GetUnit(ctx, fx.city)
		if err != nil {
			t.Fatal(err)
		}
		code, spare, p := areaCode(), areaCode(), tag()
		rs := racingStore{DB: db,
			afterUnits: func() {
				if _, err := db.UnitByCode(ctx, code); errors.Is(err, models.ErrNotFound) {
					if err := db.CreateUnit(ctx, &models.Unit{Code: code, Name: "抢先的区", Kind: models.UnitDistrict, ParentID: &city.ID}); err != nil {
						t.Error(err)
					}
				}
			},
			afterUsers: func() {
				u := &models.User{Username: p + ".first", DisplayName: "抢先", UnitID: city.ID, Roles: []models.Role{models.RoleViewer}, PasswordHash: "x"}
				if err := db.CreateUser(ctx, u); err != nil {
					t.Error(err)
				}
			},
		}
		e, err := server.New(server.Config{AttachmentDir: t.TempDir(), PasswordParams: password.Fast}, rs, discardLogger())
		if err != nil {
			t.Fatal(err)
		}
		h := &harness{Client: apitest.New(t, e), db: db, echo: e, fx: fx}
		h.Header.Set("Authorization", "Bearer "+fx.tokens["admin"])

		units := csvOf([]string{"单位代码", "单位名称", "单位类型", "上级单位代码"}, [][]string{
			{spare, "后来的区", "区", city.Code}, {code, "后来的区", "区", city.Code}})
		expect(t, h.postFile(t, unitsPath+"/import", "单位.csv", units, nil), http.StatusConflict, "unit_code_taken")
		if _, err := db.UnitByCode(ctx, spare); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a refused import created unit %s: %v", spare, err)
		}

		users := csvOf([]string{"用户名", "姓名", "单位代码", "角色"}, [][]string{
			{p + ".second", "后来", city.Code, "查看员"}, {p + ".first", "后来", city.Code, "查看员"}})
		expect(t, h.postFile(t, "/api/v1/users/import", "用户.csv", users, nil), http.StatusConflict, "username_taken")
		if _, err := db.UserByUsername(ctx, p+".second"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a refused import created the account %s.second: %v", p, err)
		}
	})
}
