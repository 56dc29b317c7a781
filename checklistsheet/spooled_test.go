package checklistsheet_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
)

// bigSheet is a CSV sheet of n rows stating a list of n-100 items: the first
// rows by key (every third renamed), some by 序号 alone, the last 200 new;
// the list's last 100 items are in no row.
func bigSheet(n int) (csv string, existing []models.ChecklistItem) {
	var items []models.ChecklistItem
	for i := range n {
		items = append(items, models.ChecklistItem{ItemKey: fmt.Sprintf("k%d", i), Sequence: i + 1,
			Name: fmt.Sprintf("事项%d", i), Attributes: map[string]string{"violatedProvision": "条" + fmt.Sprint(i)}})
	}
	existing = stored(items[:n-100])
	var b strings.Builder
	b.WriteString("序号,事项名称,违法依据,事项编码\n")
	for i := range n - 200 {
		name, key := items[i].Name, items[i].ItemKey
		if i%3 == 0 {
			name += "（改）"
		}
		if i%7 == 0 {
			key = "" // found by its 序号
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s\n", i+1, name, items[i].Attributes["violatedProvision"], key)
	}
	for i := n - 200; i < n; i++ {
		fmt.Fprintf(&b, "%d,新%d,条,\n", n+i, i)
	}
	return b.String(), existing
}

// A spooled sheet, matched and planned a batch at a time, plans what
// PlanImport plans of the same rows in memory.
func TestSpooledPlansAsPlanImport(t *testing.T) {
	kind := testKind(t)
	csv, existing := bigSheet(2500) // three batches
	rows, probs, err := checklistsheet.Read([]byte(csv), "清单.csv", kind, resolveUnit)
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	want, probs := planImport(t, rows, existing, checklistsheet.PlanOptions{DeleteMissing: true})
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	s, probs, err := checklistsheet.ReadSpooled([]byte(csv), "清单.csv", kind, resolveUnit, t.TempDir())
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	defer s.Close()
	if s.Rows != len(rows) {
		t.Fatalf("%d rows spooled, %d read", s.Rows, len(rows))
	}
	m, probs, err := s.Match(refsOf(existing))
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	byID := map[string]models.ChecklistItem{}
	for _, it := range existing {
		byID[it.ID] = it
	}
	loads := 0
	load := func(ids []string) ([]models.ChecklistItem, error) {
		loads++
		var out []models.ChecklistItem
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out, nil
	}
	var got checklistsheet.Plan
	for plan, err := range m.Plans(load) {
		if err != nil {
			t.Fatal(err)
		}
		got.Create = append(got.Create, plan.Create...)
		got.Update = append(got.Update, plan.Update...)
		got.Unchanged += plan.Unchanged
	}
	for ref := range m.Missing() {
		got.Delete = append(got.Delete, byID[ref.ID])
	}
	if loads != 3 {
		t.Errorf("%d loads, want one a batch (3)", loads)
	}
	if len(want.Update) != 767 || len(want.Create) != 200 || len(want.Delete) != 100 {
		t.Fatalf("the in-memory plan: %d updates, %d creates, %d deletes", len(want.Update), len(want.Create), len(want.Delete))
	}
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("the spooled plan differs: %d/%d updates, %d/%d creates, %d/%d unchanged, %d/%d deletes",
			len(got.Update), len(want.Update), len(got.Create), len(want.Create), got.Unchanged, want.Unchanged, len(got.Delete), len(want.Delete))
	}
}

// An item that changed between the match and the plan's read of it ends
// the plans with a conflict.
func TestSpooledPlansSeeChange(t *testing.T) {
	kind := testKind(t)
	csv, existing := bigSheet(1500)
	s, probs, err := checklistsheet.ReadSpooled([]byte(csv), "清单.csv", kind, resolveUnit, t.TempDir())
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	defer s.Close()
	m, _, err := s.Match(refsOf(existing))
	if err != nil {
		t.Fatal(err)
	}
	load := func(ids []string) ([]models.ChecklistItem, error) {
		var out []models.ChecklistItem
		for _, it := range existing {
			for _, id := range ids {
				if it.ID == id && it.ItemKey != "k1200" { // k1200 deleted meanwhile
					out = append(out, it)
				}
			}
		}
		return out, nil
	}
	plans := 0
	var conflict *models.ConflictError
	for _, err := range m.Plans(load) {
		if err != nil {
			if !errors.As(err, &conflict) || conflict.Code != "checklist_item_changed" {
				t.Fatalf("%d plans, then %v", plans, err)
			}
			break
		}
		plans++
	}
	if conflict == nil || plans != 1 || !strings.Contains(conflict.Detail, "k1200") {
		t.Errorf("%d plans, conflict %v", plans, conflict)
	}
}

// Match reads the list's items as they come: an error reading them, or an
// item whose id is not a UUID, ends it with that error.
func TestMatchRefusesBrokenRefs(t *testing.T) {
	csv, existing := bigSheet(300)
	s, probs, err := checklistsheet.ReadSpooled([]byte(csv), "清单.csv", testKind(t), resolveUnit, t.TempDir())
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	defer s.Close()
	broken := errors.New("connection lost")
	failing := func(yield func(models.ChecklistItemRef, error) bool) {
		for ref := range refsOf(existing) {
			if ref.Sequence == 100 {
				yield(models.ChecklistItemRef{}, broken)
				return
			}
			if !yield(ref, nil) {
				return
			}
		}
	}
	if m, _, err := s.Match(failing); m != nil || !errors.Is(err, broken) {
		t.Errorf("a failing read: %v, %v", m, err)
	}
	for _, id := range []string{"id-7", strings.ToUpper(existing[7].ID)} {
		odd := slices.Clone(existing)
		odd[7].ID = id
		if m, _, err := s.Match(refsOf(odd)); m != nil || err == nil || !strings.Contains(err.Error(), "not a UUID") {
			t.Errorf("id %s: %v, %v", id, m, err)
		}
	}
}
