package filetype_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/filetype"
)

// zipOf builds a ZIP archive of the named files, stored uncompressed.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

// docx is a minimal Word document, with extra parts.
func docx(t *testing.T, extra map[string][]byte) []byte {
	t.Helper()
	files := map[string][]byte{
		"[Content_Types].xml": []byte(contentTypesXML),
		"_rels/.rels":         []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`),
		"word/document.xml":   []byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>辽事通注册统计</w:t></w:r></w:p></w:body></w:document>`),
	}
	for k, v := range extra {
		files[k] = v
	}
	return zipOf(t, files)
}

func xlsx(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "行政复议案件"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegOf(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func random(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestAccepted(t *testing.T) {
	bigText := strings.Repeat("盘锦市法治政府建设年度报告，第一部分。\n", 50000) // ~1.5 MB
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte(pdf), filetype.PDF},
		{"png", pngOf(t), filetype.PNG},
		{"jpeg", jpegOf(t), filetype.JPEG},
		{"text", []byte("2021年度辽事通注册人数：58.10万\r\n\t备注\n"), filetype.Text},
		{"text with a BOM", []byte("\xEF\xBB\xBF说明"), filetype.Text},
		{"one ASCII byte", []byte("x"), filetype.Text},
		{"large text", []byte(bigText), filetype.Text},
		{"docx", docx(t, nil), filetype.DOCX},
		{"large docx, directory far from the start", docx(t, map[string][]byte{"word/media/image1.bin": random(3 << 20)}), filetype.DOCX},
		{"xlsx made by excelize", xlsx(t), filetype.XLSX},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := filetype.Detect(c.data)
			if err != nil || got != c.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, c.want)
			}
			// Written in pieces of every size, the answer is the same.
			for _, chunk := range []int{1, 3, 7, 511, 4096, 32 << 10} {
				if chunk == 1 && len(c.data) > 100000 {
					continue
				}
				var s filetype.Sniffer
				for rest := c.data; len(rest) > 0; {
					n := min(chunk, len(rest))
					if k, err := s.Write(rest[:n]); k != n || err != nil {
						t.Fatalf("Write = %d, %v", k, err)
					}
					rest = rest[n:]
				}
				if s.Size() != int64(len(c.data)) {
					t.Errorf("Size = %d, want %d", s.Size(), len(c.data))
				}
				if got, err := s.Type(); err != nil || got != c.want {
					t.Errorf("in pieces of %d: Type = %q, %v; want %q", chunk, got, err, c.want)
				}
			}
		})
	}
}

func TestRefused(t *testing.T) {
	var manyEntries = map[string][]byte{"[Content_Types].xml": []byte(contentTypesXML)}
	for i := range 4000 {
		manyEntries[fmt.Sprintf("word/media/a-rather-long-name-for-an-embedded-image-number-%06d.png", i)] = nil
	}
	gbk := []byte{0xB7, 0xA8, 0xD6, 0xCE, 0xD5, 0xFE, 0xB8, 0xAE} // 法治政府 in GBK
	for _, c := range []struct {
		name  string
		data  []byte
		found string
	}{
		{"empty", nil, "empty"},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "HTML"},
		{"html after blanks", []byte("\n\n  <html><p>报告</p></html>"), "HTML"},
		{"a script", []byte("<script>document.cookie</script>"), "HTML"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "text/xml"},
		{"windows executable", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), random(2000)...), "not recognised"},
		{"elf executable", append([]byte("\x7fELF\x02\x01\x01\x00"), random(2000)...), "not recognised"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif"},
		{"gbk text", gbk, "not UTF-8"},
		{"utf-16 text", []byte("\xFF\xFEx\x00y\x00"), "not UTF-8"},
		{"text with a NUL after the sniffed start", append([]byte(strings.Repeat("a", 600)), 0, 'b'), "not UTF-8"},
		{"text with invalid UTF-8 at the end", append([]byte(strings.Repeat("说明", 300)), 0xE8, 0xAA), "not UTF-8"},
		{"a plain zip", zipOf(t, map[string][]byte{"a.txt": []byte("x")}), "not a Word or Excel"},
		{"a zip with word/ but no content types", zipOf(t, map[string][]byte{"word/document.xml": []byte("x")}), "not a Word or Excel"},
		{"powerpoint", zipOf(t, map[string][]byte{"[Content_Types].xml": []byte(contentTypesXML), "ppt/presentation.xml": []byte("x")}), "not a Word or Excel"},
		{"macro-enabled word", docx(t, map[string][]byte{"word/vbaProject.bin": random(100)}), "macros"},
		{"a truncated docx", docx(t, nil)[:300], "damaged"},
		{"a zip whose directory is too large to inspect", zipOf(t, manyEntries), "damaged ZIP archive, or one too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := filetype.Detect(c.data)
			if err == nil {
				t.Fatalf("Detect = %q, want a refusal", got)
			}
			var ue *filetype.UnsupportedError
			if !errors.Is(err, filetype.ErrUnsupported) || !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) does not match ErrUnsupported", err, err)
			}
			if !strings.Contains(ue.Found, c.found) {
				t.Errorf("Found = %q, want it to mention %q", ue.Found, c.found)
			}
			if !strings.Contains(err.Error(), filetype.Accepted) {
				t.Errorf("message %q does not say what is accepted", err)
			}
		})
	}
}
