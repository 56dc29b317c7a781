package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

const (
	systemsPath    = "/api/v1/indicator-systems"
	indicatorsPath = "/api/v1/indicators"
)

// The states of a system, spelled out: generated constant names change as the
// contract grows.
const (
	statusDraft     = api.IndicatorSystemStatus("draft")
	statusPublished = api.IndicatorSystemStatus("published")
	statusArchived  = api.IndicatorSystemStatus("archived")
)

// matching is an If-Match header for version v.
func matching(v int64) map[string]string {
	return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)}
}

// newSystem creates a draft system issued by the fixture city, named after p so
// that a test finds its own; edit overrides fields of the body.
func (h *harness) newSystem(t *testing.T, p string, edit map[string]any) api.IndicatorSystem {
	t.Helper()
	body := map[string]any{"name": "盤錦市法治政府建設考核指標 " + p, "issuingUnitId": h.fx.city, "edition": "2022年版",
		"yearFrom": 2022, "yearTo": 2022, "totalPoints": "100"}
	for k, v := range edit {
		body[k] = v
	}
	resp := h.Post(systemsPath, body, nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create indicator system %v: status %d, body %s", body, resp.Status, resp.Body)
	}
	var s api.IndicatorSystem
	resp.JSON(t, &s)
	return s
}

// indicatorBody is the body of a new indicator with the given code and points,
// under parent (nil for level 1); extra fields are added to it.
func indicatorBody(code, points string, parent *api.Indicator, extra map[string]any) map[string]any {
	body := map[string]any{"code": code, "name": "指標" + code, "points": points, "valueType": "number",
		"direction": "higher_better", "aggregation": "sum", "frequency": "year"}
	if parent != nil {
		body["parentId"] = parent.Id.String()
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// newIndicator adds an indicator to a draft system.
func (h *harness) newIndicator(t *testing.T, systemID string, body map[string]any) api.Indicator {
	t.Helper()
	resp := h.Post(systemsPath+"/"+systemID+"/indicators", body, nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create indicator %v: status %d, body %s", body, resp.Status, resp.Body)
	}
	var ind api.Indicator
	resp.JSON(t, &ind)
	return ind
}

func (h *harness) getSystem(t *testing.T, id string) api.IndicatorSystem {
	t.Helper()
	s, _ := getOK[api.IndicatorSystem](t, h, systemsPath+"/"+id, nil)
	return s
}

func (h *harness) getIndicator(t *testing.T, id string) api.Indicator {
	t.Helper()
	ind, _ := getOK[api.Indicator](t, h, indicatorsPath+"/"+id, nil)
	return ind
}

func (h *harness) indicatorTree(t *testing.T, systemID string) api.IndicatorTree {
	t.Helper()
	resp := h.Get(systemsPath+"/"+systemID+"/tree", nil)
	expect(t, resp, http.StatusOK, "")
	var tree api.IndicatorTree
	resp.JSON(t, &tree)
	return tree
}

func (h *harness) publish(t *testing.T, systemID string) api.IndicatorSystem {
	t.Helper()
	resp := h.Post(systemsPath+"/"+systemID+"/publish", nil, nil)
	expect(t, resp, http.StatusOK, "")
	var s api.IndicatorSystem
	resp.JSON(t, &s)
	return s
}

// publishedSystem creates and publishes a system of 100 points: 1 (60) with
// 1.1 (60), and 2 (40).
func (h *harness) publishedSystem(t *testing.T, p string) (api.IndicatorSystem, []api.Indicator) {
	t.Helper()
	s := h.newSystem(t, p, nil)
	one := h.newIndicator(t, s.Id.String(), indicatorBody("1", "60", nil, nil))
	oneOne := h.newIndicator(t, s.Id.String(), indicatorBody("1.1", "60", &one, nil))
	two := h.newIndicator(t, s.Id.String(), indicatorBody("2", "40", nil, nil))
	return h.publish(t, s.Id.String()), []api.Indicator{one, oneOne, two}
}

// listSystems reads every page of a system list, limit items at a time.
func (h *harness) listSystems(t *testing.T, query url.Values, limit int) []api.IndicatorSystem {
	t.Helper()
	return listAll[api.IndicatorSystem](t, h, systemsPath, nil, query, limit)
}

// listIndicators reads every page of a system's indicators, limit at a time.
func (h *harness) listIndicators(t *testing.T, systemID string, query url.Values, limit int) []api.Indicator {
	t.Helper()
	return listAll[api.Indicator](t, h, systemsPath+"/"+systemID+"/indicators", nil, query, limit)
}

func systemIDs(ss []api.IndicatorSystem) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Id.String()
	}
	return out
}

func indicatorIDs(inds ...api.Indicator) []string {
	out := make([]string, len(inds))
	for i, ind := range inds {
		out[i] = ind.Id.String()
	}
	return out
}

func idStrings(ids []api.Id) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	sort.Strings(out)
	return out
}

// rawField is a top-level field of a JSON body as it was sent, to see the
// exact spelling of a decimal.
func rawField(t *testing.T, resp *apitest.Response, field string) string {
	t.Helper()
	var m map[string]json.RawMessage
	resp.JSON(t, &m)
	return string(m[field])
}

// pointers lists the pointers of a problem's errors.
func pointers(p apitest.Problem) []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Pointer
	}
	sort.Strings(out)
	return out
}

func referrerIDs(p apitest.Problem, typ string) []string {
	var out []string
	for _, r := range p.Referrers {
		if r.Type == typ {
			out = append(out, r.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestCreateAndGetIndicatorSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		body := map[string]any{"name": "盤錦市2022年法治政府建設考核指標 " + p, "issuingUnitId": h.fx.city, "edition": "2022年版",
			"yearFrom": 2022, "yearTo": 2023, "totalPoints": "100.0"}
		resp := h.Post(systemsPath, body, nil)
		expect(t, resp, http.StatusCreated, "")
		var s api.IndicatorSystem
		resp.JSON(t, &s)
		if got, want := resp.Header.Get("Location"), systemsPath+"/"+s.Id.String(); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if got := resp.Header.Get("ETag"); got != `"1"` {
			t.Errorf("ETag = %q, want \"1\"", got)
		}
		if got := rawField(t, resp, "totalPoints"); got != `"100.0"` {
			t.Errorf("totalPoints sent as %s, want \"100.0\"", got)
		}
		if s.Status != statusDraft || s.Version != 1 || s.Name != body["name"] || s.Edition != "2022年版" ||
			s.YearFrom != 2022 || s.YearTo != 2023 || s.IssuingUnitId.String() != h.fx.city || s.PublishedAt != nil ||
			s.PreviousEditionId != nil || !s.CreatedAt.Equal(s.UpdatedAt) {
			t.Errorf("created %+v", s)
		}

		resp = h.Get(systemsPath+"/"+s.Id.String(), nil)
		expect(t, resp, http.StatusOK, "")
		var got api.IndicatorSystem
		resp.JSON(t, &got)
		if resp.Header.Get("ETag") != `"1"` || got.TotalPoints.String() != "100.0" || got.Name != s.Name ||
			!got.CreatedAt.Equal(s.CreatedAt) || got.Status != statusDraft {
			t.Errorf("get: ETag %q, %+v", resp.Header.Get("ETag"), got)
		}
		expect(t, h.Get(systemsPath+"/"+absentID, nil), http.StatusNotFound, "not_found")
		expect(t, h.Get(systemsPath+"/not-an-id", nil), http.StatusBadRequest, "invalid_request")

		// Domain rules: a unit that exists, years in order, points above zero.
		for _, tt := range []struct {
			name    string
			edit    map[string]any
			code    string
			pointer string
		}{
			{"unknown unit", map[string]any{"issuingUnitId": absentID}, "indicator_system_unit_not_found", "/issuingUnitId"},
			{"years reversed", map[string]any{"yearFrom": 2023, "yearTo": 2022}, "indicator_system_invalid", "/yearTo"},
			{"no points", map[string]any{"totalPoints": "0.00"}, "indicator_system_invalid", "/totalPoints"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				b := map[string]any{}
				for k, v := range body {
					b[k] = v
				}
				for k, v := range tt.edit {
					b[k] = v
				}
				resp := h.Post(systemsPath, b, nil)
				expect(t, resp, http.StatusUnprocessableEntity, tt.code)
				if prob := resp.Problem(t); !hasPointer(prob, tt.pointer) {
					t.Errorf("errors %+v do not point at %s", prob.Errors, tt.pointer)
				}
			})
		}
		if n := len(h.listSystems(t, url.Values{"q": {p}}, 50)); n != 1 {
			t.Errorf("%d systems named %s, want 1: a refused create wrote", n, p)
		}
	})
}

func TestListIndicatorSystems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		a := h.newSystem(t, p, map[string]any{"name": "盤錦市法治政府建設指標 " + p})
		b := h.newSystem(t, p, map[string]any{"name": "營商環境評價指標 " + p, "issuingUnitId": h.fx.district})
		c := h.newSystem(t, p, map[string]any{"name": "鄉鎮法治建設考核 " + p, "issuingUnitId": h.fx.district, "edition": "試行版" + p})
		d, _ := h.publishedSystem(t, p)
		all := []api.IndicatorSystem{a, b, c, d}

		same := func(name string, got []api.IndicatorSystem, want ...api.IndicatorSystem) {
			t.Helper()
			g, w := systemIDs(got), systemIDs(want)
			sort.Strings(g)
			sort.Strings(w)
			if !slices.Equal(g, w) {
				t.Errorf("%s: got %v, want %v", name, g, w)
			}
		}
		same("q", h.listSystems(t, url.Values{"q": {p}}, 50), all...)
		same("status=draft", h.listSystems(t, url.Values{"q": {p}, "status": {"draft"}}, 50), a, b, c)
		same("status=published", h.listSystems(t, url.Values{"q": {p}, "status": {"published"}}, 50), d)
		same("status=archived", h.listSystems(t, url.Values{"q": {p}, "status": {"archived"}}, 50))
		same("issuingUnitId", h.listSystems(t, url.Values{"q": {p}, "issuingUnitId": {h.fx.district}}, 50), b, c)
		same("issuingUnitId and status", h.listSystems(t, url.Values{"q": {p}, "issuingUnitId": {h.fx.city}, "status": {"draft"}}, 50), a)
		// Simplified finds traditional, and the edition is searched too.
		same("simplified q", h.listSystems(t, url.Values{"q": {"营商环境评价指标 " + p}}, 50), b)
		same("edition q", h.listSystems(t, url.Values{"q": {"试行版" + p}}, 50), c)

		// Every sort, on one page and one item a page.
		less := map[string]func(x, y api.IndicatorSystem) bool{
			"name": func(x, y api.IndicatorSystem) bool {
				return x.Name < y.Name || x.Name == y.Name && x.Id.String() < y.Id.String()
			},
			"createdAt": func(x, y api.IndicatorSystem) bool {
				return x.CreatedAt.Before(y.CreatedAt) || x.CreatedAt.Equal(y.CreatedAt) && x.Id.String() < y.Id.String()
			},
		}
		for _, sortBy := range []string{"name", "-name", "createdAt", "-createdAt", ""} {
			q := url.Values{"q": {p}}
			if sortBy != "" {
				q.Set("sort", sortBy)
			}
			want := slices.Clone(all)
			field, desc := strings.TrimPrefix(sortBy, "-"), strings.HasPrefix(sortBy, "-")
			if sortBy == "" {
				field, desc = "createdAt", true // the default: newest first
			}
			sort.Slice(want, func(i, j int) bool {
				if desc {
					return less[field](want[j], want[i])
				}
				return less[field](want[i], want[j])
			})
			whole := h.listSystems(t, q, 50)
			paged := h.listSystems(t, q, 1)
			if !slices.Equal(systemIDs(whole), systemIDs(want)) || !slices.Equal(systemIDs(paged), systemIDs(want)) {
				t.Errorf("sort %q: one page %v, paged %v, want %v", sortBy, systemIDs(whole), systemIDs(paged), systemIDs(want))
			}
		}

		// A cursor belongs to its filters and sort.
		resp := h.Get(systemsPath+"?limit=1&q="+p, nil)
		var page api.IndicatorSystemPage
		resp.JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no next cursor")
		}
		expect(t, h.Get(systemsPath+"?limit=1&q="+p+"&status=draft&cursor="+*page.NextCursor, nil), 400, "invalid_cursor")
		expect(t, h.Get(systemsPath+"?limit=1&q="+p+"&sort=name&cursor="+*page.NextCursor, nil), 400, "invalid_cursor")
		expect(t, h.Get(systemsPath+"?status=frozen", nil), 400, "invalid_request")
		expect(t, h.Get(systemsPath+"?sort=edition", nil), 400, "invalid_request")
	})
}

func TestUpdateIndicatorSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		s := h.newSystem(t, p, nil)
		path := systemsPath + "/" + s.Id.String()

		resp := h.Patch(path, map[string]any{"name": "盤錦市考核指標（征求意見稿） " + p, "issuingUnitId": h.fx.district,
			"totalPoints": "1000.00", "yearTo": 2024}, matching(1))
		expect(t, resp, http.StatusOK, "")
		var got api.IndicatorSystem
		resp.JSON(t, &got)
		if resp.Header.Get("ETag") != `"2"` || got.Version != 2 || got.Name != "盤錦市考核指標（征求意見稿） "+p ||
			got.IssuingUnitId.String() != h.fx.district || got.TotalPoints.String() != "1000.00" || got.YearFrom != 2022 ||
			got.YearTo != 2024 || got.Edition != s.Edition || got.Status != statusDraft {
			t.Errorf("after patch: ETag %q, %+v", resp.Header.Get("ETag"), got)
		}
		if got.UpdatedAt.Before(s.UpdatedAt) || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("times after patch: %v %v, before %v %v", got.CreatedAt, got.UpdatedAt, s.CreatedAt, s.UpdatedAt)
		}

		tests := []struct {
			name    string
			path    string
			body    map[string]any
			header  map[string]string
			status  int
			code    string
			pointer string
		}{
			{"stale", path, map[string]any{"name": "stale"}, matching(1), 412, "version_mismatch", ""},
			{"no If-Match", path, map[string]any{"name": "none"}, nil, 428, "if_match_required", ""},
			{"unknown unit", path, map[string]any{"issuingUnitId": absentID}, matching(2), 422, "indicator_system_unit_not_found", "/issuingUnitId"},
			{"yearTo before yearFrom", path, map[string]any{"yearTo": 2021}, matching(2), 422, "indicator_system_invalid", "/yearTo"},
			{"yearFrom after yearTo", path, map[string]any{"yearFrom": 2025}, matching(2), 422, "indicator_system_invalid", "/yearTo"},
			{"zero points", path, map[string]any{"totalPoints": "0"}, matching(2), 422, "indicator_system_invalid", "/totalPoints"},
			{"unknown system", systemsPath + "/" + absentID, map[string]any{"name": "x"}, matching(1), 404, "not_found", ""},
			{"empty patch", path, map[string]any{}, matching(2), 400, "invalid_request", ""},
			{"status is not patched", path, map[string]any{"status": "published"}, matching(2), 400, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Patch(tt.path, tt.body, tt.header)
				expect(t, resp, tt.status, tt.code)
				if tt.pointer != "" {
					if prob := resp.Problem(t); !hasPointer(prob, tt.pointer) {
						t.Errorf("errors %+v do not point at %s", prob.Errors, tt.pointer)
					}
				}
			})
		}
		if now := h.getSystem(t, s.Id.String()); now.Version != 2 || now.Name != got.Name || now.YearTo != 2024 {
			t.Errorf("refused patches wrote: %+v", now)
		}

		// Only a draft changes.
		pub, _ := h.publishedSystem(t, p+"-pub")
		expect(t, h.Patch(systemsPath+"/"+pub.Id.String(), map[string]any{"name": "x"}, matching(pub.Version)),
			http.StatusConflict, "indicator_system_not_draft")
		if now := h.getSystem(t, pub.Id.String()); now.Version != pub.Version || now.Name != pub.Name {
			t.Errorf("a published system changed: %+v", now)
		}
	})
}

func TestDeleteIndicatorSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()

		// A draft goes with its whole tree and its reporting units.
		s := h.newSystem(t, p, nil)
		sid := s.Id.String()
		one := h.newIndicator(t, sid, indicatorBody("1", "100", nil, map[string]any{"leadUnitId": h.fx.district}))
		oneOne := h.newIndicator(t, sid, indicatorBody("1.1", "100", &one, map[string]any{"reportingUnitIds": []string{h.fx.district, h.fx.town}}))
		leaf := h.newIndicator(t, sid, indicatorBody("1", "100", &oneOne, map[string]any{"reportingUnitIds": []string{h.fx.town}}))

		path := systemsPath + "/" + sid
		expect(t, h.Delete(path, nil), 428, "if_match_required")
		expect(t, h.Delete(path, matching(7)), 412, "version_mismatch")
		expect(t, h.Delete(systemsPath+"/"+absentID, matching(1)), 404, "not_found")
		expect(t, h.Delete(path, matching(s.Version)), 204, "")
		expect(t, h.Get(path, nil), 404, "not_found")
		expect(t, h.Get(path+"/tree", nil), 404, "not_found")
		for _, ind := range []api.Indicator{one, oneOne, leaf} {
			expect(t, h.Get(indicatorsPath+"/"+ind.Id.String(), nil), 404, "not_found")
		}
		expect(t, h.Delete(path, matching(s.Version)), 404, "not_found")

		// A published system is never destroyed.
		pub, _ := h.publishedSystem(t, p+"-pub")
		expect(t, h.Delete(systemsPath+"/"+pub.Id.String(), matching(pub.Version)), 409, "indicator_system_not_draft")
		h.getSystem(t, pub.Id.String())

		// A draft that is the previous edition of another is still referred to.
		prev := h.newSystem(t, p+"-prev", nil)
		h.newIndicator(t, prev.Id.String(), indicatorBody("1", "100", nil, nil))
		resp := h.Post(systemsPath+"/"+prev.Id.String()+"/editions", map[string]any{"edition": "2023年版", "yearFrom": 2023, "yearTo": 2023}, nil)
		expect(t, resp, http.StatusCreated, "")
		var next api.IndicatorSystem
		resp.JSON(t, &next)
		refused := h.Delete(systemsPath+"/"+prev.Id.String(), matching(prev.Version))
		expect(t, refused, 409, "indicator_system_has_referrers")
		if prob := refused.Problem(t); !slices.Equal(referrerIDs(prob, "indicator_system"), []string{next.Id.String()}) || len(prob.Referrers) != 1 {
			t.Errorf("referrers %+v, want the next edition %s", prob.Referrers, next.Id)
		}
		h.getSystem(t, prev.Id.String())
		expect(t, h.Delete(systemsPath+"/"+next.Id.String(), matching(next.Version)), 204, "")
		expect(t, h.Delete(systemsPath+"/"+prev.Id.String(), matching(prev.Version)), 204, "")
	})
}

func TestCreateIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		s := h.newSystem(t, p, nil)
		sid := s.Id.String()
		path := systemsPath + "/" + sid + "/indicators"

		resp := h.Post(path, indicatorBody("1", "40", nil, nil), nil)
		expect(t, resp, http.StatusCreated, "")
		var one api.Indicator
		resp.JSON(t, &one)
		if got, want := resp.Header.Get("Location"), indicatorsPath+"/"+one.Id.String(); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if resp.Header.Get("ETag") != `"1"` || one.Level != 1 || one.ParentId != nil || one.SystemId != s.Id || one.Version != 1 ||
			one.ReportingUnitIds == nil || len(one.ReportingUnitIds) != 0 || one.SourceIndicatorId != nil {
			t.Errorf("level 1: ETag %q, %+v", resp.Header.Get("ETag"), one)
		}

		resp = h.Post(path, indicatorBody("1.1", "2.50", &one, nil), nil)
		expect(t, resp, http.StatusCreated, "")
		var oneOne api.Indicator
		resp.JSON(t, &oneOne)
		if oneOne.Level != 2 || oneOne.ParentId == nil || *oneOne.ParentId != one.Id || oneOne.Points.String() != "2.50" {
			t.Errorf("level 2: %+v", oneOne)
		}
		if got := rawField(t, resp, "points"); got != `"2.50"` {
			t.Errorf("points sent as %s, want \"2.50\"", got)
		}

		// Level 3 may reuse a level-1 code: codes are unique within a level.
		full := indicatorBody("1", "2.50", &oneOne, map[string]any{
			"name": "證明事項實行告知承諾制", "content": "全面梳理證明事項", "criteria": "未實行的扣1分", "measureUnit": "項",
			"valueType": "percent", "direction": "target", "aggregation": "average", "frequency": "quarter",
			"evidenceRequired": true, "leadUnitId": h.fx.district, "reportingUnitIds": []string{h.fx.town, h.fx.district}, "sortOrder": 3,
		})
		leaf := h.newIndicator(t, sid, full)
		if leaf.Level != 3 || *leaf.ParentId != oneOne.Id || leaf.Code != "1" || leaf.Name != "證明事項實行告知承諾制" ||
			strOf(leaf.Content) != "全面梳理證明事項" || strOf(leaf.Criteria) != "未實行的扣1分" || strOf(leaf.MeasureUnit) != "項" ||
			leaf.ValueType != "percent" || leaf.Direction != "target" || leaf.Aggregation != "average" ||
			leaf.Frequency != "quarter" || !leaf.EvidenceRequired || leaf.LeadUnitId == nil ||
			leaf.LeadUnitId.String() != h.fx.district || leaf.SortOrder != 3 {
			t.Errorf("level 3: %+v", leaf)
		}
		wantUnits := []string{h.fx.district, h.fx.town}
		sort.Strings(wantUnits)
		if got := idStrings(leaf.ReportingUnitIds); !slices.Equal(got, wantUnits) {
			t.Errorf("reporting units %v, want %v", got, wantUnits)
		}

		// Get gives back what was created.
		resp = h.Get(indicatorsPath+"/"+leaf.Id.String(), nil)
		expect(t, resp, http.StatusOK, "")
		var got api.Indicator
		resp.JSON(t, &got)
		if resp.Header.Get("ETag") != `"1"` || got.Level != 3 || got.Points.String() != "2.50" || got.Code != "1" ||
			!slices.Equal(idStrings(got.ReportingUnitIds), wantUnits) || strOf(got.Content) != "全面梳理證明事項" ||
			!got.CreatedAt.Equal(leaf.CreatedAt) || got.LeadUnitId == nil || *got.LeadUnitId != *leaf.LeadUnitId {
			t.Errorf("get: %+v", got)
		}
		expect(t, h.Get(indicatorsPath+"/"+absentID, nil), 404, "not_found")
		expect(t, h.Get(indicatorsPath+"/x", nil), 400, "invalid_request")

		two := h.newIndicator(t, sid, indicatorBody("2", "60", nil, nil))
		tests := []struct {
			name    string
			path    string
			body    map[string]any
			status  int
			code    string
			pointer string
		}{
			{"level-1 code taken", path, indicatorBody("1", "1", nil, nil), 409, "indicator_code_taken", ""},
			{"level-2 code taken under another parent", path, indicatorBody("1.1", "1", &two, nil), 409, "indicator_code_taken", ""},
			{"parent in another system", path, indicatorBody("9", "1", nil, map[string]any{"parentId": h.fx.indicator}), 422, "indicator_parent_not_found", "/parentId"},
			{"parent does not exist", path, indicatorBody("9", "1", nil, map[string]any{"parentId": absentID}), 422, "indicator_parent_not_found", "/parentId"},
			{"unknown lead unit", path, indicatorBody("9", "1", nil, map[string]any{"leadUnitId": absentID}), 422, "indicator_unit_not_found", "/leadUnitId"},
			{"unknown reporting unit", path, indicatorBody("9", "1", nil, map[string]any{"reportingUnitIds": []string{h.fx.town, absentID}}), 422, "indicator_unit_not_found", "/reportingUnitIds/1"},
			{"unknown system", systemsPath + "/" + absentID + "/indicators", indicatorBody("9", "1", nil, nil), 404, "not_found", ""},
			{"negative points", path, indicatorBody("9", "-1", nil, nil), 422, "indicator_invalid", "/points"},
			{"points as a number", path, indicatorBody("9", "x", nil, map[string]any{"points": 1.5}), 400, "invalid_request", ""},
			{"duplicate reporting unit", path, indicatorBody("9", "1", nil, map[string]any{"reportingUnitIds": []string{h.fx.town, h.fx.town}}), 400, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(tt.path, tt.body, nil)
				expect(t, resp, tt.status, tt.code)
				if tt.pointer != "" {
					if prob := resp.Problem(t); !hasPointer(prob, tt.pointer) {
						t.Errorf("errors %+v do not point at %s", prob.Errors, tt.pointer)
					}
				}
			})
		}
		if all := h.listIndicators(t, sid, nil, 50); len(all) != 4 {
			t.Errorf("%d indicators after the refused creates, want 4", len(all))
		}
	})
}

func TestListIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		s := h.newSystem(t, p, nil)
		sid := s.Id.String()
		a := h.newIndicator(t, sid, indicatorBody("2", "50", nil, map[string]any{"sortOrder": 1, "name": "依法全面履行政府職能"}))
		b := h.newIndicator(t, sid, indicatorBody("1", "50", nil, map[string]any{"sortOrder": 2, "name": "政府機構職能體系"}))
		a2 := h.newIndicator(t, sid, indicatorBody("2.2", "20", &a, map[string]any{"name": "證明事項清單"}))
		a1 := h.newIndicator(t, sid, indicatorBody("2.1", "20", &a, map[string]any{"name": "證明事項告知承諾"}))
		a10 := h.newIndicator(t, sid, indicatorBody("2.10", "10", &a, nil))
		b1 := h.newIndicator(t, sid, indicatorBody("1.1", "50", &b, map[string]any{"sortOrder": 5}))
		leaf := h.newIndicator(t, sid, indicatorBody("3", "50", &b1, map[string]any{"reportingUnitIds": []string{h.fx.town}}))

		// Tree order: sortOrder, then code.
		want := indicatorIDs(a1, a10, a2, leaf, a, b, b1)
		for _, limit := range []int{50, 2, 1} {
			got := h.listIndicators(t, sid, nil, limit)
			if !slices.Equal(indicatorIDs(got...), want) {
				t.Errorf("limit %d: %v, want %v", limit, indicatorIDs(got...), want)
			}
		}
		all := h.listIndicators(t, sid, nil, 50)
		if got := all[3]; got.Id != leaf.Id || !slices.Equal(idStrings(got.ReportingUnitIds), []string{h.fx.town}) || got.Level != 3 {
			t.Errorf("leaf in the list: %+v", got)
		}
		check := func(name string, q url.Values, want ...api.Indicator) {
			t.Helper()
			for _, limit := range []int{50, 1} {
				if got := h.listIndicators(t, sid, q, limit); !slices.Equal(indicatorIDs(got...), indicatorIDs(want...)) {
					t.Errorf("%s, limit %d: %v, want %v", name, limit, indicatorIDs(got...), indicatorIDs(want...))
				}
			}
		}
		check("parentId", url.Values{"parentId": {a.Id.String()}}, a1, a10, a2)
		check("parentId of a leaf", url.Values{"parentId": {leaf.Id.String()}})
		check("level 1", url.Values{"level": {"1"}}, a, b)
		check("level 3", url.Values{"level": {"3"}}, leaf)
		check("q simplified", url.Values{"q": {"证明事项"}}, a1, a2)
		check("q and parent", url.Values{"q": {"告知承诺"}, "parentId": {a.Id.String()}}, a1)
		check("q code", url.Values{"q": {"2.1"}}, a1, a10)
		check("level and parent", url.Values{"level": {"2"}, "parentId": {b.Id.String()}}, b1)

		resp := h.Get(systemsPath+"/"+sid+"/indicators?limit=1", nil)
		var page api.IndicatorPage
		resp.JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no next cursor")
		}
		expect(t, h.Get(systemsPath+"/"+sid+"/indicators?limit=1&level=2&cursor="+*page.NextCursor, nil), 400, "invalid_cursor")
		expect(t, h.Get(systemsPath+"/"+h.fx.system+"/indicators?limit=1&cursor="+*page.NextCursor, nil), 400, "invalid_cursor")
		expect(t, h.Get(systemsPath+"/"+absentID+"/indicators", nil), 404, "not_found")
		expect(t, h.Get(systemsPath+"/"+sid+"/indicators?level=9", nil), 400, "invalid_request")
	})
}

func TestUpdateIndicator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		s := h.newSystem(t, p, nil)
		sid := s.Id.String()
		a := h.newIndicator(t, sid, indicatorBody("1", "60", nil, nil))
		b := h.newIndicator(t, sid, indicatorBody("1.1", "60", &a, map[string]any{"content": "內容", "criteria": "標準",
			"measureUnit": "件", "leadUnitId": h.fx.district, "reportingUnitIds": []string{h.fx.town}}))
		c := h.newIndicator(t, sid, indicatorBody("1.1.1", "60", &b, nil))
		x := h.newIndicator(t, sid, indicatorBody("2", "40", nil, nil))
		bPath := indicatorsPath + "/" + b.Id.String()

		resp := h.Patch(bPath, map[string]any{"points": "12.50", "name": "行政執法案卷評查", "sortOrder": 4,
			"valueType": "percent", "evidenceRequired": true}, matching(1))
		expect(t, resp, http.StatusOK, "")
		var got api.Indicator
		resp.JSON(t, &got)
		if resp.Header.Get("ETag") != `"2"` || got.Version != 2 || got.Points.String() != "12.50" || got.Name != "行政執法案卷評查" ||
			got.SortOrder != 4 || got.ValueType != "percent" || !got.EvidenceRequired || strOf(got.Content) != "內容" ||
			strOf(got.MeasureUnit) != "件" || got.LeadUnitId == nil || got.Level != 2 || got.Code != "1.1" ||
			!slices.Equal(idStrings(got.ReportingUnitIds), []string{h.fx.town}) {
			t.Errorf("after patch: ETag %q, %+v", resp.Header.Get("ETag"), got)
		}
		if got := rawField(t, resp, "points"); got != `"12.50"` {
			t.Errorf("points sent as %s", got)
		}

		// null clears the optional fields; an empty list clears the reporting units.
		resp = h.Patch(bPath, map[string]any{"content": nil, "measureUnit": nil, "leadUnitId": nil, "reportingUnitIds": []string{}}, matching(2))
		expect(t, resp, http.StatusOK, "")
		var cleared api.Indicator
		resp.JSON(t, &cleared)
		if cleared.Content != nil || cleared.MeasureUnit != nil || cleared.LeadUnitId != nil || len(cleared.ReportingUnitIds) != 0 ||
			strOf(cleared.Criteria) != "標準" || cleared.Version != 3 || cleared.Points.String() != "12.50" {
			t.Errorf("after clearing: %+v", cleared)
		}
		if now := h.getIndicator(t, b.Id.String()); now.Content != nil || now.MeasureUnit != nil || now.LeadUnitId != nil ||
			len(now.ReportingUnitIds) != 0 || now.Points.String() != "12.50" || now.Version != 3 {
			t.Errorf("read after clearing: %+v", now)
		}
		resp = h.Patch(bPath, map[string]any{"leadUnitId": h.fx.town, "reportingUnitIds": []string{h.fx.district, h.fx.town}}, matching(3))
		expect(t, resp, http.StatusOK, "")
		if now := h.getIndicator(t, b.Id.String()); now.LeadUnitId == nil || now.LeadUnitId.String() != h.fx.town || len(now.ReportingUnitIds) != 2 {
			t.Errorf("after setting units: %+v", now)
		}

		// Moving a takes its subtree one level down, then back to the top.
		resp = h.Patch(indicatorsPath+"/"+a.Id.String(), map[string]any{"parentId": x.Id.String()}, matching(1))
		expect(t, resp, http.StatusOK, "")
		levels := func(want ...int32) {
			t.Helper()
			for i, ind := range []api.Indicator{a, b, c} {
				if now := h.getIndicator(t, ind.Id.String()); now.Level != want[i] {
					t.Errorf("%s at level %d, want %d", ind.Code, now.Level, want[i])
				}
			}
		}
		levels(2, 3, 4)
		movedA := h.getIndicator(t, a.Id.String())
		if movedA.ParentId == nil || *movedA.ParentId != x.Id || movedA.Version != 2 {
			t.Errorf("a after the move: %+v", movedA)
		}
		if now := h.getIndicator(t, c.Id.String()); now.Version != 2 || *now.ParentId != b.Id {
			t.Errorf("c after the move: %+v", now)
		}
		resp = h.Patch(indicatorsPath+"/"+a.Id.String(), map[string]any{"parentId": nil}, matching(2))
		expect(t, resp, http.StatusOK, "")
		var top api.Indicator
		resp.JSON(t, &top)
		if top.ParentId != nil || top.Level != 1 || top.Version != 3 {
			t.Errorf("a back at the top: %+v", top)
		}
		levels(1, 2, 3)

		// A chain below x down to the level from which a's subtree (three
		// levels) would end below the last.
		deep := x
		for level := 2; level <= models.MaxIndicatorLevel-2; level++ {
			deep = h.newIndicator(t, sid, indicatorBody(fmt.Sprintf("%s.%d", deep.Code, 1), "1", &deep, nil))
		}
		aPath := indicatorsPath + "/" + a.Id.String()
		tests := []struct {
			name    string
			path    string
			body    map[string]any
			header  map[string]string
			status  int
			code    string
			pointer string
		}{
			{"under itself", aPath, map[string]any{"parentId": a.Id.String()}, matching(3), 422, "indicator_move_cycle", "/parentId"},
			{"under its grandchild", aPath, map[string]any{"parentId": c.Id.String()}, matching(3), 422, "indicator_move_cycle", "/parentId"},
			{"parent in another system", aPath, map[string]any{"parentId": h.fx.indicator}, matching(3), 422, "indicator_parent_not_found", "/parentId"},
			{"parent does not exist", aPath, map[string]any{"parentId": absentID}, matching(3), 422, "indicator_parent_not_found", "/parentId"},
			{"too deep", aPath, map[string]any{"parentId": deep.Id.String()}, matching(3), 422, "indicator_too_deep", "/parentId"},
			{"unknown lead unit", aPath, map[string]any{"leadUnitId": absentID}, matching(3), 422, "indicator_unit_not_found", "/leadUnitId"},
			{"unknown reporting unit", aPath, map[string]any{"reportingUnitIds": []string{absentID}}, matching(3), 422, "indicator_unit_not_found", "/reportingUnitIds/0"},
			{"negative points", aPath, map[string]any{"points": "-0.5"}, matching(3), 422, "indicator_invalid", "/points"},
			{"code taken", indicatorsPath + "/" + x.Id.String(), map[string]any{"code": "1"}, matching(1), 409, "indicator_code_taken", ""},
			{"stale", aPath, map[string]any{"points": "1"}, matching(1), 412, "version_mismatch", ""},
			{"no If-Match", aPath, map[string]any{"points": "1"}, nil, 428, "if_match_required", ""},
			{"unknown indicator", indicatorsPath + "/" + absentID, map[string]any{"points": "1"}, matching(1), 404, "not_found", ""},
			{"null name", aPath, map[string]any{"name": nil}, matching(3), 400, "invalid_request", ""},
			{"level is computed", aPath, map[string]any{"level": 2}, matching(3), 400, "invalid_request", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Patch(tt.path, tt.body, tt.header)
				expect(t, resp, tt.status, tt.code)
				if tt.pointer != "" {
					if prob := resp.Problem(t); !hasPointer(prob, tt.pointer) {
						t.Errorf("errors %+v do not point at %s", prob.Errors, tt.pointer)
					}
				}
			})
		}
		if now := h.getIndicator(t, a.Id.String()); now.Version != 3 || now.ParentId != nil || now.Points.String() != "60" {
			t.Errorf("refused patches wrote a: %+v", now)
		}
		if now := h.getIndicator(t, x.Id.String()); now.Version != 1 || now.Code != "2" {
			t.Errorf("refused patches wrote x: %+v", now)
		}
		levels(1, 2, 3)
	})
}

// A subtree whose levels reuse a code moves without tripping over its own codes.
func TestMoveIndicatorSubtreeWithRepeatedCodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := h.newSystem(t, tag(), nil)
		sid := s.Id.String()
		top := h.newIndicator(t, sid, indicatorBody("A", "10", nil, nil))
		a := h.newIndicator(t, sid, indicatorBody("1", "10", nil, nil))
		b := h.newIndicator(t, sid, indicatorBody("1", "10", &a, nil))
		c := h.newIndicator(t, sid, indicatorBody("1", "10", &b, nil))

		resp := h.Patch(indicatorsPath+"/"+a.Id.String(), map[string]any{"parentId": top.Id.String()}, matching(1))
		expect(t, resp, http.StatusOK, "")
		for i, ind := range []api.Indicator{a, b, c} {
			if now := h.getIndicator(t, ind.Id.String()); now.Level != int32(i+2) {
				t.Errorf("indicator %d at level %d after moving down, want %d", i, now.Level, i+2)
			}
		}
		resp = h.Patch(indicatorsPath+"/"+a.Id.String(), map[string]any{"parentId": nil}, matching(2))
		expect(t, resp, http.StatusOK, "")
		for i, ind := range []api.Indicator{a, b, c} {
			if now := h.getIndicator(t, ind.Id.String()); now.Level != int32(i+1) {
				t.Errorf("indicator %d at level %d after moving up, want %d", i, now.Level, i+1)
			}
		}
		// A move whose subtree would collide with another code is refused whole:
		// c would become a second level-4 "1".
		x := h.newIndicator(t, sid, indicatorBody("X", "10", &top, nil))
		y := h.newIndicator(t, sid, indicatorBody("Y", "10", &x, nil))
		h.newIndicator(t, sid, indicatorBody("1", "10", &y, nil))
		resp = h.Patch(indicatorsPath+"/"+a.Id.String(), map[string]any{"parentId": top.Id.String()}, matching(3))
		expect(t, resp, http.StatusConflict, "indicator_code_taken")
		if prob := resp.Problem(t); !strings.Contains(prob.Detail, "level-4") {
			t.Errorf("detail %q does not name level 4", prob.Detail)
		}
		// and b would become a second level-1 "1".
		expect(t, h.Patch(indicatorsPath+"/"+b.Id.String(), map[string]any{"parentId": nil}, matching(3)), http.StatusConflict, "indicator_code_taken")
		for i, ind := range []api.Indicator{a, b, c} {
			if now := h.getIndicator(t, ind.Id.String()); now.Level != int32(i+1) {
				t.Errorf("indicator %d at level %d after refused moves, want %d", i, now.Level, i+1)
			} else if now.Version != 3 {
				t.Errorf("indicator %d at version %d after refused moves, want 3", i, now.Version)
			}
		}
	})
}

func TestDeleteIndicator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := h.newSystem(t, tag(), nil)
		sid := s.Id.String()
		a := h.newIndicator(t, sid, indicatorBody("1", "100", nil, nil))
		b := h.newIndicator(t, sid, indicatorBody("1.1", "50", &a, map[string]any{"reportingUnitIds": []string{h.fx.town, h.fx.district}}))
		c := h.newIndicator(t, sid, indicatorBody("1.2", "50", &a, nil))
		aPath := indicatorsPath + "/" + a.Id.String()

		refused := h.Delete(aPath, matching(1))
		expect(t, refused, http.StatusConflict, "indicator_has_children")
		want := indicatorIDs(b, c)
		sort.Strings(want)
		if prob := refused.Problem(t); !slices.Equal(referrerIDs(prob, "indicator"), want) || len(prob.Referrers) != 2 {
			t.Errorf("referrers %+v, want the children %v", prob.Referrers, want)
		}
		expect(t, h.Delete(aPath, nil), 428, "if_match_required")
		expect(t, h.Delete(indicatorsPath+"/"+c.Id.String(), matching(2)), 412, "version_mismatch")
		expect(t, h.Delete(indicatorsPath+"/"+absentID, matching(1)), 404, "not_found")

		expect(t, h.Delete(indicatorsPath+"/"+c.Id.String(), matching(1)), 204, "")
		expect(t, h.Get(indicatorsPath+"/"+c.Id.String(), nil), 404, "not_found")
		expect(t, h.Delete(indicatorsPath+"/"+b.Id.String(), matching(1)), 204, "")
		expect(t, h.Delete(aPath, matching(1)), 204, "")
		if left := h.listIndicators(t, sid, nil, 50); len(left) != 0 {
			t.Errorf("%d indicators left", len(left))
		}
	})
}

func TestIndicatorTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := h.newSystem(t, tag(), nil)
		sid := s.Id.String()
		two := h.newIndicator(t, sid, indicatorBody("2", "30", nil, map[string]any{"sortOrder": 1}))
		one := h.newIndicator(t, sid, indicatorBody("1", "40", nil, map[string]any{"sortOrder": 1}))
		nine := h.newIndicator(t, sid, indicatorBody("9", "30", nil, map[string]any{"sortOrder": 0}))
		oneOne := h.newIndicator(t, sid, indicatorBody("1.1", "20", &one, map[string]any{"sortOrder": 5}))
		oneTwo := h.newIndicator(t, sid, indicatorBody("1.2", "20", &one, map[string]any{"sortOrder": 0}))
		leaf := h.newIndicator(t, sid, indicatorBody("3", "20", &oneOne, map[string]any{"reportingUnitIds": []string{h.fx.town, h.fx.district}}))
		leaf2 := h.newIndicator(t, sid, indicatorBody("10", "0", &oneOne, nil))

		tree := h.indicatorTree(t, sid)
		if tree.System.Id != s.Id || tree.System.Name != s.Name || tree.System.TotalPoints.String() != "100" {
			t.Errorf("tree system %+v", tree.System)
		}
		nodeIDs := func(ns []api.IndicatorNode) []string {
			out := make([]string, len(ns))
			for i, n := range ns {
				out[i] = n.Id.String()
			}
			return out
		}
		if got, want := nodeIDs(tree.Indicators), indicatorIDs(nine, one, two); !slices.Equal(got, want) {
			t.Fatalf("level 1 %v, want %v", got, want)
		}
		first := tree.Indicators[1]
		if got, want := nodeIDs(first.Children), indicatorIDs(oneTwo, oneOne); !slices.Equal(got, want) {
			t.Fatalf("children of 1: %v, want %v", got, want)
		}
		// "10" before "3": codes order as text.
		deep := first.Children[1]
		if got, want := nodeIDs(deep.Children), indicatorIDs(leaf2, leaf); !slices.Equal(got, want) {
			t.Fatalf("children of 1.1: %v, want %v", got, want)
		}
		n := deep.Children[1]
		wantUnits := []string{h.fx.district, h.fx.town}
		sort.Strings(wantUnits)
		if n.Level != 3 || n.ParentId == nil || *n.ParentId != oneOne.Id || n.Points.String() != "20" ||
			!slices.Equal(idStrings(n.ReportingUnitIds), wantUnits) || n.Children == nil || len(n.Children) != 0 {
			t.Errorf("leaf node %+v", n)
		}
		for _, leafNode := range []api.IndicatorNode{tree.Indicators[0], tree.Indicators[2], first.Children[0], deep.Children[0]} {
			if leafNode.Children == nil || len(leafNode.Children) != 0 || leafNode.ReportingUnitIds == nil {
				t.Errorf("leaf %s: children %v, reporting units %v", leafNode.Code, leafNode.Children, leafNode.ReportingUnitIds)
			}
		}

		empty := h.newSystem(t, tag(), nil)
		if et := h.indicatorTree(t, empty.Id.String()); et.Indicators == nil || len(et.Indicators) != 0 {
			t.Errorf("tree of an empty system: %+v", et.Indicators)
		}
		expect(t, h.Get(systemsPath+"/"+absentID+"/tree", nil), 404, "not_found")
	})
}

func TestPublishIndicatorSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		s := h.newSystem(t, p, nil)
		sid := s.Id.String()
		one := h.newIndicator(t, sid, indicatorBody("1", "60", nil, nil))
		h.newIndicator(t, sid, indicatorBody("1.1", "30", &one, nil))
		oneTwo := h.newIndicator(t, sid, indicatorBody("1.2", "20", &one, nil)) // 30 + 20 is not 60
		two := h.newIndicator(t, sid, indicatorBody("2", "30", nil, nil))
		twoOne := h.newIndicator(t, sid, indicatorBody("2.1", "10", &two, nil)) // 10 is not 30
		twoOneOne := h.newIndicator(t, sid, indicatorBody("1", "5", &twoOne, nil))
		// and 60 + 30 is not 100.

		path := systemsPath + "/" + sid + "/publish"
		resp := h.Post(path, nil, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_points_mismatch")
		want := []string{"/indicators/" + one.Id.String(), "/indicators/" + two.Id.String(), "/indicators/" + twoOne.Id.String(), "/totalPoints"}
		sort.Strings(want)
		if got := pointers(resp.Problem(t)); !slices.Equal(got, want) {
			t.Errorf("mismatches %v, want %v", got, want)
		}
		if now := h.getSystem(t, sid); now.Status != statusDraft || now.Version != 1 || now.PublishedAt != nil {
			t.Errorf("a refused publish wrote: %+v", now)
		}

		// A system without indicators has nothing to publish.
		empty := h.newSystem(t, p+"-empty", nil)
		resp = h.Post(systemsPath+"/"+empty.Id.String()+"/publish", nil, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_points_mismatch")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/indicators"}) {
			t.Errorf("empty system: %v", got)
		}

		// Fix the points, with any scale: 30 + 30.0 = 60, 10.000 = 10, 60 + 10 = 70.0.
		patch := func(ind api.Indicator, body map[string]any) {
			t.Helper()
			expect(t, h.Patch(indicatorsPath+"/"+ind.Id.String(), body, matching(ind.Version)), http.StatusOK, "")
		}
		patch(oneTwo, map[string]any{"points": "30.0"})
		patch(two, map[string]any{"points": "10"})
		patch(twoOneOne, map[string]any{"points": "10.000"})
		resp = h.Post(path, nil, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_points_mismatch")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/totalPoints"}) {
			t.Errorf("after fixing the indicators: %v", got)
		}
		expect(t, h.Patch(systemsPath+"/"+sid, map[string]any{"totalPoints": "70.0"}, matching(1)), http.StatusOK, "")

		resp = h.Post(path, nil, nil)
		expect(t, resp, http.StatusOK, "")
		var pub api.IndicatorSystem
		resp.JSON(t, &pub)
		if pub.Status != statusPublished || pub.PublishedAt == nil || pub.Version != 3 ||
			pub.TotalPoints.String() != "70.0" || pub.PublishedAt.Before(s.CreatedAt) {
			t.Errorf("published: %+v", pub)
		}
		if now := h.getSystem(t, sid); now.Status != statusPublished || now.PublishedAt == nil ||
			!now.PublishedAt.Equal(*pub.PublishedAt) || now.Version != 3 {
			t.Errorf("read after publishing: %+v", now)
		}
		expect(t, h.Post(path, nil, nil), http.StatusConflict, "indicator_system_not_draft")
		expect(t, h.Post(systemsPath+"/"+absentID+"/publish", nil, nil), 404, "not_found")

		// Frozen: its indicators and the system itself do not change.
		frozen := []*apitest.Response{
			h.Post(systemsPath+"/"+sid+"/indicators", indicatorBody("3", "1", nil, nil), nil),
			h.Post(systemsPath+"/"+sid+"/indicators", indicatorBody("1.3", "1", &one, nil), nil),
			h.Patch(indicatorsPath+"/"+one.Id.String(), map[string]any{"name": "x"}, matching(one.Version)),
			h.Patch(indicatorsPath+"/"+twoOneOne.Id.String(), map[string]any{"points": "1"}, matching(2)),
			h.Delete(indicatorsPath+"/"+twoOneOne.Id.String(), matching(2)),
			h.Patch(systemsPath+"/"+sid, map[string]any{"name": "x"}, matching(3)),
			h.Delete(systemsPath+"/"+sid, matching(3)),
		}
		for i, resp := range frozen {
			t.Run(fmt.Sprint("frozen ", i), func(t *testing.T) { expect(t, resp, http.StatusConflict, "indicator_system_not_draft") })
		}
		if n := len(h.listIndicators(t, sid, nil, 50)); n != 6 {
			t.Errorf("%d indicators in the published system, want 6", n)
		}
		if now := h.getIndicator(t, twoOneOne.Id.String()); now.Version != 2 || now.Points.String() != "10.000" {
			t.Errorf("an indicator of a published system changed: %+v", now)
		}
	})
}

func TestArchiveIndicatorSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		draft := h.newSystem(t, p, nil)
		expect(t, h.Post(systemsPath+"/"+draft.Id.String()+"/archive", nil, nil), http.StatusConflict, "indicator_system_not_published")
		if now := h.getSystem(t, draft.Id.String()); now.Status != statusDraft || now.Version != 1 {
			t.Errorf("a refused archive wrote: %+v", now)
		}

		pub, _ := h.publishedSystem(t, p+"-pub")
		resp := h.Post(systemsPath+"/"+pub.Id.String()+"/archive", nil, nil)
		expect(t, resp, http.StatusOK, "")
		var got api.IndicatorSystem
		resp.JSON(t, &got)
		if got.Status != statusArchived || got.Version != pub.Version+1 || got.PublishedAt == nil ||
			!got.PublishedAt.Equal(*pub.PublishedAt) {
			t.Errorf("archived: %+v", got)
		}
		expect(t, h.Post(systemsPath+"/"+pub.Id.String()+"/archive", nil, nil), http.StatusConflict, "indicator_system_not_published")
		expect(t, h.Post(systemsPath+"/"+pub.Id.String()+"/publish", nil, nil), http.StatusConflict, "indicator_system_not_draft")
		expect(t, h.Post(systemsPath+"/"+absentID+"/archive", nil, nil), 404, "not_found")
		// An archived system stays readable.
		if tree := h.indicatorTree(t, pub.Id.String()); tree.System.Status != statusArchived || len(tree.Indicators) != 2 {
			t.Errorf("archived tree: %+v", tree)
		}
	})
}

// flatten lists a tree's nodes depth first.
func flatten(ns []api.IndicatorNode) []api.IndicatorNode {
	var out []api.IndicatorNode
	for _, n := range ns {
		out = append(out, n)
		out = append(out, flatten(n.Children)...)
	}
	return out
}

func TestIndicatorSystemEdition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		old := h.newSystem(t, p, map[string]any{"totalPoints": "100.0"})
		oid := old.Id.String()
		one := h.newIndicator(t, oid, indicatorBody("1", "60", nil, map[string]any{"name": "依法全面履行政府職能",
			"content": "內容", "criteria": "標準", "measureUnit": "%", "leadUnitId": h.fx.district, "sortOrder": 2}))
		oneOne := h.newIndicator(t, oid, indicatorBody("1.1", "60.0", &one, map[string]any{"reportingUnitIds": []string{h.fx.district, h.fx.town},
			"valueType": "percent", "direction": "target", "aggregation": "average", "frequency": "month", "evidenceRequired": true}))
		h.newIndicator(t, oid, indicatorBody("1", "25.5", &oneOne, map[string]any{"reportingUnitIds": []string{h.fx.town}}))
		h.newIndicator(t, oid, indicatorBody("2", "34.50", &oneOne, nil))
		h.newIndicator(t, oid, indicatorBody("2", "40", nil, map[string]any{"sortOrder": 1}))
		h.publish(t, oid)
		oldSystem := h.getSystem(t, oid)
		before := h.indicatorTree(t, oid)

		resp := h.Post(systemsPath+"/"+oid+"/editions", map[string]any{"edition": "2023年版", "yearFrom": 2023, "yearTo": 2024}, nil)
		expect(t, resp, http.StatusCreated, "")
		var ed api.IndicatorSystem
		resp.JSON(t, &ed)
		if got, want := resp.Header.Get("Location"), systemsPath+"/"+ed.Id.String(); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if ed.Id == old.Id || ed.Status != statusDraft || ed.PreviousEditionId == nil || *ed.PreviousEditionId != old.Id ||
			ed.Name != old.Name || ed.Edition != "2023年版" || ed.YearFrom != 2023 || ed.YearTo != 2024 || ed.Version != 1 ||
			ed.PublishedAt != nil || ed.TotalPoints.String() != "100.0" || ed.IssuingUnitId != old.IssuingUnitId {
			t.Errorf("edition %+v", ed)
		}

		// The copy mirrors the tree with new ids, each remembering its source.
		after := h.indicatorTree(t, ed.Id.String())
		src, cp := flatten(before.Indicators), flatten(after.Indicators)
		if len(src) != 5 || len(cp) != len(src) {
			t.Fatalf("%d indicators copied from %d", len(cp), len(src))
		}
		newOf := map[api.Id]api.Id{}
		for i := range src {
			newOf[src[i].Id] = cp[i].Id
		}
		for i := range src {
			s, c := src[i], cp[i]
			if c.Id == s.Id || c.SourceIndicatorId == nil || *c.SourceIndicatorId != s.Id || c.SystemId != ed.Id {
				t.Errorf("copy %d: id %s source %v system %s (original %s)", i, c.Id, c.SourceIndicatorId, c.SystemId, s.Id)
			}
			if c.Code != s.Code || c.Name != s.Name || c.Points.String() != s.Points.String() || c.Level != s.Level ||
				strOf(c.Content) != strOf(s.Content) || strOf(c.Criteria) != strOf(s.Criteria) || strOf(c.MeasureUnit) != strOf(s.MeasureUnit) ||
				c.ValueType != s.ValueType || c.Direction != s.Direction || c.Aggregation != s.Aggregation || c.Frequency != s.Frequency ||
				c.EvidenceRequired != s.EvidenceRequired || c.SortOrder != s.SortOrder || c.Version != 1 ||
				!slices.Equal(idStrings(c.ReportingUnitIds), idStrings(s.ReportingUnitIds)) || len(c.Children) != len(s.Children) {
				t.Errorf("copy %d differs:\n got %+v\nfrom %+v", i, c, s)
			}
			if (c.LeadUnitId == nil) != (s.LeadUnitId == nil) || c.LeadUnitId != nil && *c.LeadUnitId != *s.LeadUnitId {
				t.Errorf("copy %d lead unit %v, original %v", i, c.LeadUnitId, s.LeadUnitId)
			}
			if (c.ParentId == nil) != (s.ParentId == nil) || c.ParentId != nil && *c.ParentId != newOf[*s.ParentId] {
				t.Errorf("copy %d parent %v, original parent %v (copied as %v)", i, c.ParentId, s.ParentId, newOf[*s.ParentId])
			}
		}
		// Tree order: 2 (sortOrder 1), then 1 (sortOrder 2) with 1.1 and its children.
		if cp[1].Code != "1" || cp[1].Points.String() != "60" || strOf(cp[1].Content) != "內容" || cp[2].Code != "1.1" ||
			cp[2].Points.String() != "60.0" || !slices.Equal(idStrings(cp[2].ReportingUnitIds), idStrings(oneOne.ReportingUnitIds)) ||
			len(cp[2].ReportingUnitIds) != 2 || cp[3].Points.String() != "25.5" || cp[4].Points.String() != "34.50" {
			t.Errorf("copies in tree order: %+v", cp)
		}

		// The old system is unchanged.
		if now := h.getSystem(t, oid); now.Version != oldSystem.Version || now.Status != statusPublished ||
			!now.UpdatedAt.Equal(oldSystem.UpdatedAt) {
			t.Errorf("old system after the new edition: %+v", now)
		}
		if again := h.indicatorTree(t, oid); string(mustJSON(t, again)) != string(mustJSON(t, before)) {
			t.Errorf("old tree changed:\n%s\n%s", mustJSON(t, before), mustJSON(t, again))
		}

		// The copy is a draft of its own: changing it leaves the original alone.
		expect(t, h.Patch(indicatorsPath+"/"+cp[1].Id.String(), map[string]any{"points": "59"}, matching(1)), http.StatusOK, "")
		if now := h.getIndicator(t, one.Id.String()); now.Points.String() != "60" || now.Version != 1 {
			t.Errorf("original changed with its copy: %+v", now)
		}

		// A new name; the edition of a draft; errors.
		resp = h.Post(systemsPath+"/"+ed.Id.String()+"/editions", map[string]any{"name": "新名稱 " + p, "edition": "2024年版", "yearFrom": 2024, "yearTo": 2024}, nil)
		expect(t, resp, http.StatusCreated, "")
		var third api.IndicatorSystem
		resp.JSON(t, &third)
		if third.Name != "新名稱 "+p || third.PreviousEditionId == nil || *third.PreviousEditionId != ed.Id {
			t.Errorf("third edition %+v", third)
		}
		expect(t, h.Post(systemsPath+"/"+absentID+"/editions", map[string]any{"edition": "x", "yearFrom": 2023, "yearTo": 2023}, nil), 404, "not_found")
		resp = h.Post(systemsPath+"/"+oid+"/editions", map[string]any{"edition": "x", "yearFrom": 2023, "yearTo": 2022}, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_system_invalid")
		if prob := resp.Problem(t); !hasPointer(prob, "/yearTo") {
			t.Errorf("errors %+v", prob.Errors)
		}
		expect(t, h.Post(systemsPath+"/"+oid+"/editions", map[string]any{"yearFrom": 2023, "yearTo": 2023}, nil), 400, "invalid_request")
		if n := len(h.listSystems(t, url.Values{"q": {p}}, 50)); n != 3 {
			t.Errorf("%d systems named %s, want 3", n, p)
		}
	})
}

func TestUnitReferredByIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p, city := tag(), areaCode()
		issuer := h.createUnit(t, map[string]any{"code": city + "-i", "name": "盤錦市司法局", "kind": "department", "parentId": h.fx.city})
		lead := h.createUnit(t, map[string]any{"code": city + "-l", "name": "盤錦市公安局", "kind": "department", "parentId": h.fx.city})
		reporting := h.createUnit(t, map[string]any{"code": city + "-r", "name": "盤錦市財政局", "kind": "department", "parentId": h.fx.city})
		s := h.newSystem(t, p, map[string]any{"issuingUnitId": issuer.Id.String()})
		one := h.newIndicator(t, s.Id.String(), indicatorBody("1", "100", nil, map[string]any{"leadUnitId": lead.Id.String()}))
		oneOne := h.newIndicator(t, s.Id.String(), indicatorBody("1.1", "100", &one, map[string]any{"reportingUnitIds": []string{reporting.Id.String()}}))

		for _, tt := range []struct {
			unit api.Unit
			typ  string
			id   string
		}{
			{issuer, "indicator_system", s.Id.String()},
			{lead, "indicator", one.Id.String()},
			{reporting, "indicator", oneOne.Id.String()},
		} {
			resp := h.Delete(unitsPath+"/"+tt.unit.Id.String(), map[string]string{"If-Match": etagOf(tt.unit)})
			expect(t, resp, http.StatusConflict, "unit_has_referrers")
			if prob := resp.Problem(t); !slices.Equal(referrerIDs(prob, tt.typ), []string{tt.id}) {
				t.Errorf("unit %s: referrers %+v, want %s %s", tt.unit.Name, prob.Referrers, tt.typ, tt.id)
			}
		}

		// Once the draft is gone the units go too.
		expect(t, h.Delete(systemsPath+"/"+s.Id.String(), matching(1)), 204, "")
		for _, u := range []api.Unit{issuer, lead, reporting} {
			expect(t, h.Delete(unitsPath+"/"+u.Id.String(), map[string]string{"If-Match": etagOf(u)}), 204, "")
		}
	})
}

func TestAuditOfIndicatorWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		rid := requestIDs{"req-" + p}
		admin := h.fx.users["admin"]
		snap := func(s *api.AuditSnapshot, key string) any {
			if s == nil {
				return nil
			}
			return (*s)[key]
		}

		// A system's life: created, changed, published, archived, a new edition.
		resp := h.Post(systemsPath, map[string]any{"name": "審計指標 " + p, "issuingUnitId": h.fx.city, "edition": "2022年版",
			"yearFrom": 2022, "yearTo": 2022, "totalPoints": "100.0"}, rid.header("create", nil))
		expect(t, resp, http.StatusCreated, "")
		var s api.IndicatorSystem
		resp.JSON(t, &s)
		sid := s.Id.String()
		expect(t, h.Patch(systemsPath+"/"+sid, map[string]any{"totalPoints": "60.00"}, rid.header("update", matching(1))), 200, "")
		expect(t, h.Patch(systemsPath+"/"+sid, map[string]any{"totalPoints": "1"}, rid.header("stale", matching(1))), 412, "version_mismatch")

		resp = h.Post(systemsPath+"/"+sid+"/indicators", indicatorBody("1", "60", nil, map[string]any{"reportingUnitIds": []string{h.fx.town}}),
			rid.header("ind-create", nil))
		expect(t, resp, http.StatusCreated, "")
		var ind api.Indicator
		resp.JSON(t, &ind)
		iid := ind.Id.String()
		expect(t, h.Patch(indicatorsPath+"/"+iid, map[string]any{"points": "60.0", "content": "內容"}, rid.header("ind-update", matching(1))), 200, "")
		leaf := h.newIndicator(t, sid, indicatorBody("1.1", "60", &ind, map[string]any{"reportingUnitIds": []string{h.fx.district}}))
		expect(t, h.Delete(indicatorsPath+"/"+leaf.Id.String(), rid.header("ind-delete", matching(1))), 204, "")
		expect(t, h.Post(systemsPath+"/"+sid+"/publish", nil, rid.header("publish", nil)), 200, "")
		expect(t, h.Post(systemsPath+"/"+sid+"/publish", nil, rid.header("publish-again", nil)), 409, "indicator_system_not_draft")
		resp = h.Post(systemsPath+"/"+sid+"/editions", map[string]any{"edition": "2023年版", "yearFrom": 2023, "yearTo": 2023}, rid.header("edition", nil))
		expect(t, resp, http.StatusCreated, "")
		var ed api.IndicatorSystem
		resp.JSON(t, &ed)
		expect(t, h.Post(systemsPath+"/"+sid+"/archive", nil, rid.header("archive", nil)), 200, "")
		expect(t, h.Delete(systemsPath+"/"+ed.Id.String(), rid.header("delete", matching(1))), 204, "")

		events := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator_system"}, "entityId": {sid}})
		wantOps := []string{"createIndicatorSystem", "updateIndicatorSystem", "publishIndicatorSystem", "archiveIndicatorSystem"}
		if got := auditOps(events); !slices.Equal(got, wantOps) {
			t.Fatalf("system events %v, want %v", got, wantOps)
		}
		for i, e := range events {
			want := rid.id([]string{"create", "update", "publish", "archive"}[i])
			if strOf(e.RequestId) != want || e.ActorType != api.AuditEventActorTypeUser || strOf(e.ActorId) != admin.ID ||
				e.EntityType != "indicator_system" || strOf(e.EntityId) != sid {
				t.Errorf("event %d (%s): %+v", i, e.Operation, e)
			}
		}
		create, update, publish, archive := events[0], events[1], events[2], events[3]
		if create.Before != nil || snap(create.After, "name") != "審計指標 "+p || snap(create.After, "totalPoints") != "100.0" ||
			snap(create.After, "status") != "draft" || snap(create.After, "version") != float64(1) || snap(create.After, "issuingUnitId") != h.fx.city {
			t.Errorf("create before %v after %v", create.Before, create.After)
		}
		if snap(update.Before, "totalPoints") != "100.0" || snap(update.After, "totalPoints") != "60.00" ||
			snap(update.Before, "version") != float64(1) || snap(update.After, "version") != float64(2) {
			t.Errorf("update before %v after %v", update.Before, update.After)
		}
		if snap(publish.Before, "status") != "draft" || snap(publish.After, "status") != "published" ||
			snap(publish.Before, "publishedAt") != nil || snap(publish.After, "publishedAt") == nil {
			t.Errorf("publish before %v after %v", publish.Before, publish.After)
		}
		if snap(archive.Before, "status") != "published" || snap(archive.After, "status") != "archived" {
			t.Errorf("archive before %v after %v", archive.Before, archive.After)
		}
		for _, e := range events {
			for _, sn := range []*api.AuditSnapshot{e.Before, e.After} {
				if sn != nil && ((*sn)["searchText"] != nil || (*sn)["SearchText"] != nil || (*sn)["Name"] != nil) {
					t.Errorf("%s snapshot is not in the API's terms: %v", e.Operation, *sn)
				}
			}
		}

		edEvents := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator_system"}, "entityId": {ed.Id.String()}})
		if got := auditOps(edEvents); !slices.Equal(got, []string{"createIndicatorSystemEdition", "deleteIndicatorSystem"}) {
			t.Fatalf("edition events %v", got)
		}
		if edEvents[0].Before != nil || snap(edEvents[0].After, "previousEditionId") != sid || strOf(edEvents[0].RequestId) != rid.id("edition") ||
			snap(edEvents[1].Before, "edition") != "2023年版" || edEvents[1].After != nil || strOf(edEvents[1].RequestId) != rid.id("delete") {
			t.Errorf("edition events %+v", edEvents)
		}

		indEvents := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator"}, "entityId": {iid}})
		if got := auditOps(indEvents); !slices.Equal(got, []string{"createIndicator", "updateIndicator"}) {
			t.Fatalf("indicator events %v", got)
		}
		ic, iu := indEvents[0], indEvents[1]
		if ic.Before != nil || snap(ic.After, "code") != "1" || snap(ic.After, "points") != "60" || snap(ic.After, "systemId") != sid ||
			fmt.Sprint(snap(ic.After, "reportingUnitIds")) != fmt.Sprint([]any{h.fx.town}) || strOf(ic.RequestId) != rid.id("ind-create") {
			t.Errorf("createIndicator %+v", ic)
		}
		if snap(iu.Before, "points") != "60" || snap(iu.After, "points") != "60.0" || snap(iu.Before, "content") != nil ||
			snap(iu.After, "content") != "內容" || snap(iu.After, "version") != float64(2) || strOf(iu.RequestId) != rid.id("ind-update") {
			t.Errorf("updateIndicator before %v after %v", iu.Before, iu.After)
		}
		leafEvents := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator"}, "entityId": {leaf.Id.String()}})
		if got := auditOps(leafEvents); !slices.Equal(got, []string{"createIndicator", "deleteIndicator"}) {
			t.Fatalf("leaf events %v", got)
		}
		if d := leafEvents[1]; d.After != nil || snap(d.Before, "code") != "1.1" || snap(d.Before, "parentId") != iid ||
			fmt.Sprint(snap(d.Before, "reportingUnitIds")) != fmt.Sprint([]any{h.fx.district}) {
			t.Errorf("deleteIndicator %+v", d)
		}

		// Refused writes leave no trace.
		for _, kind := range []string{"indicator_system", "indicator"} {
			for _, e := range h.auditEvents(t, "admin", url.Values{"entityType": {kind}, "sort": {"-seq"}, "limit": {"50"}}) {
				if id := strOf(e.RequestId); id == rid.id("stale") || id == rid.id("publish-again") {
					t.Errorf("refused request %s left an event: %+v", id, e)
				}
			}
		}
	})
}

// TestCreateIndicatorSystemWhileItsKeyRuns: a repeat of a creation whose
// Idempotency-Key is still held by the first request is a 409.
func TestCreateIndicatorSystemWhileItsKeyRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		body := map[string]any{"name": "進行中的指標體系 " + tag(), "issuingUnitId": h.fx.city, "edition": "2022年版",
			"yearFrom": 2022, "yearTo": 2022, "totalPoints": "100"}
		key := "running-" + tag()
		// Claim the key as the first request would while it runs.
		if _, err := db.ClaimIdempotencyKey(t.Context(), "user:"+h.fx.users["admin"].ID, key,
			server.RequestHash(http.MethodPost, systemsPath, mustJSON(t, body)), server.IdempotencyTTL); err != nil {
			t.Fatal(err)
		}
		expect(t, h.Post(systemsPath, body, map[string]string{"Idempotency-Key": key}), http.StatusConflict, "idempotency_request_running")
	})
}
