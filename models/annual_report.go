package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReportStatus is where an annual report stands.
type ReportStatus string

const (
	ReportDraft     ReportStatus = "draft"      // the office writes it
	ReportSignedOff ReportStatus = "signed_off" // approved for submission (签发)
	ReportSubmitted ReportStatus = "submitted"  // with the level above (for the city: the province)
	ReportPublished ReportStatus = "published"  // made public
)

// Moves of annual reports besides the common ones.
const (
	MoveReopen = "reopen" // take a signed-off report back into the draft
)

// ReportLifecycle is an annual report's (法治政府建设年度报告): drafted from
// the records, rewritten part by part, signed off, submitted to the level
// above and published. A submitted report is released to the level
// above's keys; a published one to everyone.
var ReportLifecycle = Lifecycle[ReportStatus]{
	Entity:   "annual report",
	Initial:  ReportDraft,
	States:   []ReportStatus{ReportDraft, ReportSignedOff, ReportSubmitted, ReportPublished},
	Released: []ReportStatus{ReportSubmitted, ReportPublished},
	Moves: []Move[ReportStatus]{
		{Name: MoveEdit, From: []ReportStatus{ReportDraft}, Code: "report_not_draft"},
		{Name: MoveDelete, From: []ReportStatus{ReportDraft}, Code: "report_not_draft"},
		{Name: MoveSignOff, From: []ReportStatus{ReportDraft}, To: ReportSignedOff, Code: "report_not_draft"},
		{Name: MoveReopen, From: []ReportStatus{ReportSignedOff}, To: ReportDraft, Code: "report_not_signed_off"},
		{Name: MoveSubmit, From: []ReportStatus{ReportSignedOff}, To: ReportSubmitted, Code: "report_not_signed_off"},
		{Name: MovePublish, From: []ReportStatus{ReportSubmitted}, To: ReportPublished, Code: "report_not_submitted"},
	},
}

// AnnualReport is a unit's report of a year.
type AnnualReport struct {
	ID          string        `gorm:"column:id;primaryKey"`
	UnitID      string        `gorm:"column:unit_id"`
	Year        int           `gorm:"column:year"`
	Status      ReportStatus  `gorm:"column:status"`
	Content     ReportContent `gorm:"column:content;serializer:json"`
	SignedOffBy *string       `gorm:"column:signed_off_by"`
	SignedOffAt *time.Time    `gorm:"column:signed_off_at"`
	SubmittedBy *string       `gorm:"column:submitted_by"`
	SubmittedAt *time.Time    `gorm:"column:submitted_at"`
	PublishedBy *string       `gorm:"column:published_by"`
	PublishedAt *time.Time    `gorm:"column:published_at"`
	CreatedBy   string        `gorm:"column:created_by"`
	SampleData  bool          `gorm:"column:sample_data"`
	Version     int64         `gorm:"column:version"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName maps AnnualReport to its table.
func (AnnualReport) TableName() string { return "annual_reports" }

// NewAnnualReport is the draft of a unit's report of a year.
func NewAnnualReport(id, unitID string, year int, content ReportContent, by Actor) *AnnualReport {
	return &AnnualReport{ID: id, UnitID: unitID, Year: year, Status: ReportLifecycle.Initial, Content: content, CreatedBy: string(by)}
}

// Bounds of a report's text.
const (
	MaxReportParagraphs = 500
	MaxReportSentences  = 200 // of a paragraph
	MaxReportSentence   = 5000
	MaxReportHeading    = 200
)

// EditSection replaces the paragraphs of one of the five parts with the
// office's text: each sentence keeps the records it names, and its figures
// are traced again against what those records held when the report was
// drafted.
func (r *AnnualReport) EditSection(part int, paragraphs []ReportParagraph) error {
	if _, err := ReportLifecycle.Check(MoveEdit, r.ID, r.Status); err != nil {
		return err
	}
	s := r.Content.Section(part)
	if s == nil {
		return Invalid("report_invalid", "/part", "the parts are numbered 1 to 5")
	}
	var fields []FieldError
	if len(paragraphs) > MaxReportParagraphs {
		fields = append(fields, FieldError{Pointer: "/paragraphs", Message: fmt.Sprintf("up to %d paragraphs", MaxReportParagraphs)})
	}
	for i, p := range paragraphs {
		if len([]rune(p.Heading)) > MaxReportHeading || strings.TrimSpace(p.Heading) != p.Heading {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/paragraphs/%d/heading", i), Message: fmt.Sprintf("up to %d characters without spaces around them", MaxReportHeading)})
		}
		if len(p.Sentences) > MaxReportSentences {
			fields = append(fields, FieldError{Pointer: fmt.Sprintf("/paragraphs/%d/sentences", i), Message: fmt.Sprintf("up to %d sentences", MaxReportSentences)})
		}
		for j, sen := range p.Sentences {
			if strings.TrimSpace(sen.Text) == "" || len([]rune(sen.Text)) > MaxReportSentence {
				fields = append(fields, FieldError{Pointer: fmt.Sprintf("/paragraphs/%d/sentences/%d/text", i, j), Message: fmt.Sprintf("a sentence of 1 to %d characters", MaxReportSentence)})
			}
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "report_invalid", Detail: "the part's text is not valid", Fields: fields}
	}
	s.Paragraphs = slices.Clone(paragraphs)
	if s.Paragraphs == nil {
		s.Paragraphs = []ReportParagraph{}
	}
	RetraceFigures(r.Content.Sections, r.Content.Known)
	return nil
}

// SignOff approves the report for submission. Figures typed by hand (no
// record holds them) are listed first: the report is signed off with them
// only when the signer says so.
func (r *AnnualReport) SignOff(by Actor, at time.Time, acceptUntraced bool) error {
	to, err := ReportLifecycle.Check(MoveSignOff, r.ID, r.Status)
	if err != nil {
		return err
	}
	if untraced := r.Content.Untraced(); len(untraced) > 0 && !acceptUntraced {
		texts := make([]string, len(untraced))
		for i, f := range untraced {
			texts[i] = f.Text
		}
		return &ConflictError{Code: "report_untraced_figures",
			Detail: fmt.Sprintf("%d figures of the report match no record (%s): trace them, or sign off with acceptUntraced", len(untraced), strings.Join(texts, ", "))}
	}
	r.Status, r.SignedOffBy, r.SignedOffAt = to, by.ref(), &at
	return nil
}

// Reopen takes a signed-off report back into the draft.
func (r *AnnualReport) Reopen() error {
	to, err := ReportLifecycle.Check(MoveReopen, r.ID, r.Status)
	if err != nil {
		return err
	}
	r.Status, r.SignedOffBy, r.SignedOffAt = to, nil, nil
	return nil
}

// Submit sends the signed-off report to the level above.
func (r *AnnualReport) Submit(by Actor, at time.Time) error {
	to, err := ReportLifecycle.Check(MoveSubmit, r.ID, r.Status)
	if err != nil {
		return err
	}
	r.Status, r.SubmittedBy, r.SubmittedAt = to, by.ref(), &at
	return nil
}

// Publish makes the submitted report public.
func (r *AnnualReport) Publish(by Actor, at time.Time) error {
	to, err := ReportLifecycle.Check(MovePublish, r.ID, r.Status)
	if err != nil {
		return err
	}
	r.Status, r.PublishedBy, r.PublishedAt = to, by.ref(), &at
	return nil
}

// ReportToDraft says which report to draft: its id (empty: a new one), unit
// and year, the units whose records it is drafted from besides the unit's
// own (the office that keeps the unit's plans), and whether it is sample
// data.
type ReportToDraft struct {
	ID            string
	UnitID        string
	Year          int
	SourceUnitIDs []string
	Sample        bool
}

// ReportVersion is one saved text of a report: the draft (Part 0) or an
// edit of one part.
type ReportVersion struct {
	ReportID string        `gorm:"column:report_id;primaryKey"`
	Version  int64         `gorm:"column:version;primaryKey"`
	Part     int           `gorm:"column:part"`
	Content  ReportContent `gorm:"column:content;serializer:json"`
	SavedBy  string        `gorm:"column:saved_by"`
	SavedAt  time.Time     `gorm:"column:saved_at"`
}

// TableName maps ReportVersion to its table.
func (ReportVersion) TableName() string { return "annual_report_versions" }

// AnnualReportFilter narrows a list of reports.
type AnnualReportFilter struct {
	UnitID             string
	Year               int
	Status             ReportStatus
	UnitPath           string
	ReleasedEverywhere bool
	ReleasedOnly       bool
}

// ReportingKinds are the units that report every year under the 2019
// regulation: governments at county level and above and their departments.
var ReportingKinds = []UnitKind{UnitProvince, UnitCity, UnitDistrict, UnitCounty, UnitEconomicZone, UnitDepartment}

// ReportDeadlines are the days before which a unit of kind submits its
// report of year to the level above (1 March; a province 1 April) and
// publishes it (1 April), as YYYY-MM-DD.
func ReportDeadlines(kind UnitKind, year int) (submitBefore, publishBefore string) {
	publishBefore = fmt.Sprintf("%04d-04-01", year+1)
	if kind == UnitProvince {
		return publishBefore, publishBefore
	}
	return fmt.Sprintf("%04d-03-01", year+1), publishBefore
}

// Timeliness is how a step of a report stands against its deadline.
type Timeliness string

const (
	OnTime  Timeliness = "on_time" // done before the deadline
	Late    Timeliness = "late"    // done, on or after it
	Due     Timeliness = "due"     // not done, and the deadline not reached
	Missing Timeliness = "missing" // not done, and the deadline passed
)

// TimelinessOf judges a step done at done (nil: not done) against the day
// it is due before, as of the day asOf (YYYY-MM-DD, in China).
func TimelinessOf(done *time.Time, dueBefore, asOf string) Timeliness {
	if done != nil {
		if done.In(ChinaTime).Format(time.DateOnly) < dueBefore {
			return OnTime
		}
		return Late
	}
	if asOf < dueBefore {
		return Due
	}
	return Missing
}

// ReportDue is where a unit's report of a year stands against the
// deadlines; Report is nil when the unit has none.
type ReportDue struct {
	Unit          Unit
	Report        *AnnualReport
	SubmitBefore  string
	PublishBefore string
	Submission    Timeliness
	Publication   Timeliness
}

// DueOf is the standing of a unit's report (nil: none yet) of year as of
// the day asOf.
func DueOf(u Unit, r *AnnualReport, year int, asOf string) ReportDue {
	d := ReportDue{Unit: u, Report: r}
	d.SubmitBefore, d.PublishBefore = ReportDeadlines(u.Kind, year)
	var submitted, published *time.Time
	if r != nil {
		submitted, published = r.SubmittedAt, r.PublishedAt
	}
	d.Submission = TimelinessOf(submitted, d.SubmitBefore, asOf)
	d.Publication = TimelinessOf(published, d.PublishBefore, asOf)
	return d
}
