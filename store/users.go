package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

var userColumns = map[string]string{"username": "username", "createdAt": "created_at"}

func userNotFound(id string) error { return &models.NotFoundError{Entity: "user", ID: id} }

// userSnapshot is a user as the audit log keeps it: never the password hash.
func userSnapshot(u *models.User) map[string]any {
	if u == nil {
		return nil
	}
	return map[string]any{
		"id": u.ID, "username": u.Username, "displayName": u.DisplayName, "unitId": u.UnitID,
		"roles": u.Roles, "disabled": u.Disabled, "mustChangePassword": u.MustChangePassword, "version": u.Version,
	}
}

// userChange is the audit record of a user going from before to after.
func (db *DB) userChange(tx *gorm.DB, before, after *models.User) (change, error) {
	u := after
	if u == nil {
		u = before
	}
	var unit models.Unit
	if err := tx.Select("id", "path").Where("id = ?", u.UnitID).Take(&unit).Error; err != nil {
		return change{}, fmt.Errorf("unit of user %s: %w", u.ID, translate(err))
	}
	c := change{entityType: "user", entityID: u.ID, unitID: &unit.ID, unitPath: unit.Path}
	if before != nil {
		c.before = userSnapshot(before)
	}
	if after != nil {
		c.after = userSnapshot(after)
	}
	return c, nil
}

func prepareUser(u *models.User) {
	u.RoleSet = "," + joinRoles(u.Roles) + ","
	u.SearchText = textsearch.Fold(u.Username, u.DisplayName)
}

func joinRoles(roles []models.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// CreateUser inserts u, whose PasswordHash is already set.
func (db *DB) CreateUser(ctx context.Context, u *models.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		if err := requireUnit(tx, u.UnitID); err != nil {
			return err
		}
		prepareUser(u)
		u.Version = 1
		u.CreatedAt = at
		u.UpdatedAt = u.CreatedAt
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "username_taken", Detail: fmt.Sprintf("the username %q is taken", u.Username)}
			}
			return translate(err)
		}
		c, err := db.userChange(tx, nil, u)
		if err != nil {
			return err
		}
		return db.record(ctx, tx, at, c)
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// CreateUsers inserts accounts, all or nothing, each with its id and
// password hash set and its unit existing (package orgsheet checked both): a
// username taken meanwhile is a conflict, and nothing is written.
func (db *DB) CreateUsers(ctx context.Context, users []*models.User) error {
	for _, u := range users {
		if err := u.Validate(); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		units := make([]string, len(users))
		for i, u := range users {
			prepareUser(u)
			u.Version, u.CreatedAt, u.UpdatedAt = 1, at, at
			units[i] = u.UnitID
		}
		paths, err := unitPaths(tx, units)
		if err != nil {
			return err
		}
		changes := make([]change, len(users))
		for i, u := range users {
			if paths[u.UnitID] == "" {
				return models.Invalid("user_unit_not_found", "/unitId", "unit %s does not exist", u.UnitID)
			}
			changes[i] = change{entityType: "user", entityID: u.ID, unitID: &u.UnitID, unitPath: paths[u.UnitID], after: userSnapshot(u)}
		}
		if err := tx.CreateInBatches(users, batchSize).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &models.ConflictError{Code: "username_taken", Detail: "an account with one of these usernames was created meanwhile: nothing was written"}
			}
			return translate(err)
		}
		return db.record(ctx, tx, at, changes...)
	})
	if err != nil {
		return fmt.Errorf("create users: %w", err)
	}
	return nil
}

// UsersByUsernames reads the accounts with these usernames; usernames no
// account has are left out.
func (db *DB) UsersByUsernames(ctx context.Context, usernames []string) ([]models.User, error) {
	var users []models.User
	err := chunked(usernames, func(part []string) error {
		var got []models.User
		if err := db.gorm.WithContext(ctx).Where("username IN ?", part).Find(&got).Error; err != nil {
			return translate(err)
		}
		users = append(users, got...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("users by username: %w", err)
	}
	return users, nil
}

// requireUnit refuses a user's unit that does not exist (a 422 on /unitId).
func requireUnit(tx *gorm.DB, unitID string) error {
	err := tx.Select("id").Where("id = ?", unitID).Take(&models.Unit{}).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Invalid("user_unit_not_found", "/unitId", "unit %s does not exist", unitID)
	}
	return translate(err)
}

// GetUser reads one user.
func (db *DB) GetUser(ctx context.Context, id string) (*models.User, error) {
	return find[models.User](ctx, db, "user "+id, userNotFound(id), "id = ?", id)
}

// UserByUsername reads the user with this username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*models.User, error) {
	return find[models.User](ctx, db, "user "+username, userNotFound(username), "username = ?", username)
}

// ListUsers reads one page of users matching the filter.
func (db *DB) ListUsers(ctx context.Context, f models.UserFilter, page paging.Page) ([]models.User, *paging.Cursor, error) {
	col, ok := userColumns[page.Sort.Field]
	if !ok {
		return nil, nil, fmt.Errorf("list users: unknown sort field %q", page.Sort.Field)
	}
	q := db.gorm.WithContext(ctx).Model(&models.User{})
	if f.UnitID != "" {
		q = q.Where("unit_id = ?", f.UnitID)
	}
	if f.Role != "" {
		q = q.Where("role_set LIKE ?", "%,"+string(f.Role)+",%")
	}
	if f.Disabled != nil {
		q = q.Where("disabled = ?", *f.Disabled)
	}
	if f.Query != "" {
		q = q.Where("search_text LIKE ? ESCAPE '"+textsearch.LikeEscape+"'", "%"+textsearch.EscapeLike(textsearch.Fold(f.Query))+"%")
	}
	key := func(u *models.User) string {
		if page.Sort.Field == "createdAt" {
			return instant(u.CreatedAt)
		}
		return u.Username
	}
	users, next, err := keysetPage(q, col, col == "username", page, timeOrText(col), key, func(u *models.User) string { return u.ID })
	if err != nil {
		return nil, nil, fmt.Errorf("list users: %w", err)
	}
	return users, next, nil
}

// UpdateUser applies a patch to the user at version ifVersion.
func (db *DB) UpdateUser(ctx context.Context, id string, ifVersion int64, p models.UserPatch) (*models.User, error) {
	return db.changeUser(ctx, id, &ifVersion, func(tx *gorm.DB, _ time.Time, u *models.User) error {
		if p.DisplayName != nil {
			u.DisplayName = *p.DisplayName
		}
		if p.Roles != nil {
			u.Roles = p.Roles
		}
		if p.UnitID != nil && *p.UnitID != u.UnitID {
			if err := requireUnit(tx, *p.UnitID); err != nil {
				return err
			}
			u.UnitID = *p.UnitID
		}
		return u.Validate()
	})
}

// SetUserDisabled disables or enables a user. Disabling revokes its sessions;
// disabling a disabled user is a conflict, enabling an enabled one changes nothing.
func (db *DB) SetUserDisabled(ctx context.Context, id string, disabled bool) (*models.User, error) {
	return db.changeUser(ctx, id, nil, func(tx *gorm.DB, at time.Time, u *models.User) error {
		if disabled && u.Disabled {
			return &models.ConflictError{Code: "user_disabled", Detail: fmt.Sprintf("user %s is already disabled", u.Username)}
		}
		if !disabled && !u.Disabled {
			return errUnchanged
		}
		u.Disabled = disabled
		if disabled {
			return db.revokeSessions(tx, at, u.ID)
		}
		return nil
	})
}

// SetUserPassword stores a new password hash and revokes the user's sessions.
func (db *DB) SetUserPassword(ctx context.Context, id, hash string) error {
	_, err := db.changeUser(ctx, id, nil, func(tx *gorm.DB, at time.Time, u *models.User) error {
		u.PasswordHash = hash
		return db.revokeSessions(tx, at, u.ID)
	})
	return err
}

// ChangeOwnPassword stores the password a user chose for themselves: it no
// longer has to be changed, and every other session of theirs ends (the one
// it was changed with, keepSession, goes on).
func (db *DB) ChangeOwnPassword(ctx context.Context, id, hash, keepSession string) error {
	_, err := db.changeUser(ctx, id, nil, func(tx *gorm.DB, at time.Time, u *models.User) error {
		u.PasswordHash, u.MustChangePassword = hash, false
		return translate(tx.Model(&models.Session{}).Where("user_id = ? AND revoked_at IS NULL AND id <> ?", u.ID, keepSession).
			Update("revoked_at", at).Error)
	})
	return err
}

// errUnchanged is returned by a changeUser fn that finds nothing to change:
// nothing is written, no version is spent and no audit event is recorded.
var errUnchanged = errors.New("user unchanged")

// changeUser locks a user, applies fn, and writes it back with its audit event.
// A nil ifVersion skips the version check (state changes that need none).
func (db *DB) changeUser(ctx context.Context, id string, ifVersion *int64, fn func(tx *gorm.DB, at time.Time, u *models.User) error) (*models.User, error) {
	var out *models.User
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var u models.User
		err := db.forUpdate(tx.Where("id = ?", id)).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return userNotFound(id)
		}
		if err != nil {
			return translate(err)
		}
		if ifVersion != nil && u.Version != *ifVersion {
			return &models.PreconditionError{Detail: fmt.Sprintf("user %s is at version %d, not %d", id, u.Version, *ifVersion)}
		}
		before := u
		before.Roles = append([]models.Role(nil), u.Roles...)
		if err := fn(tx, at, &u); err != nil {
			if errors.Is(err, errUnchanged) {
				out = &u
				return nil
			}
			return err
		}
		prepareUser(&u)
		u.Version++
		u.UpdatedAt = at
		if err := tx.Model(&models.User{}).Where("id = ? AND version = ?", id, before.Version).Updates(map[string]any{
			"display_name": u.DisplayName, "unit_id": u.UnitID, "roles": marshalRoles(u.Roles), "role_set": u.RoleSet,
			"password_hash": u.PasswordHash, "disabled": u.Disabled, "must_change_password": u.MustChangePassword, "search_text": u.SearchText,
			"version": u.Version, "updated_at": u.UpdatedAt,
		}).Error; err != nil {
			return translate(err)
		}
		c, err := db.userChange(tx, &before, &u)
		if err != nil {
			return err
		}
		out = &u
		return db.record(ctx, tx, at, c)
	})
	if err != nil {
		return nil, fmt.Errorf("change user %s: %w", id, err)
	}
	return out, nil
}

func marshalRoles(roles []models.Role) string {
	return `["` + strings.ReplaceAll(joinRoles(roles), ",", `","`) + `"]`
}

// DisableDemoUsers disables every demo account and revokes its sessions: in
// production they must not work. It returns how many it disabled.
func (db *DB) DisableDemoUsers(ctx context.Context) (int, error) {
	var ids []string
	if err := db.gorm.WithContext(ctx).Model(&models.User{}).Where("demo = ? AND disabled = ?", true, false).
		Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("find demo users: %w", translate(err))
	}
	for _, id := range ids {
		if _, err := db.SetUserDisabled(ctx, id, true); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// ActorNames reads the names of the users and API keys among actors, as they
// are now: a user's display name, a key's name. Actors of the server itself,
// and ids no account or key has any longer, are left out.
func (db *DB) ActorNames(ctx context.Context, actors []models.Actor) (map[models.Actor]string, error) {
	ids := map[models.CallerKind][]string{}
	for _, a := range actors {
		if kind, id := a.Parts(); kind == models.CallerUser || kind == models.CallerAPIKey {
			ids[kind] = append(ids[kind], id)
		}
	}
	for kind := range ids {
		slices.Sort(ids[kind])
		ids[kind] = slices.Compact(ids[kind])
	}
	names := make(map[models.Actor]string, len(actors))
	read := func(kind models.CallerKind, table, nameColumn string) error {
		return chunked(ids[kind], func(part []string) error {
			var rows []struct{ ID, Name string }
			err := db.gorm.WithContext(ctx).Table(table).Select("id, "+nameColumn+" AS name").Where("id IN ?", part).Scan(&rows).Error
			if err != nil {
				return translate(err)
			}
			for _, r := range rows {
				names[models.Actor(kind.String()+":"+r.ID)] = r.Name
			}
			return nil
		})
	}
	if err := read(models.CallerUser, "users", "display_name"); err != nil {
		return nil, fmt.Errorf("actor names: %w", err)
	}
	if err := read(models.CallerAPIKey, "api_keys", "name"); err != nil {
		return nil, fmt.Errorf("actor names: %w", err)
	}
	return names, nil
}
