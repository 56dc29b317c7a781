// Command fazhi runs the API server and its maintenance subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fazhi:", err)
		os.Exit(1)
	}
}

// errUsage is a command line that names no known subcommand.
var errUsage = errors.New("unknown command; see fazhi --help")

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
	case "healthcheck":
		return healthcheck(ctx, cfg)
	}
	return errUsage
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
	log.Info("database ready", "dialect", db.Dialect(), "migrations_applied", applied)
	// Demo data comes unasked only to a new embedded database outside production.
	demoMode := cfg.Demo == "always" || (cfg.Demo == "auto" && fresh && cfg.Env != "production")
	if demoMode {
		n, err := demo.Seed(ctx, db)
		if err != nil {
			return err
		}
		log.Info("demo data loaded", "records_added", n)
	}
	handler, err := server.New(server.Config{BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.CORSOrigins, DemoMode: demoMode}, db, log)
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

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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

func seed(ctx context.Context, cfg config, out io.Writer) error {
	db, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.MigrateUp(ctx); err != nil {
		return err
	}
	n, err := demo.Seed(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo data: %d record(s) added\n", n)
	return nil
}

// healthcheck is the container's HEALTHCHECK: the image has no curl.
func healthcheck(ctx context.Context, cfg config) error {
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", resp.Status)
	}
	return nil
}
