package demo_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

func TestUnitsFormOneValidTree(t *testing.T) {
	units := demo.Units()
	byID := map[string]*models.Unit{}
	codes := map[string]bool{}
	kinds := map[models.UnitKind]int{}
	for _, u := range units {
		if err := u.Validate(); err != nil {
			t.Errorf("%s: %v", u.Name, err)
		}
		if byID[u.ID] != nil || codes[u.Code] {
			t.Errorf("%s: id or code repeated", u.Name)
		}
		byID[u.ID], codes[u.Code] = u, true
		kinds[u.Kind]++
		if u.ParentID == nil {
			if u.ID != demo.PanjinCity {
				t.Errorf("%s is a second root", u.Name)
			}
			continue
		}
		p := byID[*u.ParentID]
		if p == nil {
			t.Errorf("%s comes before its parent", u.Name)
			continue
		}
		if u.Level != p.Level+1 || u.Path != models.UnitPath(p.Path, u.ID) {
			t.Errorf("%s: level %d path %s under %s", u.Name, u.Level, u.Path, p.Path)
		}
	}
	// The seed report names or implies these; the issue asks for at least 24 departments.
	if kinds[models.UnitDepartment] < 24 || kinds[models.UnitDistrict] != 3 || kinds[models.UnitCounty] != 1 || kinds[models.UnitEconomicZone] < 3 {
		t.Errorf("kinds = %v", kinds)
	}
	for id, name := range map[string]string{demo.PanjinCity: "盘锦市", demo.JusticeBureau: "盘锦市司法局", demo.Xinglongtai: "兴隆台区"} {
		if u := byID[id]; u == nil || u.Name != name {
			t.Errorf("fixed id %s is not %s", id, name)
		}
	}
	if o := byID[demo.RuleOfLawOffice]; o == nil || *o.ParentID != demo.JusticeBureau {
		t.Errorf("the rule-of-law office is not in the Justice Bureau")
	}
}

// eachFreshDatabase runs fn on a new, empty database of every kind, so that
// what it counts does not depend on the tests run before it.
func eachFreshDatabase(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		t.Run(dialect, func(t *testing.T) { fn(t, freshDatabase(t, dialect)) })
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	eachFreshDatabase(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		n, err := demo.Seed(ctx, db, demo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n != dataRecords() {
			t.Errorf("first seed added %d, want %d", n, dataRecords())
		}
		before, err := db.GetUnit(ctx, demo.JusticeBureau)
		if err != nil {
			t.Fatal(err)
		}
		n, err = demo.Seed(ctx, db, demo.Options{})
		if err != nil || n != 0 {
			t.Fatalf("second seed added %d (%v), want 0", n, err)
		}
		after, err := db.GetUnit(ctx, demo.JusticeBureau)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("second seed changed a unit: %+v -> %+v", before, after)
		}
		all, _, err := db.ListUnits(ctx, models.UnitFilter{}, paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "code"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(demo.Units()) {
			t.Errorf("%d units after seeding twice, want %d", len(all), len(demo.Units()))
		}
	})
}

// freshDatabase opens a new, migrated, empty database of the dialect.
func freshDatabase(t *testing.T, dialect string) *store.DB {
	t.Helper()
	u := "sqlite://" + filepath.Join(t.TempDir(), "fresh.db")
	if dialect == store.MySQL {
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

// Production seeds without accounts: the units, and no account at all.
func TestSeedWithoutAccounts(t *testing.T) {
	eachFreshDatabase(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		hashed := 0
		opts := demo.Options{Accounts: false, HashPassword: func(pw string) (string, error) { hashed++; return fastHasher.Hash(pw) }}
		for i, want := range []int{dataRecords(), 0} {
			if n, err := demo.Seed(ctx, db, opts); err != nil || n != want {
				t.Errorf("seed %d without accounts: %d (%v), want %d", i+1, n, err, want)
			}
		}
		if hashed != 0 {
			t.Errorf("seeding without accounts hashed the password %d time(s)", hashed)
		}
		var users int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
			t.Fatal(err)
		}
		if users != 0 {
			t.Errorf("seeding without accounts created %d user(s)", users)
		}
		// Accounts later (leaving production) add the accounts only.
		if n, err := demo.Seed(ctx, db, demo.Options{Accounts: true, HashPassword: fastHasher.Hash}); err != nil || n != len(demo.Users())+len(demo.APIKeys()) {
			t.Errorf("seed with accounts after one without: %d (%v), want %d", n, err, len(demo.Users()))
		}
	})
}

// A hasher that fails stops the seed with its error, before any account is written.
func TestSeedAccountsHashError(t *testing.T) {
	db := freshDatabase(t, store.SQLite)
	boom := errors.New("no entropy")
	n, err := demo.Seed(t.Context(), db, demo.Options{Accounts: true, HashPassword: func(string) (string, error) { return "", boom }})
	if !errors.Is(err, boom) {
		t.Errorf("Seed with a failing hasher: %v, want %v", err, boom)
	}
	if n != dataRecords() {
		t.Errorf("Seed with a failing hasher reported %d record(s) added, want the %d records of the data", n, dataRecords())
	}
	var users int
	if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 0 {
		t.Errorf("%d user(s) written despite the failing hasher", users)
	}
}

func TestUsersAreValid(t *testing.T) {
	units := map[string]bool{}
	for _, u := range demo.Units() {
		units[u.ID] = true
	}
	roles := map[models.Role]int{}
	seen := map[string]bool{}
	for _, u := range demo.Users() {
		if err := u.Validate(); err != nil {
			t.Errorf("%s: %v", u.Username, err)
		}
		if !units[u.UnitID] {
			t.Errorf("%s: unit %s is not a demo unit", u.Username, u.UnitID)
		}
		if !u.Demo || u.PasswordHash != "" || u.ID == "" || seen[u.ID] || seen[u.Username] {
			t.Errorf("%s: demo %v, hash %q, id %q (ids and names must be unique)", u.Username, u.Demo, u.PasswordHash, u.ID)
		}
		seen[u.ID], seen[u.Username] = true, true
		for _, r := range u.Roles {
			roles[r]++
		}
		if err := models.CheckPassword(u.Username, demo.Password); err != nil {
			t.Errorf("the demo password breaks the policy for %s: %v", u.Username, err)
		}
	}
	for _, r := range models.Roles {
		if roles[r] != 1 {
			t.Errorf("role %s: %d demo account(s), want one", r, roles[r])
		}
	}
	if demo.Users()[0].Username != "fzb.admin" || demo.Users()[0].ID != demo.AdminUser {
		t.Errorf("the first demo account is %s, want fzb.admin (the README names it)", demo.Users()[0].Username)
	}
}

// fastHasher hashes the demo password cheaply for tests.
var fastHasher = &password.Hasher{Params: password.Fast}

func TestSeedAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		opts := demo.Options{Accounts: true, HashPassword: fastHasher.Hash}
		// The units may be seeded already (by the test before): count the accounts only.
		n, err := demo.Seed(ctx, db, opts)
		if err != nil {
			t.Fatal(err)
		}
		units, _, err := db.ListUnits(ctx, models.UnitFilter{}, paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "code"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != len(demo.Units()) {
			t.Fatalf("%d units after seeding, want %d", len(units), len(demo.Units()))
		}
		accounts := len(demo.Users()) + len(demo.APIKeys())
		if n < accounts || n > accounts+dataRecords() {
			t.Errorf("seeding with accounts added %d record(s), want the %d accounts and keys (and the data, if missing)", n, accounts)
		}
		if k, err := db.GetAPIKey(ctx, demo.ProvinceKey); err != nil || k.Prefix != "fzk_1a2b3c4d" || len(k.Scopes) != 1 {
			t.Errorf("demo API key %+v (%v)", k, err)
		}
		hashes := map[string]bool{}
		for _, want := range demo.Users() {
			got, err := db.GetUser(ctx, want.ID)
			if err != nil {
				t.Errorf("demo account %s: %v", want.Username, err)
				continue
			}
			if got.Username != want.Username || got.DisplayName != want.DisplayName || got.UnitID != want.UnitID ||
				!slices.Equal(got.Roles, want.Roles) || !got.Demo || got.Disabled {
				t.Errorf("demo account %s = %+v, want %+v", want.Username, got, want)
			}
			if !fastHasher.Verify(demo.Password, got.PasswordHash) {
				t.Errorf("demo account %s: the demo password does not verify", want.Username)
			}
			if fastHasher.Verify(demo.Password+"x", got.PasswordHash) || strings.Contains(got.PasswordHash, demo.Password) {
				t.Errorf("demo account %s: the stored hash is not a hash of the demo password alone", want.Username)
			}
			if hashes[got.PasswordHash] {
				t.Errorf("demo account %s shares its hash with another: no salt?", want.Username)
			}
			hashes[got.PasswordHash] = true
			byName, err := db.UserByUsername(ctx, want.Username)
			if err != nil || byName.ID != want.ID {
				t.Errorf("UserByUsername(%s) = %v, %v", want.Username, byName, err)
			}
		}

		// Seeding again adds nothing and leaves the accounts as they are.
		before, err := db.GetUser(ctx, demo.AdminUser)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := demo.Seed(ctx, db, opts); err != nil || n != 0 {
			t.Errorf("second seed with accounts added %d (%v), want 0", n, err)
		}
		after, err := db.GetUser(ctx, demo.AdminUser)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version || after.PasswordHash != before.PasswordHash {
			t.Errorf("the second seed changed the admin account: version %d -> %d", before.Version, after.Version)
		}

		// A disabled demo account (as production leaves it) is not re-created or re-enabled.
		if _, err := db.SetUserDisabled(ctx, demo.ViewerUser, true); err != nil {
			t.Fatal(err)
		}
		if n, err := demo.Seed(ctx, db, opts); err != nil || n != 0 {
			t.Errorf("seed after a disable added %d (%v), want 0", n, err)
		}
		if u, err := db.GetUser(ctx, demo.ViewerUser); err != nil || !u.Disabled {
			t.Errorf("seeding re-enabled a disabled demo account: %+v (%v)", u, err)
		}
		verify, err := db.VerifyAudit(ctx)
		if err != nil || !verify.OK {
			t.Errorf("the audit chain after seeding: %+v (%v)", verify, err)
		}
	})
}

// dataRecords is how many records the demo data holds besides the accounts:
// units, the city's indicator system, its indicators and their values, and
// the flexible-enforcement list's two versions and their items, the cases
// of the 2021 list, the self-inspection list and round, and the yearly work
// plans and their tasks.
func dataRecords() int {
	_, city := demo.CityIndicators()
	_, national := demo.NationalIndicators()
	_, draft := demo.DraftIndicators()
	_, items2021 := demo.FlexibleList2021()
	_, items2022 := demo.FlexibleRevision2022()
	return len(demo.Units()) + 2 + len(city) + len(national) + len(demo.CityValues()) + len(demo.NationalValues()) +
		len(demo.SampleTargets()) + len(demo.NationalTargets()) + 1 + // the evaluation
		1 + len(draft) + len(demo.WorkingValues()) +
		2 + len(items2021) + len(items2022) + len(demo.FlexibleApplications()) + demo.InspectionRecords() + demo.PlanRecords()
}
