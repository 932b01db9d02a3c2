package cmdutil

import (
	"regexp"

	"github.com/crmctl/crmctl/internal/i18n"
)

// cobraError is an error cobra or pflag made about the command line (an unknown flag, a
// flag with no value, the wrong number of arguments). Its English text is theirs; it
// renders itself in other languages from the catalogue.
type cobraError struct{ err error }

func (e *cobraError) Error() string { return e.err.Error() }
func (e *cobraError) Unwrap() error { return e.err }

// cobraMessages match cobra's and pflag's messages, each with the catalogue's message
// that says the same (the submatches are its arguments).
var cobraMessages = []struct {
	re  *regexp.Regexp
	msg i18n.Message // its Format only: the submatches are the arguments
}{
	{regexp.MustCompile(`^unknown flag: (.+)$`), i18n.M("unknown flag: %s")},
	{regexp.MustCompile(`^unknown shorthand flag: '(.)' in (.+)$`), i18n.M("unknown shorthand flag: '%s' in %s")},
	{regexp.MustCompile(`^flag needs an argument: (.+)$`), i18n.M("flag needs an argument: %s")},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.+)" flag: (.+)$`), i18n.M("invalid argument %q for %q flag: %s")},
	{regexp.MustCompile(`^bad flag syntax: (.+)$`), i18n.M("bad flag syntax: %s")},
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), i18n.M("accepts %s arg(s), received %s")},
	{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`), i18n.M("accepts at most %s arg(s), received %s")},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), i18n.M("requires at least %s arg(s), only received %s")},
	{regexp.MustCompile(`^unknown command "(.+)" for "(.+)"$`), i18n.M("unknown command %q for %q")},
	{regexp.MustCompile(`^required flag\(s\) (.+) not set$`), i18n.M("required flag(s) %s not set")},
}

// Localize renders the message in p's language when it is one the catalogue knows.
func (e *cobraError) Localize(p *i18n.Printer) string {
	msg := e.err.Error()
	for _, m := range cobraMessages {
		sub := m.re.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		args := make([]any, len(sub)-1)
		for i, s := range sub[1:] {
			args[i] = s
		}
		return p.Sprintf(m.msg.Format, args...)
	}
	return msg
}

// CobraError makes an error of cobra or pflag about the command line a usage error
// (exit 2) that speaks the chosen language.
func CobraError(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{Err: &cobraError{err: err}}
}
