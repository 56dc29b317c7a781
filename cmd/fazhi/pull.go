package main

// fazhi pull: the reference client of the province's feed (docs/feed.md),
// and the proof that the feed is usable. It keeps a copy of every record
// the city releases in a SQLite file: a snapshot on the first run, then the
// feed from the snapshot's cursor. Every step commits what it applied
// together with the cursor it reached, so the copy can be killed at any
// point and resumed without losing or repeating a change:
//
//   - a snapshot is read into a staging table and becomes the copy in one
//     transaction, with its cursor, only once its last line has arrived; a
//     run killed before that starts the snapshot again;
//   - each feed page is applied, and the cursor advanced, in one transaction;
//   - a cursor the feed no longer keeps (410) starts a new snapshot.
//
// It uses nothing of the server's code: only HTTP, JSON and SQLite, as the
// province's own client would.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, as "sqlite"
)

const pullUsage = "usage: fazhi pull --url URL --key KEY --into FILE [--follow] [--interval 30s] [--limit 1000]"

// pullCommand is "fazhi pull".
func pullCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	flags := flag.NewFlagSet("pull", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	base := flags.String("url", "", "")
	key := flags.String("key", "", "")
	into := flags.String("into", "", "")
	follow := flags.Bool("follow", false, "")
	interval := flags.Duration("interval", 30*time.Second, "")
	limit := flags.Int("limit", 1000, "")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 {
		return errors.New(pullUsage)
	}
	if *key == "" {
		// The key from the environment keeps it out of the process list.
		*key = getenv("FAZHI_PULL_KEY")
	}
	if *base == "" || *key == "" || *into == "" || *limit < 1 || *limit > 5000 || *interval <= 0 {
		return errors.New(pullUsage + " (the key may come from FAZHI_PULL_KEY; limit 1 to 5000)")
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q is not an http(s) URL such as https://fazhi.example/api/v1", *base)
	}
	c, err := openCopy(ctx, *into)
	if err != nil {
		return err
	}
	defer c.db.Close()
	p := &puller{base: strings.TrimSuffix(*base, "/"), key: *key, copy: c, out: out, limit: *limit,
		http: &http.Client{Timeout: 0}}
	return p.run(ctx, *follow, *interval)
}

// replica is the local copy: the records, the cursor, and the staging table
// of a snapshot being read.
type replica struct{ db *sql.DB }

func openCopy(ctx context.Context, file string) (*replica, error) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS records (record_type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
			body TEXT NOT NULL, PRIMARY KEY (record_type, id))`,
		`CREATE TABLE IF NOT EXISTS snapshot_records (record_type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
			body TEXT NOT NULL, PRIMARY KEY (record_type, id))`,
		`CREATE TABLE IF NOT EXISTS pull_state (id INTEGER PRIMARY KEY CHECK (id = 1), cursor TEXT NOT NULL)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("prepare %s: %w", file, err)
		}
	}
	return &replica{db: db}, nil
}

// cursor is where the copy continues the feed; ok is false until a snapshot
// completed.
func (c *replica) cursor(ctx context.Context) (cursor string, ok bool, err error) {
	err = c.db.QueryRowContext(ctx, `SELECT cursor FROM pull_state WHERE id = 1`).Scan(&cursor)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return cursor, err == nil, err
}

// inTx runs fn in one transaction.
func (c *replica) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

type puller struct {
	base, key string
	copy      *replica
	out       io.Writer
	limit     int
	http      *http.Client
}

// errExpired is the feed's 410: the cursor is older than the feed keeps.
var errExpired = errors.New("the feed no longer keeps the events after the copy's cursor")

// run brings the copy up to date: a snapshot when it has none (or its cursor
// expired), then feed pages until one is empty; with follow, it then polls
// every interval until ctx ends.
func (p *puller) run(ctx context.Context, follow bool, interval time.Duration) error {
	for {
		cursor, ok, err := p.copy.cursor(ctx)
		if err != nil {
			return err
		}
		if !ok {
			if cursor, err = p.snapshot(ctx); err != nil {
				return err
			}
		}
		n, err := p.feedPage(ctx, cursor)
		if errors.Is(err, errExpired) {
			fmt.Fprintf(p.out, "feed: cursor %s expired; taking a new snapshot\n", cursor)
			if err := p.copy.inTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `DELETE FROM pull_state`)
				return err
			}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if !follow {
			fmt.Fprintf(p.out, "caught up at cursor %s\n", cursor)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// snapshotLine is a line of a snapshot: a record, or (the last) the cursor.
type snapshotLine struct {
	RecordType string          `json:"recordType"`
	ID         string          `json:"id"`
	Version    int64           `json:"version"`
	Record     json.RawMessage `json:"record"`
	Cursor     *string         `json:"cursor"`
}

// snapshot reads a snapshot into the staging table, in batches, and makes it
// the copy once its last line has arrived; it returns its cursor.
func (p *puller) snapshot(ctx context.Context) (string, error) {
	resp, err := p.get(ctx, "/snapshot")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := p.copy.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM snapshot_records`)
		return err
	}); err != nil {
		return "", err
	}
	r := bufio.NewReaderSize(resp.Body, 1<<16)
	var batch []snapshotLine
	var total int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := p.copy.inTx(ctx, func(tx *sql.Tx) error {
			for _, l := range batch {
				if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_records (record_type, id, version, body) VALUES (?, ?, ?, ?)`,
					l.RecordType, l.ID, l.Version, string(l.Record)); err != nil {
					return err
				}
			}
			return nil
		})
		before := total
		total += len(batch)
		batch = batch[:0]
		if err == nil && total/10000 > before/10000 {
			fmt.Fprintf(p.out, "snapshot: %d records\n", total)
		}
		return err
	}
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("snapshot cut short after %d records (no cursor line): run again", total)
		}
		if err != nil {
			return "", fmt.Errorf("read snapshot: %w", err)
		}
		var l snapshotLine
		if err := json.Unmarshal(line, &l); err != nil {
			return "", fmt.Errorf("snapshot line %d: %w", total+len(batch)+1, err)
		}
		if l.Cursor != nil {
			if err := flush(); err != nil {
				return "", err
			}
			err := p.copy.inTx(ctx, func(tx *sql.Tx) error {
				for _, stmt := range []string{
					`DELETE FROM records`,
					`INSERT INTO records SELECT record_type, id, version, body FROM snapshot_records`,
					`DELETE FROM snapshot_records`,
				} {
					if _, err := tx.ExecContext(ctx, stmt); err != nil {
						return err
					}
				}
				_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO pull_state (id, cursor) VALUES (1, ?)`, *l.Cursor)
				return err
			})
			if err != nil {
				return "", err
			}
			fmt.Fprintf(p.out, "snapshot: %d records, cursor %s\n", total, *l.Cursor)
			return *l.Cursor, nil
		}
		batch = append(batch, l)
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return "", err
			}
		}
	}
}

// feedPage is a page of the feed as the contract's FeedPage writes it.
type feedPage struct {
	Items []struct {
		Seq        int64           `json:"seq"`
		RecordType string          `json:"recordType"`
		ID         string          `json:"id"`
		Operation  string          `json:"operation"`
		Version    int64           `json:"version"`
		Record     json.RawMessage `json:"record"`
	} `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// feedPage applies one page of the feed after cursor, and the cursor it
// reaches, in one transaction; it returns how many events it applied.
func (p *puller) feedPage(ctx context.Context, cursor string) (int, error) {
	resp, err := p.get(ctx, "/feed?limit="+strconv.Itoa(p.limit)+"&cursor="+url.QueryEscape(cursor))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var page feedPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return 0, fmt.Errorf("read feed page: %w", err)
	}
	if len(page.Items) == 0 {
		return 0, nil
	}
	err = p.copy.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range page.Items {
			var err error
			switch e.Operation {
			case "upsert":
				_, err = tx.ExecContext(ctx, `INSERT INTO records (record_type, id, version, body) VALUES (?, ?, ?, ?)
					ON CONFLICT (record_type, id) DO UPDATE SET version = excluded.version, body = excluded.body`,
					e.RecordType, e.ID, e.Version, string(e.Record))
			case "delete":
				_, err = tx.ExecContext(ctx, `DELETE FROM records WHERE record_type = ? AND id = ?`, e.RecordType, e.ID)
			default:
				err = fmt.Errorf("event %d: unknown operation %q", e.Seq, e.Operation)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE pull_state SET cursor = ? WHERE id = 1`, page.NextCursor)
		return err
	})
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(p.out, "feed: applied %d events, cursor %s\n", len(page.Items), page.NextCursor)
	return len(page.Items), nil
}

// get asks the API for path and returns a 200 answer. It waits out a rate
// limit (429, Retry-After) and retries what may pass (503, a failed
// connection) with growing pauses; a 410 is errExpired; other answers are
// errors that carry the problem's detail.
func (p *puller) get(ctx context.Context, path string) (*http.Response, error) {
	pause := time.Second
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+p.key)
		resp, err := p.http.Do(req)
		wait := pause
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			err = fmt.Errorf("GET %s: %w", path, err)
		case resp.StatusCode == http.StatusOK:
			return resp, nil
		case resp.StatusCode == http.StatusGone:
			resp.Body.Close()
			return nil, errExpired
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			if s, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			err = problemOf(path, resp)
		default:
			return nil, problemOf(path, resp)
		}
		if attempt == 8 {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "%v; retrying in %s\n", err, wait)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// problemOf is an error answer as an error: its status and detail.
func problemOf(path string, resp *http.Response) error {
	defer resp.Body.Close()
	var problem struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&problem)
	return fmt.Errorf("GET %s: %s: %s (%s)", path, resp.Status, problem.Detail, problem.Code)
}
