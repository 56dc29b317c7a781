package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

func checklistNotFound(id string) error { return &models.NotFoundError{Entity: "checklist", ID: id} }
func checklistItemNotFound(id string) error {
	return &models.NotFoundError{Entity: "checklist item", ID: id}
}
func checklistKindNotFound(key string) error {
	return &models.NotFoundError{Entity: "checklist kind", ID: key}
}

// Checklist kinds

// ChecklistKinds reads every kind: the built-in ones in the domain's order,
// then those defined here, by key.
func (db *DB) ChecklistKinds(ctx context.Context) ([]models.ChecklistKind, error) {
	kinds := models.BuiltInKinds()
	var defined []models.ChecklistKind
	if err := db.gorm.WithContext(ctx).Order("kind_key").Find(&defined).Error; err != nil {
		return nil, fmt.Errorf("list checklist kinds: %w", translate(err))
	}
	return append(kinds, defined...), nil
}

// GetChecklistKind reads one kind, built-in or defined.
func (db *DB) GetChecklistKind(ctx context.Context, key string) (*models.ChecklistKind, error) {
	return getKind(db.gorm.WithContext(ctx), key)
}

func getKind(q *gorm.DB, key string) (*models.ChecklistKind, error) {
	if k, ok := models.BuiltInKind(key); ok {
		return &k, nil
	}
	var k models.ChecklistKind
	err := q.Where("kind_key = ?", key).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, checklistKindNotFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("get checklist kind %s: %w", key, translate(err))
	}
	return &k, nil
}

func kindChange(before, after *models.ChecklistKind) change {
	k := after
	if k == nil {
		k = before
	}
	c := change{entityType: "checklist_kind", entityID: k.Key}
	if before != nil {
		c.before = kindSnapshot(before)
	}
	if after != nil {
		c.after = kindSnapshot(after)
	}
	return c
}

func kindSnapshot(k *models.ChecklistKind) map[string]any {
	return map[string]any{"key": k.Key, "name": k.Name, "description": k.Description, "columns": k.Columns, "version": k.Version}
}

// CreateChecklistKind stores a kind an administrator defines; its key may be
// neither a built-in kind's nor another defined one's.
func (db *DB) CreateChecklistKind(ctx context.Context, k *models.ChecklistKind) error {
	k.BuiltIn, k.Version = false, 1
	if k.Columns == nil {
		k.Columns = []models.KindColumn{} // a kind of common fields only
	}
	if err := k.Validate(); err != nil {
		return err
	}
	exists := &models.ConflictError{Code: "checklist_kind_exists", Detail: fmt.Sprintf("a checklist kind with the key %s exists", k.Key)}
	if _, ok := models.BuiltInKind(k.Key); ok {
		return exists
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		k.CreatedAt, k.UpdatedAt = at, at
		if err := tx.Create(k).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return exists
			}
			return translate(err)
		}
		return db.record(ctx, tx, at, kindChange(nil, k))
	})
	if err != nil {
		return fmt.Errorf("create checklist kind %s: %w", k.Key, err)
	}
	return nil
}

// UpdateChecklistKind changes a defined kind; built-in kinds are the
// product's and do not change. A kind lists use keeps its columns' keys and
// types (models.ChecklistKind.ChangeColumns).
func (db *DB) UpdateChecklistKind(ctx context.Context, key string, ifVersion int64, p models.ChecklistKindPatch) (*models.ChecklistKind, error) {
	if _, ok := models.BuiltInKind(key); ok {
		return nil, &models.ConflictError{Code: "checklist_kind_built_in", Detail: fmt.Sprintf("checklist kind %s is built in: define a kind of your own instead", key)}
	}
	var out *models.ChecklistKind
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var k models.ChecklistKind
		err := db.forUpdate(tx.Where("kind_key = ?", key)).Take(&k).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return checklistKindNotFound(key)
		}
		if err != nil {
			return translate(err)
		}
		if k.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("checklist kind %s is at version %d, not %d", key, k.Version, ifVersion)}
		}
		before := k
		if p.Name != nil {
			k.Name = *p.Name
		}
		if p.Description != nil {
			k.Description = *p.Description
		}
		var used int64
		if p.Columns != nil {
			if err := tx.Model(&models.Checklist{}).Where("kind_key = ?", key).Limit(1).Count(&used).Error; err != nil {
				return translate(err)
			}
			if err := k.ChangeColumns(p.Columns, used > 0); err != nil {
				return err
			}
		}
		if err := k.Validate(); err != nil {
			return err
		}
		k.Version, k.UpdatedAt = k.Version+1, at
		if err := tx.Save(&k).Error; err != nil {
			return translate(err)
		}
		if used > 0 && !slices.Equal(searchableKeys(&before), searchableKeys(&k)) {
			if err := db.refoldItems(tx, &k); err != nil {
				return err
			}
		}
		out = &k
		return db.record(ctx, tx, at, kindChange(&before, &k))
	})
	if err != nil {
		return nil, fmt.Errorf("update checklist kind %s: %w", key, err)
	}
	return out, nil
}

// searchableKeys are the keys of a kind's searchable columns, sorted.
func searchableKeys(k *models.ChecklistKind) []string {
	var keys []string
	for _, c := range k.Columns {
		if c.Searchable {
			keys = append(keys, c.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// refoldItems computes again the search text of the items of every list of
// a kind whose searchable columns changed, and their grams: q finds what
// the kind says it searches, in old lists too. The text is derived, so the
// items keep their versions. The lists are locked, as every write of their
// items locks them.
func (db *DB) refoldItems(tx *gorm.DB, kind *models.ChecklistKind) error {
	var lists []models.Checklist
	if err := db.forUpdate(tx.Where("kind_key = ?", kind.Key)).Order("id").Find(&lists).Error; err != nil {
		return translate(err)
	}
	for _, c := range lists {
		items, err := allItems(tx, c.ID)
		if err != nil {
			return err
		}
		var before, after []*models.ChecklistItem
		for i := range items {
			it := &items[i]
			text := searchText(kind, it)
			if text == it.SearchText {
				continue
			}
			old := *it
			it.SearchText = text
			before, after = append(before, &old), append(after, it)
			if err := tx.Model(&models.ChecklistItem{}).Where("id = ?", it.ID).UpdateColumn("search_text", text).Error; err != nil {
				return translate(err)
			}
		}
		if err := reindexItems(db, tx, c.ID, before, after); err != nil {
			return err
		}
	}
	return nil
}

// Checklists

// checklistChange is the audit record of a list version, under its issuing
// unit.
func checklistChange(before, after *models.Checklist) change {
	c := after
	if c == nil {
		c = before
	}
	ch := change{entityType: "checklist", entityID: c.ID, unitID: &c.IssuingUnitID, release: releaseOf(before, after)}
	if before != nil {
		ch.before = checklistSnapshot(before)
	}
	if after != nil {
		ch.after = checklistSnapshot(after)
	}
	return ch
}

func checklistSnapshot(c *models.Checklist) map[string]any {
	m := map[string]any{"id": c.ID, "listId": c.ListID, "versionNo": c.VersionNo, "kind": c.KindKey, "title": c.Title,
		"issuingUnitId": c.IssuingUnitID, "documentNumber": c.DocumentNumber, "year": c.Year, "status": c.Status, "version": c.Version}
	for k, v := range map[string]*string{"effectiveDate": c.EffectiveDate, "submittedBy": c.SubmittedBy, "reviewedBy": c.ReviewedBy, "reviewComment": c.ReviewComment} {
		if v != nil {
			m[k] = *v
		}
	}
	for k, v := range map[string]*time.Time{"submittedAt": c.SubmittedAt, "reviewedAt": c.ReviewedAt, "publishedAt": c.PublishedAt, "endedAt": c.EndedAt} {
		if v != nil {
			m[k] = timeOrNil(v)
		}
	}
	return m
}

// checklistModel is how the lifecycle's write path persists list versions.
var checklistModel = model[models.Checklist]{
	entity: "checklist",
	columns: []string{"title", "document_number", "year", "effective_date", "status", "submitted_by", "submitted_at",
		"reviewed_by", "reviewed_at", "review_comment", "published_at", "ended_at", "version", "updated_at"},
	id:      func(c *models.Checklist) string { return c.ID },
	version: func(c *models.Checklist) *int64 { return &c.Version },
	updated: func(c *models.Checklist) *time.Time { return &c.UpdatedAt },
	allows: func(c *models.Checklist, move string) error {
		_, err := models.ChecklistLifecycle.Check(move, c.ID, c.Status)
		return err
	},
	audit: checklistChange,
}

// CreateChecklist inserts the first version of a list, a draft
// (models.NewChecklist), of a known kind and an existing issuing unit; c
// becomes the stored version.
func (db *DB) CreateChecklist(ctx context.Context, content models.Checklist) (*models.Checklist, error) {
	var out *models.Checklist
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		if _, err := getKind(tx, content.KindKey); errors.Is(err, models.ErrNotFound) {
			return models.Invalid("checklist_kind_not_found", "/kind", "checklist kind %s does not exist", content.KindKey)
		} else if err != nil {
			return err
		}
		if ok, err := unitsExist(tx, []string{content.IssuingUnitID}); err != nil {
			return err
		} else if !ok[content.IssuingUnitID] {
			return models.Invalid("checklist_unit_not_found", "/issuingUnitId", "unit %s does not exist", content.IssuingUnitID)
		}
		id := content.ID // set by the demo data, which has fixed ids
		if id == "" {
			id = NewID()
		}
		c, err := models.NewChecklist(content, id, at)
		if err != nil {
			return err
		}
		out = c
		return insert(ctx, db, tx, at, checklistModel, []*models.Checklist{c})
	})
	if err != nil {
		return nil, fmt.Errorf("create checklist: %w", err)
	}
	return out, nil
}

// unitsExist tells which of the ids name units, in one query.
func unitsExist(tx *gorm.DB, ids []string) (map[string]bool, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	found := make(map[string]bool, len(ids))
	for part := range slices.Chunk(ids, batchSize) {
		var got []string
		if err := tx.Model(&models.Unit{}).Where("id IN ?", part).Pluck("id", &got).Error; err != nil {
			return nil, fmt.Errorf("units: %w", translate(err))
		}
		for _, id := range got {
			found[id] = true
		}
	}
	return found, nil
}

// GetChecklist reads one version of a list.
func (db *DB) GetChecklist(ctx context.Context, id string) (*models.Checklist, error) {
	return find[models.Checklist](ctx, db, "checklist "+id, checklistNotFound(id), "id = ?", id)
}

// ChecklistVersions reads every version of the list id belongs to, oldest
// first.
func (db *DB) ChecklistVersions(ctx context.Context, id string) ([]models.Checklist, error) {
	c, err := db.GetChecklist(ctx, id)
	if err != nil {
		return nil, err
	}
	var versions []models.Checklist
	if err := db.gorm.WithContext(ctx).Where("list_id = ?", c.ListID).Order("version_no").Find(&versions).Error; err != nil {
		return nil, fmt.Errorf("versions of checklist %s: %w", id, translate(err))
	}
	return versions, nil
}

// ChecklistSortFields are the fields a list of checklists can be ordered by.
var ChecklistSortFields = []string{"createdAt", "year", "title"}

// ListChecklists reads one page of list versions.
func (db *DB) ListChecklists(ctx context.Context, f models.ChecklistFilter, page paging.Page) ([]models.Checklist, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Model(&models.Checklist{})
	if f.KindKey != "" {
		q = q.Where("kind_key = ?", f.KindKey)
	}
	if f.IssuingUnitID != "" {
		q = q.Where("issuing_unit_id = ?", f.IssuingUnitID)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	if f.ListID != "" {
		q = q.Where("list_id = ?", f.ListID)
	}
	if f.Statuses != nil {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.UnitPath != "" {
		lo, hi := subtreeRange(f.UnitPath)
		inSubtree := q.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{}).Select("id").Where("path >= ? AND path < ?", lo, hi)
		if f.ReleasedElsewhere {
			q = q.Where("(issuing_unit_id IN (?) OR status IN ?)", inSubtree, models.ChecklistLifecycle.Released)
		} else {
			q = q.Where("issuing_unit_id IN (?)", inSubtree)
		}
	}
	col, parse, key := "created_at", parseInstant, func(c *models.Checklist) string { return instant(c.CreatedAt) }
	switch page.Sort.Field {
	case "year":
		col, parse, key = "year", parseInt, func(c *models.Checklist) string { return strconv.Itoa(c.Year) }
	case "title":
		col, parse, key = "title", timeOrText("title"), func(c *models.Checklist) string { return c.Title }
	}
	rows, next, err := keysetPage(q, col, false, page, parse, key, func(c *models.Checklist) string { return c.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list checklists: %w", err)
	}
	return rows, next, nil
}

// EditChecklist applies a merge patch to a draft.
func (db *DB) EditChecklist(ctx context.Context, id string, ifVersion int64, p models.ChecklistPatch) (*models.Checklist, error) {
	c, err := changeOne(ctx, db, checklistModel, target{id, models.MoveEdit, &ifVersion},
		func(_ *gorm.DB, _ time.Time, c *models.Checklist) error { return c.Edit(p) })
	if err != nil {
		return nil, fmt.Errorf("edit checklist %s: %w", id, err)
	}
	return c, nil
}

// DeleteChecklist destroys a draft and its items.
func (db *DB) DeleteChecklist(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, err := lockOne(db, tx, checklistModel, target{id, models.MoveDelete, &ifVersion})
		if err != nil {
			return err
		}
		if err := tx.Where("checklist_id = ?", id).Delete(&models.ChecklistItem{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Where("id = ?", id).Delete(&models.Checklist{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, checklistChange(c, nil))
	})
	if err != nil {
		return fmt.Errorf("delete checklist %s: %w", id, err)
	}
	return nil
}

// SubmitChecklist sends a draft to legality review.
func (db *DB) SubmitChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor) (*models.Checklist, error) {
	c, err := changeOne(ctx, db, checklistModel, target{id, models.MoveSubmitForReview, ifVersion},
		func(tx *gorm.DB, at time.Time, c *models.Checklist) error {
			var items int64
			if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", id).Count(&items).Error; err != nil {
				return translate(err)
			}
			return c.SubmitForReview(by, at, int(items))
		})
	if err != nil {
		return nil, fmt.Errorf("submit checklist %s: %w", id, err)
	}
	return c, nil
}

// ReturnChecklist sends a list in review back to its unit with a comment.
func (db *DB) ReturnChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor, comment string) (*models.Checklist, error) {
	c, err := changeOne(ctx, db, checklistModel, target{id, models.MoveReturnFromReview, ifVersion},
		func(_ *gorm.DB, at time.Time, c *models.Checklist) error { return c.ReturnFromReview(by, at, comment) })
	if err != nil {
		return nil, fmt.Errorf("return checklist %s: %w", id, err)
	}
	return c, nil
}

// PublishChecklist ends the legality review of a list in review: it is
// published, and the version it revises, published until now, is
// superseded, in one transaction.
func (db *DB) PublishChecklist(ctx context.Context, id string, ifVersion *int64, by models.Actor, comment string) (*models.Checklist, error) {
	var out *models.Checklist
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, err := lockOne(db, tx, checklistModel, target{id, models.MovePublish, ifVersion})
		if err != nil {
			return err
		}
		before := *c
		if err := c.Publish(by, at, comment); err != nil {
			return err
		}
		befores, afters := []models.Checklist{before}, []*models.Checklist{c}
		var current []models.Checklist
		if err := db.forUpdate(tx.Where("list_id = ? AND status = ?", c.ListID, models.ChecklistPublished)).Find(&current).Error; err != nil {
			return translate(err)
		}
		for i := range current {
			old := current[i]
			if err := current[i].Supersede(at); err != nil {
				return err
			}
			befores, afters = append(befores, old), append(afters, &current[i])
		}
		out = c
		return save(ctx, db, tx, at, checklistModel, befores, afters)
	})
	if err != nil {
		return nil, fmt.Errorf("publish checklist %s: %w", id, err)
	}
	return out, nil
}

// AbolishChecklist withdraws a published list.
func (db *DB) AbolishChecklist(ctx context.Context, id string, ifVersion *int64) (*models.Checklist, error) {
	c, err := changeOne(ctx, db, checklistModel, target{id, models.MoveAbolish, ifVersion},
		func(_ *gorm.DB, at time.Time, c *models.Checklist) error { return c.Abolish(at) })
	if err != nil {
		return nil, fmt.Errorf("abolish checklist %s: %w", id, err)
	}
	return c, nil
}

// ReviseChecklist starts the next version of a published list: a draft
// carrying copies of every item under the same item keys. A list has one
// open version (draft or in review) at a time.
func (db *DB) ReviseChecklist(ctx context.Context, id string, ifVersion *int64, ids models.RevisionIDs) (*models.Checklist, error) {
	var out *models.Checklist
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, err := lockOne(db, tx, checklistModel, target{id, models.MoveRevise, ifVersion})
		if err != nil {
			return err
		}
		var versions []models.Checklist
		if err := db.forUpdate(tx.Where("list_id = ?", c.ListID)).Order("version_no").Find(&versions).Error; err != nil {
			return translate(err)
		}
		last := versions[len(versions)-1]
		for _, v := range versions {
			if v.Status == models.ChecklistDraft || v.Status == models.ChecklistInReview {
				return &models.ConflictError{Code: "checklist_revision_open",
					Detail: fmt.Sprintf("list %s already has version %d (%s) in the making: finish or delete it first", c.ListID, v.VersionNo, v.ID)}
			}
		}
		next, err := c.Revision(cmp.Or(ids.Version, NewID()), at)
		if err != nil {
			return err
		}
		next.VersionNo = last.VersionNo + 1
		if err := insert(ctx, db, tx, at, checklistModel, []*models.Checklist{next}); err != nil {
			return err
		}
		items, err := allItems(tx, c.ID)
		if err != nil {
			return err
		}
		copies := make([]*models.ChecklistItem, len(items))
		for i := range items {
			it := items[i]
			it.ID, it.ChecklistID, it.Version, it.CreatedAt, it.UpdatedAt = NewID(), next.ID, 1, at, at
			if ids.Item != nil {
				it.ID = cmp.Or(ids.Item(it.ItemKey), it.ID)
			}
			copies[i] = &it
		}
		// The copies are the revision's starting point, recorded as one
		// event (the revision's); their own events start with their edits.
		for part := range slices.Chunk(copies, batchSize) {
			if err := tx.Create(part).Error; err != nil {
				return translate(err)
			}
		}
		if err := copyGrams(tx, c.ID, next.ID, items); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("revise checklist %s: %w", id, err)
	}
	return out, nil
}

// Items

func allItems(q *gorm.DB, checklistID string) ([]models.ChecklistItem, error) {
	var items []models.ChecklistItem
	if err := q.Where("checklist_id = ?", checklistID).Order("sequence").Order("id").Find(&items).Error; err != nil {
		return nil, fmt.Errorf("items of checklist %s: %w", checklistID, translate(err))
	}
	return items, nil
}

// AllChecklistItems reads every item of a list version, in sequence order.
func (db *DB) AllChecklistItems(ctx context.Context, checklistID string) ([]models.ChecklistItem, error) {
	return allItems(db.gorm.WithContext(ctx), checklistID)
}

// ListChecklistItems reads one page of a version's items in sequence order.
// q reads the items through the bigram index when it can (rarestGram).
func (db *DB) ListChecklistItems(ctx context.Context, checklistID string, f models.ChecklistItemFilter, page paging.Page) ([]models.ChecklistItem, *paging.Cursor, error) {
	rows, next, _, err := db.listChecklistItems(ctx, checklistID, f, page, gramMaxEntries)
	return rows, next, err
}

// listChecklistItems is ListChecklistItems with the most items a gram of q
// may have for the page to be read through it (a negative most never reads
// through one); byGram tells whether it was.
func (db *DB) listChecklistItems(ctx context.Context, checklistID string, f models.ChecklistItemFilter, page paging.Page,
	most int) (rows []models.ChecklistItem, next *paging.Cursor, byGram bool, err error) {
	var folded, gram string
	if f.Query != "" {
		folded = textsearch.Fold(f.Query)
		gram, byGram, err = rarestGram(db.gorm.WithContext(ctx), checklistID, folded, most)
		if err != nil {
			return nil, nil, false, fmt.Errorf("list checklist items: %w", err)
		}
	}
	version := "checklist_id = ?"
	if byGram && db.dialect == SQLite {
		// The unary + keeps SQLite off the indexes that lead with
		// checklist_id, which it would walk in sequence order through
		// every item of the version, probing the gram's list: it looks
		// the gram's items up by id instead, as MySQL does unbidden.
		version = "+" + version
	}
	q := db.gorm.WithContext(ctx).Model(&models.ChecklistItem{}).Where(version, checklistID)
	if byGram {
		q = q.Where("id IN (SELECT item_id FROM checklist_item_grams WHERE checklist_id = ? AND gram = ?)", checklistID, gram)
	}
	if f.ImplementingUnitID != "" {
		q = q.Where("implementing_unit_id = ?", f.ImplementingUnitID)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	// Attributes are JSON; an enum value is matched as the JSON member it
	// is stored as, which both databases find with LIKE (values are
	// validated against the kind, so the pattern cannot match across
	// members).
	for _, key := range slices.Sorted(maps.Keys(f.Attributes)) {
		member := jsonMember(key, f.Attributes[key])
		q = q.Where("attributes LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(member)+"%")
	}
	if f.Query != "" {
		q = q.Where("search_text LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(folded)+"%")
	}
	rows, next, err = keysetPage(q, "sequence", false, page, parseInt, func(it *models.ChecklistItem) string { return strconv.Itoa(it.Sequence) },
		func(it *models.ChecklistItem) string { return it.ID })
	if err != nil {
		return nil, nil, false, fmt.Errorf("list checklist items: %w", err)
	}
	return rows, next, byGram, nil
}

// jsonMember is "key":"value" as the attributes column stores it (GORM's
// JSON serializer is encoding/json).
func jsonMember(key, value string) string {
	k, _ := json.Marshal(key) // strings always marshal
	v, _ := json.Marshal(value)
	return string(k) + ":" + string(v)
}

// GetChecklistItem reads one item.
func (db *DB) GetChecklistItem(ctx context.Context, id string) (*models.ChecklistItem, error) {
	return find[models.ChecklistItem](ctx, db, "checklist item "+id, checklistItemNotFound(id), "id = ?", id)
}

func itemChange(issuer string, before, after *models.ChecklistItem) change {
	it := after
	if it == nil {
		it = before
	}
	c := change{entityType: "checklist_item", entityID: it.ID, unitID: &issuer, releasedWith: feedRef{"checklist", it.ChecklistID}}
	if before != nil {
		c.before = itemSnapshot(before)
	}
	if after != nil {
		c.after = itemSnapshot(after)
	}
	return c
}

// itemRecord is an item as its audit events show it. Its fields are in the
// order of their names, as a map's keys would be; it shares the item's
// strings, so that the changes of an import of 100,000 items cost little
// beside the items themselves.
type itemRecord struct {
	Attributes         map[string]string `json:"attributes"`
	Category           string            `json:"category"`
	ChecklistID        string            `json:"checklistId"`
	ID                 string            `json:"id"`
	ImplementingUnitID *string           `json:"implementingUnitId,omitempty"`
	ItemKey            string            `json:"itemKey"`
	LegalBasis         string            `json:"legalBasis"`
	Name               string            `json:"name"`
	Remark             string            `json:"remark"`
	Sequence           int               `json:"sequence"`
	Version            int64             `json:"version"`
}

func itemSnapshot(it *models.ChecklistItem) *itemRecord {
	return &itemRecord{
		Attributes: it.Attributes, Category: it.Category, ChecklistID: it.ChecklistID, ID: it.ID,
		ImplementingUnitID: it.ImplementingUnitID, ItemKey: it.ItemKey, LegalBasis: it.LegalBasis,
		Name: it.Name, Remark: it.Remark, Sequence: it.Sequence, Version: it.Version,
	}
}

// lockDraft locks a list version whose items are to change, refusing one
// that is not a draft.
func (db *DB) lockDraft(tx *gorm.DB, id string) (*models.Checklist, *models.ChecklistKind, error) {
	c, err := lockOne(db, tx, checklistModel, target{id, models.MoveEdit, nil})
	if err != nil {
		return nil, nil, err
	}
	kind, err := getKind(tx, c.KindKey)
	if err != nil {
		return nil, nil, err
	}
	return c, kind, nil
}

// searchText is what q finds an item by: its name, legal basis, category
// and the kind's searchable columns, folded.
func searchText(kind *models.ChecklistKind, it *models.ChecklistItem) string {
	parts := []string{it.Name, it.LegalBasis, it.Category}
	for _, c := range kind.Columns {
		if c.Searchable && it.Attributes[c.Key] != "" {
			parts = append(parts, it.Attributes[c.Key])
		}
	}
	return textsearch.Fold(parts...)
}

// The bigram index of q (migration 00011). A gram is a pair of adjacent
// characters (runes) of an item's search_text without whitespace
// (appendGrams). checklist_gram_counts holds, for each gram of a version,
// how many of its items hold it, and whether it is common: past
// gramMaxEntries items it is not worth looking up, and its entries are not
// kept. checklist_item_grams holds the entries of the grams that are not
// common: one row for each item holding one.
//
// Every write of items or of their search_text changes the counts and the
// entries in the same transaction (gramIndex; the items of a version are
// written under the lock of the version's row, so one transaction at a time
// changes a version's counts), and the migration built both for the items
// that existed before it. So the entries of a gram that is not common are
// complete in every version, old or new, and no version needs a marker
// saying whether it is indexed. A query of two characters or more reads its
// candidates through its rarest gram that is not common (rarestGram) and
// keeps the LIKE: the gram only narrows what the LIKE reads (an item whose
// text holds the query holds each of its grams), so the page is the one the
// scan of every item gives. A query of one character, or whose grams are all
// common, is the scan; a common gram has so many items that a scan in
// sequence order soon finds a page of them.

// gramMaxEntries is the most items a gram of a version may have and keep
// its entries; migration 00011 used the same number. A variable for the
// tests only.
var gramMaxEntries = 5000

// gramKey is a gram, its two runes in one number.
type gramKey uint64

func gramOf(a, b rune) gramKey { return gramKey(uint64(uint32(a))<<32 | uint64(uint32(b))) }

func (k gramKey) String() string { return string([]rune{rune(k >> 32), rune(uint32(k))}) }

func parseGram(s string) (gramKey, bool) {
	r := []rune(s)
	if len(r) != 2 {
		return 0, false
	}
	return gramOf(r[0], r[1]), true
}

// appendGrams appends to buf the distinct grams of a folded text, in order
// of gramKey: every pair of adjacent characters but those with whitespace,
// which are the space textsearch.Fold joins the parts with and whatever
// whitespace a part holds.
func appendGrams(buf []gramKey, text string) []gramKey {
	start := len(buf)
	var prev rune
	for i, r := range text {
		if i > 0 && !unicode.IsSpace(prev) && !unicode.IsSpace(r) {
			buf = append(buf, gramOf(prev, r))
		}
		prev = r
	}
	grams := buf[start:]
	slices.Sort(grams)
	return buf[:start+len(slices.Compact(grams))]
}

// gramCount is the row of checklist_gram_counts of one gram, as a
// transaction changes it.
type gramCount struct {
	items  int
	common bool
	stored bool // the row exists
	dirty  bool // to write back
	turned bool // became common in this transaction: its entries go
}

// gramIndex changes the bigram index of one version in a transaction: add
// and remove count the grams of items that come and go (or of the old and
// new texts of items that change), writeEntries writes the entries of new
// texts, once their grams are counted, and save writes the counts back. The
// entries of items that go go with them (ON DELETE CASCADE); those of old
// texts are dropped by dropEntries.
type gramIndex struct {
	db          *DB
	tx          *gorm.DB
	checklistID string
	counts      map[gramKey]*gramCount
	buf         []gramKey
	text        map[gramKey]any // each gram's text, made once
	args        []any
}

func newGramIndex(db *DB, tx *gorm.DB, checklistID string) *gramIndex {
	return &gramIndex{db: db, tx: tx, checklistID: checklistID, counts: map[gramKey]*gramCount{}, text: map[gramKey]any{}}
}

func gramError(err error) error { return fmt.Errorf("index items for search: %w", translate(err)) }

// add counts the grams of items that come, or of the new texts of items
// that change; a gram past gramMaxEntries items turns common.
func (x *gramIndex) add(items []*models.ChecklistItem) error { return x.count(items, 1) }

// remove counts off the grams of items that go, or of the old texts of
// items that change.
func (x *gramIndex) remove(items []*models.ChecklistItem) error { return x.count(items, -1) }

func (x *gramIndex) count(items []*models.ChecklistItem, sign int) error {
	delta := map[gramKey]int{}
	for _, it := range items {
		x.buf = appendGrams(x.buf[:0], it.SearchText)
		for _, k := range x.buf {
			delta[k] += sign
		}
	}
	if err := x.load(slices.Collect(maps.Keys(delta))); err != nil {
		return err
	}
	for k, d := range delta {
		c := x.counts[k]
		c.items += d
		c.dirty = true
		if !c.common && c.items > gramMaxEntries {
			c.common, c.turned = true, true
		}
	}
	return nil
}

// load reads the counts of the grams not read yet.
func (x *gramIndex) load(keys []gramKey) error {
	keys = slices.DeleteFunc(keys, func(k gramKey) bool { return x.counts[k] != nil })
	for part := range slices.Chunk(keys, batchSize) {
		grams := make([]string, len(part))
		for i, k := range part {
			grams[i] = k.String()
			x.counts[k] = &gramCount{}
		}
		var rows []struct {
			Gram   string
			Items  int
			Common bool
		}
		err := x.tx.Raw("SELECT gram, items, common FROM checklist_gram_counts WHERE checklist_id = ? AND gram IN ?", x.checklistID, grams).
			Scan(&rows).Error
		if err != nil {
			return gramError(err)
		}
		for _, r := range rows {
			if k, ok := parseGram(r.Gram); ok && x.counts[k] != nil {
				*x.counts[k] = gramCount{items: r.Items, common: r.Common, stored: true}
			}
		}
	}
	return nil
}

// dropEntries deletes the entries of items whose text changes.
func (x *gramIndex) dropEntries(items []*models.ChecklistItem) error {
	for part := range slices.Chunk(items, batchSize) {
		ids := make([]string, len(part))
		for i, it := range part {
			ids[i] = it.ID
		}
		if err := x.tx.Exec("DELETE FROM checklist_item_grams WHERE item_id IN ?", ids).Error; err != nil {
			return gramError(err)
		}
	}
	return nil
}

// gramRows bounds the rows of one INSERT of entries. The MySQL driver
// writes the values into the statement: 5,000 rows are about 0.5 MB. The
// SQLite driver looks each parameter up among all of them, which costs the
// square of their number, so its statements are shorter.
func (x *gramIndex) gramRows() int {
	if x.db.dialect == MySQL {
		return 5000
	}
	return 300
}

const gramInsertHead = "INSERT INTO checklist_item_grams (checklist_id, gram, item_id) VALUES "

// writeEntries inserts the entries of items that came or whose text
// changed, which add counted: one for each of their grams that is not
// common. They go straight to the transaction's connection, in statements
// of many rows: GORM's statement building would cost more than the
// database.
func (x *gramIndex) writeEntries(items []*models.ChecklistItem) error {
	var checklistID any = x.checklistID
	for _, it := range items {
		var id any = it.ID
		x.buf = appendGrams(x.buf[:0], it.SearchText)
		for _, k := range x.buf {
			if x.counts[k].common {
				continue
			}
			g, ok := x.text[k]
			if !ok {
				g = k.String()
				x.text[k] = g
			}
			x.args = append(x.args, checklistID, g, id)
			if len(x.args) == 3*x.gramRows() {
				if err := x.flush(); err != nil {
					return err
				}
			}
		}
	}
	return x.flush()
}

func (x *gramIndex) flush() error {
	n := len(x.args) / 3
	if n == 0 {
		return nil
	}
	var stmt strings.Builder
	stmt.Grow(len(gramInsertHead) + 8*n)
	stmt.WriteString(gramInsertHead)
	for i := range n {
		if i > 0 {
			stmt.WriteByte(',')
		}
		stmt.WriteString("(?,?,?)")
	}
	_, err := x.tx.Statement.ConnPool.ExecContext(x.tx.Statement.Context, stmt.String(), x.args...)
	clear(x.args)
	x.args = x.args[:0]
	if err != nil {
		return gramError(err)
	}
	return nil
}

// save drops the entries of the grams that turned common and writes the
// changed counts back; a gram no item holds any more loses its row unless
// it is common (which it stays).
func (x *gramIndex) save() error {
	var turned []string
	var dirty []gramKey
	for k, c := range x.counts {
		if c.turned {
			turned = append(turned, k.String())
		}
		if c.dirty {
			dirty = append(dirty, k)
		}
	}
	for part := range slices.Chunk(turned, batchSize) {
		if err := x.tx.Exec("DELETE FROM checklist_item_grams WHERE checklist_id = ? AND gram IN ?", x.checklistID, part).Error; err != nil {
			return gramError(err)
		}
	}
	slices.Sort(dirty)
	for part := range slices.Chunk(dirty, batchSize) {
		var stored []string
		var stmt strings.Builder
		var args []any
		for _, k := range part {
			c := x.counts[k]
			if c.stored {
				stored = append(stored, k.String())
			}
			if c.items <= 0 && !c.common {
				continue
			}
			if len(args) == 0 {
				stmt.WriteString("INSERT INTO checklist_gram_counts (checklist_id, gram, items, common) VALUES (?,?,?,?)")
			} else {
				stmt.WriteString(",(?,?,?,?)")
			}
			args = append(args, x.checklistID, k.String(), c.items, c.common)
		}
		if len(stored) > 0 {
			if err := x.tx.Exec("DELETE FROM checklist_gram_counts WHERE checklist_id = ? AND gram IN ?", x.checklistID, stored).Error; err != nil {
				return gramError(err)
			}
		}
		if len(args) > 0 {
			if _, err := x.tx.Statement.ConnPool.ExecContext(x.tx.Statement.Context, stmt.String(), args...); err != nil {
				return gramError(err)
			}
		}
		for _, k := range part {
			c := x.counts[k]
			c.stored, c.dirty, c.turned = c.items > 0 || c.common, false, false
		}
	}
	return nil
}

// copyGrams gives version to, whose items copy those of version from under
// the same keys and with the same search_text, the counts and entries of
// from, copied in the database; items are from's.
func copyGrams(tx *gorm.DB, from, to string, items []models.ChecklistItem) error {
	err := tx.Exec("INSERT INTO checklist_gram_counts (checklist_id, gram, items, common)"+
		" SELECT ?, gram, items, common FROM checklist_gram_counts WHERE checklist_id = ?", to, from).Error
	if err != nil {
		return gramError(err)
	}
	for part := range slices.Chunk(items, batchSize) {
		ids := make([]string, len(part))
		for i := range part {
			ids[i] = part[i].ID
		}
		err := tx.Exec("INSERT INTO checklist_item_grams (checklist_id, gram, item_id)"+
			" SELECT n.checklist_id, g.gram, n.id FROM checklist_item_grams g"+
			" JOIN checklist_items o ON o.id = g.item_id"+
			" JOIN checklist_items n ON n.checklist_id = ? AND n.item_key = o.item_key"+
			" WHERE g.item_id IN ?", to, ids).Error
		if err != nil {
			return gramError(err)
		}
	}
	return nil
}

// indexItems indexes new items of a version.
func indexItems(db *DB, tx *gorm.DB, checklistID string, items []*models.ChecklistItem) error {
	x := newGramIndex(db, tx, checklistID)
	if err := x.add(items); err != nil {
		return err
	}
	if err := x.writeEntries(items); err != nil {
		return err
	}
	return x.save()
}

// reindexItems indexes the new texts of items of a version in place of
// their old ones (before, the items as they were).
func reindexItems(db *DB, tx *gorm.DB, checklistID string, before, after []*models.ChecklistItem) error {
	x := newGramIndex(db, tx, checklistID)
	if err := x.remove(before); err != nil {
		return err
	}
	if err := x.add(after); err != nil {
		return err
	}
	if err := x.dropEntries(after); err != nil {
		return err
	}
	if err := x.writeEntries(after); err != nil {
		return err
	}
	return x.save()
}

// rarestGram picks, of the grams of a folded query, the one that is not
// common and has the fewest items in the version, if that is at most most
// (gramMaxEntries but in tests; a negative most picks none). ok is false
// when the query has no gram (one character, or whitespace between single
// ones) or none is picked.
func rarestGram(q *gorm.DB, checklistID, folded string, most int) (gram string, ok bool, err error) {
	keys := appendGrams(nil, folded)
	if len(keys) == 0 || most < 0 {
		return "", false, nil
	}
	grams := make([]string, len(keys))
	for i, k := range keys {
		grams[i] = k.String()
	}
	var rows []struct {
		Gram   string
		Items  int
		Common bool
	}
	err = q.Raw("SELECT gram, items, common FROM checklist_gram_counts WHERE checklist_id = ? AND gram IN ?", checklistID, grams).Scan(&rows).Error
	if err != nil {
		return "", false, fmt.Errorf("count the items of the grams of q: %w", translate(err))
	}
	found := make(map[string]int, len(rows))
	for _, r := range rows {
		found[r.Gram] = r.Items
		if r.Common {
			found[r.Gram] = -1
		}
	}
	fewest := most + 1
	for _, g := range grams {
		n, in := found[g]
		if !in {
			return g, true, nil // no item holds it: nothing matches
		}
		if n >= 0 && n < fewest {
			gram, fewest = g, n
		}
	}
	return gram, gram != "", nil
}

// checkItems validates items against their kind, with the units they name
// read in one query.
func checkItems(tx *gorm.DB, kind *models.ChecklistKind, items []*models.ChecklistItem, prefix func(i int) string) error {
	var ids []string
	for _, it := range items {
		if it.ImplementingUnitID != nil {
			ids = append(ids, *it.ImplementingUnitID)
		}
		for _, c := range kind.Columns {
			if v := it.Attributes[c.Key]; c.Type == models.ColumnUnit && v != "" {
				ids = append(ids, v)
			}
		}
	}
	exists, err := unitsExist(tx, ids)
	if err != nil {
		return err
	}
	unitExists := func(id string) bool { return exists[id] }
	var all *models.ValidationError
	for i, it := range items {
		err := it.Validate(kind, unitExists, prefix(i))
		var ve *models.ValidationError
		if !errors.As(err, &ve) {
			continue
		}
		if len(items) == 1 {
			return err
		}
		if all == nil {
			all = &models.ValidationError{Code: ve.Code, Detail: fmt.Sprintf("items are not valid for %s", kind.Name)}
		}
		all.Fields = append(all.Fields, ve.Fields...)
	}
	if all != nil {
		return all
	}
	return nil
}

// CreateChecklistItem adds an item to a draft; a zero sequence puts it last.
// it becomes the stored item.
func (db *DB) CreateChecklistItem(ctx context.Context, checklistID string, it *models.ChecklistItem) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, kind, err := db.lockDraft(tx, checklistID)
		if err != nil {
			return err
		}
		var last *int
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Select("MAX(sequence)").Scan(&last).Error; err != nil {
			return translate(err)
		}
		end := 1
		if last != nil {
			end = *last + 1
		}
		if it.Sequence == 0 || it.Sequence > end {
			it.Sequence = end
		} else if err := shiftItems(tx, at, checklistID, it.Sequence, end, 1); err != nil {
			return err // the items from its place on move one down
		}
		if it.Attributes == nil {
			it.Attributes = map[string]string{}
		}
		if err := checkItems(tx, kind, []*models.ChecklistItem{it}, func(int) string { return "" }); err != nil {
			return err
		}
		var count int64
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Count(&count).Error; err != nil {
			return translate(err)
		}
		if count >= models.MaxChecklistItems {
			return &models.ConflictError{Code: "checklist_full", Detail: fmt.Sprintf("checklist %s has %d items, the most a list may have", checklistID, count)}
		}
		it.ID, it.ChecklistID, it.ItemKey, it.Version, it.CreatedAt, it.UpdatedAt = NewID(), checklistID, NewID(), 1, at, at
		it.SearchText = searchText(kind, it)
		if err := tx.Create(it).Error; err != nil {
			return translate(err)
		}
		if err := indexItems(db, tx, checklistID, []*models.ChecklistItem{it}); err != nil {
			return err
		}
		return db.record(ctx, tx, at, itemChange(c.IssuingUnitID, nil, it))
	})
	if err != nil {
		return fmt.Errorf("create checklist item: %w", err)
	}
	return nil
}

// AddChecklistItems adds many items to a draft at once, all or nothing: the
// items are validated together, every problem reported under
// /items/<index>, and written in batches. Items keep an ID and ItemKey
// already set (the demo data's fixed ones); a zero sequence follows the
// last.
func (db *DB) AddChecklistItems(ctx context.Context, checklistID string, items []*models.ChecklistItem) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, kind, err := db.lockDraft(tx, checklistID)
		if err != nil {
			return err
		}
		var count int64
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Count(&count).Error; err != nil {
			return translate(err)
		}
		if count+int64(len(items)) > models.MaxChecklistItems {
			return &models.ConflictError{Code: "checklist_full", Detail: fmt.Sprintf("checklist %s has %d items: %d more would pass the %d a list may have", checklistID, count, len(items), models.MaxChecklistItems)}
		}
		var last *int
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Select("MAX(sequence)").Scan(&last).Error; err != nil {
			return translate(err)
		}
		next := 1
		if last != nil {
			next = *last + 1
		}
		for _, it := range items {
			if it.Sequence == 0 {
				it.Sequence = next
			}
			next = max(next, it.Sequence) + 1
			if it.Attributes == nil {
				it.Attributes = map[string]string{}
			}
		}
		if err := checkItems(tx, kind, items, func(i int) string { return "/items/" + strconv.Itoa(i) }); err != nil {
			return err
		}
		changes := make([]change, len(items))
		for i, it := range items {
			if it.ID == "" {
				it.ID = NewID()
			}
			if it.ItemKey == "" {
				it.ItemKey = NewID()
			}
			it.ChecklistID, it.Version, it.CreatedAt, it.UpdatedAt = checklistID, 1, at, at
			it.SearchText = searchText(kind, it)
			changes[i] = itemChange(c.IssuingUnitID, nil, it)
		}
		grams := newGramIndex(db, tx, checklistID)
		if err := grams.add(items); err != nil {
			return err
		}
		for part := range slices.Chunk(items, batchSize) {
			if err := tx.Create(part).Error; err != nil {
				return translate(err)
			}
			if err := grams.writeEntries(part); err != nil {
				return err
			}
		}
		if err := grams.save(); err != nil {
			return err
		}
		return db.record(ctx, tx, at, changes...)
	})
	if err != nil {
		return fmt.Errorf("add items to checklist %s: %w", checklistID, err)
	}
	return nil
}

// UpdateChecklistItem changes an item of a draft.
func (db *DB) UpdateChecklistItem(ctx context.Context, id string, ifVersion int64, p models.ChecklistItemPatch) (*models.ChecklistItem, error) {
	var out *models.ChecklistItem
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		it, c, kind, err := db.lockItem(tx, id, ifVersion)
		if err != nil {
			return err
		}
		before := *it
		before.Attributes = maps.Clone(it.Attributes)
		if p.Sequence != nil && *p.Sequence != it.Sequence {
			if err := db.moveItem(tx, at, it, *p.Sequence); err != nil {
				return err
			}
		}
		p.Apply(it)
		if err := checkItems(tx, kind, []*models.ChecklistItem{it}, func(int) string { return "" }); err != nil {
			return err
		}
		it.Version, it.UpdatedAt, it.SearchText = it.Version+1, at, searchText(kind, it)
		if err := tx.Save(it).Error; err != nil {
			return translate(err)
		}
		if it.SearchText != before.SearchText {
			if err := reindexItems(db, tx, it.ChecklistID, []*models.ChecklistItem{&before}, []*models.ChecklistItem{it}); err != nil {
				return err
			}
		}
		out = it
		return db.record(ctx, tx, at, itemChange(c.IssuingUnitID, &before, it))
	})
	if err != nil {
		return nil, fmt.Errorf("update checklist item %s: %w", id, err)
	}
	return out, nil
}

// DeleteChecklistItem removes an item from a draft.
func (db *DB) DeleteChecklistItem(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		it, c, _, err := db.lockItem(tx, id, ifVersion)
		if err != nil {
			return err
		}
		grams := newGramIndex(db, tx, it.ChecklistID)
		if err := grams.remove([]*models.ChecklistItem{it}); err != nil {
			return err
		}
		if err := tx.Where("id = ?", id).Delete(&models.ChecklistItem{}).Error; err != nil {
			return translate(err) // its entries go with it
		}
		if err := grams.save(); err != nil {
			return err
		}
		// The items after it move up one, so that sequences stay 1…n.
		if err := shiftItems(tx, at, it.ChecklistID, it.Sequence+1, models.MaxChecklistItems+1, -1); err != nil {
			return err
		}
		return db.record(ctx, tx, at, itemChange(c.IssuingUnitID, it, nil))
	})
	if err != nil {
		return fmt.Errorf("delete checklist item %s: %w", id, err)
	}
	return nil
}

// ApplyChecklistItemChanges makes an import's changes to a draft, all or
// nothing: items the import read at another version than they are now are
// a 409 checklist_item_changed, and every item is checked against the kind
// (422, pointers /items/<index> in the order creates, then updates).
// Afterwards the sequences are renumbered 1…n in their order, the
// sheet's order breaking no ties it did not state. Each item written gets
// its audit event. The items of ch.Create become the stored items.
func (db *DB) ApplyChecklistItemChanges(ctx context.Context, checklistID string, ch models.ChecklistItemChanges) error {
	return db.ImportChecklistItems(ctx, checklistID, func(yield func(models.ChecklistItemChanges, error) bool) { yield(ch, nil) })
}

// ImportChecklistItems makes the changes of batches, in one transaction, as
// ApplyChecklistItemChanges makes those of one; the pointers of problems
// count the items of the batches before. Memory holds a batch at a time:
// batches is read twice, first to check the items' versions and count the
// grams of the texts to come (so that no entry is written of a gram the
// import makes common), then to write.
func (db *DB) ImportChecklistItems(ctx context.Context, checklistID string, batches iter.Seq2[models.ChecklistItemChanges, error]) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c, kind, err := db.lockDraft(tx, checklistID)
		if err != nil {
			return err
		}
		grams := newGramIndex(db, tx, checklistID)
		for ch, err := range batches {
			if err != nil {
				return err
			}
			// This pass needs only what the grams and the version check use.
			now, err := itemsAsRead(tx, checklistID, &ch, "id", "version", "search_text")
			if err != nil {
				return err
			}
			var gone, come []*models.ChecklistItem
			for i := range ch.Create {
				ch.Create[i].SearchText = searchText(kind, &ch.Create[i])
				come = append(come, &ch.Create[i])
			}
			for i := range ch.Update {
				it, before := &ch.Update[i], now[ch.Update[i].ID]
				if it.SearchText = searchText(kind, it); it.SearchText != before.SearchText {
					gone, come = append(gone, before), append(come, it)
				}
			}
			for i := range ch.Delete {
				gone = append(gone, now[ch.Delete[i].ID])
			}
			if err := grams.remove(gone); err != nil {
				return err
			}
			if err := grams.add(come); err != nil {
				return err
			}
		}
		var last *int
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Select("MAX(sequence)").Scan(&last).Error; err != nil {
			return translate(err)
		}
		w := itemWriter{db: db, ctx: ctx, tx: tx, at: at, checklist: c, kind: kind, grams: grams}
		if last != nil {
			w.last = *last
		}
		for ch, err := range batches {
			if err != nil {
				return err
			}
			if err := w.write(&ch); err != nil {
				return err
			}
		}
		if err := grams.save(); err != nil {
			return err
		}
		var count int64
		if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", checklistID).Count(&count).Error; err != nil {
			return translate(err)
		}
		if count > models.MaxChecklistItems {
			return &models.ConflictError{Code: "checklist_full", Detail: fmt.Sprintf("the import would leave %d items in checklist %s, more than the %d a list may have", count, checklistID, models.MaxChecklistItems)}
		}
		return renumberItems(tx, at, checklistID)
	})
	if err != nil {
		return fmt.Errorf("import items into checklist %s: %w", checklistID, err)
	}
	return nil
}

// itemsAsRead reads the items that ch updates and deletes as they are now,
// by id, refusing the change if any is gone or at another version than ch
// read it at. Only columns are read, which must include id and version; all
// of them when none are named.
func itemsAsRead(tx *gorm.DB, checklistID string, ch *models.ChecklistItemChanges, columns ...string) (map[string]*models.ChecklistItem, error) {
	read := slices.Concat(ch.Update, ch.Delete)
	ids := make([]string, len(read))
	for i := range read {
		ids[i] = read[i].ID
	}
	items, err := itemsByID(tx, checklistID, ids, columns...)
	if err != nil {
		return nil, err
	}
	now := make(map[string]*models.ChecklistItem, len(items))
	for i := range items {
		now[items[i].ID] = &items[i]
	}
	for _, r := range read {
		if it, ok := now[r.ID]; !ok || it.Version != r.Version {
			return nil, &models.ConflictError{Code: "checklist_item_changed",
				Detail: fmt.Sprintf("item %s (%s) changed while the import ran: nothing was imported, upload the file again", r.ID, cmp.Or(r.Name, r.ItemKey, fmt.Sprintf("序号 %d", r.Sequence)))}
		}
	}
	return now, nil
}

// itemsByID reads the items of a version with these ids, in no order: only
// the columns named, or whole (scanned by hand) when none are.
func itemsByID(q *gorm.DB, checklistID string, ids []string, columns ...string) ([]models.ChecklistItem, error) {
	var out []models.ChecklistItem
	for part := range slices.Chunk(ids, inChunk) {
		q := q.Model(&models.ChecklistItem{}).Where("checklist_id = ? AND id IN ?", checklistID, part)
		var items []models.ChecklistItem
		var err error
		if len(columns) > 0 {
			err = q.Select(columns).Find(&items).Error
		} else {
			items, err = findRows[models.ChecklistItem](q, len(part))
		}
		if err != nil {
			return nil, fmt.Errorf("items of checklist %s: %w", checklistID, translate(err))
		}
		out = append(out, items...)
	}
	return out, nil
}

// ChecklistItemsByID reads the items of a list version with these ids, in
// no order; ids it does not have are left out.
func (db *DB) ChecklistItemsByID(ctx context.Context, checklistID string, ids []string) ([]models.ChecklistItem, error) {
	return itemsByID(db.gorm.WithContext(ctx), checklistID, ids)
}

// ChecklistItemRefs yields the refs of every item of a list version, in
// sequence order, as it reads them: what an import matches its rows with,
// read in one statement and held by the caller only as far as it needs
// (a list may have 100,000 items).
func (db *DB) ChecklistItemRefs(ctx context.Context, checklistID string) iter.Seq2[models.ChecklistItemRef, error] {
	return func(yield func(models.ChecklistItemRef, error) bool) {
		fail := func(err error) {
			yield(models.ChecklistItemRef{}, fmt.Errorf("items of checklist %s: %w", checklistID, translate(err)))
		}
		rows, err := db.gorm.WithContext(ctx).Model(&models.ChecklistItem{}).Select("id", "item_key", "sequence", "version").
			Where("checklist_id = ?", checklistID).Order("sequence").Order("id").Rows()
		if err != nil {
			fail(err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var ref models.ChecklistItemRef
			if err := rows.Scan(&ref.ID, &ref.ItemKey, &ref.Sequence, &ref.Version); err != nil {
				fail(err)
				return
			}
			if !yield(ref, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
	}
}

// itemWriter writes the batches of an import in its transaction.
type itemWriter struct {
	db        *DB
	ctx       context.Context
	tx        *gorm.DB
	at        time.Time
	checklist *models.Checklist
	kind      *models.ChecklistKind
	grams     *gramIndex // the grams of every batch counted
	last      int        // the last sequence given
	checked   int        // the items checked in the batches before
}

// write makes the changes of one batch: creates, updates, deletes, and
// their audit events.
func (w *itemWriter) write(ch *models.ChecklistItemChanges) error {
	tx, checklistID := w.tx, w.checklist.ID
	now, err := itemsAsRead(tx, checklistID, ch)
	if err != nil {
		return err
	}
	written := make([]*models.ChecklistItem, 0, len(ch.Create)+len(ch.Update))
	for i := range ch.Create {
		it := &ch.Create[i]
		if it.Sequence == 0 {
			w.last++
			it.Sequence = w.last
		}
		written = append(written, it)
	}
	for i := range ch.Update {
		written = append(written, &ch.Update[i])
	}
	for _, it := range written {
		if it.Attributes == nil {
			it.Attributes = map[string]string{}
		}
	}
	first := w.checked
	if err := checkItems(tx, w.kind, written, func(i int) string { return "/items/" + strconv.Itoa(first+i) }); err != nil {
		return err
	}
	w.checked += len(written)
	changes := make([]change, 0, len(written)+len(ch.Delete))
	for i := range ch.Create {
		it := &ch.Create[i]
		it.ID, it.ChecklistID, it.Version, it.CreatedAt, it.UpdatedAt = NewID(), checklistID, 1, w.at, w.at
		it.ItemKey = cmp.Or(it.ItemKey, NewID())
		it.SearchText = searchText(w.kind, it)
		changes = append(changes, itemChange(w.checklist.IssuingUnitID, nil, it))
	}
	created := written[:len(ch.Create)]
	for part := range slices.Chunk(ch.Create, batchSize) {
		if err := tx.Create(part).Error; err != nil {
			return translate(err)
		}
		if err := w.grams.writeEntries(created[:len(part)]); err != nil {
			return err
		}
		created = created[len(part):]
	}
	var retext []*models.ChecklistItem // updates whose search_text changed
	for i := range ch.Update {
		it := &ch.Update[i]
		before := now[it.ID]
		it.ChecklistID, it.ItemKey, it.CreatedAt = checklistID, before.ItemKey, before.CreatedAt
		it.Version, it.UpdatedAt, it.SearchText = before.Version+1, w.at, searchText(w.kind, it)
		if err := tx.Save(it).Error; err != nil {
			return translate(err)
		}
		if it.SearchText != before.SearchText {
			retext = append(retext, it)
		}
		changes = append(changes, itemChange(w.checklist.IssuingUnitID, before, it))
	}
	if err := w.grams.dropEntries(retext); err != nil {
		return err
	}
	if err := w.grams.writeEntries(retext); err != nil {
		return err
	}
	ids := make([]string, len(ch.Delete))
	for i := range ch.Delete {
		ids[i] = ch.Delete[i].ID
		changes = append(changes, itemChange(w.checklist.IssuingUnitID, now[ids[i]], nil))
	}
	for part := range slices.Chunk(ids, batchSize) {
		if err := tx.Where("id IN ?", part).Delete(&models.ChecklistItem{}).Error; err != nil {
			return translate(err) // their entries go with them
		}
	}
	return w.db.record(w.ctx, tx, w.at, changes...)
}

// renumberItems gives a version's items the sequences 1…n in their order
// (by sequence, then by id), changing only those out of place.
func renumberItems(tx *gorm.DB, at time.Time, checklistID string) error {
	var rows []struct {
		ID       string
		Sequence int
	}
	if err := tx.Model(&models.ChecklistItem{}).Select("id, sequence").Where("checklist_id = ?", checklistID).
		Order("sequence").Order("id").Find(&rows).Error; err != nil {
		return translate(err)
	}
	for i, r := range rows {
		if r.Sequence == i+1 {
			continue
		}
		err := tx.Model(&models.ChecklistItem{}).Where("id = ?", r.ID).
			Updates(map[string]any{"sequence": i + 1, "version": gorm.Expr("version + 1"), "updated_at": at}).Error
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// shiftItems moves the items of a version whose sequence lies in [from,
// to) by delta places, as an item is inserted, removed or moved among them.
// Their version rises: what a client read of them changed.
func shiftItems(tx *gorm.DB, at time.Time, checklistID string, from, to, delta int) error {
	err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ? AND sequence >= ? AND sequence < ?", checklistID, from, to).
		Updates(map[string]any{"sequence": gorm.Expr("sequence + ?", delta), "version": gorm.Expr("version + 1"), "updated_at": at}).Error
	return translate(err)
}

// moveItem puts it at place to (the last place when beyond it), shifting
// the items between its old and new places by one.
func (db *DB) moveItem(tx *gorm.DB, at time.Time, it *models.ChecklistItem, to int) error {
	var last int
	if err := tx.Model(&models.ChecklistItem{}).Where("checklist_id = ?", it.ChecklistID).Select("MAX(sequence)").Scan(&last).Error; err != nil {
		return translate(err)
	}
	to = min(to, last)
	var err error
	if to < it.Sequence {
		err = shiftItems(tx, at, it.ChecklistID, to, it.Sequence, 1)
	} else {
		err = shiftItems(tx, at, it.ChecklistID, it.Sequence+1, to+1, -1)
	}
	it.Sequence = to
	return err
}

// lockItem locks an item's list version, which must be a draft, then the
// item at the version the client read.
func (db *DB) lockItem(tx *gorm.DB, id string, ifVersion int64) (*models.ChecklistItem, *models.Checklist, *models.ChecklistKind, error) {
	var it models.ChecklistItem
	err := tx.Where("id = ?", id).Take(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, nil, checklistItemNotFound(id)
	}
	if err != nil {
		return nil, nil, nil, translate(err)
	}
	// The list first, as every change of a list's items locks it: two
	// changes of one list's items then queue on the same row. The version
	// the client read is checked before the list's state, as RFC 9110
	// evaluates preconditions: a stale If-Match is a 412 even on a list
	// published since.
	var c models.Checklist
	if err := db.forUpdate(tx.Where("id = ?", it.ChecklistID)).Take(&c).Error; err != nil {
		return nil, nil, nil, translate(err)
	}
	if err := db.forUpdate(tx.Where("id = ?", id)).Take(&it).Error; err != nil {
		return nil, nil, nil, translate(err)
	}
	if it.Version != ifVersion {
		return nil, nil, nil, &models.PreconditionError{Detail: fmt.Sprintf("checklist item %s is at version %d, not %d", id, it.Version, ifVersion)}
	}
	if err := c.Editable(); err != nil {
		return nil, nil, nil, err
	}
	kind, err := getKind(tx, c.KindKey)
	if err != nil {
		return nil, nil, nil, err
	}
	return &it, &c, kind, nil
}

// ChecklistStatistics counts a version's items, in two grouping queries.
func (db *DB) ChecklistStatistics(ctx context.Context, checklistID string) (*models.ChecklistStatistics, error) {
	count := func(col string) ([]models.ChecklistCount, error) {
		var rows []struct {
			GroupKey *string
			Items    int
		}
		err := db.gorm.WithContext(ctx).Model(&models.ChecklistItem{}).Select(col+" AS group_key, COUNT(*) AS items").
			Where("checklist_id = ?", checklistID).Group(col).Order("items DESC").Order(col).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("statistics of checklist %s: %w", checklistID, translate(err))
		}
		out := make([]models.ChecklistCount, len(rows))
		for i, r := range rows {
			if r.GroupKey != nil {
				out[i].Key = *r.GroupKey
			}
			out[i].Items = r.Items
		}
		return out, nil
	}
	s := &models.ChecklistStatistics{}
	var err error
	if s.ByUnit, err = count("implementing_unit_id"); err != nil {
		return nil, err
	}
	if s.ByCategory, err = count("category"); err != nil {
		return nil, err
	}
	for _, g := range s.ByUnit {
		s.Items += g.Items
	}
	return s, nil
}
