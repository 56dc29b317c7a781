package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fazhi/fazhi/audit"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// The audit log: every write appends an event in the same transaction, events
// form a hash chain, and VerifyAudit finds any edit, removal or forgery.

// auditHead links what is committed and returns the sequence number of the
// last event the chain's head records.
func auditHead(t *testing.T, db *dbtest.DB) int64 {
	t.Helper()
	if err := db.Sequence(t.Context()); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.SQL().QueryRowContext(t.Context(), "SELECT last_seq FROM audit_chain WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// verifyChain requires the whole chain to verify up to its head.
func verifyChain(t *testing.T, db *dbtest.DB) models.AuditVerification {
	t.Helper()
	v, err := db.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if !v.OK {
		t.Fatalf("the audit chain does not verify: %+v", v)
	}
	if head := auditHead(t, db); v.Checked != head {
		t.Errorf("VerifyAudit checked %d event(s), the head records %d", v.Checked, head)
	}
	return v
}

// eventsAfter lists the events after seq, in order, through the list's paging.
func eventsAfter(t *testing.T, db *store.DB, seq int64, f models.AuditFilter) []models.AuditEvent {
	t.Helper()
	page := paging.Page{Limit: 7, Sort: paging.Sort{Field: "seq"}, After: &paging.Cursor{Key: strconv.FormatInt(seq, 10), ID: "-"}}
	var all []models.AuditEvent
	for range 100000 {
		events, next, err := db.ListAuditEvents(t.Context(), f, page)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, events...)
		if next == nil {
			return all
		}
		page.After = next
	}
	t.Fatal("paging does not end")
	return nil
}

// secretFree fails when a snapshot holds a secret: a field named for a hash,
// password or secret, or any of the given values.
func secretFree(t *testing.T, what, snapshot string, secrets ...string) {
	t.Helper()
	if snapshot == "" {
		return
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(snapshot), &m); err != nil {
		t.Errorf("%s: the snapshot is not a JSON object: %v\n%s", what, err, snapshot)
		return
	}
	for k, v := range m {
		if _, flag := v.(bool); flag && k == "mustChangePassword" {
			continue // whether a password must be changed, not a password
		}
		if l := strings.ToLower(k); strings.Contains(l, "hash") || strings.Contains(l, "password") || strings.Contains(l, "secret") || strings.Contains(l, "token") {
			t.Errorf("%s: the snapshot has a field %q: %s", what, k, snapshot)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(snapshot, s) {
			t.Errorf("%s: the snapshot holds the secret %q: %s", what, s, snapshot)
		}
	}
}

func snapshotKeys(t *testing.T, snapshot string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(snapshot), &m); err != nil {
		t.Fatalf("snapshot %q: %v", snapshot, err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestAuditRecordsEveryWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0.Add(7*24*time.Hour))
		sfx := dbtest.RandomSuffix()
		actor := models.Caller{Kind: models.CallerUser, ID: store.NewID(), Name: "fzb.admin." + sfx}
		ctx := models.WithRequestInfo(t.Context(), models.RequestInfo{
			Caller: actor, Operation: "test.write", RequestID: "req-" + sfx, ClientAddress: "192.0.2.10",
		})
		head := auditHead(t, db)

		type want struct {
			entityType, entityID, operation string
			unitID                          string // "" for none
			before, after                   bool
		}
		var wants []want
		expect := func(w ...want) { wants = append(wants, w...) }

		city := &models.Unit{Code: areaCode(), Name: "审计市", Kind: models.UnitCity}
		if err := db.CreateUnit(ctx, city); err != nil {
			t.Fatal(err)
		}
		expect(want{"unit", city.ID, "test.write", city.ID, false, true})
		clk.Advance(time.Second)
		if _, err := db.UpdateUnit(ctx, city.ID, 1, models.UnitPatch{Name: ptr("审计市（改）")}); err != nil {
			t.Fatal(err)
		}
		expect(want{"unit", city.ID, "test.write", city.ID, true, true})
		pair := []*models.Unit{newUnit(city.Code+"-1", "甲", models.UnitDepartment, city), newUnit(city.Code+"-2", "乙", models.UnitDepartment, city)}
		for _, u := range pair {
			u.ID = store.NewID()
			u.Level, u.Path = 2, models.UnitPath(city.Path, u.ID)
		}
		if err := db.CreateUnits(ctx, pair); err != nil {
			t.Fatal(err)
		}
		expect(want{"unit", pair[0].ID, "test.write", pair[0].ID, false, true}, want{"unit", pair[1].ID, "test.write", pair[1].ID, false, true})

		u := newUser("au."+sfx, "审计用户", pair[0], models.RoleReporter)
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		expect(want{"user", u.ID, "test.write", pair[0].ID, false, true})
		if _, err := db.UpdateUser(ctx, u.ID, 1, models.UserPatch{UnitID: ptr(pair[1].ID)}); err != nil {
			t.Fatal(err)
		}
		expect(want{"user", u.ID, "test.write", pair[1].ID, true, true})
		newHash := "new-hash-" + sfx
		if err := db.SetUserPassword(ctx, u.ID, newHash); err != nil {
			t.Fatal(err)
		}
		expect(want{"user", u.ID, "test.write", pair[1].ID, true, true})
		if _, err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		expect(want{"user", u.ID, "test.write", pair[1].ID, true, true})
		if _, err := db.SetUserDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		expect(want{"user", u.ID, "test.write", pair[1].ID, true, true})
		u = mustGetUser(t, db, u.ID)

		_, tokenHash := newSessionCtx(ctx, t, db, u)
		var sessionID string
		if err := db.SQL().QueryRowContext(ctx, "SELECT id FROM sessions WHERE token_hash = ?", tokenHash).Scan(&sessionID); err != nil {
			t.Fatal(err)
		}
		expect(want{"session", sessionID, "test.write", pair[1].ID, false, true})
		if err := db.RevokeSession(ctx, sessionID); err != nil {
			t.Fatal(err)
		}
		expect(want{"session", sessionID, "test.write", pair[1].ID, true, false})
		if err := db.RecordLoginFailure(ctx, "nobody."+sfx, nil); err != nil {
			t.Fatal(err)
		}
		expect(want{"session", "-", "login.failed", "", false, true})
		if err := db.RecordLoginFailure(ctx, u.Username, u); err != nil {
			t.Fatal(err)
		}
		expect(want{"session", "-", "login.failed", pair[1].ID, false, true})

		k := newKey("审计钥匙 "+sfx, models.ScopeRead)
		if err := db.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		expect(want{"api_key", k.ID, "test.write", "", false, true})
		if _, err := db.RevokeAPIKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		expect(want{"api_key", k.ID, "test.write", "", true, true})
		if err := db.DeleteUnit(ctx, pair[0].ID, 1); err != nil {
			t.Fatal(err)
		}
		expect(want{"unit", pair[0].ID, "test.write", pair[0].ID, true, false})

		// Bookkeeping is not audited: throttle counters, request counts, key use.
		if err := db.AddLoginFailure(ctx, "user:au."+sfx, models.ThrottlePolicy{SlowAfter: 5, LockAfter: 10, LockFor: time.Minute, Forget: time.Minute}); err != nil {
			t.Fatal(err)
		}
		if err := db.ClearLoginFailures(ctx, "user:au."+sfx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Hit(ctx, "key:au."+sfx, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.TouchAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		// Nor are refused writes.
		if _, err := db.UpdateUnit(ctx, city.ID, 1, models.UnitPatch{Name: ptr("过时")}); err == nil {
			t.Fatal("a stale update was accepted")
		}

		events := eventsAfter(t, db.DB, head, models.AuditFilter{})
		if len(events) != len(wants) {
			t.Fatalf("%d audit events, want %d:\n%+v", len(events), len(wants), events)
		}
		for i, e := range events {
			w := wants[i]
			what := fmt.Sprintf("event %d (%s %s)", i+1, w.entityType, w.operation)
			if e.Seq != head+int64(i)+1 {
				t.Errorf("%s: seq %d, want %d", what, e.Seq, head+int64(i)+1)
			}
			if e.EntityType != w.entityType || e.EntityID != w.entityID || e.Operation != w.operation {
				t.Errorf("%s: entity %s %s, operation %s; want %s %s, %s", what, e.EntityType, e.EntityID, e.Operation, w.entityType, w.entityID, w.operation)
			}
			if e.ActorType != string(actor.Kind) || e.ActorID != actor.ID || e.ActorName != actor.Name ||
				e.RequestID != "req-"+sfx || e.ClientAddress != "192.0.2.10" {
				t.Errorf("%s: actor %s %s %s, request %s from %s; want the request info of the context", what, e.ActorType, e.ActorID, e.ActorName, e.RequestID, e.ClientAddress)
			}
			if (w.unitID == "") != (e.UnitID == nil) || (e.UnitID != nil && *e.UnitID != w.unitID) {
				t.Errorf("%s: unit %v, want %q", what, deref(e.UnitID), w.unitID)
			}
			if (e.Before != "") != w.before || (e.After != "") != w.after {
				t.Errorf("%s: before %q, after %q; want before %v, after %v", what, e.Before, e.After, w.before, w.after)
			}
			if e.OccurredAt.IsZero() || e.OccurredAt.Location() != time.UTC || e.Hash != audit.Hash(&e) {
				t.Errorf("%s: occurred at %v, hash %s", what, e.OccurredAt, e.Hash)
			}
			secretFree(t, what+" before", e.Before, u.PasswordHash, newHash, "hash-of-au."+sfx, k.SecretHash, tokenHash)
			secretFree(t, what+" after", e.After, u.PasswordHash, newHash, "hash-of-au."+sfx, k.SecretHash, tokenHash)
		}
		userKeys := []string{"disabled", "displayName", "id", "mustChangePassword", "roles", "unitId", "username", "version"}
		if got := snapshotKeys(t, events[4].After); !slices.Equal(got, userKeys) {
			t.Errorf("user snapshot fields: %v, want %v", got, userKeys)
		}
		keyKeys := []string{"allowedAddresses", "expiresAt", "id", "name", "prefix", "revokedAt", "scopes"}
		if got := snapshotKeys(t, events[13].After); !slices.Equal(got, keyKeys) {
			t.Errorf("API key snapshot fields: %v, want %v", got, keyKeys)
		}
		if !strings.Contains(events[1].Before, "审计市") || !strings.Contains(events[1].After, "审计市（改）") {
			t.Errorf("unit update snapshots: before %s, after %s", events[1].Before, events[1].After)
		}

		// Outside a request, the system is the actor.
		sys := newUnit(city.Code+"-S", "系统建立", models.UnitOffice, city)
		if err := db.CreateUnit(t.Context(), sys); err != nil {
			t.Fatal(err)
		}
		last := eventsAfter(t, db.DB, head+int64(len(wants)), models.AuditFilter{})
		if len(last) != 1 || last[0].ActorType != "system" || last[0].ActorID != "system" || last[0].Operation != "system" || last[0].EntityID != sys.ID {
			t.Errorf("a write without request info: %+v, want the system as actor", last)
		}

		// Filters.
		if got := eventsAfter(t, db.DB, head, models.AuditFilter{EntityType: "user", EntityID: u.ID}); len(got) != 5 {
			t.Errorf("events of the user: %d, want 5", len(got))
		}
		if got := eventsAfter(t, db.DB, head, models.AuditFilter{Operation: "login.failed"}); len(got) != 2 {
			t.Errorf("login.failed events: %d, want 2", len(got))
		}
		if got := eventsAfter(t, db.DB, head, models.AuditFilter{UnitPath: city.Path}); len(got) != 14 {
			t.Errorf("events in the city's subtree: %d, want 14 (all but the three unit-less ones, and the system's)", len(got))
		}
		if got := eventsAfter(t, db.DB, head, models.AuditFilter{ActorID: actor.ID}); len(got) != len(wants) {
			t.Errorf("events of the actor: %d, want %d", len(got), len(wants))
		}
		verifyChain(t, db)
	})
}

// newSessionCtx is newSession with a request context.
func newSessionCtx(ctx context.Context, t *testing.T, db *dbtest.DB, u *models.User) (*models.Session, string) {
	t.Helper()
	hash := "token-hash-" + dbtest.RandomSuffix()
	s, err := db.CreateSession(ctx, u, hash, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s, hash
}

// ownDatabase opens a new, migrated database of its own for a test that
// damages it.
func ownDatabase(t *testing.T, dialect string) *store.DB {
	t.Helper()
	var u string
	switch dialect {
	case store.SQLite:
		u = "sqlite://" + filepath.Join(t.TempDir(), "own.db")
	case store.MySQL:
		u = dbtest.NewMySQLDatabase(t)
	}
	db, err := store.Open(store.Config{URL: u, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAuditTampering(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			db := ownDatabase(t, dialect)
			ctx := t.Context()
			if v, err := db.VerifyAudit(ctx); err != nil || !v.OK || v.Checked != 0 {
				t.Fatalf("VerifyAudit of an empty log: %+v, %v", v, err)
			}
			// Seven events of several kinds.
			city := &models.Unit{Code: "211100", Name: "篡改市", Kind: models.UnitCity}
			if err := db.CreateUnit(ctx, city); err != nil {
				t.Fatal(err)
			}
			dept := &models.Unit{Code: "211100-1", Name: "局", Kind: models.UnitDepartment, ParentID: &city.ID}
			if err := db.CreateUnit(ctx, dept); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateUnit(ctx, dept.ID, 1, models.UnitPatch{Name: ptr("局（改）")}); err != nil {
				t.Fatal(err)
			}
			u := &models.User{Username: "ta.user", DisplayName: "用户", UnitID: dept.ID, Roles: []models.Role{models.RoleViewer}, PasswordHash: "h"}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
				t.Fatal(err)
			}
			k := newKey("钥匙", models.ScopeRead)
			if err := db.CreateAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RevokeAPIKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
			saved := eventsAfter(t, db, 0, models.AuditFilter{})
			const n = 7
			if len(saved) != n {
				t.Fatalf("%d events, want %d", len(saved), n)
			}
			v, err := db.VerifyAudit(ctx)
			if err != nil || !v.OK || v.Checked != n {
				t.Fatalf("VerifyAudit of the whole log: %+v, %v", v, err)
			}
			g := store.GormOf(db)
			exec := func(stmt string, args ...any) {
				t.Helper()
				if _, err := db.SQL().ExecContext(ctx, stmt, args...); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			// forge returns a well-formed event linked after prev.
			forge := func(prev *models.AuditEvent) *models.AuditEvent {
				e := saved[1]
				e.ID = store.NewID()
				e.ActorName = "forger"
				audit.Link(&e, prev.Seq, prev.Hash)
				return &e
			}
			restore := func() {
				t.Helper()
				exec("DELETE FROM audit_events")
				exec("DELETE FROM audit_chain")
				events := slices.Clone(saved)
				if err := g.WithContext(ctx).Create(&events).Error; err != nil {
					t.Fatal(err)
				}
				exec("INSERT INTO audit_chain (id, last_seq, last_hash) VALUES (1, ?, ?)", saved[n-1].Seq, saved[n-1].Hash)
			}
			later := saved[2].OccurredAt.Add(time.Second)

			tests := []struct {
				name        string
				tamper      func()
				seq         int64  // the first broken event
				id          string // its id, when it exists
				checked     int64  // events verified before it
				causeSubstr string
			}{
				{"field edited", func() { exec("UPDATE audit_events SET actor_name = 'x' WHERE seq = 2") }, 2, saved[1].ID, 1, "content"},
				{"snapshot edited", func() { exec(`UPDATE audit_events SET after_json = '{"name":"x"}' WHERE seq = 4`) }, 4, saved[3].ID, 3, "content"},
				{"time edited", func() { exec("UPDATE audit_events SET occurred_at = ? WHERE seq = 3", later) }, 3, saved[2].ID, 2, "content"},
				{"unit cleared", func() { exec("UPDATE audit_events SET unit_id = NULL WHERE seq = 1") }, 1, saved[0].ID, 0, "content"},
				{"middle row deleted", func() { exec("DELETE FROM audit_events WHERE seq = 3") }, 4, saved[3].ID, 2, "missing"},
				{"first row deleted", func() { exec("DELETE FROM audit_events WHERE seq = 1") }, 2, saved[1].ID, 0, "missing"},
				{"last row deleted", func() { exec("DELETE FROM audit_events WHERE seq = ?", n) }, n, "", n - 1, "removed"},
				{"every row deleted", func() { exec("DELETE FROM audit_events") }, 1, "", 0, "removed"},
				{"rehashed after an edit", func() {
					e := saved[1]
					e.ActorName = "x"
					e.Hash = audit.Hash(&e)
					exec("UPDATE audit_events SET actor_name = ?, hash = ? WHERE seq = 2", e.ActorName, e.Hash)
				}, 3, saved[2].ID, 2, "link"},
				{"forged event appended", func() {
					if err := g.WithContext(ctx).Create(forge(&saved[n-1])).Error; err != nil {
						t.Fatal(err)
					}
				}, n + 1, "", n, "past its head"},
				{"last event replaced", func() {
					exec("DELETE FROM audit_events WHERE seq = ?", n)
					if err := g.WithContext(ctx).Create(forge(&saved[n-2])).Error; err != nil {
						t.Fatal(err)
					}
				}, n, "", n - 1, "head"},
				{"head moved back", func() {
					exec("UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE id = 1", n-1, saved[n-2].Hash)
				}, n, "", n - 1, "past its head"},
				{"head removed", func() { exec("DELETE FROM audit_chain") }, 0, "", 0, "head row is missing"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.tamper()
					defer restore()
					got, err := db.VerifyAudit(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if got.OK || got.BrokenSeq != tt.seq || got.Checked != tt.checked || !strings.Contains(got.BrokenCause, tt.causeSubstr) ||
						(tt.id != "" && got.BrokenID != tt.id) {
						t.Errorf("VerifyAudit = %+v; want broken at %d (id %q) after %d verified, cause containing %q", got, tt.seq, tt.id, tt.checked, tt.causeSubstr)
					}
				})
				// Restored, the chain verifies again: the tampering, not the test, broke it.
				if v, err := db.VerifyAudit(ctx); err != nil || !v.OK || v.Checked != n {
					t.Fatalf("after restoring from %q: %+v, %v", tt.name, v, err)
				}
			}
		})
	}
}

// Concurrent writers and the sequencer: no event is lost, no sequence number
// is used twice, and the chain verifies, also while it grows.
func TestAuditConcurrentWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		const workers, perWorker = 8, 20
		sfx := dbtest.RandomSuffix()
		parent := mustCreate(t, db, newUnit(areaCode(), "并发", models.UnitCity, nil))
		head := auditHead(t, db)
		before := verifyChain(t, db).Checked

		var writers, verifier sync.WaitGroup
		errs := make(chan error, workers*perWorker+1)
		done := make(chan struct{})
		for w := range workers {
			writers.Add(1)
			go func() {
				defer writers.Done()
				ctx := models.WithRequestInfo(context.Background(), models.RequestInfo{
					Caller:    models.Caller{Kind: models.CallerUser, ID: fmt.Sprintf("worker-%s-%d", sfx, w), Name: "worker"},
					Operation: "createUnit",
				})
				for i := range perWorker {
					u := &models.Unit{Code: fmt.Sprintf("%s-%d%02d", parent.Code, w, i), Name: "并发单位", Kind: models.UnitOffice}
					if w%2 == 0 { // half under one parent (locked), half roots
						u.ParentID = &parent.ID
					}
					if err := db.CreateUnit(ctx, u); err != nil {
						errs <- fmt.Errorf("worker %d, unit %d: %w", w, i, err)
					}
				}
			}()
		}
		// A verification while the chain grows must not mistake a new event for a forged or lost one.
		var verifications int
		verifier.Add(1)
		go func() {
			defer verifier.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				v, err := db.VerifyAudit(context.Background())
				if err != nil || !v.OK {
					errs <- fmt.Errorf("VerifyAudit during the writes: %+v, %v", v, err)
					return
				}
				verifications++
			}
		}()
		writers.Wait()
		close(done)
		verifier.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		t.Logf("%d verification(s) ran during the writes", verifications)
		if got := auditHead(t, db) - head; got != workers*perWorker {
			t.Errorf("the chain grew by %d event(s), want %d", got, workers*perWorker)
		}
		after := verifyChain(t, db).Checked
		if after-before != workers*perWorker {
			t.Errorf("VerifyAudit checked %d more event(s), want %d", after-before, workers*perWorker)
		}
		events := eventsAfter(t, db.DB, head, models.AuditFilter{})
		perActor := map[string]int{}
		for i, e := range events {
			if e.Seq != head+int64(i)+1 {
				t.Fatalf("event %d has seq %d, want %d", i, e.Seq, head+int64(i)+1)
			}
			perActor[e.ActorID]++
		}
		for w := range workers {
			if got := perActor[fmt.Sprintf("worker-%s-%d", sfx, w)]; got != perWorker {
				t.Errorf("worker %d: %d event(s), want %d", w, got, perWorker)
			}
		}
	})
}

// TestWritersDoNotWaitForTheChain: a change commits while the chain's head
// is locked (by a sequencer, say); its event is linked once the head is
// free. On SQLite every write waits for the one writer anyway.
func TestWritersDoNotWaitForTheChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		if db.Name != store.MySQL {
			t.Skip("SQLite serialises every write on the database")
		}
		ctx := t.Context()
		head := auditHead(t, db)
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "UPDATE audit_chain SET last_seq = last_seq WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		quick, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		u := newUnit(areaCode(), "链头锁定时写入", models.UnitCity, nil)
		if err := db.CreateUnit(quick, u); err != nil {
			t.Fatalf("a write while the head is locked: %v", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := auditHead(t, db); got != head+1 {
			t.Errorf("the head went from %d to %d, want one event more", head, got)
		}
		if events := eventsAfter(t, db.DB, head, models.AuditFilter{}); len(events) != 1 || events[0].EntityID != u.ID {
			t.Errorf("events after %d: %+v", head, events)
		}
	})
}

// TestSequencersTakeTurns: several sequencers at once, while writers
// write, number every event once, without a gap, and the chain verifies.
func TestSequencersTakeTurns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		const writers, perWriter, sequencers = 4, 15, 3
		before := verifyChain(t, db).Checked
		ctx, stop := context.WithCancel(t.Context())
		var running sync.WaitGroup
		errs := make(chan error, writers*perWriter+sequencers)
		for range sequencers {
			running.Go(func() {
				for ctx.Err() == nil {
					if err := db.Sequence(ctx); err != nil && ctx.Err() == nil {
						errs <- err
						return
					}
				}
			})
		}
		var writing sync.WaitGroup
		for w := range writers {
			writing.Go(func() {
				for i := range perWriter {
					if err := db.CreateUnit(t.Context(), newUnit(areaCode(), fmt.Sprintf("轮流%d-%d", w, i), models.UnitCity, nil)); err != nil {
						errs <- err
					}
				}
			})
		}
		writing.Wait()
		stop()
		running.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if after := verifyChain(t, db).Checked; after-before != writers*perWriter {
			t.Errorf("the chain grew by %d events, want %d", after-before, writers*perWriter)
		}
	})
}
