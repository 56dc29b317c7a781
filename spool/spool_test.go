package spool_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fazhi/fazhi/spool"
)

type batch struct {
	Rows []row
}

type row struct {
	Number int
	Text   *string
	YesNo  *bool
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := spool.New[batch](dir)
	if err != nil {
		t.Fatal(err)
	}
	text, no := "第二行", false
	want := []batch{{Rows: []row{{Number: 1}, {Number: 2, Text: &text}}}, {}, {Rows: []row{{Number: 3, YesNo: &no}}}}
	for _, b := range want {
		if err := s.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 3 {
		t.Errorf("Len %d", s.Len())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	// Read twice; a write after a read goes at the end.
	for round := range 2 {
		var got []batch
		for b, err := range s.Batches() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, b)
		}
		// The batches are on disk: the spool holds a write buffer only.
		if fi, err := os.Stat(files[0]); err != nil || fi.Size() < 20 {
			t.Errorf("the spool file: %v %v", fi, err)
		}
		if len(got) != len(want) || len(got[0].Rows) != 2 || *got[0].Rows[1].Text != text || got[2].Rows[0].Number != 3 || len(got[1].Rows) != 0 ||
			got[2].Rows[0].YesNo == nil || *got[2].Rows[0].YesNo || got[0].Rows[0].YesNo != nil {
			t.Errorf("round %d: %+v", round, got)
		}
		if round == 0 {
			if err := s.Write(batch{Rows: []row{{Number: 4}}}); err != nil {
				t.Fatal(err)
			}
			want = append(want, batch{Rows: []row{{Number: 4}}})
		}
	}
	// Stopping early is fine; a write after it goes at the end.
	for b := range s.Batches() {
		if b.Rows[0].Number != 1 {
			t.Errorf("first %+v", b)
		}
		break
	}
	if err := s.Write(batch{Rows: []row{{Number: 5}}}); err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for b, err := range s.Batches() {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Rows {
			numbers = append(numbers, r.Number)
		}
	}
	if want := []int{1, 2, 3, 4, 5}; !slices.Equal(numbers, want) {
		t.Errorf("after an early stop and a write: rows %v, want %v", numbers, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(files[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file is left behind: %v", err)
	}
}

func TestDamaged(t *testing.T) {
	dir := t.TempDir()
	s, err := spool.New[batch](dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(batch{Rows: []row{{Number: 1}}}); err != nil {
		t.Fatal(err)
	}
	for range s.Batches() {
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if err := os.Truncate(files[0], 3); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, err := range s.Batches() {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !slices.ContainsFunc(errs, func(e error) bool { return e != nil }) {
		t.Errorf("a damaged spool: %v", errs)
	}
}
