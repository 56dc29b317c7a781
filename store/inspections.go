package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// Rounds of self-inspection and supervision (models.InspectionRound): the
// round, one sheet a unit (models.InspectionSheet, whose lifecycle goes
// through the write path of store/lifecycle.go) and its answers.

func roundNotFound(id string) error { return &models.NotFoundError{Entity: "inspection round", ID: id} }
func sheetNotFound(id string) error { return &models.NotFoundError{Entity: "inspection sheet", ID: id} }

func roundSnapshot(r *models.InspectionRound, unitIDs []string) map[string]any {
	return map[string]any{"id": r.ID, "checklistId": r.ChecklistID, "title": r.Title, "assigningUnitId": r.AssigningUnitID,
		"deadline": r.Deadline, "unitIds": unitIDs, "version": r.Version}
}

func sheetSnapshot(s *models.InspectionSheet) map[string]any {
	m := map[string]any{"id": s.ID, "roundId": s.RoundID, "unitId": s.UnitID, "status": s.Status, "version": s.Version}
	for k, v := range map[string]*string{"submittedBy": s.SubmittedBy, "reviewedBy": s.ReviewedBy, "returnReason": s.ReturnReason} {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

// sheetChange is a sheet's audit event. A round is released once one of
// its sheets is, and shows its released sheets: an accepted sheet's change
// alters its round as the feed renders it.
func sheetChange(before, after *models.InspectionSheet) change {
	c := snapshotChange("inspection_sheet", before, after,
		func(s *models.InspectionSheet) (string, *string) { return s.ID, &s.UnitID }, sheetSnapshot)
	c.alsoFeed = []feedRef{{"inspection_round", cmp.Or(after, before).RoundID}}
	return c
}

// sheetModel is how the lifecycle's write path persists sheets.
var sheetModel = model[models.InspectionSheet]{
	entity:  "inspection sheet",
	columns: []string{"status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "return_reason", "version", "updated_at"},
	id:      func(s *models.InspectionSheet) string { return s.ID },
	version: func(s *models.InspectionSheet) *int64 { return &s.Version },
	updated: func(s *models.InspectionSheet) *time.Time { return &s.UpdatedAt },
	allows: func(s *models.InspectionSheet, move string) error {
		_, err := models.InspectionLifecycle.Check(move, s.ID, s.Status)
		return err
	},
	audit: sheetChange,
}

// CreateInspectionRound assigns a published list to units: the round and a
// sheet to answer for each unit, in one transaction.
// The demo's sheets have fixed ids: sheetIDs, when given, are the sheets'
// ids in the order of unitIDs.
func (db *DB) CreateInspectionRound(ctx context.Context, r *models.InspectionRound, unitIDs []string, sheetIDs ...string) ([]models.InspectionSheet, error) {
	var sheets []models.InspectionSheet
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var c models.Checklist
		err := tx.Where("id = ?", r.ChecklistID).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Invalid("inspection_round_invalid", "/checklistId", "there is no checklist %s", r.ChecklistID)
		}
		if err != nil {
			return translate(err)
		}
		if c.Status != models.ChecklistPublished {
			return &models.ConflictError{Code: "checklist_not_published",
				Detail:  fmt.Sprintf("checklist %s is %s: a round assigns the published version of a list", c.ID, c.Status),
				Allowed: []string{string(models.ChecklistPublished)}}
		}
		if err := r.Validate(unitIDs); err != nil {
			return err
		}
		var found []string
		for part := range slices.Chunk(unitIDs, batchSize) {
			var ids []string
			if err := tx.Model(&models.Unit{}).Where("id IN ?", part).Pluck("id", &ids).Error; err != nil {
				return translate(err)
			}
			found = append(found, ids...)
		}
		var fields []models.FieldError
		for i, id := range unitIDs {
			if !slices.Contains(found, id) {
				fields = append(fields, models.FieldError{Pointer: fmt.Sprintf("/unitIds/%d", i), Message: fmt.Sprintf("there is no unit %s", id)})
			}
		}
		if len(fields) > 0 {
			return &models.ValidationError{Code: "inspection_round_invalid", Detail: "the round is not valid", Fields: fields}
		}
		if r.ID == "" {
			r.ID = NewID()
		}
		r.Version, r.CreatedAt, r.UpdatedAt = 1, at, at
		if err := tx.Create(r).Error; err != nil {
			return translate(err)
		}
		changes := []change{{entityType: "inspection_round", entityID: r.ID, unitID: &r.AssigningUnitID, after: roundSnapshot(r, unitIDs)}}
		sheets = make([]models.InspectionSheet, len(unitIDs))
		for i, unitID := range unitIDs {
			id := NewID()
			if len(sheetIDs) == len(unitIDs) {
				id = sheetIDs[i]
			}
			sheets[i] = *models.NewInspectionSheet(id, r.ID, unitID, at)
			changes = append(changes, sheetChange(nil, &sheets[i]))
		}
		if err := tx.CreateInBatches(sheets, batchSize).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, changes...)
	})
	if err != nil {
		return nil, fmt.Errorf("create inspection round: %w", err)
	}
	return sheets, nil
}

// GetInspectionRound reads a round and its sheets, in the order of their
// units' ids.
func (db *DB) GetInspectionRound(ctx context.Context, id string) (*models.InspectionRound, []models.InspectionSheet, error) {
	r, err := find[models.InspectionRound](ctx, db, "inspection round "+id, roundNotFound(id), "id = ?", id)
	if err != nil {
		return nil, nil, err
	}
	var sheets []models.InspectionSheet
	if err := db.gorm.WithContext(ctx).Where("round_id = ?", id).Order("unit_id").Find(&sheets).Error; err != nil {
		return nil, nil, fmt.Errorf("sheets of inspection round %s: %w", id, translate(err))
	}
	return r, sheets, nil
}

// ListInspectionRounds reads a page of rounds, newest first.
func (db *DB) ListInspectionRounds(ctx context.Context, f models.InspectionRoundFilter, page paging.Page) ([]models.InspectionRound, *paging.Cursor, error) {
	g := db.gorm.WithContext(ctx)
	q := g.Model(&models.InspectionRound{})
	if f.ChecklistID != "" {
		q = q.Where("checklist_id = ?", f.ChecklistID)
	}
	sheets := func() *gorm.DB {
		return g.Session(&gorm.Session{NewDB: true}).Model(&models.InspectionSheet{}).Select("round_id")
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		units := g.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		q = q.Where("(id IN (?) OR assigning_unit_id IN (?))", sheets().Where("unit_id IN (?)", units), units)
	}
	if f.ReleasedOnly {
		q = q.Where("id IN (?)", sheets().Where("status IN ?", models.InspectionLifecycle.Released))
	}
	if f.Overdue {
		q = q.Where("deadline < ? AND id IN (?)", f.Today,
			sheets().Where("status IN ?", models.Unsubmitted()))
	}
	if page.Sort.Field == "" {
		page.Sort = paging.ParseSort("-createdAt")
	}
	col, parse, key := "created_at", parseInstant, func(r *models.InspectionRound) string { return instant(r.CreatedAt) }
	if page.Sort.Field == "deadline" {
		col, parse, key = "deadline", timeOrText("deadline"), func(r *models.InspectionRound) string { return r.Deadline }
	}
	rows, next, err := keysetPage(q, col, false, page, parse, key, func(r *models.InspectionRound) string { return r.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list inspection rounds: %w", err)
	}
	return rows, next, nil
}

// RoundsSheets reads the sheets of rounds, by round.
func (db *DB) RoundsSheets(ctx context.Context, roundIDs []string) (map[string][]models.InspectionSheet, error) {
	out := map[string][]models.InspectionSheet{}
	for part := range slices.Chunk(roundIDs, batchSize) {
		var sheets []models.InspectionSheet
		if err := db.gorm.WithContext(ctx).Where("round_id IN ?", part).Order("unit_id").Find(&sheets).Error; err != nil {
			return nil, fmt.Errorf("sheets of inspection rounds: %w", translate(err))
		}
		for _, s := range sheets {
			out[s.RoundID] = append(out[s.RoundID], s)
		}
	}
	return out, nil
}

// GetInspectionSheet reads a sheet, its round and its answers (by item).
func (db *DB) GetInspectionSheet(ctx context.Context, id string) (*models.InspectionSheet, *models.InspectionRound, []models.InspectionAnswer, error) {
	s, err := find[models.InspectionSheet](ctx, db, "inspection sheet "+id, sheetNotFound(id), "id = ?", id)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := find[models.InspectionRound](ctx, db, "inspection round "+s.RoundID, roundNotFound(s.RoundID), "id = ?", s.RoundID)
	if err != nil {
		return nil, nil, nil, err
	}
	var answers []models.InspectionAnswer
	if err := db.gorm.WithContext(ctx).Where("sheet_id = ?", id).Order("item_id").Find(&answers).Error; err != nil {
		return nil, nil, nil, fmt.Errorf("answers of inspection sheet %s: %w", id, translate(err))
	}
	return s, r, answers, nil
}

func answerSnapshot(a *models.InspectionAnswer) map[string]any {
	return map[string]any{"id": a.ID, "sheetId": a.SheetID, "itemId": a.ItemID, "result": a.Result, "comment": a.Comment, "version": a.Version}
}

// AnswerInspectionItem records or changes a unit's answer to one item of
// its round's list, while the unit works on the sheet (which is locked
// meanwhile, so it cannot be submitted half-answered). A new answer is
// made with ifVersion nil; a change needs the answer's version
// (models.PreconditionRequired otherwise). created tells which it was.
func (db *DB) AnswerInspectionItem(ctx context.Context, sheetID string, a *models.InspectionAnswer, ifVersion *int64) (created bool, err error) {
	err = db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		s, err := lockOne(db, tx, sheetModel, target{id: sheetID, move: models.MoveEdit})
		if err != nil {
			return err
		}
		var r models.InspectionRound
		if err := tx.Where("id = ?", s.RoundID).Take(&r).Error; err != nil {
			return translate(err)
		}
		var it models.ChecklistItem
		err = tx.Select("id", "checklist_id").Where("id = ? AND checklist_id = ?", a.ItemID, r.ChecklistID).Take(&it).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &models.NotFoundError{Entity: "item of the round's list", ID: a.ItemID}
		}
		if err != nil {
			return translate(err)
		}
		if err := a.Validate(); err != nil {
			return err
		}
		var old models.InspectionAnswer
		err = db.forUpdate(tx.Where("sheet_id = ? AND item_id = ?", sheetID, a.ItemID)).Take(&old).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			if ifVersion != nil {
				return &models.PreconditionError{Detail: fmt.Sprintf("item %s has no answer yet: answer it without If-Match", a.ItemID)}
			}
			if a.ID == "" { // the demo's answers have fixed ids
				a.ID = NewID()
			}
			a.SheetID, a.Version, a.CreatedAt, a.UpdatedAt = sheetID, 1, at, at
			if err := tx.Create(a).Error; err != nil {
				return translate(err)
			}
			created = true
			return db.record(ctx, tx, at, change{entityType: "inspection_answer", entityID: a.ID, unitID: &s.UnitID, after: answerSnapshot(a)})
		case err != nil:
			return translate(err)
		}
		if ifVersion == nil {
			return &models.PreconditionError{Required: true,
				Detail: fmt.Sprintf("item %s is answered already: send If-Match with the ETag of its answer to change it", a.ItemID)}
		}
		if *ifVersion != old.Version {
			return &models.PreconditionError{Detail: fmt.Sprintf("the answer to item %s is at version %d, not %d", a.ItemID, old.Version, *ifVersion)}
		}
		a.ID, a.SheetID, a.Version, a.CreatedAt, a.UpdatedAt = old.ID, sheetID, old.Version+1, old.CreatedAt, at
		if err := tx.Save(a).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, change{entityType: "inspection_answer", entityID: a.ID, unitID: &s.UnitID, before: answerSnapshot(&old), after: answerSnapshot(a)})
	})
	if err != nil {
		return false, fmt.Errorf("answer item %s of inspection sheet %s: %w", a.ItemID, sheetID, err)
	}
	return created, nil
}

// SubmitInspectionSheet sends a unit's answers to the assigning office once
// every item of the list is answered.
func (db *DB) SubmitInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error) {
	s, err := changeOne(ctx, db, sheetModel, target{id, models.MoveSubmit, ifVersion},
		func(tx *gorm.DB, at time.Time, s *models.InspectionSheet) error {
			var items, answered int64
			err := tx.Model(&models.ChecklistItem{}).
				Where("checklist_id = (?)", tx.Session(&gorm.Session{NewDB: true}).Model(&models.InspectionRound{}).Select("checklist_id").Where("id = ?", s.RoundID)).
				Count(&items).Error
			if err != nil {
				return translate(err)
			}
			if err := tx.Model(&models.InspectionAnswer{}).Where("sheet_id = ?", s.ID).Count(&answered).Error; err != nil {
				return translate(err)
			}
			return s.Submit(by, at, int(items), int(answered))
		})
	if err != nil {
		return nil, fmt.Errorf("submit inspection sheet %s: %w", id, err)
	}
	return s, nil
}

// ReturnInspectionSheet sends submitted answers back with a reason.
func (db *DB) ReturnInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor, reason string) (*models.InspectionSheet, error) {
	s, err := changeOne(ctx, db, sheetModel, target{id, models.MoveReturn, ifVersion},
		func(_ *gorm.DB, at time.Time, s *models.InspectionSheet) error { return s.Return(by, at, reason) })
	if err != nil {
		return nil, fmt.Errorf("return inspection sheet %s: %w", id, err)
	}
	return s, nil
}

// AcceptInspectionSheet accepts submitted answers.
func (db *DB) AcceptInspectionSheet(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.InspectionSheet, error) {
	s, err := changeOne(ctx, db, sheetModel, target{id, models.MoveAccept, ifVersion},
		func(_ *gorm.DB, at time.Time, s *models.InspectionSheet) error { return s.Accept(by, at) })
	if err != nil {
		return nil, fmt.Errorf("accept inspection sheet %s: %w", id, err)
	}
	return s, nil
}

// InspectionTallies counts the answers of a round's sheets (of those in
// sheetIDs) by sheet and by item, with the number of the list's items, in
// two GROUP BY queries.
func (db *DB) InspectionTallies(ctx context.Context, r *models.InspectionRound, sheetIDs []string) (bySheet, byItem map[string]*models.InspectionTally, items []models.ChecklistItem, err error) {
	g := db.gorm.WithContext(ctx)
	if err := g.Select("id", "sequence", "name").Where("checklist_id = ?", r.ChecklistID).Order("sequence").Find(&items).Error; err != nil {
		return nil, nil, nil, fmt.Errorf("items of inspection round %s: %w", r.ID, translate(err))
	}
	bySheet, byItem = map[string]*models.InspectionTally{}, map[string]*models.InspectionTally{}
	for _, id := range sheetIDs {
		bySheet[id] = &models.InspectionTally{Items: len(items)}
	}
	for _, it := range items {
		byItem[it.ID] = &models.InspectionTally{Items: len(sheetIDs)}
	}
	for part := range slices.Chunk(sheetIDs, batchSize) {
		var rows []struct {
			SheetID, ItemID string
			Result          models.InspectionResult
		}
		if err := g.Model(&models.InspectionAnswer{}).Select("sheet_id, item_id, result").Where("sheet_id IN ?", part).Scan(&rows).Error; err != nil {
			return nil, nil, nil, fmt.Errorf("answers of inspection round %s: %w", r.ID, translate(err))
		}
		for _, a := range rows {
			bySheet[a.SheetID].Add(a.Result)
			if t := byItem[a.ItemID]; t != nil {
				t.Add(a.Result)
			}
		}
	}
	return bySheet, byItem, items, nil
}

func evidenceNotFound(id string) error {
	return &models.NotFoundError{Entity: "inspection evidence", ID: id}
}

// GetInspectionAnswer reads an answer and its sheet.
func (db *DB) GetInspectionAnswer(ctx context.Context, id string) (*models.InspectionAnswer, *models.InspectionSheet, error) {
	a, err := find[models.InspectionAnswer](ctx, db, "inspection answer "+id, &models.NotFoundError{Entity: "inspection answer", ID: id}, "id = ?", id)
	if err != nil {
		return nil, nil, err
	}
	s, err := find[models.InspectionSheet](ctx, db, "inspection sheet "+a.SheetID, sheetNotFound(a.SheetID), "id = ?", a.SheetID)
	if err != nil {
		return nil, nil, err
	}
	return a, s, nil
}

// CreateInspectionEvidence records a file whose bytes are in the blob store
// already, on an answer whose sheet its unit is working on: the sheet is
// locked while it is checked, so it cannot be submitted meanwhile.
func (db *DB) CreateInspectionEvidence(ctx context.Context, e *models.InspectionEvidence) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var a models.InspectionAnswer
		err := tx.Where("id = ?", e.AnswerID).Take(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &models.NotFoundError{Entity: "inspection answer", ID: e.AnswerID}
		}
		if err != nil {
			return translate(err)
		}
		s, err := lockOne(db, tx, sheetModel, target{id: a.SheetID, move: models.MoveEdit})
		if err != nil {
			return err
		}
		e.CreatedAt = at
		if err := tx.Create(e).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, change{entityType: "inspection_evidence", entityID: e.ID, unitID: &s.UnitID,
			after: map[string]any{"id": e.ID, "answerId": e.AnswerID, "filename": e.Filename, "contentType": e.ContentType,
				"size": e.Size, "sha256": e.SHA256, "createdBy": e.CreatedBy}})
	})
	if err != nil {
		return fmt.Errorf("create evidence of inspection answer %s: %w", e.AnswerID, err)
	}
	return nil
}

// GetInspectionEvidence reads one file of evidence.
func (db *DB) GetInspectionEvidence(ctx context.Context, id string) (*models.InspectionEvidence, error) {
	return find[models.InspectionEvidence](ctx, db, "inspection evidence "+id, evidenceNotFound(id), "id = ?", id)
}

// SheetsDetails reads the rounds, answers and evidence of sheets: one query
// of each per batch, however many sheets.
func (db *DB) SheetsDetails(ctx context.Context, sheets []*models.InspectionSheet) (*models.SheetDetails, error) {
	d := &models.SheetDetails{Rounds: map[string]*models.InspectionRound{}, Answers: map[string][]models.InspectionAnswer{},
		Evidence: map[string][]models.InspectionEvidence{}}
	g := db.gorm.WithContext(ctx)
	ids, roundIDs := make([]string, len(sheets)), make([]string, len(sheets))
	for i, s := range sheets {
		ids[i], roundIDs[i] = s.ID, s.RoundID
	}
	slices.Sort(roundIDs)
	for part := range slices.Chunk(slices.Compact(roundIDs), batchSize) {
		var rounds []models.InspectionRound
		if err := g.Where("id IN ?", part).Find(&rounds).Error; err != nil {
			return nil, fmt.Errorf("rounds of inspection sheets: %w", translate(err))
		}
		for i := range rounds {
			d.Rounds[rounds[i].ID] = &rounds[i]
		}
	}
	sheetOf := map[string]string{} // answer → sheet
	for part := range slices.Chunk(ids, batchSize) {
		var answers []models.InspectionAnswer
		if err := g.Where("sheet_id IN ?", part).Order("sheet_id, item_id").Find(&answers).Error; err != nil {
			return nil, fmt.Errorf("answers of inspection sheets: %w", translate(err))
		}
		for _, a := range answers {
			d.Answers[a.SheetID] = append(d.Answers[a.SheetID], a)
			sheetOf[a.ID] = a.SheetID
		}
		var evidence []models.InspectionEvidence
		err := g.Where("answer_id IN (?)", g.Model(&models.InspectionAnswer{}).Select("id").Where("sheet_id IN ?", part)).
			Order("id").Find(&evidence).Error
		if err != nil {
			return nil, fmt.Errorf("evidence of inspection sheets: %w", translate(err))
		}
		for _, e := range evidence {
			d.Evidence[sheetOf[e.AnswerID]] = append(d.Evidence[sheetOf[e.AnswerID]], e)
		}
	}
	return d, nil
}

// SheetEvidence reads the evidence of a sheet's answers, oldest first.
func (db *DB) SheetEvidence(ctx context.Context, sheetID string) ([]models.InspectionEvidence, error) {
	var out []models.InspectionEvidence
	err := db.gorm.WithContext(ctx).Where("answer_id IN (?)",
		db.gorm.WithContext(ctx).Model(&models.InspectionAnswer{}).Select("id").Where("sheet_id = ?", sheetID)).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("evidence of inspection sheet %s: %w", sheetID, translate(err))
	}
	return out, nil
}

// Today is the date now in China (YYYY-MM-DD), by the store's clock: what
// deadlines are compared with.
func (db *DB) Today() string { return db.Now().In(models.ChinaTime).Format(time.DateOnly) }
