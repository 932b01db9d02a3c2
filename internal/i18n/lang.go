// Package i18n chooses the language crmctl speaks to people (English or Chinese) and
// renders its messages in it, from one catalogue keyed by the English format string.
//
// A message is written in English where it is made, as with fmt:
//
//	i18n.Errorf("a customer needs a name")          // an error, wrapping with %w as fmt.Errorf
//	ios.T().Fprintf(w, "About to create:\n")        // a line printed in the chosen language
//	i18n.M("unknown option %q", v)                  // a message kept for later
//
// Errors keep their English text in Error() (logs, the results file, errors.Is and
// errors.As work as before); the printer renders them in the chosen language when they
// are shown. The package holds no state but the catalogue, which never changes: the
// chosen Printer travels with the command's IOStreams.
package i18n

import (
	"strings"
)

// Lang is a language crmctl speaks.
type Lang string

const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// EnvLang is the environment variable that chooses the language (zh or en).
const EnvLang = "CRMCTL_LANG"

// Parse reads a language setting: "zh", "en", or a POSIX locale such as zh_CN.UTF-8,
// en_US.UTF-8, C or POSIX. ok is false for anything else, and for "".
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", false
	}
	// Drop the encoding and modifier: zh_CN.UTF-8@pinyin -> zh_cn.
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	base := s
	if i := strings.IndexAny(s, "_-"); i >= 0 {
		base = s[:i]
	}
	switch base {
	case "zh", "chinese":
		return Chinese, true
	case "en", "english", "c", "posix":
		return English, true
	}
	return "", false
}

// FromLocale is the language of the POSIX locale: the first of LC_ALL, LC_MESSAGES and
// LANG that is set decides (as for any program), zh_* being Chinese and anything else
// English. With none set, English.
func FromLocale(getenv func(string) (string, bool)) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v, ok := getenv(name)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if l, ok := Parse(v); ok && l == Chinese {
			return Chinese
		}
		return English
	}
	return English
}

// Choose picks the language: CRMCTL_LANG when it names one, else the profile's `lang`
// key (profile may be ""), else the POSIX locale, else English.
func Choose(getenv func(string) (string, bool), profile string) Lang {
	if v, ok := getenv(EnvLang); ok {
		if l, ok := Parse(v); ok {
			return l
		}
	}
	if l, ok := Parse(profile); ok {
		return l
	}
	return FromLocale(getenv)
}
