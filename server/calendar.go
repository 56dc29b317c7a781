package server

// China's working-day calendar: the schedules package workdays carries,
// with the years administrators entered in their place. Every instance
// reads the entered years from the database at each request, so that all
// agree at once.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/workdays"
)

// CalendarStore is what the calendar operations need from the database.
type CalendarStore interface {
	CalendarYears(ctx context.Context) ([]models.CalendarYear, error)
	PutCalendarYear(ctx context.Context, y *models.CalendarYear, ifVersion *int64) (bool, error)
}

// CalendarHandler serves the calendar tag.
type CalendarHandler struct {
	store CalendarStore
}

// calendar is the working-day calendar in force: the statutory schedules
// with the entered years in their place, and the entered years by year.
func (h *CalendarHandler) calendar(ctx context.Context) (*workdays.Calendar, map[int]models.CalendarYear, error) {
	entered, err := h.store.CalendarYears(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, byYear := workdays.Statutory(), make(map[int]models.CalendarYear, len(entered))
	for _, y := range entered {
		if c, err = c.With(schedule(y)); err != nil {
			return nil, nil, fmt.Errorf("the entered calendar of %d: %w", y.Year, err) // checked when entered
		}
		byYear[y.Year] = y
	}
	return c, byYear, nil
}

func schedule(y models.CalendarYear) workdays.Schedule {
	s := workdays.Schedule{Year: y.Year, Days: make([]workdays.Day, len(y.Days))}
	for i, d := range y.Days {
		s.Days[i] = workdays.Day(d)
	}
	return s
}

// ListCalendarYears implements listCalendarYears.
func (h *CalendarHandler) ListCalendarYears(ctx context.Context, _ api.ListCalendarYearsRequestObject) (api.ListCalendarYearsResponseObject, error) {
	c, entered, err := h.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out api.ListCalendarYears200JSONResponse
	for _, year := range c.Years() {
		if year < 2000 || year > 2100 {
			continue // outside what the contract's years are
		}
		source := api.CalendarYearsYearsSourceStatutory
		if _, ok := entered[year]; ok {
			source = api.CalendarYearsYearsSourceEntered
		}
		out.Years = append(out.Years, struct {
			Source api.CalendarYearsYearsSource `json:"source"`
			Year   int32                        `json:"year"`
		}{Source: source, Year: int32(year)})
	}
	return out, nil
}

// GetCalendarYear implements getCalendarYear.
func (h *CalendarHandler) GetCalendarYear(ctx context.Context, req api.GetCalendarYearRequestObject) (api.GetCalendarYearResponseObject, error) {
	c, entered, err := h.calendar(ctx)
	if err != nil {
		return nil, err
	}
	s, err := c.Schedule(int(req.Year))
	var none *workdays.NoScheduleError
	if errors.As(err, &none) {
		return nil, &models.NotFoundError{Entity: "holiday schedule of the year", ID: fmt.Sprint(req.Year)}
	}
	if err != nil {
		return nil, err
	}
	out := api.CalendarYear{Year: req.Year, Source: api.CalendarYearSourceStatutory, Days: daysOut(s.Days)}
	headers := api.GetCalendarYear200ResponseHeaders{}
	if y, ok := entered[int(req.Year)]; ok {
		out.Source, out.Version, headers.ETag = api.CalendarYearSourceEntered, &y.Version, ptr(etag(y.Version))
	}
	return api.GetCalendarYear200JSONResponse{Body: out, Headers: headers}, nil
}

// PutCalendarYear implements putCalendarYear: the schedule is checked as
// the calendar takes it before it is stored.
func (h *CalendarHandler) PutCalendarYear(ctx context.Context, req api.PutCalendarYearRequestObject) (api.PutCalendarYearResponseObject, error) {
	var ifVersion *int64
	if req.Params.IfMatch != nil {
		v, err := ifMatch(req.Params.IfMatch)
		if err != nil {
			return nil, err
		}
		ifVersion = &v
	}
	y := &models.CalendarYear{Year: int(req.Year), Days: make([]models.CalendarDay, len(req.Body.Days)),
		UpdatedBy: string(models.ActorOf(models.RequestInfoFrom(ctx).Caller))}
	for i, d := range req.Body.Days {
		y.Days[i] = models.CalendarDay{Date: d.Date.String(), Name: d.Name, Work: d.Work}
	}
	slices.SortStableFunc(y.Days, func(a, b models.CalendarDay) int {
		switch {
		case a.Date < b.Date:
			return -1
		case a.Date > b.Date:
			return 1
		}
		return 0
	})
	if _, err := workdays.Statutory().With(schedule(*y)); err != nil {
		return nil, &models.ValidationError{Code: "calendar_invalid", Detail: err.Error(),
			Fields: []models.FieldError{{Pointer: "/days", Message: err.Error()}}}
	}
	created, err := h.store.PutCalendarYear(ctx, y, ifVersion)
	if err != nil {
		return nil, err
	}
	days := make([]workdays.Day, len(y.Days))
	for i, d := range y.Days {
		days[i] = workdays.Day(d)
	}
	out := api.CalendarYear{Year: req.Year, Source: api.CalendarYearSourceEntered, Days: daysOut(days), Version: &y.Version}
	if created {
		return api.PutCalendarYear201JSONResponse{Body: out, Headers: api.PutCalendarYear201ResponseHeaders{ETag: ptr(etag(y.Version))}}, nil
	}
	return api.PutCalendarYear200JSONResponse{Body: out, Headers: api.PutCalendarYear200ResponseHeaders{ETag: ptr(etag(y.Version))}}, nil
}

// GetDueDate implements getDueDate.
func (h *CalendarHandler) GetDueDate(ctx context.Context, req api.GetDueDateRequestObject) (api.GetDueDateResponseObject, error) {
	c, _, err := h.calendar(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	due, err := c.AddWorkdays(p.From.Time, int(p.WorkingDays))
	var none *workdays.NoScheduleError
	if errors.As(err, &none) {
		return nil, &httpError{status: http.StatusUnprocessableEntity, code: "calendar_year_missing", detail: err.Error(),
			fields: []api.FieldError{{Parameter: ptr("query.workingDays"), Message: fmt.Sprintf("the deadline runs into %d, which the calendar has no holiday schedule of", none.Year)}}}
	}
	if err != nil {
		return nil, err
	}
	return api.GetDueDate200JSONResponse{From: p.From, WorkingDays: p.WorkingDays, DueDate: openapi_types.Date{Time: due}}, nil
}

func daysOut(days []workdays.Day) []api.CalendarDay {
	out := make([]api.CalendarDay, len(days))
	for i, d := range days {
		t, _ := time.Parse(time.DateOnly, d.Date) // the calendar's dates are valid
		out[i] = api.CalendarDay{Date: openapi_types.Date{Time: t}, Name: d.Name, Work: d.Work}
	}
	return out
}
