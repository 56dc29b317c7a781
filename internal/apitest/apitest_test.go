package apitest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestValidatorRejectsWrongResponses proves the response check can fail: each
// response below breaks the contract of getUnit in one way.
func TestValidatorRejectsWrongResponses(t *testing.T) {
	c := Contract(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/units/0190a000-0000-7000-8000-000000000010", nil)
	route, params, err := c.Router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"id":"0190a000-0000-7000-8000-000000000010","code":"211100-001","name":"盘锦市司法局","kind":"department",` +
		`"level":2,"path":"/0190a000-0000-7000-8000-000000000001/0190a000-0000-7000-8000-000000000010/","version":1,` +
		`"createdAt":"2021-01-04T00:00:00Z","updatedAt":"2021-01-04T00:00:00Z"}`
	jsonHeader := http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}}
	problemHeader := http.Header{"Content-Type": {"application/problem+json"}}
	if err := ValidateResponse(route, params, req, &Response{Status: 200, Header: jsonHeader, Body: []byte(good)}); err != nil {
		t.Fatalf("a correct response was rejected: %v", err)
	}
	bad := []struct {
		name string
		resp Response
	}{
		{"missing required field", Response{200, jsonHeader, []byte(`{"id":"0190a000-0000-7000-8000-000000000010","code":"x"}`)}},
		{"unknown field", Response{200, jsonHeader, []byte(good[:len(good)-1] + `,"colour":"red"}`)}},
		{"wrong enum", Response{200, jsonHeader, []byte(`{"id":"0190a000-0000-7000-8000-000000000010","code":"211100-001","name":"x","kind":"planet","level":2,"path":"/0190a000-0000-7000-8000-000000000010/","version":1,"createdAt":"2021-01-04T00:00:00Z","updatedAt":"2021-01-04T00:00:00Z"}`)}},
		{"undeclared status", Response{418, problemHeader, []byte(`{"type":"https://x.invalid/t","title":"t","status":418,"code":"teapot"}`)}},
		{"wrong media type", Response{200, http.Header{"Content-Type": {"text/plain"}}, []byte(good)}},
		{"problem lacking code", Response{404, problemHeader, []byte(`{"type":"https://x.invalid/t","title":"t","status":404}`)}},
	}
	for _, tt := range bad {
		if err := ValidateResponse(route, params, req, &tt.resp); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}
