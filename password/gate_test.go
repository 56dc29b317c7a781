package password

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	g := NewGate(2, time.Millisecond)
	ctx := context.Background()
	first, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Enter(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("a third hash with two slots: %v, want ErrBusy", err)
	}
	first()
	third, err := g.Enter(ctx)
	if err != nil {
		t.Fatalf("a slot given back is taken again: %v", err)
	}
	second()
	third()
	if n := SlotsFor(Production, 512<<20); n != 8 {
		t.Errorf("512 MiB holds %d hashes of 64 MiB, want 8", n)
	}
	if n := SlotsFor(Production, 1<<20); n != 1 {
		t.Errorf("a budget below one hash allows %d, want 1", n)
	}
}
