package password

import (
	"context"
	"errors"
	"time"
)

// ErrBusy is a hash that could not start: as many as the gate allows are
// running.
var ErrBusy = errors.New("password hashing is busy")

// Gate bounds how many argon2id hashes run at once. Each holds its cost's
// memory (64 MiB at Production) while it runs, so concurrent sign-ins, not
// requests, are what exhausts a server's memory; a gate sized from the
// memory set aside for hashing keeps that bounded.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate lets n hashes run at once; a further one waits up to wait for a
// slot, then is refused.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// SlotsFor is how many hashes at cost p fit in budget bytes (one at least).
func SlotsFor(p *Params, budget int64) int {
	if p == nil {
		p = Production
	}
	per := int64(p.Memory) * 1024 // argon2id's memory is in KiB
	return int(max(budget/per, 1))
}

// Enter takes a slot, waiting up to the gate's wait (or the context's end);
// release gives it back. With no slot free in time it returns ErrBusy.
func (g *Gate) Enter(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *Gate) leave() { <-g.slots }

// Cap is how many hashes the gate lets run at once.
func (g *Gate) Cap() int { return cap(g.slots) }
