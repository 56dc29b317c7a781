// Command baseline is a hand-written reference server for fazhi's load
// tests: net/http, database/sql and encoding/json serving six of fazhi's
// operations on fazhi's own database, so that a benchmark can set the
// whole fazhi server (Echo, the contract's validator, GORM) against a
// server that does the same work per request and nothing more:
//
//	GET   /api/v1/units/{id}              (If-None-Match)
//	GET   /api/v1/units                   (parentId, limit, cursor; by code)
//	GET   /api/v1/indicator-values        (unitId, year, limit, cursor)
//	GET   /api/v1/checklists/{id}/items   (implementingUnitId, limit, cursor; by sequence)
//	GET   /api/v1/plan-tasks              (planId, limit, cursor; by deadline)
//	PATCH /api/v1/units/{id}              (If-Match; name, shortName)
//
// It imports nothing from fazhi, on purpose: it is an honest reference, so
// it repeats fazhi's work instead, and whoever changes that work in fazhi
// changes it here too (baseline_test.go compares the two servers answer by
// answer, byte by byte). Per request that is: the request id; the session
// lookup by the token's SHA-256 (store.SessionCaller) and its checks; the
// operation's x-permission and the caller's subtree (authz); the SQL of
// fazhi's store (the same WHERE, ORDER BY and LIMIT n+1, the same keyset
// seek); the same JSON, cursors, ETags and problems; one log line. A change
// also takes the row lock, checks the version, writes the row (with
// search_text folded as textsearch.Fold folds it, with the same two
// libraries), its unlinked audit event and its feed event, in one
// transaction; a sequencer then links the events into the hash chain as
// store/sequencer.go does (audit.Hash).
//
// Not mirrored, and answered 400 or 401: the other filters and sorts,
// moving a unit, changing its code or kind, API keys.
//
// The database must already be migrated (fazhi migrate) and seeded:
//
//	go run ./bench/baseline -addr 127.0.0.1:8090 -db sqlite:///abs/path/fazhi.db
//	go run ./bench/baseline -addr 127.0.0.1:8090 -db mysql://user:pass@host:3306/db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("baseline stopped", "error", err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	addr := flag.String("addr", "127.0.0.1:8090", "address to listen on")
	dbURL := flag.String("db", "", "DATABASE_URL of a migrated database: mysql://user:pass@host:3306/db or sqlite:///abs/path/file.db")
	conns := flag.Int("conns", 20, "database connections at most, idle ones kept up to the same number (FAZHI_DB_MAX_OPEN_CONNS)")
	pprofAddr := flag.String("pprof", "", "address of Go's profiler (/debug/pprof/), as fazhi's FAZHI_PPROF_ADDR; empty: off")
	flag.Parse()
	if *dbURL == "" {
		return errors.New("-db is required")
	}
	db, dialect, err := openDatabase(*dbURL, *conns)
	if err != nil {
		return err
	}
	defer db.Close()
	// An empty database (SQLite makes one for a wrong path) fails here, not
	// on every request.
	if err := db.QueryRow("SELECT last_seq FROM audit_chain WHERE id = 1").Scan(new(int64)); err != nil {
		return fmt.Errorf("the database is not migrated (fazhi migrate up): %w", err)
	}
	s := newServer(db, dialect, log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sequencing, stopSequencing := context.WithCancel(context.Background())
	defer stopSequencing()
	go s.runSequencer(sequencing, 250*time.Millisecond)

	// fazhi's defaults (cmd/fazhi/config.go).
	srv := &http.Server{
		Addr:              *addr,
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	if *pprofAddr != "" {
		if err := serveProfiler(*pprofAddr, errc); err != nil {
			return err
		}
	}
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", *addr, "dialect", dialect)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveProfiler serves Go's profiler on an address of its own, as fazhi's
// FAZHI_PPROF_ADDR does, so that the load driver can profile both servers
// under the same load.
func serveProfiler(addr string, errc chan<- error) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("profiler address: %w", err)
	}
	go func() { errc <- http.Serve(ln, mux) }()
	return nil
}
