package textsearch

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"盤錦市司法局", "盘锦市司法局"},
		{"盘锦市司法局", "盘锦市司法局"},
		{"遼東灣新區", "辽东湾新区"},
		{"ＡＢＣ Code-01", "abc code-01"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := Fold("盤錦市", "市政府", "211100"), "盘锦市 市政府 211100"; got != want {
		t.Errorf("Fold(parts) = %q, want %q", got, want)
	}
}

func TestEscapeLike(t *testing.T) {
	if got, want := EscapeLike(`50%_a!b`), `50!%!_a!!b`; got != want {
		t.Errorf("EscapeLike = %q, want %q", got, want)
	}
}
