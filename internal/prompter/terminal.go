package prompter

import (
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/crmctl/crmctl/internal/iostreams"
)

const (
	keyEsc       = 0x1b
	keyInterrupt = 0x03 // Ctrl-C, which survey turns into terminal.InterruptErr
)

// escCancelReader turns a lone Esc key into Ctrl-C, so that Esc cancels every kind of
// question (survey itself ignores it, or toggles a vim mode in lists).
//
// A terminal sends the Esc key as a single byte, and the other keys that start with
// it (arrows, function keys, the replies to cursor queries) as "ESC [" or "ESC O"
// followed by more, in the same read. So an ESC that ends what one read returned, or
// that is followed by anything else, is the Esc key. survey's own reader tells them
// apart the same way.
type escCancelReader struct{ terminal.FileReader }

func (r escCancelReader) Read(p []byte) (int, error) {
	n, err := r.FileReader.Read(p)
	for i := 0; i < n; i++ {
		if p[i] != keyEsc {
			continue
		}
		if i+1 == n || (p[i+1] != '[' && p[i+1] != 'O') {
			p[i] = keyInterrupt
		}
	}
	return n, err
}

// plainWriter drops the colour and style sequences (CSI ... m) from what is written
// through it and passes every other byte, cursor movements included, unchanged. It
// keeps an incomplete sequence until the write that completes it.
type plainWriter struct {
	terminal.FileWriter
	pending []byte // an escape sequence begun but not finished
}

func newPlainWriter(w terminal.FileWriter) *plainWriter { return &plainWriter{FileWriter: w} }

func (w *plainWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(w.pending)+len(p))
	seq := w.pending
	w.pending = nil
	for _, b := range p {
		switch {
		case len(seq) == 0 && b == keyEsc:
			seq = append(seq, b)
		case len(seq) == 0:
			out = append(out, b)
		case len(seq) == 1 && b != '[':
			// Not a CSI sequence: pass the ESC and this byte through.
			out = append(out, seq...)
			out = append(out, b)
			seq = seq[:0]
		default:
			seq = append(seq, b)
			if len(seq) > 2 && b >= 0x40 && b <= 0x7e { // the final byte of a CSI sequence
				if b != 'm' {
					out = append(out, seq...)
				}
				seq = seq[:0]
			}
		}
	}
	if len(seq) > 0 {
		w.pending = append([]byte(nil), seq...)
	}
	if len(out) > 0 {
		if _, err := w.FileWriter.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// fitOptions returns labels, each shortened with "..." to at most width columns
// (as survey measures them) so that no option row wraps, and with what could drive
// the terminal escaped (iostreams.Sanitize). width <= 0 means unknown: labels are
// not shortened.
func fitOptions(labels []string, width int) []string {
	if width > 0 && width < 8 {
		width = 8
	}
	fitted := make([]string, len(labels))
	for i, l := range labels {
		// Labels come from the API: nothing in them may drive the terminal.
		fitted[i] = iostreams.Sanitize(l)
		if width > 0 {
			fitted[i] = truncate(fitted[i], width)
		}
	}
	return fitted
}

func truncate(s string, width int) string {
	if terminal.StringWidth(s) <= width {
		return s
	}
	const ellipsis = "..."
	room := width - len(ellipsis)
	used := 0
	for i, r := range s {
		w := terminal.StringWidth(string(r))
		if used+w > room {
			return s[:i] + ellipsis
		}
		used += w
	}
	return s
}
