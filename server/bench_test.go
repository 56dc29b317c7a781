package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

// BenchmarkListUnits reads one page of 50 children of a unit with 2,000
// through the whole HTTP stack (authentication, validation, handler, store,
// JSON), next to the
// same query through plain database/sql in the same run: the ratio is the cost
// of everything above the SQL. http-all reads the first page of all units.
func BenchmarkListUnits(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			root := benchUnits(b, db, 2000)[0]
			e, err := server.New(server.Config{AttachmentDir: b.TempDir()}, db, discardLogger())
			if err != nil {
				b.Fatal(err)
			}
			path := unitsPath + "?limit=50&parentId=" + root.ID
			auth := "Bearer " + fixturesFor(b, db).tokens["admin"]

			b.Run("http", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Authorization", auth)
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
			})
			// The first page of every unit, by code: the list's default.
			b.Run("http-all", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, unitsPath+"?limit=50", nil)
					req.Header.Set("Authorization", auth)
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
			})
			b.Run("database-sql", func(b *testing.B) {
				b.ReportAllocs()
				q := "SELECT id, code, name, short_name, kind, parent_id, level, path, search_text, version, created_at, updated_at" +
					" FROM units WHERE parent_id = ? ORDER BY code, id LIMIT 51"
				stmt, err := db.SQL().PrepareContext(b.Context(), q)
				if err != nil {
					b.Fatal(err)
				}
				defer stmt.Close()
				for b.Loop() {
					rows, err := stmt.QueryContext(b.Context(), root.ID)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						var u models.Unit
						if err := rows.Scan(&u.ID, &u.Code, &u.Name, &u.ShortName, &u.Kind, &u.ParentID, &u.Level, &u.Path,
							&u.SearchText, &u.Version, &u.CreatedAt, &u.UpdatedAt); err != nil {
							b.Fatal(err)
						}
						n++
					}
					if err := rows.Close(); err != nil || n != 51 {
						b.Fatalf("%d rows, %v", n, err)
					}
				}
			})
		})
	}
}

// BenchmarkGetUnit reads one unit through the whole HTTP stack: for a read
// this small, authentication (the session lookup) is most of the work above
// the SQL.
func BenchmarkGetUnit(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			e, unit, auth := oneUnitServer(b, dialect)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, unitsPath+"/"+unit.ID, nil)
				req.Header.Set("Authorization", auth)
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkUpdateUnit renames one unit through the whole HTTP stack, one
// PATCH after another at the version the last one answered: the row lock,
// the version check, the update, the audit and feed events and the commit
// (the whole-server benchmark's case e, without the load).
func BenchmarkUpdateUnit(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			e, unit, auth := oneUnitServer(b, dialect)
			etag := `"1"`
			b.ReportAllocs()
			for n := 0; b.Loop(); n++ {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPatch, unitsPath+"/"+unit.ID, strings.NewReader(fmt.Sprintf(`{"name":"单位%d"}`, n)))
				req.Header.Set("Authorization", auth)
				req.Header.Set("Content-Type", "application/merge-patch+json")
				req.Header.Set("If-Match", etag)
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
				}
				etag = rec.Header().Get("ETag")
			}
		})
	}
}

// oneUnitServer is the server of the unit benchmarks on a new database of
// the dialect, one of the units it holds, and the admin's Authorization.
func oneUnitServer(b *testing.B, dialect string) (http.Handler, *models.Unit, string) {
	db := dbtest.Open(b, dialect)
	unit := benchUnits(b, db, 10)[1]
	e, err := server.New(server.Config{AttachmentDir: b.TempDir()}, db, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	return e, unit, "Bearer " + fixturesFor(b, db).tokens["admin"]
}

// benchUnits creates a city with n departments below it, in one batch, and
// returns them, the city first.
func benchUnits(b testing.TB, db *dbtest.DB, n int) []*models.Unit {
	b.Helper()
	root := &models.Unit{ID: store.NewID(), Code: areaCode(), Name: "基准市", Kind: models.UnitCity, Level: 1}
	root.Path = models.UnitPath("", root.ID)
	units := []*models.Unit{root}
	for i := range n {
		u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s-%04d", root.Code, i), Name: fmt.Sprintf("单位%04d", i),
			Kind: models.UnitDepartment, ParentID: &root.ID, Level: 2}
		u.Path = models.UnitPath(root.Path, u.ID)
		units = append(units, u)
	}
	if err := db.CreateUnits(b.Context(), units); err != nil {
		b.Fatal(err)
	}
	return units
}
