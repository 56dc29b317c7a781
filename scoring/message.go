package scoring

import (
	"strings"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// Message explains the score in one Chinese sentence, the way an assessment
// sheet would: "未达目标值50%，按比例得分 7.2/10". It ends with the score out
// of the points, both without trailing zeros. Figures of the value's kind
// (values, targets, bands, occurrences) are written as reported and carry
// the measure unit; points do not. It is built on demand rather than by
// Evaluate, which scores many thousands of leaves that no one reads one by
// one.
func (s Score) Message() string {
	b := sentence{unit: s.MeasureUnit}
	b.Grow(96)
	switch s.Reason {
	case ReasonMissing:
		b.WriteString("未填报，得 ")
	case ReasonNoTarget:
		b.WriteString("未设目标值，得 ")
	case ReasonMet, ReasonCapped:
		if s.Target == nil {
			break
		}
		if s.Reason == ReasonMet {
			b.WriteString("达到")
		} else {
			b.WriteString("优于")
		}
		b.target(s.Target)
		b.WriteString("，得满分 ")
	case ReasonNotMet, ReasonProportional:
		if s.Target == nil || s.Value == nil || s.Value.Value == nil {
			break
		}
		b.shortfall(s.Target, *s.Value.Value)
		if s.Reason == ReasonNotMet {
			b.WriteString("，得 ")
		} else {
			b.WriteString("，按比例得分 ")
		}
	case ReasonBand:
		if s.Band == nil {
			break
		}
		b.WriteString("落在区间")
		b.band(*s.Band)
		b.WriteString("，得 ")
	case ReasonNoBand:
		if s.Value == nil || s.Value.Value == nil {
			break
		}
		b.WriteString("填报")
		b.quantity(*s.Value.Value)
		b.WriteString("，未落在任何区间，得 ")
	case ReasonManual:
		if s.Value == nil || s.Value.ReviewScore == nil {
			break
		}
		b.WriteString("评审评分 ")
		switch r := *s.Value.ReviewScore; {
		case r.Cmp(s.Points) > 0:
			b.WriteString(trim(r) + "，超出分值，计 ")
		case r.Sign() < 0:
			b.WriteString(trim(r) + "，低于0分，计 ")
		}
	case ReasonNotReviewed:
		b.WriteString("未评审，得 ")
	case ReasonYes:
		b.WriteString("是，得 ")
	case ReasonNo:
		b.WriteString("否，得 ")
	case ReasonDeducted, ReasonFloor:
		per := "0"
		if s.PerOccurrence != nil {
			per = trim(*s.PerOccurrence)
		}
		b.WriteString("发生")
		b.occurrences(s.Occurrences)
		b.WriteString("，每次扣" + per + "分，扣" + trim(s.Deducted) + "分")
		if s.Reason == ReasonFloor {
			b.WriteString("，扣完为止")
		}
		b.WriteString("，得 ")
	case ReasonNoneDeducted:
		b.WriteString("未发生，不扣分，得 ")
	case ReasonUnknownMethod:
		b.WriteString("评分方法「" + string(s.Method) + "」无法识别，得 ")
	case ReasonSubtotal:
		b.WriteString("小计 ")
	}
	if b.Len() == 0 {
		// A Score this package did not make: say what can be said.
		b.WriteString("得 ")
	}
	b.WriteString(trim(s.Score) + "/" + trim(s.Points))
	return b.String()
}

// sentence is a message being written, with the measure unit its figures
// carry.
type sentence struct {
	strings.Builder
	unit string
}

// quantity writes a figure as reported, keeping its scale, followed by the
// measure unit with no space: "58.10%", "3件".
func (b *sentence) quantity(d exact.Decimal) {
	b.WriteString(d.String())
	b.WriteString(b.unit)
}

// target writes a target as a condition: "目标值（≥ 90%）", "目标区间[80%, 90%]".
func (b *sentence) target(t *models.Target) {
	if t.Comparator == models.Between && t.ValueTo != nil {
		b.WriteString("目标区间[")
		b.quantity(t.Value)
		b.WriteString(", ")
		b.quantity(*t.ValueTo)
		b.WriteString("]")
		return
	}
	b.WriteString("目标值（")
	switch t.Comparator {
	case models.AtLeast:
		b.WriteString("≥ ")
	case models.AtMost:
		b.WriteString("≤ ")
	case models.Equal:
		b.WriteString("= ")
	}
	b.quantity(t.Value)
	b.WriteString("）")
}

// shortfall says where a value that missed the target lies against it:
// "未达目标值50%", "超过目标值60工作日", "低于目标区间[80%, 90%]".
func (b *sentence) shortfall(t *models.Target, v exact.Decimal) {
	if t.Comparator == models.Between && t.ValueTo != nil {
		switch {
		case v.Cmp(t.Value) < 0:
			b.WriteString("低于")
			b.target(t)
		case v.Cmp(*t.ValueTo) > 0:
			b.WriteString("高于")
			b.target(t)
		default: // linear lower_better measures against the lower bound
			b.WriteString("在")
			b.target(t)
			b.WriteString("内")
		}
		return
	}
	switch v.Cmp(t.Value) {
	case -1:
		b.WriteString("未达目标值")
	case 1:
		b.WriteString("超过目标值")
	default:
		b.WriteString("等于目标值")
	}
	b.quantity(t.Value)
}

// band writes a band as an interval, open bounds as infinities: "[80, 90)",
// "[90%, +∞)", "(-∞, 60%)".
func (b *sentence) band(band models.ScoreBand) {
	if band.Min == nil {
		b.WriteString("(-∞")
	} else {
		b.WriteString("[")
		b.quantity(*band.Min)
	}
	b.WriteString(", ")
	if band.Max == nil {
		b.WriteString("+∞")
	} else {
		b.quantity(*band.Max)
	}
	b.WriteString(")")
}

// occurrences writes a count with the measure unit, 次 when there is none:
// "3次", "2件".
func (b *sentence) occurrences(d exact.Decimal) {
	b.WriteString(d.String())
	if b.unit == "" {
		b.WriteString("次")
	} else {
		b.WriteString(b.unit)
	}
}

// trim writes points without trailing zeros: "7.20" is "7.2", "10.00" is "10".
func trim(d exact.Decimal) string {
	s := d.String()
	if strings.IndexByte(s, '.') < 0 {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
