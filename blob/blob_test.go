package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/blob"
)

const key = "0190a000-0000-7000-8000-000000006001"

func newDir(t *testing.T) (*blob.Dir, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "attachments") // created by NewDir
	d, err := blob.NewDir(path)
	if err != nil {
		t.Fatal(err)
	}
	return d, path
}

func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	r, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files lists the directory's entries, temporary files included.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPutOpenDelete(t *testing.T) {
	d, dir := newDir(t)
	ctx := t.Context()
	want := bytes.Repeat([]byte("佐证材料\x00\xff"), 10000)
	if err := d.Put(ctx, key, bytes.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d, key); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes back, want the %d written", len(got), len(want))
	}
	if got := files(t, dir); len(got) != 1 || got[0] != key {
		t.Errorf("directory holds %v, want only %s", got, key)
	}
	// Put replaces.
	if err := d.Put(ctx, key, strings.NewReader("second")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d, key); string(got) != "second" {
		t.Errorf("after a second Put: %q", got)
	}
	// Another Dir on the same directory (another instance) sees it.
	other, err := blob.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, other, key); string(got) != "second" {
		t.Errorf("another Dir on the directory reads %q", got)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete: %v, want ErrNotFound", err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing blob: %v, want nil", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v after Delete", got)
	}
}

func TestEmptyBlob(t *testing.T) {
	d, _ := newDir(t)
	if err := d.Put(t.Context(), key, bytes.NewReader(nil)); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d, key); len(got) != 0 {
		t.Errorf("read %q, want nothing", got)
	}
}

// failingReader yields some bytes, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// A Put whose reader fails leaves nothing behind, keeps the blob it would have
// replaced, and returns the reader's error.
func TestFailedPutLeavesNothing(t *testing.T) {
	d, dir := newDir(t)
	ctx := t.Context()
	refused := errors.New("refused at the end")
	err := d.Put(ctx, key, &failingReader{data: make([]byte, 100000), err: refused})
	if !errors.Is(err, refused) {
		t.Fatalf("Put: %v, want the reader's error", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v after a failed Put", got)
	}
	if _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after a failed Put: %v, want ErrNotFound", err)
	}

	if err := d.Put(ctx, key, strings.NewReader("kept")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, key, &failingReader{data: []byte("half"), err: refused}); !errors.Is(err, refused) {
		t.Fatalf("Put: %v, want the reader's error", err)
	}
	if got := read(t, d, key); string(got) != "kept" {
		t.Errorf("a failed Put replaced the blob: %q", got)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only the kept blob", got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.Put(cancelled, "other", strings.NewReader("never")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v", err)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v after a cancelled Put", got)
	}
}

// gate blocks in the middle of its data until released.
type gate struct {
	first, rest []byte
	reached     chan struct{}
	release     chan struct{}
}

func (g *gate) Read(p []byte) (int, error) {
	if len(g.first) > 0 {
		n := copy(p, g.first)
		g.first = g.first[n:]
		if len(g.first) == 0 {
			close(g.reached)
			<-g.release
		}
		return n, nil
	}
	if len(g.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

// While a Put is half done, readers see the blob it replaces (or none), never
// the half written.
func TestHalfWrittenBlobIsInvisible(t *testing.T) {
	d, _ := newDir(t)
	ctx := t.Context()
	for _, old := range []string{"", "old content"} {
		if old != "" {
			if err := d.Put(ctx, key, strings.NewReader(old)); err != nil {
				t.Fatal(err)
			}
		}
		g := &gate{first: []byte("new "), rest: []byte("content"), reached: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error, 1)
		go func() { done <- d.Put(ctx, key, g) }()
		<-g.reached
		if old == "" {
			if _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open during the first Put: %v, want ErrNotFound", err)
			}
		} else if got := read(t, d, key); string(got) != old {
			t.Errorf("during a Put: read %q, want %q", got, old)
		}
		close(g.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := read(t, d, key); string(got) != "new content" {
			t.Errorf("after the Put: read %q", got)
		}
	}
}

// Keys are server-made ids: anything that could name another file is refused
// by every method, before the file system is touched.
func TestKeysOutsideTheDirectoryAreRefused(t *testing.T) {
	d, dir := newDir(t)
	ctx := t.Context()
	outside := filepath.Join(filepath.Dir(dir), "secret")
	if err := os.WriteFile(outside, []byte("not yours"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"", ".", "..", "../secret", "..\\secret", "a/b", "/etc/passwd", ".hidden", ".put-x", "report.pdf",
		"a b", "佐证", "x\x00y", "-leading-dash", strings.Repeat("a", 129), "C:secret",
	} {
		if err := d.Put(ctx, k, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", k, err)
		}
		if _, err := d.Open(ctx, k); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q): %v, want ErrInvalidKey", k, err)
		}
		if err := d.Delete(ctx, k); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q): %v, want ErrInvalidKey", k, err)
		}
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v", got)
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "not yours" {
		t.Errorf("the file outside the directory: %q, %v", b, err)
	}
	for _, k := range []string{key, "a", "A_b-9", strings.Repeat("a", 128)} {
		if err := blob.CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q): %v", k, err)
		}
	}
}

func TestNewDir(t *testing.T) {
	if _, err := blob.NewDir(""); err == nil {
		t.Error("NewDir(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewDir(filepath.Join(file, "below")); err == nil {
		t.Error("NewDir below a file succeeded")
	}
	d, err := blob.NewDir(filepath.Join(t.TempDir(), "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(d.Path()) {
		t.Errorf("Path() = %q, want an absolute path", d.Path())
	}
	if got := files(t, d.Path()); len(got) != 0 {
		t.Errorf("a new directory holds %v", got)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		readOnly := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := blob.NewDir(readOnly); err == nil {
			t.Error("NewDir of a read-only directory succeeded")
		}
	}
}
