package main

// Tests of "fazhi backup": a copy of the SQLite database taken while it is
// written to, restored as an operator restores it, and the refusals.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// backedUpLine is what fazhi backup prints on success.
var backedUpLine = regexp.MustCompile(`^backed up (.+) to (.+) \((\d+) bytes\)$`)

// unitWriter creates units through the store, one transaction each, until
// stopped, as a server serving requests does, and keeps the ids of those
// whose transaction committed, in commit order.
type unitWriter struct {
	mu        sync.Mutex
	committed []string
	err       error
	done      chan struct{}
}

func startUnitWriter(ctx context.Context, db *store.DB) *unitWriter {
	w := &unitWriter{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ctx.Err() == nil; i++ {
			code := fmt.Sprintf("211100-BK%05d", i)
			u := &models.Unit{Code: code, Name: "备份期间写入 " + code, Kind: models.UnitOffice, ParentID: &demo.PanjinCity}
			err := db.CreateUnit(ctx, u)
			w.mu.Lock()
			if err != nil {
				if ctx.Err() == nil {
					w.err = err
				}
				w.mu.Unlock()
				return
			}
			w.committed = append(w.committed, u.ID)
			w.mu.Unlock()
			// A breath between writes, as between a server's requests: a loop
			// without one would starve the sequencer of SQLite's one write lock.
			time.Sleep(time.Millisecond)
		}
	}()
	return w
}

// ids is a copy of the ids committed so far.
func (w *unitWriter) ids() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.committed...)
}

// waitFor waits until n units have committed, failing if the writer stops first.
func (w *unitWriter) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for len(w.ids()) < n {
		select {
		case <-w.done:
			t.Fatalf("the writer stopped after %d unit(s): %v", len(w.ids()), w.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the writer committed %d unit(s) in %s, want %d", len(w.ids()), startTimeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// idSet reads one column of ids into a set.
func idSet(t *testing.T, db *store.DB, query string) map[string]bool {
	t.Helper()
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		set[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// A backup taken while units are created and audit events linked holds every
// unit committed before it began, each change whole (a unit with its audit
// event, or neither), and opened as the database it needs no migration and
// its audit chain verifies. Writing goes on undisturbed meanwhile.
func TestBackupWhileWriting(t *testing.T) {
	databaseURL := "sqlite://" + filepath.Join(t.TempDir(), "fazhi.db")
	env := seededDatabase(t, databaseURL)
	db := openDB(t, databaseURL)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The seeding's thousands of events are linked first: what is tested is
	// the backup beside writes, not how long a large backlog holds SQLite's
	// one write lock.
	if err := db.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	// As in a server: the sequencer links the events the writes append.
	var sequencerErrs []error
	var sequencerMu sync.Mutex
	sequencing := make(chan struct{})
	go func() {
		defer close(sequencing)
		db.RunSequencer(ctx, 10*time.Millisecond, func(err error) {
			sequencerMu.Lock()
			defer sequencerMu.Unlock()
			sequencerErrs = append(sequencerErrs, err)
		})
	}()
	w := startUnitWriter(ctx, db)
	w.waitFor(t, 20)

	backup := filepath.Join(t.TempDir(), "fazhi-backup.db")
	before := w.ids() // committed before the backup began
	out := mustRun(t, env, "backup", "--to", backup)
	// The writer is one goroutine: the unit after the one last committed now
	// began after the backup ended.
	afterBackup := len(w.ids())
	w.waitFor(t, afterBackup+5)
	stop()
	<-w.done
	<-sequencing
	if w.err != nil {
		t.Errorf("a write failed while the backup ran: %v", w.err)
	}
	// A pass that found the write lock busy is tried again, as in a server;
	// the restored chain verifies below whatever it left unlinked.
	for _, err := range sequencerErrs {
		t.Logf("a sequencer pass failed and was tried again: %v", err)
	}
	written := w.ids()
	t.Logf("%d unit(s) committed before the backup, %d while it ran, %d in all", len(before), afterBackup-len(before), len(written))

	info, err := os.Stat(backup)
	if err != nil {
		t.Fatalf("no backup file: %v", err)
	}
	m := backedUpLine.FindStringSubmatch(strings.TrimSpace(out))
	if m == nil || m[2] != backup || m[3] != strconv.FormatInt(info.Size(), 10) {
		t.Errorf("backup printed %q, want the file %s and its size %d", out, backup, info.Size())
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("the backup file has mode %v, want 0600: it holds password hashes", mode)
	}

	// Restored: the backup opened as the database.
	restored := map[string]string{"DATABASE_URL": "sqlite://" + backup}
	rdb := openDB(t, restored["DATABASE_URL"])
	units := idSet(t, rdb, "SELECT id FROM units WHERE code LIKE '211100-BK%'")
	for _, id := range before {
		if !units[id] {
			t.Errorf("unit %s, committed before the backup began, is not in the backup", id)
		}
	}
	for _, id := range written[afterBackup+1:] {
		if units[id] {
			t.Errorf("unit %s, created after the backup ended, is in the backup", id)
		}
	}
	// Each transaction is in the copy whole or not at all.
	events := idSet(t, rdb, "SELECT entity_id FROM audit_events WHERE entity_type = 'unit'")
	for _, id := range written {
		if units[id] != events[id] {
			t.Errorf("unit %s: in the backup %v, its audit event %v: a transaction was copied in part", id, units[id], events[id])
		}
	}
	var stored int
	if err := rdb.SQL().QueryRow("SELECT COUNT(*) FROM audit_events").Scan(&stored); err != nil {
		t.Fatal(err)
	}

	wantStates(t, "restored backup", migrationStatus(t, restored), migrationVersions(t, store.SQLite))
	if got, want := mustRun(t, restored, "audit", "verify"), fmt.Sprintf("audit chain verified: %d event(s)\n", stored); got != want {
		t.Errorf("audit verify on the restored backup: %q, want %q (every event it holds)", got, want)
	}
}

// The operator's procedure, on the binary: back up while the server serves
// writes, stop it, put the backup in place of the database file, start it
// again. It serves what was committed before the backup, nothing written
// after it, and its audit chain verifies.
func TestProcessBackupWhileServing(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"FAZHI_DATA_DIR": dataDir, "FAZHI_ADDR": "127.0.0.1:0"}
	p := startFazhi(t, "fazhi", env)
	base, _ := p.listen()
	p.waitReady(base)
	token := signInAdmin(t, base)

	var (
		mu       sync.Mutex
		created  []string // codes, in the order their 201 arrived
		failures []string
	)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(created) }
	stopWriting := make(chan struct{})
	writing := make(chan struct{})
	go func() {
		defer close(writing)
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			default:
			}
			code := fmt.Sprintf("211100-BP%05d", i)
			r, err := apiCall{method: http.MethodPost, url: base + "/api/v1/units", token: token,
				body: map[string]any{"code": code, "name": "备份期间写入 " + code, "kind": "office", "parentId": demo.PanjinCity}}.do()
			mu.Lock()
			if err != nil || r.status != http.StatusCreated {
				failures = append(failures, fmt.Sprintf("create %s: %d %v %.300s", code, r.status, err, r.body))
			} else {
				created = append(created, code)
			}
			mu.Unlock()
		}
	}()
	waitCount := func(n int) {
		t.Helper()
		deadline := time.Now().Add(startTimeout)
		for count() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d unit(s) created in %s, want %d", count(), startTimeout, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitCount(10)

	backup := filepath.Join(t.TempDir(), "fazhi-backup.db")
	mu.Lock()
	before := append([]string(nil), created...)
	mu.Unlock()
	code, out, errOut := runOnce(t, env, "backup", "--to", backup)
	if code != 0 {
		t.Fatalf("backup while serving: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// The writer is one goroutine: the unit after the one last created now was
	// asked for after the backup ended, and the restore must not bring it back.
	afterBackup := count()
	waitCount(afterBackup + 5)
	close(stopWriting)
	<-writing
	for _, f := range failures {
		t.Errorf("a write failed while the backup ran: %s", f)
	}
	p.stop()

	// Restore: the server is stopped; the backup replaces the database file.
	// A write-ahead log left by a server that did not stop cleanly would be
	// played into the restored file: it goes too.
	dbFile := filepath.Join(dataDir, "fazhi.db")
	for _, f := range []string{dbFile + "-wal", dbFile + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	if err := os.Rename(backup, dbFile); err != nil {
		t.Fatal(err)
	}
	p2 := startFazhi(t, "fazhi (restored)", env)
	base2, _ := p2.listen()
	p2.waitReady(base2)
	if ready, _ := p2.find("database ready"); ready == nil {
		t.Error("restored: no database ready line")
	} else if applied, _ := ready["migrations_applied"].([]any); len(applied) != 0 {
		t.Errorf("restored: migrations_applied = %v, want none (the backup's are current)", ready["migrations_applied"])
	}
	if loaded, _ := p2.find("demo data loaded"); loaded != nil {
		t.Errorf("the restored database was seeded again: %v", loaded)
	}
	codes := map[string]bool{}
	for _, u := range listAllUnits(t, base2, signInAdmin(t, base2)) {
		codes[u.Code] = true
	}
	for _, c := range before {
		if !codes[c] {
			t.Errorf("unit %s, created before the backup began, is missing after the restore", c)
		}
	}
	mu.Lock()
	later := created[afterBackup+1:]
	mu.Unlock()
	for _, c := range later {
		if codes[c] {
			t.Errorf("unit %s, created after the backup ended, is there after the restore", c)
		}
	}
	p2.stop()
	code, out, errOut = runOnce(t, env, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "audit chain verified: ") {
		t.Errorf("audit verify after the restore: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// What fazhi backup refuses, writing nothing: a file that exists (however
// empty), a MySQL/MariaDB database (without connecting to it), a database
// file that does not exist, and a malformed command line.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "fazhi.db")}
	mustRun(t, env, "migrate", "up")

	t.Run("existing file", func(t *testing.T) {
		for name, content := range map[string]string{"older-backup.db": "an older backup", "empty.db": ""} {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			out, _, err := runFazhi(t, env, "backup", "--to", path)
			if err == nil || !strings.Contains(err.Error(), "exists already") {
				t.Errorf("backup over %s: %v (stdout %q), want a refusal naming the existing file", name, err, out)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != content {
				t.Errorf("the existing %s was changed to %q (%v)", name, got, err)
			}
		}
	})

	t.Run("mysql", func(t *testing.T) {
		// Nothing listens there: the refusal comes before any connection.
		mysqlEnv := map[string]string{"DATABASE_URL": "mysql://fazhi:" + secret + "@" + closedPort(t) + "/fazhi"}
		to := filepath.Join(dir, "mysql.db")
		_, _, err := runFazhi(t, mysqlEnv, "backup", "--to", to)
		if !errors.Is(err, errBackupMySQL) {
			t.Fatalf("backup of MySQL: %v, want %v", err, errBackupMySQL)
		}
		if msg := err.Error(); !strings.Contains(msg, "docs/operations.md") || !strings.Contains(msg, "mariadb-dump") || strings.Contains(msg, secret) {
			t.Errorf("backup of MySQL: %q, want the MySQL procedure named and no password", msg)
		}
		if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused backup left %s behind (%v)", to, err)
		}
	})

	t.Run("no database", func(t *testing.T) {
		dataDir := filepath.Join(dir, "mistyped")
		to := filepath.Join(dir, "nothing.db")
		_, _, err := runFazhi(t, map[string]string{"FAZHI_DATA_DIR": dataDir}, "backup", "--to", to)
		if err == nil || !strings.Contains(err.Error(), "no database at "+filepath.Join(dataDir, "fazhi.db")) {
			t.Errorf("backup of a missing database: %v, want a refusal naming the file", err)
		}
		for _, path := range []string{to, dataDir} {
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused backup created %s (%v)", path, err)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"backup"}, {"backup", "--to"}, {"backup", "--to", ""}, {"backup", "--to", filepath.Join(dir, "x.db"), "now"},
			{"backup", "--into", filepath.Join(dir, "x.db")}} {
			_, _, err := runFazhi(t, env, args...)
			if err == nil || !strings.Contains(err.Error(), "usage: fazhi backup --to FILE") {
				t.Errorf("fazhi %s: %v, want the usage", strings.Join(args, " "), err)
			}
		}
	})
}
