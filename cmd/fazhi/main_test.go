package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/migrations"
	"github.com/fazhi/fazhi/store"
)

func TestMain(m *testing.M) {
	code := dbtest.Run(m)
	removeBinary()
	os.Exit(code)
}

// runFazhi calls run in-process with exactly the environment env: nothing of
// the real environment (a developer's DATABASE_URL, say) leaks in.
func runFazhi(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runFazhiInput(t, env, "", args...)
}

// runFazhiInput is runFazhi with stdin reading input.
func runFazhiInput(t *testing.T, env map[string]string, input string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(args, func(name string) string { return env[name] }, strings.NewReader(input), &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRun is runFazhi for a command that must succeed.
func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, errOut, err := runFazhi(t, env, args...)
	if err != nil {
		t.Fatalf("fazhi %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// eachDatabase runs fn on a fresh, empty database of every kind: a SQLite file
// in a temporary directory, and a new MariaDB database when TEST_MYSQL_DSN is set.
func eachDatabase(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) {
		fn(t, "sqlite://"+filepath.Join(t.TempDir(), "fazhi.db")) // sqlite:///abs/path
	})
	t.Run(store.MySQL, func(t *testing.T) {
		fn(t, dbtest.NewMySQLDatabase(t))
	})
}

// migrationVersions lists the versions of the embedded migrations of a dialect,
// ascending, read from the files so that a new migration needs no test change.
func migrationVersions(t testing.TB, dialect string) []int64 {
	t.Helper()
	names, err := fs.Glob(migrations.FS, dialect+"/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var versions []int64
	for _, name := range names {
		digits, _, _ := strings.Cut(filepath.Base(name), "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: no version number: %v", name, err)
		}
		if !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	slices.Sort(versions)
	if len(versions) == 0 {
		t.Fatalf("no migrations embedded for %s", dialect)
	}
	return versions
}

func dialectOf(t testing.TB, databaseURL string) string {
	t.Helper()
	dialect, _, err := store.ParseURL(databaseURL, "")
	if err != nil {
		t.Fatal(err)
	}
	return dialect
}

func TestHelpListsEverySettingWithItsDefault(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		t.Run(arg, func(t *testing.T) {
			// A broken environment must not stop --help: it is how one learns to fix it.
			out, errOut, err := runFazhi(t, map[string]string{"FAZHI_ENV": "staging"}, arg)
			if err != nil {
				t.Fatalf("fazhi %s: %v", arg, err)
			}
			if errOut != "" {
				t.Errorf("fazhi %s wrote to stderr: %q", arg, errOut)
			}
			for _, sub := range []string{"serve", "migrate up|down|status", "seed demo", "healthcheck", "user create", "--admin", "--username", "--unit", "audit verify"} {
				if !strings.Contains(out, sub) {
					t.Errorf("help does not mention %q", sub)
				}
			}
			lines := map[string][]string{}
			for _, line := range strings.Split(out, "\n") {
				if f := strings.Fields(line); len(f) >= 2 {
					lines[f[0]] = f
				}
			}
			for _, s := range settings {
				f, ok := lines[s.name]
				if !ok {
					t.Errorf("help has no line for %s:\n%s", s.name, out)
					continue
				}
				want := s.def
				if want == "" {
					want = "(empty)"
				}
				if f[1] != want {
					t.Errorf("help line of %s: default %q, want %q", s.name, f[1], want)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	var asked []string
	cfg, err := loadConfig(func(name string) string { asked = append(asked, name); return "" })
	if err != nil {
		t.Fatalf("loadConfig with an empty environment: %v", err)
	}
	// Every documented setting is read, and nothing undocumented is.
	for _, s := range settings {
		if !slices.Contains(asked, s.name) {
			t.Errorf("%s is listed in settings (and --help) but never read", s.name)
		}
	}
	for _, name := range asked {
		if !slices.ContainsFunc(settings, func(s setting) bool { return s.name == name }) {
			t.Errorf("loadConfig reads %s, which settings (and so --help) does not list", name)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Addr", cfg.Addr, ":8080"},
		{"DatabaseURL", cfg.DatabaseURL, ""},
		{"DataDir", cfg.DataDir, "data"},
		{"AttachmentDir", cfg.AttachmentDir, filepath.Join("data", "attachments")},
		{"AttachmentLimit", cfg.AttachmentLimit, int64(20 << 20)},
		{"SheetLimit", cfg.SheetLimit, int64(64 << 20)},
		{"Env", cfg.Env, "development"},
		{"Demo", cfg.Demo, "auto"},
		{"LogLevel", cfg.LogLevel.String(), "INFO"},
		{"BodyLimit", cfg.BodyLimit, "1M"},
		{"CORSOrigins", len(cfg.CORSOrigins), 0},
		{"DBMaxOpenConns", cfg.DBMaxOpenConns, 20},
		{"DBConnMaxLifetime", cfg.DBConnMaxLifetime, 30 * time.Minute},
		{"ReadHeaderTimeout", cfg.ReadHeaderTimeout, 5 * time.Second},
		{"ReadTimeout", cfg.ReadTimeout, 30 * time.Second},
		{"WriteTimeout", cfg.WriteTimeout, 60 * time.Second},
		{"IdleTimeout", cfg.IdleTimeout, 120 * time.Second},
		{"ShutdownTimeout", cfg.ShutdownTimeout, 30 * time.Second},
		{"SessionTTL", cfg.SessionTTL, 12 * time.Hour},
		{"FeedRetention", cfg.FeedRetention, 9600 * time.Hour},
		{"APIKeyRate", cfg.APIKeyRate, 600},
		{"TrustedProxies", len(cfg.TrustedProxies), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("default %s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestConfigValues(t *testing.T) {
	env := map[string]string{
		"FAZHI_ENV":               "production",
		"FAZHI_DEMO":              "never",
		"FAZHI_LOG_LEVEL":         "debug",
		"FAZHI_CORS_ORIGINS":      " https://a.example , ,https://b.example",
		"FAZHI_DB_MAX_OPEN_CONNS": "7",
		"FAZHI_SHUTDOWN_TIMEOUT":  "1m30s",
		"FAZHI_SESSION_TTL":       "8h",
		"FAZHI_API_KEY_RATE":      "120",
		"FAZHI_TRUSTED_PROXIES":   " 10.0.0.0/8, ,fd00::/8 ",
		"FAZHI_ATTACHMENT_DIR":    "/srv/shared/attachments",
		"FAZHI_ATTACHMENT_LIMIT":  "50MiB",
		"FAZHI_SHEET_LIMIT":       "8MiB",
	}
	cfg, err := loadConfig(func(name string) string { return env[name] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AttachmentDir != "/srv/shared/attachments" || cfg.AttachmentLimit != 50<<20 || cfg.SheetLimit != 8<<20 {
		t.Errorf("AttachmentDir %q, AttachmentLimit %d, SheetLimit %d", cfg.AttachmentDir, cfg.AttachmentLimit, cfg.SheetLimit)
	}
	if cfg.Env != "production" || cfg.Demo != "never" || cfg.LogLevel.String() != "DEBUG" ||
		cfg.DBMaxOpenConns != 7 || cfg.ShutdownTimeout != 90*time.Second ||
		cfg.SessionTTL != 8*time.Hour || cfg.APIKeyRate != 120 {
		t.Errorf("got %+v", cfg)
	}
	if want := []string{"10.0.0.0/8", "fd00::/8"}; !slices.Equal(cfg.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %q, want %q", cfg.TrustedProxies, want)
	}
	for _, limit := range []string{"512K", "1M", "2MB", "1.5M", "64KiB", "1048576"} {
		if _, err := loadConfig(func(name string) string {
			if name == "FAZHI_BODY_LIMIT" {
				return limit
			}
			return ""
		}); err != nil {
			t.Errorf("FAZHI_BODY_LIMIT=%s: %v", limit, err)
		}
	}
	if want := []string{"https://a.example", "https://b.example"}; !slices.Equal(cfg.CORSOrigins, want) {
		t.Errorf("CORSOrigins = %q, want %q", cfg.CORSOrigins, want)
	}
}

func TestBadSettingsAreAllReportedAtOnce(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	bad := map[string]string{
		"FAZHI_DB_MAX_OPEN_CONNS":    "abc",
		"FAZHI_ENV":                  "staging",
		"FAZHI_READ_TIMEOUT":         "30", // no unit
		"FAZHI_SHUTDOWN_TIMEOUT":     "-5s",
		"FAZHI_DB_CONN_MAX_LIFETIME": "forever",
		"FAZHI_DEMO":                 "sometimes",
		"FAZHI_LOG_LEVEL":            "loud",
		"FAZHI_BODY_LIMIT":           "lots",
		"FAZHI_SESSION_TTL":          "a day",
		"FAZHI_API_KEY_RATE":         "fast",
		"FAZHI_TRUSTED_PROXIES":      "10.0.0.0/33",
		"FAZHI_ATTACHMENT_LIMIT":     "huge",
		"FAZHI_SHEET_LIMIT":          "0",
		"FAZHI_PPROF_ADDR":           ":8080", // the API's own
	}
	env := map[string]string{"FAZHI_DATA_DIR": dataDir}
	for k, v := range bad {
		env[k] = v
	}
	for _, args := range [][]string{nil, {"serve"}, {"migrate", "up"}, {"seed", "demo"}, {"healthcheck"},
		{"user", "create", "--admin", "--username", "city.admin", "--unit", "211100"}, {"audit", "verify"}} {
		t.Run(strings.Join(append([]string{"fazhi"}, args...), " "), func(t *testing.T) {
			_, _, err := runFazhi(t, env, args...)
			if err == nil {
				t.Fatal("a bad configuration was accepted")
			}
			msg := err.Error()
			for name, value := range bad {
				if !strings.Contains(msg, name) || !strings.Contains(msg, strconv.Quote(value)) {
					t.Errorf("the error does not name %s=%q:\n%s", name, value, msg)
				}
			}
			for _, good := range []string{"FAZHI_ADDR", "FAZHI_CORS_ORIGINS", "FAZHI_WRITE_TIMEOUT", "FAZHI_IDLE_TIMEOUT"} {
				if strings.Contains(msg, good) {
					t.Errorf("the error names %s, which was fine:\n%s", good, msg)
				}
			}
			if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the data directory was touched before the configuration was checked (stat: %v)", err)
			}
		})
	}
	for name, value := range map[string]string{
		"FAZHI_DB_MAX_OPEN_CONNS": "0",
		"FAZHI_IDLE_TIMEOUT":      "0s",
		"FAZHI_WRITE_TIMEOUT":     "1 minute",
		"FAZHI_BODY_LIMIT":        "-1M", // Echo would answer every request 413
		"FAZHI_SESSION_TTL":       "-1h",
		"FAZHI_API_KEY_RATE":      "0",
		"FAZHI_TRUSTED_PROXIES":   "10.0.0.0/8,proxy.example",
	} {
		t.Run(name+"="+value, func(t *testing.T) {
			_, _, err := runFazhi(t, map[string]string{name: value}, "healthcheck")
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: got error %v, want one naming %s", name, value, err, name)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	env := map[string]string{"FAZHI_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	for _, args := range [][]string{{"frobnicate"}, {"--verbose"}, {"Serve"}} {
		_, _, err := runFazhi(t, env, args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("fazhi %s: got %v, want %v", strings.Join(args, " "), err, errUsage)
		}
	}
	for _, args := range [][]string{{"migrate"}, {"migrate", "sideways"}, {"migrate", "up", "now"}, {"seed"}, {"seed", "prod"}, {"seed", "demo", "twice"},
		{"user"}, {"user", "delete"}, {"audit"}, {"audit", "repair"}, {"audit", "verify", "now"}} {
		_, _, err := runFazhi(t, env, args...)
		if err == nil || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("fazhi %s: got %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// statusLine is one line of "fazhi migrate status": version, name, state.
var statusLine = regexp.MustCompile(`^(\d+)\s+(\S+)\s+(pending|applied (\S+))$`)

// migrationStatus runs "fazhi migrate status" and returns the state of each
// version: "pending" or "applied".
func migrationStatus(t *testing.T, env map[string]string) map[int64]string {
	t.Helper()
	out := mustRun(t, env, "migrate", "status")
	states := map[int64]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		m := statusLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			t.Fatalf("migrate status: unexpected line %q in:\n%s", line, out)
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		state := m[3]
		if m[4] != "" {
			if _, err := time.Parse(time.RFC3339, m[4]); err != nil {
				t.Errorf("migrate status: version %d applied at %q: %v", v, m[4], err)
			}
			state = "applied"
		}
		states[v] = state
	}
	return states
}

func wantStates(t *testing.T, step string, got map[int64]string, versions []int64, pending ...int64) {
	t.Helper()
	want := map[int64]string{}
	for _, v := range versions {
		want[v] = "applied"
		if slices.Contains(pending, v) {
			want[v] = "pending"
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: migrate status = %v, want %v", step, got, want)
	}
}

func appliedLine(versions []int64) string {
	return fmt.Sprintf("applied %d migration(s) %v\n", len(versions), versions)
}

func TestMigrate(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := map[string]string{"DATABASE_URL": databaseURL}
		versions := migrationVersions(t, dialectOf(t, databaseURL))
		last := versions[len(versions)-1]

		wantStates(t, "fresh database", migrationStatus(t, env), versions, versions...)

		if got, want := mustRun(t, env, "migrate", "up"), appliedLine(versions); got != want {
			t.Errorf("migrate up: %q, want %q", got, want)
		}
		wantStates(t, "after up", migrationStatus(t, env), versions)

		if got, want := mustRun(t, env, "migrate", "up"), appliedLine([]int64{}); got != want {
			t.Errorf("migrate up again: %q, want %q", got, want)
		}

		if got, want := mustRun(t, env, "migrate", "down"), fmt.Sprintf("rolled back migration %d\n", last); got != want {
			t.Errorf("migrate down: %q, want %q", got, want)
		}
		wantStates(t, "after down", migrationStatus(t, env), versions, last)

		if got, want := mustRun(t, env, "migrate", "up"), appliedLine([]int64{last}); got != want {
			t.Errorf("migrate up after down: %q, want %q", got, want)
		}
		wantStates(t, "after up again", migrationStatus(t, env), versions)
	})
}

// With no DATABASE_URL the embedded database is the file fazhi.db in
// FAZHI_DATA_DIR, created with its directory.
func TestMigrateEmbeddedDatabase(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "nested", "data")
	env := map[string]string{"FAZHI_DATA_DIR": dataDir}
	versions := migrationVersions(t, store.SQLite)
	if got, want := mustRun(t, env, "migrate", "up"), appliedLine(versions); got != want {
		t.Errorf("migrate up: %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "fazhi.db")); err != nil {
		t.Errorf("the embedded database was not created: %v", err)
	}
	wantStates(t, "after up", migrationStatus(t, env), versions)
}

func TestSeedDemoTwice(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		env := map[string]string{"DATABASE_URL": databaseURL}
		// The units and, outside production, the demo accounts.
		records := demoDataRecords() + len(demo.Users()) + len(demo.APIKeys())
		if got, want := mustRun(t, env, "seed", "demo"), fmt.Sprintf("demo data: %d record(s) added\n", records); got != want {
			t.Errorf("first seed: %q, want %q", got, want)
		}
		db, err := store.Open(store.Config{URL: databaseURL})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		countUnits := func() int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM units").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := countUnits(); n != len(demo.Units()) {
			t.Errorf("units after the first seed: %d, want %d", n, len(demo.Units()))
		}
		if got, want := mustRun(t, env, "seed", "demo"), "demo data: 0 record(s) added\n"; got != want {
			t.Errorf("second seed: %q, want %q", got, want)
		}
		if n := countUnits(); n != len(demo.Units()) {
			t.Errorf("units after the second seed: %d, want %d (unchanged)", n, len(demo.Units()))
		}
		var users int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE demo = ?", true).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if users != len(demo.Users()) {
			t.Errorf("demo accounts after seeding twice: %d, want %d", users, len(demo.Users()))
		}
		city, err := db.GetUnit(ctx, demo.PanjinCity)
		if err != nil {
			t.Fatalf("get the demo city: %v", err)
		}
		if city.Code != "211100" || city.Name != "盘锦市" {
			t.Errorf("demo city = %s %s, want 211100 盘锦市", city.Code, city.Name)
		}
		wantStates(t, "after seed", migrationStatus(t, env), migrationVersions(t, dialectOf(t, databaseURL)))
	})
}

// On the package's shared, already migrated test databases, migrate up finds
// nothing to do (and dbtest reports both databases as tested).
func TestMigrateCurrentDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		env := map[string]string{"DATABASE_URL": db.URL}
		if got, want := mustRun(t, env, "migrate", "up"), appliedLine([]int64{}); got != want {
			t.Errorf("migrate up: %q, want %q", got, want)
		}
		wantStates(t, "current", migrationStatus(t, env), migrationVersions(t, db.Dialect()))
	})
}

const secret = "s3cr3t-pass"

// closedPort returns a local address on which nothing listens (it did a moment ago).
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A password in DATABASE_URL appears in no error, whatever is wrong with the URL.
func TestDatabaseErrorsHideThePassword(t *testing.T) {
	refused := closedPort(t)
	urls := map[string]string{
		"nothing listens":    "mysql://root:" + secret + "@" + refused + "/fazhi",
		"bad port":           "mysql://root:" + secret + "@127.0.0.1:99999x/fazhi",
		"bad host":           "mysql://root:" + secret + "@[::1/fazhi",
		"control character":  "mysql://root:" + secret + "@127.0.0.1/fa\x7fzhi",
		"no database":        "mysql://root:" + secret + "@" + refused,
		"unknown scheme":     "postgres://root:" + secret + "@" + refused + "/fazhi",
		"bad parameter":      "mysql://root:" + secret + "@" + refused + "/fazhi?parseTime=maybe",
		"encoded characters": "mysql://root:" + url.QueryEscape(secret+"/@:?#") + "@" + refused + "/fazhi",
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{{"migrate", "status"}, {"seed", "demo"}} {
				out, errOut, err := runFazhi(t, map[string]string{"DATABASE_URL": u, "FAZHI_LOG_LEVEL": "debug"}, args...)
				if err == nil {
					t.Fatalf("fazhi %s succeeded with DATABASE_URL %q", strings.Join(args, " "), u)
				}
				for what, text := range map[string]string{"error": err.Error(), "stdout": out, "stderr": errOut} {
					if strings.Contains(text, "s3cr3t") {
						t.Errorf("fazhi %s: the password appears in the %s: %s", strings.Join(args, " "), what, text)
					}
				}
			}
		})
	}
}

// demoDataRecords is how many records the demo data holds besides the
// accounts: units, the two indicator systems, their indicators, values and
// targets, the evaluation, the checklists, the self-inspection round and
// the yearly work plans.
func demoDataRecords() int {
	_, city := demo.CityIndicators()
	_, national := demo.NationalIndicators()
	_, draft := demo.DraftIndicators()
	_, items2021 := demo.FlexibleList2021()
	_, items2022 := demo.FlexibleRevision2022()
	return len(demo.Units()) + 2 + len(city) + len(national) + len(demo.CityValues()) + len(demo.NationalValues()) +
		len(demo.SampleTargets()) + len(demo.NationalTargets()) + 1 +
		1 + len(draft) + len(demo.WorkingValues()) +
		2 + len(items2021) + len(items2022) + // the flexible-enforcement list's two versions and their items
		len(demo.FlexibleApplications()) + // the 2021 list's cases
		demo.InspectionRecords() + // the self-inspection list and round
		demo.PlanRecords() // the yearly work plans and their tasks
}

// demoChecklistEvents are the audit events of seeding the demo's checklist,
// which are not one per record: the 2021 list is created (1), gets its 854
// items (one each), is submitted and published (2); its 2022 revision is
// one event however many items it copies (1), is edited (1), and the seed
// replaces 10 of the copies (10 deletions) with the 8 items it writes (8)
// (demo/checklists.go, seedRevision); the 2021 list's 2,848 cases are one
// event each (demo/applications.go).
const demoChecklistEvents = 1 + 854 + 2 + 1 + 1 + 10 + 8 + 2848

// TestRequestTimeout: a request's work stops a margin before the write
// timeout, so that its refusal still reaches the client.
func TestRequestTimeout(t *testing.T) {
	for write, want := range map[time.Duration]time.Duration{
		0:                0,
		60 * time.Second: 55 * time.Second,
		5 * time.Second:  4 * time.Second,
		10 * time.Minute: 590 * time.Second,
	} {
		if got := requestTimeout(write); got != want {
			t.Errorf("write timeout %s: request timeout %s, want %s", write, got, want)
		}
	}
}
