package checklistsheet_test

import (
	"fmt"
	"iter"
	"testing"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// testKind is a kind with a column of every type a sheet reads specially:
// a legal reference required, an enum, a date, a number, a unit and a code.
func testKind(t testing.TB) *models.ChecklistKind {
	t.Helper()
	k := &models.ChecklistKind{Key: "lenientPlan", Name: "柔性执法事项清单", Columns: []models.KindColumn{
		{Key: "violatedProvision", Label: "违法依据", Type: models.ColumnLegalRef, Required: true},
		{Key: "penaltyProvision", Label: "处罚依据", Type: models.ColumnLegalRef},
		{Key: "conditions", Label: "适用条件", Type: models.ColumnLongText},
		{Key: "level", Label: "行使层级", Type: models.ColumnEnum, Values: []string{"省", "市", "县", "市、县"}},
		{Key: "reviewDate", Label: "评估日期", Type: models.ColumnDate},
		{Key: "points", Label: "分值", Type: models.ColumnNumber},
		{Key: "leadUnit", Label: "牵头单位", Type: models.ColumnUnit},
		{Key: "itemCode", Label: "项目编码", Type: models.ColumnText},
	}}
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	return k
}

func builtIn(t testing.TB, key string) *models.ChecklistKind {
	t.Helper()
	k, ok := models.BuiltInKind(key)
	if !ok {
		t.Fatalf("no built-in kind %s", key)
	}
	return &k
}

// The city's units, by id, and how sheets name them.
var units = map[string]struct{ code, name string }{
	"u-scjg": {"211100-001", "盘锦市市场监督管理局"},
	"u-sfj":  {"211100-002", "盘锦市司法局"},
	"u-hbj":  {"211100-003", "盘锦市生态环境局"},
}

// resolveUnit finds a unit by name or code, as a handler would.
func resolveUnit(text string) (string, bool) {
	for id, u := range units {
		if text == u.name || text == u.code {
			return id, true
		}
	}
	return "", false
}

func unitName(id string) string { return units[id].name }

func ptr[T any](v T) *T { return &v }

// seq iterates over items as a store's cursor would.
func seq(items []models.ChecklistItem) iter.Seq2[models.ChecklistItem, error] {
	return func(yield func(models.ChecklistItem, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// stored gives items what the store gives them: ids, keys, a list.
func stored(items []models.ChecklistItem) []models.ChecklistItem {
	out := make([]models.ChecklistItem, len(items))
	for i, it := range items {
		it.ID = itemID(i)
		if it.ItemKey == "" {
			it.ItemKey = fmt.Sprintf("0190a000-0000-7000-8000-%012d", i)
		}
		it.ChecklistID, it.Version = "list-1", 1
		if it.Attributes == nil {
			it.Attributes = map[string]string{}
		}
		out[i] = it
	}
	return out
}

var list = &models.Checklist{ID: "list-1", ListID: "list-1", VersionNo: 2, KindKey: "lenientPlan",
	Title: "盘锦市柔性执法事项清单", DocumentNumber: "盘司发〔2021〕5号", Year: 2021, EffectiveDate: ptr("2021-07-01")}

// itemID is the id of the i-th item of a test list: a UUID, as the store's.
func itemID(i int) string { return fmt.Sprintf("0190b000-0000-7000-8000-%012d", i) }

// planImport is checklistsheet.PlanImport, failing t on an error.
func planImport(t testing.TB, rows []checklistsheet.Row, existing []models.ChecklistItem, opts checklistsheet.PlanOptions) (*checklistsheet.Plan, sheet.Problems) {
	t.Helper()
	plan, probs, err := checklistsheet.PlanImport(rows, existing, opts)
	if err != nil {
		t.Fatal(err)
	}
	return plan, probs
}

// refsOf yields the refs of items, as the store's ChecklistItemRefs does.
func refsOf(items []models.ChecklistItem) iter.Seq2[models.ChecklistItemRef, error] {
	return func(yield func(models.ChecklistItemRef, error) bool) {
		for i := range items {
			if !yield(items[i].Ref(), nil) {
				return
			}
		}
	}
}
