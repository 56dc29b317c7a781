package models

import (
	"time"
)

// SystemLifecycle is an indicator system's (指标体系): a draft is edited,
// indicators and all; published, it is frozen and takes reports and
// evaluations; archived, it is kept for the evaluations of its years. A new
// edition is a new draft. Published and archived systems are released.
var SystemLifecycle = Lifecycle[SystemStatus]{
	Entity:   "indicator system",
	Initial:  SystemDraft,
	States:   []SystemStatus{SystemDraft, SystemPublished, SystemArchived},
	Released: []SystemStatus{SystemPublished, SystemArchived},
	Moves: []Move[SystemStatus]{
		// Its indicators, their scoring rules and its grades change with it.
		{Name: MoveEdit, From: []SystemStatus{SystemDraft}, Code: "indicator_system_not_draft"},
		{Name: MoveDelete, From: []SystemStatus{SystemDraft}, Code: "indicator_system_not_draft"},
		{Name: MovePublish, From: []SystemStatus{SystemDraft}, To: SystemPublished, Code: "indicator_system_not_draft"},
		{Name: MoveArchive, From: []SystemStatus{SystemPublished}, To: SystemArchived, Code: "indicator_system_not_published"},
		{Name: MoveReport, From: []SystemStatus{SystemPublished}, Code: "indicator_system_not_published"},
		{Name: MoveEvaluate, From: []SystemStatus{SystemPublished, SystemArchived}, Code: "indicator_system_not_published"},
	},
}

// NewIndicatorSystem makes a draft system of the content given, at version 1.
func NewIndicatorSystem(content IndicatorSystem, at time.Time) (*IndicatorSystem, error) {
	s := content
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s.Status, s.PreviousEditionID, s.PublishedAt, s.Version = SystemLifecycle.Initial, nil, nil, 1
	s.CreatedAt, s.UpdatedAt = at, at
	return &s, nil
}

// NewEdition makes the next edition of s: a draft copy with the edition's
// name (s's when empty), label and years, that remembers s. Its indicators
// are copies of s's, each remembering its source.
func (s *IndicatorSystem) NewEdition(name, edition string, yearFrom, yearTo int, at time.Time) (*IndicatorSystem, error) {
	next := *s
	if name != "" {
		next.Name = name
	}
	next.Edition, next.YearFrom, next.YearTo = edition, yearFrom, yearTo
	n, err := NewIndicatorSystem(next, at)
	if err != nil {
		return nil, err
	}
	n.PreviousEditionID = &s.ID
	return n, nil
}

// Editable refuses a change to a system that is not a draft: to it, its
// indicators, their scoring rules or its grades.
func (s *IndicatorSystem) Editable() error {
	_, err := SystemLifecycle.Check(MoveEdit, s.ID, s.Status)
	return err
}

// Reportable refuses values for a system that is not published.
func (s *IndicatorSystem) Reportable() error {
	_, err := SystemLifecycle.Check(MoveReport, s.ID, s.Status)
	return err
}

// Edit applies a merge patch to a draft system.
func (s *IndicatorSystem) Edit(p SystemPatch) error {
	if err := s.Editable(); err != nil {
		return err
	}
	if p.Name != nil {
		s.Name = *p.Name
	}
	if p.Edition != nil {
		s.Edition = *p.Edition
	}
	if p.YearFrom != nil {
		s.YearFrom = *p.YearFrom
	}
	if p.YearTo != nil {
		s.YearTo = *p.YearTo
	}
	if p.TotalPoints != nil {
		s.TotalPoints = *p.TotalPoints
	}
	if p.GradeBands != nil {
		s.GradeBands = *p.GradeBands
	}
	if p.IssuingUnitID != nil {
		s.IssuingUnitID = *p.IssuingUnitID
	}
	return s.Validate()
}

// Publish freezes a draft whose points add up (CheckPoints over its
// indicators, in tree order so that mismatches are named in a stable order).
func (s *IndicatorSystem) Publish(at time.Time, indicators []Indicator) error {
	to, err := SystemLifecycle.Check(MovePublish, s.ID, s.Status)
	if err != nil {
		return err
	}
	if err := CheckPoints(s.TotalPoints, indicators); err != nil {
		return err
	}
	s.Status, s.PublishedAt = to, &at
	return nil
}

// Archive retires a published system: it takes no more reports, and its
// evaluations stay.
func (s *IndicatorSystem) Archive() error {
	to, err := SystemLifecycle.Check(MoveArchive, s.ID, s.Status)
	if err != nil {
		return err
	}
	s.Status = to
	return nil
}
