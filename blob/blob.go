// Package blob keeps files (attachments' bytes) under keys the server makes,
// behind a small interface: the directory store here, shared by every
// instance (a shared volume), or any other store that implements it (an
// object store, later).
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Store keeps blobs by key. Put writes a blob whole or not at all: a reader
// never sees half of one, and a Put that fails (its reader's error, a full
// disk, a cancelled context) leaves nothing behind. Put replaces a blob of the
// same key. Open answers an error matching ErrNotFound for a key without a
// blob; Delete of such a key is not an error.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

var (
	// ErrNotFound is a key without a blob.
	ErrNotFound = errors.New("blob not found")
	// ErrInvalidKey is a key the server would not have made.
	ErrInvalidKey = errors.New("invalid blob key")
)

// validKey is what a key may be: a server-made id (a UUID, say). No dots and
// no separators, so a key is always one plain name inside the directory.
var validKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

// CheckKey refuses a key the server would not have made.
func CheckKey(key string) error {
	if !validKey.MatchString(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return nil
}

// Dir keeps each blob as one file, named by its key, in a directory. Several
// processes may share the directory (a volume mounted on every instance):
// writes go to a temporary file in the same directory, renamed into place
// once complete, which is atomic on one file system.
type Dir struct {
	path string
}

var _ Store = (*Dir)(nil)

// tempPrefix starts the names of files being written; no key starts with a dot.
const tempPrefix = ".put-"

// NewDir opens the directory, creating it when it does not exist, and checks
// that files can be written there: a volume mounted read-only fails here, at
// start-up, rather than at the first upload.
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("blob directory: no path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("blob directory %s: %w", path, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob directory: %w", err)
	}
	probe, err := os.CreateTemp(abs, tempPrefix+"probe-*")
	if err != nil {
		return nil, fmt.Errorf("blob directory %s is not writable: %w", abs, err)
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	return &Dir{path: abs}, nil
}

// Path is the directory's absolute path.
func (d *Dir) Path() string { return d.path }

func (d *Dir) file(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.path, key), nil
}

// Put writes r under key: into a temporary file of the directory, synced, then
// renamed over the key's name.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader) (err error) {
	name, err := d.file(key)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.path, tempPrefix+key+"-*")
	if err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, &ctxReader{ctx: ctx, r: r}); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	if err = os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	syncDir(d.path)
	return nil
}

// syncDir makes a rename durable; file systems that cannot sync a directory
// are left to their own guarantees.
func syncDir(path string) {
	if f, err := os.Open(path); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}

// Open reads the blob of key.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := d.file(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open blob %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	return f, nil
}

// Delete removes the blob of key; a key without one is not an error.
func (d *Dir) Delete(ctx context.Context, key string) error {
	name, err := d.file(key)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
