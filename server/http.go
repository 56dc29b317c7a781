package server

// The HTTP helpers every tag uses: conditional requests (ETag, If-Match,
// If-None-Match), paging, ids, and the optional fields of merge patches.

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/paging"
)

// uuidOf is an id as the generated types carry it.
func uuidOf(s string) openapi_types.UUID {
	var id openapi_types.UUID
	_ = id.UnmarshalText([]byte(s)) // ids are written by us, always UUIDs
	return id
}

// etag is the quoted version (API-GUIDE, Writes).
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// current reports whether the ETag a client sent in If-None-Match is the
// record's: the answer is then a 304 without the record.
func current(ifNoneMatch *string, tag string) bool { return ifNoneMatch != nil && *ifNoneMatch == tag }

// ifMatch reads the version a write is conditional on; a missing If-Match is 428.
func ifMatch(h *string) (int64, error) {
	if h == nil {
		return 0, newHTTPError(http.StatusPreconditionRequired, "if_match_required", "send If-Match with the ETag of the version you are changing")
	}
	v, err := strconv.ParseInt(strings.Trim(*h, `"`), 10, 64)
	if err != nil {
		return 0, newHTTPError(http.StatusBadRequest, "invalid_request", "If-Match must be an ETag such as \"3\"")
	}
	return v, nil
}

// pageRequest reads limit, cursor and sort. A cursor carries a digest of the
// filters it was made with, so that it cannot be replayed against other filters.
func pageRequest(limit *int32, cursor *string, sort, filters string) (page paging.Page, digest string, err error) {
	page = paging.Page{Limit: paging.DefaultLimit, Sort: paging.ParseSort(sort)}
	if limit != nil {
		page.Limit = int(*limit)
	}
	sum := sha256.Sum256([]byte(filters))
	digest = base64.RawURLEncoding.EncodeToString(sum[:6])
	if cursor != nil {
		c, err := paging.Decode(*cursor, page.Sort, digest)
		if err != nil {
			return page, "", invalidCursor()
		}
		page.After = c
	}
	return page, digest, nil
}

// invalidCursor answers a cursor this list did not give: a 400 on query.cursor.
func invalidCursor() error {
	return &httpError{status: http.StatusBadRequest, code: "invalid_cursor",
		detail: "the cursor is not one this list gave, or was given for another sort or other filters",
		fields: []api.FieldError{{Parameter: ptr("query.cursor"), Message: "invalid cursor"}}}
}

// encodeNext gives the next page's cursor, pinned to the filters' digest.
func encodeNext(next *paging.Cursor, digest string) *string {
	if next == nil {
		return nil
	}
	next.Filter = digest
	return ptr(next.Encode())
}

// idsIn is a list of ids as the store takes them.
func idsIn(ids []api.Id) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// nullableString reads an optional field of a merge patch: whether it was
// given, and its value (nil for an explicit null).
func nullableString(n nullable.Nullable[string]) (bool, *string) {
	if !n.IsSpecified() {
		return false, nil
	}
	if n.IsNull() {
		return true, nil
	}
	return true, ptr(n.MustGet())
}

// ptr is a pointer to a copy of v, for the optional fields of generated types.
func ptr[T any](v T) *T { return &v }
