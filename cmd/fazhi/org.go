package main

// A city's own start: `fazhi init` gives an empty database its root unit and
// first administrator, and `fazhi import units|users FILE` brings in the rest
// of the organisation from its spreadsheets.

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/orgsheet"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/sheet"
)

const initUsage = `usage: fazhi init --unit-code CODE --unit-name NAME [--unit-kind KIND] --username NAME [--display-name TEXT]
                  [--password-file FILE] [--if-empty]
  The password is read from --password-file (a container's secret) or else from standard input.
  With --if-empty a database that has units or users already is left as it is, and that is no
  error (a container's first-start step, run on every start).`

// initCommand is "fazhi init": the root unit and the first administrator of
// an empty database, in one transaction.
func initCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	code := fs.String("unit-code", "", "")
	name := fs.String("unit-name", "", "")
	kind := fs.String("unit-kind", "city", "")
	username := fs.String("username", "", "")
	displayName := fs.String("display-name", "", "")
	passwordFile := fs.String("password-file", "", "")
	ifEmpty := fs.Bool("if-empty", false, "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *code == "" || *name == "" || *username == "" {
		return errors.New(initUsage)
	}
	k, ok := orgsheet.ParseKind(*kind)
	if !ok {
		return fmt.Errorf("unknown unit kind %q\n%s", *kind, initUsage)
	}
	if *displayName == "" {
		*displayName = *name + "管理员"
	}
	pw, err := readPassword(*passwordFile, stdin)
	if err != nil {
		return err
	}
	if err := models.CheckPassword(*username, pw); err != nil {
		return err
	}
	hash, err := (&password.Hasher{}).Hash(pw)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	root := &models.Unit{Code: *code, Name: *name, Kind: k}
	admin := &models.User{Username: *username, DisplayName: *displayName, Roles: []models.Role{models.RoleAdmin}, PasswordHash: hash}
	ctx = models.WithRequestInfo(ctx, models.RequestInfo{
		Caller:    models.Caller{Kind: models.CallerSystem, ID: "cli", Name: "fazhi init"},
		Operation: "cli.init",
	})
	if err := db.Init(ctx, root, admin); err != nil {
		if *ifEmpty && models.Code(err) == "already_initialised" {
			fmt.Fprintln(out, "the database is initialised already: nothing to do")
			return nil
		}
		return err
	}
	fmt.Fprintf(out, "created the root unit %s %s (%s) and the administrator %s (%s)\n", root.Code, root.Name, root.ID, admin.Username, admin.ID)
	fmt.Fprintln(out, "next: sign in as the administrator, or import the units and accounts: fazhi import units FILE; fazhi import users FILE")
	return nil
}

// readPassword reads a password from a file, or else the first line of
// standard input; a trailing line end is not part of it.
func readPassword(file string, stdin io.Reader) (string, error) {
	var line string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read the password file: %w", err)
		}
		line, _, _ = strings.Cut(string(b), "\n")
	} else {
		l, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		line = l
	}
	return strings.TrimRight(line, "\r\n"), nil
}

const importUsage = `usage: fazhi import units FILE [--dry-run]
       fazhi import users FILE [--dry-run] [--credentials FILE]
  FILE is an .xlsx workbook or a .csv file. Every bad cell is reported, and nothing is
  written unless every row is good. Made-up initial passwords go to --credentials (a CSV
  file, created with mode 0600), or to standard output.`

// importCommand is "fazhi import units|users FILE", as the API's importUnits
// and importUsers.
func importCommand(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) < 2 || (args[0] != "units" && args[0] != "users") {
		return errors.New(importUsage)
	}
	what, file := args[0], args[1]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dryRun := fs.Bool("dry-run", false, "")
	credentials := fs.String("credentials", "", "")
	if err := fs.Parse(args[2:]); err != nil || fs.NArg() > 0 || (what == "units" && *credentials != "") {
		return errors.New(importUsage)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	cols := orgsheet.UnitColumns()
	if what == "users" {
		cols = orgsheet.UserColumns()
	}
	tab, probs, err := sheet.ReadFile(data, file, cols, sheet.ReadOptions{})
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return refusal(out, probs)
	}
	if len(tab.Rows) > orgsheet.MaxRows {
		return fmt.Errorf("%d rows: an import takes at most %d", len(tab.Rows), orgsheet.MaxRows)
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = models.WithRequestInfo(ctx, models.RequestInfo{
		Caller:    models.Caller{Kind: models.CallerSystem, ID: "cli", Name: "fazhi import " + what},
		Operation: "cli.import" + strings.ToUpper(what[:1]) + what[1:],
	})
	var report orgsheet.Report
	if what == "units" {
		report, err = orgsheet.ImportUnits(ctx, db, tab, *dryRun)
	} else {
		report, err = orgsheet.ImportUsers(ctx, db, tab, password.NewInitial, (&password.Hasher{}).Hash, *dryRun)
	}
	if err != nil {
		return err
	}
	if len(report.Problems) > 0 {
		return refusal(out, report.Problems)
	}
	if *dryRun {
		fmt.Fprintf(out, "%s: %d row(s), no problem: an import would create %d %s\n", report.Sheet, report.Rows, report.Created, what)
		return nil
	}
	fmt.Fprintf(out, "%s: created %d %s\n", report.Sheet, report.Created, what)
	if len(report.Credentials) == 0 {
		return nil
	}
	return writeCredentials(*credentials, out, report.Credentials)
}

// refusal lists every problem and fails: nothing was written.
func refusal(out io.Writer, probs sheet.Problems) error {
	for _, p := range probs {
		fmt.Fprintln(out, p)
	}
	return fmt.Errorf("%d problem(s) in the file; nothing was imported", len(probs))
}

// writeCredentials hands out the made-up initial passwords, as CSV: to a file
// only its owner reads, or to standard output.
func writeCredentials(file string, out io.Writer, creds []orgsheet.Credential) error {
	w := out
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("credentials file: %w", err)
		}
		defer f.Close()
		w = f
		fmt.Fprintf(out, "initial passwords of %d account(s) written to %s: hand each to its owner, who must change it\n", len(creds), file)
	} else {
		fmt.Fprintf(out, "initial passwords (shown once; each owner must change theirs at the first sign-in):\n")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"username", "password"}); err != nil {
		return err
	}
	for _, c := range creds {
		if err := cw.Write([]string{c.Username, c.Password}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
