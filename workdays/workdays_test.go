package workdays_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fazhi/fazhi/workdays"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIsWorkday: the 2024 Spring Festival (10–17 February off, Sundays 4 and
// 18 February worked; New Year's Eve, 9 February, a working day the State
// Council only encouraged units to give off) and National Day (1–7 October
// off, Sunday 29 September and Saturday 12 October worked), and ordinary
// weeks around them.
func TestIsWorkday(t *testing.T) {
	c := workdays.Statutory()
	for _, tc := range []struct {
		date   string
		worked bool
	}{
		{"2024-02-02", true},  // a Friday
		{"2024-02-03", false}, // a Saturday
		{"2024-02-04", true},  // a Sunday worked
		{"2024-02-09", true},  // New Year's Eve, a Friday
		{"2024-02-10", false}, // the Spring Festival, a Saturday
		{"2024-02-12", false}, // a Monday off
		{"2024-02-16", false}, // a Friday off
		{"2024-02-17", false},
		{"2024-02-18", true}, // a Sunday worked
		{"2024-02-19", true},
		{"2024-09-28", false}, // a Saturday
		{"2024-09-29", true},  // a Sunday worked
		{"2024-09-30", true},
		{"2024-10-01", false},
		{"2024-10-04", false}, // a Friday off
		{"2024-10-07", false}, // a Monday off
		{"2024-10-08", true},
		{"2024-10-12", true},  // a Saturday worked
		{"2024-10-13", false}, // a Sunday
		{"2021-12-31", true},  // the year of the seed report
		{"2027-10-09", true},  // the newest year the module carries
	} {
		got, err := c.IsWorkday(date(t, tc.date))
		if err != nil || got != tc.worked {
			t.Errorf("%s (%s): worked %v, %v; want %v", tc.date, date(t, tc.date).Weekday(), got, err, tc.worked)
		}
	}
}

// TestAddWorkdays counts deadlines across the two holidays.
func TestAddWorkdays(t *testing.T) {
	c := workdays.Statutory()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-07", 1, "2024-02-08"},
		{"2024-02-08", 1, "2024-02-09"},  // New Year's Eve is worked
		{"2024-02-08", 2, "2024-02-18"},  // the holiday skipped, the Sunday worked
		{"2024-02-08", 3, "2024-02-19"},  // then the Monday
		{"2024-02-03", 1, "2024-02-04"},  // from a Saturday to the Sunday worked
		{"2024-09-27", 1, "2024-09-29"},  // a Saturday off, a Sunday worked
		{"2024-09-27", 2, "2024-09-30"},  // then the Monday
		{"2024-09-27", 3, "2024-10-08"},  // the week of National Day skipped
		{"2024-10-11", 1, "2024-10-12"},  // a Saturday worked
		{"2024-10-11", 2, "2024-10-14"},  // then a Sunday off
		{"2024-09-30", 10, "2024-10-18"}, // two weeks of deadline across the holiday
	} {
		got, err := c.AddWorkdays(date(t, tc.from), tc.n)
		if err != nil || got.Format(time.DateOnly) != tc.want {
			t.Errorf("%s + %d working days = %s, %v; want %s", tc.from, tc.n, got.Format(time.DateOnly), err, tc.want)
		}
	}
	if _, err := c.AddWorkdays(date(t, "2024-01-02"), 0); err == nil {
		t.Error("0 working days after a day counted")
	}
	// The time of day and the zone do not matter: the day does.
	cst := time.FixedZone("CST", 8*60*60)
	got, err := c.AddWorkdays(time.Date(2024, 2, 8, 23, 30, 0, 0, cst), 2)
	if err != nil || got.Format(time.DateOnly) != "2024-02-18" {
		t.Errorf("late on 8 February + 2 = %v, %v", got, err)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := workdays.Statutory()
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2024-02-01", "2024-02-29", 20 - 5 + 2}, // after the 1st: 20 weekdays, 5 of them off, 2 Sundays worked
		{"2024-09-30", "2024-10-31", 23 - 5 + 1}, // after the 30th: 23 weekdays in October, 5 off, 1 Saturday worked
		{"2024-10-08", "2024-10-08", 0},
		{"2024-10-09", "2024-10-08", 0},
	} {
		got, err := c.WorkdaysBetween(date(t, tc.from), date(t, tc.to))
		if err != nil || got != tc.want {
			t.Errorf("working days after %s up to %s: %d, %v; want %d", tc.from, tc.to, got, err, tc.want)
		}
	}
}

// TestYearWithoutSchedule: past the years the module carries, the calendar
// says it does not know, until the year's schedule is added.
func TestYearWithoutSchedule(t *testing.T) {
	c := workdays.Statutory()
	years := c.Years()
	if years[0] != 2002 || !slices.Contains(years, 2021) || years[len(years)-1] < 2027 {
		t.Fatalf("years %v", years)
	}
	next := years[len(years)-1] + 1
	_, err := c.IsWorkday(time.Date(next, 1, 4, 0, 0, 0, 0, time.UTC))
	var none *workdays.NoScheduleError
	if !errors.As(err, &none) || none.Year != next {
		t.Fatalf("a day of %d: %v, want a NoScheduleError", next, err)
	}
	// A deadline that runs into the year fails rather than guesses.
	if _, err := c.AddWorkdays(time.Date(next-1, 12, 30, 0, 0, 0, 0, time.UTC), 5); !errors.As(err, &none) {
		t.Errorf("a deadline into %d: %v", next, err)
	}
	if _, err := c.WorkdaysBetween(time.Date(next-1, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(next, 1, 31, 0, 0, 0, 0, time.UTC)); !errors.As(err, &none) {
		t.Errorf("working days into %d: %v", next, err)
	}

	// The year's schedule added: New Year's Day off, a Sunday worked.
	newYear := time.Date(next, 1, 1, 0, 0, 0, 0, time.UTC)
	sunday := newYear
	for sunday.Weekday() != time.Sunday {
		sunday = sunday.AddDate(0, 0, 1)
	}
	with, err := c.With(workdays.Schedule{Year: next, Days: []workdays.Day{
		{Date: newYear.Format(time.DateOnly), Name: "元旦节"},
		{Date: sunday.Format(time.DateOnly), Name: "元旦节", Work: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if worked, err := with.IsWorkday(newYear); err != nil || worked {
		t.Errorf("New Year's Day of %d: worked %v, %v", next, worked, err)
	}
	if worked, err := with.IsWorkday(sunday); err != nil || !worked {
		t.Errorf("the Sunday worked of %d: %v, %v", next, worked, err)
	}
	if _, err := c.IsWorkday(newYear); !errors.As(err, &none) {
		t.Error("With changed the calendar it was called on")
	}
	s, err := with.Schedule(next)
	if err != nil || len(s.Days) != 2 || s.Days[0].Date != newYear.Format(time.DateOnly) {
		t.Errorf("the added schedule %+v, %v", s, err)
	}

	for _, bad := range []workdays.Schedule{
		{Year: next, Days: []workdays.Day{{Date: "2030-02-30"}}},
		{Year: next, Days: []workdays.Day{{Date: time.Date(next+1, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}}},
		{Year: next, Days: []workdays.Day{{Date: newYear.Format(time.DateOnly)}, {Date: newYear.Format(time.DateOnly)}}},
	} {
		if _, err := c.With(bad); err == nil {
			t.Errorf("schedule %+v was taken", bad)
		}
	}
}

// TestStatutorySchedule: a year's schedule as the module has it.
func TestStatutorySchedule(t *testing.T) {
	s, err := workdays.Statutory().Schedule(2024)
	if err != nil {
		t.Fatal(err)
	}
	var worked []string
	for _, d := range s.Days {
		if d.Work {
			worked = append(worked, d.Date)
		}
	}
	if want := []string{"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"}; !slices.Equal(worked, want) {
		t.Errorf("weekend days worked in 2024: %v, want %v", worked, want)
	}
}
