package store_test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

const hashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const hashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

// claim claims a key and returns the existing record, failing on error.
func claim(t *testing.T, db *dbtest.DB, scope, key, hash string, ttl time.Duration) *models.IdempotencyRecord {
	t.Helper()
	rec, err := db.ClaimIdempotencyKey(t.Context(), scope, key, hash, ttl)
	if err != nil {
		t.Fatalf("ClaimIdempotencyKey(%s, %s): %v", scope, key, err)
	}
	return rec
}

// checkRecord compares an idempotency record with what it should hold.
func checkRecord(t *testing.T, got, want *models.IdempotencyRecord) {
	t.Helper()
	if got == nil {
		t.Fatalf("got no record (a new claim), want %+v", want)
	}
	if got.Scope != want.Scope || got.Key != want.Key || got.RequestHash != want.RequestHash || got.State != want.State || got.Status != want.Status {
		t.Errorf("record: got scope %q key %q hash %q state %q status %d, want %q %q %q %q %d",
			got.Scope, got.Key, got.RequestHash, got.State, got.Status, want.Scope, want.Key, want.RequestHash, want.State, want.Status)
	}
	if !maps.Equal(got.Headers, want.Headers) {
		t.Errorf("headers: got %v, want %v", got.Headers, want.Headers)
	}
	if !bytes.Equal(got.Body, want.Body) {
		t.Errorf("body: got %q, want %q", got.Body, want.Body)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("times: got created %v expires %v, want %v %v", got.CreatedAt, got.ExpiresAt, want.CreatedAt, want.ExpiresAt)
	}
}

func TestIdempotencyKeyLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		scope := "caller-" + dbtest.RandomSuffix()
		const ttl = 24 * time.Hour

		if rec := claim(t, db, scope, "k1", hashA, ttl); rec != nil {
			t.Fatalf("first claim returned %+v, want nil (claimed)", rec)
		}
		pending := &models.IdempotencyRecord{
			Scope: scope, Key: "k1", RequestHash: hashA, State: models.IdempotencyPending,
			CreatedAt: t0, ExpiresAt: t0.Add(ttl),
		}
		clk.Advance(time.Second)
		checkRecord(t, claim(t, db, scope, "k1", hashA, ttl), pending)
		// A claim with another request hash claims nothing either: it sees the
		// original request's hash, and the caller refuses.
		checkRecord(t, claim(t, db, scope, "k1", hashB, ttl), pending)
		// The same key in another scope is another key.
		if rec := claim(t, db, scope+"-other", "k1", hashB, ttl); rec != nil {
			t.Errorf("claim in another scope returned %+v, want nil", rec)
		}

		headers := map[string]string{"Content-Type": "application/json", "Location": "/api/v1/units/0190", "ETag": `"3"`}
		body := []byte(`{"name":"盘锦市司法局","note":"100% \u0000 ok"}` + "\x00\xff")
		if err := db.CompleteIdempotencyKey(t.Context(), scope, "k1", 201, headers, body); err != nil {
			t.Fatalf("CompleteIdempotencyKey: %v", err)
		}
		done := *pending
		done.State, done.Status, done.Headers, done.Body = models.IdempotencyDone, 201, headers, body
		checkRecord(t, claim(t, db, scope, "k1", hashA, ttl), &done)

		// Releasing a completed key does nothing: its response stays final.
		if err := db.ReleaseIdempotencyKey(t.Context(), scope, "k1"); err != nil {
			t.Fatalf("ReleaseIdempotencyKey(done): %v", err)
		}
		checkRecord(t, claim(t, db, scope, "k1", hashA, ttl), &done)

		// A released pending key may be claimed afresh.
		if rec := claim(t, db, scope, "k2", hashA, ttl); rec != nil {
			t.Fatalf("claim k2 returned %+v", rec)
		}
		if err := db.ReleaseIdempotencyKey(t.Context(), scope, "k2"); err != nil {
			t.Fatalf("ReleaseIdempotencyKey(pending): %v", err)
		}
		now := clk.Advance(time.Second)
		if rec := claim(t, db, scope, "k2", hashB, ttl); rec != nil {
			t.Fatalf("claim after release returned %+v, want nil", rec)
		}
		checkRecord(t, claim(t, db, scope, "k2", hashA, ttl), &models.IdempotencyRecord{
			Scope: scope, Key: "k2", RequestHash: hashB, State: models.IdempotencyPending, CreatedAt: now, ExpiresAt: now.Add(ttl),
		})
		// Releasing an unknown key is no error.
		if err := db.ReleaseIdempotencyKey(t.Context(), scope, "never-claimed"); err != nil {
			t.Errorf("ReleaseIdempotencyKey(unknown): %v", err)
		}
	})
}

func TestIdempotencyKeyExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		scope := "caller-" + dbtest.RandomSuffix()

		tests := []struct {
			name    string
			ttl     time.Duration
			advance time.Duration // before the second claim
		}{
			{"negative ttl", -time.Second, 0},
			{"zero ttl", 0, 0},
			{"one microsecond, a microsecond later", time.Microsecond, time.Microsecond},
			{"one minute, two minutes later", time.Minute, 2 * time.Minute},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				key := "exp-" + tt.name
				if rec := claim(t, db, scope, key, hashA, tt.ttl); rec != nil {
					t.Fatalf("first claim returned %+v", rec)
				}
				if err := db.CompleteIdempotencyKey(t.Context(), scope, key, 200, nil, []byte("old")); err != nil {
					t.Fatal(err)
				}
				now := clk.Advance(tt.advance)
				if rec := claim(t, db, scope, key, hashB, time.Hour); rec != nil {
					t.Fatalf("claim of an expired key returned %+v, want nil (claimed afresh)", rec)
				}
				checkRecord(t, claim(t, db, scope, key, hashA, time.Hour), &models.IdempotencyRecord{
					Scope: scope, Key: key, RequestHash: hashB, State: models.IdempotencyPending, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				})
			})
		}

		t.Run("not yet expired", func(t *testing.T) {
			start := clk.Advance(time.Hour)
			claim(t, db, scope, "live", hashA, time.Minute)
			clk.Advance(time.Minute - time.Microsecond)
			checkRecord(t, claim(t, db, scope, "live", hashB, time.Hour), &models.IdempotencyRecord{
				Scope: scope, Key: "live", RequestHash: hashA, State: models.IdempotencyPending, CreatedAt: start, ExpiresAt: start.Add(time.Minute),
			})
		})
	})
}

func TestPurgeIdempotencyKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		// Far in the future, so that every key other tests left has expired:
		// purge them first, then count only ours.
		clk := setClock(t, db, t0.AddDate(10, 0, 0))
		if _, err := db.PurgeIdempotencyKeys(t.Context()); err != nil {
			t.Fatalf("first purge: %v", err)
		}
		scope := "purge-" + dbtest.RandomSuffix()
		claim(t, db, scope, "expired-1", hashA, -time.Second)
		claim(t, db, scope, "expired-2", hashA, time.Minute)
		claim(t, db, scope, "live", hashA, time.Hour)
		claim(t, db, scope, "live-done", hashA, time.Hour)
		if err := db.CompleteIdempotencyKey(t.Context(), scope, "live-done", 204, map[string]string{}, nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Minute)

		n, err := db.PurgeIdempotencyKeys(t.Context())
		if err != nil {
			t.Fatalf("purge: %v", err)
		}
		if n != 2 {
			t.Errorf("purged %d keys, want 2", n)
		}
		var keys []string
		if err := store.GormOf(db.DB).Model(&models.IdempotencyRecord{}).Where("scope = ?", scope).
			Order("idem_key").Pluck("idem_key", &keys).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"live", "live-done"}; !slices.Equal(keys, want) {
			t.Errorf("keys left: got %v, want %v", keys, want)
		}
		if n, err := db.PurgeIdempotencyKeys(t.Context()); err != nil || n != 0 {
			t.Errorf("second purge: %d keys (%v), want 0", n, err)
		}
		checkRecord(t, claim(t, db, scope, "live-done", hashA, time.Hour), &models.IdempotencyRecord{
			Scope: scope, Key: "live-done", RequestHash: hashA, State: models.IdempotencyDone, Status: 204,
			Headers: map[string]string{}, CreatedAt: t0.AddDate(10, 0, 0), ExpiresAt: t0.AddDate(10, 0, 0).Add(time.Hour),
		})
	})
}

// TestClaimIdempotencyKeyConcurrently claims keys from several goroutines at
// once, several rounds: exactly one claims each key, and the others see its
// record. (A claim that deleted expired keys and inserted in one transaction
// deadlocked here on MySQL.)
func TestClaimIdempotencyKeyConcurrently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		scope := "race-" + dbtest.RandomSuffix()
		const rounds, workers = 10, 8
		for r := range rounds {
			key := fmt.Sprintf("same-%d", r)
			var (
				wg      sync.WaitGroup
				results = make([]*models.IdempotencyRecord, workers)
				errs    = make([]error, workers)
			)
			for i := range workers {
				wg.Go(func() {
					results[i], errs[i] = db.ClaimIdempotencyKey(t.Context(), scope, key, hashA, time.Hour)
				})
			}
			wg.Wait()
			claimed := 0
			for i := range workers {
				switch {
				case errs[i] != nil:
					t.Errorf("%s, worker %d: %v", key, i, errs[i])
				case results[i] == nil:
					claimed++
				case results[i].State != models.IdempotencyPending || results[i].RequestHash != hashA:
					t.Errorf("%s, worker %d saw %+v, want the pending claim", key, i, results[i])
				}
			}
			if claimed != 1 {
				t.Errorf("%s: %d workers claimed the key, want 1", key, claimed)
			}
		}
	})
}
