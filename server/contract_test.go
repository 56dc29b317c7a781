package server_test

// Tests derived from openapi.yaml: they iterate the operations of the
// contract, never a list kept by hand, and check for each one the statuses
// every operation shares: 401 without valid credentials, 403 exactly when its
// x-permission rule denies the caller, 400 for an undeclared query parameter,
// 413 and 415 for its body, and 429 when it is open to API keys (or is the
// sign-in). A new operation is covered the day it enters the spec.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

// specOp is one operation of the contract with its permission rule.
type specOp struct {
	Method string // GET, POST, ...
	Path   string // as in the spec, below the servers URL: /units/{id}
	Op     *openapi3.Operation
	Item   *openapi3.PathItem
	Rule   *authz.Rule // nil when the operation needs no credentials
}

func (o specOp) ID() string { return o.Op.OperationID }

func (o specOp) declares(status int) bool {
	return o.Op.Responses.Value(strconv.Itoa(status)) != nil
}

func (o specOp) hasBody() bool {
	return o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil && len(o.Op.RequestBody.Value.Content) > 0
}

// safe operations change nothing, so they may run as the shared fixture
// callers on real fixture records.
func (o specOp) safe() bool { return o.Method == http.MethodGet || o.Method == http.MethodHead }

// admitsKey reports whether some API key scope may call the operation.
func (o specOp) admitsKey() bool { return o.Rule != nil && len(o.Rule.Scopes) > 0 }

// parameters are the operation's parameters with those of its path.
func (o specOp) parameters() []*openapi3.ParameterRef {
	return append(slices.Clone(o.Item.Parameters), o.Op.Parameters...)
}

// bodyMedia is the media type of the request body and its example.
func (o specOp) bodyMedia(t *testing.T) (string, []byte) {
	t.Helper()
	content := o.Op.RequestBody.Value.Content
	types := make([]string, 0, len(content))
	for mt := range content {
		types = append(types, mt)
	}
	sort.Strings(types)
	mt := content[types[0]]
	if types[0] == "multipart/form-data" {
		return multipartBody(t, o, fixturePDF)
	}
	example := mt.Example
	if example == nil {
		for _, name := range sortedKeys(mt.Examples) {
			if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
				example = ex.Value.Value
				break
			}
		}
	}
	if example == nil {
		t.Fatalf("%s: the request body of %s has no example", o.ID(), types[0])
	}
	b, err := json.Marshal(example)
	if err != nil {
		t.Fatal(err)
	}
	return types[0], b
}

// streamed reports whether the operation takes a multipart body (an upload),
// which its handler reads as a stream.
func (o specOp) streamed() bool {
	return o.hasBody() && o.Op.RequestBody.Value.Content.Get("multipart/form-data") != nil
}

// multipartBody is a multipart/form-data body of the operation's schema: the
// file for each binary property, the example for the others. It returns the
// Content-Type, with its boundary, and the body.
func multipartBody(t *testing.T, o specOp, file []byte) (string, []byte) {
	t.Helper()
	schema := o.Op.RequestBody.Value.Content.Get("multipart/form-data").Schema.Value
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, name := range sortedKeys(schema.Properties) {
		prop := schema.Properties[name].Value
		if prop.Format == "binary" {
			part, err := w.CreateFormFile(name, "佐证材料.pdf")
			if err == nil {
				_, err = part.Write(file)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if prop.Example == nil {
			t.Fatalf("%s: the multipart field %s has no example", o.ID(), name)
		}
		if err := w.WriteField(name, fmt.Sprint(prop.Example)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// specOps reads every operation of the contract, in a stable order, with its
// rule parsed from x-permission as the server parses it.
func specOps(t *testing.T) []specOp {
	t.Helper()
	doc := apitest.Contract(t).Doc
	var ops []specOp
	for _, path := range sortedKeys(doc.Paths.Map()) {
		item := doc.Paths.Value(path)
		for _, method := range sortedKeys(item.Operations()) {
			op := item.Operations()[method]
			o := specOp{Method: method, Path: path, Op: op, Item: item}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			raw, hasRule := op.Extensions["x-permission"]
			if len(security) == 0 {
				if hasRule {
					t.Errorf("%s needs no credentials but declares x-permission", o.ID())
				}
				ops = append(ops, o)
				continue
			}
			if !hasRule {
				t.Errorf("%s %s (%s) needs credentials but declares no x-permission", method, path, o.ID())
				continue
			}
			b, err := json.Marshal(raw)
			if err != nil {
				t.Fatal(err)
			}
			var rule authz.Rule
			if err := json.Unmarshal(b, &rule); err != nil {
				t.Errorf("%s: x-permission: %v", o.ID(), err)
				continue
			}
			o.Rule = &rule
			ops = append(ops, o)
		}
	}
	if len(ops) == 0 {
		t.Fatal("the contract has no operations")
	}
	return ops
}

// fixtureCallers are the caller classes of the fixtures: a user of each role
// and an API key of each scope, named as harness.as takes them.
func fixtureCallers() []string {
	var who []string
	for _, r := range models.Roles {
		who = append(who, string(r))
	}
	for _, s := range models.Scopes {
		who = append(who, "key:"+string(s))
	}
	return who
}

func isKey(who string) bool { return strings.HasPrefix(who, "key:") }

// callerOf is the caller a fixture name stands for, as authz sees it.
func callerOf(who string) *models.Caller {
	if isKey(who) {
		return &models.Caller{Kind: models.CallerAPIKey, Scopes: []models.Scope{models.Scope(strings.TrimPrefix(who, "key:"))}}
	}
	return &models.Caller{Kind: models.CallerUser, Roles: []models.Role{models.Role(who)}}
}

func allows(o specOp, who string) bool {
	return authz.Allow(callerOf(who), *o.Rule, o.ID()) == nil
}

// allowedCaller is the first fixture caller the operation admits, the
// administrator for most; "" for an operation that needs no credentials.
func allowedCaller(t *testing.T, o specOp) string {
	t.Helper()
	if o.Rule == nil {
		return ""
	}
	for _, who := range fixtureCallers() {
		if allows(o, who) {
			return who
		}
	}
	t.Fatalf("%s admits none of the fixture callers %v", o.ID(), fixtureCallers())
	return ""
}

// absentID is a well-formed id that no record has.
const absentID = "0190a000-0000-7000-8000-00000000ffff"

// absentKindKey is a well-formed checklist kind key that no kind has.
const absentKindKey = "nosuchkind"

// contractEnv builds requests for any operation of the contract.
type contractEnv struct {
	h         *harness
	db        *dbtest.DB
	base      string                  // the servers URL, /api/v1
	throwaway map[string]*models.User // role -> a user of this test only
}

func newContractEnv(t *testing.T, db *dbtest.DB, cfg server.Config) *contractEnv {
	t.Helper()
	doc := apitest.Contract(t).Doc
	if len(doc.Servers) == 0 {
		t.Fatal("the contract declares no servers URL")
	}
	return &contractEnv{h: newHarness(t, db, cfg), db: db, base: strings.TrimSuffix(doc.Servers[0].URL, "/"),
		throwaway: map[string]*models.User{}}
}

// client is a client of the environment's server without default credentials.
func (e *contractEnv) client(t *testing.T) *apitest.Client { return apitest.New(t, e.h.echo) }

// throwawayUser is a user of this test with the role, in the unit of the
// fixture user of that role, signing in with the fixture password.
func (e *contractEnv) throwawayUser(t *testing.T, role string) *models.User {
	t.Helper()
	if u, ok := e.throwaway[role]; ok {
		return u
	}
	fx := e.h.fx.users[role]
	u := &models.User{Username: "tmp" + dbtest.RandomSuffix() + "." + strings.ToLower(role), DisplayName: "临时 " + role, UnitID: fx.UnitID,
		Roles: []models.Role{models.Role(role)}, PasswordHash: fx.PasswordHash}
	if err := e.db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	e.throwaway[role] = u
	return u
}

// session signs u in directly in the store, as the fixtures do.
func (e *contractEnv) session(t *testing.T, u *models.User, ttl time.Duration) (string, *models.Session) {
	t.Helper()
	token, tokenHash := password.NewToken("fzs_")
	s, err := e.db.CreateSession(t.Context(), u, tokenHash, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return token, s
}

// newKey issues an API key of this test only and returns its secret.
func (e *contractEnv) newKey(t *testing.T, scopes []models.Scope, edit func(*models.APIKey)) (string, *models.APIKey) {
	t.Helper()
	k := &models.APIKey{Name: "contract test key", Prefix: password.NewKeyPrefix(), Scopes: scopes,
		CreatedBy: e.h.fx.users["admin"].ID}
	secret, _ := password.NewToken(k.Prefix + "_")
	k.SecretHash = password.HashToken(secret)
	if edit != nil {
		edit(k)
	}
	if err := e.db.CreateAPIKey(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	return secret, k
}

// token is the bearer token a request of o as who carries. An operation that
// may change something runs as a fresh session of a throwaway user of the same
// role, so that nothing it does (signing out, above all) touches the fixture
// sessions other tests rely on.
func (e *contractEnv) token(t *testing.T, o specOp, who string) string {
	t.Helper()
	if who == "" {
		return ""
	}
	if isKey(who) || o.safe() {
		tok, ok := e.h.fx.tokens[who]
		if !ok {
			t.Fatalf("no fixture caller %q", who)
		}
		return tok
	}
	tok, _ := e.session(t, e.throwawayUser(t, who), time.Hour)
	return tok
}

// request is a well-formed request of o as who: path parameters filled with
// fixture records for safe operations and with an id no record has for the
// others (so that an allowed call changes nothing), the body from the spec's
// example, and If-Match from its example where the operation takes it.
func (e *contractEnv) request(t *testing.T, o specOp, who string) apitest.Request {
	t.Helper()
	return e.requestOn(t, o, who, o.safe())
}

// requestOn is request with the path parameters filled with fixture records
// when fixtures is set, with absent ids otherwise.
func (e *contractEnv) requestOn(t *testing.T, o specOp, who string, fixtures bool) apitest.Request {
	t.Helper()
	path := o.Path
	header := map[string]string{}
	query := url.Values{}
	for _, p := range o.parameters() {
		if p.Value == nil {
			continue
		}
		switch p.Value.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", e.pathValue(t, o, p, fixtures))
		case openapi3.ParameterInHeader:
			if p.Value.Name == "If-Match" {
				header["If-Match"] = fmt.Sprint(p.Value.Example)
			}
		case openapi3.ParameterInQuery:
			if p.Value.Required {
				query.Set(p.Value.Name, fmt.Sprint(p.Value.Example))
			}
		}
	}
	if strings.ContainsAny(path, "{}") {
		t.Fatalf("%s: path parameters left unfilled in %s", o.ID(), path)
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	r := apitest.Request{Method: o.Method, Path: e.base + path, Header: header}
	if o.hasBody() {
		r.ContentType, r.Body = o.bodyMedia(t)
	}
	if tok := e.token(t, o, who); tok != "" {
		header["Authorization"] = "Bearer " + tok
	}
	return r
}

// pathValue fills one path parameter: a record of the fixtures, found by the
// parameter's component name, when fixtures is set; an absent id otherwise.
func (e *contractEnv) pathValue(t *testing.T, o specOp, p *openapi3.ParameterRef, fixtures bool) string {
	t.Helper()
	if !fixtures {
		if s := p.Value.Schema; s != nil && s.Value != nil && s.Value.Format == "uuid" {
			return absentID
		}
		if strings.HasSuffix(p.Ref, "/ChecklistKindKeyPath") {
			return absentKindKey
		}
		if strings.HasSuffix(p.Ref, "/CalendarYearPath") {
			return "2099" // a year without a schedule
		}
		if strings.HasSuffix(p.Ref, "/YearPath") {
			return "2099" // a year of no record: its export holds the units only
		}
		if strings.HasSuffix(p.Ref, "/ReportPartPath") {
			return "3" // a part every report has: the report is the absent one
		}
		t.Fatalf("%s: no absent value for path parameter %s (%s)", o.ID(), p.Value.Name, p.Ref)
	}
	fx := e.h.fx
	switch name := p.Ref[strings.LastIndex(p.Ref, "/")+1:]; name {
	case "UnitIdPath":
		return fx.city
	case "UserIdPath":
		return fx.users["viewer"].ID
	case "ApiKeyIdPath":
		return fx.keys["read"].ID
	case "SystemIdPath":
		return fx.system
	case "PublishedSystemIdPath":
		// Values are reported against published systems: an import to a
		// draft would stop before reading the file.
		return fx.publishedSystem
	case "SubmittedValueIdPath":
		return fx.value
	case "IndicatorIdPath":
		return fx.indicator
	case "TargetIdPath":
		return fx.target
	case "ValueIdPath":
		return fx.value
	case "AttachmentIdPath":
		return fx.attachment
	case "EvaluationIdPath":
		return fx.evaluation
	case "EvaluationUnitIdPath":
		return fx.town
	case "ChecklistKindKeyPath":
		return "noPenalty" // the fixture list's kind, built in
	case "ChecklistIdPath":
		if o.streamed() {
			// A list takes a file of items while it is a draft: an
			// import into the published one would stop before reading it.
			return fx.draftChecklist
		}
		return fx.checklist
	case "ReleasedChecklistIdPath":
		return fx.checklist
	case "ChecklistItemIdPath":
		return fx.checklistItem
	case "ApplicationIdPath":
		return fx.checklistApplication
	case "CalendarYearPath":
		return "2024"
	case "YearPath":
		return "2021"
	case "InspectionRoundIdPath":
		return fx.round
	case "InspectionSheetIdPath":
		return fx.sheet
	case "SubmittedSheetIdPath":
		return fx.submittedSheet
	case "InspectionItemIdPath":
		return fx.checklistItem
	case "InspectionAnswerIdPath":
		return fx.answer
	case "InspectionEvidenceIdPath":
		return fx.evidence
	case "PlanIdPath":
		return fx.plan
	case "DraftPlanIdPath":
		return fx.draftPlan
	case "PublishedPlanIdPath":
		return fx.closablePlan
	case "PlanTaskIdPath":
		return fx.planTask
	case "ProgressReportIdPath":
		return fx.report
	case "SubmittedProgressIdPath":
		return fx.submittedReport
	case "ProblemIdPath":
		return fx.problem
	case "RectifyingProblemIdPath":
		return fx.rectifyingProblem
	case "EvidenceIdPath":
		return fx.problemEvidence
	case "AnnualReportIdPath":
		return fx.annualReport
	case "SubmittedReportIdPath":
		return fx.submittedReport2021
	case "ReportPartPath":
		return "3"
	}
	t.Fatalf("%s: no fixture record for path parameter %s (%q): teach contractEnv.pathValue about it", o.ID(), p.Value.Name, p.Ref)
	return ""
}

// bodyLimit is testBodyLimit in bytes.
func bodyLimit(t *testing.T) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(testBodyLimit, "K"))
	if err != nil || !strings.HasSuffix(testBodyLimit, "K") {
		t.Fatalf("cannot read testBodyLimit %q", testBodyLimit)
	}
	return n << 10
}

func retryAfter(t *testing.T, resp *apitest.Response) int {
	t.Helper()
	v := resp.Header.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", v)
	}
	return n
}

// TestContractNoCredentials: an operation that needs credentials answers 401
// with WWW-Authenticate: Bearer to a request without valid ones, whatever else
// the request holds.
func TestContractNoCredentials(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{})
		ctx := t.Context()
		fx := e.h.fx
		wrongSecret, _ := password.NewToken(fx.keys["read"].Prefix + "_")
		expiredKey, _ := e.newKey(t, []models.Scope{models.ScopeRead}, func(k *models.APIKey) {
			past := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
			k.ExpiresAt = &past
		})
		revokedKey, revoked := e.newKey(t, []models.Scope{models.ScopeRead}, nil)
		if _, err := db.RevokeAPIKey(ctx, revoked.ID); err != nil {
			t.Fatal(err)
		}
		elsewhereKey, _ := e.newKey(t, []models.Scope{models.ScopeRead}, func(k *models.APIKey) {
			k.AllowedAddresses = []string{"203.0.113.0/24"} // the test client is 192.0.2.1
		})
		expiredSession, _ := e.session(t, e.throwawayUser(t, "admin"), -time.Minute)
		revokedSession, s := e.session(t, e.throwawayUser(t, "admin"), time.Hour)
		if err := db.RevokeSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		disabled := &models.User{Username: "tmp" + dbtest.RandomSuffix() + ".disabled", DisplayName: "停用", UnitID: fx.city,
			Roles: []models.Role{models.RoleAdmin}, PasswordHash: fx.users["admin"].PasswordHash}
		if err := db.CreateUser(ctx, disabled); err != nil {
			t.Fatal(err)
		}
		disabledSession, _ := e.session(t, disabled, time.Hour)
		if _, err := db.SetUserDisabled(ctx, disabled.ID, true); err != nil {
			t.Fatal(err)
		}

		credentials := []struct{ name, authorization string }{
			{"none", ""},
			{"not bearer", "Basic YWRtaW46Rml4dHVyZS1QYXNzLTIwMjE="},
			{"empty bearer", "Bearer "},
			{"garbage token", "Bearer garbage"},
			{"overlong token", "Bearer fzs_" + strings.Repeat("x", 300)},
			{"unknown API key", "Bearer fzk_00000000_" + strings.Repeat("A", 43)},
			{"malformed API key", "Bearer fzk_"},
			{"API key with a non-ASCII prefix", "Bearer fzk_ü_secret"},
			{"API key with bytes that are not UTF-8", "Bearer fzk_\xff\xfe\xfd\xfc_secret"},
			{"API key with a wrong secret", "Bearer " + wrongSecret},
			{"expired API key", "Bearer " + expiredKey},
			{"revoked API key", "Bearer " + revokedKey},
			{"API key from another address", "Bearer " + elsewhereKey},
			{"expired session", "Bearer " + expiredSession},
			{"revoked session", "Bearer " + revokedSession},
			{"session of a disabled user", "Bearer " + disabledSession},
		}
		for _, o := range specOps(t) {
			if o.Rule == nil {
				continue
			}
			t.Run(o.ID(), func(t *testing.T) {
				c := e.client(t)
				check := func(name string, r apitest.Request) {
					t.Helper()
					resp := c.Do(r)
					if resp.Status != http.StatusUnauthorized {
						t.Errorf("%s: status %d, want 401; body %s", name, resp.Status, resp.Body)
						return
					}
					if p := resp.Problem(t); p.Code != "unauthenticated" {
						t.Errorf("%s: code %q, want unauthenticated", name, p.Code)
					}
					if got := resp.Header.Get("WWW-Authenticate"); got != "Bearer" {
						t.Errorf("%s: WWW-Authenticate = %q, want Bearer", name, got)
					}
				}
				for _, cred := range credentials {
					r := e.request(t, o, "")
					if cred.authorization != "" {
						r.Header["Authorization"] = cred.authorization
					}
					check(cred.name, r)
				}
				// Credentials are checked before the request is: a malformed
				// request without them is still a 401.
				r := e.request(t, o, "")
				sep := "?"
				if strings.Contains(r.Path, "?") {
					sep = "&" // the operation's required parameters are there
				}
				r.Path += sep + "unexpected=1"
				if o.hasBody() {
					r.ContentType = "text/plain"
				}
				check("none, malformed request", r)
			})
		}
	})
}

// TestContractPermissionMatrix calls every operation as every fixture caller:
// a caller its rule admits is never refused (401/403), and one it does not
// admit is refused with exactly 403 forbidden, whatever its request holds.
func TestContractPermissionMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{})
		for _, o := range specOps(t) {
			if o.Rule == nil {
				continue
			}
			for _, who := range fixtureCallers() {
				t.Run(o.ID()+"/"+who, func(t *testing.T) {
					c := e.client(t)
					resp := c.Do(e.request(t, o, who))
					if allows(o, who) {
						if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status >= 500 {
							t.Errorf("%s is allowed to call %s, got %d; body %s", who, o.ID(), resp.Status, resp.Body)
						}
						return
					}
					expect(t, resp, http.StatusForbidden, "forbidden")
					if p := resp.Problem(t); !strings.Contains(p.Detail, o.ID()) {
						t.Errorf("403 detail %q does not name the operation", p.Detail)
					}
					bad := e.request(t, o, who)
					bad.Path += "?unexpected=1"
					if o.hasBody() {
						bad.ContentType, bad.Body = "text/plain", "not json"
					}
					expect(t, c.Do(bad), http.StatusForbidden, "forbidden")
				})
			}
		}
	})
}

// TestContractUndeclaredQueryParameter: every operation refuses a query
// parameter it does not declare with 400 naming it.
func TestContractUndeclaredQueryParameter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{})
		for _, o := range specOps(t) {
			t.Run(o.ID(), func(t *testing.T) {
				r := e.request(t, o, allowedCaller(t, o))
				sep := "?"
				if strings.Contains(r.Path, "?") {
					sep = "&" // the operation's required parameters are there
				}
				r.Path += sep + "unexpected=1"
				resp := e.client(t).Do(r)
				expect(t, resp, http.StatusBadRequest, "invalid_request")
				p := resp.Problem(t)
				if len(p.Errors) != 1 || p.Errors[0].Parameter != "query.unexpected" {
					t.Errorf("errors %+v, want only query.unexpected", p.Errors)
				}
			})
		}
	})
}

// TestContractRequestBodies: every operation with a request body refuses one
// over the body limit (declared or streamed) with 413 and one of another media
// type with 415.
func TestContractRequestBodies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{})
		limit := bodyLimit(t)
		for _, o := range specOps(t) {
			if !o.hasBody() {
				continue
			}
			t.Run(o.ID(), func(t *testing.T) {
				c := e.client(t)
				who := allowedCaller(t, o)
				big := []byte(`{"padding":"` + strings.Repeat("x", limit) + `"}`)
				over := func() apitest.Request {
					r := e.request(t, o, who)
					r.Body = big
					return r
				}
				if o.streamed() {
					// An upload is read by its handler once it has found its record
					// (the fixture's: a value still being edited, a published
					// system), up to its file limit (the attachment and the sheet
					// limit are the same in tests), which replaces the body limit.
					over = func() apitest.Request {
						r := e.requestOn(t, o, who, true)
						r.ContentType, r.Body = multipartBody(t, o, bytes.Repeat([]byte("x"), testAttachmentLimit+1))
						return r
					}
				}

				r := over()
				expect(t, c.Do(r), http.StatusRequestEntityTooLarge, "payload_too_large")

				// Without a Content-Length the limit is met while reading.
				r = over()
				req := httptest.NewRequest(r.Method, r.Path, io.MultiReader(bytes.NewReader(r.Body.([]byte))))
				req.Header.Set("Content-Type", r.ContentType)
				for k, v := range r.Header {
					req.Header.Set(k, v)
				}
				if req.ContentLength != -1 {
					t.Fatalf("streamed request has Content-Length %d", req.ContentLength)
				}
				rec := httptest.NewRecorder()
				e.h.echo.ServeHTTP(rec, req)
				streamed := &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
				if err := c.Check(req, streamed); err != nil {
					t.Errorf("streamed: response violates openapi.yaml: %v", err)
				}
				expect(t, streamed, http.StatusRequestEntityTooLarge, "payload_too_large")

				r = e.request(t, o, who)
				r.Body, r.ContentType = string(r.Body.([]byte)), "text/plain"
				expect(t, c.Do(r), http.StatusUnsupportedMediaType, "unsupported_media_type")
			})
		}
	})
}

// TestContractAPIKeyRateLimit: every operation open to API keys refuses a key
// over its rate with 429 and Retry-After.
func TestContractAPIKeyRateLimit(t *testing.T) {
	const rate = 2
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{APIKeyRate: rate})
		for _, o := range specOps(t) {
			if !o.admitsKey() {
				continue
			}
			t.Run(o.ID(), func(t *testing.T) {
				c := e.client(t)
				// The count is per key and per minute: a run that straddles a
				// minute starts again with a new key.
				for attempt := 1; ; attempt++ {
					minute := time.Now().Truncate(time.Minute)
					secret, _ := e.newKey(t, o.Rule.Scopes[:1], nil)
					call := func() *apitest.Response {
						r := e.request(t, o, "")
						r.Header["Authorization"] = "Bearer " + secret
						return c.Do(r)
					}
					// The calls within the rate pass authentication and the rule;
					// what the operation then answers (a 404 for a value a read
					// key may not see, say) does not matter here.
					for i := 0; i < rate; i++ {
						if resp := call(); resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden ||
							resp.Status == http.StatusTooManyRequests || resp.Status >= 500 {
							t.Fatalf("call %d of %d within the rate: status %d; body %s", i+1, rate, resp.Status, resp.Body)
						}
					}
					resp := call()
					if resp.Status != http.StatusTooManyRequests && attempt < 3 && !time.Now().Truncate(time.Minute).Equal(minute) {
						continue
					}
					expect(t, resp, http.StatusTooManyRequests, "rate_limited")
					if n := retryAfter(t, resp); n > 60 {
						t.Errorf("Retry-After %d, more than the minute the count lasts", n)
					}
					return
				}
			})
		}
	})
}

// TestContractLoginThrottle: the sign-in answers an unknown user and a wrong
// password alike, and refuses an account after repeated failures with 429 and
// Retry-After, even with the right password.
func TestContractLoginThrottle(t *testing.T) {
	var login specOp
	for _, o := range specOps(t) {
		if o.ID() == "login" {
			login = o
		}
	}
	if login.Op == nil || login.Rule != nil {
		t.Fatal("the contract has no public login operation")
	}
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		// A client address of this test alone, through a trusted proxy, so that
		// its failures do not slow other tests' sign-ins from the same address.
		e := newContractEnv(t, db, server.Config{TrustedProxies: []string{"192.0.2.0/24"}})
		address := fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), 1+rand.IntN(254))
		c := e.client(t)
		signIn := func(username, pw string) *apitest.Response {
			t.Helper()
			return c.Do(apitest.Request{Method: login.Method, Path: e.base + login.Path,
				Body: map[string]string{"username": username, "password": pw}, Header: map[string]string{"X-Forwarded-For": address}})
		}
		newUser := func() *models.User {
			t.Helper()
			fx := e.h.fx.users["viewer"]
			u := &models.User{Username: "tmp" + dbtest.RandomSuffix() + ".login", DisplayName: "登录测试", UnitID: fx.UnitID,
				Roles: []models.Role{models.RoleViewer}, PasswordHash: fx.PasswordHash}
			if err := db.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			return u
		}

		// An unknown user and a wrong password answer the same 401.
		u := newUser()
		unknown := signIn("tmp"+dbtest.RandomSuffix()+".nobody", fixturePassword)
		wrong := signIn(u.Username, "Wrong-Pass-2021")
		expect(t, unknown, http.StatusUnauthorized, "unauthenticated")
		expect(t, wrong, http.StatusUnauthorized, "unauthenticated")
		comparable := func(r *apitest.Response) map[string]any {
			var m map[string]any
			r.JSON(t, &m)
			delete(m, "requestId")
			delete(m, "instance")
			return m
		}
		if a, b := comparable(unknown), comparable(wrong); !reflect.DeepEqual(a, b) {
			t.Errorf("an unknown user and a wrong password answer differently:\n%v\n%v", a, b)
		}
		if a, b := unknown.Header.Get("WWW-Authenticate"), wrong.Header.Get("WWW-Authenticate"); a != b || a != "Bearer" {
			t.Errorf("WWW-Authenticate %q and %q, want Bearer for both", a, b)
		}

		// Five failures in all slow the account down: the next attempt is
		// refused at once, even with the right password. The first wait is a
		// second; a run slower than that tries again with another account.
		for attempt := 1; ; attempt++ {
			if attempt > 1 {
				u = newUser()
			}
			failures := 0
			if attempt == 1 {
				failures = 1 // the wrong password above
			}
			var last time.Time
			for ; failures < 5; failures++ {
				expect(t, signIn(u.Username, "Wrong-Pass-2021"), http.StatusUnauthorized, "unauthenticated")
				last = time.Now()
			}
			resp := signIn(u.Username, fixturePassword)
			if resp.Status != http.StatusTooManyRequests && time.Since(last) >= time.Second && attempt < 3 {
				t.Logf("the first wait passed before the next attempt (%v); again with another account", time.Since(last))
				continue
			}
			expect(t, resp, http.StatusTooManyRequests, "login_locked")
			retryAfter(t, resp)
			break
		}

		// The lock is the account's: another account signs in from the same address.
		other := newUser()
		expect(t, signIn(other.Username, fixturePassword), http.StatusOK, "")
	})
}

// TestContractSpecConsistency checks that what the contract says about
// permissions matches the rules the server applies.
func TestContractSpecConsistency(t *testing.T) {
	ops := specOps(t)
	for _, o := range ops {
		lines := strings.Split(o.Op.Description, "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		if o.Rule == nil {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Permission: anyone") }) {
				t.Errorf("%s needs no credentials but its description does not say so (Permission: anyone...)", o.ID())
			}
			if o.declares(http.StatusForbidden) {
				t.Errorf("%s needs no credentials but declares 403", o.ID())
			}
			continue
		}
		if err := o.Rule.Validate(); err != nil {
			t.Errorf("%s: x-permission: %v", o.ID(), err)
		}
		if want := authz.Describe(*o.Rule); !slices.Contains(lines, want) {
			t.Errorf("%s: the description lacks the line\n%s", o.ID(), want)
		}
		var denied []string
		for _, who := range fixtureCallers() {
			if !allows(o, who) {
				denied = append(denied, who)
			}
		}
		if got, want := o.declares(http.StatusForbidden), len(denied) > 0; got != want {
			t.Errorf("%s declares 403: %v, but its rule denies %v", o.ID(), got, denied)
		}
		if !o.declares(http.StatusUnauthorized) {
			t.Errorf("%s needs credentials but does not declare 401", o.ID())
		}
	}
	for _, o := range ops {
		// Sign-in and changing one's password are throttled per account.
		throttled := o.ID() == "login" || o.ID() == "changeOwnPassword"
		if got, want := o.declares(http.StatusTooManyRequests), o.admitsKey() || throttled; got != want {
			t.Errorf("%s declares 429: %v; open to API keys or throttled per account: %v", o.ID(), got, want)
		}
		if !o.declares(http.StatusBadRequest) {
			t.Errorf("%s does not declare 400 (every operation refuses an undeclared query parameter)", o.ID())
		}
		if o.hasBody() && (!o.declares(http.StatusRequestEntityTooLarge) || !o.declares(http.StatusUnsupportedMediaType)) {
			t.Errorf("%s takes a body but does not declare both 413 and 415", o.ID())
		}
	}
	// The server reads the same rules, and refuses to start without one for
	// every operation that needs credentials.
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		newHarness(t, db, server.Config{})
	})
}
