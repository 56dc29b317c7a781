// Command fazhi runs the API server and its maintenance subcommands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fazhi:", err)
		os.Exit(1)
	}
}

// version is the release the binary was built from, set at build time
// (-ldflags "-X main.version=1.2.0"); "dev" otherwise.
var version = "dev"

// errUsage is a command line that names no known subcommand.
var errUsage = errors.New("unknown command; see fazhi --help")

func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		printUsage(stdout)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, args[1:], stdout)
	case "seed":
		if len(args) != 2 || args[1] != "demo" {
			return errors.New("usage: fazhi seed demo")
		}
		return seed(ctx, cfg, stdout)
	case "version":
		fmt.Fprintln(stdout, "fazhi", version)
		return nil
	case "healthcheck":
		return healthcheck(ctx, cfg, args[1:])
	case "user":
		return userCommand(ctx, cfg, args[1:], stdin, stdout)
	case "init":
		return initCommand(ctx, cfg, args[1:], stdin, stdout)
	case "import":
		return importCommand(ctx, cfg, args[1:], stdout)
	case "audit":
		if len(args) != 2 || args[1] != "verify" {
			return errors.New("usage: fazhi audit verify")
		}
		return auditVerify(ctx, cfg, stdout)
	case "backup":
		return backupCommand(ctx, cfg, args[1:], stdout)
	case "pull":
		return pullCommand(ctx, args[1:], getenv, stdout)
	}
	return errUsage
}

// compactFeed deletes the province's feed events older than the retention,
// at start and then every hour, until ctx ends. Every instance does: the
// floor's lock makes their passes take turns.
func compactFeed(ctx context.Context, db *store.DB, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := db.CompactFeed(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("feed not compacted; trying again in an hour", "error", err.Error())
		case n > 0:
			log.Info("feed compacted", "events_deleted", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// openStore opens the configured database and says whether the embedded file
// was new, which is when the demo data is loaded unasked.
func openStore(cfg config) (db *store.DB, fresh bool, err error) {
	if cfg.DatabaseURL == "" {
		_, statErr := os.Stat(filepath.Join(cfg.DataDir, "fazhi.db"))
		fresh = errors.Is(statErr, os.ErrNotExist)
	}
	db, err = store.Open(store.Config{
		URL: cfg.DatabaseURL, DataDir: cfg.DataDir,
		MaxOpenConns: cfg.DBMaxOpenConns, ConnMaxLifetime: cfg.DBConnMaxLifetime,
	})
	return db, fresh, err
}

// openMigrated opens the configured database and brings its schema up to date.
func openMigrated(ctx context.Context, cfg config) (*store.DB, error) {
	db, _, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := db.MigrateUp(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	db, fresh, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.MigrateUp(ctx)
	if err != nil {
		return err
	}
	log.Info("database ready", "version", version, "dialect", db.Dialect(), "migrations_applied", applied)
	// Audit events are linked into the chain after their changes commit, by
	// every instance in turn (store/sequencer.go).
	sequencing, stopSequencing := context.WithCancel(ctx)
	defer stopSequencing()
	go db.RunSequencer(sequencing, 250*time.Millisecond, func(err error) {
		log.Warn("audit events not linked yet; trying again", "error", err.Error())
	})
	go compactFeed(sequencing, db, cfg.FeedRetention, log)
	if cfg.Env == "production" {
		// Demo accounts have published passwords: in production none may work.
		n, err := db.DisableDemoUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Warn("demo accounts disabled: they are not allowed in production", "accounts", n)
		}
	}
	// Demo data comes unasked only to a new embedded database outside production.
	demoMode := cfg.Demo == "always" || (cfg.Demo == "auto" && fresh && cfg.Env != "production")
	if demoMode {
		n, err := seedExclusively(ctx, db, cfg)
		if err != nil {
			return err
		}
		log.Info("demo data loaded", "records_added", n, "demo_accounts", cfg.Env != "production")
	} else if counts, err := db.Count(ctx); err != nil {
		return err
	} else if counts.Users == 0 {
		// Nobody can sign in: say, once, how to give the city its first administrator.
		log.Warn("the database has no users: nobody can sign in. Create the root unit and the first administrator with: "+
			"fazhi init --unit-code CODE --unit-name NAME --username NAME --password-file FILE (or the password on standard input)",
			"units", counts.Units)
	}
	var metrics *http.Server
	scfg := server.Config{
		BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.CORSOrigins, DemoMode: demoMode,
		SessionTTL: cfg.SessionTTL, APIKeyRate: cfg.APIKeyRate, TrustedProxies: cfg.TrustedProxies,
		AttachmentDir: cfg.AttachmentDir, AttachmentLimit: cfg.AttachmentLimit, SheetLimit: cfg.SheetLimit,
		RequestTimeout: requestTimeout(cfg.WriteTimeout),
	}
	if cfg.MetricsAddr != "" {
		scfg.ServeMetrics = func(h http.Handler) {
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", h)
			metrics = &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: cfg.ReadHeaderTimeout,
				ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		}
	}
	handler, err := server.New(scfg, db, log)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + displayAddr(ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "docs", base+"/docs", "api", base+"/api/v1")

	errc := make(chan error, 3) // the API, metrics, the profiler
	go func() { errc <- srv.Serve(ln) }()
	if metrics != nil {
		mln, err := net.Listen("tcp", metrics.Addr)
		if err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
		log.Info("metrics listening", "addr", mln.Addr().String())
		go func() { errc <- metrics.Serve(mln) }()
		defer metrics.Close()
	}
	if cfg.PprofAddr != "" {
		profiler, err := serveProfiler(cfg, log, errc)
		if err != nil {
			return err
		}
		defer profiler.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// A second signal now ends the process at once, as an impatient operator expects.
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	// Stop accepting, let requests in flight finish, then close.
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveProfiler serves Go's profiler (net/http/pprof) on its own address, so
// that profiles come from the real binary under real load. It is off unless
// FAZHI_PPROF_ADDR is set, and never on the API's address: a profile shows
// the process's memory.
func serveProfiler(cfg config, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", cfg.PprofAddr)
	if err != nil {
		return nil, fmt.Errorf("profiler address: %w", err)
	}
	// No write timeout: a CPU profile answers after the seconds it samples.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: cfg.ReadHeaderTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Warn("profiler listening", "addr", ln.Addr().String(), "note", "a profile shows the process's memory: keep this address private")
	go func() { errc <- srv.Serve(ln) }()
	return srv, nil
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func migrate(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: fazhi migrate up|down|status")
	}
	db, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		applied, err := db.MigrateUp(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "applied %d migration(s) %v\n", len(applied), applied)
	case "down":
		v, err := db.MigrateDown(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "rolled back migration %d\n", v)
	case "status":
		states, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, s := range states {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(out, "%05d  %-40s %s\n", s.Version, s.Name, state)
		}
	default:
		return errors.New("usage: fazhi migrate up|down|status")
	}
	return nil
}

// seedExclusively adds the missing demo records under a database-wide lock:
// instances started together with FAZHI_DEMO=always seed one after another,
// the later ones finding every record there.
func seedExclusively(ctx context.Context, db *store.DB, cfg config) (int, error) {
	n := 0
	err := db.Exclusively(ctx, "fazhi.demo-seed", func() error {
		var err error
		n, err = demo.Seed(ctx, db, demoOptions(cfg))
		return err
	})
	return n, err
}

func seed(ctx context.Context, cfg config, out io.Writer) error {
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := seedExclusively(ctx, db, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo data: %d record(s) added\n", n)
	if cfg.Env == "production" {
		fmt.Fprintln(out, "demo accounts: not created (FAZHI_ENV=production)")
	}
	return nil
}

// demoOptions seeds the demo accounts outside production only.
func demoOptions(cfg config) demo.Options {
	h := &password.Hasher{}
	return demo.Options{Accounts: cfg.Env != "production", HashPassword: h.Hash}
}

// userCommand is "fazhi user create": the way to make the first administrator.
func userCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, out io.Writer) error {
	const usage = "usage: fazhi user create [--admin] [--role ROLE]... --username NAME --unit CODE [--display-name TEXT] < password"
	if len(args) == 0 || args[0] != "create" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	admin := fs.Bool("admin", false, "give the user the admin role")
	username := fs.String("username", "", "")
	unitCode := fs.String("unit", "", "")
	displayName := fs.String("display-name", "", "")
	var roles []models.Role
	fs.Func("role", "", func(s string) error { roles = append(roles, models.Role(s)); return nil })
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *username == "" || *unitCode == "" {
		return errors.New(usage)
	}
	if *admin && !slices.Contains(roles, models.RoleAdmin) {
		roles = append(roles, models.RoleAdmin)
	}
	if *displayName == "" {
		*displayName = *username
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := models.CheckPassword(*username, pw); err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// Looked up by the code itself: a text search for it is capped at one page
	// and can miss the unit among others whose code or name contains it.
	unit, err := db.UnitByCode(ctx, *unitCode)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("no unit has the code %q", *unitCode)
	}
	if err != nil {
		return err
	}
	unitID := unit.ID
	hash, err := (&password.Hasher{}).Hash(pw)
	if err != nil {
		return err
	}
	u := &models.User{Username: *username, DisplayName: *displayName, UnitID: unitID, Roles: roles, PasswordHash: hash}
	ctx = models.WithRequestInfo(ctx, models.RequestInfo{
		Caller:    models.Caller{Kind: models.CallerSystem, ID: "cli", Name: "fazhi user create"},
		Operation: "cli.userCreate",
	})
	if err := db.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(out, "created user %s (%s) with roles %v\n", u.Username, u.ID, u.Roles)
	return nil
}

// auditVerify checks the hash chain and fails when a link is broken.
func auditVerify(ctx context.Context, cfg config, out io.Writer) error {
	db, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !v.OK {
		fmt.Fprintf(out, "audit chain BROKEN at event %d (%s): %s; %d event(s) before it verified\n", v.BrokenSeq, v.BrokenID, v.BrokenCause, v.Checked)
		return errors.New("the audit chain does not verify")
	}
	fmt.Fprintf(out, "audit chain verified: %d event(s)\n", v.Checked)
	return nil
}

// healthcheck is the container's HEALTHCHECK (the image has no curl): the
// server is ready, /readyz, or with --live merely alive, /healthz.
func healthcheck(ctx context.Context, cfg config, args []string) error {
	path := "/readyz"
	switch {
	case len(args) == 1 && args[0] == "--live":
		path = "/healthz"
	case len(args) > 0:
		return errors.New("usage: fazhi healthcheck [--live]")
	}
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", path, resp.Status)
	}
	return nil
}

// requestTimeout is the time limit of a request's work under the server's
// write timeout: a margin below it, so that a request refused at the limit
// is still answered (a twelfth of it, at least a second, at most ten).
func requestTimeout(write time.Duration) time.Duration {
	if write <= 0 {
		return 0
	}
	return write - min(max(write/12, time.Second), 10*time.Second)
}
