package annualreport

import (
	"fmt"
	"html"
	"strings"

	"github.com/fazhi/fazhi/models"
)

// recordPaths are where the API serves each kind of record a figure is
// traced to, below its base path.
var recordPaths = map[string]string{
	models.SourceValue:     "/indicator-values/",
	models.SourceTask:      "/plan-tasks/",
	models.SourceProgress:  "/progress-reports/",
	models.SourceProblem:   "/problems/",
	models.SourceChecklist: "/checklists/",
}

// RecordPath is the path of a source's record below the API's base path.
func RecordPath(s models.ReportSource) string { return recordPaths[s.Type] + s.ID }

// Markdown renders the report as Markdown: the title, the five parts as
// second-level headings, their paragraphs' headings as third-level ones,
// and each paragraph's sentences run together, as official prose is.
func Markdown(c *models.ReportContent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", c.Title)
	for _, s := range c.Sections {
		fmt.Fprintf(&b, "\n## %s\n", s.Title)
		for _, p := range s.Paragraphs {
			if p.Heading != "" {
				fmt.Fprintf(&b, "\n### %s\n", p.Heading)
			}
			var text strings.Builder
			for _, sen := range p.Sentences {
				text.WriteString(sen.Text)
			}
			if text.Len() > 0 {
				fmt.Fprintf(&b, "\n%s\n", text.String())
			}
		}
	}
	return b.String()
}

// htmlStyle sets the report as official documents are set (GB/T 9704):
// the title in a song face, part headings in hei, paragraph headings in
// kai, the text in fangsong, each part from a new page when printed.
const htmlStyle = `@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 0 auto; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; }
h3 { font-family: "KaiTi", "楷体", "STKaiti", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; }
p { text-indent: 2em; margin: 0; text-align: justify; }
a.figure { color: inherit; text-decoration: underline dotted; }
mark.untraced { background: #fff3b0; }
section.part { break-before: page; }
section.part:first-of-type { break-before: auto; }
figure { margin: 1em 0; text-align: center; }
svg.chart text { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; }
@media screen { body { padding: 2em; } }`

// HTML renders the report as a print-ready HTML page: every traced figure
// links to its record under base (the API's base path), every untraced one
// is marked.
func HTML(c *models.ReportContent, base string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n", html.EscapeString(c.Title), htmlStyle)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", html.EscapeString(c.Title))
	for _, s := range c.Sections {
		fmt.Fprintf(&b, "<section class=\"part\" id=\"part-%d\">\n<h2>%s</h2>\n", s.Part, html.EscapeString(s.Title))
		for _, p := range s.Paragraphs {
			if p.Heading != "" {
				fmt.Fprintf(&b, "<h3>%s</h3>\n", html.EscapeString(p.Heading))
			}
			b.WriteString("<p>")
			for _, sen := range p.Sentences {
				b.WriteString(sentenceHTML(sen, base))
			}
			b.WriteString("</p>\n")
		}
		if s.Part == models.ReportPartAchievements {
			fmt.Fprintf(&b, "<figure>%s</figure>\n", chartSVG("主要指标完成情况", c.Chart))
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// sentenceHTML is a sentence with its figures linked or marked: the i-th
// figure is the i-th number models.TraceFigures found in the text.
func sentenceHTML(s models.ReportSentence, base string) string {
	var b strings.Builder
	at := 0
	for i, loc := range models.FigurePattern.FindAllStringIndex(s.Text, -1) {
		b.WriteString(html.EscapeString(s.Text[at:loc[0]]))
		text := html.EscapeString(s.Text[loc[0]:loc[1]])
		switch {
		case i >= len(s.Figures):
			b.WriteString(text)
		case s.Figures[i].Source != nil:
			src := s.Figures[i].Source
			fmt.Fprintf(&b, `<a class="figure" href="%s" data-source-type="%s">%s</a>`,
				html.EscapeString(base+RecordPath(*src)), html.EscapeString(src.Type), text)
		default:
			fmt.Fprintf(&b, `<mark class="untraced" title="未关联数据来源">%s</mark>`, text)
		}
		at = loc[1]
	}
	b.WriteString(html.EscapeString(s.Text[at:]))
	return b.String()
}
