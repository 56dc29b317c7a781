package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

func keyNotFound(id string) error { return &models.NotFoundError{Entity: "API key", ID: id} }

// keySnapshot is a key as the audit log keeps it: never the secret's hash.
func keySnapshot(k *models.APIKey) map[string]any {
	if k == nil {
		return nil
	}
	return map[string]any{
		"id": k.ID, "name": k.Name, "prefix": k.Prefix, "scopes": k.Scopes,
		"allowedAddresses": k.AllowedAddresses, "expiresAt": timeOrNil(k.ExpiresAt), "revokedAt": timeOrNil(k.RevokedAt),
	}
}

// CreateAPIKey inserts a key whose Prefix and SecretHash are set.
func (db *DB) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	if k.ID == "" {
		k.ID = NewID()
	}
	if k.AllowedAddresses == nil {
		k.AllowedAddresses = []string{}
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		k.CreatedAt = at
		if err := tx.Create(k).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, change{entityType: "api_key", entityID: k.ID, after: keySnapshot(k)})
	})
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	return nil
}

// GetAPIKey reads one key.
func (db *DB) GetAPIKey(ctx context.Context, id string) (*models.APIKey, error) {
	return find[models.APIKey](ctx, db, "API key "+id, keyNotFound(id), "id = ?", id)
}

// APIKeyByPrefix reads the key with this prefix.
func (db *DB) APIKeyByPrefix(ctx context.Context, prefix string) (*models.APIKey, error) {
	return find[models.APIKey](ctx, db, "API key "+prefix, keyNotFound(prefix), "prefix = ?", prefix)
}

// ListAPIKeys reads one page of keys, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, revoked *bool, page paging.Page) ([]models.APIKey, *paging.Cursor, error) {
	q := db.gorm.WithContext(ctx).Model(&models.APIKey{})
	if revoked != nil {
		if *revoked {
			q = q.Where("revoked_at IS NOT NULL")
		} else {
			q = q.Where("revoked_at IS NULL")
		}
	}
	// The handler always asks for -createdAt: newest first.
	keys, next, err := keysetPage(q, "created_at", false, page, parseInstant,
		func(k *models.APIKey) string { return instant(k.CreatedAt) }, func(k *models.APIKey) string { return k.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list API keys: %w", err)
	}
	return keys, next, nil
}

// RevokeAPIKey revokes a key; revoking a revoked key is a conflict.
func (db *DB) RevokeAPIKey(ctx context.Context, id string) (*models.APIKey, error) {
	var out *models.APIKey
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var k models.APIKey
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&k).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return keyNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		if k.RevokedAt != nil {
			return &models.ConflictError{Code: "api_key_revoked", Detail: fmt.Sprintf("API key %s is already revoked", k.Prefix)}
		}
		before := k
		k.RevokedAt = &at
		if err := tx.Model(&models.APIKey{}).Where("id = ?", id).Update("revoked_at", at).Error; err != nil {
			return translate(err)
		}
		out = &k
		return db.record(ctx, tx, at, change{entityType: "api_key", entityID: k.ID, before: keySnapshot(&before), after: keySnapshot(&k)})
	})
	if err != nil {
		return nil, fmt.Errorf("revoke API key %s: %w", id, err)
	}
	return out, nil
}

// TouchAPIKey notes that a key was used, at most once a minute so that reads do
// not turn into writes.
func (db *DB) TouchAPIKey(ctx context.Context, k *models.APIKey) error {
	now := db.Now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < time.Minute {
		return nil
	}
	err := db.gorm.WithContext(ctx).Model(&models.APIKey{}).Where("id = ?", k.ID).Update("last_used_at", now).Error
	if err != nil {
		return fmt.Errorf("touch API key: %w", translate(err))
	}
	k.LastUsedAt = &now
	return nil
}

// rateCounter counts hits of one bucket in one window.
type rateCounter struct {
	Bucket      string    `gorm:"column:bucket;primaryKey"`
	WindowStart time.Time `gorm:"column:window_start;primaryKey"`
	Hits        int64     `gorm:"column:hits"`
}

func (rateCounter) TableName() string { return "rate_counters" }

// Hit counts one request against a bucket in the current fixed window and
// returns the count so far and when the window ends. The counter is a row, so
// every instance counts against the same limit.
func (db *DB) Hit(ctx context.Context, bucket string, window time.Duration) (int64, time.Time, error) {
	now := db.Now()
	start := now.Truncate(window)
	g := db.gorm.WithContext(ctx)
	err := g.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "bucket"}, {Name: "window_start"}},
		DoUpdates: clause.Assignments(map[string]any{"hits": gorm.Expr("hits + 1")}),
	}).Create(&rateCounter{Bucket: bucket, WindowStart: start, Hits: 1}).Error
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count request: %w", translate(err))
	}
	var c rateCounter
	if err := g.Where("bucket = ? AND window_start = ?", bucket, start).Take(&c).Error; err != nil {
		return 0, time.Time{}, fmt.Errorf("count request: %w", translate(err))
	}
	if c.Hits == 1 {
		// The first hit of a window clears the windows before it.
		_ = g.Where("bucket = ? AND window_start < ?", bucket, start).Delete(&rateCounter{}).Error
	}
	return c.Hits, start.Add(window), nil
}
