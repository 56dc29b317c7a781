package models

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/fazhi/fazhi/textsearch"
)

// fieldPointers returns the pointers of a ValidationError's fields, in
// order, failing the test when err is not one with the code given.
func fieldPointers(t *testing.T, err error, code string) []string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want a ValidationError %s", err, code)
	}
	if ve.Code != code {
		t.Errorf("code %q, want %q", ve.Code, code)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Pointer)
	}
	return got
}

// pointersOf returns the pointers of field errors, in order.
func pointersOf(fields []FieldError) []string {
	var got []string
	for _, f := range fields {
		got = append(got, f.Pointer)
	}
	return got
}

func TestBuiltInKinds(t *testing.T) {
	// One kind for every list the domain names.
	names := []string{
		"证明事项清单",
		"不予处罚事项清单", "从轻处罚事项清单", "减轻处罚事项清单", "免予行政强制事项清单",
		"行政执法事项清单", "行政执法责任清单", "721工作清单", "涉企行政执法检查计划",
		"工程建设项目审批服务事项清单", "工程建设项目公共服务事项清单", "工程建设项目中介服务事项清单",
		"工程建设项目容缺受理事项清单", "工程建设项目告知承诺制审批事项清单",
		"自查清单", "督察清单",
	}
	kinds := BuiltInKinds()
	var gotNames []string
	keys := map[string]bool{}
	at := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range kinds {
		gotNames = append(gotNames, k.Name)
		if keys[k.Key] {
			t.Errorf("key %s given twice", k.Key)
		}
		keys[k.Key] = true
		if err := k.Validate(); err != nil {
			t.Errorf("%s: %v", k.Key, err)
		}
		if !k.BuiltIn || k.Version != 1 || !k.CreatedAt.Equal(at) || !k.UpdatedAt.Equal(at) {
			t.Errorf("%s: built-in %v, version %d, created %v, updated %v", k.Key, k.BuiltIn, k.Version, k.CreatedAt, k.UpdatedAt)
		}
		if strings.TrimSpace(k.Description) == "" || len(k.Columns) == 0 {
			t.Errorf("%s: no description or no columns", k.Key)
		}
		// An import matches headers folded (sheet.FoldHeader): two labels
		// that fold alike would be one header.
		folded := map[string]string{}
		for _, c := range k.Columns {
			f := strings.Join(strings.Fields(textsearch.Fold(c.Label)), "")
			if other, ok := folded[f]; ok {
				t.Errorf("%s: labels %s and %s fold alike", k.Key, other, c.Label)
			}
			folded[f] = c.Label
		}
		got, ok := BuiltInKind(k.Key)
		if !ok || !reflect.DeepEqual(got, k) {
			t.Errorf("BuiltInKind(%q) = %+v, %v", k.Key, got, ok)
		}
	}
	if !slices.Equal(gotNames, names) {
		t.Errorf("names %v,\nwant %v", gotNames, names)
	}
	if _, ok := BuiltInKind("nonesuch"); ok {
		t.Error("BuiltInKind found a kind that does not exist")
	}

	// The levels are the four of the domain first, then their combinations.
	certificates, _ := BuiltInKind("certificates")
	level, _ := certificates.Column("level")
	if !slices.Equal(level.Values[:4], []string{"省", "市", "县", "乡"}) || !slices.Contains(level.Values, "市、县") {
		t.Errorf("行使层级 values %v", level.Values)
	}
	matters, _ := BuiltInKind("enforcementMatters")
	category, _ := matters.Column("enforcementType")
	if !slices.Equal(category.Values, []string{"许可", "确认", "给付", "奖励", "征收", "检查", "处罚", "强制", "裁决", "其他"}) {
		t.Errorf("执法类别 values %v", category.Values)
	}

	// Each call returns values of its own.
	kinds[0].Name = "changed"
	kinds[0].Columns[0].Label = "changed"
	certificates.Columns[4].Values[0] = "changed"
	again := BuiltInKinds()
	if again[0].Name == "changed" || again[0].Columns[0].Label == "changed" || again[0].Columns[4].Values[0] == "changed" {
		t.Error("a change to the returned kinds changed the built-in ones")
	}
}

// TestBuiltInKindsAreSimplified: the product speaks Simplified Chinese, and
// a Traditional character in a header would also miss the Simplified one
// that a search or a sheet compares.
func TestBuiltInKindsAreSimplified(t *testing.T) {
	if textsearch.Fold("證項單執處罰") != "证项单执处罚" {
		t.Fatal("textsearch.Fold does not convert Traditional characters: nothing here would be checked")
	}
	check := func(where, s string) {
		for _, r := range s {
			if unicode.Is(unicode.Han, r) && textsearch.Fold(string(r)) != string(r) {
				t.Errorf("%s: %q holds %c, whose Simplified form is %s", where, s, r, textsearch.Fold(string(r)))
			}
		}
	}
	for _, k := range BuiltInKinds() {
		check(k.Key+" name", k.Name)
		check(k.Key+" description", k.Description)
		for _, c := range k.Columns {
			check(k.Key+"."+c.Key+" label", c.Label)
			for _, v := range c.Values {
				check(k.Key+"."+c.Key+" value", v)
			}
		}
	}
}

// sampleKind is a small kind to change in tests: a text, an enum and a long
// text.
func sampleKind() *ChecklistKind {
	return &ChecklistKind{Key: "sample", Name: "样例清单", Columns: []KindColumn{
		{Key: "purpose", Label: "用途", Type: ColumnText, Required: true},
		{Key: "level", Label: "层级", Type: ColumnEnum, Values: []string{"省", "市"}},
		{Key: "note", Label: "说明", Type: ColumnLongText},
	}}
}

func TestChecklistKindValidate(t *testing.T) {
	many := make([]KindColumn, MaxKindColumns+1)
	for i := range many {
		many[i] = KindColumn{Key: "c" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Label: "列" + string(rune('A'+i)), Type: ColumnText}
	}
	manyValues := make([]string, MaxEnumValues+1)
	for i := range manyValues {
		manyValues[i] = strings.Repeat("值", i+1)
	}
	tests := []struct {
		name     string
		change   func(k *ChecklistKind)
		pointers []string // none when valid
	}{
		{"valid", func(k *ChecklistKind) {}, nil},
		{"a key with a capital", func(k *ChecklistKind) { k.Key = "Sample" }, []string{"/key"}},
		{"a key with a hyphen", func(k *ChecklistKind) { k.Key = "sample-kind" }, []string{"/key"}},
		{"a key of 41 characters", func(k *ChecklistKind) { k.Key = "s" + strings.Repeat("x", 40) }, []string{"/key"}},
		{"a blank name", func(k *ChecklistKind) { k.Name = " " }, []string{"/name"}},
		{"a column key starting with a digit", func(k *ChecklistKind) { k.Columns[0].Key = "1st" }, []string{"/columns/0/key"}},
		{"a column shadowing the name", func(k *ChecklistKind) { k.Columns[0].Key = "name" }, []string{"/columns/0/key"}},
		{"a column shadowing the legal basis", func(k *ChecklistKind) { k.Columns[2].Key = "legalBasis" }, []string{"/columns/2/key"}},
		{"a column shadowing the item key", func(k *ChecklistKind) { k.Columns[2].Key = "itemKey" }, []string{"/columns/2/key"}},
		{"a duplicate key", func(k *ChecklistKind) { k.Columns[2].Key = "purpose" }, []string{"/columns/2/key"}},
		{"a duplicate label", func(k *ChecklistKind) { k.Columns[2].Label = "用途" }, []string{"/columns/2/label"}},
		{"a blank label", func(k *ChecklistKind) { k.Columns[0].Label = "" }, []string{"/columns/0/label"}},
		{"an unknown type", func(k *ChecklistKind) { k.Columns[0].Type = "money" }, []string{"/columns/0/type"}},
		{"an enum without values", func(k *ChecklistKind) { k.Columns[1].Values = nil }, []string{"/columns/1/values"}},
		{"values on a text column", func(k *ChecklistKind) { k.Columns[0].Values = []string{"是"} }, []string{"/columns/0/values"}},
		{"a blank enum value", func(k *ChecklistKind) { k.Columns[1].Values = []string{"省", " "} }, []string{"/columns/1/values/1"}},
		{"a duplicate enum value", func(k *ChecklistKind) { k.Columns[1].Values = []string{"省", "市", "省"} }, []string{"/columns/1/values/2"}},
		{"too many enum values", func(k *ChecklistKind) { k.Columns[1].Values = manyValues }, []string{"/columns/1/values"}},
		{"too many columns", func(k *ChecklistKind) { k.Columns = many }, []string{"/columns"}},
		{"every problem is named", func(k *ChecklistKind) {
			k.Key, k.Name = "", ""
			k.Columns[1].Key, k.Columns[1].Type = "remark", ColumnDate
		}, []string{"/key", "/name", "/columns/1/key", "/columns/1/values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := sampleKind()
			tt.change(k)
			err := k.Validate()
			if tt.pointers == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if got := fieldPointers(t, err, "checklist_kind_invalid"); !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers %v, want %v", got, tt.pointers)
			}
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	kind := &ChecklistKind{Key: "sample", Name: "样例清单", Columns: []KindColumn{
		{Key: "purpose", Label: "用途", Type: ColumnText, Required: true},
		{Key: "note", Label: "说明", Type: ColumnLongText},
		{Key: "level", Label: "层级", Type: ColumnEnum, Values: []string{"省", "市"}},
		{Key: "points", Label: "分值", Type: ColumnNumber},
		{Key: "day", Label: "日期", Type: ColumnDate},
		{Key: "unit", Label: "单位", Type: ColumnUnit},
		{Key: "article", Label: "依据条文", Type: ColumnLegalRef},
	}}
	unitExists := func(id string) bool { return id == "u1" }
	valid := map[string]string{
		"purpose": "办理户口迁移", "note": "第一行\n第二行", "level": "市", "points": "-3.5",
		"day": "2021-02-28", "unit": "u1", "article": "《中华人民共和国行政处罚法》第三十三条",
	}
	tests := []struct {
		name     string
		set      map[string]string // set on valid
		pointers []string
		del      []string // deleted from valid
	}{
		{"valid", nil, nil, nil},
		{"only the required", nil, nil, []string{"note", "level", "points", "day", "unit", "article"}},
		{"blank optional columns", map[string]string{"level": "", "points": ""}, nil, nil},
		{"a required column missing", nil, []string{"/items/3/attributes/purpose"}, []string{"purpose"}},
		{"a required column blank", map[string]string{"purpose": ""}, []string{"/items/3/attributes/purpose"}, nil},
		{"an unknown key", map[string]string{"color": "红"}, []string{"/items/3/attributes/color"}, nil},
		{"an unknown key with a slash", map[string]string{"a/b~c": "x"}, []string{"/items/3/attributes/a~1b~0c"}, nil},
		{"a required column of white space", map[string]string{"purpose": " \t"}, []string{"/items/3/attributes/purpose"}, nil},
		{"a number with a comma", map[string]string{"points": "12,5"}, []string{"/items/3/attributes/points"}, nil},
		{"a number with an exponent", map[string]string{"points": "1e3"}, []string{"/items/3/attributes/points"}, nil},
		{"a number with a leading zero", map[string]string{"points": "012"}, []string{"/items/3/attributes/points"}, nil},
		{"a whole number", map[string]string{"points": "12"}, nil, nil},
		{"a date that does not exist", map[string]string{"day": "2021-02-30"}, []string{"/items/3/attributes/day"}, nil},
		{"a date without zeros", map[string]string{"day": "2021-6-1"}, []string{"/items/3/attributes/day"}, nil},
		{"a date in words", map[string]string{"day": "2021年6月1日"}, []string{"/items/3/attributes/day"}, nil},
		{"an enum value not listed", map[string]string{"level": "县"}, []string{"/items/3/attributes/level"}, nil},
		{"a line break in a text", map[string]string{"purpose": "户口\n迁移"}, []string{"/items/3/attributes/purpose"}, nil},
		{"a line break in a legal reference, citing two articles", map[string]string{"article": "《行政处罚法》第三十三条\n第三十四条"}, nil, nil},
		{"a unit that does not exist", map[string]string{"unit": "u2"}, []string{"/items/3/attributes/unit"}, nil},
		{"a control character", map[string]string{"note": "说明\x00"}, []string{"/items/3/attributes/note"}, nil},
		{"a bidirectional override", map[string]string{"purpose": "用途\u202e"}, []string{"/items/3/attributes/purpose"}, nil},
		{"a text at its bound", map[string]string{"purpose": strings.Repeat("字", MaxColumnText)}, nil, nil},
		{"a text over its bound", map[string]string{"purpose": strings.Repeat("字", MaxColumnText+1)}, []string{"/items/3/attributes/purpose"}, nil},
		{"a long text over its bound", map[string]string{"note": strings.Repeat("字", MaxColumnLongText+1)}, []string{"/items/3/attributes/note"}, nil},
		{"unknown keys first, sorted, then columns in order", map[string]string{"zeta": "1", "alpha": "2", "purpose": "", "unit": "x"},
			[]string{"/items/3/attributes/alpha", "/items/3/attributes/zeta", "/items/3/attributes/purpose", "/items/3/attributes/unit"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := maps.Clone(valid)
			maps.Copy(attrs, tt.set)
			for _, k := range tt.del {
				delete(attrs, k)
			}
			got := pointersOf(kind.CheckAttributes(attrs, unitExists, "/items/3"))
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers %v, want %v", got, tt.pointers)
			}
		})
	}
	// Without a prefix, pointers start at the item.
	got := kind.CheckAttributes(map[string]string{}, unitExists, "")
	if len(got) != 1 || got[0].Pointer != "/attributes/purpose" || !strings.Contains(got[0].Message, "用途") {
		t.Errorf("a single item's problems: %+v", got)
	}
}

func TestChangeColumns(t *testing.T) {
	remove := func(c []KindColumn) []KindColumn { return c[:2] }
	retype := func(c []KindColumn) []KindColumn { c[0].Type = ColumnLongText; return c }
	dropValue := func(c []KindColumn) []KindColumn { c[1].Values = []string{"省"}; return c }
	rekey := func(c []KindColumn) []KindColumn { c[2].Key = "comment"; return c }
	add := func(c []KindColumn) []KindColumn {
		return append(c, KindColumn{Key: "points", Label: "分值", Type: ColumnNumber})
	}
	relabel := func(c []KindColumn) []KindColumn {
		c[0].Label, c[0].Searchable, c[0].Required = "证明用途", true, false
		return c
	}
	addValue := func(c []KindColumn) []KindColumn { c[1].Values = []string{"县", "市", "省"}; return c }
	reorder := func(c []KindColumn) []KindColumn { slices.Reverse(c); return c }
	shadow := func(c []KindColumn) []KindColumn {
		return append(c, KindColumn{Key: "remark", Label: "备注", Type: ColumnText})
	}
	tests := []struct {
		name  string
		f     func(c []KindColumn) []KindColumn
		inUse bool
		code  string // "" when the change is made
	}{
		{"in use: remove a column", remove, true, "checklist_kind_in_use"},
		{"in use: change a column's type", retype, true, "checklist_kind_in_use"},
		{"in use: drop an enum value", dropValue, true, "checklist_kind_in_use"},
		{"in use: rename a key", rekey, true, "checklist_kind_in_use"},
		{"in use: add a column", add, true, ""},
		{"in use: relabel, search, require no more", relabel, true, ""},
		{"in use: add an enum value, reorder values", addValue, true, ""},
		{"in use: reorder columns", reorder, true, ""},
		{"in use: an invalid column", shadow, true, "checklist_kind_invalid"},
		{"not in use: remove a column", remove, false, ""},
		{"not in use: change a column's type", retype, false, ""},
		{"not in use: drop an enum value", dropValue, false, ""},
		{"not in use: rename a key", rekey, false, ""},
		{"not in use: an invalid column", shadow, false, "checklist_kind_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := sampleKind()
			columns := tt.f(sampleKind().Columns)
			err := k.ChangeColumns(columns, tt.inUse)
			switch tt.code {
			case "":
				if err != nil || !reflect.DeepEqual(k.Columns, columns) {
					t.Errorf("ChangeColumns = %v, columns %+v", err, k.Columns)
				}
			case "checklist_kind_in_use":
				var ce *ConflictError
				if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) || ce.Code != tt.code {
					t.Fatalf("ChangeColumns = %v, want a conflict %s", err, tt.code)
				}
				if !reflect.DeepEqual(k.Columns, sampleKind().Columns) {
					t.Errorf("a refused change changed the columns: %+v", k.Columns)
				}
			default:
				fieldPointers(t, err, tt.code)
			}
		})
	}
}

func TestChecklistItemValidate(t *testing.T) {
	kind, ok := BuiltInKind("noPenalty")
	if !ok {
		t.Fatal("no built-in kind noPenalty")
	}
	unitExists := func(id string) bool { return id == "scjgj" }
	item := func() *ChecklistItem {
		return &ChecklistItem{
			Sequence:           1,
			Name:               "广告中使用“国家级”“最高级”“最佳”等用语",
			ImplementingUnitID: ptrTo("scjgj"),
			LegalBasis:         "《中华人民共和国行政处罚法》第三十三条第一款",
			Category:           "市场监管",
			Attributes: map[string]string{
				"violatedProvision": "《中华人民共和国广告法》第九条第三项",
				"penaltyProvision":  "《中华人民共和国广告法》第五十七条",
				"conditions":        "初次违法，广告发布时间短、影响范围小，危害后果轻微并及时改正的",
			},
		}
	}
	if err := item().Validate(&kind, unitExists, ""); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	bad := item()
	bad.Sequence, bad.Name, bad.ImplementingUnitID = 0, " ", ptrTo("nonesuch")
	delete(bad.Attributes, "conditions")
	bad.Attributes["penaltyProvision"] = strings.Repeat("条", MaxColumnLongText+1)
	err := bad.Validate(&kind, unitExists, "/items/7")
	want := []string{"/items/7/sequence", "/items/7/name", "/items/7/implementingUnitId",
		"/items/7/attributes/penaltyProvision", "/items/7/attributes/conditions"}
	if got := fieldPointers(t, err, "checklist_item_invalid"); !slices.Equal(got, want) {
		t.Errorf("pointers %v, want %v", got, want)
	}
	// An item without a unit is valid: a list may leave it to the issuing unit.
	noUnit := item()
	noUnit.ImplementingUnitID = nil
	if err := noUnit.Validate(&kind, unitExists, ""); err != nil {
		t.Errorf("an item without an implementing unit: %v", err)
	}
}

func TestChecklistLifecycle(t *testing.T) {
	at := time.Date(2021, 7, 1, 9, 0, 0, 0, time.UTC)
	clerk, reviewer := Actor("user:clerk"), Actor("user:reviewer")
	content := Checklist{
		KindKey: "noPenalty", Title: "盘锦市市场监管领域不予处罚事项清单", IssuingUnitID: "scjgj",
		DocumentNumber: "盘市监发〔2021〕12号", Year: 2021, EffectiveDate: ptrTo("2021-07-15"),
		// What a new list is is not the caller's to say.
		Status: ChecklistPublished, SubmittedBy: ptrTo("user:x"), PublishedAt: &at, VersionNo: 4, SampleData: true,
	}
	c, err := NewChecklist(content, "c1", at)
	if err != nil {
		t.Fatalf("NewChecklist: %v", err)
	}
	if c.ID != "c1" || c.ListID != "c1" || c.VersionNo != 1 || c.Version != 1 || c.Status != ChecklistDraft ||
		c.SubmittedBy != nil || c.PublishedAt != nil || !c.CreatedAt.Equal(at) || !c.UpdatedAt.Equal(at) || !c.SampleData {
		t.Errorf("NewChecklist = %+v", c)
	}
	_, err = NewChecklist(Checklist{Title: " ", Year: 1999, EffectiveDate: ptrTo("2021-02-30")}, "c0", at)
	if got, want := fieldPointers(t, err, "checklist_invalid"), []string{"/title", "/year", "/effectiveDate"}; !slices.Equal(got, want) {
		t.Errorf("pointers %v, want %v", got, want)
	}

	// A draft is edited; "" clears the effective date.
	if err := c.Edit(ChecklistPatch{Title: ptrTo("盘锦市不予处罚事项清单"), EffectiveDate: ptrTo("")}); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if c.Title != "盘锦市不予处罚事项清单" || c.EffectiveDate != nil || c.DocumentNumber != content.DocumentNumber {
		t.Errorf("after Edit: %+v", c)
	}
	if err := c.Edit(ChecklistPatch{Year: ptrTo(3000)}); Code(err) != "checklist_invalid" {
		t.Errorf("Edit to the year 3000 = %v", err)
	}
	c.Year = 2021

	// Nothing to review in an empty list.
	var ce *ConflictError
	if err := c.SubmitForReview(clerk, at, 0); !errors.As(err, &ce) || ce.Code != "checklist_empty" || c.Status != ChecklistDraft {
		t.Fatalf("SubmitForReview of no items = %v (%s)", err, c.Status)
	}
	if err := c.SubmitForReview(clerk, at, 854); err != nil || c.Status != ChecklistInReview || *c.SubmittedBy != string(clerk) || !c.SubmittedAt.Equal(at) {
		t.Fatalf("SubmitForReview = %v: %+v", err, c)
	}
	if err := c.Edit(ChecklistPatch{Title: ptrTo("x")}); Code(err) != "checklist_not_draft" {
		t.Errorf("Edit in review = %v", err)
	}

	// Returned with a comment, corrected, submitted again.
	if err := c.ReturnFromReview(reviewer, at, "第12项缺少处罚依据"); err != nil || c.Status != ChecklistDraft ||
		*c.ReviewComment != "第12项缺少处罚依据" || *c.ReviewedBy != string(reviewer) {
		t.Fatalf("ReturnFromReview = %v: %+v", err, c)
	}
	if err := c.SubmitForReview(clerk, at, 854); err != nil {
		t.Fatalf("SubmitForReview again: %v", err)
	}

	// The submitter does not pass its own legality review.
	var fe *ForbiddenError
	if err := c.Publish(clerk, at, ""); !errors.As(err, &fe) || fe.Code != "self_review" || !errors.Is(err, ErrForbidden) || c.Status != ChecklistInReview {
		t.Fatalf("Publish by the submitter = %v (%s)", err, c.Status)
	}
	published := at.Add(time.Hour)
	if err := c.Publish(reviewer, published, ""); err != nil || c.Status != ChecklistPublished ||
		!c.PublishedAt.Equal(published) || c.ReviewComment != nil || *c.ReviewedBy != string(reviewer) {
		t.Fatalf("Publish = %v: %+v", err, c)
	}
	if err := c.Edit(ChecklistPatch{Title: ptrTo("x")}); !errors.As(err, &ce) || ce.Code != "checklist_not_draft" ||
		!slices.Equal(ce.Allowed, []string{"draft"}) || c.Title == "x" {
		t.Errorf("Edit of a published list = %v", err)
	}

	// A revision is the next version of the same list, a draft.
	revised := published.Add(24 * time.Hour)
	next, err := c.Revision("c2", revised)
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	if next.ID != "c2" || next.ListID != "c1" || next.VersionNo != 2 || next.Status != ChecklistDraft || next.Version != 1 ||
		next.Title != c.Title || next.KindKey != c.KindKey || !next.SampleData ||
		next.SubmittedBy != nil || next.ReviewedBy != nil || next.ReviewComment != nil || next.PublishedAt != nil ||
		!next.CreatedAt.Equal(revised) || c.Status != ChecklistPublished {
		t.Errorf("Revision = %+v; the old version %s", next, c.Status)
	}
	if _, err := next.Revision("c3", revised); Code(err) != "checklist_not_published" {
		t.Errorf("Revision of a draft = %v", err)
	}

	// Publishing the revision supersedes the old version, which then can
	// be neither abolished nor superseded again.
	if err := c.Supersede(revised); err != nil || c.Status != ChecklistSuperseded || !c.EndedAt.Equal(revised) {
		t.Fatalf("Supersede = %v: %+v", err, c)
	}
	if err := c.Abolish(revised); Code(err) != "checklist_not_published" {
		t.Errorf("Abolish of a superseded version = %v", err)
	}
	if err := c.Supersede(revised); Code(err) != "checklist_not_published" {
		t.Errorf("Supersede twice = %v", err)
	}

	// A published list is abolished.
	next.Status = ChecklistPublished
	if err := next.Abolish(revised); err != nil || next.Status != ChecklistAbolished || !next.EndedAt.Equal(revised) {
		t.Errorf("Abolish = %v: %+v", err, next)
	}
	if ChecklistLifecycle.IsReleased(ChecklistDraft) || !ChecklistLifecycle.IsReleased(ChecklistSuperseded) {
		t.Error("a draft is released, or a superseded version is not")
	}
}
