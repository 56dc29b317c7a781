package store_test

import (
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/fazhi/fazhi/store"
)

// TestDatabaseDeadlines: every MySQL call has a deadline, by default and as
// DATABASE_URL sets it, so that a database that stops answering fails the
// call (503) instead of holding the request.
func TestDatabaseDeadlines(t *testing.T) {
	for _, c := range []struct {
		url                   string
		read, write, dial, no string
	}{
		{"mysql://root@127.0.0.1:3306/fazhi", "30s", "30s", "10s", ""},
		{"mysql://root@127.0.0.1:3306/fazhi?readTimeout=5s&timeout=2s", "5s", "30s", "2s", ""},
		{"mysql://root@127.0.0.1:3306/fazhi?readTimeout=soon", "", "", "", "readTimeout"},
	} {
		_, dsn, err := store.ParseURL(c.url, "")
		if c.no != "" {
			if err == nil || !strings.Contains(err.Error(), c.no) {
				t.Errorf("%s: %v, want an error naming %s", c.url, err, c.no)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ReadTimeout.String() != c.read || cfg.WriteTimeout.String() != c.write || cfg.Timeout.String() != c.dial {
			t.Errorf("%s: read %s, write %s, dial %s; want %s, %s, %s", c.url, cfg.ReadTimeout, cfg.WriteTimeout, cfg.Timeout, c.read, c.write, c.dial)
		}
	}
}
