package api

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Codes the API is known to answer with.
const (
	CodeOK             = 0
	CodeInvalidApp     = 100000 // bad device / version_code
	CodeUnknown400     = 100400
	CodeUnauthorized   = 100401 // token expired, invalid or ended by a newer login
	CodeRecordNotFound = 100100 // no such object, or no permission for it
)

// Error is an answer whose envelope carried a non-zero code.
type Error struct {
	Code    int    // the envelope's code
	Message string // the envelope's message, verbatim
	Key     string // the envelope's "error" field, e.g. "active_record/record_not_found"
}

func (e *Error) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language (the API's own message stays as it came).
func (e *Error) Localize(p *i18n.Printer) string {
	var msg any = e.Message
	if e.Message == "" {
		msg = i18n.M("the API refused the request")
	}
	if e.Key != "" {
		return p.Sprintf("%s (code %d, %s)", msg, e.Code, e.Key)
	}
	return p.Sprintf("%s (code %d)", msg, e.Code)
}

// IsAuth reports whether the error means the credentials are missing or rejected.
func (e *Error) IsAuth() bool {
	return e.Code == CodeUnauthorized || e.Code == CodeInvalidApp
}

// EndedElsewhere reports whether the token was ended by a newer login of the account
// ("你的帐号已在其他地方登录,本地已经下线"), rather than expired or unknown.
func (e *Error) EndedElsewhere() bool {
	return e.Code == CodeUnauthorized && strings.Contains(e.Message, "其他地方登录")
}

// IsNotFound reports whether the object does not exist (or is not visible).
func (e *Error) IsNotFound() bool { return e.Code == CodeRecordNotFound }

// ResponseError is an answer that could not be understood: an HTML error page,
// truncated JSON, a wrong content type, or a 5xx page.
type ResponseError struct {
	Method, Path string
	StatusCode   int
	Snippet      string // the first bytes of the body, printable
	Err          error
}

func (e *ResponseError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language.
func (e *ResponseError) Localize(p *i18n.Printer) string {
	s := p.Sprintf("unexpected answer from %s %s (HTTP %d)", e.Method, e.Path, e.StatusCode)
	if e.Err != nil {
		s += ": " + p.Error(e.Err)
	}
	if e.Snippet != "" {
		s += fmt.Sprintf(": %q", e.Snippet)
	}
	return s
}

func (e *ResponseError) Unwrap() error { return e.Err }

// NetworkError is a transport failure or a timeout.
type NetworkError struct {
	Method, Path string
	// MaybeSent is true when the request may have reached the server (the failure came
	// after the request was written); a POST in that state must not be sent again blindly.
	MaybeSent bool
	Err       error
	// Attempts is how many attempts the call made (0 when not counted).
	Attempts int
}

func (e *NetworkError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language. The explicit argument indexes make the
// message a key of its own in the catalogue, distinct from other "%s %s: %v".
func (e *NetworkError) Localize(p *i18n.Printer) string {
	s := p.Sprintf("%[1]s %[2]s: %[3]v", e.Method, e.Path, e.Err)
	if e.MaybeSent && e.Method != "GET" {
		s += p.Sprintf(" (the request may have reached the server)")
	}
	switch {
	case e.Attempts == 1:
		s += p.Sprintf(" (1 attempt)")
	case e.Attempts > 1:
		s += p.Sprintf(" (%d attempts)", e.Attempts)
	}
	return s
}

func (e *NetworkError) Unwrap() error { return e.Err }

// ThrottledError means the API still answered "Retry later" after every retry.
type ThrottledError struct {
	Method, Path string
	Attempts     int
	RetryAfter   time.Duration
}

func (e *ThrottledError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize renders the error in p's language.
func (e *ThrottledError) Localize(p *i18n.Printer) string {
	var s string
	if e.Attempts == 1 {
		s = p.Sprintf("%s %s: still throttled by the API (Retry later) after %d attempt", e.Method, e.Path, e.Attempts)
	} else {
		s = p.Sprintf("%s %s: still throttled by the API (Retry later) after %d attempts", e.Method, e.Path, e.Attempts)
	}
	if e.RetryAfter >= time.Second {
		s += p.Sprintf("; retry after %s", i18n.Duration(e.RetryAfter.Round(time.Second)))
	}
	return s
}

// IsAuthError reports whether err is, or wraps, an authentication error: a code that
// rejects the credentials, or ErrNoToken.
func IsAuthError(err error) bool {
	if errors.Is(err, ErrNoToken) {
		return true
	}
	var ae *Error
	return errors.As(err, &ae) && ae.IsAuth()
}

// OutcomeUnknown reports whether err leaves it unknown whether the server acted on the
// request: it may have been processed, but no readable answer came back (a failure after
// the request was written, a cancellation in flight, an error page or an unreadable
// answer). A create that fails this way must be checked before it is sent again.
func OutcomeUnknown(err error) bool {
	var ne *NetworkError
	if errors.As(err, &ne) {
		return ne.MaybeSent
	}
	var ce *CanceledError
	if errors.As(err, &ce) {
		return ce.MaybeSent
	}
	var re *ResponseError
	if errors.As(err, &re) {
		return re.StatusCode != 0
	}
	return false
}
