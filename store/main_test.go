package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
)

// The contract suite runs every test on SQLite and, when TEST_MYSQL_DSN is set,
// on MySQL/MariaDB. The databases are shared by the whole package: each test
// creates its own units with codes no other test uses (see areaBlock), and
// scopes what it asserts to them.
func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// t0 is the start of the fixed clocks the tests install: UTC, whole microseconds.
var t0 = time.Date(2031, 3, 14, 1, 59, 26, 535897000, time.UTC)

func ptr[T any](v T) *T { return &v }

// clock is a fixed, advanceable clock installed as the store's Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// setClock makes the store's clock read start until the test advances it, and
// restores the real clock when the test ends. Tests of this package do not run
// in parallel, so the shared store sees one clock at a time.
func setClock(t *testing.T, db *dbtest.DB, start time.Time) *clock {
	t.Helper()
	c := &clock{now: start}
	old := db.Now
	db.Now = c.Now
	t.Cleanup(func() { db.Now = old })
	return c
}

// mustCreate creates u through the store and fails the test on error.
func mustCreate(t *testing.T, db *dbtest.DB, u *models.Unit) *models.Unit {
	t.Helper()
	if err := db.CreateUnit(t.Context(), u); err != nil {
		t.Fatalf("CreateUnit(%s): %v", u.Code, err)
	}
	return u
}

// mustGet reads a unit and fails the test on error.
func mustGet(t *testing.T, db *dbtest.DB, id string) *models.Unit {
	t.Helper()
	u, err := db.GetUnit(t.Context(), id)
	if err != nil {
		t.Fatalf("GetUnit(%s): %v", id, err)
	}
	return u
}

// newUnit builds an unsaved unit below parent (nil for a root).
func newUnit(code, name string, kind models.UnitKind, parent *models.Unit) *models.Unit {
	u := &models.Unit{Code: code, Name: name, Kind: kind}
	if parent != nil {
		u.ParentID = ptr(parent.ID)
	}
	return u
}

// areaBlocks is how many blocks of area codes areaBlock hands out.
const areaBlocks = 9 * 9 * 9 * 9

// areaSeq numbers the blocks, from a random start.
var areaSeq = func() *atomic.Uint32 {
	n := new(atomic.Uint32)
	n.Store(rand.Uint32N(areaBlocks))
	return n
}()

// areaBlock returns five digits that no other call of the run returns: "9"
// and four digits below 9, so that a 9 only starts a block and no block
// occurs inside the codes made from another. A block and a last digit from 0
// to 8 make a six-digit area code (models.CheckCode); a test that needs areas
// side by side, a city and its districts, takes them from one block, and a
// search for the block finds the units of that test alone.
func areaBlock() string {
	n := strconv.FormatUint(uint64(areaSeq.Add(1)%areaBlocks), 9)
	return "9" + strings.Repeat("0", 4-len(n)) + n
}

// areaCode returns a fresh six-digit area code, for a province, city,
// district or county (or an economic zone): its block and 0. The codes below
// an area extend it: a town's areaCode()+"001", a village's
// areaCode()+"001001", a department's or an office's the area's code, a dash
// and a suffix ("-001").
func areaCode() string { return areaBlock() + "0" }

// organCode returns a fresh code of a department or an office.
func organCode() string { return areaCode() + "-001" }

// errCode is the machine code a ValidationError or ConflictError carries.
func errCode(err error) string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Code
	}
	var ce *models.ConflictError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

// checkErr asserts that err matches the sentinel want and, when code is not
// empty, carries that code. A nil want asks for no error.
func checkErr(t *testing.T, what string, err, want error, code string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want one matching %v", what, err, want)
	}
	if got := errCode(err); code != "" && got != code {
		t.Fatalf("%s: got code %q, want %q (error %v)", what, got, code, err)
	}
}

// unitDiff lists the fields in which got differs from want.
func unitDiff(got, want *models.Unit) string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s: got %v, want %v", field, g, w)) }
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Code != want.Code {
		add("Code", got.Code, want.Code)
	}
	if got.Name != want.Name {
		add("Name", got.Name, want.Name)
	}
	if g, w := deref(got.ShortName), deref(want.ShortName); g != w {
		add("ShortName", g, w)
	}
	if got.Kind != want.Kind {
		add("Kind", got.Kind, want.Kind)
	}
	if g, w := deref(got.ParentID), deref(want.ParentID); g != w {
		add("ParentID", g, w)
	}
	if got.Level != want.Level {
		add("Level", got.Level, want.Level)
	}
	if got.Path != want.Path {
		add("Path", got.Path, want.Path)
	}
	if got.Version != want.Version {
		add("Version", got.Version, want.Version)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		add("CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		add("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	}
	return strings.Join(d, "; ")
}

// deref shows a nullable string, "<nil>" for NULL.
func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// checkTimestamps asserts that a unit's times are UTC and whole microseconds,
// as both databases store them.
func checkTimestamps(t *testing.T, u *models.Unit) {
	t.Helper()
	for name, ts := range map[string]time.Time{"CreatedAt": u.CreatedAt, "UpdatedAt": u.UpdatedAt} {
		if ts.IsZero() {
			t.Errorf("%s %s is zero", u.Code, name)
		}
		if ts.Location() != time.UTC {
			t.Errorf("%s %s = %v: location %v, want UTC", u.Code, name, ts, ts.Location())
		}
		if !ts.Equal(ts.Truncate(time.Microsecond)) {
			t.Errorf("%s %s = %v: not truncated to microseconds", u.Code, name, ts)
		}
	}
}

// countStatements returns a context in which every statement GORM runs on db
// (query, row, raw, create, update, delete) adds one to the returned counter.
func countStatements(t *testing.T, _ *dbtest.DB) (context.Context, *atomic.Int64) {
	t.Helper()
	return models.WithStatementCount(t.Context())
}
