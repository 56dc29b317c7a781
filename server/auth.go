package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
)

// AuthStore is what authentication needs from the database.
type AuthStore interface {
	SessionCaller(ctx context.Context, tokenHash string) (*models.Caller, error)
	APIKeyByPrefix(ctx context.Context, prefix string) (*models.APIKey, error)
	TouchAPIKey(ctx context.Context, k *models.APIKey) error
	Hit(ctx context.Context, bucket string, window time.Duration) (int64, time.Time, error)
}

// rules holds each operation's permission, read from x-permission in the
// contract, and which operations need no credentials at all.
type rules struct {
	byOperation map[string]authz.Rule
	public      map[string]bool
}

// loadRules reads x-permission from every operation. An operation that needs
// credentials but declares no rule is an error: nothing is served unguarded.
func loadRules(doc *openapi3.T) (*rules, error) {
	r := &rules{byOperation: map[string]authz.Rule{}, public: map[string]bool{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			if len(security) == 0 {
				r.public[op.OperationID] = true
				continue
			}
			raw, ok := op.Extensions["x-permission"]
			if !ok {
				return nil, fmt.Errorf("%s %s (%s) needs credentials but declares no x-permission", method, path, op.OperationID)
			}
			b, err := json.Marshal(raw)
			if err != nil {
				return nil, err
			}
			var rule authz.Rule
			if err := json.Unmarshal(b, &rule); err != nil {
				return nil, fmt.Errorf("%s: x-permission: %w", op.OperationID, err)
			}
			if err := rule.Validate(); err != nil {
				return nil, fmt.Errorf("%s: x-permission: %w", op.OperationID, err)
			}
			r.byOperation[op.OperationID] = rule
		}
	}
	return r, nil
}

// allowed lists the operations the caller may call, sorted.
func (r *rules) allowed(c *models.Caller) []string {
	var ops []string
	for op, rule := range r.byOperation {
		if authz.Allow(c, rule, op) == nil {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	return ops
}

// rule is the rule of the operation being served.
func (r *rules) rule(ctx context.Context) authz.Rule {
	return r.byOperation[models.RequestInfoFrom(ctx).Operation]
}

// authConfig is how callers are authenticated and limited.
type authConfig struct {
	keyRate int // requests a minute per API key
}

const (
	sessionTokenPrefix = "fzs_"
	apiKeyPrefix       = "fzk_"
)

// keyPrefixPattern is the public part of an API key, as password.NewKeyPrefix makes it.
var keyPrefixPattern = regexp.MustCompile(`^fzk_[0-9a-f]{8}$`)

// authenticate finds who the request acts for, refuses requests without valid
// credentials (401) or over an API key's rate (429), checks the operation's
// permission (403), and puts the caller in the request context for the
// handlers and the audit log.
func authenticate(store AuthStore, rules *rules, cfg authConfig) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			route := contractRoute(c)
			if route == nil {
				return next(c)
			}
			req := c.Request()
			op := route.Operation.OperationID
			info := models.RequestInfo{
				Caller:        models.Caller{Kind: models.CallerNone, ID: "anonymous", Name: "anonymous"},
				Operation:     op,
				RequestID:     c.Response().Header().Get(echo.HeaderXRequestID),
				ClientAddress: c.RealIP(),
			}
			if rules.public[op] {
				c.SetRequest(req.WithContext(models.WithRequestInfo(req.Context(), info)))
				return next(c)
			}
			token, ok := bearer(req.Header.Get(echo.HeaderAuthorization))
			if !ok {
				return unauthenticated("send Authorization: Bearer with a token from /auth/login or an API key")
			}
			caller, err := identify(c, store, token, cfg)
			if err != nil {
				return err
			}
			info.Caller = *caller
			if err := authz.Allow(caller, rules.byOperation[op], op); err != nil {
				return err
			}
			c.Set(ctxCaller, caller.Kind.String()+":"+caller.ID)
			c.SetRequest(req.WithContext(models.WithRequestInfo(req.Context(), info)))
			return next(c)
		}
	}
}

func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != "" && len(token) <= 200
}

// identify resolves a bearer token into a caller.
func identify(c echo.Context, store AuthStore, token string, cfg authConfig) (*models.Caller, error) {
	ctx := c.Request().Context()
	if !strings.HasPrefix(token, apiKeyPrefix) {
		caller, err := store.SessionCaller(ctx, password.HashToken(token))
		if errors.Is(err, models.ErrUnauthenticated) {
			return nil, unauthenticated("the token is unknown, expired or revoked: sign in again")
		}
		return caller, err
	}
	// An API key is "fzk_<8 hex>_<secret>": the prefix finds it, the hash proves it.
	prefix := token
	if i := strings.Index(token[len(apiKeyPrefix):], "_"); i >= 0 {
		prefix = token[:len(apiKeyPrefix)+i]
	}
	// Only a well-formed prefix is looked up: MySQL refuses to compare the
	// ASCII prefix column with text outside ASCII, which would be a 500.
	if !keyPrefixPattern.MatchString(prefix) {
		return nil, unauthenticated("the API key is unknown")
	}
	key, err := store.APIKeyByPrefix(ctx, prefix)
	if errors.Is(err, models.ErrNotFound) {
		return nil, unauthenticated("the API key is unknown")
	}
	if err != nil {
		return nil, err
	}
	if !password.SameHash(key.SecretHash, password.HashToken(token)) || !key.Usable(time.Now()) {
		return nil, unauthenticated("the API key is unknown, expired or revoked")
	}
	if !addressAllowed(c.RealIP(), key.AllowedAddresses) {
		return nil, unauthenticated("this API key may not be used from your address")
	}
	hits, windowEnd, err := store.Hit(ctx, "key:"+key.ID, time.Minute)
	if err != nil {
		return nil, err
	}
	if hits > int64(cfg.keyRate) {
		retry := max(1, int(time.Until(windowEnd).Seconds()+0.999))
		return nil, &httpError{status: http.StatusTooManyRequests, code: "rate_limited",
			detail: fmt.Sprintf("this API key made more than %d requests this minute", cfg.keyRate),
			header: http.Header{"Retry-After": {strconv.Itoa(retry)}}}
	}
	if err := store.TouchAPIKey(ctx, key); err != nil {
		return nil, err
	}
	return &models.Caller{Kind: models.CallerAPIKey, ID: key.ID, Name: key.Name, Scopes: key.Scopes}, nil
}

func addressAllowed(addr string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	ip := net.ParseIP(addr)
	return ip != nil && slices.ContainsFunc(allowed, func(cidr string) bool {
		_, n, err := net.ParseCIDR(cidr)
		return err == nil && n.Contains(ip)
	})
}

func unauthenticated(detail string) error {
	return &httpError{status: http.StatusUnauthorized, code: "unauthenticated", detail: detail,
		header: http.Header{"Www-Authenticate": {"Bearer"}}}
}
