package prompter

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Fake is a scripted Prompter for tests. Each Expect call queues one question, in the
// order the code under test must ask them, with its answer:
//
//	fake := prompter.NewFake(t)
//	fake.ExpectSelect("Pool (公海)").AnswerWith("公司公海 (45)")
//	name := fake.ExpectInput("Name (客户名称)").Answers("", "贸易公司") // "" is rejected, then re-asked
//	fake.ExpectConfirm("Create this customer?").Answer(true)
//	opts.Prompter = fake
//	... run the command ...
//	// name.ValidationErrors() holds the error the validator gave for "".
//
// A question matches an expectation when its kind and its message are the same; the
// message is compared exactly (whole string, no trimming). A question that does not
// match the next expectation, or that comes when none is left, or whose scripted
// answer does not fit (an option that is not offered, an index out of range, Input
// answers that run out before one passes validation, or answers left unused after one
// passed), fails the test with t.Errorf, which is safe from any goroutine, and the
// call returns an error so that the code under test unwinds. Expectations never asked
// fail the test when it ends (t.Cleanup), unless the Fake has already failed it: the
// rest of the script is then out of step and would say nothing new.
//
// A Fake is safe for use by several goroutines; the order of questions is the order
// in which the calls reach it.
type Fake struct {
	t TestingT

	mu     sync.Mutex
	queue  []*expectation
	failed bool // the Fake has failed the test
}

var _ Prompter = (*Fake)(nil)

// errFake is returned by a Fake's calls that failed the test.
// i18n:keep: it speaks to the developer whose test failed, not to crmctl's users
var errFake = errors.New("prompter fake: unexpected prompt (the test has been failed)")

// TestingT is the part of testing.TB a Fake reports to; *testing.T and *testing.B
// have it.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// NewFake returns a Fake with no expectations that reports to t, and checks at the end
// of the test that every expectation was asked.
func NewFake(t TestingT) *Fake {
	t.Helper()
	f := &Fake{t: t}
	t.Cleanup(f.checkLeftovers)
	return f
}

type kind int

const (
	kindInput kind = iota
	kindSelect
	kindMultiSelect
	kindConfirm
	kindPassword
)

func (k kind) String() string {
	return [...]string{"Input", "Select", "MultiSelect", "Confirm", "Password"}[k]
}

// expectation is one scripted question; the exported Expectation types wrap it.
type expectation struct {
	f       *Fake
	kind    kind
	message string

	// the scripted answer (set is false until one of the Answer methods or Cancel)
	set        bool
	cancel     bool
	useDefault bool
	texts      []string // Input answers in order; Select/MultiSelect labels; Password
	byLabel    bool     // Select/MultiSelect answer given as labels
	indexes    []int    // Select/MultiSelect answer given as indexes
	yes        bool     // Confirm

	// what the question showed, recorded when asked
	asked      bool
	options    []string
	validation []error
}

func (e *expectation) String() string { return fmt.Sprintf("%s(%q)", e.kind, e.message) }

func (f *Fake) expect(k kind, message string) *expectation {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &expectation{f: f, kind: k, message: message}
	f.queue = append(f.queue, e)
	return e
}

// script sets e's answer; set runs under the Fake's lock.
func (e *expectation) script(set func()) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	e.set = true
	e.cancel, e.useDefault, e.byLabel = false, false, false
	e.texts, e.indexes, e.yes = nil, nil, false
	set()
}

// failf reports a failure; f.mu must be held.
func (f *Fake) failf(format string, args ...any) {
	f.t.Helper()
	f.failed = true
	f.t.Errorf("prompter fake: "+format, args...)
}

// next takes the expectation the question (k, message) must match, or reports why
// there is none.
func (f *Fake) next(k kind, message string) (*expectation, error) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	asked := fmt.Sprintf("%s(%q)", k, message)
	if len(f.queue) == 0 {
		f.failf("unexpected %s: no more prompts were expected", asked)
		return nil, errFake
	}
	e := f.queue[0]
	f.queue = f.queue[1:]
	e.asked = true
	if e.kind != k || e.message != message {
		f.failf("unexpected %s: the next expected prompt is %s", asked, e)
		return nil, errFake
	}
	if !e.set {
		f.failf("%s was asked, but the test scripted no answer for it", asked)
		return nil, errFake
	}
	return e, nil
}

func (f *Fake) checkLeftovers() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed || len(f.queue) == 0 {
		return
	}
	names := make([]string, len(f.queue))
	for i, e := range f.queue {
		names[i] = e.String()
	}
	f.t.Errorf("prompter fake: %d expected prompt(s) never asked: %s", len(f.queue), strings.Join(names, ", "))
}

// InputExpectation scripts the answer to one Input question.
type InputExpectation struct{ e *expectation }

// ExpectInput queues an Input question with this message.
func (f *Fake) ExpectInput(message string) *InputExpectation {
	return &InputExpectation{f.expect(kindInput, message)}
}

// Answer answers s, as if typed. An empty s stands for just Enter: the default.
func (x *InputExpectation) Answer(s string) *InputExpectation { return x.Answers(s) }

// Answers types each answer in turn while the question's validator rejects the
// previous one, as a user re-asked would. The test fails if every answer is rejected,
// or if one is accepted before the last (the re-ask the script expects did not
// happen). Empty answers stand for just Enter: the default.
func (x *InputExpectation) Answers(answers ...string) *InputExpectation {
	x.e.script(func() { x.e.texts = append([]string{}, answers...) })
	return x
}

// AnswerDefault presses Enter on an empty line: the question's default.
func (x *InputExpectation) AnswerDefault() *InputExpectation { return x.Answers("") }

// Cancel makes the question return ErrCancelled.
func (x *InputExpectation) Cancel() *InputExpectation {
	x.e.script(func() { x.e.cancel = true })
	return x
}

// ValidationErrors returns the errors the validator gave for the rejected answers, in
// order.
func (x *InputExpectation) ValidationErrors() []error {
	x.e.f.mu.Lock()
	defer x.e.f.mu.Unlock()
	return slices.Clone(x.e.validation)
}

// Input implements Prompter.
func (f *Fake) Input(message, help, def string, validate func(string) error) (string, error) {
	f.t.Helper()
	e, err := f.next(kindInput, message)
	if err != nil {
		return "", err
	}
	if e.cancel {
		return "", ErrCancelled
	}
	if len(e.texts) == 0 {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.failf("%s was asked, but the test scripted no answer for it", e)
		return "", errFake
	}
	for i, answer := range e.texts {
		if answer == "" {
			answer = def
		}
		if validate != nil {
			if err := validate(answer); err != nil {
				f.mu.Lock()
				e.validation = append(e.validation, err)
				f.mu.Unlock()
				continue
			}
		}
		if rest := e.texts[i+1:]; len(rest) > 0 {
			f.mu.Lock()
			f.failf("%s accepted %q, so the answers after it were never typed: %q", e, answer, rest)
			f.mu.Unlock()
		}
		return answer, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failf("%s rejected every scripted answer %q: %v", e, e.texts, e.validation)
	return "", errFake
}

// SelectExpectation scripts the answer to one Select question.
type SelectExpectation struct{ e *expectation }

// ExpectSelect queues a Select question with this message.
func (f *Fake) ExpectSelect(message string) *SelectExpectation {
	return &SelectExpectation{f.expect(kindSelect, message)}
}

// AnswerWith chooses the option whose label is exactly label; the test fails if the
// question does not offer it.
func (x *SelectExpectation) AnswerWith(label string) *SelectExpectation {
	x.e.script(func() { x.e.texts, x.e.byLabel = []string{label}, true })
	return x
}

// AnswerIndex chooses the option at index i.
func (x *SelectExpectation) AnswerIndex(i int) *SelectExpectation {
	x.e.script(func() { x.e.indexes = []int{i} })
	return x
}

// AnswerDefault presses Enter at once: the question's default option (the first one
// when the default is out of range).
func (x *SelectExpectation) AnswerDefault() *SelectExpectation {
	x.e.script(func() { x.e.useDefault = true })
	return x
}

// Cancel makes the question return ErrCancelled.
func (x *SelectExpectation) Cancel() *SelectExpectation {
	x.e.script(func() { x.e.cancel = true })
	return x
}

// Options returns the labels the question offered (nil until it is asked).
func (x *SelectExpectation) Options() []string { return x.e.offered() }

// Select implements Prompter.
func (f *Fake) Select(message, help string, options []string, def int) (int, error) {
	f.t.Helper()
	e, err := f.next(kindSelect, message)
	if err != nil {
		return 0, err
	}
	e.record(options)
	switch {
	case e.cancel:
		return 0, ErrCancelled
	case e.useDefault:
		if def < 0 || def >= len(options) {
			def = 0
		}
		if len(options) == 0 {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.failf("%s offered no options", e)
			return 0, errFake
		}
		return def, nil
	}
	chosen, err := e.choose(options)
	if err != nil {
		return 0, err
	}
	return chosen[0], nil
}

// MultiSelectExpectation scripts the answer to one MultiSelect question.
type MultiSelectExpectation struct{ e *expectation }

// ExpectMultiSelect queues a MultiSelect question with this message.
func (f *Fake) ExpectMultiSelect(message string) *MultiSelectExpectation {
	return &MultiSelectExpectation{f.expect(kindMultiSelect, message)}
}

// AnswerWith chooses the options with exactly these labels (none: choose nothing);
// the test fails if the question does not offer one of them.
func (x *MultiSelectExpectation) AnswerWith(labels ...string) *MultiSelectExpectation {
	x.e.script(func() { x.e.texts, x.e.byLabel = append([]string{}, labels...), true })
	return x
}

// AnswerIndex chooses the options at these indexes.
func (x *MultiSelectExpectation) AnswerIndex(indexes ...int) *MultiSelectExpectation {
	x.e.script(func() { x.e.indexes = append([]int{}, indexes...) })
	return x
}

// Cancel makes the question return ErrCancelled.
func (x *MultiSelectExpectation) Cancel() *MultiSelectExpectation {
	x.e.script(func() { x.e.cancel = true })
	return x
}

// Options returns the labels the question offered (nil until it is asked).
func (x *MultiSelectExpectation) Options() []string { return x.e.offered() }

// MultiSelect implements Prompter. The chosen indexes come back in ascending order,
// once each, as from the terminal.
func (f *Fake) MultiSelect(message, help string, options []string) ([]int, error) {
	f.t.Helper()
	e, err := f.next(kindMultiSelect, message)
	if err != nil {
		return nil, err
	}
	e.record(options)
	if e.cancel {
		return nil, ErrCancelled
	}
	chosen, err := e.choose(options)
	if err != nil {
		return nil, err
	}
	slices.Sort(chosen)
	return slices.Compact(chosen), nil
}

func (e *expectation) record(options []string) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	e.options = slices.Clone(options)
	if e.options == nil {
		e.options = []string{}
	}
}

func (e *expectation) offered() []string {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	return slices.Clone(e.options)
}

// choose resolves the scripted labels or indexes against the offered options.
func (e *expectation) choose(options []string) ([]int, error) {
	f := e.f
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	chosen := []int{}
	if e.byLabel {
		for _, label := range e.texts {
			i := slices.Index(options, label)
			if i < 0 {
				f.failf("%s: %q is not among the options offered: %q", e, label, options)
				return nil, errFake
			}
			chosen = append(chosen, i)
		}
		return chosen, nil
	}
	for _, i := range e.indexes {
		if i < 0 || i >= len(options) {
			f.failf("%s: index %d is out of range: %d options offered: %q", e, i, len(options), options)
			return nil, errFake
		}
		chosen = append(chosen, i)
	}
	return chosen, nil
}

// ConfirmExpectation scripts the answer to one Confirm question.
type ConfirmExpectation struct{ e *expectation }

// ExpectConfirm queues a Confirm question with this message.
func (f *Fake) ExpectConfirm(message string) *ConfirmExpectation {
	return &ConfirmExpectation{f.expect(kindConfirm, message)}
}

// Answer answers yes (true) or no (false).
func (x *ConfirmExpectation) Answer(yes bool) *ConfirmExpectation {
	x.e.script(func() { x.e.yes = yes })
	return x
}

// AnswerDefault presses Enter: the question's default.
func (x *ConfirmExpectation) AnswerDefault() *ConfirmExpectation {
	x.e.script(func() { x.e.useDefault = true })
	return x
}

// Cancel makes the question return ErrCancelled.
func (x *ConfirmExpectation) Cancel() *ConfirmExpectation {
	x.e.script(func() { x.e.cancel = true })
	return x
}

// Confirm implements Prompter.
func (f *Fake) Confirm(message string, def bool) (bool, error) {
	f.t.Helper()
	e, err := f.next(kindConfirm, message)
	if err != nil {
		return false, err
	}
	switch {
	case e.cancel:
		return false, ErrCancelled
	case e.useDefault:
		return def, nil
	}
	return e.yes, nil
}

// PasswordExpectation scripts the answer to one Password question.
type PasswordExpectation struct{ e *expectation }

// ExpectPassword queues a Password question with this message.
func (f *Fake) ExpectPassword(message string) *PasswordExpectation {
	return &PasswordExpectation{f.expect(kindPassword, message)}
}

// Answer answers s.
func (x *PasswordExpectation) Answer(s string) *PasswordExpectation {
	x.e.script(func() { x.e.texts = []string{s} })
	return x
}

// Cancel makes the question return ErrCancelled.
func (x *PasswordExpectation) Cancel() *PasswordExpectation {
	x.e.script(func() { x.e.cancel = true })
	return x
}

// Password implements Prompter.
func (f *Fake) Password(message, help string) (string, error) {
	f.t.Helper()
	e, err := f.next(kindPassword, message)
	if err != nil {
		return "", err
	}
	if e.cancel {
		return "", ErrCancelled
	}
	return e.texts[0], nil
}
