// Package server is the HTTP layer: Echo, the middleware every request passes
// (request id, logs and metrics, body limit, CORS, validation against the
// contract, idempotency), one handler type per tag of openapi.yaml, and the one
// renderer of problem+json.
package server

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fazhi/fazhi/api"
)

// basePath is where the contract's operations are served (its servers URL).
const basePath = "/api/v1"

// Store is everything the handlers need from the database.
type Store interface {
	UnitStore
	IdempotencyStore
	Ping(ctx context.Context) error
	MigrationsCurrent(ctx context.Context) (bool, error)
	SQL() *sql.DB
}

// Config is the part of the configuration the HTTP layer reads.
type Config struct {
	// BodyLimit is the largest request body accepted, e.g. "1M".
	BodyLimit string
	// CORSOrigins are the origins allowed to call the API from a browser; empty
	// turns CORS off.
	CORSOrigins []string
	// DemoMode says the database holds the demo data; Swagger UI mentions it.
	DemoMode bool
}

// strictServer implements every operation of the contract by embedding one
// handler per tag; a missing or doubly implemented operation fails to compile.
type strictServer struct {
	*UnitHandler
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
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(store.SQL(), "fazhi"),
	)
	m := newMetrics(reg)

	e.Use(requestID())
	e.Use(observe(log, m))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodOptions},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-Match", "If-None-Match", headerIdempotencyKey, echo.HeaderXRequestID},
			ExposeHeaders: []string{"ETag", echo.HeaderLocation, echo.HeaderXRequestID, "Idempotent-Replayed", "Retry-After"},
			MaxAge:        600,
		}))
	}
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
	// Route-level middleware would need a group, and a group with middleware
	// answers every unknown method with 404 instead of 405: these two act only on
	// requests the contract knows, and let the rest through.
	apiRoutes := map[string]bool{}
	e.Use(validateRequests(contract, apiRoutes), idempotency(store, log))

	handler := api.NewStrictHandler(&strictServer{
		UnitHandler: &UnitHandler{store: store},
	}, nil)
	api.RegisterHandlersWithBaseURL(e, handler, basePath)
	for _, r := range e.Routes() {
		apiRoutes[r.Method+" "+r.Path] = true
	}

	ops := &operations{store: store, contract: contract, demo: cfg.DemoMode}
	e.GET("/healthz", ops.healthz)
	e.GET("/readyz", ops.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/openapi.yaml", ops.specYAML)
	e.GET("/openapi.json", ops.specJSON)
	docs := ops.docs()
	e.GET("/docs", echo.WrapHandler(docs))
	e.GET("/docs/*", echo.WrapHandler(docs))
	return e, nil
}
