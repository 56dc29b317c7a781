package main

// Tests of the identity and audit subcommands: "user create", "audit verify",
// and what production does to the demo accounts.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

// ruleOfLawOfficeCode is the code of the demo unit the first administrator joins.
const ruleOfLawOfficeCode = "211100-002"

// strongPassword is a password the policy accepts.
const strongPassword = "Panjin-Rule-of-Law-2021"

// openDB opens the database of a test for checks behind the command's back.
func openDB(t *testing.T, databaseURL string) *store.DB {
	t.Helper()
	db, err := store.Open(store.Config{URL: databaseURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seededDatabase returns a fresh database of every kind with the demo data and
// accounts, and the environment that reaches it.
func seededDatabase(t *testing.T, databaseURL string) map[string]string {
	t.Helper()
	env := map[string]string{"DATABASE_URL": databaseURL}
	mustRun(t, env, "seed", "demo")
	return env
}

// auditEventsOf lists every audit event of an operation.
func auditEventsOf(t *testing.T, db *store.DB, operation string) []models.AuditEvent {
	t.Helper()
	events, _, err := db.ListAuditEvents(context.Background(), models.AuditFilter{Operation: operation}, paging.Page{Limit: paging.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestUserCreate(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := seededDatabase(t, databaseURL)
		db := openDB(t, databaseURL)
		ctx := context.Background()

		// The password comes from standard input; its line end is not part of it.
		out, _, err := runFazhiInput(t, env, strongPassword+"\r\n",
			"user", "create", "--admin", "--username", "city.admin", "--unit", ruleOfLawOfficeCode)
		if err != nil {
			t.Fatalf("user create --admin: %v", err)
		}
		u, err := db.UserByUsername(ctx, "city.admin")
		if err != nil {
			t.Fatalf("the new administrator is not in the database: %v", err)
		}
		if want := fmt.Sprintf("created user city.admin (%s) with roles [admin]\n", u.ID); out != want {
			t.Errorf("user create printed %q, want %q", out, want)
		}
		if !slices.Equal(u.Roles, []models.Role{models.RoleAdmin}) || u.UnitID != demo.RuleOfLawOffice ||
			u.DisplayName != "city.admin" || u.Disabled || u.Demo || u.Version != 1 {
			t.Errorf("created user = %+v, want an enabled, non-demo admin of the rule-of-law office named after its username", u)
		}
		h := &password.Hasher{}
		if !h.Verify(strongPassword, u.PasswordHash) {
			t.Error("the password read from stdin does not verify against the stored hash")
		}
		if h.Verify(strongPassword+"\r\n", u.PasswordHash) || strings.Contains(u.PasswordHash, strongPassword) {
			t.Error("the stored hash is not of the trimmed password, or holds the password itself")
		}

		// The audit log names the command line as the actor.
		events := auditEventsOf(t, db, "cli.userCreate")
		if len(events) != 1 {
			t.Fatalf("%d audit event(s) of cli.userCreate, want 1: %+v", len(events), events)
		}
		e := events[0]
		if e.ActorType != string(models.CallerSystem) || e.ActorID != "cli" || e.EntityType != "user" || e.EntityID != u.ID ||
			e.Before != "" || !strings.Contains(e.After, `"city.admin"`) || e.UnitID == nil || *e.UnitID != demo.RuleOfLawOffice {
			t.Errorf("audit event of user create = %+v", e)
		}
		if strings.Contains(e.After, "password") || strings.Contains(e.After, u.PasswordHash) {
			t.Errorf("the audit event holds the password hash: %s", e.After)
		}

		// Roles given one by one, with a display name.
		out, _, err = runFazhiInput(t, env, strongPassword,
			"user", "create", "--role", "reviewer", "--role", "reporter", "--username", "sfj.second",
			"--display-name", "市司法局第二审核员", "--unit", "211100-001")
		if err != nil {
			t.Fatalf("user create --role reviewer --role reporter: %v", err)
		}
		if !strings.Contains(out, "with roles [reviewer reporter]") {
			t.Errorf("user create printed %q", out)
		}
		if u, err := db.UserByUsername(ctx, "sfj.second"); err != nil {
			t.Error(err)
		} else if !slices.Equal(u.Roles, []models.Role{models.RoleReviewer, models.RoleReporter}) || u.DisplayName != "市司法局第二审核员" || u.UnitID != demo.JusticeBureau {
			t.Errorf("user with roles = %+v", u)
		}

		// --admin with --role admin is one role, not a role given twice.
		if _, _, err := runFazhiInput(t, env, strongPassword, "user", "create", "--admin", "--role", "admin", "--role", "viewer",
			"--username", "both.admin", "--unit", ruleOfLawOfficeCode); err != nil {
			t.Errorf("user create --admin --role admin: %v", err)
		} else if u, err := db.UserByUsername(ctx, "both.admin"); err != nil || !slices.Equal(u.Roles, []models.Role{models.RoleAdmin, models.RoleViewer}) {
			t.Errorf("user both.admin = %+v (%v), want roles [admin viewer]", u, err)
		}

		// Refusals: nothing is written.
		refusals := []struct {
			name  string
			input string
			args  []string
			want  string // in the error
		}{
			{"short password", "short-pw", []string{"--admin", "--username", "weak.admin", "--unit", ruleOfLawOfficeCode}, "at least 10"},
			{"password is the username", "weak.admin.x", []string{"--admin", "--username", "weak.admin.x", "--unit", ruleOfLawOfficeCode}, "must not be the username"},
			{"no password", "", []string{"--admin", "--username", "weak.admin", "--unit", ruleOfLawOfficeCode}, "at least 10"},
			{"unknown unit", strongPassword, []string{"--admin", "--username", "weak.admin", "--unit", "999999"}, `no unit has the code "999999"`},
			{"unit code matched only in part", strongPassword, []string{"--admin", "--username", "weak.admin", "--unit", "211100-00"}, "no unit has the code"},
			{"no username", strongPassword, []string{"--admin", "--unit", ruleOfLawOfficeCode}, "usage:"},
			{"no unit", strongPassword, []string{"--admin", "--username", "weak.admin"}, "usage:"},
			{"unknown flag", strongPassword, []string{"--admin", "--superuser", "--username", "weak.admin", "--unit", ruleOfLawOfficeCode}, "usage:"},
			{"stray argument", strongPassword, []string{"--admin", "--username", "weak.admin", "--unit", ruleOfLawOfficeCode, "now"}, "usage:"},
			{"no role", strongPassword, []string{"--username", "weak.admin", "--unit", ruleOfLawOfficeCode}, "at least one role"},
			{"unknown role", strongPassword, []string{"--role", "mayor", "--username", "weak.admin", "--unit", ruleOfLawOfficeCode}, "unknown role mayor"},
			{"username taken", strongPassword, []string{"--admin", "--username", "city.admin", "--unit", ruleOfLawOfficeCode}, "taken"},
			{"demo username taken", strongPassword, []string{"--admin", "--username", "fzb.admin", "--unit", ruleOfLawOfficeCode}, "taken"},
		}
		for _, r := range refusals {
			out, _, err := runFazhiInput(t, env, r.input, append([]string{"user", "create"}, r.args...)...)
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Errorf("%s: got error %v (stdout %q), want one containing %q", r.name, err, out, r.want)
			}
		}
		for _, name := range []string{"weak.admin", "weak.admin.x"} {
			if _, err := db.UserByUsername(ctx, name); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("a refused user create left user %s behind (%v)", name, err)
			}
		}
		if n := len(auditEventsOf(t, db, "cli.userCreate")); n != 3 {
			t.Errorf("%d audit events of cli.userCreate after three users and the refusals, want 3", n)
		}
		var users int
		if err := db.SQL().QueryRow("SELECT COUNT(*) FROM users").Scan(&users); err != nil {
			t.Fatal(err)
		}
		if want := len(demo.Users()) + 3; users != want {
			t.Errorf("%d users, want %d", users, want)
		}

		// Everything the command wrote keeps the chain whole.
		if out := mustRun(t, env, "audit", "verify"); !strings.HasPrefix(out, "audit chain verified:") {
			t.Errorf("audit verify after user create: %q", out)
		}
	})
}

// The unit is found by its exact code, however many units contain that code
// in theirs or in their name.
func TestUserCreateFindsTheUnitByItsCode(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := seededDatabase(t, databaseURL)
		db := openDB(t, databaseURL)
		ctx := context.Background()
		target := &models.Unit{Code: "211100-Z7", Name: "目标单位", Kind: models.UnitOffice, ParentID: &demo.PanjinCity}
		if err := db.CreateUnit(ctx, target); err != nil {
			t.Fatal(err)
		}
		// More units than a page holds whose names contain its code and whose codes sort before it.
		var crowd []*models.Unit
		for i := range paging.MaxLimit + 10 {
			id := store.NewID()
			u := &models.Unit{ID: id, Code: fmt.Sprintf("211100-A%04d", i), Name: fmt.Sprintf("单位 211100-Z7 %d", i), Kind: models.UnitOffice,
				ParentID: &demo.PanjinCity, Level: 2, Path: models.UnitPath(models.UnitPath("", demo.PanjinCity), id)}
			crowd = append(crowd, u)
		}
		if err := db.CreateUnits(ctx, crowd); err != nil {
			t.Fatal(err)
		}
		if _, _, err := runFazhiInput(t, env, strongPassword, "user", "create", "--role", "reporter", "--username", "z7.reporter", "--unit", "211100-Z7"); err != nil {
			t.Fatalf("user create --unit 211100-Z7: %v", err)
		}
		if u, err := db.UserByUsername(ctx, "z7.reporter"); err != nil || u.UnitID != target.ID {
			t.Errorf("user z7.reporter = %+v (%v), want it in unit %s", u, err, target.ID)
		}
	})
}

// user create on a database nobody has migrated yet migrates it, and then
// finds no unit of that code.
func TestUserCreateOnEmptyDatabase(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "fazhi.db")}
	_, _, err := runFazhiInput(t, env, strongPassword, "user", "create", "--admin", "--username", "first.admin", "--unit", "211100")
	if err == nil || !strings.Contains(err.Error(), `no unit has the code "211100"`) {
		t.Errorf("user create on an empty database: %v, want no unit with the code", err)
	}
	wantStates(t, "after user create", migrationStatus(t, env), migrationVersions(t, store.SQLite))
}

var brokenLine = regexp.MustCompile(`^audit chain BROKEN at event (\d+) \(([0-9a-f-]*)\): (.+); (\d+) event\(s\) before it verified$`)

func TestAuditVerify(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := seededDatabase(t, databaseURL)
		// Seeding appends one event per record it adds, and one for publishing
		// each of the two demo indicator systems, but for the checklists'
		// records, whose events demoChecklistEvents and demo.InspectionEvents
		// count, and the plans', whose events (published, tasks started and
		// completed) demo.PlanEvents counts.
		_, items2021 := demo.FlexibleList2021()
		_, items2022 := demo.FlexibleRevision2022()
		checklistRecords := 2 + len(items2021) + len(items2022) + len(demo.FlexibleApplications()) + demo.InspectionRecords()
		records := demoDataRecords() - checklistRecords - demo.PlanRecords() + demoChecklistEvents + demo.InspectionEvents() + demo.PlanEvents() +
			len(demo.Users()) + len(demo.APIKeys()) + 2
		if got, want := mustRun(t, env, "audit", "verify"), fmt.Sprintf("audit chain verified: %d event(s)\n", records); got != want {
			t.Errorf("audit verify: %q, want %q", got, want)
		}

		db := openDB(t, databaseURL)
		var id2 string
		if err := db.SQL().QueryRow("SELECT id FROM audit_events WHERE seq = 2").Scan(&id2); err != nil {
			t.Fatal(err)
		}
		tamper(t, db.SQL(), "UPDATE audit_events SET actor_name = 'x' WHERE seq = 2")

		out, _, err := runFazhi(t, env, "audit", "verify")
		if err == nil {
			t.Fatalf("audit verify succeeded on a tampered chain: %q", out)
		}
		m := brokenLine.FindStringSubmatch(strings.TrimSpace(out))
		if m == nil {
			t.Fatalf("audit verify on a tampered chain printed %q", out)
		}
		if m[1] != "2" || m[2] != id2 || m[4] != "1" || !strings.Contains(m[3], "content") {
			t.Errorf("audit verify names event %s (%s), cause %q, %s verified; want event 2 (%s), its content, 1 verified", m[1], m[2], m[3], m[4], id2)
		}
	})
}

// tamper changes the database behind the store's back, as an intruder would.
func tamper(t *testing.T, db *sql.DB, stmt string) {
	t.Helper()
	res, err := db.Exec(stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows changed, want 1", stmt, n)
	}
}

// The exit code is what a cron job or a monitoring check looks at.
func TestProcessAuditVerifyExitCode(t *testing.T) {
	t.Parallel()
	databaseURL := "sqlite://" + filepath.Join(t.TempDir(), "fazhi.db")
	env := seededDatabase(t, databaseURL)
	code, out, errOut := runOnce(t, env, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "audit chain verified: ") {
		t.Errorf("audit verify on a whole chain: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	tamper(t, openDB(t, databaseURL).SQL(), "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
	code, out, errOut = runOnce(t, env, "audit", "verify")
	if code == 0 {
		t.Errorf("audit verify exited 0 with the last event removed: %q", out)
	}
	if !strings.Contains(out, "BROKEN") || !strings.Contains(errOut, "does not verify") {
		t.Errorf("audit verify failed without saying why: stdout %q, stderr %q", out, errOut)
	}
}

// demoDisabledMsg is the warning serve logs when production disables demo accounts.
const demoDisabledMsg = "demo accounts disabled: they are not allowed in production"

// In production the demo accounts, whose password is published, do not work,
// even on a database where they were seeded before; and production seeds none.
func TestProcessProductionRefusesDemoAccounts(t *testing.T) {
	t.Parallel()
	databaseURL := "sqlite://" + filepath.Join(t.TempDir(), "fazhi.db")
	env := seededDatabase(t, databaseURL) // outside production: with the demo accounts
	// The real administrator, created as the README says.
	if _, _, err := runFazhiInput(t, env, strongPassword+"\n", "user", "create", "--admin", "--username", "city.admin", "--unit", ruleOfLawOfficeCode); err != nil {
		t.Fatalf("user create: %v", err)
	}

	prod := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ENV": "production", "FAZHI_ADDR": "127.0.0.1:0"}
	p := startFazhi(t, "fazhi (production)", prod)
	base, _ := p.listen()
	if r, _ := p.find(demoDisabledMsg); r == nil || r["accounts"] != float64(len(demo.Users())) {
		t.Errorf("demo accounts disabled line: %v, want accounts %d", r, len(demo.Users()))
	}
	if r, _ := p.find("demo data loaded"); r != nil {
		t.Errorf("production loaded the demo data: %v", r)
	}
	p.waitReady(base)
	for _, u := range demo.Users() {
		if status, _ := signIn(t, base, u.Username, demo.Password); status != http.StatusUnauthorized {
			t.Errorf("demo account %s signed in in production: %d, want 401", u.Username, status)
		}
	}
	token := mustSignIn(t, base, "city.admin", strongPassword)
	getAuthOK(t, base+"/api/v1/units/"+demo.PanjinCity, token)
	p.stop()

	db := openDB(t, databaseURL)
	for _, u := range demo.Users() {
		got, err := db.GetUser(context.Background(), u.ID)
		if err != nil || !got.Disabled {
			t.Errorf("demo account %s after a production start: %+v (%v), want disabled", u.Username, got, err)
		}
	}

	// Seeding in production adds nothing (the units are there) and re-enables no account.
	if got, want := mustRun(t, prod, "seed", "demo"), "demo data: 0 record(s) added\ndemo accounts: not created (FAZHI_ENV=production)\n"; got != want {
		t.Errorf("seed demo in production: %q, want %q", got, want)
	}
	// Nor does a second production start find anything left to disable.
	p2 := startFazhi(t, "fazhi (production, again)", prod)
	p2.listen()
	if r, _ := p2.find(demoDisabledMsg); r != nil {
		t.Errorf("second production start disabled accounts again: %v", r)
	}
	p2.stop()
}

// On a new database, production seeds the units and no account.
func TestSeedDemoInProduction(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ENV": "production"}
		want := fmt.Sprintf("demo data: %d record(s) added\ndemo accounts: not created (FAZHI_ENV=production)\n", demoDataRecords())
		if got := mustRun(t, env, "seed", "demo"); got != want {
			t.Errorf("seed demo in production: %q, want %q", got, want)
		}
		var users int
		if err := openDB(t, databaseURL).SQL().QueryRow("SELECT COUNT(*) FROM users").Scan(&users); err != nil {
			t.Fatal(err)
		}
		if users != 0 {
			t.Errorf("seed demo in production created %d account(s)", users)
		}
		// Leaving production later adds the accounts, and only them.
		if got, want := mustRun(t, map[string]string{"DATABASE_URL": databaseURL}, "seed", "demo"), fmt.Sprintf("demo data: %d record(s) added\n", len(demo.Users())+len(demo.APIKeys())); got != want {
			t.Errorf("seed demo outside production after production: %q, want %q", got, want)
		}
	})
}
