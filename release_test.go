package fazhi_test

// The breaking-change gate: .ci/check-breaking compares openapi.yaml with the
// released contract, releases/openapi-v1.yaml, through oasdiff, and fails on
// a breaking change to /api/v1. These tests show that the gate passes on the
// contract as it is and fails on a breaking change, and that the release on
// record has its CHANGELOG entry.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const releasedContract = "releases/openapi-v1.yaml"

// breaking runs the gate's command on the released contract and spec, and
// returns whether it passed and what it printed.
func breaking(t *testing.T, spec string) (bool, string) {
	t.Helper()
	cmd := exec.Command("go", "tool", "oasdiff", "breaking", releasedContract, spec, "--fail-on", "ERR", "--format", "text")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("run oasdiff: %v\n%s", err, out)
		}
	}
	return err == nil, string(out)
}

func TestBreakingChangeGate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs oasdiff: not in -short")
	}
	t.Run("the contract as it is", func(t *testing.T) {
		if ok, out := breaking(t, "openapi.yaml"); !ok {
			t.Errorf("openapi.yaml breaks the released contract:\n%s", out)
		}
	})

	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Three changes a client coded against v1 would break on: an operation
	// gone, a new required request field, a response field gone.
	doc.Paths.Value("/units").Get = nil
	create := doc.Components.Schemas["UnitCreate"].Value
	create.Required = append(create.Required, "shortName")
	delete(doc.Components.Schemas["Unit"].Value.Properties, "code")
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(broken, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("a breaking change", func(t *testing.T) {
		ok, out := breaking(t, broken)
		if ok {
			t.Fatalf("the gate passed three breaking changes:\n%s", out)
		}
		for _, want := range []string{"GET /units", "shortName", "code"} {
			if !strings.Contains(out, want) {
				t.Errorf("the gate's report does not name %q:\n%s", want, out)
			}
		}
	})
}

// TestReleaseHasChangelogEntry: the released contract's version has its
// section in CHANGELOG.md (Keep a Changelog), and the contract in work is not
// older than the release.
func TestReleaseHasChangelogEntry(t *testing.T) {
	release, err := openapi3.NewLoader().LoadFromFile(releasedContract)
	if err != nil {
		t.Fatal(err)
	}
	current, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changelog, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	version := release.Info.Version
	section := regexp.MustCompile(`(?m)^## \[` + regexp.QuoteMeta(version) + `\] - \d{4}-\d{2}-\d{2}$`)
	if !section.Match(changelog) {
		t.Errorf("CHANGELOG.md has no section \"## [%s] - YYYY-MM-DD\" for the released contract", version)
	}
	if !bytes.Contains(changelog, []byte("## [Unreleased]")) {
		t.Error("CHANGELOG.md has no [Unreleased] section for the changes since")
	}
	if !strings.HasPrefix(current.Info.Version, strings.SplitN(version, ".", 2)[0]+".") {
		t.Errorf("openapi.yaml is version %s, the release %s: /api/v1 keeps major version 1", current.Info.Version, version)
	}
}
