package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

// MaxSubtree bounds the units one subtree read returns.
const MaxSubtree = 10000

// unitColumns maps the sort fields of models.UnitSortFields to columns.
var unitColumns = map[string]string{
	"code": "code", "name": "name", "level": "level",
	"createdAt": "created_at", "updatedAt": "updated_at",
}

// NewID returns a new time-sortable id (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

func unitNotFound(id string) error { return &models.NotFoundError{Entity: "unit", ID: id} }

// GetUnit reads one unit.
func (db *DB) GetUnit(ctx context.Context, id string) (*models.Unit, error) {
	return find[models.Unit](ctx, db, "unit "+id, unitNotFound(id), "id = ?", id)
}

// AllUnits reads every unit, for finding units by what a spreadsheet
// writes; a city has a few thousand at most.
func (db *DB) AllUnits(ctx context.Context) ([]models.Unit, error) {
	var units []models.Unit
	if err := db.gorm.WithContext(ctx).Order("path").Find(&units).Error; err != nil {
		return nil, fmt.Errorf("all units: %w", translate(err))
	}
	return units, nil
}

// UnitByCode reads the unit with this code.
func (db *DB) UnitByCode(ctx context.Context, code string) (*models.Unit, error) {
	return find[models.Unit](ctx, db, "unit "+code, &models.NotFoundError{Entity: "unit with code", ID: code}, "code = ?", code)
}

// CreateUnit inserts u below its parent, filling in id (unless set), level,
// path, version and timestamps.
func (db *DB) CreateUnit(ctx context.Context, u *models.Unit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		parent, err := db.lockParent(tx, u.ParentID)
		if err != nil {
			return err
		}
		if err := models.CheckPlacement(u, parent, 0); err != nil {
			return err
		}
		u.Level, u.Path = 1, models.UnitPath("", u.ID)
		if parent != nil {
			u.Level, u.Path = parent.Level+1, models.UnitPath(parent.Path, u.ID)
		}
		u.SearchText = unitSearchText(u)
		u.Version = 1
		u.CreatedAt = at
		u.UpdatedAt = u.CreatedAt
		if err := unitWriteError(tx.Create(u).Error, u); err != nil {
			return err
		}
		return db.record(ctx, tx, at, unitChange(nil, u))
	})
	if err != nil {
		return fmt.Errorf("create unit %s: %w", u.Code, err)
	}
	return nil
}

// CreateUnits inserts many units at once, all or nothing, parents before
// children, each with its id, level and path already set: for imports
// (package orgsheet), seeding and benchmarks. A code taken meanwhile is a
// conflict, and nothing is written.
func (db *DB) CreateUnits(ctx context.Context, units []*models.Unit) error {
	for _, u := range units {
		if err := u.Validate(); err != nil {
			return err
		}
		u.SearchText = unitSearchText(u)
		if u.Version == 0 {
			u.Version = 1
		}
	}
	return db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		for _, u := range units {
			if u.CreatedAt.IsZero() {
				u.CreatedAt, u.UpdatedAt = at, at
			}
		}
		if err := tx.CreateInBatches(units, batchSize).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "unit_code_taken",
					Detail: "a unit with one of these codes was created meanwhile: nothing was written"}
			}
			return translate(err)
		}
		changes := make([]change, len(units))
		for i, u := range units {
			changes[i] = unitChange(nil, u)
		}
		return db.record(ctx, tx, at, changes...)
	})
}

// Counts are how many units and users the database holds.
type Counts struct {
	Units, Users int64
}

// Count counts the units and the users.
func (db *DB) Count(ctx context.Context) (Counts, error) {
	var c Counts
	g := db.gorm.WithContext(ctx)
	if err := g.Model(&models.Unit{}).Count(&c.Units).Error; err != nil {
		return c, fmt.Errorf("count units: %w", translate(err))
	}
	if err := g.Model(&models.User{}).Count(&c.Users).Error; err != nil {
		return c, fmt.Errorf("count users: %w", translate(err))
	}
	return c, nil
}

// Init gives an empty database its root unit and its first administrator,
// in one transaction: refused when any unit or user exists, so that it can
// run again (a container restarting) without harm.
func (db *DB) Init(ctx context.Context, root *models.Unit, admin *models.User) error {
	if err := root.Validate(); err != nil {
		return err
	}
	if err := admin.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var units, users int64
		if err := tx.Model(&models.Unit{}).Count(&units).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&models.User{}).Count(&users).Error; err != nil {
			return translate(err)
		}
		if units > 0 || users > 0 {
			return &models.ConflictError{Code: "already_initialised",
				Detail: fmt.Sprintf("the database has %d unit(s) and %d user(s): init only starts an empty one", units, users)}
		}
		root.ID, root.ParentID, root.Level = NewID(), nil, 1
		root.Path = models.UnitPath("", root.ID)
		root.SearchText = unitSearchText(root)
		root.Version, root.CreatedAt, root.UpdatedAt = 1, at, at
		if err := tx.Create(root).Error; err != nil {
			return translate(err)
		}
		admin.ID, admin.UnitID = NewID(), root.ID
		prepareUser(admin)
		admin.Version, admin.CreatedAt, admin.UpdatedAt = 1, at, at
		if err := tx.Create(admin).Error; err != nil {
			return translate(err)
		}
		c, err := db.userChange(tx, nil, admin)
		if err != nil {
			return err
		}
		return db.record(ctx, tx, at, unitChange(nil, root), c)
	})
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	return nil
}

// unitChange is the audit record of a unit going from before to after.
func unitChange(before, after *models.Unit) change {
	u := after
	if u == nil {
		u = before
	}
	c := change{entityType: "unit", entityID: u.ID, unitID: &u.ID, unitPath: u.Path, release: releaseOf(before, after)}
	if before != nil {
		c.before = unitSnapshot(before)
	}
	if after != nil {
		c.after = unitSnapshot(after)
	}
	return c
}

// UpdateUnit applies patch to the unit at version ifVersion. A move re-parents the
// whole subtree in the same transaction: the descendants' path, level and version
// change with it.
func (db *DB) UpdateUnit(ctx context.Context, id string, ifVersion int64, patch models.UnitPatch) (*models.Unit, error) {
	var out *models.Unit
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		u, err := db.lockUnit(tx, id)
		if err != nil {
			return err
		}
		if u.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("unit %s is at version %d, not %d", id, u.Version, ifVersion)}
		}
		old := *u
		applyUnitPatch(u, patch)
		if err := u.Validate(); err != nil {
			return err
		}
		now := at
		var moved []change
		if patch.Move && !sameID(old.ParentID, u.ParentID) {
			if moved, err = db.moveUnit(tx, &old, u, now); err != nil {
				return err
			}
		}
		u.SearchText = unitSearchText(u)
		u.Version++
		u.UpdatedAt = now
		_, err = execIn(tx, "UPDATE units SET code = ?, kind = ?, level = ?, name = ?, parent_id = ?, path = ?,"+
			" search_text = ?, short_name = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
			u.Code, u.Kind, u.Level, u.Name, u.ParentID, u.Path, u.SearchText, u.ShortName, u.UpdatedAt, u.Version,
			id, ifVersion)
		if err := unitWriteError(err, u); err != nil {
			return err
		}
		out = u
		return db.record(ctx, tx, at, append([]change{unitChange(&old, u)}, moved...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("update unit %s: %w", id, err)
	}
	return out, nil
}

// moveUnit places u under its new parent and rewrites its descendants' paths
// with one UPDATE on the path index. It returns the descendants' changes for
// the audit log: each of them moved too.
func (db *DB) moveUnit(tx *gorm.DB, old, u *models.Unit, now time.Time) ([]change, error) {
	parent, err := db.lockParent(tx, u.ParentID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(old.Path)
	var descendants []models.Unit
	if err := tx.Where("path > ? AND path < ?", lo, hi).Order("path").Find(&descendants).Error; err != nil {
		return nil, translate(err)
	}
	deepest := old.Level
	for _, d := range descendants {
		deepest = max(deepest, d.Level)
	}
	if err := models.CheckPlacement(old, parent, deepest-old.Level); err != nil {
		return nil, err
	}
	u.Level, u.Path = 1, models.UnitPath("", u.ID)
	if parent != nil {
		u.Level, u.Path = parent.Level+1, models.UnitPath(parent.Path, u.ID)
	}
	newPath := "? || substr(path, ?)"
	if db.dialect == MySQL {
		newPath = "CONCAT(?, SUBSTRING(path, ?))"
	}
	err = tx.Exec(
		"UPDATE units SET path = "+newPath+", level = level + ?, version = version + 1, updated_at = ?"+
			" WHERE path > ? AND path < ?",
		u.Path, len(old.Path)+1, u.Level-old.Level, now, lo, hi,
	).Error
	if err != nil {
		return nil, translate(err)
	}
	changes := make([]change, len(descendants))
	for i := range descendants {
		before := descendants[i]
		after := before
		after.Path = u.Path + before.Path[len(old.Path):]
		after.Level += u.Level - old.Level
		after.Version++
		after.UpdatedAt = now
		changes[i] = unitChange(&descendants[i], &after)
	}
	return changes, nil
}

// DeleteUnit removes the unit at version ifVersion, unless anything refers to it.
func (db *DB) DeleteUnit(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		u, err := db.lockUnit(tx, id)
		if err != nil {
			return err
		}
		if u.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("unit %s is at version %d, not %d", id, u.Version, ifVersion)}
		}
		refs, err := unitReferrers(tx, id)
		if err != nil {
			return err
		}
		if len(refs) > 0 {
			return &models.ConflictError{
				Code:      "unit_has_referrers",
				Detail:    fmt.Sprintf("unit %s is referred to by %d record(s); remove or move them first", id, len(refs)),
				Referrers: refs,
			}
		}
		if err := tx.Where("id = ? AND version = ?", id, ifVersion).Delete(&models.Unit{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, unitChange(u, nil))
	})
	if err != nil {
		return fmt.Errorf("delete unit %s: %w", id, err)
	}
	return nil
}

// maxReferrers bounds how many referrers a refusal names.
const maxReferrers = 100

// unitReferrers lists the records that refer to a unit. Each domain that keeps a
// unit id adds its table here, so that deleting a unit in use is refused by name
// rather than by a bare foreign-key error.
func unitReferrers(tx *gorm.DB, id string) ([]models.Referrer, error) {
	var children []models.Unit
	if err := tx.Select("id", "name").Where("parent_id = ?", id).Order("code").
		Limit(maxReferrers).Find(&children).Error; err != nil {
		return nil, translate(err)
	}
	refs := make([]models.Referrer, 0, len(children))
	for _, c := range children {
		refs = append(refs, models.Referrer{Type: "unit", ID: c.ID, Name: c.Name})
	}
	// Each domain that keeps a unit id adds its query here.
	referring := []struct {
		kind  string
		query string
		// inList: the query matches the unit's id inside a JSON list of
		// ids (a LIKE pattern) rather than a column equal to it.
		inList bool
	}{
		{"user", "SELECT id, username AS name FROM users WHERE unit_id = ? ORDER BY username", false},
		{"indicator_system", "SELECT id, name FROM indicator_systems WHERE issuing_unit_id = ? ORDER BY name", false},
		{"indicator", "SELECT id, name FROM indicators WHERE lead_unit_id = ? ORDER BY name", false},
		{"indicator", "SELECT i.id, i.name FROM indicator_reporting_units r JOIN indicators i ON i.id = r.indicator_id WHERE r.unit_id = ? ORDER BY i.name", false},
		{"target", "SELECT t.id, i.name FROM targets t JOIN indicators i ON i.id = t.indicator_id WHERE t.unit_id = ? ORDER BY t.year, i.name", false},
		{"evaluation", "SELECT id, name FROM evaluations WHERE unit_ids LIKE ? ORDER BY id", true},
		{"indicator_value", "SELECT v.id, SUBSTR(i.name, 1, 200) AS name FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id" +
			" WHERE v.unit_id = ? ORDER BY v.period, i.name", false},
		{"checklist", "SELECT id, title AS name FROM checklists WHERE issuing_unit_id = ? ORDER BY title, version_no", false},
		// Names are cut to what a referrer's name holds (200 characters).
		{"checklist_item", "SELECT id, SUBSTR(name, 1, 200) AS name FROM checklist_items WHERE implementing_unit_id = ? ORDER BY checklist_id, sequence", false},
		{"checklist_application", "SELECT id, COALESCE(case_number, case_date) AS name FROM checklist_applications WHERE unit_id = ? ORDER BY case_date, id", false},
		{"inspection_round", "SELECT id, title AS name FROM inspection_rounds WHERE assigning_unit_id = ? ORDER BY created_at, id", false},
		{"inspection_sheet", "SELECT s.id, r.title AS name FROM inspection_sheets s JOIN inspection_rounds r ON r.id = s.round_id" +
			" WHERE s.unit_id = ? ORDER BY r.created_at, s.id", false},
		{"plan", "SELECT id, title AS name FROM plans WHERE unit_id = ? ORDER BY year, id", false},
		{"plan_task", "SELECT t.id, t.title AS name FROM plan_task_units u JOIN plan_tasks t ON t.id = u.task_id" +
			" WHERE u.unit_id = ? ORDER BY t.tree_key", false},
		{"progress_report", "SELECT r.id, t.title AS name FROM progress_reports r JOIN plan_tasks t ON t.id = r.task_id" +
			" WHERE r.unit_id = ? ORDER BY r.created_at, r.id", false},
		{"problem", "SELECT id, title AS name FROM problems WHERE unit_id = ? ORDER BY year, id", false},
	}
	for _, r := range referring {
		if len(refs) >= maxReferrers {
			break
		}
		var arg any = id
		if r.inList {
			arg = `%"` + id + `"%` // ids are UUIDs: no LIKE wildcards in them
		}
		var rows []struct{ ID, Name string }
		if err := tx.Raw(r.query+" LIMIT ?", arg, maxReferrers-len(refs)).Scan(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, row := range rows {
			refs = append(refs, models.Referrer{Type: r.kind, ID: row.ID, Name: row.Name})
		}
	}
	return refs, nil
}

// ListUnits reads one page of units matching the filter, and the cursor of the
// next page (nil on the last).
func (db *DB) ListUnits(ctx context.Context, f models.UnitFilter, page paging.Page) ([]models.Unit, *paging.Cursor, error) {
	col, ok := unitColumns[page.Sort.Field]
	if !ok {
		return nil, nil, fmt.Errorf("list units: unknown sort field %q", page.Sort.Field)
	}
	q := db.gorm.WithContext(ctx).Model(&models.Unit{})
	if f.ParentID != "" {
		q = q.Where("parent_id = ?", f.ParentID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Level != 0 {
		q = q.Where("level = ?", f.Level)
	}
	if f.Query != "" {
		q = q.Where("search_text LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(textsearch.Fold(f.Query))+"%")
	}
	units, next, err := keysetPage(q, col, col == "code", page, unitCursorKey(page.Sort.Field),
		func(u *models.Unit) string { return unitSortValue(page.Sort.Field, u) }, func(u *models.Unit) string { return u.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list units: %w", err)
	}
	return units, next, nil
}

// unitSortValue is the text form of a unit's sort key, for a cursor.
func unitSortValue(field string, u *models.Unit) string {
	switch field {
	case "name":
		return u.Name
	case "level":
		return strconv.Itoa(u.Level)
	case "createdAt":
		return instant(u.CreatedAt)
	case "updatedAt":
		return instant(u.UpdatedAt)
	default:
		return u.Code
	}
}

// unitCursorKey reads a cursor's key back into the sort column's type.
func unitCursorKey(field string) func(string) (any, error) {
	if field == "level" {
		return parseInt
	}
	return timeOrText(unitColumns[field])
}

// UnitSubtree reads the unit and its descendants down to depth levels below it,
// in one query on the path index, ordered by level then code. More than
// MaxSubtree units is an error: the caller should ask for less.
func (db *DB) UnitSubtree(ctx context.Context, id string, depth int) ([]models.Unit, error) {
	root, err := db.GetUnit(ctx, id)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(root.Path)
	var units []models.Unit
	err = db.gorm.WithContext(ctx).
		Where("path >= ? AND path < ? AND level <= ?", lo, hi, root.Level+depth).
		Order("level").Order("code").Limit(MaxSubtree + 1).Find(&units).Error
	if err != nil {
		return nil, fmt.Errorf("unit subtree %s: %w", id, translate(err))
	}
	if len(units) > MaxSubtree {
		return nil, models.Invalid("unit_subtree_too_large", "", "the subtree has more than %d units within depth %d: ask for a smaller depth, or page through the list with parentId", MaxSubtree, depth)
	}
	return units, nil
}

// UnitAncestors reads the units above id, root first.
func (db *DB) UnitAncestors(ctx context.Context, id string) ([]models.Unit, error) {
	u, err := db.GetUnit(ctx, id)
	if err != nil {
		return nil, err
	}
	ids := u.AncestorIDs()
	if len(ids) == 0 {
		return []models.Unit{}, nil
	}
	var units []models.Unit
	if err := db.gorm.WithContext(ctx).Where("id IN ?", ids).Order("level").Find(&units).Error; err != nil {
		return nil, fmt.Errorf("unit ancestors %s: %w", id, translate(err))
	}
	return units, nil
}

// lockUnit reads a unit inside a transaction and locks it until the end of it.
func (db *DB) lockUnit(tx *gorm.DB, id string) (*models.Unit, error) {
	units, err := unitReader.lock(db, tx, "id = ?", id)
	if err != nil {
		return nil, translate(err)
	}
	if len(units) == 0 {
		return nil, unitNotFound(id)
	}
	return &units[0], nil
}

// lockParent share-locks the parent a unit is placed under (nil for a
// root): it cannot move or go until the placement commits, while siblings
// placed at once need not wait for each other. A parent that does not exist
// is the client's mistake, not a missing record: a 422.
func (db *DB) lockParent(tx *gorm.DB, parentID *string) (*models.Unit, error) {
	if parentID == nil {
		return nil, nil
	}
	var p models.Unit
	err := db.forShare(tx.Where("id = ?", *parentID)).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.Invalid("unit_parent_not_found", "/parentId", "parent unit %s does not exist", *parentID)
	}
	if err != nil {
		return nil, translate(err)
	}
	return &p, nil
}

// subtreeRange returns the bounds of the paths at and below path: every such
// path starts with path, and '0' is the byte after '/'.
func subtreeRange(path string) (lo, hi string) {
	return path, strings.TrimSuffix(path, "/") + "0"
}

func applyUnitPatch(u *models.Unit, p models.UnitPatch) {
	if p.Code != nil {
		u.Code = *p.Code
	}
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Kind != nil {
		u.Kind = *p.Kind
	}
	if p.SetShortName {
		u.ShortName = p.ShortName
	}
	if p.Move {
		u.ParentID = p.ParentID
	}
}

func unitSearchText(u *models.Unit) string {
	short := ""
	if u.ShortName != nil {
		short = *u.ShortName
	}
	return textsearch.Fold(u.Name, short, u.Code)
}

// unitWriteError names the unique constraint a write broke.
func unitWriteError(err error, u *models.Unit) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &models.ConflictError{Code: "unit_code_taken", Detail: fmt.Sprintf("another unit has the code %q", u.Code)}
	}
	return translate(err)
}

func sameID(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
