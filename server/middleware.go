package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fazhi/fazhi/models"
)

// validRequestID is what an incoming X-Request-Id may be; anything else is
// replaced, so that logs and problems never carry arbitrary client text.
var validRequestID = regexp.MustCompile(`^[\x21-\x7E]{1,64}$`)

// requestID gives every request an id, the client's when it sent a sane one,
// echoed in the X-Request-Id response header.
func requestID() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(echo.HeaderXRequestID)
			if !validRequestID.MatchString(id) {
				id = uuid.Must(uuid.NewV7()).String()
			}
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			// No answer is to be sniffed into another type than it says.
			c.Response().Header().Set("X-Content-Type-Options", "nosniff")
			return next(c)
		}
	}
}

// errTimeLimit is the cause of a request's context ending at the server's
// time limit.
var errTimeLimit = errors.New("the request ran past the server's time limit")

// timeLimit ends every request's context after limit (none when zero). The
// HTTP server stops writing an answer at its write timeout, and a change
// committed after that would reach the database but never the client: with
// the limit below the write timeout, the database calls of a request that
// runs too long fail, its transaction rolls back, and the client is told so
// (503 request_too_long) while it can still hear it.
func timeLimit(limit time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if streamedAnswers[c.Path()] {
				// As long as the data takes: the client's going away ends it.
				_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
				return next(c)
			}
			if limit <= 0 {
				return next(c)
			}
			// The client's own context, which ends when it goes away: the
			// error handler runs after cancel has ended the request's.
			c.Set(clientContextKey, c.Request().Context())
			ctx, cancel := context.WithTimeoutCause(c.Request().Context(), limit, errTimeLimit)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// streamedAnswers are the routes whose answers stream for as long as their
// data takes (a snapshot of every released record, a year's export): neither
// the request's time limit nor the server's write timeout applies to them.
var streamedAnswers = map[string]bool{basePath + "/snapshot": true, basePath + "/exports/:year": true}

// clientContextKey keeps the context of the request as the HTTP server made
// it, before timeLimit derived the request's own from it.
const clientContextKey = "fazhi.clientContext"

// clientContext is the context the HTTP server gave the request: it ends
// when the client goes away (or the answer is done).
func clientContext(c echo.Context) context.Context {
	if ctx, ok := c.Get(clientContextKey).(context.Context); ok {
		return ctx
	}
	return c.Request().Context()
}

// pastTimeLimit reports whether err is a request's failure because its
// context ended at the time limit.
func pastTimeLimit(c echo.Context, err error) bool {
	return err != nil && context.Cause(c.Request().Context()) == errTimeLimit
}

// secretAnswers are the operations whose answers carry a secret (a session
// token, a new key's secret): nothing may keep them.
var secretAnswers = map[string]bool{"login": true, "createApiKey": true}

// cacheControl says who may keep an answer: no cache one that carries a
// secret; only the caller's own cache, revalidated every time (so that ETag
// and 304 keep working for the province's client), one to a signed-in
// caller or key. Handlers that know better (the documentation) set their own.
func cacheControl() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch {
			case secretAnswers[operationID(c)]:
				c.Response().Header().Set("Cache-Control", "no-store")
			case c.Request().Header.Get(echo.HeaderAuthorization) != "":
				c.Response().Header().Set("Cache-Control", "private, no-cache")
			}
			return next(c)
		}
	}
}

// metrics are the Prometheus series the server keeps.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fazhi_http_requests_total",
			Help: "HTTP requests served, by operation and status.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fazhi_http_request_duration_seconds",
			Help:    "Time to serve a request, by operation.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe logs every request as one JSON line and counts it. It sits outside
// the error handler's reach, so it calls it itself to learn the final status.
// It logs the path without the query string, and no headers: nothing secret.
func observe(log *slog.Logger, m *metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			ctx, statements := models.WithStatementCount(c.Request().Context())
			c.SetRequest(c.Request().WithContext(ctx))
			if err := next(c); err != nil {
				c.Error(err)
			}
			elapsed := time.Since(start)
			status := c.Response().Status
			op := operationID(c)
			m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(op).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if status >= http.StatusInternalServerError {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("path", c.Request().URL.Path),
				slog.String("operation", op),
				slog.Int("status", status),
				slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000),
				slog.Int64("bytes", c.Response().Size),
				slog.String("remote", c.RealIP()),
				slog.Int64("db_statements", statements.Load()),
			)
			return nil
		}
	}
}
