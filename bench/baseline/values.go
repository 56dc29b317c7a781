package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// value is a row of indicator_values.
type value struct {
	ID, IndicatorID, SystemID, UnitID, Period string
	Year                                      int
	Value, ValueKey                           *string // exact decimals, as fazhi stores them: canonical text
	YesNo                                     *bool
	Text                                      *string
	Qualifier                                 string
	RawText                                   *string
	AsOf                                      *time.Time
	Comment, SelfScore, ReviewScore           *string
	Status                                    string
	ReturnReason                              *string
	Flags                                     string // a JSON list
	Flagged                                   bool
	SubmittedBy                               *string // "user:<id>" or "apiKey:<id>"
	SubmittedAt                               *time.Time
	ReviewedBy                                *string
	ReviewedAt                                *time.Time
	Version                                   int64
	CreatedAt, UpdatedAt                      time.Time
}

// valueColumns are every column of indicator_values, as GORM's SELECT * reads them.
const valueColumns = "id, indicator_id, system_id, unit_id, period, year, value, value_key, yes_no, text_value, qualifier," +
	" raw_text, as_of, comment, self_score, review_score, status, return_reason, flags, flagged, submitted_by, submitted_at," +
	" reviewed_by, reviewed_at, version, created_at, updated_at"

func scanValue(row scanner) (*value, error) {
	var v value
	err := row.Scan(&v.ID, &v.IndicatorID, &v.SystemID, &v.UnitID, &v.Period, &v.Year, &v.Value, &v.ValueKey, &v.YesNo,
		&v.Text, &v.Qualifier, &v.RawText, &v.AsOf, &v.Comment, &v.SelfScore, &v.ReviewScore, &v.Status, &v.ReturnReason,
		&v.Flags, &v.Flagged, &v.SubmittedBy, &v.SubmittedAt, &v.ReviewedBy, &v.ReviewedAt, &v.Version, &v.CreatedAt, &v.UpdatedAt)
	return &v, err
}

// valueJSON is api.IndicatorValue, its fields in the generated order.
type valueJSON struct {
	AsOf         *string    `json:"asOf,omitempty"` // a date, 2006-01-02
	Comment      *string    `json:"comment,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	Flags        []string   `json:"flags"`
	ID           string     `json:"id"`
	IndicatorID  string     `json:"indicatorId"`
	Period       string     `json:"period"`
	Qualifier    string     `json:"qualifier"`
	RawText      *string    `json:"rawText,omitempty"`
	ReturnReason *string    `json:"returnReason,omitempty"`
	ReviewScore  *string    `json:"reviewScore,omitempty"`
	ReviewedAt   *time.Time `json:"reviewedAt,omitempty"`
	ReviewedBy   *actorJSON `json:"reviewedBy,omitempty"`
	SelfScore    *string    `json:"selfScore,omitempty"`
	Status       string     `json:"status"`
	SubmittedAt  *time.Time `json:"submittedAt,omitempty"`
	SubmittedBy  *actorJSON `json:"submittedBy,omitempty"`
	Text         *string    `json:"text,omitempty"`
	UnitID       string     `json:"unitId"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	Value        *string    `json:"value,omitempty"`
	Version      int64      `json:"version"`
	YesNo        *bool      `json:"yesNo,omitempty"`
}

// actorJSON is api.Actor: who did something, with the name it has now.
type actorJSON struct {
	ID   *string `json:"id,omitempty"`
	Name *string `json:"name,omitempty"`
	Type string  `json:"type"`
}

// valuePage is api.IndicatorValuePage.
type valuePage struct {
	Items      []valueJSON `json:"items"`
	NextCursor *string     `json:"nextCursor,omitempty"`
}

// listIndicatorValues serves listIndicatorValues filtered by unit and
// year, the other filters not mirrored: store.ListValues' query (the
// filters in valueQuery's order, then the caller's subtree, then the
// cursor's id), ORDER BY id, LIMIT n+1; then the names of the actors.
func (s *server) listIndicatorValues(w http.ResponseWriter, r *request) error {
	params, err := query(r, "unitId", "year", "limit", "cursor")
	if err != nil {
		return err
	}
	unitID := params["unitId"]
	year := 0
	if v, given := params["year"]; given {
		if !between(v, 2000, 2100) {
			return badRequest("year must be an integer from 2000 to 2100")
		}
		year, _ = strconv.Atoi(v)
	}
	subtree := r.rule.subtreeOf(r.caller)
	// The digest's filters: systemId, indicatorId, unitId, period, year,
	// status, flagged, the subtree, and whether only released values are
	// listed (for API keys).
	pg, err := pageOf(params, "id", "||"+unitID+"||"+strconv.Itoa(year)+"||any|"+subtree+"|false")
	if err != nil {
		return err
	}
	var c conditions
	if unitID != "" {
		c.add("unit_id = ?", unitID)
	}
	if year != 0 {
		c.add("year = ?", year)
	}
	if subtree != "" { // '0' is the byte after '/'
		c.add("unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)", subtree, strings.TrimSuffix(subtree, "/")+"0")
	}
	if pg.after != nil {
		c.add("id > ?", pg.after.ID)
	}
	values, err := queryAll(r.Context(), s.db, scanValue,
		"SELECT "+valueColumns+" FROM indicator_values"+c.where()+" ORDER BY id LIMIT ?", append(c.args, pg.limit+1)...)
	if err != nil {
		return err
	}
	id := func(i int) string { return values[i].ID }
	next := pg.next(len(values), id, id)
	values = values[:min(len(values), pg.limit)]
	names, err := s.actorNames(r.Context(), values)
	if err != nil {
		return err
	}
	items := make([]valueJSON, len(values))
	for i, v := range values {
		if items[i], err = v.out(names); err != nil {
			return err
		}
	}
	return writeJSON(w, "", valuePage{Items: items, NextCursor: next})
}

func (v *value) out(names map[string]string) (valueJSON, error) {
	out := valueJSON{Comment: v.Comment, CreatedAt: v.CreatedAt.UTC(), ID: v.ID, IndicatorID: v.IndicatorID,
		Period: v.Period, Qualifier: v.Qualifier, RawText: v.RawText, ReturnReason: v.ReturnReason,
		ReviewScore: v.ReviewScore, ReviewedBy: actor(v.ReviewedBy, names), SelfScore: v.SelfScore, Status: v.Status,
		SubmittedBy: actor(v.SubmittedBy, names), Text: v.Text, UnitID: v.UnitID, UpdatedAt: v.UpdatedAt.UTC(),
		Value: v.Value, Version: v.Version, YesNo: v.YesNo}
	if err := json.Unmarshal([]byte(v.Flags), &out.Flags); err != nil {
		return out, err
	}
	if out.Flags == nil {
		out.Flags = []string{}
	}
	if v.AsOf != nil {
		d := v.AsOf.UTC().Format(time.DateOnly)
		out.AsOf = &d
	}
	if v.SubmittedAt != nil {
		out.SubmittedAt = new(v.SubmittedAt.UTC())
	}
	if v.ReviewedAt != nil {
		out.ReviewedAt = new(v.ReviewedAt.UTC())
	}
	return out, nil
}

// actor renders an actor column ("user:<id>", "apiKey:<id>", "system").
func actor(ref *string, names map[string]string) *actorJSON {
	if ref == nil {
		return nil
	}
	kind, id, _ := strings.Cut(*ref, ":")
	a := &actorJSON{Type: kind}
	if kind != "system" {
		a.ID = &id
	}
	if name, ok := names[*ref]; ok {
		a.Name = &name
	}
	return a
}

// actorNames is store.ActorNames for the actors the values keep: the
// users' display names and the keys' names, one query for each kind that
// has any (a page holds at most 1,000 actors, fazhi's batch).
func (s *server) actorNames(ctx context.Context, values []*value) (map[string]string, error) {
	ids := map[string][]any{}
	for _, v := range values {
		for _, ref := range []*string{v.SubmittedBy, v.ReviewedBy} {
			if ref == nil {
				continue
			}
			if kind, id, _ := strings.Cut(*ref, ":"); kind == "user" || kind == "apiKey" {
				ids[kind] = append(ids[kind], id)
			}
		}
	}
	names := map[string]string{}
	for _, src := range []struct{ kind, table, column string }{{"user", "users", "display_name"}, {"apiKey", "api_keys", "name"}} {
		list := ids[src.kind]
		if len(list) == 0 {
			continue
		}
		slices.SortFunc(list, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
		list = slices.Compact(list)
		rows, err := queryAll(ctx, s.db, func(row scanner) ([2]string, error) {
			var idName [2]string
			return idName, row.Scan(&idName[0], &idName[1])
		}, "SELECT id, "+src.column+" AS name FROM "+src.table+" WHERE id IN (?"+strings.Repeat(", ?", len(list)-1)+")", list...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			names[src.kind+":"+r[0]] = r[1]
		}
	}
	return names, nil
}
