package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
)

// A feed page is written byte for byte as the generated response writes
// the contract's FeedPage: upserts and deletes, times with and without a
// fraction, records whose texts encoding/json escapes.
func TestFeedPageBytes(t *testing.T) {
	seq := func(n int64) *int64 { return &n }
	at := time.Date(2022, 3, 4, 5, 6, 7, 891011000, time.FixedZone("CST", 8*3600))
	body, err := json.Marshal(api.Unit{Name: `<司法局> & "法治"`, Code: "3201\u2028", Path: "/a/"})
	if err != nil {
		t.Fatal(err)
	}
	page := feedPage{
		events: []models.FeedEvent{
			{Seq: seq(41), RecordType: "unit", RecordID: "0190a000-0000-7000-8000-000000000010", OccurredAt: at},
			{Seq: seq(42), RecordType: "indicatorValue", RecordID: "0190a000-0000-7000-8000-000000000011", OccurredAt: at.Truncate(time.Second)},
			{Seq: seq(1 << 40), RecordType: "类型<&>", RecordID: "0190A000-0000-7000-8000-0000000000FF", OccurredAt: at},
		},
		records: []*renderedRecord{{id: "x", version: 7, body: body}, nil, {version: 1, body: []byte(`{}`)}},
		next:    "1099511627776",
	}
	got, err := page.appendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := api.FeedPage{NextCursor: page.next}
	for i, e := range page.events {
		out := api.FeedEvent{Seq: *e.Seq, RecordType: api.RecordType(e.RecordType), Id: uuidOf(e.RecordID),
			Operation: api.Delete, OccurredAt: e.OccurredAt.UTC()}
		if r := page.records[i]; r != nil {
			out.Operation, out.Version, out.Record = api.Upsert, ptr(r.version), ptr(api.FeedRecord(r.body))
		}
		want.Items = append(want.Items, out)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("the page:\n%s\nthe generated encoding:\n%s", got, buf.Bytes())
	}
	empty, err := feedPage{next: "0"}.appendJSON(nil)
	if err != nil || string(empty) != "{\"items\":[],\"nextCursor\":\"0\"}\n" {
		t.Errorf("an empty page: %q, %v", empty, err)
	}
}
