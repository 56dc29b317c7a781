package server_test

import (
	"net/http"
	"testing"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

// TestConditionalGets: every record read with an ETag answers 304, with the
// ETag and no body, to an If-None-Match of its current ETag, and the record
// to any other.
func TestConditionalGets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		for what, path := range map[string]string{
			"unit":             unitsPath + "/" + h.fx.city,
			"indicator system": systemsPath + "/" + h.fx.system,
			"indicator":        indicatorsPath + "/" + h.fx.indicator,
			"target":           "/api/v1/targets/" + h.fx.target,
			"indicator value":  valuesPath + "/" + h.fx.value,
			"evaluation":       "/api/v1/evaluations/" + h.fx.evaluation,
		} {
			t.Run(what, func(t *testing.T) {
				first := h.Get(path, nil)
				expect(t, first, http.StatusOK, "")
				tag := first.Header.Get("ETag")
				if tag == "" {
					t.Fatal("no ETag")
				}
				same := h.Get(path, map[string]string{"If-None-Match": tag})
				expect(t, same, http.StatusNotModified, "")
				if len(same.Body) != 0 || same.Header.Get("ETag") != tag {
					t.Errorf("304 with body %q and ETag %q, want none and %s", same.Body, same.Header.Get("ETag"), tag)
				}
				other := h.Get(path, map[string]string{"If-None-Match": `"999"`})
				expect(t, other, http.StatusOK, "")
				if string(other.Body) != string(first.Body) {
					t.Errorf("a stale ETag got %s, want the record %s", other.Body, first.Body)
				}
			})
		}
	})
}
