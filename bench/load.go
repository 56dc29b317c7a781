package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// benchCase is one operation under load.
type benchCase struct {
	Key, Title string
	// target returns the targeter for one server: both servers get the same
	// requests (a PATCH names the version its server last answered with).
	target func(s *server) vegeta.Targeter
	// observe sees each answer (a PATCH learns the unit's next version).
	observe func(s *server, r *vegeta.Result)
}

// cases are the benchmarked operations: a to f as the issue lists them,
// then the main lists of the checklist and plan domains (g, h).
func cases(f *fixture, deepCursor string, patch *patcher) []benchCase {
	get := func(path string) func(*server) vegeta.Targeter {
		return func(s *server) vegeta.Targeter {
			hdr := http.Header{"Authorization": {"Bearer " + f.Token}}
			return func(t *vegeta.Target) error {
				*t = vegeta.Target{Method: http.MethodGet, URL: s.URL + path, Header: hdr}
				return nil
			}
		}
	}
	return []benchCase{
		{Key: "a", Title: "GET /units/{id}", target: get("/api/v1/units/" + f.Towns[0])},
		{Key: "b", Title: "GET /units?limit=50", target: get("/api/v1/units?limit=50")},
		{Key: "c", Title: "the same, deep cursor", target: get("/api/v1/units?limit=50&cursor=" + deepCursor)},
		{Key: "d", Title: "GET /indicator-values?unitId&year&limit=500",
			target: get(fmt.Sprintf("/api/v1/indicator-values?unitId=%s&year=%d&limit=500", f.Reporter, f.Year))},
		{Key: "e", Title: "PATCH /units/{id} If-Match + audit", target: patch.target, observe: patch.observe},
		{Key: "f", Title: "GET /units?parentId=city&limit=50", target: get("/api/v1/units?limit=50&parentId=" + f.City)},
		{Key: "g", Title: "GET /checklists/{id}/items?limit=50", target: get("/api/v1/checklists/" + f.Checklist + "/items?limit=50")},
		{Key: "h", Title: "GET /plan-tasks?planId&limit=50", target: get("/api/v1/plan-tasks?limit=50&planId=" + f.Plan)},
	}
}

// patcher renames towns in rotation, each with If-Match naming the version
// its last answer carried. A town whose PATCH is still in flight is skipped
// until its answer is back: a slow answer (SQLite's writers wait their turn)
// must not make the next one a 412.
type patcher struct {
	f        *fixture
	mu       sync.Mutex
	next     int
	etag     map[string]string // unit id → ETag (both servers write the same rows)
	inFlight map[string]bool
}

func newPatcher(f *fixture) *patcher {
	return &patcher{f: f, etag: map[string]string{}, inFlight: map[string]bool{}}
}

func (p *patcher) target(s *server) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		p.mu.Lock()
		var id string
		for {
			p.next++
			if id = p.f.Towns[p.next%len(p.f.Towns)]; !p.inFlight[id] {
				break
			}
		}
		p.inFlight[id] = true
		n, etag := p.next, p.etag[id]
		p.mu.Unlock()
		if etag == "" {
			etag = `"1"` // as seeded
		}
		*t = vegeta.Target{Method: http.MethodPatch, URL: s.URL + "/api/v1/units/" + id,
			Body: fmt.Appendf(nil, `{"name":"基准街道%d"}`, n),
			Header: http.Header{"Authorization": {"Bearer " + p.f.Token}, "If-Match": {etag},
				"Content-Type": {"application/merge-patch+json"}}}
		return nil
	}
}

// observe learns a town's version from its PATCH's answer.
func (p *patcher) observe(s *server, r *vegeta.Result) {
	id := strings.TrimPrefix(r.URL, s.URL+"/api/v1/units/")
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inFlight, id)
	if r.Code == http.StatusOK {
		p.etag[id] = r.Headers.Get("ETag")
	}
}

// remember notes a unit's version after a PATCH.
func (p *patcher) remember(id, etag string) {
	p.mu.Lock()
	p.etag[id] = etag
	p.mu.Unlock()
}

// sample is one measured window of one case on one server.
type sample struct {
	Requests, Failed int
	Elapsed          time.Duration
	P50, P99         time.Duration
	CPU              time.Duration // the server process's
	DBCPU            time.Duration // mariadbd's, on MySQL
	NewConns         int64         // connections the database accepted
	FirstError       string
}

func (s sample) RPS() float64 { return float64(s.Requests) / s.Elapsed.Seconds() }

// CPUPerRequest is the server's CPU time per answered request.
func (s sample) CPUPerRequest() time.Duration {
	if s.Requests == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.Requests)
}

// meters read what a window costs outside the load driver.
type meters struct {
	dbPID    int                   // mariadbd, or 0
	dbConns  func() (int64, error) // MariaDB's Connections counter, or nil
	warmup   time.Duration
	duration time.Duration
	workers  int
	profiles string // a directory for the servers' CPU profiles, or ""
	dialect  string
}

// attack warms the server up with the case, then measures a window of it:
// a closed loop of m.workers requests in flight, each on a kept-alive
// connection, as fast as the server answers.
func (m meters) attack(c benchCase, s *server) (sample, error) {
	run := func(d time.Duration, res *sample) {
		atk := vegeta.NewAttacker(vegeta.Workers(uint64(m.workers)), vegeta.MaxWorkers(uint64(m.workers)),
			vegeta.Connections(m.workers), vegeta.MaxConnections(m.workers), vegeta.KeepAlive(true),
			vegeta.MaxBody(0), vegeta.Timeout(30*time.Second))
		var latencies []time.Duration
		for r := range atk.Attack(c.target(s), vegeta.ConstantPacer{}, d, c.Key) {
			if c.observe != nil {
				c.observe(s, r)
			}
			if res == nil {
				continue
			}
			if r.Code < 200 || r.Code > 299 {
				res.Failed++
				if res.FirstError == "" {
					res.FirstError = fmt.Sprintf("%s: %s", s.Name, r.Error)
				}
				continue
			}
			latencies = append(latencies, r.Latency)
		}
		if res != nil {
			slices.Sort(latencies)
			res.Requests = len(latencies)
			if n := len(latencies); n > 0 {
				res.P50, res.P99 = latencies[n/2], latencies[min(n-1, n*99/100)]
			}
		}
	}
	run(m.warmup, nil)

	var res sample
	cpu0, err := s.CPU()
	if err != nil {
		return res, err
	}
	var db0 time.Duration
	if m.dbPID != 0 {
		db0, _ = processCPU(m.dbPID)
	}
	var conns0 int64
	if m.dbConns != nil {
		if conns0, err = m.dbConns(); err != nil {
			return res, err
		}
	}
	var profiled func() error
	if m.profiles != "" && s.PprofAddr != "" {
		profiled = s.profileCPU(m.duration, filepath.Join(m.profiles, fmt.Sprintf("%s-%s-%s.pprof", s.Name, m.dialect, c.Key)))
	}
	began := time.Now()
	run(m.duration, &res)
	if profiled != nil {
		if err := profiled(); err != nil {
			return res, fmt.Errorf("profile: %w", err)
		}
	}
	res.Elapsed = time.Since(began)
	cpu1, err := s.CPU()
	if err != nil {
		return res, err
	}
	res.CPU = cpu1 - cpu0
	if m.dbPID != 0 {
		db1, _ := processCPU(m.dbPID)
		res.DBCPU = db1 - db0
	}
	if m.dbConns != nil {
		conns1, err := m.dbConns()
		if err != nil {
			return res, err
		}
		// Less the one this driver opened to read the counter, if any.
		res.NewConns = max(0, conns1-conns0-1)
	}
	return res, nil
}
