package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi"
	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func TestUnknownRoutesAndMethods(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{})
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/api/v1/nothing", 404, "route_not_found"},
		{http.MethodGet, "/nowhere", 404, "route_not_found"},
		{http.MethodPut, unitsPath, 405, "method_not_allowed"},
		{http.MethodPost, unitsPath + "/0190a000-0000-7000-8000-000000000001", 405, "method_not_allowed"},
	} {
		resp := h.Do(apitest.Request{Method: tt.method, Path: tt.path})
		expect(t, resp, tt.status, tt.code)
	}
}

// TestPanicIsAProblemWithOnlyTheRequestID shows that a panic becomes a 500
// that tells the client the request id and nothing else, and logs the cause once.
func TestPanicIsAProblemWithOnlyTheRequestID(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{})
	h.echo.GET("/test-panic", func(echo.Context) error { panic("secret internal detail") })
	h.echo.GET("/test-error", func(echo.Context) error { return errors.New("another secret detail") })
	for _, path := range []string{"/test-panic", "/test-error"} {
		rec := httptest.NewRecorder()
		h.echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		body := rec.Body.String()
		if strings.Contains(body, "secret") {
			t.Errorf("%s: the cause reached the client: %s", path, body)
		}
		var p apitest.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.RequestID == "" || p.RequestID != rec.Header().Get("X-Request-Id") || p.Code != "internal" {
			t.Errorf("%s: problem %+v (%v)", path, p, err)
		}
		if n := strings.Count(h.logs.String(), p.RequestID+`","operation":"`+path+`","status":500,"error"`); n != 1 {
			t.Errorf("%s: the cause was logged %d times with the request id, want once:\n%s", path, n, h.logs.String())
		}
	}
}

func TestRequestID(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{})
	resp := h.Get(unitsPath+"?limit=1", map[string]string{"X-Request-Id": "from-the-gateway-42"})
	if got := resp.Header.Get("X-Request-Id"); got != "from-the-gateway-42" {
		t.Errorf("sane incoming id not kept: %q", got)
	}
	resp = h.Get(unitsPath+"?limit=1", map[string]string{"X-Request-Id": "has spaces and\ttabs"})
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("unsafe incoming id not replaced: %q", got)
	}
	a := h.Get(unitsPath+"?limit=1", nil).Header.Get("X-Request-Id")
	b := h.Get(unitsPath+"?limit=1", nil).Header.Get("X-Request-Id")
	if a == "" || a == b {
		t.Errorf("generated ids %q and %q", a, b)
	}
}

// logLinesOf are the log lines of the request with this id, in order; every
// line of the log must be JSON.
func logLinesOf(t *testing.T, logs *apitest.Logs, requestID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if m["request_id"] == requestID {
			out = append(out, m)
		}
	}
	return out
}

// TestRequestLogs checks the structured request log: one JSON line a request
// with the fields operators filter on, and no query string.
func TestRequestLogs(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{})
	h.Get(unitsPath+"?q=secret-search&limit=1", map[string]string{"X-Request-Id": "log-test-1"})
	var line map[string]any
	if lines := logLinesOf(t, h.logs, "log-test-1"); len(lines) > 0 {
		line = lines[len(lines)-1]
	}
	if line == nil {
		t.Fatalf("no log line for the request:\n%s", h.logs.String())
	}
	for k, want := range map[string]any{"msg": "request", "operation": "listUnits", "status": float64(200), "method": "GET", "path": unitsPath} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["latency_ms"]; !ok {
		t.Errorf("log lacks latency_ms: %v", line)
	}
	if logs := h.logs.String(); strings.Contains(logs, h.fx.tokens["admin"]) || strings.Contains(logs, "secret-search") {
		t.Errorf("logs carry the query or a header:\n%s", logs)
	}
}

func TestCORS(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{CORSOrigins: []string{"https://web.example.org"}})
	req := httptest.NewRequest(http.MethodOptions, unitsPath, nil)
	req.Header.Set("Origin", "https://web.example.org")
	req.Header.Set("Access-Control-Request-Method", "PATCH")
	req.Header.Set("Access-Control-Request-Headers", "If-Match, Content-Type")
	rec := httptest.NewRecorder()
	h.echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://web.example.org" {
		t.Errorf("preflight from an allowed origin: %d %v", rec.Code, rec.Header())
	}
	if !strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "If-Match") {
		t.Errorf("If-Match not allowed: %q", rec.Header().Get("Access-Control-Allow-Headers"))
	}
	resp := h.Get(unitsPath+"?limit=1", map[string]string{"Origin": "https://evil.example.com"})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin allowed: %q", got)
	}
	resp = h.Get(unitsPath+"?limit=1", map[string]string{"Origin": "https://web.example.org"})
	if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Etag") && !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("ETag not exposed: %q", resp.Header.Get("Access-Control-Expose-Headers"))
	}
}

func TestOperationalEndpoints(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, store.SQLite), server.Config{})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get("/healthz"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("/healthz: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/readyz"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ready"`) {
		t.Errorf("/readyz: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/openapi.yaml"); rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "openapi: 3.0.3") {
		t.Errorf("/openapi.yaml: %d", rec.Code)
	}
	rec := get("/openapi.json")
	var doc map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("/openapi.json: %d", rec.Code)
	}
	if rec := get("/docs/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "swagger") {
		t.Errorf("/docs/: %d", rec.Code)
	}
	h.Get(unitsPath+"?limit=1", nil)
	rec = get("/metrics")
	for _, series := range []string{
		`fazhi_http_requests_total{operation="listUnits",status="200"}`,
		`fazhi_http_request_duration_seconds_bucket{operation="listUnits"`,
		`go_sql_max_open_connections{db_name="fazhi"}`,
	} {
		if !strings.Contains(rec.Body.String(), series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
}

// TestReadyzWantsCurrentMigrations: an instance whose database is behind its
// schema is not ready.
func TestReadyzWantsCurrentMigrations(t *testing.T) {
	db, err := store.Open(store.Config{URL: "sqlite://" + filepath.Join(t.TempDir(), "empty.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := server.New(server.Config{AttachmentDir: t.TempDir()}, db, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "migrations_pending") {
		t.Errorf("/readyz before migrating: %d %s", rec.Code, rec.Body)
	}
	db.Close()
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "database_unavailable") {
		t.Errorf("/readyz with the database closed: %d %s", rec.Code, rec.Body)
	}
}

// docsServer is a server on an empty database: enough for /docs and the spec.
func docsServer(t *testing.T, demoMode bool) *echo.Echo {
	t.Helper()
	db, err := store.Open(store.Config{URL: "sqlite://" + filepath.Join(t.TempDir(), "docs.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e, err := server.New(server.Config{AttachmentDir: t.TempDir(), DemoMode: demoMode}, db, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func getBody(t *testing.T, e *echo.Echo, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestDocsSettings: Swagger UI keeps the contract's tag order, has "Try it
// out" on with curl snippets, remembers the authorization, shows request
// durations and offers the contract for download.
func TestDocsSettings(t *testing.T) {
	e := docsServer(t, false)
	for _, path := range []string{"/docs", "/docs/"} {
		page := getBody(t, e, path)
		for _, want := range []string{
			`"swaggerJsonUrl":"/openapi.json"`,
			"tryItOutEnabled: true",
			"requestSnippetsEnabled: true",
			`curl_bash: {title: "cURL (bash)", syntax: "bash"}`,
			"defaultExpanded: true",
			"persistAuthorization: true",
			"displayRequestDuration: true",
			"tagsSorter: false",
			"operationsSorter: false",
			`<a href="/openapi.yaml" download="openapi.yaml">openapi.yaml</a>`,
			`<a href="/openapi.json" download="openapi.json">openapi.json</a>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		if strings.Contains(page, "demo data") {
			t.Errorf("%s mentions demo data on a server without it", path)
		}
	}
	// The assets are embedded: the page works offline.
	if js := getBody(t, e, "/docs/swagger-ui-bundle.js"); !strings.Contains(js, "SwaggerUIBundle") {
		t.Errorf("the embedded bundle is not served")
	}
}

// TestSecuritySchemesExplainAuthorize: the Authorize dialog shows these
// descriptions, so they say which token or key and how to get one.
func TestSecuritySchemesExplainAuthorize(t *testing.T) {
	contract, err := server.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	schemes := contract.Doc.Components.SecuritySchemes
	for name, wants := range map[string][]string{
		"userToken": {"POST /auth/login", "`token`", "Authorization: Bearer <token>", "Authorize"},
		"apiKey":    {"POST /api-keys", "administrator", "`secret`", "Authorization: Bearer <key>", "Authorize"},
	} {
		ref := schemes[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("no security scheme %s", name)
		}
		for _, want := range wants {
			if !strings.Contains(ref.Value.Description, want) {
				t.Errorf("%s's description lacks %q: %s", name, want, ref.Value.Description)
			}
		}
	}
}

// TestServedSpecDemoSection: on a demo server the spec Swagger UI shows names
// the demo accounts and password; elsewhere it does not, and neither
// /openapi.yaml nor the contract the server validates with ever changes.
func TestServedSpecDemoSection(t *testing.T) {
	description := func(e *echo.Echo) string {
		var doc struct {
			Info struct {
				Description string `json:"description"`
			} `json:"info"`
			Tags []struct {
				Name string `json:"name"`
			} `json:"tags"`
		}
		if err := json.Unmarshal([]byte(getBody(t, e, "/openapi.json")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Tags) == 0 || doc.Tags[0].Name != "auth" {
			t.Errorf("tags of the served spec: %+v", doc.Tags)
		}
		return doc.Info.Description
	}
	contract, err := server.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	original := contract.Doc.Info.Description

	plain := docsServer(t, false)
	if got := description(plain); got != original {
		t.Errorf("without demo data the served description differs from the contract's:\n%s", got)
	}
	if strings.Contains(getBody(t, plain, "/docs/"), "demo data") {
		t.Error("the page title mentions demo data on a server without it")
	}

	withDemo := docsServer(t, true)
	got := description(withDemo)
	if !strings.HasPrefix(got, strings.TrimRight(original, "\n")) {
		t.Errorf("the demo description does not keep the contract's:\n%s", got)
	}
	wants := []string{"## Demo data", demo.Password, "userToken", "Authorize", "POST /auth/login", "盘锦市司法局"}
	for _, u := range demo.Users() {
		wants = append(wants, "`"+u.Username+"`")
	}
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("the demo description lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(getBody(t, withDemo, "/docs/"), "demo data") {
		t.Error("the page title does not mention the demo data")
	}
	for _, e := range []*echo.Echo{plain, withDemo} {
		if yaml := getBody(t, e, "/openapi.yaml"); yaml != string(fazhi.OpenAPI) {
			t.Error("/openapi.yaml is not the contract byte for byte")
		}
	}
	if again, _ := server.LoadContract(); again.Doc.Info.Description != original || strings.Contains(original, demo.Password) {
		t.Error("the contract itself changed")
	}
}

// TestClientGoneIsNotAServerError: a request whose client has gone (its
// context ended) fails in the database, differently on each driver ("context
// canceled", SQLite's "interrupted"); it is logged as the client's
// abandonment (499, at info), never as a server error. With a time limit on
// requests (which ends each request's own context once it is answered), a
// client that stays still gets its errors as they are.
func TestClientGoneIsNotAServerError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{RequestTimeout: time.Minute})
		expect(t, h.Get(unitsPath+"/"+absentID, nil), http.StatusNotFound, "not_found")
		expect(t, h.Get("/api/v1/nothing", nil), http.StatusNotFound, "route_not_found")
		for i, r := range []struct{ method, path, body string }{
			{http.MethodGet, unitsPath + "?limit=50", ""},
			{http.MethodPatch, unitsPath + "/" + h.fx.town, `{"name":"离开的客户端"}`},
		} {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			req := httptest.NewRequestWithContext(ctx, r.method, r.path, strings.NewReader(r.body))
			req.Header.Set("Authorization", "Bearer "+h.fx.tokens["admin"])
			req.Header.Set("Content-Type", "application/merge-patch+json")
			req.Header.Set("If-Match", `"1"`)
			id := fmt.Sprintf("client-gone-%s-%d", db.Name, i)
			req.Header.Set("X-Request-Id", id)
			rec := httptest.NewRecorder()
			h.echo.ServeHTTP(rec, req)
			if rec.Code != 499 {
				t.Errorf("%s %s: %d %s, want 499", r.method, r.path, rec.Code, rec.Body)
			}
			var line map[string]any
			for _, m := range logLinesOf(t, h.logs, id) {
				if m["level"] != "INFO" || m["msg"] != "request" {
					t.Errorf("%s %s logged %v", r.method, r.path, m)
				}
				line = m
			}
			if line == nil || line["status"] != float64(499) {
				t.Errorf("%s %s: the request's log line %v, want status 499", r.method, r.path, line)
			}
		}
	})
}
