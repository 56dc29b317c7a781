package checklistsheet_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// existingList has items with sequences 1, 2, 3 and keys k1, k2, k3.
func existingList() []models.ChecklistItem {
	return stored([]models.ChecklistItem{
		{ItemKey: "k1", Sequence: 1, Name: "甲", Remark: "备注甲", Attributes: map[string]string{"violatedProvision": "条一", "points": "5"}},
		{ItemKey: "k2", Sequence: 2, Name: "乙", ImplementingUnitID: ptr("u-sfj"), Attributes: map[string]string{"violatedProvision": "条二"}},
		{ItemKey: "k3", Sequence: 3, Name: "丙", LegalBasis: "依据丙", Attributes: map[string]string{"violatedProvision": "条三", "level": "市"}},
	})
}

func readCSV(t *testing.T, csv string) []checklistsheet.Row {
	t.Helper()
	rows, probs, err := checklistsheet.Read([]byte(csv), "清单.csv", testKind(t), resolveUnit)
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	return rows
}

func keysOf(items []models.ChecklistItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ItemKey)
	}
	return out
}

func TestPlanImport(t *testing.T) {
	kind := testKind(t)
	existing := existingList()
	rows := readCSV(t, "序号,事项名称,违法依据,分值,实施单位,备注,事项编码\n"+
		"1,甲,条一,5.0,,备注甲,k1\n"+ // as it is (5.0 is 5)
		"2,乙（改）,条二,,盘锦市司法局,,\n"+ // no key: the item with sequence 2, renamed
		"4,丁,条四,,,,\n"+ // no key, no such sequence: new
		"5,戊,条五,,,,k9\n") // a key the list lacks: new, under it

	plan, probs := planImport(t, rows, existing, checklistsheet.PlanOptions{})
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	if plan.Unchanged != 1 || len(plan.Update) != 1 || len(plan.Create) != 2 || len(plan.Delete) != 0 {
		t.Fatalf("plan %+v", plan)
	}
	u := plan.Update[0]
	if u.Row != 3 || u.Before.ItemKey != "k2" || u.After.ItemKey != "k2" || u.After.ID != u.Before.ID || u.After.Name != "乙（改）" {
		t.Errorf("update %+v", u)
	}
	if got, want := u.Changes(kind), []models.FieldChange{{Field: "name", Label: "名称", Old: "乙", New: "乙（改）"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes %+v, want %+v", got, want)
	}
	if got := keysOf(plan.Create); !reflect.DeepEqual(got, []string{"", "k9"}) {
		t.Errorf("created keys %q", got)
	}
	if plan.Create[0].Sequence != 4 || plan.Create[0].Name != "丁" {
		t.Errorf("created %+v", plan.Create[0])
	}
	// k3 is not in the sheet: kept, not deleted, unless asked.
	if got := keysOf(plan.Kept); !reflect.DeepEqual(got, []string{"k3"}) {
		t.Errorf("kept %v", got)
	}
	plan, _ = planImport(t, rows, existing, checklistsheet.PlanOptions{DeleteMissing: true})
	if got := keysOf(plan.Delete); !reflect.DeepEqual(got, []string{"k3"}) || len(plan.Kept) != 0 {
		t.Errorf("deleted %v, kept %v", got, keysOf(plan.Kept))
	}
}

// A blank cell clears its field; a column the sheet lacks keeps it.
func TestPlanBlankAndAbsent(t *testing.T) {
	kind := testKind(t)
	rows := readCSV(t, "序号,事项名称,违法依据,分值,事项编码\n3,丙,条三,7,k3\n1,甲,条一,,k1\n")
	plan, probs := planImport(t, rows, existingList(), checklistsheet.PlanOptions{})
	if len(probs) != 0 || len(plan.Update) != 2 {
		t.Fatalf("%+v %v", plan, probs)
	}
	k3 := plan.Update[0]
	// No 法律依据 or 行使层级 column: kept; 分值 set.
	if k3.After.LegalBasis != "依据丙" || k3.After.Attributes["level"] != "市" || k3.After.Attributes["points"] != "7" {
		t.Errorf("k3 after %+v", k3.After)
	}
	if got, want := k3.Changes(kind), []models.FieldChange{{Field: "attributes.points", Label: "分值", Old: "", New: "7"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("k3 changes %+v", got)
	}
	k1 := plan.Update[1]
	if _, ok := k1.After.Attributes["points"]; ok || k1.Before.Attributes["points"] != "5" {
		t.Errorf("k1: blank 分值 not cleared, or Before changed: %+v %+v", k1.After.Attributes, k1.Before.Attributes)
	}
	if k1.After.Remark != "备注甲" {
		t.Errorf("k1 remark %q: the sheet has no 备注", k1.After.Remark)
	}
	// A move is a change of sequence.
	rows = readCSV(t, "序号,事项名称,违法依据,事项编码\n9,甲,条一,k1\n")
	plan, _ = planImport(t, rows, existingList(), checklistsheet.PlanOptions{})
	if got := plan.Update[0].Changes(kind); len(got) != 1 || got[0] != (models.FieldChange{Field: "sequence", Label: "序号", Old: "1", New: "9"}) {
		t.Errorf("changes %+v", got)
	}
}

// Without 序号, rows match by key only: matched items keep their place,
// new ones go last.
func TestPlanWithoutSequences(t *testing.T) {
	rows := readCSV(t, "事项名称,违法依据,事项编码\n丙,条三,k3\n新,条,\n")
	plan, probs := planImport(t, rows, existingList(), checklistsheet.PlanOptions{})
	if len(probs) != 0 || plan.Unchanged != 1 || len(plan.Create) != 1 || plan.Create[0].Sequence != 0 {
		t.Errorf("%+v %v", plan, probs)
	}
}

func TestPlanUndecided(t *testing.T) {
	existing := existingList()
	existing[2].Sequence = 2 // k2 and k3 both at 2
	for name, tc := range map[string]struct {
		csv  string
		want []string
	}{
		"two items with the sequence": {"序号,事项名称,违法依据,事项编码\n2,乙,条二,\n",
			[]string{"清单!A2 (sequence): 2 items of the list have sequence 2: give the row the item key (事项编码) of the one it states"}},
		"one of them claimed by key": {"序号,事项名称,违法依据,事项编码\n2,乙,条二,\n2,丙,条三,k3\n", nil},
		"two rows for one item": {"序号,事项名称,违法依据,事项编码\n1,甲,条一,\n1,甲二,条一,\n", []string{
			"清单!A3 (sequence): row 2 has sequence 1 and no item key too: give the row that states the list's item 1 its item key (事项编码), and clear the other's sequence or make it another"}},
	} {
		t.Run(name, func(t *testing.T) {
			plan, probs := planImport(t, readCSV(t, tc.csv), existing, checklistsheet.PlanOptions{})
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if (plan == nil) != (len(tc.want) > 0) {
				t.Errorf("plan %+v with problems %v", plan, probs)
			}
		})
	}
	// Rows from elsewhere that repeat a key: the second is a problem.
	rows := readCSV(t, "序号,事项名称,违法依据,事项编码\n1,甲,条一,k1\n")
	rows = append(rows, rows[0])
	rows[1].Number = 3
	if _, probs := planImport(t, rows, existing, checklistsheet.PlanOptions{}); len(probs) != 1 || probs[0] != (sheet.Problem{Sheet: "清单", Row: 3, Col: 4, Ref: "D3", Column: "itemKey", Message: "item key k1 is also row 2's"}) {
		t.Errorf("problems %v", probs)
	}
}
