package models

import (
	"errors"
	"testing"

	"github.com/fazhi/fazhi/exact"
)

func TestTargetMet(t *testing.T) {
	d := exact.MustParse
	to := d("80")
	tests := []struct {
		target Target
		value  string
		want   bool
	}{
		{Target{Comparator: AtLeast, Value: d("50")}, "50.00", true},
		{Target{Comparator: AtLeast, Value: d("50")}, "49.99", false},
		{Target{Comparator: AtMost, Value: d("60")}, "60", true},
		{Target{Comparator: AtMost, Value: d("60")}, "60.01", false},
		{Target{Comparator: Equal, Value: d("100")}, "100.0", true},
		{Target{Comparator: Equal, Value: d("100")}, "99.9", false},
		{Target{Comparator: Between, Value: d("60"), ValueTo: &to}, "60", true},
		{Target{Comparator: Between, Value: d("60"), ValueTo: &to}, "80.000", true},
		{Target{Comparator: Between, Value: d("60"), ValueTo: &to}, "80.001", false},
		{Target{Comparator: "planet", Value: d("1")}, "1", false},
	}
	for _, tt := range tests {
		if got := tt.target.Met(d(tt.value)); got != tt.want {
			t.Errorf("%s %s met by %s = %v, want %v", tt.target.Comparator, tt.target.Value, tt.value, got, tt.want)
		}
	}
}

func TestTargetValidate(t *testing.T) {
	d := exact.MustParse
	low, high := d("4"), d("6")
	for name, tt := range map[string]struct {
		target Target
		ok     bool
	}{
		"gte":                     {Target{Comparator: AtLeast, Value: d("5")}, true},
		"between":                 {Target{Comparator: Between, Value: d("5"), ValueTo: &high}, true},
		"between, equal ends":     {Target{Comparator: Between, Value: d("5"), ValueTo: ptrTo(d("5.00"))}, true},
		"between without valueTo": {Target{Comparator: Between, Value: d("5")}, false},
		"between reversed":        {Target{Comparator: Between, Value: d("5"), ValueTo: &low}, false},
		"valueTo without between": {Target{Comparator: AtMost, Value: d("5"), ValueTo: &high}, false},
		"unknown comparator":      {Target{Comparator: "gt", Value: d("5")}, false},
	} {
		err := tt.target.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: Validate = %v", name, err)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
