package models

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/exact"
)

func TestValueCheckAgainst(t *testing.T) {
	d := func(s string) *exact.Decimal { return ptrTo(exact.MustParse(s)) }
	ind := func(valueType ValueType) *Indicator {
		return &Indicator{Code: "17", ValueType: valueType, Points: exact.MustParse("4.5")}
	}
	yes, text := ptrTo(true), ptrTo("已建立")
	tests := []struct {
		name      string
		valueType ValueType
		v         IndicatorValue
		pointers  []string // nil: valid
	}{
		{"number", "number", IndicatorValue{Value: d("58.10"), Qualifier: "exact"}, nil},
		{"number, negative", "number", IndicatorValue{Value: d("-3"), Qualifier: "exact"}, nil},
		{"number, more than", "number", IndicatorValue{Value: d("40000000"), Qualifier: "more_than"}, nil},
		{"number without value", "number", IndicatorValue{Qualifier: "exact"}, []string{"/value"}},
		{"number with yesNo", "number", IndicatorValue{Value: d("1"), YesNo: yes, Qualifier: "exact"}, []string{"/value"}},
		{"number with text only", "number", IndicatorValue{Text: text, Qualifier: "exact"}, []string{"/value", "/value"}},
		{"percent", "percent", IndicatorValue{Value: d("58.10"), Qualifier: "exact"}, nil},
		{"percent, 0", "percent", IndicatorValue{Value: d("0"), Qualifier: "exact"}, nil},
		{"percent, 100.00", "percent", IndicatorValue{Value: d("100.00"), Qualifier: "at_least"}, nil},
		{"percent above 100", "percent", IndicatorValue{Value: d("100.01"), Qualifier: "exact"}, []string{"/value"}},
		{"percent below 0", "percent", IndicatorValue{Value: d("-0.5"), Qualifier: "exact"}, []string{"/value"}},
		{"percent without value", "percent", IndicatorValue{Qualifier: "exact"}, []string{"/value"}},
		{"yes/no", "yes_no", IndicatorValue{YesNo: yes, Qualifier: "exact"}, nil},
		{"yes/no, false", "yes_no", IndicatorValue{YesNo: ptrTo(false), Qualifier: "exact"}, nil},
		{"yes/no without yesNo", "yes_no", IndicatorValue{Qualifier: "exact"}, []string{"/yesNo"}},
		{"yes/no with value", "yes_no", IndicatorValue{YesNo: yes, Value: d("1"), Qualifier: "exact"}, []string{"/yesNo"}},
		{"text", "text", IndicatorValue{Text: text, Qualifier: "exact"}, nil},
		{"text without text", "text", IndicatorValue{Qualifier: "exact"}, []string{"/text"}},
		{"text with yesNo", "text", IndicatorValue{Text: text, YesNo: yes, Qualifier: "exact"}, []string{"/text"}},
		{"evidence only", "evidence_only", IndicatorValue{Qualifier: "exact"}, nil},
		{"evidence only with value", "evidence_only", IndicatorValue{Value: d("1"), Qualifier: "exact"}, []string{"/value"}},
		{"evidence only with text", "evidence_only", IndicatorValue{Text: text, Qualifier: "exact"}, []string{"/value"}},
		{"unknown qualifier", "number", IndicatorValue{Value: d("1"), Qualifier: "roughly"}, []string{"/qualifier"}},
		{"empty qualifier", "number", IndicatorValue{Value: d("1")}, []string{"/qualifier"}},
		{"self score within points", "number", IndicatorValue{Value: d("1"), Qualifier: "exact", SelfScore: d("4.50")}, nil},
		{"self score 0", "number", IndicatorValue{Value: d("1"), Qualifier: "exact", SelfScore: d("0")}, nil},
		{"self score above points", "number", IndicatorValue{Value: d("1"), Qualifier: "exact", SelfScore: d("4.51")}, []string{"/selfScore"}},
		{"negative self score", "number", IndicatorValue{Value: d("1"), Qualifier: "exact", SelfScore: d("-1")}, []string{"/selfScore"}},
		{"several faults at once", "yes_no", IndicatorValue{Qualifier: "x", SelfScore: d("5")}, []string{"/qualifier", "/selfScore", "/yesNo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.CheckAgainst(ind(tt.valueType))
			if tt.pointers == nil {
				if err != nil {
					t.Fatalf("CheckAgainst = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckAgainst = %v, want a ValidationError", err)
			}
			if ve.Code != "value_invalid" {
				t.Errorf("code %q, want value_invalid", ve.Code)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Pointer)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Pointer)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers %v, want %v (%v)", got, tt.pointers, err)
			}
		})
	}
}

func TestValueEditable(t *testing.T) {
	for status, editable := range map[ValueStatus]bool{
		ValueDraft: true, ValueReturned: true, ValueSubmitted: false, ValueApproved: false, ValueLocked: false,
	} {
		err := (&IndicatorValue{ID: "v", Status: status}).Editable()
		if editable != (err == nil) {
			t.Errorf("%s: Editable = %v", status, err)
		}
		var ce *ConflictError
		if err != nil && (!errors.As(err, &ce) || ce.Code != "value_not_editable" || !errors.Is(err, ErrConflict)) {
			t.Errorf("%s: Editable = %#v, want a value_not_editable conflict", status, err)
		}
	}
}

func TestImplausible(t *testing.T) {
	ds := func(ss ...string) []exact.Decimal {
		out := make([]exact.Decimal, len(ss))
		for i, s := range ss {
			out[i] = exact.MustParse(s)
		}
		return out
	}
	tests := []struct {
		name           string
		v              string
		history, peers []exact.Decimal
		want           []string // substrings of the flags, in order
	}{
		{"no comparisons", "5000", nil, nil, nil},
		{"one earlier period never flags", "5000", ds("100"), nil, nil},
		{"one peer never flags", "5000", nil, ds("1"), nil},
		{"one of each never flags", "1", ds("1000"), ds("1000"), nil},
		{"close to history", "105", ds("100", "110"), nil, nil},
		{"far above history", "5000", ds("100", "110"), nil, []string{"more than ten times the median 105"}},
		{"exactly ten times the median", "1000", ds("90", "100", "110"), nil, nil},
		{"exactly ten times, other scale", "1000.000", ds("100.0", "100.00"), nil, nil},
		{"just above ten times", "1000.01", ds("90", "100", "110"), nil, []string{"more than ten times the median 100 of the unit's earlier periods"}},
		{"exactly a tenth", "10", ds("90", "100", "110"), nil, nil},
		{"just below a tenth", "9.99", ds("90", "100", "110"), nil, []string{"less than a tenth of the median 100 of the unit's earlier periods"}},
		{"odd count takes the middle", "1001", ds("1", "100", "100000"), nil, []string{"more than ten times the median 100 "}},
		{"far from peers", "5000", nil, ds("100", "120", "90"), []string{"more than ten times the median 100 of the other units this period"}},
		{"far from both", "0.5", ds("100", "100"), ds("50", "70"), []string{"less than a tenth", "earlier periods", "less than a tenth", "other units"}},
		{"zero median never flags", "5", ds("0", "0", "0"), nil, nil},
		{"negative median never flags", "5", ds("-10", "-20"), nil, nil},
		{"negative value never flags", "-5000", ds("100", "100"), nil, nil},
		{"zero value next to a positive median", "0", ds("100", "100"), nil, []string{"less than a tenth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Implausible(exact.MustParse(tt.v), tt.history, tt.peers)
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("Implausible(%s) = %q, want no flags", tt.v, got)
				}
				return
			}
			joined := strings.Join(got, " | ")
			rest := joined
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Implausible(%s) = %q, want %q (in order)", tt.v, got, tt.want)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestImplausibleLeavesItsInputsAlone(t *testing.T) {
	history := []exact.Decimal{exact.MustParse("300"), exact.MustParse("100"), exact.MustParse("200")}
	Implausible(exact.MustParse("5000"), history, nil)
	if history[0].String() != "300" || history[1].String() != "100" || history[2].String() != "200" {
		t.Errorf("history reordered: %v", history)
	}
}
