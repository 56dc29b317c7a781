package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/password"
)

// SignInStore is what the auth handler needs.
type SignInStore interface {
	UserByUsername(ctx context.Context, username string) (*models.User, error)
	GetUser(ctx context.Context, id string) (*models.User, error)
	GetUnit(ctx context.Context, id string) (*models.Unit, error)
	GetAPIKey(ctx context.Context, id string) (*models.APIKey, error)
	CreateSession(ctx context.Context, u *models.User, tokenHash string, ttl time.Duration) (*models.Session, error)
	RevokeSession(ctx context.Context, sessionID string) error
	RecordLoginFailure(ctx context.Context, username string, u *models.User) error
	LoginLockedUntil(ctx context.Context, subjects ...string) (time.Time, error)
	AddLoginFailure(ctx context.Context, subject string, p models.ThrottlePolicy) error
	ClearLoginFailures(ctx context.Context, subjects ...string) error
	ChangeOwnPassword(ctx context.Context, id, hash, keepSession string) error
}

// UserStore is what the users handler needs.
type UserStore interface {
	GetUser(ctx context.Context, id string) (*models.User, error)
	CreateUser(ctx context.Context, u *models.User) error
	ListUsers(ctx context.Context, f models.UserFilter, page paging.Page) ([]models.User, *paging.Cursor, error)
	UpdateUser(ctx context.Context, id string, ifVersion int64, p models.UserPatch) (*models.User, error)
	SetUserDisabled(ctx context.Context, id string, disabled bool) (*models.User, error)
	SetUserPassword(ctx context.Context, id, hash string) error
}

// APIKeyStore is what the API-keys handler needs.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k *models.APIKey) error
	GetAPIKey(ctx context.Context, id string) (*models.APIKey, error)
	ListAPIKeys(ctx context.Context, revoked *bool, page paging.Page) ([]models.APIKey, *paging.Cursor, error)
	RevokeAPIKey(ctx context.Context, id string) (*models.APIKey, error)
	ActorStore
}

// Sign-in throttling. An account guessed at from one address is locked
// there (pairThrottle); the account as a whole is only slowed down, a few
// seconds at most (accountThrottle), so that a stranger who knows the
// administrator's name cannot lock the administrator out; an address is
// throttled more loosely, since offices share addresses.
var (
	pairThrottle    = models.ThrottlePolicy{SlowAfter: 5, LockAfter: 10, LockFor: 15 * time.Minute, Forget: 15 * time.Minute}
	accountThrottle = models.ThrottlePolicy{SlowAfter: 10, LockAfter: math.MaxInt, Forget: 15 * time.Minute, MaxWait: 5 * time.Second}
	addressThrottle = models.ThrottlePolicy{SlowAfter: 20, LockAfter: 50, LockFor: 15 * time.Minute, Forget: 15 * time.Minute}
)

// signInSubjects are what a sign-in of username from address is throttled
// by: the pair, the account and the address.
func signInSubjects(username, address string) (pair, account, addr string) {
	return "pair:" + username + "|" + address, "user:" + username, "addr:" + address
}

// AuthHandler serves the auth tag.
type AuthHandler struct {
	store      SignInStore
	hasher     *password.Hasher
	gate       *password.Gate // bounds the passwords checked at once
	sessionTTL time.Duration
	rules      *rules
}

// Login implements login.
func (h *AuthHandler) Login(ctx context.Context, req api.LoginRequestObject) (api.LoginResponseObject, error) {
	info := models.RequestInfoFrom(ctx)
	pair, account, address := signInSubjects(req.Body.Username, info.ClientAddress)
	until, err := h.store.LoginLockedUntil(ctx, pair, account, address)
	if err != nil {
		return nil, err
	}
	if wait := time.Until(until); wait > 0 {
		return nil, &httpError{status: http.StatusTooManyRequests, code: "login_locked",
			detail: "too many failed sign-ins for this account or from this address; wait before trying again",
			header: http.Header{"Retry-After": {strconv.Itoa(int(wait.Seconds() + 0.999))}}}
	}
	u, err := h.store.UserByUsername(ctx, req.Body.Username)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	// Verify even for an unknown user, so that both fail alike and as slowly.
	ok, err := h.verify(ctx, req.Body.Password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil || u.Disabled {
		for _, s := range []struct {
			subject string
			policy  models.ThrottlePolicy
		}{{pair, pairThrottle}, {account, accountThrottle}, {address, addressThrottle}} {
			if err := h.store.AddLoginFailure(ctx, s.subject, s.policy); err != nil {
				return nil, err
			}
		}
		if err := h.store.RecordLoginFailure(ctx, req.Body.Username, u); err != nil {
			return nil, err
		}
		return nil, unauthenticated("the username or password is wrong, or the account is disabled")
	}
	if err := h.store.ClearLoginFailures(ctx, pair, account); err != nil {
		return nil, err
	}
	info.Caller = models.Caller{Kind: models.CallerUser, ID: u.ID, Name: u.Username, UnitID: u.UnitID, Roles: u.Roles}
	token, tokenHash := password.NewToken(sessionTokenPrefix)
	s, err := h.store.CreateSession(models.WithRequestInfo(ctx, info), u, tokenHash, h.sessionTTL)
	if err != nil {
		return nil, err
	}
	return api.Login200JSONResponse{Token: token, TokenType: api.Bearer, ExpiresAt: s.ExpiresAt.UTC(), User: userOut(u)}, nil
}

// verify checks a password once a slot of the gate is free: a check holds
// argon2id's memory while it runs, and many at once exhaust the server's.
func (h *AuthHandler) verify(ctx context.Context, pw, hash string) (bool, error) {
	release, err := h.gate.Enter(ctx)
	if errors.Is(err, password.ErrBusy) {
		return false, &httpError{status: http.StatusTooManyRequests, code: "sign_in_busy",
			detail: fmt.Sprintf("%d passwords are being checked: try again in a second", h.gate.Cap()),
			header: http.Header{"Retry-After": {"1"}}}
	}
	if err != nil {
		return false, err
	}
	defer release()
	return h.hasher.Verify(pw, hash), nil
}

// Logout implements logout.
func (h *AuthHandler) Logout(ctx context.Context, _ api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	if err := h.store.RevokeSession(ctx, models.RequestInfoFrom(ctx).Caller.SessionID); err != nil {
		return nil, err
	}
	return api.Logout204Response{}, nil
}

// ChangeOwnPassword implements changeOwnPassword. A wrong current password
// counts as a failed sign-in of the account: a stolen token does not make the
// password guessable.
func (h *AuthHandler) ChangeOwnPassword(ctx context.Context, req api.ChangeOwnPasswordRequestObject) (api.ChangeOwnPasswordResponseObject, error) {
	info := models.RequestInfoFrom(ctx)
	c := info.Caller
	pair, account, _ := signInSubjects(c.Name, info.ClientAddress)
	until, err := h.store.LoginLockedUntil(ctx, pair, account)
	if err != nil {
		return nil, err
	}
	if wait := time.Until(until); wait > 0 {
		return nil, &httpError{status: http.StatusTooManyRequests, code: "login_locked",
			detail: "too many failed sign-ins for this account; wait before trying again",
			header: http.Header{"Retry-After": {strconv.Itoa(int(wait.Seconds() + 0.999))}}}
	}
	u, err := h.store.GetUser(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	b := req.Body
	ok, err := h.verify(ctx, b.CurrentPassword, u.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		for _, s := range []struct {
			subject string
			policy  models.ThrottlePolicy
		}{{pair, pairThrottle}, {account, accountThrottle}} {
			if err := h.store.AddLoginFailure(ctx, s.subject, s.policy); err != nil {
				return nil, err
			}
		}
		return nil, models.Invalid("password_incorrect", "/currentPassword", "the current password is not right")
	}
	if b.NewPassword == b.CurrentPassword {
		return nil, models.Invalid("password_unchanged", "/newPassword", "the new password must differ from the current one")
	}
	if err := models.CheckPassword(u.Username, b.NewPassword); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return nil, models.Invalid(ve.Code, "/newPassword", "%s", ve.Detail)
		}
		return nil, err
	}
	hash, err := h.hasher.Hash(b.NewPassword)
	if err != nil {
		return nil, err
	}
	if err := h.store.ChangeOwnPassword(ctx, u.ID, hash, c.SessionID); err != nil {
		return nil, err
	}
	if err := h.store.ClearLoginFailures(ctx, pair, account); err != nil {
		return nil, err
	}
	return api.ChangeOwnPassword204Response{}, nil
}

// GetMe implements getMe.
func (h *AuthHandler) GetMe(ctx context.Context, _ api.GetMeRequestObject) (api.GetMeResponseObject, error) {
	c := models.RequestInfoFrom(ctx).Caller
	me := api.GetMe200JSONResponse{Permissions: h.rules.allowed(&c), Roles: []api.Role{}, Scopes: []api.ApiKeyScope{}}
	switch c.Kind {
	case models.CallerUser:
		u, err := h.store.GetUser(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		unit, err := h.store.GetUnit(ctx, u.UnitID)
		if err != nil {
			return nil, err
		}
		out, unitAPI := userOut(u), unitOut(unit)
		me.Kind, me.User, me.Unit, me.Roles = api.MeKindUser, &out, &unitAPI, out.Roles
	case models.CallerAPIKey:
		k, err := h.store.GetAPIKey(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out := keyOut(k, nil) // a key sees no names
		me.Kind, me.ApiKey, me.Scopes = api.MeKindApiKey, &out, out.Scopes
	}
	return me, nil
}

// UserHandler serves the users tag.
type UserHandler struct {
	store  UserStore
	hasher *password.Hasher
}

// ListUsers implements listUsers.
func (h *UserHandler) ListUsers(ctx context.Context, req api.ListUsersRequestObject) (api.ListUsersResponseObject, error) {
	p := req.Params
	var f models.UserFilter
	if p.UnitId != nil {
		f.UnitID = p.UnitId.String()
	}
	if p.Role != nil {
		f.Role = models.Role(*p.Role)
	}
	f.Disabled = p.Disabled
	if p.Q != nil {
		f.Query = *p.Q
	}
	sort := "username"
	if p.Sort != nil {
		sort = string(*p.Sort)
	}
	disabled := ""
	if f.Disabled != nil {
		disabled = strconv.FormatBool(*f.Disabled)
	}
	page, digest, err := pageRequest(p.Limit, p.Cursor, sort, f.UnitID+"|"+string(f.Role)+"|"+disabled+"|"+f.Query)
	if err != nil {
		return nil, err
	}
	users, next, err := h.store.ListUsers(ctx, f, page)
	if err != nil {
		return nil, err
	}
	out := api.ListUsers200JSONResponse{Items: make([]api.User, len(users))}
	for i := range users {
		out.Items[i] = userOut(&users[i])
	}
	out.NextCursor = encodeNext(next, digest)
	return out, nil
}

// CreateUser implements createUser.
func (h *UserHandler) CreateUser(ctx context.Context, req api.CreateUserRequestObject) (api.CreateUserResponseObject, error) {
	b := req.Body
	if err := models.CheckPassword(b.Username, b.Password); err != nil {
		return nil, err
	}
	hash, err := h.hasher.Hash(b.Password)
	if err != nil {
		return nil, err
	}
	u := &models.User{Username: b.Username, DisplayName: b.DisplayName, UnitID: b.UnitId.String(), Roles: rolesIn(b.Roles), PasswordHash: hash}
	if err := h.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return api.CreateUser201JSONResponse{Body: userOut(u),
		Headers: api.CreateUser201ResponseHeaders{ETag: ptr(etag(u.Version)), Location: ptr(basePath + "/users/" + u.ID)}}, nil
}

// GetUser implements getUser.
func (h *UserHandler) GetUser(ctx context.Context, req api.GetUserRequestObject) (api.GetUserResponseObject, error) {
	u, err := h.store.GetUser(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	return api.GetUser200JSONResponse{Body: userOut(u), Headers: api.GetUser200ResponseHeaders{ETag: ptr(etag(u.Version))}}, nil
}

// UpdateUser implements updateUser.
func (h *UserHandler) UpdateUser(ctx context.Context, req api.UpdateUserRequestObject) (api.UpdateUserResponseObject, error) {
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	p := models.UserPatch{DisplayName: b.DisplayName}
	if b.UnitId != nil {
		p.UnitID = ptr(b.UnitId.String())
	}
	if b.Roles != nil {
		p.Roles = rolesIn(*b.Roles)
	}
	u, err := h.store.UpdateUser(ctx, req.Id.String(), version, p)
	if err != nil {
		return nil, err
	}
	return api.UpdateUser200JSONResponse{Body: userOut(u), Headers: api.UpdateUser200ResponseHeaders{ETag: ptr(etag(u.Version))}}, nil
}

// DisableUser implements disableUser.
func (h *UserHandler) DisableUser(ctx context.Context, req api.DisableUserRequestObject) (api.DisableUserResponseObject, error) {
	if req.Id.String() == models.RequestInfoFrom(ctx).Caller.ID {
		return nil, &models.ConflictError{Code: "cannot_disable_self", Detail: "an administrator cannot disable their own account"}
	}
	u, err := h.store.SetUserDisabled(ctx, req.Id.String(), true)
	if err != nil {
		return nil, err
	}
	return api.DisableUser200JSONResponse(userOut(u)), nil
}

// EnableUser implements enableUser.
func (h *UserHandler) EnableUser(ctx context.Context, req api.EnableUserRequestObject) (api.EnableUserResponseObject, error) {
	u, err := h.store.SetUserDisabled(ctx, req.Id.String(), false)
	if err != nil {
		return nil, err
	}
	return api.EnableUser200JSONResponse(userOut(u)), nil
}

// ResetUserPassword implements resetUserPassword.
func (h *UserHandler) ResetUserPassword(ctx context.Context, req api.ResetUserPasswordRequestObject) (api.ResetUserPasswordResponseObject, error) {
	u, err := h.store.GetUser(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	if err := models.CheckPassword(u.Username, req.Body.Password); err != nil {
		return nil, err
	}
	hash, err := h.hasher.Hash(req.Body.Password)
	if err != nil {
		return nil, err
	}
	if err := h.store.SetUserPassword(ctx, u.ID, hash); err != nil {
		return nil, err
	}
	return api.ResetUserPassword204Response{}, nil
}

// APIKeyHandler serves the api-keys tag.
type APIKeyHandler struct {
	store APIKeyStore
}

// ListApiKeys implements listApiKeys.
func (h *APIKeyHandler) ListApiKeys(ctx context.Context, req api.ListApiKeysRequestObject) (api.ListApiKeysResponseObject, error) {
	revoked := ""
	if req.Params.Revoked != nil {
		revoked = strconv.FormatBool(*req.Params.Revoked)
	}
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "-createdAt", revoked)
	if err != nil {
		return nil, err
	}
	keys, next, err := h.store.ListAPIKeys(ctx, req.Params.Revoked, page)
	if err != nil {
		return nil, err
	}
	items, err := h.out(ctx, pointers(keys)...)
	if err != nil {
		return nil, err
	}
	return api.ListApiKeys200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// CreateApiKey implements createApiKey.
func (h *APIKeyHandler) CreateApiKey(ctx context.Context, req api.CreateApiKeyRequestObject) (api.CreateApiKeyResponseObject, error) {
	b := req.Body
	k := &models.APIKey{Name: b.Name, Prefix: password.NewKeyPrefix(), CreatedBy: models.RequestInfoFrom(ctx).Caller.ID}
	for _, s := range b.Scopes {
		k.Scopes = append(k.Scopes, models.Scope(s))
	}
	if b.ExpiresAt != nil {
		if !b.ExpiresAt.After(time.Now()) {
			return nil, models.Invalid("api_key_expired", "/expiresAt", "expiresAt must be in the future")
		}
		t := b.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &t
	}
	if b.AllowedAddresses != nil {
		for i, a := range *b.AllowedAddresses {
			_, n, err := net.ParseCIDR(a)
			if err != nil {
				return nil, models.Invalid("api_key_address_invalid", "/allowedAddresses/"+strconv.Itoa(i), "%q is not an address range in CIDR form", a)
			}
			k.AllowedAddresses = append(k.AllowedAddresses, n.String())
		}
	}
	secret, _ := password.NewToken(k.Prefix + "_")
	k.SecretHash = password.HashToken(secret)
	if err := h.store.CreateAPIKey(ctx, k); err != nil {
		return nil, err
	}
	out, err := h.out(ctx, k)
	if err != nil {
		return nil, err
	}
	o := out[0]
	return api.CreateApiKey201JSONResponse{
		Body: api.ApiKeyWithSecret{Id: o.Id, Name: o.Name, Prefix: o.Prefix, Scopes: o.Scopes, ExpiresAt: o.ExpiresAt,
			AllowedAddresses: o.AllowedAddresses, CreatedAt: o.CreatedAt, CreatedBy: o.CreatedBy, Secret: secret},
		Headers: api.CreateApiKey201ResponseHeaders{Location: ptr(basePath + "/api-keys/" + k.ID)},
	}, nil
}

// GetApiKey implements getApiKey.
func (h *APIKeyHandler) GetApiKey(ctx context.Context, req api.GetApiKeyRequestObject) (api.GetApiKeyResponseObject, error) {
	k, err := h.store.GetAPIKey(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, k)
	if err != nil {
		return nil, err
	}
	return api.GetApiKey200JSONResponse(out[0]), nil
}

// RevokeApiKey implements revokeApiKey.
func (h *APIKeyHandler) RevokeApiKey(ctx context.Context, req api.RevokeApiKeyRequestObject) (api.RevokeApiKeyResponseObject, error) {
	k, err := h.store.RevokeAPIKey(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	out, err := h.out(ctx, k)
	if err != nil {
		return nil, err
	}
	return api.RevokeApiKey200JSONResponse(out[0]), nil
}

func userOut(u *models.User) api.User {
	out := api.User{
		Id: uuidOf(u.ID), Username: u.Username, DisplayName: u.DisplayName, UnitId: uuidOf(u.UnitID),
		Roles: make([]api.Role, len(u.Roles)), Disabled: u.Disabled, Version: u.Version,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
	for i, r := range u.Roles {
		out.Roles[i] = api.Role(r)
	}
	if u.LastLoginAt != nil {
		out.LastLoginAt = ptr(u.LastLoginAt.UTC())
	}
	if u.MustChangePassword {
		out.MustChangePassword = ptr(true)
	}
	return out
}

func rolesIn(roles []api.Role) []models.Role {
	out := make([]models.Role, len(roles))
	for i, r := range roles {
		out[i] = models.Role(r)
	}
	return out
}

// out is ks as the contract writes them, the users who created them named.
func (h *APIKeyHandler) out(ctx context.Context, ks ...*models.APIKey) ([]api.ApiKey, error) {
	return named(ctx, h.store, ks, func(k *models.APIKey) []models.Actor { return []models.Actor{models.UserActor(k.CreatedBy)} }, keyOut)
}

// keyOut is k as the contract writes it; the user who created it is named
// when names has the name.
func keyOut(k *models.APIKey, names actorNames) api.ApiKey {
	out := api.ApiKey{
		Id: uuidOf(k.ID), Name: k.Name, Prefix: k.Prefix, Scopes: make([]api.ApiKeyScope, len(k.Scopes)),
		AllowedAddresses: k.AllowedAddresses, CreatedAt: k.CreatedAt.UTC(), CreatedBy: names.actor(models.UserActor(k.CreatedBy)),
	}
	if out.AllowedAddresses == nil {
		out.AllowedAddresses = []string{}
	}
	for i, s := range k.Scopes {
		out.Scopes[i] = api.ApiKeyScope(s)
	}
	if k.ExpiresAt != nil {
		out.ExpiresAt = ptr(k.ExpiresAt.UTC())
	}
	if k.LastUsedAt != nil {
		out.LastUsedAt = ptr(k.LastUsedAt.UTC())
	}
	if k.RevokedAt != nil {
		out.RevokedAt = ptr(k.RevokedAt.UTC())
	}
	return out
}
