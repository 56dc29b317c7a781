package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

func systemNotFound(id string) error {
	return &models.NotFoundError{Entity: "indicator system", ID: id}
}
func indicatorNotFound(id string) error {
	return &models.NotFoundError{Entity: "indicator", ID: id}
}

// reportingUnit links an indicator to a unit that must report it.
type reportingUnit struct {
	IndicatorID string `gorm:"column:indicator_id;primaryKey"`
	UnitID      string `gorm:"column:unit_id;primaryKey"`
}

func (reportingUnit) TableName() string { return "indicator_reporting_units" }

func systemChange(before, after *models.IndicatorSystem) change {
	s := after
	if s == nil {
		s = before
	}
	c := change{entityType: "indicator_system", entityID: s.ID, unitID: &s.IssuingUnitID, release: releaseOf(before, after)}
	if before != nil {
		c.before = systemSnapshot(before)
	}
	if after != nil {
		c.after = systemSnapshot(after)
	}
	return c
}

// systemSnapshot is a system as the audit log keeps it: the API's field names,
// without the search column.
func systemSnapshot(s *models.IndicatorSystem) map[string]any {
	m := map[string]any{
		"id": s.ID, "name": s.Name, "issuingUnitId": s.IssuingUnitID, "edition": s.Edition,
		"yearFrom": s.YearFrom, "yearTo": s.YearTo, "totalPoints": s.TotalPoints.String(),
		"status": s.Status, "version": s.Version,
	}
	if s.PreviousEditionID != nil {
		m["previousEditionId"] = *s.PreviousEditionID
	}
	if s.PublishedAt != nil {
		m["publishedAt"] = timeOrNil(s.PublishedAt)
	}
	if len(s.GradeBands) > 0 {
		m["gradeBands"] = s.GradeBands
	}
	return m
}

// indicatorChange is the audit record of an indicator of a system issued by
// the unit issuer.
func indicatorChange(issuer string, before, after *models.Indicator) change {
	ind := after
	if ind == nil {
		ind = before
	}
	c := change{entityType: "indicator", entityID: ind.ID, unitID: &issuer, releasedWith: feedRef{"indicator_system", ind.SystemID}}
	if before != nil {
		c.before = indicatorSnapshot(before)
	}
	if after != nil {
		c.after = indicatorSnapshot(after)
	}
	return c
}

// indicatorSnapshot is an indicator as the audit log keeps it: the API's field
// names, without the search column.
func indicatorSnapshot(ind *models.Indicator) map[string]any {
	units := ind.ReportingUnitIDs
	if units == nil {
		units = []string{}
	}
	m := map[string]any{
		"id": ind.ID, "systemId": ind.SystemID, "code": ind.Code, "name": ind.Name, "level": ind.Level,
		"points": ind.Points.String(), "valueType": ind.ValueType, "direction": ind.Direction,
		"aggregation": ind.Aggregation, "frequency": ind.Frequency, "evidenceRequired": ind.EvidenceRequired,
		"reportingUnitIds": units, "sortOrder": ind.SortOrder, "version": ind.Version,
	}
	for k, v := range map[string]*string{"parentId": ind.ParentID, "content": ind.Content, "criteria": ind.Criteria,
		"measureUnit": ind.MeasureUnit, "leadUnitId": ind.LeadUnitID, "sourceIndicatorId": ind.SourceIndicatorID} {
		if v != nil {
			m[k] = *v
		}
	}
	if ind.Scoring != nil {
		m["scoring"] = ind.Scoring
	}
	return m
}

// jsonColumn is the text a JSON column holds for v, NULL for nil: what the
// json serializer writes on insert, for updates written as maps (which
// bypass serializers).
func jsonColumn[T any](v T) any {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return string(b)
}

// requireUnitAt refuses a reference to a unit that does not exist (a 422 at pointer).
func requireUnitAt(tx *gorm.DB, unitID, code, pointer string) error {
	err := tx.Select("id").Where("id = ?", unitID).Take(&models.Unit{}).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Invalid(code, pointer, "unit %s does not exist", unitID)
	}
	return translate(err)
}

// systemModel is how the lifecycle's write path persists indicator systems.
var systemModel = model[models.IndicatorSystem]{
	entity: "indicator system",
	columns: []string{"name", "issuing_unit_id", "edition", "year_from", "year_to", "total_points", "status",
		"published_at", "grade_bands", "search_text", "version", "updated_at"},
	id:      func(s *models.IndicatorSystem) string { return s.ID },
	version: func(s *models.IndicatorSystem) *int64 { return &s.Version },
	updated: func(s *models.IndicatorSystem) *time.Time { return &s.UpdatedAt },
	allows: func(s *models.IndicatorSystem, move string) error {
		_, err := models.SystemLifecycle.Check(move, s.ID, s.Status)
		return err
	},
	audit: systemChange,
}

// CreateIndicatorSystem inserts a new draft system (models.NewIndicatorSystem)
// whose content s gives; s becomes the stored system.
func (db *DB) CreateIndicatorSystem(ctx context.Context, s *models.IndicatorSystem) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		draft, err := models.NewIndicatorSystem(*s, at)
		if err != nil {
			return err
		}
		if err := requireUnitAt(tx, draft.IssuingUnitID, "indicator_system_unit_not_found", "/issuingUnitId"); err != nil {
			return err
		}
		if draft.ID == "" {
			draft.ID = NewID()
		}
		draft.SearchText = textsearch.Fold(draft.Name, draft.Edition)
		if err := insert(ctx, db, tx, at, systemModel, []*models.IndicatorSystem{draft}); err != nil {
			return err
		}
		*s = *draft
		return nil
	})
	if err != nil {
		return fmt.Errorf("create indicator system: %w", err)
	}
	return nil
}

// GetIndicatorSystem reads one system.
func (db *DB) GetIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error) {
	return find[models.IndicatorSystem](ctx, db, "indicator system "+id, systemNotFound(id), "id = ?", id)
}

var systemColumns = map[string]string{"name": "name", "createdAt": "created_at"}

// ListIndicatorSystems reads one page of systems.
func (db *DB) ListIndicatorSystems(ctx context.Context, f models.SystemFilter, page paging.Page) ([]models.IndicatorSystem, *paging.Cursor, error) {
	col, ok := systemColumns[page.Sort.Field]
	if !ok {
		return nil, nil, fmt.Errorf("list indicator systems: unknown sort field %q", page.Sort.Field)
	}
	q := db.gorm.WithContext(ctx).Model(&models.IndicatorSystem{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.IssuingUnitID != "" {
		q = q.Where("issuing_unit_id = ?", f.IssuingUnitID)
	}
	if f.ReleasedOnly {
		q = q.Where("status IN ?", models.SystemLifecycle.Released)
	}
	if f.Query != "" {
		q = q.Where("search_text LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(textsearch.Fold(f.Query))+"%")
	}
	key := func(s *models.IndicatorSystem) string {
		if page.Sort.Field == "name" {
			return s.Name
		}
		return instant(s.CreatedAt)
	}
	return keysetPage(q, col, false, page, timeOrText(col), key, func(s *models.IndicatorSystem) string { return s.ID })
}

// UpdateIndicatorSystem applies a patch to a draft system at version ifVersion.
func (db *DB) UpdateIndicatorSystem(ctx context.Context, id string, ifVersion int64, p models.SystemPatch) (*models.IndicatorSystem, error) {
	return db.changeSystem(ctx, target{id, models.MoveEdit, &ifVersion}, func(tx *gorm.DB, _ time.Time, s *models.IndicatorSystem) error {
		if err := s.Editable(); err != nil {
			return err
		}
		if p.IssuingUnitID != nil {
			if err := requireUnitAt(tx, *p.IssuingUnitID, "indicator_system_unit_not_found", "/issuingUnitId"); err != nil {
				return err
			}
		}
		return s.Edit(p)
	})
}

// PublishIndicatorSystem freezes a draft whose points add up.
func (db *DB) PublishIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error) {
	return db.changeSystem(ctx, target{id: id, move: models.MovePublish}, func(tx *gorm.DB, at time.Time, s *models.IndicatorSystem) error {
		// In tree order, so that the mismatches are named in a stable order.
		var inds []models.Indicator
		if err := tx.Where("system_id = ?", id).Order("level").Order("sort_order").Order("code").Order("id").
			Find(&inds).Error; err != nil {
			return translate(err)
		}
		return s.Publish(at, inds)
	})
}

// ArchiveIndicatorSystem retires a published system.
func (db *DB) ArchiveIndicatorSystem(ctx context.Context, id string) (*models.IndicatorSystem, error) {
	return db.changeSystem(ctx, target{id: id, move: models.MoveArchive}, func(_ *gorm.DB, _ time.Time, s *models.IndicatorSystem) error {
		return s.Archive()
	})
}

// changeSystem is the write path for one system: lock it, apply fn (the
// domain's change), keep its search text in step, save it.
func (db *DB) changeSystem(ctx context.Context, t target, fn func(tx *gorm.DB, at time.Time, s *models.IndicatorSystem) error) (*models.IndicatorSystem, error) {
	s, err := changeOne(ctx, db, systemModel, t, func(tx *gorm.DB, at time.Time, s *models.IndicatorSystem) error {
		if err := fn(tx, at, s); err != nil {
			return err
		}
		s.SearchText = textsearch.Fold(s.Name, s.Edition)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s indicator system %s: %w", t.move, t.id, err)
	}
	return s, nil
}

func (db *DB) lockSystem(tx *gorm.DB, id string) (*models.IndicatorSystem, error) {
	return lockOne(db, tx, systemModel, target{id: id})
}

// DeleteIndicatorSystem deletes a draft system with its indicators.
func (db *DB) DeleteIndicatorSystem(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		s, err := lockOne(db, tx, systemModel, target{id, models.MoveDelete, &ifVersion})
		if err != nil {
			return err
		}
		var next []models.IndicatorSystem
		if err := tx.Select("id", "name").Where("previous_edition_id = ?", id).Limit(maxReferrers).Find(&next).Error; err != nil {
			return translate(err)
		}
		if len(next) > 0 {
			refs := make([]models.Referrer, len(next))
			for i, n := range next {
				refs[i] = models.Referrer{Type: "indicator_system", ID: n.ID, Name: n.Name}
			}
			return &models.ConflictError{Code: "indicator_system_has_referrers",
				Detail: fmt.Sprintf("indicator system %s is the previous edition of %d system(s)", id, len(next)), Referrers: refs}
		}
		inds, err := loadIndicators(tx, id)
		if err != nil {
			return err
		}
		// Every indicator deleted with the system is an event of its own.
		changes := []change{systemChange(s, nil)}
		ids := make([]string, len(inds))
		for i := range inds {
			ids[i] = inds[i].ID
			changes = append(changes, indicatorChange(s.IssuingUnitID, &inds[i], nil))
		}
		targets, err := targetReferrers(tx, ids)
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return &models.ConflictError{Code: "indicator_system_has_targets",
				Detail: fmt.Sprintf("indicator system %s has targets set on its indicators; delete them first", id), Referrers: targets}
		}
		if len(ids) > 0 {
			if err := tx.Where("indicator_id IN ?", ids).Delete(&reportingUnit{}).Error; err != nil {
				return translate(err)
			}
			// Children before parents: clear the self-references first.
			if err := tx.Model(&models.Indicator{}).Where("system_id = ?", id).Update("parent_id", nil).Error; err != nil {
				return translate(err)
			}
			if err := tx.Where("system_id = ?", id).Delete(&models.Indicator{}).Error; err != nil {
				return translate(err)
			}
		}
		if err := tx.Where("id = ?", id).Delete(&models.IndicatorSystem{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, changes...)
	})
	if err != nil {
		return fmt.Errorf("delete indicator system %s: %w", id, err)
	}
	return nil
}

// NewEdition copies a system with its indicators into a new draft; each copy
// remembers its source indicator.
func (db *DB) NewEdition(ctx context.Context, id string, edition models.IndicatorSystem) (*models.IndicatorSystem, error) {
	var out *models.IndicatorSystem
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		src, err := db.lockSystem(tx, id)
		if err != nil {
			return err
		}
		s, err := src.NewEdition(edition.Name, edition.Edition, edition.YearFrom, edition.YearTo, at)
		if err != nil {
			return err
		}
		s.ID = NewID()
		s.SearchText = textsearch.Fold(s.Name, s.Edition)
		if err := tx.Create(s).Error; err != nil {
			return translate(err)
		}
		inds, err := loadIndicators(tx, src.ID)
		if err != nil {
			return err
		}
		newID := make(map[string]string, len(inds))
		for _, ind := range inds {
			newID[ind.ID] = NewID()
		}
		copies := make([]*models.Indicator, len(inds))
		var links []reportingUnit
		for i := range inds {
			c := inds[i]
			c.SourceIndicatorID = &inds[i].ID
			c.ID, c.SystemID = newID[inds[i].ID], s.ID
			if c.ParentID != nil {
				p := newID[*c.ParentID]
				c.ParentID = &p
			}
			c.Version, c.CreatedAt, c.UpdatedAt = 1, s.CreatedAt, s.CreatedAt
			for _, u := range c.ReportingUnitIDs {
				links = append(links, reportingUnit{IndicatorID: c.ID, UnitID: u})
			}
			copies[i] = &c
		}
		if len(copies) > 0 {
			// loadIndicators orders parents before children (by level).
			if err := tx.CreateInBatches(copies, 200).Error; err != nil {
				return translate(err)
			}
		}
		if len(links) > 0 {
			if err := tx.CreateInBatches(links, 500).Error; err != nil {
				return translate(err)
			}
		}
		out = s
		// Every copied indicator is an event of its own.
		changes := []change{systemChange(nil, s)}
		for _, c := range copies {
			changes = append(changes, indicatorChange(s.IssuingUnitID, nil, c))
		}
		return db.record(ctx, tx, at, changes...)
	})
	if err != nil {
		return nil, fmt.Errorf("new edition of indicator system %s: %w", id, err)
	}
	return out, nil
}

// loadIndicators reads a system's indicators, parents before children, with
// their reporting units: two queries, whatever the size of the tree.
func loadIndicators(tx *gorm.DB, systemID string) ([]models.Indicator, error) {
	var inds []models.Indicator
	if err := tx.Where("system_id = ?", systemID).Order("level").Order("sort_order").Order("code").Order("id").
		Find(&inds).Error; err != nil {
		return nil, translate(err)
	}
	var links []reportingUnit
	if err := tx.Table("indicator_reporting_units").
		Joins("JOIN indicators ON indicators.id = indicator_reporting_units.indicator_id").
		Where("indicators.system_id = ?", systemID).
		Order("indicator_reporting_units.unit_id").
		Select("indicator_reporting_units.indicator_id, indicator_reporting_units.unit_id").
		Find(&links).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[string]*models.Indicator, len(inds))
	for i := range inds {
		inds[i].ReportingUnitIDs = []string{}
		byID[inds[i].ID] = &inds[i]
	}
	for _, l := range links {
		if ind := byID[l.IndicatorID]; ind != nil {
			ind.ReportingUnitIDs = append(ind.ReportingUnitIDs, l.UnitID)
		}
	}
	return inds, nil
}

// IndicatorTree reads a system and all its indicators, parents before
// children, in a constant number of queries.
func (db *DB) IndicatorTree(ctx context.Context, systemID string) (*models.IndicatorSystem, []models.Indicator, error) {
	s, err := db.GetIndicatorSystem(ctx, systemID)
	if err != nil {
		return nil, nil, err
	}
	inds, err := loadIndicators(db.gorm.WithContext(ctx), systemID)
	if err != nil {
		return nil, nil, fmt.Errorf("indicator tree %s: %w", systemID, err)
	}
	return s, inds, nil
}

// ListIndicators reads one page of a system's indicators in tree order.
func (db *DB) ListIndicators(ctx context.Context, systemID string, f models.IndicatorFilter, page paging.Page) ([]models.Indicator, *paging.Cursor, error) {
	if _, err := db.GetIndicatorSystem(ctx, systemID); err != nil {
		return nil, nil, err
	}
	q := db.gorm.WithContext(ctx).Model(&models.Indicator{}).Where("system_id = ?", systemID)
	if f.ParentID != "" {
		q = q.Where("parent_id = ?", f.ParentID)
	}
	if f.Level != 0 {
		q = q.Where("level = ?", f.Level)
	}
	if f.Query != "" {
		q = q.Where("search_text LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(textsearch.Fold(f.Query))+"%")
	}
	if c := page.After; c != nil {
		order, code, ok := splitTreeKey(c.Key)
		if !ok {
			return nil, nil, paging.ErrInvalidCursor
		}
		q = q.Where("(sort_order > ? OR (sort_order = ? AND (code > ? OR (code = ? AND id > ?))))", order, order, code, code, c.ID)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var inds []models.Indicator
	if err := q.Order("sort_order").Order("code").Order("id").Limit(limit + 1).Find(&inds).Error; err != nil {
		return nil, nil, fmt.Errorf("list indicators: %w", translate(err))
	}
	if err := db.attachReportingUnits(ctx, inds); err != nil {
		return nil, nil, err
	}
	if len(inds) <= limit {
		return inds, nil, nil
	}
	inds = inds[:limit]
	last := inds[limit-1]
	return inds, &paging.Cursor{Sort: page.Sort.String(), Key: strconv.Itoa(last.SortOrder) + "|" + last.Code, ID: last.ID}, nil
}

func splitTreeKey(key string) (int, string, bool) {
	for i := 0; i < len(key); i++ {
		if key[i] == '|' {
			n, err := strconv.Atoi(key[:i])
			return n, key[i+1:], err == nil
		}
	}
	return 0, "", false
}

// attachReportingUnits fills the reporting units of a page of indicators in one query.
func (db *DB) attachReportingUnits(ctx context.Context, inds []models.Indicator) error {
	if len(inds) == 0 {
		return nil
	}
	ids := make([]string, len(inds))
	byID := make(map[string]*models.Indicator, len(inds))
	for i := range inds {
		ids[i] = inds[i].ID
		inds[i].ReportingUnitIDs = []string{}
		byID[ids[i]] = &inds[i]
	}
	var links []reportingUnit
	if err := db.gorm.WithContext(ctx).Where("indicator_id IN ?", ids).Order("unit_id").Find(&links).Error; err != nil {
		return fmt.Errorf("reporting units: %w", translate(err))
	}
	for _, l := range links {
		byID[l.IndicatorID].ReportingUnitIDs = append(byID[l.IndicatorID].ReportingUnitIDs, l.UnitID)
	}
	return nil
}

// GetIndicator reads one indicator with its reporting units.
func (db *DB) GetIndicator(ctx context.Context, id string) (*models.Indicator, error) {
	ind, err := find[models.Indicator](ctx, db, "indicator "+id, indicatorNotFound(id), "id = ?", id)
	if err != nil {
		return nil, err
	}
	one := []models.Indicator{*ind}
	if err := db.attachReportingUnits(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// CreateIndicator adds an indicator to a draft system.
func (db *DB) CreateIndicator(ctx context.Context, systemID string, ind *models.Indicator) error {
	if ind.ID == "" {
		ind.ID = NewID()
	}
	ind.SystemID = systemID
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		s, err := db.lockSystem(tx, systemID)
		if err != nil {
			return err
		}
		if err := s.Editable(); err != nil {
			return err
		}
		ind.Level = 1
		if ind.ParentID != nil {
			var parent models.Indicator
			err := tx.Where("id = ? AND system_id = ?", *ind.ParentID, systemID).Take(&parent).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Invalid("indicator_parent_not_found", "/parentId", "indicator %s is not in this system", *ind.ParentID)
			}
			if err != nil {
				return translate(err)
			}
			ind.Level = parent.Level + 1
		}
		if err := ind.Validate(); err != nil {
			return err
		}
		if err := db.checkIndicatorUnits(tx, ind); err != nil {
			return err
		}
		slices.Sort(ind.ReportingUnitIDs)
		ind.SearchText = textsearch.Fold(ind.Code, ind.Name)
		ind.Version = 1
		ind.CreatedAt = at
		ind.UpdatedAt = ind.CreatedAt
		if err := indicatorWriteError(tx.Create(ind).Error, ind); err != nil {
			return err
		}
		if err := setReportingUnits(tx, ind.ID, ind.ReportingUnitIDs); err != nil {
			return err
		}
		return db.record(ctx, tx, at, indicatorChange(s.IssuingUnitID, nil, ind))
	})
	if err != nil {
		return fmt.Errorf("create indicator %s: %w", ind.Code, err)
	}
	return nil
}

// checkIndicatorUnits refuses references to units that do not exist.
func (db *DB) checkIndicatorUnits(tx *gorm.DB, ind *models.Indicator) error {
	if ind.LeadUnitID != nil {
		if err := requireUnitAt(tx, *ind.LeadUnitID, "indicator_unit_not_found", "/leadUnitId"); err != nil {
			return err
		}
	}
	if len(ind.ReportingUnitIDs) == 0 {
		return nil
	}
	var found []string
	if err := tx.Model(&models.Unit{}).Where("id IN ?", ind.ReportingUnitIDs).Pluck("id", &found).Error; err != nil {
		return translate(err)
	}
	for i, id := range ind.ReportingUnitIDs {
		if !slices.Contains(found, id) {
			return models.Invalid("indicator_unit_not_found", "/reportingUnitIds/"+strconv.Itoa(i), "unit %s does not exist", id)
		}
	}
	return nil
}

// setReportingUnits replaces an indicator's reporting units. Callers pass the
// ids sorted, the order every read gives them in.
func setReportingUnits(tx *gorm.DB, indicatorID string, unitIDs []string) error {
	if err := tx.Where("indicator_id = ?", indicatorID).Delete(&reportingUnit{}).Error; err != nil {
		return translate(err)
	}
	if len(unitIDs) == 0 {
		return nil
	}
	links := make([]reportingUnit, len(unitIDs))
	for i, u := range unitIDs {
		links[i] = reportingUnit{IndicatorID: indicatorID, UnitID: u}
	}
	return translate(tx.Create(&links).Error)
}

func indicatorWriteError(err error, ind *models.Indicator) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &models.ConflictError{Code: "indicator_code_taken",
			Detail: fmt.Sprintf("another level-%d indicator of this system has the code %q", ind.Level, ind.Code)}
	}
	return translate(err)
}

// UpdateIndicator applies a patch to an indicator of a draft system. A move
// takes the indicator's subtree with it, one level deeper or shallower.
func (db *DB) UpdateIndicator(ctx context.Context, id string, ifVersion int64, p models.IndicatorPatch) (*models.Indicator, error) {
	var out *models.Indicator
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var cur models.Indicator
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return indicatorNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		s, err := db.lockSystem(tx, cur.SystemID)
		if err != nil {
			return err
		}
		if err := s.Editable(); err != nil {
			return err
		}
		if cur.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("indicator %s is at version %d, not %d", id, cur.Version, ifVersion)}
		}
		all, err := loadIndicators(tx, cur.SystemID)
		if err != nil {
			return err
		}
		var before models.Indicator
		for _, ind := range all {
			if ind.ID == id {
				before = ind
			}
		}
		ind := before
		applyIndicatorPatch(&ind, p)
		levels, err := indicatorLevels(all, &ind)
		if err != nil {
			return err
		}
		ind.Level = levels[ind.ID]
		if err := ind.Validate(); err != nil {
			return err
		}
		if err := db.checkIndicatorUnits(tx, &ind); err != nil {
			return err
		}
		now := at
		// A move shifts the whole subtree by the same number of levels. Rows are
		// written one at a time and the unique (system, level, code) index is
		// checked at each, so no row may enter a level that another row of the
		// subtree still holds with the same code: deepest first when the subtree
		// goes down, the moved indicator (the shallowest) first when it goes up.
		shift := ind.Level - before.Level
		var descendants []models.Indicator
		for _, other := range all {
			if other.ID != ind.ID && levels[other.ID] != other.Level {
				descendants = append(descendants, other)
			}
		}
		slices.SortStableFunc(descendants, func(a, b models.Indicator) int {
			if shift > 0 {
				return b.Level - a.Level
			}
			return a.Level - b.Level
		})
		ind.SearchText = textsearch.Fold(ind.Code, ind.Name)
		ind.Version++
		ind.UpdatedAt = now
		writeSelf := func() error {
			return indicatorWriteError(tx.Model(&models.Indicator{}).Where("id = ? AND version = ?", id, ifVersion).Updates(map[string]any{
				"parent_id": ind.ParentID, "code": ind.Code, "name": ind.Name, "level": ind.Level, "content": ind.Content,
				"criteria": ind.Criteria, "points": ind.Points, "measure_unit": ind.MeasureUnit, "value_type": ind.ValueType,
				"direction": ind.Direction, "aggregation": ind.Aggregation, "frequency": ind.Frequency,
				"evidence_required": ind.EvidenceRequired, "lead_unit_id": ind.LeadUnitID, "sort_order": ind.SortOrder,
				"scoring": jsonColumn(ind.Scoring), "search_text": ind.SearchText, "version": ind.Version, "updated_at": ind.UpdatedAt,
			}).Error, &ind)
		}
		if shift < 0 {
			if err := writeSelf(); err != nil {
				return err
			}
		}
		// Each descendant that changed level is an event of its own.
		var changes []change
		for _, other := range descendants {
			moved := other
			moved.Level, moved.Version, moved.UpdatedAt = levels[other.ID], other.Version+1, now
			if err := tx.Model(&models.Indicator{}).Where("id = ?", other.ID).Updates(map[string]any{
				"level": moved.Level, "version": moved.Version, "updated_at": now,
			}).Error; err != nil {
				return indicatorWriteError(err, &moved)
			}
			changes = append(changes, indicatorChange(s.IssuingUnitID, &other, &moved))
		}
		if shift >= 0 {
			if err := writeSelf(); err != nil {
				return err
			}
		}
		if p.ReportingUnitIDs != nil {
			if err := setReportingUnits(tx, id, ind.ReportingUnitIDs); err != nil {
				return err
			}
		}
		out = &ind
		return db.record(ctx, tx, at, append([]change{indicatorChange(s.IssuingUnitID, &before, &ind)}, changes...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("update indicator %s: %w", id, err)
	}
	return out, nil
}

// indicatorLevels computes every indicator's level with changed in place of
// its stored version, refusing a parent outside the system or a cycle.
func indicatorLevels(all []models.Indicator, changed *models.Indicator) (map[string]int, error) {
	parent := make(map[string]*string, len(all))
	for _, ind := range all {
		parent[ind.ID] = ind.ParentID
	}
	if changed.ParentID != nil {
		if _, ok := parent[*changed.ParentID]; !ok {
			return nil, models.Invalid("indicator_parent_not_found", "/parentId", "indicator %s is not in this system", *changed.ParentID)
		}
	}
	parent[changed.ID] = changed.ParentID
	levels := make(map[string]int, len(all))
	var level func(id string, depth int) (int, error)
	level = func(id string, depth int) (int, error) {
		if l, ok := levels[id]; ok {
			return l, nil
		}
		if depth > len(all) {
			return 0, models.Invalid("indicator_move_cycle", "/parentId", "an indicator cannot be moved under itself or one of its descendants")
		}
		p := parent[id]
		if p == nil {
			levels[id] = 1
			return 1, nil
		}
		l, err := level(*p, depth+1)
		if err != nil {
			return 0, err
		}
		levels[id] = l + 1
		return l + 1, nil
	}
	for id := range parent {
		if _, err := level(id, 0); err != nil {
			return nil, err
		}
	}
	for id, l := range levels {
		if l > models.MaxIndicatorLevel {
			return nil, models.Invalid("indicator_too_deep", "/parentId", "indicator %s would be at level %d: at most %d levels", id, l, models.MaxIndicatorLevel)
		}
	}
	return levels, nil
}

func applyIndicatorPatch(ind *models.Indicator, p models.IndicatorPatch) {
	set := func(dst **string, ok bool, v *string) {
		if ok {
			*dst = v
		}
	}
	if p.Code != nil {
		ind.Code = *p.Code
	}
	if p.Name != nil {
		ind.Name = *p.Name
	}
	if p.Points != nil {
		ind.Points = *p.Points
	}
	if p.ValueType != nil {
		ind.ValueType = *p.ValueType
	}
	if p.Direction != nil {
		ind.Direction = *p.Direction
	}
	if p.Aggregation != nil {
		ind.Aggregation = *p.Aggregation
	}
	if p.Frequency != nil {
		ind.Frequency = *p.Frequency
	}
	if p.EvidenceRequired != nil {
		ind.EvidenceRequired = *p.EvidenceRequired
	}
	if p.SortOrder != nil {
		ind.SortOrder = *p.SortOrder
	}
	if p.ReportingUnitIDs != nil {
		ind.ReportingUnitIDs = slices.Sorted(slices.Values(p.ReportingUnitIDs))
	}
	set(&ind.Content, p.SetContent, p.Content)
	set(&ind.Criteria, p.SetCriteria, p.Criteria)
	set(&ind.MeasureUnit, p.SetMeasureUnit, p.MeasureUnit)
	set(&ind.LeadUnitID, p.SetLeadUnit, p.LeadUnitID)
	set(&ind.ParentID, p.Move, p.ParentID)
	if p.SetScoring {
		ind.Scoring = p.Scoring
	}
}

// DeleteIndicator deletes a childless indicator of a draft system.
func (db *DB) DeleteIndicator(ctx context.Context, id string, ifVersion int64) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var ind models.Indicator
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&ind).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return indicatorNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		s, err := db.lockSystem(tx, ind.SystemID)
		if err != nil {
			return err
		}
		if err := s.Editable(); err != nil {
			return err
		}
		if ind.Version != ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("indicator %s is at version %d, not %d", id, ind.Version, ifVersion)}
		}
		var kids []models.Indicator
		if err := tx.Select("id", "code", "name").Where("parent_id = ?", id).Order("code").Limit(maxReferrers).Find(&kids).Error; err != nil {
			return translate(err)
		}
		targets, err := targetReferrers(tx, []string{id})
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return &models.ConflictError{Code: "indicator_has_targets",
				Detail: fmt.Sprintf("indicator %s has %d target(s); delete them first", ind.Code, len(targets)), Referrers: targets}
		}
		if len(kids) > 0 {
			refs := make([]models.Referrer, len(kids))
			for i, k := range kids {
				refs[i] = models.Referrer{Type: "indicator", ID: k.ID, Name: k.Code + " " + k.Name}
			}
			return &models.ConflictError{Code: "indicator_has_children",
				Detail: fmt.Sprintf("indicator %s has %d child indicator(s); delete them first", ind.Code, len(kids)), Referrers: refs}
		}
		// The audit event keeps the reporting units the indicator had.
		if err := tx.Model(&reportingUnit{}).Where("indicator_id = ?", id).Order("unit_id").
			Pluck("unit_id", &ind.ReportingUnitIDs).Error; err != nil {
			return translate(err)
		}
		if err := tx.Where("indicator_id = ?", id).Delete(&reportingUnit{}).Error; err != nil {
			return translate(err)
		}
		if err := tx.Where("id = ?", id).Delete(&models.Indicator{}).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, indicatorChange(s.IssuingUnitID, &ind, nil))
	})
	if err != nil {
		return fmt.Errorf("delete indicator %s: %w", id, err)
	}
	return nil
}
