package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

func TestIndicatorRollup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		ctx := t.Context()
		p := tag()
		s := h.newSystem(t, p, map[string]any{"yearFrom": 2021, "yearTo": 2021, "totalPoints": "10"})
		sum := h.newIndicator(t, s.Id.String(), indicatorBody("1", "5", nil, map[string]any{"aggregation": "sum"}))
		avg := h.newIndicator(t, s.Id.String(), indicatorBody("2", "5", nil, map[string]any{"aggregation": "average", "valueType": "percent"}))
		h.publish(t, s.Id.String())

		// city ─ district ─ town (fixtures), town2 (new)
		//      ─ district2 (new, reports itself)
		town2 := h.createUnit(t, map[string]any{"code": townCode(), "name": "新街道", "kind": "town", "parentId": h.fx.district})
		district2 := h.createUnit(t, map[string]any{"code": areaCode(), "name": "新区", "kind": "district", "parentId": h.fx.city})
		approved := func(ind api.Indicator, unitID, value string, status models.ValueStatus) {
			t.Helper()
			v := exact.MustParse(value)
			if err := db.CreateValues(ctx, []*models.IndicatorValue{{IndicatorID: ind.Id.String(), SystemID: s.Id.String(),
				UnitID: unitID, Period: "2021", Year: 2021, Value: &v, Qualifier: "exact", Status: status}}); err != nil {
				t.Fatal(err)
			}
		}
		approved(sum, h.fx.town, "10", models.ValueApproved)
		approved(sum, town2.Id.String(), "20.5", models.ValueApproved)
		approved(sum, district2.Id.String(), "7", models.ValueLocked)
		approved(sum, h.fx.city, "99", models.ValueDraft) // the city's own, not yet approved
		approved(avg, h.fx.town, "50", models.ValueApproved)
		approved(avg, town2.Id.String(), "60.5", models.ValueSubmitted) // not approved: does not count
		approved(avg, district2.Id.String(), "70", models.ValueApproved)

		rollup := func(who string, ind api.Indicator, unitID string) (*api.Rollup, int) {
			t.Helper()
			q := url.Values{"indicatorId": {ind.Id.String()}, "unitId": {unitID}, "period": {"2021"}}
			resp := h.Get("/api/v1/indicator-values/rollup?"+q.Encode(), h.as(who))
			if resp.Status != http.StatusOK {
				return nil, resp.Status
			}
			var r api.Rollup
			resp.JSON(t, &r)
			return &r, resp.Status
		}
		r, _ := rollup("admin", sum, h.fx.city)
		if r == nil || r.RolledUp == nil || r.RolledUp.String() != "37.5" || r.ContributingUnits != 2 || r.Reports != 3 {
			t.Fatalf("sum for the city: %+v", r)
		}
		if r.Own == nil || r.Own.Value.String() != "99" || r.Own.Status != "draft" {
			t.Errorf("the city's own value beside the roll-up: %+v", r.Own)
		}
		r, _ = rollup("admin", avg, h.fx.city)
		// district = town's 50 alone (town2 is only submitted); city = mean(50, 70), two decimals more than the reports.
		if r == nil || r.RolledUp == nil || r.RolledUp.String() != "60.00" || r.Reports != 2 || r.Own != nil {
			t.Errorf("average for the city: %+v", r)
		}
		r, _ = rollup("reviewer", sum, h.fx.district)
		if r == nil || r.RolledUp == nil || r.RolledUp.String() != "30.5" || r.ContributingUnits != 2 {
			t.Errorf("sum for the district, as its reviewer: %+v", r)
		}
		if _, status := rollup("reviewer", sum, h.fx.city); status != http.StatusNotFound {
			t.Errorf("the reviewer rolled up the city above it: %d, want 404", status)
		}
		r, _ = rollup("key:read", sum, h.fx.city)
		if r == nil || r.Own != nil || r.RolledUp.String() != "37.5" {
			t.Errorf("a read key sees the city's draft, or no roll-up: %+v", r)
		}
		r, _ = rollup("admin", sum, h.fx.other)
		if r == nil || r.RolledUp != nil || r.Reports != 0 {
			t.Errorf("a unit with nothing below reported: %+v", r)
		}

		q := url.Values{"indicatorId": {"0190a000-0000-7000-8000-00000000ffff"}, "unitId": {h.fx.city}, "period": {"2021"}}
		expect(t, h.Get("/api/v1/indicator-values/rollup?"+q.Encode(), nil), http.StatusNotFound, "not_found")
		q = url.Values{"indicatorId": {sum.Id.String()}, "unitId": {"0190a000-0000-7000-8000-00000000ffff"}, "period": {"2021"}}
		expect(t, h.Get("/api/v1/indicator-values/rollup?"+q.Encode(), nil), http.StatusNotFound, "not_found")
		expect(t, h.Get("/api/v1/indicator-values/rollup?indicatorId="+sum.Id.String(), nil), http.StatusBadRequest, "invalid_request")
	})
}

func TestIndicatorValueHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2021, "totalPoints": "10"})
		ind := h.newIndicator(t, s.Id.String(), indicatorBody("1", "10", nil, nil))
		h.publish(t, s.Id.String())
		resp := h.Post("/api/v1/indicator-values", map[string]any{"indicatorId": ind.Id.String(), "unitId": h.fx.town,
			"period": "2021", "value": "12"}, h.as("reporter"))
		expect(t, resp, http.StatusCreated, "")
		var v api.IndicatorValue
		resp.JSON(t, &v)
		path := "/api/v1/indicator-values/" + v.Id.String()
		expect(t, h.Patch(path, map[string]any{"value": "13"}, map[string]string{"If-Match": `"1"`, "Authorization": h.as("reporter")["Authorization"]}), http.StatusOK, "")
		expect(t, h.Post(path+"/submit", nil, h.as("reporter")), http.StatusOK, "")
		expect(t, h.Post(path+"/return", map[string]any{"reason": "口径不符"}, h.as("reviewer")), http.StatusOK, "")

		var page api.AuditEventPage
		resp = h.Get(path+"/history?limit=3", h.as("viewer"))
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &page)
		if len(page.Items) != 3 || page.NextCursor == nil {
			t.Fatalf("first page of the history: %+v", page)
		}
		var rest api.AuditEventPage
		h.Get(path+"/history?limit=3&cursor="+*page.NextCursor, h.as("viewer")).JSON(t, &rest)
		var ops []string
		for _, e := range append(page.Items, rest.Items...) {
			ops = append(ops, e.Operation)
		}
		want := []string{"createIndicatorValue", "updateIndicatorValue", "submitIndicatorValue", "returnIndicatorValue"}
		if len(ops) != len(want) {
			t.Fatalf("history %v, want %v", ops, want)
		}
		for i := range want {
			if ops[i] != want[i] {
				t.Errorf("history %v, want %v", ops, want)
				break
			}
		}
		// A read key sees published values only: this one is returned, so it has no history for the key.
		expect(t, h.Get(path+"/history", h.as("key:read")), http.StatusNotFound, "not_found")
		expect(t, h.Get("/api/v1/indicator-values/0190a000-0000-7000-8000-00000000ffff/history", nil), http.StatusNotFound, "not_found")
	})
}
