package prompter

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/crmctl/crmctl/internal/iostreams"
)

// fdReader and fdWriter give a buffer the Fd survey asks for.
type fdReader struct{ *strings.Reader }

func (fdReader) Fd() uintptr { return ^uintptr(0) }

type fdWriter struct{ *bytes.Buffer }

func (fdWriter) Fd() uintptr { return ^uintptr(0) }

func TestEscCancelReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b", "\x03"},
		{"abc\x1b", "abc\x03"},
		{"\x1b\x1b", "\x03\x03"},
		{"\x1bx", "\x03x"},
		{"\x1b[A", "\x1b[A"},         // arrow up
		{"\x1bOB", "\x1bOB"},         // arrow down, application keypad
		{"\x1b[12;1R", "\x1b[12;1R"}, // cursor position report
		{"\x1b\x1b[B", "\x03\x1b[B"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		r := escCancelReader{fdReader{strings.NewReader(tt.in)}}
		buf := make([]byte, 64)
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("Read(%q): %v", tt.in, err)
		}
		if got := string(buf[:n]); got != tt.want {
			t.Errorf("Read(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlainWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"colours dropped", []string{"\x1b[1;92m? \x1b[0m\x1b[1;99mName\x1b[0m"}, "? Name"},
		{"cursor moves kept", []string{"\x1b[1A\x1b[2K\x1b[?25l\x1b[6nText"}, "\x1b[1A\x1b[2K\x1b[?25l\x1b[6nText"},
		{"split sequence", []string{"a\x1b", "[3", "6mb\x1b[0", "m", "c"}, "abc"},
		{"split kept sequence", []string{"a\x1b[", "1A", "b"}, "a\x1b[1Ab"},
		{"not CSI", []string{"a\x1b7b\x1b8"}, "a\x1b7b\x1b8"},
		{"CJK", []string{"\x1b[36m客户名称\x1b[0m"}, "客户名称"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := newPlainWriter(fdWriter{&buf})
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
				}
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("wrote %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFitOptions(t *testing.T) {
	long := strings.Repeat("客户", 40) // 160 columns
	got := fitOptions([]string{"short", long, "公司公海 (45)"}, 57)
	if got[0] != "short" || got[2] != "公司公海 (45)" {
		t.Errorf("short labels changed: %q", got)
	}
	if w := terminal.StringWidth(got[1]); w > 57 || !strings.HasSuffix(got[1], "...") || !strings.HasPrefix(long, strings.TrimSuffix(got[1], "...")) {
		t.Errorf("long label fitted to %q (%d columns), want a prefix and ... within 57 columns", got[1], w)
	}
	if got := fitOptions([]string{long}, 0); got[0] != long {
		t.Errorf("unknown width changed the label")
	}
	// An option label from the API cannot drive the terminal, whatever the width.
	for _, width := range []int{0, 57} {
		if got := fitOptions([]string{"公海\x1b]0;pwned\x07"}, width); got[0] != `公海\x1b]0;pwned\x07` {
			t.Errorf("width %d: hostile label shown as %q", width, got[0])
		}
	}
}

func TestPageSize(t *testing.T) {
	for rows, want := range map[int]int{0: 10, 5: 3, 10: 3, 12: 5, 17: 10, 24: 10, 60: 10} {
		if got := pageSize(rows); got != want {
			t.Errorf("pageSize(%d) = %d, want %d", rows, got, want)
		}
	}
}

func TestFilterByLabel(t *testing.T) {
	labels := []string{"Beijing Trading Co", "华南公海 (3)"}
	filter := filterByLabel(labels)
	if !filter("trading", "Beijing...", 0) {
		t.Error("a shortened label is not found by its hidden part")
	}
	if !filter("华南", labels[1], 1) || filter("华东", labels[1], 1) {
		t.Error("filter does not match by substring")
	}
}

func TestNewWithoutTerminal(t *testing.T) {
	ios, _, _, _ := iostreams.Test() // buffers, not files
	p := New(ios)
	calls := map[string]func() error{
		"Input":       func() error { _, err := p.Input("m", "", "", nil); return err },
		"Select":      func() error { _, err := p.Select("m", "", []string{"a"}, 0); return err },
		"MultiSelect": func() error { _, err := p.MultiSelect("m", "", []string{"a"}); return err },
		"Confirm":     func() error { _, err := p.Confirm("m", false); return err },
		"Password":    func() error { _, err := p.Password("m", ""); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrNoTerminal) || !strings.Contains(err.Error(), "prompting needs a terminal") {
			t.Errorf("%s: err = %v, want ErrNoTerminal", name, err)
		}
	}

	// Files that are not terminals: New accepts them, every call refuses.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	p = New(iostreams.FromFiles(r, w, w))
	if _, err := p.Confirm("m", false); !errors.Is(err, ErrNoTerminal) {
		t.Errorf("Confirm on pipes: err = %v, want ErrNoTerminal", err)
	}
}
