package server_test

// The working-day calendar through HTTP: the years it has, a year's
// schedule, a year entered by an administrator and replaced under
// If-Match, and deadlines counted in working days, refused past the
// schedules.

import (
	"net/http"
	"slices"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

const calendarPath = "/api/v1/working-calendar"

func dueDate(t *testing.T, h *harness, from string, days string, who map[string]string, status int, code string) string {
	t.Helper()
	resp := h.Get("/api/v1/working-days/due-date?from="+from+"&workingDays="+days, who)
	expect(t, resp, status, code)
	var d api.DueDate
	if status == http.StatusOK {
		resp.JSON(t, &d)
	}
	return d.DueDate.String()
}

func TestWorkingCalendar(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		key, admin := h.as("key:read"), h.as("admin")
		put := func(year string, days []map[string]any, header map[string]string) *apitest.Response {
			return h.Do(apitest.Request{Method: http.MethodPut, Path: calendarPath + "/" + year, Body: map[string]any{"days": days}, Header: header})
		}

		t.Run("statutory", func(t *testing.T) {
			years, _ := getOK[api.CalendarYears](t, h, calendarPath, key)
			var statutory []int32
			for _, y := range years.Years {
				if y.Source == "statutory" {
					statutory = append(statutory, y.Year)
				}
			}
			if !slices.Contains(statutory, 2021) || !slices.Contains(statutory, 2027) {
				t.Errorf("statutory years %v", statutory)
			}
			y, resp := getOK[api.CalendarYear](t, h, calendarPath+"/2024", key)
			if y.Source != "statutory" || y.Version != nil || resp.Header.Get("ETag") != "" {
				t.Errorf("2024: %+v", y)
			}
			var worked []string
			for _, d := range y.Days {
				if d.Work {
					worked = append(worked, d.Date.String())
				}
			}
			if !slices.Contains(worked, "2024-02-04") || !slices.Contains(worked, "2024-10-12") {
				t.Errorf("2024's weekend days worked %v", worked)
			}
			expect(t, h.Get(calendarPath+"/2098", key), http.StatusNotFound, "not_found")
		})

		t.Run("due dates", func(t *testing.T) {
			for _, c := range []struct{ from, days, want string }{
				{"2024-02-08", "1", "2024-02-09"},
				{"2024-02-08", "2", "2024-02-18"},
				{"2024-09-27", "3", "2024-10-08"},
			} {
				if got := dueDate(t, h, c.from, c.days, key, http.StatusOK, ""); got != c.want {
					t.Errorf("%s + %s working days = %s, want %s", c.from, c.days, got, c.want)
				}
			}
			resp := h.Get("/api/v1/working-days/due-date?from=2097-12-28&workingDays=10", nil)
			expect(t, resp, http.StatusUnprocessableEntity, "calendar_year_missing")
			expect(t, h.Get("/api/v1/working-days/due-date?from=2024-02-08&workingDays=0", nil), http.StatusBadRequest, "invalid_request")
		})

		t.Run("entered", func(t *testing.T) {
			newYear := []map[string]any{
				{"date": "2098-01-01", "name": "元旦节", "work": false},
				{"date": "2098-01-04", "name": "元旦节", "work": true},
			}
			bad := []map[string]any{{"date": "2097-12-31", "name": "元旦节", "work": false}}
			expect(t, put("2098", bad, admin), http.StatusUnprocessableEntity, "calendar_invalid")
			twice := append(slices.Clone(newYear), newYear[0])
			expect(t, put("2098", twice, admin), http.StatusUnprocessableEntity, "calendar_invalid")
			expect(t, put("2098", newYear, with(admin, matching(1))), http.StatusNotFound, "not_found") // nothing entered to replace
			resp := put("2098", newYear, admin)
			expect(t, resp, http.StatusCreated, "")
			etagIs(t, resp, 1)

			y, got := getOK[api.CalendarYear](t, h, calendarPath+"/2098", key)
			etagIs(t, got, 1)
			if y.Source != "entered" || y.Version == nil || *y.Version != 1 || len(y.Days) != 2 {
				t.Errorf("2098: %+v", y)
			}
			// Wednesday 1 January off, Saturday 4 January worked.
			// Counting starts the day after: out of the last day of 2097 into 2098 works,
			// while a day of 2097 is still unknown.
			if got := dueDate(t, h, "2097-12-31", "1", key, http.StatusOK, ""); got != "2098-01-02" {
				t.Errorf("2097-12-31 + 1 working day = %s, want 2098-01-02", got)
			}
			dueDate(t, h, "2097-12-30", "1", key, http.StatusUnprocessableEntity, "calendar_year_missing")
			if got := dueDate(t, h, "2098-01-01", "2", key, http.StatusOK, ""); got != "2098-01-03" {
				t.Errorf("2098-01-01 + 2 working days = %s, want 2098-01-03", got) // Thursday 2, Friday 3 January
			}
			if got := dueDate(t, h, "2098-01-03", "1", key, http.StatusOK, ""); got != "2098-01-04" {
				t.Errorf("2098-01-03 + 1 working day = %s, want the Saturday worked", got)
			}

			expect(t, put("2098", newYear[:1], admin), http.StatusPreconditionRequired, "if_match_required")
			expect(t, put("2098", newYear[:1], with(admin, matching(5))), http.StatusPreconditionFailed, "version_mismatch")
			resp = put("2098", newYear[:1], with(admin, matching(1)))
			expect(t, resp, http.StatusOK, "")
			etagIs(t, resp, 2)
			if got := dueDate(t, h, "2098-01-03", "1", key, http.StatusOK, ""); got != "2098-01-06" {
				t.Errorf("after the correction, 2098-01-03 + 1 working day = %s, want Monday 6 January", got)
			}

			// An entered schedule takes the place of the statutory one.
			expect(t, put("2002", []map[string]any{{"date": "2002-01-01", "name": "元旦节", "work": false}}, admin), http.StatusCreated, "")
			if y, _ := getOK[api.CalendarYear](t, h, calendarPath+"/2002", nil); y.Source != "entered" || len(y.Days) != 1 {
				t.Errorf("2002 entered: %+v", y)
			}
			years, _ := getOK[api.CalendarYears](t, h, calendarPath, nil)
			entered := 0
			for _, y := range years.Years {
				if y.Source == "entered" {
					entered++
				}
			}
			if entered != 2 {
				t.Errorf("%d entered years, want 2: %+v", entered, years.Years)
			}
		})
	})
}
