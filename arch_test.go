package fazhi_test

// The dependency direction of docs/ARCHITECTURE.md, checked on what the
// packages really import (go list -deps), transitively: server → logic →
// models; store → models; generated types never leave server; GORM never
// reaches server.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const modulePath = "github.com/fazhi/fazhi"

// goPackage is the part of go list's output the rules read.
type goPackage struct {
	ImportPath string
	Imports    []string
	Standard   bool
	Error      *struct{ Err string }
}

// packageGraph is every package of the module and its dependencies, by import path.
type packageGraph map[string]*goPackage

func loadPackageGraph(t *testing.T) packageGraph {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, "list", "-e", "-deps", "-json=ImportPath,Imports,Standard,Error", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := packageGraph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil && isProject(p.ImportPath) {
			t.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		graph[p.ImportPath] = &p
	}
	return graph
}

func isProject(path string) bool {
	return path == modulePath || strings.HasPrefix(path, modulePath+"/")
}

// rel is a project package's path inside the module ("" for the root).
func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, modulePath), "/")
}

func hasPathPrefix(path string, prefixes ...string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// External modules grouped by the layer they belong to.
var (
	// orm: only the store speaks SQL.
	orm = []string{"gorm.io", "github.com/go-sql-driver/mysql", "github.com/libtnb/sqlite", "modernc.org/sqlite", "github.com/pressly/goose"}
	// web: only server (and the generated api) speak HTTP.
	web = []string{"github.com/labstack/echo", "github.com/getkin/kin-openapi", "github.com/oapi-codegen"}
	// valueLibraries are what models may use beside the standard library:
	// small value types (a decimal, a UUID).
	valueLibraries = []string{"github.com/shopspring/decimal", "github.com/cockroachdb/apd", "github.com/google/uuid"}
	// valuePackages are the project's own value types (an exact decimal, a
	// reporting period): models and the generated api (through x-go-type) may
	// use them, and they use nothing of the project.
	valuePackages = []string{"exact", "period"}
)

// isValue reports whether dep is a value library or one of the project's value packages.
func isValue(dep string) bool {
	return hasPathPrefix(dep, valueLibraries...) || (isProject(dep) && slices.Contains(valuePackages, rel(dep)))
}

// rule forbids the packages a role may not depend on, directly or transitively.
type rule struct {
	role   string
	says   string
	forbid func(dep string, p *goPackage) bool
}

// projectExcept forbids every project package but the ones allowed (by relative path).
func projectExcept(allowed ...string) func(string, *goPackage) bool {
	return func(dep string, _ *goPackage) bool {
		return isProject(dep) && !slices.Contains(allowed, rel(dep))
	}
}

// folderRoles gives each folder of the module its role in ARCHITECTURE.md.
// A package in a folder the table does not name has no role, and the test
// fails until it is given one: a new package is checked for what it is, not
// waved through as something it may not be.
var folderRoles = map[string]string{
	"":           "root", // the contract's bytes
	"api":        "api",
	"models":     "models",
	"server":     "server",
	"store":      "store",
	"migrations": "migrations",
	"exact":      "value",
	"period":     "value",
	// Logic and tools: functions of domain values, files and bytes, that know
	// neither the database nor HTTP.
	"annualreport":     "pure",
	"audit":            "pure",
	"authz":            "pure",
	"blob":             "pure",
	"demo":             "pure",
	"filetype":         "pure",
	"orgsheet":         "pure",
	"paging":           "pure",
	"spool":            "pure",
	"password":         "pure",
	"scoring":          "pure",
	"sheet":            "pure",
	"textsearch":       "pure",
	"valuesheet":       "pure",
	"checklistsheet":   "pure",
	"applicationsheet": "pure",
	"workdays":         "pure",
	// Wiring and tests: may import everything.
	"cmd":      "cmd",
	"internal": "internal",
	"e2e":      "internal",
	"bench":    "cmd",
	// The benchmarks' hand-written server, which fazhi is measured against.
	"bench/baseline": "reference",
}

// roleOf names the role of a project package (by relative path): its
// folder's, or, below cmd/ and internal/, that of the top folder.
func roleOf(path string) (string, bool) {
	if role, ok := folderRoles[path]; ok {
		return role, true
	}
	for _, parent := range []string{"cmd", "internal"} {
		if hasPathPrefix(path, parent) {
			return folderRoles[parent], true
		}
	}
	return "", false
}

var rules = map[string]rule{
	"root": {
		says:   "the root package only embeds the contract: it imports no project package",
		forbid: projectExcept(),
	},
	"migrations": {
		says:   "migrations holds SQL files: it imports no project package",
		forbid: projectExcept(),
	},
	"reference": {
		says:   "the benchmarks' baseline repeats fazhi's work by hand: it imports no project package",
		forbid: projectExcept(),
	},
	"api": {
		says:   "api is generated code: runtime libraries and the project's value types only",
		forbid: projectExcept(valuePackages...),
	},
	"models": {
		says: "models imports the standard library and small value types only",
		forbid: func(dep string, p *goPackage) bool {
			return !p.Standard && !isValue(dep)
		},
	},
	"value": {
		says: "a value package imports the standard library and value libraries only",
		forbid: func(dep string, p *goPackage) bool {
			return !p.Standard && !hasPathPrefix(dep, valueLibraries...)
		},
	},
	"server": {
		says: "server never reaches gorm, the drivers or the store",
		forbid: func(dep string, _ *goPackage) bool {
			return dep == modulePath+"/store" || hasPathPrefix(dep, orm...)
		},
	},
	"store": {
		says: "store never reaches server, api, cmd or the HTTP libraries",
		forbid: func(dep string, _ *goPackage) bool {
			return hasPathPrefix(dep, modulePath+"/server", modulePath+"/api", modulePath+"/cmd") || hasPathPrefix(dep, web...)
		},
	},
	"pure": {
		says: "a pure logic package imports only models, value types and other pure packages, and neither the database " +
			"nor the HTTP libraries (a package with another role needs its own rule in arch_test.go)",
		forbid: func(dep string, p *goPackage) bool {
			if isProject(dep) {
				role, _ := roleOf(rel(dep))
				return role != "models" && role != "value" && role != "pure"
			}
			return hasPathPrefix(dep, orm...) || hasPathPrefix(dep, web...)
		},
	},
}

// chains finds, breadth first, a shortest import chain from pkg to each
// package it depends on.
func (g packageGraph) chains(pkg string) map[string][]string {
	paths := map[string][]string{pkg: {pkg}}
	queue := []string{pkg}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := g[cur]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := paths[imp]; seen || imp == "C" {
				continue
			}
			paths[imp] = append(slices.Clone(paths[cur]), imp)
			queue = append(queue, imp)
		}
	}
	return paths
}

// violations checks every project package against the rule of its role and
// returns one line per forbidden dependency, with its import chain. A
// dependency reached only through another violation is not repeated.
func (g packageGraph) violations() []string {
	var out []string
	for path, p := range g {
		if !isProject(path) {
			continue
		}
		role, ok := roleOf(rel(path))
		if !ok {
			out = append(out, fmt.Sprintf("%s: its folder has no role: give it one in folderRoles (arch_test.go)", path))
			continue
		}
		// Generated types never leave server: only server imports api.
		if role != "server" && role != "internal" && slices.Contains(p.Imports, modulePath+"/api") {
			out = append(out, fmt.Sprintf("%s (%s): generated types never leave server: only server imports api\n\t%s → %s/api", path, role, path, modulePath))
		}
		r, ok := rules[role]
		if !ok {
			continue
		}
		for dep, chain := range g.chains(path) {
			if dep == path {
				continue
			}
			dp := g[dep]
			if dp == nil {
				dp = &goPackage{ImportPath: dep}
			}
			if !r.forbid(dep, dp) {
				continue
			}
			parent := chain[len(chain)-2]
			if pp := g[parent]; parent != path && pp != nil && r.forbid(parent, pp) {
				continue // reported through parent
			}
			out = append(out, fmt.Sprintf("%s (%s): %s\n\t%s", path, role, r.says, strings.Join(chain, " → ")))
		}
	}
	sort.Strings(out)
	return out
}

func TestDependencyDirection(t *testing.T) {
	g := loadPackageGraph(t)
	// The rules must have something to bite on: a renamed package would
	// otherwise pass unchecked.
	for _, p := range []string{"", "api", "models", "server", "store", "migrations", "paging", "textsearch", "cmd/fazhi"} {
		path := strings.TrimSuffix(modulePath+"/"+p, "/")
		if g[path] == nil {
			t.Errorf("go list found no package %s: update arch_test.go", path)
		}
	}
	// The graph is transitive: the command reaches the store through nothing
	// but its own imports, and gorm through the store.
	cmdDeps := g.chains(modulePath + "/cmd/fazhi")
	for _, dep := range []string{modulePath + "/server", modulePath + "/store", "gorm.io/gorm", "github.com/labstack/echo/v4"} {
		if cmdDeps[dep] == nil {
			t.Errorf("the command does not depend on %s: is go list's output read right?", dep)
		}
	}
	for _, v := range g.violations() {
		t.Error(v)
	}
}

// The checker itself finds what it should, on a made-up module.
func TestDependencyDirectionCatchesViolations(t *testing.T) {
	pkg := func(path string, imports ...string) *goPackage {
		for i, imp := range imports {
			if !strings.Contains(imp, ".") && !strings.HasPrefix(imp, "/") && imp != "fmt" {
				imports[i] = modulePath + "/" + imp
			}
		}
		return &goPackage{ImportPath: path, Imports: imports}
	}
	m := func(rel string) string { return modulePath + "/" + rel }
	std := &goPackage{ImportPath: "fmt", Standard: true}
	g := packageGraph{
		"fmt":                         std,
		m("models"):                   pkg(m("models"), "fmt", "example.com/framework"),
		m("server"):                   pkg(m("server"), "fmt", "models", "scoring", "api"),
		m("scoring"):                  pkg(m("scoring"), "models", "store"),
		m("store"):                    pkg(m("store"), "models", "gorm.io/gorm", "github.com/labstack/echo/v4"),
		m("api"):                      pkg(m("api"), "github.com/labstack/echo/v4", "models"),
		m("cmd/fazhi"):                pkg(m("cmd/fazhi"), "server", "store", "api"),
		m("paging"):                   pkg(m("paging"), "fmt"),
		m("newpkg"):                   pkg(m("newpkg"), "fmt"),
		"gorm.io/gorm":                pkg("gorm.io/gorm", "fmt"),
		"github.com/labstack/echo/v4": pkg("github.com/labstack/echo/v4", "fmt"),
	}
	got := g.violations()
	want := []string{
		m("models") + " → example.com/framework",
		m("server") + " → " + m("scoring") + " → " + m("store"),
		m("scoring") + " → " + m("store"),
		m("store") + " → github.com/labstack/echo/v4",
		m("api") + " → " + m("models"),
		m("cmd/fazhi") + " → " + m("api"),
		m("newpkg") + ": its folder has no role: give it one in folderRoles (arch_test.go)",
	}
	joined := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w+"\n") && !strings.HasSuffix(joined, w) {
			t.Errorf("no violation reported with the chain %s; got:\n%s", w, joined)
		}
	}
	// server → scoring → store → gorm is reported once, through store.
	if strings.Contains(joined, m("store")+" → gorm.io/gorm") && strings.Contains(joined, m("server")+" → "+m("scoring")+" → "+m("store")+" → gorm.io/gorm") {
		t.Errorf("a dependency reached through a violation was reported again:\n%s", joined)
	}
	if strings.Contains(joined, m("paging")) {
		t.Errorf("paging (fmt only) was reported:\n%s", joined)
	}
	if len(got) != len(want) {
		t.Errorf("got %d violations, want %d:\n%s", len(got), len(want), joined)
	}
}
