package models

import (
	"fmt"
	"strings"
	"time"
)

// ChecklistStatus is where a version of a checklist stands.
type ChecklistStatus string

const (
	ChecklistDraft      ChecklistStatus = "draft"      // its issuing unit edits it
	ChecklistInReview   ChecklistStatus = "in_review"  // in legality review (合法性审查)
	ChecklistPublished  ChecklistStatus = "published"  // in force, immutable
	ChecklistSuperseded ChecklistStatus = "superseded" // replaced by its next version, still readable
	ChecklistAbolished  ChecklistStatus = "abolished"  // withdrawn (废止)
)

// Moves of checklists besides the common ones.
const (
	MoveSubmitForReview  = "submitForReview"  // send a draft to legality review
	MoveReturnFromReview = "returnFromReview" // send it back to its unit with a comment
	MoveRevise           = "revise"           // start the next version of a published list
	MoveAbolish          = "abolish"          // withdraw a published list
)

// ChecklistLifecycle is a checklist version's (清单): its issuing unit edits
// a draft and sends it to the legality review of the Justice Bureau, which
// returns it with a comment or publishes it; a published version is
// immutable. Revising a published list starts its next version as a draft;
// publishing that supersedes the old one, which stays readable forever.
// Abolishing withdraws a published list: it leaves the released states.
var ChecklistLifecycle = Lifecycle[ChecklistStatus]{
	Entity:   "checklist",
	Initial:  ChecklistDraft,
	States:   []ChecklistStatus{ChecklistDraft, ChecklistInReview, ChecklistPublished, ChecklistSuperseded, ChecklistAbolished},
	Released: []ChecklistStatus{ChecklistPublished, ChecklistSuperseded},
	Moves: []Move[ChecklistStatus]{
		// The list's fields and its items change with it.
		{Name: MoveEdit, From: []ChecklistStatus{ChecklistDraft}, Code: "checklist_not_draft"},
		{Name: MoveDelete, From: []ChecklistStatus{ChecklistDraft}, Code: "checklist_not_draft"},
		{Name: MoveSubmitForReview, From: []ChecklistStatus{ChecklistDraft}, To: ChecklistInReview, Code: "checklist_not_draft"},
		{Name: MoveReturnFromReview, From: []ChecklistStatus{ChecklistInReview}, To: ChecklistDraft, Code: "checklist_not_in_review"},
		{Name: MovePublish, From: []ChecklistStatus{ChecklistInReview}, To: ChecklistPublished, Code: "checklist_not_in_review"},
		{Name: MoveRevise, From: []ChecklistStatus{ChecklistPublished}, Code: "checklist_not_published"},
		{Name: MoveSupersede, From: []ChecklistStatus{ChecklistPublished}, To: ChecklistSuperseded, Code: "checklist_not_published"},
		{Name: MoveAbolish, From: []ChecklistStatus{ChecklistPublished}, To: ChecklistAbolished, Code: "checklist_not_published"},
	},
}

// Checklist is one version of a list (清单): the list's fields as that
// version has them, and its items (ChecklistItem). Every version of a list
// shares ListID, the id of its first version.
type Checklist struct {
	ID             string          `gorm:"column:id;primaryKey"`
	ListID         string          `gorm:"column:list_id"`
	VersionNo      int             `gorm:"column:version_no"`
	KindKey        string          `gorm:"column:kind_key"`
	Title          string          `gorm:"column:title"`
	IssuingUnitID  string          `gorm:"column:issuing_unit_id"`
	DocumentNumber string          `gorm:"column:document_number"` // 文号
	Year           int             `gorm:"column:year"`
	EffectiveDate  *string         `gorm:"column:effective_date"` // YYYY-MM-DD
	Status         ChecklistStatus `gorm:"column:status"`
	SubmittedBy    *string         `gorm:"column:submitted_by"`
	SubmittedAt    *time.Time      `gorm:"column:submitted_at"`
	ReviewedBy     *string         `gorm:"column:reviewed_by"`
	ReviewedAt     *time.Time      `gorm:"column:reviewed_at"`
	ReviewComment  *string         `gorm:"column:review_comment"`
	PublishedAt    *time.Time      `gorm:"column:published_at"`
	EndedAt        *time.Time      `gorm:"column:ended_at"` // superseded or abolished
	SampleData     bool            `gorm:"column:sample_data"`
	Version        int64           `gorm:"column:version"`
	CreatedAt      time.Time       `gorm:"column:created_at"`
	UpdatedAt      time.Time       `gorm:"column:updated_at"`
}

// TableName maps Checklist to its table.
func (Checklist) TableName() string { return "checklists" }

// Bounds of a list's fields, in characters.
const (
	MaxChecklistTitle   = 200
	MaxDocumentNumber   = 100
	MaxChecklistComment = 2000
	MaxChecklistItems   = 100000
)

// Validate checks a list's own fields.
func (c *Checklist) Validate() error {
	var fields []FieldError
	if strings.TrimSpace(c.Title) == "" {
		fields = append(fields, FieldError{Pointer: "/title", Message: "a list needs a title"})
	}
	if c.Year < 2000 || c.Year > 2100 {
		fields = append(fields, FieldError{Pointer: "/year", Message: "the year must be between 2000 and 2100"})
	}
	if c.EffectiveDate != nil {
		if _, err := time.Parse(time.DateOnly, *c.EffectiveDate); err != nil {
			fields = append(fields, FieldError{Pointer: "/effectiveDate", Message: "the effective date must be a date such as 2021-06-01"})
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Code: "checklist_invalid", Detail: "the checklist is not valid", Fields: fields}
	}
	return nil
}

// NewChecklist makes the first version of a list, a draft, of the content
// given, at version 1.
func NewChecklist(content Checklist, id string, at time.Time) (*Checklist, error) {
	c := content
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.ID, c.ListID, c.VersionNo, c.Status, c.Version = id, id, 1, ChecklistLifecycle.Initial, 1
	c.SubmittedBy, c.SubmittedAt, c.ReviewedBy, c.ReviewedAt, c.ReviewComment = nil, nil, nil, nil, nil
	c.PublishedAt, c.EndedAt = nil, nil
	c.CreatedAt, c.UpdatedAt = at, at
	return &c, nil
}

// ChecklistPatch is a merge patch of a draft list: nil fields stay.
type ChecklistPatch struct {
	Title          *string
	DocumentNumber *string
	Year           *int
	EffectiveDate  *string // "" clears it
}

// Editable refuses a change to a list that is not a draft: to it or to its
// items.
func (c *Checklist) Editable() error {
	_, err := ChecklistLifecycle.Check(MoveEdit, c.ID, c.Status)
	return err
}

// Edit applies a merge patch to a draft.
func (c *Checklist) Edit(p ChecklistPatch) error {
	if err := c.Editable(); err != nil {
		return err
	}
	if p.Title != nil {
		c.Title = *p.Title
	}
	if p.DocumentNumber != nil {
		c.DocumentNumber = *p.DocumentNumber
	}
	if p.Year != nil {
		c.Year = *p.Year
	}
	if p.EffectiveDate != nil {
		c.EffectiveDate = p.EffectiveDate
		if *p.EffectiveDate == "" {
			c.EffectiveDate = nil
		}
	}
	return c.Validate()
}

// SubmitForReview sends a draft with at least one item to legality review.
func (c *Checklist) SubmitForReview(by Actor, at time.Time, items int) error {
	to, err := ChecklistLifecycle.Check(MoveSubmitForReview, c.ID, c.Status)
	if err != nil {
		return err
	}
	if items == 0 {
		return &ConflictError{Code: "checklist_empty", Detail: fmt.Sprintf("checklist %s has no items: there is nothing to review", c.ID)}
	}
	c.Status, c.SubmittedBy, c.SubmittedAt = to, by.ref(), &at
	return nil
}

// ReturnFromReview sends a list in review back to its unit, saying why (the
// contract requires the comment).
func (c *Checklist) ReturnFromReview(by Actor, at time.Time, comment string) error {
	to, err := ChecklistLifecycle.Check(MoveReturnFromReview, c.ID, c.Status)
	if err != nil {
		return err
	}
	if err := c.notSubmittedBy(by); err != nil {
		return err
	}
	if strings.TrimSpace(comment) == "" {
		return Invalid("checklist_invalid", "/comment", "say why the list goes back: the comment is what its unit works from")
	}
	c.Status, c.ReviewedBy, c.ReviewedAt, c.ReviewComment = to, by.ref(), &at, &comment
	return nil
}

// Publish ends the legality review of a list in review: it is in force
// from now on and never changes again. A reviewer does not publish its own
// unit's submission's review: the one who submitted cannot approve it.
func (c *Checklist) Publish(by Actor, at time.Time, comment string) error {
	to, err := ChecklistLifecycle.Check(MovePublish, c.ID, c.Status)
	if err != nil {
		return err
	}
	if err := c.notSubmittedBy(by); err != nil {
		return err
	}
	c.Status, c.ReviewedBy, c.ReviewedAt, c.PublishedAt = to, by.ref(), &at, &at
	c.ReviewComment = nil
	if strings.TrimSpace(comment) != "" {
		c.ReviewComment = &comment
	}
	return nil
}

// notSubmittedBy refuses the legality review of a list to the one who
// submitted it, whether it returns or publishes it.
func (c *Checklist) notSubmittedBy(by Actor) error {
	if c.SubmittedBy != nil && Actor(*c.SubmittedBy) == by {
		return &ForbiddenError{Code: "self_review", Detail: "the legality review of a list is someone else's than the one who submitted it"}
	}
	return nil
}

// Revision starts the next version of a published list: a draft with the
// same fields, which the caller fills with copies of the items (ReviseItem).
func (c *Checklist) Revision(id string, at time.Time) (*Checklist, error) {
	if _, err := ChecklistLifecycle.Check(MoveRevise, c.ID, c.Status); err != nil {
		return nil, err
	}
	next, err := NewChecklist(*c, id, at)
	if err != nil {
		return nil, err
	}
	next.ListID, next.VersionNo, next.SampleData = c.ListID, c.VersionNo+1, c.SampleData
	return next, nil
}

// Supersede retires a published version when its next one is published.
func (c *Checklist) Supersede(at time.Time) error {
	to, err := ChecklistLifecycle.Check(MoveSupersede, c.ID, c.Status)
	if err != nil {
		return err
	}
	c.Status, c.EndedAt = to, &at
	return nil
}

// Abolish withdraws a published list.
func (c *Checklist) Abolish(at time.Time) error {
	to, err := ChecklistLifecycle.Check(MoveAbolish, c.ID, c.Status)
	if err != nil {
		return err
	}
	c.Status, c.EndedAt = to, &at
	return nil
}

// ChecklistItem is one item of a list's version. Its ItemKey is the same in
// every version of the list that carries the item, which is how versions
// are compared.
type ChecklistItem struct {
	ID                 string            `gorm:"column:id;primaryKey"`
	ChecklistID        string            `gorm:"column:checklist_id"`
	ItemKey            string            `gorm:"column:item_key"`
	Sequence           int               `gorm:"column:sequence"`
	Name               string            `gorm:"column:name"`
	ImplementingUnitID *string           `gorm:"column:implementing_unit_id"`
	LegalBasis         string            `gorm:"column:legal_basis"`
	Remark             string            `gorm:"column:remark"`
	Category           string            `gorm:"column:category"`
	Attributes         map[string]string `gorm:"column:attributes;serializer:json"`
	// SearchText is the folded text q searches: name, legal basis, category
	// and the kind's searchable columns (textsearch).
	SearchText string    `gorm:"column:search_text"`
	Version    int64     `gorm:"column:version"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	UpdatedAt  time.Time `gorm:"column:updated_at"`
}

// TableName maps ChecklistItem to its table.
func (ChecklistItem) TableName() string { return "checklist_items" }

// ChecklistItemRef is what an import matches a sheet's rows with: an item's
// identity, key and place, and the version it was read at.
type ChecklistItemRef struct {
	ID       string
	ItemKey  string
	Sequence int
	Version  int64
}

// Ref is the item's ChecklistItemRef.
func (it *ChecklistItem) Ref() ChecklistItemRef {
	return ChecklistItemRef{ID: it.ID, ItemKey: it.ItemKey, Sequence: it.Sequence, Version: it.Version}
}

// Bounds of an item's common fields, in characters.
const (
	MaxItemName       = 500
	MaxItemLegalBasis = 4000
	MaxItemRemark     = 2000
	MaxItemCategory   = 100
)

// Validate checks an item against its kind: its common fields and its
// attributes. prefix is the item's pointer in a bulk body or a sheet ("" for
// a single item).
func (it *ChecklistItem) Validate(kind *ChecklistKind, unitExists func(id string) bool, prefix string) error {
	var fields []FieldError
	if it.Sequence < 1 {
		fields = append(fields, FieldError{Pointer: prefix + "/sequence", Message: "the sequence starts at 1"})
	}
	if strings.TrimSpace(it.Name) == "" {
		fields = append(fields, FieldError{Pointer: prefix + "/name", Message: "an item needs a name"})
	}
	if it.ImplementingUnitID != nil && !unitExists(*it.ImplementingUnitID) {
		fields = append(fields, FieldError{Pointer: prefix + "/implementingUnitId", Message: "names no unit"})
	}
	fields = append(fields, kind.CheckAttributes(it.Attributes, unitExists, prefix)...)
	if len(fields) > 0 {
		name := it.Name
		if name == "" {
			name = fmt.Sprintf("number %d", it.Sequence)
		}
		return &ValidationError{Code: "checklist_item_invalid", Detail: fmt.Sprintf("item %s is not valid for %s", name, kind.Name), Fields: fields}
	}
	return nil
}
