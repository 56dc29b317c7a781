package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// checklistBatch is how many items one AddChecklistItems call writes: a
// transaction each, so that 100,000 items with their audit events and
// search grams do not hold one transaction (and MariaDB's undo log) for the
// whole list.
const checklistBatch = 10_000

// seedChecklist writes a city's published 不予处罚事项清单 of s.ChecklistItems
// items as the product does: the draft (CreateChecklist), its items in
// batches (AddChecklistItems: validation, search text and grams, an audit
// event each), submitted by the administrator and published by a legality
// reviewer, for the review is never its submitter's. The items are the demo
// list's, in turn, each given to one of the districts in rotation as its
// implementing unit. It returns the list's id.
func seedChecklist(ctx context.Context, db *store.DB, s scale, city string, districts []*models.Unit, admin *models.User) (string, error) {
	// Nobody signs in as the reviewer: it has the administrator's password hash.
	reviewer := &models.User{Username: "bench.legality", DisplayName: "基准合法性审查员", UnitID: city,
		Roles: []models.Role{models.RoleCityReviewer}, PasswordHash: admin.PasswordHash}
	if err := db.CreateUser(ctx, reviewer); err != nil {
		return "", fmt.Errorf("legality reviewer: %w", err)
	}
	effective := "2021-08-01"
	c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: "noPenalty", Title: "基准市不予处罚事项清单",
		IssuingUnitID: city, DocumentNumber: "基准政办发〔2021〕18号", Year: 2021, EffectiveDate: &effective})
	if err != nil {
		return "", fmt.Errorf("checklist: %w", err)
	}
	_, templates := demo.FlexibleList2021()
	items := make([]*models.ChecklistItem, s.ChecklistItems)
	for i := range items {
		t := templates[i%len(templates)]
		unit := districts[i%len(districts)].ID
		items[i] = &models.ChecklistItem{Name: t.Name, ImplementingUnitID: &unit, LegalBasis: t.LegalBasis,
			Category: t.Category, Attributes: t.Attributes}
	}
	for batch := range slices.Chunk(items, checklistBatch) {
		if err := db.AddChecklistItems(ctx, c.ID, batch); err != nil {
			return "", fmt.Errorf("checklist items: %w", err)
		}
	}
	if c, err = db.SubmitChecklist(ctx, c.ID, &c.Version, models.UserActor(admin.ID)); err != nil {
		return "", fmt.Errorf("submit the checklist: %w", err)
	}
	if _, err := db.PublishChecklist(ctx, c.ID, &c.Version, models.UserActor(reviewer.ID), "经合法性审查，同意发布。"); err != nil {
		return "", fmt.Errorf("publish the checklist: %w", err)
	}
	return c.ID, nil
}
