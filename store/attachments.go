package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

func attachmentNotFound(id string) error { return &models.NotFoundError{Entity: "attachment", ID: id} }

// attachmentSnapshot is an attachment as the audit log keeps it.
func attachmentSnapshot(a *models.Attachment) map[string]any {
	return map[string]any{
		"id": a.ID, "valueId": a.ValueID, "filename": a.Filename, "contentType": a.ContentType,
		"size": a.Size, "sha256": a.SHA256, "createdBy": a.CreatedBy,
	}
}

// CreateAttachment records an attachment whose bytes are already in the blob
// store, on a value that is still being edited (draft or returned): the value
// is locked while it is checked, so it cannot be submitted meanwhile. The id
// is the caller's when set (it names the blob), a new one otherwise.
func (db *DB) CreateAttachment(ctx context.Context, a *models.Attachment) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var v models.IndicatorValue
		err := db.forUpdate(tx.Select("id", "unit_id", "status").Where("id = ?", a.ValueID)).Take(&v).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return valueNotFound(a.ValueID)
		}
		if err != nil {
			return translate(err)
		}
		if err := v.Editable(); err != nil {
			return err
		}
		a.CreatedAt = at
		if err := tx.Create(a).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, change{entityType: "attachment", entityID: a.ID, unitID: &v.UnitID, after: attachmentSnapshot(a)})
	})
	if err != nil {
		return fmt.Errorf("create attachment of value %s: %w", a.ValueID, err)
	}
	return nil
}

// GetAttachment reads one attachment.
func (db *DB) GetAttachment(ctx context.Context, id string) (*models.Attachment, error) {
	return find[models.Attachment](ctx, db, "attachment "+id, attachmentNotFound(id), "id = ?", id)
}

// ListAttachments reads one page of a value's attachments, oldest first (ids
// are time-ordered).
func (db *DB) ListAttachments(ctx context.Context, valueID string, page paging.Page) ([]models.Attachment, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Where("value_id = ?", valueID)
	if c := page.After; c != nil {
		q = q.Where("id > ?", c.ID)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = paging.DefaultLimit
	}
	var as []models.Attachment
	if err := q.Order("id").Limit(limit + 1).Find(&as).Error; err != nil {
		return nil, nil, fmt.Errorf("list attachments of value %s: %w", valueID, translate(err))
	}
	if len(as) <= limit {
		return as, nil, nil
	}
	as = as[:limit]
	last := as[limit-1].ID
	return as, &paging.Cursor{Sort: page.Sort.String(), Key: last, ID: last}, nil
}
