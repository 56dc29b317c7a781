// Package spool keeps a stream of batches in a temporary file: a long import
// judges its rows batch by batch and spools what it will write, so that it
// holds one batch in memory rather than the whole file's worth, and reads
// the batches back, in order, when it writes them.
package spool

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
)

// Spool is a temporary file of batches of T, written in order and then read
// back in the same order, as often as needed. A batch is kept as JSON, so T
// comes back as encoding/json decodes it (encoding/gob would be smaller, but
// it drops a pointer to a zero value: a value reported as 否 would come back
// unreported). It is not safe for concurrent use.
type Spool[T any] struct {
	f       *os.File
	w       *bufio.Writer
	enc     *json.Encoder
	batches int
}

// New creates a spool in dir (the system's temporary directory when empty).
func New[T any](dir string) (*Spool[T], error) {
	f, err := os.CreateTemp(dir, "fazhi-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool[T]{f: f, w: bufio.NewWriter(f)}
	s.enc = json.NewEncoder(s.w)
	return s, nil
}

// Write appends a batch.
func (s *Spool[T]) Write(batch T) error {
	if err := s.enc.Encode(&batch); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.batches++
	return nil
}

// Len is how many batches were written.
func (s *Spool[T]) Len() int { return s.batches }

// Batches reads the batches back from the first, one at a time; each is
// decoded as it is reached, and the last error, if any, ends the sequence.
func (s *Spool[T]) Batches() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := s.w.Flush(); err != nil {
			yield(zero, fmt.Errorf("spool: %w", err))
			return
		}
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			yield(zero, fmt.Errorf("spool: %w", err))
			return
		}
		// Writing goes on at the end after a read.
		defer func() { _, _ = s.f.Seek(0, io.SeekEnd) }()
		dec := json.NewDecoder(bufio.NewReader(s.f))
		for range s.batches {
			var batch T
			if err := dec.Decode(&batch); err != nil {
				yield(zero, fmt.Errorf("spool: %w", err))
				return
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}

// Close removes the file.
func (s *Spool[T]) Close() error {
	return errors.Join(s.f.Close(), os.Remove(s.f.Name()))
}
