package server_test

// Defects outside testing found (issue 17), each with the test that fails
// if it comes back: an empty path segment, data after a JSON body, caching
// and sniffing headers, and the names uploaded files are kept under.

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/valuesheet"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestEmptyPathSegment: /units//tree names no record. Every operation with
// a path parameter, called with that parameter empty and no credentials,
// answers 404 problem+json, never a 500.
func TestEmptyPathSegment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		for _, o := range specOps(t) {
			if !strings.Contains(o.Path, "{") {
				continue
			}
			path := "/api/v1" + pathParam.ReplaceAllString(o.Path, "")
			resp := h.Do(apitest.Request{Method: o.Method, Path: path})
			if resp.Status != http.StatusNotFound && resp.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 404; body %s", o.Method, path, resp.Status, resp.Body)
			}
		}
	})
}

// TestTrailingJSON: a body is one JSON value; what follows it is refused,
// not ignored, and nothing is written.
func TestTrailingJSON(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		for _, tail := range []string{` xyz`, `{"a":1}`, `[]`} {
			code := deptCode()
			body := fmt.Sprintf(`{"code":%q,"name":"尾随数据单位","kind":"department","parentId":%q}%s`, code, h.fx.city, tail)
			resp := h.Do(apitest.Request{Method: http.MethodPost, Path: unitsPath, Body: body, ContentType: "application/json"})
			expect(t, resp, http.StatusBadRequest, "invalid_request")
			if got := listAll[api.Unit](t, h, unitsPath, nil, url.Values{"q": {code}}, 10); len(got) != 0 {
				t.Errorf("a body with %q after it created %+v", tail, got)
			}
		}
		// White space after the value is no data.
		resp := h.Do(apitest.Request{Method: http.MethodPost, Path: unitsPath, ContentType: "application/json",
			Body: fmt.Sprintf("{\"code\":%q,\"name\":\"空白结尾单位\",\"kind\":\"department\",\"parentId\":%q}\n \t", deptCode(), h.fx.city)})
		expect(t, resp, http.StatusCreated, "")
	})
}

// TestCachingHeaders: answers carrying a secret are never kept, other
// answers to a signed-in caller or key only by its own cache, revalidated;
// no answer is sniffed.
func TestCachingHeaders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		user := h.newUser(t, h.fx.town, tag()+".cache", "viewer")
		for _, c := range []struct {
			name  string
			resp  *apitest.Response
			cache string
		}{
			{"sign-in", h.Post("/api/v1/auth/login", map[string]any{"username": user.Username, "password": testPass}, map[string]string{"Authorization": ""}), "no-store"},
			{"a new key", h.Post("/api/v1/api-keys", map[string]any{"name": "缓存测试 " + tag(), "scopes": []string{"read"}}, nil), "no-store"},
			{"a list", h.Get(unitsPath, nil), "private, no-cache"},
			{"a key's read", h.Get(unitsPath+"/"+h.fx.city, h.as("key:read")), "private, no-cache"},
			{"no credentials", h.Get(unitsPath, map[string]string{"Authorization": ""}), ""},
			{"an unknown route", h.Get("/api/v1/nothing-here", nil), "private, no-cache"},
		} {
			if got := c.resp.Header.Get("Cache-Control"); got != c.cache {
				t.Errorf("%s (%d): Cache-Control %q, want %q", c.name, c.resp.Status, got, c.cache)
			}
			if got := c.resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s (%d): X-Content-Type-Options %q", c.name, c.resp.Status, got)
			}
		}
	})
}

// TestUploadedNames: a file is kept under its name without the folders a
// browser may send and without invisible formatting characters.
func TestUploadedNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		for sent, kept := range map[string]string{
			`C:\Windows\system32\evil.pdf`: "evil.pdf",
			"../../etc/passwd.pdf":         "passwd.pdf",
			"invoice\u202etxt.pdf":         "invoicetxt.pdf",
			"年度\u200b报告.pdf":               "年度报告.pdf",
		} {
			a := h.mustUploadAs(t, h.fx.value, sent, kept, testPDF, h.as("reporter"))
			resp := h.Get(contentPath(a.Id.String()), h.as("reporter"))
			expect(t, resp, http.StatusOK, "")
			if cd := resp.Header.Get("Content-Disposition"); strings.Contains(cd, "Windows") || strings.Contains(cd, "..") || strings.Contains(cd, "%E2%80%AE") {
				t.Errorf("%q is served as %s", sent, cd)
			}
		}
		resp := h.upload(t, h.fx.value, `C:\folder\`, testPDF, h.as("reporter"))
		expect(t, resp, http.StatusBadRequest, "invalid_request")
	})
}

// mustUploadAs uploads a file named sent and expects it kept as kept.
func (h *harness) mustUploadAs(t *testing.T, valueID, sent, kept string, data []byte, who map[string]string) api.Attachment {
	t.Helper()
	resp := h.upload(t, valueID, sent, data, who)
	expect(t, resp, http.StatusCreated, "")
	var a api.Attachment
	resp.JSON(t, &a)
	if a.Filename != kept {
		t.Errorf("%q is kept as %q, want %q", sent, a.Filename, kept)
	}
	return a
}

// TestNotFoundSaysNothing: a record hidden from the caller and one that
// does not exist answer the same 404, naming neither the record's unit nor
// its kind beyond the path asked for.
func TestNotFoundSaysNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		_, stranger := h.signedIn(t, h.fx.justice, "reporter")
		hidden := h.Get(valuesPath+"/"+h.fx.value, stranger)
		absent := h.Get(valuesPath+"/"+absentID, stranger)
		expect(t, hidden, http.StatusNotFound, "not_found")
		expect(t, absent, http.StatusNotFound, "not_found")
		ph, pa := hidden.Problem(t), absent.Problem(t)
		if strings.ReplaceAll(ph.Detail, h.fx.value, "ID") != strings.ReplaceAll(pa.Detail, absentID, "ID") {
			t.Errorf("a hidden record says %q, an absent one %q", ph.Detail, pa.Detail)
		}
		if strings.Contains(ph.Detail, h.fx.town) || strings.Contains(ph.Detail, "unit") {
			t.Errorf("the 404 names the record's unit: %q", ph.Detail)
		}
	})
}

// TestStrangerCannotLockAccount: ten wrong passwords from one address lock
// the account there only; from another address its owner signs in after a
// wait of seconds at most, and the guesses are in the audit log.
func TestStrangerCannotLockAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{TrustedProxies: []string{"192.0.2.0/24"}})
		owner := h.newUser(t, h.fx.city, tag()+".owner", "admin")
		from := func(address, password string) *apitest.Response {
			return h.Post("/api/v1/auth/login", map[string]any{"username": owner.Username, "password": password},
				map[string]string{"Authorization": "", "X-Forwarded-For": address})
		}
		// The guesses are recorded a minute ago, so that the waits between
		// them (seconds) are over and ten count without the test waiting.
		restore := db.SetClock(func() time.Time { return time.Now().Add(-time.Minute) })
		for range 10 {
			expect(t, from("203.0.113.66", "Wrong-Guess-2021"), http.StatusUnauthorized, "unauthenticated")
		}
		restore()
		stranger := from("203.0.113.66", testPass)
		expect(t, stranger, http.StatusTooManyRequests, "login_locked")
		if wait := retryAfter(t, stranger); wait < 60 {
			t.Errorf("the guessing address waits %ds, want the pair's lock of minutes", wait)
		}
		resp := from("198.51.100.7", testPass)
		if resp.Status == http.StatusTooManyRequests {
			wait := retryAfter(t, resp)
			if wait > 5 {
				t.Fatalf("the owner elsewhere waits %ds, want seconds at most", wait)
			}
			time.Sleep(time.Duration(wait) * time.Second)
			resp = from("198.51.100.7", testPass)
		}
		expect(t, resp, http.StatusOK, "")
	})
}

// TestPasswordChecksBounded: passwords are checked a few at a time (each
// check holds argon2id's memory); a sign-in or password change that finds
// every slot taken waits briefly, then is told to retry, instead of adding
// to the memory in use.
func TestPasswordChecksBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		// One slot, a check of a few hundred milliseconds, and no patience:
		// of requests sent together, one is checked and the rest are turned
		// away.
		slow := &password.Params{Memory: 8 * 1024, Iterations: 30, Parallelism: 1, SaltLength: 16, KeyLength: 32}
		h := newHarness(t, db, server.Config{PasswordParams: slow, PasswordSlots: 1, PasswordWait: time.Millisecond})
		u := h.newUser(t, h.fx.town, tag()+".busy", "viewer")
		token := h.mustSignIn(t, u.Username, testPass).Token
		for _, c := range []struct {
			name string
			send func() *apitest.Response
			ok   int
		}{
			{"sign-ins", func() *apitest.Response {
				return h.Post("/api/v1/auth/login", map[string]any{"username": u.Username, "password": testPass}, map[string]string{"Authorization": ""})
			}, http.StatusOK},
			{"password changes", func() *apitest.Response {
				return h.Post("/api/v1/me/password", map[string]any{"currentPassword": "not-the-password", "newPassword": "Never-Set-2022"},
					map[string]string{"Authorization": "Bearer " + token})
			}, http.StatusUnprocessableEntity},
		} {
			resps := make([]*apitest.Response, 4)
			var wg sync.WaitGroup
			for i := range resps {
				wg.Go(func() { resps[i] = c.send() })
			}
			wg.Wait()
			checked, busy := 0, 0
			for _, r := range resps {
				switch {
				case r.Status == c.ok:
					checked++
				case r.Status == http.StatusTooManyRequests && r.Problem(t).Code == "sign_in_busy":
					busy++
					if r.Header.Get("Retry-After") != "1" {
						t.Errorf("%s: Retry-After %q", c.name, r.Header.Get("Retry-After"))
					}
				default:
					t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
				}
			}
			if checked == 0 || busy == 0 {
				t.Errorf("%s sent together past one slot: %d checked, %d told to retry; want both", c.name, checked, busy)
			}
		}
	})
}

// freezer is a TCP proxy to the database that can go silent: it keeps its
// connections open and stops passing bytes, as a frozen database does.
type freezer struct {
	ln     net.Listener
	frozen atomic.Bool
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			t.Cleanup(func() { client.Close(); server.Close() })
			go f.pass(server, client)
			go f.pass(client, server)
		}
	}()
	return f
}

// pass copies src to dst until either closes, dropping what arrives while
// frozen.
func (f *freezer) pass(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if f.frozen.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// TestFrozenDatabase: a database that stops answering, its connections open
// and silent, is a 503 problem+json within the read deadline
// (DATABASE_URL's readTimeout), as a stopped one is, never a request that
// hangs.
func TestFrozenDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		if db.Name != "mysql" {
			t.Skip("SQLite is a file in the process: it has no connection to go silent")
		}
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		f := newFreezer(t, u.Host)
		u.Host = f.ln.Addr().String()
		u.RawQuery = "readTimeout=1s&writeTimeout=1s"
		s, err := store.Open(store.Config{URL: u.String(), MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		h := newHarness(t, &dbtest.DB{Name: db.Name, URL: u.String(), DB: s}, server.Config{})
		expect(t, h.Get(unitsPath, nil), http.StatusOK, "")

		f.frozen.Store(true)
		answered := make(chan *apitest.Response, 1)
		go func() { answered <- h.Get(unitsPath, nil) }()
		select {
		case resp := <-answered:
			expect(t, resp, http.StatusServiceUnavailable, "database_unavailable")
		case <-time.After(time.Minute): // a guard against hanging, not a measure
			t.Fatal("a request to a frozen database is still waiting after a minute")
		}
	})
}

// TestTimeLimit: a request still working at the server's time limit is
// stopped, its transaction rolled back, and answered 503 request_too_long
// while the client can still hear it (the HTTP server's write timeout is
// later), never committed behind a connection that was closed. Here the
// change waits for its row, locked by another transaction.
func TestTimeLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{RequestTimeout: time.Second})
		u := h.createUnit(t, map[string]any{"code": deptCode(), "name": "超时单位", "kind": "department", "parentId": h.fx.city})
		ctx := t.Context()
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		released := false
		release := func() {
			if !released {
				released = true
				if err := tx.Rollback(); err != nil {
					t.Error(err)
				}
			}
		}
		defer release()
		if _, err := tx.ExecContext(ctx, "UPDATE units SET version = version WHERE id = ?", u.Id.String()); err != nil {
			t.Fatal(err)
		}
		path := unitsPath + "/" + u.Id.String()
		rename := func() *apitest.Response {
			return h.Patch(path, map[string]any{"name": "改名的超时单位"}, map[string]string{"If-Match": etagOf(u)})
		}
		resp := rename()
		release()
		expect(t, resp, http.StatusServiceUnavailable, "request_too_long")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		if got := h.getUnit(t, u.Id.String()); got.Name != u.Name || got.Version != u.Version {
			t.Errorf("the request stopped at the limit changed the unit: %+v", got)
		}
		expect(t, rename(), http.StatusOK, "")
	})
}

// TestImportStreams: an import's rows are judged batch by batch and what it
// will write is spooled to a temporary file, removed afterwards; a problem
// in a late batch, or a row repeating one of an early batch, still leaves
// everything unwritten, and a good file writes every batch.
func TestImportStreams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp) // where the spool goes
		const units, indicators = 3, 500
		ib := newImportBench(t, db, units, indicators)
		table := ib.table(func(i int) string { return fmt.Sprint(i) })
		csvFile := func(rows [][]string) []byte {
			var f strings.Builder
			if err := sheet.WriteCSV(&f, valuesheet.OutColumns(), rows); err != nil {
				t.Fatal(err)
			}
			return []byte(f.String())
		}
		count := func() (n int64) {
			if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM indicator_values WHERE system_id = ?", ib.sys.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		spooled := func() {
			t.Helper()
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		}

		bad := slices.Clone(table)
		bad[1400] = slices.Clone(bad[1400])
		bad[1400][7] = "十二"
		repeated := append(slices.Clone(table), slices.Clone(table[0]))
		for name, rows := range map[string][][]string{"a bad cell in the last batch": bad, "a row stated again": repeated} {
			status, body := ib.send(t, "填报.csv", csvFile(rows), "2021-01")
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"problemCount"`) && !strings.Contains(body, "sheet_invalid") {
				t.Errorf("%s: %d %.300s", name, status, body)
			}
			if n := count(); n != 0 {
				t.Errorf("%s: %d values written", name, n)
			}
			spooled()
		}
		status, body := ib.send(t, "填报.csv", csvFile(repeated), "2021-01")
		if !strings.Contains(body, "row 2 already reports") {
			t.Errorf("the repeated row: %d %.500s", status, body)
		}
		// Written batch by batch from the spool, which is on disk meanwhile.
		var batches, judged atomic.Int32
		rs := racingStore{DB: db, afterValuesAt: func() { judged.Add(1) }, importing: func(b models.ValueImport) {
			if n := len(b.Create) + len(b.Update); n == 0 || n > 500 {
				t.Errorf("a batch of %d values", n)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 1 {
				t.Errorf("the spool while the import writes: %v", left)
			}
			batches.Add(1)
		}}
		var err error
		if ib.e, err = server.New(server.Config{AttachmentDir: t.TempDir()}, rs, discardLogger()); err != nil {
			t.Fatal(err)
		}
		ib.post(t, "填报.csv", csvFile(table), "2021-01", fmt.Sprintf(`"created":%d`, units*indicators))
		if batches.Load() != 3 || judged.Load() != 3 {
			t.Errorf("%d rows judged in %d batches and written in %d, want 3 and 3", units*indicators, judged.Load(), batches.Load())
		}
		if n := count(); n != units*indicators {
			t.Errorf("%d values written, want %d", n, units*indicators)
		}
		spooled()
	})
}
