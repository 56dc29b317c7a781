package models

// What reads and changes of checklists take besides the records: filters,
// merge patches and counts, shared by the store, the HTTP layer and the
// demo data.

// ChecklistKindPatch is a merge patch of a defined kind: nil fields stay.
type ChecklistKindPatch struct {
	Name        *string
	Description *string
	Columns     []KindColumn // nil: unchanged
}

// ChecklistFilter selects list versions; zero fields do not filter.
type ChecklistFilter struct {
	KindKey       string
	IssuingUnitID string
	Year          int
	ListID        string
	Statuses      []ChecklistStatus // any of them
	// UnitPath limits the lists to those issued in a subtree;
	// ReleasedElsewhere adds the released versions issued outside it.
	UnitPath          string
	ReleasedElsewhere bool
}

// ChecklistItemFilter selects a version's items; zero fields do not filter.
type ChecklistItemFilter struct {
	ImplementingUnitID string
	Category           string
	// Attributes match enum columns' values exactly: column key → value.
	Attributes map[string]string
	Query      string
}

// ChecklistItemPatch is a merge patch of an item: nil fields stay.
type ChecklistItemPatch struct {
	Sequence           *int
	Name               *string
	ImplementingUnitID *string // "" clears it
	LegalBasis         *string
	Remark             *string
	Category           *string
	// Attributes merge into the item's: a key with "" removes the value.
	Attributes map[string]string
}

// Apply changes the item as the patch says, but for its place: a new
// Sequence moves the item among the others, which the store does.
func (p ChecklistItemPatch) Apply(it *ChecklistItem) {
	if p.Name != nil {
		it.Name = *p.Name
	}
	if p.ImplementingUnitID != nil {
		it.ImplementingUnitID = p.ImplementingUnitID
		if *p.ImplementingUnitID == "" {
			it.ImplementingUnitID = nil
		}
	}
	if p.LegalBasis != nil {
		it.LegalBasis = *p.LegalBasis
	}
	if p.Remark != nil {
		it.Remark = *p.Remark
	}
	if p.Category != nil {
		it.Category = *p.Category
	}
	if len(p.Attributes) > 0 {
		attrs := make(map[string]string, len(it.Attributes)+len(p.Attributes))
		for k, v := range it.Attributes {
			attrs[k] = v
		}
		for k, v := range p.Attributes {
			if v == "" {
				delete(attrs, k)
			} else {
				attrs[k] = v
			}
		}
		it.Attributes = attrs
	}
}

// ChecklistCount is one group of a list version's statistics.
type ChecklistCount struct {
	Key   string
	Items int
}

// ChecklistStatistics are a version's items counted by implementing unit
// (the empty key: items without one) and by category, biggest first.
type ChecklistStatistics struct {
	Items      int
	ByUnit     []ChecklistCount
	ByCategory []ChecklistCount
}

// RevisionIDs fix the ids a revision and its copies of the items get, as
// the demo data's fixed ids do; a zero field (or an empty answer) gets a new
// id.
type RevisionIDs struct {
	Version string
	Item    func(itemKey string) string
}

// ChecklistItemChanges are what an import does to a draft's items, all or
// nothing. Update and Delete carry each item as the import read it, its
// Version included: an item changed since is a conflict.
type ChecklistItemChanges struct {
	Create []ChecklistItem
	Update []ChecklistItem
	Delete []ChecklistItem
}
