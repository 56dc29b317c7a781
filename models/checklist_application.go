package models

import (
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fazhi/fazhi/exact"
)

// ChecklistApplication is one case in which a unit applied an item of a
// released checklist version (适用): a minor first violation left unpunished
// under a 不予处罚 list, a coercive measure not taken under a 免予行政强制
// list. Reports count the cases, the beneficiaries by type and the fines
// waived ("全市共适用免罚清单不予处罚2848个案件，65家法人和3923位自然人（非法人
// 组织）因此受益，累计减免罚金额119.47万元"), so those are what a case holds.
//
// A case is a fact about the past, not a draft under review: it has no
// lifecycle, and it is released once recorded. It may be corrected or
// deleted, never moved to another item or unit (delete it and record it
// again).
type ChecklistApplication struct {
	ID          string  `gorm:"column:id;primaryKey"`
	ListID      string  `gorm:"column:list_id"`      // the item's list, across its versions
	ChecklistID string  `gorm:"column:checklist_id"` // the item's version
	ItemID      string  `gorm:"column:item_id"`
	UnitID      string  `gorm:"column:unit_id"`     // the unit that applied the item (执法单位)
	CaseNumber  *string `gorm:"column:case_number"` // 案件编号, unique within the unit when given
	CaseDate    string  `gorm:"column:case_date"`   // YYYY-MM-DD, the day the case was closed
	// LegalPersons (法人) and NaturalPersons (自然人, with unincorporated
	// organisations, 非法人组织, as reports count them) the case concerns.
	LegalPersons   int    `gorm:"column:legal_persons"`
	NaturalPersons int    `gorm:"column:natural_persons"`
	AmountFen      int64  `gorm:"column:amount_fen"` // the fine waived, in fen (分)
	Remark         string `gorm:"column:remark"`
	CreatedBy      string `gorm:"column:created_by"` // user:<id>
	SampleData     bool   `gorm:"column:sample_data"`
	Version        int64  `gorm:"column:version"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName maps ChecklistApplication to its table.
func (ChecklistApplication) TableName() string { return "checklist_applications" }

// Bounds of an application.
const (
	MaxCaseNumber          = 100
	MaxApplicationRemark   = 2000
	MaxApplicationPersons  = 1_000_000
	MaxApplicationYuan     = 1_000_000_000_000 // a trillion yuan, beyond any fine
	MaxApplicationsPerFile = 100_000
)

// ChinaTime is the time zone of the cities the product serves (UTC+8, no
// daylight saving): "today" for a case date is today there.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// Validate checks an application on its own at the instant at: a case
// closed on a real date no later than that day in China, a case number and
// a remark within bounds, counts of persons that are not negative and
// concern somebody, and an amount that is not negative.
func (a *ChecklistApplication) Validate(at time.Time) error {
	var fields []FieldError
	if d, err := time.Parse(time.DateOnly, a.CaseDate); err != nil || !datePattern.MatchString(a.CaseDate) {
		fields = append(fields, FieldError{Pointer: "/caseDate", Message: "the case date must be a date such as 2021-06-01"})
	} else if today := at.In(ChinaTime).Format(time.DateOnly); d.Format(time.DateOnly) > today {
		fields = append(fields, FieldError{Pointer: "/caseDate", Message: fmt.Sprintf("the case date %s is after today (%s)", a.CaseDate, today)})
	}
	if a.CaseNumber != nil {
		switch n := *a.CaseNumber; {
		case strings.TrimSpace(n) != n || n == "":
			fields = append(fields, FieldError{Pointer: "/caseNumber", Message: "a case number is not blank and has no spaces around it"})
		case utf8.RuneCountInString(n) > MaxCaseNumber:
			fields = append(fields, FieldError{Pointer: "/caseNumber", Message: fmt.Sprintf("a case number has at most %d characters", MaxCaseNumber)})
		}
	}
	if utf8.RuneCountInString(a.Remark) > MaxApplicationRemark {
		fields = append(fields, FieldError{Pointer: "/remark", Message: fmt.Sprintf("a remark has at most %d characters", MaxApplicationRemark)})
	}
	for _, p := range []struct {
		pointer string
		n       int
	}{{"/legalPersons", a.LegalPersons}, {"/naturalPersons", a.NaturalPersons}} {
		if p.n < 0 || p.n > MaxApplicationPersons {
			fields = append(fields, FieldError{Pointer: p.pointer, Message: fmt.Sprintf("a count of persons is from 0 to %d", MaxApplicationPersons)})
		}
	}
	if a.LegalPersons == 0 && a.NaturalPersons == 0 {
		fields = append(fields, FieldError{Pointer: "/naturalPersons", Message: "a case concerns at least one legal or natural person"})
	}
	if a.AmountFen < 0 || a.AmountFen > MaxApplicationYuan*100 {
		fields = append(fields, FieldError{Pointer: "/amountWaived", Message: fmt.Sprintf("the amount waived is from 0 to %d yuan", int64(MaxApplicationYuan))})
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "checklist_application_invalid", Detail: "the application is not valid", Fields: fields}
	}
	return nil
}

var (
	hundred = big.NewInt(100)
	maxFen  = new(big.Int).Mul(big.NewInt(MaxApplicationYuan), hundred)
)

// YuanToFen turns an amount of yuan into fen: an amount with more than two
// decimals (a fraction of a fen), negative or past MaxApplicationYuan is
// refused, pointed at pointer.
func YuanToFen(d exact.Decimal, pointer string) (int64, error) {
	bad := func(msg string) error {
		return &ValidationError{Code: "checklist_application_invalid", Detail: "the application is not valid",
			Fields: []FieldError{{Pointer: pointer, Message: msg}}}
	}
	if d.Scale() > 2 {
		return 0, bad("an amount of yuan has at most two decimals (fen)")
	}
	if d.Sign() < 0 {
		return 0, bad("an amount waived is not negative")
	}
	fen, ok := new(big.Rat).SetString(d.String())
	if !ok {
		return 0, bad("not an amount")
	}
	fen.Mul(fen, new(big.Rat).SetInt(hundred))
	if !fen.IsInt() || fen.Num().Cmp(maxFen) > 0 {
		return 0, bad(fmt.Sprintf("the amount waived is at most %d yuan", int64(MaxApplicationYuan)))
	}
	return fen.Num().Int64(), nil
}

// FenToYuan writes an amount of fen as yuan with two decimals: 119470000 is
// 1194700.00.
func FenToYuan(fen int64) exact.Decimal {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return exact.MustParse(fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100))
}

// ChecklistApplicationFilter narrows a list or a sum of applications; empty
// fields do not narrow. UnitPath limits them to a subtree of units (the
// caller's reach); From and To bound the case date, both included.
type ChecklistApplicationFilter struct {
	ListID      string
	ChecklistID string
	ItemID      string
	UnitID      string
	UnitPath    string
	From, To    string
}

// ChecklistApplicationPatch changes an application's case; a nil field
// stays as it is. CaseNumber set to "" removes the number.
type ChecklistApplicationPatch struct {
	CaseNumber     *string
	CaseDate       *string
	LegalPersons   *int
	NaturalPersons *int
	AmountFen      *int64
	Remark         *string
}

// Apply changes a copy of the application's fields as the patch says.
func (p ChecklistApplicationPatch) Apply(a *ChecklistApplication) {
	if p.CaseNumber != nil {
		a.CaseNumber = p.CaseNumber
		if *p.CaseNumber == "" {
			a.CaseNumber = nil
		}
	}
	if p.CaseDate != nil {
		a.CaseDate = *p.CaseDate
	}
	if p.LegalPersons != nil {
		a.LegalPersons = *p.LegalPersons
	}
	if p.NaturalPersons != nil {
		a.NaturalPersons = *p.NaturalPersons
	}
	if p.AmountFen != nil {
		a.AmountFen = *p.AmountFen
	}
	if p.Remark != nil {
		a.Remark = *p.Remark
	}
}

// ApplicationGrouping is what the sums of applications are grouped by.
type ApplicationGrouping string

const (
	GroupByList    ApplicationGrouping = "list"
	GroupByItem    ApplicationGrouping = "item"
	GroupByUnit    ApplicationGrouping = "unit"
	GroupByMonth   ApplicationGrouping = "month"
	GroupByQuarter ApplicationGrouping = "quarter"
	GroupByYear    ApplicationGrouping = "year"
)

// ApplicationTotals are the figures reports give of applications: cases,
// the beneficiaries by type, and the fines waived.
type ApplicationTotals struct {
	Cases          int64
	LegalPersons   int64
	NaturalPersons int64
	AmountFen      int64
}

// Add adds other's figures to t.
func (t *ApplicationTotals) Add(other ApplicationTotals) {
	t.Cases += other.Cases
	t.LegalPersons += other.LegalPersons
	t.NaturalPersons += other.NaturalPersons
	t.AmountFen += other.AmountFen
}

// ApplicationGroup is the totals of one list, item, unit or period: Key is
// its id or its period (2021, 2021-Q3, 2021-07).
type ApplicationGroup struct {
	Key string
	ApplicationTotals
}

// ApplicationStatistics are the totals of the applications a filter
// selects, and the same by group, in the order of their keys.
type ApplicationStatistics struct {
	Totals ApplicationTotals
	Groups []ApplicationGroup
}

// PeriodOf is the period of a case date a grouping by period puts it in:
// 2021 for a year, 2021-Q3 for a quarter, 2021-07 for a month.
func (g ApplicationGrouping) PeriodOf(caseDate string) string {
	switch g {
	case GroupByYear:
		return caseDate[:4]
	case GroupByQuarter:
		month := int(caseDate[5]-'0')*10 + int(caseDate[6]-'0')
		return fmt.Sprintf("%s-Q%d", caseDate[:4], (month+2)/3)
	default:
		return caseDate[:7]
	}
}
