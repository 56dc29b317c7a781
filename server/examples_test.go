package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/demodb"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

// exampleStatus is the extension by which an operation says which status its
// example request gets on the demo data, when that is not a 2xx: an example
// that shows a refusal, with a comment beside it saying why.
const exampleStatus = "x-example-status"

// TestRequestExamples: every operation's example request, sent as the
// contract writes it (path, required query and If-Match parameters from their
// examples, the body from the request's example) to a server holding the demo
// data, gets the answer the contract says: a 2xx, or the status its
// x-example-status names. It is what a tester gets from "Try it out".
// Each runs on a fresh copy of the demo database, so that none depends on
// another having run, and as a demo account whose role the operation admits.
func TestRequestExamples(t *testing.T) {
	template := demoDatabase(t)
	for _, o := range specOps(t) {
		t.Run(o.ID(), func(t *testing.T) {
			want := 0 // any 2xx
			if raw, ok := o.Op.Extensions[exampleStatus]; ok {
				n, err := strconv.Atoi(fmt.Sprint(raw))
				if err != nil || !o.declares(n) {
					t.Fatalf("%s %v is not a status the operation declares", exampleStatus, raw)
				}
				want = n
			}
			c := exampleServer(t, template)
			r := exampleRequest(t, o)
			if o.Rule != nil {
				r.Header["Authorization"] = "Bearer " + demoToken(t, c, o)
			}
			resp := c.Do(r)
			switch {
			case want == 0 && (resp.Status < 200 || resp.Status > 299):
				t.Errorf("the example of %s %s got %d, want a 2xx (or declare %s): %s", o.Method, o.Path, resp.Status, exampleStatus, resp.Body)
			case want != 0 && resp.Status != want:
				t.Errorf("the example of %s %s got %d, want %d as %s says: %s", o.Method, o.Path, resp.Status, want, exampleStatus, resp.Body)
			}
		})
	}
}

// demoDatabase is an SQLite file with the demo data and accounts, copied for
// each example.
func demoDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	if err := demodb.Create(t, path).Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// exampleServer serves the API on a fresh copy of the demo database.
func exampleServer(t *testing.T, template string) *apitest.Client {
	t.Helper()
	e, err := server.New(server.Config{DemoMode: true, PasswordParams: password.Fast, AttachmentDir: t.TempDir()}, demodb.OpenCopy(t, template), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	return apitest.New(t, e)
}

// demoToken signs in as the demo account of the first role the operation
// admits, or makes a key of a scope it admits when no role does.
func demoToken(t *testing.T, c *apitest.Client, o specOp) string {
	t.Helper()
	byRole := map[models.Role]string{}
	for _, u := range demo.Users() {
		byRole[u.Roles[0]] = u.Username
	}
	for _, role := range o.Rule.Roles {
		if name, ok := byRole[role]; ok {
			resp := c.Post("/api/v1/auth/login", map[string]string{"username": name, "password": demo.Password}, nil)
			if resp.Status != http.StatusOK {
				t.Fatalf("sign in as %s: %d %s", name, resp.Status, resp.Body)
			}
			var s struct{ Token string }
			resp.JSON(t, &s)
			return s.Token
		}
	}
	if len(o.Rule.Scopes) > 0 {
		// Key-only operations (the province's feed): the demo administrator
		// makes a key with the scopes, as a tester in Swagger UI would.
		resp := c.Post("/api/v1/auth/login", map[string]string{"username": "fzb.admin", "password": demo.Password}, nil)
		var s struct{ Token string }
		resp.JSON(t, &s)
		resp = c.Post("/api/v1/api-keys", map[string]any{"name": "示例密钥", "scopes": o.Rule.Scopes},
			map[string]string{"Authorization": "Bearer " + s.Token})
		if resp.Status != http.StatusCreated {
			t.Fatalf("create a key: %d %s", resp.Status, resp.Body)
		}
		var k struct{ Secret string }
		resp.JSON(t, &k)
		return k.Secret
	}
	t.Fatalf("%s admits no role a demo account has", o.ID())
	return ""
}

// exampleRequest is the operation's request as its examples write it.
func exampleRequest(t *testing.T, o specOp) apitest.Request {
	t.Helper()
	path := o.Path
	header := map[string]string{}
	query := url.Values{}
	for _, p := range o.parameters() {
		v := p.Value
		if v == nil || !(v.Required || v.In == openapi3.ParameterInHeader && v.Name == "If-Match") {
			continue
		}
		if v.Example == nil {
			t.Fatalf("%s: the required parameter %s %s has no example", o.ID(), v.In, v.Name)
		}
		ex := fmt.Sprint(v.Example)
		switch v.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+v.Name+"}", url.PathEscape(ex))
		case openapi3.ParameterInQuery:
			query.Set(v.Name, ex)
		case openapi3.ParameterInHeader:
			header[v.Name] = ex
		}
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	r := apitest.Request{Method: o.Method, Path: "/api/v1" + path, Header: header}
	if !o.hasBody() {
		return r
	}
	r.ContentType, r.Body = o.bodyMedia(t)
	if o.streamed() {
		// A file has no example in the contract: an upload sends a file of
		// the kind the operation takes.
		r.ContentType, r.Body = multipartBody(t, o, exampleFile(o))
	}
	return r
}

// exampleFile is the file a tester picks for an upload operation
// (demodb.Upload).
func exampleFile(o specOp) []byte {
	_, content := demodb.Upload(o.ID())
	return content
}
