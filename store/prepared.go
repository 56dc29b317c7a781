package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// preparedStmts keeps the fixed statements of the hottest reads (the session
// lookup, a get by id) prepared on the pool. Used on SQLite only: its driver
// compiles a statement anew for every call otherwise, about a fifth of a get
// by id. MySQL's statements are sent interpolated instead (see Open), so
// that nothing is held on the server, whose prepared statements are limited
// server-wide.
//
// Only statements written in the code belong here, never one built from a
// request's input: the set must stay as small as the code's.
type preparedStmts struct {
	pool  *sql.DB
	stmts sync.Map // query → *sql.Stmt
	// mu orders closing after the preparations under way, so that no
	// statement prepared during Close is left open.
	mu     sync.RWMutex
	closed bool
}

var errPoolClosed = errors.New("store: database closed")

// get answers query's prepared statement, preparing it on first use. The
// preparation does not take ctx: a request that gives up must not leave
// others without the statement (a failed one is simply tried again).
func (p *preparedStmts) get(query string) (*sql.Stmt, error) {
	if s, ok := p.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, errPoolClosed
	}
	s, err := p.pool.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	if prior, loaded := p.stmts.LoadOrStore(query, s); loaded {
		_ = s.Close() // another request prepared it meanwhile
		return prior.(*sql.Stmt), nil
	}
	return s, nil
}

// close closes every statement; get fails from then on.
func (p *preparedStmts) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	p.stmts.Range(func(query, s any) bool {
		errs = append(errs, s.(*sql.Stmt).Close())
		p.stmts.Delete(query)
		return true
	})
	return errors.Join(errs...)
}
