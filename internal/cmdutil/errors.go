// Package cmdutil holds what the commands share: the dependency factory, error kinds
// and flag helpers.
package cmdutil

import (
	"fmt"

	"github.com/crmctl/crmctl/internal/i18n"
)

// UsageError is invalid usage or input, caught before anything was written (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf builds a UsageError.
func UsageErrorf(format string, a ...any) error {
	return &UsageError{Err: i18n.Errorf(format, a...)}
}

// AuthError is missing or rejected authentication found locally (exit 3).
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// PartialError means a bulk command finished but some records failed (exit 5).
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// ErrCancel is returned when the user interrupts (Ctrl-C, a cancelled prompt): exit 130.
var ErrCancel = i18n.Errorf("cancelled")

// HintError attaches a hint line to an error ("run `crmctl auth login`").
type HintError struct {
	Err  error
	Hint string // in English
	// Msg is the hint as a message of the catalogue (Hint is its English text); when
	// it is zero, Hint itself is looked up.
	Msg i18n.Message
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// LocalHint is the hint in p's language.
func (e *HintError) LocalHint(p *i18n.Printer) string {
	if !e.Msg.IsZero() {
		return e.Msg.Localize(p)
	}
	return i18n.M(e.Hint).Localize(p)
}

// WithHint wraps err with a hint printed on the line after it: a message of the
// catalogue, with no arguments.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &HintError{Err: err, Hint: hint, Msg: i18n.M(hint)}
}

// WithHintf is WithHint with a hint formatted as fmt.Sprintf does.
func WithHintf(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	m := i18n.M(format, a...)
	return &HintError{Err: err, Hint: m.String(), Msg: m}
}

// SilentError carries an exit code whose message was already printed.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit %d", e.Code) } // i18n:keep: never shown (the message was printed before)
