package server

import (
	"bytes"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/fazhi/fazhi/models"
)

// Fuzz targets of what the server parses by hand: the name of an uploaded
// file and the If-Match header. They need no database. Their committed
// seeds are in testdata/fuzz/<target>/; `go test` runs them as ordinary
// tests, .ci/fuzz runs each for a while.

// FuzzDisplayName: a file name as a client sends it (any bytes, in the
// filename* parameter of its part, which carries them all) is either
// refused with a 400 or kept as a name that is not empty, is UTF-8 of at
// most 255 characters, holds no folder (no / or \), no character that no
// text may hold (models.BadCharacter: control characters, bidirectional
// controls, zero-width characters) nor any other invisible formatting
// character, has no white space at either end, and is its own display name.
// Sent back in Content-Disposition, it fits the header's bound in printable
// ASCII and reads back as the name, or as the name shortened before its
// extension when it is too long to fit.
func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"report 2021.pdf", "辽事通注册统计.pdf", `say "hi"; x=1.pdf`, "100%_sure.pdf",
		`C:\Windows\evil.txt`, "../../etc/passwd", "/", `dir\`, "invoice\u202etxt.exe", "\u200b", " \u2066 a.pdf \u2069 ",
		"a\x01b.pdf", "a\xffb.pdf", "\ufeffbom.docx", strings.Repeat("报", 252) + ".pdf", strings.Repeat("报", 251) + ".pdf",
		strings.Repeat("%", 255), "a.\u202e" + strings.Repeat("x", 20), "\u3000全角空格\u3000.xlsx", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sent string) {
		dn := displayName(sent)
		if strings.ContainsAny(dn, `/\`) || displayName(dn) != dn || strings.TrimSpace(dn) != dn {
			t.Fatalf("displayName(%q) = %q: a folder, not its own display name, or white space at an end", sent, dn)
		}
		for _, r := range dn {
			if unicode.Is(unicode.Cf, r) {
				t.Fatalf("displayName(%q) = %q holds the formatting character %U", sent, dn, r)
			}
		}

		part := filePart(t, "form-data; name=\"file\"; filename*=UTF-8''"+percentEncode(sent))
		name, err := uploadedName(part)
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) || he.status != http.StatusBadRequest {
				t.Fatalf("uploadedName(%q): %v, want a 400", sent, err)
			}
			return
		}
		switch {
		case name == "":
			t.Fatalf("uploadedName(%q): an empty name", sent)
		case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxFilename:
			t.Fatalf("uploadedName(%q) = %q: not UTF-8, or longer than %d characters", sent, name, maxFilename)
		case name != displayName(part.FileName()):
			t.Fatalf("uploadedName(%q) = %q, want the display name %q of %q", sent, name, displayName(part.FileName()), part.FileName())
		case strings.ContainsAny(name, `/\`) || displayName(name) != name:
			t.Fatalf("uploadedName(%q) = %q: a folder, or not its own display name", sent, name)
		}
		if msg := models.TextProblem(name); msg != "" {
			t.Fatalf("uploadedName(%q) = %q: %s", sent, name, msg)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("uploadedName(%q) = %q holds %U", sent, name, r)
			}
		}

		h := contentDisposition(name)
		if len(h) > maxDisposition {
			t.Fatalf("contentDisposition(%q): %d bytes, more than %d", name, len(h), maxDisposition)
		}
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7E {
				t.Fatalf("contentDisposition(%q) = %q: byte %#x at %d", name, h, h[i], i)
			}
		}
		disposition, params, err := mime.ParseMediaType(h)
		if err != nil || disposition != "attachment" {
			t.Fatalf("contentDisposition(%q) = %q, which reads as %q, %v", name, h, disposition, err)
		}
		back := params["filename"]
		// The header is 42 bytes, the ASCII stand-in (the name, or
		// "attachment" and the extension) and the name percent-encoded.
		fits := 42+10+len(name)+len(percentEncode(name)) <= maxDisposition
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		switch {
		case fits && back != name:
			t.Fatalf("contentDisposition(%q) = %q, which names %q", name, h, back)
		case !fits && (!strings.HasSuffix(back, ext) || !strings.HasPrefix(name, strings.TrimSuffix(back, ext)) || back == ""):
			t.Fatalf("contentDisposition(%q) = %q names %q, not the name shortened before %q", name, h, back, ext)
		}
	})
}

// filePart is the one part of a multipart body whose Content-Disposition
// is disposition.
func filePart(t *testing.T, disposition string) *multipart.Part {
	t.Helper()
	const boundary = "fuzz-boundary"
	body := "--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--" + boundary + "--\r\n"
	part, err := multipart.NewReader(bytes.NewReader([]byte(body)), boundary).NextPart()
	if err != nil {
		t.Fatalf("the part of %q: %v", disposition, err)
	}
	return part
}

// FuzzIfMatch: an If-Match the contract allows ("3": a quoted version
// without leading zeros) reads as the version whose ETag it is; anything
// else (which the contract's validator refuses before) is a version or a
// 400, never a panic; none is a 428.
func FuzzIfMatch(f *testing.F) {
	for _, s := range []string{`"1"`, `"3"`, `"999999999999999999"`, `"9223372036854775807"`, `"9223372036854775808"`,
		`3`, `"03"`, `""`, `"-1"`, `"+1"`, `W/"1"`, `"1", "2"`, `*`, ` "1" `, `"""1"""`} {
		f.Add(s)
	}
	if _, err := ifMatch(nil); !isStatus(err, http.StatusPreconditionRequired) {
		f.Fatalf("ifMatch(nil): %v, want a 428", err)
	}
	contract := regexp.MustCompile(`^"[1-9][0-9]{0,17}"$`) // openapi.yaml, the If-Match header
	f.Fuzz(func(t *testing.T, h string) {
		v, err := ifMatch(&h)
		if err != nil {
			if !isStatus(err, http.StatusBadRequest) {
				t.Fatalf("ifMatch(%q): %v, want a 400", h, err)
			}
			if contract.MatchString(h) {
				t.Fatalf("ifMatch(%q): %v, but the contract allows it", h, err)
			}
			return
		}
		if contract.MatchString(h) && etag(v) != h {
			t.Fatalf("ifMatch(%q) = %d, whose ETag is %s", h, v, etag(v))
		}
	})
}

func isStatus(err error, status int) bool {
	var he *httpError
	return errors.As(err, &he) && he.status == status
}
