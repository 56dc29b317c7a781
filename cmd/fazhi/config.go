package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	humanbytes "github.com/labstack/gommon/bytes"
)

// setting is one environment variable the program reads.
type setting struct {
	name, def, help string
}

// settings is the whole configuration: --help prints it, config reads it.
var settings = []setting{
	{"FAZHI_ADDR", ":8080", "address to listen on"},
	{"FAZHI_METRICS_ADDR", "", "address of /metrics (Prometheus), apart from the API's; empty: /metrics on FAZHI_ADDR"},
	{"FAZHI_PPROF_ADDR", "", "address of Go's profiler (/debug/pprof/), never the API's; empty: off. Bind it to localhost or a private network"},
	{"DATABASE_URL", "", "mysql://user:pass@host:3306/db or sqlite:///path/file.db; empty: embedded SQLite in FAZHI_DATA_DIR"},
	{"FAZHI_DATA_DIR", "data", "directory of the embedded database and, by default, of attachments"},
	{"FAZHI_ATTACHMENT_DIR", "", "directory of the attachments, shared by every instance; empty: FAZHI_DATA_DIR/attachments"},
	{"FAZHI_ATTACHMENT_LIMIT", "20MiB", "largest attachment accepted (e.g. 10MiB, 50MiB; 20M is 20,000,000 bytes); uploads are exempt from FAZHI_BODY_LIMIT"},
	{"FAZHI_SHEET_LIMIT", "64MiB", "largest spreadsheet a value import takes (.xlsx or .csv; 413 beyond); exempt from FAZHI_BODY_LIMIT"},
	{"FAZHI_ENV", "development", "development or production"},
	{"FAZHI_DEMO", "auto", "load the demo data: auto (when the embedded database is new, outside production), always, never"},
	{"FAZHI_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"FAZHI_BODY_LIMIT", "1M", "largest request body accepted (e.g. 512K, 1M)"},
	{"FAZHI_CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser; empty: CORS off"},
	{"FAZHI_DB_MAX_OPEN_CONNS", "20", "database connections at most (idle ones are kept up to the same number)"},
	{"FAZHI_DB_CONN_MAX_LIFETIME", "30m", "recycle database connections after this long"},
	{"FAZHI_READ_HEADER_TIMEOUT", "5s", "time to read request headers"},
	{"FAZHI_READ_TIMEOUT", "30s", "time to read a whole request"},
	{"FAZHI_WRITE_TIMEOUT", "60s", "time to write a response; a request still working a twelfth of it before (1 to 10 s) is stopped, rolled back and answered 503 request_too_long"},
	{"FAZHI_IDLE_TIMEOUT", "120s", "keep-alive connections idle this long are closed"},
	{"FAZHI_SHUTDOWN_TIMEOUT", "30s", "on SIGTERM, time allowed for requests in flight to finish"},
	{"FAZHI_SESSION_TTL", "12h", "how long a sign-in lasts"},
	{"FAZHI_API_KEY_RATE", "600", "requests a minute one API key may make (across all instances)"},
	{"FAZHI_FEED_RETENTION", "9600h", "the province's change feed keeps events this long (400 days); older ones are compacted, and a consumer behind them takes a snapshot (410)"},
	{"FAZHI_TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed; empty: the peer address is the client"},
}

// config is the configuration read from the environment.
type config struct {
	Addr              string
	MetricsAddr       string
	PprofAddr         string
	DatabaseURL       string
	DataDir           string
	AttachmentDir     string
	AttachmentLimit   int64
	SheetLimit        int64
	Env               string
	Demo              string
	LogLevel          slog.Level
	BodyLimit         string
	CORSOrigins       []string
	DBMaxOpenConns    int
	DBConnMaxLifetime time.Duration
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	SessionTTL        time.Duration
	FeedRetention     time.Duration
	APIKeyRate        int
	TrustedProxies    []string
}

// loadConfig reads the settings from getenv, reporting every bad value at once.
func loadConfig(getenv func(string) string) (config, error) {
	var c config
	var errs []string
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, s := range settings {
			if s.name == name {
				return s.def
			}
		}
		panic("unknown setting " + name)
	}
	duration := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s: want a positive duration such as 30s, got %q", name, get(name)))
		}
		return d
	}
	c.Addr = get("FAZHI_ADDR")
	c.MetricsAddr = get("FAZHI_METRICS_ADDR")
	c.PprofAddr = get("FAZHI_PPROF_ADDR")
	// (Port 0 is a new port each time it is listened on.)
	if c.PprofAddr != "" && !strings.HasSuffix(c.PprofAddr, ":0") && (c.PprofAddr == c.Addr || c.PprofAddr == c.MetricsAddr) {
		// The profiler shows the process's memory and arguments: never
		// where the API's callers or the metrics scraper reach.
		errs = append(errs, fmt.Sprintf("FAZHI_PPROF_ADDR: %q is the address of the API or of /metrics; give the profiler one of its own", c.PprofAddr))
	}
	c.DatabaseURL = get("DATABASE_URL")
	c.DataDir = get("FAZHI_DATA_DIR")
	c.AttachmentDir = get("FAZHI_ATTACHMENT_DIR")
	if c.AttachmentDir == "" {
		c.AttachmentDir = filepath.Join(c.DataDir, "attachments")
	}
	limit, err := humanbytes.Parse(get("FAZHI_ATTACHMENT_LIMIT"))
	if err != nil || limit <= 0 {
		errs = append(errs, fmt.Sprintf("FAZHI_ATTACHMENT_LIMIT: want a positive size such as 20MiB, got %q", get("FAZHI_ATTACHMENT_LIMIT")))
	}
	c.AttachmentLimit = limit
	sheetLimit, err := humanbytes.Parse(get("FAZHI_SHEET_LIMIT"))
	if err != nil || sheetLimit <= 0 {
		errs = append(errs, fmt.Sprintf("FAZHI_SHEET_LIMIT: want a positive size such as 64MiB, got %q", get("FAZHI_SHEET_LIMIT")))
	}
	c.SheetLimit = sheetLimit
	c.Env = get("FAZHI_ENV")
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Sprintf("FAZHI_ENV: want development or production, got %q", c.Env))
	}
	c.Demo = get("FAZHI_DEMO")
	if c.Demo != "auto" && c.Demo != "always" && c.Demo != "never" {
		errs = append(errs, fmt.Sprintf("FAZHI_DEMO: want auto, always or never, got %q", c.Demo))
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("FAZHI_LOG_LEVEL"))); err != nil {
		errs = append(errs, fmt.Sprintf("FAZHI_LOG_LEVEL: want debug, info, warn or error, got %q", get("FAZHI_LOG_LEVEL")))
	}
	c.BodyLimit = get("FAZHI_BODY_LIMIT")
	// Parsed as Echo's BodyLimit middleware parses it: it panics on what it cannot read.
	if n, err := humanbytes.Parse(c.BodyLimit); err != nil || n <= 0 {
		errs = append(errs, fmt.Sprintf("FAZHI_BODY_LIMIT: want a positive size such as 512K or 1M, got %q", c.BodyLimit))
	}
	for _, o := range strings.Split(get("FAZHI_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	n, err := strconv.Atoi(get("FAZHI_DB_MAX_OPEN_CONNS"))
	if err != nil || n < 1 {
		errs = append(errs, fmt.Sprintf("FAZHI_DB_MAX_OPEN_CONNS: want a positive number, got %q", get("FAZHI_DB_MAX_OPEN_CONNS")))
	}
	c.DBMaxOpenConns = n
	c.DBConnMaxLifetime = duration("FAZHI_DB_CONN_MAX_LIFETIME")
	c.ReadHeaderTimeout = duration("FAZHI_READ_HEADER_TIMEOUT")
	c.ReadTimeout = duration("FAZHI_READ_TIMEOUT")
	c.WriteTimeout = duration("FAZHI_WRITE_TIMEOUT")
	c.IdleTimeout = duration("FAZHI_IDLE_TIMEOUT")
	c.ShutdownTimeout = duration("FAZHI_SHUTDOWN_TIMEOUT")
	c.SessionTTL = duration("FAZHI_SESSION_TTL")
	c.FeedRetention = duration("FAZHI_FEED_RETENTION")
	rate, err := strconv.Atoi(get("FAZHI_API_KEY_RATE"))
	if err != nil || rate < 1 {
		errs = append(errs, fmt.Sprintf("FAZHI_API_KEY_RATE: want a positive number, got %q", get("FAZHI_API_KEY_RATE")))
	}
	c.APIKeyRate = rate
	for _, p := range strings.Split(get("FAZHI_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil {
			errs = append(errs, fmt.Sprintf("FAZHI_TRUSTED_PROXIES: %q is not a CIDR range", p))
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

const usage = `fazhi: the API of a city's rule-of-law government programme (法治政府建设).

Usage:
  fazhi [serve]              start the server (the default)
  fazhi migrate up|down|status
                             apply, roll back one, or list the database migrations
  fazhi seed demo            load the demo data (Panjin, 2021) and, outside production,
                             the demo accounts; safe to repeat
  fazhi init --unit-code CODE --unit-name NAME [--unit-kind KIND] --username NAME
             [--display-name TEXT] [--password-file FILE] [--if-empty]
                             start an empty database: its root unit and first
                             administrator; the password from the file or standard input
  fazhi import units FILE [--dry-run]
  fazhi import users FILE [--dry-run] [--credentials FILE]
                             import the unit tree or the accounts from .xlsx or .csv, all
                             or nothing; made-up initial passwords go to the credentials file
  fazhi user create --admin --username NAME --unit CODE [--display-name TEXT]
                             create a user; the password is read from standard input
  fazhi audit verify         check the audit log's hash chain; exit 1 when it is broken
  fazhi backup --to FILE     copy the SQLite database, consistent, while the server runs;
                             never over an existing file (MySQL: see docs/operations.md)
  fazhi pull --url URL --key KEY --into FILE [--follow] [--interval 30s] [--limit 1000]
                             keep a copy of the records a city releases in a SQLite file:
                             a snapshot, then the change feed (docs/feed.md); resumable at
                             any point; the key may come from FAZHI_PULL_KEY
  fazhi version              the release the binary was built from
  fazhi healthcheck [--live] exit 0 when the server on FAZHI_ADDR is ready (/readyz: the
                             database answers, migrations current), or with --live when
                             the process answers at all (/healthz)
  fazhi --help               this text

Configuration, from the environment:
`

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.name, def, s.help)
	}
	tw.Flush()
}
