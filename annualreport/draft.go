package annualreport

import (
	"fmt"
	"slices"
	"strings"
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
func Draft(r Records) Content {
	c := Content{Title: fmt.Sprintf("%s%d年法治政府建设年度报告", r.UnitName, r.Year)}
	c.Known = known(r)
	for _, part := range []int{PartAchievements, PartShortcomings, PartLeaders, PartNextYear, PartOther} {
		c.Sections = append(c.Sections, Section{Part: part, Title: PartTitles[part], Paragraphs: []Paragraph{}})
	}
	c.Section(PartAchievements).Paragraphs = achievements(r)
	c.Section(PartShortcomings).Paragraphs = shortcomings(r)
	c.Section(PartNextYear).Paragraphs = nextYear(r)
	Retrace(c.Sections, c.Known)
	return c
}

// known are the figures of every record drawn on.
func known(r Records) []Known {
	var out []Known
	for _, v := range r.Values {
		out = append(out, Known{Source{SourceValue, v.ID}, []string{v.Value}})
	}
	for _, t := range append(slices.Clone(r.Tasks), r.NextTasks...) {
		out = append(out, Known{Source{SourceTask, t.ID}, numbersIn(t.Title + " " + t.Content)})
	}
	for _, p := range r.Progress {
		out = append(out, Known{Source{SourceProgress, p.ID}, numbersIn(p.Content)})
	}
	for _, p := range r.Problems {
		out = append(out, Known{Source{SourceProblem, p.ID}, numbersIn(p.Title + " " + p.Detail)})
	}
	for _, l := range r.Checklists {
		out = append(out, Known{Source{SourceChecklist, l.ID}, []string{fmt.Sprint(l.Items), fmt.Sprint(l.Units), fmt.Sprint(l.Application)}})
	}
	return out
}

// topLevel is the top-level number of a task number: "3" of "3.2".
func topLevel(number string) string {
	top, _, _ := strings.Cut(number, ".")
	return top
}

func achievements(r Records) []Paragraph {
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
	var out []Paragraph
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
		var sentences []Sentence
		heading := ""
		for _, t := range byTop[top] {
			if t.Number == top {
				heading = t.Title
			}
			if !t.Completed && len(progress[t.ID]) == 0 {
				continue
			}
			var linked []Source
			for _, id := range t.IndicatorIDs {
				for _, v := range values[id] {
					linked = append(linked, Source{SourceValue, v.ID})
				}
			}
			if t.Content != "" {
				text := t.Content
				if t.Number != top {
					text = t.Title + "：" + t.Content
				}
				sentences = append(sentences, Sentence{Text: sentenceOf(text), Sources: append(linked, Source{SourceTask, t.ID})})
			}
			for _, id := range t.IndicatorIDs {
				for _, v := range values[id] {
					used[v.ID] = true
					if v.RawText != "" && strings.Contains(t.Content, v.RawText) {
						continue // the task's content says it already
					}
					sentences = append(sentences, valueSentence(v))
				}
			}
			for _, id := range t.ChecklistIDs {
				if l, ok := lists[id]; ok {
					sentences = append(sentences, Sentence{Text: fmt.Sprintf("《%s》共%d项，涉及%d个单位，全年适用清单办理案件%d件。", l.Title, l.Items, l.Units, l.Application),
						Sources: []Source{{SourceChecklist, l.ID}}})
				}
			}
			for _, p := range progress[t.ID] {
				sentences = append(sentences, Sentence{Text: sentenceOf(p.Content), Sources: []Source{{SourceProgress, p.ID}}})
			}
		}
		if len(sentences) > 0 {
			out = append(out, Paragraph{Sentences: sentences, Heading: heading})
		}
	}
	// The approved values no task told, by their area.
	var areas []string
	byArea := map[string][]Sentence{}
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
		out = append(out, Paragraph{Heading: a, Sentences: byArea[a]})
	}
	for i := range out {
		out[i].Heading = fmt.Sprintf("（%s）%s", chineseNumber(i+1), out[i].Heading)
	}
	return out
}

// valueSentence tells an approved value in the words it was reported in,
// or as the indicator's name and the figure.
func valueSentence(v Value) Sentence {
	text := v.RawText
	if text == "" {
		text = v.IndicatorName + v.Value + v.MeasureUnit
	} else if !strings.Contains(text, v.IndicatorName) {
		text = v.IndicatorName + "：" + text
	}
	return Sentence{Text: sentenceOf(text), Sources: []Source{{SourceValue, v.ID}}}
}

func shortcomings(r Records) []Paragraph {
	if len(r.Problems) == 0 {
		return []Paragraph{}
	}
	var sentences []Sentence
	for i, p := range r.Problems {
		text := fmt.Sprintf("%s是%s。", chineseNumber(i+1), strings.TrimRight(p.Title, "。"))
		if p.Detail != "" {
			text += sentenceOf(p.Detail)
		}
		sentences = append(sentences, Sentence{Text: text, Sources: []Source{{SourceProblem, p.ID}}})
	}
	return []Paragraph{{Sentences: sentences}}
}

func nextYear(r Records) []Paragraph {
	var out []Paragraph
	for _, t := range r.NextTasks {
		if strings.Contains(t.Number, ".") {
			continue // the plan's top-level tasks say what the year is about
		}
		s := Sentence{Text: sentenceOf(t.Content), Sources: []Source{{SourceTask, t.ID}}}
		if t.Content == "" {
			s.Text = sentenceOf(t.Title)
		}
		out = append(out, Paragraph{Heading: fmt.Sprintf("%d.%s", len(out)+1, t.Title), Sentences: []Sentence{s}})
	}
	if out == nil {
		return []Paragraph{}
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
