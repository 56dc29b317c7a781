package models

import (
	"regexp"
	"strings"

	"github.com/fazhi/fazhi/exact"
)

// The text of an annual report (法治政府建设年度报告), as package annualreport
// drafts it and the office rewrites it: the five statutory parts, each
// sentence with the records it came from and each figure traced to the
// record that holds it. Tracing is the report's rule, so it lives here with
// the record; drafting and rendering are package annualreport's.

// The five statutory parts, in the order of the 2019 regulation
// (《法治政府建设与责任落实督察工作规定》).
const (
	ReportPartAchievements = 1 // 一、主要举措和成效
	ReportPartShortcomings = 2 // 二、存在的不足和原因
	ReportPartLeaders      = 3 // 三、党政主要负责人履行推进法治建设第一责任人职责情况
	ReportPartNextYear     = 4 // 四、下一年度主要安排
	ReportPartOther        = 5 // 五、其他
)

// ReportPartTitles are the headings of the five parts, as official documents
// write them.
var ReportPartTitles = map[int]string{
	ReportPartAchievements: "一、主要举措和成效",
	ReportPartShortcomings: "二、存在的不足和原因",
	ReportPartLeaders:      "三、党政主要负责人履行推进法治建设第一责任人职责情况",
	ReportPartNextYear:     "四、下一年度主要安排",
	ReportPartOther:        "五、其他",
}

// ReportSource names a record a sentence or a figure came from.
type ReportSource struct {
	Type string `json:"type"` // SourceTask, SourceValue, SourceProgress, SourceProblem, SourceChecklist
	ID   string `json:"id"`
}

// The kinds of record a report draws on.
const (
	SourceTask      = "plan_task"
	SourceValue     = "indicator_value"
	SourceProgress  = "progress_report"
	SourceProblem   = "problem"
	SourceChecklist = "checklist"
)

// SourceOf names the record of a kind (SourceTask …) with the id.
func SourceOf(kind, id string) ReportSource { return ReportSource{Type: kind, ID: id} }

// ReportFigure is a number written in a sentence: as written ("4000余万"), its
// value (40000000), and the record it is traced to; none when it matches
// no record the sentence draws on: typed by hand.
type ReportFigure struct {
	Text   string        `json:"text"`
	Value  string        `json:"value"`
	Source *ReportSource `json:"source,omitempty"`
}

// ReportSentence is one sentence of the report with the records it came from
// and the figures in it.
type ReportSentence struct {
	Text    string         `json:"text"`
	Sources []ReportSource `json:"sources"`
	Figures []ReportFigure `json:"figures"`
}

// ReportParagraph is a run of sentences, under a heading of its own in part one
// (a section of the plan) and part four (a task of next year's plan).
type ReportParagraph struct {
	Heading   string           `json:"heading,omitempty"`
	Sentences []ReportSentence `json:"sentences"`
}

// ReportSection is one of the five parts.
type ReportSection struct {
	Part       int               `json:"part"`
	Title      string            `json:"title"`
	Paragraphs []ReportParagraph `json:"paragraphs"`
}

// KnownFigures is what one record says in numbers: the values a figure traced to
// it may have. Drafting records them, so that a sentence rewritten later is
// traced against the records as they were drafted from.
type KnownFigures struct {
	Source ReportSource `json:"source"`
	Values []string     `json:"values"`
}

// ReportContent is a report's text: its title, the five parts, and the known
// figures of the records it drew on.
type ReportContent struct {
	Title    string          `json:"title"`
	Sections []ReportSection `json:"sections"`
	Known    []KnownFigures  `json:"known"`
	// Chart are the bars of the chart of indicator attainment, as the
	// records stood when the report was drafted.
	Chart []ReportBar `json:"chart,omitempty"`
}

// ReportBar is one indicator of the chart of attainment: its approved
// value in per cent and, when one was set, its target of the year.
type ReportBar struct {
	Label  string       `json:"label"`
	Value  string       `json:"value"`
	Target string       `json:"target,omitempty"`
	Source ReportSource `json:"source"`
}

// FigurePattern finds figures: digits with an optional fraction, and the
// 余 and 万 or 亿 that may follow (4000余万 is 40000000 and more).
var FigurePattern = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)(余)?(万|亿)?`)

// figureValues are the values a figure written s may stand for: the number
// as written and, with 万 or 亿, scaled (119.47万元 is 119.47 of an
// indicator counted in 万元, 4000余万条 is 40000000 of one counted in 条).
func figureValues(m []string) []exact.Decimal {
	d, err := exact.Parse(m[1])
	if err != nil {
		return nil
	}
	out := []exact.Decimal{d}
	switch m[3] {
	case "万":
		out = append(out, d.Mul(exact.FromInt(10000)))
	case "亿":
		out = append(out, d.Mul(exact.FromInt(100000000)))
	}
	return out
}

// TraceFigures finds the figures of text and traces each to the first of the
// sentence's sources whose known values hold it; known is every record's.
// A figure no source holds is untraced.
func TraceFigures(text string, sources []ReportSource, known []KnownFigures) []ReportFigure {
	values := map[ReportSource][]exact.Decimal{}
	for _, k := range known {
		for _, v := range k.Values {
			if d, err := exact.Parse(v); err == nil {
				values[k.Source] = append(values[k.Source], d)
			}
		}
	}
	figures := []ReportFigure{}
	for _, m := range FigurePattern.FindAllStringSubmatch(text, -1) {
		candidates := figureValues(m)
		if len(candidates) == 0 {
			continue
		}
		f := ReportFigure{Text: m[0], Value: candidates[len(candidates)-1].String()}
	sources:
		for _, s := range sources {
			for _, v := range values[s] {
				for _, c := range candidates {
					if c.Cmp(v) == 0 {
						src := s
						f.Source, f.Value = &src, c.String()
						break sources
					}
				}
			}
		}
		figures = append(figures, f)
	}
	return figures
}

// NumbersIn are the figures written in a record's text, as the values a
// sentence copied from it may carry.
func NumbersIn(text string) []string {
	var out []string
	for _, m := range FigurePattern.FindAllStringSubmatch(text, -1) {
		for _, d := range figureValues(m) {
			out = append(out, d.String())
		}
	}
	return out
}

// RetraceFigures traces every sentence of sections again against the known
// figures: what an edit of the prose goes through.
func RetraceFigures(sections []ReportSection, known []KnownFigures) {
	for i := range sections {
		for j := range sections[i].Paragraphs {
			p := &sections[i].Paragraphs[j]
			for k := range p.Sentences {
				s := &p.Sentences[k]
				if s.Sources == nil {
					s.Sources = []ReportSource{}
				}
				s.Figures = TraceFigures(s.Text, s.Sources, known)
			}
		}
	}
}

// Untraced lists the figures of the content that no record holds: what the
// office checks before signing the report off.
func (c *ReportContent) Untraced() []ReportFigure {
	var out []ReportFigure
	for _, s := range c.Sections {
		for _, p := range s.Paragraphs {
			for _, sen := range p.Sentences {
				for _, f := range sen.Figures {
					if f.Source == nil {
						out = append(out, f)
					}
				}
			}
		}
	}
	return out
}

// Section returns the part numbered part, or nil.
func (c *ReportContent) Section(part int) *ReportSection {
	for i := range c.Sections {
		if c.Sections[i].Part == part {
			return &c.Sections[i]
		}
	}
	return nil
}

// sentenceEnd is what a sentence ends with; one without gets a 。.
func SentenceOf(text string) string {
	text = strings.TrimSpace(text)
	if text == "" || strings.HasSuffix(text, "。") || strings.HasSuffix(text, "！") || strings.HasSuffix(text, "？") {
		return text
	}
	return strings.TrimRight(text, "，；、,;") + "。"
}
