package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go/types"

	"github.com/xuri/excelize/v2"
	"golang.org/x/tools/go/packages"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

const (
	feedPath     = "/api/v1/feed"
	snapshotPath = "/api/v1/snapshot"
	exportsPath  = "/api/v1/exports/"
)

// snapshotLine is a line of a snapshot: a record, or the last one, the cursor.
type snapshotLine struct {
	RecordType string          `json:"recordType"`
	ID         string          `json:"id"`
	Version    int64           `json:"version"`
	Record     json.RawMessage `json:"record"`
	Cursor     *string         `json:"cursor"`
}

// checkLines parses NDJSON lines, each validated against the contract's
// schema: SnapshotRecord, or SnapshotEnd for the last line when withEnd.
func checkLines(t *testing.T, body []byte, withEnd bool) (records []snapshotLine, cursor string) {
	t.Helper()
	schemas := apitest.Contract(t).Doc.Components.Schemas
	lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
	if len(body) == 0 || body[len(body)-1] != '\n' {
		t.Fatalf("NDJSON does not end with a newline: %q", body)
	}
	for i, raw := range lines {
		schema := "SnapshotRecord"
		if withEnd && i == len(lines)-1 {
			schema = "SnapshotEnd"
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, raw)
		}
		if err := schemas[schema].Value.VisitJSON(doc); err != nil {
			t.Fatalf("line %d violates %s: %v: %s", i+1, schema, err, raw)
		}
		var l snapshotLine
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		if l.Cursor != nil {
			cursor = *l.Cursor
			continue
		}
		records = append(records, l)
	}
	if withEnd && cursor == "" {
		t.Fatal("the snapshot has no cursor line")
	}
	return records, cursor
}

// snapshot takes a snapshot as who, of the types (all when empty).
func (h *harness) snapshot(t *testing.T, who map[string]string, types string) ([]snapshotLine, string) {
	t.Helper()
	path := snapshotPath
	if types != "" {
		path += "?types=" + types
	}
	resp := h.Get(path, who)
	expect(t, resp, http.StatusOK, "")
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", ct)
	}
	return checkLines(t, resp.Body, true)
}

// feedEvent is an event as the contract writes it.
type feedEvent = api.FeedEvent

// feed reads one page of the feed as who.
func (h *harness) feed(t *testing.T, who map[string]string, cursor string, query url.Values) api.FeedPage {
	t.Helper()
	q := url.Values{"cursor": {cursor}}
	for k, v := range query {
		q[k] = v
	}
	resp := h.Get(feedPath+"?"+q.Encode(), who)
	expect(t, resp, http.StatusOK, "")
	var page api.FeedPage
	resp.JSON(t, &page)
	return page
}

// feedAll reads the feed from cursor until a page is empty, and returns the
// events and the cursor reached.
func (h *harness) feedAll(t *testing.T, who map[string]string, cursor string, query url.Values) ([]feedEvent, string) {
	t.Helper()
	var all []feedEvent
	for range 1000 {
		page := h.feed(t, who, cursor, query)
		if len(page.Items) == 0 {
			if page.NextCursor != cursor {
				t.Fatalf("an empty page moved the cursor from %s to %s", cursor, page.NextCursor)
			}
			return all, cursor
		}
		all = append(all, page.Items...)
		cursor = page.NextCursor
	}
	t.Fatal("the feed does not end")
	return nil, ""
}

// eventsOf are the events about one record.
func eventsOf(events []feedEvent, id string) []feedEvent {
	var out []feedEvent
	for _, e := range events {
		if e.Id.String() == id {
			out = append(out, e)
		}
	}
	return out
}

// sameJSON reports whether two JSON documents are equal as values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// The feed carries exactly the changes of released records, each as its GET
// shows it to a key when the page is read: a value appears when approved,
// never as a draft or in review, and leaves as a tombstone when it is sent
// back; a unit appears when made and changed, and a tombstone when deleted.
// A snapshot and the feed read from its cursor hold the same records.
func TestFeedCarriesReleasedChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		feedKey, readKey := h.as("key:feed"), h.as("key:read")
		records, c0 := h.snapshot(t, feedKey, "")
		byID := map[string]snapshotLine{}
		for _, r := range records {
			byID[r.ID] = r
		}
		// The snapshot holds released records as their GET shows them to a
		// key, and no draft.
		city := h.Get("/api/v1/units/"+h.fx.city, readKey)
		expect(t, city, http.StatusOK, "")
		if r, ok := byID[h.fx.city]; !ok || r.RecordType != "unit" || !sameJSON(t, r.Record, city.Body) {
			t.Errorf("snapshot's city %+v, GET %s", r, city.Body)
		}
		evaluation := h.Get("/api/v1/evaluations/"+h.fx.evaluation, readKey)
		expect(t, evaluation, http.StatusOK, "")
		if r, ok := byID[h.fx.evaluation]; !ok || r.RecordType != "evaluation" || !sameJSON(t, r.Record, evaluation.Body) {
			t.Errorf("snapshot's published evaluation %+v, GET %s", r, evaluation.Body)
		}
		for _, draft := range []string{h.fx.value, h.fx.draftPlan, h.fx.annualReport, h.fx.draftChecklist, h.fx.problem, h.fx.report} {
			if r, ok := byID[draft]; ok {
				t.Errorf("the snapshot holds %s %s, which is not released", r.RecordType, draft)
			}
		}

		// A unit made and renamed, and a value reported, submitted and approved.
		unit := h.createUnit(t, map[string]any{"code": townCode(), "name": "订阅测试街道", "kind": "town", "parentId": h.fx.district})
		renamed := h.Patch("/api/v1/units/"+unit.Id.String(), map[string]any{"name": "订阅测试街道（更名）"}, matching(1))
		expect(t, renamed, http.StatusOK, "")
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"name": "订阅测试指标"}))
		v := h.report(t, h.as("reporter"), valueBody(inds[0], h.fx.town, "2021", "12", nil))
		h.mustAct(t, v.Id.String(), "submit", nil, h.as("reporter"), "submitted")

		events, c1 := h.feedAll(t, feedKey, c0, nil)
		if got := eventsOf(events, v.Id.String()); len(got) != 0 {
			t.Errorf("a draft and a submitted value appear in the feed: %+v", got)
		}
		unitEvents := eventsOf(events, unit.Id.String())
		if len(unitEvents) != 2 {
			t.Fatalf("unit made and renamed: %d events, want 2: %+v", len(unitEvents), unitEvents)
		}
		unitNow := h.Get("/api/v1/units/"+unit.Id.String(), readKey)
		for _, e := range unitEvents {
			if e.Operation != api.Upsert || e.RecordType != api.RecordTypeUnit || e.Version == nil || *e.Version != 2 ||
				e.Record == nil || !sameJSON(t, *e.Record, unitNow.Body) {
				t.Errorf("unit event %+v, want an upsert of the unit as it is now: %s", e, unitNow.Body)
			}
		}
		for i := 1; i < len(events); i++ {
			if events[i].Seq <= events[i-1].Seq {
				t.Fatalf("events out of order: %d after %d", events[i].Seq, events[i-1].Seq)
			}
		}

		approved := h.mustAct(t, v.Id.String(), "approve", map[string]any{}, h.as("reviewer"), "approved")
		events, c2 := h.feedAll(t, feedKey, c1, url.Values{"types": {"indicator_value"}})
		got := eventsOf(events, v.Id.String())
		valueNow := h.Get("/api/v1/indicator-values/"+v.Id.String(), readKey)
		expect(t, valueNow, http.StatusOK, "")
		if len(got) != 1 || got[0].Operation != api.Upsert || *got[0].Version != approved.Version || !sameJSON(t, *got[0].Record, valueNow.Body) {
			t.Fatalf("approved value: events %+v, want one upsert of %s", got, valueNow.Body)
		}
		for _, e := range events {
			if e.RecordType != api.RecordTypeIndicatorValue {
				t.Errorf("types=indicator_value served a %s", e.RecordType)
			}
		}

		// Sent back, the value leaves: a tombstone; read again from the
		// start, its earlier event is a tombstone too (it is served as the
		// value is now), so applying the feed in order ends with no value.
		h.mustAct(t, v.Id.String(), "return", map[string]any{"reason": "请补充统计口径"}, h.as("reviewer"), "returned")
		expect(t, h.Delete("/api/v1/units/"+unit.Id.String(), matching(2)), http.StatusNoContent, "")
		events, _ = h.feedAll(t, feedKey, c2, nil)
		for _, id := range []string{v.Id.String(), unit.Id.String()} {
			got := eventsOf(events, id)
			if len(got) != 1 || got[0].Operation != api.Delete || got[0].Version != nil || got[0].Record != nil {
				t.Errorf("%s left: events %+v, want one tombstone", id, got)
			}
		}
		events, _ = h.feedAll(t, feedKey, c0, nil)
		for _, e := range append(eventsOf(events, v.Id.String()), eventsOf(events, unit.Id.String())...) {
			if e.Operation != api.Delete {
				t.Errorf("event %d of a record gone is served as %s", e.Seq, e.Operation)
			}
		}

		// Snapshot + feed = state: a snapshot now holds what the one taken
		// at c0 holds with the feed since c0 applied.
		state := map[string]string{}
		for _, r := range records {
			state[r.RecordType+"/"+r.ID] = string(r.Record)
		}
		for _, e := range events {
			key := string(e.RecordType) + "/" + e.Id.String()
			if e.Operation == api.Delete {
				delete(state, key)
			} else {
				state[key] = string(*e.Record)
			}
		}
		now, _ := h.snapshot(t, feedKey, "")
		if len(now) != len(state) {
			t.Errorf("snapshot holds %d records, the old snapshot with the feed %d", len(now), len(state))
		}
		for _, r := range now {
			if old, ok := state[r.RecordType+"/"+r.ID]; !ok || !sameJSON(t, []byte(old), r.Record) {
				t.Errorf("%s %s: snapshot %s, old snapshot with the feed %s", r.RecordType, r.ID, r.Record, old)
			}
		}
	})
}

// A page holds at most limit events and always says where to go on: its
// last event, or, empty, the cursor sent. A snapshot of some types holds
// those only, gzip-compressed when asked.
func TestFeedPagesAndSnapshotOptions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey := h.as("key:feed")
		_, c0 := h.snapshot(t, feedKey, "")
		for range 3 {
			h.createUnit(t, map[string]any{"code": townCode(), "name": "分页测试街道", "kind": "town", "parentId": h.fx.district})
		}
		page := h.feed(t, feedKey, c0, url.Values{"limit": {"2"}})
		if len(page.Items) != 2 || page.NextCursor != strconv.FormatInt(page.Items[1].Seq, 10) {
			t.Fatalf("limit 2: %d events, nextCursor %s", len(page.Items), page.NextCursor)
		}
		rest, head := h.feedAll(t, feedKey, page.NextCursor, nil)
		if len(rest) < 1 {
			t.Fatalf("the third unit is missing after the first page")
		}
		empty := h.feed(t, feedKey, head, nil)
		if len(empty.Items) != 0 || empty.NextCursor != head {
			t.Fatalf("at the head: %+v", empty)
		}

		units, _ := h.snapshot(t, feedKey, "unit,plan")
		for _, r := range units {
			if r.RecordType != "unit" && r.RecordType != "plan" {
				t.Fatalf("types=unit,plan: a %s", r.RecordType)
			}
		}
		plain := h.Get(snapshotPath+"?types=unit", feedKey)
		zipped := h.Get(snapshotPath+"?types=unit", with(feedKey, map[string]string{"Accept-Encoding": "br;q=1, gzip;q=0.8"}))
		expect(t, zipped, http.StatusOK, "")
		if zipped.Header.Get("Content-Encoding") != "gzip" || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("Content-Encoding %q and %q", zipped.Header.Get("Content-Encoding"), plain.Header.Get("Content-Encoding"))
		}
		z, err := gzip.NewReader(bytes.NewReader(zipped.Body))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(z)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(unzipped, plain.Body) {
			t.Errorf("the gzip snapshot differs from the plain one")
		}
		refused := h.Get(snapshotPath+"?types=unit", with(feedKey, map[string]string{"Accept-Encoding": "gzip;q=0"}))
		if refused.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip;q=0 was answered with gzip")
		}
	})
}

// Refusals: a cursor that is no number the feed gave, a limit out of range,
// an unknown type, no key, a key without the scope, a user.
func TestFeedRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey := h.as("key:feed")
		for _, tt := range []struct {
			path   string
			who    map[string]string
			status int
			code   string
		}{
			{feedPath + "?cursor=abc", feedKey, 400, "invalid_cursor"},
			{feedPath + "?cursor=12.5", feedKey, 400, "invalid_request"},
			{feedPath + "?cursor=9999999999999999999", feedKey, 400, "invalid_cursor"},
			{feedPath + "?limit=0", feedKey, 400, "invalid_request"},
			{feedPath + "?limit=5001", feedKey, 400, "invalid_request"},
			{feedPath + "?types=user", feedKey, 400, "invalid_request"},
			{snapshotPath + "?types=session", feedKey, 400, "invalid_request"},
			{feedPath, map[string]string{"Authorization": ""}, 401, "unauthenticated"},
			{snapshotPath, map[string]string{"Authorization": ""}, 401, "unauthenticated"},
			{feedPath, h.as("key:read"), 403, "forbidden"},
			{snapshotPath, h.as("key:read"), 403, "forbidden"},
			{feedPath, nil, 403, "forbidden"}, // the administrator: users do not pull
			{exportsPath + "1999", nil, 400, "invalid_request"},
			{exportsPath + "2021?format=csv", nil, 400, "invalid_request"},
			{exportsPath + "2021", feedKey, 403, "forbidden"},
			{exportsPath + "2021", map[string]string{"Authorization": ""}, 401, "unauthenticated"},
		} {
			expect(t, h.Get(tt.path, tt.who), tt.status, tt.code)
		}
	})
}

// Compaction deletes events older than the retention, oldest first, and
// keeps younger ones; a cursor below what it deleted is answered 410, and a
// new snapshot's cursor reads on.
func TestFeedRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey := h.as("key:feed")
		_, c0 := h.snapshot(t, feedKey, "unit")
		old := h.createUnit(t, map[string]any{"code": townCode(), "name": "保留期测试街道", "kind": "town", "parentId": h.fx.district})
		events, _ := h.feedAll(t, feedKey, c0, nil)
		if len(eventsOf(events, old.Id.String())) != 1 {
			t.Fatalf("the new unit's event: %+v", events)
		}
		time.Sleep(10 * time.Millisecond)
		horizon := time.Now()
		time.Sleep(10 * time.Millisecond)
		young := h.createUnit(t, map[string]any{"code": townCode(), "name": "保留期测试街道二", "kind": "town", "parentId": h.fx.district})
		// The young unit's event is numbered when the feed is next read.
		h.feed(t, feedKey, c0, url.Values{"limit": {"1"}})
		deleted, err := db.CompactFeed(t.Context(), horizon)
		if err != nil {
			t.Fatal(err)
		}
		if deleted < 1 {
			t.Fatalf("compaction deleted %d events", deleted)
		}
		expect(t, h.Get(feedPath+"?cursor="+c0, feedKey), http.StatusGone, "feed_cursor_expired")
		expect(t, h.Get(feedPath, feedKey), http.StatusGone, "feed_cursor_expired")
		records, c1 := h.snapshot(t, feedKey, "unit")
		if !slices.ContainsFunc(records, func(r snapshotLine) bool { return r.ID == young.Id.String() }) {
			t.Fatalf("the snapshot after compaction lacks the young unit")
		}
		// The young event is kept: read from the floor, it is there.
		var floor string
		for c, _ := strconv.ParseInt(c1, 10, 64); c >= 0; c-- {
			if resp := h.Get(feedPath+"?cursor="+strconv.FormatInt(c, 10)+"&limit=5000", feedKey); resp.Status == http.StatusGone {
				floor = strconv.FormatInt(c+1, 10)
				break
			}
		}
		events, _ = h.feedAll(t, feedKey, floor, nil)
		if len(eventsOf(events, young.Id.String())) != 1 || len(eventsOf(events, old.Id.String())) != 0 {
			t.Fatalf("after compaction from the floor %s: %d events of the young unit, %d of the old", floor,
				len(eventsOf(events, young.Id.String())), len(eventsOf(events, old.Id.String())))
		}
	})
}

// A year's export holds the released records of that year (and the units),
// one sheet per type with Chinese headers, or NDJSON; its ETag holds while
// nothing released changes.
func TestExportYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		readKey := h.as("key:read")
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"name": "导出测试指标"}))
		v := h.report(t, h.as("reporter"), valueBody(inds[0], h.fx.town, "2022", "7", nil))
		h.mustAct(t, v.Id.String(), "submit", nil, h.as("reporter"), "submitted")
		h.mustAct(t, v.Id.String(), "approve", map[string]any{}, h.as("reviewer"), "approved")

		resp := h.Get(exportsPath+"2022?format=ndjson", readKey)
		expect(t, resp, http.StatusOK, "")
		records, _ := checkLines(t, resp.Body, false)
		types := map[string]int{}
		for _, r := range records {
			types[r.RecordType]++
			var rec struct {
				Year   *int   `json:"year"`
				Period string `json:"period"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(r.Record, &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Year != nil && *rec.Year != 2022 && r.RecordType != "indicator_system" {
				t.Errorf("2022's export holds a %s of %d", r.RecordType, *rec.Year)
			}
			if r.RecordType == "indicator_value" && rec.Status != "approved" && rec.Status != "locked" {
				t.Errorf("2022's export holds a %s value", rec.Status)
			}
		}
		if !slices.ContainsFunc(records, func(r snapshotLine) bool { return r.ID == v.Id.String() }) || types["unit"] == 0 {
			t.Fatalf("2022's export lacks the approved value or the units: %v", types)
		}
		tag := resp.Header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag")
		}

		xlsx := h.Get(exportsPath+"2022", h.as("viewer"))
		expect(t, xlsx, http.StatusOK, "")
		if xlsx.Header.Get("ETag") != tag {
			t.Errorf("ETag %s for the workbook, %s for NDJSON", xlsx.Header.Get("ETag"), tag)
		}
		f, err := excelize.OpenReader(bytes.NewReader(xlsx.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		for _, want := range []string{"单位", "指标体系", "指标数值", "考核评价", "清单", "工作计划", "任务进展", "存在问题", "年度报告"} {
			if !slices.Contains(sheets, want) {
				t.Errorf("sheets %v lack %s", sheets, want)
			}
		}
		rows, err := f.GetRows("指标数值")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || rows[0][0] != "编号" || !slices.Contains(rows[0], "状态") || !slices.Contains(rows[0], "数值") {
			t.Fatalf("header row %v", rows[0])
		}
		found := false
		for _, r := range rows[1:] {
			found = found || r[0] == v.Id.String()
		}
		if !found {
			t.Errorf("the workbook's values lack %s", v.Id)
		}

		expect(t, h.Get(exportsPath+"2022", with(readKey, map[string]string{"If-None-Match": tag})), http.StatusNotModified, "")
		h.mustAct(t, v.Id.String(), "return", map[string]any{"reason": "需要更正"}, h.as("reviewer"), "returned")
		again := h.Get(exportsPath+"2022?format=ndjson", with(readKey, map[string]string{"If-None-Match": tag}))
		expect(t, again, http.StatusOK, "")
		if again.Header.Get("ETag") == tag {
			t.Errorf("the ETag %s held across a change", tag)
		}
		records, _ = checkLines(t, again.Body, false)
		if slices.ContainsFunc(records, func(r snapshotLine) bool { return r.ID == v.Id.String() }) {
			t.Errorf("the export holds a value sent back")
		}

		// A year of no record: the units only.
		none := h.Get(exportsPath+"2099?format=ndjson", readKey)
		expect(t, none, http.StatusOK, "")
		records, _ = checkLines(t, none.Body, false)
		for _, r := range records {
			if r.RecordType != "unit" {
				t.Fatalf("2099's export holds a %s", r.RecordType)
			}
		}
	})
}

// Every record type whose model can be released is in the feed, and the
// contract names exactly the feed's types: a type the write path records
// feed events for but the feed could not render would be served as
// tombstones forever. The releasable models are found by type-checking
// package models: each named type whose pointer implements Releasable.
func TestFeedCoversReleasableRecords(t *testing.T) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes}
	pkgs, err := packages.Load(cfg, "github.com/fazhi/fazhi/models")
	if err != nil || len(pkgs) != 1 || pkgs[0].Types == nil {
		t.Fatalf("load models: %v", err)
	}
	scope := pkgs[0].Types.Scope()
	releasable := scope.Lookup("Releasable").Type().Underlying().(*types.Interface)
	var want []string
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok && !types.IsInterface(tn.Type()) &&
			types.Implements(types.NewPointer(tn.Type()), releasable) {
			want = append(want, name)
		}
	}
	feed := server.FeedModels()
	var got, names []string
	for name, m := range feed {
		if !m.ReleasedWith {
			got = append(got, m.Model)
		}
		names = append(names, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the feed renders %v, the releasable models are %v", got, want)
	}
	var enum []string
	for _, v := range apitest.Contract(t).Doc.Components.Schemas["RecordType"].Value.Enum {
		enum = append(enum, fmt.Sprint(v))
	}
	slices.Sort(enum)
	slices.Sort(names)
	if !slices.Equal(enum, names) {
		t.Errorf("the contract's RecordType is %v, the feed's types %v", enum, names)
	}
}

// No change is ever missed: writers on two instances (each with its own pool
// and sequencer, as two servers behind a load balancer) create, rename and
// delete units while a reader polls the feed in small pages. Once the
// writers are done and the reader has caught up, it has seen exactly one
// event for every change that committed, in increasing order, and applying
// them gives the state the API shows. Run many rounds in one process, so
// that the interleavings vary.
func TestFeedConcurrentWriters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		rounds, writers, renames := 25, 6, 8
		if db.Name == "sqlite" || testing.Short() {
			rounds = 3 // SQLite runs one write at a time: few interleavings to try
		}
		// The reader polls without pause: no rate limit for its key here.
		cfg := server.Config{APIKeyRate: 1 << 30}
		h := newHarness(t, db, cfg)
		second, err := store.Open(store.Config{URL: db.URL, MaxOpenConns: 10})
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		instances := []*harness{h, newHarness(t, &dbtest.DB{Name: db.Name, URL: db.URL, DB: second}, cfg)}
		// Each instance's sequencer numbers what commits, as fazhi serve's
		// does, racing the other's and the reader's.
		ctx, stop := context.WithCancel(t.Context())
		defer stop()
		for _, s := range []*store.DB{db.DB, second} {
			go s.RunSequencer(ctx, 20*time.Millisecond, func(err error) { t.Errorf("sequencer: %v", err) })
		}
		// Keys of its own: the rate counters are shared, and the fixture
		// keys must stay under their limit for the tests that follow.
		feedKey := bearer(h.newKey(t, map[string]any{"name": "并发订阅 " + tag(), "scopes": []string{"feed"}}).Secret)
		readKey := bearer(h.newKey(t, map[string]any{"name": "并发读取 " + tag(), "scopes": []string{"read"}}).Secret)
		for round := range rounds {
			_, cursor := h.snapshot(t, feedKey, "unit")
			committed := make([]map[string]int, writers) // per writer: unit id → changes committed
			var failures []string
			var mu sync.Mutex
			fail := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				failures = append(failures, fmt.Sprintf(format, args...))
			}
			var wg sync.WaitGroup
			for w := range writers {
				committed[w] = map[string]int{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := instances[w%len(instances)]
					resp := in.Post(unitsPath, map[string]any{"code": townCode(), "name": fmt.Sprintf("并发订阅 %d-%d", round, w),
						"kind": "town", "parentId": h.fx.district}, nil)
					if resp.Status != http.StatusCreated {
						fail("create: %d %s", resp.Status, resp.Body)
						return
					}
					var u api.Unit
					if err := json.Unmarshal(resp.Body, &u); err != nil {
						fail("create: %v", err)
						return
					}
					id, version := u.Id.String(), u.Version
					committed[w][id]++
					for i := range renames {
						resp := in.Patch(unitsPath+"/"+id, map[string]any{"name": fmt.Sprintf("并发订阅 %d-%d 第%d次", round, w, i)}, matching(version))
						if resp.Status != http.StatusOK {
							fail("rename %s: %d %s", id, resp.Status, resp.Body)
							return
						}
						committed[w][id]++
						version++
					}
					if w%3 == 0 {
						if resp := in.Delete(unitsPath+"/"+id, matching(version)); resp.Status != http.StatusNoContent {
							fail("delete %s: %d %s", id, resp.Status, resp.Body)
							return
						}
						committed[w][id]++
					}
				}()
			}
			writing := make(chan struct{})
			go func() { wg.Wait(); close(writing) }()

			seen := map[string][]feedEvent{}
			var last int64
			done := false
			for !done {
				select {
				case <-writing:
					done = true // one more pass: whatever committed is read below
				default:
				}
				for {
					resp := h.Get(feedPath+"?types=unit&limit=7&cursor="+cursor, feedKey)
					if resp.Status != http.StatusOK {
						t.Fatalf("round %d: feed: %d %s", round, resp.Status, resp.Body)
					}
					var page api.FeedPage
					resp.JSON(t, &page)
					for _, e := range page.Items {
						if e.Seq <= last {
							t.Fatalf("round %d: event %d after %d", round, e.Seq, last)
						}
						last = e.Seq
						seen[e.Id.String()] = append(seen[e.Id.String()], e)
					}
					cursor = page.NextCursor
					if len(page.Items) == 0 {
						break
					}
				}
			}
			if len(failures) > 0 {
				t.Fatalf("round %d: %d writes failed: %v", round, len(failures), failures)
			}
			changes := 0
			for w := range writers {
				for id, n := range committed[w] {
					changes += n
					events := seen[id]
					if len(events) != n {
						t.Fatalf("round %d: unit %s: %d changes committed, the reader saw %d events", round, id, n, len(events))
					}
					final := events[len(events)-1]
					now := h.Get(unitsPath+"/"+id, readKey)
					switch now.Status {
					case http.StatusNotFound:
						if final.Operation != api.Delete {
							t.Errorf("round %d: unit %s is deleted, its last event is %s", round, id, final.Operation)
						}
					case http.StatusOK:
						if final.Operation != api.Upsert || !sameJSON(t, *final.Record, now.Body) {
							t.Errorf("round %d: unit %s: last event %+v, now %s", round, id, final, now.Body)
						}
					default:
						t.Fatalf("round %d: GET unit %s: %d", round, id, now.Status)
					}
				}
			}
			if round == 0 {
				t.Logf("%d writers on %d instances, %d changes a round, %d rounds", writers, len(instances), changes, rounds)
			}
		}
	})
}

// feedGetPaths are where each record type's GET is.
var feedGetPaths = map[string]string{
	"unit": "/api/v1/units/", "indicator_system": "/api/v1/indicator-systems/", "indicator_value": "/api/v1/indicator-values/",
	"indicator": "/api/v1/indicators/", "checklist_item": "/api/v1/checklist-items/",
	"evaluation": "/api/v1/evaluations/", "checklist": "/api/v1/checklists/", "plan": "/api/v1/plans/",
	"progress_report": "/api/v1/progress-reports/", "problem": "/api/v1/problems/", "annual_report": "/api/v1/annual-reports/",
	"target": "/api/v1/targets/", "plan_task": "/api/v1/plan-tasks/", "checklist_application": "/api/v1/checklist-applications/",
	"inspection_round": "/api/v1/inspection-rounds/", "inspection_sheet": "/api/v1/inspection-sheets/",
}

// Every record a snapshot holds is its GET's answer to a key that reads,
// byte for byte, for every type: the feed renders each type by the
// conversion its GET uses, on the record as the store completes it.
func TestFeedMatchesGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		readKey := bearer(h.newKey(t, map[string]any{"name": "对照读取 " + tag(), "scopes": []string{"read"}}).Secret)
		reporter, reviewer := h.as("reporter"), h.as("reviewer")
		// Released records of the types the fixtures hold none of: an
		// approved value, an accepted progress report, a signed-off problem,
		// a target, a case applying a checklist, an accepted inspection
		// sheet and its round.
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"name": "对照指标"}))
		v := h.report(t, reporter, valueBody(inds[0], h.fx.town, "2021", "3", nil))
		h.mustAct(t, v.Id.String(), "submit", nil, reporter, "submitted")
		h.mustAct(t, v.Id.String(), "approve", map[string]any{}, reviewer, "approved")
		r := h.newReport(t, h.fx.planTask, reportBody(h.fx.town, "2022-08", 70), reporter)
		h.reportAct(t, r.Id.String(), "submit", nil, reporter, http.StatusOK, "")
		h.reportAct(t, r.Id.String(), "accept", nil, h.as("cityReviewer"), http.StatusOK, "")
		// The problem in a town of its own: other tests count the fixture
		// town's signed-off problems.
		town := h.createUnit(t, map[string]any{"code": townCode(), "name": "对照街道", "kind": "town", "parentId": h.fx.district})
		_, townReporter := h.signedIn(t, town.Id.String(), "reporter")
		p := h.newProblem(t, problemBody(town.Id.String(), "对照问题 "+tag(), nil), townReporter)
		h.problemAct(t, p.Id.String(), "rectify", map[string]any{"measures": "限期整改"}, townReporter, http.StatusOK, "")
		expect(t, h.uploadEvidence(t, problemPath(p.Id.String(), "evidence"), "整改报告.pdf", testPDF, townReporter), http.StatusCreated, "")
		h.problemAct(t, p.Id.String(), "sign-off", map[string]any{"note": "整改到位"}, reviewer, http.StatusOK, "")
		// A target of the published system, a case, an accepted sheet.
		h.newTarget(t, inds[0].Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "60"})
		h.acceptedSheet(t)

		records, _ := h.snapshot(t, h.as("key:feed"), "")
		checked := map[string]int{}
		for _, r := range records {
			if checked[r.RecordType] >= 25 {
				continue // enough of this type: the shared database holds many
			}
			checked[r.RecordType]++
			resp := h.Get(feedGetPaths[r.RecordType]+r.ID, readKey)
			// Byte for byte: records are encoded by another encoder than
			// the generated responses use (renderRecord).
			if resp.Status != http.StatusOK || !bytes.Equal(bytes.TrimSuffix(resp.Body, []byte("\n")), r.Record) {
				t.Errorf("%s %s: GET %d %s\nsnapshot %s", r.RecordType, r.ID, resp.Status, resp.Body, r.Record)
			}
		}
		for name := range server.FeedModels() {
			if checked[name] == 0 {
				t.Errorf("the snapshot holds no %s to compare", name)
			}
		}
	})
}

// A plan counts its tasks and the unfinished ones: a task of a released plan
// that changes changes the plan as the feed renders it, so the plan gets an
// event, and the province's copy of it stays exact.
func TestFeedPlanFollowsItsTasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey, reviewer := h.as("key:feed"), h.as("reviewer")
		plan := h.newPlan(t, reviewer, h.fx.district, 2022)
		task := h.newTask(t, plan.Id.String(), taskBody("1", "订阅测试任务", map[string]any{"leadUnitIds": []string{h.fx.district}}))
		_, cursor := h.snapshot(t, feedKey, "plan")
		events, cursor := h.feedAll(t, feedKey, cursor, nil)
		if got := eventsOf(events, plan.Id.String()); len(got) != 0 {
			t.Fatalf("a draft plan and its task in the feed: %+v", got)
		}
		h.planAct(t, plan.Id.String(), "publish", nil, reviewer, http.StatusOK, "")
		h.taskAct(t, task.Id.String(), "start", nil, reviewer, http.StatusOK, "")
		h.taskAct(t, task.Id.String(), "complete", nil, reviewer, http.StatusOK, "")
		events, _ = h.feedAll(t, feedKey, cursor, url.Values{"types": {"plan"}})
		got := eventsOf(events, plan.Id.String())
		if len(got) < 3 {
			t.Fatalf("published, its task started and completed: %d plan events, want 3 or more: %+v", len(got), got)
		}
		var last struct {
			TaskCount, UnfinishedCount int
		}
		if err := json.Unmarshal(*got[len(got)-1].Record, &last); err != nil {
			t.Fatal(err)
		}
		if last.TaskCount != 1 || last.UnfinishedCount != 0 {
			t.Errorf("the plan as the feed last rendered it: %+v", last)
		}
	})
}

// Every field of every exported record has a Chinese header in the yearly
// workbook: a field added to a record type's schema fails here until it has.
func TestFeedColumnsHaveHeaders(t *testing.T) {
	if missing := server.FeedColumnsWithoutHeader(); len(missing) > 0 {
		t.Errorf("fields without a header in fieldHeaders: %v", missing)
	}
}

// A part of a record (a checklist's items, a system's indicators) leaves and
// arrives with it: publishing the checklist brings an event for each item,
// abolishing it a tombstone for each; drafts' items never appear.
func TestFeedCarriesParts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey, readKey := h.as("key:feed"), h.as("key:read")
		_, cursor := h.snapshot(t, feedKey, "checklist_item,indicator")
		c := h.newChecklist(t, nil, checklistBody(h.testKind(t), h.fx.town, nil))
		items := []api.ChecklistItem{h.newItem(t, nil, c.Id.String(), itemBody("订阅事项一", nil)),
			h.newItem(t, nil, c.Id.String(), itemBody("订阅事项二", nil))}
		sys := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2022})
		ind := h.newIndicator(t, sys.Id.String(), indicatorBody("1", "100", nil, map[string]any{"name": "订阅指标"}))
		events, cursor := h.feedAll(t, feedKey, cursor, url.Values{"types": {"checklist_item,indicator"}})
		if len(events) != 0 {
			t.Fatalf("parts of drafts in the feed: %+v", events)
		}

		h.mustClAct(t, c.Id.String(), "submit", nil, nil, "in_review")
		h.mustClAct(t, c.Id.String(), "publish", nil, h.as("cityReviewer"), "published")
		h.publish(t, sys.Id.String())
		events, cursor = h.feedAll(t, feedKey, cursor, url.Values{"types": {"checklist_item,indicator"}})
		for _, part := range []struct{ id, path string }{
			{items[0].Id.String(), "/api/v1/checklist-items/"}, {items[1].Id.String(), "/api/v1/checklist-items/"},
			{ind.Id.String(), "/api/v1/indicators/"},
		} {
			got := eventsOf(events, part.id)
			now := h.Get(part.path+part.id, readKey)
			expect(t, now, http.StatusOK, "")
			if len(got) != 1 || got[0].Operation != api.Upsert || !sameJSON(t, *got[0].Record, now.Body) {
				t.Errorf("%s after publishing: %+v, want one upsert of %s", part.id, got, now.Body)
			}
		}

		h.mustClAct(t, c.Id.String(), "abolish", nil, h.as("cityReviewer"), "abolished")
		events, _ = h.feedAll(t, feedKey, cursor, nil)
		for _, it := range items {
			if got := eventsOf(events, it.Id.String()); len(got) != 1 || got[0].Operation != api.Delete {
				t.Errorf("item %s after abolishing: %+v, want one tombstone", it.Id, got)
			}
		}
		if got := eventsOf(events, c.Id.String()); len(got) != 1 || got[0].Operation != api.Delete {
			t.Errorf("the abolished checklist: %+v, want one tombstone", got)
		}
	})
}

// acceptedSheet assigns a round of self-inspection to the fixture town on a
// checklist of one item, which the town answers and submits and the city
// accepts; it returns the round, before the acceptance, and the sheet, and
// records a case applying the item.
func (h *harness) acceptedSheet(t *testing.T) (api.InspectionRound, api.InspectionSheet) {
	t.Helper()
	rep, city := h.as("reporter"), h.as("cityReviewer")
	list := h.publishedChecklist(t, "noPenalty", h.fx.town, noPenaltyItem("订阅自查事项 "+tag(), h.fx.town))
	item := h.items(t, list.Id.String(), nil, nil, 1)[0].Id.String()
	h.newCase(t, rep, caseBody(item, h.fx.town, nil))
	resp := h.Post(roundsPath, map[string]any{"checklistId": list.Id.String(), "title": "订阅自查 " + tag(), "deadline": "2021-11-30",
		"unitIds": []string{h.fx.town}}, city)
	expect(t, resp, http.StatusCreated, "")
	var round api.InspectionRound
	resp.JSON(t, &round)
	sheet := sheetOf(t, round, h.fx.town)
	h.answer(t, sheet, item, map[string]any{"result": "complies"}, rep, http.StatusCreated, "")
	h.sheetAct(t, sheet, "submit", nil, rep, http.StatusOK, "")
	return round, h.sheetAct(t, sheet, "accept", nil, city, http.StatusOK, "")
}

// Records with no lifecycle of their own leave the city with others, and
// their changes while those are released are in the feed: a plan's tasks
// with the plan (and a task's accepted report changes its progress), an
// indicator's targets with its system, a round of self-inspection with its
// accepted sheets (a sheet in the feed only once accepted), a case applying
// a checklist as soon as it is recorded. Each event's record is the GET's
// answer to a key.
func TestFeedCarriesRecordsReleasedWithOthers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		feedKey, readKey, reviewer, reporter := h.as("key:feed"), h.as("key:read"), h.as("reviewer"), h.as("reporter")
		_, cursor := h.snapshot(t, feedKey, "unit")
		// expectEvents reads the feed on and checks the events of each
		// record: the operations in order, the last upsert its GET.
		expectEvents := func(step string, want map[string][]api.FeedEventOperation, paths map[string]string) {
			t.Helper()
			var events []feedEvent
			events, cursor = h.feedAll(t, feedKey, cursor, nil)
			for id, ops := range want {
				got := eventsOf(events, id)
				var gotOps []api.FeedEventOperation
				for _, e := range got {
					gotOps = append(gotOps, e.Operation)
				}
				if !slices.Equal(gotOps, ops) {
					t.Errorf("%s: %s has events %v, want %v", step, id, gotOps, ops)
					continue
				}
				if len(got) > 0 && got[len(got)-1].Operation == api.Upsert {
					now := h.Get(paths[id]+id, readKey)
					expect(t, now, http.StatusOK, "")
					if !sameJSON(t, *got[len(got)-1].Record, now.Body) {
						t.Errorf("%s: %s is %s in the feed, its GET %s", step, id, *got[len(got)-1].Record, now.Body)
					}
				}
			}
		}
		upsert, tomb := api.Upsert, api.Delete
		paths := map[string]string{}

		// A draft plan and its task stay out; published, both arrive.
		plan := h.newPlan(t, reviewer, h.fx.town, 2022)
		task := h.newTask(t, plan.Id.String(), taskBody("1", "订阅任务", map[string]any{"leadUnitIds": []string{h.fx.town}}))
		planID, taskID := plan.Id.String(), task.Id.String()
		paths[planID], paths[taskID] = feedGetPaths["plan"], feedGetPaths["plan_task"]
		expectEvents("draft plan", map[string][]api.FeedEventOperation{planID: nil, taskID: nil}, paths)
		h.planAct(t, planID, "publish", nil, reviewer, http.StatusOK, "")
		expectEvents("published plan", map[string][]api.FeedEventOperation{planID: {upsert}, taskID: {upsert}}, paths)
		// Its task's changes: each an event of the task and of the plan.
		h.taskAct(t, taskID, "start", nil, reporter, http.StatusOK, "")
		added := h.newTask(t, planID, taskBody("2", "追加的订阅任务", nil))
		paths[added.Id.String()] = feedGetPaths["plan_task"]
		expectEvents("task started, one added", map[string][]api.FeedEventOperation{planID: {upsert, upsert}, taskID: {upsert},
			added.Id.String(): {upsert}}, paths)
		// An accepted report changes the task's progress.
		r := h.newReport(t, taskID, reportBody(h.fx.town, "2022-08", 40), reporter)
		h.reportAct(t, r.Id.String(), "submit", nil, reporter, http.StatusOK, "")
		expectEvents("report submitted", map[string][]api.FeedEventOperation{taskID: nil}, paths)
		h.reportAct(t, r.Id.String(), "accept", nil, h.as("cityReviewer"), http.StatusOK, "")
		paths[r.Id.String()] = feedGetPaths["progress_report"]
		expectEvents("report accepted", map[string][]api.FeedEventOperation{taskID: {upsert}, r.Id.String(): {upsert}}, paths)
		if got := h.task(t, taskID); got.Progress != 40 {
			t.Errorf("the task's progress after its report: %d", got.Progress)
		}

		// Targets arrive with their system, then change with it released.
		sys := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2022})
		ind := h.newIndicator(t, sys.Id.String(), indicatorBody("1", "100", nil, map[string]any{"name": "订阅目标指标"}))
		target := h.newTarget(t, ind.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "90"})
		targetID := target.Id.String()
		paths[targetID], paths[ind.Id.String()] = feedGetPaths["target"], feedGetPaths["indicator"]
		expectEvents("draft system", map[string][]api.FeedEventOperation{targetID: nil, ind.Id.String(): nil}, paths)
		h.publish(t, sys.Id.String())
		expectEvents("published system", map[string][]api.FeedEventOperation{targetID: {upsert}, ind.Id.String(): {upsert}}, paths)
		resp := h.Do(apitest.Request{Method: http.MethodPatch, Path: feedGetPaths["target"] + targetID, Body: map[string]any{"value": "95"},
			ContentType: "application/merge-patch+json", Header: matching(target.Version)})
		expect(t, resp, http.StatusOK, "")
		later := h.newTarget(t, ind.Id.String(), map[string]any{"year": 2022, "comparator": "gte", "value": "96"})
		paths[later.Id.String()] = feedGetPaths["target"]
		expectEvents("targets of the published system", map[string][]api.FeedEventOperation{targetID: {upsert}, later.Id.String(): {upsert}}, paths)
		resp = h.Do(apitest.Request{Method: http.MethodDelete, Path: feedGetPaths["target"] + later.Id.String(), Header: matching(later.Version)})
		expect(t, resp, http.StatusNoContent, "")
		expectEvents("target deleted", map[string][]api.FeedEventOperation{later.Id.String(): {tomb}}, paths)

		// A round arrives with its first accepted sheet, the sheet when
		// accepted; the case as soon as it is recorded.
		round, sheet := h.acceptedSheet(t)
		roundID, sheetID := round.Id.String(), sheet.Id.String()
		paths[roundID], paths[sheetID] = feedGetPaths["inspection_round"], feedGetPaths["inspection_sheet"]
		var events []feedEvent
		events, _ = h.feedAll(t, feedKey, cursor, url.Values{"types": {"checklist_application"}})
		if len(events) != 1 || events[0].Operation != upsert {
			t.Fatalf("the case recorded: %+v", events)
		}
		caseID := events[0].Id.String()
		paths[caseID] = feedGetPaths["checklist_application"]
		expectEvents("sheet accepted", map[string][]api.FeedEventOperation{roundID: {upsert}, sheetID: {upsert}, caseID: {upsert}}, paths)
		resp = h.Do(apitest.Request{Method: http.MethodDelete, Path: feedGetPaths["checklist_application"] + caseID, Header: with(reporter, matching(1))})
		expect(t, resp, http.StatusNoContent, "")
		expectEvents("case deleted", map[string][]api.FeedEventOperation{caseID: {tomb}}, paths)
	})
}

// A part's change racing its parent's release: a target set while its
// system is published, a task added while its plan is published. Whichever
// commits first, the part is released once both have, and the feed holds
// an event of it (the write path reads the parent's state, and the
// publication the parts, with locking reads). Many rounds on MariaDB.
func TestFeedPartsRaceTheirParents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		rounds := 20
		if db.Name == "sqlite" || testing.Short() {
			rounds = 3 // SQLite runs one write at a time: few interleavings to try
		}
		h := newHarness(t, db, server.Config{APIKeyRate: 1 << 30})
		feedKey := bearer(h.newKey(t, map[string]any{"name": "竞态订阅 " + tag(), "scopes": []string{"feed"}}).Secret)
		reviewer := h.as("reviewer")
		for round := range rounds {
			_, cursor := h.snapshot(t, feedKey, "unit")
			sys := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2022})
			ind := h.newIndicator(t, sys.Id.String(), indicatorBody("1", "100", nil, nil))
			plan := h.newPlan(t, reviewer, h.fx.district, 2022)
			h.newTask(t, plan.Id.String(), taskBody("1", "竞态任务一", nil))

			var wg sync.WaitGroup
			var target, task string
			race := func(req apitest.Request, status int, id *string) {
				wg.Go(func() {
					resp := h.Do(req)
					if resp.Status != status {
						t.Errorf("round %d: %s %s: %d %s", round, req.Method, req.Path, resp.Status, resp.Body)
						return
					}
					if id != nil {
						var created struct{ Id string }
						if err := json.Unmarshal(resp.Body, &created); err != nil {
							t.Error(err)
						}
						*id = created.Id
					}
				})
			}
			race(apitest.Request{Method: http.MethodPost, Path: systemsPath + "/" + sys.Id.String() + "/publish"}, http.StatusOK, nil)
			race(apitest.Request{Method: http.MethodPost, Path: "/api/v1/indicators/" + ind.Id.String() + "/targets",
				Body: map[string]any{"year": 2021, "comparator": "gte", "value": "90"}}, http.StatusCreated, &target)
			race(apitest.Request{Method: http.MethodPost, Path: planPath(plan.Id.String(), "publish"), Header: reviewer}, http.StatusOK, nil)
			race(apitest.Request{Method: http.MethodPost, Path: planPath(plan.Id.String(), "tasks"), Body: taskBody("2", "竞态任务二", nil)},
				http.StatusCreated, &task)
			wg.Wait()
			if t.Failed() {
				return
			}
			events, _ := h.feedAll(t, feedKey, cursor, url.Values{"types": {"target,plan_task"}})
			for _, id := range []string{target, task} {
				if got := eventsOf(events, id); len(got) == 0 || got[len(got)-1].Operation != api.Upsert {
					t.Errorf("round %d: %s, released, has events %+v", round, id, got)
				}
			}
		}
	})
}
