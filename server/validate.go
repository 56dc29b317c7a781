package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi"
	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
)

// Contract is the loaded openapi.yaml with a router over its operations.
type Contract struct {
	Doc    *openapi3.T
	Router routers.Router
}

// LoadContract parses and checks the embedded openapi.yaml.
func LoadContract() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(fazhi.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not valid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.yaml: %w", err)
	}
	return &Contract{Doc: doc, Router: router}, nil
}

// context keys set by the validator for later middleware and the handlers.
const (
	ctxRoute       = "fazhi.route"
	ctxPathParams  = "fazhi.pathParams"
	ctxOperationID = "fazhi.operationId"
)

// operationID names the operation being served: the contract's operationId, or
// the route path for the operational endpoints outside the contract.
func operationID(c echo.Context) string {
	if id, ok := c.Get(ctxOperationID).(string); ok {
		return id
	}
	if p := c.Path(); p != "" {
		return p
	}
	return "unknown"
}

// contractRoute is the spec route of the request, when it is an API request.
func contractRoute(c echo.Context) *routers.Route {
	r, _ := c.Get(ctxRoute).(*routers.Route)
	return r
}

// contractRoutes maps each route Echo serves under the API base path
// ("GET /api/v1/units/:id") to the contract's operation, or to nil for a
// route the contract does not know.
type contractRoutes map[string]*routers.Route

// routesOf maps the routes Echo serves to the contract's operations, once,
// at start-up: a request then finds its operation by the route Echo's
// router matched, instead of trying the contract's paths one by one (a
// regular expression each) on every request.
func routesOf(contract *Contract, served []*echo.Route) contractRoutes {
	routes := contractRoutes{}
	var server *openapi3.Server
	if len(contract.Doc.Servers) > 0 {
		server = contract.Doc.Servers[0]
	}
	for _, r := range served {
		rest, ok := strings.CutPrefix(r.Path, basePath)
		if !ok {
			continue
		}
		path := echoParam.ReplaceAllString(rest, "{$1}")
		var route *routers.Route
		if item := contract.Doc.Paths.Value(path); item != nil {
			if op := item.GetOperation(r.Method); op != nil {
				route = &routers.Route{Spec: contract.Doc, Server: server, Path: path, PathItem: item, Method: r.Method, Operation: op}
			}
		}
		routes[r.Method+" "+r.Path] = route
	}
	return routes
}

// echoParam is a path parameter as Echo writes it (":id").
var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// findRoutes finds the contract's operation for every request under the API
// base path, for the middleware and handlers after it. Requests for paths or
// methods Echo does not serve go on to Echo, which answers 404 or 405; an API
// route that Echo serves but the contract does not know is refused, so that
// nothing reaches a handler unchecked.
func findRoutes(routes *contractRoutes) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !strings.HasPrefix(req.URL.Path, basePath+"/") {
				return next(c)
			}
			route, served := (*routes)[req.Method+" "+c.Path()]
			if !served {
				return next(c) // Echo answers 404 or 405
			}
			values := c.ParamValues()
			if slices.Contains(values, "") {
				// /units//tree: Echo matches an empty id, the contract
				// does not; no record has one.
				return newHTTPError(http.StatusNotFound, "not_found", "the path names no record: one of its ids is empty")
			}
			if route == nil {
				return fmt.Errorf("route %s %s is served but not in the contract", req.Method, c.Path())
			}
			pathParams := make(map[string]string, len(values))
			for i, name := range c.ParamNames() {
				// Echo may match the escaped path; the contract's rules are
				// about the value, as the handler's binding decodes it.
				v := values[i]
				if decoded, err := url.PathUnescape(v); err == nil {
					v = decoded
				}
				pathParams[name] = v
			}
			c.Set(ctxRoute, route)
			c.Set(ctxPathParams, pathParams)
			c.Set(ctxOperationID, route.Operation.OperationID)
			return next(c)
		}
	}
}

// validateRequests checks every API request against the contract before its
// handler runs, and answers 400 listing every violation.
func validateRequests() echo.MiddlewareFunc {
	opts := &openapi3filter.Options{
		MultiError:         true,
		KeepValidatedValue: true,
		// Messages name the rule broken, not the schema or the value sent.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
	streamedOpts := *opts
	streamedOpts.ExcludeRequestBody = true
	// The validator checks each route as its operation would be without
	// security requirements: authentication is the middleware's, and to offer
	// the body to an authentication function kin-openapi first reads all of
	// it into memory, which would hold a whole upload that its handler
	// streams (a 5.6 MiB file of 100,000 values, twice over while it grew).
	var unsecured sync.Map // *routers.Route → *routers.Route
	validated := func(route *routers.Route) *routers.Route {
		if r, ok := unsecured.Load(route); ok {
			return r.(*routers.Route)
		}
		op := *route.Operation
		op.Security = &openapi3.SecurityRequirements{}
		r := *route
		r.Operation = &op
		stored, _ := unsecured.LoadOrStore(route, &r)
		return stored.(*routers.Route)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			route := contractRoute(c)
			if route == nil {
				return next(c)
			}
			req := c.Request()
			pathParams, _ := c.Get(ctxPathParams).(map[string]string)
			var fields []api.FieldError
			query, qerr := url.ParseQuery(req.URL.RawQuery)
			if qerr != nil {
				return &httpError{status: http.StatusBadRequest, code: "invalid_request", detail: "the query string is malformed"}
			}
			fields = append(fields, checkQuery(route, query)...)
			// A streamed (multipart) body is left to its handler, which reads it
			// part by part; everything else about the request is checked here.
			streamed := streamsBody(route)
			if !streamed {
				if err := readBody(req, &fields); err != nil {
					return err
				}
			}
			if len(fields) > 0 {
				return &httpError{status: http.StatusBadRequest, code: "invalid_request", detail: "the request does not match the contract", fields: fields}
			}
			input := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: validated(route), Options: opts}
			if streamed {
				if err := checkMultipart(req); err != nil {
					return err
				}
				input.Options = &streamedOpts
			}
			if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
				return requestProblem(err)
			}
			if !streamed {
				if err := checkTexts(req); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// secretFields are body fields whose text is a secret, never shown: the text
// rule does not apply to them.
var secretFields = map[string]bool{"password": true, "currentPassword": true, "newPassword": true}

// checkTexts applies the one rule of every text field (models.BadCharacter)
// to a JSON body that the contract accepted: a 422 naming each field that
// holds a character no text may hold.
func checkTexts(req *http.Request) error {
	if req.GetBody == nil || !strings.Contains(strings.ToLower(req.Header.Get(echo.HeaderContentType)), "json") {
		return nil
	}
	body, err := req.GetBody()
	if err != nil {
		return err
	}
	var doc any
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil // the validator accepted it; nothing here to add
	}
	var fields []models.FieldError
	var walk func(pointer string, v any)
	walk = func(pointer string, v any) {
		switch v := v.(type) {
		case string:
			if msg := models.TextProblem(v); msg != "" {
				fields = append(fields, models.FieldError{Pointer: pointer, Message: msg})
			}
		case []any:
			for i, e := range v {
				walk(pointer+"/"+strconv.Itoa(i), e)
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if !secretFields[k] {
					walk(pointer+jsonPointer([]string{k}), v[k])
				}
			}
		}
	}
	walk("", doc)
	if len(fields) == 0 {
		return nil
	}
	return &models.ValidationError{Code: "text_invalid",
		Detail: "a text holds a character no text may hold: control characters, bidirectional controls or zero-width characters",
		Fields: fields}
}

// readBody reads the body whole (Echo's body limit answers 413 past it), checks
// that it is UTF-8, and puts it back for the validator and the handler.
func readBody(req *http.Request, fields *[]api.FieldError) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return newHTTPError(http.StatusBadRequest, "invalid_request", "the request body could not be read")
	}
	if !utf8.Valid(data) && isTextual(req.Header.Get(echo.HeaderContentType)) {
		*fields = append(*fields, api.FieldError{Pointer: ptr(""), Message: "the body is not valid UTF-8"})
	}
	if isJSON(req.Header.Get(echo.HeaderContentType)) && !oneJSONValue(data) {
		*fields = append(*fields, api.FieldError{Pointer: ptr(""), Message: "the body holds something after its JSON value: send one JSON value"})
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.ContentLength = int64(len(data))
	return nil
}

func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	return strings.HasSuffix(strings.TrimSpace(mt), "json")
}

// oneJSONValue reports whether data is at most one JSON value, with nothing
// but white space after it: encoding/json, and so the validator, reads the
// first value and ignores the rest ({…} xyz, {…}{"a":1}), which must not be
// written as if it were not there. A body that is not JSON at all is the
// validator's to refuse.
func oneJSONValue(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return true
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

func isTextual(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.Contains(ct, "json") || strings.HasPrefix(ct, "text/")
}

// checkQuery refuses what the spec validator lets through: query parameters the
// operation does not declare, repeated single-valued ones, and text that is not UTF-8.
func checkQuery(route *routers.Route, query url.Values) []api.FieldError {
	declared := map[string]*openapi3.Parameter{}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = p.Value
			}
		}
	}
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	var fields []api.FieldError
	for _, name := range names {
		values := query[name]
		p, ok := declared[name]
		switch {
		case !utf8.ValidString(name):
			fields = append(fields, api.FieldError{Parameter: ptr("query.?"), Message: "a parameter name is not valid UTF-8"})
		case !ok:
			fields = append(fields, api.FieldError{Parameter: ptr("query." + name), Message: "unknown query parameter"})
		case len(values) > 1 && (p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is("array")):
			fields = append(fields, api.FieldError{Parameter: ptr("query." + name), Message: "given more than once"})
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				fields = append(fields, api.FieldError{Parameter: ptr("query." + name), Message: "not valid UTF-8"})
				break
			}
		}
	}
	return fields
}

// requestProblem turns the validator's errors into one 400 (or 415 for a body
// of the wrong media type) listing every violation.
func requestProblem(err error) error {
	var fields []api.FieldError
	status := http.StatusBadRequest
	var collect func(error)
	collect = func(err error) {
		// Type switches, not errors.As: a RequestError unwraps to the MultiError
		// of its schema errors, and must be met before them to keep its context.
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				collect(inner)
			}
		case *openapi3filter.RequestError:
			if e.RequestBody != nil && strings.HasPrefix(e.Reason, "header Content-Type has unexpected value") {
				status = http.StatusUnsupportedMediaType
				return
			}
			fields = append(fields, fieldErrors(e)...)
		default:
			fields = append(fields, api.FieldError{Pointer: ptr(""), Message: err.Error()})
		}
	}
	collect(err)
	if status == http.StatusUnsupportedMediaType {
		return newHTTPError(status, "unsupported_media_type", "the body is not of a media type this operation takes (see its requestBody in the contract)")
	}
	if len(fields) > 100 {
		fields = fields[:100]
	}
	return &httpError{status: status, code: "invalid_request", detail: "the request does not match the contract", fields: fields}
}

// fieldErrors locates each schema violation inside one request error.
func fieldErrors(reqErr *openapi3filter.RequestError) []api.FieldError {
	var out []api.FieldError
	locate := func(se *openapi3.SchemaError) api.FieldError {
		msg := schemaMessage(se)
		if p := reqErr.Parameter; p != nil {
			return api.FieldError{Parameter: ptr(p.In + "." + p.Name), Message: msg}
		}
		pointer := se.JSONPointer()
		if name, ok := unknownProperty(se); ok {
			// The validator locates the object; the client needs the property.
			pointer = append(pointer, name)
			msg = "unknown property: the contract's schema for this body has no such property"
		}
		return api.FieldError{Pointer: ptr(jsonPointer(pointer)), Message: msg}
	}
	var walk func(error) bool
	walk = func(err error) bool {
		var multi openapi3.MultiError
		var se *openapi3.SchemaError
		switch {
		case errors.As(err, &multi):
			found := false
			for _, e := range multi {
				found = walk(e) || found
			}
			return found
		case errors.As(err, &se):
			out = append(out, locate(se))
			return true
		}
		return false
	}
	if reqErr.Err != nil && walk(reqErr.Err) {
		return out
	}
	msg := reqErr.Reason
	if reqErr.Err != nil && reqErr.Err.Error() != msg {
		// The validator often repeats its error as the reason.
		if msg != "" {
			msg += ": "
		}
		msg += reqErr.Err.Error()
	}
	if errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired) {
		msg = "required, but missing"
		if reqErr.RequestBody != nil {
			msg = "a request body is required"
		}
	}
	if p := reqErr.Parameter; p != nil {
		return []api.FieldError{{Parameter: ptr(p.In + "." + p.Name), Message: msg}}
	}
	return []api.FieldError{{Pointer: ptr(""), Message: msg}}
}

// jsonPointer escapes path segments into an RFC 6901 pointer.
func jsonPointer(path []string) string {
	var b strings.Builder
	for _, s := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
	}
	return b.String()
}
