package server

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
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

// renderRecord writes what encoding/json writes, as the generated responses
// do, for every record type of the feed: each type filled at random many
// times, with the texts encoding/json escapes or replaces (HTML, line and
// paragraph separators, control characters, broken UTF-8), times with and
// without a fraction and in other zones, absent and present optional fields.
func TestRecordEncodersAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	types := feedTypes(&strictServer{})
	if len(types) < 16 {
		t.Fatalf("%d record types", len(types))
	}
	for _, rt := range types {
		for range 300 {
			v := reflect.New(rt.rendered)
			fillRandom(rng, v.Elem(), 0)
			want, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			got, err := renderRecord(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s:\nrenderRecord  %s\nencoding/json %s", rt.name, got, want)
			}
		}
	}
}

// fillRandom sets v, and what it points to, to random values; an optional
// field is left out one time in four.
func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		at := time.Unix(rng.Int64N(4e9), 0)
		if rng.IntN(2) == 0 {
			at = at.Add(time.Duration(rng.IntN(1e9)))
		}
		zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("", -3*3600-1800)}
		v.Set(reflect.ValueOf(at.In(zones[rng.IntN(len(zones))])))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if rng.IntN(4) == 0 || depth > 4 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(rng, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if rng.IntN(4) == 0 || depth > 4 {
			return
		}
		n := rng.IntN(4)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillRandom(rng, v.Index(i), depth+1)
		}
	case reflect.Array:
		for i := range v.Len() {
			fillRandom(rng, v.Index(i), depth+1)
		}
	case reflect.Map:
		if rng.IntN(4) == 0 || depth > 4 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rng.IntN(5) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillRandom(rng, k, depth+1)
			fillRandom(rng, e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Interface:
		if rng.IntN(4) == 0 {
			return
		}
		samples := []any{randomText(rng), rng.Float64() * 1e6, int64(rng.Uint32()), true, []any{randomText(rng), 1.5}, map[string]any{randomText(rng): 2.25}}
		v.Set(reflect.ValueOf(samples[rng.IntN(len(samples))]))
	case reflect.String:
		v.SetString(randomText(rng))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64() >> (64 - v.Type().Bits() + 1) * int64(1-2*rng.IntN(2)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(rng.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Float32, reflect.Float64:
		floats := []float64{0, 1.5, -2.25, 1e21, 1e-7, 123456789.125, rng.NormFloat64() * 1e9, rng.Float64()}
		v.SetFloat(floats[rng.IntN(len(floats))])
	default:
		panic("fillRandom: no values for " + v.Type().String())
	}
}

// randomText is a short text of characters encoders treat differently.
func randomText(rng *rand.Rand) string {
	parts := []string{"法治", "政府", "a", "Z9", " ", "<", ">", "&", `"`, `\`, "/", "\u2028", "\u2029", "\x01", "\x7f", "\t", "\n",
		"\r", "é", "😀", "\ufffd", "\xff", "\xe6\xb3", "%", "+", "'"}
	var b strings.Builder
	for range rng.IntN(8) {
		b.WriteString(parts[rng.IntN(len(parts))])
	}
	return b.String()
}
