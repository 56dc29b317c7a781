package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

// TestPatternMessagesCoverContract: every pattern and checked format a
// request can break has a message in words, so that no message falls back to
// the contract's regular expression.
func TestPatternMessagesCoverContract(t *testing.T) {
	c, err := server.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.SchemaRef)
	walk = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		if _, ok := server.PatternMessages[v.Pattern]; v.Pattern != "" && !ok {
			t.Errorf("%s: the pattern %q has no message in patternMessages", where, v.Pattern)
		}
		if _, checked := openapi3.SchemaStringFormats[v.Format]; checked && v.Type.Is("string") {
			if _, ok := server.FormatMessages[v.Format]; !ok {
				t.Errorf("%s: the format %q has no message in formatMessages", where, v.Format)
			}
		}
		for name, p := range v.Properties {
			walk(where+"/"+name, p)
		}
		for _, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
			walk(where, sub)
		}
		walk(where+"/0", v.Items)
		walk(where+"/*", v.AdditionalProperties.Schema)
	}
	for path, item := range c.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value != nil {
					walk(where+" "+p.Value.In+"."+p.Value.Name, p.Value.Schema)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, media := range op.RequestBody.Value.Content {
					walk(where+" body", media.Schema)
				}
			}
		}
	}
	if len(seen) < 50 {
		t.Fatalf("walked %d request schemas: the walk misses the contract", len(seen))
	}
}

// TestValidationMessages: what a 400 says is meant for the person who sent
// the request: said once, pointing at the field, in words.
func TestValidationMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		field := func(t *testing.T, resp *apitest.Response, where string) string {
			t.Helper()
			expect(t, resp, http.StatusBadRequest, "invalid_request")
			for _, e := range resp.Problem(t).Errors {
				if e.Pointer == where || e.Parameter == where {
					return e.Message
				}
			}
			t.Fatalf("no error at %s: %s", where, resp.Body)
			return ""
		}
		resp := h.Get(systemsPath+"/"+h.fx.publishedSystem+"/value-template", nil)
		if msg := field(t, resp, "query.period"); msg != "required, but missing" {
			t.Errorf("a missing parameter: %q", msg)
		}
		resp = h.Post("/api/v1/indicator-values/bulk-approve", map[string]any{"ids": []string{h.fx.value}}, nil)
		if msg := field(t, resp, "/ids"); !strings.Contains(msg, "unknown property") {
			t.Errorf("an unknown property: %q", msg)
		}
		if msg := field(t, resp, "/systemId"); msg != "required, but missing" {
			t.Errorf("a missing property: %q", msg)
		}
		resp = h.Post(unitsPath, map[string]any{"code": "!!", "name": " 空格", "kind": "city", "parentId": strings.Repeat("x", 36)}, nil)
		for where, want := range map[string]string{
			"/code":     "must start with a letter or a digit",
			"/name":     "must not be empty, nor start or end with a space",
			"/parentId": "must be an id",
		} {
			if msg := field(t, resp, where); !strings.HasPrefix(msg, want) {
				t.Errorf("%s: %q, want it to start %q", where, msg, want)
			}
		}
		resp = h.Post(valuesPath, map[string]any{"indicatorId": h.fx.publishedIndicator, "unitId": h.fx.town, "period": "2021年",
			"value": "1,5", "asOf": "2021-13-01"}, nil)
		for where, want := range map[string]string{
			"/period": "must be a year (2021), a half (2021-H1)",
			"/value":  `must be a decimal number in a string, such as "58.10"`,
			"/asOf":   "must be a date such as 2021-12-31",
		} {
			if msg := field(t, resp, where); !strings.HasPrefix(msg, want) {
				t.Errorf("%s: %q, want it to start %q", where, msg, want)
			}
		}
		for _, e := range resp.Problem(t).Errors {
			if strings.Contains(e.Message, "regular expression") || strings.ContainsAny(e.Message, "^$") {
				t.Errorf("%s: the message quotes the contract's pattern: %q", e.Pointer, e.Message)
			}
		}
	})
}
