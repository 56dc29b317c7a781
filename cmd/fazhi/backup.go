package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/fazhi/fazhi/store"
)

// errBackupMySQL refuses to back up MySQL/MariaDB, whose own tools take a
// consistent dump of a live database.
var errBackupMySQL = errors.New("back up: DATABASE_URL names MySQL/MariaDB, and fazhi backup copies SQLite only: " +
	"back it up with mariadb-dump --single-transaction (or mariabackup), as docs/operations.md says under \"Backup and restore\"")

// backupCommand is "fazhi backup --to FILE": a consistent copy of the SQLite
// database, taken while the server goes on serving (store.BackupTo).
func backupCommand(ctx context.Context, cfg config, args []string, out io.Writer) error {
	const usage = "usage: fazhi backup --to FILE"
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	to := flags.String("to", "", "")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 || *to == "" {
		return errors.New(usage)
	}
	dialect, dsn, err := store.ParseURL(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	if dialect != store.SQLite {
		return errBackupMySQL
	}
	// Opening a missing SQLite file creates an empty one, whose backup would
	// look like success: a mistyped DATABASE_URL or FAZHI_DATA_DIR is refused.
	source := strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:")
	if _, err := os.Stat(source); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s to back up: check DATABASE_URL and FAZHI_DATA_DIR", source)
	} else if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	// Not migrated: a backup copies the database as it is and changes nothing.
	db, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BackupTo(ctx, *to); err != nil {
		return err
	}
	info, err := os.Stat(*to)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	fmt.Fprintf(out, "backed up %s to %s (%d bytes)\n", source, *to, info.Size())
	return nil
}
