package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// ClaimIdempotencyKey records that a request with this scope, key and hash has
// started. When the key is already known and not expired, it returns the record
// as it stands and claims nothing: the caller then replays or refuses. Claims
// are rows under a primary key, so two instances cannot both claim one key.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string, ttl time.Duration) (existing *models.IdempotencyRecord, err error) {
	// A record can expire and be deleted by another claim between this
	// claim's insert and its read: the key is then free, and the claim is
	// tried again. Three tries make that a non-event, not an error for the
	// client.
	for range 3 {
		existing, claimed, err := db.claimOnce(ctx, scope, key, hash, ttl)
		if err != nil || claimed || existing != nil {
			return existing, err
		}
	}
	return nil, fmt.Errorf("claim idempotency key: the key %q was freed and taken three times over", key)
}

// claimOnce is one try of ClaimIdempotencyKey: claimed, or the record that
// holds the key, or neither when the holder vanished before it was read.
func (db *DB) claimOnce(ctx context.Context, scope, key, hash string, ttl time.Duration) (existing *models.IdempotencyRecord, claimed bool, err error) {
	now := db.Now()
	rec := &models.IdempotencyRecord{
		Scope: scope, Key: key, RequestHash: hash, State: models.IdempotencyPending,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	// Two statements, not one transaction: on MySQL a transaction whose DELETE
	// finds no row keeps a gap lock, and concurrent claims of one key then
	// deadlock on their INSERTs. Each statement is atomic on its own; a claim
	// that loses the race to insert reads the winner's record below.
	g := db.gorm.WithContext(ctx)
	// An expired key is forgotten, and may be used afresh.
	if err := g.Where("scope = ? AND idem_key = ? AND expires_at <= ?", scope, key, now).
		Delete(&models.IdempotencyRecord{}).Error; err != nil {
		return nil, false, fmt.Errorf("claim idempotency key: %w", translate(err))
	}
	err = translate(g.Create(rec).Error)
	if err == nil {
		return nil, true, nil
	}
	var conflict *models.ConflictError
	if !errors.As(err, &conflict) {
		return nil, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	var found models.IdempotencyRecord
	err = db.gorm.WithContext(ctx).Where("scope = ? AND idem_key = ?", scope, key).Take(&found).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read idempotency key: %w", translate(err))
	}
	return &found, false, nil
}

// CompleteIdempotencyKey stores the final response of a claimed key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, headers map[string]string, body []byte) error {
	h, err := json.Marshal(headers)
	if err != nil {
		return err
	}
	err = db.gorm.WithContext(ctx).Model(&models.IdempotencyRecord{}).
		Where("scope = ? AND idem_key = ?", scope, key).
		Updates(map[string]any{"state": models.IdempotencyDone, "status": status, "headers": string(h), "body": body}).Error
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", translate(err))
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed unexpectedly,
// so that the client may retry it.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	err := db.gorm.WithContext(ctx).Where("scope = ? AND idem_key = ? AND state = ?", scope, key, models.IdempotencyPending).
		Delete(&models.IdempotencyRecord{}).Error
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", translate(err))
	}
	return nil
}

// PurgeIdempotencyKeys deletes the keys that expired before now.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at <= ?", db.Now()).Delete(&models.IdempotencyRecord{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", translate(res.Error))
	}
	return res.RowsAffected, nil
}
