package main

// A real multi-primary cluster: three MariaDB Galera nodes on loopback ports,
// two fazhi instances started at once on the empty cluster, each on a node
// of its own, and clients writing through both.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
)

// galeraProvider is Debian's galera-4 library.
const galeraProvider = "/usr/lib/galera/libgalera_smm.so"

// galeraNode is one running node: its client address and its process.
type galeraNode struct {
	name string
	port int
	dir  string
	cmd  *exec.Cmd
}

// url is the node's DATABASE_URL for database db.
func (n *galeraNode) url(db string) string {
	return fmt.Sprintf("mysql://root@127.0.0.1:%d/%s", n.port, db)
}

// open connects to the node as root, without a database.
func (n *galeraNode) open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", n.port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// status reads one of the node's wsrep status variables ("" while it does
// not answer).
func (n *galeraNode) status(db *sql.DB, name string) string {
	var key, value string
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&key, &value); err != nil {
		return ""
	}
	return value
}

// freePorts returns n ports nothing listens on now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// startGalera starts a three-node cluster and returns its nodes, in
// sync. Outside CI (and without TEST_GALERA=1) the test is skipped, as the
// MySQL leg is without TEST_MYSQL_DSN; in CI a cluster that cannot start
// fails it.
func startGalera(t *testing.T) []*galeraNode {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("TEST_GALERA") != "1" {
		t.Skip("the Galera cluster test runs in CI (CI=true) or with TEST_GALERA=1")
	}
	for _, need := range []string{galeraProvider, "/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/rsync"} {
		if _, err := os.Stat(need); err != nil {
			t.Fatalf("the Galera cluster needs %s (.ci/run installs galera-4 and rsync): %v", need, err)
		}
	}
	base, err := os.MkdirTemp("", "fazhi-galera-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	// The nodes run as mysql: a joiner receives its copy through an rsync
	// daemon, which as root would write as nobody.
	user := "--user=mysql"
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 12) // client, group, IST and SST, for each node
	var nodes []*galeraNode
	var group []string
	for i := range 3 {
		group = append(group, fmt.Sprintf("127.0.0.1:%d", ports[4*i+1]))
	}
	for i := range 3 {
		n := &galeraNode{name: fmt.Sprintf("node%d", i+1), port: ports[4*i], dir: filepath.Join(base, fmt.Sprintf("node%d", i+1))}
		if out, err := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+n.dir, user,
			"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput(); err != nil {
			t.Fatalf("mariadb-install-db for %s: %v\n%s", n.name, err, out)
		}
		args := []string{"--no-defaults", "--datadir=" + n.dir, "--socket=" + filepath.Join(n.dir, "mysqld.sock"),
			"--pid-file=" + filepath.Join(n.dir, "mysqld.pid"), "--log-error=" + filepath.Join(n.dir, "error.log"),
			"--port=" + strconv.Itoa(n.port), "--bind-address=127.0.0.1", user,
			"--innodb-buffer-pool-size=64M", "--binlog-format=ROW", "--default-storage-engine=InnoDB",
			"--innodb-autoinc-lock-mode=2", "--wsrep-on=ON", "--wsrep-provider=" + galeraProvider,
			"--wsrep-cluster-name=fazhi-test", "--wsrep-node-name=" + n.name, "--wsrep-node-address=127.0.0.1",
			"--wsrep-cluster-address=gcomm://" + strings.Join(group, ","),
			// Timeouts for a busy machine (CI runs the browser test beside this one):
			// with Galera's defaults a node whose heartbeats come late for 5 s is
			// suspected and the cluster re-forms, its nodes refusing queries meanwhile.
			fmt.Sprintf("--wsrep-provider-options=gmcast.listen_addr=tcp://%s;ist.recv_addr=127.0.0.1:%d;"+
				"evs.suspect_timeout=PT30S;evs.inactive_timeout=PT1M;evs.install_timeout=PT1M", group[i], ports[4*i+2]),
			"--wsrep-sst-method=rsync", "--wsrep-sync-wait=1", fmt.Sprintf("--wsrep-sst-receive-address=127.0.0.1:%d", ports[4*i+3])}
		if i == 0 {
			args = append(args, "--wsrep-new-cluster")
		}
		n.cmd = exec.Command("/usr/sbin/mariadbd", args...)
		n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its SST scripts stop with it
		if err := n.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", n.name, err)
		}
		t.Cleanup(func() { stopNode(n) })
		nodes = append(nodes, n)
		// One node at a time: a joiner copies its state from the cluster.
		waitSynced(t, n, i+1)
	}
	if _, err := nodes[0].open(t).Exec("CREATE DATABASE fazhi"); err != nil {
		t.Fatal(err)
	}
	// The other nodes apply the CREATE after node 1 answers: an instance
	// started on one of them a moment later could find no database.
	for _, n := range nodes[1:] {
		waitDatabase(t, n, "fazhi")
	}
	return nodes
}

// waitSynced waits until the node is in the cluster, synced, and the
// cluster has size nodes.
func waitSynced(t *testing.T, n *galeraNode, size int) {
	t.Helper()
	db := n.open(t)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if n.status(db, "wsrep_local_state_comment") == "Synced" && n.status(db, "wsrep_cluster_size") == strconv.Itoa(size) &&
			n.status(db, "wsrep_ready") == "ON" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	t.Fatalf("%s did not join a cluster of %d within 2 minutes; its log ends:\n%s", n.name, size, tail(string(log), 3000))
}

// waitDatabase waits until the node has the database name.
func waitDatabase(t *testing.T, n *galeraNode, name string) {
	t.Helper()
	db := n.open(t)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var found string
		if db.QueryRow("SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&found) == nil {
			return
		}
	}
	t.Fatalf("%s has no database %s a minute after node1 created it", n.name, name)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stopNode stops a node and what it started, and waits for it.
func stopNode(n *galeraNode) {
	if n.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// TestGaleraCluster: two instances started at once on an empty three-node
// Galera cluster, each on its own node, migrate and seed the demo data once
// between them; then 16 clients, half through each, create units and take
// turns renaming one unit with If-Match. No answer is a 5xx, no committed
// rename is lost (the unit's version counts every 200), and the audit chain
// verifies on every node. The same load on one MariaDB server, two
// instances on one database, gives the figure to compare with.
func TestGaleraCluster(t *testing.T) {
	nodes := startGalera(t)
	fazhiBinary(t)
	cluster := writeLoad(t, nodes[2].url("fazhi"), nodes[0].url("fazhi"), nodes[1].url("fazhi"))
	var counts []int
	for _, n := range nodes {
		counts = append(counts, verifiedEvents(t, map[string]string{"DATABASE_URL": n.url("fazhi")}))
	}
	if counts[0] != counts[1] || counts[1] != counts[2] || counts[0] < cluster.writes {
		t.Errorf("audit events verified on the three nodes: %v, after %d writes", counts, cluster.writes)
	}
	partRaces(t, nodes[0].url("fazhi"), nodes[1].url("fazhi"))
	if os.Getenv("TEST_MYSQL_DSN") != "" {
		one := dbtest.NewMySQLDatabase(t)
		single := writeLoad(t, one, one, one)
		verifiedEvents(t, map[string]string{"DATABASE_URL": one})
		t.Logf("writes/s: %.0f on one MariaDB server, %.0f on the three-node cluster (%.2f×)",
			single.perSecond, cluster.perSecond, cluster.perSecond/single.perSecond)
	}
}

// partRaces races parts against their parents on two nodes: each round,
// a system and a plan (with a task) are drafted through the first node's
// instance; then the first publishes both while the second, at the same
// instant, sets a target of the system's indicator and adds a task to the
// plan. Whatever the order, the new target and task are released, and the
// feed must carry both: certification does not see reads, so only the
// guard rows both sides write make the two transactions conflict (store,
// releasedOf).
func partRaces(t *testing.T, first, second string) {
	t.Helper()
	var procs []*proc
	for i, u := range []string{first, second} {
		procs = append(procs, startFazhi(t, fmt.Sprintf("fazhi race %d", i+1), map[string]string{"DATABASE_URL": u, "FAZHI_ADDR": "127.0.0.1:0",
			"FAZHI_DEMO": "never", "FAZHI_API_KEY_RATE": "100000000"}))
	}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	bases, tokens := readyAsAdmin(t, procs)
	call := func(i int, method, path string, body any, want int) []byte {
		t.Helper()
		r, err := apiCall{method: method, url: bases[i] + "/api/v1" + path, token: tokens[i], body: body}.do()
		if err != nil || r.status != want {
			t.Fatalf("%s %s through %s: %d %v %.300s", method, path, procs[i].name, r.status, err, r.body)
		}
		return r.body
	}
	idOf := func(body []byte) string {
		var v struct{ ID string }
		if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
			t.Fatalf("no id in %.300s", body)
		}
		return v.ID
	}
	var key struct{ Secret string }
	_ = json.Unmarshal(call(0, http.MethodPost, "/api-keys", map[string]any{"name": "省平台（竞态订阅）", "scopes": []string{"feed"}}, http.StatusCreated), &key)
	const rounds = 10
	missed := 0
	for round := range rounds {
		// Where the feed stands: the cursor a snapshot ends with (once the
		// second node has the key, which the first made a moment ago).
		var snap apiReply
		var err error
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			snap, err = apiCall{method: http.MethodGet, url: bases[1] + "/api/v1/snapshot?types=unit", token: key.Secret}.do()
			if err != nil || snap.status != http.StatusUnauthorized || time.Now().After(deadline) {
				break
			}
		}
		lines := strings.Split(strings.TrimSpace(string(snap.body)), "\n")
		var end struct{ Cursor string }
		if err != nil || snap.status != http.StatusOK || json.Unmarshal([]byte(lines[len(lines)-1]), &end) != nil || end.Cursor == "" {
			t.Fatalf("round %d: snapshot: %d %v %.300s", round, snap.status, err, lines[len(lines)-1])
		}
		cursor := end.Cursor
		suffix := dbtest.RandomSuffix()[:6]
		sys := idOf(call(0, http.MethodPost, "/indicator-systems", map[string]any{"name": "集群竞态指标体系 " + suffix, "issuingUnitId": demo.PanjinCity,
			"edition": "2022年版", "yearFrom": 2022, "yearTo": 2022, "totalPoints": "100"}, http.StatusCreated))
		ind := idOf(call(0, http.MethodPost, "/indicator-systems/"+sys+"/indicators", map[string]any{"code": "1", "name": "竞态指标", "points": "100",
			"valueType": "number", "direction": "higher_better", "aggregation": "sum", "frequency": "year"}, http.StatusCreated))
		plan := idOf(call(0, http.MethodPost, "/plans", map[string]any{"unitId": demo.PanjinCity, "year": 2022, "title": "集群竞态计划 " + suffix,
			"kind": "key_points"}, http.StatusCreated))
		call(0, http.MethodPost, "/plans/"+plan+"/tasks", map[string]any{"number": "1", "title": "竞态任务一"}, http.StatusCreated)
		// The second node has the drafts before the race starts.
		for deadline := time.Now().Add(10 * time.Second); ; {
			r1, _ := apiCall{method: http.MethodGet, url: bases[1] + "/api/v1/indicators/" + ind, token: tokens[1]}.do()
			r2, _ := apiCall{method: http.MethodGet, url: bases[1] + "/api/v1/plans/" + plan, token: tokens[1]}.do()
			if r1.status == http.StatusOK && r2.status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the second node does not have the drafts: %d %d", round, r1.status, r2.status)
			}
			time.Sleep(10 * time.Millisecond)
		}
		var wg sync.WaitGroup
		var target, task []byte
		race := func(i int, path string, body any, want int, got *[]byte) {
			wg.Go(func() {
				r, err := apiCall{method: http.MethodPost, url: bases[i] + "/api/v1" + path, token: tokens[i], body: body}.do()
				if err != nil || r.status != want {
					t.Errorf("round %d: POST %s through %s: %d %v %.300s", round, path, procs[i].name, r.status, err, r.body)
				}
				if got != nil {
					*got = r.body
				}
			})
		}
		race(0, "/indicator-systems/"+sys+"/publish", nil, http.StatusOK, nil)
		race(1, "/indicators/"+ind+"/targets", map[string]any{"year": 2022, "comparator": "gte", "value": "90"}, http.StatusCreated, &target)
		race(0, "/plans/"+plan+"/publish", nil, http.StatusOK, nil)
		race(1, "/plans/"+plan+"/tasks", map[string]any{"number": "2", "title": "竞态任务二"}, http.StatusCreated, &task)
		wg.Wait()
		if t.Failed() {
			return
		}
		// Read the feed through the second node until both have an event
		// (a node applies what the other committed a moment later).
		want := map[string]bool{idOf(target): false, idOf(task): false}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			r, err := apiCall{method: http.MethodGet, url: bases[1] + "/api/v1/feed?types=target,plan_task&limit=5000&cursor=" + cursor, token: key.Secret}.do()
			if err != nil || r.status != http.StatusOK {
				continue // 503 while other nodes' sequencers hold the chain: again
			}
			var page struct {
				Items []struct{ ID, Operation string } `json:"items"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				if _, ok := want[e.ID]; ok && e.Operation == "upsert" {
					want[e.ID] = true
				}
			}
			if !slices.Contains(slices.Collect(maps.Values(want)), false) {
				break
			}
		}
		for id, seen := range want {
			if !seen {
				missed++
				t.Errorf("round %d: %s, released, has no event in the feed", round, id)
			}
		}
	}
	t.Logf("parts racing their parents on two nodes: %d rounds, %d parts missed", rounds, missed)
}

// loadResult is what writeLoad did.
type loadResult struct {
	writes    int
	perSecond float64
}

// writeLoad starts an instance on each writer database URL at once, with
// the demo data, and runs the clients through them: 16 clients, each
// creating 25 units and renaming the shared one after each. It fails the
// test on any answer but 201, 200 and (for a stale rename) 412, and on a lost
// rename. Meanwhile a reader pulls the province's feed through an instance
// of its own on readerURL (another node of a cluster), and must see exactly
// one event for every write, in increasing order (feedReader).
func writeLoad(t *testing.T, readerURL string, urls ...string) loadResult {
	t.Helper()
	var procs []*proc
	for i, u := range urls {
		procs = append(procs, startFazhi(t, fmt.Sprintf("fazhi %d", i+1), map[string]string{"DATABASE_URL": u, "FAZHI_ADDR": "127.0.0.1:0", "FAZHI_DEMO": "always"}))
	}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	bases, tokens := readyAsAdmin(t, procs)
	added := 0
	for _, p := range procs {
		rec, _ := p.find("demo data loaded")
		if rec == nil {
			t.Fatalf("%s did not report the demo data", p.name)
		}
		n, _ := rec["records_added"].(float64)
		added += int(n)
	}
	if seeded := len(listAllUnits(t, bases[0], tokens[0])); added == 0 || seeded != len(listAllUnits(t, bases[1], tokens[1])) {
		t.Fatalf("demo data: %d records added by the instances, units seen %d", added, seeded)
	}
	// The reader's instance starts once the demo data is in; it polls
	// without pause, and its instance lets its key do so.
	reader := startFazhi(t, "fazhi reader", map[string]string{"DATABASE_URL": readerURL, "FAZHI_ADDR": "127.0.0.1:0", "FAZHI_DEMO": "never",
		"FAZHI_API_KEY_RATE": "100000000"})
	defer reader.stop()
	readerBase, _ := readyAsAdmin(t, []*proc{reader})
	feed := startFeedReader(t, readerBase[0], tokens[0], bases[0])

	// The unit everybody renames.
	shared, err := apiCall{method: http.MethodPost, url: bases[0] + "/api/v1/units", token: tokens[0],
		body: map[string]any{"code": "211100-GALERA" + dbtest.RandomSuffix()[:4], "name": "集群共享单位", "kind": "office", "parentId": demo.PanjinCity}}.do()
	if err != nil || shared.status != http.StatusCreated {
		t.Fatalf("create the shared unit: %d %v %s", shared.status, err, shared.body)
	}
	var unit unitJSON
	if err := json.Unmarshal(shared.body, &unit); err != nil {
		t.Fatal(err)
	}

	const clients, perClient = 16, 25
	var (
		wg                      sync.WaitGroup
		created, renamed, stale atomic.Int64
		mu                      sync.Mutex
		failures, createdIDs    []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	suffix := dbtest.RandomSuffix()[:5]
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := c % len(procs)
			for k := range perClient {
				code := fmt.Sprintf("211100-GC%s%02d%02d", suffix, c, k)
				r, err := apiCall{method: http.MethodPost, url: bases[i] + "/api/v1/units", token: tokens[i],
					body: map[string]any{"code": code, "name": "集群写入 " + code, "kind": "office", "parentId": demo.PanjinCity}}.do()
				if err != nil || r.status != http.StatusCreated {
					fail("create %s through %s: %d %v %.300s", code, procs[i].name, r.status, err, r.body)
					continue
				}
				created.Add(1)
				var made unitJSON
				if err := json.Unmarshal(r.body, &made); err != nil {
					fail("create %s: %v", code, err)
					continue
				}
				mu.Lock()
				createdIDs = append(createdIDs, made.ID)
				mu.Unlock()
				got, err := apiCall{method: http.MethodGet, url: bases[i] + "/api/v1/units/" + unit.ID, token: tokens[i]}.do()
				if err != nil || got.status != http.StatusOK {
					fail("read the shared unit: %d %v %.300s", got.status, err, got.body)
					continue
				}
				r, err = apiCall{method: http.MethodPatch, url: bases[i] + "/api/v1/units/" + unit.ID, token: tokens[i],
					body:   map[string]any{"name": fmt.Sprintf("集群共享单位 %d-%d", c, k)},
					header: http.Header{"If-Match": {got.header.Get("ETag")}, "Content-Type": {"application/merge-patch+json"}}}.do()
				switch {
				case err == nil && r.status == http.StatusOK:
					renamed.Add(1)
				case err == nil && r.status == http.StatusPreconditionFailed:
					stale.Add(1) // someone renamed it first: read again, as a client does
				default:
					fail("rename the shared unit through %s: %d %v %.300s", procs[i].name, r.status, err, r.body)
				}
			}
		}()
	}
	wg.Wait()
	spent := time.Since(start)
	for _, f := range failures {
		t.Error(f)
	}
	writes := created.Load() + renamed.Load()
	t.Logf("%d creates and %d renames (%d stale If-Match) in %s through %d instances: %.0f writes/s",
		created.Load(), renamed.Load(), stale.Load(), spent.Round(time.Millisecond), len(procs), float64(writes)/spent.Seconds())
	if created.Load() != clients*perClient {
		t.Errorf("%d units created, want %d", created.Load(), clients*perClient)
	}
	final, err := apiCall{method: http.MethodGet, url: bases[1] + "/api/v1/units/" + unit.ID, token: tokens[1]}.do()
	if err != nil || final.status != http.StatusOK {
		t.Fatalf("read the shared unit: %d %v", final.status, err)
	}
	var after unitJSON
	if err := json.Unmarshal(final.body, &after); err != nil {
		t.Fatal(err)
	}
	if want := unit.Version + renamed.Load(); after.Version != want {
		t.Errorf("the shared unit is at version %d after %d renames from version %d: renames were lost", after.Version, renamed.Load(), unit.Version)
	}
	// Every write is one feed event of a unit: each new unit's creation,
	// and each rename of the shared one.
	want := map[string]int{unit.ID: 1 + int(renamed.Load())}
	for _, id := range createdIDs {
		want[id] = 1
	}
	feed.expect(t, want, unit.ID, after.Version)
	return loadResult{writes: int(writes), perSecond: float64(writes) / spent.Seconds()}
}

// feedReader pulls the province's feed of units in small pages while
// writers write, as the province does, and remembers what it saw.
type feedReader struct {
	base, key string
	cursor    string
	mu        sync.Mutex
	seen      map[string][]feedEventJSON // unit id → its events, in order
	last      int64
	retries   atomic.Int64 // 503 and 429 answers, retried
	err       error
	stop      chan struct{}
	done      chan struct{}
}

type feedEventJSON struct {
	Seq       int64           `json:"seq"`
	ID        string          `json:"id"`
	Operation string          `json:"operation"`
	Version   int64           `json:"version"`
	Record    json.RawMessage `json:"record"`
}

// startFeedReader makes a key with the scope feed (as the administrator, on
// writerBase), takes a snapshot of the units through base, and polls the
// feed from its cursor until expect.
func startFeedReader(t *testing.T, base, adminToken, writerBase string) *feedReader {
	t.Helper()
	k, err := apiCall{method: http.MethodPost, url: writerBase + "/api/v1/api-keys", token: adminToken,
		body: map[string]any{"name": "省平台（集群订阅）", "scopes": []string{"feed"}}}.do()
	if err != nil || k.status != http.StatusCreated {
		t.Fatalf("create a feed key: %d %v %s", k.status, err, k.body)
	}
	var key struct{ Secret string }
	_ = json.Unmarshal(k.body, &key)
	snap, err := apiCall{method: http.MethodGet, url: base + "/api/v1/snapshot?types=unit", token: key.Secret}.do()
	if err != nil || snap.status != http.StatusOK {
		t.Fatalf("snapshot: %d %v %.300s", snap.status, err, snap.body)
	}
	lines := strings.Split(strings.TrimSpace(string(snap.body)), "\n")
	var end struct{ Cursor string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &end); err != nil || end.Cursor == "" {
		t.Fatalf("the snapshot ends with %q", lines[len(lines)-1])
	}
	r := &feedReader{base: base, key: key.Secret, cursor: end.Cursor, seen: map[string][]feedEventJSON{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			select {
			case <-r.stop:
				return
			default:
			}
			if _, err := r.page(); err != nil {
				r.err = err
				return
			}
		}
	}()
	return r
}

// page reads and records one page; it returns how many events it held.
func (r *feedReader) page() (int, error) {
	reply, err := apiCall{method: http.MethodGet, url: r.base + "/api/v1/feed?types=unit&limit=50&cursor=" + r.cursor, token: r.key}.do()
	if err != nil {
		return 0, err
	}
	if reply.status == http.StatusServiceUnavailable || reply.status == http.StatusTooManyRequests {
		// Retry later, as the contract says and the province's client does.
		r.retries.Add(1)
		time.Sleep(50 * time.Millisecond)
		return 0, nil
	}
	if reply.status != http.StatusOK {
		return 0, fmt.Errorf("feed: %d %.300s", reply.status, reply.body)
	}
	var page struct {
		Items      []feedEventJSON `json:"items"`
		NextCursor string          `json:"nextCursor"`
	}
	if err := json.Unmarshal(reply.body, &page); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range page.Items {
		if e.Seq <= r.last {
			return 0, fmt.Errorf("event %d after %d", e.Seq, r.last)
		}
		r.last = e.Seq
		r.seen[e.ID] = append(r.seen[e.ID], e)
	}
	r.cursor = page.NextCursor
	return len(page.Items), nil
}

// expect stops the polling, then reads on until the reader's node has caught
// up (a node of a cluster applies what others committed a moment later), and
// requires exactly want events per unit, the shared unit's last at version.
func (r *feedReader) expect(t *testing.T, want map[string]int, shared string, version int64) {
	t.Helper()
	close(r.stop)
	<-r.done
	if r.err != nil {
		t.Fatalf("the feed reader: %v", r.err)
	}
	total := 0
	for _, n := range want {
		total += n
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		seen := 0
		r.mu.Lock()
		for id := range want {
			seen += len(r.seen[id])
		}
		r.mu.Unlock()
		if seen >= total || time.Now().After(deadline) {
			break
		}
		if n, err := r.page(); err != nil {
			t.Fatalf("the feed reader: %v", err)
		} else if n == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	for id, n := range want {
		if got := len(r.seen[id]); got != n {
			t.Errorf("unit %s: %d writes committed, the feed reader saw %d events", id, n, got)
		}
	}
	events := r.seen[shared]
	if last := events[len(events)-1]; last.Operation != "upsert" || last.Version != version {
		t.Errorf("the shared unit's last event: %s at version %d, want an upsert at %d", last.Operation, last.Version, version)
	}
	t.Logf("the feed reader saw %d events of the writes, up to %d (%d answers retried)", total, r.last, r.retries.Load())
}
