package demo_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/annualreport"
	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

var update = flag.Bool("update", false, "rewrite the golden files of the tests from what they produce")

// TestDemoCityReport2021 drafts the city's 2021 report from the demo
// records: the five statutory parts; every figure of the seed's part one
// (DOMAIN.md's table, as the approved values hold them) written in it and
// traced to its value; the seed's four problems in part two; its six tasks
// for 2022 in part four. Its Markdown is testdata/city-report-2021.md (go
// test -update rewrites it).
func TestDemoCityReport2021(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		r, err := db.GetAnnualReport(ctx, demo.CityReport2021)
		if err != nil {
			t.Fatal(err)
		}
		c := r.Content
		if c.Title != "盘锦市2021年法治政府建设年度报告" || len(c.Sections) != 5 {
			t.Fatalf("title %q, %d parts", c.Title, len(c.Sections))
		}
		for i, s := range c.Sections {
			if s.Part != i+1 || s.Title != models.ReportPartTitles[i+1] {
				t.Errorf("part %d: %d %q", i+1, s.Part, s.Title)
			}
		}
		values, _, err := db.ListValues(ctx, models.ValueFilter{SystemID: demo.CitySystem, UnitID: demo.PanjinCity, Period: "2021"},
			paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "id"}})
		if err != nil {
			t.Fatal(err)
		}
		traced := map[string][]string{} // value id -> the values of the figures traced to it
		for _, p := range c.Section(models.ReportPartAchievements).Paragraphs {
			for _, s := range p.Sentences {
				for _, f := range s.Figures {
					if f.Source != nil && f.Source.Type == models.SourceValue {
						traced[f.Source.ID] = append(traced[f.Source.ID], f.Value)
					}
				}
			}
		}
		for _, v := range values {
			if got := traced[v.ID]; !slices.Contains(got, v.Value.String()) {
				t.Errorf("value %s (%s, %s) is not a figure of part one traced to it: %q", v.ID, v.Value, *v.RawText, got)
			}
		}
		if len(values) != len(seedFigures) {
			t.Errorf("%d approved values, want the seed's %d figures", len(values), len(seedFigures))
		}
		problems := c.Section(models.ReportPartShortcomings).Paragraphs
		if len(problems) != 1 || len(problems[0].Sentences) != 4 || !strings.HasPrefix(problems[0].Sentences[3].Text, "四是推进柔性执法自觉性不高") {
			t.Errorf("part two: %+v", problems)
		}
		next := c.Section(models.ReportPartNextYear).Paragraphs
		if len(next) != 6 || next[2].Heading != "3.持续优化法治化营商环境" {
			t.Errorf("part four has %d tasks: %+v", len(next), next)
		}
		if u := c.Untraced(); len(u) != 0 {
			t.Errorf("untraced figures in the draft: %+v", u)
		}
		md := annualreport.Markdown(&c)
		for _, want := range []string{"《盘锦市柔性执法事项清单》共854项，涉及24个单位，全年适用清单办理案件2848件。"} {
			if !strings.Contains(md, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
		golden := filepath.Join("testdata", "city-report-2021.md")
		if *update {
			if err := os.WriteFile(golden, []byte(md), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if md != string(want) {
			t.Errorf("the drafted report differs from %s (go test -update rewrites it):\n%s", golden, md)
		}
	})
}
