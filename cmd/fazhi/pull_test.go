package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
)

// replicaRecord is a record as a copy or a snapshot holds it.
type replicaRecord struct {
	version int64
	body    string
}

// The reference client is killed (SIGKILL) at random points, during its
// snapshot and during the feed, again and again, while writers keep changing
// units; once the writers stop and it runs to the end, its copy equals the
// server's released state record by record, as a fresh snapshot shows it.
func TestProcessPullResumes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"FAZHI_DATA_DIR": dir, "FAZHI_ADDR": "127.0.0.1:0"}
	server := startFazhi(t, "fazhi", env)
	base, _ := server.listen()
	server.waitReady(base)
	admin := signInAdmin(t, base)
	created, err := apiCall{method: http.MethodPost, url: base + "/api/v1/api-keys", token: admin,
		body: map[string]any{"name": "省平台（拉取测试）", "scopes": []string{"feed"}}}.do()
	if err != nil || created.status != http.StatusCreated {
		t.Fatalf("create a key: %d %v %s", created.status, err, created.body)
	}
	var key struct{ Secret string }
	if err := json.Unmarshal(created.body, &key); err != nil {
		t.Fatal(err)
	}

	// Writers: units made, renamed and (one in three) deleted, until told.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes sync.Map
	suffix := dbtest.RandomSuffix()[:6]
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code := fmt.Sprintf("211100-PL%s%d%03d", suffix, w, i)
				made, err := apiCall{method: http.MethodPost, url: base + "/api/v1/units", token: admin,
					body: map[string]any{"code": code, "name": "拉取测试 " + code, "kind": "office", "parentId": demo.PanjinCity}}.do()
				if err != nil || made.status != http.StatusCreated {
					t.Errorf("create %s: %d %v %s", code, made.status, err, made.body)
					return
				}
				var u struct{ ID string }
				_ = json.Unmarshal(made.body, &u)
				renamed, err := apiCall{method: http.MethodPatch, url: base + "/api/v1/units/" + u.ID, token: admin,
					body: map[string]any{"name": "拉取测试（改）" + code}, header: http.Header{"If-Match": {`"1"`}, "Content-Type": {"application/merge-patch+json"}}}.do()
				if err != nil || renamed.status != http.StatusOK {
					t.Errorf("rename %s: %d %v %s", code, renamed.status, err, renamed.body)
					return
				}
				if i%3 == 2 {
					gone, err := apiCall{method: http.MethodDelete, url: base + "/api/v1/units/" + u.ID, token: admin,
						header: http.Header{"If-Match": {`"2"`}}}.do()
					if err != nil || gone.status != http.StatusNoContent {
						t.Errorf("delete %s: %d %v %s", code, gone.status, err, gone.body)
						return
					}
				}
				writes.Store(code, true)
			}
		}()
	}

	into := filepath.Join(dir, "province.db")
	args := []string{"pull", "--url", base + "/api/v1", "--into", into, "--limit", "7"}
	pullEnv := map[string]string{"FAZHI_PULL_KEY": key.Secret}
	kills := 0
	for range 15 {
		cmd := exec.Command(fazhiBinary(t), args...)
		cmd.Env = processEnv(pullEnv)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("fazhi pull failed before it was killed: %v\n%s", err, out.String())
			}
		case <-time.After(time.Duration(20+rand.IntN(500)) * time.Millisecond):
			_ = cmd.Process.Kill()
			<-done
			kills++
		}
	}
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}
	code, stdout, stderr := runOnce(t, pullEnv, args...)
	if code != 0 || !strings.Contains(stdout, "caught up at cursor") {
		t.Fatalf("the last pull: exit %d\n%s\n%s", code, stdout, stderr)
	}
	n := 0
	writes.Range(func(any, any) bool { n++; return true })
	t.Logf("%d units written, the client killed %d times of 15", n, kills)

	got := replicaOf(t, into)
	want := snapshotOf(t, base, key.Secret)
	if len(got) != len(want) {
		t.Errorf("the copy holds %d records, the server releases %d", len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.version != w.version || g.body != w.body {
			t.Errorf("%s: copy %+v, server %+v", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: in the copy, not released by the server", k)
		}
	}
}

// replicaOf reads a copy's records.
func replicaOf(t *testing.T, file string) map[string]replicaRecord {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT record_type, id, version, body FROM records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]replicaRecord{}
	for rows.Next() {
		var typ, id string
		var r replicaRecord
		if err := rows.Scan(&typ, &id, &r.version, &r.body); err != nil {
			t.Fatal(err)
		}
		out[typ+"/"+id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshotOf takes a snapshot from the server.
func snapshotOf(t *testing.T, base, key string) map[string]replicaRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reply, err := apiCall{method: http.MethodGet, url: base + "/api/v1/snapshot", token: key}.do()
	if err != nil || reply.status != http.StatusOK || ctx.Err() != nil {
		t.Fatalf("snapshot: %d %v", reply.status, err)
	}
	out := map[string]replicaRecord{}
	for _, line := range bytes.Split(bytes.TrimSpace(reply.body), []byte("\n")) {
		var l snapshotLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if l.Cursor == nil {
			out[l.RecordType+"/"+l.ID] = replicaRecord{version: l.Version, body: string(l.Record)}
		}
	}
	return out
}
