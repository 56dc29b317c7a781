package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// problemTypeBase prefixes the problem type URIs; the last segment names the kind.
const problemTypeBase = "https://fazhi.example.invalid/problems/"

// httpError is an error that already knows its response: the validator, the
// middleware and the handlers use it for problems that are not domain errors.
type httpError struct {
	status int
	code   string
	detail string
	fields []api.FieldError
	cells  []api.CellProblem // a refused spreadsheet's bad cells
	header http.Header       // extra response headers, e.g. Retry-After
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.detail) }

func newHTTPError(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, code: code, detail: fmt.Sprintf(format, args...)}
}

// titles are the problem titles by status.
var titles = map[int]string{
	http.StatusBadRequest:            "Invalid request",
	http.StatusUnauthorized:          "Unauthenticated",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusNotAcceptable:         "Not acceptable",
	http.StatusConflict:              "Conflict",
	http.StatusPreconditionFailed:    "Precondition failed",
	http.StatusRequestEntityTooLarge: "Payload too large",
	http.StatusUnsupportedMediaType:  "Unsupported media type",
	http.StatusUnprocessableEntity:   "Unprocessable request",
	http.StatusPreconditionRequired:  "Precondition required",
	http.StatusTooManyRequests:       "Too many requests",
	http.StatusInternalServerError:   "Internal server error",
	http.StatusServiceUnavailable:    "Service unavailable",
}

// problemFor maps any error to the problem it is answered with. Anything not
// recognised is a 500: a bug, whose cause is logged and never shown.
func problemFor(err error) (api.Problem, http.Header) {
	var (
		he    *httpError
		ee    *echo.HTTPError
		ve    *models.ValidationError
		ce    *models.ConflictError
		pe    *models.PreconditionError
		nf    *models.NotFoundError
		fe    *models.ForbiddenError
		p     api.Problem
		extra http.Header
	)
	if errors.Is(err, paging.ErrInvalidCursor) {
		// A cursor of the right list whose position the store cannot read
		// (made by hand): the 400 of any cursor the list did not give.
		err = invalidCursor()
	}
	switch {
	case errors.As(err, &he):
		p = problem(he.status, he.code, he.detail)
		if len(he.fields) > 0 {
			p.Errors = &he.fields
		}
		if len(he.cells) > 0 {
			p.Cells = &he.cells
		}
		extra = he.header
	case errors.As(err, &ve):
		p = problem(http.StatusUnprocessableEntity, ve.Code, ve.Detail)
		if len(ve.Fields) > 0 {
			p.Errors = fieldsOut(ve.Fields)
		}
	case errors.As(err, &ce):
		p = problem(http.StatusConflict, ce.Code, ce.Detail)
		if len(ce.Fields) > 0 {
			p.Errors = fieldsOut(ce.Fields)
		}
		if len(ce.Allowed) > 0 {
			p.AllowedStates = ptr(slices.Clone(ce.Allowed))
		}
		if len(ce.Referrers) > 0 {
			refs := make([]api.Referrer, len(ce.Referrers))
			for i, r := range ce.Referrers {
				refs[i] = api.Referrer{Type: r.Type, Id: r.ID, Name: nonEmpty(r.Name)}
			}
			p.Referrers = &refs
		}
	case errors.As(err, &pe) && pe.Required:
		p = problem(http.StatusPreconditionRequired, "if_match_required", pe.Detail)
	case errors.As(err, &pe):
		p = problem(http.StatusPreconditionFailed, "version_mismatch", pe.Detail)
	case errors.As(err, &nf):
		p = problem(http.StatusNotFound, "not_found", nf.Error())
	case errors.As(err, &fe):
		p = problem(http.StatusForbidden, fe.Code, fe.Detail)
	case errors.Is(err, models.ErrNotFound):
		p = problem(http.StatusNotFound, "not_found", "no such record")
	case errors.Is(err, models.ErrInvalid):
		p = problem(http.StatusUnprocessableEntity, "invalid", err.Error())
	case errors.Is(err, models.ErrConflict):
		p = problem(http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, models.ErrPrecondition):
		p = problem(http.StatusPreconditionFailed, "version_mismatch", err.Error())
	case errors.Is(err, models.ErrForbidden):
		p = problem(http.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, models.ErrUnauthenticated):
		p = problem(http.StatusUnauthorized, "unauthenticated", "sign in or send an API key")
	case errors.Is(err, models.ErrBusy):
		p = problem(http.StatusServiceUnavailable, "database_busy", "the change kept colliding with others however often it was tried; retry shortly")
		extra = http.Header{"Retry-After": {"1"}}
	case errors.Is(err, models.ErrUnavailable):
		p = problem(http.StatusServiceUnavailable, "database_unavailable", "the database is not answering; retry shortly")
		extra = http.Header{"Retry-After": {"5"}}
	case errors.As(err, &ee):
		p = echoProblem(ee)
	default:
		p = problem(http.StatusInternalServerError, "internal", "an unexpected error occurred; quote the request id when reporting it")
	}
	return p, extra
}

// echoProblem renders the errors Echo itself raises: unknown routes, wrong
// methods, bodies over the limit, and binding failures.
func echoProblem(ee *echo.HTTPError) api.Problem {
	switch ee.Code {
	case http.StatusNotFound:
		return problem(ee.Code, "route_not_found", "no operation is served at this path")
	case http.StatusMethodNotAllowed:
		return problem(ee.Code, "method_not_allowed", "this path does not take that method")
	case http.StatusRequestEntityTooLarge:
		return problem(ee.Code, "payload_too_large", "the request body is larger than the server accepts")
	case http.StatusUnsupportedMediaType:
		return problem(ee.Code, "unsupported_media_type", "the body is not of a media type this operation takes")
	case http.StatusBadRequest:
		return problem(ee.Code, "invalid_request", fmt.Sprint(ee.Message))
	}
	if ee.Code >= 400 && ee.Code < 500 {
		return problem(ee.Code, strings.ToLower(strings.ReplaceAll(http.StatusText(ee.Code), " ", "_")), fmt.Sprint(ee.Message))
	}
	return problem(http.StatusInternalServerError, "internal", "an unexpected error occurred; quote the request id when reporting it")
}

func problem(status int, code, detail string) api.Problem {
	title, ok := titles[status]
	if !ok {
		title = http.StatusText(status)
	}
	slug := strings.ReplaceAll(code, "_", "-")
	return api.Problem{Type: problemTypeBase + slug, Title: title, Status: int32(status), Code: code, Detail: &detail}
}

// statusClientClosed is the status logged for a request its client
// abandoned (closed the connection, gave up waiting) before its answer, as
// nginx logs it: 499.
const statusClientClosed = 499

// clientGone reports whether err is a request's failure because its client
// went away: the context the HTTP server gave the request has ended, which
// it does when the client's connection closes.
func clientGone(c echo.Context, err error) bool {
	return err != nil && clientContext(c).Err() != nil
}

// errorHandler is Echo's HTTPErrorHandler: the one place where errors, from the
// validator, the middleware, the handlers or a recovered panic, become
// application/problem+json.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if clientGone(c, err) {
			// Nobody hears an answer, and what failed failed because the
			// client left (the database calls of its context stopped):
			// logged as the client's abandonment, not as a server error.
			c.Response().WriteHeader(statusClientClosed)
			return
		}
		p, extra := problemFor(err)
		if pastTimeLimit(c, err) {
			p = problem(http.StatusServiceUnavailable, "request_too_long",
				"the request did not finish within the server's time limit and nothing was changed; "+
					"retry later, and split a large import into smaller files")
			extra = http.Header{"Retry-After": {"30"}}
		}
		reqID := c.Response().Header().Get(echo.HeaderXRequestID)
		if reqID != "" {
			p.RequestId = &reqID
		}
		instance := c.Request().URL.Path
		p.Instance = &instance
		if p.Code == "not_found" {
			// The same words whether the record is absent or hidden from the
			// caller: a 404 never tells a stranger whose a record is.
			p.Detail = ptr("there is nothing at " + instance + " that you may see")
		}
		if p.Status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", reqID, "operation", operationID(c), "status", p.Status, "error", err.Error())
		}
		h := c.Response().Header()
		for k, vs := range extra {
			h[k] = vs
		}
		h.Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(int(p.Status))
		if c.Request().Method == http.MethodHead {
			return
		}
		_ = json.NewEncoder(c.Response()).Encode(p)
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fieldsOut renders the located violations of a problem, at most 100 (the
// contract's bound on errors).
func fieldsOut(fs []models.FieldError) *[]api.FieldError {
	fs = fs[:min(len(fs), 100)]
	out := make([]api.FieldError, len(fs))
	for i, f := range fs {
		out[i] = api.FieldError{Pointer: &f.Pointer, Code: nonEmpty(f.Code), Message: f.Message}
	}
	return &out
}
