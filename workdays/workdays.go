// Package workdays is China's working-day calendar: which days are worked,
// by the State Council's yearly holiday schedule (法定节假日安排), which moves
// days off around the holidays and makes some weekends working days (调休上班).
// Deadlines given in working days ("5个工作日内") are counted on it.
//
// The schedules of the years the Go module github.com/6tail/lunar-go carries
// (2002 to the year it was last released for) come with the package
// (Statutory); the schedule of a later year, which the State Council
// publishes each autumn, is added as data (Calendar.With) until a newer
// release of the module carries it. A date of a year without a schedule is
// an error (NoScheduleError): the calendar says it does not know rather than
// guessing from weekdays.
package workdays

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Day is one day of a schedule: a day off (a day of a holiday, or a weekday
// moved into one), or, with Work, a weekend day worked in exchange (调休上班).
// Name is the holiday it belongs to (春节, 国庆节 …).
type Day struct {
	Date string // YYYY-MM-DD
	Name string
	Work bool
}

// Schedule is one year's holiday arrangement: its holidays' days off and
// the weekend days worked in exchange; the other days follow the ordinary
// week (Monday to Friday worked, the weekend off).
type Schedule struct {
	Year int
	Days []Day
}

// Calendar answers whether a day is worked, for the years it has a schedule
// of. It does not change once made: With returns a new one.
type Calendar struct {
	years map[int]map[string]Day // year → date → the day as its schedule lists it
}

// NoScheduleError is a date of a year the calendar has no schedule of.
type NoScheduleError struct {
	Year int
}

func (e *NoScheduleError) Error() string {
	return fmt.Sprintf("the working-day calendar has no holiday schedule for %d: the State Council publishes it each autumn; add it before counting working days in %d", e.Year, e.Year)
}

// Statutory is the calendar of the schedules lunar-go carries, read once.
func Statutory() *Calendar { return statutory }

var statutory = func() *Calendar {
	c := &Calendar{years: map[int]map[string]Day{}}
	// The module's data starts on 29 December 2001, with the 2002 New
	// Year: 2001 itself is not a whole year of it.
	for year := 2002; ; year++ {
		list := HolidayUtil.GetHolidaysByYear(year)
		if list.Len() == 0 {
			break
		}
		days := map[string]Day{}
		for e := list.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			days[h.GetDay()] = Day{Date: h.GetDay(), Name: h.GetName(), Work: h.IsWork()}
		}
		c.years[year] = days
	}
	return c
}()

// With is the calendar with s as its year's schedule, in place of any it had:
// how a year the module does not carry yet is added, or a published
// correction made. Every day must be a date of the year, listed once.
// Schedules list the whole of each holiday, its weekend days included.
func (c *Calendar) With(s Schedule) (*Calendar, error) {
	days := map[string]Day{}
	for _, d := range s.Days {
		t, err := time.Parse(time.DateOnly, d.Date)
		switch {
		case err != nil || t.Format(time.DateOnly) != d.Date:
			return nil, fmt.Errorf("%s is not a date such as %d-10-01", d.Date, s.Year)
		case t.Year() != s.Year:
			return nil, fmt.Errorf("%s is not a day of %d", d.Date, s.Year)
		}
		if _, dup := days[d.Date]; dup {
			return nil, fmt.Errorf("%s is listed twice", d.Date)
		}
		days[d.Date] = d
	}
	out := &Calendar{years: maps.Clone(c.years)}
	out.years[s.Year] = days
	return out, nil
}

// Years are the years the calendar has a schedule of, in order.
func (c *Calendar) Years() []int { return slices.Sorted(maps.Keys(c.years)) }

// Schedule is the calendar's schedule of a year: its days in date order.
func (c *Calendar) Schedule(year int) (Schedule, error) {
	days, ok := c.years[year]
	if !ok {
		return Schedule{}, &NoScheduleError{Year: year}
	}
	s := Schedule{Year: year}
	for _, d := range days {
		s.Days = append(s.Days, d)
	}
	sort.Slice(s.Days, func(i, j int) bool { return s.Days[i].Date < s.Days[j].Date })
	return s, nil
}

// IsWorkday reports whether the day of t (its date, whatever its time) is
// worked.
func (c *Calendar) IsWorkday(t time.Time) (bool, error) {
	days, ok := c.years[t.Year()]
	if !ok {
		return false, &NoScheduleError{Year: t.Year()}
	}
	if d, listed := days[t.Format(time.DateOnly)]; listed {
		return d.Work, nil
	}
	return !weekend(t), nil
}

// AddWorkdays is the day of the n-th working day after the day of t, n ≥ 1:
// the last day of a deadline of n working days counted from the day after t,
// as "自收到之日起5个工作日内" counts.
func (c *Calendar) AddWorkdays(t time.Time, n int) (time.Time, error) {
	if n < 1 {
		return time.Time{}, fmt.Errorf("count working days from 1, not %d", n)
	}
	d := day(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		worked, err := c.IsWorkday(d)
		if err != nil {
			return time.Time{}, err
		}
		if worked {
			n--
		}
	}
	return d, nil
}

// WorkdaysBetween is how many working days lie after the day of from up to
// and including the day of to: 0 when to is not after from.
func (c *Calendar) WorkdaysBetween(from, to time.Time) (int, error) {
	n := 0
	for d, end := day(from).AddDate(0, 0, 1), day(to); !d.After(end); d = d.AddDate(0, 0, 1) {
		worked, err := c.IsWorkday(d)
		if err != nil {
			return 0, err
		}
		if worked {
			n++
		}
	}
	return n, nil
}

// day is the date of t, at midnight UTC, so that days are added without
// daylight saving or zone shifts in the way.
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }
