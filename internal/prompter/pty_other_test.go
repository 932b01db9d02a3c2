//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package prompter_test

import "testing"

func TestSurveyInPseudoTerminal(t *testing.T) {
	t.Skip("the survey Prompter is tested in a pseudo-terminal, which this system does not provide")
}
