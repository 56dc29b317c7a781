package apitest

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestProblemCodesWellFormed: the contract's x-problem-codes are lists of
// codes of the catalogue (components.x-problem-codes), each operation's by a
// status the operation declares and not already listed by that status's
// shared response; every problem an operation declares has its codes; and
// every code of the catalogue is listed somewhere.
func TestProblemCodesWellFormed(t *testing.T) {
	doc := Contract(t).Doc
	var catalogue map[string]string
	if err := codesOf(doc.Components.Extensions, &catalogue); err != nil || len(catalogue) == 0 {
		t.Fatalf("components.x-problem-codes is not a map of code to meaning: %v", err)
	}
	used := map[string]bool{}
	known := func(where string, codes []string) {
		for _, c := range codes {
			if _, ok := catalogue[c]; !ok {
				t.Errorf("%s lists %q, which components.x-problem-codes does not define", where, c)
			}
			used[c] = true
		}
	}
	for name, r := range doc.Components.Responses {
		var codes []string
		if err := codesOf(r.Value.Extensions, &codes); err != nil {
			t.Errorf("components/responses/%s: x-problem-codes is not a list of codes: %v", name, err)
		}
		known("components/responses/"+name, codes)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			var byStatus map[string][]string
			if err := codesOf(op.Extensions, &byStatus); err != nil {
				t.Errorf("%s: x-problem-codes is not a map of status to codes: %v", op.OperationID, err)
			}
			for st, codes := range byStatus {
				status, err := strconv.Atoi(st)
				if err != nil || op.Responses.Status(status) == nil {
					t.Errorf("%s lists codes for %s, a status it does not declare", op.OperationID, st)
					continue
				}
				for _, c := range codes {
					if slices.Contains(SharedCodes(op.Responses.Status(status)), c) {
						t.Errorf("%s lists %s for %d, which its shared response lists already", op.OperationID, c, status)
					}
				}
				known(op.OperationID, codes)
			}
			// Every problem the operation declares says which codes it carries.
			for st, r := range op.Responses.Map() {
				status, err := strconv.Atoi(st)
				if err == nil && status >= 400 && r.Value != nil && r.Value.Content.Get("application/problem+json") != nil &&
					len(DeclaredCodes(op, status)) == 0 {
					t.Errorf("%s declares %d but no code for it: list them in its x-problem-codes", op.OperationID, status)
				}
			}
		}
	}
	for c := range catalogue {
		if !used[c] {
			t.Errorf("components.x-problem-codes defines %q, which no response lists", c)
		}
	}
}

// TestCheckCodeRefusesUnlisted: a problem code the operation does not list
// for the status fails the response check.
func TestCheckCodeRefusesUnlisted(t *testing.T) {
	op := operation(t, "createUnit")
	for _, tt := range []struct {
		status int
		code   string
		ok     bool
	}{
		{http.StatusConflict, "unit_code_taken", true},                   // the operation's own
		{http.StatusBadRequest, "invalid_request", true},                 // the shared response's
		{http.StatusCreated, "", true},                                   // not a problem
		{http.StatusConflict, "value_exists", false},                     // another operation's
		{http.StatusUnprocessableEntity, "unit_code_taken", false},       // another status's
		{http.StatusInternalServerError, "internal", true},               // the default response's
		{http.StatusInternalServerError, "no_such_code_anywhere", false}, // nobody's
	} {
		if err := checkCode(op, tt.status, tt.code); (err == nil) != tt.ok {
			t.Errorf("%d %q: error %v, want accepted %v", tt.status, tt.code, err, tt.ok)
		}
	}
}

// TestUncoveredCodes: with every listed code answered, nothing is left;
// without one operation's code, or a shared code no operation answered, the
// gate names it.
func TestUncoveredCodes(t *testing.T) {
	doc := Contract(t).Doc
	all := answeredCodes{}
	add := func(op string, status int, code string) {
		if all[op] == nil {
			all[op] = map[int]map[string]bool{}
		}
		if all[op][status] == nil {
			all[op][status] = map[string]bool{}
		}
		all[op][status][code] = true
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for st, r := range op.Responses.Map() {
				status, err := strconv.Atoi(st)
				if err != nil {
					continue
				}
				for _, c := range DeclaredCodes(op, status) {
					add(op.OperationID, status, c)
				}
				_ = r
			}
		}
	}
	if missing := uncoveredCodes(doc, all); len(missing) != 0 {
		t.Fatalf("with every code answered, still missing: %v", missing)
	}
	delete(all["createUnit"][http.StatusConflict], "unit_code_taken")
	for _, byStatus := range all {
		for _, codes := range byStatus {
			delete(codes, "rate_limited")
		}
	}
	missing := uncoveredCodes(doc, all)
	for _, want := range []string{"createUnit 409 unit_code_taken (POST /units)", "shared code rate_limited: no operation answered with it"} {
		if !slices.Contains(missing, want) {
			t.Errorf("missing %q from %v", want, missing)
		}
	}
}

func operation(t *testing.T, id string) *openapi3.Operation {
	t.Helper()
	for _, item := range Contract(t).Doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	t.Fatalf("no operation %s", id)
	return nil
}
