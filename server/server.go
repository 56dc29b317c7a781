// Package server is the HTTP layer: Echo, the middleware every request passes
// (request id, logs and metrics, body limit, CORS, validation against the
// contract, idempotency), one handler type per tag of openapi.yaml, and the one
// renderer of problem+json.
package server

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/blob"
	"github.com/fazhi/fazhi/orgsheet"
	"github.com/fazhi/fazhi/password"
)

// basePath is where the contract's operations are served (its servers URL).
const basePath = "/api/v1"

// Store is everything the handlers need from the database.
type Store interface {
	UnitStore
	IdempotencyStore
	SignInStore
	UserStore
	APIKeyStore
	AuthStore
	AuditStore
	IndicatorStore
	TargetStore
	ValueStore
	ValueSheetStore
	EvaluationStore
	ChecklistStore
	InspectionStore
	CalendarStore
	PlanStore
	ProgressStore
	ProblemStore
	AnnualReportStore
	FeedStore
	orgsheet.Store
	Ping(ctx context.Context) error
	MigrationsCurrent(ctx context.Context) (bool, error)
	SQL() *sql.DB
}

// passwordMemory is the memory set aside for checking passwords: at
// Production cost (64 MiB a check) eight sign-ins at once, 512 MiB at most
// over the idle process, however many arrive together.
const passwordMemory = 512 << 20

// Config is the part of the configuration the HTTP layer reads.
type Config struct {
	// BodyLimit is the largest request body accepted, e.g. "1M".
	BodyLimit string
	// CORSOrigins are the origins allowed to call the API from a browser; empty
	// turns CORS off.
	CORSOrigins []string
	// DemoMode says the database holds the demo data; Swagger UI mentions it.
	DemoMode bool
	// PasswordParams is the argon2id cost; nil is password.Production.
	PasswordParams *password.Params
	// PasswordSlots is how many passwords are checked at once (sign-ins,
	// password changes); zero: as many as PasswordMemory holds.
	PasswordSlots int
	// PasswordWait is how long a sign-in waits for a slot before it is
	// refused (429 sign_in_busy); zero: 2 s.
	PasswordWait time.Duration
	// SessionTTL is how long a sign-in lasts; zero is 12 hours.
	SessionTTL time.Duration
	// APIKeyRate is how many requests an API key may make a minute; zero is 600.
	APIKeyRate int
	// TrustedProxies are the address ranges (CIDR) of proxies whose
	// X-Forwarded-For is believed; empty: the client is the peer address.
	TrustedProxies []string
	// AttachmentDir is the directory attachments are kept in, shared by every
	// instance; empty: a temporary directory (for tests), with a warning.
	AttachmentDir string
	// AttachmentLimit is the largest attachment accepted, in bytes; zero is
	// DefaultAttachmentLimit. Uploads are exempt from BodyLimit.
	AttachmentLimit int64
	// SheetLimit is the largest spreadsheet an import takes, in bytes; zero
	// is DefaultSheetLimit.
	SheetLimit int64
	// RequestTimeout is how long a request may run before its database calls
	// fail and it is answered 503 request_too_long, nothing changed; set it
	// below the HTTP server's write timeout, so that the answer still
	// reaches the client. Zero: no limit.
	RequestTimeout time.Duration
	// ServeMetrics, when set, is given the Prometheus handler to serve on an
	// address of its own (FAZHI_METRICS_ADDR), and the API's port has no
	// /metrics: what the process reveals of its load stays off the public
	// port. Nil: /metrics is served beside the API.
	ServeMetrics func(http.Handler)
}

// strictServer implements every operation of the contract by embedding one
// handler per tag; a missing or doubly implemented operation fails to compile.
type strictServer struct {
	*AuthHandler
	*UnitHandler
	*UserHandler
	*APIKeyHandler
	*AuditHandler
	*IndicatorHandler
	*TargetHandler
	*ValueHandler
	*ValueSheetHandler
	*EvaluationHandler
	*ChecklistHandler
	*InspectionHandler
	*CalendarHandler
	*PlanHandler
	*ProgressHandler
	*ProblemHandler
	*AnnualReportHandler
	*OrgImportHandler
	*FeedHandler
}

var _ api.StrictServerInterface = (*strictServer)(nil)

// New builds the HTTP handler: the API under /api/v1 and the operational
// endpoints at the root.
func New(cfg Config, store Store, log *slog.Logger) (*echo.Echo, error) {
	contract, err := LoadContract()
	if err != nil {
		return nil, err
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.APIKeyRate == 0 {
		cfg.APIKeyRate = 600
	}
	if cfg.AttachmentLimit <= 0 {
		cfg.AttachmentLimit = DefaultAttachmentLimit
	}
	if cfg.SheetLimit <= 0 {
		cfg.SheetLimit = DefaultSheetLimit
	}
	if cfg.AttachmentDir == "" {
		dir, err := os.MkdirTemp("", "fazhi-attachments-")
		if err != nil {
			return nil, err
		}
		log.Warn("no attachment directory configured: attachments are kept in a temporary one", "dir", dir)
		cfg.AttachmentDir = dir
	}
	blobs, err := blob.NewDir(cfg.AttachmentDir)
	if err != nil {
		return nil, err
	}
	rules, err := loadRules(contract.Doc)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		var trust []echo.TrustOption
		for _, cidr := range cfg.TrustedProxies {
			_, n, err := net.ParseCIDR(cidr)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", cidr, err)
			}
			trust = append(trust, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(append([]echo.TrustOption{
			echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}, trust...)...)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(store.SQL(), "fazhi"),
	)
	m := newMetrics(reg)

	e.Use(requestID())
	e.Use(observe(log, m))
	e.Use(timeLimit(cfg.RequestTimeout))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodOptions},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-Match", "If-None-Match", headerIdempotencyKey, echo.HeaderXRequestID},
			ExposeHeaders: []string{"ETag", echo.HeaderLocation, echo.HeaderXRequestID, "Idempotent-Replayed", "Retry-After", echo.HeaderContentDisposition, "Digest"},
			MaxAge:        600,
		}))
	}
	// Route-level middleware would need a group, and a group with middleware
	// answers every unknown method with 404 instead of 405: these act only on
	// requests the contract knows, and let the rest through. Authentication and
	// permission come before validation, so that a caller who may not call an
	// operation learns nothing about its input rules.
	routes := contractRoutes{} // filled once the handlers are registered
	e.Use(
		findRoutes(&routes),
		cacheControl(),
		bodyLimit(cfg.BodyLimit, uploadLimits{attachment: cfg.AttachmentLimit, sheet: cfg.SheetLimit}),
		authenticate(store, rules, authConfig{keyRate: cfg.APIKeyRate}),
		validateRequests(),
		idempotency(store, log),
	)

	hasher := &password.Hasher{Params: cfg.PasswordParams}
	slots, wait := cfg.PasswordSlots, cfg.PasswordWait
	if slots <= 0 {
		slots = password.SlotsFor(cfg.PasswordParams, passwordMemory)
	}
	if wait <= 0 {
		wait = 2 * time.Second
	}
	gate := password.NewGate(slots, wait)
	importSlots := make(chan struct{}, concurrentImports)
	srv := &strictServer{
		AuthHandler:      &AuthHandler{store: store, hasher: hasher, gate: gate, sessionTTL: cfg.SessionTTL, rules: rules},
		UnitHandler:      &UnitHandler{store: store},
		UserHandler:      &UserHandler{store: store, hasher: hasher},
		APIKeyHandler:    &APIKeyHandler{store: store},
		AuditHandler:     &AuditHandler{store: store, rules: rules},
		IndicatorHandler: &IndicatorHandler{store: store},
		TargetHandler:    &TargetHandler{store: store},
		ValueHandler: &ValueHandler{store: store, rules: rules,
			files: &attachments{blobs: blobs, limit: cfg.AttachmentLimit, log: log}},
		ValueSheetHandler: &ValueSheetHandler{store: store, rules: rules, limit: cfg.SheetLimit,
			slots: importSlots},
		EvaluationHandler: &EvaluationHandler{store: store, rules: rules},
		ChecklistHandler: &ChecklistHandler{store: store, rules: rules, sheetLimit: cfg.SheetLimit,
			slots: importSlots},
		InspectionHandler: &InspectionHandler{store: store, rules: rules,
			files: &attachments{blobs: blobs, limit: cfg.AttachmentLimit, log: log}},
		CalendarHandler: &CalendarHandler{store: store},
		PlanHandler:     &PlanHandler{store: store, rules: rules, calendar: &CalendarHandler{store: store}},
		ProgressHandler: &ProgressHandler{store: store, rules: rules,
			files: &attachments{blobs: blobs, limit: cfg.AttachmentLimit, log: log}},
		ProblemHandler: &ProblemHandler{store: store, rules: rules,
			files: &attachments{blobs: blobs, limit: cfg.AttachmentLimit, log: log}},
		AnnualReportHandler: &AnnualReportHandler{store: store, rules: rules},
		OrgImportHandler:    &OrgImportHandler{store: store, hasher: hasher, limit: cfg.SheetLimit},
	}
	// The feed renders each record type as its own handler does.
	srv.FeedHandler = &FeedHandler{store: store, types: feedTypes(srv)}
	handler := api.NewStrictHandler(srv, nil)
	api.RegisterHandlersWithBaseURL(e, handler, basePath)
	routes = routesOf(contract, e.Routes())

	ops := &operations{store: store, contract: contract, demo: cfg.DemoMode}
	e.GET("/healthz", ops.healthz)
	e.GET("/readyz", ops.readyz)
	metricsHandler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if cfg.ServeMetrics != nil {
		cfg.ServeMetrics(metricsHandler)
	} else {
		e.GET("/metrics", echo.WrapHandler(metricsHandler))
	}
	e.GET("/openapi.yaml", ops.specYAML)
	e.GET("/openapi.json", ops.specJSON)
	docs := ops.docs()
	e.GET("/docs", echo.WrapHandler(docs))
	e.GET("/docs/*", echo.WrapHandler(docs))
	return e, nil
}
