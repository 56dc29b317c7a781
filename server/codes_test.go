package server_test

// The problem codes every operation of a kind can answer with, produced on
// every such operation: what x-problem-codes declares for them is true of
// each (the coverage gate holds each declared code to a test that produced
// it), and nothing is left undeclared (the response check holds each code
// answered to the declaration).

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

// lists reports whether the operation declares the code for the status.
func lists(o specOp, status int, code string) bool {
	return slices.Contains(apitest.OperationCodes(o.Op, status), code)
}

func TestContractProblemCodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		e := newContractEnv(t, db, server.Config{})
		c := e.client(t)
		ops := specOps(t)

		t.Run("password change first", func(t *testing.T) {
			// An administrator whose password someone else chose reaches
			// nothing but the operations that let it change it.
			fx := e.h.fx.users["admin"]
			u := &models.User{Username: "must" + dbtest.RandomSuffix() + ".admin", DisplayName: "新管理员", UnitID: fx.UnitID,
				Roles: []models.Role{models.RoleAdmin}, PasswordHash: fx.PasswordHash, MustChangePassword: true}
			if err := db.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			token, _ := e.session(t, u, time.Hour)
			for _, o := range ops {
				if o.Rule == nil {
					continue
				}
				exempt := slices.Contains(models.PasswordChangeOperations, o.ID())
				if lists(o, http.StatusForbidden, "password_change_required") == exempt {
					t.Errorf("%s lists password_change_required: %v, exempt: %v", o.ID(), !exempt, exempt)
				}
				if exempt {
					continue
				}
				r := e.requestOn(t, o, "admin", true)
				r.Header["Authorization"] = "Bearer " + token
				expect(t, c.Do(r), http.StatusForbidden, "password_change_required")
			}
		})

		t.Run("text rule", func(t *testing.T) {
			// A body of the operation's example with a zero-width space added
			// to one of its texts: the first text the contract lets carry it.
			for _, o := range ops {
				if !o.hasBody() || !lists(o, http.StatusUnprocessableEntity, "text_invalid") {
					continue
				}
				r := e.requestOn(t, o, allowedCaller(t, o), true)
				var doc any
				if err := json.Unmarshal(r.Body.([]byte), &doc); err != nil {
					t.Fatalf("%s: %v", o.ID(), err)
				}
				// The example's own texts first, then, one at a time, each
				// text property of the body the example leaves out.
				type candidate struct {
					doc     any
					pointer string
				}
				var candidates []candidate
				for _, p := range stringLeaves(doc, "") {
					candidates = append(candidates, candidate{doc, p})
				}
				if obj, ok := doc.(map[string]any); ok {
					for _, name := range absentTexts(t, o, obj) {
						with := maps.Clone(obj)
						with[name] = "示例"
						candidates = append(candidates, candidate{with, "/" + name})
					}
				}
				produced := false
				for _, cand := range candidates {
					r.Body = withText(t, cand.doc, cand.pointer, "\u200b")
					resp := c.Do(r)
					if resp.Status == http.StatusUnprocessableEntity && resp.Problem(t).Code == "text_invalid" {
						if prob := resp.Problem(t); len(prob.Errors) != 1 || prob.Errors[0].Pointer != cand.pointer {
							t.Errorf("%s: text_invalid names %+v, want %s", o.ID(), prob.Errors, cand.pointer)
						}
						produced = true
						break
					}
					if resp.Status != http.StatusBadRequest {
						t.Errorf("%s: a zero-width space at %s answered %d: %s", o.ID(), cand.pointer, resp.Status, resp.Body)
					}
				}
				if !produced {
					t.Errorf("%s lists text_invalid, but no text of its example body can carry one past the contract", o.ID())
				}
			}
		})

		t.Run("cursor", func(t *testing.T) {
			for _, o := range ops {
				if !lists(o, http.StatusBadRequest, "invalid_cursor") {
					continue
				}
				r := e.requestOn(t, o, allowedCaller(t, o), true)
				sep := "?"
				if strings.Contains(r.Path, "?") {
					sep = "&"
				}
				r.Path += sep + "cursor=bm90LWEtY3Vyc29y"
				expect(t, c.Do(r), http.StatusBadRequest, "invalid_cursor")
			}
		})

		t.Run("idempotency", func(t *testing.T) {
			// The key held by a first request still running, and the key of
			// an earlier request with another body.
			for _, o := range ops {
				if !lists(o, http.StatusConflict, "idempotency_request_running") {
					continue
				}
				who := allowedCaller(t, o)
				r := e.requestOn(t, o, who, true)
				scope := "user:" + e.throwawayUser(t, who).ID // the caller of writes (contractEnv.token)
				// An operation without a body (reviseChecklist) has none to hash.
				body, _ := r.Body.([]byte)
				for _, tt := range []struct {
					hash   string
					status int
					code   string
				}{
					{server.RequestHash(o.Method, r.Path, body), http.StatusConflict, "idempotency_request_running"},
					{server.RequestHash(o.Method, r.Path, append(bytes.Clone(body), ' ')), http.StatusUnprocessableEntity, "idempotency_key_reused"},
				} {
					key := "codes-" + dbtest.RandomSuffix()
					if _, err := db.ClaimIdempotencyKey(t.Context(), scope, key, tt.hash, server.IdempotencyTTL); err != nil {
						t.Fatal(err)
					}
					r.Header["Idempotency-Key"] = key
					expect(t, c.Do(r), tt.status, tt.code)
				}
			}
		})
	})
}

// absentTexts are the names of the string properties of the operation's JSON
// body that obj lacks, sorted: the texts a client may send that the example
// does not show.
func absentTexts(t *testing.T, o specOp, obj map[string]any) []string {
	t.Helper()
	var names []string
	for _, media := range o.Op.RequestBody.Value.Content {
		if media.Schema == nil || media.Schema.Value == nil {
			continue
		}
		for name, prop := range media.Schema.Value.Properties {
			v := prop.Value
			if _, shown := obj[name]; shown || v == nil || !v.Type.Is("string") || len(v.Enum) > 0 || v.Format != "" {
				continue
			}
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// stringLeaves are the JSON pointers of the strings of doc, in a stable order.
func stringLeaves(doc any, at string) []string {
	var out []string
	switch v := doc.(type) {
	case string:
		out = append(out, at)
	case []any:
		for i, e := range v {
			out = append(out, stringLeaves(e, at+"/"+strconv.Itoa(i))...)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, stringLeaves(v[k], at+"/"+k)...)
		}
	}
	return out
}

// withText is doc, as JSON, with extra appended to the string at pointer.
func withText(t *testing.T, doc any, pointer, extra string) []byte {
	t.Helper()
	b, _ := json.Marshal(doc)
	var cp any
	_ = json.Unmarshal(b, &cp)
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	var set func(v any, i int) any
	set = func(v any, i int) any {
		if i == len(parts) {
			return v.(string) + extra
		}
		switch c := v.(type) {
		case map[string]any:
			c[parts[i]] = set(c[parts[i]], i+1)
			return c
		case []any:
			n, _ := strconv.Atoi(parts[i])
			c[n] = set(c[n], i+1)
			return c
		}
		return v
	}
	out, err := json.Marshal(set(cp, 0))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
