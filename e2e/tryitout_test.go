package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fazhi/fazhi/authz"
	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/demodb"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

// The contract's security schemes: people sign in under userToken, machine
// clients under apiKey. Both are bearer tokens, each with its own form in the
// Authorize dialog.
const (
	userTokenScheme = "userToken"
	apiKeyScheme    = "apiKey"
)

// exampleStatus is the extension by which an operation says which status its
// example request gets on the demo data when that is not its success (see
// server/examples_test.go).
const exampleStatus = "x-example-status"

// opDeadline bounds each operation's walk through the page, from opening its
// block to reading the status shown. Most take a second, a few several
// under the load of the rest of the suite; a bound of 20 s was once cut
// short by a 3 MB snapshot (the contract's example of types now asks for
// units only).
const opDeadline = 60 * time.Second

// demoSite is a demo server whose database can be replaced between requests.
// The page keeps its origin, and with it Swagger UI's state and
// authorization, while each operation that writes runs on a fresh copy of the
// demo database: its example then finds the demo data as the contract
// describes it, whatever ran before. Safe operations share one copy. A site
// serves one page at a time.
type demoSite struct {
	URL  string
	Logs *apitest.Logs

	template   string    // the demo database file, with the test's sessions and keys
	templateDB *store.DB // open until seal
	shared     http.Handler
	current    atomic.Pointer[http.Handler]
}

// startDemoSite serves the real handler on a fresh SQLite database with the
// migrations and the demo data (accounts included), as `fazhi serve` does on
// a new embedded database. Until seal, requests reach that database itself,
// so that the sessions and keys the test makes land in every later copy.
func startDemoSite(t *testing.T) *demoSite {
	t.Helper()
	s := &demoSite{Logs: &apitest.Logs{}, template: filepath.Join(t.TempDir(), "demo.db")}
	db := demodb.Create(t, s.template)
	s.templateDB = db
	s.install(s.handler(t, db))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *demoSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.current.Load()).ServeHTTP(w, r)
}

func (s *demoSite) install(h http.Handler) { s.current.Store(&h) }

func (s *demoSite) handler(t *testing.T, db *store.DB) http.Handler {
	t.Helper()
	h, err := server.New(server.Config{
		DemoMode: true, PasswordParams: password.Fast, AttachmentDir: t.TempDir(),
	}, db, slog.New(slog.NewJSONHandler(s.Logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// seal freezes the template (closing it writes its WAL back into the file)
// and serves the copy that safe operations share.
func (s *demoSite) seal(t *testing.T) {
	t.Helper()
	if err := s.templateDB.Close(); err != nil {
		t.Fatal(err)
	}
	s.shared = s.handler(t, demodb.OpenCopy(t, s.template))
	s.install(s.shared)
}

// sibling is another site on the sealed template, for another page.
func (s *demoSite) sibling(t *testing.T) *demoSite {
	t.Helper()
	o := &demoSite{Logs: s.Logs, template: s.template}
	o.shared = o.handler(t, demodb.OpenCopy(t, o.template))
	o.install(o.shared)
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	o.URL = srv.URL
	return o
}

// useShared serves the copy that safe operations share.
func (s *demoSite) useShared() { s.install(s.shared) }

// useFresh serves a fresh copy of the template, until the next useShared or
// useFresh; the copy is removed when the test ends.
func (s *demoSite) useFresh(t *testing.T) {
	t.Helper()
	s.install(s.handler(t, demodb.OpenCopy(t, s.template)))
}

// operation is one operation of the served contract.
type operation struct {
	Method, Path string
	Op           *openapi3.Operation
	Security     openapi3.SecurityRequirements
	Rule         *authz.Rule // nil when the operation needs no credentials
}

func (o operation) ID() string { return o.Op.OperationID }

func (o operation) String() string { return fmt.Sprintf("%s %s (%s)", o.Method, o.Path, o.ID()) }

// safe operations change nothing, so they share one server.
func (o operation) safe() bool { return o.Method == http.MethodGet || o.Method == http.MethodHead }

// wantStatus is the status a tester's first click must show: the refusal the
// operation's x-example-status declares, or else the success its summary
// promises, its (first) declared 2xx: 200 for a read, 201 for a create, 204
// for a delete.
func (o operation) wantStatus() (int, string, error) {
	if raw, ok := o.Op.Extensions[exampleStatus]; ok {
		n, err := strconv.Atoi(fmt.Sprint(raw))
		if err != nil || o.Op.Responses.Value(strconv.Itoa(n)) == nil {
			return 0, "", fmt.Errorf("%s %v is not a status the operation declares", exampleStatus, raw)
		}
		return n, exampleStatus, nil
	}
	var codes []int
	for code := range o.Op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	if len(codes) == 0 {
		return 0, "", fmt.Errorf("the operation declares no 2xx")
	}
	return slices.Min(codes), "its declared success", nil
}

// uploads reports whether the request body is a form with a file in it.
func (o operation) uploads() bool {
	if o.Op.RequestBody == nil || o.Op.RequestBody.Value == nil {
		return false
	}
	mt := o.Op.RequestBody.Value.Content.Get("multipart/form-data")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	for _, p := range mt.Schema.Value.Properties {
		if p.Value != nil && p.Value.Format == "binary" {
			return true
		}
	}
	return false
}

// admits reports whether the operation takes credentials of the scheme.
func (o operation) admits(scheme string) bool {
	for _, req := range o.Security {
		if _, ok := req[scheme]; ok {
			return true
		}
	}
	return false
}

// specOperations reads every operation of the contract the server serves, in
// a stable order, with its rule from x-permission: the test covers what the
// contract declares, including operations added after it was written.
func specOperations(t *testing.T, base string) []operation {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %v", resp.StatusCode, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("load /openapi.json: %v", err)
	}
	var ops []operation
	paths := doc.Paths.Map()
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item := paths[path]
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.Operations()[method]
			o := operation{Method: method, Path: path, Op: op, Security: doc.Security}
			if op.Security != nil {
				o.Security = *op.Security
			}
			if raw, ok := op.Extensions["x-permission"]; ok && len(o.Security) > 0 {
				b, err := json.Marshal(raw)
				if err != nil {
					t.Fatal(err)
				}
				o.Rule = &authz.Rule{}
				if err := json.Unmarshal(b, o.Rule); err != nil {
					t.Fatalf("%s: x-permission: %v", o, err)
				}
			} else if len(o.Security) > 0 {
				t.Fatalf("%s needs credentials but declares no x-permission", o)
			}
			ops = append(ops, o)
		}
	}
	if len(ops) == 0 {
		t.Fatal("the served contract has no operations")
	}
	return ops
}

// credential is what the page is authorized with: a scheme and its secret.
type credential struct {
	Scheme, Secret string
	Who            string // for messages: the demo account or the key's scope
}

// credentials gives each operation a caller it admits, made on the template
// before it is sealed so that every copy knows it: the demo account of the
// first role the rule admits that a demo account has (as server's
// TestRequestExamples does), or else an API key of the first scope it admits.
func credentials(t *testing.T, base string, ops []operation) map[string]credential {
	t.Helper()
	byRole := map[models.Role]string{}
	for _, u := range demo.Users() {
		if _, ok := byRole[u.Roles[0]]; !ok {
			byRole[u.Roles[0]] = u.Username
		}
	}
	tokens := map[string]string{} // by username
	keys := map[models.Scope]string{}
	creds := map[string]credential{}
	for _, o := range ops {
		if o.Rule == nil {
			continue
		}
		if c, ok := userCredential(t, base, o, byRole, tokens); ok {
			creds[o.ID()] = c
			continue
		}
		if len(o.Rule.Scopes) == 0 || !o.admits(apiKeyScheme) {
			t.Fatalf("%s admits no role a demo account has and no API key", o)
		}
		scope := o.Rule.Scopes[0]
		if _, ok := keys[scope]; !ok {
			keys[scope] = createKey(t, base, signIn(t, base, byRole[models.RoleAdmin]), scope)
		}
		creds[o.ID()] = credential{Scheme: apiKeyScheme, Secret: keys[scope], Who: "an API key of scope " + string(scope)}
	}
	return creds
}

func userCredential(t *testing.T, base string, o operation, byRole map[models.Role]string, tokens map[string]string) (credential, bool) {
	t.Helper()
	if !o.admits(userTokenScheme) {
		return credential{}, false
	}
	for _, role := range o.Rule.Roles {
		name, ok := byRole[role]
		if !ok {
			continue
		}
		if _, ok := tokens[name]; !ok {
			tokens[name] = signIn(t, base, name)
		}
		return credential{Scheme: userTokenScheme, Secret: tokens[name], Who: name}, true
	}
	return credential{}, false
}

// createKey makes an API key of the scope through the API, as an
// administrator does with POST /api-keys, and returns its secret.
func createKey(t *testing.T, base, adminToken string, scope models.Scope) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "e2e " + string(scope), "scopes": []models.Scope{scope}})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/api-keys", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var key struct {
		Secret string `json:"secret"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&key); err != nil || resp.StatusCode != http.StatusCreated || key.Secret == "" {
		t.Fatalf("create an API key of scope %s: %d %v", scope, resp.StatusCode, err)
	}
	return key.Secret
}

// uploadFile writes the file a tester picks for an upload operation
// (demodb.Upload).
func uploadFile(t *testing.T, o operation) string {
	t.Helper()
	name, content := demodb.Upload(o.ID())
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// blockSelector is the CSS selector of the operation's block in Swagger UI,
// under its first tag: the block's id is "operations-<tag>-<operationId>",
// trimmed, each white space character as "_", then CSS-escaped (Swagger UI's
// escapeDeepLinkPath).
func blockSelector(o operation) string {
	tag := "default"
	if len(o.Op.Tags) > 0 {
		tag = o.Op.Tags[0]
	}
	id := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, strings.TrimSpace("operations-"+tag+"-"+o.ID()))
	var esc strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r >= 0x80:
			esc.WriteRune(r)
		default:
			esc.WriteString(`\` + string(r))
		}
	}
	// The id as a CSS string: its backslashes and quotes escaped once more.
	return `[id="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(esc.String()) + `"]`
}

// shown is what an operation's block shows after Execute: the status and body
// of the live response, or the inputs Swagger UI refused to send.
type shown struct {
	Status  string   `json:"status"`
	Body    string   `json:"body"`
	Invalid []string `json:"invalid"`
}

// readShown waits for Execute's outcome in the block.
const readShown = `(sel) => {
	const block = document.querySelector(sel);
	if (!block) return {invalid: ["the block is gone"]};
	const status = block.querySelector(".live-responses-table tr.response .response-col_status");
	if (status) {
		const desc = block.querySelector(".live-responses-table tr.response .response-col_description");
		// textContent, cut short: innerText lays out the whole body, which
		// for a snapshot of the demo data (3 MB) took seconds each poll.
		return {status: status.textContent.trim(), body: desc ? desc.textContent.slice(0, 4000) : ""};
	}
	const invalid = Array.from(block.querySelectorAll(".invalid, .validation-errors li"))
		.map(e => (e.closest("tr") || e).innerText.trim().replace(/\s+/g, " ").slice(0, 200));
	return invalid.length ? {invalid} : null;
}`

// page is a browser tab showing Swagger UI from its own site, and the
// credential Swagger UI sends (the zero credential when unknown).
type page struct {
	tab  context.Context
	site *demoSite
	cur  credential
}

// tryEveryOperation presses Execute on every operation of the served
// contract, each with the pre-filled values a tester finds, and checks the
// status the page shows. Swagger UI spends most of a second of the browser's
// time on each, so the operations run in parallel on as many pages as the
// test may run subtests at once (go test -parallel), each page on its own
// site: first and pages opened like it.
func tryEveryOperation(t *testing.T, first *page, ops []operation, creds map[string]credential, exceptions *apitest.Logs) {
	n := min(parallelism(), maxPages, len(ops))
	pages := make(chan *page, n)
	pages <- first
	for range n - 1 {
		pages <- openPage(t, first, exceptions)
	}
	for _, o := range ops {
		t.Run(o.ID(), func(t *testing.T) {
			t.Parallel()
			p := <-pages
			defer func() {
				// Before the page serves another operation: the
				// screenshot must show this one.
				if t.Failed() {
					saveEvidence(p.tab, t, p.site.Logs, exceptions, blockSelector(o))
				}
				p.site.useShared()
				pages <- p
			}()
			p.try(t, o, creds[o.ID()])
		})
	}
}

// maxPages bounds the pages open at once: past the machine's cores, more
// pages only share them.
const maxPages = 4

// parallelism is go test's -parallel: how many subtests may run at once.
func parallelism() int {
	if f := flag.Lookup("test.parallel"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			return n
		}
	}
	return runtime.GOMAXPROCS(0)
}

// openPage opens another tab in first's browser, on a sibling of its site,
// and loads Swagger UI there; the page is authorized by its first operation.
func openPage(t *testing.T, first *page, exceptions *apitest.Logs) *page {
	t.Helper()
	tab, cancel := chromedp.NewContext(first.tab)
	t.Cleanup(cancel)
	startTab(t, tab, exceptions)
	p := &page{tab: tab, site: first.site.sibling(t)}
	ctx, cancelLoad := context.WithTimeout(tab, 30*time.Second)
	defer cancelLoad()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.site.URL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS("h3.opblock-tag")),
	); err != nil {
		t.Fatalf("load /docs in another tab: %v", err)
	}
	return p
}

// try is a tester's first click on the operation: authorize as c if the page
// is not, open the operation, choose a file if it uploads one, press Execute,
// and read the status shown.
func (p *page) try(t *testing.T, o operation, c credential) {
	t.Helper()
	sel := blockSelector(o)
	want, why, err := o.wantStatus()
	if err != nil {
		t.Fatalf("%s: %v", o, err)
	}
	if o.safe() {
		p.site.useShared()
	} else {
		// A write consumes the demo state its example needs (a draft to
		// submit, a key to revoke, a session to end).
		p.site.useFresh(t)
	}
	ctx, cancel := context.WithTimeout(p.tab, opDeadline)
	defer cancel()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %s: %v", o, step, err)
		}
	}
	eval := func(step, js string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("%s: %s: %v", o, step, err)
		}
		return ok
	}
	q := strconv.Quote // a JavaScript string

	if c != (credential{}) && c != p.cur {
		p.cur = credential{} // unknown until the dialog succeeds
		if err := authorize(ctx, c); err != nil {
			t.Fatalf("%s: authorize as %s under %s: %v", o, c.Who, c.Scheme, err)
		}
		p.cur = c
	}
	if !eval("find its block", `document.querySelector(`+q(sel)+`) !== null`) {
		t.Fatalf("%s: the page shows no block %s for it", o, sel)
	}
	if !eval("see whether it is open", `document.querySelector(`+q(sel)+`).classList.contains("is-open")`) {
		do("open it", chromedp.Click(chromedp.CSS(sel+" .opblock-summary-control")))
	}
	do(`wait for "Try it out"`, chromedp.WaitVisible(chromedp.CSS(sel+" .try-out__btn")))
	if b, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel+" .try-out__btn"))); err != nil || strings.TrimSpace(b) != "Cancel" {
		// tryItOutEnabled opens every operation in "Try it out" mode, whose
		// button reads Cancel.
		t.Errorf(`%s: the Try it out button reads %q (%v): "Try it out" is not on from the start`, o, b, err)
		do(`press "Try it out"`, chromedp.Click(chromedp.CSS(sel+" .try-out__btn")))
	}
	do("wait for Execute", chromedp.WaitVisible(chromedp.CSS(sel+" button.execute")))
	if eval("look for an earlier response", `document.querySelector(`+q(sel+" button.btn-clear")+`) !== null`) {
		do("clear the earlier response",
			chromedp.Click(chromedp.CSS(sel+" button.btn-clear")),
			chromedp.WaitNotPresent(chromedp.CSS(sel+" .live-responses-table")))
	}
	if o.uploads() {
		do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(sel+` input[type="file"]`), []string{uploadFile(t, o)}))
	}
	do("press Execute", chromedp.Click(chromedp.CSS(sel+" button.execute")))
	got, err := chromedp.Run(ctx, chromedp.PollFunction[shown](readShown,
		chromedp.WithPollingArgs(sel), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0)))
	switch {
	case err != nil:
		t.Fatalf("%s: no response shown after Execute: %v", o, err)
	case got.Status == "":
		t.Fatalf("%s: Swagger UI did not send the request; it marks invalid: %q", o, got.Invalid)
	case got.Status != strconv.Itoa(want):
		t.Errorf("%s as %s: Swagger UI shows %s, want %d (%s); the response shown:\n%s",
			o, who(c), got.Status, want, why, truncate(got.Body, 2000))
	}
	// Closed again, the block leaves the page light for the next: Swagger UI
	// re-renders every open block on each change of its state, so that with
	// all of them open the walk slows down tenfold. A failed operation stays
	// open for its screenshot.
	if !t.Failed() {
		do("close it", chromedp.Click(chromedp.CSS(sel+" .opblock-summary-control")))
	}
}

func who(c credential) string {
	if c.Who == "" {
		return "nobody"
	}
	return c.Who
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// The Authorize dialog, and the form of one scheme in it.
const (
	authorizeButton = ".scheme-container .auth-wrapper button.authorize"
	authDialog      = ".dialog-ux .modal-ux"
)

func schemeForm(scheme string) string {
	return `//div[contains(@class,"modal-ux")]//div[contains(@class,"auth-container")][.//h4/code[normalize-space()=` + strconv.Quote(scheme) + `]]`
}

// authorize makes the page send c with every request, through the Authorize
// dialog as a tester does: log out of whatever scheme it is authorized under,
// paste the secret under c's scheme, Authorize, Close.
func authorize(ctx context.Context, c credential) error {
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(authorizeButton)),
		chromedp.WaitVisible(chromedp.CSS(authDialog)),
	); err != nil {
		return fmt.Errorf("open the Authorize dialog: %w", err)
	}
	if err := signInScheme(ctx, c); err != nil {
		return err
	}
	return closeAuthorize(ctx)
}

// signInScheme fills and submits c's form in the open Authorize dialog,
// after logging out of every scheme authorized, so that only c is sent.
func signInScheme(ctx context.Context, c credential) error {
	const logout = `//div[contains(@class,"modal-ux")]//div[contains(@class,"auth-container")]//button[normalize-space()="Logout"]`
	for range 5 {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](
			`document.evaluate(`+strconv.Quote(logout)+`, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`))
		if err != nil {
			return fmt.Errorf("look for Logout buttons: %w", err)
		}
		if n == 0 {
			break
		}
		if err := chromedp.Do(ctx, chromedp.Click(logout)); err != nil {
			return fmt.Errorf("log out: %w", err)
		}
	}
	form := schemeForm(c.Scheme)
	input := form + `//input[@aria-label="auth-bearer-value"]`
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(input),
		chromedp.SendKeys(input, c.Secret),
		chromedp.Click(form+`//button[contains(@class,"authorize")]`),
		chromedp.WaitVisible(form+`//h6[normalize-space()="Authorized"]`),
	); err != nil {
		return fmt.Errorf("authorize under %s: %w", c.Scheme, err)
	}
	return nil
}

func closeAuthorize(ctx context.Context) error {
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(authDialog+" button.btn-done")),
		chromedp.WaitNotPresent(chromedp.CSS(authDialog)),
	); err != nil {
		return fmt.Errorf("close the Authorize dialog: %w", err)
	}
	return nil
}
