package server_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

// BenchmarkFeed measures the province's pull at scale on MariaDB: records
// released units (1,000,000 unless FAZHI_BENCH_RECORDS says otherwise, under
// one root), each with one feed event, served by a real HTTP server in this
// process and read by a client that streams the answers away:
//
//   - feed: every event, 5,000 a page, each rendered by its GET's conversion;
//   - snapshot: every record through GET /snapshot (NDJSON, one transaction);
//   - export-xlsx: the year's workbook through GET /exports/{year};
//   - database-sql: the same rows read with plain database/sql, the same
//     pages of feed_events and, for each page, its units: the baseline.
//
// Each reports rows per second and the peak heap and resident memory over
// idle while it ran. Seeding a million rows takes a few minutes:
//
//	TEST_MYSQL_DSN=mysql://root@127.0.0.1:3306/test go test -run x -bench Feed -benchtime 1x -timeout 60m ./server/
func BenchmarkFeed(b *testing.B) {
	records := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("FAZHI_BENCH_RECORDS")); err == nil && n > 0 {
		records = n
	}
	db := dbtest.Open(b, store.MySQL)
	fx := fixturesFor(b, db)
	e, err := server.New(server.Config{AttachmentDir: b.TempDir(), APIKeyRate: 1 << 30}, db, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	key := "Bearer " + fx.tokens["key:feed"]
	readKey := "Bearer " + fx.tokens["key:read"]
	from := seedFeed(b, db, records)

	get := func(b *testing.B, path, auth string, consume func(io.Reader) error) {
		req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if err := consume(resp.Body); err != nil {
			b.Fatal(err)
		}
	}
	discard := func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }

	b.Run("feed", func(b *testing.B) {
		var body bytes.Buffer
		run(b, records, func() {
			cursor, n := strconv.FormatInt(from, 10), 0
			for {
				get(b, "/api/v1/feed?types=unit&limit=5000&cursor="+cursor, key, func(r io.Reader) error {
					body.Reset()
					_, err := body.ReadFrom(r)
					return err
				})
				items, next, err := skimFeedPage(body.Bytes())
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					// The skim reads the first page as a decoder does.
					var page struct {
						Items      []json.RawMessage `json:"items"`
						NextCursor string            `json:"nextCursor"`
					}
					if err := json.Unmarshal(body.Bytes(), &page); err != nil {
						b.Fatal(err)
					}
					if len(page.Items) != items || page.NextCursor != next {
						b.Fatalf("skimmed %d events and cursor %q, decoded %d and %q", items, next, len(page.Items), page.NextCursor)
					}
				}
				n += items
				if items == 0 {
					break
				}
				cursor = next
			}
			if n < records {
				b.Fatalf("the feed served %d events, want %d", n, records)
			}
		})
	})
	b.Run("snapshot", func(b *testing.B) {
		run(b, records, func() {
			n := 0
			get(b, "/api/v1/snapshot?types=unit", key, func(r io.Reader) error {
				buf := make([]byte, 1<<16)
				for {
					k, err := r.Read(buf)
					n += bytes.Count(buf[:k], []byte("\n"))
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return err
					}
				}
			})
			if n < records {
				b.Fatalf("the snapshot held %d lines, want %d", n, records)
			}
		})
	})
	b.Run("export-xlsx", func(b *testing.B) {
		run(b, records, func() { get(b, "/api/v1/exports/2021", readKey, discard) })
	})
	b.Run("database-sql", func(b *testing.B) {
		run(b, records, func() { scanFeedPlain(b, db.SQL(), from, records) })
	})
}

// skimFeedPage counts a feed page's events and finds its next cursor without
// decoding it, as the snapshot's reader counts lines: the client shares the
// benchmark's two processors with the server, and decoding 5,000 records a
// page took two fifths of the CPU of the run, which measured the client as
// much as the serving. A page of units only is read: no record of theirs
// holds the key seq, and a quote inside a text is escaped.
func skimFeedPage(page []byte) (items int, next string, err error) {
	items = bytes.Count(page, []byte(`,"seq":`))
	const key = `"nextCursor":"`
	_, rest, ok := bytes.Cut(page, []byte(key))
	if !ok {
		return 0, "", fmt.Errorf("no nextCursor in the feed page %.200s", page)
	}
	cursor, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return 0, "", fmt.Errorf("nextCursor unterminated in the feed page")
	}
	return items, string(cursor), nil
}

// seedFeed writes records units under a new root, with a numbered feed
// event each, straight into the tables (the write path would take an hour
// at this size), and returns the feed's position before them.
func seedFeed(b *testing.B, db *dbtest.DB, records int) int64 {
	b.Helper()
	ctx := b.Context()
	root := &models.Unit{Code: areaCode(), Name: "订阅基准市", Kind: models.UnitCity}
	if err := db.CreateUnit(ctx, root); err != nil {
		b.Fatal(err)
	}
	head, err := db.FeedHead(ctx)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	conn := db.SQL()
	at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for lo := 0; lo < records; lo += batch {
		n := min(batch, records-lo)
		var units, events strings.Builder
		uargs := make([]any, 0, n*11)
		eargs := make([]any, 0, n*6)
		units.WriteString("INSERT INTO units (id, code, name, kind, parent_id, level, path, search_text, version, created_at, updated_at) VALUES ")
		events.WriteString("INSERT INTO feed_events (id, audit_id, seq, record_type, record_id, occurred_at) VALUES ")
		for i := range n {
			if i > 0 {
				units.WriteString(", ")
				events.WriteString(", ")
			}
			units.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			events.WriteString("(?, ?, ?, ?, ?, ?)")
			id := store.NewID()
			code := fmt.Sprintf("%s-B%07d", root.Code, lo+i)
			name := fmt.Sprintf("基准单位%07d", lo+i)
			uargs = append(uargs, id, code, name, "office", root.ID, 2, root.Path+id+"/", name+" "+code, 1, at, at)
			eargs = append(eargs, store.NewID(), store.NewID(), head+int64(lo+i+1), "unit", id, at)
		}
		if _, err := conn.ExecContext(ctx, units.String(), uargs...); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, events.String(), eargs...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "UPDATE feed_state SET head = ? WHERE id = 1", head+int64(records)); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d units with a feed event each in %s", records, time.Since(start).Round(time.Second))
	return head
}

// scanFeedPlain reads the feed's rows and their units as the feed does,
// 5,000 events a page, with database/sql alone: the baseline.
func scanFeedPlain(b *testing.B, conn *sql.DB, from int64, records int) {
	ctx := b.Context()
	cursor, n := from, 0
	for {
		rows, err := conn.QueryContext(ctx, "SELECT seq, record_type, record_id, occurred_at FROM feed_events WHERE seq > ? AND record_type = 'unit' ORDER BY seq LIMIT 5000", cursor)
		if err != nil {
			b.Fatal(err)
		}
		var ids []any
		for rows.Next() {
			var seq int64
			var typ, id string
			var at time.Time
			if err := rows.Scan(&seq, &typ, &id, &at); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
			cursor = seq
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		if len(ids) == 0 {
			break
		}
		n += len(ids)
		for lo := 0; lo < len(ids); lo += 500 {
			part := ids[lo:min(lo+500, len(ids))]
			q := "SELECT id, code, name, short_name, kind, parent_id, level, path, version, created_at, updated_at FROM units WHERE id IN (?" +
				strings.Repeat(", ?", len(part)-1) + ")"
			units, err := conn.QueryContext(ctx, q, part...)
			if err != nil {
				b.Fatal(err)
			}
			for units.Next() {
				var id, code, name, kind, path string
				var short, parent sql.NullString
				var level int
				var version int64
				var created, updated time.Time
				if err := units.Scan(&id, &code, &name, &short, &kind, &parent, &level, &path, &version, &created, &updated); err != nil {
					b.Fatal(err)
				}
			}
			if err := units.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if n < records {
		b.Fatalf("read %d events, want %d", n, records)
	}
}
