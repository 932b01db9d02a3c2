// Package cmdutil holds what the commands share: the dependency factory, error kinds
// and flag helpers.
package cmdutil

import (
	"errors"
	"fmt"
)

// UsageError is invalid usage or input, caught before anything was written (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf builds a UsageError.
func UsageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
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
var ErrCancel = errors.New("cancelled")

// HintError attaches a hint line to an error ("run `crmctl auth login`").
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// WithHint wraps err with a hint printed on the line after it.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &HintError{Err: err, Hint: hint}
}

// SilentError carries an exit code whose message was already printed.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit %d", e.Code) }
