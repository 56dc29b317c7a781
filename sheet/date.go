package sheet

import (
	"strings"
	"time"
)

// dateLayouts are the ways dates are written in sheets, ISO first. A date
// cell formatted with a time, or in Excel's "31-Dec-21", counts by its day.
var dateLayouts = []string{time.DateOnly, "2006/1/2", "2006.1.2", "2006年1月2日", "2006-1-2",
	"2006/1/2 15:04", "2006/1/2 15:04:05", time.DateTime, "2-Jan-06", "02-Jan-06"}

// DateText reads a date from a cell as YYYY-MM-DD: a date typed as text in
// one of the ways people type them (2021-06-01, 2021/6/1, 2021.6.1,
// 2021年6月1日), or a date cell, by the text Excel displays, because a date
// cell stores a serial number (44348) that means nothing without its
// format. ok is false for anything else, an impossible date such as
// 2021-02-30 included.
func DateText(c Cell) (string, bool) {
	for _, s := range []string{c.Text, c.Formatted} {
		s = strings.TrimSpace(s)
		for _, layout := range dateLayouts {
			if d, err := time.Parse(layout, s); err == nil {
				return d.Format(time.DateOnly), true
			}
		}
	}
	return "", false
}
