// Package prompter asks the interactive questions of crmctl's commands.
//
// Commands depend on the Prompter interface only. New returns the terminal
// implementation, built on github.com/AlecAivazis/survey/v2; that library is archived
// upstream, so nothing outside this package may import it, and replacing it means
// writing another Prompter. NewFake returns a scripted Prompter for tests.
//
// Prompting is mechanism, not policy: a command decides whether it may prompt at all
// (iostreams.IOStreams.CanPrompt, which also honours --no-input) before it calls a
// Prompter.
package prompter

import "github.com/crmctl/crmctl/internal/i18n"

// Prompter asks one question per call and returns the answer.
type Prompter interface {
	// Every question's help (shown on "?") is rendered in the chosen language when it
	// is a message of the catalogue, as the field table's help texts are; any other
	// help is shown as it is.
	//
	// Input asks for a line of text. def is offered as the answer: an empty line
	// (just Enter) accepts it. validate (may be nil) runs on each answer, def
	// included: a non-nil error is shown and the question asked again.
	Input(message, help, def string, validate func(string) error) (string, error)
	// Select asks for one of options (type to filter); returns the chosen index.
	// def is the index highlighted at first; outside [0, len(options)) the first
	// option is.
	Select(message, help string, options []string, def int) (int, error)
	// MultiSelect asks for any number of options; returns the chosen indexes in
	// ascending order (empty, not nil, when none is chosen).
	MultiSelect(message, help string, options []string) ([]int, error)
	// Confirm asks a yes/no question; an empty answer is def.
	Confirm(message string, def bool) (bool, error)
	// Password reads a hidden answer: the typed characters are not shown.
	Password(message, help string) (string, error)
}

// ErrCancelled is returned by every Prompter call that the user cancelled with
// Ctrl-C or Esc.
var ErrCancelled = i18n.Errorf("prompt cancelled")

// ErrNoTerminal is returned (wrapped, with the reason) by every call of a Prompter
// from New whose standard input or output is not a terminal.
var ErrNoTerminal = i18n.Errorf("prompting needs a terminal")
