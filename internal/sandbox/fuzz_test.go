package sandbox

import (
	"strings"
	"testing"
)

// FuzzCreate sends arbitrary bodies to create: the answer is always an envelope, never an
// internal error (which is what a recovered panic becomes).
func FuzzCreate(f *testing.F) {
	f.Add("common_id=45&customer[name]=x", "application/x-www-form-urlencoded")
	f.Add("customer[contacts_attributes][0][name]=a&customer[contacts_attributes][][name]=b", "application/x-www-form-urlencoded")
	f.Add("a[][b][][c]=1&a[][b]=2&a=3", "")
	f.Add(`{"common_id":45,"customer":{"name":"x","address_attributes":{"tel":1}}}`, "application/json")
	f.Add(`{"customer":{"contacts_attributes":{"0":{"name":null},"x":[]}}}`, "application/json")
	s := openMem(f, Options{})
	tok := defaultToken(f, s)
	f.Fuzz(func(t *testing.T, body, ct string) {
		hdr := map[string]string{"Authorization": tokenHeader(tok)}
		if ct != "" {
			hdr["Content-Type"] = ct
		}
		r := do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(body), hdr)
		if c := r.code(t); c == CodeInternal {
			t.Fatalf("internal error for %q (%q): %s", body, ct, r.body)
		}
	})
}

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"a=1", "a[b]=1&a[b][c]=2", "a[]=1&a[]=2", "a[][x]=1&a[][x]=2", "[a]=1", "a]b=1", "a[b=1", "%zz=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseForm(map[string]any{}, s)
	})
}
