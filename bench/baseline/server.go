package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// requestTimeout is what cmd/fazhi derives from its write timeout (60 s,
// less a twelfth, 1 to 10 s): a request's database calls end there.
const (
	writeTimeout   = 60 * time.Second
	requestTimeout = writeTimeout - 5*time.Second
)

type server struct {
	db      *sql.DB
	dialect string
	lock    string // the locking clause of a read that locks its rows
	log     *slog.Logger
	wake    chan struct{} // wakes the sequencer
	// writeTurn lets one transaction at a time begin on SQLite; nil on MySQL.
	writeTurn chan struct{}
	// prepared holds the fixed reads fazhi keeps prepared on SQLite
	// (store/prepared.go): query → *sql.Stmt.
	prepared sync.Map
}

// fixed runs one of the fixed reads fazhi keeps prepared on SQLite (the
// session lookup, a get by id) as fazhi does: prepared once on SQLite, sent
// interpolated on MySQL.
func (s *server) fixed(ctx context.Context, query string, args ...any) *sql.Row {
	if s.dialect != dialectSQLite {
		return s.db.QueryRowContext(ctx, query, args...)
	}
	st, ok := s.prepared.Load(query)
	if !ok {
		p, err := s.db.Prepare(query)
		if err != nil {
			return s.db.QueryRowContext(ctx, query, args...) // which answers the same error
		}
		if st, ok = s.prepared.LoadOrStore(query, p); ok {
			p.Close()
		}
	}
	return st.(*sql.Stmt).QueryRowContext(ctx, args...)
}

func newServer(db *sql.DB, dialect string, log *slog.Logger) *server {
	s := &server{db: db, dialect: dialect, log: log, wake: make(chan struct{}, 1)}
	if dialect == dialectMySQL {
		// SQLite needs none: its write transactions are serialised (BEGIN IMMEDIATE).
		s.lock = " FOR UPDATE"
	} else {
		s.writeTurn = make(chan struct{}, 1)
	}
	return s
}

// The mirrored operations' x-permission in openapi.yaml.
var (
	anyRole    = rule{roles: []string{"admin", "reviewer", "reporter", "viewer", "cityReviewer"}}
	adminOnly  = rule{roles: []string{"admin"}}
	subtreeAny = rule{roles: anyRole.roles, subtree: true}
)

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/units/{id}", s.handle("getUnit", anyRole, s.getUnit))
	mux.Handle("PATCH /api/v1/units/{id}", s.handle("updateUnit", adminOnly, s.updateUnit))
	mux.Handle("GET /api/v1/units", s.handle("listUnits", anyRole, s.listUnits))
	mux.Handle("GET /api/v1/indicator-values", s.handle("listIndicatorValues", subtreeAny, s.listIndicatorValues))
	mux.Handle("GET /api/v1/checklists/{id}/items", s.handle("listChecklistItems", checklistRead, s.listChecklistItems))
	mux.Handle("GET /api/v1/plan-tasks", s.handle("listPlanTasks", subtreeAny, s.listPlanTasks))
	return mux
}

// request is a request with what fazhi's middleware learns of it: who
// calls, under which rule, and what its audit events record.
type request struct {
	*http.Request
	caller        *caller
	rule          rule
	id            string // X-Request-Id
	clientAddress string // the peer's IP, as Echo's ExtractIPDirect reads it
}

// handle does for an operation what fazhi's middleware does for every
// request: the request id and headers, the time limit, authentication and
// permission, the one renderer of problems, and one JSON log line.
func (s *server) handle(operation string, r rule, serve func(http.ResponseWriter, *request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		req := &request{rule: r, id: requestID(hr.Header.Get("X-Request-Id"))}
		if host, _, err := net.SplitHostPort(hr.RemoteAddr); err == nil {
			req.clientAddress = host
		}
		h := w.Header()
		h.Set("X-Request-Id", req.id)
		h.Set("X-Content-Type-Options", "nosniff")
		if hr.Header.Get("Authorization") != "" {
			h.Set("Cache-Control", "private, no-cache")
		}
		ctx, cancel := context.WithTimeout(hr.Context(), requestTimeout)
		defer cancel()
		req.Request = hr.WithContext(ctx)
		err := s.authorize(req, operation)
		if err == nil {
			err = serve(rec, req)
		}
		if err != nil {
			s.writeProblem(rec, req, operation, err)
		}
		level := slog.LevelInfo
		if rec.status >= http.StatusInternalServerError {
			level = slog.LevelError
		}
		s.log.LogAttrs(ctx, level, "request", slog.String("request_id", req.id), slog.String("method", hr.Method),
			slog.String("path", hr.URL.Path), slog.String("operation", operation), slog.Int("status", rec.status),
			slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int64("bytes", rec.bytes), slog.String("remote", req.clientAddress))
	})
}

// requestID keeps the client's X-Request-Id when it is 1 to 64 printable
// ASCII characters (so that logs never carry arbitrary text) and makes one
// otherwise.
func requestID(sent string) string {
	if sent == "" || len(sent) > 64 || strings.IndexFunc(sent, func(r rune) bool { return r < 0x21 || r > 0x7E }) >= 0 {
		return newID()
	}
	return sent
}

// caller is a signed-in user, as store.SessionCaller reads one.
type caller struct {
	userID, username, unitPath string
	roles                      []string
	mustChangePassword         bool
}

// sessionQuery is store.SessionCaller's: the columns a caller is made of.
const sessionQuery = "SELECT users.id AS user_id, users.username, users.unit_id, users.role_set, users.disabled, " +
	"users.must_change_password, sessions.id AS session_id, sessions.expires_at, sessions.revoked_at, units.path AS unit_path" +
	" FROM sessions JOIN users ON users.id = sessions.user_id JOIN units ON units.id = users.unit_id" +
	" WHERE sessions.token_hash = ? LIMIT 1"

// authorize finds the user of the bearer session token and applies the
// operation's rule. API keys (fzk_…) are not mirrored: they are refused.
func (s *server) authorize(r *request, operation string) error {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 200 {
		return unauthenticated("send Authorization: Bearer with a token from /auth/login or an API key")
	}
	if strings.HasPrefix(token, "fzk_") {
		return unauthenticated("the API key is unknown")
	}
	sum := sha256.Sum256([]byte(token)) // password.HashToken
	var (
		c                          caller
		unitID, roleSet, sessionID string
		disabled                   bool
		expiresAt                  time.Time
		revokedAt                  *time.Time
	)
	err := s.fixed(r.Context(), sessionQuery, hex.EncodeToString(sum[:])).Scan(&c.userID, &c.username,
		&unitID, &roleSet, &disabled, &c.mustChangePassword, &sessionID, &expiresAt, &revokedAt, &c.unitPath)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revokedAt != nil || !now().Before(expiresAt) || disabled)) {
		return unauthenticated("the token is unknown, expired or revoked: sign in again")
	}
	if err != nil {
		return fmt.Errorf("find session: %w", err)
	}
	for role := range strings.SplitSeq(strings.Trim(roleSet, ","), ",") { // ",admin,reviewer,"
		if role != "" {
			c.roles = append(c.roles, role)
		}
	}
	r.caller = &c
	return r.rule.allow(&c, operation)
}

// rule is an operation's x-permission: the roles that may call it, and
// whether it limits callers to their unit's subtree (target unit-subtree).
type rule struct {
	roles   []string
	subtree bool
}

// allow is authz.Allow for users.
func (r rule) allow(c *caller, operation string) error {
	if c.mustChangePassword {
		return &problem{status: 403, code: "password_change_required", detail: "change your password first (changeOwnPassword): it was chosen by someone else"}
	}
	for _, role := range c.roles {
		if slices.Contains(r.roles, role) {
			return nil
		}
	}
	or := r.roles[len(r.roles)-1]
	if n := len(r.roles); n > 1 {
		or = strings.Join(r.roles[:n-1], ", ") + " or " + or
	}
	return &problem{status: 403, code: "forbidden", detail: operation + " needs the role " + or}
}

// subtreeOf is authz.SubtreeOf: the unit path a list is limited to, empty
// for administrators and for the city-wide roles the rule admits.
func (r rule) subtreeOf(c *caller) string {
	if !r.subtree || slices.Contains(c.roles, "admin") ||
		(slices.Contains(c.roles, "cityReviewer") && slices.Contains(r.roles, "cityReviewer")) {
		return ""
	}
	return c.unitPath
}
