package models

import "time"

// CalendarYear is a year's holiday schedule (法定节假日安排) as an
// administrator entered it: for a year the working-day calendar does not
// carry yet (the State Council publishes each year's in the autumn before
// it), or a published correction. It takes the place of the calendar's own
// schedule of the year. Days lists the holidays' days off and the weekend
// days worked in exchange (调休上班); the other days follow the ordinary
// week.
type CalendarYear struct {
	Year      int           `gorm:"column:year;primaryKey"`
	Days      []CalendarDay `gorm:"column:days;serializer:json"`
	UpdatedBy string        `gorm:"column:updated_by"`
	Version   int64         `gorm:"column:version"`
	CreatedAt time.Time     `gorm:"column:created_at"`
	UpdatedAt time.Time     `gorm:"column:updated_at"`
}

// TableName maps CalendarYear to its table.
func (CalendarYear) TableName() string { return "calendar_years" }

// CalendarDay is one day of a schedule: a day off, or with Work a weekend
// day worked; Name is its holiday (春节, 国庆节 …).
type CalendarDay struct {
	Date string `json:"date"`
	Name string `json:"name"`
	Work bool   `json:"work"`
}
