package server_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

func attachmentsPath(valueID string) string { return valuesPath + "/" + valueID + "/attachments" }

func contentPath(attachmentID string) string {
	return "/api/v1/attachments/" + attachmentID + "/content"
}

// part is one part of a multipart body; a file when filename is set.
// disposition, when set, is the whole Content-Disposition header.
type part struct {
	field, filename, contentType, disposition string
	data                                      []byte
}

// multipartOf builds a multipart/form-data body of the parts.
func multipartOf(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := fmt.Sprintf(`form-data; name="%s"`, p.field)
		if p.filename != "" {
			cd += fmt.Sprintf(`; filename="%s"`, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p.filename))
		}
		if p.disposition != "" {
			cd = p.disposition
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err == nil {
			_, err = pw.Write(p.data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// upload sends one file as who.
func (h *harness) upload(t *testing.T, valueID, filename string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	ct, body := multipartOf(t, part{field: "file", filename: filename, contentType: "application/octet-stream", data: data})
	return h.Do(apitest.Request{Method: http.MethodPost, Path: attachmentsPath(valueID), Body: body, ContentType: ct, Header: who})
}

// mustUpload uploads and expects 201 with the attachment, its Location, and
// its size and SHA-256 those of data.
func (h *harness) mustUpload(t *testing.T, valueID, filename string, data []byte, who map[string]string) api.Attachment {
	t.Helper()
	resp := h.upload(t, valueID, filename, data, who)
	expect(t, resp, http.StatusCreated, "")
	var a api.Attachment
	resp.JSON(t, &a)
	if got, want := resp.Header.Get("Location"), contentPath(a.Id.String()); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	sum := sha256.Sum256(data)
	if a.Size != int64(len(data)) || a.Sha256 != hex.EncodeToString(sum[:]) || a.Filename != filename || a.ValueId.String() != valueID {
		t.Errorf("uploaded %q (%d bytes): %+v", filename, len(data), a)
	}
	return a
}

// listAttachments reads every page of a value's attachments as who.
func (h *harness) listAttachments(t *testing.T, valueID string, who map[string]string, limit int) []api.Attachment {
	t.Helper()
	return listAll[api.Attachment](t, h, attachmentsPath(valueID), who, nil, limit)
}

// mustDownload reads an attachment's file as who, expecting 200 with the
// name in Content-Disposition and the SHA-256 in Digest.
func (h *harness) mustDownload(t *testing.T, a api.Attachment, who map[string]string) []byte {
	t.Helper()
	resp := h.Get(contentPath(a.Id.String()), who)
	expect(t, resp, http.StatusOK, "")
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got, want := resp.Header.Get("Content-Length"), fmt.Sprint(a.Size); got != want {
		t.Errorf("Content-Length %q, want %q", got, want)
	}
	sum, _ := hex.DecodeString(a.Sha256)
	if got, want := resp.Header.Get("Digest"), "sha-256="+base64.StdEncoding.EncodeToString(sum); got != want {
		t.Errorf("Digest %q, want %q", got, want)
	}
	disposition, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disposition != "attachment" || params["filename"] != a.Filename {
		t.Errorf("Content-Disposition %q reads as %q %q (%v), want the name %q",
			resp.Header.Get("Content-Disposition"), disposition, params["filename"], err, a.Filename)
	}
	return resp.Body
}

// valueMaker reports draft values of the fixture town, one period each, on a
// monthly indicator of a system of its own.
type valueMaker struct {
	h     *harness
	ind   api.Indicator
	month int
}

func newValueMaker(t *testing.T, h *harness) *valueMaker {
	t.Helper()
	_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"frequency": "month", "name": "佐证测试"}))
	return &valueMaker{h: h, ind: inds[0]}
}

func (m *valueMaker) draft(t *testing.T) api.IndicatorValue {
	t.Helper()
	m.month++
	if m.month > 24 {
		t.Fatal("valueMaker: out of periods")
	}
	period := fmt.Sprintf("%d-%02d", 2021+(m.month-1)/12, (m.month-1)%12+1)
	return m.h.report(t, m.h.as("reporter"), valueBody(m.ind, m.h.fx.town, period, "1", nil))
}

// Small files of every accepted kind, made here.

var testPDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 3))
	img.Set(1, 1, color.RGBA{B: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testZip is a ZIP archive of the files, stored uncompressed.
func testZip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err == nil {
			_, err = f.Write(files[name])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testDOCX is a minimal Word document, with extra parts.
func testDOCX(t *testing.T, extra map[string][]byte) []byte {
	t.Helper()
	files := map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`),
		"_rels/.rels":         []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`),
		"word/document.xml":   []byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`),
	}
	for k, v := range extra {
		files[k] = v
	}
	return testZip(t, files)
}

func testXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "行政执法案件数"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// filesIn counts the entries of a directory (temporary files included).
func filesIn(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// Each accepted kind is uploaded, judged by its content whatever its name, and
// comes back byte for byte; the list shows them oldest first with their sizes
// and SHA-256; each upload is an audit event.
func TestUploadEachAcceptedKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		dir := t.TempDir()
		h := newHarness(t, db, server.Config{AttachmentDir: dir})
		v := newValueMaker(t, h).draft(t)
		reporter := h.as("reporter")
		files := []struct {
			name, contentType string
			data              []byte
		}{
			{"辽事通注册统计.pdf", "application/pdf", testPDF},
			{"现场照片.png", "image/png", testPNG(t)},
			{"扫描件.JPG", "image/jpeg", testJPEG(t)},
			{"说明.txt", "text/plain", []byte("2021年共受理行政复议案件58件。\n")},
			{"工作报告.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", testDOCX(t, nil)},
			{"统计表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", testXLSX(t)},
			// The name says nothing: a PNG called .pdf is a PNG.
			{"其实是图片.pdf", "image/png", testPNG(t)},
			// Larger than the body limit (16K in tests): uploads have their own.
			{"附件 (2).docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				testDOCX(t, map[string][]byte{"word/media/image1.png": randomBytes(40 << 10)})},
		}
		var made []api.Attachment
		for _, f := range files {
			a := h.mustUpload(t, v.Id.String(), f.name, f.data, reporter)
			if a.ContentType != f.contentType || who(&a.CreatedBy) != "user:"+h.fx.users["reporter"].ID {
				t.Errorf("%s: content type %q, created by %q", f.name, a.ContentType, who(&a.CreatedBy))
			}
			made = append(made, a)
		}
		if n := filesIn(t, dir); n != len(files) {
			t.Errorf("the attachment directory holds %d files, want %d", n, len(files))
		}

		// The viewer of the town lists them, oldest first, and downloads them.
		viewer := h.as("viewer")
		listed := h.listAttachments(t, v.Id.String(), viewer, 3)
		if len(listed) != len(made) {
			t.Fatalf("listed %d attachments, want %d", len(listed), len(made))
		}
		for i, a := range listed {
			if !reflect.DeepEqual(a, made[i]) {
				t.Errorf("item %d: %+v, want %+v", i, a, made[i])
			}
			if got := h.mustDownload(t, a, viewer); !bytes.Equal(got, files[i].data) {
				t.Errorf("%s: downloaded %d bytes, not the %d uploaded", a.Filename, len(got), len(files[i].data))
			}
			sum := sha256.Sum256(files[i].data)
			if a.Sha256 != hex.EncodeToString(sum[:]) || a.Size != int64(len(files[i].data)) {
				t.Errorf("%s: listed with size %d and sha256 %s", a.Filename, a.Size, a.Sha256)
			}
		}

		// One audit event each, under the town.
		for _, a := range made {
			events := h.auditEvents(t, "admin", url.Values{"entityType": {"attachment"}, "entityId": {a.Id.String()}})
			if len(events) != 1 || events[0].Operation != "uploadValueAttachment" || events[0].UnitId == nil ||
				events[0].UnitId.String() != h.fx.town {
				t.Errorf("audit events of %s: %+v", a.Filename, events)
			}
		}

		// A cursor belongs to its value's list.
		resp := h.Get(attachmentsPath(v.Id.String())+"?limit=1", viewer)
		expect(t, resp, http.StatusOK, "")
		var page api.AttachmentPage
		resp.JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no nextCursor on a page of 1 of 8")
		}
		other := h.Get(attachmentsPath(h.fx.value)+"?cursor="+url.QueryEscape(*page.NextCursor), viewer)
		expect(t, other, http.StatusBadRequest, "invalid_cursor")
	})
}

// Files of other kinds are refused with 415, whatever they are called, and
// leave nothing behind; a body that is not one file is a 400.
func TestUploadRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		dir := t.TempDir()
		h := newHarness(t, db, server.Config{AttachmentDir: dir})
		v := newValueMaker(t, h).draft(t)
		id, reporter := v.Id.String(), h.as("reporter")
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"), randomBytes(3000)...)
		for _, f := range []struct {
			name  string
			data  []byte
			found string
		}{
			{"报告.html", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), "HTML"},
			{"报告.pdf", []byte("<html><body>不是PDF</body></html>"), "HTML"},
			{"统计表.pdf", exe, "not recognised"},
			{"setup.exe", exe, "not recognised"},
			{"材料.zip", testZip(t, map[string][]byte{"a.txt": []byte("x")}), "ZIP archive"},
			{"带宏.docx", testDOCX(t, map[string][]byte{"word/vbaProject.bin": randomBytes(64)}), "macros"},
			{"说明.txt", []byte{0xB7, 0xA8, 0xD6, 0xCE, 0xD5, 0xFE, 0xB8, 0xAE}, "not UTF-8"}, // GBK
			{"空.txt", nil, "empty"},
		} {
			resp := h.upload(t, id, f.name, f.data, reporter)
			expect(t, resp, http.StatusUnsupportedMediaType, "unsupported_media_type")
			if p := resp.Problem(t); !strings.Contains(p.Detail, f.found) || !strings.Contains(p.Detail, "PDF, PNG, JPEG") {
				t.Errorf("%s: detail %q, want it to say %q and what is accepted", f.name, p.Detail, f.found)
			}
		}

		do := func(ct string, body []byte) *apitest.Response {
			return h.Do(apitest.Request{Method: http.MethodPost, Path: attachmentsPath(id), Body: body, ContentType: ct, Header: reporter})
		}
		pointerOf := func(resp *apitest.Response) string {
			p := resp.Problem(t)
			if len(p.Errors) != 1 {
				t.Fatalf("errors %+v, want one; body %s", p.Errors, resp.Body)
			}
			return p.Errors[0].Pointer
		}
		// Not multipart at all.
		expect(t, do("application/pdf", testPDF), http.StatusUnsupportedMediaType, "unsupported_media_type")
		expect(t, do("multipart/form-data", testPDF), http.StatusUnsupportedMediaType, "unsupported_media_type") // no boundary
		// No file part, another part, a part without a file name, two files.
		for _, c := range []struct {
			name    string
			parts   []part
			pointer string
		}{
			{"no part", nil, "/file"},
			{"another field", []part{{field: "comment", data: []byte("x")}}, "/comment"},
			{"a field named file", []part{{field: "file", data: testPDF}}, "/file"},
			{"two files", []part{{field: "file", filename: "a.pdf", data: testPDF}, {field: "file", filename: "b.pdf", data: testPDF}}, "/file"},
			{"a file and a field", []part{{field: "file", filename: "a.pdf", data: testPDF}, {field: "note", data: []byte("x")}}, "/note"},
			{"a name of 256 characters", []part{{field: "file", filename: strings.Repeat("报", 252) + ".pdf", data: testPDF}}, "/file"},
			{"a name with a control character", []part{{field: "file", disposition: `form-data; name="file"; filename*=UTF-8''a%01b.pdf`, data: testPDF}}, "/file"},
			{"a name that is not UTF-8", []part{{field: "file", disposition: `form-data; name="file"; filename*=UTF-8''a%FFb.pdf`, data: testPDF}}, "/file"},
		} {
			ct, body := multipartOf(t, c.parts...)
			resp := do(ct, body)
			expect(t, resp, http.StatusBadRequest, "invalid_request")
			if got := pointerOf(resp); got != c.pointer {
				t.Errorf("%s: pointer %q, want %q", c.name, got, c.pointer)
			}
		}
		// Cut short.
		ct, body := multipartOf(t, part{field: "file", filename: "a.pdf", data: testPDF})
		expect(t, do(ct, body[:len(body)-20]), http.StatusBadRequest, "invalid_request")

		if n := filesIn(t, dir); n != 0 {
			t.Errorf("the attachment directory holds %d files after refusals", n)
		}
		if got := h.listAttachments(t, id, reporter, 10); len(got) != 0 {
			t.Errorf("refused uploads are listed: %+v", got)
		}
		// A name of 255 characters comes back whole in the download's header.
		long := strings.Repeat("报", 251) + ".pdf"
		a := h.mustUpload(t, id, long, testPDF, reporter)
		resp := h.Get(contentPath(a.Id.String()), reporter)
		expect(t, resp, http.StatusOK, "")
		cd := resp.Header.Get("Content-Disposition")
		_, params, err := mime.ParseMediaType(cd)
		if err != nil || len(cd) > 2400 || params["filename"] != long {
			t.Errorf("Content-Disposition %q (%d bytes) names %q", cd, len(cd), params["filename"])
		}
	})
}

// The file's name travels back in Content-Disposition: as it was, in
// filename* (RFC 5987), with an ASCII stand-in in filename.
func TestDownloadNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		v := newValueMaker(t, h).draft(t)
		for _, c := range []struct{ name, fallback string }{
			{"report 2021.pdf", `filename="report 2021.pdf"`},
			{"辽事通注册统计.pdf", `filename="attachment.pdf"`},
			{`say "hi"; x=1.pdf`, `filename="attachment.pdf"`},
			{"100%_sure.pdf", `filename="100%_sure.pdf"`},
		} {
			a := h.mustUpload(t, v.Id.String(), c.name, testPDF, h.as("reporter"))
			resp := h.Get(contentPath(a.Id.String()), h.as("viewer"))
			expect(t, resp, http.StatusOK, "")
			cd := resp.Header.Get("Content-Disposition")
			if !strings.HasPrefix(cd, "attachment; "+c.fallback+"; filename*=UTF-8''") {
				t.Errorf("%s: Content-Disposition %q", c.name, cd)
			}
			h.mustDownload(t, a, h.as("viewer"))
		}
	})
}

// A file over the attachment limit is a 413, and nothing of it is kept.
func TestUploadOverTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		dir := t.TempDir()
		h := newHarness(t, db, server.Config{AttachmentDir: dir, AttachmentLimit: 1000})
		v := newValueMaker(t, h).draft(t)
		id, reporter := v.Id.String(), h.as("reporter")
		h.mustUpload(t, id, "刚好.txt", bytes.Repeat([]byte("x"), 1000), reporter)
		resp := h.upload(t, id, "太大.txt", bytes.Repeat([]byte("x"), 1001), reporter)
		expect(t, resp, http.StatusRequestEntityTooLarge, "payload_too_large")
		if p := resp.Problem(t); !strings.Contains(p.Detail, "1000 bytes") {
			t.Errorf("detail %q does not say the limit", p.Detail)
		}
		// A body far past the limit is refused by its length, before anything is read.
		ct, body := multipartOf(t, part{field: "file", filename: "巨大.pdf", data: append(testPDF, make([]byte, 200<<10)...)})
		for _, target := range []string{id, absentID} {
			resp := h.Do(apitest.Request{Method: http.MethodPost, Path: attachmentsPath(target), Body: body, ContentType: ct, Header: reporter})
			expect(t, resp, http.StatusRequestEntityTooLarge, "payload_too_large")
			if p := resp.Problem(t); !strings.Contains(p.Detail, "1000 bytes") {
				t.Errorf("detail %q does not say the limit", p.Detail)
			}
		}
		if n := filesIn(t, dir); n != 1 {
			t.Errorf("the attachment directory holds %d files, want the one accepted", n)
		}
		if got := h.listAttachments(t, id, reporter, 10); len(got) != 1 {
			t.Errorf("%d attachments listed, want 1", len(got))
		}
	})
}

// A large file streams through: the upload takes it whole, the download
// gives it back whole.
func TestUploadLargeFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{AttachmentLimit: 8 << 20})
		v := newValueMaker(t, h).draft(t)
		data := testDOCX(t, map[string][]byte{"word/media/scan.png": randomBytes(5 << 20)})
		a := h.mustUpload(t, v.Id.String(), "扫描版年度报告.docx", data, h.as("reporter"))
		if got := h.mustDownload(t, a, h.as("reviewer")); !bytes.Equal(got, data) {
			t.Errorf("downloaded %d bytes, not the %d uploaded", len(got), len(data))
		}
	})
}

// Evidence is added while the value is being edited (draft or returned),
// never once it is submitted or approved.
func TestUploadToSubmittedValue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		dir := t.TempDir()
		h := newHarness(t, db, server.Config{AttachmentDir: dir})
		v := newValueMaker(t, h).draft(t)
		id, reporter, reviewer := v.Id.String(), h.as("reporter"), h.as("reviewer")
		h.mustUpload(t, id, "初稿.pdf", testPDF, reporter)
		h.mustAct(t, id, "submit", nil, reporter, "submitted")
		resp := h.upload(t, id, "迟到的材料.pdf", testPDF, reporter)
		expect(t, resp, http.StatusConflict, "value_not_editable")
		h.mustAct(t, id, "return", map[string]any{"reason": "请补充佐证材料"}, reviewer, "returned")
		h.mustUpload(t, id, "补充材料.pdf", testPDF, reporter)
		h.mustAct(t, id, "submit", nil, reporter, "submitted")
		h.mustAct(t, id, "approve", map[string]any{}, reviewer, "approved")
		expect(t, h.upload(t, id, "批准后.pdf", testPDF, h.as("admin")), http.StatusConflict, "value_not_editable")
		if n := filesIn(t, dir); n != 2 {
			t.Errorf("the attachment directory holds %d files, want 2", n)
		}
		// Approved: now API keys with read see the value, and its evidence.
		key := h.as("key:read")
		listed := h.listAttachments(t, id, key, 10)
		if len(listed) != 2 {
			t.Fatalf("the read key lists %d attachments, want 2", len(listed))
		}
		h.mustDownload(t, listed[0], key)
	})
}

// Who may do what: reporters upload to their own unit's values; whoever sees
// a value lists and downloads its evidence; nobody learns of evidence outside
// their subtree.
func TestAttachmentPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		v := newValueMaker(t, h).draft(t)
		id := v.Id.String()
		a := h.mustUpload(t, id, "材料.pdf", testPDF, h.as("reporter"))

		// A reporter of another city: nothing exists.
		otherRep := h.signedIn2(t, h.fx.other, "reporter")
		expect(t, h.upload(t, id, "x.pdf", testPDF, otherRep), http.StatusNotFound, "not_found")
		expect(t, h.Get(attachmentsPath(id), otherRep), http.StatusNotFound, "not_found")
		resp := h.Get(contentPath(a.Id.String()), otherRep)
		expect(t, resp, http.StatusNotFound, "not_found")
		if p := resp.Problem(t); !strings.Contains(p.Detail, a.Id.String()) || strings.Contains(p.Detail, id) {
			t.Errorf("detail %q: want the attachment's path named, and not its value", p.Detail)
		}

		// A reporter of the district sees the town's value but does not report for it.
		districtRep := h.signedIn2(t, h.fx.district, "reporter")
		expect(t, h.upload(t, id, "x.pdf", testPDF, districtRep), http.StatusForbidden, "own_unit_only")
		if got := h.listAttachments(t, id, districtRep, 10); len(got) != 1 {
			t.Errorf("the district's reporter lists %d attachments", len(got))
		}

		// The viewer reads, and may not upload at all.
		viewer := h.as("viewer")
		expect(t, h.upload(t, id, "x.pdf", testPDF, viewer), http.StatusForbidden, "forbidden")
		h.mustDownload(t, a, viewer)

		// Keys: write:values uploads; read sees published values only.
		byKey := h.mustUpload(t, id, "接口上传.pdf", testPDF, h.as("key:write:values"))
		if want := "apiKey:" + h.fx.keys["write:values"].ID; who(&byKey.CreatedBy) != want {
			t.Errorf("created by %q, want %q", who(&byKey.CreatedBy), want)
		}
		expect(t, h.Get(attachmentsPath(id), h.as("key:read")), http.StatusNotFound, "not_found")
		expect(t, h.Get(contentPath(a.Id.String()), h.as("key:read")), http.StatusNotFound, "not_found")

		// Records that do not exist.
		expect(t, h.upload(t, absentID, "x.pdf", testPDF, h.as("admin")), http.StatusNotFound, "not_found")
		expect(t, h.Get(attachmentsPath(absentID), nil), http.StatusNotFound, "not_found")
		expect(t, h.Get(contentPath(absentID), nil), http.StatusNotFound, "not_found")
	})
}

// The fixture attachment (the contract tests' record) is what it says.
func TestFixtureAttachment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		var fixture *api.Attachment
		for _, a := range h.listAttachments(t, h.fx.value, nil, 50) {
			if a.Id.String() == h.fx.attachment {
				fixture = &a
			}
		}
		if fixture == nil {
			t.Fatal("the fixture value does not list the fixture attachment")
		}
		if got := h.mustDownload(t, *fixture, nil); !bytes.Equal(got, fixturePDF) {
			t.Errorf("the fixture attachment holds %q", got)
		}
	})
}
