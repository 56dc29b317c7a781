package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func TestBulkSubmitAndApprove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		ctx := t.Context()
		p := tag()
		s := h.newSystem(t, p, map[string]any{"yearFrom": 2021, "yearTo": 2021, "totalPoints": "10"})
		a := h.newIndicator(t, s.Id.String(), indicatorBody("1", "5", nil, nil))
		b := h.newIndicator(t, s.Id.String(), indicatorBody("2", "5", nil, nil))
		h.publish(t, s.Id.String())
		village := h.createUnit(t, map[string]any{"code": villageCode(), "name": "某村", "kind": "village", "parentId": h.fx.town})
		value := func(ind api.Indicator, unitID string, status models.ValueStatus, by *string) string {
			t.Helper()
			x := exact.MustParse("1")
			v := &models.IndicatorValue{IndicatorID: ind.Id.String(), SystemID: s.Id.String(), UnitID: unitID, Period: "2021",
				Year: 2021, Value: &x, Qualifier: "exact", Status: status, SubmittedBy: by}
			if err := db.CreateValues(ctx, []*models.IndicatorValue{v}); err != nil {
				t.Fatal(err)
			}
			return v.ID
		}
		townA := value(a, h.fx.town, models.ValueDraft, nil)
		townB := value(b, h.fx.town, models.ValueReturned, nil)
		villageA := value(a, village.Id.String(), models.ValueDraft, nil)
		status := func(id string) string {
			t.Helper()
			var v api.IndicatorValue
			h.Get("/api/v1/indicator-values/"+id, nil).JSON(t, &v)
			return string(v.Status)
		}

		// The reporter's filter reaches the village below its town, which it may not submit: nothing moves.
		filter := map[string]any{"systemId": s.Id.String(), "period": "2021"}
		refused := h.Post("/api/v1/indicator-values/bulk-submit", filter, h.as("reporter"))
		expect(t, refused, http.StatusConflict, "bulk_refused")
		if prob := refused.Problem(t); len(prob.Errors) != 1 || prob.Errors[0].Pointer != "/values/"+villageA {
			t.Errorf("refusal names %+v, want the village's value", prob.Errors)
		}
		if status(townA) != "draft" || status(townB) != "returned" {
			t.Errorf("a refused bulk submit changed values")
		}
		// Narrowed to its own unit, the reporter submits both of its values at once.
		resp := h.Post("/api/v1/indicator-values/bulk-submit", map[string]any{"systemId": s.Id.String(), "unitId": h.fx.town}, h.as("reporter"))
		expect(t, resp, http.StatusOK, "")
		var res api.BulkResult
		resp.JSON(t, &res)
		if res.Count != 2 || len(res.Items) != 2 || res.Items[0].Status != "submitted" {
			t.Errorf("bulk submit: %+v", res)
		}
		if status(villageA) != "draft" {
			t.Errorf("the village's value moved with a filter on the town")
		}

		// A reviewer approves what it did not submit; a value it submitted itself stops the batch.
		reviewerRef := "user:" + h.fx.users["reviewer"].ID
		own := value(a, h.fx.district, models.ValueSubmitted, &reviewerRef)
		refused = h.Post("/api/v1/indicator-values/bulk-approve", filter, h.as("reviewer"))
		expect(t, refused, http.StatusConflict, "bulk_refused")
		if prob := refused.Problem(t); len(prob.Errors) != 1 || prob.Errors[0].Pointer != "/values/"+own {
			t.Errorf("refusal names %+v, want the reviewer's own submission", prob.Errors)
		}
		resp = h.Post("/api/v1/indicator-values/bulk-approve", map[string]any{"systemId": s.Id.String(), "unitId": h.fx.town,
			"indicatorIds": []string{a.Id.String(), b.Id.String()}}, h.as("reviewer"))
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &res)
		if res.Count != 2 || status(townA) != "approved" || status(townB) != "approved" || status(own) != "submitted" {
			t.Errorf("bulk approve: %+v", res)
		}
		// Nothing left to approve is an empty batch, not an error.
		resp = h.Post("/api/v1/indicator-values/bulk-approve", map[string]any{"systemId": s.Id.String(), "unitId": h.fx.town}, h.as("admin"))
		expect(t, resp, http.StatusOK, "")
		resp.JSON(t, &res)
		if res.Count != 0 || len(res.Items) != 0 {
			t.Errorf("empty batch: %+v", res)
		}

		// More than a batch may hold is refused before anything moves.
		root := &models.Unit{ID: store.NewID(), Code: areaCode(), Name: "多", Kind: models.UnitCity, Level: 1}
		root.Path = models.UnitPath("", root.ID)
		units := []*models.Unit{root}
		var values []*models.IndicatorValue
		one := exact.MustParse("1")
		for i := 0; i <= store.MaxBulk; i++ {
			u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s%06d", root.Code, i), Name: "村", Kind: models.UnitVillage, ParentID: &root.ID, Level: 2}
			u.Path = models.UnitPath(root.Path, u.ID)
			units = append(units, u)
			values = append(values, &models.IndicatorValue{IndicatorID: a.Id.String(), SystemID: s.Id.String(), UnitID: u.ID,
				Period: "2021", Year: 2021, Value: &one, Qualifier: "exact", Status: models.ValueDraft},
				&models.IndicatorValue{IndicatorID: b.Id.String(), SystemID: s.Id.String(), UnitID: u.ID,
					Period: "2021", Year: 2021, Value: &one, Qualifier: "exact", Status: models.ValueSubmitted})
		}
		if err := db.CreateUnits(ctx, units); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateValues(ctx, values); err != nil {
			t.Fatal(err)
		}
		expect(t, h.Post("/api/v1/indicator-values/bulk-submit", map[string]any{"systemId": s.Id.String(),
			"indicatorIds": []string{a.Id.String()}}, h.as("admin")), http.StatusUnprocessableEntity, "bulk_too_large")
		expect(t, h.Post("/api/v1/indicator-values/bulk-approve", map[string]any{"systemId": s.Id.String(),
			"indicatorIds": []string{b.Id.String()}}, h.as("admin")), http.StatusUnprocessableEntity, "bulk_too_large")
		if status(values[0].ID) != "draft" || status(values[1].ID) != "submitted" {
			t.Errorf("a refused batch changed values")
		}
	})
}
