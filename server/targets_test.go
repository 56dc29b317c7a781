package server_test

import (
	"net/http"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

func (h *harness) newTarget(t *testing.T, indicatorID string, body map[string]any) api.Target {
	t.Helper()
	resp := h.Post("/api/v1/indicators/"+indicatorID+"/targets", body, nil)
	expect(t, resp, http.StatusCreated, "")
	var tg api.Target
	resp.JSON(t, &tg)
	if got, want := resp.Header.Get("Location"), "/api/v1/targets/"+tg.Id.String(); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	return tg
}

func TestTargets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s := h.newSystem(t, tag(), nil)
		ind := h.newIndicator(t, s.Id.String(), indicatorBody("1", "100", nil, nil))
		path := "/api/v1/indicators/" + ind.Id.String() + "/targets"

		def := h.newTarget(t, ind.Id.String(), map[string]any{"year": 2022, "comparator": "gte", "value": "50.0", "sample": true, "note": "示例"})
		if def.Value.String() != "50.0" || def.UnitId != nil || !def.Sample || def.Version != 1 {
			t.Errorf("default target: %+v", def)
		}
		forDistrict := h.newTarget(t, ind.Id.String(), map[string]any{"year": 2022, "unitId": h.fx.district, "comparator": "between", "value": "60", "valueTo": "80"})
		h.newTarget(t, ind.Id.String(), map[string]any{"year": 2021, "comparator": "lte", "value": "60"})

		// 409: one target per indicator, year and unit (the default counts as one).
		expect(t, h.Post(path, map[string]any{"year": 2022, "comparator": "eq", "value": "1"}, nil), http.StatusConflict, "target_exists")
		expect(t, h.Post(path, map[string]any{"year": 2022, "unitId": h.fx.district, "comparator": "eq", "value": "1"}, nil), http.StatusConflict, "target_exists")
		// 422: ranges and references.
		for name, body := range map[string]map[string]any{
			"between without valueTo": {"year": 2023, "comparator": "between", "value": "1"},
			"valueTo below value":     {"year": 2023, "comparator": "between", "value": "5", "valueTo": "4"},
			"valueTo without between": {"year": 2023, "comparator": "gte", "value": "5", "valueTo": "6"},
			"unknown unit":            {"year": 2023, "unitId": "0190a000-0000-7000-8000-00000000ffff", "comparator": "gte", "value": "5"},
		} {
			if resp := h.Post(path, body, nil); resp.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, body %s", name, resp.Status, resp.Body)
			}
		}
		expect(t, h.Post("/api/v1/indicators/0190a000-0000-7000-8000-00000000ffff/targets",
			map[string]any{"year": 2023, "comparator": "gte", "value": "5"}, nil), http.StatusNotFound, "not_found")

		// List: by year, the default first; filters; paging.
		var page api.TargetPage
		resp := h.Get(path+"?limit=2", nil)
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &page)
		if len(page.Items) != 2 || page.Items[0].Year != 2021 || page.Items[1].Id != def.Id || page.NextCursor == nil {
			t.Fatalf("first page: %+v", page)
		}
		var rest api.TargetPage
		h.Get(path+"?limit=2&cursor="+*page.NextCursor, nil).JSON(t, &rest)
		if len(rest.Items) != 1 || rest.Items[0].Id != forDistrict.Id || rest.NextCursor != nil {
			t.Errorf("second page: %+v", rest)
		}
		h.Get(path+"?year=2022&unitId="+h.fx.district, nil).JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Id != forDistrict.Id {
			t.Errorf("filtered: %+v", page.Items)
		}
		expect(t, h.Get("/api/v1/indicators/0190a000-0000-7000-8000-00000000ffff/targets", nil), http.StatusNotFound, "not_found")

		// Get, update, delete.
		one := "/api/v1/targets/" + forDistrict.Id.String()
		resp = h.Get(one, nil)
		expect(t, resp, http.StatusOK, "")
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		expect(t, h.Get("/api/v1/targets/0190a000-0000-7000-8000-00000000ffff", nil), http.StatusNotFound, "not_found")
		resp = h.Patch(one, map[string]any{"comparator": "gte", "valueTo": nil, "note": "调整"}, matching(1))
		expect(t, resp, http.StatusOK, "")
		var changed api.Target
		resp.JSON(t, &changed)
		if changed.Comparator != "gte" || changed.ValueTo != nil || changed.Note == nil || changed.Version != 2 {
			t.Errorf("after patch: %+v", changed)
		}
		expect(t, h.Patch(one, map[string]any{"value": "1"}, matching(1)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Patch(one, map[string]any{"value": "1"}, nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Patch(one, map[string]any{"comparator": "between"}, matching(2)), http.StatusUnprocessableEntity, "target_invalid")
		expect(t, h.Patch("/api/v1/targets/0190a000-0000-7000-8000-00000000ffff", map[string]any{"value": "1"}, matching(1)), http.StatusNotFound, "not_found")

		// An indicator with targets is not deleted silently with them.
		refused := h.Delete("/api/v1/indicators/"+ind.Id.String(), matching(ind.Version))
		expect(t, refused, http.StatusConflict, "indicator_has_targets")
		// Nor is a draft system whose indicators have targets.
		sys := h.getSystem(t, s.Id.String())
		expect(t, h.Delete(systemsPath+"/"+s.Id.String(), matching(sys.Version)), http.StatusConflict, "indicator_system_has_targets")
		expect(t, h.Get("/api/v1/indicators/"+ind.Id.String(), nil), http.StatusOK, "")

		expect(t, h.Delete(one, matching(1)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Delete(one, nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Delete("/api/v1/targets/0190a000-0000-7000-8000-00000000ffff", matching(1)), http.StatusNotFound, "not_found")
		expect(t, h.Delete(one, matching(2)), http.StatusNoContent, "")
		expect(t, h.Get(one, nil), http.StatusNotFound, "not_found")

		// Every write is in the audit log, in the contract's field names.
		var events struct {
			Items []struct {
				Operation string         `json:"operation"`
				Before    map[string]any `json:"before"`
				After     map[string]any `json:"after"`
			} `json:"items"`
		}
		h.Get("/api/v1/audit-events?entityType=target&entityId="+forDistrict.Id.String(), nil).JSON(t, &events)
		if len(events.Items) != 3 || events.Items[0].Operation != "createTarget" || events.Items[1].After["comparator"] != "gte" ||
			events.Items[2].Operation != "deleteTarget" || events.Items[2].Before["unitId"] != h.fx.district {
			t.Errorf("audit events: %+v", events.Items)
		}
	})
}
