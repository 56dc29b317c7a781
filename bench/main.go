// Command bench measures fazhi from outside, whole server against whole
// server: the fazhi binary and a hand-written net/http + database/sql server
// that does the same work per request (bench/baseline), on the same seeded
// database, under the same closed-loop load, in interleaved rounds. It first
// checks that both servers answer every benchmarked request byte for byte
// alike, and at the end that the audit chain both wrote into verifies.
//
// From the repository's root, with MariaDB at the default address:
//
//	go run ./bench                       # both databases, default scale, 3 rounds of 20 s
//	go run ./bench -db sqlite -rounds 1  # a quicker look
//
// It prints, per database and operation: requests per second, p50 and p99,
// the server's CPU time per request (and MariaDB's), new database
// connections per second, and fazhi's ratio to the baseline with its spread
// over the rounds. docs/benchmarks.md says how to read it.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/fazhi/fazhi/store"
)

type options struct {
	databases []string
	mysqlURL  string
	scale     scale
	rounds    int
	warmup    time.Duration
	duration  time.Duration
	workers   int
	cases     string
	keep      bool
	profiles  string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	dbs := fs.String("db", "sqlite,mysql", "databases to run on: sqlite, mysql or both")
	mysqlURL := fs.String("mysql", envOr("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/fazhi_bench"),
		"MariaDB or MySQL database to (re)create for the run: everything in it is dropped")
	scaleName := fs.String("scale", "default", "data to seed: small, default or large")
	var o options
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every case on both servers, in alternating order")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "load before each measured window, not counted")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "measured window of each case on each server per round")
	fs.IntVar(&o.workers, "workers", 32, "requests in flight (one kept-alive connection each)")
	fs.StringVar(&o.cases, "cases", "abcdefgh", "cases to run, by letter")
	fs.BoolVar(&o.keep, "keep", false, "keep the SQLite file and the servers' logs")
	fs.StringVar(&o.profiles, "profiles", "", "write a CPU profile of each server in each measured window into this directory (<server>-<db>-<case>.pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.profiles != "" {
		if err := os.MkdirAll(o.profiles, 0o755); err != nil {
			return err
		}
	}
	var ok bool
	if o.scale, ok = scales[*scaleName]; !ok {
		return fmt.Errorf("-scale: want small, default or large, got %q", *scaleName)
	}
	o.databases = strings.Split(*dbs, ",")
	o.mysqlURL = *mysqlURL
	for _, d := range o.databases {
		if d != store.SQLite && d != store.MySQL {
			return fmt.Errorf("-db: want sqlite, mysql or both, got %q", d)
		}
	}

	dir, err := os.MkdirTemp("", "fazhi-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(out, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fazhiBin, baseBin, err := build(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bench: scale %s (%d units, %d indicators, %d values), %d rounds of %s (after %s warm-up), %d requests in flight\n",
		o.scale.Name, o.scale.Units(), o.scale.Indicators, o.scale.Values(), o.rounds, o.duration, o.warmup, o.workers)
	for _, dialect := range o.databases {
		if err := runOn(ctx, out, o, dialect, dir, fazhiBin, baseBin); err != nil {
			return fmt.Errorf("%s: %w", dialect, err)
		}
	}
	return nil
}

// runOn seeds a fresh database of one dialect, starts both servers on it,
// checks their answers alike, runs the rounds and prints the table.
func runOn(ctx context.Context, out io.Writer, o options, dialect, dir, fazhiBin, baseBin string) error {
	url := "sqlite://" + filepath.Join(dir, "bench.db")
	var m meters
	if dialect == store.MySQL {
		url = o.mysqlURL
		counter, err := recreate(ctx, url)
		if err != nil {
			return err
		}
		defer counter.Close()
		m.dbConns = func() (int64, error) {
			var name string
			var n int64
			err := counter.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Connections'").Scan(&name, &n)
			return n, err
		}
		m.dbPID = serverPID(ctx, counter)
	}
	m.warmup, m.duration, m.workers, m.profiles, m.dialect = o.warmup, o.duration, o.workers, o.profiles, dialect

	began := time.Now()
	db, err := store.Open(store.Config{URL: url})
	if err != nil {
		return err
	}
	if _, err := db.MigrateUp(ctx); err != nil {
		db.Close()
		return err
	}
	f, err := seed(ctx, db, o.scale)
	db.Close()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "\n## %s: seeded in %s\n", dialect, time.Since(began).Round(time.Second))

	base, err := startBaseline(ctx, baseBin, url, filepath.Join(dir, dialect+"-baseline.log"), o.profiles != "")
	if err != nil {
		return err
	}
	defer base.Stop()
	fz, err := startFazhi(ctx, fazhiBin, url, dir, filepath.Join(dir, dialect+"-fazhi.log"), o.profiles != "")
	if err != nil {
		return err
	}
	defer fz.Stop()

	cursor, err := deepCursor(f, fz, o.scale.Units())
	if err != nil {
		return err
	}
	p := newPatcher(f)
	var cs []benchCase
	for _, c := range cases(f, cursor, p) {
		if strings.Contains(o.cases, c.Key) {
			cs = append(cs, c)
		}
	}
	checks, err := identical(f, base, fz, cs, p)
	if err != nil {
		return fmt.Errorf("the servers' answers differ: %w", err)
	}
	for _, line := range checks {
		fmt.Fprintln(out, line)
	}

	results := map[string][][2]sample{} // case → rounds → {baseline, fazhi}
	for r := range o.rounds {
		order := []*server{base, fz}
		if r%2 == 1 {
			order = []*server{fz, base}
		}
		for _, c := range cs {
			var pair [2]sample
			for _, s := range order {
				if err := ctx.Err(); err != nil {
					return err
				}
				res, err := m.attack(c, s)
				if err != nil {
					return err
				}
				if s == base {
					pair[0] = res
				} else {
					pair[1] = res
				}
			}
			results[c.Key] = append(results[c.Key], pair)
		}
		fmt.Fprintf(out, "round %d of %d done\n", r+1, o.rounds)
	}
	verdict, err := verifyAudit(f, fz)
	if err != nil {
		return err
	}
	printTable(out, dialect, cs, results)
	fmt.Fprintln(out, verdict)
	return nil
}

// recreate drops and creates the database url names, and returns a
// connection to its server that reads the Connections counter.
func recreate(ctx context.Context, url string) (*sql.DB, error) {
	_, dsn, err := store.ParseURL(url, "")
	if err != nil {
		return nil, err
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	name := cfg.DBName
	if name == "" || strings.ContainsAny(name, "`") {
		return nil, fmt.Errorf("-mysql %q: name a database for the run", url)
	}
	cfg.DBName = ""
	server, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	// One connection, kept: the counter reads must not count themselves.
	server.SetMaxOpenConns(1)
	server.SetMaxIdleConns(1)
	for _, q := range []string{"DROP DATABASE IF EXISTS `" + name + "`",
		"CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"} {
		if _, err := server.ExecContext(ctx, q); err != nil {
			server.Close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return server, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// median of a few numbers (the rounds'), and their spread.
func median(xs []float64) (mid, lo, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0, 0
	}
	mid = s[n/2]
	if n%2 == 0 {
		mid = (s[n/2-1] + s[n/2]) / 2
	}
	return mid, s[0], s[n-1]
}
