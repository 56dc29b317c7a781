package server

// Evidence attached to reported values (佐证材料): upload, list, download. The
// bytes go to a blob.Store that every instance shares; the database keeps one
// row per file. The blob is written first, under the row's id, and removed
// again when the row cannot be written, so a row never names a missing file.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/blob"
	"github.com/fazhi/fazhi/filetype"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// AttachmentStore is what the attachment operations need from the database.
type AttachmentStore interface {
	CreateAttachment(ctx context.Context, a *models.Attachment) error
	GetAttachment(ctx context.Context, id string) (*models.Attachment, error)
	ListAttachments(ctx context.Context, valueID string, page paging.Page) ([]models.Attachment, *paging.Cursor, error)
}

// DefaultAttachmentLimit is the largest attachment accepted unless configured.
const DefaultAttachmentLimit = 20 << 20

// multipartSlack is what a multipart body may carry beyond its file: the
// boundaries and the part's headers.
const multipartSlack = 64 << 10

// maxFilename is the longest file name kept, in characters (the contract's bound).
const maxFilename = 255

// attachments is what the value handler needs to keep files.
type attachments struct {
	blobs blob.Store
	limit int64 // bytes
	log   *slog.Logger
}

func attachmentNotFound(id string) error { return &models.NotFoundError{Entity: "attachment", ID: id} }

// ListValueAttachments implements listValueAttachments.
func (h *ValueHandler) ListValueAttachments(ctx context.Context, req api.ListValueAttachmentsRequestObject) (api.ListValueAttachmentsResponseObject, error) {
	v, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	page, digest, err := pageRequest(req.Params.Limit, req.Params.Cursor, "id", v.ID)
	if err != nil {
		return nil, err
	}
	as, next, err := h.store.ListAttachments(ctx, v.ID, page)
	if err != nil {
		return nil, err
	}
	items, err := h.attachmentsOut(ctx, pointers(as)...)
	if err != nil {
		return nil, err
	}
	return api.ListValueAttachments200JSONResponse{Items: items, NextCursor: encodeNext(next, digest)}, nil
}

// UploadValueAttachment implements uploadValueAttachment. The file is read as
// a stream: hashed, measured and sniffed on its way to the blob store, never
// held whole in memory.
func (h *ValueHandler) UploadValueAttachment(ctx context.Context, req api.UploadValueAttachmentRequestObject) (api.UploadValueAttachmentResponseObject, error) {
	v, err := h.reach(ctx, req.Id.String())
	if err != nil {
		return nil, err
	}
	// Refused before a byte is stored; CreateAttachment checks again with the
	// value locked.
	if err := v.Editable(); err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	a := &models.Attachment{ID: id, ValueID: v.ID, BlobKey: id, CreatedBy: string(models.ActorOf(models.RequestInfoFrom(ctx).Caller))}
	if err := h.files.receive(ctx, req.Body, a); err != nil {
		return nil, err
	}
	if err := h.store.CreateAttachment(ctx, a); err != nil {
		h.files.discard(ctx, a.BlobKey)
		return nil, err
	}
	out, err := h.attachmentsOut(ctx, a)
	if err != nil {
		return nil, err
	}
	return api.UploadValueAttachment201JSONResponse{Body: out[0],
		Headers: api.UploadValueAttachment201ResponseHeaders{Location: ptr(contentPath(a.ID))}}, nil
}

// DownloadAttachment implements downloadAttachment.
func (h *ValueHandler) DownloadAttachment(ctx context.Context, req api.DownloadAttachmentRequestObject) (api.DownloadAttachmentResponseObject, error) {
	id := req.Id.String()
	a, err := h.store.GetAttachment(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := h.reach(ctx, a.ValueID); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return nil, attachmentNotFound(id) // nothing about the value it belongs to
		}
		return nil, err
	}
	r, err := h.files.blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("attachment %s: %w", a.ID, err) // a 500: the row names a blob
	}
	// nosniff, which a browser needs never to run what it was handed as a
	// download, is on every answer (requestID).
	headers := api.DownloadAttachment200ResponseHeaders{ContentDisposition: ptr(contentDisposition(a.Filename)), Digest: digestOf(a.SHA256)}
	return api.DownloadAttachment200ApplicationoctetStreamResponse{Body: r, ContentLength: a.Size, Headers: headers}, nil
}

// digestOf is a file's Digest header (RFC 3230) from its SHA-256 in hex,
// or none when the hex is not one.
func digestOf(sha256Hex string) *string {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil || len(sum) != sha256.Size {
		return nil
	}
	return ptr("sha-256=" + base64.StdEncoding.EncodeToString(sum))
}

func contentPath(id string) string { return basePath + "/attachments/" + id + "/content" }

// attachmentsOut is as as the contract writes them, their uploaders named.
func (h *ValueHandler) attachmentsOut(ctx context.Context, as ...*models.Attachment) ([]api.Attachment, error) {
	return named(ctx, h.store, as, func(a *models.Attachment) []models.Actor { return []models.Actor{models.Actor(a.CreatedBy)} }, attachmentOut)
}

func attachmentOut(a *models.Attachment, names actorNames) api.Attachment {
	return api.Attachment{Id: uuidOf(a.ID), ValueId: uuidOf(a.ValueID), Filename: a.Filename, ContentType: a.ContentType,
		Size: a.Size, Sha256: a.SHA256, CreatedAt: a.CreatedAt.UTC(), CreatedBy: names.actor(models.Actor(a.CreatedBy))}
}

// receive stores the body's one part, file, as the attachment's blob, and
// fills in the attachment's name, type, size and hash. A refused upload
// leaves no blob behind.
func (f *attachments) receive(ctx context.Context, body *multipart.Reader, a *models.Attachment) (err error) {
	stored := false
	defer func() {
		if err != nil && stored {
			f.discard(ctx, a.BlobKey)
		}
	}()
	return oneFile(body, func(part *multipart.Part, name string) error {
		a.Filename = name
		in := &incoming{r: part, limit: f.limit, sum: sha256.New()}
		if err := f.blobs.Put(ctx, a.BlobKey, in); err != nil {
			return f.putError(err)
		}
		stored = true
		a.ContentType, a.Size, a.SHA256 = in.contentType, in.n, hex.EncodeToString(in.sum.Sum(nil))
		return nil
	})
}

// oneFile hands take the body's one part, file, with its name as uploaded,
// and refuses (400) any other part, a second file and no file at all: the
// schema of every upload, which the validator leaves to the handlers of
// streamed bodies. An error of take ends the reading.
func oneFile(body *multipart.Reader, take func(part *multipart.Part, name string) error) error {
	got := false
	for {
		part, err := body.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err)
		}
		switch field := part.FormName(); {
		case field != "file":
			pointer := ""
			if utf8.ValidString(field) && len(field) <= 100 {
				pointer = jsonPointer([]string{field})
			}
			return invalidBody(pointer, "unknown field: the body has one part, file")
		case got:
			return invalidBody("/file", "given more than once: upload one file a request")
		}
		name, err := uploadedName(part)
		if err != nil {
			return err
		}
		if err := take(part, name); err != nil {
			return err
		}
		got = true
	}
	if !got {
		return invalidBody("/file", "required: send the file in the multipart part file")
	}
	return nil
}

// discard removes a blob no row will name; a failure leaves an orphan file,
// harmless but logged.
func (f *attachments) discard(ctx context.Context, key string) {
	if err := f.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		f.log.ErrorContext(ctx, "discard attachment blob", "key", key, "error", err.Error())
	}
}

func invalidBody(pointer, message string) error {
	return &httpError{status: http.StatusBadRequest, code: "invalid_request", detail: "the request does not match the contract",
		fields: []api.FieldError{{Pointer: &pointer, Message: message}}}
}

// uploadedName is the file's name as uploaded (without any directory a
// client put in front of it): kept as it is, shown and sent back, never used
// as a path.
func uploadedName(part *multipart.Part) (string, error) {
	name := part.FileName()
	switch {
	case name == "":
		return "", invalidBody("/file", `the part file carries no file name (Content-Disposition: form-data; name="file"; filename="…")`)
	case !utf8.ValidString(name):
		return "", invalidBody("/file", "the file name is not UTF-8")
	case utf8.RuneCountInString(name) > maxFilename:
		return "", invalidBody("/file", fmt.Sprintf("the file name is longer than %d characters", maxFilename))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalidBody("/file", "the file name holds control characters")
	}
	if name = displayName(name); name == "" {
		return "", invalidBody("/file", "the file name is only a path or formatting characters")
	}
	return name, nil
}

// displayName is the name a file is kept and shown under: without the
// folders a browser on Windows or elsewhere may send (C:\Windows\evil.txt is
// evil.txt), and without the invisible formatting characters that make a
// name read otherwise than it is (invoice\u202etxt.exe shows as
// invoiceexe.txt).
func displayName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(name)
}

// incoming is the file on its way to the blob store: it counts, hashes and
// sniffs what passes, refuses more than the limit, and at the end refuses a
// type not accepted, so that the store keeps nothing of a refused file.
type incoming struct {
	r           io.Reader
	limit, n    int64
	sum         hash.Hash
	sniff       filetype.Sniffer
	contentType string
}

// errFileTooLarge is a file past the attachment limit.
var errFileTooLarge = errors.New("file too large")

// readError is the request body failing while it is read.
type readError struct{ err error }

func (e *readError) Error() string { return "read the upload: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func (in *incoming) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	in.n += int64(n)
	if in.n > in.limit {
		return 0, errFileTooLarge
	}
	in.sum.Write(p[:n])
	_, _ = in.sniff.Write(p[:n])
	switch {
	case errors.Is(err, io.EOF):
		ct, terr := in.sniff.Type()
		if terr != nil {
			return n, terr
		}
		in.contentType = ct
	case err != nil:
		return n, &readError{err}
	}
	return n, err
}

// putError answers a blob that could not be stored: the file refused, the
// body cut short or malformed, or the store failing (a 500).
func (f *attachments) putError(err error) error {
	var unsupported *filetype.UnsupportedError
	var re *readError
	switch {
	case errors.As(err, &unsupported):
		return newHTTPError(http.StatusUnsupportedMediaType, "unsupported_media_type", "%s", unsupported.Error())
	case errors.Is(err, errFileTooLarge):
		return fileTooLarge(f.limit)
	case errors.As(err, &re):
		return bodyError(re.err)
	}
	return err
}

// bodyError answers a multipart body that could not be read.
func bodyError(err error) error {
	switch {
	case errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		return err // the body limit of the route, met while reading
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return newHTTPError(http.StatusBadRequest, "invalid_request", "the multipart body is malformed or was cut short")
}

func fileTooLarge(limit int64) error {
	return newHTTPError(http.StatusRequestEntityTooLarge, "payload_too_large", "the file is larger than %s, the most this operation takes", sizeText(limit))
}

// sizeText writes a byte count as people read it: 20 MiB, 512 KiB, 1000 bytes.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// maxDisposition is the contract's bound on Content-Disposition.
const maxDisposition = 2400

// contentDisposition names the file for the download (RFC 6266): filename*
// carries the name in UTF-8, percent-encoded (RFC 5987), and filename an
// ASCII stand-in for the clients that know nothing else. A name too long to
// fit the header's bound is shortened before its extension.
func contentDisposition(name string) string {
	ext := path.Ext(name)
	if utf8.RuneCountInString(ext) > 16 {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	for {
		n := string(stem) + ext
		h := `attachment; filename="` + asciiName(n, ext) + `"; filename*=UTF-8''` + percentEncode(n)
		if len(h) <= maxDisposition || len(stem) == 0 {
			return h
		}
		stem = stem[:len(stem)-1]
	}
}

// asciiName is the name when it is printable ASCII (without quote or
// backslash), else "attachment" with the name's extension.
func asciiName(name, ext string) string {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7E || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	if plain(name) {
		return name
	}
	if plain(ext) {
		return "attachment" + ext
	}
	return "attachment"
}

// percentEncode encodes all but RFC 5987's attr-char.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

// streamsBody reports whether an operation takes a multipart body, which its
// handler reads as a stream: the validator leaves such a body alone, and the
// body limit is the attachment limit.
func streamsBody(route *routers.Route) bool {
	if route == nil || route.Operation.RequestBody == nil || route.Operation.RequestBody.Value == nil {
		return false
	}
	return route.Operation.RequestBody.Value.Content.Get("multipart/form-data") != nil
}

// checkMultipart refuses a streamed body that is not multipart/form-data
// with a boundary: the validator's 415, without reading the body.
func checkMultipart(req *http.Request) error {
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return newHTTPError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send multipart/form-data, with the file in the part file")
	}
	return nil
}

// uploadLimits are the largest files the upload operations take.
type uploadLimits struct{ attachment, sheet int64 }

// of is the limit of the upload operation route serves.
func (l uploadLimits) of(route *routers.Route) int64 {
	switch route.Operation.OperationID {
	case "importIndicatorValues", "importUnits", "importUsers", "importChecklistItems", "importChecklistApplications":
		return l.sheet
	}
	return l.attachment
}

// bodyLimit refuses bodies over the limit (413): the configured one for every
// request, and for operations that stream their body (uploads) their file's
// limit plus the multipart framing; their handler checks the file itself
// against that limit.
func bodyLimit(general string, uploads uploadLimits) echo.MiddlewareFunc {
	// Built once: Echo applies its middleware to the handler anew on every
	// request, and building a BodyLimit parses its size with a regular
	// expression (a few per cent of a get-by-id when it was done per request).
	normal := middleware.BodyLimit(general)
	streamed := map[int64]echo.MiddlewareFunc{}
	for _, limit := range []int64{uploads.attachment, uploads.sheet} {
		streamed[limit] = middleware.BodyLimit(strconv.FormatInt(limit+multipartSlack, 10))
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		n := normal(next)
		return func(c echo.Context) error {
			route := contractRoute(c)
			if !streamsBody(route) {
				return n(c)
			}
			limit := uploads.of(route)
			err := streamed[limit](next)(c)
			if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
				return fileTooLarge(limit)
			}
			return err
		}
	}
}
