package server_test

import (
	"net/http"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

// who is an actor as "type:id", the form the tests compare.
func who(a *api.Actor) string {
	if a == nil {
		return ""
	}
	s := string(a.Type)
	if a.Id != nil {
		s += ":" + a.Id.String()
	}
	return s
}

// TestActorsHaveOneForm: every "who did it" field is an Actor: its type, its
// id and, for a user caller, the name of the user as it is now; a caller with
// an API key gets no names.
func TestActorsHaveOneForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		admin, reviewer, reporter := h.fx.users["admin"], h.fx.users["reviewer"], h.fx.users["reporter"]
		named := func(t *testing.T, field string, a *api.Actor, id, name string) {
			t.Helper()
			if who(a) != "user:"+id || a.Name == nil || *a.Name != name {
				t.Errorf("%s = %+v, want user %s named %q", field, a, id, name)
			}
		}

		sys, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := h.report(t, h.as("reporter"), valueBody(inds[0], h.fx.town, "2021", "5", nil))
		att := h.mustUpload(t, v.Id.String(), "佐证.pdf", fixturePDF, h.as("reporter"))
		named(t, "attachment createdBy (to its uploader)", &att.CreatedBy, reporter.ID, reporter.DisplayName)
		h.mustAct(t, v.Id.String(), "submit", nil, h.as("reporter"), "submitted")
		h.mustAct(t, v.Id.String(), "approve", nil, h.as("reviewer"), "approved")
		got := h.getValue(t, v.Id.String(), nil)
		named(t, "submittedBy", got.SubmittedBy, reporter.ID, reporter.DisplayName)
		named(t, "reviewedBy", got.ReviewedBy, reviewer.ID, reviewer.DisplayName)
		list := h.listAttachments(t, v.Id.String(), nil, 10)
		if len(list) != 1 {
			t.Fatalf("%d attachments", len(list))
		}
		named(t, "attachment createdBy", &list[0].CreatedBy, reporter.ID, reporter.DisplayName)

		key := h.newKey(t, map[string]any{"name": "省级平台 " + tag(), "scopes": []string{"read"}})
		named(t, "API key createdBy", &key.CreatedBy, admin.ID, admin.DisplayName)

		e := h.createEvaluation(t, map[string]any{"systemId": sys.Id.String(), "year": 2021, "unitIds": []string{h.fx.town}})
		pub := h.publishEvaluation(t, e.Id.String(), e.Version)
		named(t, "publishedBy", pub.PublishedBy, admin.ID, admin.DisplayName)

		// A key reads the ids only.
		resp := h.Get(valuesPath+"/"+v.Id.String(), h.as("key:read"))
		expect(t, resp, http.StatusOK, "")
		byKey := decodeValue(t, resp)
		if who(byKey.SubmittedBy) != "user:"+reporter.ID || byKey.SubmittedBy.Name != nil || byKey.ReviewedBy.Name != nil {
			t.Errorf("as a key: submittedBy %+v, reviewedBy %+v, want ids without names", byKey.SubmittedBy, byKey.ReviewedBy)
		}
	})
}
