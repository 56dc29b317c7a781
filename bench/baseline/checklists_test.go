package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// checklistWorld is what seedChecklists writes.
type checklistWorld struct {
	published string // the city's, 120 items
	draft     string // the district's, 12 items, five of them sharing a sequence
	elsewhere string // a draft of the other city
}

// seedChecklists writes a published list of the city, whose items name the
// district, its town or no implementing unit, some without a legal basis or
// a category, some with a remark and with characters JSON escapes; and two
// drafts, the district's and the other city's. A draft's items may share a
// sequence, which the keyset seek breaks by id.
func seedChecklists(t *testing.T, db *dbtest.DB, w *world) checklistWorld {
	ctx := t.Context()
	list := func(issuer, title string) *models.Checklist {
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: "noPenalty", Title: title, IssuingUnitID: issuer,
			DocumentNumber: "基准政办发〔2021〕7号", Year: 2021})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	_, templates := demo.FlexibleList2021()
	items := func(n int, units []*string, sequence func(i int) int) []*models.ChecklistItem {
		out := make([]*models.ChecklistItem, n)
		for i := range out {
			tp := templates[(i*7)%len(templates)]
			it := &models.ChecklistItem{Name: tp.Name, ImplementingUnitID: units[i%len(units)], LegalBasis: tp.LegalBasis,
				Category: tp.Category, Attributes: tp.Attributes, Sequence: sequence(i)}
			switch i % 5 {
			case 1:
				it.LegalBasis, it.Category = "", ""
			case 2:
				it.Remark = `依据<“新法”>&旧法`
				it.Attributes = map[string]string{"violatedProvision": "《条例》第3条 <a>&", "penaltyProvision": "第\u2028五条",
					"conditions": "首次\t违法"}
			}
			out[i] = it
		}
		return out
	}
	byOrder := func(int) int { return 0 } // each after the last

	var cw checklistWorld
	published := list(w.root, "基准市不予处罚事项清单")
	if err := db.AddChecklistItems(ctx, published.ID, items(120, []*string{&w.district, &w.town, nil}, byOrder)); err != nil {
		t.Fatal(err)
	}
	submitter, reviewer := models.UserActor(store.NewID()), models.UserActor(store.NewID())
	published, err := db.SubmitChecklist(ctx, published.ID, &published.Version, submitter)
	if err != nil {
		t.Fatal(err)
	}
	if published, err = db.PublishChecklist(ctx, published.ID, &published.Version, reviewer, ""); err != nil {
		t.Fatal(err)
	}
	cw.published = published.ID

	draft := list(w.district, "第1区不予处罚事项清单")
	sequences := func(i int) int { return []int{1, 2, 5, 5, 5, 5, 5, 6, 7, 8, 9, 10}[i] }
	if err := db.AddChecklistItems(ctx, draft.ID, items(12, []*string{&w.town}, sequences)); err != nil {
		t.Fatal(err)
	}
	cw.draft = draft.ID

	elsewhere := list(w.other, "别的市不予处罚事项清单")
	if err := db.AddChecklistItems(ctx, elsewhere.ID, items(3, []*string{nil}, byOrder)); err != nil {
		t.Fatal(err)
	}
	cw.elsewhere = elsewhere.ID
	return cw
}

func testListChecklistItems(t *testing.T, s servers, db *dbtest.DB, w *world) {
	cw := seedChecklists(t, db, w)
	admin, viewer, outsider := w.tokens["admin"], w.tokens["viewer"], w.tokens["outsider"]
	items := func(id, query string) string { return "/api/v1/checklists/" + id + "/items?" + query }

	// A published list is every user's: the outsider's pages are the admin's.
	for _, token := range []string{admin, viewer, outsider} {
		if got := s.pages(t, items(cw.published, "limit=50"), token); fmt.Sprint(got) != "[50 50 20]" {
			t.Errorf("pages of %v items, want [50 50 20]", got)
		}
	}
	if got := s.pages(t, items(cw.published, "implementingUnitId="+w.town+"&limit=7"), admin); fmt.Sprint(got) != "[7 7 7 7 7 5]" {
		t.Errorf("the town's pages of %v items, want five of 7 and one of 5", got)
	}
	s.same(t, call{target: "/api/v1/checklists/" + cw.published + "/items", token: admin}, 200)

	// A draft is its subtree's: the district's viewer reads it, in pages
	// that end inside the items sharing sequence 5; the outsider finds
	// nothing there, nor the viewer in the other city's.
	for _, token := range []string{admin, viewer} {
		if got := s.pages(t, items(cw.draft, "limit=3"), token); fmt.Sprint(got) != "[3 3 3 3]" {
			t.Errorf("pages of %v items of the draft, want [3 3 3 3]", got)
		}
	}
	s.same(t, call{target: items(cw.draft, "limit=3"), token: outsider}, 404)
	s.same(t, call{target: items(cw.elsewhere, "limit=3"), token: viewer}, 404)
	s.pages(t, items(cw.elsewhere, "limit=3"), outsider)
	s.same(t, call{target: items(newID(), "limit=50"), token: admin}, 404)

	// A cursor is good only for the list's filters; the validator refuses
	// what the contract does not allow.
	first := s.same(t, call{target: items(cw.published, "limit=50"), token: admin}, 200)
	cursor, _ := nextCursor(t, first.Body.Bytes())
	s.same(t, call{target: items(cw.published, "limit=50&cursor="+cursor), token: viewer}, 200)
	s.sameStatus(t, call{target: items(cw.published, "implementingUnitId="+w.town+"&cursor="+cursor), token: admin}, 400)
	s.sameStatus(t, call{target: items(cw.published, "cursor=bm9wZQ"), token: admin}, 400)
	// A cursor of this list made by hand, its position not a sequence.
	var forged paging.Cursor
	raw, _ := base64.RawURLEncoding.DecodeString(cursor)
	if err := json.Unmarshal(raw, &forged); err != nil {
		t.Fatal(err)
	}
	forged.Key = "x"
	s.same(t, call{target: items(cw.published, "limit=50&cursor="+forged.Encode()), token: admin}, 400)
	s.sameStatus(t, call{target: items(cw.published, "limit=501"), token: admin}, 400)
	s.sameStatus(t, call{target: "/api/v1/checklists/nope/items", token: admin}, 400)
	// fazhi checks the list before the cursor: an unknown list is a 404 whatever the cursor.
	s.same(t, call{target: items(newID(), "cursor=bm9wZQ"), token: admin}, 404)
}
