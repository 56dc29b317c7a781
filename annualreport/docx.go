package annualreport

import (
	"io"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
	"github.com/gomutex/godocx/wml/ctypes"
	"github.com/gomutex/godocx/wml/stypes"

	"github.com/fazhi/fazhi/models"
)

// The faces and sizes of official documents (GB/T 9704): the title in
// 小标宋 二号 (22 pt), the parts in 黑体 三号, the paragraph headings in 楷体
// 三号, the text in 仿宋 三号 (16 pt). A machine without them shows the
// nearest CJK face it has.
const (
	titleFace   = "方正小标宋简体"
	partFace    = "黑体"
	headingFace = "楷体"
	textFace    = "仿宋"
	titleSize   = 22
	textSize    = 16
)

// Docx writes the report as a Word document, set as official documents
// are, each part from a new page. Figures are plain text: Word has no use
// for the API's links.
func Docx(c *models.ReportContent, w io.Writer) error {
	doc, err := godocx.NewDocument()
	if err != nil {
		return err
	}
	title := doc.AddParagraph(c.Title)
	title.Justification(stypes.JustificationCenter)
	face(title, titleFace, titleSize)
	for i, s := range c.Sections {
		if i > 0 {
			doc.AddPageBreak()
		}
		face(doc.AddParagraph(s.Title), partFace, textSize)
		for _, p := range s.Paragraphs {
			if p.Heading != "" {
				face(doc.AddParagraph(p.Heading), headingFace, textSize)
			}
			text := ""
			for _, sen := range p.Sentences {
				text += sen.Text
			}
			if text == "" {
				continue
			}
			para := doc.AddParagraph(text)
			para.Indent(&ctypes.Indent{FirstLineChars: ptr(200)}) // two characters
			face(para, textFace, textSize)
		}
	}
	return doc.Write(w)
}

// face sets the face (Latin and East Asian) and size of a paragraph's runs.
func face(p *docx.Paragraph, name string, points uint64) {
	for _, child := range p.GetCT().Children {
		r := child.Run
		if r == nil {
			continue
		}
		if r.Property == nil {
			r.Property = &ctypes.RunProperty{}
		}
		r.Property.Fonts = &ctypes.RunFonts{Ascii: name, HAnsi: name, EastAsia: name}
		r.Property.Size = ctypes.NewFontSize(points * 2)
	}
}

func ptr[T any](v T) *T { return &v }
