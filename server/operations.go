package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/fazhi/fazhi"
)

// operations serves the endpoints outside the contract: probes, the spec and
// Swagger UI.
type operations struct {
	store interface {
		Ping(ctx context.Context) error
		MigrationsCurrent(ctx context.Context) (bool, error)
	}
	contract *Contract
	demo     bool
}

type status struct {
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// healthz answers while the process serves requests.
func (o *operations) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, status{Status: "ok"})
}

// readyz answers 200 when the database answers and its schema is current, so a
// load balancer sends traffic only to instances that can serve it.
func (o *operations) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := o.store.Ping(ctx); err != nil {
		return newHTTPError(http.StatusServiceUnavailable, "database_unavailable", "the database does not answer")
	}
	current, err := o.store.MigrationsCurrent(ctx)
	if err != nil {
		return newHTTPError(http.StatusServiceUnavailable, "database_unavailable", "the migration state cannot be read")
	}
	if !current {
		return newHTTPError(http.StatusServiceUnavailable, "migrations_pending", "the database schema is behind this version: run fazhi migrate up")
	}
	return c.JSON(http.StatusOK, status{Status: "ready"})
}

func (o *operations) specYAML(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", fazhi.OpenAPI)
}

func (o *operations) specJSON(c echo.Context) error {
	b, err := json.Marshal(o.contract.Doc)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// docs is Swagger UI with its assets embedded in the binary: it works with no
// internet access.
func (o *operations) docs() http.Handler {
	title := "fazhi API（法治政府建設管理接口）"
	if o.demo {
		title += " — demo data"
	}
	return v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		SettingsUI: map[string]string{
			"tryItOutEnabled":        "true",
			"displayRequestDuration": "true",
			"persistAuthorization":   "true",
			"tagsSorter":             "false",
			"operationsSorter":       "false",
		},
	})
}
