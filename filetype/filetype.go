// Package filetype judges a file's type by its content, never by its name or
// declared type, and accepts only the kinds of evidence the programme takes:
// PDF, PNG, JPEG, plain UTF-8 text, and Word and Excel documents (.docx,
// .xlsx). It reads the file as a stream, keeping a bounded part of it: the
// first bytes for the signature, the last ones for a ZIP archive's directory.
package filetype

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// The media types accepted.
const (
	PDF  = "application/pdf"
	PNG  = "image/png"
	JPEG = "image/jpeg"
	Text = "text/plain"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Accepted names the kinds accepted, for messages to people.
const Accepted = "PDF, PNG, JPEG, plain UTF-8 text, Word (.docx) and Excel (.xlsx) documents"

// ErrUnsupported matches every refusal.
var ErrUnsupported = errors.New("unsupported file type")

// UnsupportedError is a file of a kind not accepted; Found says what it looks like.
type UnsupportedError struct {
	Found string
}

func (e *UnsupportedError) Error() string {
	return "the file is " + e.Found + ": accepted are " + Accepted
}

func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

func unsupported(format string, args ...any) error {
	return &UnsupportedError{Found: fmt.Sprintf(format, args...)}
}

const (
	// sniffLen is what http.DetectContentType looks at.
	sniffLen = 512
	// tailLen is how much of the end is kept for a ZIP archive's directory:
	// some thousands of entries, far more than a Word or Excel document has.
	tailLen = 256 << 10
)

// Sniffer learns a file's type from its bytes, written to it in order (it is
// an io.Writer: put it beside the real destination with io.MultiWriter). Its
// memory is bounded whatever the file's size. The zero value is ready.
type Sniffer struct {
	n    int64
	head []byte
	tail []byte // the last bytes, up to 2*tailLen before it is trimmed
	text textCheck
}

// Write takes the next bytes of the file; it never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if len(s.head) < sniffLen {
		s.head = append(s.head, p[:min(len(p), sniffLen-len(s.head))]...)
	}
	if len(p) >= tailLen {
		s.tail = append(s.tail[:0], p[len(p)-tailLen:]...)
	} else {
		if len(s.tail)+len(p) > 2*tailLen {
			keep := tailLen - len(p)
			s.tail = append(s.tail[:0], s.tail[len(s.tail)-keep:]...)
		}
		s.tail = append(s.tail, p...)
	}
	s.text.write(p)
	return len(p), nil
}

// Size is how many bytes were written.
func (s *Sniffer) Size() int64 { return s.n }

// Type is the media type of the whole file written, or an error matching
// ErrUnsupported (an *UnsupportedError) saying what the file looks like.
func (s *Sniffer) Type() (string, error) {
	if s.n == 0 {
		return "", unsupported("empty")
	}
	detected := http.DetectContentType(s.head)
	switch mt, _, _ := strings.Cut(detected, ";"); mt {
	case PDF, PNG, JPEG:
		return mt, nil
	case "text/plain":
		if detected != "text/plain; charset=utf-8" || !s.text.ok() {
			return "", unsupported("text that is not UTF-8 (save it as UTF-8)")
		}
		return Text, nil
	case "application/zip":
		return s.office()
	case "text/html":
		return "", unsupported("HTML")
	case "application/octet-stream":
		return "", unsupported("of a type not recognised")
	default:
		return "", unsupported("%s", mt)
	}
}

// office tells a Word or Excel document (Office Open XML: a ZIP archive with
// [Content_Types].xml and the word/ or xl/ part) from any other archive, by
// the archive's directory at its end. Macro-enabled documents are refused.
func (s *Sniffer) office() (string, error) {
	zr, err := zip.NewReader(&window{tail: s.tail, size: s.n}, s.n)
	if err != nil {
		return "", unsupported("a damaged ZIP archive, or one too large to inspect")
	}
	var contentTypes, word, excel, macros bool
	for _, f := range zr.File {
		name := f.Name
		switch {
		case name == "[Content_Types].xml":
			contentTypes = true
		case strings.HasPrefix(name, "word/"):
			word = true
		case strings.HasPrefix(name, "xl/"):
			excel = true
		}
		if strings.EqualFold(path.Base(name), "vbaProject.bin") {
			macros = true
		}
	}
	switch {
	case !contentTypes || (!word && !excel):
		return "", unsupported("a ZIP archive, not a Word or Excel document")
	case macros:
		return "", unsupported("an Office document with macros")
	case word:
		return DOCX, nil
	default:
		return XLSX, nil
	}
}

// Detect is the type of a file held whole in memory.
func Detect(b []byte) (string, error) {
	var s Sniffer
	_, _ = s.Write(b)
	return s.Type()
}

// window reads the kept tail of a file as if it were the file; a read before
// it fails. A file no longer than the tail is kept whole.
type window struct {
	tail []byte
	size int64
}

var errOutside = errors.New("before the kept part of the file")

func (w *window) ReadAt(p []byte, off int64) (int, error) {
	start := w.size - int64(len(w.tail))
	switch {
	case off < start:
		return 0, errOutside
	case off >= w.size:
		return 0, io.EOF
	}
	n := copy(p, w.tail[off-start:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// textCheck follows whether the bytes so far are UTF-8 text: valid sequences,
// and none of the control characters that mark binary data (those of
// http.DetectContentType: all of C0 but tab, newline, form feed, carriage
// return and escape).
type textCheck struct {
	bad     bool
	pending []byte // the start of a sequence cut by the end of a write
}

func (t *textCheck) ok() bool { return !t.bad && len(t.pending) == 0 }

func binaryByte(c byte) bool {
	return c <= 0x08 || c == 0x0B || (0x0E <= c && c <= 0x1A) || (0x1C <= c && c <= 0x1F)
}

func (t *textCheck) write(p []byte) {
	if t.bad {
		return
	}
	if n := len(t.pending); n > 0 {
		buf := append(t.pending[:n:n], p[:min(len(p), utf8.UTFMax-n)]...)
		if !utf8.FullRune(buf) {
			t.pending = buf
			return
		}
		r, size := utf8.DecodeRune(buf)
		if r == utf8.RuneError && size == 1 {
			t.bad = true
			return
		}
		p = p[size-n:]
		t.pending = t.pending[:0]
	}
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			if binaryByte(c) {
				t.bad = true
				return
			}
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			t.pending = append(t.pending[:0], p[i:]...)
			return
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			t.bad = true
			return
		}
		i += size
	}
}
