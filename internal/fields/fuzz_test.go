package fields

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzParseAssignment(f *testing.F) {
	for _, s := range []string{"text_asset_9320d8d7=VIP", "name=a=b", "=", "customer[address_attributes][tel]=1", "contacts_attributes[name]=x", "\x00=\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, v, err := ParseAssignment(s)
		if err != nil {
			return
		}
		if !strings.HasSuffix(s, "="+v) {
			t.Fatalf("value %q is not the text after the first '=' of %q", v, s)
		}
		if n, err := NormalizeKey(k); err == nil && n != k {
			t.Fatalf("accepted key %q is not canonical (%q)", k, n)
		}
		if k == "" || k != strings.TrimSpace(k) || !utf8.ValidString(k) || strings.IndexFunc(k, unicode.IsControl) >= 0 {
			t.Fatalf("accepted name %q: empty, untrimmed, invalid UTF-8 or with control characters", k)
		}
		if FormName(k) == "" {
			t.Fatal("empty form name")
		}
	})
}

func FuzzParseDocument(f *testing.F) {
	for _, s := range []string{`{"name":"x","address_attributes":{"tel":"1"}}`, "name: x\npool: 45\n", `{"customer":{"contacts_attributes":[{"name":"a"}]}}`, `[`, "a: [b", `{"name":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseDocument(data)
		if err != nil {
			return
		}
		for k := range v {
			if k == PoolKey {
				continue
			}
			if n, err := NormalizeKey(k); err == nil && n != k {
				t.Fatalf("document produced a key that is not canonical: %q (%q)", k, n)
			}
		}
		_ = v.Form().Encode()
	})
}
