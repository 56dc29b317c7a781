package annualreport

import (
	"fmt"
	"html"
	"strings"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// chartOf are the bars of the report's chart of indicator attainment: each
// approved value of an indicator counted in per cent, against its target
// of the year when one was set.
func chartOf(r Records) []models.ReportBar {
	var bars []models.ReportBar
	for _, v := range r.Values {
		if v.MeasureUnit != "%" {
			continue
		}
		bars = append(bars, models.ReportBar{Label: v.IndicatorName, Value: v.Value, Target: v.Target, Source: models.SourceOf(models.SourceValue, v.ID)})
	}
	return bars
}

// Geometry of the chart, in CSS pixels.
const (
	chartWidth  = 600
	labelWidth  = 240
	barHeight   = 22
	barGap      = 10
	chartMargin = 40
)

// chartSVG draws the bars as an inline SVG: a bar per indicator, its length
// the value's share of 100%, the target a mark across it.
func chartSVG(title string, bars []models.ReportBar) string {
	var b strings.Builder
	height := chartMargin + len(bars)*(barHeight+barGap) + barGap
	if len(bars) == 0 {
		height = chartMargin + barHeight + barGap
	}
	span := float64(chartWidth - labelWidth - 60)
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d" aria-label="%s">`,
		chartWidth, height, chartWidth, height, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="24" text-anchor="middle" font-size="16">%s</text>`, chartWidth/2, html.EscapeString(title))
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="14">本年度无以百分比计的指标</text>`, chartWidth/2, chartMargin+barHeight/2)
	}
	for i, bar := range bars {
		y := chartMargin + i*(barHeight+barGap)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12">%s</text>`, labelWidth-8, y+barHeight-6, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#d9d9d9"/>`, labelWidth, y, span, barHeight)
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="#b22222"/>`, labelWidth, y, span*share(bar.Value), barHeight)
		label := bar.Value + "%"
		if bar.Target != "" {
			x := float64(labelWidth) + span*share(bar.Target)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-width="2"/>`, x, y-3, x, y+barHeight+3)
			label += "（目标" + bar.Target + "%）"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`, float64(labelWidth)+span+6, y+barHeight-6, html.EscapeString(label))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// share is a percentage as a share of the bar, 0 to 1.
func share(percent string) float64 {
	d, err := exact.Parse(percent)
	if err != nil {
		return 0
	}
	var f float64
	fmt.Sscan(d.String(), &f)
	return min(max(f/100, 0), 1)
}
