package iostreams

import (
	"bytes"
	"fmt"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"公司公海 (45)", "公司公海 (45)"},
		{"a\tb\nc", "a\tb\nc"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`},
		{"clear\x1b[2J\x1b[H", `clear\x1b[2J\x1b[H`},
		{"over\rwrite", `over\x0dwrite`},
		{"back\bspace\x7f", `back\x08space\x7f`},
		{"c1 \u009b31m csi", `c1 \u009b31m csi`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"iso\u2066late\u2069", `iso\u2066late\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"", ""},
	} {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeWriter(t *testing.T) {
	var b bytes.Buffer
	w := SafeWriter(&b)
	n, err := fmt.Fprintf(w, "row %d: %s\n", 2, "名字\x1b[31m")
	if err != nil || n != len("row 2: 名字\x1b[31m\n") {
		t.Fatalf("Fprintf = %d, %v", n, err)
	}
	if got := b.String(); got != "row 2: 名字\\x1b[31m\n" {
		t.Errorf("wrote %q", got)
	}
	if SafeWriter(w) != w {
		t.Error("a safe writer was wrapped twice")
	}
}
