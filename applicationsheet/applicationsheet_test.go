package applicationsheet_test

import (
	"slices"
	"testing"

	"github.com/fazhi/fazhi/applicationsheet"
	"github.com/fazhi/fazhi/models"
)

var items = map[int]*models.ChecklistItem{
	1: {ID: "item-1", Sequence: 1, Name: "首次未随车携带道路运输证"},
	2: {ID: "item-2", Sequence: 2, Name: "首次未按规定粘贴车辆标志"},
}

func item(seq int) (*models.ChecklistItem, bool) {
	it, ok := items[seq]
	return it, ok
}

func unit(text string) (string, bool) {
	switch text {
	case "盘锦市交通运输局", "211100-013":
		return "unit-1", true
	}
	return "", false
}

func TestRead(t *testing.T) {
	csv := "盘锦市柔性执法适用台账（2021年）\n" +
		"事项序号*,违法行为,执法机关,案号,结案日期,法人数,自然人数,减免罚款金额（元）,备注\n" +
		"1,首次未随车携带道路運輸證,盘锦市交通运输局,盘交不罚〔2021〕1号,2021/9/1,0,2,200,当场改正\n" +
		"\n" +
		"2,,211100-013,,2021年10月8日,1,,1500.5,\n" +
		"3,,盘锦市交通运输局,,2021-10-08,0,1,0,\n" +
		"2,别的违法行为,盘锦市交通运输局,,2021-10-08,0,1,0,\n" +
		"1,,无此单位,,2021-02-30,-1,一,0.001,\n" +
		",,,,,,,,\n"
	rows, total, probs, err := applicationsheet.Read([]byte(csv), "台账.csv", item, unit)
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(rows) != 2 {
		t.Fatalf("%d rows of %d read, want 2 of 5; problems %v", len(rows), total, probs)
	}
	first, second := rows[0].Case, rows[1].Case
	if first.ItemID != "item-1" || first.UnitID != "unit-1" || first.CaseNumber == nil || *first.CaseNumber != "盘交不罚〔2021〕1号" ||
		first.CaseDate != "2021-09-01" || first.NaturalPersons != 2 || first.LegalPersons != 0 || first.AmountFen != 20000 || first.Remark != "当场改正" {
		t.Errorf("first case %+v", first)
	}
	if second.ItemID != "item-2" || second.CaseNumber != nil || second.CaseDate != "2021-10-08" || second.LegalPersons != 1 ||
		second.NaturalPersons != 0 || second.AmountFen != 150050 || rows[1].Number != 5 {
		t.Errorf("second case %+v at row %d", second, rows[1].Number)
	}
	var refs []string
	for _, p := range probs {
		refs = append(refs, p.Ref)
	}
	if want := []string{"A6", "B7", "C8", "E8", "F8", "G8", "H8"}; !slices.Equal(refs, want) {
		t.Errorf("problems at %q, want %q: %v", refs, want, probs)
	}
	if p := rows[1].Problem(applicationsheet.ColCaseNumber, "重复"); p.Ref != "D5" {
		t.Errorf("a problem at the second case's number is at %q, want D5", p.Ref)
	}
}

func TestReadWithoutRequiredColumns(t *testing.T) {
	_, _, probs, err := applicationsheet.Read([]byte("违法行为,备注\n某事项,无\n"), "台账.csv", item, unit)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) == 0 {
		t.Fatal("a ledger without 事项序号, 执法单位 and 案件日期 was read")
	}
}
