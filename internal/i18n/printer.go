package i18n

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Printer renders messages in one language. The zero value, and a nil *Printer, speak
// English.
type Printer struct {
	lang Lang
	zh   *message.Printer
}

// New returns the printer of a language (English for anything but Chinese).
func New(l Lang) *Printer {
	if l != Chinese {
		return &Printer{lang: English}
	}
	return &Printer{lang: Chinese, zh: message.NewPrinter(language.Chinese, message.Catalog(catalogue))}
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang {
	if p == nil || p.lang == "" {
		return English
	}
	return p.lang
}

// Sprintf formats a message of the catalogue in the printer's language. format is the
// English text, as for fmt.Sprintf (%w is taken as %v); with no arguments it is a plain
// text, not a format (write % as it is, not %%). Errors, Messages and Localizers
// among the arguments are rendered in the same language. In Chinese, a Count is written
// with digit grouping (2,000); other numbers are written as they are.
func (p *Printer) Sprintf(format string, args ...any) string {
	if len(args) == 0 {
		// A text with no arguments (a hint, a heading) is not formatted: it is printed
		// as it is, even one made elsewhere with a % in it.
		if p.Lang() == Chinese {
			if zh, ok := chinese[format]; ok {
				return zh
			}
		}
		return format
	}
	format = normalise(format)
	rendered := make([]any, len(args))
	zh := p != nil && p.lang == Chinese && p.zh != nil
	for i, a := range args {
		rendered[i] = p.arg(a, zh)
	}
	if !zh {
		return fmt.Sprintf(format, rendered...)
	}
	return p.zh.Sprintf(format, rendered...)
}

// Fprintf writes Sprintf's message to w.
func (p *Printer) Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return io.WriteString(w, p.Sprintf(format, args...))
}

// Error renders an error in the printer's language: a Localizer (an Errorf error, a
// field problem, an API error that knows how) speaks for itself; a wrapper that adds no
// words (a usage error, a hint) is seen through; any other error keeps its own text.
func (p *Printer) Error(err error) string {
	if err == nil {
		return ""
	}
	if l, ok := err.(Localizer); ok {
		return l.Localize(p)
	}
	if u, ok := err.(interface{ Unwrap() error }); ok {
		if in := u.Unwrap(); in != nil && in.Error() == err.Error() {
			return p.Error(in)
		}
	}
	return err.Error()
}

func (p *Printer) arg(a any, zh bool) any {
	switch v := a.(type) {
	case Localizer: // a Message too
		return v.Localize(p)
	case error:
		return p.Error(v)
	case Count:
		return int64(v)
	}
	if zh {
		switch a.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return plain{a} // ids and row numbers are not grouped
		}
	}
	return a
}

// plain formats a number as fmt does, with no grouping of digits.
type plain struct{ v any }

func (n plain) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), n.v)
}

// Count is a quantity (rows, customers): in Chinese it is written with digit grouping,
// "共 2,000 行".
type Count int64

// Localizer is an error or value that renders itself in a printer's language.
type Localizer interface {
	Localize(p *Printer) string
}

// Message is a message of the catalogue, kept for later rendering (a field problem's
// reason, a hint). Its String is the English text.
type Message struct {
	Format string
	Args   []any
}

// M makes a Message: format is the English text and the catalogue's key.
func M(format string, args ...any) Message { return Message{Format: format, Args: args} }

// String is the English text.
func (m Message) String() string { return New(English).Sprintf(m.Format, m.Args...) }

// IsZero reports whether m is empty.
func (m Message) IsZero() bool { return m.Format == "" }

// Localize renders m in p's language.
func (m Message) Localize(p *Printer) string { return p.Sprintf(m.Format, m.Args...) }

// Error is an error whose message is in the catalogue. Error() is the English text,
// exactly as fmt.Errorf would make it; errors wrapped with %w are unwrapped as with
// fmt.Errorf.
type Error struct {
	msg Message
	err error
}

// Errorf is fmt.Errorf with a message of the catalogue.
func Errorf(format string, args ...any) error {
	en := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case error:
			en[i] = v // kept, for %w
		case Localizer, Message:
			en[i] = New(English).Sprintf("%v", v)
		default:
			en[i] = a
		}
	}
	return &Error{msg: Message{Format: format, Args: args}, err: fmt.Errorf(format, en...)}
}

func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the errors wrapped with %w.
func (e *Error) Unwrap() []error {
	switch u := e.err.(type) { //nolint:errorlint // asks what e.err itself unwraps to, not what it wraps
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			return []error{w}
		}
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	}
	return nil
}

// Localize renders the error in p's language.
func (e *Error) Localize(p *Printer) string { return e.msg.Localize(p) }

// normalise makes a format the catalogue's key: %w, which only Errorf knows, is %v.
func normalise(format string) string {
	if !strings.Contains(format, "w") {
		return format
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		b.WriteByte(c)
		if c != '%' {
			continue
		}
		// copy flags, index, width and precision up to the verb
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789[].*", format[j]) >= 0 {
			j++
		}
		b.WriteString(format[i+1 : j])
		if j < len(format) {
			if format[j] == 'w' {
				b.WriteByte('v')
			} else {
				b.WriteByte(format[j])
			}
		}
		i = j
	}
	return b.String()
}

// Duration is a length of time for people: as time.Duration prints it in English
// (1m30s), in Chinese units otherwise (1分30秒, 33分钟).
type Duration time.Duration

// Localize renders d in p's language.
func (d Duration) Localize(p *Printer) string {
	v := time.Duration(d)
	if p.Lang() != Chinese {
		return v.String()
	}
	switch {
	case v == 0:
		return "0秒"
	case v > 0 && v < time.Second && v%time.Millisecond == 0:
		return fmt.Sprintf("%d毫秒", v/time.Millisecond)
	case v > -time.Second && v < time.Second:
		return v.String()
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		v = -v
	}
	h, m := v/time.Hour, (v%time.Hour)/time.Minute
	s := float64(v%time.Minute) / float64(time.Second)
	if h > 0 {
		fmt.Fprintf(&b, "%d小时", h)
	}
	switch {
	case (h > 0 || m > 0) && s == 0:
		fmt.Fprintf(&b, "%d分钟", m)
	case h > 0 || m > 0:
		fmt.Fprintf(&b, "%d分", m)
	}
	if s != 0 || (h == 0 && m == 0) {
		fmt.Fprintf(&b, "%s秒", strconv.FormatFloat(s, 'f', -1, 64))
	}
	return b.String()
}

// String is the English text.
func (d Duration) String() string { return time.Duration(d).String() }

// Join is a list of messages rendered in the printer's language, separated by sep.
func Join(msgs []Message, sep string) Localizer { return joined{msgs, sep} }

type joined struct {
	msgs []Message
	sep  string
}

func (j joined) Localize(p *Printer) string {
	parts := make([]string, len(j.msgs))
	for i, m := range j.msgs {
		parts[i] = m.Localize(p)
	}
	return strings.Join(parts, j.sep)
}
