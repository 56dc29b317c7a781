package server_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

func TestMain(m *testing.M) {
	code := dbtest.Run(m)
	contract, err := server.LoadContract()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(apitest.CoverageGate(contract, code))
}

// testBodyLimit is small so that tests reach it cheaply.
const testBodyLimit = "16K"

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a server on a test database with its captured logs.
type harness struct {
	*apitest.Client
	db   *dbtest.DB
	echo *echo.Echo
	logs *syncBuffer
}

func newHarness(t *testing.T, db *dbtest.DB, cfg server.Config) *harness {
	t.Helper()
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = testBodyLimit
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	e, err := server.New(cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{Client: apitest.New(t, e), db: db, echo: e, logs: logs}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
