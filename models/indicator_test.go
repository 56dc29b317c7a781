package models

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/exact"
)

func TestCheckPoints(t *testing.T) {
	// ind is an indicator with the given id, parent ("" for level 1) and points.
	ind := func(id, parent, points string) Indicator {
		i := Indicator{ID: id, Code: "c" + id, Name: "指标" + id, Points: exact.MustParse(points)}
		if parent != "" {
			i.ParentID = &parent
		}
		return i
	}
	tests := []struct {
		name       string
		total      string
		indicators []Indicator
		pointers   []string // the mismatches named, in order; none when it adds up
	}{
		{"thirds add up exactly", "100", []Indicator{
			ind("a", "", "33.3"), ind("b", "", "33.3"), ind("c", "", "33.4"),
		}, nil},
		{"scales do not matter", "0.1", []Indicator{
			ind("a", "", "0.10"), ind("a1", "a", "0.1"), ind("a2", "a", "0.000"),
		}, nil},
		{"a three-level tree of 1,000 points", "1000.0", []Indicator{
			ind("a", "", "600"), ind("a1", "a", "250.5"), ind("a2", "a", "349.50"),
			ind("a11", "a1", "125.25"), ind("a12", "a1", "125.25"),
			ind("b", "", "400.000"), ind("b1", "b", "400"),
		}, nil},
		{"children listed before their parent", "10", []Indicator{
			ind("a1", "a", "4"), ind("a2", "a", "6"), ind("a", "", "10"),
		}, nil},
		{"leaves may have no points", "5", []Indicator{
			ind("a", "", "5"), ind("b", "", "0"),
		}, nil},
		{"no indicators", "100", nil, []string{"/indicators"}},
		{"level 1 short of the total", "100", []Indicator{
			ind("a", "", "33.3"), ind("b", "", "33.3"), ind("c", "", "33.3"),
		}, []string{"/totalPoints"}},
		{"level 1 over the total by a millionth", "1", []Indicator{
			ind("a", "", "0.500001"), ind("b", "", "0.5"),
		}, []string{"/totalPoints"}},
		{"every mismatch is named", "100", []Indicator{
			ind("a", "", "60"), ind("a1", "a", "30"), ind("a2", "a", "20"), // 50 is not 60
			ind("b", "", "30"), ind("b1", "b", "10"), // 10 is not 30
			ind("b11", "b1", "5"),                     // 5 is not 10
			ind("c", "", "5"), ind("c1", "c", "5.00"), // adds up
		}, []string{"/totalPoints", "/indicators/a", "/indicators/b", "/indicators/b1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPoints(exact.MustParse(tt.total), tt.indicators)
			if tt.pointers == nil {
				if err != nil {
					t.Fatalf("CheckPoints: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckPoints = %v, want a ValidationError", err)
			}
			if ve.Code != "indicator_points_mismatch" {
				t.Errorf("code %q", ve.Code)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Pointer)
			}
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers %v, want %v", got, tt.pointers)
			}
		})
	}

	// The messages say what is wrong in exact figures.
	err := CheckPoints(exact.MustParse("100.0"), []Indicator{ind("a", "", "60.0"), ind("a1", "a", "30"), ind("a2", "a", "20.5")})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 {
		t.Fatalf("CheckPoints = %v", err)
	}
	if msg := ve.Fields[0].Message; !strings.Contains(msg, "60.0") || !strings.Contains(msg, "100.0") {
		t.Errorf("total message %q", msg)
	}
	if msg := ve.Fields[1].Message; !strings.Contains(msg, "ca") || !strings.Contains(msg, "指标a") ||
		!strings.Contains(msg, "60.0") || !strings.Contains(msg, "50.5") {
		t.Errorf("indicator message %q", msg)
	}
}

func TestIndicatorSystemRules(t *testing.T) {
	ok := IndicatorSystem{Name: "盘锦市考核指标", YearFrom: 2022, YearTo: 2022, TotalPoints: exact.MustParse("100")}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	bad := IndicatorSystem{Name: " ", YearFrom: 2023, YearTo: 2022, TotalPoints: exact.MustParse("0.0")}
	var ve *ValidationError
	if err := bad.Validate(); !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("Validate = %v, want three violations", err)
	}
	for _, s := range []SystemStatus{SystemPublished, SystemArchived} {
		sys := IndicatorSystem{ID: "x", Status: s}
		var ce *ConflictError
		if err := sys.Editable(); !errors.As(err, &ce) || ce.Code != "indicator_system_not_draft" {
			t.Errorf("Editable of a %s system = %v", s, err)
		}
	}
	if err := (&IndicatorSystem{Status: SystemDraft}).Editable(); err != nil {
		t.Errorf("Editable of a draft = %v", err)
	}
}
