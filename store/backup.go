package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// BackupTo writes a consistent copy of the SQLite database to the new file
// path while other connections, a running server's, go on writing. VACUUM
// INTO reads the database in one read transaction, so the copy holds exactly
// the transactions committed before it began; in WAL mode a reader blocks no
// writer. The file is created here, and must not exist: a backup never
// overwrites another (VACUUM INTO fills an empty file). It is readable by its
// owner only, since it holds password hashes and session tokens' hashes, and
// it is on disk when BackupTo returns, which VACUUM INTO does not see to. A
// backup that fails leaves no file behind.
func (db *DB) BackupTo(ctx context.Context, path string) (err error) {
	if db.dialect != SQLite {
		return fmt.Errorf("back up: only a SQLite database is copied with VACUUM INTO, not a %s one", db.dialect)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("back up: %s exists already; a backup never overwrites a file, name a new one", path)
	}
	if err != nil {
		return fmt.Errorf("back up: create the backup file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("back up: create the backup file: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("back up to %s: %w", path, translate(err))
	}
	if err := syncPath(path); err != nil {
		return fmt.Errorf("back up to %s: flush the copy to disk: %w", path, err)
	}
	// The file's directory entry too, or a crash could lose the whole file.
	if err := syncPath(filepath.Dir(path)); err != nil {
		return fmt.Errorf("back up to %s: flush its directory to disk: %w", path, err)
	}
	return nil
}

// syncPath flushes a file or directory to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
