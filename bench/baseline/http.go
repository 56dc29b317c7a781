package main

// The HTTP helpers the operations share, as fazhi's server/http.go and
// server/problem.go are: problems, JSON answers, query parameters, cursors.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// problem is an answer in application/problem+json.
type problem struct {
	status       int
	code, detail string
	fields       []fieldJSON // the parameters at fault, if named
}

func (p *problem) Error() string { return fmt.Sprintf("%d %s: %s", p.status, p.code, p.detail) }

func badRequest(format string, args ...any) *problem {
	return &problem{status: 400, code: "invalid_request", detail: fmt.Sprintf(format, args...)}
}

func unauthenticated(detail string) *problem {
	return &problem{status: 401, code: "unauthenticated", detail: detail}
}

var errNotFound = &problem{status: 404, code: "not_found", detail: ""}

// titles are fazhi's problem titles by status.
var titles = map[int]string{400: "Invalid request", 401: "Unauthenticated", 403: "Forbidden", 404: "Not found",
	412: "Precondition failed", 413: "Payload too large", 415: "Unsupported media type", 422: "Unprocessable request",
	428: "Precondition required", 500: "Internal server error", 503: "Service unavailable"}

// fieldJSON is api.FieldError.
type fieldJSON struct {
	Message   string `json:"message"`
	Parameter string `json:"parameter"`
}

// problemJSON is api.Problem, its fields in the generated order.
type problemJSON struct {
	Code      string      `json:"code"`
	Detail    string      `json:"detail"`
	Errors    []fieldJSON `json:"errors,omitempty"`
	Instance  string      `json:"instance"`
	RequestID string      `json:"requestId"`
	Status    int         `json:"status"`
	Title     string      `json:"title"`
	Type      string      `json:"type"`
}

// writeProblem renders err as fazhi's error handler does: anything but a
// problem is a 500, logged with the request id.
func (s *server) writeProblem(w http.ResponseWriter, r *request, operation string, err error) {
	var p *problem
	if !errors.As(err, &p) {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", r.id, "operation", operation, "error", err.Error())
		p = &problem{status: 500, code: "internal", detail: "an unexpected error occurred; quote the request id when reporting it"}
	}
	out := problemJSON{Code: p.code, Detail: p.detail, Instance: r.URL.Path, RequestID: r.id, Status: p.status,
		Title: titles[p.status], Type: "https://fazhi.example.invalid/problems/" + strings.ReplaceAll(p.code, "_", "-")}
	out.Errors = p.fields
	if p.code == "not_found" {
		out.Detail = "there is nothing at " + out.Instance + " that you may see" // absent or hidden alike
	}
	switch p.status {
	case 401:
		w.Header().Set("Www-Authenticate", "Bearer")
	case 503:
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.status)
	_ = json.NewEncoder(w).Encode(out)
}

// writeJSON answers 200 as the generated strict handlers do: the body
// encoded whole first (json.Encoder: HTML-escaped, ending in a newline).
func writeJSON(w http.ResponseWriter, etag string, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}

// recorder keeps an answer's status and size, for the log line.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) { r.status = status; r.ResponseWriter.WriteHeader(status) }

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// The contract's patterns of the parameters the mirrored operations take.
var (
	idPattern     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	etagPattern   = regexp.MustCompile(`^"[1-9][0-9]{0,17}"$`)
	cursorPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// query reads the query string as fazhi's validator does: a parameter the
// baseline does not take, a repeated one or one not in UTF-8 is a 400; so
// is an id that is not a UUID or a limit outside 1 to 500.
func query(r *request, declared ...string) (map[string]string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed")
	}
	params := make(map[string]string, len(q))
	for name, values := range q {
		v := values[0]
		switch {
		case !slices.Contains(declared, name):
			return nil, badRequest("the baseline takes no query parameter %q", name)
		case len(values) > 1 || !utf8.ValidString(v):
			return nil, badRequest("%s must be given once, in UTF-8", name)
		case strings.HasSuffix(name, "Id") && !idPattern.MatchString(v):
			return nil, badRequest("%s must be a UUID", name)
		case name == "limit" && !between(v, 1, 500):
			return nil, badRequest("limit must be an integer from 1 to 500")
		}
		params[name] = v
	}
	return params, nil
}

func between(v string, lo, hi int) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= lo && n <= hi
}

// cursor is paging.Cursor: the position after a page's last row, pinned to
// the sort and to a digest of the filters. Its wire form (JSON with these
// fields in this order, in base64url without padding) is fazhi's, so that
// either server continues the other's pages.
type cursor struct {
	Sort   string `json:"s"`
	Filter string `json:"f,omitempty"`
	Key    string `json:"k"`
	ID     string `json:"id"`
}

// page is a list request's limit and position (server.pageRequest).
type page struct {
	limit        int
	sort, digest string
	after        *cursor // nil on the first page
}

// pageOf reads limit and cursor for a list whose filters are written as
// fazhi's handler writes them for the digest: a cursor made for other
// filters or another sort is refused (paging.Decode).
func pageOf(params map[string]string, sort, filters string) (page, error) {
	p := page{limit: 50, sort: sort}
	if v := params["limit"]; v != "" {
		p.limit, _ = strconv.Atoi(v)
	}
	sum := sha256.Sum256([]byte(filters))
	p.digest = base64.RawURLEncoding.EncodeToString(sum[:6])
	if v, given := params["cursor"]; given {
		c, ok := decodeCursor(v)
		if !ok || c.Sort != sort || c.Filter != p.digest {
			return p, invalidCursor()
		}
		p.after = c
	}
	return p, nil
}

// invalidCursor is the 400 of a cursor the list did not give.
func invalidCursor() error {
	return &problem{status: 400, code: "invalid_cursor", detail: "the cursor is not one this list gave, or was given for another sort or other filters",
		fields: []fieldJSON{{Message: "invalid cursor", Parameter: "query.cursor"}}}
}

// decodeCursor reads a cursor as paging.Decode does: base64url of one JSON
// object of cursor's fields and nothing after it.
func decodeCursor(s string) (*cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 1024 || !cursorPattern.MatchString(s) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c cursor
	if dec.Decode(&c) != nil || c.ID == "" {
		return nil, false
	}
	_, err = dec.Token()
	return &c, errors.Is(err, io.EOF)
}

// next is the cursor of the page after one read with LIMIT n+1 (rows
// holds limit+1 of them when there is more), or nil on the last page.
func (p page) next(rows int, key, id func(i int) string) *string {
	if rows <= p.limit {
		return nil
	}
	b, _ := json.Marshal(cursor{Sort: p.sort, Filter: p.digest, Key: key(p.limit - 1), ID: id(p.limit - 1)})
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}
