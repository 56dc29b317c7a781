package server_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/demodb"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

// listOps are the contract's list operations: GETs that take a limit and
// answer a page of items.
func listOps(t *testing.T) []specOp {
	t.Helper()
	var out []specOp
	for _, o := range specOps(t) {
		if o.Method != http.MethodGet {
			continue
		}
		takesLimit := false
		for _, p := range o.parameters() {
			if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
				takesLimit = true
			}
		}
		ok := o.Op.Responses.Value("200")
		if !takesLimit || ok == nil || ok.Value == nil || ok.Value.Content.Get("application/json") == nil {
			continue
		}
		if schema := ok.Value.Content.Get("application/json").Schema; schema != nil && schema.Value != nil && schema.Value.Properties["items"] != nil {
			out = append(out, o)
		}
	}
	return out
}

// statementsOf is the number of database statements the request with this
// id ran, from its access log line.
func statementsOf(t *testing.T, logs *apitest.Logs, requestID string) int {
	t.Helper()
	for _, line := range logLinesOf(t, logs, requestID) {
		if n, ok := line["db_statements"].(float64); ok && line["msg"] == "request" {
			return int(n)
		}
	}
	t.Fatalf("no access log line of request %s", requestID)
	return 0
}

// Every list operation runs no more database statements for a page of
// several items than for a page of any one of them: no query per row. Each
// is read as its contract example reads it, on the demo data (which holds
// more records of every kind than the test fixtures, and enrichDemo adds
// what it lacks): one item a page, following the cursor, for up to five
// items, then those items in one page. (A page of one is compared with the
// most statements any single item took: a statement some items need and
// others not, such as reading who published a record, is read once a page.)
// A list whose example gives fewer than two items cannot show a query per
// row, and fails the test.
func TestListStatementsDoNotGrowWithThePage(t *testing.T) {
	logs := &apitest.Logs{}
	e, err := server.New(server.Config{DemoMode: true, PasswordParams: password.Fast, AttachmentDir: t.TempDir()},
		demodb.OpenCopy(t, demoDatabase(t)), slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c := apitest.New(t, e)
	enrichDemo(t, c)
	const window = 5
	var unchecked []string
	requests := 0
	for _, o := range listOps(t) {
		token := demoToken(t, c, o)
		read := func(limit int, cursor string) (statements, items int, next string) {
			t.Helper()
			r := exampleRequest(t, o)
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			sep := "?"
			if strings.Contains(r.Path, "?") {
				sep = "&"
			}
			r.Path += sep + q.Encode()
			requests++
			id := fmt.Sprintf("statements-%s-%d", o.ID(), requests)
			r.Header["X-Request-Id"], r.Header["Authorization"] = id, "Bearer "+token
			resp := c.Do(r)
			if resp.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", o.ID(), resp.Status, resp.Body)
			}
			var page struct {
				Items      []json.RawMessage
				NextCursor *string
			}
			resp.JSON(t, &page)
			if page.NextCursor != nil {
				next = *page.NextCursor
			}
			return statementsOf(t, logs, id), len(page.Items), next
		}
		// First reads may fill caches, or number the audit log and the
		// feed while the sequencer catches up with enrichDemo's writes.
		read(1, "")
		read(1, "")
		most, singles, cursor := 0, 0, ""
		for singles < window {
			n, items, next := read(1, cursor)
			if items == 0 {
				break
			}
			most, singles, cursor = max(most, n), singles+1, next
			if next == "" {
				break
			}
		}
		together, items, _ := read(singles, "")
		t.Logf("%-32s at most %3d statements for 1 item, %3d for %d", o.ID(), most, together, items)
		if items < 2 {
			unchecked = append(unchecked, fmt.Sprintf("%s (%d items)", o.ID(), items))
			continue
		}
		if together > most {
			t.Errorf("%s: at most %d statements for a page of 1, %d for a page of %d", o.ID(), most, together, items)
		}
	}
	if len(unchecked) > 0 {
		t.Errorf("lists whose examples give too few items to check: %s", strings.Join(unchecked, ", "))
	}
}

// enrichDemo adds, through the API as their examples do, records of the
// lists whose examples the demo gives fewer than three items: keys,
// targets, evaluations, rounds of self-inspection, a value's attachments
// and history, an annual report's versions.
func enrichDemo(t *testing.T, c *apitest.Client) {
	t.Helper()
	ops := map[string]specOp{}
	for _, o := range specOps(t) {
		ops[o.ID()] = o
	}
	// run sends the example of an operation as a caller it admits, edited.
	run := func(id string, want int, edit func(r *apitest.Request, body map[string]any)) {
		t.Helper()
		o := ops[id]
		r := exampleRequest(t, o)
		r.Header["Authorization"] = "Bearer " + demoToken(t, c, o)
		if raw, ok := r.Body.([]byte); ok && strings.HasSuffix(r.ContentType, "json") {
			var body map[string]any
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatal(err)
			}
			edit(&r, body)
			r.Body = body
		} else {
			edit(&r, nil)
		}
		if resp := c.Do(r); resp.Status != want {
			t.Fatalf("%s: %d %s", id, resp.Status, resp.Body)
		}
	}
	// current sets If-Match to the version the resource at path has now.
	current := func(r *apitest.Request, path string) {
		resp := c.Get(path, map[string]string{"Authorization": r.Header["Authorization"]})
		if resp.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.Status, resp.Body)
		}
		r.Header["If-Match"] = resp.Header.Get("ETag")
	}
	for i := range 3 {
		run("createApiKey", http.StatusCreated, func(_ *apitest.Request, b map[string]any) { b["name"] = fmt.Sprintf("计数密钥 %d", i) })
		run("createTarget", http.StatusCreated, func(_ *apitest.Request, b map[string]any) {
			b["year"] = 2021 + i
			delete(b, "unitId")
		})
		run("createEvaluation", http.StatusCreated, func(_ *apitest.Request, b map[string]any) { b["name"] = fmt.Sprintf("计数考核 %d", i) })
		run("createInspectionRound", http.StatusCreated, func(*apitest.Request, map[string]any) {})
		run("uploadValueAttachment", http.StatusCreated, func(*apitest.Request, map[string]any) {})
		run("updateIndicatorValue", http.StatusOK, func(r *apitest.Request, b map[string]any) {
			current(r, r.Path)
			b["value"] = fmt.Sprintf("58.%d", 21+i)
		})
		run("updateAnnualReportSection", http.StatusOK, func(r *apitest.Request, b map[string]any) {
			current(r, r.Path[:strings.Index(r.Path, "/sections/")])
			b["paragraphs"] = []any{map[string]any{"sentences": []any{map[string]any{"text": fmt.Sprintf("第%d稿。", i+1), "sources": []any{}}}}}
		})
	}
}
