package fazhi_test

// The lifecycle rule of docs/conventions.md, checked on the syntax tree with
// type information: no package but models assigns the status of a record
// with a lifecycle. A status changes only through the domain's transition
// methods; filters (a list's status parameter) and literals (demo data,
// fixtures) are not transitions, and are allowed.

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const modelsPath = modulePath + "/models"

func loadTyped(t *testing.T, patterns ...string) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
		packages.NeedTypes | packages.NeedTypesInfo | packages.NeedImports}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
	}
	return pkgs
}

// statusFields names, as "IndicatorValue.Status", the fields that hold a
// lifecycle's state: fields of persisted records (types with a TableName
// method) whose type is the state type S of a package-level Lifecycle[S]
// variable of models.
func statusFields(m *types.Package) map[string]bool {
	states := map[*types.TypeName]bool{}
	scope := m.Scope()
	for _, name := range scope.Names() {
		v, ok := scope.Lookup(name).(*types.Var)
		if !ok {
			continue
		}
		if n, ok := v.Type().(*types.Named); ok && n.Obj().Name() == "Lifecycle" && n.TypeArgs().Len() == 1 {
			if s, ok := n.TypeArgs().At(0).(*types.Named); ok {
				states[s.Obj()] = true
			}
		}
	}
	fields := map[string]bool{}
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), true, m, "TableName"); obj == nil {
			continue // not a persisted record: a filter, a patch, a view
		}
		for i := range st.NumFields() {
			f := st.Field(i)
			if n, ok := f.Type().(*types.Named); ok && states[n.Obj()] {
				fields[tn.Name()+"."+f.Name()] = true
			}
		}
	}
	return fields
}

// modelsOf finds package models among what p imports (or p itself).
func modelsOf(p *packages.Package) *types.Package {
	if p.PkgPath == modelsPath {
		return p.Types
	}
	for _, imp := range p.Types.Imports() {
		if imp.Path() == modelsPath {
			return imp
		}
	}
	return nil
}

// statusAssignments lists, as "file:line: Type.Field", every assignment to a
// status field outside package models, in the packages given.
func statusAssignments(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		m := modelsOf(p)
		if m == nil || p.PkgPath == modelsPath {
			continue
		}
		fields := statusFields(m)
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for _, lhs := range as.Lhs {
					sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
					if !ok {
						continue
					}
					s := p.TypesInfo.Selections[sel]
					if s == nil || s.Kind() != types.FieldVal {
						continue
					}
					recv := s.Recv()
					if ptr, ok := recv.(*types.Pointer); ok {
						recv = ptr.Elem()
					}
					named, ok := recv.(*types.Named)
					if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != modelsPath {
						continue
					}
					key := named.Obj().Name() + "." + sel.Sel.Name
					if fields[key] {
						pos := p.Fset.Position(sel.Pos())
						out = append(out, fmt.Sprintf("%s:%d: %s assigns %s", pos.Filename, pos.Line, p.PkgPath, key))
					}
				}
				return true
			})
		}
	}
	sort.Strings(out)
	return out
}

func TestOnlyModelsAssignsLifecycleStatus(t *testing.T) {
	pkgs := loadTyped(t, "./...")
	var m *types.Package
	for _, p := range pkgs {
		if p.PkgPath == modelsPath {
			m = p.Types
		}
	}
	if m == nil {
		t.Fatal("go/packages found no package models")
	}
	// The check must have something to bite on: every lifecycle of today.
	fields := statusFields(m)
	for _, want := range []string{"IndicatorValue.Status", "IndicatorSystem.Status", "Evaluation.Status"} {
		if !fields[want] {
			t.Errorf("%s is not found as a lifecycle status field (found %v): update the test", want, fields)
		}
	}
	for _, v := range statusAssignments(pkgs) {
		t.Errorf("%s: a status changes only through a transition method in models (docs/conventions.md, Lifecycles)", v)
	}
}

// The check finds an assignment, and lets a filter and a literal be.
func TestLifecycleStatusCheckCatchesAssignments(t *testing.T) {
	got := statusAssignments(loadTyped(t, "./testdata/archcheck"))
	if len(got) != 1 || !strings.Contains(got[0], "archcheck.go:10:") || !strings.HasSuffix(got[0], "assigns IndicatorValue.Status") {
		t.Errorf("got %q, want the one assignment at archcheck.go:10", got)
	}
}
