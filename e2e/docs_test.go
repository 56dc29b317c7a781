package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/apitest"
)

// chromiumPath is Debian's chromium, which .ci/install-chromium installs.
// Never a browser that a test tool downloads itself.
const chromiumPath = "/usr/bin/chromium"

// TestSwaggerUI is what a tester does in Swagger UI on a demo server: the page
// shows every tag of the contract in its order, the demo accounts and the
// contract's download links; Authorize takes a token; "Try it out" on a list
// operation answers 200 with a page of items and shows the curl snippet; and
// Execute, pressed once on every operation the served contract declares with
// the values the page pre-fills, shows the success the operation promises (or
// the refusal its x-example-status declares).
func TestSwaggerUI(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: with CI=true the browser test must run (.ci/install-chromium installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: skipping the browser test (run .ci/install-chromium to install Debian's chromium)", chromiumPath)
	}
	started := time.Now()
	// A cleanup, not a defer: the operations run as parallel subtests, which
	// start when this function has returned.
	t.Cleanup(func() { t.Logf("browser test took %s", time.Since(started).Round(time.Millisecond)) })

	site := startDemoSite(t)
	base, logs := site.URL, site.Logs
	tags := specTags(t, base)
	ops := specOperations(t, base)
	token := signIn(t, base, "fzb.admin")
	creds := credentials(t, base, ops)
	site.seal(t)

	tab, exceptions := openBrowser(t)
	t.Cleanup(func() {
		if t.Failed() {
			saveEvidence(tab, t, logs, exceptions, "")
		}
	})
	// The whole walk through the page has one deadline; the tab outlives it,
	// so a failure can still be photographed.
	ctx, cancel := context.WithTimeout(tab, 45*time.Second)
	defer cancel()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(step string, sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return s
	}

	// 1. The page shows every tag, in the contract's (domain) order.
	do("load /docs",
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(".information-container .info .title")),
		chromedp.WaitVisible(chromedp.CSS("h3.opblock-tag")),
	)
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("h3.opblock-tag")).map(h => h.dataset.tag)`))
	if err != nil {
		t.Fatalf("read the tags shown: %v", err)
	}
	if !slices.Equal(shown, tags) {
		t.Errorf("tags shown %q, want the contract's %q in its order", shown, tags)
	}

	// 2. The description above the operations names the demo accounts, and
	// the contract can be downloaded from the page.
	info := text("read the description", ".information-container .info .description")
	for _, want := range []string{"Demo data", "fzb.admin", demo.Password, "userToken"} {
		if !strings.Contains(info, want) {
			t.Errorf("the description lacks %q:\n%s", want, info)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#spec-download a[download]")).map(a => a.getAttribute("href"))`))
	if err != nil || !slices.Equal(links, []string{"/openapi.yaml", "/openapi.json"}) {
		t.Errorf("download links %q (%v), want /openapi.yaml and /openapi.json", links, err)
	}

	// 3. Authorize: the dialog explains each scheme; the token goes under
	// userToken, whose form has its own Authorize button.
	admin := credential{Scheme: userTokenScheme, Secret: token, Who: "fzb.admin"}
	do("open the Authorize dialog",
		chromedp.Click(chromedp.CSS(authorizeButton)),
		chromedp.WaitVisible(chromedp.CSS(authDialog)),
		chromedp.WaitVisible(schemeForm(userTokenScheme)+`//input[@aria-label="auth-bearer-value"]`),
	)
	dialog := text("read the Authorize dialog", authDialog)
	for _, want := range []string{"POST /auth/login", "POST /api-keys", apiKeyScheme} {
		if !strings.Contains(dialog, want) {
			t.Errorf("the Authorize dialog lacks %q:\n%s", want, dialog)
		}
	}
	if err := signInScheme(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if err := closeAuthorize(ctx); err != nil {
		t.Fatal(err)
	}

	// 4. listUnits, GET /units: "Try it out" is already on, Execute answers.
	const op = "#operations-units-listUnits"
	do("open GET /units",
		chromedp.Click(chromedp.CSS(op+" .opblock-summary-control")),
		chromedp.WaitVisible(chromedp.CSS(op+" .try-out__btn")),
	)
	if b := text("read the Try it out button", op+" .try-out__btn"); strings.TrimSpace(b) != "Cancel" {
		// tryItOutEnabled opens every operation in "Try it out" mode, whose
		// button reads Cancel: a tester goes straight to Execute.
		t.Errorf(`the Try it out button reads %q: "Try it out" is not on from the start`, b)
		do(`press "Try it out"`, chromedp.Click(chromedp.CSS(op+" .try-out__btn")))
	}
	do("execute GET /units",
		chromedp.WaitVisible(chromedp.CSS(op+" button.execute")),
		chromedp.Click(chromedp.CSS(op+" button.execute")),
		chromedp.WaitVisible(chromedp.CSS(op+" .live-responses-table tr.response .response-col_status")),
	)
	if status := strings.TrimSpace(text("read the status", op+" .live-responses-table tr.response .response-col_status")); status != "200" {
		t.Errorf("GET /units answered %q in Swagger UI, want 200", status)
	}
	if body := text("read the response body", op+" .live-responses-table tr.response .response-col_description"); !strings.Contains(body, `"items"`) {
		t.Errorf("the response body lacks \"items\":\n%s", body)
	}

	// 5. The request shows its curl snippet, with the token, and its duration.
	if snippet := text("read the request snippet", op+" .request-snippets"); !strings.Contains(snippet, "curl") ||
		!strings.Contains(snippet, "Authorization: Bearer "+token) {
		t.Errorf("the request snippet lacks curl with the token:\n%s", snippet)
	}
	if live := text("read the live response", op+" .responses-inner"); !strings.Contains(live, "Request duration") {
		t.Errorf("the request duration is not shown:\n%s", live)
	}
	do("close GET /units", chromedp.Click(chromedp.CSS(op+" .opblock-summary-control")))

	// 6. Every operation of the contract: its first click succeeds. Each
	// operation has its own deadline.
	tryEveryOperation(t, &page{tab: tab, site: site, cur: admin}, ops, creds, exceptions)
}

// specTags are the names of the tags the served contract declares, in order.
func specTags(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %v", resp.StatusCode, err)
	}
	var names []string
	for _, tag := range doc.Tags {
		names = append(names, tag.Name)
	}
	if len(names) == 0 {
		t.Fatal("the contract declares no tags")
	}
	return names
}

// signIn gets a token through the API, as a tester does with POST /auth/login.
func signIn(t *testing.T, base, username string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": demo.Password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var session struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&session); err != nil || resp.StatusCode != http.StatusOK || session.Token == "" {
		t.Fatalf("sign in as %s: %d %v", username, resp.StatusCode, err)
	}
	return session.Token
}

// openBrowser starts Debian's chromium headless, with a fresh profile
// directory (chromedp makes one and removes it afterwards) and without the
// background connections a closed network refuses, and opens a tab. The
// browser closes when the test ends. The second result collects the page's
// uncaught exceptions.
func openBrowser(t *testing.T) (context.Context, *apitest.Logs) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	exceptions := &apitest.Logs{}
	startTab(t, tab, exceptions)
	return tab, exceptions
}

// startTab opens the tab (and the browser with the first) and collects its
// uncaught exceptions.
func startTab(t *testing.T, tab context.Context, exceptions *apitest.Logs) {
	t.Helper()
	// The first action opens the tab. Its context has no deadline, since the
	// tab lives as long as that context: the wait for it has one.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tab) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start %s: %v", chromiumPath, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not open a tab in 30s", chromiumPath)
	}
	err := chromedp.Listen(tab, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok && ev.ExceptionDetails != nil {
			d := ev.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			fmt.Fprintf(exceptions, "%s:%d: %s\n", d.URL, d.LineNumber+1, desc)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// saveEvidence keeps what a failure needs for its diagnosis: a screenshot of
// the page (or of the element sel, when given and shown) and the server's
// log, in a directory that outlives the test (its temporary directories do
// not), and the page's uncaught exceptions in the test output. The
// screenshot is named after the test.
func saveEvidence(tab context.Context, t *testing.T, logs, exceptions *apitest.Logs, sel string) {
	dir := os.Getenv("FAZHI_E2E_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "fazhi-e2e-"); err != nil {
			t.Logf("no directory for the screenshot: %v", err)
			return
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("no directory for the screenshot: %v", err)
		return
	}
	if s := exceptions.String(); s != "" {
		t.Logf("uncaught exceptions in the page:\n%s", s)
	}
	logPath := filepath.Join(dir, "server.log")
	if err := os.WriteFile(logPath, []byte(logs.String()), 0o644); err == nil {
		t.Logf("server log: %s", logPath)
	}
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	shoot := chromedp.FullScreenshot(100)
	if sel != "" {
		// The element when the page shows it, else the whole page.
		if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(sel)+`) !== null`)); err == nil && shown {
			shoot = chromedp.Screenshot(chromedp.CSS(sel))
		}
	}
	png, err := chromedp.Run(ctx, shoot)
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	shot := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the page at the failure: %s", shot)
}
