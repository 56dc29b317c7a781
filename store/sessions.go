package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/fazhi/fazhi/models"
)

// CreateSession starts a session for a user who has just signed in, and records
// the sign-in in the audit log.
func (db *DB) CreateSession(ctx context.Context, u *models.User, tokenHash string, ttl time.Duration) (*models.Session, error) {
	s := &models.Session{ID: NewID(), TokenHash: tokenHash, UserID: u.ID}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		s.CreatedAt, s.ExpiresAt = at, at.Add(ttl)
		if err := tx.Create(s).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", at).Error; err != nil {
			return translate(err)
		}
		u.LastLoginAt = &at
		unit, err := db.unitPath(tx, u.UnitID)
		if err != nil {
			return err
		}
		return db.record(ctx, tx, at, change{entityType: "session", entityID: s.ID, unitID: &u.UnitID, unitPath: unit,
			after: map[string]any{"userId": u.ID, "username": u.Username, "expiresAt": s.ExpiresAt.Format(time.RFC3339Nano)}})
	})
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

// sessionCallerQuery reads a session's caller by the token's hash.
const sessionCallerQuery = "SELECT users.id, users.username, users.unit_id, users.role_set, users.disabled, " +
	"users.must_change_password, sessions.id, sessions.expires_at, sessions.revoked_at, units.path " +
	"FROM sessions JOIN users ON users.id = sessions.user_id JOIN units ON units.id = users.unit_id " +
	"WHERE sessions.token_hash = ? LIMIT 1"

// SessionCaller resolves a session token hash into its user, unless the session
// expired or was revoked or the user is disabled.
func (db *DB) SessionCaller(ctx context.Context, tokenHash string) (*models.Caller, error) {
	// Every request asks this: it reads the columns a caller is made of and
	// nothing else (not the password hash), the roles from role_set, which
	// needs no JSON decoding, in one fixed statement scanned by hand.
	var row struct {
		UserID, Username, UnitID, RoleSet string
		Disabled, MustChangePassword      bool
		SessionID                         string
		ExpiresAt                         time.Time
		RevokedAt                         *time.Time
		UnitPath                          string
	}
	rows, err := db.queryFixed(ctx, sessionCallerQuery, tokenHash)
	if err != nil {
		return nil, fmt.Errorf("find session: %w", translate(err))
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find session: %w", translate(err))
		}
		return nil, models.ErrUnauthenticated
	}
	if err := rows.Scan(&row.UserID, &row.Username, &row.UnitID, &row.RoleSet, &row.Disabled, &row.MustChangePassword,
		&row.SessionID, &row.ExpiresAt, &row.RevokedAt, &row.UnitPath); err != nil {
		return nil, fmt.Errorf("find session: %w", translate(err))
	}
	if row.RevokedAt != nil || !db.Now().Before(row.ExpiresAt) || row.Disabled {
		return nil, models.ErrUnauthenticated
	}
	return &models.Caller{
		Kind: models.CallerUser, ID: row.UserID, Name: row.Username, UnitID: row.UnitID, UnitPath: row.UnitPath,
		Roles: splitRoles(row.RoleSet), SessionID: row.SessionID, MustChangePassword: row.MustChangePassword,
	}, nil
}

// splitRoles reads a user's role_set (",admin,reviewer,", prepareUser).
func splitRoles(set string) []models.Role {
	var roles []models.Role
	for r := range strings.SplitSeq(strings.Trim(set, ","), ",") {
		if r != "" {
			roles = append(roles, models.Role(r))
		}
	}
	return roles
}

// RevokeSession ends one session (sign-out), recording it.
func (db *DB) RevokeSession(ctx context.Context, sessionID string) error {
	return db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var s models.Session
		if err := db.forUpdate(tx.Where("id = ?", sessionID)).Take(&s).Error; err != nil {
			return translate(err)
		}
		if err := tx.Model(&models.Session{}).Where("id = ?", sessionID).Update("revoked_at", at).Error; err != nil {
			return translate(err)
		}
		var u models.User
		if err := tx.Where("id = ?", s.UserID).Take(&u).Error; err != nil {
			return translate(err)
		}
		path, err := db.unitPath(tx, u.UnitID)
		if err != nil {
			return err
		}
		return db.record(ctx, tx, at, change{entityType: "session", entityID: s.ID, unitID: &u.UnitID, unitPath: path,
			before: map[string]any{"userId": u.ID, "username": u.Username}})
	})
}

// revokeSessions ends every live session of a user inside a transaction.
func (db *DB) revokeSessions(tx *gorm.DB, at time.Time, userID string) error {
	return translate(tx.Model(&models.Session{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", at).Error)
}

func (db *DB) unitPath(tx *gorm.DB, unitID string) (string, error) {
	var u models.Unit
	if err := tx.Select("path").Where("id = ?", unitID).Take(&u).Error; err != nil {
		return "", fmt.Errorf("unit %s: %w", unitID, translate(err))
	}
	return u.Path, nil
}

// RecordLoginFailure records a failed sign-in in the audit log.
func (db *DB) RecordLoginFailure(ctx context.Context, username string, u *models.User) error {
	return db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		c := change{entityType: "session", entityID: "-", operation: "login.failed",
			after: map[string]any{"username": username}}
		if u != nil {
			path, err := db.unitPath(tx, u.UnitID)
			if err != nil {
				return err
			}
			c.unitID, c.unitPath = &u.UnitID, path
		}
		return db.record(ctx, tx, at, c)
	})
}

// throttleRow is the failure count of one sign-in subject (an account or an address).
type throttleRow struct {
	Subject       string     `gorm:"column:subject;primaryKey"`
	Failures      int        `gorm:"column:failures"`
	LastFailureAt time.Time  `gorm:"column:last_failure_at"`
	LockedUntil   *time.Time `gorm:"column:locked_until"`
}

func (throttleRow) TableName() string { return "login_throttle" }

// LoginLockedUntil reports until when sign-ins for any of the subjects are refused.
func (db *DB) LoginLockedUntil(ctx context.Context, subjects ...string) (time.Time, error) {
	var rows []throttleRow
	if err := db.gorm.WithContext(ctx).Where("subject IN ?", subjects).Find(&rows).Error; err != nil {
		return time.Time{}, fmt.Errorf("read login throttle: %w", translate(err))
	}
	var until time.Time
	for _, r := range rows {
		if r.LockedUntil != nil && r.LockedUntil.After(until) {
			until = *r.LockedUntil
		}
	}
	return until, nil
}

// AddLoginFailure counts a failed sign-in against a subject and, past the
// policy's thresholds, locks it: for 2^(n-SlowAfter) seconds, then for LockFor.
func (db *DB) AddLoginFailure(ctx context.Context, subject string, p models.ThrottlePolicy) error {
	return db.tx(ctx, func(tx *gorm.DB, now time.Time) error {
		var r throttleRow
		err := db.forUpdate(tx.Where("subject = ?", subject)).Take(&r).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			r = throttleRow{Subject: subject}
		case err != nil:
			return translate(err)
		}
		if now.Sub(r.LastFailureAt) > p.Forget {
			r.Failures = 0
		}
		r.Failures++
		r.LastFailureAt = now
		r.LockedUntil = nil
		switch {
		case r.Failures >= p.LockAfter:
			t := now.Add(p.LockFor)
			r.LockedUntil = &t
		case r.Failures >= p.SlowAfter:
			wait := time.Duration(1<<min(r.Failures-p.SlowAfter, 10)) * time.Second
			if p.MaxWait > 0 {
				wait = min(wait, p.MaxWait)
			}
			t := now.Add(wait)
			r.LockedUntil = &t
		}
		return translate(tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error)
	})
}

// ClearLoginFailures forgets the subjects' failures after a successful sign-in.
func (db *DB) ClearLoginFailures(ctx context.Context, subjects ...string) error {
	return translate(db.gorm.WithContext(ctx).Where("subject IN ?", subjects).Delete(&throttleRow{}).Error)
}
