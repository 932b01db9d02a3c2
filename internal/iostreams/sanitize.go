package iostreams

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text from outside (names, labels and messages from the API, cells of
// a file) safe to print on a terminal: every control character that could move the
// cursor, clear the screen, set the window title or reorder the line is shown as an
// escape instead of being sent to the terminal. That is C0 controls but newline and
// tab (ESC, CR, BEL, backspace, …), DEL, C1 controls (U+0080–U+009F, CSI among
// them), the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
// bytes that are not UTF-8. They print as \x1b, \u009b, \u202e, \xff. Everything
// else, Chinese included, is kept. Text without such characters comes back as it is.
//
// JSON output needs none of this: its encoding escapes control characters itself, and
// it must stay exact.
func Sanitize(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[0]) // i18n:keep: notation
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r) // i18n:keep: notation
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r) // i18n:keep: notation
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// firstUnsafe is the index of the first byte Sanitize changes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeRune(rune(c)) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// SafeWriter returns a writer that passes everything written through Sanitize: for
// messages that carry text from outside (a report of the rows of a file, warnings
// quoting the API). Each Write should be whole text (a formatted line), as fmt's
// Fprint functions write it.
func SafeWriter(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	if _, ok := w.(safeWriter); ok {
		return w
	}
	return safeWriter{w: w}
}

type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if firstUnsafe(string(p)) < 0 {
		return s.w.Write(p)
	}
	if _, err := io.WriteString(s.w, Sanitize(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
