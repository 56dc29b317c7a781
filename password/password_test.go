package password

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	h := &Hasher{Params: Fast}
	hash, err := h.Hash("Fazhi-Demo-2021")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "Fazhi-Demo-2021") {
		t.Fatalf("hash %q", hash)
	}
	if !h.Verify("Fazhi-Demo-2021", hash) {
		t.Error("the right password does not verify")
	}
	if h.Verify("fazhi-demo-2021", hash) || h.Verify("", hash) {
		t.Error("a wrong password verifies")
	}
	if h.Verify("anything", "") || h.Verify("anything", "not-a-hash") {
		t.Error("a missing or broken hash verifies")
	}
	other, _ := h.Hash("Fazhi-Demo-2021")
	if other == hash {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken("fzs_")
	b, hb := NewToken("fzs_")
	if a == b || ha == hb || !strings.HasPrefix(a, "fzs_") || len(a) < 40 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashToken(a) != ha || !SameHash(ha, HashToken(a)) || SameHash(ha, hb) {
		t.Error("token hashes do not match")
	}
	if p := NewKeyPrefix(); len(p) != 12 || !strings.HasPrefix(p, "fzk_") {
		t.Errorf("key prefix %q", p)
	}
}

func TestNewInitial(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p := NewInitial()
		if len(p) != 17 || !strings.HasPrefix(p, "Fz-") || p[7] != '-' || p[12] != '-' {
			t.Fatalf("NewInitial() = %q: want Fz-XXXX-XXXX-XXXX", p)
		}
		for _, r := range strings.ReplaceAll(p[3:], "-", "") {
			if !strings.ContainsRune(initialAlphabet, r) {
				t.Fatalf("NewInitial() = %q holds %q, outside the alphabet without look-alikes", p, r)
			}
		}
		if seen[p] {
			t.Fatalf("NewInitial() made %q twice", p)
		}
		seen[p] = true
	}
}
