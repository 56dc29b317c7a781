package annualreport

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/models"
)

// sampleContent is a draft of a small year's records.
func sampleContent() models.ReportContent {
	return Draft(Records{
		UnitName: "盘锦市", Year: 2021,
		Tasks:     []Task{{ID: "t1", Number: "1", Title: "推行柔性执法", Content: "制定柔性执法事项清单，涵盖24个执法部门共计854项。", Completed: true}},
		Values:    []Value{{ID: "v1", IndicatorID: "i1", IndicatorName: "全程网办率", Area: "依法全面履行政府职能", Value: "70", MeasureUnit: "%", RawText: "全程网办率提高至70%以上", Target: "65"}},
		Problems:  []Problem{{ID: "p1", Title: "法治意识还需要提高", Detail: "出庭应诉率较低。"}},
		NextTasks: []Task{{ID: "n1", Number: "1", Title: "强化法治建设组织保障", Content: "发挥委员会牵头抓总作用。"}},
	})
}

func TestDocx(t *testing.T) {
	c := sampleContent()
	var buf bytes.Buffer
	if err := Docx(&c, &buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var body string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			body = string(b)
		}
	}
	for _, want := range []string{"盘锦市2021年法治政府建设年度报告", "一、主要举措和成效", "二、存在的不足和原因",
		"三、党政主要负责人履行推进法治建设第一责任人职责情况", "四、下一年度主要安排", "五、其他",
		`w:eastAsia="仿宋"`, `w:eastAsia="黑体"`, "854"} {
		if !strings.Contains(body, want) {
			t.Errorf("word/document.xml lacks %s", want)
		}
	}
	if n := strings.Count(body, `w:type="page"`); n != 4 {
		t.Errorf("%d page breaks, want one before each part after the first", n)
	}
}

// TestDocxInLibreOffice turns the Word document into a PDF with LibreOffice
// and reads the five parts' headings back out of it with pdftotext: the
// document opens in an office suite and its Chinese is set. CI installs
// both (.ci/install-office); elsewhere the test says what is missing.
func TestDocxInLibreOffice(t *testing.T) {
	for _, tool := range []string{"soffice", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing: with CI=true the document test must run (.ci/install-office installs it)", tool)
			}
			t.Skipf("%s is missing: skipping the document test (run .ci/install-office)", tool)
		}
	}
	dir := t.TempDir()
	c := sampleContent()
	var buf bytes.Buffer
	if err := Docx(&c, &buf); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "report.docx")
	if err := os.WriteFile(doc, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// A profile of its own, so that a LibreOffice already running elsewhere
	// does not take the conversion.
	convert := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, doc)
	if out, err := convert.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "report.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for part := models.ReportPartAchievements; part <= models.ReportPartOther; part++ {
		if !strings.Contains(string(text), models.ReportPartTitles[part]) {
			t.Errorf("the PDF lacks the heading %s:\n%s", models.ReportPartTitles[part], text)
		}
	}
}
