package annualreport

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fazhi/fazhi/models"
)

// Records are what a unit's report of a year is drafted from, as the store
// reads them.
type Records struct {
	UnitName string
	Year     int
	// Tasks are the tasks of the unit's plans of the year, in the plans'
	// order; NextTasks those of its plans of the next year.
	Tasks     []Task
	NextTasks []Task
	// Values are the unit's approved indicator values of the year, in the
	// order of their indicators.
	Values []Value
	// Progress are the accepted progress reports on Tasks, oldest first.
	Progress []Progress
	// Problems are the unit's problems of the year.
	Problems []Problem
	// Checklists are the lists Tasks link to, with their figures.
	Checklists []Checklist
}

// Task is a task of a plan.
type Task struct {
	ID, Number, Title, Content string
	Completed                  bool
	IndicatorIDs, ChecklistIDs []string
}

// Value is an approved value of an indicator: the figure, and the words the
// unit reported it in.
type Value struct {
	ID, IndicatorID, IndicatorName string
	Area                           string // the indicator's top-level area, which groups values no task names
	Value, MeasureUnit, RawText    string
	Target                         string // the target of the year, when one was set
}

// Progress is an accepted progress report.
type Progress struct{ ID, TaskID, Content string }

// Problem is a problem record of the year.
type Problem struct{ ID, Title, Detail string }

// Checklist is a published list with its counts: items, the units that
// implement them, and the cases in which they were applied.
type Checklist struct {
	ID, Title                 string
	Items, Units, Application int
}

// Draft writes the report of the records: part one from the completed
// tasks (by top-level task of the plan, with their accepted progress, the
// approved values of the indicators they name and the figures of the lists
// they name) and from the approved values no task names (by area); part two
// from the problems; part four from next year's plan; parts three and five
// empty, for the office to write. Every figure is traced.
func Draft(r Records) models.ReportContent {
	c := models.ReportContent{Title: fmt.Sprintf("%s%d年法治政府建设年度报告", r.UnitName, r.Year)}
	c.Known = known(r)
	for _, part := range []int{models.ReportPartAchievements, models.ReportPartShortcomings, models.ReportPartLeaders, models.ReportPartNextYear, models.ReportPartOther} {
		c.Sections = append(c.Sections, models.ReportSection{Part: part, Title: models.ReportPartTitles[part], Paragraphs: []models.ReportParagraph{}})
	}
	c.Section(models.ReportPartAchievements).Paragraphs = achievements(r)
	c.Section(models.ReportPartShortcomings).Paragraphs = shortcomings(r)
	c.Section(models.ReportPartNextYear).Paragraphs = nextYear(r)
	c.Chart = chartOf(r)
	models.RetraceFigures(c.Sections, c.Known)
	return c
}

// known are the figures of every record drawn on.
func known(r Records) []models.KnownFigures {
	var out []models.KnownFigures
	for _, v := range r.Values {
		// The words the value was named and reported in are the record's
		// too ("评查的2020年行政执法案卷", "12348电话咨询").
		out = append(out, models.KnownFigures{Source: models.SourceOf(models.SourceValue, v.ID), Values: append([]string{v.Value}, models.NumbersIn(v.IndicatorName+" "+v.RawText)...)})
	}
	for _, t := range append(slices.Clone(r.Tasks), r.NextTasks...) {
		out = append(out, models.KnownFigures{Source: models.SourceOf(models.SourceTask, t.ID), Values: models.NumbersIn(t.Title + " " + t.Content)})
	}
	for _, p := range r.Progress {
		out = append(out, models.KnownFigures{Source: models.SourceOf(models.SourceProgress, p.ID), Values: models.NumbersIn(p.Content)})
	}
	for _, p := range r.Problems {
		out = append(out, models.KnownFigures{Source: models.SourceOf(models.SourceProblem, p.ID), Values: models.NumbersIn(p.Title + " " + p.Detail)})
	}
	for _, l := range r.Checklists {
		out = append(out, models.KnownFigures{Source: models.SourceOf(models.SourceChecklist, l.ID), Values: []string{fmt.Sprint(l.Items), fmt.Sprint(l.Units), fmt.Sprint(l.Application)}})
	}
	return out
}

// topLevel is the top-level number of a task number: "3" of "3.2".
func topLevel(number string) string {
	top, _, _ := strings.Cut(number, ".")
	return top
}

func achievements(r Records) []models.ReportParagraph {
	values := map[string][]Value{} // by indicator
	for _, v := range r.Values {
		values[v.IndicatorID] = append(values[v.IndicatorID], v)
	}
	lists := map[string]Checklist{}
	for _, l := range r.Checklists {
		lists[l.ID] = l
	}
	progress := map[string][]Progress{}
	for _, p := range r.Progress {
		progress[p.TaskID] = append(progress[p.TaskID], p)
	}
	used := map[string]bool{} // values told with a task
	var out []models.ReportParagraph
	var order []string
	byTop := map[string][]Task{}
	for _, t := range r.Tasks {
		top := topLevel(t.Number)
		if _, ok := byTop[top]; !ok {
			order = append(order, top)
		}
		byTop[top] = append(byTop[top], t)
	}
	for _, top := range order {
		var sentences []models.ReportSentence
		heading := ""
		for _, t := range byTop[top] {
			if t.Number == top {
				heading = t.Title
			}
			if !t.Completed && len(progress[t.ID]) == 0 {
				continue
			}
			var linked []models.ReportSource
			for _, id := range t.IndicatorIDs {
				for _, v := range values[id] {
					linked = append(linked, models.SourceOf(models.SourceValue, v.ID))
				}
			}
			if t.Content != "" {
				text := t.Content
				if t.Number != top {
					text = t.Title + "：" + t.Content
				}
				sentences = append(sentences, models.ReportSentence{Text: models.SentenceOf(text), Sources: append(linked, models.SourceOf(models.SourceTask, t.ID))})
			}
			for _, id := range t.IndicatorIDs {
				for _, v := range values[id] {
					used[v.ID] = true
					if slices.Contains(models.NumbersIn(t.Content), v.Value) {
						continue // the task's content says it already
					}
					sentences = append(sentences, valueSentence(v))
				}
			}
			for _, id := range t.ChecklistIDs {
				if l, ok := lists[id]; ok {
					sentences = append(sentences, models.ReportSentence{Text: fmt.Sprintf("《%s》共%d项，涉及%d个单位，全年适用清单办理案件%d件。", l.Title, l.Items, l.Units, l.Application),
						Sources: []models.ReportSource{models.SourceOf(models.SourceChecklist, l.ID)}})
				}
			}
			for _, p := range progress[t.ID] {
				sentences = append(sentences, models.ReportSentence{Text: models.SentenceOf(p.Content), Sources: []models.ReportSource{models.SourceOf(models.SourceProgress, p.ID)}})
			}
		}
		if len(sentences) > 0 {
			out = append(out, models.ReportParagraph{Sentences: sentences, Heading: heading})
		}
	}
	// The approved values no task told, by their area.
	var areas []string
	byArea := map[string][]models.ReportSentence{}
	for _, v := range r.Values {
		if used[v.ID] {
			continue
		}
		if _, ok := byArea[v.Area]; !ok {
			areas = append(areas, v.Area)
		}
		byArea[v.Area] = append(byArea[v.Area], valueSentence(v))
	}
	for _, a := range areas {
		out = append(out, models.ReportParagraph{Heading: a, Sentences: byArea[a]})
	}
	for i := range out {
		out[i].Heading = fmt.Sprintf("（%s）%s", chineseNumber(i+1), out[i].Heading)
	}
	return out
}

// valueSentence tells an approved value in the words it was reported in,
// or as the indicator's name and the figure.
func valueSentence(v Value) models.ReportSentence {
	text := v.RawText
	if text == "" {
		text = v.IndicatorName + v.Value + v.MeasureUnit
	} else if !strings.Contains(text, v.IndicatorName) {
		text = v.IndicatorName + "：" + text
	}
	return models.ReportSentence{Text: models.SentenceOf(text), Sources: []models.ReportSource{models.SourceOf(models.SourceValue, v.ID)}}
}

func shortcomings(r Records) []models.ReportParagraph {
	if len(r.Problems) == 0 {
		return []models.ReportParagraph{}
	}
	var sentences []models.ReportSentence
	for i, p := range r.Problems {
		text := fmt.Sprintf("%s是%s。", chineseNumber(i+1), strings.TrimRight(p.Title, "。"))
		if p.Detail != "" {
			text += models.SentenceOf(p.Detail)
		}
		sentences = append(sentences, models.ReportSentence{Text: text, Sources: []models.ReportSource{models.SourceOf(models.SourceProblem, p.ID)}})
	}
	return []models.ReportParagraph{{Sentences: sentences}}
}

func nextYear(r Records) []models.ReportParagraph {
	var out []models.ReportParagraph
	for _, t := range r.NextTasks {
		if strings.Contains(t.Number, ".") {
			continue // the plan's top-level tasks say what the year is about
		}
		s := models.ReportSentence{Text: models.SentenceOf(t.Content), Sources: []models.ReportSource{models.SourceOf(models.SourceTask, t.ID)}}
		if t.Content == "" {
			s.Text = models.SentenceOf(t.Title)
		}
		out = append(out, models.ReportParagraph{Heading: fmt.Sprintf("%d.%s", len(out)+1, t.Title), Sentences: []models.ReportSentence{s}})
	}
	if out == nil {
		return []models.ReportParagraph{}
	}
	return out
}

// chineseNumber writes 1 to 99 in Chinese numerals: 一, 十, 十一, 二十一.
func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	default:
		return digits[n/10] + "十" + digits[n%10]
	}
}
