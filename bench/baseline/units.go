package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// unit is a row of units.
type unit struct {
	ID, Code, Name       string
	ShortName            *string
	Kind                 string
	ParentID             *string
	Level                int
	Path, SearchText     string
	Version              int64
	CreatedAt, UpdatedAt time.Time
}

// unitColumns are every column of units, as GORM's SELECT * reads them.
const unitColumns = "id, code, name, short_name, kind, parent_id, level, path, search_text, version, created_at, updated_at"

func scanUnit(row scanner) (*unit, error) {
	var u unit
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.ShortName, &u.Kind, &u.ParentID, &u.Level, &u.Path,
		&u.SearchText, &u.Version, &u.CreatedAt, &u.UpdatedAt)
	return &u, err
}

// unitJSON is api.Unit, its fields in the generated (alphabetical) order.
type unitJSON struct {
	Code      string    `json:"code"`
	CreatedAt time.Time `json:"createdAt"`
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Level     int       `json:"level"`
	Name      string    `json:"name"`
	ParentID  *string   `json:"parentId,omitempty"`
	Path      string    `json:"path"`
	ShortName *string   `json:"shortName,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

func (u *unit) out() unitJSON {
	return unitJSON{Code: u.Code, CreatedAt: u.CreatedAt.UTC(), ID: u.ID, Kind: u.Kind, Level: u.Level, Name: u.Name,
		ParentID: u.ParentID, Path: u.Path, ShortName: u.ShortName, UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// getUnit serves getUnit (every signed-in user sees every unit), with 304
// for an If-None-Match that names the current version.
func (s *server) getUnit(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	ifNoneMatch, conditional := r.Header["If-None-Match"]
	if _, err := query(r); err != nil {
		return err
	}
	if !idPattern.MatchString(id) || (conditional && !etagPattern.MatchString(ifNoneMatch[0])) {
		return badRequest(`the id must be a UUID, and If-None-Match an ETag such as "3"`)
	}
	u, err := scanUnit(s.fixed(r.Context(), "SELECT "+unitColumns+" FROM units WHERE id = ? LIMIT 1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	tag := etag(u.Version)
	if conditional && ifNoneMatch[0] == tag {
		w.Header().Set("ETag", tag)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeJSON(w, tag, u.out())
}

// unitPage is api.UnitPage.
type unitPage struct {
	Items      []unitJSON `json:"items"`
	NextCursor *string    `json:"nextCursor,omitempty"`
}

// listUnits serves listUnits in its default order, by code, all units or
// a parent's children: store.ListUnits' query with keysetPage's seek for a
// unique column ("code > ?"), LIMIT n+1. The other filters and sorts are
// not mirrored.
func (s *server) listUnits(w http.ResponseWriter, r *request) error {
	params, err := query(r, "parentId", "sort", "limit", "cursor")
	if err != nil {
		return err
	}
	if sort, given := params["sort"]; given && sort != "code" {
		return badRequest("the baseline lists units by code only")
	}
	parentID := params["parentId"]
	// The digest's filters: parentId, kind, level and q.
	pg, err := pageOf(params, "code", parentID+"||0|")
	if err != nil {
		return err
	}
	var c conditions
	if parentID != "" {
		c.add("parent_id = ?", parentID)
	}
	if pg.after != nil {
		c.add("code > ?", pg.after.Key) // the code is unique: it orders alone
	}
	units, err := queryAll(r.Context(), s.db, scanUnit,
		"SELECT "+unitColumns+" FROM units"+c.where()+" ORDER BY code ASC LIMIT ?", append(c.args, pg.limit+1)...)
	if err != nil {
		return err
	}
	next := pg.next(len(units), func(i int) string { return units[i].Code }, func(i int) string { return units[i].ID })
	items := make([]unitJSON, min(len(units), pg.limit))
	for i := range items {
		items[i] = units[i].out()
	}
	return writeJSON(w, "", unitPage{Items: items, NextCursor: next})
}

// updateUnit serves updateUnit, checking the request in fazhi's order: the
// validator's 400, 413 and 415, the text rule's 422, then If-Match (428).
func (s *server) updateUnit(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	ifMatch, conditional := r.Header["If-Match"]
	if _, err := query(r); err != nil {
		return err
	}
	if !idPattern.MatchString(id) || (conditional && !etagPattern.MatchString(ifMatch[0])) {
		return badRequest(`the id must be a UUID, and If-Match an ETag such as "3"`)
	}
	patch, err := readUnitPatch(w, r.Request)
	if err != nil {
		return err
	}
	if !conditional {
		return &problem{status: 428, code: "if_match_required", detail: "send If-Match with the ETag of the version you are changing"}
	}
	version, _ := strconv.ParseInt(strings.Trim(ifMatch[0], `"`), 10, 64)
	u, err := s.patchUnit(r, id, version, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, etag(u.Version), u.out())
}

// patchUnit is store.UpdateUnit for a patch that moves nothing: lock the
// row, check the version, apply the patch, write the row with its new
// search text, version and time, and its audit and feed events, in one
// transaction; then wake the sequencer.
func (s *server) patchUnit(r *request, id string, ifVersion int64, patch unitPatch) (*unit, error) {
	var out *unit
	err := s.inTx(r.Context(), func(tx *sql.Tx, at time.Time) error {
		u, err := scanUnit(tx.QueryRowContext(r.Context(), "SELECT "+unitColumns+" FROM units WHERE id = ? LIMIT 1"+s.lock, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if u.Version != ifVersion {
			return &problem{status: 412, code: "version_mismatch", detail: fmt.Sprintf("unit %s is at version %d, not %d", id, u.Version, ifVersion)}
		}
		before := *u
		patch.apply(u)
		shortName := ""
		if u.ShortName != nil {
			shortName = *u.ShortName
		}
		u.SearchText = fold(u.Name, shortName, u.Code)
		u.Version++
		u.UpdatedAt = at
		// GORM's Updates writes the columns of its map in key order.
		_, err = tx.ExecContext(r.Context(), "UPDATE units SET code = ?, kind = ?, level = ?, name = ?, parent_id = ?,"+
			" path = ?, search_text = ?, short_name = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
			u.Code, u.Kind, u.Level, u.Name, u.ParentID, u.Path, u.SearchText, u.ShortName, u.UpdatedAt, u.Version, id, ifVersion)
		if err != nil {
			return err
		}
		out = u
		return recordUnitChange(r, tx, at, &before, u)
	})
	if err != nil {
		return nil, err
	}
	s.wakeSequencer()
	return out, nil
}

// unitPatch is the part of updateUnit's merge patch (RFC 7396) the
// baseline mirrors: name, and shortName (null clears it).
type unitPatch struct {
	name, shortName *string
	setShortName    bool
}

func (p unitPatch) apply(u *unit) {
	if p.name != nil {
		u.Name = *p.name
	}
	if p.setShortName {
		u.ShortName = p.shortName
	}
}

// trimmed is the contract's pattern of names: one line, no space at either end.
var trimmed = regexp.MustCompile(`^\S(.*\S)?$`)

// patchable are the fields the baseline patches, with their greatest length.
var patchable = map[string]int{"name": 100, "shortName": 50}

// bodyLimit is FAZHI_BODY_LIMIT's default, 1M: 1,000,000 bytes as Echo reads it.
const bodyLimit = 1_000_000

// readUnitPatch reads the body as the contract's UnitPatch: a JSON object
// whose name has 1 to 100 characters and shortName 1 to 50 (or null),
// each matching trimmed, and neither holding a character no text may hold.
func readUnitPatch(w http.ResponseWriter, r *http.Request) (unitPatch, error) {
	var p unitPatch
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/merge-patch+json" {
		return p, &problem{status: 415, code: "unsupported_media_type", detail: "the body is not of a media type this operation takes"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bodyLimit))
	if err != nil {
		return p, &problem{status: 413, code: "payload_too_large", detail: "the request body is larger than the server accepts"}
	}
	var fields map[string]json.RawMessage
	if !utf8.Valid(body) || json.Unmarshal(body, &fields) != nil || len(fields) == 0 {
		return p, badRequest("the body must be a JSON object changing at least one field")
	}
	var texts []string
	for name, raw := range fields {
		maxLen, ok := patchable[name]
		if !ok {
			return p, badRequest("the baseline patches a unit's name and shortName only, not %q", name)
		}
		if name == "shortName" {
			p.setShortName = true
			if string(raw) == "null" {
				continue
			}
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || utf8.RuneCountInString(s) > maxLen || !trimmed.MatchString(s) {
			return p, badRequest("%s must be a text of 1 to %d characters on one line, without spaces at either end", name, maxLen)
		}
		if name == "name" {
			p.name = &s
		} else {
			p.shortName = &s
		}
		texts = append(texts, s)
	}
	for _, t := range texts {
		if hasBadCharacter(t) {
			return p, &problem{status: 422, code: "text_invalid", detail: "a text holds a character no text may hold: " +
				"control characters, bidirectional controls or zero-width characters"}
		}
	}
	return p, nil
}

// hasBadCharacter is models.BadCharacter: control characters but tab, line
// feed and carriage return; bidirectional controls; zero-width characters.
func hasBadCharacter(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7F || (r >= 0x80 && r <= 0x9F) ||
			r == 0x200E || r == 0x200F || r == 0x061C || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) ||
			r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x180E
	})
}

// fold is textsearch.Fold, which fills units.search_text: the parts joined
// by a space, NFKC-normalised, lower-cased and converted character by
// character to simplified Chinese, with the same two libraries.
func fold(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range strings.ToLower(norm.NFKC.String(p)) {
			b.WriteRune(simplify(r))
		}
	}
	return b.String()
}

var (
	t2s        = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("t2s") })
	simplified sync.Map // rune -> rune, for each character seen
)

// simplify converts until nothing changes, as t2s maps a few characters
// to one it maps again (U+85B4 → U+82E7 → U+82CE).
func simplify(r rune) rune {
	if r < 0x2E80 { // below the CJK blocks
		return r
	}
	if s, ok := simplified.Load(r); ok {
		return s.(rune)
	}
	converter, err := t2s()
	s := r
	for range 4 {
		next := s
		if err == nil {
			if out, err := converter.Convert(string(s)); err == nil && utf8.RuneCountInString(out) == 1 {
				next, _ = utf8.DecodeRuneInString(out)
			}
		}
		if next == s {
			break
		}
		s = next
	}
	simplified.Store(r, s)
	return s
}
