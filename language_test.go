package fazhi_test

// The product's language is Simplified Chinese: every text it writes (the
// contract, sheet names and headers, explanations, demo data, docs) and the
// tests' own data. The scan converts each line with OpenCC's
// traditional-to-simplified converter, the one search folds with: a line it
// changes holds traditional characters.

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"
)

// traditionalOnPurpose are the files allowed to hold traditional characters,
// each for its reason. Everything else is scanned.
var traditionalOnPurpose = map[string]string{
	// History that must not change under the clients and databases that have it.
	"releases/openapi-v1.yaml": "the released contract, frozen as it was released",
	"migrations":               "applied migrations are never edited, their comments included",
	// Tests whose input is traditional text, because users' files and
	// searches are: the product must read both scripts.
	"textsearch/textsearch_test.go":             "folding traditional to simplified",
	"sheet/sheet_test.go":                       "headers and sheet names folded from traditional",
	"sheet/fixture_test.go":                     "a real-shaped workbook with traditional headers",
	"valuesheet/read_test.go":                   "qualifier and yes/no words in both scripts",
	"server/valuesheets_test.go":                "an upload with mixed traditional and simplified headers",
	"server/imports_test.go":                    "a unit sheet with traditional headers",
	"orgsheet/orgsheet_test.go":                 "kinds and roles written in traditional characters",
	"checklistsheet/read_test.go":               "a real-shaped list with traditional headers, and an enum value in traditional",
	"server/list_test.go":                       "a simplified search finding traditional names",
	"server/identity_test.go":                   "a simplified search finding traditional names",
	"server/indicators_test.go":                 "a simplified search finding traditional names",
	"server/checklists_test.go":                 "item texts in either script found by searches in the other",
	"store/units_test.go":                       "searches in both scripts, and the folded search column",
	"store/identity_test.go":                    "searches in both scripts",
	"store/attachments_test.go":                 "file names kept as uploaded, in either script",
	"store/checklists_test.go":                  "item texts in traditional found by simplified searches",
	"store/checklist_search_test.go":            "item texts in traditional found through the bigram index by simplified searches",
	"applicationsheet/applicationsheet_test.go": "a ledger naming its item in traditional characters",
	"server/checklist_applications_test.go":     "a ledger with a traditional header and item name",
	"server/checklist_bench_test.go":            "a search in traditional characters, timed against simplified",
	"models/checklist_test.go":                  "the search text of an item folded from traditional",
	"language_test.go":                          "the scan's own traditional samples",
	"sheet/fuzz_test.go":                        "seed files with traditional headers, as units' files have",
	"textsearch/fuzz_test.go":                   "seed texts in traditional characters, to fold",
	"bench/baseline/baseline_test.go":           "a rename in traditional characters, folded by both servers alike",
}

// scanned are the kinds of files that hold the product's texts.
var scanned = map[string]bool{".go": true, ".yaml": true, ".yml": true, ".md": true, ".js": true, ".ts": true,
	".json": true, ".sql": true, ".csv": true, ".txt": true, ".html": true}

func allowed(rel string) bool {
	for p := range traditionalOnPurpose {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

func TestTextsAreSimplified(t *testing.T) {
	conv, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "data":
				return filepath.SkipDir
			}
			return nil
		}
		if !scanned[filepath.Ext(rel)] || allowed(rel) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		files++
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if !hasHan(line) {
				continue
			}
			simple, err := conv.Convert(line)
			if err != nil {
				return err
			}
			if simple != line {
				t.Errorf("%s:%d holds traditional characters: %s\n\tin simplified: %s", rel, n, strings.TrimSpace(line), strings.TrimSpace(simple))
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Errorf("only %d files scanned: is the test running at the module's root?", files)
	}
}

// The scan bites: a traditional line is changed by the converter, the same
// line in simplified characters is not.
func TestTextsAreSimplifiedCatchesTraditional(t *testing.T) {
	conv, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	for line, traditional := range map[string]bool{
		`Name: "盤錦市司法局"`:    true,
		`Name: "盘锦市司法局"`:    false,
		"// 數值填報表":          true,
		"// 数值填报表, 4000余万条": false,
	} {
		simple, err := conv.Convert(line)
		if err != nil {
			t.Fatal(err)
		}
		if (simple != line) != traditional {
			t.Errorf("%q: converted to %q; traditional: %v", line, simple, traditional)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 {
			return true
		}
	}
	return false
}
