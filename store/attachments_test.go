package store_test

import (
	"strings"
	"testing"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

func newAttachment(valueID, filename string) *models.Attachment {
	id := store.NewID()
	return &models.Attachment{ID: id, ValueID: valueID, Filename: filename, ContentType: "application/pdf", Size: 183204,
		SHA256: strings.Repeat("9f", 32), BlobKey: id, CreatedBy: "user:0190a000-0000-7000-8000-000000001003"}
}

func TestAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := models.WithRequestInfo(t.Context(), models.RequestInfo{Operation: "uploadValueAttachment",
			Caller: models.Caller{Kind: models.CallerUser, ID: "0190a000-0000-7000-8000-000000001003", Name: "reporter"}})
		s := newValueSetup(t, db, "year")
		v := s.report(t, db, s.town, "2021", "58.10")

		// Names are kept as uploaded: traditional and simplified Chinese,
		// spaces, characters a file system would refuse, 255 characters.
		names := []string{"遼事通注冊統計.pdf", "辽事通注册统计 (2).pdf", `a/b\c:"d".pdf`, strings.Repeat("報", 251) + ".pdf"}
		var made []*models.Attachment
		for _, name := range names {
			a := newAttachment(v.ID, name)
			checkErr(t, "create "+name, db.CreateAttachment(ctx, a), nil, "")
			if a.CreatedAt.IsZero() {
				t.Errorf("CreatedAt not set")
			}
			made = append(made, a)
		}
		got, err := db.GetAttachment(ctx, made[0].ID)
		checkErr(t, "get", err, nil, "")
		if *got != *made[0] {
			t.Errorf("read back %+v, want %+v", got, made[0])
		}
		for i, a := range made {
			g, err := db.GetAttachment(ctx, a.ID)
			checkErr(t, "get", err, nil, "")
			if g.Filename != names[i] {
				t.Errorf("filename %q read back as %q", names[i], g.Filename)
			}
		}
		_, err = db.GetAttachment(ctx, "0190a000-0000-7000-8000-00000000ffff")
		checkErr(t, "get unknown", err, models.ErrNotFound, "")

		// Oldest first, paged.
		var ids []string
		var after *paging.Cursor
		for {
			page, next, err := db.ListAttachments(ctx, v.ID, paging.Page{Limit: 3, Sort: paging.Sort{Field: "id"}, After: after})
			checkErr(t, "list", err, nil, "")
			for _, a := range page {
				ids = append(ids, a.ID)
			}
			if next == nil {
				break
			}
			after = next
		}
		if len(ids) != len(made) {
			t.Fatalf("listed %d attachments, want %d", len(ids), len(made))
		}
		for i := range made {
			if ids[i] != made[i].ID {
				t.Errorf("item %d is %s, want %s (oldest first)", i, ids[i], made[i].ID)
			}
		}
		other, _, err := db.ListAttachments(ctx, s.report(t, db, s.district, "2021", "7").ID, paging.Page{})
		if err != nil || len(other) != 0 {
			t.Errorf("another value lists %d attachments (%v)", len(other), err)
		}

		// Each upload is audited, under the value's unit.
		for _, a := range made {
			events, _, err := db.ListAuditEvents(ctx, models.AuditFilter{EntityType: "attachment", EntityID: a.ID}, paging.Page{Limit: 10})
			checkErr(t, "audit", err, nil, "")
			if len(events) != 1 {
				t.Fatalf("%d events for attachment %s, want 1", len(events), a.ID)
			}
			e := events[0]
			if e.UnitID == nil || *e.UnitID != s.town.ID || e.UnitPath != s.town.Path || e.Operation != "uploadValueAttachment" ||
				!strings.Contains(e.After, a.SHA256) || e.Before != "" {
				t.Errorf("event %+v", e)
			}
		}

		// Only draft and returned values take evidence.
		checkErr(t, "same id twice", db.CreateAttachment(ctx, &models.Attachment{ID: made[0].ID, ValueID: v.ID, Filename: "x",
			ContentType: "text/plain", SHA256: made[0].SHA256, BlobKey: "other", CreatedBy: "user:x"}), models.ErrConflict, "")
		if _, err := db.SubmitValue(ctx, v.ID, "user:a"); err != nil {
			t.Fatal(err)
		}
		checkErr(t, "attach to a submitted value", db.CreateAttachment(ctx, newAttachment(v.ID, "late.pdf")), models.ErrConflict, "value_not_editable")
		if _, err := db.ReturnValue(ctx, v.ID, "user:r", "請補充佐證材料"); err != nil {
			t.Fatal(err)
		}
		checkErr(t, "attach to a returned value", db.CreateAttachment(ctx, newAttachment(v.ID, "補充.pdf")), nil, "")
		checkErr(t, "attach to no value", db.CreateAttachment(ctx, newAttachment("0190a000-0000-7000-8000-00000000ffff", "x.pdf")),
			models.ErrNotFound, "")
		if n := rowCount(t, db, "attachments", "value_id = ?", v.ID); n != int64(len(made)+1) {
			t.Errorf("%d rows, want %d", n, len(made)+1)
		}
	})
}
