package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/models"
)

// IdempotencyStore keeps Idempotency-Key records where every instance sees them.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, scope, key, hash string, ttl time.Duration) (*models.IdempotencyRecord, error)
	CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, headers map[string]string, body []byte) error
	ReleaseIdempotencyKey(ctx context.Context, scope, key string) error
}

// idempotencyTTL is how long a key is remembered (API-GUIDE, Writes).
const idempotencyTTL = 24 * time.Hour

const headerIdempotencyKey = "Idempotency-Key"

// replayedHeaders are the response headers kept with a key and sent again on replay.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag"}

// idempotency makes the operations that declare an Idempotency-Key header safe
// to retry. The first request with a key claims it in the database; a repeat
// with the same body gets the first response again, with another body a 422,
// and while the first is still running a 409. A request that failed with a 5xx
// releases its key, so the client can retry it.
func idempotency(store IdempotencyStore, log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			route := contractRoute(c)
			key := c.Request().Header.Get(headerIdempotencyKey)
			if route == nil || key == "" || route.Operation.Parameters.GetByInAndName("header", headerIdempotencyKey) == nil {
				return next(c)
			}
			req := c.Request()
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return err
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			hash := requestHash(req.Method, req.URL.Path, body)
			scope := callerScope(c)

			ctx := req.Context()
			existing, err := store.ClaimIdempotencyKey(ctx, scope, key, hash, idempotencyTTL)
			if err != nil {
				return err
			}
			if existing != nil {
				return replay(c, existing, hash)
			}

			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			if err := next(c); err != nil {
				c.Error(err)
			}
			// The request may have been cancelled; finishing the record must not be.
			done := context.WithoutCancel(ctx)
			status := c.Response().Status
			if status >= http.StatusInternalServerError {
				if err := store.ReleaseIdempotencyKey(done, scope, key); err != nil {
					log.ErrorContext(ctx, "release idempotency key", "error", err.Error())
				}
				return nil
			}
			headers := map[string]string{}
			for _, h := range replayedHeaders {
				if v := c.Response().Header().Get(h); v != "" {
					headers[h] = v
				}
			}
			if err := store.CompleteIdempotencyKey(done, scope, key, status, headers, rec.body.Bytes()); err != nil {
				log.ErrorContext(ctx, "complete idempotency key", "error", err.Error())
			}
			return nil
		}
	}
}

// requestHash identifies a request for comparing a repeat with the first one.
func requestHash(method, path string, body []byte) string {
	sum := sha256.New()
	sum.Write([]byte(method + " " + path + "\n"))
	sum.Write(body)
	return hex.EncodeToString(sum.Sum(nil))
}

func replay(c echo.Context, rec *models.IdempotencyRecord, hash string) error {
	switch {
	case rec.RequestHash != hash:
		return newHTTPError(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"this Idempotency-Key was used with another request; use a new key for a new request")
	case rec.State != models.IdempotencyDone:
		return newHTTPError(http.StatusConflict, "idempotency_request_running",
			"a request with this Idempotency-Key is still running; retry when it has finished")
	}
	for k, v := range rec.Headers {
		c.Response().Header().Set(k, v)
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().WriteHeader(rec.Status)
	_, err := c.Response().Write(rec.Body)
	return err
}

// callerScope scopes keys to the caller, so one client's key never answers
// another's request. Until requests are authenticated every caller shares one scope.
func callerScope(c echo.Context) string {
	if id, ok := c.Get(ctxCaller).(string); ok && id != "" {
		return id
	}
	return "anonymous"
}

// ctxCaller holds the authenticated caller's id, once authentication sets it.
const ctxCaller = "fazhi.caller"

// recorder copies the response body as it is written.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
