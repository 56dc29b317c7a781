// Package apitest drives the real HTTP handler in tests. Every response it sees
// is validated against openapi.yaml, and every (operationId, status) pair it
// sees is recorded, so that a package can fail when the spec declares a
// response that no test produced.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/fazhi/fazhi/server"
)

// Client sends requests to a handler and checks every answer against the contract.
type Client struct {
	t        testing.TB
	handler  http.Handler
	contract *server.Contract
	// Header is sent with every request (for example Authorization).
	Header http.Header
}

// New returns a client of handler.
func New(t testing.TB, handler http.Handler) *Client {
	t.Helper()
	return &Client{t: t, handler: handler, contract: Contract(t), Header: http.Header{}}
}

var (
	contractOnce sync.Once
	contract     *server.Contract
	contractErr  error
)

// Contract is the loaded openapi.yaml, shared by the package's tests.
func Contract(t testing.TB) *server.Contract {
	t.Helper()
	contractOnce.Do(func() { contract, contractErr = server.LoadContract() })
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	return contract
}

// Response is a recorded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response body %q: %v", r.Body, err)
	}
}

// Problem is the problem+json body of an error response.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
	RequestID string `json:"requestId"`
	Errors    []struct {
		Pointer   string `json:"pointer"`
		Parameter string `json:"parameter"`
		Code      string `json:"code"`
		Message   string `json:"message"`
	} `json:"errors"`
	AllowedStates []string `json:"allowedStates"`
	Referrers     []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referrers"`
	Cells []struct {
		Sheet   string `json:"sheet"`
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Ref     string `json:"ref"`
		Header  string `json:"header"`
		Message string `json:"message"`
	} `json:"cells"`
}

// Problem decodes the body as a problem, failing the test when it is not one.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	if p.Status != r.Status {
		t.Errorf("problem status %d, response status %d", p.Status, r.Status)
	}
	return p
}

// Request is a request to send; Body is marshalled as JSON unless it is a
// []byte or string, which are sent as they are.
type Request struct {
	Method      string
	Path        string
	Body        any
	ContentType string // default application/json when there is a body
	Header      map[string]string
}

// Do sends the request, validates the response against the contract and
// records its (operationId, status).
func (c *Client) Do(r Request) *Response {
	c.t.Helper()
	var body io.Reader
	ct := r.ContentType
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	case io.Reader: // a body sent as it is read
		body = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	if body != nil && ct == "" {
		ct = "application/json"
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, req)
	resp := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if err := c.Check(req, resp); err != nil {
		c.t.Errorf("%s %s: response violates openapi.yaml: %v\nbody: %s", r.Method, r.Path, err, resp.Body)
	}
	return resp
}

// Get, Post, Put, Patch and Delete are shorthands of Do.
func (c *Client) Get(path string, header map[string]string) *Response {
	c.t.Helper()
	return c.Do(Request{Method: http.MethodGet, Path: path, Header: header})
}

func (c *Client) Post(path string, body any, header map[string]string) *Response {
	c.t.Helper()
	return c.Do(Request{Method: http.MethodPost, Path: path, Body: body, Header: header})
}

func (c *Client) Put(path string, body any, header map[string]string) *Response {
	c.t.Helper()
	return c.Do(Request{Method: http.MethodPut, Path: path, Body: body, Header: header})
}

func (c *Client) Patch(path string, body any, header map[string]string) *Response {
	c.t.Helper()
	return c.Do(Request{Method: http.MethodPatch, Path: path, Body: body, ContentType: "application/merge-patch+json", Header: header})
}

func (c *Client) Delete(path string, header map[string]string) *Response {
	c.t.Helper()
	return c.Do(Request{Method: http.MethodDelete, Path: path, Header: header})
}

// Check validates a response to req against the contract. Responses to paths
// outside the contract (the operational endpoints, unknown routes) are only
// required to be problem+json when they are errors.
func (c *Client) Check(req *http.Request, resp *Response) error {
	route, params, err := c.contract.Router.FindRoute(req)
	if err != nil {
		if resp.Status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
			return fmt.Errorf("error %d outside the contract is not problem+json", resp.Status)
		}
		return nil
	}
	code := problemCode(resp)
	record(route.Operation.OperationID, resp.Status, code)
	if err := checkCode(route.Operation, resp.Status, code); err != nil {
		return err
	}
	return ValidateResponse(route, params, req, resp)
}

// problemCode is the code of a problem+json answer, empty for any other.
func problemCode(resp *Response) string {
	if resp.Header.Get("Content-Type") != "application/problem+json" {
		return ""
	}
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(resp.Body, &p) // a malformed problem fails its validation
	return p.Code
}

// ValidateResponse checks one response against the route's declared responses:
// status, headers, media type and body schema. A status the operation does not
// declare is refused even though "default" would describe it: default stands
// for the unexpected 500 and 503 only.
func ValidateResponse(route *routers.Route, params map[string]string, req *http.Request, resp *Response) error {
	if route.Operation.Responses.Status(resp.Status) == nil && resp.Status != http.StatusInternalServerError && resp.Status != http.StatusServiceUnavailable {
		return fmt.Errorf("status %d is not declared for %s", resp.Status, route.Operation.OperationID)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(resp.Body)
	return openapi3filter.ValidateResponse(context.Background(), input)
}

var (
	seenMu    sync.Mutex
	seen      = map[string]map[int]bool{}
	seenCodes = answeredCodes{}
)

func record(op string, status int, code string) {
	seenMu.Lock()
	defer seenMu.Unlock()
	if seen[op] == nil {
		seen[op] = map[int]bool{}
		seenCodes[op] = map[int]map[string]bool{}
	}
	seen[op][status] = true
	if code != "" {
		if seenCodes[op][status] == nil {
			seenCodes[op][status] = map[string]bool{}
		}
		seenCodes[op][status][code] = true
	}
}

// Uncovered lists every (operationId, status) the contract declares that no
// request of this test binary produced; "default" responses are not counted.
func Uncovered(c *server.Contract) []string {
	seenMu.Lock()
	defer seenMu.Unlock()
	var missing []string
	for path, item := range c.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code := range op.Responses.Map() {
				if code == "default" {
					continue
				}
				var status int
				if _, err := fmt.Sscan(code, &status); err != nil {
					missing = append(missing, fmt.Sprintf("%s %s: unreadable status %q", method, path, code))
					continue
				}
				if !seen[op.OperationID][status] {
					missing = append(missing, fmt.Sprintf("%s %d (%s %s)", op.OperationID, status, method, path))
				}
			}
		}
	}
	missing = append(missing, uncoveredCodes(c.Doc, seenCodes)...)
	sort.Strings(missing)
	return missing
}

// CoverageGate fails a complete run of a test binary (one without -run) that
// left a declared response unexercised. Call it from TestMain after m.Run:
// code = apitest.CoverageGate(code).
func CoverageGate(c *server.Contract, code int) int {
	if code != 0 {
		return code
	}
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return code // a partial run proves nothing about coverage
	}
	if f := flag.Lookup("test.short"); f != nil && f.Value.String() == "true" {
		return code
	}
	missing := Uncovered(c)
	if len(missing) == 0 {
		fmt.Println("apitest: every declared (operation, status) was exercised")
		return code
	}
	fmt.Printf("apitest: spec coverage gate failed: %d declared response(s) no test produced:\n  %s\n",
		len(missing), strings.Join(missing, "\n  "))
	return 1
}
