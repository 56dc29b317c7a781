package migrations_test

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/migrations"
)

// fileName is goose's form: a version number, an underscore, a name.
var fileName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)

type migration struct {
	version int64
	name    string // without version and extension
	file    string
	sql     string
}

// read lists one dialect's migrations in the order goose applies them.
func read(t *testing.T, dialect string) []migration {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		t.Fatalf("read %s: %v", dialect, err)
	}
	var out []migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			t.Errorf("%s/%s: not a migration file named NNNNN_name.sql", dialect, e.Name())
			continue
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			t.Fatalf("%s/%s: %v", dialect, e.Name(), err)
		}
		b, err := fs.ReadFile(migrations.FS, dialect+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, migration{version: v, name: m[2], file: e.Name(), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return int(a.version - b.version) })
	return out
}

func TestDialectFolders(t *testing.T) {
	if got, want := migrations.Dialects, []string{"mysql", "sqlite"}; !slices.Equal(got, want) {
		t.Errorf("Dialects = %v, want %v", got, want)
	}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	if !slices.Equal(dirs, migrations.Dialects) {
		t.Errorf("FS holds %v, want exactly the folders %v", dirs, migrations.Dialects)
	}
}

func TestSameVersionsInEveryDialect(t *testing.T) {
	byDialect := map[string][]migration{}
	for _, d := range migrations.Dialects {
		ms := read(t, d)
		if len(ms) == 0 {
			t.Fatalf("%s has no migrations", d)
		}
		for i, m := range ms {
			if i > 0 && m.version == ms[i-1].version {
				t.Errorf("%s: version %d twice (%s, %s)", d, m.version, ms[i-1].file, m.file)
			}
			if m.version <= 0 {
				t.Errorf("%s/%s: version %d, want a positive number", d, m.file, m.version)
			}
		}
		byDialect[d] = ms
	}
	list := func(ms []migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, strconv.FormatInt(m.version, 10)+" "+m.name)
		}
		return out
	}
	mysql, sqlite := list(byDialect["mysql"]), list(byDialect["sqlite"])
	if !slices.Equal(mysql, sqlite) {
		t.Errorf("the dialects differ:\n mysql  %v\n sqlite %v", mysql, sqlite)
	}
	// The same version creates the same tables in both dialects.
	for i := range min(len(byDialect["mysql"]), len(byDialect["sqlite"])) {
		my, sq := byDialect["mysql"][i], byDialect["sqlite"][i]
		if a, b := createdTables(up(my.sql)), createdTables(up(sq.sql)); !slices.Equal(a, b) {
			t.Errorf("version %d creates tables %v on mysql and %v on sqlite", my.version, a, b)
		}
	}
}

var (
	upMarker   = regexp.MustCompile(`(?m)^-- \+goose Up\s*$`)
	downMarker = regexp.MustCompile(`(?m)^-- \+goose Down\s*$`)
)

// up is the Up section of a migration.
func up(sql string) string {
	if loc := upMarker.FindStringIndex(sql); loc != nil {
		sql = sql[loc[1]:]
	}
	if loc := downMarker.FindStringIndex(sql); loc != nil {
		sql = sql[:loc[0]]
	}
	return sql
}

// statements splits SQL into statements, leaving out comment lines.
func statements(sql string) []string {
	var lines []string
	for _, l := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var createTable = regexp.MustCompile(`(?i)^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?` + "`?" + `(\w+)`)

func createdTables(sql string) []string {
	var out []string
	for _, s := range statements(sql) {
		if m := createTable.FindStringSubmatch(s); m != nil {
			out = append(out, strings.ToLower(m[1]))
		}
		// A table created to be renamed to one that exists is SQLite's way
		// of changing that table (a primary key, say), not a new table.
		if m := renameTable.FindStringSubmatch(s); m != nil {
			out = slices.DeleteFunc(out, func(name string) bool { return name == strings.ToLower(m[1]) })
		}
	}
	slices.Sort(out)
	return out
}

var renameTable = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s`)

func TestGooseSections(t *testing.T) {
	for _, d := range migrations.Dialects {
		for _, m := range read(t, d) {
			t.Run(d+"/"+m.file, func(t *testing.T) {
				ups, downs := upMarker.FindAllStringIndex(m.sql, -1), downMarker.FindAllStringIndex(m.sql, -1)
				if len(ups) != 1 || len(downs) != 1 {
					t.Fatalf("%d %q and %d %q lines, want one of each", len(ups), "-- +goose Up", len(downs), "-- +goose Down")
				}
				if ups[0][0] > downs[0][0] {
					t.Errorf("the Down section comes before the Up section")
				}
				if len(statements(up(m.sql))) == 0 {
					t.Errorf("the Up section has no statement")
				}
				if len(statements(m.sql[downs[0][1]:])) == 0 {
					t.Errorf("the Down section has no statement")
				}
			})
		}
	}
}

var (
	tableCharset   = regexp.MustCompile(`(?i)\bCHARSET\s*=?\s*utf8mb4\b`)
	tableCollation = regexp.MustCompile(`(?i)\bCOLLATE\s*=?\s*utf8mb4_bin\b`)
	innoDB         = regexp.MustCompile(`(?i)\bENGINE\s*=?\s*InnoDB\b`)
	// Character sets that cannot hold all of Chinese, or compare differently.
	otherCharset = regexp.MustCompile(`(?i)\b(utf8|utf8mb3|latin1|utf8mb4_general_ci|utf8mb4_unicode_ci|utf8mb4_0900_ai_ci)\b`)
)

func TestMySQLTablesAreUTF8MB4Binary(t *testing.T) {
	tables := 0
	for _, m := range read(t, "mysql") {
		for _, s := range statements(m.sql) {
			if !createTable.MatchString(s) {
				continue
			}
			tables++
			name := createTable.FindStringSubmatch(s)[1]
			// The table options follow the closing parenthesis of the columns.
			options := s[strings.LastIndex(s, ")")+1:]
			if !tableCharset.MatchString(options) {
				t.Errorf("%s, table %s: options %q do not declare the utf8mb4 character set", m.file, name, options)
			}
			if !tableCollation.MatchString(options) {
				t.Errorf("%s, table %s: options %q do not declare the utf8mb4_bin collation", m.file, name, options)
			}
			if !innoDB.MatchString(options) {
				t.Errorf("%s, table %s: options %q do not declare ENGINE = InnoDB", m.file, name, options)
			}
			if bad := otherCharset.FindString(s); bad != "" {
				t.Errorf("%s, table %s: declares %s", m.file, name, bad)
			}
		}
	}
	if tables == 0 {
		t.Error("no CREATE TABLE statement in the MySQL migrations")
	}
}
