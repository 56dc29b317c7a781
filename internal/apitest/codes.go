package apitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// The problem codes of the contract. Each response lists the codes it can
// carry in x-problem-codes: its shared definition (components/responses)
// lists the codes every operation using it can carry, the operation lists
// its own by status. components/x-problem-codes gives every code's meaning.

// codesOf reads an x-problem-codes list or map out of extensions.
func codesOf(ext map[string]any, into any) error {
	raw, ok := ext["x-problem-codes"]
	if !ok {
		return nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// SharedCodes are the codes a response's shared definition lists, for every
// operation that uses it.
func SharedCodes(r *openapi3.ResponseRef) []string {
	var codes []string
	if r != nil && r.Value != nil {
		_ = codesOf(r.Value.Extensions, &codes) // the contract test checks the form
	}
	return codes
}

// OperationCodes are the codes an operation lists for one status.
func OperationCodes(op *openapi3.Operation, status int) []string {
	var byStatus map[string][]string
	_ = codesOf(op.Extensions, &byStatus) // the contract test checks the form
	return byStatus[strconv.Itoa(status)]
}

// DeclaredCodes are every code op may answer status with: its response's
// shared codes and its own. A 500 or 503 is the default response's.
func DeclaredCodes(op *openapi3.Operation, status int) []string {
	r := op.Responses.Status(status)
	if r == nil && (status == http.StatusInternalServerError || status == http.StatusServiceUnavailable) {
		r = op.Responses.Default()
	}
	return append(SharedCodes(r), OperationCodes(op, status)...)
}

// checkCode refuses a problem code the contract does not list for the
// operation and status.
func checkCode(op *openapi3.Operation, status int, code string) error {
	if code == "" || slices.Contains(DeclaredCodes(op, status), code) {
		return nil
	}
	return fmt.Errorf("%s answered %d with the code %q, which its x-problem-codes do not list (%v)",
		op.OperationID, status, code, DeclaredCodes(op, status))
}

// answeredCodes are the problem codes answered: operation → status → codes.
type answeredCodes map[string]map[int]map[string]bool

// uncoveredCodes lists every code an operation lists for a status that was
// never answered, and every shared code that no operation answered at all.
func uncoveredCodes(doc *openapi3.T, answered answeredCodes) []string {
	var missing []string
	sharedSeen := map[string]bool{}
	for _, byStatus := range answered {
		for _, codes := range byStatus {
			for c := range codes {
				sharedSeen[c] = true
			}
		}
	}
	shared := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			var byStatus map[string][]string
			_ = codesOf(op.Extensions, &byStatus)
			for st, codes := range byStatus {
				status, _ := strconv.Atoi(st)
				for _, c := range codes {
					if !answered[op.OperationID][status][c] {
						missing = append(missing, fmt.Sprintf("%s %d %s (%s %s)", op.OperationID, status, c, method, path))
					}
				}
			}
			for code, r := range op.Responses.Map() {
				if code == "default" {
					continue
				}
				for _, c := range SharedCodes(r) {
					shared[c] = true
				}
			}
		}
	}
	for c := range shared {
		if !sharedSeen[c] {
			missing = append(missing, fmt.Sprintf("shared code %s: no operation answered with it", c))
		}
	}
	sort.Strings(missing)
	return missing
}
