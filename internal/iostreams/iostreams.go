// Package iostreams carries a command's standard streams and what is known about them:
// whether each is a terminal, whether colour is wanted, and whether prompting is allowed.
// Commands never touch os.Stdin/os.Stdout/os.Stderr directly.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"github.com/crmctl/crmctl/internal/i18n"
)

// IOStreams is the set of streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	neverPrompt                    bool
	noColor                        bool
	dumbTerm                       bool
	width                          int
	tr                             *i18n.Printer
}

// System returns streams bound to the process's standard streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	_, s.noColor = os.LookupEnv("NO_COLOR")
	s.dumbTerm = os.Getenv("TERM") == "dumb"
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.width = w
		}
	}
	return s
}

// FromFiles returns streams bound to the given files, detecting which of them are
// terminals (a pseudo-terminal in tests, for instance). Colour preferences come from
// the environment, as in System.
func FromFiles(in, out, errOut *os.File) *IOStreams {
	s := &IOStreams{In: in, Out: out, ErrOut: errOut}
	s.stdinTTY = isTerminal(in)
	s.stdoutTTY = isTerminal(out)
	s.stderrTTY = isTerminal(errOut)
	_, s.noColor = os.LookupEnv("NO_COLOR")
	s.dumbTerm = os.Getenv("TERM") == "dumb"
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(out.Fd())); err == nil {
			s.width = w
		}
	}
	return s
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetStdinTTY, SetStdoutTTY and SetStderrTTY force terminal detection (tests).
func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetNeverPrompt disables prompting (--no-input, CRMCTL_NO_INPUT).
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// SetNoColor disables colour (tests, NO_COLOR).
func (s *IOStreams) SetNoColor(v bool) { s.noColor = v }

// SetLang chooses the language of the messages written to people.
func (s *IOStreams) SetLang(l i18n.Lang) { s.tr = i18n.New(l) }

// T is the printer of the chosen language (English until SetLang is called): every
// message for people goes through it.
func (s *IOStreams) T() *i18n.Printer {
	if s.tr == nil {
		return i18n.New(i18n.English)
	}
	return s.tr
}

// SetWidth sets the terminal width (tests).
func (s *IOStreams) SetWidth(w int) { s.width = w }

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// CanPrompt reports whether interactive prompts are allowed: stdin and stdout are both
// terminals and prompting was not turned off.
func (s *IOStreams) CanPrompt() bool {
	return s.stdinTTY && s.stdoutTTY && !s.neverPrompt
}

// ColorEnabled reports whether stdout may carry colour.
func (s *IOStreams) ColorEnabled() bool {
	return s.stdoutTTY && !s.noColor && !s.dumbTerm
}

// TerminalWidth is stdout's width, or 80 when unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	return 80
}
