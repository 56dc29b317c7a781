package annualreport

import (
	"strings"
	"testing"

	"github.com/fazhi/fazhi/models"
)

func TestTrace(t *testing.T) {
	credit, fines, task := models.SourceOf(models.SourceValue, "credit"), models.SourceOf(models.SourceValue, "fines"), models.SourceOf(models.SourceTask, "t")
	known := []models.KnownFigures{
		{Source: credit, Values: []string{"40000000"}},
		{Source: fines, Values: []string{"119.47"}},
		{Source: task, Values: []string{"2021", "24"}},
	}
	got := models.TraceFigures("2021年共征集信用数据4000余万条，累计减免罚金额119.47万元，涉及24个部门和7个县区。", []models.ReportSource{credit, fines, task}, known)
	want := []struct {
		text, value string
		source      *models.ReportSource
	}{
		{"2021", "2021", &task},
		{"4000余万", "40000000", &credit},
		{"119.47万", "119.47", &fines},
		{"24", "24", &task},
		{"7", "7", nil}, // typed by hand
	}
	if len(got) != len(want) {
		t.Fatalf("figures %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Text != w.text || g.Value != w.value || (g.Source == nil) != (w.source == nil) || (g.Source != nil && *g.Source != *w.source) {
			t.Errorf("figure %d = %+v, want %+v", i, g, w)
		}
	}
	// A source the sentence does not draw on traces nothing.
	if f := models.TraceFigures("减免119.47万元", []models.ReportSource{task}, known); f[0].Source != nil {
		t.Errorf("traced to a source the sentence does not name: %+v", f)
	}
}

func TestDraftAndRewrite(t *testing.T) {
	r := Records{
		UnitName: "盘锦市", Year: 2021,
		Tasks: []Task{
			{ID: "t1", Number: "1", Title: "推行柔性执法", Content: "制定柔性执法事项清单，涵盖24个执法部门共计854项。", Completed: true,
				IndicatorIDs: []string{"i1", "i2"}, ChecklistIDs: []string{"l1"}},
			{ID: "t2", Number: "2", Title: "推进法治乡村建设", Content: "开展示范创建。"}, // unfinished, no accepted progress
		},
		Values: []Value{
			{ID: "v1", IndicatorID: "i1", IndicatorName: "柔性执法部门", Area: "严格规范公正文明执法", Value: "24", RawText: "24个执法部门"},
			{ID: "v2", IndicatorID: "i2", IndicatorName: "柔性执法事项", Area: "严格规范公正文明执法", Value: "854", RawText: "共计854项"},
			{ID: "v3", IndicatorID: "i3", IndicatorName: "法律援助案件", Area: "全面提升公共法律服务水平", Value: "2001", MeasureUnit: "件", RawText: "办理法律援助案件2001件"},
		},
		Checklists: []Checklist{{ID: "l1", Title: "盘锦市柔性执法事项清单", Items: 854, Units: 24, Application: 2848}},
		Problems:   []Problem{{ID: "p1", Title: "法治意识还需要提高", Detail: "出庭应诉率较低。"}},
		NextTasks:  []Task{{ID: "n1", Number: "1", Title: "强化法治建设组织保障", Content: "发挥委员会牵头抓总作用。"}, {ID: "n2", Number: "1.1", Title: "细化"}},
	}
	c := Draft(r)
	md := Markdown(&c)
	for _, want := range []string{"# 盘锦市2021年法治政府建设年度报告", "## 一、主要举措和成效", "### （一）推行柔性执法",
		"《盘锦市柔性执法事项清单》共854项，涉及24个单位，全年适用清单办理案件2848件。", "### （二）全面提升公共法律服务水平", "办理法律援助案件2001件。",
		"## 二、存在的不足和原因", "一是法治意识还需要提高。出庭应诉率较低。", "## 三、党政主要负责人履行推进法治建设第一责任人职责情况",
		"### 1.强化法治建设组织保障", "## 五、其他"} {
		if !strings.Contains(md, want) {
			t.Errorf("the draft lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "开展示范创建") || strings.Contains(md, "细化") {
		t.Errorf("an unfinished task or a subtask of next year is in the draft:\n%s", md)
	}
	first := c.Section(models.ReportPartAchievements).Paragraphs[0].Sentences[0]
	if len(first.Figures) != 2 || *first.Figures[0].Source != (models.SourceOf(models.SourceValue, "v1")) || *first.Figures[1].Source != (models.SourceOf(models.SourceValue, "v2")) {
		t.Errorf("the task's figures are traced to %+v, want the approved values", first.Figures)
	}
	if u := c.Untraced(); len(u) != 0 {
		t.Errorf("a fresh draft has untraced figures %+v", u)
	}
	// The office rewrites the sentence: 854 keeps its link, 30 is typed.
	s := c.Section(models.ReportPartAchievements)
	s.Paragraphs[0].Sentences[0].Text = "全市854项柔性执法事项覆盖30个部门。"
	models.RetraceFigures(c.Sections, c.Known)
	u := c.Untraced()
	if len(u) != 1 || u[0].Text != "30" {
		t.Errorf("untraced after the rewrite: %+v", u)
	}
	page := HTML(&c, "/api/v1")
	for _, want := range []string{`<a class="figure" href="/api/v1/indicator-values/v2" data-source-type="indicator_value">854</a>`,
		`<mark class="untraced" title="未关联数据来源">30</mark>`, `<section class="part" id="part-5">`, `<h2>二、存在的不足和原因</h2>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML lacks %s", want)
		}
	}
}

func TestChart(t *testing.T) {
	c := sampleContent()
	if len(c.Chart) != 1 || c.Chart[0].Value != "70" || c.Chart[0].Target != "65" || c.Chart[0].Source.ID != "v1" {
		t.Fatalf("chart %+v", c.Chart)
	}
	page := HTML(&c, "/api/v1")
	for _, want := range []string{`<svg class="chart"`, `aria-label="主要指标完成情况"`, `<rect class="bar"`, `70%（目标65%）`, `<line `} {
		if !strings.Contains(page, want) {
			t.Errorf("the chart lacks %s", want)
		}
	}
	empty := HTML(&models.ReportContent{Sections: []models.ReportSection{{Part: models.ReportPartAchievements}}}, "")
	if !strings.Contains(empty, "本年度无以百分比计的指标") {
		t.Errorf("a report without indicators in per cent has no word for its empty chart")
	}
}
