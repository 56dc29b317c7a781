package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/fazhi/fazhi"
	"github.com/fazhi/fazhi/demo"
)

// operations serves the endpoints outside the contract: probes, the spec and
// Swagger UI.
type operations struct {
	store interface {
		Ping(ctx context.Context) error
		MigrationsCurrent(ctx context.Context) (bool, error)
	}
	contract *Contract
	demo     bool

	// spec is the contract as /openapi.json serves it, built once (see servedSpec).
	specOnce sync.Once
	spec     []byte
	specErr  error
}

type status struct {
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// healthz answers while the process serves requests.
func (o *operations) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, status{Status: "ok"})
}

// readyz answers 200 when the database answers and its schema is current, so a
// load balancer sends traffic only to instances that can serve it.
func (o *operations) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := o.store.Ping(ctx); err != nil {
		return newHTTPError(http.StatusServiceUnavailable, "database_unavailable", "the database does not answer")
	}
	current, err := o.store.MigrationsCurrent(ctx)
	if err != nil {
		return newHTTPError(http.StatusServiceUnavailable, "database_unavailable", "the migration state cannot be read")
	}
	if !current {
		return newHTTPError(http.StatusServiceUnavailable, "migrations_pending", "the database schema is behind this version: run fazhi migrate up")
	}
	return c.JSON(http.StatusOK, status{Status: "ready"})
}

func (o *operations) specYAML(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", fazhi.OpenAPI)
}

// specJSON serves the contract as JSON: the copy Swagger UI shows.
func (o *operations) specJSON(c echo.Context) error {
	b, err := o.servedSpec()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// servedSpec is the contract as JSON, built on first use (docs builds it at
// start). On a server with the demo data its info.description also tells the
// demo accounts and how to authorize with them; the contract itself, which
// validates requests and /openapi.yaml serves byte for byte, is never changed.
func (o *operations) servedSpec() ([]byte, error) {
	o.specOnce.Do(func() {
		o.spec, o.specErr = buildServedSpec(o.contract.Doc, o.demo)
	})
	return o.spec, o.specErr
}

func buildServedSpec(doc *openapi3.T, demoMode bool) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil || !demoMode {
		return b, err
	}
	// Only info.description changes: everything else is carried as it is.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	var info map[string]json.RawMessage
	if err := json.Unmarshal(top["info"], &info); err != nil {
		return nil, fmt.Errorf("the contract's info: %w", err)
	}
	var description string
	if raw, ok := info["description"]; ok {
		if err := json.Unmarshal(raw, &description); err != nil {
			return nil, fmt.Errorf("the contract's info.description: %w", err)
		}
	}
	if info["description"], err = json.Marshal(strings.TrimRight(description, "\n") + "\n\n" + demoDescription()); err != nil {
		return nil, err
	}
	if top["info"], err = json.Marshal(info); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

// demoDescription is the section the served contract gains on a server with
// the demo data: the demo accounts, their password and how to authorize.
func demoDescription() string {
	unitNames := map[string]string{}
	for _, u := range demo.Units() {
		unitNames[u.ID] = u.Name
	}
	var b strings.Builder
	b.WriteString("## Demo data（演示数据）\n\n")
	b.WriteString("This server holds the demo data (Panjin city, 盘锦市, from its 2021 report). ")
	fmt.Fprintf(&b, "Its demo accounts all have the password `%s` ", demo.Password)
	b.WriteString("(they exist outside production only: `FAZHI_ENV=production` disables them):\n\n")
	b.WriteString("| username | role | unit |\n|---|---|---|\n")
	for _, u := range demo.Users() {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", u.Username, strings.Join(roles, ", "), unitNames[u.UnitID])
	}
	b.WriteString("\n**To authorize:** open **auth › POST /auth/login**, press **Try it out** and **Execute** ")
	b.WriteString("(the example body signs in as `fzb.admin`; put another username there to act in another role), ")
	b.WriteString("copy `token` from the answer, press **Authorize**, paste it under **userToken**, press **Authorize** and **Close**. ")
	b.WriteString("Every operation's **Try it out** then runs with that account's rights.\n")
	return b.String()
}

// docs is Swagger UI with its assets embedded in the binary: it works with no
// internet access. Tags keep the contract's order (its domain order), "Try it
// out" is on, each request shows its curl snippets, the token given under
// Authorize survives a reload, and a bar above the UI offers the contract for
// download. The Authorize dialog explains itself through the contract's
// securitySchemes descriptions, and on a demo server the description above
// the operations names the demo accounts (see demoDescription).
func (o *operations) docs() http.Handler {
	// Built now, at start, rather than on the first request; an error is
	// answered by /openapi.json.
	_, _ = o.servedSpec()
	title := "fazhi API（法治政府建设管理接口）"
	if o.demo {
		title += " — demo data"
	}
	return v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		PrependHTML: specLinks,
		SettingsUI: map[string]string{
			"tryItOutEnabled":        "true",
			"requestSnippetsEnabled": "true",
			"requestSnippets":        requestSnippets,
			"displayRequestDuration": "true",
			"persistAuthorization":   "true",
			// No sorter: the tags keep the contract's order (its domain
			// order), the operations that of the served spec's paths.
			"tagsSorter":       "false",
			"operationsSorter": "false",
			"plugins":          plugins,
		},
	})
}

// plugins are Swagger UI's (swgui's default, the download of the spec) and
// one of ours: a response body past 100,000 characters is shown as plain
// text. Swagger UI colours a body token by token, which takes the browser
// tens of seconds for a snapshot of the demo data (3 MB of NDJSON) and
// leaves the page frozen meanwhile.
const plugins = `[
				SwaggerUIBundle.plugins.DownloadUrl,
				function plainLargeBodies(system) {
					return {wrapComponents: {SyntaxHighlighter: (Original, system) => (props) => {
						const text = props.children;
						if (typeof text === "string" && text.length > 100000) {
							return system.React.createElement(system.getComponent("PlainTextViewer"), null, text);
						}
						return system.React.createElement(Original, props);
					}}};
				}
			]`

// requestSnippets are the snippets each request shows, curl for bash first.
const requestSnippets = `{
				generators: {
					curl_bash: {title: "cURL (bash)", syntax: "bash"},
					curl_powershell: {title: "cURL (PowerShell)", syntax: "powershell"},
					curl_cmd: {title: "cURL (CMD)", syntax: "bash"}
				},
				defaultExpanded: true,
				languages: null
			}`

// specLinks is the bar above Swagger UI that offers the contract for download.
const specLinks template.HTML = `<nav id="spec-download" aria-label="Download the contract" style="max-width:1460px;margin:0 auto;padding:14px 20px 0;font-family:sans-serif;font-size:14px;color:#3b4151">
    The contract（接口契约）:
    <a href="/openapi.yaml" download="openapi.yaml">openapi.yaml</a> ·
    <a href="/openapi.json" download="openapi.json">openapi.json</a>
</nav>`
