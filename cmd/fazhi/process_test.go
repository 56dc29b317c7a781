package main

// Tests of the built binary as an operator runs it: a real process, its JSON
// logs on stderr, signals and exit codes.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/store"
)

// Safety nets only: no assertion depends on how fast anything is.
const (
	startTimeout = 60 * time.Second // start, migrate, seed, listen
	stopTimeout  = 30 * time.Second
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// fazhiBinary builds the command once per package run, with the go command of
// the toolchain running the tests (go test puts its GOROOT/bin first on PATH).
func fazhiBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not building and running the binary")
	}
	buildOnce.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		binDir, buildErr = os.MkdirTemp("", "fazhi-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "fazhi")
		out, err := exec.Command(goCmd, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func removeBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// processEnv is the whole environment of a child: PATH and TMPDIR and the
// given settings, none of the test runner's FAZHI_* or DATABASE_URL.
func processEnv(env map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH")}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		out = append(out, "TMPDIR="+tmp)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// proc is a running fazhi process whose stderr is read line by line.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdout bytes.Buffer // written by exec's copying goroutine; read after done

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced when a line arrives or the process ends

	done    chan struct{} // closed when the process has exited
	waitErr error
}

// startFazhi starts the binary with exactly env. It is stopped (SIGTERM, then
// SIGKILL) when the test ends, and its stderr is shown if the test failed.
func startFazhi(t *testing.T, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, changed: make(chan struct{}), done: make(chan struct{})}
	p.cmd = exec.Command(fazhiBinary(t), args...)
	p.cmd.Env = processEnv(env)
	p.cmd.Stdout = &p.stdout
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(stopTimeout):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			t.Logf("stderr of %s (%s):\n%s", p.name, p.cmd.ProcessState, strings.Join(p.stderrLines(), "\n"))
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) stderrLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

func (p *proc) stderr() string { return strings.Join(p.stderrLines(), "\n") }

// logRecord is one JSON log line.
type logRecord map[string]any

func (r logRecord) str(key string) string { s, _ := r[key].(string); return s }

// records parses the JSON log lines so far; index is the line's position.
func (p *proc) records() (recs []logRecord, index []int) {
	for i, line := range p.stderrLines() {
		var r logRecord
		if json.Unmarshal([]byte(line), &r) == nil {
			recs = append(recs, r)
			index = append(index, i)
		}
	}
	return recs, index
}

// find returns the position of the first log line with msg, or -1.
func (p *proc) find(msg string) (logRecord, int) {
	recs, index := p.records()
	for i, r := range recs {
		if r.str("msg") == msg {
			return r, index[i]
		}
	}
	return nil, -1
}

// waitLog waits for a log line with msg, failing if the process exits first.
func (p *proc) waitLog(msg string, timeout time.Duration) logRecord {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		changed := p.changed
		p.mu.Unlock()
		if r, _ := p.find(msg); r != nil {
			return r
		}
		select {
		case <-changed:
		case <-p.done:
			if r, _ := p.find(msg); r != nil {
				return r
			}
			// The last line says why, in the failure's own line: a summary
			// of the run may keep that line and drop the stderr dump.
			lines := p.stderrLines()
			last := ""
			if len(lines) > 0 {
				last = lines[len(lines)-1]
			}
			p.t.Fatalf("%s exited (%v) without logging %q; its last line: %s", p.name, p.waitErr, msg, last)
		case <-deadline:
			p.t.Fatalf("%s logged no %q within %s", p.name, msg, timeout)
		}
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s did not exit within %s", p.name, timeout)
	}
	return p.cmd.ProcessState.ExitCode()
}

// stop sends SIGTERM and requires a clean exit with a "stopped" log line.
func (p *proc) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("SIGTERM %s: %v", p.name, err)
	}
	if code := p.wait(stopTimeout); code != 0 {
		p.t.Errorf("%s exited with %d after SIGTERM, want 0", p.name, code)
	}
	if r, _ := p.find("stopped"); r == nil {
		p.t.Errorf("%s logged no \"stopped\" line", p.name)
	}
}

// listen waits for the "listening" line and returns the server's base URL.
func (p *proc) listen() (base string, rec logRecord) {
	p.t.Helper()
	rec = p.waitLog("listening", startTimeout)
	addr := rec.str("addr")
	if addr == "" {
		p.t.Fatalf("the listening line has no addr: %v", rec)
	}
	return "http://" + addr, rec
}

var client = &http.Client{Timeout: 30 * time.Second}

func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", u, err)
	}
	return resp, body
}

func getOK(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, body := get(t, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, want 200\n%s", u, resp.Status, body)
	}
	return resp, body
}

// waitReady polls /readyz until it answers 200. The server listens only after
// migrating, so this is quick; the timeout is a safety net.
func (p *proc) waitReady(base string) {
	p.t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			if time.Now().After(deadline) {
				p.t.Fatalf("%s: /readyz answered %s: %s", p.name, resp.Status, body)
			}
		} else if time.Now().After(deadline) {
			p.t.Fatalf("%s: /readyz: %v", p.name, err)
		}
		if p.exited() {
			p.t.Fatalf("%s exited before /readyz answered 200: %v", p.name, p.waitErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runOnce runs the binary to its end and returns its exit code and output.
func runOnce(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, fazhiBinary(t), args...)
	cmd.Env = processEnv(env)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("fazhi %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("fazhi %s did not finish within %s", strings.Join(args, " "), startTimeout)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// apiCall is one request to the API: a JSON body (nil for none), a bearer
// token (empty for none) and extra headers.
type apiCall struct {
	method, url, token string
	body               any
	header             http.Header
}

// apiReply is what a call got back.
type apiReply struct {
	status int
	header http.Header
	body   []byte
}

// do sends the call and returns the reply. It does not touch t, so that
// goroutines may use it.
func (c apiCall) do() (apiReply, error) {
	var r io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return apiReply{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(c.method, c.url, r)
	if err != nil {
		return apiReply{}, err
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		return apiReply{}, fmt.Errorf("%s %s: %w", c.method, c.url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiReply{}, fmt.Errorf("%s %s: reading the body: %w", c.method, c.url, err)
	}
	return apiReply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// signIn posts a username and password to /api/v1/auth/login and returns the
// status and, on 200, the bearer token.
func signIn(t *testing.T, base, username, pw string) (status int, token string) {
	t.Helper()
	reply, err := apiCall{method: http.MethodPost, url: base + "/api/v1/auth/login",
		body: map[string]string{"username": username, "password": pw}}.do()
	status, body := reply.status, reply.body
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		return status, ""
	}
	var out struct {
		Token     string `json:"token"`
		TokenType string `json:"tokenType"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		t.Fatalf("POST /api/v1/auth/login as %s: 200 without a token (%v):\n%s", username, err, body)
	}
	return status, out.Token
}

// mustSignIn signs in and fails the test unless it succeeds.
func mustSignIn(t *testing.T, base, username, pw string) string {
	t.Helper()
	status, token := signIn(t, base, username, pw)
	if status != http.StatusOK {
		t.Fatalf("sign in as %s: %d, want 200", username, status)
	}
	return token
}

// signInAdmin signs in as the demo administrator.
func signInAdmin(t *testing.T, base string) string {
	t.Helper()
	return mustSignIn(t, base, demo.Users()[0].Username, demo.Password)
}

// readyAsAdmin waits until each process serves and signs the demo
// administrator in on it: each one's base URL and token.
func readyAsAdmin(t *testing.T, procs []*proc) (bases, tokens []string) {
	t.Helper()
	bases, tokens = make([]string, len(procs)), make([]string, len(procs))
	for i, p := range procs {
		bases[i], _ = p.listen()
		p.waitReady(bases[i])
		tokens[i] = signInAdmin(t, bases[i])
	}
	return bases, tokens
}

// getAuthOK is a GET with a bearer token that must answer 200.
func getAuthOK(t *testing.T, u, token string) []byte {
	t.Helper()
	reply, err := apiCall{method: http.MethodGet, url: u, token: token}.do()
	status, body := reply.status, reply.body
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d, want 200\n%s", u, status, body)
	}
	return body
}

type unitJSON struct {
	ID       string  `json:"id"`
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	ParentID *string `json:"parentId"`
	Version  int64   `json:"version"`
}

// listAllUnits follows nextCursor through GET /api/v1/units.
func listAllUnits(t *testing.T, base, token string) []unitJSON {
	t.Helper()
	var all []unitJSON
	q := url.Values{"limit": {"100"}}
	for range 1000 {
		body := getAuthOK(t, base+"/api/v1/units?"+q.Encode(), token)
		var page struct {
			Items      []unitJSON `json:"items"`
			NextCursor string     `json:"nextCursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("GET /api/v1/units: %v\n%s", err, body)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		q.Set("cursor", page.NextCursor)
	}
	t.Fatal("GET /api/v1/units: no end to the pages")
	return nil
}

// A fresh start with nothing configured but a data directory: embedded SQLite,
// migrated, demo data loaded, every operational endpoint answering.
func TestProcessFreshStart(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data") // does not exist yet
	env := map[string]string{"FAZHI_DATA_DIR": dataDir, "FAZHI_ADDR": "127.0.0.1:0"}
	p := startFazhi(t, "fazhi", env)
	base, listening := p.listen()

	if got, want := listening.str("docs"), base+"/docs"; got != want {
		t.Errorf("listening line: docs = %q, want %q", got, want)
	}
	if got, want := listening.str("api"), base+"/api/v1"; got != want {
		t.Errorf("listening line: api = %q, want %q", got, want)
	}
	ready, _ := p.find("database ready")
	if ready == nil || ready.str("dialect") != store.SQLite {
		t.Errorf("database ready line: %v, want dialect sqlite", ready)
	} else if applied, _ := ready["migrations_applied"].([]any); len(applied) != len(migrationVersions(t, store.SQLite)) {
		t.Errorf("database ready line: migrations_applied = %v, want every version %v", ready["migrations_applied"], migrationVersions(t, store.SQLite))
	}
	// The demo units and, outside production, the demo accounts.
	records := demoDataRecords() + len(demo.Users()) + len(demo.APIKeys())
	if loaded, _ := p.find("demo data loaded"); loaded == nil || loaded["records_added"] != float64(records) || loaded["demo_accounts"] != true {
		t.Errorf("demo data loaded line: %v, want records_added %d and demo_accounts true", loaded, records)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "fazhi.db")); err != nil {
		t.Errorf("no embedded database in FAZHI_DATA_DIR: %v", err)
	}

	p.waitReady(base)

	// The API wants a token; the demo administrator can get one.
	if reply, err := (apiCall{method: http.MethodGet, url: base + "/api/v1/units"}).do(); err != nil || reply.status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/units without a token: %d (%v), want 401\n%s", reply.status, err, reply.body)
	}
	if status, _ := signIn(t, base, demo.Users()[0].Username, "not the password"); status != http.StatusUnauthorized {
		t.Errorf("sign in with a wrong password: %d, want 401", status)
	}
	token := signInAdmin(t, base)
	for _, u := range demo.Users()[1:] {
		mustSignIn(t, base, u.Username, demo.Password)
	}

	units := listAllUnits(t, base, token)
	byID := map[string]unitJSON{}
	for _, u := range units {
		byID[u.ID] = u
	}
	city, ok := byID[demo.PanjinCity]
	if !ok || city.Code != "211100" || city.Name != "盘锦市" || city.ParentID != nil {
		t.Errorf("demo city %s: got %+v (found %v), want 211100 盘锦市, a root", demo.PanjinCity, city, ok)
	}
	if demo.PanjinCity != "0190a000-0000-7000-8000-000000000001" {
		t.Errorf("the demo city's fixed id changed: %s", demo.PanjinCity)
	}
	for _, u := range demo.Units() {
		if _, ok := byID[u.ID]; !ok {
			t.Errorf("demo unit %s %s is not listed", u.ID, u.Name)
		}
	}

	resp, body := getOK(t, base+"/docs/")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /docs/: Content-Type %q, want text/html", ct)
	}
	if !bytes.Contains(bytes.ToLower(body), []byte("<html")) {
		t.Errorf("GET /docs/: not an HTML page:\n%.300s", body)
	}
	_, body = getOK(t, base+"/openapi.yaml")
	if !bytes.HasPrefix(body, []byte("openapi:")) {
		t.Errorf("GET /openapi.yaml: does not start with \"openapi:\":\n%.200s", body)
	}
	_, body = getOK(t, base+"/openapi.json")
	var spec struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &spec); err != nil || spec.OpenAPI == "" || spec.Paths["/units"] == nil {
		t.Errorf("GET /openapi.json: not the contract (%v):\n%.200s", err, body)
	}
	_, body = getOK(t, base+"/metrics")
	if !bytes.Contains(body, []byte("fazhi_http_requests_total")) {
		t.Errorf("GET /metrics: no fazhi_http_requests_total:\n%.500s", body)
	}

	t.Run("healthcheck", func(t *testing.T) {
		code, out, errOut := runOnce(t, map[string]string{"FAZHI_ADDR": strings.TrimPrefix(base, "http://")}, "healthcheck")
		if code != 0 {
			t.Errorf("healthcheck against the running server: exit %d\n%s%s", code, out, errOut)
		}
	})

	p.stop()
	for i, line := range p.stderrLines() {
		var r logRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.str("time") == "" || r.str("level") == "" || r.str("msg") == "" {
			t.Errorf("stderr line %d is not a JSON log record (time, level, msg): %q", i+1, line)
		}
	}
	if r, _ := p.find("request"); r == nil || r.str("request_id") == "" {
		t.Errorf("no request log line with a request_id: %v", r)
	}

	// Started again on the same directory, it neither migrates nor reloads the demo data.
	p2 := startFazhi(t, "fazhi (restarted)", env)
	base2, _ := p2.listen()
	if ready, _ := p2.find("database ready"); ready == nil {
		t.Error("restart: no database ready line")
	} else if applied, _ := ready["migrations_applied"].([]any); len(applied) != 0 {
		t.Errorf("restart: migrations_applied = %v, want none", ready["migrations_applied"])
	}
	if loaded, _ := p2.find("demo data loaded"); loaded != nil {
		t.Errorf("restart on an existing database loaded the demo data again: %v", loaded)
	}
	// The session survives the restart: it lives in the database.
	getAuthOK(t, base2+"/api/v1/units/"+demo.PanjinCity, token)
	p2.stop()
}

func TestProcessHealthcheckWithNothingListening(t *testing.T) {
	t.Parallel()
	code, _, errOut := runOnce(t, map[string]string{"FAZHI_ADDR": closedPort(t)}, "healthcheck")
	if code == 0 {
		t.Error("healthcheck exited 0 with nothing listening")
	}
	if !strings.Contains(errOut, "fazhi:") {
		t.Errorf("healthcheck failed without saying why: %q", errOut)
	}
}

// SIGTERM while a request is in flight: the request completes, then the process
// exits 0. The request is held in flight by its body: the client sends
// "Expect: 100-continue" and the body only after the server has asked for it
// (so the handler is running) and the process has begun shutting down (so the
// signal arrived mid-request). No step depends on timing.
func TestProcessGracefulShutdown(t *testing.T) {
	t.Parallel()
	p := startFazhi(t, "fazhi", map[string]string{
		"FAZHI_DATA_DIR": filepath.Join(t.TempDir(), "data"),
		"FAZHI_ADDR":     "127.0.0.1:0",
	})
	base, _ := p.listen()
	p.waitReady(base)
	token := signInAdmin(t, base)

	pr, pw := io.Pipe()
	defer pw.Close()
	got100 := make(chan struct{})
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { close(got100) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/units", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Expect", "100-continue")
	tr := &http.Transport{ExpectContinueTimeout: time.Hour} // wait for the server, however long
	defer tr.CloseIdleConnections()
	type result struct {
		status int
		body   []byte
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr, Timeout: 2 * stopTimeout}).Do(req)
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		resc <- result{resp.StatusCode, body, err}
	}()

	select {
	case <-got100: // the server is reading the body: the request is in its handlers
	case r := <-resc:
		t.Fatalf("the server answered before the body was sent: %d %s %v", r.status, r.body, r.err)
	case <-time.After(startTimeout):
		t.Fatal("the server never asked for the request body (100 Continue)")
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog("shutting down", stopTimeout)
	// Shutdown closes the listener first: once new connections are refused, the
	// server is draining, and our request is still waiting for its body.
	addr := strings.TrimPrefix(base, "http://")
	for deadline := time.Now().Add(stopTimeout); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if p.exited() {
		t.Fatal("the process exited with a request in flight")
	}

	body := fmt.Sprintf(`{"code":"211100-901","name":"盘锦市关机测试办公室","kind":"office","parentId":%q}`, demo.PanjinCity)
	half := len(body) / 2
	for _, part := range []string{body[:half], body[half:]} {
		if _, err := io.WriteString(pw, part); err != nil {
			t.Fatalf("sending the request body: %v", err)
		}
	}
	pw.Close()

	var r result
	select {
	case r = <-resc:
	case <-time.After(2 * stopTimeout):
		t.Fatal("no response to the request in flight")
	}
	if r.err != nil {
		t.Fatalf("the request in flight failed: %v", r.err)
	}
	if r.status != http.StatusCreated {
		// Any answer shows the request was served; 201 is what the contract says.
		t.Errorf("the request in flight answered %d, want 201: %s", r.status, r.body)
	}

	if code := p.wait(stopTimeout); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	_, stopped := p.find("stopped")
	if stopped < 0 {
		t.Fatal("no \"stopped\" log line")
	}
	recs, index := p.records()
	served := -1
	for i, rec := range recs {
		if rec.str("msg") == "request" && rec.str("method") == http.MethodPost {
			served = index[i]
		}
	}
	_, shutting := p.find("shutting down")
	if served < shutting || served > stopped {
		t.Errorf("the POST was logged at line %d, want between \"shutting down\" (%d) and \"stopped\" (%d)", served, shutting, stopped)
	}
}

// Two instances started together on one new MySQL database: both become
// ready, and goose's table lock made the migrations run once.
func TestProcessConcurrentStartMySQL(t *testing.T) {
	t.Parallel()
	databaseURL := dbtest.NewMySQLDatabase(t)
	fazhiBinary(t) // build before starting the clock on either
	env := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ADDR": "127.0.0.1:0", "FAZHI_DEMO": "never"}
	procs := []*proc{startFazhi(t, "fazhi 1", env), startFazhi(t, "fazhi 2", env)}

	versions := migrationVersions(t, store.MySQL)
	var applied []int64
	for _, p := range procs {
		base, _ := p.listen()
		p.waitReady(base)
		ready, _ := p.find("database ready")
		list, _ := ready["migrations_applied"].([]any)
		for _, v := range list {
			f, _ := v.(float64)
			applied = append(applied, int64(f))
		}
		if loaded, _ := p.find("demo data loaded"); loaded != nil {
			t.Errorf("%s loaded the demo data with FAZHI_DEMO=never", p.name)
		}
	}
	slices.Sort(applied)
	if !slices.Equal(applied, versions) {
		t.Errorf("migrations applied by the two processes together: %v, want each of %v once", applied, versions)
	}

	_, dsn, err := store.ParseURL(databaseURL, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT version_id, COUNT(*) FROM goose_db_version GROUP BY version_id ORDER BY version_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64]int{}
	for rows.Next() {
		var v int64
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		got[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[int64]int{0: 1} // goose's own row
	for _, v := range versions {
		want[v] = 1
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("goose_db_version rows per version: %v, want %v", got, want)
	}

	for _, p := range procs {
		p.stop()
		if u, err := url.Parse(databaseURL); err == nil {
			if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(p.stderr(), pw) {
				t.Errorf("%s logged the database password", p.name)
			}
		}
	}
}

// A password in DATABASE_URL never reaches the logs, even when it is wrong.
func TestProcessSecretsNotLogged(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, databaseURL string) {
		t.Helper()
		p := startFazhi(t, "fazhi", map[string]string{
			"DATABASE_URL":    databaseURL,
			"FAZHI_ADDR":      "127.0.0.1:0",
			"FAZHI_DEMO":      "never",
			"FAZHI_LOG_LEVEL": "debug",
		})
		code := p.wait(startTimeout)
		if code == 0 {
			t.Errorf("exit code 0 with a database that cannot be reached, want non-zero")
		}
		errOut := p.stderr()
		if errOut == "" {
			t.Error("failed without a word on stderr")
		}
		if strings.Contains(errOut, "s3cr3t") || strings.Contains(p.stdout.String(), "s3cr3t") {
			t.Errorf("the password was logged:\n%s", errOut)
		}
	}
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		check(t, "mysql://root:"+secret+"@"+closedPort(t)+"/fazhi")
	})
	t.Run("login refused", func(t *testing.T) {
		t.Parallel()
		u, err := url.Parse(dbtest.NewMySQLDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), secret) // root has another (empty) password
		check(t, u.String())
	})
}

// "Two fazhi processes writing concurrently to one MariaDB database leave a
// chain that verifies": both append to the audit log through the lock on its
// head row, so the sequence has no gap and no fork whichever process wins.
func TestProcessConcurrentWritersMySQL(t *testing.T) {
	t.Parallel()
	databaseURL := dbtest.NewMySQLDatabase(t)
	env := map[string]string{"DATABASE_URL": databaseURL}
	mustRun(t, env, "seed", "demo")

	serveEnv := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ADDR": "127.0.0.1:0", "FAZHI_DEMO": "never", "FAZHI_DB_MAX_OPEN_CONNS": "8"}
	procs := []*proc{startFazhi(t, "fazhi 1", serveEnv), startFazhi(t, "fazhi 2", serveEnv)}
	bases, tokens := readyAsAdmin(t, procs)
	before := verifiedEvents(t, env)

	// Per process: workers × perWorker creations, and a PATCH of every other unit created.
	const workers, perWorker = 4, 10
	type write struct {
		proc   int
		method string
		what   string
		status int
		body   []byte
		err    error
	}
	results := make(chan write, len(procs)*workers*perWorker*2)

	// An operator may verify the chain while it grows: every check must pass.
	verifyDB, err := store.Open(store.Config{URL: databaseURL, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer verifyDB.Close()
	stopVerifying := make(chan struct{})
	verified := make(chan error, 1)
	go func() {
		checks := 0
		for {
			select {
			case <-stopVerifying:
				if checks == 0 {
					verified <- errors.New("no verification ran during the writes")
					return
				}
				verified <- nil
				return
			default:
			}
			v, err := verifyDB.VerifyAudit(context.Background())
			if err != nil || !v.OK {
				verified <- fmt.Errorf("VerifyAudit during the writes: %+v, %v", v, err)
				return
			}
			checks++
		}
	}()

	var wg sync.WaitGroup
	suffix := dbtest.RandomSuffix()[:6]
	for pi := range procs {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWorker {
					code := fmt.Sprintf("211100-CW%s%d%d%02d", suffix, pi, w, i)
					created, err := apiCall{method: http.MethodPost, url: bases[pi] + "/api/v1/units", token: tokens[pi],
						body: map[string]any{"code": code, "name": "并发写入测试 " + code, "kind": "office", "parentId": demo.PanjinCity}}.do()
					status, header, body := created.status, created.header, created.body
					results <- write{pi, http.MethodPost, code, status, body, err}
					if err != nil || status != http.StatusCreated || i%2 == 1 {
						continue
					}
					var u unitJSON
					if err := json.Unmarshal(body, &u); err != nil {
						results <- write{pi, http.MethodPatch, code, 0, body, err}
						continue
					}
					// The other process changes what this one created.
					other := (pi + 1) % len(procs)
					changed, err := apiCall{method: http.MethodPatch, url: bases[other] + "/api/v1/units/" + u.ID, token: tokens[other],
						body:   map[string]any{"name": "并发修改 " + code},
						header: http.Header{"If-Match": {header.Get("ETag")}, "Content-Type": {"application/merge-patch+json"}}}.do()
					results <- write{other, http.MethodPatch, code, changed.status, changed.body, err}
				}
			}()
		}
	}
	wg.Wait()
	close(results)
	close(stopVerifying)
	if err := <-verified; err != nil {
		t.Error(err)
	}
	writes := 0
	for r := range results {
		want := http.StatusCreated
		if r.method == http.MethodPatch {
			want = http.StatusOK
		}
		if r.err != nil || r.status != want {
			t.Errorf("%s %s through fazhi %d: %d (%v), want %d\n%s", r.method, r.what, r.proc+1, r.status, r.err, want, r.body)
			continue
		}
		writes++
	}
	if want := len(procs) * workers * (perWorker + perWorker/2); writes != want {
		t.Errorf("%d writes succeeded, want %d", writes, want)
	}

	after := verifiedEvents(t, env)
	if after-before != writes {
		t.Errorf("the audit log grew by %d event(s) during %d writes, want one each", after-before, writes)
	}
	for _, p := range procs {
		p.stop()
	}

	// The rows themselves: seq 1..N without a gap, each linked to the one before,
	// and the head row at the last.
	_, dsn, err := store.ParseURL(databaseURL, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var (
		n        int64
		lastHash = strings.Repeat("0", 64)
	)
	for rows.Next() {
		var seq int64
		var prev, hash string
		if err := rows.Scan(&seq, &prev, &hash); err != nil {
			t.Fatal(err)
		}
		n++
		if seq != n {
			t.Fatalf("audit_events: seq %d where %d was due: the sequence has a gap", seq, n)
		}
		if prev != lastHash {
			t.Fatalf("audit_events: event %d links to %.12s…, the event before it has hash %.12s…", seq, prev, lastHash)
		}
		lastHash = hash
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != int64(after) {
		t.Errorf("audit_events holds %d rows, audit verify checked %d", n, after)
	}
	var headSeq int64
	var headHash string
	if err := db.QueryRow("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		t.Fatal(err)
	}
	if headSeq != n || headHash != lastHash {
		t.Errorf("audit_chain head at %d (%.12s…), the last event is %d (%.12s…)", headSeq, headHash, n, lastHash)
	}
}

var verifiedLine = regexp.MustCompile(`^audit chain verified: (\d+) event\(s\)\n$`)

// verifiedEvents runs "fazhi audit verify" as an operator would, requires it
// to exit 0, and returns the number of events it checked.
func verifiedEvents(t *testing.T, env map[string]string) int {
	t.Helper()
	code, out, errOut := runOnce(t, env, "audit", "verify")
	m := verifiedLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("audit verify: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestProcessConcurrentDemoMySQL: two instances started together on a new
// MySQL database with FAZHI_DEMO=always both come up; one seeds the demo
// data, the other finds it there, under the seeding lock.
func TestProcessConcurrentDemoMySQL(t *testing.T) {
	t.Parallel()
	databaseURL := dbtest.NewMySQLDatabase(t)
	fazhiBinary(t)
	env := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ADDR": "127.0.0.1:0", "FAZHI_DEMO": "always"}
	procs := []*proc{startFazhi(t, "fazhi 1", env), startFazhi(t, "fazhi 2", env)}
	var added []int
	for _, p := range procs {
		base, _ := p.listen()
		p.waitReady(base)
		loaded, _ := p.find("demo data loaded")
		n, ok := loaded["records_added"].(float64)
		if !ok {
			t.Fatalf("%s did not say how many demo records it added: %v", p.name, loaded)
		}
		added = append(added, int(n))
	}
	slices.Sort(added)
	if added[0] != 0 || added[1] == 0 {
		t.Errorf("records added by the two instances: %v, want all by one and none by the other", added)
	}
}
